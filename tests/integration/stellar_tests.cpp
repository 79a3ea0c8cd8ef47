// The Stellar bridge end to end: a real omnid (its own PostgreSQL) talks to the Horizon
// stand-in of tests/doubles/horizon/, which decodes every envelope omnid submits and checks
// its signature with @stellar/stellar-sdk (docs/stellar.md).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <thread>

#include "common/json.h"
#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"
#include "tests/support/horizon_double.h"
#include "tests/support/bridge_tests.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::count_of;
using og::test::eventually;
using og::test::require_ok;
using og::test::withdrawal_state;
using og::test::HorizonDouble;
using og::test::Omnid;
using og::test::OmnidOptions;
using namespace std::chrono_literals;

namespace {

OmnidOptions options_for(const HorizonDouble& h, const std::string& database_url, const std::string& extra = "") {
  OmnidOptions o;
  o.dev = false;
  o.extra_toml = "[[bridge]]\nname = \"stellar\"\nurl = \"" + h.url() + "\"\nnetwork_passphrase = \"" +
                 HorizonDouble::kPassphrase + "\"\npoll_seconds = 1\ntimeout_seconds = 5\n" + extra;
  o.database_url = database_url;
  o.config = {{"jobs.lease_seconds", "2"}, {"outbox.retry_initial_seconds", "1"}, {"outbox.retry_max_seconds", "1"}};
  return o;
}

std::string new_account() { return og::stellar::KeyPair::random().account_id(); }

struct Setup {
  std::string hot, seed;
  std::string admin;
  Omnid::Credential user;
  std::string waid, address, memo;
};

Setup set_up(Omnid& omnid, HorizonDouble& h, bool close = false) {
  Setup s;
  const auto key = og::stellar::KeyPair::random();
  s.hot = key.account_id();
  s.seed = key.secret();
  h.control("fund", Json{{"account", s.hot}, {"xlm", "1000"}, {"close", close}});
  s.admin = omnid.create_api_key({"system-admin"});
  require_ok(omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                             Json{{"bridgename", "stellar"},
                                  {"instanceid", 1},
                                  {"accountdata", Json{{"address", s.hot}, {"seed", s.seed}, {"label", "hot"}}}},
                             s.admin));
  s.user = omnid.create_profile_with_key({"profile-admin"});
  Answer w = omnid.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", "XLM"}}, s.user.apikey);
  require_ok(w);
  s.waid = w.json["waid"];
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "stellar"}},
                             s.admin);
  require_ok(d);
  s.address = d.json["depositaddress"];
  s.memo = s.address.substr(s.address.find('-') + 1);
  return s;
}

// {available, held} of XLM in a wallet.
Json xlm_of(Omnid& omnid, const std::string& waid, const std::string& key) {
  Answer a = omnid.call("GET", "/api/v1/wallet/" + waid, "", key);
  for (const auto& bal : a.json.value("balances", Json::array()))
    if (bal["currencycode"] == "XLM") return Json{bal["available"], bal["held"]};
  return Json{"0.0000000", "0.0000000"};
}

Answer withdraw(Omnid& omnid, const Setup& s, const std::string& destination, const std::string& amount,
                const std::string& currency = "XLM") {
  return omnid.call("POST", "/api/v1/wallet/withdraw",
                    Json{{"waid", s.waid}, {"currency", currency}, {"amount", amount}, {"method", "stellar"},
                         {"destinationaddress", destination}}
                        .dump(),
                    s.user.apikey, {{"Idempotency-Key", "wd-" + destination + "-" + amount + "-" + currency}});
}

// The hot account's submitted transactions that carry an operation to `dest`.
Json payments_to(HorizonDouble& h, const std::string& hot, const std::string& dest) {
  Json out = Json::array();
  for (const auto& t : h.submitted_by(hot))
    for (const auto& op : t["ops"])
      if (op.value("destination", "") == dest) out.push_back(t);
  return out;
}

// A deposit to the hot account, from outside: {hash, ledger, successful}.
Json pay(HorizonDouble& h, const std::string& hot, const std::string& amount, Json memo = nullptr,
         bool successful = true) {
  Json p{{"from", new_account()}, {"to", hot}, {"amount", amount}, {"successful", successful}};
  if (!memo.is_null()) {
    p["memo_type"] = "id";
    p["memo"] = memo;
  }
  return h.control("pay", p);
}

// Funds the user's wallet through a deposit with its memo.
void fund_wallet(Omnid& omnid, HorizonDouble& h, const Setup& s, const std::string& amount, const std::string& expect) {
  pay(h, s.hot, amount, s.memo);
  REQUIRE(eventually([&] { return xlm_of(omnid, s.waid, s.user.apikey)[0] == expect; }));
}

void rounds() { std::this_thread::sleep_for(2500ms); }

}  // namespace

