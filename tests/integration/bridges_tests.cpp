// What every bridge shares, in-process on a real PostgreSQL: the deposit inbox credits each
// external transaction once (also when a round dies between the ledger's commit and its
// own), the withdrawal state machine of push bridges never sends twice and never forgets
// (a crash while sending is looked up on the network first), and external accounts keep
// their secrets out of their rows and answers.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "common/json.h"
#include "daemon/bridges/accounts.h"
#include "daemon/bridges/generic.h"
#include "daemon/bridges/inbox.h"
#include "daemon/bridges/registry.h"
#include "daemon/bridges/withdrawals.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/ledger/wallets.h"
#include "daemon/modules/omnipass/bootstrap.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/migrations.h"
#include "daemon/store/pool.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using namespace og;
using bridges::Submission;

namespace {

struct Fixture {
  std::string db = test::fresh_database("bridges");
  store::Pool pool{db, 4};
  Fixture() {
    auto conn = pool.acquire();
    store::migrate(*conn);
  }
  std::string wallet() {
    auto conn = pool.acquire();
    pqxx::work tx(*conn);
    std::string upid = omnipass::create_profile(tx, "individual", Json{{"firstname", "T"}, {"lastname", "U"}}, false);
    std::string waid = ledger::create_wallet(tx, upid, "Main", false, "");
    tx.commit();
    return waid;
  }
  std::string one(const std::string& sql) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }
  void exec(const std::string& sql) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    tx.exec0(sql);
  }
  std::string balance(const std::string& waid) {
    return one("SELECT available::text || '/' || held::text FROM balances WHERE waid = '" + waid +
               "' AND currency = 'CAD'");
  }
};

ledger::Actor admin() {
  ledger::Actor a;
  a.credential = "akid_0000000000000001";
  a.superuser = true;
  return a;
}

bool always() { return true; }

// A push bridge whose "network" is this object: what it was sent, and how it answers.
class FakeNetwork final : public bridges::Bridge {
 public:
  FakeNetwork() : Bridge({.type = "fakenet", .instance = 1, .description = "", .enabled = true}) {}
  std::string default_description() const override { return "test network"; }
  const bridges::AccountSchema& schema() const override { return bridges::generic_schema(); }
  Delivery delivery() const override { return Delivery::Push; }
  std::string deposit_address(pqxx::work&, const ledger::WalletRow& w) override { return "FAKE-" + w.shortcode; }

  Submission submit(const bridges::Withdrawal& w) override {
    ++submits;
    if (answer == Submission::Result::Sent) network[w.txid] = "ext-" + w.txid;
    if (die_after_send) throw std::runtime_error("the node died after the network took it");
    return {answer, answer == Submission::Result::Sent ? network[w.txid] : "", "network says no"};
  }
  Submission find(const bridges::Withdrawal& w) override {
    ++finds;
    auto it = network.find(w.txid);
    if (it == network.end()) return {Submission::Result::Retry, "", "never seen"};
    return {Submission::Result::Sent, it->second, ""};
  }
  bridges::Settlement settlement(const bridges::Withdrawal&, const std::string&) override { return settles; }

  Submission::Result answer = Submission::Result::Sent;
  bool die_after_send = false;
  bridges::Settlement settles = bridges::Settlement::InFlight;
  std::map<std::string, std::string> network;  // txid -> external id
  int submits = 0, finds = 0;
};

}  // namespace

