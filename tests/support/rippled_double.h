#pragma once
// The rippled stand-in of tests/doubles/rippled/ (node server.js), started for a test on a
// port of its own: its JSON-RPC (what omnid talks to) and its control API (what the test
// does to the network: fund accounts, pay from outside, close ledgers, misbehave).

#include <string>

#include "common/json.h"
#include "tests/support/node_double.h"

namespace og::test {

class RippledDouble {
 public:
  // close_ms: how often a ledger closes by itself.
  explicit RippledDouble(int close_ms = 300);
  ~RippledDouble();
  RippledDouble(const RippledDouble&) = delete;
  RippledDouble& operator=(const RippledDouble&) = delete;

  const std::string& url() const { return node_.url(); }  // "http://127.0.0.1:PORT/"
  // POST /control {"action": action, ...args}; throws unless it answers ok.
  Json control(const std::string& action, Json args = Json::object()) { return node_.control(action, std::move(args)); }
  // A JSON-RPC call; the whole answer's "result".
  Json rpc(const std::string& method, Json params = Json::object());
  // A funded account the double holds the key of: {address, seed}.
  Json wallet();
  // Closes a ledger now; its index.
  long long close();
  // rippled's account_info Balance, in drops ("" when the account does not exist).
  std::string balance(const std::string& address);
  std::string log() const { return node_.log(); }

  // Whether node and the npm packages of tests/doubles are there (scripts/deps.sh test).
  static bool available();

 private:
  NodeDouble node_;
};

}  // namespace og::test
