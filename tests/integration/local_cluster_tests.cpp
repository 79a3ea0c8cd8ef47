// The local cluster against what an operator may do to it behind omnid's back: `pg_ctl
// restart` or `pg_ctl start` on its data directory, a second omnid on the same directory,
// another cluster's server on its socket. Real PostgreSQL, real pg_ctl, run as the
// cluster's user (postgres, when the tests run as root).

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/local_cluster.h"
#include "tests/support/omnid_process.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using og::store::LocalCluster;
using og::store::LocalClusterOptions;

constexpr int kPort = 5441;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t first_line_pid(const fs::path& p) {
  return static_cast<pid_t>(std::atol(slurp(p).c_str()));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// "pid (comm) state ppid ...": the parent, or 0.
pid_t parent_of(pid_t pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// Live postgres processes working in `data` (a zombie has no cwd, so it does not count).
std::vector<pid_t> postgres_on(const fs::path& data) {
  std::vector<pid_t> out;
  struct stat want {};
  if (::stat(data.c_str(), &want) != 0) return out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string comm = slurp(entry.path() / "comm");
    if (comm != "postgres\n" && comm != "postmaster\n") continue;
    struct stat cwd {};
    if (::stat((entry.path() / "cwd").c_str(), &cwd) != 0) continue;
    if (cwd.st_dev == want.st_dev && cwd.st_ino == want.st_ino) out.push_back(std::stoi(name));
  }
  return out;
}

// Stops whatever postgres a failed test left on `data` (a postmaster pg_ctl started has
// no parent-death signal), so that a failure does not leave servers behind.
void kill_postgres_on(const fs::path& data) {
  for (int sig : {SIGQUIT, SIGKILL}) {
    for (pid_t pid : postgres_on(data)) ::kill(pid, sig);
    if (eventually([&] { return postgres_on(data).empty(); }, 5s)) return;
  }
}

fs::path pg_ctl() {
  const fs::path p = og::store::find_postgres_bindir() / "pg_ctl";
  REQUIRE(fs::exists(p));
  return p;
}

// Runs `args` as the owner of `owner_of` (the cluster's user), stdout and stderr appended
// to `out`; its exit code. pg_ctl's server inherits `out`, so it is a file, not a pipe.
int run_as_owner(const fs::path& owner_of, const std::vector<std::string>& args,
                 const fs::path& out) {
  struct stat owner {};
  REQUIRE(::stat(owner_of.c_str(), &owner) == 0);
  std::vector<std::string> strings = args;
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  REQUIRE(out_fd >= 0);
  const bool drop = ::geteuid() == 0 && owner.st_uid != 0;
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0)
      ::_exit(126);
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(owner.st_gid) != 0 ||
                 ::setuid(owner.st_uid) != 0))
      ::_exit(126);
    if (::chdir("/") != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// What LocalCluster writes to standard error (its JSON log lines) while this lives.
class StderrCapture {
 public:
  explicit StderrCapture(fs::path file) : file_(std::move(file)) {
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    const std::string text = slurp(file_);
    if (!text.empty()) std::fprintf(stderr, "%s", text.c_str());  // keep it visible
  }
  std::string text() const { return slurp(file_); }

 private:
  fs::path file_;
  int saved_ = -1;
};

LocalClusterOptions options_for(const fs::path& dir) {
  return {.dir = dir,
          .database = "takeover",
          .superuser = "ogsuper",
          .port = kPort,
          .start_timeout = 30s,
          .durable = false};
}

// A cluster of its own in a fresh directory, started, holding `kept` (x = 42).
struct Fixture {
  og::test::TempDir tmp{"oglc"};
  fs::path dir = tmp.path() / "c";
  fs::path data = dir / "data";
  fs::path outside_log = tmp.path() / "outside.log";  // pg_ctl and the servers it starts
  std::unique_ptr<StderrCapture> log = std::make_unique<StderrCapture>(tmp.path() / "stderr");
  std::unique_ptr<LocalCluster> cluster = std::make_unique<LocalCluster>(options_for(dir));

  Fixture() {
    cluster->start();
    pqxx::connection conn(cluster->conninfo());
    pqxx::work tx(conn);
    tx.exec0("CREATE TABLE kept (x integer); INSERT INTO kept VALUES (42)");
    tx.commit();
  }
  ~Fixture() {
    cluster.reset();
    kill_postgres_on(data);
    log.reset();
  }
  std::string kept() const {
    pqxx::connection conn(cluster->conninfo());
    pqxx::nontransaction tx(conn);
    return tx.exec1("SELECT x FROM kept")[0].as<std::string>();
  }
  bool serves() const {
    try {
      return kept() == "42";
    } catch (const std::exception&) {
      return false;
    }
  }
  // The options omnid gives postgres that matter here: its socket, and no TCP.
  std::string server_options() const {
    return "-k " + (dir / "run").string() + " -p " + std::to_string(kPort) +
           " -c listen_addresses=''";
  }
};

}  // namespace

