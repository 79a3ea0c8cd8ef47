#include "daemon/store/deadline.h"

#include <pqxx/pqxx>

namespace og::store {

namespace {
thread_local std::optional<Clock::time_point> t_deadline;
}

ScopedDeadline::ScopedDeadline(Clock::time_point deadline) : previous_(t_deadline) { t_deadline = deadline; }
ScopedDeadline::~ScopedDeadline() { t_deadline = previous_; }

std::optional<Clock::time_point> current_deadline() { return t_deadline; }

bool is_deadline(const std::exception& e) {
  if (dynamic_cast<const DeadlineExceeded*>(&e)) return true;
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  return sql && sql->sqlstate() == "57014";
}

}  // namespace og::store
