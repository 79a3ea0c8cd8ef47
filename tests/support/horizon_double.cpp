#include "tests/support/horizon_double.h"

namespace og::test {

HorizonDouble::HorizonDouble(int close_ms)
    : node_("horizon/server.js", {"--close-ms", std::to_string(close_ms), "--passphrase", kPassphrase}) {}

Json HorizonDouble::account(const std::string& id) {
  const Json st = state();  // kept: a range over a temporary's member would dangle
  for (const auto& a : st["accounts"])
    if (a["id"] == id) return a;
  return Json();
}

std::string HorizonDouble::balance(const std::string& id) {
  Json a = account(id);
  return a.is_null() ? "" : a["balance"].get<std::string>();
}

Json HorizonDouble::submitted_by(const std::string& account) {
  Json out = Json::array();
  const Json st = state();
  for (const auto& t : st["transactions"])
    if (t["source_account"] == account && t["via"] == "submit") out.push_back(t);
  return out;
}

}  // namespace og::test
