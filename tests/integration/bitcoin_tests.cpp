// The Bitcoin bridge end to end: a real omnid (its own PostgreSQL) talks JSON-RPC to the
// bitcoind stand-in of tests/doubles/bitcoind/, whose addresses are made and checked by
// bitcoinjs-lib for a regtest network (docs/bitcoin.md).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "common/json.h"
#include "tests/support/bitcoind_double.h"
#include "tests/support/bridge_tests.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::count_of;
using og::test::eventually;
using og::test::require_ok;
using og::test::withdrawal_state;
using og::test::BitcoindDouble;
using og::test::Omnid;
using og::test::OmnidOptions;
using namespace std::chrono_literals;

namespace {

constexpr const char* kMainnet = "bc1q28sujc5dyr8axhxp6lm80vnsa7l35za2etknqd";  // valid, another network
constexpr const char* kOutside = "bcrt1q28sujc5dyr8axhxp6lm80vnsa7l35za23y5dvh";  // regtest, not the wallet's

OmnidOptions options_for(const BitcoindDouble& b, const std::string& database_url, const std::string& extra = "") {
  OmnidOptions o;
  o.dev = false;
  o.extra_toml = "[[bridge]]\nname = \"bitcoin\"\nurl = \"" + b.url() + "\"\nwallet = \"" + b.options().wallet +
                 "\"\npoll_seconds = 1\ntimeout_seconds = 5\nconfirmations = 3\n" +
                 (b.options().cookie ? "cookie_file = \"" + b.cookie_file() + "\"\n" : std::string()) + extra;
  o.database_url = database_url;
  o.config = {{"jobs.lease_seconds", "2"}, {"outbox.retry_initial_seconds", "1"}, {"outbox.retry_max_seconds", "1"}};
  return o;
}

struct Setup {
  std::string admin;
  Omnid::Credential user;
  std::string waid, address;
};

Setup set_up(Omnid& omnid, BitcoindDouble& b) {
  Setup s;
  s.admin = omnid.create_api_key({"system-admin"});
  if (!b.options().cookie)
    require_ok(omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                               Json{{"bridgename", "bitcoin"},
                                    {"instanceid", 1},
                                    {"accountdata", Json{{"rpcuser", b.options().user}, {"rpcpassword", b.options().password}}}},
                               s.admin));
  s.user = omnid.create_profile_with_key({"profile-admin"});
  Answer w = omnid.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", "BTC"}}, s.user.apikey);
  require_ok(w);
  s.waid = w.json["waid"];
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "bitcoin"}},
                             s.admin);
  require_ok(d);
  s.address = d.json["depositaddress"];
  return s;
}

// {available, held} of BTC in a wallet.
Json btc_of(Omnid& omnid, const std::string& waid, const std::string& key) {
  Answer a = omnid.call("GET", "/api/v1/wallet/" + waid, "", key);
  for (const auto& bal : a.json.value("balances", Json::array()))
    if (bal["currencycode"] == "BTC") return Json{bal["available"], bal["held"]};
  return Json{"0.00000000", "0.00000000"};
}

Answer withdraw(Omnid& omnid, const Setup& s, const std::string& destination, const std::string& amount,
                const std::string& currency = "BTC") {
  return omnid.call("POST", "/api/v1/wallet/withdraw",
                    Json{{"waid", s.waid}, {"currency", currency}, {"amount", amount}, {"method", "bitcoin"},
                         {"destinationaddress", destination}}
                        .dump(),
                    s.user.apikey, {{"Idempotency-Key", "wd-" + destination + "-" + amount + "-" + currency}});
}

// The double's sends carrying this comment (the ledger's txid).
Json sends_with(BitcoindDouble& b, const std::string& comment) {
  Json out = Json::array();
  const Json state = b.control("state");
  for (const auto& send : state["sends"])
    if (send["comment"] == comment) out.push_back(send);
  return out;
}

