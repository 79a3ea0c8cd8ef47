#pragma once
// Balances as the node's last committed batches left them, shared by its committers
// (docs/ledger.md, "The one-statement path"). A hint only: the one-statement write updates
// a remembered balance only where its row still holds exactly the remembered values
// (sql.cpp).

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "daemon/ledger/ledger.h"

namespace og::ledger::engine {

using BalanceKey = std::pair<std::string, std::string>;  // (waid, currency)

// A balance as a batch holds it: read under its lock (or remembered), then changed in memory.
struct Balance {
  int128 available = 0;
  int128 held = 0;
  bool may_go_negative = false;
  bool inserted = false;  // created by this batch's lock statement
  std::string ctid;       // where the row version read (or remembered) is: the write updates it there
  int128 available0 = 0, held0 = 0;  // as read, for the invariant check and the write's check
  bool may_go_negative0 = false;
  bool changed = false;
};

}  // namespace og::ledger::engine

namespace og::ledger {

class Ledger::BalanceCache {
 public:
  using BalanceKey = engine::BalanceKey;
  using Balance = engine::Balance;

  explicit BalanceCache(std::size_t limit) : limit_(limit) {}

  // Every balance of `keys` into `out`; false, and nothing added, if one is not remembered.
  bool get_all(const std::map<BalanceKey, bool>& keys, std::map<BalanceKey, Balance>& out);
  void put(const BalanceKey& k, int128 available, int128 held, bool may_go_negative, const std::string& ctid);
  bool set_available(const BalanceKey& k, int128 available);
  void forget(const BalanceKey& k);

 private:
  struct Hash {
    std::size_t operator()(const BalanceKey& k) const {
      const std::size_t a = std::hash<std::string>{}(k.first), b = std::hash<std::string>{}(k.second);
      return a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
    }
  };
  std::size_t limit_;
  std::mutex mu_;
  std::unordered_map<BalanceKey, Balance, Hash> map_;
};

}  // namespace og::ledger