TEST_CASE("pg_ctl restart behind omnid's back: the supervisor takes postgres back",
          "[cluster][pg_ctl]") {
  Fixture f;
  const pid_t ours = f.cluster->postmaster_pid();
  REQUIRE(ours > 0);

  CHECK(run_as_owner(f.data, {pg_ctl(), "restart", "-D", f.data.string(), "-m", "fast"},
                     f.outside_log) == 0);
  INFO("pg_ctl: " << slurp(f.outside_log));

  // Served again, by a postgres that is our child once more.
  const bool back = eventually(
      [&] {
        const pid_t now = f.cluster->postmaster_pid();
        return now > 0 && now != ours && parent_of(now) == ::getpid() &&
               first_line_pid(f.data / "postmaster.pid") == now && f.serves();
      },
      20s);
  CHECK(back);
  if (back) {
    // Nothing else runs on the data directory: only our postmaster and its children.
    const pid_t pm = f.cluster->postmaster_pid();
    for (pid_t pid : postgres_on(f.data)) {
      INFO("pid " << pid);
      // A backend that exits between the listing and this read (serves()'s own
      // connection, an autovacuum worker) has no parent left to read: it is gone, so it
      // is not a postgres left behind.
      const pid_t parent = parent_of(pid);
      if (parent == 0 && !fs::exists("/proc/" + std::to_string(pid))) continue;
      CHECK((pid == pm || parent == pm));
    }
  }
  // One line says what happened; no "postgres exited" loop.
  const std::string log = f.log->text();
  CHECK(count_of(log, "postgres was restarted outside omnid (pid ") == 1);
  CHECK(count_of(log, "postgres runs under omnid's supervision again") == 1);
  CHECK(count_of(log, "\"postgres exited\"") == 0);

  // stop() leaves no postgres on the data directory, and the next start is quick.
  f.cluster->stop();
  CHECK(eventually([&] { return postgres_on(f.data).empty(); }, 5s));
  CHECK_FALSE(fs::exists(f.data / "postmaster.pid"));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_NOTHROW(f.cluster->start());
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(f.serves());
}

TEST_CASE("a postmaster left running on the data directory by pg_ctl is taken over at start",
          "[cluster][pg_ctl]") {
  Fixture f;
  f.cluster->stop();
  REQUIRE(run_as_owner(f.data,
                       {pg_ctl(), "start", "-w", "-D", f.data.string(), "-o", f.server_options()},
                       f.outside_log) == 0);
  const pid_t outside = first_line_pid(f.data / "postmaster.pid");
  REQUIRE(outside > 0);
  REQUIRE(::kill(outside, 0) == 0);

  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE_NOTHROW(f.cluster->start());
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 10s);
  CHECK(f.cluster->postmaster_pid() != outside);
  CHECK(parent_of(f.cluster->postmaster_pid()) == ::getpid());
  CHECK(first_line_pid(f.data / "postmaster.pid") == f.cluster->postmaster_pid());
  CHECK(f.serves());
  CHECK_THAT(f.log->text(),
             Contains("a postgres not started by this omnid (pid " + std::to_string(outside) +
                      ") is running on " + f.data.string()));
  const pid_t pm = f.cluster->postmaster_pid();
  for (pid_t pid : postgres_on(f.data)) CHECK((pid == pm || parent_of(pid) == pm));
}

