// The storage foundation against a real PostgreSQL: the local cluster omnid supervises,
// the connection pool, and the migrations runner.

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/local_cluster.h"
#include "daemon/store/migrations.h"
#include "daemon/store/deadline.h"
#include "daemon/store/pool.h"
#include "tests/support/test_cluster.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using og::store::LocalCluster;
using og::store::LocalClusterOptions;
using og::store::Migration;
using og::store::Pool;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t first_line_pid(const fs::path& p) {
  return static_cast<pid_t>(std::atol(read_file(p).c_str()));
}

// The effective uid of a process, from /proc/<pid>/status ("Uid: real effective ...").
long effective_uid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Uid:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      long real = -1, effective = -1;
      fields >> real >> effective;
      return effective;
    }
  }
  return -1;
}

bool process_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Starts this test executable again, running only the hidden test case with `tag`.
pid_t spawn_self(const std::string& tag, const std::vector<std::string>& extra_env) {
  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args = {exe, tag};
  std::vector<std::string> env = extra_env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// --- a cluster of its own for the lifecycle tests, which stop, restart and kill it ---

LocalClusterOptions private_options(const fs::path& dir) {
  return {.dir = dir,
          .database = "lifecycle",
          .superuser = "ogsuper",
          .port = 5439,
          .start_timeout = 30s};
}

struct PrivateCluster {
  fs::path dir;
  std::unique_ptr<LocalCluster> cluster;
  PrivateCluster() {
    char tmpl[] = "/tmp/ogpl-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    cluster = std::make_unique<LocalCluster>(private_options(dir));
  }
  ~PrivateCluster() {
    cluster.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Started, and holding the table `kept` (x = 42) that must survive whatever tests do.
LocalCluster& private_cluster() {
  static PrivateCluster instance;
  instance.cluster->start();
  static const bool seeded = [] {
    pqxx::connection conn(instance.cluster->conninfo());
    pqxx::work tx(conn);
    tx.exec0("CREATE TABLE kept (x integer); INSERT INTO kept VALUES (42)");
    tx.commit();
    return true;
  }();
  (void)seeded;
  return *instance.cluster;
}

// conninfo with the password removed, and no ~/.pgpass or PGPASSWORD to fall back on.
std::string without_password(const LocalCluster& c) {
  const auto& o = c.options();
  return "host=" + (c.dir() / "run").string() + " port=" + std::to_string(o.port) +
         " dbname=" + o.database + " user=" + o.superuser +
         " password='' passfile=/nonexistent/pgpass";
}

std::string query_string(const std::string& conninfo, const std::string& sql) {
  pqxx::connection conn(conninfo);
  pqxx::nontransaction tx(conn);
  return tx.exec1(sql)[0].as<std::string>();
}

bool table_exists(pqxx::connection& conn, const std::string& table) {
  pqxx::nontransaction tx(conn);
  return !tx.exec_params1("SELECT to_regclass($1) IS NULL", table)[0].as<bool>();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// LocalCluster

TEST_CASE("find_postgres_bindir finds postgres and initdb, and honours PG_BINDIR",
          "[store][cluster]") {
  const fs::path dir = og::store::find_postgres_bindir();
  CHECK(fs::exists(dir / "postgres"));
  CHECK(fs::exists(dir / "initdb"));

  const char* before = std::getenv("PG_BINDIR");
  const std::string saved = before ? before : "";
  ::setenv("PG_BINDIR", "/nonexistent/pg", 1);
  CHECK_THROWS_WITH(og::store::find_postgres_bindir(), Contains("PG_BINDIR=/nonexistent/pg"));
  ::setenv("PG_BINDIR", dir.c_str(), 1);
  CHECK(og::store::find_postgres_bindir() == dir);
  if (before) {
    ::setenv("PG_BINDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("PG_BINDIR");
  }
}

TEST_CASE("LocalCluster refuses a socket path longer than the system allows", "[store][cluster]") {
  const fs::path dir = "/tmp/" + std::string(100, 'x');
  LocalCluster cluster({.dir = dir});
  CHECK_THROWS_WITH(cluster.start(), Contains("107 bytes"));
  CHECK_FALSE(fs::exists(dir));  // refused before creating anything
  CHECK_FALSE(cluster.running());
}

TEST_CASE("conninfo values are quoted the libpq way", "[store][cluster]") {
  CHECK(og::store::conninfo_quote("plain") == "'plain'");
  CHECK(og::store::conninfo_quote("it's a \\path") == "'it\\'s a \\\\path'");
  CHECK(og::store::conninfo_quote("") == "''");
}

TEST_CASE("LocalCluster names a parent directory the cluster's user cannot enter",
          "[store][cluster]") {
  if (::geteuid() != 0) {
    SUCCEED("only as root does the cluster run as another user");
    return;
  }
  char tmpl[] = "/tmp/ogpx-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);  // 0700, root's: postgres cannot enter it
  LocalCluster cluster({.dir = fs::path(tmpl) / "c"});
  CHECK_THROWS_WITH(cluster.start(), Contains(std::string("cannot enter ") + tmpl + " (a parent"));
  fs::remove_all(tmpl);
}

TEST_CASE("LocalCluster starts a unix-socket-only PostgreSQL that needs its password",
          "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  REQUIRE(cluster.running());

  pqxx::connection conn(cluster.conninfo());
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec1("SELECT current_user")[0].as<std::string>() == "ogsuper");
  CHECK(tx.exec1("SELECT current_database()")[0].as<std::string>() == "lifecycle");
  CHECK(tx.exec1("SHOW listen_addresses")[0].as<std::string>().empty());
  CHECK(tx.exec1("SHOW data_directory")[0].as<std::string>() == (cluster.dir() / "data").string());
  CHECK(tx.exec1("SHOW server_encoding")[0].as<std::string>() == "UTF8");

  SECTION("postgres runs as the unprivileged user, as a child of ours") {
    const pid_t pid = cluster.postmaster_pid();
    REQUIRE(pid > 0);
    CHECK(first_line_pid(cluster.dir() / "data" / "postmaster.pid") == pid);
    CHECK(tx.exec1("SELECT pg_postmaster_start_time() IS NOT NULL")[0].as<bool>());
    const long uid = effective_uid(pid);
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      REQUIRE(pw != nullptr);
      CHECK(uid == static_cast<long>(pw->pw_uid));
      struct stat st {};
      REQUIRE(::stat((cluster.dir() / "data").c_str(), &st) == 0);
      CHECK(st.st_uid == pw->pw_uid);
    } else {
      CHECK(uid == static_cast<long>(::geteuid()));
    }
  }

  SECTION("the password file and the socket are private") {
    struct stat st {};
    REQUIRE(::stat((cluster.dir() / "password").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(st.st_uid == ::geteuid());
    const std::string password = read_file(cluster.dir() / "password");
    CHECK(password.size() == 65);  // 32 random bytes in hex, and a newline
    REQUIRE(::stat((cluster.dir() / "run" / ".s.PGSQL.5439").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK_FALSE(fs::exists(cluster.dir() / "run" / "initdb.pw"));
    // The password never reaches the log.
    CHECK(read_file(cluster.dir() / "postgres.log").find(password.substr(0, 64)) ==
          std::string::npos);
  }

  SECTION("connecting without the password, or with a wrong one, fails") {
    CHECK_THROWS_AS(pqxx::connection(without_password(cluster)), pqxx::broken_connection);
    CHECK_THROWS_AS(pqxx::connection(without_password(cluster) + " password=wrong"),
                    pqxx::broken_connection);
  }

  SECTION("start() again is harmless") {
    const pid_t pid = cluster.postmaster_pid();
    cluster.start();
    CHECK(cluster.postmaster_pid() == pid);
    CHECK(query_string(cluster.conninfo(), "SELECT 'still here'") == "still here");
  }
}

TEST_CASE("LocalCluster keeps its data across stop() and start()", "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  const pid_t old_pid = cluster.postmaster_pid();
  cluster.stop();
  CHECK_FALSE(cluster.running());
  CHECK(process_gone(old_pid));
  CHECK_FALSE(fs::exists(cluster.dir() / "data" / "postmaster.pid"));
  CHECK_THROWS_AS(pqxx::connection(cluster.conninfo()), pqxx::broken_connection);
  cluster.stop();  // again: harmless

  const auto t0 = std::chrono::steady_clock::now();
  cluster.start();
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 10s);
  CHECK(cluster.postmaster_pid() != old_pid);
  CHECK(query_string(cluster.conninfo(), "SELECT x FROM kept") == "42");
}

TEST_CASE("LocalCluster refuses to start an existing cluster without its password file",
          "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  cluster.stop();
  const fs::path password = cluster.dir() / "password";
  const fs::path aside = cluster.dir() / "password.aside";
  fs::rename(password, aside);
  CHECK_THROWS_WITH(cluster.start(), Contains(password.string() + " is missing"));
  CHECK_FALSE(cluster.running());
  fs::rename(aside, password);
  cluster.start();
  CHECK(query_string(cluster.conninfo(), "SELECT x FROM kept") == "42");
}

TEST_CASE("the supervisor restarts postgres after it is killed", "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  const pid_t pid = first_line_pid(cluster.dir() / "data" / "postmaster.pid");
  REQUIRE(pid == cluster.postmaster_pid());
  REQUIRE(::kill(pid, SIGKILL) == 0);

  CHECK(eventually([&] { return process_gone(pid); }, 5s));
  CHECK(eventually([&] { return cluster.postmaster_pid() > 0 && cluster.postmaster_pid() != pid; },
                   30s));
  CHECK(eventually(
      [&] {
        try {
          return query_string(cluster.conninfo(), "SELECT 1") == "1";
        } catch (const pqxx::broken_connection&) {
          return false;
        }
      },
      30s));
  CHECK(first_line_pid(cluster.dir() / "data" / "postmaster.pid") == cluster.postmaster_pid());
}

TEST_CASE("stale lock files from a crashed run do not block start()", "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  const fs::path data_lock = cluster.dir() / "data" / "postmaster.pid";
  const fs::path socket = cluster.dir() / "run" / ".s.PGSQL.5439";
  const fs::path socket_lock = cluster.dir() / "run" / ".s.PGSQL.5439.lock";
  const std::string data_lock_text = read_file(data_lock);
  const std::string socket_lock_text = read_file(socket_lock);
  REQUIRE(!data_lock_text.empty());
  REQUIRE(!socket_lock_text.empty());
  cluster.stop();
  REQUIRE_FALSE(fs::exists(data_lock));

  // As after a power cut: both lock files name a pid that a live, unrelated process now
  // has, and the socket file is left behind.
  // The sleeper runs as the cluster's user, so that postgres could signal it (as it could
  // a pid reused by one of its own processes) and takes the lock for live.
  struct stat owner {};
  REQUIRE(::stat((cluster.dir() / "data").c_str(), &owner) == 0);
  const pid_t sleeper = ::fork();
  REQUIRE(sleeper >= 0);
  if (sleeper == 0) {
    if (::geteuid() == 0 && (::setgid(owner.st_gid) != 0 || ::setuid(owner.st_uid) != 0))
      ::_exit(1);
    ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  REQUIRE(eventually(
      [&] { return read_file("/proc/" + std::to_string(sleeper) + "/comm") == "sleep\n"; }, 5s));
  auto plant = [&](const fs::path& path, const std::string& text) {
    const std::string rest = text.substr(text.find('\n'));
    std::ofstream(path) << sleeper << rest;
    REQUIRE(::chown(path.c_str(), owner.st_uid, owner.st_gid) == 0);
    ::chmod(path.c_str(), 0600);
  };
  plant(data_lock, data_lock_text);
  plant(socket_lock, socket_lock_text);
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }

  CHECK_NOTHROW(cluster.start());
  CHECK(cluster.running());
  CHECK(query_string(cluster.conninfo(), "SELECT 'up'") == "up");
  CHECK(first_line_pid(data_lock) == cluster.postmaster_pid());
  ::kill(sleeper, SIGKILL);
  wait_exit_code(sleeper);
}

TEST_CASE("helper: run the private cluster until killed", "[.helper_cluster]") {
  const char* dir = std::getenv("OG_HELPER_DIR");
  REQUIRE(dir != nullptr);
  LocalCluster cluster(private_options(dir));
  cluster.start();
  const fs::path out = fs::path(dir) / "helper.pid";
  std::ofstream(out.string() + ".tmp") << cluster.postmaster_pid() << "\n";
  fs::rename(out.string() + ".tmp", out);
  for (;;) ::pause();
}

TEST_CASE("postgres does not outlive a killed omnid", "[store][cluster]") {
  LocalCluster& cluster = private_cluster();
  cluster.stop();  // the helper process takes the same directory
  const fs::path pid_file = cluster.dir() / "helper.pid";
  fs::remove(pid_file);

  const pid_t helper = spawn_self("[helper_cluster]", {"OG_HELPER_DIR=" + cluster.dir().string()});
  REQUIRE(eventually([&] { return fs::exists(pid_file); }, 30s));
  const pid_t postmaster = first_line_pid(pid_file);
  REQUIRE(postmaster > 0);
  REQUIRE_FALSE(process_gone(postmaster));

  REQUIRE(::kill(helper, SIGKILL) == 0);
  CHECK(wait_exit_code(helper) == 128 + SIGKILL);
  CHECK(eventually([&] { return process_gone(postmaster); }, 30s));
  CHECK(eventually([&] { return !fs::exists(cluster.dir() / "data" / "postmaster.pid"); }, 5s));

  cluster.start();  // and the directory is fine for the next omnid
  CHECK(query_string(cluster.conninfo(), "SELECT x FROM kept") == "42");
}

// ---------------------------------------------------------------------------------------
// Migrations

TEST_CASE("migrations apply to an empty database, and again are a no-op", "[store][migrations]") {
  const auto embedded = og::store::embedded_migrations();
  REQUIRE(!embedded.empty());
  const int newest = static_cast<int>(embedded.size());
  pqxx::connection conn(og::test::fresh_database("mig"));
  CHECK(og::store::schema_version(conn) == 0);

  CHECK(og::store::migrate(conn) == newest);
  CHECK(og::store::schema_version(conn) == newest);
  CHECK(table_exists(conn, "profiles"));
  CHECK(table_exists(conn, "api_keys"));
  {
    pqxx::nontransaction tx(conn);
    const auto rows =
        tx.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    REQUIRE(rows.size() == embedded.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      CHECK(rows[i][0].as<int>() == embedded[i].number);
      CHECK(rows[i][1].as<std::string>() == std::string(embedded[i].name));
      const auto sha = tx.exec_params1("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')",
                                       std::string(embedded[i].sql));
      CHECK(rows[i][2].as<std::string>() == sha[0].as<std::string>());
    }
  }
  const auto applied_at = [&] {
    pqxx::nontransaction tx(conn);
    return tx
        .exec1(
            "SELECT string_agg(applied_at::text, ',' ORDER BY version) FROM schema_migrations")[0]
        .as<std::string>();
  };
  const std::string first = applied_at();

  CHECK(og::store::migrate(conn) == newest);
  CHECK(applied_at() == first);
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>() == newest);
}

TEST_CASE("migrate refuses a changed migration, naming it", "[store][migrations]") {
  pqxx::connection conn(og::test::fresh_database("mig_tamper"));
  og::store::migrate(conn);
  {
    pqxx::work tx(conn);
    tx.exec0("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
    tx.commit();
  }
  CHECK_THROWS_WITH(
      og::store::migrate(conn),
      Contains(std::string(og::store::embedded_migrations()[0].name)) && Contains("checksum"));
}

TEST_CASE("migrate refuses a database newer than this omnid", "[store][migrations]") {
  pqxx::connection conn(og::test::fresh_database("mig_newer"));
  og::store::migrate(conn);
  {
    pqxx::work tx(conn);
    tx.exec0(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future', "
        "'x')");
    tx.commit();
  }
  CHECK_THROWS_WITH(og::store::migrate(conn),
                    Contains("database schema version 9999 is newer than this omnid") &&
                        Contains("upgrade omnid"));
  CHECK(og::store::schema_version(conn) == 9999);
}

TEST_CASE("migrations must be numbered 1..N without gaps", "[store][migrations]") {
  pqxx::connection conn(og::test::fresh_database("mig_gap"));
  const Migration gap[] = {{1, "0001_a", "CREATE TABLE a (x int)"},
                           {3, "0003_c", "CREATE TABLE c (x int)"}};
  CHECK_THROWS_WITH(og::store::migrate(conn, gap), Contains("0003_c"));
  const Migration from_two[] = {{2, "0002_b", "CREATE TABLE b (x int)"}};
  CHECK_THROWS(og::store::migrate(conn, from_two));
  CHECK_FALSE(table_exists(conn, "a"));
  CHECK(og::store::schema_version(conn) == 0);

  // Nor may the applied ones have a hole.
  const Migration two[] = {{1, "0001_a", "CREATE TABLE a (x int)"},
                           {2, "0002_b", "CREATE TABLE b (x int)"}};
  REQUIRE(og::store::migrate(conn, two) == 2);
  {
    pqxx::work tx(conn);
    tx.exec0("DELETE FROM schema_migrations WHERE version = 1");
    tx.commit();
  }
  CHECK_THROWS_WITH(og::store::migrate(conn, two), Contains("migration 1 is missing"));
}

TEST_CASE("a failing migration rolls back itself only", "[store][migrations]") {
  pqxx::connection conn(og::test::fresh_database("mig_fail"));
  const Migration bad[] = {
      {1, "0001_a", "CREATE TABLE a (x int); INSERT INTO a VALUES (1);"},
      {2, "0002_bad", "CREATE TABLE b (x int); SELECT 1 / 0;"},
      {3, "0003_c", "CREATE TABLE c (x int);"},
  };
  CHECK_THROWS_WITH(og::store::migrate(conn, bad),
                    Contains("0002_bad") && Contains("division by zero"));
  CHECK(og::store::schema_version(conn) == 1);
  CHECK(table_exists(conn, "a"));
  CHECK_FALSE(table_exists(conn, "b"));
  CHECK_FALSE(table_exists(conn, "c"));

  // The lock was released: a fixed list applies on the same connection.
  const Migration fixed[] = {bad[0], {2, "0002_bad", "CREATE TABLE b (x int);"}, bad[2]};
  CHECK(og::store::migrate(conn, fixed) == 3);
  CHECK(table_exists(conn, "c"));
}

TEST_CASE("concurrent migrators in threads apply each migration once", "[store][migrations]") {
  const std::string conninfo = og::test::fresh_database("mig_threads");
  // Slow migrations, so that the migrators really overlap.
  const Migration slow[] = {
      {1, "0001_one", "CREATE TABLE one (x int); SELECT pg_sleep(0.2);"},
      {2, "0002_two", "CREATE TABLE two (x int);"},
      {3, "0003_three", "SELECT pg_sleep(0.1); CREATE TABLE three (x int);"},
  };
  constexpr int kMigrators = 4;
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  for (int i = 0; i < kMigrators; ++i)
    conns.push_back(std::make_unique<pqxx::connection>(conninfo));
  std::latch go(kMigrators);
  std::vector<int> results(kMigrators, -1);
  std::vector<std::string> errors(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      try {
        results[static_cast<std::size_t>(i)] =
            og::store::migrate(*conns[static_cast<std::size_t>(i)], slow);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kMigrators; ++i) {
    INFO("migrator " << i << ": " << errors[static_cast<std::size_t>(i)]);
    CHECK(results[static_cast<std::size_t>(i)] == 3);
  }
  pqxx::nontransaction tx(*conns[0]);
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>() == 3);
  CHECK(tx.exec1("SELECT count(DISTINCT version) FROM schema_migrations")[0].as<int>() == 3);
}

TEST_CASE("helper: migrate the database named in the environment", "[.helper_migrate]") {
  const char* conninfo = std::getenv("OG_MIGRATE_CONNINFO");
  const char* start_at = std::getenv("OG_START_AT_MS");
  REQUIRE(conninfo != nullptr);
  REQUIRE(start_at != nullptr);
  pqxx::connection conn(conninfo);
  const auto start =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(std::atoll(start_at)));
  std::this_thread::sleep_until(start);
  CHECK(og::store::migrate(conn) == static_cast<int>(og::store::embedded_migrations().size()));
}

TEST_CASE("concurrent migrators in separate processes apply each migration once",
          "[store][migrations]") {
  const std::string conninfo = og::test::fresh_database("mig_procs");
  const auto start_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                            (std::chrono::system_clock::now() + 1500ms).time_since_epoch())
                            .count();
  const std::vector<std::string> env = {"OG_MIGRATE_CONNINFO=" + conninfo,
                                        "OG_START_AT_MS=" + std::to_string(start_at)};
  const pid_t a = spawn_self("[helper_migrate]", env);
  const pid_t b = spawn_self("[helper_migrate]", env);
  CHECK(wait_exit_code(a) == 0);
  CHECK(wait_exit_code(b) == 0);
  pqxx::connection conn(conninfo);
  const int newest = static_cast<int>(og::store::embedded_migrations().size());
  CHECK(og::store::schema_version(conn) == newest);
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>() == newest);
}

// ---------------------------------------------------------------------------------------
// Pool

namespace {

int backend_pid(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
}

void terminate_backend(const std::string& conninfo, int pid) {
  pqxx::connection admin(conninfo);
  pqxx::nontransaction tx(admin);
  // With a timeout, pg_terminate_backend waits until the backend has exited.
  REQUIRE(tx.exec_params1("SELECT pg_terminate_backend($1, 10000)", pid)[0].as<bool>());
}

}  // namespace

TEST_CASE("Pool never opens more than its size, however many threads ask", "[store][pool]") {
  const std::string conninfo = og::test::fresh_database("pool_size");
  constexpr std::size_t kSize = 3;
  Pool pool(conninfo, kSize);
  CHECK(pool.size() == kSize);
  CHECK(pool.open() == 0);  // lazy

  constexpr int kThreads = 8, kAcquires = 25;
  std::atomic<int> in_use{0}, max_in_use{0}, max_backends{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAcquires; ++i) {
        auto lease = pool.acquire(10s);
        const int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        pqxx::nontransaction tx(*lease);
        const int backends =
            tx.exec1(
                  "SELECT count(*) FROM pg_stat_activity, pg_sleep(0.002) "
                  "WHERE datname = current_database() AND backend_type = 'client backend'")[0]
                .as<int>();
        seen = max_backends.load();
        while (backends > seen && !max_backends.compare_exchange_weak(seen, backends)) {
        }
        --in_use;
        ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(done == kThreads * kAcquires);
  CHECK(max_in_use == static_cast<int>(kSize));
  CHECK(max_backends <= static_cast<int>(kSize));
  CHECK(max_backends >= 1);
  CHECK(pool.open() <= kSize);
  CHECK(pool.idle() == pool.open());
}

TEST_CASE("Pool::acquire times out when every connection is leased", "[store][pool]") {
  Pool pool(og::test::fresh_database("pool_timeout"), 2);
  auto a = pool.acquire();
  auto b = pool.acquire();
  CHECK(pool.idle() == 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(pool.acquire(150ms), og::store::PoolTimeout);
  CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);

  // A lease given back wakes a waiter.
  std::thread giver([&] {
    std::this_thread::sleep_for(100ms);
    Pool::Lease gone = std::move(a);
  });
  auto c = pool.acquire(5s);
  giver.join();
  CHECK(backend_pid(*c) > 0);
  CHECK(pool.open() == 2);
}

TEST_CASE("Pool replaces a connection whose backend was terminated", "[store][pool]") {
  const std::string conninfo = og::test::fresh_database("pool_broken");
  Pool pool(conninfo, 1);
  int first = 0;
  {
    auto lease = pool.acquire();
    first = backend_pid(*lease);
  }
  REQUIRE(pool.idle() == 1);

  SECTION("after mark_broken()") {
    terminate_backend(conninfo, first);
    {
      auto lease = pool.acquire();
      CHECK_THROWS_AS(backend_pid(*lease), pqxx::broken_connection);
      lease.mark_broken();
    }
    CHECK(pool.open() == 0);
    auto lease = pool.acquire();
    const int second = backend_pid(*lease);
    CHECK(second != first);
  }

  SECTION("without mark_broken(): found closed when it comes back") {
    terminate_backend(conninfo, first);
    {
      auto lease = pool.acquire();
      CHECK_THROWS_AS(backend_pid(*lease), pqxx::broken_connection);
    }
    auto lease = pool.acquire();
    CHECK(backend_pid(*lease) != first);
    CHECK(pool.open() == 1);
  }
}

TEST_CASE("with_retry retries once on a broken connection, and only then", "[store][pool]") {
  const std::string conninfo = og::test::fresh_database("pool_retry");
  Pool pool(conninfo, 1);
  int first = 0;
  {
    auto lease = pool.acquire();
    first = backend_pid(*lease);
  }
  terminate_backend(conninfo, first);

  int calls = 0;
  const int second = og::store::with_retry(pool, [&](pqxx::connection& conn) {
    ++calls;
    return backend_pid(conn);
  });
  CHECK(calls == 2);
  CHECK(second != first);

  calls = 0;
  CHECK_THROWS_AS(og::store::with_retry(pool,
                                        [&](pqxx::connection&) -> int {
                                          ++calls;
                                          throw pqxx::broken_connection("still broken");
                                        }),
                  pqxx::broken_connection);
  CHECK(calls == 2);

  calls = 0;
  CHECK_THROWS_AS(og::store::with_retry(pool,
                                        [&](pqxx::connection&) -> int {
                                          ++calls;
                                          throw pqxx::sql_error("not a connection problem");
                                        }),
                  pqxx::sql_error);
  CHECK(calls == 1);
  CHECK(pool.open() <= 1);
}

TEST_CASE("a request's deadline becomes its connections' statement_timeout, and is reset outside it",
          "[store][pool][deadline]") {
  og::store::Pool pool(og::test::fresh_database("deadline"), 1);
  auto timeout_of = [](og::store::Pool::Lease& lease) {
    pqxx::nontransaction tx(*lease);
    return tx.exec1("SELECT current_setting('statement_timeout')")[0].as<std::string>();
  };
  {
    auto lease = pool.acquire();
    CHECK(timeout_of(lease) == "0");
  }
  {
    og::store::ScopedDeadline d(og::store::Clock::now() + std::chrono::seconds(3));
    auto lease = pool.acquire();
    const std::string t = timeout_of(lease);  // about 3 s, as milliseconds ("2999ms" or "3s")
    CHECK((t == "3s" || (t.size() == 6 && t.starts_with("29") && t.ends_with("ms"))));
  }
  {
    og::store::ScopedDeadline tight(og::store::Clock::now() + std::chrono::milliseconds(300));
    auto lease = pool.acquire();  // set again: 3 s is far off 300 ms
    // A statement that outlives the deadline is cancelled by PostgreSQL: is_deadline().
    pqxx::work tx(*lease);
    bool cancelled = false;
    try {
      tx.exec("SELECT pg_sleep(2)");
    } catch (const std::exception& e) {
      cancelled = og::store::is_deadline(e);
    }
    CHECK(cancelled);
  }
  {
    og::store::ScopedDeadline past(og::store::Clock::now() - std::chrono::milliseconds(1));
    CHECK_THROWS_AS(pool.acquire(), og::store::DeadlineExceeded);
  }
  // Outside a request (a job) the same connection runs without a timeout again.
  auto lease = pool.acquire();
  CHECK(timeout_of(lease) == "0");
  pqxx::nontransaction tx(*lease);
  CHECK_NOTHROW(tx.exec("SELECT pg_sleep(0.5)"));
}
