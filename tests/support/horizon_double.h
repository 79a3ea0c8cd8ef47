#pragma once
// The Horizon stand-in of tests/doubles/horizon/ (node server.js), started for a test on a
// port of its own: its REST API (what omnid talks to; every submission decoded and its
// signature checked by @stellar/stellar-sdk) and its control API (fund accounts, pay from
// outside, set data, close ledgers, misbehave, advance its clock).

#include <string>

#include "common/json.h"
#include "tests/support/node_double.h"

namespace og::test {

class HorizonDouble {
 public:
  static constexpr const char* kPassphrase = "Omnigate Horizon double ; test";
  // close_ms: how often a ledger closes by itself.
  explicit HorizonDouble(int close_ms = 300);
  HorizonDouble(const HorizonDouble&) = delete;
  HorizonDouble& operator=(const HorizonDouble&) = delete;

  const std::string& url() const { return node_.url(); }  // "http://127.0.0.1:PORT/"
  Json control(const std::string& action, Json args = Json::object()) { return node_.control(action, std::move(args)); }
  Json state() { return control("state"); }
  // The account in the double's closed state (null when it does not exist).
  Json account(const std::string& id);
  // Its native balance ("" when it does not exist).
  std::string balance(const std::string& id);
  // The double's transactions (state) whose source is `account` and that went through POST /transactions.
  Json submitted_by(const std::string& account);
  std::string log() const { return node_.log(); }

  static bool available() { return NodeDouble::available("horizon/server.js", "@stellar/stellar-sdk"); }

 private:
  NodeDouble node_;
};

}  // namespace og::test
