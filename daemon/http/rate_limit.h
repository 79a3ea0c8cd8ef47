#pragma once
// Token bucket per credential: `rate` tokens per second, at most `burst` saved up. A call
// that finds the bucket empty is refused with 10004 TOO_FAST. Thread-safe, sharded.

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace og::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst);
  // Takes one token from `key`'s bucket; false when none is left.
  bool allow(const std::string& key, Clock::time_point now = Clock::now());
  // For budgets spent only by some outcomes (failed authentication): how long until `key`'s
  // bucket holds a token again (zero when it holds one now), without taking one...
  std::chrono::seconds wait(const std::string& key, Clock::time_point now = Clock::now());
  // ...and taking one after the fact (an empty bucket stays empty).
  void take(const std::string& key, Clock::time_point now = Clock::now());
  std::size_t buckets() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> map;
  };
  void prune(Shard& shard, Clock::time_point now);
  Shard& shard_of(const std::string& key) { return shards_[std::hash<std::string>{}(key) % shards_.size()]; }
  // The bucket, refilled up to `now` (created full).
  Bucket& refill(Shard& shard, const std::string& key, Clock::time_point now);
  double rate_;
  double burst_;
  std::array<Shard, 16> shards_;
};

}  // namespace og::http
