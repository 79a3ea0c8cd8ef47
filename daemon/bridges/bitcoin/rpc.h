#pragma once
// Bitcoin Core's JSON-RPC interface (https://github.com/bitcoin/bitcoin/blob/master/doc/JSON-RPC-interface.md):
// POST {"jsonrpc": "1.0", "id": N, "method": m, "params": [...]} to the node's URL, or to
// URL/wallet/NAME for a wallet's methods, with HTTP Basic authentication (rpcuser and
// rpcpassword, or the node's cookie file, rewritten at each start of bitcoind).
// Answers are {"result": ..., "error": null, "id": N} with HTTP 200, or {"result": null,
// "error": {"code": -5, "message": ...}} with HTTP 500 (404 for an unknown method);
// 401 without a body for wrong credentials. Amounts are JSON numbers (0.10000000): answers
// are read with og::parse_exact, so they never pass through a double.
// Thread-safe: one connection, used by one call at a time.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/json.h"

namespace og::net {
class Client;
}

namespace og::bridges::bitcoin {

struct RpcResult {
  enum class Kind {
    Ok,           // `result` holds the answer
    Error,        // the node answered and refused: `code` is bitcoind's (-5 invalid address, ...)
    Unreachable,  // no usable answer (connection, timeout, HTTP 401/5xx without JSON, warming up)
  } kind = Kind::Unreachable;
  Json result;
  int code = 0;
  std::string message;  // bitcoind's message, or what went wrong on the way (never credentials)
  bool ok() const { return kind == Kind::Ok; }
};

// The credentials of one call: "user:password" (a cookie file holds exactly that), or
// nullopt when none are available (then the call is not made).
using Credentials = std::function<std::optional<std::string>()>;

class Rpc {
 public:
  Rpc(std::string url, std::string wallet, std::chrono::seconds timeout, Credentials credentials);
  ~Rpc();
  // A node method (getblockchaininfo, validateaddress, estimatesmartfee).
  RpcResult node(const std::string& method, Json params = Json::array());
  // A wallet method (getnewaddress, listsinceblock, sendtoaddress, ...), sent to /wallet/NAME
  // when a wallet name is configured.
  RpcResult wallet(const std::string& method, Json params = Json::array());
  // A wallet method that moves money (sendtoaddress): sent at most once, on a connection of
  // its own (never repeated by the HTTP client after a lost answer).
  RpcResult wallet_once(const std::string& method, Json params);
  // True after the node refused the credentials (401): the caller reloads them.
  bool refused_credentials() const { return refused_; }

 private:
  RpcResult call(const std::string& url, const std::string& method, Json params, bool once = false);
  std::string url_, wallet_url_;
  std::chrono::seconds timeout_;
  Credentials credentials_;
  std::mutex mu_;
  std::unique_ptr<net::Client> client_;
  long long id_ = 0;
  bool refused_ = false;
};

// The URL-encoding of a wallet name in /wallet/NAME (RFC 3986 unreserved characters kept).
std::string wallet_path(const std::string& name);

}  // namespace og::bridges::bitcoin
