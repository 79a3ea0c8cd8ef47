#include "tests/support/rippled_double.h"

#include <stdexcept>

namespace og::test {

bool RippledDouble::available() { return NodeDouble::available("rippled/server.js", "ripple-binary-codec"); }

RippledDouble::RippledDouble(int close_ms) : node_("rippled/server.js", {"--close-ms", std::to_string(close_ms)}) {}

RippledDouble::~RippledDouble() = default;

Json RippledDouble::rpc(const std::string& method, Json params) {
  auto r = node_.post("", Json{{"method", method}, {"params", Json::array({params})}}.dump());
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
