// The ledger through its API, against a real omnid --dev and PostgreSQL: every endpoint's
// documented flow, and bad input that must be refused with its code and change nothing.
#include <catch2/catch.hpp>
#include <functional>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "tests/support/omnid_process.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;

namespace {

Omnid& dev() {
  static Omnid omnid;
  return omnid;
}

struct Party {
  std::string upid, key;
};

// Everyone's balances, straight from the database: "nothing changed" means this is equal.
std::map<std::string, std::string> snapshot() {
  pqxx::connection conn(dev().db_conninfo());
  pqxx::nontransaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec("SELECT waid || '/' || currency, available::text || '/' || held::text FROM balances"))
    out[r[0].as<std::string>()] = r[1].as<std::string>();
  out["#transactions"] = tx.exec1("SELECT count(*)::text FROM transactions")[0].as<std::string>();
  out["#postings"] = tx.exec1("SELECT count(*)::text FROM postings")[0].as<std::string>();
  return out;
}

Answer post(const std::string& path, const Json& body, const std::string& key,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  return dev().call("POST", path, body.dump(), key, std::move(headers));
}

void require_ok(const Answer& a) {
  INFO(a.body << a.error);
  REQUIRE(a.resultcode() == 10000);
}

std::string new_wallet(const Party& p, const std::string& name) {
  Answer a = post("/api/v1/wallet/create", Json{{"walletname", name}}, p.key);
  require_ok(a);
  return a.json["waid"].get<std::string>();
}

// {available, held, total} of one currency in a wallet, as the API shows them.
Json balance_of(const std::string& waid, const std::string& currency, const std::string& key) {
  Answer a = dev().call("GET", "/api/v1/wallet/" + waid, "", key);
  require_ok(a);
  for (const auto& b : a.json["balances"])
    if (b["currencycode"] == currency) return Json{b["available"], b["held"], b["total"]};
  return Json{"none"};
}

struct World {
  Party alice, bob, issuer, adapter, parent, parent_plain, child;
  std::string alice_main, alice_savings, bob_main, child_main;
};

World& world() {
  static World world_ = [] {
    World w;
    auto make = [](std::vector<std::string> roles, std::string parent = "") {
      auto c = dev().create_profile_with_key(roles, parent);
      return Party{c.upid, c.apikey};
    };
    w.alice = make({"profile-admin"});
    w.bob = make({"profile-admin"});
    w.issuer = make({"issuer-admin", "profile-admin"});
    w.adapter = make({"adapter-admin"});
    w.parent = make({"ewallet-admin"});
    w.parent_plain = Party{w.parent.upid, dev().create_api_key_for(w.parent.upid, {"profile-admin"})};
    w.child = make({"profile-admin"}, w.parent.upid);
    w.alice_main = new_wallet(w.alice, "Main");
    w.alice_savings = new_wallet(w.alice, "Savings");
    w.bob_main = new_wallet(w.bob, "Main");
    w.child_main = new_wallet(w.child, "Pocket money");
    auto fund = [&](const std::string& waid, const char* currency, const char* amount, const std::string& ext) {
      require_ok(post("/api/v1/system/bridge/generic/deposit",
                      Json{{"waid", waid}, {"currency", currency}, {"amount", amount}, {"externaltransactionid", ext}},
                      w.adapter.key));
    };
    fund(w.alice_main, "CAD", "1000.00", "setup-alice-cad");
    fund(w.alice_main, "BTC", "2.5", "setup-alice-btc");
    fund(w.child_main, "CAD", "50.00", "setup-child-cad");
    return w;
  }();
  return world_;
}

Json transfer_body(const std::string& from, const std::string& to, const std::string& amount,
                   const std::string& currency = "CAD") {
  return Json{{"amount", amount}, {"currency", currency}, {"sourcewaid", from}, {"destinationwaid", to}};
}

}  // namespace

