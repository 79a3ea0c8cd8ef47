#include "daemon/store/local_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace og::store {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What the child needs to become the cluster's user, resolved before fork() because
// getpwnam_r/getgrouplist are not async-signal-safe.
struct LocalCluster::Credentials {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

namespace {

constexpr std::size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
constexpr auto kStopGrace = 30s;             // fast shutdown, then SIGQUIT
constexpr auto kMaxBackoff = 30s;
constexpr auto kHealthyRun = 60s;  // a postgres that ran this long resets the backoff
// After our postgres exited unasked: how long to look for a postmaster that someone
// started outside omnid (`pg_ctl restart` starts its own right after ours has stopped). A
// clean exit (status 0) means someone asked it to stop, which pg_ctl restart does.
constexpr auto kLookAfterCleanExit = 5s;
constexpr auto kLookAfterCrash = 1s;
// pg_ctl start/restart waits until its server is ready; while it does, its server is left
// alone (stopping it then makes pg_ctl report a failure), for at most this long.
constexpr auto kPgCtlGrace = 15s;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("local PostgreSQL: " + what);
}

std::string errno_text(int err) {
  return std::error_code(err, std::system_category()).message();
}

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

bool has_server_binaries(const fs::path& dir) {
  return is_executable_file(dir / "postgres") && is_executable_file(dir / "initdb");
}

std::string describe_status(int status) {
  if (status < 0) return "unknown (reaped elsewhere)";
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

void log_json(const nlohmann::json& line) {
  const std::string text = line.dump() + "\n";
  // One write() so that concurrent log lines do not interleave.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, text.data(), text.size());
}

std::string random_password() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    fail("could not generate a password: RAND_bytes failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

// Writes `content` to `path` with exactly `mode`, owned by `uid`/`gid` (when given).
void write_private_file(const fs::path& path, std::string_view content, mode_t mode,
                        std::optional<std::pair<uid_t, gid_t>> owner = std::nullopt) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) fail("cannot write " + path.string() + ": " + errno_text(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  if (ok && owner) ok = ::fchown(fd, owner->first, owner->second) == 0;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) fail("cannot write " + path.string() + ": " + errno_text(err));
}

std::optional<std::string> read_first_line(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  return line;
}

// Removes a file when it goes out of scope (the initdb password file).
struct RemoveOnExit {
  fs::path path;
  ~RemoveOnExit() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

// argv/envp as the char* arrays execve() wants, built before fork().
struct ExecArgs {
  std::vector<std::string> strings;
  std::vector<char*> argv;
  std::vector<std::string> env_strings;
  std::vector<char*> envp;

  explicit ExecArgs(std::vector<std::string> args) : strings(std::move(args)) {
    for (auto& s : strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    // A small, fixed environment: the caller's PG* variables (PGDATA, PGPORT, ...) must not
    // change what initdb or postgres do, and messages in postgres.log stay in English.
    env_strings = {"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C"};
    if (const char* tz = std::getenv("TZ")) env_strings.push_back(std::string("TZ=") + tz);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

[[noreturn]] void child_fail(const char* what) {
  // Async-signal-safe: write(2) only.
  static constexpr char kPrefix[] = "omnid: cannot start PostgreSQL: ";
  [[maybe_unused]] auto n1 = ::write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  [[maybe_unused]] auto n2 = ::write(STDERR_FILENO, what, std::char_traits<char>::length(what));
  [[maybe_unused]] auto n3 = ::write(STDERR_FILENO, "\n", 1);
  ::_exit(127);
}

// fork() + execve() of args as the cluster's user, with stdout/stderr appended to `log`.
// The child gets SIGINT if the forking thread dies (PR_SET_PDEATHSIG), so postgres never
// outlives its supervisor: a fast shutdown, not an orphan.
pid_t spawn_child(const std::vector<std::string>& args, const fs::path& log, const fs::path& cwd,
                  const std::vector<gid_t>& groups, bool drop, uid_t uid, gid_t gid) {
  ExecArgs exec(args);
  const std::string cwd_str = cwd.string();
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) fail("cannot open " + log.string() + ": " + errno_text(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(log_fd);
    fail("cannot open /dev/null: " + errno_text(errno));
  }
  long max_fd = ::sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to execve().
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
      ::sigaction(sig, &dfl, nullptr);
    }
    // Own process group: a Ctrl-C at omnid's terminal must reach omnid, which then stops
    // postgres in order, not postgres directly.
    ::setpgid(0, 0);
    if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(log_fd, STDOUT_FILENO) < 0 ||
        ::dup2(log_fd, STDERR_FILENO) < 0) {
      child_fail("dup2 failed");
    }
    if (drop) {
      if (::setgroups(groups.size(), groups.data()) != 0) child_fail("setgroups failed");
      if (::setgid(gid) != 0) child_fail("setgid failed");
      if (::setuid(uid) != 0) child_fail("setuid failed");
    }
    // After setuid: a credential change clears the parent-death signal.
    if (::prctl(PR_SET_PDEATHSIG, SIGINT) != 0) child_fail("prctl(PR_SET_PDEATHSIG) failed");
    if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
    {
      for (int fd = 3; fd < max_fd; ++fd) ::close(fd);
    }
    if (::chdir(cwd_str.c_str()) != 0) child_fail("chdir to the cluster directory failed");
    ::execve(exec.argv[0], exec.argv.data(), exec.envp.data());
    child_fail("execve failed");
  }
  const int fork_errno = errno;
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) fail("fork failed: " + errno_text(fork_errno));
  return pid;
}

int wait_for_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

bool process_alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// What /proc says about a process; nullopt when it does not exist (any more).
struct ProcInfo {
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
  long uid = -1;   // real
  long euid = -1;  // effective
  bool cwd_known = false;
  struct stat cwd {};
};

std::optional<ProcInfo> read_proc(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  ProcInfo info;
  {
    auto stat_line = read_first_line(base + "/stat");
    if (!stat_line) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const auto open = stat_line->find('(');
    const auto close = stat_line->rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
      return std::nullopt;
    info.comm = stat_line->substr(open + 1, close - open - 1);
    std::istringstream rest(stat_line->substr(close + 1));
    rest >> info.state >> info.ppid;
  }
  std::ifstream status(base + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      fields >> info.uid >> info.euid;
      break;
    }
  }
  info.cwd_known = ::stat((base + "/cwd").c_str(), &info.cwd) == 0;
  return info;
}

bool is_postgres(const ProcInfo& info) {
  return info.comm == "postgres" || info.comm == "postmaster";
}

// Alive and not a zombie (an exited process nobody reaped yet holds nothing).
bool process_running(pid_t pid) {
  if (!process_alive(pid)) return false;
  auto info = read_proc(pid);
  return info && info->state != 'Z' && info->state != 'X';
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// A process that is not our child: watched and signalled through a pidfd where the kernel
// has them (Linux 5.3), so that neither can reach another process that reused the pid.
// Without one, by pid, and `still_it` is asked again before each signal.
class ProcessHandle {
 public:
  ProcessHandle(pid_t pid, std::function<bool()> still_it)
      : pid_(pid), still_it_(std::move(still_it)) {
#if defined(SYS_pidfd_open)
    fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd_ < 0 && errno == ESRCH) gone_ = true;
#endif
  }
  ~ProcessHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  ProcessHandle(const ProcessHandle&) = delete;
  ProcessHandle& operator=(const ProcessHandle&) = delete;

  bool exited() {
    if (gone_) return true;
    if (fd_ >= 0) {
      pollfd p{fd_, POLLIN, 0};
      gone_ = ::poll(&p, 1, 0) > 0;  // readable once the process has exited
    } else {
      gone_ = !process_running(pid_) || !still_it_();
    }
    return gone_;
  }
  void signal(int sig) {
#if defined(SYS_pidfd_send_signal)
    if (fd_ >= 0) {
      ::syscall(SYS_pidfd_send_signal, fd_, sig, nullptr, 0U);
      return;
    }
#endif
    if (!exited()) ::kill(pid_, sig);
  }

 private:
  pid_t pid_;
  std::function<bool()> still_it_;
  int fd_ = -1;
  bool gone_ = false;
};

// Who holds a lock file (postmaster.pid, .s.PGSQL.<port>.lock); both name the pid of the
// postmaster on their first line and its data directory on their second; postmaster.pid
// also its state on the eighth ("starting", "ready", "stopping", ...).
enum class Holder {
  none,     // no lock file, a dead pid, or a pid that an unrelated process reused
  ours,     // a live postmaster of this cluster: working in our data dir, as its user
  foreign,  // a live PostgreSQL server that omnid cannot verify as its own
};

struct LockInfo {
  Holder holder = Holder::none;
  pid_t pid = 0;
  std::string state;  // postmaster.pid's eighth line, trimmed
  std::string why;    // foreign: what it is
};

// postgres itself ignores a lock whose pid is dead (or not signalable by it), but refuses
// to start when the pid is alive, which after a crash or reboot can be an unrelated
// process that reused the pid. Such a lock gets our own pid written into its first line:
// postgres ignores a lock held by its parent, and still sees the rest of the file (for
// postmaster.pid, the old shared-memory key, which it checks before reusing the data).
// A postmaster always works in its data directory (it chdir()s there), which is how a
// live one of this cluster is told from a reused pid.
LockInfo inspect_lock(const fs::path& lock, const fs::path& data_dir, uid_t cluster_uid) {
  LockInfo out;
  std::ifstream in(lock);
  if (!in) return out;
  std::vector<std::string> lines;
  std::string first;
  std::getline(in, first);
  std::stringstream rest;
  rest << in.rdbuf();
  in.close();
  {
    std::istringstream split(rest.str());
    for (std::string line; std::getline(split, line);) lines.push_back(line);
  }
  // postmaster.pid holds -pid for a single-user backend.
  long pid = std::strtol(first.c_str(), nullptr, 10);
  if (pid < 0) pid = -pid;
  if (pid <= 0 || pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) != 0) {
    return out;  // dead, ours already, or (EPERM) not postgres's to signal either
  }
  const auto info = read_proc(static_cast<pid_t>(pid));
  if (!info || info->state == 'Z' || info->state == 'X') return out;  // exited meanwhile
  out.pid = static_cast<pid_t>(pid);
  if (lines.size() >= 7) {
    out.state = lines[6];
    while (!out.state.empty() && std::isspace(static_cast<unsigned char>(out.state.back())))
      out.state.pop_back();
  }
  const std::string who = "pid " + std::to_string(pid);
  if (is_postgres(*info)) {
    struct stat data {};
    if (!info->cwd_known || ::stat(data_dir.c_str(), &data) != 0) {
      if (!process_running(out.pid)) return {};
      out.holder = Holder::foreign;
      out.why = "a PostgreSQL server process (" + who + ") holds " + lock.string() +
                ", and omnid cannot tell which data directory it serves (/proc/" +
                std::to_string(pid) + "/cwd is not readable)";
      return out;
    }
    if (same_file(info->cwd, data)) {
      if (info->uid == static_cast<long>(cluster_uid) &&
          info->euid == static_cast<long>(cluster_uid)) {
        out.holder = Holder::ours;
        return out;
      }
      out.holder = Holder::foreign;
      out.why = "a PostgreSQL server (" + who + ") is running on " + data_dir.string() +
                " as uid " + std::to_string(info->euid) + ", not as uid " +
                std::to_string(cluster_uid) + " who owns the cluster";
      return out;
    }
    struct stat named {};
    if (!lines.empty() && !lines[0].empty() && ::stat(lines[0].c_str(), &named) == 0 &&
        same_file(info->cwd, named)) {
      out.holder = Holder::foreign;
      out.why = "the PostgreSQL server of another cluster (" + who + ", data directory " +
                lines[0] + ") holds " + lock.string();
      return out;
    }
  }
  const std::string content = std::to_string(::getpid()) + "\n" + rest.str();
  std::ofstream rewrite(lock, std::ios::trunc);
  rewrite << content;
  return {};
}

