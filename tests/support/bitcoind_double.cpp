#include "tests/support/bitcoind_double.h"

#include <stdexcept>

#include "common/crypto.h"
#include "common/json_exact.h"
#include "tests/support/omnid_process.h"

namespace og::test {

BitcoindDouble::BitcoindDouble() : BitcoindDouble(Options{}) {}

BitcoindDouble::BitcoindDouble(Options o) : o_(std::move(o)), cookie_dir_(NodeDouble::make_dir()) {
  std::vector<std::string> args{"--wallet", o_.wallet};
  if (o_.cookie) {
    args.insert(args.end(), {"--cookie-file", cookie_file()});
  } else {
    args.insert(args.end(), {"--rpcuser", o_.user, "--rpcpassword", o_.password});
  }
  node_ = std::make_unique<NodeDouble>("bitcoind/server.js", args);
}

Json BitcoindDouble::rpc(const std::string& method, Json params) {
  std::string creds = o_.cookie ? read_file(cookie_file()) : o_.user + ":" + o_.password;
  auto r = node_->post("wallet/" + o_.wallet, Json{{"method", method}, {"params", std::move(params)}, {"id", 1}}.dump(),
                       {{"Authorization", "Basic " + crypto::base64_encode(creds)}});
  if (!r.ok()) throw std::runtime_error("rpc " + method + ": " + r.error);
  auto j = parse_exact(r.response.body);
  if (!j || !j->is_object()) throw std::runtime_error("rpc " + method + ": HTTP " + std::to_string(r.response.status));
  return *j;
}

Json BitcoindDouble::result(const std::string& method, Json params) {
  Json j = rpc(method, std::move(params));
  if (!j["error"].is_null()) throw std::runtime_error("rpc " + method + ": " + j["error"].dump());
  return j["result"];
}

}  // namespace og::test
