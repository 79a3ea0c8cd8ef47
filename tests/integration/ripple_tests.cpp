// The Ripple bridge end to end: a real omnid (its own PostgreSQL) talks JSON-RPC to the
// rippled stand-in of tests/doubles/rippled/, which decodes every blob omnid submits with
// ripple-binary-codec and verifies its signature with ripple-keypairs (docs/ripple.md).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <thread>

#include "common/json.h"
#include "daemon/bridges/xrpl/base58.h"
#include "tests/support/bridge_tests.h"
#include "tests/support/omnid_process.h"
#include "tests/support/rippled_double.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::count_of;
using og::test::eventually;
using og::test::require_ok;
using og::test::withdrawal_state;
using og::test::Omnid;
using og::test::OmnidOptions;
using og::test::RippledDouble;
using namespace std::chrono_literals;

namespace {

std::string bridge_toml(const RippledDouble& r, int ledger_window) {
  return "[[bridge]]\nname = \"ripple\"\nurl = \"" + r.url() +
         "\"\npoll_seconds = 1\ntimeout_seconds = 5\nledger_window = " + std::to_string(ledger_window) + "\n";
}

// omnid on a database of its own in the test run's cluster; jobs move within 2 s of a kill.
// ledger_window 8 at the double's 300 ms ledgers: a withdrawal expires within 3 s.
OmnidOptions options_for(const RippledDouble& r, const std::string& database_url, int ledger_window = 8) {
  OmnidOptions o;
  o.dev = false;
  o.extra_toml = bridge_toml(r, ledger_window);
  o.database_url = database_url;
  o.config = {{"jobs.lease_seconds", "2"}, {"outbox.retry_initial_seconds", "1"}, {"outbox.retry_max_seconds", "1"}};
  return o;
}

using og::test::require_ok;

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
  // No role of the spec's table carries createreceivingaddress: the platform's admin makes it.
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "ripple"}},
                             s.admin);
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
                                 s.admin);
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
    // The hot wallet's own funding (an untagged payment from genesis) is in suspense too: an
    // operator sees every payment no wallet claims. Ours are looked up by their hashes.
    auto entries_of = [&](const Json& list) {
      std::map<std::string, Json> found;
      for (const auto& e : list.value("suspense", Json::array()))
        if (e["externaltransactionid"] == unknown["hash"] || e["externaltransactionid"] == untagged["hash"])
          found[e["externaltransactionid"]] = e;
      return found;
    };
    Json listed;
    if (!eventually([&] {
          listed = omnid.call("GET", "/api/v1/system/bridge/ripple-1/suspense", "", s.admin).json;
          return entries_of(listed).size() == 2;
        }))
      FAIL("suspense: " << listed.dump() << "\nomnid:\n" << omnid.log());
    Json tagged_entry = entries_of(listed)[unknown["hash"]];
    CHECK(tagged_entry["state"] == "unmatched");
    CHECK(tagged_entry["currency"] == "XRP");
    CHECK(tagged_entry["amount"] == "7.000000");
    CHECK(tagged_entry["address"] == s.hot["address"].get<std::string>() + "-4242");
    CHECK(entries_of(listed)[untagged["hash"]]["address"] == s.hot["address"]);
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
    REQUIRE(entries_of(left).size() == 1);
    CHECK(entries_of(left).count(untagged["hash"]) == 1);
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
    // Reconciled against account_tx: the deposit and the withdrawal matched by their hashes.
    Answer run = omnid.call_json("POST", "/api/v1/bridge/reconcile", Json{{"bridge", "ripple-1"}}, s.admin);
    require_ok(run, omnid);
    INFO(run.body);
    const Json& t = run.json["bridges"][0]["transactions"];
    CHECK(t["available"] == true);
    CHECK(t["matched"] == 2);
    CHECK(t["internalonly"] == 0);
    CHECK(t["amountmismatch"] == 0);
  }

  SECTION("a destination that does not exist and gets less than the reserve: tecNO_DST_INSUF_XRP, voided") {
    // Less than the reserve (the server's: 1 XRP), to an account that does not exist.
    Answer a = withdraw(omnid, s, "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "0.5");
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
  // The window outlives omnid's restart (60 ledgers of 300 ms).
  const int window = 60;
  const std::string db = og::test::fresh_database("ripplecrash");
  Json dest;
  std::string txid, hash_before, dest_before;
  Setup s;
  {
    Omnid omnid(options_for(rippled, db, window));
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
    // The destination is checked, the withdrawal signed and recorded, and every submission
    // of it is turned away unapplied (a tel result: not applied, not relayed).
    rippled.control("misbehave", Json{{"submit_result", "telCAN_NOT_QUEUE"}, {"count", 100000}});
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
  CHECK(rippled.balance(dest["address"]) == dest_before);  // nothing went out
  rippled.control("misbehave", Json{{"submit_result", ""}});
  Omnid again(options_for(rippled, db, window));
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

TEST_CASE("ripple: withdraw/test asks ripple_path_find, trustlines asks account_lines", "[ripple][paths]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("ripplepaths")));
  Setup s = set_up(omnid, rippled);
  Json sender = rippled.wallet();
  rippled.control("pay", Json{{"from", sender["address"]},
                              {"to", s.hot["address"]},
                              {"amount", "100000000"},
                              {"destination_tag", std::stoull(s.tag)},
                              {"close", true}});
  REQUIRE(eventually([&] { return xrp_of(omnid, s.waid, s.user.apikey)[0] == "100.000000"; }));
  Json dest = rippled.wallet();
  auto test = [&](Json body) {
    body["method"] = "ripple";
    body["waid"] = s.waid;
    return omnid.call_json("POST", "/api/v1/wallet/withdraw/test", body, s.user.apikey);
  };
  const std::string to = dest["address"];

  // Enough funds: one path, in XRP, with the network's fee (read from the server: 10 drops).
  Answer a = test(Json{{"amount", "12.5"}, {"currency", "XRP"}, {"destinationaddress", to + "-123456"}});
  require_ok(a);
  REQUIRE(a.json["paths"].size() == 1);
  CHECK(a.json["paths"][0] ==
        Json{{"sourceamount", "12.500000"}, {"sourcecurrency", "XRP"}, {"fee", "0.000010"}, {"feecurrency", "XRP"}});
  // Not enough: no path (the spec: "present only of enough funds").
  Answer poor = test(Json{{"amount", "500"}, {"currency", "XRP"}, {"destinationaddress", to}});
  require_ok(poor);
  CHECK(poor.json["paths"].empty());

  // Bad input: a clear code, and nothing held.
  CHECK(test(Json{{"destinationaddress", to}}).resultcode() == 10110);
  CHECK(test(Json{{"amount", "1"}, {"destinationaddress", to}}).resultcode() == 10110);
  CHECK(test(Json{{"amount", "1"}, {"currency", "XRP"}, {"destinationamount", "1"}, {"destinationaddress", to}})
            .resultcode() == 10113);
  CHECK(test(Json{{"amount", "1.0000001"}, {"currency", "XRP"}, {"destinationaddress", to}}).resultcode() == 10113);
  CHECK(test(Json{{"amount", "1"}, {"currency", "NOPE"}, {"destinationaddress", to}}).resultcode() == 10113);
  CHECK(test(Json{{"amount", "1"}, {"currency", "CAD"}, {"destinationaddress", to}}).resultcode() == 10113);
  std::string bad_checksum = to;
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  CHECK(test(Json{{"amount", "1"}, {"currency", "XRP"}, {"destinationaddress", bad_checksum}}).resultcode() == 10113);
  CHECK(test(Json{{"destinationamount", "5"}, {"destinationcurrency", "USD"}, {"destinationaddress", to}})
            .resultcode() == 10113);
  CHECK(test(Json{{"destinationamount", "5"}, {"destinationcurrency", "USD/rNOTANADDRESSATALL123456"},
                  {"destinationaddress", to}})
            .resultcode() == 10113);
  CHECK(xrp_of(omnid, s.waid, s.user.apikey) == Json{"100.000000", "0.000000"});

  // Trust lines of an address, as account_lines has them.
  Json issuer = rippled.wallet();
  rippled.control("trust", Json{{"address", dest["address"]},
                                {"currency", "USD"},
                                {"issuer", issuer["address"]},
                                {"limit", "1000"},
                                {"close", true}});
  Answer lines = omnid.call("GET", "/api/v1/wallet/trustlines/ripple/" + to, "", s.user.apikey);
  require_ok(lines);
  CHECK(lines.json["acceptxrps"] == true);
  REQUIRE(lines.json["trustlines"].size() == 1);
  CHECK(lines.json["trustlines"][0] == Json{{"currency", "USD"},
                                            {"issueraddress", issuer["address"]},
                                            {"issuername", ""},
                                            {"balance", "0"},
                                            {"limit", "1000"}});
  // The issuer sees the same line from its side: its limit is 0.
  Answer other = omnid.call("GET", "/api/v1/wallet/trustlines/ripple/" + issuer["address"].get<std::string>(), "",
                            s.user.apikey);
  require_ok(other);
  REQUIRE(other.json["trustlines"].size() == 1);
  CHECK(other.json["trustlines"][0]["issueraddress"] == to);
  CHECK(other.json["trustlines"][0]["limit"] == "0");
  Answer none = omnid.call("GET", "/api/v1/wallet/trustlines/ripple/" + rippled.wallet()["address"].get<std::string>(),
                           "", s.user.apikey);
  require_ok(none);
  CHECK(none.json["trustlines"].empty());
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/ripple/" + bad_checksum, "", s.user.apikey).resultcode() == 10113);
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/ripple/rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "", s.user.apikey)
            .resultcode() == 10140);  // a valid address no ledger has
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/bitcoin/" + to, "", s.user.apikey).resultcode() == 10131);
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/nosuchnet/" + to, "", s.user.apikey).resultcode() == 10113);
}

TEST_CASE("ripple: bridge currencies, issued-currency deposits and withdrawals, balances against the network",
          "[ripple][iou]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("rippleiou")));
  Setup s = set_up(omnid, rippled);
  // An issuer out there (DefaultRipple, so its IOUs ripple between holders), a hot wallet and
  // a customer that trust it.
  Json issuer = rippled.wallet();
  rippled.control("account_set", Json{{"address", issuer["address"]}, {"set_flag", 8}, {"close", true}});
  Json customer = rippled.wallet();
  for (const Json* holder : {&s.hot, &customer})
    rippled.control("trust", Json{{"address", (*holder)["address"]},
                                  {"currency", "USD"},
                                  {"issuer", issuer["address"]},
                                  {"limit", "1000000"},
                                  {"close", true}});
  rippled.control("pay", Json{{"from", issuer["address"]},
                              {"to", customer["address"]},
                              {"amount", Json{{"currency", "USD"}, {"issuer", issuer["address"]}, {"value", "1000"}}},
                              {"close", true}});

  auto create = [&](Json body) {
    return omnid.call_json("POST", "/api/v1/system/currency/bridge/create", body, s.admin);
  };
  Json good{{"parentcurrency", "USD"},
            {"bridgename", "ripple"},
            {"issuername", "Testbank"},
            {"issueraddress", issuer["address"]},
            {"enabledeposit", true},
            {"enablewithdraw", true}};
  // Bad input first: a clear code, and no currency made.
  auto with = [&](const char* key, Json value) {
    Json b = good;
    b[key] = std::move(value);
    return b;
  };
  CHECK(create(with("parentcurrency", "NOPE")).resultcode() == 10113);
  CHECK(create(with("parentcurrency", "XRP")).resultcode() == 10113);
  CHECK(create(with("bridgename", "dogecoin")).resultcode() == 10113);
  CHECK(create(with("bridgename", "bitcoin")).resultcode() == 10131);
  CHECK(create(with("bridgename", "generic")).resultcode() == 10113);
  std::string bad_checksum = issuer["address"];
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  CHECK(create(with("issueraddress", bad_checksum)).resultcode() == 10113);
  CHECK(create(with("issuername", "!!!")).resultcode() == 10113);
  CHECK(omnid.call_json("POST", "/api/v1/system/currency/bridge/create", good, s.user.apikey).resultcode() == 10122);
  Answer made = create(good);
  require_ok(made);
  CHECK(made.json["currencycode"] == "USD.testbank.ripple");
  CHECK(create(good).resultcode() == 10141);  // once per network currency
  Answer listed = omnid.call("GET", "/api/v1/static/currencylist", "", s.user.apikey);
  Json entry;
  for (const auto& c : listed.json["currencylist"])
    if (c["currencycode"] == "USD.testbank.ripple") entry = c;
  CHECK(entry["currencytype"] == "bridge");
  CHECK(entry["network"] == "ripple");
  CHECK(entry["issueraddress"] == issuer["address"]);
  CHECK(entry["depositmethodlist"] == Json::array({"ripple"}));
  CHECK(entry["withdrawmethodlist"] == Json::array({"ripple"}));
  CHECK(entry["currencydecimals"] == 2);

  // A deposit of the IOU by tag credits the bridge currency, by what was delivered.
  Json paid = rippled.control(
      "pay", Json{{"from", customer["address"]},
                  {"to", s.hot["address"]},
                  {"amount", Json{{"currency", "USD"}, {"issuer", issuer["address"]}, {"value", "25.5"}}},
                  {"destination_tag", std::stoull(s.tag)},
                  {"close", true}});
  auto usd = [&] {
    Answer a = omnid.call("GET", "/api/v1/wallet/" + s.waid, "", s.user.apikey);
    for (const auto& b : a.json.value("balances", Json::array()))
      if (b.value("currencycode", "") == "USD.testbank.ripple") return Json{b["available"], b["held"]};
    return Json{"0.00", "0.00"};
  };
  if (!eventually([&] { return usd()[0] == "25.50"; }))
    FAIL("USD.testbank.ripple not credited: " << omnid.call("GET", "/api/v1/wallet/" + s.waid, "", s.user.apikey).body
                                              << "\n" << omnid.log());

  // A withdrawal of it sends the IOU from the hot wallet, and is posted when validated.
  Answer wd = omnid.call("POST", "/api/v1/wallet/withdraw",
                         Json{{"waid", s.waid}, {"currency", "USD.testbank.ripple"}, {"amount", "10.25"},
                              {"method", "ripple"}, {"destinationaddress", customer["address"]}}
                             .dump(),
                         s.user.apikey, {{"Idempotency-Key", "wd-iou-1"}});
  require_ok(wd);
  REQUIRE(eventually([&] { return withdrawal_state(omnid, wd.json["txid"]) == "completed"; }));
  CHECK(usd() == Json{"15.25", "0.00"});
  Json lines = rippled.rpc("account_lines", Json{{"account", customer["address"]}, {"ledger_index", "validated"}});
  CHECK(lines["lines"][0]["balance"] == "984.75");  // 1000 - 25.5 + 10.25

  // The bridge's books against the network: internal 15.25 owed to users; the hot wallet
  // holds 15.25 of the issuer's USD.
  Answer balances = omnid.call("GET", "/api/v1/system/bridge/ripple-1/balances", "", s.admin);
  require_ok(balances);
  Json iou;
  for (const auto& b : balances.json["balances"])
    if (b["currency"] == "USD.testbank.ripple") iou = b;
  CHECK(iou["internalbalance"] == "15.25");
  CHECK(iou["externalbalance"] == "15.25");
  CHECK_FALSE(iou.contains("externalnote"));

  // The network holds more decimals than the currency keeps (2): the external figure shows
  // them exactly, never rounded or left out. (Untagged, the payment itself waits in suspense.)
  rippled.control("pay", Json{{"from", customer["address"]},
                              {"to", s.hot["address"]},
                              {"amount", Json{{"currency", "USD"}, {"issuer", issuer["address"]}, {"value", "0.001"}}},
                              {"close", true}});
  balances = omnid.call("GET", "/api/v1/system/bridge/ripple-1/balances", "", s.admin);
  require_ok(balances);
  for (const auto& b : balances.json["balances"])
    if (b["currency"] == "USD.testbank.ripple") iou = b;
  CHECK(iou["internalbalance"] == "15.25");
  CHECK(iou["externalbalance"] == "15.251");

  // A currency that takes no withdrawals refuses them before any hold.
  Answer eur = omnid.call_json("POST", "/api/v1/system/currency/bridge/create",
                               Json{{"parentcurrency", "EUR"},
                                    {"bridgename", "ripple"},
                                    {"issuername", "Testbank"},
                                    {"issueraddress", issuer["address"]},
                                    {"enabledeposit", true},
                                    {"enablewithdraw", false}},
                               s.admin);
  require_ok(eur);
  CHECK(omnid.call("POST", "/api/v1/wallet/withdraw",
                   Json{{"waid", s.waid}, {"currency", "EUR.testbank.ripple"}, {"amount", "1"}, {"method", "ripple"},
                        {"destinationaddress", customer["address"]}}
                       .dump(),
                   s.user.apikey, {{"Idempotency-Key", "wd-eur-1"}})
            .resultcode() != 10000);
  (void)paid;
}

TEST_CASE("ripple: a profile makes a bridge currency of its own extended currency", "[ripple][iou]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("ripplebc")));
  auto issuer = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  auto other = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  Json address = rippled.wallet();
  require_ok(omnid.call_json("POST", "/api/v1/currency/extended/create",
                             Json{{"currencycode", "CAD"}, {"currencyname", "Acme CAD"}, {"currencydecimals", 2},
                                  {"displaydecimals", 2}, {"issuername", "acme"}},
                             issuer.apikey));
  Json body{{"parentcurrency", "CAD.acme"},
            {"bridgename", "ripple"},
            {"issueraddress", address["address"]},
            {"enabledeposit", true},
            {"enablewithdraw", true}};
  CHECK(omnid.call_json("POST", "/api/v1/currency/bridge/create", body, other.apikey).resultcode() == 10113);
  Json base = body;
  base["parentcurrency"] = "CAD";  // a base currency: only the system call makes those (and 3 < the 5 minimum)
  CHECK(omnid.call_json("POST", "/api/v1/currency/bridge/create", base, issuer.apikey).resultcode() == 10111);
  base["parentcurrency"] = "CAD.nosuch";
  CHECK(omnid.call_json("POST", "/api/v1/currency/bridge/create", base, issuer.apikey).resultcode() == 10113);
  Answer made = omnid.call_json("POST", "/api/v1/currency/bridge/create", body, issuer.apikey);
  require_ok(made);
  CHECK(made.json["issueraddress"] == address["address"]);
  CHECK(made.json["currencycode"] == "CAD.acme.ripple");
  Answer mine = omnid.call("GET", "/api/v1/currency/list", "", issuer.apikey);
  bool found = false;
  for (const auto& c : mine.json["currencylist"])
    if (c["currencycode"] == "CAD.acme.ripple") {
      found = true;
      CHECK(c["type"] == "bridge");
      CHECK(c["issueraddress"] == address["address"]);
    }
  CHECK(found);
  CHECK(omnid.call_json("POST", "/api/v1/currency/bridge/create", body, issuer.apikey).resultcode() == 10141);
}

TEST_CASE("ripple: profile addresses, their trust lines and RequireDest, DefaultRipple once funded",
          "[ripple][profileaddress]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("ripplepa")));
  Setup s = set_up(omnid, rippled);
  auto issuer = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  auto other = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  auto post = [&](const std::string& path, const Json& body, const std::string& key) {
    return omnid.call_json("POST", path, body, key);
  };
  CHECK(post("/api/v1/currency/profileaddress/create", Json{{"bridgename", "dogecoin"}}, issuer.apikey).resultcode() ==
        10113);
  CHECK(post("/api/v1/currency/profileaddress/create", Json{{"bridgename", "bitcoin"}}, issuer.apikey).resultcode() ==
        10131);
  Answer made = post("/api/v1/currency/profileaddress/create", Json{{"bridgename", "ripple"}}, issuer.apikey);
  require_ok(made);
  const std::string address = made.json["profileaddress"];
  CHECK(made.json["bridgename"] == "ripple");
  CHECK(address.size() >= 25);
  CHECK(address[0] == 'r');
  // Asking again (by either spelling) answers the same address; the profile has it.
  CHECK(post("/api/v1/currency/address/create", Json{{"bridgename", "ripple"}}, issuer.apikey).json["profileaddress"] ==
        address);
  Answer profile = omnid.call("GET", "/api/v1/profile", "", issuer.apikey);
  CHECK(profile.body.find(address) != std::string::npos);
  // The seed is the platform's, kept encrypted, never answered.
  Answer accounts = omnid.call("GET", "/api/v1/system/bridge/ripple-1/externalaccountlist", "", s.admin);
  CHECK(accounts.body.find(address) != std::string::npos);
  CHECK(accounts.body.find("\"sEd") == std::string::npos);

  // Not funded yet: changing it is refused (and says why).
  Answer early = post("/api/v1/currency/address/attribute",
                      Json{{"bridgename", "ripple"}, {"address", address}, {"destinationtagrequired", true}},
                      issuer.apikey);
  CHECK(early.resultcode() == 10131);
  CHECK(early.message().find("not funded") != std::string::npos);

  // Funded: DefaultRipple is set on it by the watcher (it issues), RequireDest on request.
  rippled.control("fund", Json{{"address", address}, {"xrp", "50000000"}, {"close", true}});
  auto flags = [&] {
    Json r = rippled.rpc("account_info", Json{{"account", address}, {"ledger_index", "validated"}});
    return r.contains("account_data") ? r["account_data"].value("Flags", 0u) : 0u;
  };
  REQUIRE(eventually([&] {
    rippled.close();
    return (flags() & 0x00800000u) != 0;
  }));
  require_ok(post("/api/v1/currency/address/attribute",
                  Json{{"bridgename", "ripple"}, {"address", address}, {"destinationtagrequired", true}},
                  issuer.apikey));
  rippled.close();
  CHECK((flags() & 0x00020000u) != 0);  // lsfRequireDestTag
  require_ok(post("/api/v1/currency/address/attribute",
                  Json{{"bridgename", "ripple"}, {"address", address}, {"destinationtagrequired", false}},
                  issuer.apikey));
  rippled.close();
  CHECK((flags() & 0x00020000u) == 0);

  // A trust line from it to an issuer, as account_lines then shows.
  Json bank = rippled.wallet();
  Json line{{"bridgename", "ripple"},
            {"hostedaddress", address},
            {"trustedaddress", bank["address"]},
            {"currencycode", "USD"},
            {"amount", "5000"}};
  require_ok(post("/api/v1/currency/address/trustline", line, issuer.apikey), omnid);
  rippled.close();
  Json lines = rippled.rpc("account_lines", Json{{"account", address}, {"ledger_index", "validated"}});
  REQUIRE(lines["lines"].size() == 1);
  CHECK(lines["lines"][0]["limit"] == "5000");
  CHECK(lines["lines"][0]["account"] == bank["address"]);

  // Bad input and other profiles' addresses: refused, nothing sent.
  auto with = [&](const char* key, Json value) {
    Json b = line;
    b[key] = std::move(value);
    return post("/api/v1/currency/address/trustline", b, issuer.apikey).resultcode();
  };
  CHECK(post("/api/v1/currency/address/trustline", line, other.apikey).resultcode() == 10140);
  CHECK(with("trustedaddress", "rNOTANADDRESSATALL123456") == 10113);
  CHECK(with("currencycode", "XRP") == 10113);
  CHECK(with("amount", "-1") == 10113);
  CHECK(with("trustedaddress", address) == 10113);
  CHECK(post("/api/v1/currency/address/attribute", Json{{"bridgename", "ripple"}, {"address", address}},
             issuer.apikey)
            .resultcode() == 10110);
  CHECK(post("/api/v1/currency/address/attribute",
             Json{{"bridgename", "ripple"}, {"address", s.hot["address"]}, {"destinationtagrequired", true}},
             issuer.apikey)
            .resultcode() == 10140);  // the hot wallet is not the profile's

  // The profile's addresses, with the trust lines they need: one per bridge currency.
  require_ok(omnid.call_json("POST", "/api/v1/system/currency/bridge/create",
                             Json{{"parentcurrency", "USD"},
                                  {"bridgename", "ripple"},
                                  {"issuername", "Bank"},
                                  {"issueraddress", bank["address"]}},
                             s.admin),
             omnid);
  Answer list = omnid.call("GET", "/api/v1/currency/address", "", issuer.apikey);
  require_ok(list, omnid);
  CHECK(list.json["profileaddresslist"]["ripple"]["profileaddress"] == address);
  CHECK(list.json["profileaddresslist"]["ripple"]["trustlinelist"] ==
        Json::array({Json{{"issueraddress", bank["address"]}, {"currency", "USD"}}}));
  Answer by_upid = omnid.call("GET", "/api/v1/currency/" + issuer.upid + "/address", "", s.admin);
  require_ok(by_upid);
  CHECK(by_upid.json["profileaddresslist"] == list.json["profileaddresslist"]);
  CHECK(omnid.call("GET", "/api/v1/currency/" + issuer.upid + "/address", "", other.apikey).resultcode() == 10140);
  CHECK(omnid.call("GET", "/api/v1/currency/address", "", other.apikey).json["profileaddresslist"] == Json::object());
}

namespace {

// An issuing address of the bridge whose key the platform holds (an external account with
// `issuing`), funded on the double, with DefaultRipple set by the watcher; a customer that
// trusts it for USD.
struct Issuing {
  Json issuer, customer;
  Omnid::Credential caller;  // may issue (createcurrency)
};

Issuing set_up_issuing(Omnid& omnid, RippledDouble& rippled, const Setup& s) {
  Issuing i;
  i.issuer = rippled.wallet();
  require_ok(omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                             Json{{"bridgename", "ripple"},
                                  {"instanceid", 1},
                                  {"accountdata", Json{{"address", i.issuer["address"]},
                                                       {"seed", i.issuer["seed"]},
                                                       {"issuing", true},
                                                       {"label", "our issuer"}}}},
                             s.admin));
  REQUIRE(eventually([&] {
    rippled.close();
    Json r = rippled.rpc("account_info", Json{{"account", i.issuer["address"]}, {"ledger_index", "validated"}});
    return r.contains("account_data") && (r["account_data"].value("Flags", 0u) & 0x00800000u) != 0;
  }));
  i.customer = rippled.wallet();
  rippled.control("trust", Json{{"address", i.customer["address"]},
                                {"currency", "USD"},
                                {"issuer", i.issuer["address"]},
                                {"limit", "1000000"},
                                {"close", true}});
  i.caller = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  return i;
}

// The receiver's USD balance on its line to `issuer`, as the double's validated ledger has it.
std::string usd_line(RippledDouble& rippled, const std::string& holder, const std::string& issuer) {
  Json lines = rippled.rpc("account_lines", Json{{"account", holder}, {"ledger_index", "validated"}});
  for (const auto& l : lines.value("lines", Json::array()))
    if (l.value("account", "") == issuer && l.value("currency", "") == "USD") return l.value("balance", "");
  return "";
}

// Payments the account sent, as its validated history has them.
int payments_from(RippledDouble& rippled, const std::string& account) {
  Json history = rippled.rpc("account_tx", Json{{"account", account}, {"ledger_index_min", -1},
                                                {"ledger_index_max", -1}, {"limit", 400}});
  int n = 0;
  for (const auto& t : history.value("transactions", Json::array()))
    if (t.contains("tx") && t["tx"].value("TransactionType", "") == "Payment" && t["tx"].value("Account", "") == account)
      ++n;
  return n;
}

Answer issue_iou(Omnid& omnid, const Issuing& i, const Json& body, const std::string& key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return omnid.call("POST", "/api/v1/currency/issueiou", body.dump(), i.caller.apikey, headers);
}

}  // namespace