// The pid that holds flock() on `path` (from /proc/locks), 0 if not found.
pid_t flock_holder(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  std::ifstream in("/proc/locks");
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters have "->" after "1:".
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, type, mode, access, dev;
    long pid = 0;
    fields >> id >> type;
    if (type != "FLOCK") continue;
    fields >> mode >> access >> pid >> dev;
    unsigned dev_major = 0, dev_minor = 0;
    unsigned long ino = 0;
    if (std::sscanf(dev.c_str(), "%x:%x:%lu", &dev_major, &dev_minor, &ino) != 3) continue;
    if (ino == st.st_ino && dev_major == major(st.st_dev) && dev_minor == minor(st.st_dev))
      return static_cast<pid_t>(pid);
  }
  return 0;
}

}  // namespace

std::string conninfo_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

fs::path find_postgres_bindir() {
  if (const char* env = std::getenv("PG_BINDIR"); env != nullptr && *env != '\0') {
    if (has_server_binaries(env)) return env;
    fail(std::string("PG_BINDIR=") + env + " does not contain the postgres and initdb programs");
  }
  std::vector<std::string> looked;

  std::string pg_config_dir;
  if (FILE* p = ::popen("pg_config --bindir 2>/dev/null", "r")) {
    std::array<char, 4096> buf{};
    if (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr)
      pg_config_dir = buf.data();
    ::pclose(p);
    while (!pg_config_dir.empty() &&
           std::isspace(static_cast<unsigned char>(pg_config_dir.back()))) {
      pg_config_dir.pop_back();
    }
  }
  if (!pg_config_dir.empty() && has_server_binaries(pg_config_dir)) return pg_config_dir;
  looked.push_back(pg_config_dir.empty() ? "`pg_config --bindir` (no pg_config)"
                                         : "`pg_config --bindir` (" + pg_config_dir + ")");

  // Versioned installations, highest version first.
  auto versioned = [&](const fs::path& parent, std::string_view prefix, const fs::path& suffix) {
    std::vector<std::pair<double, fs::path>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string version = name.substr(prefix.size());
      if (version.empty() || !std::isdigit(static_cast<unsigned char>(version[0]))) continue;
      found.emplace_back(std::strtod(version.c_str(), nullptr), entry.path() / suffix);
    }
    std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (auto& [version, dir] : found) {
      if (has_server_binaries(dir)) return std::optional<fs::path>(dir);
    }
    return std::optional<fs::path>();
  };
  if (auto dir = versioned("/usr/lib/postgresql", "", "bin")) return *dir;
  looked.push_back("/usr/lib/postgresql/<N>/bin");
  if (auto dir = versioned("/usr", "pgsql-", "bin")) return *dir;
  looked.push_back("/usr/pgsql-<N>/bin");
  if (has_server_binaries("/usr/bin")) return "/usr/bin";
  looked.push_back("/usr/bin");

  std::string msg = "the PostgreSQL server programs (postgres, initdb) were not found; looked in:";
  for (std::size_t i = 0; i < looked.size(); ++i) msg += (i ? ", " : " ") + looked[i];
  msg += ". Install the PostgreSQL server package or set PG_BINDIR.";
  fail(msg);
}