// Lets the watcher run a few rounds (poll_seconds = 1).
void rounds() { std::this_thread::sleep_for(2500ms); }

}  // namespace

TEST_CASE("bitcoin: deposits credited once at the confirmation count, never when reorged or conflicted",
          "[bitcoin][deposit]") {
  INFO("the bitcoind double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(BitcoindDouble::available());
  BitcoindDouble b;
  Omnid omnid(options_for(b, og::test::fresh_database("btcdep")));
  Setup s = set_up(omnid, b);
  // A fresh bech32 address of the node's wallet, labelled with the wallet's id.
  CHECK(s.address.rfind("bcrt1q", 0) == 0);
  Json info = b.result("getaddressinfo", Json::array({s.address}));
  CHECK(info["ismine"] == true);
  CHECK(info["labels"] == Json::array({s.waid}));
  // The same wallet keeps its address.
  CHECK(omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "bitcoin"}}, s.admin)
            .json["depositaddress"] == s.address);
  // The password is masked in every answer.
  Answer accounts = omnid.call("GET", "/api/v1/system/bridge/bitcoin-1/externalaccountlist", "", s.admin);
  CHECK(accounts.body.find(b.options().password) == std::string::npos);
  CHECK(accounts.body.find("********") != std::string::npos);

  SECTION("credited at 3 confirmations, once per output, never before") {
    Json paid = b.control("pay", Json{{"outputs", Json::array({Json{{"address", s.address}, {"amount", "0.1"}},
                                                               Json{{"address", kOutside}, {"amount", "5"}},
                                                               Json{{"address", s.address}, {"amount", "0.00000001"}}})}});
    b.mine(2);
    rounds();
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.00000000");  // 2 of 3
    b.mine(1);
    REQUIRE(eventually([&] { return btc_of(omnid, s.waid, s.user.apikey)[0] == "0.10000001"; }));
    b.mine(5);
    rounds();
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.10000001");
    const std::string txid = paid["txid"];
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox WHERE external_txid LIKE $1 || ':%'", txid) == 2);
    CHECK(count_of(omnid, "SELECT count(*) FROM transactions WHERE type = 'deposit' AND external_txid = $1",
                   txid + ":2") == 1);
  }

  SECTION("a reorg before the confirmation count credits nothing") {
    Json paid = b.control("pay", Json{{"address", s.address}, {"amount", "0.2"}});
    b.mine(2);
    rounds();
    b.control("reorg", Json{{"depth", 2}, {"blocks", 4}, {"drop", Json::array({paid["txid"]})}});
    rounds();
    b.mine(3);
    rounds();
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.00000000");
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox") == 0);
  }

  SECTION("a conflicted (double-spent) deposit credits nothing") {
    Json paid = b.control("pay", Json{{"address", s.address}, {"amount", "0.3"}});
    b.control("conflict", Json{{"txid", paid["txid"]}});
    b.mine(5);
    rounds();
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.00000000");
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox") == 0);
  }

  SECTION("a payment to a wallet address no wallet was given waits in suspense") {
    const std::string stray = b.result("getnewaddress", Json::array({"operator"})).get<std::string>();
    Json paid = b.control("pay", Json{{"address", stray}, {"amount", "0.7"}});
    b.mine(3);
    Json listed;
    REQUIRE(eventually([&] {
      listed = omnid.call("GET", "/api/v1/system/bridge/bitcoin-1/suspense", "", s.admin).json;
      return listed.value("suspense", Json::array()).size() == 1;
    }));
    CHECK(listed["suspense"][0]["externaltransactionid"] == paid["txid"].get<std::string>() + ":0");
    CHECK(listed["suspense"][0]["amount"] == "0.70000000");
    CHECK(listed["suspense"][0]["address"] == stray);
  }

  SECTION("a reorg deeper than the confirmation count after crediting is an alert, not a silent change") {
    b.mine(5);
    Json paid = b.control("pay", Json{{"address", s.address}, {"amount", "0.4"}});
    b.mine(3);
    REQUIRE(eventually([&] { return btc_of(omnid, s.waid, s.user.apikey)[0] == "0.40000000"; }));
    b.control("reorg", Json{{"depth", 4}, {"blocks", 5}, {"drop", Json::array({paid["txid"]})}});
    REQUIRE(eventually([&] {
      return count_of(omnid, "SELECT count(*) FROM bridge_alerts WHERE kind = 'reorg' AND external_txid = $1",
                      paid["txid"].get<std::string>() + ":0") == 1;
    }));
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.40000000");  // the ledger is not changed behind anyone's back
    // Reconciliation shows it: credited in the ledger, gone from the chain.
    Answer run = omnid.call_json("POST", "/api/v1/bridge/reconcile", Json{{"bridge", "bitcoin-1"}}, s.admin);
    require_ok(run, omnid);
    INFO(run.body);
    CHECK(run.json["reconcilestatus"] == "discrepancies");
    const Json& t = run.json["bridges"][0]["transactions"];
    CHECK(t["internalonly"] == 1);
    REQUIRE(t["discrepancies"].size() >= 1);
    bool named = false;
    for (const auto& d : t["discrepancies"])
      named = named || (d["kind"] == "internal_only" &&
                        d["internal"][0]["reference"] == paid["txid"].get<std::string>() + ":0");
    CHECK(named);
    Answer active = omnid.call("GET", "/api/v1/system/bridge/active", "", s.admin);
    std::string status;
    for (const auto& br : active.json["bridgelist"])
      if (br["bridgename"] == "bitcoin") status = br["status"];
    CHECK(status.rfind("alert: 1 credited deposit", 0) == 0);
    CHECK(omnid.wait_for_log("ALERT: a credited deposit was reversed on the network", 5s));
    rounds();  // once, however many rounds see it
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_alerts") == 1);
    // Listed for operators, and acknowledged once.
    Answer alerts = omnid.call("GET", "/api/v1/system/bridge/bitcoin-1/alerts", "", s.admin);
    require_ok(alerts);
    REQUIRE(alerts.json["alerts"].size() == 1);
    const Json alert = alerts.json["alerts"][0];
    CHECK(alert["kind"] == "reorg");
    CHECK(alert["externaltransactionid"] == paid["txid"].get<std::string>() + ":0");
    CHECK(alert["acknowledgedat"] == "");
    // Bad input to the list: an instance or bridge not configured, a caller who may not read system data.
    CHECK(omnid.call("GET", "/api/v1/system/bridge/bitcoin-9/alerts", "", s.admin).resultcode() == 10140);
    CHECK(omnid.call("GET", "/api/v1/system/bridge/nosuch-1/alerts", "", s.admin).resultcode() == 10140);
    CHECK(omnid.call("GET", "/api/v1/system/bridge/bitcoin-x/alerts", "", s.admin).resultcode() == 10113);
    CHECK(omnid.call("GET", "/api/v1/system/bridge/bitcoin-1/alerts", "", s.user.apikey).resultcode() == 10122);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge", Json::object(), s.admin)
              .resultcode() == 10110);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge", Json{{"alertid", "x1"}}, s.admin)
              .resultcode() == 10113);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge", Json{{"alertid", "999"}}, s.admin)
              .resultcode() == 10140);
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge",
                          Json{{"alertid", alert["alertid"]}}, s.user.apikey)
              .resultcode() == 10122);  // a profile is no operator
    require_ok(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge",
                               Json{{"alertid", alert["alertid"]}}, s.admin));
    CHECK(omnid.call_json("POST", "/api/v1/system/bridge/bitcoin-1/alerts/acknowledge",
                          Json{{"alertid", alert["alertid"]}}, s.admin)
              .resultcode() == 10140);  // once
    CHECK(eventually([&] {
      const Answer now = omnid.call("GET", "/api/v1/system/bridge/active", "", s.admin);
      for (const auto& br : now.json["bridgelist"])
        if (br["bridgename"] == "bitcoin") return br["status"] == "started";
      return false;
    }));
    CHECK(btc_of(omnid, s.waid, s.user.apikey)[0] == "0.40000000");
  }
}

