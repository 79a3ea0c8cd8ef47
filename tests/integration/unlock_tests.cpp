// Secrets encrypted at rest and component unlock, against a real omnid and PostgreSQL:
// a database with a keyring starts locked (503 COMPONENT_LOCKED, health says so); a wrong
// password is refused, audited and slowed down; the right one unlocks (the plain secrets
// of an older database are encrypted then) and login works; a restart locks again; no
// secret is readable in the database; `omnictl unlock` drives it from a script.
#include <catch2/catch.hpp>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "common/crypto.h"
#include "common/password.h"
#include "daemon/modules/omnipass/accounts.h"
#include "daemon/secrets/keyring.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/migrations.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
using og::test::OmnidOptions;
using namespace std::chrono_literals;
namespace secrets = og::secrets;

namespace {

const std::string kEmail = "locked.user@example.com";
const std::string kUserPassword = "Mypassword$0";

// An active user with a password on an active individual profile.
void create_user(const std::string& db) {
  pqxx::connection c(db);
  pqxx::work tx(c);
  og::omnipass::Profile p;
  p.type = "individual";
  p.status = "active";
  p.attributes = Json{{"email", kEmail}, {"firstname", "Lock"}, {"lastname", "Smith"}};
  std::string upid = og::omnipass::insert_profile(tx, p);
  og::omnipass::User u;
  u.email = kEmail;
  u.password_hash = og::password::hash(kUserPassword);
  u.language = "en";
  u.status = "active";
  std::string uuid = og::omnipass::insert_user(tx, u);
  og::omnipass::set_membership(tx, {uuid, upid, kEmail, {"ewallet-rw"}, true});
  tx.exec_params("UPDATE users SET default_upid = $2 WHERE uuid = $1", uuid, upid);
  tx.commit();
}

Answer login(Omnid& o) {
  return o.call_json("POST", "/api/v1/user/login",
                     Json{{"email", kEmail}, {"password", kUserPassword}}, "");
}

Json health(Omnid& o) {
  Answer a = o.call("GET", "/api/v1/system/health", "", "");
  REQUIRE(a.resultcode() == 10000);
  return a.json["components"];
}

bool locked(Omnid& o, const std::string& component) {
  return health(o)[component]["locked"].get<bool>();
}

Answer unlock(Omnid& o, const std::string& component, const std::string& password) {
  return o.call_json("POST", "/api/v1/system/" + component + "/unlock",
                     Json{{"password", password}}, "");
}

// Every secret's stored bytes; none may contain `needle`.
std::vector<std::pair<std::string, std::string>> stored_secrets(const std::string& db) {
  pqxx::connection c(db);
  pqxx::read_transaction tx(c);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : tx.exec("SELECT scheme, encode(value, 'hex') FROM secrets ORDER BY id"))
    out.emplace_back(r[0].as<std::string>(), *og::crypto::hex_decode(r[1].as<std::string>()));
  return out;
}

