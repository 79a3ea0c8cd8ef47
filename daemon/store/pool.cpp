#include "daemon/store/pool.h"

#include <climits>

#include "daemon/store/deadline.h"

namespace og::store {

Pool::Pool(std::string conninfo, std::size_t size) : conninfo_(std::move(conninfo)), size_(size) {
  if (size_ == 0) throw std::invalid_argument("a connection pool needs at least one connection");
}

Pool::~Pool() = default;

Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      conn_(std::move(other.conn_)),
      broken_(other.broken_) {}

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    conn_ = std::move(other.conn_);
    broken_ = other.broken_;
  }
  return *this;
}

Pool::Lease::~Lease() {
  release();
}

void Pool::Lease::release() noexcept {
  if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_), broken_);
  pool_ = nullptr;
}

namespace {
// Inside a deadline, waiting for a free connection ends with it (PoolTimeout: 10002).
std::chrono::milliseconds within_deadline(std::chrono::milliseconds timeout) {
  const auto deadline = current_deadline();
  if (!deadline) return timeout;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  if (left.count() <= 0) throw DeadlineExceeded("the request's deadline passed before it was done");
  return std::min(timeout, left);
}
}  // namespace

Pool::Lease Pool::acquire(std::chrono::milliseconds timeout) {
  Lease lease = acquire_impl(within_deadline(timeout), false);
  apply_deadline(lease);
  return lease;
}

Pool::Lease Pool::acquire_new(std::chrono::milliseconds timeout) {
  Lease lease = acquire_impl(within_deadline(timeout), true);
  apply_deadline(lease);
  return lease;
}

// The connection's statement_timeout follows this thread's deadline (deadline.h): the time
// left, or none outside a request. It is set again only when it is off by more than a
// quarter, so a request's first lease sets it at most once and the next ones never do.
void Pool::apply_deadline(Lease& lease) {
  const auto deadline = current_deadline();
  long long want = 0;
  if (deadline) {
    want = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
    if (want <= 0) throw DeadlineExceeded("the request's deadline passed before it was done");
    want = std::min<long long>(want, INT_MAX);
  }
  long long have = 0;
  {
    std::lock_guard lk(mu_);
    have = timeouts_[lease.conn_.get()];
  }
  const bool set = deadline ? (have == 0 || have > want + want / 4 || have < want - want / 4) : have != 0;
  if (!set) return;
  try {
    pqxx::nontransaction tx(*lease);
    tx.exec0("SET statement_timeout = " + std::to_string(want));
  } catch (const pqxx::broken_connection&) {
    lease.mark_broken();
    throw;
  }
  std::lock_guard lk(mu_);
  timeouts_[lease.conn_.get()] = want;
}

Pool::Lease Pool::acquire_impl(std::chrono::milliseconds timeout, bool fresh) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_ptr<pqxx::connection> discard;  // closed outside the lock
  std::unique_lock lk(mu_);
  for (;;) {
    if (!fresh && !idle_.empty()) {
      auto conn = std::move(idle_.back());  // most recently used: least likely to be stale
      idle_.pop_back();
      if (conn->is_open()) return Lease(this, std::move(conn));
      timeouts_.erase(conn.get());
      --open_;
      lk.unlock();
      conn.reset();
      lk.lock();
      continue;
    }
    if (open_ < size_) break;
    if (fresh && !idle_.empty()) {
      discard = std::move(idle_.front());  // least recently used
      idle_.erase(idle_.begin());
      timeouts_.erase(discard.get());
      --open_;
      break;
    }
    if (cv_.wait_until(lk, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      throw PoolTimeout("no database connection became free within " +
                        std::to_string(timeout.count()) + " ms (all " + std::to_string(size_) +
                        " in use)");
    }
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lk.unlock();
  discard.reset();
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(conninfo_);
  } catch (...) {
    lk.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
  Lease lease(this, std::move(conn));
  lk.lock();
  timeouts_[lease.conn_.get()] = 0;  // a new connection has no statement_timeout
  return lease;
}

void Pool::give_back(std::unique_ptr<pqxx::connection> conn, bool broken) noexcept {
  const bool keep = !broken && conn->is_open();
  {
    std::lock_guard lk(mu_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      timeouts_.erase(conn.get());
      --open_;
    }
  }
  cv_.notify_one();
  conn.reset();  // a broken connection is closed outside the lock
}

std::size_t Pool::idle() const {
  std::lock_guard lk(mu_);
  return idle_.size();
}

std::size_t Pool::open() const {
  std::lock_guard lk(mu_);
  return open_;
}

bool is_unavailable(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) return false;
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = sql->sqlstate();
    return state.starts_with("57P") || state.starts_with("08");
  }
  return false;
}

}  // namespace og::store