TEST_CASE("bitcoin: withdrawals checked before any hold, sent once with the txid as comment, settled at 3 confirmations",
          "[bitcoin][withdraw]") {
  REQUIRE(BitcoindDouble::available());
  BitcoindDouble b;
  Omnid omnid(options_for(b, og::test::fresh_database("btcwd"), "max_fee_rate = 20\n"));
  Setup s = set_up(omnid, b);
  b.control("fund", Json{{"amount", "50"}});  // the hot wallet's own coins (mined: not a deposit)
  b.control("pay", Json{{"address", s.address}, {"amount", "2"}});
  b.mine(3);
  REQUIRE(eventually([&] { return btc_of(omnid, s.waid, s.user.apikey)[0] == "2.00000000"; }));

  SECTION("posted at the confirmation count, its network fee recorded") {
    Answer a = withdraw(omnid, s, kOutside, "0.5");
    require_ok(a);
    const std::string txid = a.json["txid"];
    CHECK(btc_of(omnid, s.waid, s.user.apikey) == Json{"1.50000000", "0.50000000"});
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "submitted"; }));
    Json sent = sends_with(b, txid);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0]["address"] == kOutside);
    CHECK(sent[0]["amount"] == "0.50000000");
    CHECK(sent[0]["fee"] == "0.00000141");  // estimatesmartfee's 1 sat/vB, under the cap
    b.mine(2);
    rounds();
    CHECK(withdrawal_state(omnid, txid) == "submitted");
    b.mine(1);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    CHECK(btc_of(omnid, s.waid, s.user.apikey) == Json{"1.50000000", "0.00000000"});
    pqxx::connection c(omnid.db_conninfo());
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT network_fee, external_txid FROM bridge_withdrawals WHERE txid = $1", txid);
    CHECK(r[0].as<std::string>() == "0.00000141");
    CHECK(r[1].as<std::string>() == sent[0]["txid"].get<std::string>());
    CHECK(sends_with(b, txid).size() == 1);
    // Reconciled against listtransactions: the deposit (txid:vout) and the send (txid).
    Answer run = omnid.call_json("POST", "/api/v1/bridge/reconcile", Json{{"bridge", "bitcoin-1"}}, s.admin);
    require_ok(run, omnid);
    INFO(run.body);
    CHECK(run.json["reconcilestatus"] == "clean");
    CHECK(run.json["bridges"][0]["transactions"]["matched"] == 2);
    for (const auto& bal : run.json["bridges"][0]["balances"])
      if (bal["currency"] == "BTC") CHECK(bal["shortfall"] == false);
  }

  SECTION("the fee rate is capped by max_fee_rate") {
    b.control("set", Json{{"feerate", "0.01"}});  // 1000 sat/vB
    Answer a = withdraw(omnid, s, kOutside, "0.1");
    require_ok(a);
    REQUIRE(eventually([&] { return sends_with(b, a.json["txid"]).size() == 1; }));
    CHECK(sends_with(b, a.json["txid"])[0]["fee"] == "0.00002820");  // 20 sat/vB x 141 vB
  }

  SECTION("a conflicted withdrawal is voided: the money never left") {
    b.control("misbehave", Json{{"drop_send_response", 0}});
    Answer a = withdraw(omnid, s, kOutside, "0.25");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "submitted"; }));
    b.control("conflict", Json{{"txid", sends_with(b, txid)[0]["txid"]}});
    b.mine(3);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "failed"; }));
    CHECK(btc_of(omnid, s.waid, s.user.apikey) == Json{"2.00000000", "0.00000000"});
  }

  SECTION("a fee bump (a replacement keeping the comment) settles the withdrawal, once") {
    Answer a = withdraw(omnid, s, kOutside, "0.15");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "submitted"; }));
    const std::string original = sends_with(b, txid)[0]["txid"];
    const std::string replacement = b.control("replace", Json{{"txid", original}})["txid"];
    b.mine(2);
    rounds();
    CHECK(withdrawal_state(omnid, txid) == "submitted");  // the replacement has 2 of 3
    b.mine(1);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    CHECK(btc_of(omnid, s.waid, s.user.apikey) == Json{"1.85000000", "0.00000000"});
    pqxx::connection c(omnid.db_conninfo());
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT network_fee, external_txid FROM bridge_withdrawals WHERE txid = $1", txid);
    CHECK(r[0].as<std::string>() == "0.00000282");  // what the replacement paid
    CHECK(r[1].as<std::string>() == original);
    Json sends = sends_with(b, txid);
    REQUIRE(sends.size() == 2);
    for (const auto& send : sends)
      CHECK(send["confirmations"].get<long long>() == (send["txid"] == replacement ? 3 : -3));
  }

  SECTION("a lost answer: the send is found by its comment, never made twice") {
    b.control("misbehave", Json{{"drop_send_response", 1}});
    Answer a = withdraw(omnid, s, kOutside, "0.3");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "submitted"; }));
    CHECK(sends_with(b, txid).size() == 1);
    b.mine(3);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    CHECK(sends_with(b, txid).size() == 1);
  }

  SECTION("bitcoind unreachable while looking a send up: nothing is sent until it answers") {
    b.control("misbehave", Json{{"drop_send_response", 1}});
    Answer a = withdraw(omnid, s, kOutside, "0.35");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] { return b.log().find("sendtoaddress done, answer dropped") != std::string::npos; }));
    b.control("misbehave", Json{{"unreachable_ms", 3000}});
    rounds();
    std::this_thread::sleep_for(1500ms);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "submitted"; }));
    CHECK(sends_with(b, txid).size() == 1);
  }

  SECTION("bad destinations, currencies and amounts are refused before any hold and change nothing") {
    const std::string good = kOutside;
    std::string bad_checksum = good;
    bad_checksum.back() = bad_checksum.back() == 'h' ? 'g' : 'h';
    for (const std::string& bad : {std::string(kMainnet), bad_checksum, std::string("not an address"),
                                   std::string("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"), s.address}) {
      Answer r = withdraw(omnid, s, bad, "0.1");
      INFO(bad << ": " << r.body);
      CHECK(r.resultcode() == 10113);
    }
    CHECK(withdraw(omnid, s, kMainnet, "0.1").message().find("not a valid address of the node's network") !=
          std::string::npos);
    CHECK(withdraw(omnid, s, s.address, "0.1").message().find("use wallet/transfer") != std::string::npos);
    CHECK(withdraw(omnid, s, good, "0.000000001").resultcode() == 10113);  // BTC has 8 decimals
    CHECK(withdraw(omnid, s, good, "-1").resultcode() != 10000);
    CHECK(withdraw(omnid, s, good, "1", "XRP").resultcode() == 10113);
    CHECK(btc_of(omnid, s.waid, s.user.apikey) == Json{"2.00000000", "0.00000000"});
    CHECK(count_of(omnid, "SELECT count(*) FROM transactions WHERE type = 'withdraw'") == 0);
    CHECK(b.control("state")["sends"].empty());
  }

  SECTION("balances: internal against getbalances' trusted, pending and immature") {
    b.control("pay", Json{{"address", s.address}, {"amount", "0.125"}});  // unconfirmed
    Answer bal = omnid.call("GET", "/api/v1/system/bridge/bitcoin-1/balances", "", s.admin);
    require_ok(bal);
    Json btc;
    for (const auto& e : bal.json["balances"])
      if (e["currency"] == "BTC") btc = e;
    INFO(bal.body);
    CHECK(btc["internalbalance"] == "2.00000000");
    CHECK(btc["externalbalance"] == "52.00000000");  // the mined 50 and the deposit of 2
    CHECK(btc["externalpending"] == "0.12500000");
    CHECK(btc["externalimmature"] == "0.00000000");
  }
}

