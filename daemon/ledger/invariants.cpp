#include "daemon/ledger/invariants.h"

#include <algorithm>
#include <utility>

namespace og::ledger {

namespace {
using Key = std::pair<std::string_view, std::string_view>;

std::string str(Key k) { return std::string(k.first) + " " + std::string(k.second); }
}  // namespace

// Sorted vectors of pointers rather than maps keyed by copied strings: the check runs for
// every batch on the hot path and should cost no allocation per posting.
std::optional<std::string> check(const InvariantInput& in) {
  using Posting = InvariantInput::Posting;
  std::vector<const Posting*> ps;
  ps.reserve(in.postings.size());
  for (const auto& p : in.postings) {
    int128 total;
    if (__builtin_add_overflow(p.available_delta, p.held_delta, &total))
      return "posting overflow in " + std::string(p.txid);
    ps.push_back(&p);
  }

  // 1. Double entry, per transaction and currency.
  std::sort(ps.begin(), ps.end(), [](const Posting* a, const Posting* b) {
    return Key{a->txid, a->currency} < Key{b->txid, b->currency};
  });
  for (std::size_t i = 0; i < ps.size();) {
    const Key k{ps[i]->txid, ps[i]->currency};
    int128 sum = 0;
    for (; i < ps.size() && Key{ps[i]->txid, ps[i]->currency} == k; ++i)
      if (__builtin_add_overflow(sum, ps[i]->available_delta + ps[i]->held_delta, &sum))
        return "posting sum overflow in " + std::string(k.first);
    if (sum != 0)
      return "transaction " + std::string(k.first) + " does not balance in " + std::string(k.second) + " (off by " +
             int128_to_string(sum) + ")";
  }

  // 2. Deltas per balance.
  std::sort(ps.begin(), ps.end(), [](const Posting* a, const Posting* b) {
    return Key{a->waid, a->currency} < Key{b->waid, b->currency};
  });
  struct Delta {
    Key key;
    int128 available = 0, held = 0;
  };
  std::vector<Delta> deltas;  // sorted by key
  for (std::size_t i = 0; i < ps.size();) {
    Delta d{{ps[i]->waid, ps[i]->currency}};
    for (; i < ps.size() && Key{ps[i]->waid, ps[i]->currency} == d.key; ++i)
      if (__builtin_add_overflow(d.available, ps[i]->available_delta, &d.available) ||
          __builtin_add_overflow(d.held, ps[i]->held_delta, &d.held))
        return "delta overflow on " + std::string(d.key.first);
    deltas.push_back(d);
  }

  std::vector<Key> balance_keys;
  balance_keys.reserve(in.balances.size());
  for (const auto& b : in.balances) balance_keys.emplace_back(b.waid, b.currency);
  std::sort(balance_keys.begin(), balance_keys.end());
  for (const auto& d : deltas)
    if (!std::binary_search(balance_keys.begin(), balance_keys.end(), d.key))
      return "posting on " + str(d.key) + " without its balance";

  for (const auto& b : in.balances) {
    const Key k{b.waid, b.currency};
    auto it = std::lower_bound(deltas.begin(), deltas.end(), k, [](const Delta& d, const Key& key) { return d.key < key; });
    const bool found = it != deltas.end() && it->key == k;
    const int128 da = found ? it->available : 0, dh = found ? it->held : 0;
    if (b.available_before + da != b.available_after || b.held_before + dh != b.held_after)
      return "balance " + str(k) + " does not equal its postings";
    if (b.held_after < 0) return "held would be negative on " + str(k);
    if (!b.may_go_negative && b.available_after < 0) return "available would be negative on " + str(k) + " (held > total)";
  }
  return std::nullopt;
}

}  // namespace og::ledger
