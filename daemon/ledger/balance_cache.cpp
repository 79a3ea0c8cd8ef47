#include "daemon/ledger/balance_cache.h"

#include <vector>

namespace og::ledger {

bool Ledger::BalanceCache::get_all(const std::map<BalanceKey, bool>& keys, std::map<BalanceKey, Balance>& out) {
  std::vector<std::pair<BalanceKey, Balance>> found;
  found.reserve(keys.size());
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, system] : keys) {
      auto it = map_.find(k);
      if (it == map_.end()) return false;
      found.emplace_back(k, it->second);
    }
  }
  for (auto& [k, b] : found) out.emplace(k, std::move(b));
  return true;
}

void Ledger::BalanceCache::put(const BalanceKey& k, int128 available, int128 held, bool may_go_negative,
                               const std::string& ctid) {
  Balance kept;
  kept.available = kept.available0 = available;
  kept.held = kept.held0 = held;
  kept.may_go_negative = kept.may_go_negative0 = may_go_negative;
  kept.ctid = ctid;
  std::lock_guard lock(mu_);
  if (map_.size() >= limit_ && !map_.count(k)) map_.clear();  // full: start again (rare, cheap)
  map_.insert_or_assign(k, std::move(kept));
}

bool Ledger::BalanceCache::set_available(const BalanceKey& k, int128 available) {
  std::lock_guard lock(mu_);
  auto it = map_.find(k);
  if (it == map_.end()) return false;
  it->second.available = it->second.available0 = available;
  return true;
}

void Ledger::BalanceCache::forget(const BalanceKey& k) {
  std::lock_guard lock(mu_);
  map_.erase(k);
}

}  // namespace og::ledger
