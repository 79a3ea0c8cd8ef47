#pragma once
// Wallets: creation, the default wallet of a profile, system accounts, and the facts about
// a wallet that never change (its owner, kind and the owner's parent), cached.

#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace og::ledger {

struct WalletInfo {
  std::string waid;
  std::string upid;         // owner ("" for a bridge's clearing account)
  std::string kind;         // user, issuer_equity, bridge_clearing
  std::string parent_upid;  // the owner's parent profile, if it is a child profile
  bool system() const { return kind != "user"; }
};

// Creates a user wallet; the first wallet of a profile becomes its default. Returns its waid.
std::string create_wallet(pqxx::transaction_base& tx, const std::string& upid, const std::string& name, bool trading,
                          const std::string& market);

// The account that is the other side of issued money (per issuer) or of a bridge's deposits
// and withdrawals (per bridge). Created on first use; may go negative.
std::string issuer_equity_wallet(pqxx::transaction_base& tx, const std::string& issuer_upid);
std::string bridge_clearing_wallet(pqxx::transaction_base& tx, const std::string& bridge);

// The default wallet of a profile, if it has one.
std::optional<std::string> default_wallet(pqxx::transaction_base& tx, const std::string& upid);

// Owner facts never change after creation, so they are cached without expiry. Entries are
// never removed, so a reference into the cache stays valid for the life of the process.
using WalletRefs = std::unordered_map<std::string_view, const WalletInfo*>;  // keys view the entries' waids
class WalletDirectory {
 public:
  // Adds every waid to `out`, looking up those not cached yet with one query; unknown
  // waids are left out.
  void get(pqxx::transaction_base& tx, const std::vector<std::string>& waids, WalletRefs& out);
  // The same from the cache alone: false (and `out` partly filled) unless every waid is cached.
  bool cached(const std::vector<std::string>& waids, WalletRefs& out);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, WalletInfo> cache_;
};

// A wallet's shortcode: 10 base32 characters (the spec's "Wallet ID shortcode (Base32)").
std::string new_shortcode();

}  // namespace og::ledger
