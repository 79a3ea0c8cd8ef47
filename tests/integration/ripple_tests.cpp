// The Ripple bridge end to end: a real omnid (its own PostgreSQL) talks JSON-RPC to the
// rippled stand-in of tests/doubles/rippled/, which decodes every blob omnid submits with
// ripple-binary-codec and verifies its signature with ripple-keypairs (docs/ripple.md).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "common/json.h"
#include "tests/support/omnid_process.h"
#include "tests/support/rippled_double.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
using og::test::OmnidOptions;
using og::test::RippledDouble;
using namespace std::chrono_literals;

namespace {

std::string bridge_toml(const RippledDouble& r) {
  return "[[bridge]]\nname = \"ripple\"\nurl = \"" + r.url() +
         "\"\npoll_seconds = 1\ntimeout_seconds = 5\nledger_window = 8\n";
}

// omnid on a database of its own in the test run's cluster; jobs move within 2 s of a kill.
OmnidOptions options_for(const RippledDouble& r, const std::string& database_url) {
  OmnidOptions o;
  o.dev = false;
  o.extra_toml = bridge_toml(r);
  o.database_url = database_url;
  o.config = {{"jobs.lease_seconds", "2"}, {"outbox.retry_initial_seconds", "1"}, {"outbox.retry_max_seconds", "1"}};
  return o;
}

void require_ok(const Answer& a) {
  INFO(a.body);
  REQUIRE(a.resultcode() == 10000);
}

// Waits until `pred` holds (false after `timeout`).
template <class F>
bool eventually(F pred, std::chrono::seconds timeout = 30s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

struct Setup {
  Json hot;  // {address, seed}
  std::string admin;
  Omnid::Credential user;
  std::string waid, deposit_address, tag;
};

Setup set_up(Omnid& omnid, RippledDouble& rippled) {
  Setup s;
  s.hot = rippled.wallet();
  s.admin = omnid.create_api_key({"system-admin"});
  Answer acc = omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                               Json{{"bridgename", "ripple"},
                                    {"instanceid", 1},
                                    {"accountdata", Json{{"address", s.hot["address"]}, {"seed", s.hot["seed"]}}}},
                               s.admin);
  require_ok(acc);
  s.user = omnid.create_profile_with_key({"profile-admin"});
  Answer w = omnid.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", "XRP"}}, s.user.apikey);
  require_ok(w);
  s.waid = w.json["waid"];
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "ripple"}},
                             s.user.apikey);
  require_ok(d);
  s.deposit_address = d.json["depositaddress"];
  s.tag = s.deposit_address.substr(s.deposit_address.find('-') + 1);
  return s;
}

// {available, held} of XRP in a wallet.
Json xrp_of(Omnid& omnid, const std::string& waid, const std::string& key) {
  Answer a = omnid.call("GET", "/api/v1/wallet/" + waid, "", key);
  for (const auto& b : a.json.value("balances", Json::array()))
    if (b["currencycode"] == "XRP") return Json{b["available"], b["held"]};
  return Json{"0.000000", "0.000000"};
}

Answer withdraw(Omnid& omnid, const Setup& s, const std::string& destination, const std::string& amount) {
  return omnid.call("POST", "/api/v1/wallet/withdraw",
                    Json{{"waid", s.waid}, {"currency", "XRP"}, {"amount", amount}, {"method", "ripple"},
                         {"destinationaddress", destination}}
                        .dump(),
                    s.user.apikey, {{"Idempotency-Key", "wd-" + destination + "-" + amount}});
}

std::string withdrawal_state(Omnid& omnid, const std::string& txid) {
  pqxx::connection c(omnid.db_conninfo());
  pqxx::nontransaction tx(c);
  auto r = tx.exec_params("SELECT state FROM bridge_withdrawals WHERE txid = $1", txid);
  return r.empty() ? "" : r[0][0].as<std::string>();
}

}  // namespace