TEST_CASE("wallets: create, default, read, lists", "[ledger][wallets]") {
  auto& w = world();
  Answer get = dev().call("GET", "/api/v1/wallet", "", w.alice.key);
  require_ok(get);
  CHECK(get.json["waid"] == w.alice_main);  // the first wallet is the default
  CHECK(get.json["default"] == true);
  CHECK(get.json["walletname"] == "Main");
  CHECK(get.json["upid"] == w.alice.upid);
  CHECK(get.json["trading"] == false);
  CHECK(get.json["shortcode"].get<std::string>().size() == 10);
  Answer savings = dev().call("GET", "/api/v1/wallet/" + w.alice_savings, "", w.alice.key);
  require_ok(savings);
  CHECK(savings.json["default"] == false);
  CHECK(savings.json["balances"].empty());

  Answer list = dev().call("GET", "/api/v1/wallet/list", "", w.alice.key);
  require_ok(list);
  REQUIRE(list.json["walletlist"].size() == 2);
  CHECK(list.json["walletlist"][0]["waid"] == w.alice_main);
  CHECK(list.json["walletlist"][0]["default"] == true);

  // Another profile's list: refused for bob (as if alice did not exist), allowed to the
  // administrator (superuser).
  CHECK(dev().call("GET", "/api/v1/wallet/list/" + w.alice.upid, "", w.bob.key).resultcode() == 10140);
  Answer admin = dev().call("GET", "/api/v1/wallet/list/" + w.alice.upid);
  require_ok(admin);
  CHECK(admin.json["defaultwalletid"] == w.alice_main);
  CHECK(admin.json["walletlist"].size() == 2);
  // A parent with readchildwalletbalances reads its child's wallets.
  Answer child = dev().call("GET", "/api/v1/wallet/list/" + w.child.upid, "", w.parent.key);
  require_ok(child);
  CHECK(child.json["walletlist"][0]["waid"] == w.child_main);

  Answer named = dev().call("GET", "/api/v1/wallet/list/name_sav", "", w.alice.key);
  require_ok(named);
  REQUIRE(named.json["walletlist"].size() == 1);
  CHECK(named.json["walletlist"][0]["waid"] == w.alice_savings);
  CHECK(named.json["defaultwalletid"] == w.alice_main);

  SECTION("bad input") {
    auto before = snapshot();
    CHECK(dev().call("GET", "/api/v1/wallet/" + w.alice_main, "", w.bob.key).resultcode() == 10140);
    CHECK(dev().call("GET", "/api/v1/wallet/waid_0000000000000001", "", w.alice.key).resultcode() == 10140);
    CHECK(dev().call("GET", "/api/v1/wallet/waid_123", "", w.alice.key).resultcode() == 10111);
    CHECK(post("/api/v1/wallet/create", Json{{"walletname", ""}}, w.alice.key).resultcode() == 10111);
    CHECK(post("/api/v1/wallet/create", Json{{"walletname", std::string(31, 'x')}}, w.alice.key).resultcode() == 10111);
    CHECK(post("/api/v1/wallet/create", Json{{"walletname", "X"}, {"upid", w.bob.upid}}, w.alice.key).resultcode() ==
          10140);  // as if bob's profile did not exist
    CHECK(post("/api/v1/wallet/create", Json{{"walletname", "X"}, {"upid", "upid_0000000000000001"}}, w.alice.key)
              .resultcode() == 10140);
    CHECK(post("/api/v1/wallet/create", Json{{"walletname", "X"}, {"trading", true}}, w.alice.key).resultcode() == 10110);
    CHECK(snapshot() == before);
  }
}

TEST_CASE("deposits through the generic bridge credit once", "[ledger][bridge]") {
  auto& w = world();
  std::string waid = new_wallet(w.bob, "Deposits");
  Json body{{"waid", waid}, {"currency", "CAD"}, {"amount", "12.34"}, {"externaltransactionid", "bank-777"},
            {"externalsourceaddress", "CA12 3456"}, {"description", "Wire from ACME"}};
  Answer first = post("/api/v1/system/bridge/generic/deposit", body, w.adapter.key);
  require_ok(first);
  Answer again = post("/api/v1/system/bridge/generic/deposit", body, w.adapter.key);
  require_ok(again);
  CHECK(again.json["txid"] == first.json["txid"]);
  CHECK(again.json["duplicate"] == true);
  CHECK(balance_of(waid, "CAD", w.bob.key) == Json{"12.34", "0.00", "12.34"});

  auto before = snapshot();
  Json other = body;
  other["amount"] = "99.00";
  CHECK(post("/api/v1/system/bridge/generic/deposit", other, w.adapter.key).resultcode() == 10141);
  // Only the adapter (manualdeposit) may report deposits.
  CHECK(post("/api/v1/system/bridge/generic/deposit", body, w.bob.key).resultcode() == 10122);
  Json bad = body;
  bad["externaltransactionid"] = "bank-778";
  bad["amount"] = "1.001";
  CHECK(post("/api/v1/system/bridge/generic/deposit", bad, w.adapter.key).resultcode() == 10113);
  bad["amount"] = "0";
  CHECK(post("/api/v1/system/bridge/generic/deposit", bad, w.adapter.key).resultcode() == 10113);
  bad["amount"] = "5";
  bad["currency"] = "XYZ";
  CHECK(post("/api/v1/system/bridge/generic/deposit", bad, w.adapter.key).resultcode() == 10113);
  bad["currency"] = "CAD";
  bad["waid"] = "waid_0000000000000002";
  CHECK(post("/api/v1/system/bridge/generic/deposit", bad, w.adapter.key).resultcode() == 10140);
  CHECK(snapshot() == before);

  Answer detail = dev().call("GET", "/api/v1/wallet/transaction/" + first.json["txid"].get<std::string>(), "", w.bob.key);
  require_ok(detail);
  CHECK(detail.json["type"] == "deposit");
  CHECK(detail.json["amount"] == "12.34");
  CHECK(detail.json["state"] == "Completed");
  CHECK(detail.json["method"] == "generic");
  CHECK(detail.json["externaltransactionid"] == "bank-777");
  CHECK(detail.json["externalsourceaddress"] == "CA12 3456");
  CHECK(detail.json["description"] == "Wire from ACME");
  CHECK(detail.json["destinationwaid"] == waid);
  CHECK(detail.json["destinationbalance"] == "12.34");
  CHECK(detail.json["currencycode"] == 124);
}