TEST_CASE("ripple: currency/issueiou sends IOUs from our issuing address, once per Idempotency-Key", "[ripple][issueiou]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  Omnid omnid(options_for(rippled, og::test::fresh_database("rippleissue")));
  Setup s = set_up(omnid, rippled);
  Issuing i = set_up_issuing(omnid, rippled, s);
  const std::string issuer = i.issuer["address"], customer = i.customer["address"], hot = s.hot["address"];
  Json good{{"network", "ripple"},
            {"issueraddress", issuer},
            {"receiveraddress", customer},
            {"currencycode", "USD"},
            {"amount", "100"}};
  auto with = [&](const char* name, Json value) {
    Json b = good;
    b[name] = std::move(value);
    return b;
  };
  auto without = [&](const char* name) {
    Json b = good;
    b.erase(name);
    return b;
  };

  // Bad input: a clear code, nothing recorded, nothing sent.
  const long long submits_before = rippled.control("state")["submits"].get<long long>();
  std::string bad_checksum = customer;
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  std::string bad_issuer = issuer;
  bad_issuer.back() = bad_issuer.back() == 'a' ? 'b' : 'a';
  auto account_id = *og::xrpl::decode_classic_address(customer);
  const std::string x_tagged = og::xrpl::encode_x_address(account_id, 5u, /*test_net=*/false);
  const std::string x_test_net = og::xrpl::encode_x_address(account_id, std::nullopt, /*test_net=*/true);
  Json untrusting = rippled.wallet();
  struct Case {
    const char* what;
    Json body;
    int code;
  };
  const std::vector<Case> cases = {
      {"no network", without("network"), 10110},
      {"unknown network", with("network", "dogecoin"), 10113},
      {"a network not built", with("network", "bitcoin"), 10131},
      {"an instance not configured", with("network", "ripple-9"), 10131},
      {"no issuer", without("issueraddress"), 10110},
      {"issuer checksum", with("issueraddress", bad_issuer), 10113},
      {"issuer too short", with("issueraddress", "rabc"), 10111},
      {"issuer not ours", with("issueraddress", untrusting["address"]), 10140},
      {"the hot wallet is no issuer", with("issueraddress", hot), 10140},
      {"receiver checksum", with("receiveraddress", bad_checksum), 10113},
      {"receiver not an address", with("receiveraddress", "not an address"), 10113},
      {"receiver is the issuer", with("receiveraddress", issuer), 10113},
      {"receiver on the test net", with("receiveraddress", x_test_net), 10113},
      {"tag beyond 32 bits", with("receiverdesttag", 4294967296LL), 10113},
      {"negative tag", with("receiverdesttag", -1), 10113},
      {"tag not a number", with("receiverdesttag", "twelve"), 10112},
      {"currency XRP", with("currencycode", "XRP"), 10113},
      {"currency lower case", with("currencycode", "usd"), 10113},
      {"currency of 4", with("currencycode", "USDX"), 10111},
      {"amount zero", with("amount", "0"), 10113},
      {"amount negative", with("amount", "-5"), 10113},
      {"amount not a number", with("amount", "1e3"), 10113},
      {"amount of 16 significant digits", with("amount", "1.234567890123456"), 10113},
      {"amount too long", with("amount", "12345678901234567890123456"), 10111},
      {"a receiver without a trust line", with("receiveraddress", untrusting["address"]), 10113},
      {"the hot wallet without a tag", with("receiveraddress", hot), 10110},
  };
  int n = 0;
  for (const auto& c : cases) {
    Answer a = issue_iou(omnid, i, c.body, "bad-" + std::to_string(n++));
    INFO(c.what << ": " << a.body);
    CHECK(a.resultcode() == c.code);
  }
  {
    Json b = with("receiveraddress", x_tagged);
    b["receiverdesttag"] = 6;
    Answer a = issue_iou(omnid, i, b, "bad-x-tag");
    INFO(a.body);
    CHECK(a.resultcode() == 10113);
  }
  CHECK(issue_iou(omnid, i, good, "").resultcode() == 10110);  // no Idempotency-Key
  CHECK(omnid.call("POST", "/api/v1/currency/issueiou", good.dump(), s.user.apikey, {{"Idempotency-Key", "x"}})
            .resultcode() == 10122);  // no right to issue
  CHECK(count_of(omnid, "SELECT count(*) FROM bridge_sends") == 0);
  CHECK(count_of(omnid, "SELECT count(*) FROM idempotency_keys") == 0);
  CHECK(rippled.control("state")["submits"].get<long long>() == submits_before);
  CHECK(usd_line(rippled, customer, issuer) == "0");

  // To a receiver that trusts the issuer: it arrives, once per key.
  Answer first = issue_iou(omnid, i, good, "iou-1");
  require_ok(first, omnid);
  const std::string hash = first.json.value("transactionhash", "");
  CHECK(hash.size() == 64);
  REQUIRE(eventually([&] { return usd_line(rippled, customer, issuer) == "100"; }));
  Answer again = issue_iou(omnid, i, good, "iou-1");
  require_ok(again);
  CHECK(again.json.value("transactionhash", "") == hash);
  CHECK(issue_iou(omnid, i, with("amount", "101"), "iou-1").resultcode() == 10150);  // the key, another request
  rippled.close();
  rippled.close();
  CHECK(usd_line(rippled, customer, issuer) == "100");
  CHECK(payments_from(rippled, issuer) == 1);
  CHECK(count_of(omnid, "SELECT count(*) FROM bridge_sends") == 1);
  Json seen = rippled.rpc("tx", Json{{"transaction", hash}});
  CHECK(seen.value("validated", false));
  // The job follows it to its validated end.
  REQUIRE(eventually([&] { return count_of(omnid, "SELECT count(*) FROM bridge_sends WHERE state = 'completed'") == 1; }));

  // To the hot wallet with a wallet's tag, in a bridge currency: the watcher credits it.
  rippled.control("trust", Json{{"address", hot}, {"currency", "USD"}, {"issuer", issuer}, {"limit", "1000000"},
                                {"close", true}});
  require_ok(omnid.call_json("POST", "/api/v1/system/currency/bridge/create",
                             Json{{"parentcurrency", "USD"},
                                  {"bridgename", "ripple"},
                                  {"issuername", "Ourbank"},
                                  {"issueraddress", issuer}},
                             s.admin),
             omnid);
  Json to_hot = with("receiveraddress", hot);
  to_hot["receiverdesttag"] = std::stoll(s.tag);
  to_hot["amount"] = "40.5";
  require_ok(issue_iou(omnid, i, to_hot, "iou-hot"), omnid);
  auto usd = [&] {
    Answer a = omnid.call("GET", "/api/v1/wallet/" + s.waid, "", s.user.apikey);
    for (const auto& b : a.json.value("balances", Json::array()))
      if (b.value("currencycode", "") == "USD.ourbank.ripple") return b.value("available", "");
    return std::string();
  };
  if (!eventually([&] { return usd() == "40.50"; }))
    FAIL("not credited: " << omnid.call("GET", "/api/v1/wallet/" + s.waid, "", s.user.apikey).body << "\n"
                          << omnid.log());
  // The same with the hot wallet's X-address carrying the tag (and the same tag as a param).
  Json x_hot = to_hot;
  x_hot["receiveraddress"] = og::xrpl::encode_x_address(*og::xrpl::decode_classic_address(hot),
                                                        static_cast<std::uint32_t>(std::stoull(s.tag)), false);
  x_hot["amount"] = "0.5";
  require_ok(issue_iou(omnid, i, x_hot, "iou-hot-x"), omnid);
  REQUIRE(eventually([&] { return usd() == "41.00"; }));

  // The bridge's balances: what users hold (41), what the hot wallet holds of it on the
  // network (41) and what our issuer issued in total (the customer's 100 and the hot wallet's 41).
  Answer balances = omnid.call("GET", "/api/v1/system/bridge/ripple-1/balances", "", s.admin);
  require_ok(balances);
  Json entry;
  for (const auto& b : balances.json["balances"])
    if (b["currency"] == "USD.ourbank.ripple") entry = b;
  INFO(balances.body);
  CHECK(entry.value("internalbalance", "") == "41.00");
  CHECK(entry.value("externalbalance", "") == "41.00");
  CHECK(entry.value("externalissued", "") == "141.00");
  // XRP is no currency an issuing address of ours issues.
  for (const auto& b : balances.json["balances"])
    if (b["currency"] == "XRP") CHECK_FALSE(b.contains("externalissued"));
}