TEST_CASE("ripple: deposits by destination tag, partial payments, suspense", "[ripple][deposit]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("rippledep")));
  Setup s = set_up(omnid, rippled);
  CHECK(s.deposit_address.rfind(s.hot["address"].get<std::string>() + "-", 0) == 0);
  CHECK(std::stoull(s.tag) >= 10000000ull);
  // The same wallet keeps its address.
  Answer again = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "ripple"}},
                                 s.user.apikey);
  CHECK(again.json["depositaddress"] == s.deposit_address);

  Json sender = rippled.wallet();
  SECTION("a tagged payment is credited once, after validation") {
    Json paid = rippled.control("pay", Json{{"from", sender["address"]},
                                            {"to", s.hot["address"]},
                                            {"amount", "25000000"},
                                            {"destination_tag", std::stoull(s.tag)},
                                            {"close", true}});
    REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "25.000000"; }));
    // More ledgers and more rounds of the watcher: still once.
    rippled.close();
    rippled.close();
    std::this_thread::sleep_for(2500ms);
    CHECK(xrp_of(omnid, s.waid, s.user.apikey)[0] == "25.000000");
    pqxx::connection c(omnid.db_conninfo());
    pqxx::nontransaction tx(c);
    CHECK(tx.exec_params1("SELECT count(*) FROM bridge_inbox WHERE external_txid = $1", paid["hash"].get<std::string>())[0]
              .as<int>() == 1);
  }

  SECTION("a partial payment credits what it delivered, not its Amount") {
    rippled.control("pay", Json{{"from", sender["address"]},
                                {"to", s.hot["address"]},
                                {"amount", "50000000"},
                                {"partial", Json{{"deliver", "1500000"}}},
                                {"destination_tag", std::stoull(s.tag)},
                                {"close", true}});
    REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "1.500000"; }));
    std::this_thread::sleep_for(2000ms);
    CHECK(xrp_of(omnid, s.waid, s.user.apikey)[0] == "1.500000");
  }

  SECTION("an unknown or missing tag goes to suspense, and an operator assigns it") {
    Json unknown = rippled.control("pay", Json{{"from", sender["address"]},
                                               {"to", s.hot["address"]},
                                               {"amount", "7000000"},
                                               {"destination_tag", 4242},
                                               {"close", true}});
    Json untagged = rippled.control(
        "pay", Json{{"from", sender["address"]}, {"to", s.hot["address"]}, {"amount", "3000000"}, {"close", true}});
    Json listed;
    REQUIRE(eventually([&] {
      listed = omnid.call("GET", "/api/v1/system/bridge/ripple-1/suspense", "", s.admin).json;
      return listed.contains("suspense") && listed["suspense"].size() == 2;
    }));
    CHECK(listed["suspense"][0]["state"] == "unmatched");
    CHECK(listed["suspense"][0]["currency"] == "XRP");
    // Bad input changes nothing.
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/ripple-1/suspense/assign",
                          Json{{"externaltransactionid", "NOSUCHHASH"}, {"waid", s.waid}}, s.admin)
              .resultcode() == 10140);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/ripple-1/suspense/assign",
                          Json{{"externaltransactionid", unknown["hash"]}, {"waid", "waid_0000000000000001"}}, s.admin)
              .resultcode() == 10140);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/ripple-1/suspense/assign",
                          Json{{"externaltransactionid", unknown["hash"]}, {"waid", s.waid}}, s.user.apikey)
              .resultcode() == 10122);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/ripple-9/suspense/assign",
                          Json{{"externaltransactionid", unknown["hash"]}, {"waid", s.waid}}, s.admin)
              .resultcode() == 10140);
    CHECK(xrp_of(omnid, s.waid, s.user.apikey)[0] == "0.000000");
    require_ok(omnid.call_json("POST", "/api/v1/system/bridge/ripple-1/suspense/assign",
                               Json{{"externaltransactionid", unknown["hash"]}, {"waid", s.waid}}, s.admin));
    REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "7.000000"; }));
    // Once.
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/ripple-1/suspense/assign",
                          Json{{"externaltransactionid", unknown["hash"]}, {"waid", s.waid}}, s.admin)
              .resultcode() == 10140);
    std::this_thread::sleep_for(1500ms);
    CHECK(xrp_of(omnid, s.waid, s.user.apikey)[0] == "7.000000");
    Json left = omnid.call("GET", "/api/v1/system/bridge/ripple-1/suspense", "", s.admin).json;
    REQUIRE(left["suspense"].size() == 1);
    CHECK(left["suspense"][0]["externaltransactionid"] == untagged["hash"]);
  }
}