TEST_CASE("the inbox credits each external transaction once, also after a round died midway", "[bridges][inbox]") {
  Fixture f;
  ledger::Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16});
  bridges::Bridges set({});
  const bridges::Bridge& generic = *set.find("generic", 1);
  const std::string waid = f.wallet();
  const std::string shortcode = f.one("SELECT shortcode FROM wallets WHERE waid = '" + waid + "'");
  f.exec("INSERT INTO deposit_addresses (waid, method, address) VALUES ('" + waid + "', 'generic', 'GEN-" + shortcode +
         "')");
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    CHECK(bridges::receive(tx, generic, {"ext-1", "GEN-" + shortcode, "CAD", "12.34", "IBAN1", "salary"}));
    CHECK_FALSE(bridges::receive(tx, generic, {"ext-1", "GEN-" + shortcode, "CAD", "12.34", "IBAN1", "salary"}));
    CHECK(bridges::receive(tx, generic, {"ext-2", "GEN-nobody", "CAD", "1.00", "", ""}));
    CHECK(bridges::receive(tx, generic, {"ext-3", "GEN-" + shortcode, "CAD", "1.001", "", ""}));  // too precise
    tx.commit();
  }
  auto round = bridges::credit_received(f.pool, l, set, always);
  CHECK(round.credited == 1);
  CHECK(round.unmatched == 1);
  CHECK(round.refused == 1);
  CHECK(f.balance(waid) == "1234/0");
  const std::string txid = f.one("SELECT txid FROM bridge_inbox WHERE external_txid = 'ext-1'");
  CHECK(txid.rfind("txid_", 0) == 0);
  CHECK(f.one("SELECT state FROM bridge_inbox WHERE external_txid = 'ext-2'") == "unmatched");
  CHECK(f.one("SELECT state || ' ' || result_code FROM bridge_inbox WHERE external_txid = 'ext-3'") ==
        "refused 10113");

  // A round that died after the ledger's commit and before the inbox's own: the row is
  // still "received". The next round finds the ledger's record and credits nothing again.
  f.exec("UPDATE bridge_inbox SET state = 'received', txid = NULL WHERE external_txid = 'ext-1'");
  round = bridges::credit_received(f.pool, l, set, always);
  CHECK(round.credited == 1);
  CHECK(f.balance(waid) == "1234/0");
  CHECK(f.one("SELECT txid FROM bridge_inbox WHERE external_txid = 'ext-1'") == txid);
  CHECK(f.one("SELECT count(*) FROM transactions WHERE type = 'deposit'") == "1");

  // Nothing left to do; a lost lease stops a round before it credits anything.
  CHECK(bridges::credit_received(f.pool, l, set, always).credited == 0);
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    CHECK(bridges::receive(tx, generic, {"ext-4", "GEN-" + shortcode, "CAD", "1.00", "", ""}));
    tx.commit();
  }
  round = bridges::credit_received(f.pool, l, set, [] { return false; });
  CHECK(round.credited == 0);
  CHECK(round.more);
  CHECK(f.balance(waid) == "1234/0");

  // A page of arrivals in one statement: what was recorded before (ext-1, ext-4) changes
  // nothing; the new ones keep every field.
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    CHECK(bridges::receive_all(tx, generic, {}) == 0);
    CHECK(bridges::receive_all(tx, generic,
                               {{"ext-1", "GEN-" + shortcode, "CAD", "99.00", "", "", 0},
                                {"ext-5", "GEN-" + shortcode, "CAD", "2.50", "IBAN5", "rent", 42},
                                {"ext-4", "GEN-nobody", "CAD", "7.00", "", "", 0},
                                {"ext-6", "GEN-nobody", "CAD", "0.10", "", "it's \"quoted\"", 0}}) == 2);
    tx.commit();
  }
  CHECK(f.one("SELECT amount || ' ' || address || ' ' || state FROM bridge_inbox WHERE external_txid = 'ext-1'") ==
        "12.34 GEN-" + shortcode + " credited");
  CHECK(f.one("SELECT amount || '|' || source_address || '|' || description || '|' || ledger_index FROM bridge_inbox "
              "WHERE external_txid = 'ext-5'") == "2.50|IBAN5|rent|42");
  CHECK(f.one("SELECT description || '|' || (ledger_index IS NULL) FROM bridge_inbox WHERE external_txid = 'ext-6'") ==
        "it's \"quoted\"|true");
  round = bridges::credit_received(f.pool, l, set, always);
  CHECK(round.credited == 2);  // ext-4 and ext-5
  CHECK(round.unmatched == 1);
  CHECK(f.balance(waid) == "1584/0");
}