TEST_CASE("stellar: deposits by memo id, once by operation id; memo-less, unknown and failed ones",
          "[stellar][deposit]") {
  INFO("the Horizon double needs node and tests/doubles/node_modules (scripts/deps.sh test)");
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  Omnid omnid(options_for(h, og::test::fresh_database("xlmdep")));
  Setup s = set_up(omnid, h);
  CHECK(s.address.rfind(s.hot + "-", 0) == 0);
  CHECK(s.memo.find_first_not_of("0123456789") == std::string::npos);
  CHECK(omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "stellar"}}, s.admin)
            .json["depositaddress"] == s.address);
  // The seed is masked in every answer.
  Answer accounts = omnid.call("GET", "/api/v1/system/bridge/stellar-1/externalaccountlist", "", s.admin);
  CHECK(accounts.body.find(s.seed) == std::string::npos);
  CHECK(accounts.body.find("********") != std::string::npos);
  // SEP-29: the hot account publishes config.memo_required (a ManageData omnid signed).
  REQUIRE(eventually([&] { return h.account(s.hot)["data"].value("config.memo_required", "") == "MQ=="; }));

  SECTION("credited once, however many rounds see it") {
    Json paid = pay(h, s.hot, "12.5", s.memo);
    REQUIRE(eventually([&] { return xlm_of(omnid, s.waid, s.user.apikey)[0] == "12.5000000"; }));
    pay(h, s.hot, "0.0000001", s.memo);
    REQUIRE(eventually([&] { return xlm_of(omnid, s.waid, s.user.apikey)[0] == "12.5000001"; }));
    rounds();
    CHECK(xlm_of(omnid, s.waid, s.user.apikey)[0] == "12.5000001");
    CHECK(count_of(omnid, "SELECT count(*) FROM transactions WHERE type = 'deposit'") == 2);
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox WHERE address = $1", s.address) == 2);

    // To the hot account's muxed M... address whose id is the wallet's memo: the same wallet.
    const std::string muxed = og::stellar::encode_muxed_account(
        og::stellar::MuxedAccount{*og::stellar::decode_account_id(s.hot), std::stoull(s.memo)});
    h.control("pay", Json{{"from", new_account()}, {"to", muxed}, {"amount", "1"}});
    REQUIRE(eventually([&] { return xlm_of(omnid, s.waid, s.user.apikey)[0] == "13.5000001"; }));
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox WHERE address = $1", s.address) == 3);
    // A restart of the watcher's position's reader: nothing again (the position persisted).
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_positions WHERE bridge = 'stellar' AND account = $1", s.hot) == 1);
  }

  SECTION("memo-less and unknown-memo deposits wait in suspense; failed ones are never recorded") {
    Json bare = pay(h, s.hot, "3");
    Json unknown = pay(h, s.hot, "4", "424242");
    Json failed = pay(h, s.hot, "5", s.memo, false);
    CHECK(failed["successful"] == false);
    Json listed;
    REQUIRE(eventually([&] {
      listed = omnid.call("GET", "/api/v1/system/bridge/stellar-1/suspense", "", s.admin).json;
      int found = 0;
      for (const auto& e : listed.value("suspense", Json::array()))
        if (e["amount"] == "3.0000000" || e["amount"] == "4.0000000") ++found;
      return found == 2;
    }));
    for (const auto& e : listed["suspense"]) {
      if (e["amount"] == "3.0000000") CHECK(e["address"] == s.hot);
      if (e["amount"] == "4.0000000") CHECK(e["address"] == s.hot + "-424242");
    }
    rounds();
    CHECK(xlm_of(omnid, s.waid, s.user.apikey)[0] == "0.0000000");
    CHECK(count_of(omnid, "SELECT count(*) FROM bridge_inbox WHERE amount = '5.0000000'") == 0);
  }
}

