#pragma once
// rippled's JSON-RPC API (https://xrpl.org/docs/references/http-websocket-apis/api-conventions/request-formatting):
// POST {"method": m, "params": [{...}]}, answered {"result": {..., "status": "success"}} or,
// for a refused request, {"result": {"error": "actNotFound", "error_message": ..., "status": "error"}}
// with HTTP 200. Thread-safe: one connection, used by one call at a time.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/json.h"

namespace og::net {
class Client;
}

namespace og::bridges::ripple {

struct RpcResult {
  enum class Kind {
    Ok,           // result.status == "success"
    Error,        // the server answered, and refused: `error` is rippled's code ("txnNotFound")
    Unreachable,  // no answer (connection refused, timeout, not JSON, HTTP error): try again later
  } kind = Kind::Unreachable;
  Json result = Json::object();
  std::string error;    // rippled's error code, or what went wrong on the way (no secrets)
  std::string message;  // rippled's error_message, when it gave one
  bool ok() const { return kind == Kind::Ok; }
};

class Rpc {
 public:
  Rpc(std::string url, std::chrono::seconds timeout);
  ~Rpc();
  RpcResult call(const std::string& method, Json params = Json::object());
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::chrono::seconds timeout_;
  std::mutex mu_;
  std::unique_ptr<net::Client> client_;
};

}  // namespace og::bridges::ripple