TEST_CASE("push withdrawals: recorded before sending, never sent twice, holds closed once", "[bridges][withdrawals]") {
  Fixture f;
  f.exec("UPDATE currencies SET withdraw_methods = withdraw_methods || ARRAY['fakenet'] WHERE code = 'CAD'");
  ledger::Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16});
  FakeNetwork net;
  const bridges::WithdrawalSettings settings{.retry_initial = std::chrono::seconds(0),
                                             .retry_max = std::chrono::seconds(0)};
  const std::string waid = f.wallet();
  REQUIRE(l.execute(ledger::Deposit{waid, "CAD", "100.00", "generic", "fund", "", ""}, admin()).rc == Rc::Ok);
  auto withdraw = [&](const std::string& amount) {
    auto o = l.execute(ledger::Withdraw{waid, "CAD", amount, "fakenet", "dest-1", ""}, admin());
    REQUIRE(o.rc == Rc::Ok);
    return o.txid;
  };
  auto state = [&](const std::string& txid) {
    return f.one("SELECT state FROM bridge_withdrawals WHERE txid = '" + txid + "'");
  };
  auto ledger_state = [&](const std::string& txid) {
    return f.one("SELECT state FROM transactions WHERE txid = '" + txid + "'");
  };

  SECTION("sent, then completed: the hold is posted") {
    const std::string tx1 = withdraw("10.00");
    CHECK(f.balance(waid) == "9000/1000");
    auto round = bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(round.submitted == 1);
    CHECK(net.submits == 1);
    CHECK(state(tx1) == "submitted");
    CHECK(f.one("SELECT external_txid FROM bridge_withdrawals WHERE txid = '" + tx1 + "'") == "ext-" + tx1);
    // Still in flight: nothing changes, nothing is sent again.
    bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(net.submits == 1);
    CHECK(ledger_state(tx1) == "Pending");
    net.settles = bridges::Settlement::Completed;
    round = bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(round.completed == 1);
    CHECK(state(tx1) == "completed");
    CHECK(ledger_state(tx1) == "Completed");
    CHECK(f.balance(waid) == "9000/0");
    CHECK(bridges::run_withdrawals(f.pool, l, net, settings, always).completed == 0);
    CHECK(net.submits == 1);
  }

  SECTION("the node dies while sending: the next round looks it up and does not send again") {
    const std::string tx1 = withdraw("10.00");
    net.die_after_send = true;
    CHECK_THROWS(bridges::run_withdrawals(f.pool, l, net, settings, always));
    CHECK(state(tx1) == "submitting");  // recorded before the send
    CHECK(net.submits == 1);
    net.die_after_send = false;
    auto round = bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(net.finds == 1);
    CHECK(net.submits == 1);  // found on the network: not sent twice
    CHECK(round.submitted == 1);
    CHECK(state(tx1) == "submitted");
  }

  SECTION("the node dies before the network took it: looked up, not found, sent once") {
    const std::string tx1 = withdraw("10.00");
    net.answer = Submission::Result::Retry;
    net.die_after_send = true;
    CHECK_THROWS(bridges::run_withdrawals(f.pool, l, net, settings, always));
    CHECK(state(tx1) == "submitting");
    net.answer = Submission::Result::Sent;
    net.die_after_send = false;
    bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(net.finds == 1);
    CHECK(net.submits == 2);
    CHECK(net.network.size() == 1);
    CHECK(state(tx1) == "submitted");
  }

  SECTION("a temporary failure is retried; a refusal voids the hold") {
    const std::string tx1 = withdraw("10.00");
    net.answer = Submission::Result::Retry;
    auto round = bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(round.retried == 1);
    CHECK(state(tx1) == "pending");
    CHECK(f.one("SELECT attempts FROM bridge_withdrawals WHERE txid = '" + tx1 + "'") == "1");
    net.answer = Submission::Result::Refused;
    round = bridges::run_withdrawals(f.pool, l, net, settings, always);
    CHECK(round.failed == 1);
    CHECK(state(tx1) == "failed");
    CHECK(ledger_state(tx1) == "Failed");
    CHECK(f.balance(waid) == "10000/0");
    CHECK(f.one("SELECT message FROM bridge_withdrawals WHERE txid = '" + tx1 + "'") == "network says no");
    CHECK(net.network.empty());
  }

  SECTION("sent, then failed on the network: the hold is voided") {
    const std::string tx1 = withdraw("10.00");
    bridges::run_withdrawals(f.pool, l, net, settings, always);
    net.settles = bridges::Settlement::Failed;
    CHECK(bridges::run_withdrawals(f.pool, l, net, settings, always).failed == 1);
    CHECK(ledger_state(tx1) == "Failed");
    CHECK(f.balance(waid) == "10000/0");
  }

  SECTION("a lost lease sends nothing") {
    const std::string tx1 = withdraw("10.00");
    auto round = bridges::run_withdrawals(f.pool, l, net, settings, [] { return false; });
    CHECK(round.more);
    CHECK(net.submits == 0);
    CHECK(state(tx1).empty());
  }
}

