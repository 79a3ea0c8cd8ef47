// Hardening of the request pipeline against real omnid processes on real PostgreSQL:
// guessing API keys is slowed down per address, and a database outage is answered as the
// temporary condition it is (HTTP 503 with Retry-After, result code 10003).
#include <catch2/catch.hpp>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

#include "common/crypto.h"
#include "daemon/http/auth.h"
#include "daemon/store/pool.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
using og::test::OmnidOptions;

namespace {

std::string random_key() { return og::crypto::identifier_hex(16); }

std::string dbname_of(const std::string& conninfo) {
  pqxx::connection c(conninfo);
  return c.dbname();
}

}  // namespace

TEST_CASE("failed authentications from one address are slowed down; known keys still work", "[hardening][auth]") {
  OmnidOptions o;
  o.dev = false;
  o.database_url = og::test::fresh_database("authfail");
  o.config["auth.failure_burst"] = "5";
  o.config["auth.failures_per_second"] = "0.1";  // one more guess every 10 s
  Omnid omnid(o);
  std::string good = omnid.create_api_key({"system-admin"});
  REQUIRE(omnid.call("GET", "/api/v1/static/rolelist", "", good).resultcode() == 10000);

  // Five wrong keys are checked (10121); the sixth is refused unchecked, with a delay.
  for (int i = 0; i < 5; ++i) {
    Answer a = omnid.call("GET", "/api/v1/static/rolelist", "", random_key());
    INFO(a.body);
    CHECK(a.resultcode() == 10121);
  }
  Answer slowed = omnid.call("GET", "/api/v1/static/rolelist", "", random_key());
  INFO(slowed.body);
  CHECK(slowed.resultcode() == 10004);
  CHECK(slowed.status == 429);
  const std::string retry = slowed.raw.header("retry-after");
  REQUIRE(!retry.empty());
  CHECK(std::stoi(retry) >= 1);
  CHECK(std::stoi(retry) <= 10);
  // Malformed keys and bad bearer tokens are failures too.
  CHECK(omnid.call("GET", "/api/v1/static/rolelist", "", "not-a-key").resultcode() == 10004);
  CHECK(omnid.call("GET", "/api/v1/static/rolelist", "", std::string(), {{"Authorization", "Bearer abc.def.ghi"}})
            .resultcode() == 10004);
  // A key this node knows to be good is not held up by the guessing.
  CHECK(omnid.call("GET", "/api/v1/static/rolelist", "", good).resultcode() == 10000);
  // Calls without credentials to public endpoints are not affected.
  CHECK(omnid.call("GET", "/api/v1/system/health", "", std::string()).resultcode() == 10000);
  // The log says which address was refused, once per request as usual, never the key.
  CHECK(omnid.wait_for_log("\"resultcode\":10004", std::chrono::seconds(10)));
}

