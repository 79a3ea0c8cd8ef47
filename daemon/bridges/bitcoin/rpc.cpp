#include "daemon/bridges/bitcoin/rpc.h"

#include <cctype>

#include "common/crypto.h"
#include "common/http_client.h"
#include "common/json_exact.h"

namespace og::bridges::bitcoin {

std::string wallet_path(const std::string& name) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Rpc::Rpc(std::string url, std::string wallet, std::chrono::seconds timeout, Credentials credentials)
    : url_(std::move(url)), timeout_(timeout), credentials_(std::move(credentials)), client_(std::make_unique<net::Client>()) {
  if (url_.empty() || url_.back() != '/') url_ += '/';
  wallet_url_ = wallet.empty() ? url_ : url_ + "wallet/" + wallet_path(wallet);
}

Rpc::~Rpc() = default;

RpcResult Rpc::node(const std::string& method, Json params) { return call(url_, method, std::move(params)); }
RpcResult Rpc::wallet(const std::string& method, Json params) { return call(wallet_url_, method, std::move(params)); }

RpcResult Rpc::wallet_once(const std::string& method, Json params) {
  return call(wallet_url_, method, std::move(params), /*once=*/true);
}

RpcResult Rpc::call(const std::string& url, const std::string& method, Json params, bool once) {
  RpcResult out;
  auto creds = credentials_ ? credentials_() : std::nullopt;
  if (!creds) {
    out.message = method + ": no RPC credentials (a cookie_file in omnid.toml, or the bridge's account rpcuser and rpcpassword)";
    return out;
  }
  net::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.once = once;
  std::lock_guard lock(mu_);
  req.headers = {{"Content-Type", "application/json"}, {"Authorization", "Basic " + crypto::base64_encode(*creds)}};
  req.body = Json{{"jsonrpc", "1.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}}.dump();
  req.timeout_ms = static_cast<long>(std::chrono::milliseconds(timeout_).count());
  req.connect_timeout_ms = std::min<long>(req.timeout_ms, 5000);
  net::HttpResult http = client_->perform(req);
  if (!http.ok()) {
    out.message = method + ": " + (http.error.empty() ? std::string("no answer") : http.error);
    return out;
  }
  refused_ = http.response.status == 401 || http.response.status == 403;
  if (refused_) {
    out.message = method + ": bitcoind refused the RPC credentials (HTTP " + std::to_string(http.response.status) + ")";
    return out;
  }
  auto body = parse_exact(http.response.body);
  if (!body || !body->is_object() || !body->contains("result") || !body->contains("error")) {
    out.message = method + ": HTTP " + std::to_string(http.response.status) + ", not a JSON-RPC answer";
    return out;
  }
  const Json& error = (*body)["error"];
  if (error.is_null()) {
    if (http.response.status != 200) {
      out.message = method + ": HTTP " + std::to_string(http.response.status);
      return out;
    }
    out.kind = RpcResult::Kind::Ok;
    out.result = std::move((*body)["result"]);
    return out;
  }
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer()) {
    out.message = method + ": an error without a code";
    return out;
  }
  out.code = error["code"].get<int>();
  out.message = error.contains("message") && error["message"].is_string() ? error["message"].get<std::string>() : "";
  // The node's own temporary conditions are not refusals of the request:
  // RPC_IN_WARMUP (-28), RPC_CLIENT_NOT_CONNECTED (-9), RPC_CLIENT_IN_INITIAL_DOWNLOAD (-10).
  out.kind = out.code == -28 || out.code == -9 || out.code == -10 ? RpcResult::Kind::Unreachable : RpcResult::Kind::Error;
  if (out.kind == RpcResult::Kind::Unreachable) out.message = method + ": " + out.message;
  return out;
}

}  // namespace og::bridges::bitcoin
