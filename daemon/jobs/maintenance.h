#pragma once
// Housekeeping, run as the job "maintenance" (daemon/jobs/scheduler.h) on one node at a
// time: forgets Idempotency-Keys older than the retention (at least 24 hours, as financial
// clients may retry for a day), login-throttle rows whose failures are forgiven, job runs
// older than 7 days, and delivered outbox messages older than the outbox's retention.

#include <chrono>

namespace og::store {
class Pool;
}

namespace og::jobs {

struct MaintenanceSettings {
  std::chrono::hours idempotency_retention{48};  // raised to 24 h when less
  std::chrono::hours sent_retention{24 * 7};     // delivered outbox messages
};

// One round; returns the number of idempotency keys removed.
long run_maintenance(store::Pool& pool, const MaintenanceSettings& settings);

}  // namespace og::jobs