TEST_CASE("stellar: withdrawals checked before any hold, signed once, the same envelope after a 504",
          "[stellar][withdraw]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  Omnid omnid(options_for(h, og::test::fresh_database("xlmwd"), "tx_timeout_seconds = 30\n"));
  Setup s = set_up(omnid, h);
  fund_wallet(omnid, h, s, "100", "100.0000000");
  const std::string dest = new_account();
  h.control("fund", Json{{"account", dest}, {"xlm", "10"}, {"close", true}});  // in a closed ledger: Horizon shows it
  REQUIRE(h.balance(dest) == "10.0000000");

  SECTION("posted once the payment is in a ledger; the destination paid once") {
    Answer a = withdraw(omnid, s, dest, "2.5");
    require_ok(a);
    const std::string txid = a.json["txid"];
    CHECK(xlm_of(omnid, s.waid, s.user.apikey) == Json{"97.5000000", "2.5000000"});
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    CHECK(xlm_of(omnid, s.waid, s.user.apikey) == Json{"97.5000000", "0.0000000"});
    CHECK(h.balance(dest) == "12.5000000");
    Json sent = payments_to(h, s.hot, dest);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0]["successful"] == true);
    CHECK(sent[0]["ops"][0]["type"] == "payment");
    pqxx::connection c(omnid.db_conninfo());
    pqxx::nontransaction tx(c);
    CHECK(tx.exec_params1("SELECT external_txid FROM bridge_withdrawals WHERE txid = $1", txid)[0].as<std::string>() ==
          sent[0]["hash"].get<std::string>());
  }

  SECTION("with a memo id, and to an account that does not exist yet (CreateAccount)") {
    Answer a = withdraw(omnid, s, dest + "-987654321", "1");
    require_ok(a);
    const std::string fresh = new_account();
    Answer b = withdraw(omnid, s, fresh, "1.5");
    require_ok(b);
    REQUIRE(eventually([&] {
      return withdrawal_state(omnid, a.json["txid"]) == "completed" && withdrawal_state(omnid, b.json["txid"]) == "completed";
    }));
    Json sent = payments_to(h, s.hot, dest);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0]["memo_type"] == "id");
    CHECK(sent[0]["memo"] == "987654321");
    CHECK(h.balance(fresh) == "1.5000000");
    CHECK(payments_to(h, s.hot, fresh)[0]["ops"][0]["type"] == "createAccount");
  }

  SECTION("a 504 after the network applied it: found by its hash, one payment") {
    h.control("misbehave", Json{{"submit_504", 1}});
    Answer a = withdraw(omnid, s, dest, "3");
    require_ok(a);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, a.json["txid"]) == "completed"; }));
    CHECK(payments_to(h, s.hot, dest).size() == 1);
    CHECK(h.balance(dest) == "13.0000000");
    CHECK(h.log().find("misbehave submit_504: applied") != std::string::npos);
  }

  SECTION("a 504 before the network saw it: the same envelope (same hash) again, one payment") {
    h.control("misbehave", Json{{"submit_504_unapplied", 2}});
    Answer a = withdraw(omnid, s, dest, "4");
    require_ok(a);
    const std::string txid = a.json["txid"];
    std::string hash_before;
    REQUIRE(eventually([&] {
      pqxx::connection c(omnid.db_conninfo());
      pqxx::nontransaction tx(c);
      auto r = tx.exec_params("SELECT coalesce(prepared, '') FROM bridge_withdrawals WHERE txid = $1", txid);
      if (r.empty() || r[0][0].as<std::string>().empty()) return false;
      hash_before = Json::parse(r[0][0].as<std::string>())["hash"];
      return true;
    }));
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "completed"; }));
    Json sent = payments_to(h, s.hot, dest);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0]["hash"] == hash_before);
    CHECK(h.balance(dest) == "14.0000000");
  }

  SECTION("never in a ledger before its time bounds passed: voided, nothing paid") {
    h.control("misbehave", Json{{"submit_504_unapplied", 100000}});
    Answer a = withdraw(omnid, s, dest, "6");
    require_ok(a);
    const std::string txid = a.json["txid"];
    REQUIRE(eventually([&] {
      return count_of(omnid, "SELECT coalesce(max(attempts), 0) FROM bridge_withdrawals WHERE txid = $1", txid) >= 2;
    }));
    CHECK(withdrawal_state(omnid, txid) != "failed");
    h.control("advance_time", Json{{"seconds", 120}});
    REQUIRE(eventually([&] { return withdrawal_state(omnid, txid) == "failed"; }));
    CHECK(xlm_of(omnid, s.waid, s.user.apikey) == Json{"100.0000000", "0.0000000"});
    h.control("misbehave", Json{{"clear", true}});
    rounds();
    CHECK(payments_to(h, s.hot, dest).empty());
    CHECK(h.balance(dest) == "10.0000000");
  }

  SECTION("bad destinations, currencies and amounts are refused before any hold and change nothing") {
    const std::string memo_required = new_account();
    h.control("fund", Json{{"account", memo_required}, {"xlm", "5"}, {"close", true}});
    h.control("set_data",
              Json{{"account", memo_required}, {"name", "config.memo_required"}, {"value", "1"}, {"close", true}});
    REQUIRE(h.account(memo_required)["data"].value("config.memo_required", "") == "MQ==");
    Answer m = withdraw(omnid, s, memo_required, "1");
    CHECK(m.resultcode() == 10113);
    CHECK(m.message().find("requires a memo") != std::string::npos);
    std::string bad_checksum = dest;
    bad_checksum.back() = bad_checksum.back() == 'A' ? 'B' : 'A';
    for (const std::string& bad :
         {bad_checksum, std::string("not an address"), dest + "-", dest + "-x1", dest + "-18446744073709551616",
          s.seed, s.hot, s.address, std::string("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")}) {
      Answer r = withdraw(omnid, s, bad, "1");
      INFO(bad << ": " << r.body);
      CHECK(r.resultcode() == 10113);
      CHECK(r.body.find(s.seed) == std::string::npos);
    }
    CHECK(withdraw(omnid, s, dest, "0.00000001").resultcode() == 10113);  // XLM has 7 decimals
    CHECK(withdraw(omnid, s, dest, "-1").resultcode() != 10000);
    CHECK(withdraw(omnid, s, dest, "1", "BTC").resultcode() == 10113);
    // A memo-required destination with its memo is fine.
    Answer ok = withdraw(omnid, s, memo_required + "-5", "1");
    require_ok(ok);
    REQUIRE(eventually([&] { return withdrawal_state(omnid, ok.json["txid"]) == "completed"; }));
    CHECK(xlm_of(omnid, s.waid, s.user.apikey) == Json{"99.0000000", "0.0000000"});
    CHECK(count_of(omnid, "SELECT count(*) FROM transactions WHERE type = 'withdraw'") == 1);
    CHECK(payments_to(h, s.hot, dest).empty());
  }

  SECTION("balances: internal against the hot account's on the network") {
    Answer bal = omnid.call("GET", "/api/v1/system/bridge/stellar-1/balances", "", s.admin);
    require_ok(bal);
    Json xlm;
    for (const auto& e : bal.json["balances"])
      if (e["currency"] == "XLM") xlm = e;
    INFO(bal.body);
    CHECK(xlm["internalbalance"] == "100.0000000");
    // 1000 funded + 100 deposited - 100 stroops for config.memo_required.
    CHECK(xlm["externalbalance"] == h.balance(s.hot));
    CHECK(xlm["externalbalance"] == "1099.9999900");
  }
  CHECK(omnid.log().find(s.seed) == std::string::npos);
}