TEST_CASE("ripple: kill -9 between recording an issueiou and submitting it sends the same transaction, once",
          "[ripple][issueiou][crash]") {
  INFO("the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(RippledDouble::available());
  RippledDouble rippled;
  const int window = 60;  // outlives the restart (60 ledgers of 300 ms)
  const std::string db = og::test::fresh_database("rippleissuecrash");
  Json body;
  Issuing i;
  std::string hash;
  {
    Omnid omnid(options_for(rippled, db, window));
    Setup s = set_up(omnid, rippled);
    i = set_up_issuing(omnid, rippled, s);
    body = Json{{"network", "ripple"},
                {"issueraddress", i.issuer["address"]},
                {"receiveraddress", i.customer["address"]},
                {"receiverdesttag", 77},
                {"currencycode", "USD"},
                {"amount", "12.75"}};
    // Recorded, and every submission turned away unapplied (a tel result).
    rippled.control("misbehave", Json{{"submit_result", "telCAN_NOT_QUEUE"}, {"count", 100000}});
    Answer a = issue_iou(omnid, i, body, "crash-1");
    INFO(a.body);
    CHECK(a.resultcode() == 10151);  // not known yet: retry with the same key
    pqxx::connection c(omnid.db_conninfo());
    pqxx::nontransaction tx(c);
    auto r = tx.exec("SELECT state, external_txid, prepared FROM bridge_sends");
    REQUIRE(r.size() == 1);
    CHECK(r[0][0].as<std::string>() == "submitting");
    hash = r[0][1].as<std::string>();
    CHECK(Json::parse(r[0][2].as<std::string>())["hash"] == hash);
    CHECK(issue_iou(omnid, i, body, "crash-1").resultcode() == 10151);
    omnid.stop(SIGKILL);
  }
  CHECK(usd_line(rippled, i.customer["address"], i.issuer["address"]) == "0");  // nothing went out
  rippled.control("misbehave", Json{{"submit_result", ""}});
  Omnid again(options_for(rippled, db, window));
  REQUIRE(eventually([&] { return usd_line(rippled, i.customer["address"], i.issuer["address"]) == "12.75"; }, 60s));
  REQUIRE(eventually([&] { return count_of(again, "SELECT count(*) FROM bridge_sends WHERE state = 'completed'") == 1; }));
  pqxx::connection c(again.db_conninfo());
  pqxx::nontransaction tx(c);
  CHECK(tx.exec1("SELECT external_txid FROM bridge_sends")[0].as<std::string>() == hash);  // never signed again
  Answer retried = issue_iou(again, i, body, "crash-1");
  require_ok(retried, again);
  CHECK(retried.json.value("transactionhash", "") == hash);
  Json seen = rippled.rpc("tx", Json{{"transaction", hash}});
  CHECK(seen.value("validated", false));
  CHECK(seen.value("DestinationTag", 0) == 77);
  rippled.close();
  CHECK(payments_from(rippled, i.issuer["address"]) == 1);  // once
  CHECK(usd_line(rippled, i.customer["address"], i.issuer["address"]) == "12.75");
}