LocalCluster::LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) throw std::invalid_argument("LocalClusterOptions::dir is empty");
  options_.dir = fs::absolute(options_.dir).lexically_normal();
  if (!options_.dir.has_filename()) options_.dir = options_.dir.parent_path();  // "x/"
}

LocalCluster::~LocalCluster() {
  stop();
}

std::string LocalCluster::conninfo() const {
  return conninfo(options_.database);
}

std::string LocalCluster::conninfo(std::string_view database) const {
  std::string out = "host=" + conninfo_quote((options_.dir / "run").string()) +
                    " port=" + std::to_string(options_.port) +
                    " dbname=" + conninfo_quote(database) +
                    " user=" + conninfo_quote(options_.superuser);
  std::lock_guard lk(mu_);
  if (!password_.empty()) out += " password=" + conninfo_quote(password_);
  return out;
}

bool LocalCluster::running() const {
  std::lock_guard lk(mu_);
  return pid_ > 0;
}

pid_t LocalCluster::postmaster_pid() const {
  std::lock_guard lk(mu_);
  return pid_;
}

void LocalCluster::start() {
  std::lock_guard life(lifecycle_mu_);
  if (supervisor_.joinable()) return;  // started (postgres may be between restarts)
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;

  if (options_.port <= 0 || options_.port > 65535) {
    fail("port " + std::to_string(options_.port) + " is out of range");
  }
  const fs::path socket = options_.dir / "run" / (".s.PGSQL." + std::to_string(options_.port));
  if (socket.string().size() > kMaxSocketPath) {
    fail("the unix socket path " + socket.string() + " is " +
         std::to_string(socket.string().size()) + " bytes, longer than the " +
         std::to_string(kMaxSocketPath) + " bytes the system allows; choose a shorter directory");
  }
  if (bindir_.empty())
    bindir_ = options_.bindir.empty() ? find_postgres_bindir() : fs::path(options_.bindir);
  if (!has_server_binaries(bindir_)) {
    fail(bindir_.string() + " does not contain the postgres and initdb programs");
  }

  resolve_credentials();
  prepare_directories();
  lock_directory();
  try {
    ensure_password_and_initdb();
    take_over_previous_postmaster(deadline);
  } catch (...) {
    unlock_directory();
    throw;
  }

  {
    std::lock_guard lk(mu_);
    stopping_ = false;
    supervising_ = false;
    startup_failed_ = false;
    startup_failure_.clear();
  }
  supervisor_ = std::thread(&LocalCluster::supervise, this);
  try {
    wait_until_ready(deadline);
    {
      std::lock_guard lk(mu_);
      supervising_ = true;
    }
    create_database();
  } catch (...) {
    stop_locked();
    throw;
  }
}