TEST_CASE("stellar: kill -9 after the envelope is recorded and before its outcome pays once", "[stellar][crash]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h(0);  // ledgers close only when the test says so
  const std::string db = og::test::fresh_database("xlmcrash");
  std::string txid, dest = new_account();
  Setup s;
  {
    Omnid omnid(options_for(h, db));
    s = set_up(omnid, h, true);
    h.control("fund", Json{{"account", dest}, {"xlm", "10"}, {"close", true}});
    // config.memo_required first (its submission waits for a ledger).
    REQUIRE(eventually([&] {
      h.control("close");
      return h.account(s.hot)["data"].contains("config.memo_required");
    }));
    h.control("pay", Json{{"from", new_account()}, {"to", s.hot}, {"amount", "20"}, {"memo_type", "id"},
                          {"memo", s.memo}, {"close", true}});
    REQUIRE(eventually([&] { return xlm_of(omnid, s.waid, s.user.apikey)[0] == "20.0000000"; }));
    Answer a = withdraw(omnid, s, dest, "7");
    require_ok(a);
    txid = a.json["txid"];
    // The double holds the submission until a ledger closes: omnid waits for its answer.
    REQUIRE(eventually([&] { return h.submitted_by(s.hot).size() == 2; }));
    CHECK(withdrawal_state(omnid, txid) == "submitting");
    omnid.stop(SIGKILL);
  }
  h.control("close");
  Omnid again(options_for(h, db));
  REQUIRE(eventually([&] { return withdrawal_state(again, txid) == "completed"; }, 60s));
  CHECK(payments_to(h, s.hot, dest).size() == 1);
  CHECK(h.balance(dest) == "17.0000000");
  CHECK(xlm_of(again, s.waid, s.user.apikey) == Json{"13.0000000", "0.0000000"});
  CHECK(again.log().find(s.seed) == std::string::npos);
}

TEST_CASE("stellar: a profile address, made once, its seed the platform's", "[stellar][profileaddress]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  Omnid omnid(options_for(h, og::test::fresh_database("xlmpa")));
  Setup s = set_up(omnid, h, true);
  auto issuer = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  Answer made = omnid.call_json("POST", "/api/v1/currency/profileaddress/create", Json{{"bridgename", "stellar"}},
                                issuer.apikey);
  require_ok(made);
  const std::string address = made.json["profileaddress"];
  CHECK(made.json["bridgename"] == "stellar");
  CHECK(og::stellar::decode_account_id(address).has_value());  // a G... strkey with a valid checksum
  CHECK(address != s.hot);
  // Asking again (by either spelling) answers the same address; the profile has it.
  CHECK(omnid.call_json("POST", "/api/v1/currency/address/create", Json{{"bridgename", "stellar"}}, issuer.apikey)
            .json["profileaddress"] == address);
  Answer profile = omnid.call("GET", "/api/v1/profile", "", issuer.apikey);
  CHECK(profile.body.find(address) != std::string::npos);
  // Another profile gets another address.
  auto other = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  Answer second = omnid.call_json("POST", "/api/v1/currency/profileaddress/create", Json{{"bridgename", "stellar"}},
                                  other.apikey);
  require_ok(second);
  CHECK(second.json["profileaddress"] != address);
  // Issuing accounts of the bridge, their seeds never answered; the hot account is still the hot account.
  Answer accounts = omnid.call("GET", "/api/v1/system/bridge/stellar-1/externalaccountlist", "", s.admin);
  CHECK(accounts.body.find(address) != std::string::npos);
  CHECK(accounts.body.find("\"S") == std::string::npos);
  CHECK(count_of(omnid, "SELECT count(*) FROM bridge_accounts WHERE bridge = 'stellar' AND issuing") == 2);
  Answer d = omnid.call_json("POST", "/api/v1/wallet/depositaddress", Json{{"waid", s.waid}, {"method", "stellar"}},
                             s.admin);
  require_ok(d);
  CHECK(d.json["depositaddress"].get<std::string>().rfind(s.hot + "-", 0) == 0);
}

