#include "daemon/http/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace og::http {

RateLimiter::RateLimiter(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

RateLimiter::Bucket& RateLimiter::refill(Shard& shard, const std::string& key, Clock::time_point now) {
  if (shard.map.size() > 50000) prune(shard, now);
  auto [it, inserted] = shard.map.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    if (elapsed > 0) b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = std::max(b.last, now);
  }
  return b;
}

bool RateLimiter::allow(const std::string& key, Clock::time_point now) {
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mu);
  Bucket& b = refill(shard, key, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

std::chrono::seconds RateLimiter::wait(const std::string& key, Clock::time_point now) {
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end()) return std::chrono::seconds(0);
  double elapsed = std::max(0.0, std::chrono::duration<double>(now - it->second.last).count());
  double tokens = std::min(burst_, it->second.tokens + elapsed * rate_);
  if (tokens >= 1.0) return std::chrono::seconds(0);
  if (rate_ <= 0) return std::chrono::seconds(3600);
  return std::chrono::seconds(static_cast<long long>(std::ceil((1.0 - tokens) / rate_)));
}

void RateLimiter::take(const std::string& key, Clock::time_point now) {
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mu);
  Bucket& b = refill(shard, key, now);
  b.tokens = std::max(0.0, b.tokens - 1.0);
}

void RateLimiter::prune(Shard& shard, Clock::time_point now) {
  // A bucket that would be full again carries no information: forget it.
  std::erase_if(shard.map, [&](const auto& kv) {
    double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
    return kv.second.tokens + elapsed * rate_ >= burst_;
  });
}

std::size_t RateLimiter::buckets() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

}  // namespace og::http