void LocalCluster::resolve_credentials() {
  creds_ = std::make_unique<Credentials>();
  if (::geteuid() != 0) {
    creds_->uid = ::geteuid();
    creds_->gid = ::getegid();
    return;
  }
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  int err = 0;
  while ((err = ::getpwnam_r(options_.run_as.c_str(), &pw, buf.data(), buf.size(), &found)) ==
         ERANGE) {
    buf.resize(buf.size() * 2);
  }
  if (found == nullptr) {
    fail("omnid runs as root, and PostgreSQL must run as an unprivileged user, but the user '" +
         options_.run_as + "' " +
         (err ? "could not be looked up: " + errno_text(err) : "does not exist") +
         "; create it (e.g. useradd --system " + options_.run_as + ") or choose another");
  }
  if (pw.pw_uid == 0)
    fail("the user '" + options_.run_as + "' is root; PostgreSQL refuses to run as root");
  creds_->drop = true;
  creds_->uid = pw.pw_uid;
  creds_->gid = pw.pw_gid;
  int n = 32;
  creds_->groups.resize(static_cast<std::size_t>(n));
  while (::getgrouplist(options_.run_as.c_str(), pw.pw_gid, creds_->groups.data(), &n) < 0) {
    creds_->groups.resize(static_cast<std::size_t>(n) + 1);
    n = static_cast<int>(creds_->groups.size());
  }
  creds_->groups.resize(static_cast<std::size_t>(n));
}