long long count(const std::string& db, const std::string& sql) {
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

og::test::ProcessResult omnictl(const Omnid& o, const std::vector<std::string>& args,
                                const std::string& stdin_text) {
  std::vector<std::string> argv{OMNICTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return og::test::run_process(argv, stdin_text,
                               {{"OMNICTL_URL", o.url()}, {"OMNICTL_CACERT", o.cacert()}});
}

OmnidOptions on(const std::string& db) {
  OmnidOptions o;
  o.dev = false;
  o.database_url = db;
  o.config = {{"rate_limit.enabled", "false"}};  // many anonymous calls from one address
  return o;
}

}  // namespace

TEST_CASE(
    "the keyring in the database: create once, right and wrong passwords, encrypted store, "
    "tampering",
    "[unlock][keyring]") {
  std::string db = og::test::fresh_database("keyring");
  pqxx::connection c(db);
  og::store::migrate(c);
  const std::string password = secrets::generate_application_password();
  {
    pqxx::work tx(c);
    REQUIRE_FALSE(secrets::has_keyring(tx));
    REQUIRE_THROWS_AS(secrets::create_keyring(tx, "short"), std::invalid_argument);
    secrets::create_keyring(tx, password);
    REQUIRE(secrets::has_keyring(tx));
    tx.commit();
  }
  {
    pqxx::work tx(c);
    REQUIRE_THROWS_AS(secrets::create_keyring(tx, password), std::runtime_error);
  }
  pqxx::work tx(c);
  // The password is not stored in any form we can find.
  auto row = tx.exec1("SELECT encode(salt, 'hex') || encode(wrapped_key, 'hex') FROM keyring");
  REQUIRE(row[0].as<std::string>().find(og::crypto::hex_encode(password)) == std::string::npos);
  REQUIRE_FALSE(secrets::open_keyring(tx, "AAAAAAAAAAAAAAAA"));
  REQUIRE_FALSE(
      secrets::open_keyring(tx, password.substr(0, 15) + (password[15] == 'A' ? "B" : "A")));
  REQUIRE_FALSE(secrets::open_keyring(tx, "x"));
  auto master = secrets::open_keyring(tx, password);
  REQUIRE(master);

  secrets::EncryptedSecretStore store;
  REQUIRE_THROWS_AS(store.put(tx, "mfa-seed", "12345678901234567890"), secrets::Locked);
  store.unlock(*master);
  std::string id = store.put(tx, "mfa-seed", "12345678901234567890");
  REQUIRE(store.get(tx, id) == "12345678901234567890");
  auto raw = tx.exec_params1("SELECT scheme, encode(value, 'hex') FROM secrets WHERE id = $1", id);
  REQUIRE(raw[0].as<std::string>() == "aesgcm");
  REQUIRE(og::crypto::hex_decode(raw[1].as<std::string>())->find("12345678901234567890") ==
          std::string::npos);

  // Moving a value to another kind, or flipping a bit, makes it unreadable.
  tx.exec_params("UPDATE secrets SET kind = 'oauth-client-secret' WHERE id = $1", id);
  REQUIRE_THROWS_WITH(store.get(tx, id), Catch::Contains("does not decrypt"));
  tx.exec_params(
      "UPDATE secrets SET kind = 'mfa-seed', value = set_byte(value, 20, get_byte(value, 20) # 1) "
      "WHERE id = $1",
      id);
  REQUIRE_THROWS_WITH(store.get(tx, id), Catch::Contains("does not decrypt"));
  // A 'plain' value slipped into an encrypted database is refused, not trusted.
  og::secrets::PlainSecretStore plain;
  std::string plain_id = plain.put(tx, "mfa-seed", "injected");
  REQUIRE_THROWS_WITH(store.get(tx, plain_id), Catch::Contains("not encrypted"));
  // ... until the migration path encrypts it.
  REQUIRE(secrets::EncryptedSecretStore::encrypt_plain(tx, *master) == 1);
  REQUIRE(store.get(tx, plain_id) == "injected");
}

TEST_CASE(
    "omnid with a keyring: locked after start, wrong password refused and slowed, unlock, login, "
    "restart",
    "[unlock][daemon]") {
  std::string db = og::test::fresh_database("unlock");
  const std::string password = secrets::generate_application_password();
  std::string wrong = password;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';

  // 1. A database without a keyring (as before this feature): plain secrets, nothing locked.
  {
    Omnid o(on(db));
    CHECK(o.log().find("this database has no keyring") != std::string::npos);
    CHECK_FALSE(locked(o, "omnipass"));
    CHECK(o.call("GET", "/api/v1/system/health", "", "").json["secretsatrest"] == "plain");
    Answer a = unlock(o, "omnipass", password);
    CHECK(a.resultcode() == 10131);
    create_user(db);
    REQUIRE(login(o).resultcode() == 10000);
  }
  auto before = stored_secrets(db);
  REQUIRE_FALSE(before.empty());
  CHECK(before[0].first == "plain");
  CHECK(before[0].second.find("PRIVATE KEY") != std::string::npos);  // the check below can fail

  // 2. The installer's step: a keyring for this database.
  {
    pqxx::connection c(db);
    pqxx::work tx(c);
    secrets::create_keyring(tx, password);
    tx.commit();
  }

  Omnid o(on(db));
  std::string admin = o.create_api_key({"system-admin"});
  for (const char* c : {"omnipass", "omnibridge", "omnipay"}) CHECK(locked(o, c));
  CHECK(o.call("GET", "/api/v1/system/health", "", "").json["secretsatrest"] == "encrypted");
  Answer l = login(o);
  CHECK(l.resultcode() == 10132);
  CHECK(l.status == 503);
  Answer w = o.call("GET", "/api/v1/wallet", "", admin);
  CHECK(w.resultcode() == 10132);
  CHECK(o.call("GET", "/auth/jwks.json", "", "").resultcode() == 10132);

  // Component attributes are system calls: they work while locked.
  {
    Answer list = o.call("GET", "/api/v1/system/omnipass/attributelist", "", admin);
    REQUIRE(list.resultcode() == 10000);
    REQUIRE(list.json["attributelist"].size() == 1);
    CHECK(list.json["attributelist"][0]["name"] == "inactivitytimeoutinminutes");
    CHECK(list.json["attributelist"][0]["value"] == "15");
    CHECK(o.call_json("POST", "/api/v1/system/omnipass/attribute",
                      Json{{"name", "inactivitytimeoutinminutes"}, {"value", "30"}}, admin)
              .resultcode() == 10000);
    Answer bad = o.call_json("POST", "/api/v1/system/omnipass/attribute",
                             Json{{"name", "inactivitytimeoutinminutes"}, {"value", "0"}}, admin);
    CHECK(bad.resultcode() == 10113);
    CHECK(bad.message().find("1 to 1440") != std::string::npos);
    CHECK(o.call_json("POST", "/api/v1/system/omnipass/attribute",
                      Json{{"name", "inactivitytimeoutinminutes"}, {"value", "15x"}}, admin)
              .resultcode() == 10113);
    Answer unknown = o.call_json("POST", "/api/v1/system/omnipass/attribute",
                                 Json{{"name", "notifierhost"}, {"value", "n.example.com"}}, admin);
    CHECK(unknown.resultcode() == 10113);
    CHECK(unknown.message().find("inactivitytimeoutinminutes") != std::string::npos);
    list = o.call("GET", "/api/v1/system/omnipass/attributelist", "", admin);
    CHECK(list.json["attributelist"][0]["value"] == "30");

    CHECK(o.call_json("POST", "/api/v1/system/omnibridge/attribute",
                      Json{{"name", "notifierhost"}, {"value", "notify.example.com:8080"}}, admin)
              .resultcode() == 10000);
    for (const char* v :
         {"bad host", "-x.example.com", "x..example.com", "h:0", "h:65536", "h:80:80"})
      CHECK(o.call_json("POST", "/api/v1/system/omnipay/attribute",
                        Json{{"name", "notifierhost"}, {"value", v}}, admin)
                .resultcode() == 10113);
    list = o.call("GET", "/api/v1/system/omnipay/attributelist", "", admin);
    CHECK(list.json["attributelist"][0]["value"].is_null());
    list = o.call("GET", "/api/v1/system/omnibridge/attributelist", "", admin);
    CHECK(list.json["attributelist"][0]["value"] == "notify.example.com:8080");
    // Setting needs systemadmin; the list needs readsystemdata.
    std::string reader = o.create_api_key({"ewallet-rw"});
    CHECK(o.call_json("POST", "/api/v1/system/omnibridge/attribute",
                      Json{{"name", "notifierhost"}, {"value", "x.example.com"}}, reader)
              .resultcode() == 10122);
  }

  // 3. Wrong passwords: refused with 10180, audited without the password, then slowed down.
  Answer bad = unlock(o, "omnipass", wrong);
  CHECK(bad.resultcode() == 10180);
  CHECK(bad.status == 403);
  CHECK(locked(o, "omnipass"));
  CHECK(unlock(o, "omnipass", "short").resultcode() == 10111);
  // The third failure (docs/unlock.md): the next attempt must wait.
  for (int i = 0; i < 2; ++i) REQUIRE(unlock(o, "omnibridge", wrong).resultcode() == 10180);
  Answer slow = unlock(o, "omnipass", password);  // even the right one waits now
  CHECK(slow.resultcode() == 10004);
  std::string retry = slow.raw.header("retry-after");
  REQUIRE_FALSE(retry.empty());
  CHECK(locked(o, "omnipass"));
  CHECK(count(db, "SELECT count(*) FROM unlock_events WHERE outcome = 'wrong-password'") == 3);
  CHECK(count(db, "SELECT count(*) FROM unlock_events WHERE outcome = 'throttled'") == 1);
  CHECK(o.log().find("wrong application password") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(retry)) + 200ms);

  // 4. The right password: /auth/unlock unlocks omnipass (SSO style answer), login works.
  Answer ok = o.call_json("POST", "/auth/unlock", Json{{"password", password}}, "");
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(ok.json == Json{{"status", "ok"}});
  CHECK_FALSE(locked(o, "omnipass"));
  CHECK(locked(o, "omnibridge"));
  Answer in = login(o);
  REQUIRE(in.resultcode() == 10000);
  CHECK(o.call("GET", "/auth/jwks.json", "", "").json["keys"].size() >= 1);
  CHECK(o.call("GET", "/api/v1/wallet", "", admin).resultcode() ==
        10132);  // omnibridge: still locked
  // Unlocking again is fine (already unlocked).
  CHECK(unlock(o, "omnipass", password).resultcode() == 10000);

  // The old plain secrets were encrypted by the first unlock; no plaintext is left.
  for (const auto& [scheme, value] : stored_secrets(db)) {
    CHECK(scheme == "aesgcm");
    CHECK(value.find("PRIVATE KEY") == std::string::npos);
    CHECK(value.find("-----") == std::string::npos);
  }

  // 5. omnictl unlock: no TTY and no password source fails at once; a wrong password exits 4;
  //    --all with the right one unlocks the rest.
  auto r = omnictl(o, {"unlock", "--all"}, "");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--password-stdin") != std::string::npos);
  r = omnictl(o, {"unlock"}, password + "\n");
  CHECK(r.exit_code == 1);
  r = omnictl(o, {"unlock", "omnibridge", "--password-stdin"}, "tooshort\n");
  CHECK(r.exit_code == 1);
  r = omnictl(o, {"unlock", "omnibridge", "--password-stdin"}, wrong + "\n");
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("10180") != std::string::npos);
  CHECK(r.err.find(wrong) == std::string::npos);
  r = omnictl(o, {"unlock", "--all", "--password-stdin"}, password + "\n");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("omnipay: unlocked") != std::string::npos);
  for (const char* c : {"omnipass", "omnibridge", "omnipay"}) CHECK_FALSE(locked(o, c));
  CHECK(o.call("GET", "/api/v1/wallet", "", admin).resultcode() != 10132);

  // Neither password ever reached the log.
  CHECK(o.log().find(password) == std::string::npos);
  CHECK(o.log().find(wrong) == std::string::npos);
  REQUIRE(o.stop() == 0);

  // 6. A restart locks everything again; the password file works too.
  Omnid again(on(db));
  for (const char* c : {"omnipass", "omnibridge", "omnipay"}) CHECK(locked(again, c));
  CHECK(login(again).resultcode() == 10132);
  og::test::TempDir tmp("ogunlock");
  { std::ofstream(tmp.path() / "pw") << password << "\n"; }
  r = omnictl(again, {"unlock", "omnipass", "--password-file", (tmp.path() / "pw").string()}, "");
  CHECK(r.exit_code == 0);
  Answer in2 = login(again);
  REQUIRE(in2.resultcode() == 10000);
  // The token is signed by the key made (plain) before the keyring existed, encrypted by the
  // first unlock and decrypted after the restart: the same kid, no new key.
  std::string token = in2.json["token"];
  Json header = Json::parse(*og::crypto::base64url_decode(token.substr(0, token.find('.'))));
  CHECK(count(db, "SELECT count(*) FROM signing_keys") == 1);
  pqxx::connection c(db);
  pqxx::nontransaction q(c);
  CHECK(header["kid"] == q.exec1("SELECT kid FROM signing_keys")[0].as<std::string>());
}

TEST_CASE("omnid --dev starts unlocked without a keyring; unlock says there is nothing to unlock",
          "[unlock][dev]") {
  Omnid dev;
  for (const char* c : {"omnipass", "omnibridge", "omnipay"}) CHECK_FALSE(locked(dev, c));
  Answer a = dev.call_json("POST", "/api/v1/system/omnipay/unlock",
                           Json{{"password", "1ABC234D5EF67G8H"}}, "");
  CHECK(a.resultcode() == 10131);
  CHECK(a.message().find("no keyring") != std::string::npos);
  auto r = omnictl(dev, {"unlock", "omnipay", "--password-stdin"}, "1ABC234D5EF67G8H\n");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no keyring") != std::string::npos);
}