TEST_CASE("external accounts: checked against the schema, secrets stored apart and masked", "[bridges][accounts]") {
  Fixture f;
  bridges::Bridges set({});
  const bridges::Bridge& generic = *set.find("generic", 1);
  secrets::PlainSecretStore store;
  auto update = [&](const Json& data) {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    auto r = bridges::update_account(tx, store, generic, data);
    if (!r.problem) tx.commit();
    return r;
  };
  auto r = update(Json{{"accountid", "ACC-1"}, {"holder", "Omnigate Ltd"}, {"secret", "s3cret-value"},
                       {"description", "Operating account"}, {"issuing", true}});
  REQUIRE_FALSE(r.problem);
  CHECK(r.created);
  // The row holds no secret value; the secret store does.
  CHECK(f.one("SELECT attributes::text FROM bridge_accounts").find("s3cret-value") == std::string::npos);
  CHECK(f.one("SELECT kind FROM secrets WHERE id = (SELECT secret FROM bridge_accounts)") == "bridge-account");
  {
    auto conn = f.pool.acquire();
    pqxx::read_transaction tx(*conn);
    auto list = bridges::list_accounts(tx, generic);
    REQUIRE(list.size() == 1);
    CHECK(list[0].identifier == "ACC-1");
    CHECK(list[0].issuing);
    CHECK(list[0].attributes["secret"] == bridges::kMasked);
    CHECK(list[0].attributes["holder"] == "Omnigate Ltd");
    CHECK(bridges::account_secrets(tx, store, list[0].id)["secret"] == "s3cret-value");
  }
  // An update names the account by its identifier and keeps what it does not name.
  r = update(Json{{"accountid", "ACC-1"}, {"currency", "CAD"}});
  REQUIRE_FALSE(r.problem);
  CHECK_FALSE(r.created);
  CHECK(f.one("SELECT attributes->>'holder' FROM bridge_accounts") == "Omnigate Ltd");
  CHECK(f.one("SELECT count(*) FROM secrets WHERE kind = 'bridge-account'") == "1");
  // A new secret replaces the old one (not left behind).
  REQUIRE_FALSE(update(Json{{"accountid", "ACC-1"}, {"secret", "rotated"}}).problem);
  CHECK(f.one("SELECT count(*) FROM secrets WHERE kind = 'bridge-account'") == "1");

  // Bad data is refused with its code and changes nothing.
  const std::string before = f.one("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM bridge_accounts b") +
                             f.one("SELECT count(*) FROM secrets");
  CHECK(update(Json{{"accountid", "ACC-2"}, {"colour", "red"}}).problem->rc == Rc::UnknownParameter);
  CHECK(update(Json{{"holder", "no id"}}).problem->rc == Rc::MissingParameter);
  CHECK(update(Json{{"accountid", 5}}).problem->rc == Rc::BadType);
  CHECK(update(Json{{"accountid", ""}}).problem->rc == Rc::BadLength);
  CHECK(update(Json{{"accountid", "ACC-3"}, {"secret", bridges::kMasked}}).problem->rc == Rc::BadValue);
  CHECK(update(Json{{"accountid", "ACC-3"}, {"holder", "a\nb"}}).problem->rc == Rc::BadValue);
  CHECK(update(Json{{"accountid", "ACC-3"}, {"issuing", "yes"}}).problem->rc == Rc::BadType);
  CHECK(update(Json::array()).problem->rc == Rc::BadType);
  CHECK(f.one("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM bridge_accounts b") +
            f.one("SELECT count(*) FROM secrets") ==
        before);
}