void LocalCluster::prepare_directories() {
  const fs::path& dir = options_.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir.string() + ": " + ec.message());

  const fs::path data = dir / "data";
  const fs::path run = dir / "run";
  if (creds_->drop) {
    auto traversable = [&](const struct stat& st) {
      if (st.st_uid == creds_->uid) return (st.st_mode & S_IXUSR) != 0;
      if (std::find(creds_->groups.begin(), creds_->groups.end(), st.st_gid) !=
              creds_->groups.end() ||
          st.st_gid == creds_->gid) {
        return (st.st_mode & S_IXGRP) != 0;
      }
      return (st.st_mode & S_IXOTH) != 0;
    };
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
      fail("cannot stat " + dir.string() + ": " + errno_text(errno));
    if (!traversable(st)) {
      if (st.st_uid != ::geteuid()) {
        fail("the user '" + options_.run_as + "' cannot enter " + dir.string() +
             "; make it traversable (chmod o+x) or choose another directory");
      }
      if (::chmod(dir.c_str(), 0711) != 0)
        fail("cannot chmod " + dir.string() + ": " + errno_text(errno));
    }
    for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
      if (::stat(p.c_str(), &st) != 0) fail("cannot stat " + p.string() + ": " + errno_text(errno));
      if (!traversable(st)) {
        fail("the user '" + options_.run_as + "' cannot enter " + p.string() +
             " (a parent of the cluster directory " + dir.string() +
             "); make it traversable (chmod o+x) or choose another directory");
      }
      if (p == p.parent_path()) break;
    }
  }

  for (const fs::path& sub : {data, run}) {
    if (::mkdir(sub.c_str(), 0700) != 0 && errno != EEXIST) {
      fail("cannot create " + sub.string() + ": " + errno_text(errno));
    }
  }
  if (creds_->drop) {
    struct stat st {};
    if (::stat(data.c_str(), &st) != 0)
      fail("cannot stat " + data.string() + ": " + errno_text(errno));
    if (st.st_uid != creds_->uid) {
      if (!fs::is_empty(data, ec)) {
        fail(data.string() + " belongs to uid " + std::to_string(st.st_uid) + ", not to '" +
             options_.run_as + "' who runs the cluster; chown -R it or choose another run_as user");
      }
      if (::chown(data.c_str(), creds_->uid, creds_->gid) != 0) {
        fail("cannot chown " + data.string() + ": " + errno_text(errno));
      }
    }
    if (::chown(run.c_str(), creds_->uid, creds_->gid) != 0) {
      fail("cannot chown " + run.string() + ": " + errno_text(errno));
    }
  }
  ::chmod(run.c_str(), 0700);
}

void LocalCluster::ensure_password_and_initdb() {
  const fs::path data = options_.dir / "data";
  const fs::path password_file = options_.dir / "password";
  std::error_code ec;
  if (fs::exists(data / "PG_VERSION", ec)) {
    auto line = read_first_line(password_file);
    if (!line || line->empty()) {
      fail(password_file.string() +
           " is missing or empty, so omnid cannot log in to the cluster in " + data.string() +
           "; restore the file, or move " + data.string() + " away to create a new cluster");
    }
    while (!line->empty() && std::isspace(static_cast<unsigned char>(line->back())))
      line->pop_back();
    ::chmod(password_file.c_str(), 0600);  // in case someone loosened it
    std::lock_guard lk(mu_);
    password_ = *line;
    return;
  }
  if (!fs::is_empty(data, ec)) {
    fail(data.string() + " is not empty but has no PG_VERSION (an interrupted initdb?); " +
         "empty it to create a new cluster");
  }

  const std::string password = random_password();
  write_private_file(password_file, password + "\n", 0600);
  {
    std::lock_guard lk(mu_);
    password_ = password;
  }
  // initdb reads the password from a file the cluster's user can read; removed afterwards.
  RemoveOnExit pwfile{options_.dir / "run" / "initdb.pw"};
  write_private_file(pwfile.path, password + "\n", 0600, std::make_pair(creds_->uid, creds_->gid));

  const fs::path log = options_.dir / "postgres.log";
  std::vector<std::string> args = {(bindir_ / "initdb").string(),
                                   "-D",
                                   data.string(),
                                   "-U",
                                   options_.superuser,
                                   "-A",
                                   "scram-sha-256",
                                   "-E",
                                   "UTF8",
                                   "--locale=C",
                                   "--pwfile=" + pwfile.path.string()};
  if (!options_.durable) args.emplace_back("--no-sync");
  const pid_t pid =
      spawn_child(args, log, options_.dir, creds_->groups, creds_->drop, creds_->uid, creds_->gid);
  const int status = wait_for_exit(pid);
  if (status != 0) {
    fail("initdb failed (" + describe_status(status) + "); the end of " + log.string() + ":\n" +
         log_tail(20));
  }
}