TEST_CASE("transfers move exact amounts; bad ones are refused and change nothing", "[ledger][transfer]") {
  auto& w = world();
  std::string to = new_wallet(w.bob, "From alice");
  auto alice_before = balance_of(w.alice_main, "CAD", w.alice.key);
  Answer t = post("/api/v1/wallet/transfer", transfer_body(w.alice_main, to, "278.53"), w.alice.key);
  require_ok(t);
  std::string txid = t.json["txid"];
  CHECK(balance_of(to, "CAD", w.bob.key) == Json{"278.53", "0.00", "278.53"});
  Answer detail = dev().call("GET", "/api/v1/wallet/transaction/" + txid, "", w.alice.key);
  require_ok(detail);
  CHECK(detail.json["type"] == "transfer");
  CHECK(detail.json["sourcewaid"] == w.alice_main);
  CHECK(detail.json["destinationwaid"] == to);
  CHECK(detail.json["amount"] == "278.53");
  CHECK(detail.json["fee"] == "0.00");
  CHECK(detail.json["method"] == "internal");
  // The sender sees its own balance, not the receiver's.
  CHECK(detail.json.contains("sourcebalance"));
  CHECK_FALSE(detail.json.contains("destinationbalance"));
  // A stranger does not see it at all.
  Answer stranger = dev().call("GET", "/api/v1/wallet/transaction/" + txid, "", w.issuer.key);
  CHECK(stranger.resultcode() == 10140);

  // Awkward text survives the trip through the ledger's own SQL parameters.
  Json awkward = transfer_body(w.alice_main, to, "0.01");
  awkward["description"] = Json::parse(R"("He said \"hi\" \\ \u00e9\t\u0001")");
  Answer odd = post("/api/v1/wallet/transfer", awkward, w.alice.key);
  require_ok(odd);
  Answer odd_detail = dev().call("GET", "/api/v1/wallet/transaction/" + odd.json["txid"].get<std::string>(), "", w.alice.key);
  CHECK(odd_detail.json["description"] == awkward["description"]);

  // BTC with 8 decimals, exactly.
  require_ok(post("/api/v1/wallet/transfer", transfer_body(w.alice_main, to, "0.00000001", "BTC"), w.alice.key));
  CHECK(balance_of(to, "BTC", w.bob.key) == Json{"0.00000001", "0.00000000", "0.00000001"});

  SECTION("bad input leaves every balance unchanged") {
    auto before = snapshot();
    auto refused = [&](const Json& body, int code, const std::string& key) {
      Answer a = post("/api/v1/wallet/transfer", body, key);
      INFO(body.dump() << " -> " << a.body);
      CHECK(a.resultcode() == code);
    };
    refused(transfer_body(w.alice_main, to, "0"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, to, "0.00"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, to, "-5"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, to, "1.001"), 10113, w.alice.key);          // more decimals than CAD
    refused(transfer_body(w.alice_main, to, "0.000000001", "BTC"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, to, "1e2"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, to, "5", "ZZZ"), 10113, w.alice.key);       // unknown currency
    refused(transfer_body(w.alice_main, "waid_12", "5"), 10111, w.alice.key);       // malformed id
    refused(transfer_body(w.alice_main, "upid_1234567812345678", "5"), 10113, w.alice.key);
    refused(transfer_body(w.alice_main, "waid_0000000000000003", "5"), 10140, w.alice.key);
    refused(transfer_body(w.alice_main, w.alice_main, "5"), 10113, w.alice.key);  // same wallet
    refused(transfer_body(w.alice_main, to, "100000000"), 10160, w.alice.key);    // insufficient funds
    refused(transfer_body(w.alice_main, to, "5", "ETH"), 10160, w.alice.key);     // no ETH at all
    refused(transfer_body(w.bob_main, w.alice_main, "1"), 10140, w.alice.key);    // bob's wallet: as if absent
    refused(transfer_body(w.child_main, w.alice_main, "1"), 10140, w.alice.key);  // not her child
    refused(transfer_body(w.alice_main, to, "1"), 10140, w.issuer.key);
    Json trading = transfer_body(w.alice_main, to, "1");
    trading["bridgecurrency"] = "USD.x.ripple";
    refused(trading, 10131, w.alice.key);
    CHECK(snapshot() == before);
  }

  SECTION("a parent with chargechildprofile moves money out of its child's wallet") {
    // profile-admin on the parent has no chargechildprofile: refused.
    CHECK(post("/api/v1/wallet/transfer", transfer_body(w.child_main, to, "1.00"), w.parent_plain.key).resultcode() ==
          10122);
    require_ok(post("/api/v1/wallet/transfer", transfer_body(w.child_main, to, "1.00"), w.parent.key));
  }
}