TEST_CASE("a database outage answers 10003 with HTTP 503 and Retry-After, and omnid recovers", "[hardening][database]") {
  OmnidOptions o;
  o.dev = false;
  o.database_url = og::test::fresh_database("outage");
  Omnid omnid(o);
  const std::string db = dbname_of(o.database_url);
  auto admin = omnid.create_profile_with_key({"system-admin"});
  REQUIRE(omnid.call("POST", "/api/v1/wallet/create", Json{{"walletname", "Main"}}.dump(), admin.apikey).resultcode() == 10000);
  REQUIRE(omnid.call("GET", "/api/v1/wallet", "", admin.apikey).resultcode() == 10000);

  pqxx::connection super(og::test::shared_cluster_conninfo_for("postgres"));
  auto set_connections = [&](bool allowed) {
    pqxx::nontransaction tx(super);
    tx.exec("ALTER DATABASE " + tx.quote_name(db) + " ALLOW_CONNECTIONS " + (allowed ? "true" : "false"));
    if (!allowed)
      tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", db);
  };
  set_connections(false);
  struct Restore {
    std::function<void()> f;
    ~Restore() { f(); }
  } restore{[&] { set_connections(true); }};

  // Reads, the health check and a ledger operation all say "temporarily unavailable".
  for (int i = 0; i < 2; ++i) {
    Answer wallet = omnid.call("GET", "/api/v1/wallet", "", admin.apikey);
    INFO(wallet.body);
    CHECK(wallet.status == 503);
    CHECK(wallet.resultcode() == 10003);
    CHECK(!wallet.raw.header("retry-after").empty());
  }
  Answer health = omnid.call("GET", "/api/v1/system/health", "", std::string());
  INFO(health.body);
  CHECK(health.status == 503);
  CHECK(health.resultcode() == 10003);
  CHECK(!health.raw.header("retry-after").empty());
  Answer deposit = omnid.call("POST", "/api/v1/system/bridge/generic/deposit",
                              Json{{"waid", "waid_0000000000000001"}, {"currency", "CAD"}, {"amount", "1"},
                                   {"externaltransactionid", "outage-1"}}
                                  .dump(),
                              admin.apikey);
  INFO(deposit.body);
  CHECK(deposit.status == 503);
  CHECK(deposit.resultcode() == 10003);

  // Back: the same calls succeed again without restarting omnid.
  set_connections(true);
  bool back = false;
  for (int i = 0; i < 50 && !back; ++i) {
    back = omnid.call("GET", "/api/v1/wallet", "", admin.apikey).resultcode() == 10000;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(back);
  CHECK(omnid.call("GET", "/api/v1/system/health", "", std::string()).status == 200);
}

TEST_CASE("unknown API keys are remembered up to a bound, without forgetting the keys that exist", "[hardening][auth]") {
  const std::string conninfo = og::test::fresh_database("authcache");
  {
    // The schema, and one key, as omnid makes them.
    OmnidOptions o;
    o.dev = false;
    o.database_url = conninfo;
    Omnid omnid(o);
    omnid.create_api_key({"system-admin"});
  }
  og::store::Pool pool(conninfo, 2);
  og::http::Authenticator auth(pool, std::chrono::seconds(600));
  // A key that exists, inserted directly and then checked once: it is now remembered.
  const std::string good = random_key();
  {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    auto upid = tx.exec1("SELECT upid FROM api_keys LIMIT 1")[0].as<std::string>();
    tx.exec_params("INSERT INTO api_keys (akid, upid, key_hash, last4, description, roles) "
                   "VALUES ('akid_9999999999999999', $1, decode($2, 'hex'), right($3, 4), 'test', ARRAY['system-admin'])",
                   upid, og::http::api_key_hash_hex(good), good);
    tx.commit();
  }
  REQUIRE(auth.authenticate_api_key(good).rc == og::Rc::Ok);
  // Many more unknown keys than the bound.
  const std::size_t n = og::http::Authenticator::kMaxUnknown + 500;
  for (std::size_t i = 0; i < n; ++i) REQUIRE(auth.authenticate_api_key(random_key()).rc == og::Rc::InvalidCredentials);
  CHECK(auth.cached_unknown() == og::http::Authenticator::kMaxUnknown);
  // The good key was never dropped with them: revoked in the database now, it is still
  // answered from memory (for the cache's lifetime, as documented).
  {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    tx.exec("UPDATE api_keys SET revoked_at = now() WHERE akid = 'akid_9999999999999999'");
    tx.commit();
  }
  CHECK(auth.authenticate_api_key(good).rc == og::Rc::Ok);
  // The most recent unknown keys are the ones remembered.
  const std::string last = random_key();
  auth.authenticate_api_key(last);
  CHECK(auth.cached_unknown() == og::http::Authenticator::kMaxUnknown);
}

TEST_CASE("a number beyond a double in a body is malformed input, not a system error", "[hardening][json]") {
  // Found by fuzz_json_body: nlohmann throws out_of_range for 1e400, which answered 10003.
  Omnid omnid;
  for (const char* body : {R"({"amount":1e400,"currency":"CAD"})", R"({"walletname":-1e999})", R"({"a":[1,2,1e400]})"}) {
    Answer a = omnid.call("POST", "/api/v1/wallet/create", body);
    INFO(body << " -> " << a.body);
    CHECK(a.status == 400);
    CHECK(a.resultcode() == 10102);  // MALFORMED_JSON
    CHECK_THAT(a.message(), Catch::Contains("out of range"));
  }
}

TEST_CASE("a handler past its deadline answers 10003 and its transaction rolls back", "[hardening][deadline]") {
  Omnid omnid;
  auto owner = omnid.create_profile_with_key({"profile-admin"});
  pqxx::connection locker(omnid.db_conninfo());
  pqxx::work held(locker);
  // Another transaction holds the profile's row: the update waits on it past its deadline.
  held.exec_params("SELECT 1 FROM profiles WHERE upid = $1 FOR UPDATE", owner.upid);
  const auto t0 = std::chrono::steady_clock::now();
  Answer a = omnid.call("POST", "/api/v1/profile/update", Json{{"upid", owner.upid}, {"city", "Deadline"}}.dump(),
                        owner.apikey);
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO(a.body);
  CHECK(a.resultcode() == 10003);
  CHECK(a.message().find("did not finish within its 5 s deadline") != std::string::npos);
  CHECK(took >= std::chrono::seconds(4));
  CHECK(took < std::chrono::seconds(10));
  held.abort();
  // Nothing was changed, and the worker is free: the same update now succeeds.
  pqxx::nontransaction check(locker);
  CHECK(check.exec_params1("SELECT coalesce(attributes->>'city', '') FROM profiles WHERE upid = $1", owner.upid)[0]
            .as<std::string>() != "Deadline");
  CHECK(omnid.call("POST", "/api/v1/profile/update", Json{{"upid", owner.upid}, {"city", "Deadline"}}.dump(),
                   owner.apikey)
            .resultcode() == 10000);
  CHECK(check.exec_params1("SELECT coalesce(attributes->>'city', '') FROM profiles WHERE upid = $1", owner.upid)[0]
            .as<std::string>() == "Deadline");
}
