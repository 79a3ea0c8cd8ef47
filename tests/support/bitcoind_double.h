#pragma once
// The bitcoind stand-in of tests/doubles/bitcoind/ (node server.js), started for a test on a
// port of its own, with RPC credentials (rpcuser and rpcpassword, or a cookie file) and a
// wallet name: its JSON-RPC (what omnid talks to) and its control API (mine, pay, reorg,
// conflict, misbehave).

#include <filesystem>
#include <memory>
#include <string>

#include "common/json.h"
#include "tests/support/node_double.h"

namespace og::test {

class BitcoindDouble {
 public:
  struct Options {
    bool cookie = false;  // a cookie file instead of user and password
    std::string user = "omnid-rpc", password = "rpc-Secret-9f3a";
    std::string wallet = "omnid";
  };
  BitcoindDouble();
  explicit BitcoindDouble(Options o);

  const std::string& url() const { return node_->url(); }
  const Options& options() const { return o_; }
  std::string cookie_file() const { return (cookie_dir_ / "cookie").string(); }
  Json control(const std::string& action, Json args = Json::object()) { return node_->control(action, std::move(args)); }
  // A wallet JSON-RPC call (og::parse_exact of the answer): {"result", "error"}.
  Json rpc(const std::string& method, Json params = Json::array());
  // The wallet's result of a call; throws on an error.
  Json result(const std::string& method, Json params = Json::array());
  void mine(int blocks) { control("mine", Json{{"blocks", blocks}}); }
  std::string log() const { return node_->log(); }

  static bool available() { return NodeDouble::available("bitcoind/server.js", "bitcoinjs-lib"); }

 private:
  Options o_;
  std::filesystem::path cookie_dir_;
  std::unique_ptr<NodeDouble> node_;
};

}  // namespace og::test