void LocalCluster::lock_directory() {
  if (dir_lock_fd_ >= 0) return;
  const fs::path& dir = options_.dir;
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + dir.string() + ": " + errno_text(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) fail("cannot lock " + dir.string() + ": " + errno_text(err));
    const pid_t holder = flock_holder(dir);
    fail("another omnid" + (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string()) +
         " is running the local cluster in " + dir.string() +
         "; two omnids cannot share one local cluster: stop that one first");
  }
  dir_lock_fd_ = fd;
}

void LocalCluster::unlock_directory() noexcept {
  if (dir_lock_fd_ >= 0) ::close(dir_lock_fd_);  // releases the flock()
  dir_lock_fd_ = -1;
}

void LocalCluster::take_over_previous_postmaster(std::chrono::steady_clock::time_point deadline) {
  const fs::path data = options_.dir / "data";
  const fs::path socket_lock =
      options_.dir / "run" / (".s.PGSQL." + std::to_string(options_.port) + ".lock");
  pid_t announced = 0;
  for (;;) {
    // We hold the directory's lock, so no other omnid supervises a postmaster found here:
    // it is a leftover of a killed omnid (normally shutting down already: it got SIGINT
    // when its parent died) or one started outside omnid (pg_ctl start/restart).
    const LockInfo data_lock = inspect_lock(data / "postmaster.pid", data, creds_->uid);
    const LockInfo sock_lock = inspect_lock(socket_lock, data, creds_->uid);
    for (const LockInfo* lock : {&data_lock, &sock_lock}) {
      if (lock->holder != Holder::foreign) continue;
      fail(lock->why + "; omnid does not stop a server it cannot verify as its own cluster's: " +
           "stop it (e.g. kill -INT " + std::to_string(lock->pid) + ") and start omnid again");
    }
    const LockInfo& held = data_lock.holder == Holder::ours ? data_lock : sock_lock;
    if (held.holder != Holder::ours) return;
    if (held.pid != announced) {
      announced = held.pid;
      if (held.state == "stopping") {
        log_json({{"level", "info"},
                  {"msg", "waiting for a previous postgres to finish shutting down"},
                  {"pid", held.pid},
                  {"data", data.string()}});
      } else {
        log_json({{"level", "warning"},
                  {"msg", "a postgres not started by this omnid (pid " + std::to_string(held.pid) +
                              ") is running on " + data.string() +
                              "; stopping it (fast shutdown) to run it under omnid's supervision"},
                  {"pid", held.pid},
                  {"data", data.string()}});
      }
    }
    std::string error;
    if (!stop_outside_postmaster(held.pid, nullptr, error)) fail(error);
    std::this_thread::sleep_for(20ms);
    if (std::chrono::steady_clock::now() >= deadline) {
      fail("postgres servers kept being started on " + data.string() +
           " outside omnid while it started (the last was pid " + std::to_string(held.pid) +
           "); stop whatever starts them");
    }
  }
}

pid_t LocalCluster::outside_postmaster() const {
  const fs::path data = options_.dir / "data";
  const LockInfo lock = inspect_lock(data / "postmaster.pid", data, creds_->uid);
  return lock.holder == Holder::ours ? lock.pid : 0;
}