TEST_CASE("withdrawals hold money until the bridge closes them", "[ledger][withdraw]") {
  auto& w = world();
  std::string waid = new_wallet(w.bob, "Withdrawals");
  require_ok(post("/api/v1/system/bridge/generic/deposit",
                  Json{{"waid", waid}, {"currency", "CAD"}, {"amount", "100.00"}, {"externaltransactionid", "wd-fund"}},
                  w.adapter.key));
  auto withdraw = [&](const std::string& amount) {
    return post("/api/v1/wallet/withdraw",
                Json{{"waid", waid}, {"currency", "CAD"}, {"amount", amount}, {"method", "generic"},
                     {"destinationaddress", "CA-account-42"}},
                w.bob.key);
  };
  Answer a = withdraw("30.00");
  require_ok(a);
  std::string completed = a.json["txid"];
  CHECK(balance_of(waid, "CAD", w.bob.key) == Json{"70.00", "30.00", "100.00"});
  Answer b = withdraw("20.00");
  require_ok(b);
  std::string failed = b.json["txid"];
  CHECK(balance_of(waid, "CAD", w.bob.key) == Json{"50.00", "50.00", "100.00"});

  Answer pending = dev().call("GET", "/api/v1/system/bridge/generic/withdrawals", "", w.adapter.key);
  require_ok(pending);
  bool listed = false;
  for (const auto& p : pending.json["withdrawallist"])
    if (p["txid"] == completed) {
      listed = true;
      CHECK(p["amount"] == "30.00");
      CHECK(p["destinationaddress"] == "CA-account-42");
      CHECK(p["waid"] == waid);
    }
  CHECK(listed);
  CHECK(dev().call("GET", "/api/v1/wallet/transaction/" + completed, "", w.bob.key).json["state"] == "Pending");

  auto close = [&](const std::string& txid, const char* status) {
    return post("/api/v1/system/bridge/generic/withdraw/close",
                Json{{"txid", txid}, {"status", status}, {"externaltransactionid", "bank-out-" + txid}}, w.adapter.key);
  };
  require_ok(close(completed, "completed"));
  CHECK(balance_of(waid, "CAD", w.bob.key) == Json{"50.00", "20.00", "70.00"});
  require_ok(close(failed, "failed"));
  CHECK(balance_of(waid, "CAD", w.bob.key) == Json{"70.00", "0.00", "70.00"});
  Answer done = dev().call("GET", "/api/v1/wallet/transaction/" + completed, "", w.bob.key);
  CHECK(done.json["state"] == "Completed");
  CHECK(done.json["externaltransactionid"] == "bank-out-" + completed);
  CHECK(done.json.contains("timestampfinal"));
  CHECK(dev().call("GET", "/api/v1/wallet/transaction/" + failed, "", w.bob.key).json["state"] == "Failed");

  SECTION("bad input leaves every balance unchanged") {
    auto before = snapshot();
    CHECK(close(completed, "completed").resultcode() == 10161);  // closed twice
    CHECK(close(failed, "completed").resultcode() == 10161);
    CHECK(close("txid_0000000000000004", "failed").resultcode() == 10140);
    CHECK(close(completed, "done").resultcode() == 10111);
    CHECK(post("/api/v1/system/bridge/generic/withdraw/close", Json{{"txid", completed}, {"status", "completed"}},
               w.bob.key)
              .resultcode() == 10122);
    CHECK(withdraw("1000.00").resultcode() == 10160);
    CHECK(withdraw("0.001").resultcode() == 10113);
    Answer ripple = post("/api/v1/wallet/withdraw",
                         Json{{"waid", waid}, {"currency", "CAD"}, {"amount", "1"}, {"method", "ripple"},
                              {"destinationaddress", "rG1QQv2nh2gr7RCZ1P8YYcBUKCCN633jCn"}},
                         w.bob.key);
    CHECK(ripple.resultcode() == 10131);
    CHECK(post("/api/v1/wallet/withdraw",
               Json{{"waid", w.alice_main}, {"currency", "CAD"}, {"amount", "1"}, {"method", "generic"},
                    {"destinationaddress", "x"}},
               w.bob.key)
              .resultcode() == 10140);
    CHECK(post("/api/v1/wallet/withdraw/test",
               Json{{"method", "ripple"}, {"destinationaddress", "rG1QQv2nh2gr7RCZ1P8YYcBUKCCN633jCn-123456"},
                    {"amount", "1"}, {"currency", "CAD"}},
               w.bob.key)
              .resultcode() == 10131);
    CHECK(dev().call("GET", "/api/v1/wallet/trustlines/ripple/rG1QQv2nh2gr7RCZ1P8YYcBUKCCN633jCn", "", w.bob.key)
              .resultcode() == 10131);
    CHECK(snapshot() == before);
  }
}

