#pragma once
// HTTP(S) client over libcurl, for omnictl and the tests. One Client keeps its connection
// alive between calls (TLS session and TCP reused). Not thread-safe: one per thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace og::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string cacert;     // PEM file to trust (empty: the system's trust store)
  long timeout_ms = 5000; // whole request
  long connect_timeout_ms = 5000;
  // A request that must never be sent twice (a send of money that is not idempotent): on a
  // connection of its own, closed afterwards. libcurl repeats a request on a new connection
  // when a reused one dies before any answer, and the server may have acted on the first.
  bool once = false;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string header(std::string_view name) const;
};

enum class Failure { None, Connect, Tls, Timeout, Other };

struct HttpResult {
  Failure failure = Failure::None;
  std::string error;  // curl's message when failure != None
  HttpResponse response;
  bool ok() const { return failure == Failure::None; }
};

class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  HttpResult perform(const HttpRequest& req);

 private:
  void* curl_;  // CURL*
};

// One-shot convenience.
HttpResult perform(const HttpRequest& req);

}  // namespace og::net
