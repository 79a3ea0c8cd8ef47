#include "tests/support/omnid_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/tls_cert.h"
#include "daemon/modules/omnipass/bootstrap.h"

extern char** environ;

namespace og::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
  ::chmod(path_.c_str(), 0711);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto name = kv.substr(0, kv.find('='));
    if (!extra.count(name)) env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

// fork + exec rather than posix_spawn: the child asks the kernel for SIGTERM when the
// test process dies, so a crashed test never leaves an omnid (and its PostgreSQL) behind.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env_extra,
            const std::string& stdin_file, const std::string& out_file, const std::string& err_file) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto env = environment_with(env_extra);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int in = ::open(stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
  int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (in < 0 || out < 0 || err < 0) throw std::runtime_error("cannot open the files for " + argv[0]);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(in);
  ::close(out);
  ::close(err);
  if (pid < 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text,
                          const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  TempDir tmp("ogproc");
  auto in = tmp.path() / "in", out = tmp.path() / "out", err = tmp.path() / "err";
  std::ofstream(in) << stdin_text;
  pid_t pid = spawn(argv, env, in, out, err);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  return {decode_status(status), read_file(out), read_file(err)};
}

Omnid::Omnid(OmnidOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/ogd-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0711);
  std::ofstream(dir_ / "stdin");

  std::vector<std::string> argv{OMNID_PATH};
  if (options_.dev) {
    argv.insert(argv.end(), {"--dev", "--port", "0"});
    if (options_.dev_data_dir) argv.insert(argv.end(), {"--data-dir", (dir_ / "data").string()});
  } else {
    fs::create_directories(dir_ / "tls");
    tls::write_pem_pair(tls::make_self_signed({}), dir_ / "tls" / "cert.pem", dir_ / "tls" / "key.pem");
    cacert_ = (dir_ / "tls" / "cert.pem").string();
    std::map<std::string, std::map<std::string, std::string>> tables;
    tables["server"]["listen"] = toml_string("127.0.0.1:0");
    tables["tls"]["cert_file"] = toml_string((dir_ / "tls" / "cert.pem").string());
    tables["tls"]["key_file"] = toml_string((dir_ / "tls" / "key.pem").string());
    if (options_.database_url.empty()) {
      tables["database"]["mode"] = toml_string("local");
      tables["database.local"]["dir"] = toml_string((dir_ / "postgres").string());
    } else {
      tables["database"]["mode"] = toml_string("remote");
      tables["database"]["url"] = toml_string(options_.database_url);
    }
    for (const auto& [key, value] : options_.config) {
      auto dot = key.rfind('.');
      tables[key.substr(0, dot)][key.substr(dot + 1)] = value;
    }
    std::ofstream cfg(dir_ / "omnid.toml");
    for (const auto& [table, kv] : tables) {
      cfg << "[" << table << "]\n";
      for (const auto& [k, v] : kv) cfg << k << " = " << v << "\n";
      cfg << "\n";
    }
    cfg << options_.extra_toml;
    cfg.close();
    argv.insert(argv.end(), {"--config", (dir_ / "omnid.toml").string()});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  pid_ = spawn(argv, options_.env, (dir_ / "stdin").string(), (dir_ / "omnid.out").string(),
               (dir_ / "omnid.log").string());
  if (options_.wait_ready) wait_ready();
}

Omnid::~Omnid() {
  try {
    if (!exited_) stop(SIGTERM, 60s);
  } catch (...) {
  }
  std::error_code ec;
  if (std::getenv("OMNIGATE_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_, ec);
}

bool Omnid::running() {
  if (exited_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    status_ = decode_status(status);
    return false;
  }
  return true;
}

bool Omnid::wait_for_log(const std::string& needle, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find(needle) != std::string::npos) return true;
    if (!running()) return log().find(needle) != std::string::npos;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void Omnid::wait_ready() {
  if (!wait_for_log("\"msg\":\"omnid ready\"", 120s))
    throw std::runtime_error("omnid did not become ready; its log:\n" + log());
  for (const auto& line : log_lines()) {
    if (line.value("msg", "") != "omnid ready") continue;
    url_ = "https://" + line["listening"]["https"].get<std::string>();
  }
  if (options_.dev) {
    // omnictl.env is written right after the ready line, then the banner.
    for (int i = 0; i < 400 && out().find("Ctrl-C") == std::string::npos; ++i) std::this_thread::sleep_for(25ms);
    cacert_ = (data_dir() / "tls" / "cert.pem").string();
    std::istringstream env(read_file(data_dir() / "omnictl.env"));
    std::string line;
    while (std::getline(env, line))
      if (line.rfind("OMNICTL_APIKEY=", 0) == 0) apikey_ = line.substr(15);
  }
}

int Omnid::stop(int signal, std::chrono::seconds timeout) {
  if (exited_) return status_;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  exited_ = true;
  status_ = decode_status(status);
  return status_;
}

std::string Omnid::log() const { return read_file(dir_ / "omnid.log"); }
std::string Omnid::out() const { return read_file(dir_ / "omnid.out"); }

std::vector<Json> Omnid::log_lines() const {
  std::vector<Json> out;
  std::istringstream in(log());
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

fs::path Omnid::data_dir() const {
  if (options_.dev_data_dir) return dir_ / "data";
  std::istringstream banner(out());
  std::string line;
  while (std::getline(banner, line)) {
    auto pos = line.find("Data:");
    if (pos == std::string::npos) continue;
    std::string rest = line.substr(pos + 5);
    rest.erase(0, rest.find_first_not_of(' '));
    return rest.substr(0, rest.find(' '));
  }
  return {};
}

bool Omnid::wait_for_outbox(std::chrono::seconds timeout) {
  pqxx::connection conn(db_conninfo());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    pqxx::nontransaction tx(conn);
    if (tx.exec1("SELECT count(*) FROM outbox WHERE status = 'pending'")[0].as<long>() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

std::string Omnid::db_conninfo() const {
  if (!options_.database_url.empty()) return options_.database_url;
  fs::path cluster = options_.dev ? data_dir() / "postgres" : dir_ / "postgres";
  std::string password = read_file(cluster / "password");
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  return "host=" + (cluster / "run").string() + " port=5432 dbname=omnigate user=omnigate password=" + password;
}

std::string Omnid::create_api_key(const std::vector<std::string>& roles) {
  pqxx::connection conn(db_conninfo());
  pqxx::work tx(conn);
  std::string upid = omnipass::create_profile(tx, "individual", Json{{"firstname", "Test"}, {"lastname", "User"}}, false);
  auto key = omnipass::create_api_key(tx, upid, "test key", roles);
  tx.commit();
  return key.apikey;
}

Omnid::Credential Omnid::create_profile_with_key(const std::vector<std::string>& roles, const std::string& parent_upid) {
  pqxx::connection conn(db_conninfo());
  pqxx::work tx(conn);
  std::string upid = omnipass::create_profile(tx, "individual", Json{{"firstname", "Test"}, {"lastname", "User"}}, false);
  if (!parent_upid.empty()) tx.exec_params("UPDATE profiles SET parent_upid = $2 WHERE upid = $1", upid, parent_upid);
  auto key = omnipass::create_api_key(tx, upid, "test key", roles);
  tx.commit();
  return {upid, key.apikey};
}

std::string Omnid::create_api_key_for(const std::string& upid, const std::vector<std::string>& roles) {
  pqxx::connection conn(db_conninfo());
  pqxx::work tx(conn);
  auto key = omnipass::create_api_key(tx, upid, "test key", roles);
  tx.commit();
  return key.apikey;
}

Answer Omnid::call(const std::string& method, const std::string& path, const std::string& body,
                   std::optional<std::string> apikey, std::vector<std::pair<std::string, std::string>> headers) {
  net::HttpRequest req;
  req.method = method;
  req.url = url_ + path;
  req.cacert = cacert_;
  req.timeout_ms = 30000;
  req.body = body;
  std::string key = apikey.value_or(apikey_);
  if (!key.empty()) req.headers.emplace_back("X-APIKey", key);
  bool has_ctype = false;
  for (auto& h : headers) {
    if (h.first == "Content-Type") has_ctype = true;
    req.headers.push_back(h);
  }
  if (!body.empty() && !has_ctype) req.headers.emplace_back("Content-Type", "application/json");
  auto r = client_.perform(req);
  Answer a;
  a.failure = r.failure;
  a.error = r.error;
  a.raw = r.response;
  a.status = r.response.status;
  a.body = r.response.body;
  a.json = Json::parse(a.body, nullptr, false);
  return a;
}

Answer Omnid::call_json(const std::string& method, const std::string& path, const Json& body, std::optional<std::string> apikey) {
  return call(method, path, body.dump(), std::move(apikey));
}

}  // namespace og::test