bool LocalCluster::stop_outside_postmaster(pid_t pid, std::unique_lock<std::mutex>* lk,
                                           std::string& error) {
  const fs::path data = options_.dir / "data";
  // Sleeps with mu_ released (on the supervisor thread), so that stop() can ask meanwhile.
  auto nap = [&](std::chrono::milliseconds d) {
    if (lk != nullptr) lk->unlock();
    std::this_thread::sleep_for(d);
    if (lk != nullptr) lk->lock();
  };
  auto stop_asked = [&] { return lk != nullptr && stopping_; };

  // Still a postgres working in our data directory as the cluster's user.
  auto still_ours = [&] {
    const auto info = read_proc(pid);
    struct stat st {};
    return info && is_postgres(*info) && info->cwd_known && ::stat(data.c_str(), &st) == 0 &&
           same_file(info->cwd, st) && info->euid == static_cast<long>(creds_->uid);
  };
  ProcessHandle process(pid, still_ours);
  if (process.exited()) return true;
  // Verified again now that the handle exists: the pid may have been reused meanwhile.
  if (!still_ours()) return true;  // nothing of ours (any more) to stop
  const auto pg_ctl_until = std::chrono::steady_clock::now() + kPgCtlGrace;
  while (!process.exited() && !stop_asked() && std::chrono::steady_clock::now() < pg_ctl_until) {
    const auto info = read_proc(pid);
    const auto parent = info ? read_proc(info->ppid) : std::nullopt;
    if (!parent || parent->comm != "pg_ctl") break;
    nap(100ms);
  }

  auto wait_exit = [&](std::chrono::milliseconds within) {
    const auto until = std::chrono::steady_clock::now() + within;
    while (!process.exited()) {
      if (std::chrono::steady_clock::now() >= until) return false;
      nap(50ms);
    }
    return true;
  };
  process.signal(SIGINT);  // fast shutdown: abort transactions, checkpoint, exit
  if (wait_exit(kStopGrace)) return true;
  log_json({{"level", "warning"},
            {"msg", "postgres started outside omnid did not stop in time; sending SIGQUIT"},
            {"pid", pid}});
  process.signal(SIGQUIT);  // immediate shutdown (crash recovery at our start)
  if (wait_exit(10s)) return true;
  error = "postgres (pid " + std::to_string(pid) + "), started outside omnid on " + data.string() +
          ", did not stop after SIGINT and SIGQUIT; stop it (kill -KILL " + std::to_string(pid) +
          ") and omnid starts its own";
  return false;
}

pid_t LocalCluster::spawn_postgres() {
  const fs::path data = options_.dir / "data";
  const fs::path socket_lock =
      options_.dir / "run" / (".s.PGSQL." + std::to_string(options_.port) + ".lock");
  // After a crash restart the old postmaster's lock names a dead pid, which postgres
  // handles; this covers a pid reused meanwhile.
  inspect_lock(data / "postmaster.pid", data, creds_->uid);
  inspect_lock(socket_lock, data, creds_->uid);
  std::vector<std::string> args = {(bindir_ / "postgres").string(),
                                   "-D",
                                   data.string(),
                                   "-k",
                                   (options_.dir / "run").string(),
                                   "-p",
                                   std::to_string(options_.port),
                                   "-c",
                                   "listen_addresses=",  // no TCP at all
                                   "-c",
                                   "unix_socket_permissions=0700",
                                   "-c",
                                   "logging_collector=off",  // stderr: postgres.log
                                   "-c",
                                   "log_destination=stderr"};
  if (!options_.durable) {
    for (const char* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      args.emplace_back("-c");
      args.emplace_back(setting);
    }
  }
  return spawn_child(args, options_.dir / "postgres.log", options_.dir, creds_->groups,
                     creds_->drop, creds_->uid, creds_->gid);
}