TEST_CASE("ripple: withdrawals signed once, settled by validated ledgers", "[ripple][withdraw]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("ripplewd")));
  Setup s = set_up(omnid, rippled);
  Json sender = rippled.wallet();
  rippled.control("pay", Json{{"from", sender["address"]},
                              {"to", s.hot["address"]},
                              {"amount", "100000000"},
                              {"destination_tag", std::stoull(s.tag)},
                              {"close", true}});
  REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "100.000000"; }));
  Json dest = rippled.wallet();
  const std::string dest_before = rippled.balance(dest["address"]);

  SECTION("posted on tesSUCCESS: the money moves once") {
    Answer a = withdraw(omnid, s, dest["address"], "12.5");
    require_ok(a);
    const std::string txid = a.json["txid"];
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"87.500000", "12.500000"});
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"87.500000", "0.000000"});
    CHECK(std::stoll(rippled.balance(dest["address"])) - std::stoll(dest_before) == 12500000);
  }

  SECTION("a destination that does not exist and gets less than the reserve: tecNO_DST_INSUF_XRP, voided") {
    Answer a = withdraw(omnid, s, "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "1");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "failed"; }));
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"100.000000", "0.000000"});
  }

  SECTION("never validated before LastLedgerSequence: voided") {
    rippled.control("misbehave", Json{{"hold_submissions", true}});
    Answer a = withdraw(omnid, s, dest["address"], "2");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "failed"; }, 60s));
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"100.000000", "0.000000"});
    CHECK(rippled.balance(dest["address"]) == dest_before);
  }

  SECTION("RequireDest without a tag is refused before any hold") {
    Json strict = rippled.wallet();
    rippled.control("account_set", Json{{"address", strict["address"]}, {"set_flag", 1}, {"close", true}});
    Answer a = withdraw(omnid, s, strict["address"], "1");
    CHECK(a.resultcode() == 10113);
    CHECK(a.message().find("requires a destination tag") != std::string::npos);
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"100.000000", "0.000000"});
    // With a tag (address-tag form) it goes.
    require_ok(withdraw(omnid, s, strict["address"].get<std::string>() + "-77", "1"));
  }

  SECTION("bad destinations and amounts are refused and change nothing") {
    const std::string good = dest["address"];
    std::string bad_checksum = good;
    bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
    CHECK(withdraw(omnid, s, bad_checksum, "1").resultcode() == 10113);
    CHECK(withdraw(omnid, s, good + "-4294967296", "1").resultcode() == 10113);  // tags are 32 bits
    CHECK(withdraw(omnid, s, good + "-", "1").resultcode() == 10113);
    CHECK(withdraw(omnid, s, good + "-12x", "1").resultcode() == 10113);
    CHECK(withdraw(omnid, s, "not an address", "1").resultcode() == 10113);
    CHECK(withdraw(omnid, s, good, "1.0000001").resultcode() == 10113);  // XRP has 6 decimals
    CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"100.000000", "0.000000"});
  }
}

TEST_CASE("ripple: kill -9 between signing and submitting sends the same transaction, once", "[ripple][crash]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  const std::string db = og::test::fresh_database("ripplecrash");
  Json dest;
  std::string txid, hash_before, dest_before;
  Setup s;
  {
    Omnid omnid(options_for(rippled, db));
    s = set_up(omnid, rippled);
    Json sender = rippled.wallet();
    rippled.control("pay", Json{{"from", sender["address"]},
                                {"to", s.hot["address"]},
                                {"amount", "40000000"},
                                {"destination_tag", std::stoull(s.tag)},
                                {"close", true}});
    REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "40.000000"; }));
    dest = rippled.wallet();
    dest_before = rippled.balance(dest["address"]);
    // The network stops answering: the withdrawal is signed and recorded, its submission fails.
    rippled.control("misbehave", Json{{"unreachable_ms", 120000}});
    Answer a = withdraw(omnid, s, dest["address"], "5");
    require_ok(a);
    txid = a.json["txid"];
    REQUIRE(eventually([&] {
      pqxx::connection c(omnid.db_conninfo());
      pqxx::nontransaction tx(c);
      auto r = tx.exec_params("SELECT coalesce(prepared, '') FROM bridge_withdrawals WHERE txid = $1", txid);
      if (r.empty() || r[0][0].as<std::string>().empty()) return false;
      hash_before = Json::parse(r[0][0].as<std::string>())["hash"];
      return true;
    }));
    omnid.stop(SIGKILL);
  }
  rippled.control("misbehave", Json{{"unreachable_ms", 0}});
  Omnid again(options_for(rippled, db));
  REQUIRE(eventually([&] { return withdrawal_state(again, txid) == "completed"; }, 60s));
  pqxx::connection c(again.db_conninfo());
  pqxx::nontransaction tx(c);
  auto r = tx.exec_params1("SELECT prepared, external_txid FROM bridge_withdrawals WHERE txid = $1", txid);
  CHECK(Json::parse(r[0].as<std::string>())["hash"] == hash_before);  // never signed again
  CHECK(r[1].as<std::string>() == hash_before);
  CHECK(std::stoll(rippled.balance(dest["address"])) - std::stoll(dest_before) == 5000000);  // once
  CHECK(xrp_of(again, s.waid, s.user.apikey) == Json{"35.000000", "0.000000"});
  Json seen = rippled.rpc("tx", Json{{"transaction", hash_before}});
  CHECK(seen.value("validated", false));
}
