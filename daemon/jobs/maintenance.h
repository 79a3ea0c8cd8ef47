#pragma once
// Periodic housekeeping: forgets Idempotency-Keys older than the retention (at least 24
// hours, as financial clients may retry for a day). Safe to run on every node at once.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace og::store {
class Pool;
}

namespace og::jobs {

class Maintenance {
 public:
  Maintenance(store::Pool& pool, std::chrono::hours idempotency_retention,
              std::chrono::seconds interval = std::chrono::minutes(10));
  ~Maintenance();  // stops the thread
  // One round now (tests); returns the number of keys removed.
  long run_once();

 private:
  void loop();
  store::Pool& pool_;
  std::chrono::hours retention_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace og::jobs