namespace {

// The trust line of `account` for "CODE:issuer" in the double's closed state (null: none).
Json line_of(HorizonDouble& h, const std::string& account, const std::string& asset) {
  Json a = h.account(account);
  if (a.is_null()) return nullptr;
  for (const auto& l : a["lines"])
    if (l["asset"] == asset) return l;
  return nullptr;
}

// {available, held} of a currency in a wallet.
Json balance_of(Omnid& omnid, const std::string& waid, const std::string& key, const std::string& currency) {
  Answer a = omnid.call("GET", "/api/v1/wallet/" + waid, "", key);
  for (const auto& bal : a.json.value("balances", Json::array()))
    if (bal["currencycode"] == currency) return Json{bal["available"], bal["held"]};
  return nullptr;
}

}  // namespace

TEST_CASE("stellar: trust lines and memo_required of a profile address; a bridge currency deposited and withdrawn",
          "[stellar][asset]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  Omnid omnid(options_for(h, og::test::fresh_database("xlmasset")));
  Setup s = set_up(omnid, h, true);
  auto issuer = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  auto other = omnid.create_profile_with_key({"issuer-admin", "profile-admin"});
  auto post = [&](const std::string& path, const Json& body, const std::string& key) {
    return omnid.call_json("POST", path, body, key);
  };
  Answer made = post("/api/v1/currency/profileaddress/create", Json{{"bridgename", "stellar"}}, issuer.apikey);
  require_ok(made);
  const std::string anchor = made.json["profileaddress"];
  const std::string bank = new_account();
  h.control("fund", Json{{"account", bank}, {"xlm", "100"}, {"close", true}});
  Json line{{"bridgename", "stellar"},
            {"hostedaddress", anchor},
            {"trustedaddress", bank},
            {"currencycode", "EUR"},
            {"amount", "5000"}};
  const std::string trustline = "/api/v1/currency/address/trustline";

  // Not on the network yet: refused, and it says why.
  Answer early = post(trustline, line, issuer.apikey);
  CHECK(early.resultcode() == 10131);
  CHECK(early.message().find("does not exist on the network") != std::string::npos);

  // Funded: a ChangeTrust signed with its seed (checked by the SDK in the double).
  h.control("fund", Json{{"account", anchor}, {"xlm", "50"}, {"close", true}});
  require_ok(post(trustline, line, issuer.apikey), omnid);
  CHECK(line_of(h, anchor, "EUR:" + bank).value("limit", "") == "5000.0000000");
  Answer lines = omnid.call("GET", "/api/v1/wallet/trustlines/stellar/" + anchor, "", issuer.apikey);
  require_ok(lines);
  REQUIRE(lines.json["trustlines"].size() == 1);
  CHECK(lines.json["trustlines"][0]["currency"] == "EUR");
  CHECK(lines.json["trustlines"][0]["issueraddress"] == bank);
  CHECK(lines.json["trustlines"][0]["balance"] == "0.0000000");
  CHECK(lines.json["trustlines"][0]["limit"] == "5000.0000000");
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/stellar/" + new_account(), "", issuer.apikey).resultcode() ==
        10140);
  CHECK(omnid.call("GET", "/api/v1/wallet/trustlines/stellar/GNOTANACCOUNT", "", issuer.apikey).resultcode() == 10113);
  line["amount"] = "7000.5";
  require_ok(post(trustline, line, issuer.apikey), omnid);
  CHECK(line_of(h, anchor, "EUR:" + bank).value("limit", "") == "7000.5000000");

  // Bad input, another profile's or the hot account: refused, nothing sent.
  const std::string sequence = h.account(anchor)["sequence"];
  auto with = [&](const char* key, Json value) {
    Json b = line;
    b[key] = std::move(value);
    return post(trustline, b, issuer.apikey);
  };
  CHECK(post(trustline, line, other.apikey).resultcode() == 10140);
  CHECK(with("hostedaddress", s.hot).resultcode() == 10140);
  CHECK(with("trustedaddress", "GNOTANACCOUNTATALL1234567").resultcode() == 10113);
  CHECK(with("trustedaddress", s.seed).resultcode() == 10113);  // a seed is no account id (and is never echoed)
  CHECK(with("trustedaddress", s.seed).body.find(s.seed) == std::string::npos);
  CHECK(with("trustedaddress", anchor).resultcode() == 10113);
  CHECK(with("currencycode", "XLM").resultcode() == 10113);
  CHECK(with("amount", "-1").resultcode() == 10113);
  CHECK(with("amount", "1.12345678").resultcode() == 10113);
  CHECK(with("bridgename", "nosuchbridge").resultcode() == 10113);
  CHECK(h.account(anchor)["sequence"] == sequence);

  // destinationtagrequired is SEP-29's config.memo_required; asking twice is harmless.
  const std::string attribute = "/api/v1/currency/address/attribute";
  Json flag{{"bridgename", "stellar"}, {"address", anchor}, {"destinationtagrequired", true}};
  require_ok(post(attribute, flag, issuer.apikey), omnid);
  CHECK(h.account(anchor)["data"].value("config.memo_required", "") == "MQ==");
  require_ok(post(attribute, flag, issuer.apikey), omnid);
  flag["destinationtagrequired"] = false;
  require_ok(post(attribute, flag, issuer.apikey), omnid);
  CHECK(!h.account(anchor)["data"].contains("config.memo_required"));
  require_ok(post(attribute, flag, issuer.apikey), omnid);
  CHECK(post(attribute, Json{{"bridgename", "stellar"}, {"address", anchor}}, issuer.apikey).resultcode() == 10110);

  // Limit 0 removes the line.
  line["amount"] = "0";
  require_ok(post(trustline, line, issuer.apikey), omnid);
  CHECK(line_of(h, anchor, "EUR:" + bank).is_null());

  // A bridge currency issued by the profile address: a Stellar account id or nothing.
  Json currency{{"parentcurrency", "USD"},
                {"bridgename", "stellar"},
                {"issuername", "Anchor"},
                {"issueraddress", "rpmGcKEqTFDHd3tvAWFENNLhy2HMy7Yj89"}};
  CHECK(post("/api/v1/system/currency/bridge/create", currency, s.admin).resultcode() == 10113);
  currency["issueraddress"] = anchor;
  Answer created = post("/api/v1/system/currency/bridge/create", currency, s.admin);
  require_ok(created, omnid);
  const std::string usd = "USD.anchor.stellar";
  CHECK(created.json["currencycode"] == usd);
  // The hot account comes to trust its issuer (the watcher's ChangeTrust): deposits can arrive.
  REQUIRE(eventually([&] { return !line_of(h, s.hot, "USD:" + anchor).is_null(); }, 30s));

  // The anchor issues 25 USD to the hot account with the wallet's memo: credited once.
  h.control("pay", Json{{"from", anchor}, {"to", s.hot}, {"amount", "25"}, {"asset", "USD:" + anchor},
                        {"memo_type", "id"}, {"memo", s.memo}, {"close", true}});
  if (!eventually([&] { return balance_of(omnid, s.waid, s.user.apikey, usd) == Json{"25.00", "0.00"}; }))
    FAIL("not credited: " << omnid.call("GET", "/api/v1/wallet/" + s.waid, "", s.user.apikey).body << "\n"
                          << omnid.log());

  // Withdrawn to a customer: refused before any hold while it has no trust line.
  const std::string customer = new_account();
  h.control("fund", Json{{"account", customer}, {"xlm", "10"}, {"close", true}});
  Answer refused = withdraw(omnid, s, customer, "5.5", usd);
  CHECK(refused.resultcode() == 10113);
  CHECK(refused.message().find("no trust line") != std::string::npos);
  CHECK(balance_of(omnid, s.waid, s.user.apikey, usd) == Json{"25.00", "0.00"});
  h.control("trust", Json{{"account", customer}, {"asset", "USD:" + anchor}, {"close", true}});
  Answer sent = withdraw(omnid, s, customer, "5", usd);
  require_ok(sent, omnid);
  REQUIRE(eventually([&] { return withdrawal_state(omnid, sent.json["txid"]) == "completed"; }));
  CHECK(line_of(h, customer, "USD:" + anchor).value("balance", "") == "5.0000000");
  Json payments = payments_to(h, s.hot, customer);
  REQUIRE(payments.size() == 1);
  CHECK(payments[0]["ops"][0]["asset"] == "USD:" + anchor);
  // Back to the issuer itself (redeemed): it needs no trust line.
  Answer back = withdraw(omnid, s, anchor, "2.5", usd);
  require_ok(back, omnid);
  REQUIRE(eventually([&] { return withdrawal_state(omnid, back.json["txid"]) == "completed"; }));
  CHECK(balance_of(omnid, s.waid, s.user.apikey, usd) == Json{"17.50", "0.00"});
  CHECK(line_of(h, s.hot, "USD:" + anchor).value("balance", "") == "17.5000000");

  // What the Stellar bridge does not do: issuing IOUs (10131), path finding (the spec's
  // withdraw/test takes method ripple only: 10113); nothing sent.
  Answer iou = omnid.call("POST", "/api/v1/currency/issueiou",
                          Json{{"network", "stellar"}, {"issueraddress", anchor}, {"receiveraddress", customer},
                               {"currencycode", "USD"}, {"amount", "1"}}
                              .dump(),
                          issuer.apikey, {{"Idempotency-Key", "iou-stellar"}});
  CHECK(iou.resultcode() == 10131);
  CHECK(omnid.call_json("POST", "/api/v1/wallet/withdraw/test",
                        Json{{"waid", s.waid}, {"method", "stellar"}, {"destinationaddress", customer},
                             {"currency", usd}, {"amount", "1"}},
                        s.user.apikey)
            .resultcode() == 10113);
  CHECK(line_of(h, customer, "USD:" + anchor).value("balance", "") == "5.0000000");

  // Balances: the hot account's line against what the wallets hold.
  Answer bal = omnid.call("GET", "/api/v1/system/bridge/stellar-1/balances", "", s.admin);
  require_ok(bal);
  Json row;
  for (const auto& e : bal.json["balances"])
    if (e["currency"] == usd) row = e;
  INFO(bal.body);
  CHECK(row["internalbalance"] == "17.50");
  CHECK(row["externalbalance"] == "17.50");
  CHECK(omnid.log().find(s.seed) == std::string::npos);
}

