#pragma once
// A request's deadline, on the thread that runs its handler (the catalog's timeout_seconds,
// counted from the request's arrival). While one is set, every connection leased from a
// Pool carries a statement_timeout of the time left, so a handler waiting on a lock or a
// slow query is cancelled by PostgreSQL itself and its transaction rolls back: the request
// answers 10003 and changes nothing. (A timer that answered while the handler went on could
// answer 10003 for a transaction that then commits; cancelling in the database cannot.)

#include <chrono>
#include <optional>
#include <stdexcept>

namespace og::store {

using Clock = std::chrono::steady_clock;

class ScopedDeadline {
 public:
  explicit ScopedDeadline(Clock::time_point deadline);
  ~ScopedDeadline();
  ScopedDeadline(const ScopedDeadline&) = delete;
  ScopedDeadline& operator=(const ScopedDeadline&) = delete;

 private:
  std::optional<Clock::time_point> previous_;
};

// This thread's deadline, if a request set one.
std::optional<Clock::time_point> current_deadline();

// A connection was asked for after the deadline had passed.
struct DeadlineExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Whether `e` is the end of a deadline: DeadlineExceeded, or a statement PostgreSQL
// cancelled for its statement_timeout (SQLSTATE 57014).
bool is_deadline(const std::exception& e);

}  // namespace og::store
