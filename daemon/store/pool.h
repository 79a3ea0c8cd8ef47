#pragma once
// A fixed-size pool of libpqxx connections. Connections are opened lazily, up to `size`;
// a caller leases one, uses it on its own thread, and the lease returns it. A connection
// that broke (the server restarted, the backend was terminated) is discarded and a new
// one opened in its place on a later acquire.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <unordered_map>
#include <vector>

namespace og::store {

// No connection became free within the timeout (the pool is exhausted).
class PoolTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pool {
 public:
  // conninfo: a libpq connection string. Opens nothing yet.
  Pool(std::string conninfo, std::size_t size);
  ~Pool();  // every Lease must have been returned
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();  // returns the connection (or discards it if broken)

    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }
    // The connection failed (pqxx::broken_connection): close it instead of returning it.
    void mark_broken() { broken_ = true; }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    void release() noexcept;

    Pool* pool_ = nullptr;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // A connection: an idle one, or a new one while fewer than size() are open. Inside a
  // request's deadline (deadline.h) it carries a statement_timeout of the time left, and
  // throws DeadlineExceeded when none is. Throws
  // PoolTimeout when none is free within `timeout`, or what connecting throws
  // (pqxx::broken_connection when the server cannot be reached).
  Lease acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The same, but always a newly opened connection (an idle one is closed to make room).
  Lease acquire_new(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  std::size_t size() const { return size_; }
  std::size_t idle() const;  // open and not leased
  std::size_t open() const;  // open, leased or idle

 private:
  Lease acquire_impl(std::chrono::milliseconds timeout, bool fresh);
  void apply_deadline(Lease& lease);
  void give_back(std::unique_ptr<pqxx::connection> conn, bool broken) noexcept;

  const std::string conninfo_;
  const std::size_t size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // leased + idle + being opened
  std::unordered_map<const pqxx::connection*, long long> timeouts_;  // statement_timeout (ms) of each open connection
};

// Whether `e` says the database cannot be reached right now: a broken connection, or a
// server shutting down, restarting or not yet accepting connections (SQLSTATE 57P01-57P03,
// class 08). A temporary condition, answered HTTP 503 (never for a commit in doubt).
bool is_unavailable(const std::exception& e);

// Runs f(pqxx::connection&) on a pooled connection; if that connection turns out to be
// broken (pqxx::broken_connection), retries ONCE on a newly opened one.
//
// Only for idempotent work (reads, or writes that are safe to repeat): the first attempt
// may have done its work before the connection broke. A commit whose outcome is unknown
// throws pqxx::in_doubt_error, which is not retried.
template <class F>
auto with_retry(Pool& pool, F&& f) -> std::invoke_result_t<F&, pqxx::connection&> {
  {
    auto lease = pool.acquire();
    try {
      return f(*lease);
    } catch (const pqxx::broken_connection&) {
      lease.mark_broken();
    }
  }
  auto lease = pool.acquire_new();
  try {
    return f(*lease);
  } catch (const pqxx::broken_connection&) {
    lease.mark_broken();
    throw;
  }
}

}  // namespace og::store