TEST_CASE("stellar: bad account data is refused", "[stellar][config]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  Omnid omnid(options_for(h, og::test::fresh_database("xlmbad")));
  const std::string admin = omnid.create_api_key({"system-admin"});
  const auto k = og::stellar::KeyPair::random();
  const auto other = og::stellar::KeyPair::random();
  for (const Json& bad : {Json{{"address", "G123"}}, Json{{"address", k.account_id()}, {"seed", other.secret()}},
                          Json{{"address", k.account_id()}, {"seed", "SNOTASEED"}},
                          Json{{"address", k.account_id()}, {"seed", 5}}, Json{{"address", k.secret()}}}) {
    Answer r = omnid.call_json("POST", "/api/v1/system/bridge/updateaccount",
                               Json{{"bridgename", "stellar"}, {"instanceid", 1}, {"accountdata", bad}}, admin);
    INFO(bad.dump() << " " << r.body);
    CHECK(r.resultcode() != 10000);
    CHECK(r.body.find(other.secret()) == std::string::npos);
    CHECK(r.body.find(k.secret()) == std::string::npos);
  }
  CHECK(count_of(omnid, "SELECT count(*) FROM bridge_accounts") == 0);
  CHECK(omnid.log().find(other.secret()) == std::string::npos);
}

TEST_CASE("stellar: reconciliation from omnictl: discrepancies (2), clean (0), unreachable (3), stored runs",
          "[stellar][reconcile]") {
  REQUIRE(HorizonDouble::available());
  HorizonDouble h;
  og::test::TempDir maildir("ogmail"), home("ogrec");
  OmnidOptions o = options_for(h, og::test::fresh_database("xlmrec"));
  o.config["mail.transport"] = "\"directory\"";
  o.config["mail.directory"] = "\"" + maildir.path().string() + "\"";
  o.config["mail.notify"] = "\"ops@example.com\"";
  Omnid omnid(o);
  Setup s = set_up(omnid, h, true);
  fund_wallet(omnid, h, s, "100", "100.0000000");
  const std::string dest = new_account();
  h.control("fund", Json{{"account", dest}, {"xlm", "10"}, {"close", true}});
  Answer w = withdraw(omnid, s, dest, "10");
  require_ok(w, omnid);
  const std::string wtxid = w.json["txid"];
  REQUIRE(eventually([&] { return withdrawal_state(omnid, wtxid) == "completed"; }));

  const std::map<std::string, std::string> env{{"OMNICTL_URL", omnid.url()},
                                               {"OMNICTL_CACERT", omnid.cacert()},
                                               {"OMNICTL_APIKEY", s.admin},
                                               {"XDG_CONFIG_HOME", (home.path() / "config").string()},
                                               {"XDG_CACHE_HOME", (home.path() / "cache").string()}};
  auto omnictl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), OMNICTL_PATH);
    return og::test::run_process(args, "", env);
  };
  auto reconcile = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"bridge", "reconcile", "--bridge", "stellar-1", "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return omnictl(args);
  };
  auto xlm_row = [](const Json& run) {
    for (const auto& b : run["bridges"][0]["balances"])
      if (b["currency"] == "XLM") return b;
    return Json();
  };

  // The hot account's own funding (1000 XLM from the operator) reached the network and no
  // wallet: external only, waiting in suspense. Exit 2; the operators are mailed.
  auto first = reconcile();
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 2);
  CHECK(first.err.find("discrepancies found") != std::string::npos);
  Json run = Json::parse(first.out);
  CHECK(run["reconcilestatus"] == "discrepancies");
  Json t = run["bridges"][0]["transactions"];
  CHECK(t["matched"] == 2);  // the deposit by operation id, the withdrawal by its hash
  CHECK(t["externalonly"] == 1);
  CHECK(t["internalonly"] == 0);
  REQUIRE(t["discrepancies"].size() == 1);
  CHECK(t["discrepancies"][0]["kind"] == "external_only_in_suspense");
  CHECK(t["discrepancies"][0]["external"][0]["amount"] == "1000.0000000");
  const std::string funding = t["discrepancies"][0]["external"][0]["externalid"];
  // Balances: more XLM outside than owed (the operator's own): no shortfall.
  CHECK(xlm_row(run)["shortfall"] == false);
  CHECK(xlm_row(run)["internalbalance"] == "90.0000000");
  REQUIRE(omnid.wait_for_outbox());
  bool mailed = false;
  for (const auto& f : std::filesystem::directory_iterator(maildir.path())) {
    const std::string text = og::test::read_file(f.path());
    mailed = mailed || (text.find("ops@example.com") != std::string::npos &&
                        text.find("reconcile show " + run["runid"].get<std::string>()) != std::string::npos);
  }
  CHECK(mailed);

  // The operator says the funding is their own (suspense dismissed, with why): explained, and
  // the next run is clean. Dismissing it again, or without a reason, is refused.
  const std::string dismiss = "/api/v1/system/bridge/stellar-1/suspense/dismiss";
  CHECK(omnid.call_json("POST", dismiss, Json{{"externaltransactionid", funding}}, s.admin).resultcode() == 10110);
  CHECK(omnid.call_json("POST", dismiss, Json{{"externaltransactionid", "nosuch"}, {"reason", "float"}}, s.admin)
            .resultcode() == 10140);
  CHECK(omnid.call_json("POST", dismiss, Json{{"externaltransactionid", funding}, {"reason", "float"}}, s.user.apikey)
            .resultcode() == 10122);
  require_ok(omnid.call_json("POST", dismiss,
                             Json{{"externaltransactionid", funding}, {"reason", "the operator's float for fees"}},
                             s.admin),
             omnid);
  CHECK(omnid.call_json("POST", dismiss, Json{{"externaltransactionid", funding}, {"reason", "again"}}, s.admin)
            .resultcode() == 10140);
  CHECK(xlm_of(omnid, s.waid, s.user.apikey)[0] == "90.0000000");  // nothing credited
  auto clean = reconcile();
  INFO(clean.out << clean.err);
  REQUIRE(clean.exit_code == 0);
  run = Json::parse(clean.out);
  CHECK(run["reconcilestatus"] == "clean");
  CHECK(run["bridges"][0]["transactions"]["matched"] == 2);
  CHECK(run["bridges"][0]["transactions"]["dismissed"] == 1);
  CHECK(xlm_row(run)["shortfall"] == false);
  const std::string clean_id = run["runid"];

  // A withdrawal whose network id no longer names what went out, booked days apart: the
  // ledger's side alone and the network's alone.
  {
    pqxx::connection c(omnid.db_conninfo());
    pqxx::work tx(c);
    tx.exec_params("UPDATE bridge_withdrawals SET external_txid = $2 WHERE txid = $1", wtxid, std::string(64, 'f'));
    tx.exec_params("UPDATE transactions SET finalized_at = finalized_at - interval '6 days' WHERE txid = $1", wtxid);
    tx.commit();
  }
  const auto week_ago = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - std::chrono::days(8);
  const std::chrono::year_month_day ymd{week_ago};
  char since[16];
  std::snprintf(since, sizeof since, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  auto broken = reconcile({"--since", since});
  INFO(broken.out << broken.err);
  REQUIRE(broken.exit_code == 2);
  t = Json::parse(broken.out)["bridges"][0]["transactions"];
  CHECK(t["internalonly"] == 1);
  CHECK(t["externalonly"] == 1);
  CHECK(t["matched"] == 1);  // the wallet's deposit
  CHECK(t["dismissed"] == 1);

  // Horizon gone: exit 3, said as such.
  h.control("misbehave", Json{{"unreachable_ms", 15000}});
  auto down = reconcile();
  INFO(down.out << down.err);
  CHECK(down.exit_code == 3);
  CHECK(Json::parse(down.out)["reconcilestatus"] == "unreachable");
  h.control("misbehave", Json{{"clear", true}});

  // Stored runs: listed newest first, each shown again as it was.
  auto listed = omnictl({"bridge", "reconcile", "list", "-o", "json"});
  INFO(listed.out << listed.err);
  REQUIRE(listed.exit_code == 0);
  Json runs = Json::parse(listed.out)["runs"];
  REQUIRE(runs.size() == 4);
  CHECK(runs[0]["reconcilestatus"] == "unreachable");
  CHECK(runs[2]["reconcilestatus"] == "clean");
  CHECK(runs[3]["reconcilestatus"] == "discrepancies");
  auto shown = omnictl({"bridge", "reconcile", "show", clean_id, "-o", "json"});
  REQUIRE(shown.exit_code == 0);
  CHECK(Json::parse(shown.out)["bridges"][0]["transactions"]["dismissed"] == 1);

  // Bad input: refused, no run stored.
  CHECK(omnictl({"bridge", "reconcile", "show", "999999"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "list", "--limit", "0"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "list", "--limit", "501"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "show", "12x"}).exit_code == 1);  // not digits: refused before sending
  CHECK(omnictl({"bridge", "reconcile", "--bridge", "nosuch-1"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "--bridge", "stellar"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "--since", "2026-13-01"}).exit_code == 1);
  CHECK(omnictl({"bridge", "reconcile", "--since", "2026-12-02", "--until", "2026-12-01"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "--until", "2999-01-01"}).exit_code == 2);
  CHECK(omnictl({"bridge", "reconcile", "--windowdays", "31"}).exit_code == 2);
  CHECK(omnid.call_json("POST", "/api/v1/bridge/reconcile", Json{{"bridge", "stellar-1"}}, s.user.apikey).resultcode() ==
        10122);
  CHECK(count_of(omnid, "SELECT count(*) FROM reconcile_runs") == 4);
}
