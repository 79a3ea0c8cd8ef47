#include "daemon/jobs/maintenance.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::jobs {

long run_maintenance(store::Pool& pool, const MaintenanceSettings& settings) {
  auto retention = std::max(settings.idempotency_retention, std::chrono::hours(24));
  auto conn = pool.acquire();
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec_params("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
                          static_cast<int>(retention.count()));
  // Throttle rows whose failures are forgiven (an hour old) and whose wait is over: every
  // e-mail address ever tried leaves one (omnipass/accounts.h).
  tx.exec("DELETE FROM login_failures WHERE last_failure < now() - interval '1 hour' "
          "AND (blocked_until IS NULL OR blocked_until < now())");
  tx.exec("DELETE FROM job_runs WHERE started_at < now() - interval '7 days'");
  // Delivered messages (their payload is gone already); dead letters stay until retried.
  tx.exec_params("DELETE FROM outbox WHERE status = 'sent' AND delivered_at < now() - make_interval(hours => $1)",
                 static_cast<int>(settings.sent_retention.count()));
  long removed = static_cast<long>(r.affected_rows());
  if (removed > 0) log::info("expired idempotency keys removed", {{"count", removed}});
  return removed;
}

}  // namespace og::jobs
