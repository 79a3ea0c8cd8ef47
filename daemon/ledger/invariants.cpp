#include "daemon/ledger/invariants.h"

#include <map>

namespace og::ledger {

std::optional<std::string> check(const InvariantInput& in) {
  // 1. Double entry, per transaction and currency.
  std::map<std::pair<std::string, std::string>, int128> sums;
  // 2. Deltas per balance.
  std::map<std::pair<std::string, std::string>, std::pair<int128, int128>> deltas;
  for (const auto& p : in.postings) {
    int128 total;
    if (__builtin_add_overflow(p.available_delta, p.held_delta, &total)) return "posting overflow in " + p.txid;
    auto& s = sums[{p.txid, p.currency}];
    if (__builtin_add_overflow(s, total, &s)) return "posting sum overflow in " + p.txid;
    auto& d = deltas[{p.waid, p.currency}];
    if (__builtin_add_overflow(d.first, p.available_delta, &d.first) ||
        __builtin_add_overflow(d.second, p.held_delta, &d.second))
      return "delta overflow on " + p.waid;
  }
  for (const auto& [k, sum] : sums)
    if (sum != 0)
      return "transaction " + k.first + " does not balance in " + k.second + " (off by " + int128_to_string(sum) + ")";

  std::map<std::pair<std::string, std::string>, const InvariantInput::Balance*> by_key;
  for (const auto& b : in.balances) by_key[{b.waid, b.currency}] = &b;
  for (const auto& [k, d] : deltas)
    if (!by_key.count(k)) return "posting on " + k.first + " " + k.second + " without its balance";

  for (const auto& b : in.balances) {
    auto d = deltas[{b.waid, b.currency}];
    if (b.available_before + d.first != b.available_after || b.held_before + d.second != b.held_after)
      return "balance " + b.waid + " " + b.currency + " does not equal its postings";
    if (b.held_after < 0) return "held would be negative on " + b.waid + " " + b.currency;
    if (!b.may_go_negative && b.available_after < 0)
      return "available would be negative on " + b.waid + " " + b.currency + " (held > total)";
  }
  return std::nullopt;
}

}  // namespace og::ledger
