#include "daemon/jobs/maintenance.h"

#include <pqxx/pqxx>

#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::jobs {

Maintenance::Maintenance(store::Pool& pool, std::chrono::hours retention, std::chrono::seconds interval)
    : pool_(pool), retention_(std::max(retention, std::chrono::hours(24))), interval_(interval) {
  thread_ = std::thread([this] { loop(); });
}

Maintenance::~Maintenance() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

long Maintenance::run_once() {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec_params("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
                          static_cast<int>(retention_.count()));
  // Throttle rows whose failures are forgiven (an hour old) and whose wait is over: every
  // e-mail address ever tried leaves one (omnipass/accounts.h).
  tx.exec("DELETE FROM login_failures WHERE last_failure < now() - interval '1 hour' "
          "AND (blocked_until IS NULL OR blocked_until < now())");
  return static_cast<long>(r.affected_rows());
}

void Maintenance::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stopping_; })) {
    lock.unlock();
    try {
      long removed = run_once();
      if (removed > 0) log::info("expired idempotency keys removed", {{"count", removed}});
    } catch (const std::exception& e) {
      log::warn("maintenance failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace og::jobs