TEST_CASE("bitcoin: kill -9 after the send and before its outcome is recorded sends once", "[bitcoin][crash]") {
  REQUIRE(BitcoindDouble::available());
  BitcoindDouble b(BitcoindDouble::Options{.cookie = true});  // the cookie file, this time
  const std::string db = og::test::fresh_database("btccrash");
  std::string txid;
  Setup s;
  {
    Omnid omnid(options_for(b, db));
    s = set_up(omnid, b);
    b.control("fund", Json{{"amount", "50"}});
    b.control("pay", Json{{"address", s.address}, {"amount", "1"}});
    b.mine(3);
    REQUIRE(eventually([&] { return btc_of(omnid, s.waid, s.user.apikey)[0] == "1.00000000"; }));
    // The wallet makes the send at once and answers 20 s later: omnid dies in between.
    b.control("misbehave", Json{{"send_answer_delay_ms", 20000}});
    Answer a = withdraw(omnid, s, kOutside, "0.4");
    require_ok(a);
    txid = a.json["txid"];
    REQUIRE(eventually([&] { return sends_with(b, txid).size() == 1; }));
    CHECK(withdrawal_state(omnid, txid) == "submitting");
    omnid.stop(SIGKILL);
  }
  b.control("misbehave", Json{{"send_answer_delay_ms", 0}});
  Omnid again(options_for(b, db));
  REQUIRE(eventually([&] { return withdrawal_state(again, txid) == "submitted"; }, 60s));
  b.mine(3);
  REQUIRE(eventually([&] { return withdrawal_state(again, txid) == "completed"; }));
  CHECK(sends_with(b, txid).size() == 1);
  CHECK(btc_of(again, s.waid, s.user.apikey) == Json{"0.60000000", "0.00000000"});
}

