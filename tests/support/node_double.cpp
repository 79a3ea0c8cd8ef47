#include "tests/support/node_double.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/omnid_process.h"

namespace og::test {

namespace fs = std::filesystem;

namespace {

fs::path doubles_dir() { return fs::path(OMNIGATE_SOURCE_DIR) / "tests" / "doubles"; }

}  // namespace

bool NodeDouble::available(const std::string& script, const std::string& package) {
  return fs::exists(doubles_dir() / "node_modules" / package) && fs::exists(doubles_dir() / script) &&
         ::system("node --version >/dev/null 2>&1") == 0;
}

fs::path NodeDouble::make_dir() {
  char tmpl[] = "/tmp/ogd-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

NodeDouble::NodeDouble(const std::string& script, const std::vector<std::string>& args) {
  dir_ = make_dir();
  const fs::path port_file = dir_ / "port";
  const std::string server = (doubles_dir() / script).string();
  const std::string log = (dir_ / "double.log").string();
  std::vector<std::string> argv{"node", server, "--port", "0", "--port-file", port_file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    ::execvp("node", c.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string port;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(port_file)) {
      port = read_file(port_file);
      while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) port.pop_back();
      if (!port.empty()) break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(script + " exited: " + read_file(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port.empty()) throw std::runtime_error(script + " did not start: " + read_file(log));
  url_ = "http://127.0.0.1:" + port + "/";
}

NodeDouble::~NodeDouble() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (std::getenv("OMNIGATE_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_, ec);
}

std::string NodeDouble::log() const { return read_file(dir_ / "double.log"); }

net::HttpResult NodeDouble::post(const std::string& path, const std::string& body,
                                 std::vector<std::pair<std::string, std::string>> headers) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = url_ + path;
  headers.emplace_back("Content-Type", "application/json");
  req.headers = std::move(headers);
  req.body = body;
  req.timeout_ms = 30000;
  return client_.perform(req);
}

Json NodeDouble::control(const std::string& action, Json args) {
  args["action"] = action;
  auto r = post("control", args.dump());
  if (!r.ok()) throw std::runtime_error("control " + action + ": " + r.error);
  Json j = Json::parse(r.response.body, nullptr, false);
  if (!j.is_object() || !j.value("ok", false))
    throw std::runtime_error("control " + action + " failed: " + r.response.body);
  return j;
}

}  // namespace og::test