TEST_CASE("transaction history: newest first, signed amounts, balances, paging", "[ledger][history]") {
  auto& w = world();
  Party carol{w.bob.upid, w.bob.key};
  std::string waid = new_wallet(carol, "History");
  require_ok(post("/api/v1/system/bridge/generic/deposit",
                  Json{{"waid", waid}, {"currency", "JPY"}, {"amount", "1000"}, {"externaltransactionid", "hist-1"}},
                  w.adapter.key));
  require_ok(post("/api/v1/wallet/transfer", transfer_body(waid, w.alice_main, "300", "JPY"), carol.key));
  require_ok(post("/api/v1/wallet/transfer", transfer_body(waid, w.alice_main, "200", "JPY"), carol.key));
  Answer h = dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist", "", carol.key);
  require_ok(h);
  auto list = h.json["transactionlist"];
  REQUIRE(list.size() == 3);
  CHECK(list[0]["amount"] == "-200");
  CHECK(list[0]["balance"] == "500");
  CHECK(list[1]["amount"] == "-300");
  CHECK(list[1]["balance"] == "700");
  CHECK(list[2]["amount"] == "1000");
  CHECK(list[2]["balance"] == "1000");
  CHECK(list[2]["type"] == "deposit");
  CHECK(list[0]["currency"] == "JPY");
  CHECK(list[0]["currencycode"] == 392);
  CHECK(list[0]["fee"] == "0");
  CHECK(list[0]["state"] == "Completed");
  std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  CHECK(std::regex_match(list[0]["timestamp"].get<std::string>(), iso));

  Answer page = dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist?limit=2", "", carol.key);
  require_ok(page);
  REQUIRE(page.json["transactionlist"].size() == 2);
  std::string last = page.json["transactionlist"][1]["txid"];
  Answer rest = dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist?limit=2&before=" + last, "", carol.key);
  require_ok(rest);
  REQUIRE(rest.json["transactionlist"].size() == 1);
  CHECK(rest.json["transactionlist"][0]["type"] == "deposit");

  CHECK(dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist", "", w.alice.key).resultcode() == 10140);
  CHECK(dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist?limit=0", "", carol.key).resultcode() == 10113);
  CHECK(dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist?limit=abc", "", carol.key).resultcode() == 10112);
  // The default wallet's history.
  require_ok(dev().call("GET", "/api/v1/wallet/transactionlist", "", w.alice.key));
}

TEST_CASE("Idempotency-Key: a retry returns the first answer and moves nothing again", "[ledger][idempotency]") {
  auto& w = world();
  std::string to = new_wallet(w.bob, "Idempotent");
  Json body = transfer_body(w.alice_main, to, "10.00");
  Answer first = post("/api/v1/wallet/transfer", body, w.alice.key, {{"Idempotency-Key", "order-1"}});
  require_ok(first);
  Answer retry = post("/api/v1/wallet/transfer", body, w.alice.key, {{"Idempotency-Key", "order-1"}});
  require_ok(retry);
  CHECK(retry.json["txid"] == first.json["txid"]);
  CHECK(balance_of(to, "CAD", w.bob.key) == Json{"10.00", "0.00", "10.00"});

  // The same key with another body is refused, and moves nothing.
  auto before = snapshot();
  Answer other = post("/api/v1/wallet/transfer", transfer_body(w.alice_main, to, "11.00"), w.alice.key,
                      {{"Idempotency-Key", "order-1"}});
  CHECK(other.resultcode() == 10150);
  CHECK(snapshot() == before);
  // Keys belong to a credential: bob's "order-1" is another key.
  require_ok(post("/api/v1/wallet/transfer", transfer_body(to, w.bob_main, "1.00"), w.bob.key,
                  {{"Idempotency-Key", "order-1"}}));

  // A failure is an answer too: the retry gets the same refusal.
  Answer broke = post("/api/v1/wallet/transfer", transfer_body(w.alice_main, to, "99999999"), w.alice.key,
                      {{"Idempotency-Key", "order-2"}});
  CHECK(broke.resultcode() == 10160);
  CHECK(post("/api/v1/wallet/transfer", transfer_body(w.alice_main, to, "99999999"), w.alice.key,
             {{"Idempotency-Key", "order-2"}})
            .resultcode() == 10160);

  SECTION("concurrent requests with one key execute once") {
    std::string dest = new_wallet(w.bob, "Concurrent");
    Json b = transfer_body(w.alice_main, dest, "1.00");
    std::vector<std::string> txids(12);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < txids.size(); ++i)
      threads.emplace_back([&, i] {
        og::net::Client client;
        og::net::HttpRequest req;
        req.method = "POST";
        req.url = dev().url() + "/api/v1/wallet/transfer";
        req.cacert = dev().cacert();
        req.timeout_ms = 30000;
        req.body = b.dump();
        req.headers = {{"X-APIKey", w.alice.key}, {"Content-Type", "application/json"}, {"Idempotency-Key", "burst-1"}};
        auto r = client.perform(req);
        Json j = Json::parse(r.response.body, nullptr, false);
        if (!j.is_discarded() && j.value("resultcode", 0) == 10000) txids[i] = j["txid"];
        else txids[i] = "error: " + r.response.body;
      });
    for (auto& t : threads) t.join();
    for (const auto& t : txids) CHECK(t == txids[0]);
    CHECK(txids[0].rfind("txid_", 0) == 0);
    CHECK(balance_of(dest, "CAD", w.bob.key) == Json{"1.00", "0.00", "1.00"});
  }
}

TEST_CASE("currencies: extended currency, issuing, the three lists", "[ledger][currency]") {
  auto& w = world();
  Json create{{"currencycode", "USD"}, {"currencyname", "Acme USD"}, {"currencydecimals", 2}, {"displaydecimals", 2},
              {"issuername", "acme"}, {"referencecurrency", "USD"}};
  Answer made = post("/api/v1/currency/extended/create", create, w.issuer.key);
  require_ok(made);
  CHECK(made.json["currencycode"] == "USD.acme");
  CHECK(post("/api/v1/currency/extended/create", create, w.issuer.key).resultcode() == 10141);
  // The issuer name is written once.
  Json other = create;
  other["currencycode"] = "EUR";
  other["issuername"] = "other";
  CHECK(post("/api/v1/currency/extended/create", other, w.issuer.key).resultcode() == 10113);
  other.erase("issuername");
  require_ok(post("/api/v1/currency/extended/create", other, w.issuer.key));  // EUR.acme

  // Issue: "ZZZ" becomes "ZZZ.<issuername>"; the money lands in the issuer's default wallet.
  Answer issued = post("/api/v1/currency/issue", Json{{"currencycode", "USD"}, {"amount", "1000"}}, w.issuer.key);
  require_ok(issued);
  std::string issuer_wallet = issued.json["waid"];
  CHECK(balance_of(issuer_wallet, "USD.acme", w.issuer.key) == Json{"1000.00", "0.00", "1000.00"});
  require_ok(post("/api/v1/currency/issue", Json{{"currencycode", "USD.acme"}, {"amount", "0.50"}}, w.issuer.key));
  CHECK(balance_of(issuer_wallet, "USD.acme", w.issuer.key) == Json{"1000.50", "0.00", "1000.50"});
  // Issued money moves like any other.
  require_ok(post("/api/v1/wallet/transfer", transfer_body(issuer_wallet, w.alice_main, "100.00", "USD.acme"),
                  w.issuer.key));

  SECTION("bad input changes nothing") {
    auto before = snapshot();
    CHECK(post("/api/v1/currency/issue", Json{{"currencycode", "CAD"}, {"amount", "5"}}, w.issuer.key).resultcode() ==
          10113);  // "CAD.acme" does not exist
    CHECK(post("/api/v1/currency/issue", Json{{"currencycode", "USD.acme"}, {"amount", "0.001"}}, w.issuer.key)
              .resultcode() == 10113);
    CHECK(post("/api/v1/currency/issue", Json{{"currencycode", "USD.acme"}, {"amount", "5"}}, w.alice.key)
              .resultcode() == 10122);  // alice lacks createcurrency
    auto rival = dev().create_profile_with_key({"issuer-admin"});
    CHECK(post("/api/v1/currency/issue", Json{{"currencycode", "USD.acme"}, {"amount", "5"}}, rival.apikey)
              .resultcode() == 10122);  // not the issuer
    CHECK(post("/api/v1/currency/issue", Json{{"currencycode", "BTC.x"}, {"amount", "5"}}, rival.apikey).resultcode() ==
          10113);
    CHECK(post("/api/v1/currency/extended/create",
               Json{{"currencycode", "US"}, {"currencyname", "X"}, {"currencydecimals", 2}, {"displaydecimals", 2}},
               rival.apikey)
              .resultcode() == 10111);
    CHECK(post("/api/v1/currency/extended/create",
               Json{{"currencycode", "GBP"}, {"currencyname", "X"}, {"currencydecimals", 9}, {"displaydecimals", 2},
                    {"issuername", "rival"}},
               rival.apikey)
              .resultcode() == 10113);
    CHECK(post("/api/v1/currency/extended/create",
               Json{{"currencycode", "GBP"}, {"currencyname", "X"}, {"currencydecimals", 2}, {"displaydecimals", 2}},
               rival.apikey)
              .resultcode() == 10110);  // first extended currency needs an issuer name
    CHECK(post("/api/v1/currency/extended/create",
               Json{{"currencycode", "GBP"}, {"currencyname", "X"}, {"currencydecimals", 2}, {"displaydecimals", 2},
                    {"issuername", "acme"}},
               rival.apikey)
              .resultcode() == 10141);  // another profile's issuer name
    CHECK(snapshot() == before);
  }

  Answer mine = dev().call("GET", "/api/v1/currency/list", "", w.issuer.key);
  require_ok(mine);
  REQUIRE(mine.json["currencylist"].size() == 2);
  CHECK(mine.json["currencylist"][1]["currencycode"] == "USD.acme");
  CHECK(mine.json["currencylist"][1]["type"] == "extended");
  CHECK(mine.json["currencylist"][1]["referencecurrency"] == "USD");
  CHECK(mine.json["currencylist"][1]["displaydecimals"] == 2);

  Answer all = dev().call("GET", "/api/v1/static/currencylist", "", w.alice.key);
  require_ok(all);
  std::map<std::string, Json> by_code;
  for (const auto& c : all.json["currencylist"]) by_code[c["currencycode"]] = c;
  CHECK(by_code.at("CAD")["currencydecimals"] == 2);
  CHECK(by_code.at("CAD")["currencytype"] == "base");
  CHECK(by_code.at("JPY")["currencydecimals"] == 0);
  CHECK(by_code.at("BHD")["currencydecimals"] == 3);
  CHECK(by_code.at("BTC")["currencydecimals"] == 8);
  CHECK(by_code.at("ETH")["currencydecimals"] == 18);
  CHECK(by_code.at("LTC")["currencydecimals"] == 8);
  CHECK(by_code.at("XRP")["currencydecimals"] == 6);
  CHECK(by_code.at("XLM")["currencydecimals"] == 7);
  CHECK(by_code.at("USD.acme")["currencytype"] == "extended");
  CHECK(by_code.at("USD.acme")["tier"] == 2);

  Answer sys = dev().call("GET", "/api/v1/system/currency/list");
  require_ok(sys);
  bool cad = false;
  for (const auto& c : sys.json["currencylist"])
    if (c["currencycode"] == "CAD") {
      cad = true;
      CHECK(c["currencyid"] == 124);
      CHECK(c["decimaldisplay"] == 2);
      CHECK(c["enabled"] == true);
      CHECK(c["public"] == true);
    }
  CHECK(cad);
  CHECK(dev().call("GET", "/api/v1/system/currency/list", "", w.alice.key).resultcode() == 10122);
}

TEST_CASE("deposit addresses", "[ledger][depositaddress]") {
  auto& w = world();
  // No role of the spec's table carries createreceivingaddress: only a superuser (or a
  // role given it later) creates deposit addresses; the owner reads them.
  CHECK(post("/api/v1/wallet/depositaddress", Json{{"method", "generic"}, {"waid", w.alice_main}}, w.alice.key)
            .resultcode() == 10122);
  std::string admin = dev().apikey();
  Answer made = post("/api/v1/wallet/depositaddress", Json{{"method", "generic"}, {"waid", w.alice_main}}, admin);
  require_ok(made);
  std::string address = made.json["depositaddress"];
  CHECK(address.rfind("GEN-", 0) == 0);
  CHECK(made.json["depositmethod"] == "generic");
  // Asking again gives the same address.
  CHECK(post("/api/v1/wallet/depositaddress", Json{{"method", "generic"}, {"waid", w.alice_main}}, admin)
            .json["depositaddress"] == address);
  Answer got = dev().call("GET", "/api/v1/wallet/depositaddress/generic/CAD", "", w.alice.key);
  require_ok(got);
  CHECK(got.json["depositaddress"] == address);
  CHECK(got.json["waid"] == w.alice_main);
  require_ok(dev().call("GET", "/api/v1/wallet/" + w.alice_main + "/depositaddress/generic/BTC", "", w.alice.key));

  CHECK(post("/api/v1/wallet/depositaddress", Json{{"method", "ripple"}, {"waid", w.alice_main}}, admin)
            .resultcode() == 10131);
  CHECK(post("/api/v1/wallet/depositaddress", Json{{"method", "generic"}, {"waid", "waid_0000000000000009"}}, admin)
            .resultcode() == 10140);
  CHECK(dev().call("GET", "/api/v1/wallet/" + w.alice_savings + "/depositaddress/generic/CAD", "", w.alice.key)
            .resultcode() == 10140);  // none created for this wallet
  CHECK(dev().call("GET", "/api/v1/wallet/depositaddress/ripple/CAD", "", w.alice.key).resultcode() == 10131);
  CHECK(dev().call("GET", "/api/v1/wallet/depositaddress/generic/QQQ", "", w.alice.key).resultcode() == 10113);
}

TEST_CASE("another profile's wallet answers exactly like a wallet that does not exist", "[ledger][access]") {
  auto& w = world();
  const std::string absent = "waid_0000000000000042";
  // The answer for `waid`, with the id itself taken out of the message.
  auto shape = [&](const Answer& a, const std::string& waid) {
    std::string message = a.message();
    for (auto pos = message.find(waid); pos != std::string::npos; pos = message.find(waid)) message.replace(pos, waid.size(), "WAID");
    return Json{a.status, a.resultcode(), message};
  };
  struct Probe {
    const char* what;
    std::function<Answer(const std::string&)> call;
  };
  std::vector<Probe> probes = {
      {"GET wallet", [&](const std::string& waid) { return dev().call("GET", "/api/v1/wallet/" + waid, "", w.bob.key); }},
      {"GET transactionlist",
       [&](const std::string& waid) { return dev().call("GET", "/api/v1/wallet/" + waid + "/transactionlist", "", w.bob.key); }},
      {"GET depositaddress",
       [&](const std::string& waid) {
         return dev().call("GET", "/api/v1/wallet/" + waid + "/depositaddress/generic/CAD", "", w.bob.key);
       }},
      {"POST transfer",
       [&](const std::string& waid) { return post("/api/v1/wallet/transfer", transfer_body(waid, w.bob_main, "1"), w.bob.key); }},
      {"POST withdraw",
       [&](const std::string& waid) {
         return post("/api/v1/wallet/withdraw",
                     Json{{"waid", waid}, {"currency", "CAD"}, {"amount", "1"}, {"method", "generic"}, {"destinationaddress", "x"}},
                     w.bob.key);
       }},
  };
  auto before = snapshot();
  for (const auto& p : probes) {
    INFO(p.what);
    Answer theirs = p.call(w.alice_main), nobodys = p.call(absent);
    INFO(theirs.body << " / " << nobodys.body);
    CHECK(nobodys.resultcode() == 10140);
    CHECK(shape(theirs, w.alice_main) == shape(nobodys, absent));
  }
  // A profile's wallet list likewise.
  Answer theirs = dev().call("GET", "/api/v1/wallet/list/" + w.alice.upid, "", w.bob.key);
  Answer nobodys = dev().call("GET", "/api/v1/wallet/list/upid_0000000000000042", "", w.bob.key);
  CHECK(shape(theirs, w.alice.upid) == shape(nobodys, "upid_0000000000000042"));
  Answer create_theirs = post("/api/v1/wallet/create", Json{{"walletname", "X"}, {"upid", w.alice.upid}}, w.bob.key);
  Answer create_nobodys = post("/api/v1/wallet/create", Json{{"walletname", "X"}, {"upid", "upid_0000000000000042"}}, w.bob.key);
  CHECK(create_nobodys.resultcode() == 10140);
  CHECK(shape(create_theirs, w.alice.upid) == shape(create_nobodys, "upid_0000000000000042"));
  CHECK(snapshot() == before);
  // What the caller's own profile (or its child's) holds is still refused as such.
  CHECK(post("/api/v1/wallet/transfer", transfer_body(w.child_main, w.alice_main, "1.00"), w.parent_plain.key).resultcode() ==
        10122);
}
