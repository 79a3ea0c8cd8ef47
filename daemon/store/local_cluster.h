#pragma once
// The "local" database: omnid initialises, starts and supervises its own PostgreSQL
// cluster under its data directory, so a fresh machine (or `omnid --dev`, or a test)
// needs no database setup. The cluster listens on a unix socket only and requires a
// SCRAM password that is generated at initdb and kept in dir/password (mode 0600).
//
// Layout under LocalClusterOptions::dir:
//   data/          PGDATA (owned by the user postgres runs as)
//   run/           the unix socket directory (mode 0700, same owner)
//   postgres.log   stdout/stderr of initdb and postgres
//   password       the superuser's password (mode 0600, owned by omnid's user)
//
// postgres runs as a direct child process. A supervisor thread restarts it (with backoff)
// if it exits unasked, and the kernel sends it SIGINT (fast shutdown) if omnid dies, so a
// crashed omnid or test never leaves a postgres behind. Nothing else in the process may
// reap children with waitpid(-1) or ignore SIGCHLD.
//
// A postmaster started outside omnid on the data directory (`pg_ctl restart` or
// `pg_ctl start`; a leftover of a killed omnid) is not adopted: once it is verified as this
// cluster's own (postmaster.pid names a live postgres working in dir/data, run by the
// cluster's user), it gets a fast shutdown and omnid starts its own child again, so the
// guarantees above (its options, unix socket only, parent-death signal, supervision) always
// hold. The supervisor does so when one appears after its child exited; start() does so
// before starting. A server that cannot be verified as ours (another user, another
// cluster's server on our socket) is never signalled: start() fails at once, naming it.
// While started, the LocalCluster holds an exclusive flock() on dir, so that a second omnid
// on the same directory fails at once instead of fighting over the cluster.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace og::store {

struct LocalClusterOptions {
  std::filesystem::path dir;        // made absolute; see the layout above
  std::string run_as = "postgres";  // only when omnid runs as root: owns and runs the cluster
  std::string bindir;               // empty: find_postgres_bindir()
  std::string database = "omnigate";
  std::string superuser = "omnigate";
  int port = 5432;  // only names the unix socket file; the cluster never listens on TCP
  std::chrono::seconds start_timeout{60};
  // false only for throwaway clusters (tests): initdb --no-sync and fsync=off, which lose
  // data on an OS crash or power loss but make initdb and commits several times faster.
  bool durable = true;
};

class LocalCluster {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster();  // stop()
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // initdb when dir/data has no PG_VERSION, start postgres, wait until it accepts
  // connections, create the database if missing. Does nothing when already started.
  // Throws std::runtime_error with the reason (and the tail of postgres.log); it may be
  // called again after a failure. Blocks the calling thread meanwhile (initdb's
  // parent-death signal follows that thread; postgres's follows the supervisor thread).
  void start();
  // Fast shutdown (SIGINT), after 30 s SIGQUIT; stops supervising first. Also stops a
  // postmaster started outside omnid that the supervisor is taking back. Idempotent.
  void stop() noexcept;

  // "host=... port=... dbname=... user=... password=..." for options.database (values
  // quoted). It holds the password: never log it. Complete once start() has run.
  std::string conninfo() const;
  // The same for another database of this cluster.
  std::string conninfo(std::string_view database) const;

  bool running() const;          // postgres is a live child of ours
  pid_t postmaster_pid() const;  // 0 when not running
  const std::filesystem::path& dir() const { return options_.dir; }
  const LocalClusterOptions& options() const { return options_; }

 private:
  struct Credentials;  // who runs initdb/postgres, resolved before any fork()

  void resolve_credentials();
  void prepare_directories();
  void lock_directory();
  void unlock_directory() noexcept;
  void ensure_password_and_initdb();
  void take_over_previous_postmaster(std::chrono::steady_clock::time_point deadline);
  // The pid of a live postmaster of this cluster that is not our child, or 0.
  pid_t outside_postmaster() const;
  // Fast shutdown of such a postmaster, and wait for it (bounded). On the supervisor
  // thread `lk` holds mu_, released while waiting; a stop() request then cuts short the
  // wait for pg_ctl. False, with the reason in `error`, when it did not stop.
  bool stop_outside_postmaster(pid_t pid, std::unique_lock<std::mutex>* lk, std::string& error);
  void wait_until_ready(std::chrono::steady_clock::time_point deadline);
  void create_database();
  void supervise();
  pid_t spawn_postgres();  // with mu_ held, on the supervisor thread
  void stop_locked() noexcept;
  std::string log_tail(std::size_t lines) const;

  LocalClusterOptions options_;
  std::filesystem::path bindir_;
  std::unique_ptr<Credentials> creds_;
  int dir_lock_fd_ = -1;  // flock()ed while started

  std::mutex lifecycle_mu_;  // serialises start() and stop()
  mutable std::mutex mu_;    // guards the members below
  std::condition_variable cv_;
  std::thread supervisor_;
  std::string password_;
  pid_t pid_ = 0;             // live (unreaped) postmaster, 0 if none
  bool stopping_ = false;     // stop() asked: do not restart
  bool supervising_ = false;  // start() saw it ready: restart it when it exits unasked
  bool startup_failed_ = false;
  std::string startup_failure_;
};

// Where the PostgreSQL server binaries (postgres, initdb) are: $PG_BINDIR if set, then
// `pg_config --bindir`, the highest /usr/lib/postgresql/<N>/bin (Debian),
// /usr/pgsql-<N>/bin (RHEL, PGDG), /usr/bin. Throws, listing where it looked.
std::filesystem::path find_postgres_bindir();

// A libpq conninfo value, always quoted: it's -> 'it\'s'.
std::string conninfo_quote(std::string_view value);

}  // namespace og::store
