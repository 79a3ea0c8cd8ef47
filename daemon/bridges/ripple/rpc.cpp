#include "daemon/bridges/ripple/rpc.h"

#include "common/http_client.h"

namespace og::bridges::ripple {

Rpc::Rpc(std::string url, std::chrono::seconds timeout)
    : url_(std::move(url)), timeout_(timeout), client_(std::make_unique<net::Client>()) {}

Rpc::~Rpc() = default;

RpcResult Rpc::call(const std::string& method, Json params) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = url_;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = Json{{"method", method}, {"params", Json::array({std::move(params)})}}.dump();
  req.timeout_ms = static_cast<long>(std::chrono::milliseconds(timeout_).count());
  req.connect_timeout_ms = std::min<long>(req.timeout_ms, 5000);
  net::HttpResult http;
  {
    std::lock_guard lock(mu_);
    http = client_->perform(req);
  }
  RpcResult out;
  if (!http.ok()) {
    out.error = method + ": " + (http.error.empty() ? std::string("no answer") : http.error);
    return out;
  }
  if (http.response.status != 200) {
    out.error = method + ": HTTP " + std::to_string(http.response.status);
    return out;
  }
  Json body = Json::parse(http.response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("result") || !body["result"].is_object()) {
    out.error = method + ": the answer is not a JSON-RPC result";
    return out;
  }
  out.result = std::move(body["result"]);
  const std::string status = out.result.value("status", "");
  if (status == "success") {
    out.kind = RpcResult::Kind::Ok;
    return out;
  }
  if (out.result.contains("error") && out.result["error"].is_string()) {
    out.kind = RpcResult::Kind::Error;
    out.error = out.result["error"].get<std::string>();
    if (out.result.contains("error_message") && out.result["error_message"].is_string())
      out.message = out.result["error_message"].get<std::string>();
    // rippled's own temporary conditions are not refusals of the request.
    if (out.error == "noNetwork" || out.error == "noCurrent" || out.error == "noClosed" || out.error == "tooBusy" ||
        out.error == "slowDown" || out.error == "amendmentBlocked")
      out.kind = RpcResult::Kind::Unreachable;
    return out;
  }
  out.error = method + ": the answer has neither a status nor an error";
  return out;
}

}  // namespace og::bridges::ripple