TEST_CASE("bridge instances: generic-1 by default, configured ones, types not built refused", "[bridges][registry]") {
  bridges::Bridges defaults({});
  REQUIRE(defaults.all().size() == 1);
  CHECK(defaults.all()[0]->key() == "generic-1");
  CHECK(defaults.all()[0]->ledger_name() == "generic");
  bridges::Bridges two({{.type = "generic", .instance = 2, .description = "Second adapter", .enabled = false}});
  REQUIRE(two.all().size() == 1);  // configuring the generic bridge replaces the default instance
  CHECK(two.find("generic", 2)->ledger_name() == "generic-2");
  CHECK(two.find("generic", 2)->description() == "Second adapter");
  CHECK(two.by_ledger_name("generic-2") == two.find("generic", 2));
  CHECK_THROWS_AS(bridges::Bridges({{.type = "bank", .instance = 1, .description = "", .enabled = true}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(bridges::Bridges({{.type = "generic", .instance = 1, .description = "", .enabled = true},
                                    {.type = "generic", .instance = 1, .description = "", .enabled = true}}),
                  std::invalid_argument);
  CHECK(bridges::type_state("ripple") == bridges::TypeState::Built);
  CHECK(bridges::type_state("bitcoin") == bridges::TypeState::Built);
  CHECK(bridges::type_state("stellar") == bridges::TypeState::Built);
  CHECK(bridges::type_state("bank") == bridges::TypeState::Planned);
  CHECK(bridges::type_state("nosuch") == bridges::TypeState::Unknown);
  CHECK(bridges::schema_of("generic")->identifier == "accountid");
}

// The system/bridge endpoints through omnid --dev, over the interface.
TEST_CASE("system/bridge endpoints: instances, schemas, accounts (masked), balances", "[bridges][api]") {
  test::Omnid omnid;
  auto admin_key = omnid.create_api_key({"system-admin"});
  auto reader = omnid.create_api_key({"profile-admin"});
  auto get = [&](const std::string& path, const std::string& key) { return omnid.call("GET", path, "", key); };
  auto post = [&](const std::string& path, const Json& body, const std::string& key) {
    return omnid.call("POST", path, body.dump(), key);
  };
  auto tables = [&] {
    pqxx::connection conn(omnid.db_conninfo());
    pqxx::nontransaction tx(conn);
    return tx.exec1("SELECT coalesce(md5(string_agg(b::text, ',' ORDER BY id)), '') || "
                    "(SELECT count(*) FROM secrets)::text FROM bridge_accounts b")[0]
        .as<std::string>();
  };

  auto active = get("/api/v1/system/bridge/active", admin_key);
  INFO(active.body);
  REQUIRE(active.resultcode() == 10000);
  REQUIRE(active.json["bridgelist"].size() == 1);
  CHECK(active.json["bridgelist"][0] == Json{{"bridgename", "generic"}, {"description", "Generic adapter bridge"},
                                             {"instanceid", 1}, {"enabled", true}, {"status", "started"},
                                             {"externalaccountscount", 0}});
  CHECK(get("/api/v1/system/bridge/active", reader).resultcode() == 10122);  // readsystemdata

  auto id = get("/api/v1/system/bridge/generic/externalaccount/identifier", admin_key);
  CHECK(id.json["accountidentifier"] ==
        Json{{"name", "accountid"}, {"label", "Account ID at the adapter"}, {"type", "string"}});
  auto attrs = get("/api/v1/system/bridge/generic/externalaccount/attributelist", admin_key);
  REQUIRE(attrs.resultcode() == 10000);
  CHECK(attrs.json["attributelist"].size() == 4);
  CHECK(attrs.json["attributelist"][3] ==
        Json{{"name", "secret"}, {"label", "Adapter credential"}, {"type", "string"}, {"masked", true}});
  auto ripple_attrs = get("/api/v1/system/bridge/ripple/externalaccount/attributelist", admin_key);
  REQUIRE(ripple_attrs.resultcode() == 10000);  // built, even where no instance is configured
  CHECK(ripple_attrs.json["attributelist"][1] == Json{{"name", "seed"},
                                                      {"label", "Family seed (s...): signs withdrawals"},
                                                      {"type", "string"},
                                                      {"masked", true}});
  CHECK(get("/api/v1/system/bridge/bank/externalaccount/attributelist", admin_key).resultcode() == 10130);
  CHECK(get("/api/v1/system/bridge/nosuch/externalaccount/identifier", admin_key).resultcode() == 10140);

  // An account with a secret: stored, listed masked, never answered or logged in clear.
  const std::string secret = "adapter-credential-9f2c";
  auto made = post("/api/v1/system/bridge/updateaccount",
                   Json{{"bridgename", "generic"}, {"instanceid", 1},
                        {"accountdata", Json{{"accountid", "ACC-1"}, {"holder", "Ops"}, {"secret", secret}}}},
                   admin_key);
  INFO(made.body);
  REQUIRE(made.resultcode() == 10000);
  CHECK(made.json["created"] == true);
  auto list = get("/api/v1/system/bridge/generic-1/externalaccountlist", admin_key);
  REQUIRE(list.resultcode() == 10000);
  CHECK(list.json["accountidentifier"] == "accountid");
  REQUIRE(list.json["externalaccountlist"].size() == 1);
  const Json& listed = list.json["externalaccountlist"][0]["attributelist"];
  CHECK(listed.size() == 3);
  CHECK(listed.value("accountid", "") == "ACC-1");
  CHECK(listed.value("holder", "") == "Ops");
  CHECK(listed.value("secret", "") == "********");
  CHECK(list.body.find(secret) == std::string::npos);
  CHECK(get("/api/v1/system/bridge/active", admin_key).json["bridgelist"][0]["externalaccountscount"] == 1);

  // Bad input: its code, and nothing changed.
  const std::string before = tables();
  auto update = [&](Json body) { return post("/api/v1/system/bridge/updateaccount", body, admin_key).resultcode(); };
  CHECK(update(Json{{"bridgename", "generic"}, {"accountdata", Json{{"accountid", "A"}}}}) == 10110);
  CHECK(update(Json{{"bridgename", "generic"}, {"instanceid", 1}, {"bridgeinstanceid", 1},
                    {"accountdata", Json{{"accountid", "A"}}}}) == 10113);
  CHECK(update(Json{{"bridgename", "generic"}, {"instanceid", 2}, {"accountdata", Json{{"accountid", "A"}}}}) ==
        10140);
  CHECK(update(Json{{"bridgename", "ripple"}, {"instanceid", 1}, {"accountdata", Json{{"address", "r"}}}}) ==
        10140);  // built, not configured here
  CHECK(update(Json{{"bridgename", "bitcoin"}, {"instanceid", 1}, {"accountdata", Json{{"rpcuser", "b"}}}}) ==
        10140);  // built, not configured here
  CHECK(update(Json{{"bridgename", "stellar"}, {"instanceid", 1}, {"accountdata", Json{{"address", "b"}}}}) ==
        10140);  // built, not configured here
  CHECK(update(Json{{"bridgename", "bank"}, {"instanceid", 1}, {"accountdata", Json{{"address", "b"}}}}) ==
        10130);
  CHECK(update(Json{{"bridgename", "dogecoin"}, {"instanceid", 1}, {"accountdata", Json{{"a", "b"}}}}) == 10113);
  CHECK(update(Json{{"bridgename", "generic"}, {"instanceid", 1}, {"accountdata", Json{{"colour", "red"}}}}) ==
        10114);
  CHECK(update(Json{{"bridgename", "generic"}, {"instanceid", 1},
                    {"accountdata", Json{{"accountid", "ACC-9"}, {"secret", 7}}}}) == 10112);
  CHECK(post("/api/v1/system/bridge/updateaccount",
             Json{{"bridgename", "generic"}, {"instanceid", 1}, {"accountdata", Json{{"accountid", "B"}}}}, reader)
            .resultcode() == 10122);
  CHECK(tables() == before);
  CHECK(get("/api/v1/system/bridge/generic-2/externalaccountlist", admin_key).resultcode() == 10140);
  CHECK(get("/api/v1/system/bridge/bank-1/balances", admin_key).resultcode() == 10130);
  CHECK(get("/api/v1/system/bridge/bitcoin-1/balances", admin_key).resultcode() == 10140);  // built, not configured

  // Balances: what users hold through the bridge, and what of it is held for withdrawals.
  auto user = omnid.create_profile_with_key({"profile-admin"});
  auto adapter = omnid.create_api_key({"adapter-admin"});
  auto wallet = post("/api/v1/wallet/create", Json{{"walletname", "Main"}}, user.apikey);
  REQUIRE(wallet.resultcode() == 10000);
  const std::string waid = wallet.json["waid"].get<std::string>();
  REQUIRE(post("/api/v1/system/bridge/generic/deposit",
               Json{{"waid", waid}, {"currency", "CAD"}, {"amount", "25.00"}, {"externaltransactionid", "dep-1"}},
               adapter)
              .resultcode() == 10000);
  REQUIRE(post("/api/v1/wallet/withdraw",
               Json{{"waid", waid}, {"currency", "CAD"}, {"amount", "5.50"}, {"method", "generic"},
                    {"destinationaddress", "IBAN-X"}},
               user.apikey)
              .resultcode() == 10000);
  auto bal = get("/api/v1/system/bridge/generic-1/balances", admin_key);
  INFO(bal.body);
  REQUIRE(bal.resultcode() == 10000);
  CHECK(bal.json["bridgename"] == "generic");
  CHECK(bal.json["instanceid"] == 1);
  REQUIRE(bal.json["balances"].size() == 1);
  CHECK(bal.json["balances"][0] == Json{{"identifier", "generic-1"}, {"internalfee", "0.00"},
                                        {"internalbalance", "25.00"}, {"internalavail", "19.50"},
                                        {"internalheld", "5.50"}, {"precision", 2}, {"currency", "CAD"},
                                        {"currencycode", 124}});

  // The secret never reached the log.
  CHECK(omnid.log().find(secret) == std::string::npos);
}