TEST_CASE("another cluster's server on omnid's socket is reported at once, and left alone",
          "[cluster][pg_ctl]") {
  Fixture f;
  f.cluster->stop();
  // A second cluster, of the same user, whose server takes omnid's socket path.
  const fs::path other = f.tmp.path() / "other";
  REQUIRE(::mkdir(other.c_str(), 0700) == 0);
  struct stat owner {};
  REQUIRE(::stat(f.data.c_str(), &owner) == 0);
  REQUIRE(::chown(other.c_str(), owner.st_uid, owner.st_gid) == 0);
  const fs::path bindir = og::store::find_postgres_bindir();
  REQUIRE(run_as_owner(f.data,
                       {(bindir / "initdb").string(), "-D", other.string(), "-A", "trust",
                        "--no-sync", "--locale=C"},
                       f.outside_log) == 0);
  REQUIRE(run_as_owner(f.data,
                       {pg_ctl(), "start", "-w", "-D", other.string(), "-o", f.server_options()},
                       f.outside_log) == 0);
  const pid_t foreign = first_line_pid(other / "postmaster.pid");
  REQUIRE(foreign > 0);

  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(f.cluster->start(), Contains("another cluster (pid " + std::to_string(foreign) +
                                                 ", data directory " + other.string() + ")") &&
                                            Contains("kill -INT " + std::to_string(foreign)));
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK_FALSE(f.cluster->running());
  CHECK(::kill(foreign, 0) == 0);  // not signalled
  CHECK(first_line_pid(other / "postmaster.pid") == foreign);

  // Once it is gone, the cluster starts.
  CHECK(run_as_owner(f.data, {pg_ctl(), "stop", "-w", "-D", other.string(), "-m", "fast"},
                     f.outside_log) == 0);
  CHECK_NOTHROW(f.cluster->start());
  CHECK(f.serves());
  kill_postgres_on(other);
}

TEST_CASE("a second LocalCluster on the same directory fails at once, naming the first",
          "[cluster]") {
  Fixture f;
  const pid_t pm = f.cluster->postmaster_pid();
  LocalCluster second(options_for(f.dir));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(second.start(),
                    Contains("another omnid (pid " + std::to_string(::getpid()) +
                             ") is running the local cluster in " + f.dir.string()));
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK_FALSE(second.running());
  CHECK(f.cluster->postmaster_pid() == pm);  // the first is untouched
  CHECK(f.serves());
  // The directory is free again once the first has stopped.
  f.cluster->stop();
  CHECK_NOTHROW(second.start());
  second.stop();
}

TEST_CASE("omnid takes its postgres back after pg_ctl restart, stops it, and starts again quickly",
          "[cluster][pg_ctl][daemon]") {
  og::test::TempDir base("oglcd");
  const fs::path data_dir = base.path() / "data";
  const fs::path pgdata = data_dir / "postgres" / "data";
  og::test::OmnidOptions opt;
  opt.dev_data_dir = false;
  opt.extra_args = {"--data-dir", data_dir.string()};
  // Sanitizer builds: the restart breaks omnid's pooled connections, and libpqxx 6.4 leaks
  // the PGresult of a query that finds its connection broken (see tests/support/
  // test_cluster.cpp); omnid's LeakSanitizer would then fail its exit status.
  const fs::path suppressions = base.path() / "lsan.supp";
  std::ofstream(suppressions) << "leak:libpqxx-6.4.so\n";
  const char* lsan = std::getenv("LSAN_OPTIONS");
  opt.env = {{"LSAN_OPTIONS", (lsan != nullptr && *lsan != '\0' ? std::string(lsan) + ":" : "") +
                                  "suppressions=" + suppressions.string()}};
  struct Cleanup {
    fs::path data;
    ~Cleanup() { kill_postgres_on(data); }
  } cleanup{pgdata};

  {
    og::test::Omnid omnid(opt);
    REQUIRE(omnid.data_dir() == data_dir);
    REQUIRE(omnid.call("GET", "/api/v1/system/health").resultcode() == 10000);
    const pid_t before = first_line_pid(pgdata / "postmaster.pid");
    REQUIRE(parent_of(before) == omnid.pid());

    CHECK(run_as_owner(pgdata, {pg_ctl(), "restart", "-D", pgdata.string(), "-m", "fast"},
                       base.path() / "pg_ctl.log") == 0);
    INFO("pg_ctl: " << slurp(base.path() / "pg_ctl.log"));
    INFO("omnid: " << omnid.log());
    CHECK(eventually(
        [&] {
          const pid_t now = first_line_pid(pgdata / "postmaster.pid");
          return now > 0 && now != before && parent_of(now) == omnid.pid() &&
                 omnid.call("GET", "/api/v1/system/health").resultcode() == 10000;
        },
        20s));
    CHECK(count_of(omnid.log(), "postgres was restarted outside omnid (pid ") == 1);
    CHECK(count_of(omnid.log(), "\"postgres exited\"") == 0);

    CHECK(omnid.stop() == 0);
    CHECK(eventually([&] { return postgres_on(pgdata).empty(); }, 5s));
  }

  const auto t0 = std::chrono::steady_clock::now();
  og::test::Omnid again(opt);  // throws when it does not become ready
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);
  CHECK(again.call("GET", "/api/v1/system/health").resultcode() == 10000);
}