void LocalCluster::supervise() {
  std::unique_lock lk(mu_);
  const std::string data = (options_.dir / "data").string();
  auto backoff = std::chrono::seconds(1);
  pid_t reported = 0;       // the outside postmaster last logged
  bool taken_back = false;  // the next postgres replaces one started outside omnid
  while (!stopping_) {
    pid_t pid = 0;
    try {
      pid = spawn_postgres();  // forked from this thread: PDEATHSIG follows this thread
    } catch (const std::exception& e) {
      if (!supervising_) {
        startup_failed_ = true;
        startup_failure_ = e.what();
        cv_.notify_all();
        return;
      }
      log_json({{"level", "error"}, {"msg", "cannot restart postgres"}, {"error", e.what()}});
    }
    const auto started = std::chrono::steady_clock::now();
    std::chrono::milliseconds wait = backoff;
    if (pid > 0) {
      pid_ = pid;
      cv_.notify_all();
      if (taken_back) {
        log_json({{"level", "info"},
                  {"msg", "postgres runs under omnid's supervision again"},
                  {"pid", pid},
                  {"data", data}});
        taken_back = false;
      }
      lk.unlock();
      // Wait without reaping, so that pid_ stays valid for kill() (under mu_) until the
      // exit is recorded below: a signal never reaches a recycled pid.
      siginfo_t info{};
      while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 &&
             errno == EINTR) {
      }
      lk.lock();
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) != pid) status = -1;
      pid_ = 0;
      cv_.notify_all();
      if (stopping_) return;
      if (!supervising_) {
        startup_failed_ = true;
        startup_failure_ = "postgres exited during start-up (" + describe_status(status) + ")";
        return;
      }
      if (std::chrono::steady_clock::now() - started > kHealthyRun)
        backoff = std::chrono::seconds(1);

      // `pg_ctl restart` stops our postgres and starts its own, which would then belong to
      // nobody: look for one for a moment. It is not adopted but stopped, and our own child
      // started again, so that what omnid guarantees about its postgres keeps holding (its
      // options: unix socket only; its death with omnid; its supervision).
      const bool clean = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      const auto looked_since = std::chrono::steady_clock::now();
      const auto look_until = looked_since + (clean ? kLookAfterCleanExit : kLookAfterCrash);
      pid_t outside = outside_postmaster();
      while (outside == 0 && !stopping_ && std::chrono::steady_clock::now() < look_until) {
        cv_.wait_for(lk, 50ms, [&] { return stopping_; });
        outside = outside_postmaster();
      }
      if (outside > 0) {
        if (outside != reported) {
          log_json({{"level", "warning"},
                    {"msg", "postgres was restarted outside omnid (pid " + std::to_string(outside) +
                                "); taking it back under supervision"},
                    {"pid", outside},
                    {"data", data}});
        }
        std::string error;
        if (stop_outside_postmaster(outside, &lk, error)) {
          taken_back = true;
        } else if (outside != reported) {
          log_json({{"level", "error"},
                    {"msg", "cannot take postgres back under supervision"},
                    {"pid", outside},
                    {"error", error}});
        }
        reported = outside;
        continue;  // start our own at once (unless stop() was asked meanwhile)
      }
      if (stopping_) return;
      // The look counts towards the backoff.
      const auto looked = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - looked_since);
      wait = std::max(std::chrono::milliseconds(0), wait - looked);
      log_json(
          {{"level", clean ? "warning" : "error"},
           {"msg", clean ? "postgres was stopped outside omnid; restarting it" : "postgres exited"},
           {"status", describe_status(status)},
           {"data", data},
           {"restart_in_s", (wait.count() + 999) / 1000}});
    }
    cv_.wait_for(lk, wait, [&] { return stopping_; });
    backoff = std::min<std::chrono::seconds>(backoff * 2, kMaxBackoff);
  }
}

void LocalCluster::wait_until_ready(std::chrono::steady_clock::time_point deadline) {
  // No password: a server that asks for one is up (PQping counts that as PQPING_OK).
  const std::string ping = "host=" + conninfo_quote((options_.dir / "run").string()) +
                           " port=" + std::to_string(options_.port) +
                           " dbname=postgres user=" + conninfo_quote(options_.superuser) +
                           " connect_timeout=2";
  for (;;) {
    {
      std::lock_guard lk(mu_);
      if (startup_failed_) {
        fail(startup_failure_ + "; the end of " + (options_.dir / "postgres.log").string() + ":\n" +
             log_tail(20));
      }
    }
    if (PQping(ping.c_str()) == PQPING_OK) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      fail("postgres did not accept connections within " +
           std::to_string(options_.start_timeout.count()) + " s; the end of " +
           (options_.dir / "postgres.log").string() + ":\n" + log_tail(20));
    }
    std::this_thread::sleep_for(50ms);
  }
}

void LocalCluster::create_database() {
  pqxx::connection conn(conninfo("postgres"));
  pqxx::nontransaction tx(conn);
  if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", options_.database).empty()) {
    tx.exec0("CREATE DATABASE " + tx.quote_name(options_.database));
  }
}

void LocalCluster::stop() noexcept {
  std::lock_guard life(lifecycle_mu_);
  stop_locked();
}

void LocalCluster::stop_locked() noexcept {
  std::unique_lock lk(mu_);
  if (!supervisor_.joinable()) {
    unlock_directory();
    return;
  }
  stopping_ = true;
  cv_.notify_all();
  auto exited = [&] { return pid_ == 0; };
  if (pid_ > 0) ::kill(pid_, SIGINT);  // fast shutdown: abort transactions, checkpoint, exit
  if (!cv_.wait_for(lk, kStopGrace, exited)) {
    log_json({{"level", "warning"}, {"msg", "postgres did not stop in time; sending SIGQUIT"}});
    ::kill(pid_, SIGQUIT);  // immediate shutdown (crash recovery at next start)
    if (!cv_.wait_for(lk, 10s, exited)) {
      ::kill(pid_, SIGKILL);
      cv_.wait(lk, exited);
    }
  }
  lk.unlock();
  supervisor_.join();  // it stops a postmaster started outside omnid that it was taking back
  unlock_directory();
}

std::string LocalCluster::log_tail(std::size_t lines) const {
  std::ifstream in(options_.dir / "postgres.log", std::ios::binary);
  if (!in) return "(no log)";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 16384);
  in.seekg(from);
  std::deque<std::string> tail;
  std::string line;
  if (from > 0) std::getline(in, line);  // a partial line
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

}  // namespace og::store