TEST_CASE("bitcoin: bad configuration and account data are refused", "[bitcoin][config]") {
  REQUIRE(BitcoindDouble::available());
  BitcoindDouble b;
  Omnid omnid(options_for(b, og::test::fresh_database("btcbad")));
  const std::string admin = omnid.create_api_key({"system-admin"});
  for (const Json& bad : {Json{{"rpcuser", "a:b"}, {"rpcpassword", "x"}}, Json{{"rpcuser", ""}, {"rpcpassword", "x"}},
                          Json{{"rpcuser", "u"}, {"rpcpassword", 5}}, Json{{"rpcuser", "u"}, {"rpcpassword", "a\nb"}}}) {
    Answer r = omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                               Json{{"bridgename", "bitcoin"}, {"instanceid", 1}, {"accountdata", bad}}, admin);
    INFO(bad.dump() << " " << r.body);
    CHECK(r.resultcode() != 10000);
    CHECK(r.body.find("a\nb") == std::string::npos);
  }
  CHECK(count_of(omnid, "SELECT count(*) FROM bridge_accounts") == 0);
  // Without credentials the node refuses nothing: omnid does not call it, and says why.
  Omnid::Credential user = omnid.create_profile_with_key({"profile-admin"});
  Answer w = omnid.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", "BTC"}}, user.apikey);
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress",
                             Json{{"waid", w.json["waid"]}, {"method", "bitcoin"}}, admin);
  CHECK(d.resultcode() == 10003);
  const Answer active = omnid.call("GET", "/api/v1/system/bridge/active", "", admin);
  std::string status;
  for (const auto& br : active.json["bridgelist"])
    if (br["bridgename"] == "bitcoin") status = br["status"];
  CHECK(status.rfind("error: no RPC credentials", 0) == 0);
  CHECK(omnid.log().find("\"job failed\",\"job\":\"bridge-watch:bitcoin-1\"") == std::string::npos);
  CHECK(d.message().find("no RPC credentials") != std::string::npos);
  CHECK(count_of(omnid, "SELECT count(*) FROM deposit_addresses") == 0);
}
