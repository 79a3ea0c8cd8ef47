#include "tests/support/rippled_double.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/omnid_process.h"

namespace og::test {

namespace fs = std::filesystem;

namespace {

fs::path doubles_dir() { return fs::path(OMNIGATE_SOURCE_DIR) / "tests" / "doubles"; }

}  // namespace

bool RippledDouble::available() {
  return fs::exists(doubles_dir() / "node_modules" / "ripple-binary-codec") &&
         fs::exists(doubles_dir() / "rippled" / "server.js") && ::system("node --version >/dev/null 2>&1") == 0;
}

RippledDouble::RippledDouble(int close_ms) {
  char tmpl[] = "/tmp/ogr-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  const fs::path port_file = dir_ / "port";
  const std::string server = (doubles_dir() / "rippled" / "server.js").string();
  const std::string log = (dir_ / "rippled.log").string();
  const std::string close_arg = std::to_string(close_ms);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execlp("node", "node", server.c_str(), "--port", "0", "--port-file", port_file.c_str(), "--close-ms",
             close_arg.c_str(), static_cast<char*>(nullptr));
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
      throw std::runtime_error("the rippled double exited: " + read_file(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port.empty()) throw std::runtime_error("the rippled double did not start: " + read_file(log));
  url_ = "http://127.0.0.1:" + port + "/";
}

RippledDouble::~RippledDouble() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (std::getenv("OMNIGATE_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_, ec);
}

std::string RippledDouble::log() const { return read_file(dir_ / "rippled.log"); }

Json RippledDouble::control(const std::string& action, Json args) {
  args["action"] = action;
  net::HttpRequest req;
  req.method = "POST";
  req.url = url_ + "control";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = args.dump();
  req.timeout_ms = 30000;
  auto r = client_.perform(req);
  if (!r.ok()) throw std::runtime_error("control " + action + ": " + r.error);
  Json j = Json::parse(r.response.body, nullptr, false);
  if (!j.is_object() || !j.value("ok", false))
    throw std::runtime_error("control " + action + " failed: " + r.response.body);
  return j;
}

Json RippledDouble::rpc(const std::string& method, Json params) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = url_;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = Json{{"method", method}, {"params", Json::array({params})}}.dump();
  req.timeout_ms = 30000;
  auto r = client_.perform(req);
  if (!r.ok()) throw std::runtime_error("rpc " + method + ": " + r.error);
  Json j = Json::parse(r.response.body, nullptr, false);
  if (!j.is_object() || !j.contains("result")) throw std::runtime_error("rpc " + method + ": " + r.response.body);
  return j["result"];
}

Json RippledDouble::wallet() { return control("wallet"); }

long long RippledDouble::close() { return control("close").value("ledger_index", 0LL); }

std::string RippledDouble::balance(const std::string& address) {
  Json r = rpc("account_info", Json{{"account", address}, {"ledger_index", "validated"}});
  if (r.value("status", "") != "success") return "";
  return r["account_data"].value("Balance", "");
}

}  // namespace og::test
