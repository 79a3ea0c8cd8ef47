#pragma once
// A stand-in of tests/doubles/ (a Node.js server.js) started for a test on a port of its own,
// in a directory of its own (its log, its port file, anything it writes); stopped with the
// object. What every double shares: starting, the control API (POST /control), the log.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/json.h"

namespace og::test {

class NodeDouble {
 public:
  // script: relative to tests/doubles ("rippled/server.js"); args after --port 0 --port-file F.
  NodeDouble(const std::string& script, const std::vector<std::string>& args);
  ~NodeDouble();
  NodeDouble(const NodeDouble&) = delete;
  NodeDouble& operator=(const NodeDouble&) = delete;

  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT/"
  const std::filesystem::path& dir() const { return dir_; }
  // POST /control {"action": action, ...args}; throws unless it answers ok.
  Json control(const std::string& action, Json args = Json::object());
  // One POST of `body` to `path` (relative to url()) with these headers: the answer.
  net::HttpResult post(const std::string& path, const std::string& body,
                       std::vector<std::pair<std::string, std::string>> headers = {});
  std::string log() const;

  // Whether node, tests/doubles/<script> and tests/doubles/node_modules/<package> are there.
  static bool available(const std::string& script, const std::string& package);
  // A directory of the test's own for files the double is told about before it starts.
  static std::filesystem::path make_dir();

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string url_;
  net::Client client_;
};

}  // namespace og::test
