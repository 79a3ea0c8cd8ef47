// Omnipass through its API against a real omnid --dev: registration, activation by e-mail,
// login, tokens (verified by python3-jwt with our JWKS), MFA (codes from oathtool),
// profiles, teams, API keys, e-mail and password changes, the system view, and an RBAC
// matrix over every role of the spec. Mail lands in files (the dev transport).
#include <catch2/catch.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <thread>

#include "common/crypto.h"
#include "common/jwt.h"
#include "common/rbac.h"
#include "daemon/modules/omnipass/tokens.h"
#include "tests/support/omnid_process.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
namespace fs = std::filesystem;

namespace {

Omnid& dev() {
  static Omnid omnid;
  return omnid;
}

Answer post(const std::string& path, const Json& body, const std::string& key = "",
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  return dev().call("POST", path, body.dump(), key, std::move(headers));
}
Answer get(const std::string& path, const std::string& key) { return dev().call("GET", path, "", key); }
Answer with_token(const std::string& method, const std::string& path, const std::string& token, const Json& body = {}) {
  return dev().call(method, path, body.is_null() ? "" : body.dump(), std::string(),
                    {{"Authorization", "Bearer " + token}});
}

void require_ok(const Answer& a) {
  INFO(a.body << a.error);
  REQUIRE(a.resultcode() == 10000);
}

// Every mail sent so far, decoded from quoted-printable.
std::vector<std::string> mails() {
  REQUIRE(dev().wait_for_outbox());  // mail leaves after the commit, from the outbox
  std::vector<fs::path> files;
  if (fs::exists(dev().data_dir() / "mail"))
    for (const auto& e : fs::directory_iterator(dev().data_dir() / "mail"))
      if (e.path().extension() == ".eml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::string raw = og::test::read_file(f), text;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '=' && i + 2 < raw.size() && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
        i += 2;  // soft line break
      } else if (raw[i] == '=' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        text += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        text += raw[i];
      }
    }
    out.push_back(text);
  }
  return out;
}

// The token of the newest mail to `to` (the 32 hex characters after token=, or the code).
std::string token_in_mail_to(const std::string& to) {
  auto all = mails();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->find("To: " + to) == std::string::npos) continue;
    std::smatch m;
    if (std::regex_search(*it, m, std::regex(R"(token=([0-9A-F]{32}))"))) return m[1];
    if (std::regex_search(*it, m, std::regex(R"(\n    ([0-9A-F]{32})\r?\n)"))) return m[1];
  }
  return "";
}

struct Registered {
  std::string email, password, upid, uuid;
};

// Registers an individual profile with its user, and confirms the address.
Registered register_user(const std::string& email, const std::string& password = "Mypassword$0") {
  Json body{{"type", "individual"},       {"email", email},      {"registeruser", true},
            {"password", password},       {"firstname", "John"}, {"lastname", "Smith"},
            {"callbackurl", "https://app.example.com/activate"}};
  Answer a = post("/api/v1/profile", body);
  require_ok(a);
  Registered r{email, password, a.json["upid"], a.json["uuid"]};
  std::string token = token_in_mail_to(email);
  REQUIRE(token.size() == 32);
  require_ok(post("/api/v1/user/activate/confirm", Json{{"token", token}}));
  return r;
}

// The throttle's counts are per address, and every test here calls from 127.0.0.1.
void clear_login_failures() {
  pqxx::connection c(dev().db_conninfo());
  pqxx::work tx(c);
  tx.exec("DELETE FROM login_failures");
  tx.commit();
}

std::string login(const Registered& r, const std::string& mfacode = "") {
  Json body{{"email", r.email}, {"password", r.password}};
  if (!mfacode.empty()) body["mfacode"] = mfacode;
  Answer a = post("/api/v1/user/login", body);
  require_ok(a);
  return a.json["token"];
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string oathtool(const std::string& seed, long long offset_seconds = 0) {
  long long t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
                offset_seconds;
  return run("oathtool --totp --base32 --now=\"@" + std::to_string(t) + "\" " + seed);
}

// omnid --dev's current signing key (dev keeps secrets unencrypted), to forge test tokens.
og::jwt::SigningKey dev_signing_key() {
  pqxx::connection c(dev().db_conninfo());
  pqxx::read_transaction tx(c);
  auto r = tx.exec(
      "SELECT convert_from(s.value, 'UTF8') FROM signing_keys k JOIN secrets s ON s.id = k.private_key "
      "WHERE k.retired_at IS NULL AND s.scheme = 'plain'");
  REQUIRE(r.size() == 1);
  return og::jwt::SigningKey::from_pem(r[0][0].as<std::string>());
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Json jwt_claims(const std::string& jwt) {
  auto a = jwt.find('.'), b = jwt.rfind('.');
  auto payload = og::crypto::base64url_decode(jwt.substr(a + 1, b - a - 1));
  REQUIRE(payload);
  return Json::parse(*payload);
}

}  // namespace

TEST_CASE("registration: a user confirms the e-mail, then logs in", "[omnipass]") {
  Json body{{"type", "individual"},  {"email", "alice@example.com"}, {"registeruser", true},
            {"password", "Alic3$pass"}, {"firstname", "Alice"},     {"lastname", "Liddell"},
            {"callbackurl", "https://app.example.com/activate"}, {"language", "fr"},
            {"timezone", "Canada/Eastern"}, {"city", "Montreal"}};
  Answer made = post("/api/v1/profile", body);
  require_ok(made);
  Registered alice{"alice@example.com", "Alic3$pass", made.json["upid"], made.json["uuid"]};
  // Not active before the confirmation.
  Answer early = post("/api/v1/user/login", Json{{"email", alice.email}, {"password", alice.password}});
  CHECK(early.resultcode() == 10172);
  std::string token = token_in_mail_to(alice.email);
  REQUIRE(token.size() == 32);
  CHECK(mails().back().find("https://app.example.com/activate?token=" + token) != std::string::npos);
  require_ok(post("/api/v1/user/activate/confirm", Json{{"token", token}}));
  CHECK(post("/api/v1/user/activate/confirm", Json{{"token", token}}).resultcode() == 10113);  // once

  Answer in = post("/api/v1/user/login", Json{{"email", alice.email}, {"password", alice.password}});
  require_ok(in);
  CHECK(in.json["upid"] == alice.upid);
  CHECK(in.json["uuid"] == alice.uuid);
  CHECK(in.json["roles"] == Json{"profile-admin"});
  CHECK(in.json["availableprofilelist"] == Json::array({Json{{"upid", alice.upid}, {"name", "Alice Liddell"}}}));

  Answer me = with_token("GET", "/api/v1/profile", in.json["token"]);
  require_ok(me);
  CHECK(me.json["profile"]["firstname"] == "Alice");
  CHECK(me.json["profile"]["city"] == "Montreal");
  CHECK(me.json["masteruuid"] == alice.uuid);
  CHECK(me.json["roles"] == Json{"profile-admin"});

  SECTION("bad registrations create nothing") {
    auto count = [] {
      pqxx::connection c(dev().db_conninfo());
      pqxx::nontransaction tx(c);
      return tx.exec1("SELECT (SELECT count(*) FROM profiles) + (SELECT count(*) FROM users)")[0].as<long>();
    };
    long before = count();
    Json weak = body;
    weak["email"] = "weak@example.com";
    for (const char* pw : {"shrt$A1", "alllowercase$1", "ALLUPPER$123", "NoDigits$here", "NoSymbol123a", "Way$Too$Long$Pass1"}) {
      weak["password"] = pw;
      Answer a = post("/api/v1/profile", weak);
      INFO(pw << " -> " << a.body);
      CHECK((a.resultcode() == 10113 || a.resultcode() == 10111));
      CHECK(a.body.find(pw) == std::string::npos);  // never echoed
    }
    CHECK(post("/api/v1/profile", body).resultcode() == 10141);  // the e-mail has a user
    Json org = body;
    org["email"] = "org@example.com";
    org["type"] = "organization";
    CHECK(post("/api/v1/profile", org).resultcode() == 10113);  // firstname is not an organization's
    org.erase("firstname");
    org.erase("lastname");
    CHECK(post("/api/v1/profile", org).resultcode() == 10110);  // organizationname missing
    Json no_cb = body;
    no_cb["email"] = "nocb@example.com";
    no_cb.erase("callbackurl");
    CHECK(post("/api/v1/profile", no_cb).resultcode() == 10110);
    Json bad_tz = body;
    bad_tz["email"] = "tz@example.com";
    bad_tz["timezone"] = "Mars/Olympus_Mons";
    CHECK(post("/api/v1/profile", bad_tz).resultcode() == 10113);
    Json sys = body;
    sys["email"] = "sys@example.com";
    sys["system"] = true;
    CHECK(post("/api/v1/profile", sys).resultcode() == 10122);  // anonymous
    Json ext = body;
    ext["email"] = "ext@example.com";
    ext["extended"] = Json{{"nosuchattribute", true}};
    CHECK(post("/api/v1/profile", ext).resultcode() == 10114);
    ext["extended"] = Json{{"candowithdraw", "yes"}};
    CHECK(post("/api/v1/profile", ext).resultcode() == 10112);
    CHECK(count() == before);
  }
}

TEST_CASE("login: wrong credentials look the same whether or not the e-mail exists; failures slow down",
          "[omnipass][login]") {
  auto bob = register_user("bob@example.com");
  Answer wrong = post("/api/v1/user/login", Json{{"email", bob.email}, {"password", "Wrongpass$1"}},
                      "", {{"X-Forwarded-For", "ignored"}});
  Answer nobody = post("/api/v1/user/login", Json{{"email", "nobody@example.com"}, {"password", "Wrongpass$1"}});
  CHECK(wrong.resultcode() == 10121);
  CHECK(nobody.resultcode() == 10121);
  CHECK(wrong.message() == nobody.message());
  CHECK(wrong.status == nobody.status);
  // Repeated failures on one account get slowed down (10004 TOO_FAST), even with the right
  // password, until the wait is over.
  clear_login_failures();
  auto carol = register_user("carol@example.com");
  // Two failures: the next attempt is not slowed down yet.
  for (int i = 0; i < 2; ++i)
    CHECK(post("/api/v1/user/login", Json{{"email", carol.email}, {"password", "Wrongpass$1"}}).resultcode() == 10121);
  // The third failure: the next attempt must wait (docs/security.md), even with the right
  // password, and is told how long in Retry-After.
  CHECK(post("/api/v1/user/login", Json{{"email", carol.email}, {"password", "Wrongpass$1"}}).resultcode() == 10121);
  Answer blocked = post("/api/v1/user/login", Json{{"email", carol.email}, {"password", carol.password}});
  CHECK(blocked.resultcode() == 10004);
  CHECK(blocked.status == 429);
  CHECK_THAT(blocked.message(), Catch::Contains("retry in"));
  CHECK(!blocked.raw.header("retry-after").empty());
  clear_login_failures();  // time passes
  login(carol);
}

TEST_CASE("login: 32 guesses sent at the same moment check at most 3 passwords", "[omnipass][login]") {
  clear_login_failures();
  auto gwen = register_user("gwen@example.com");
  clear_login_failures();
  auto burst = [&](int wrong, bool with_right) {
    std::vector<Json> bodies;
    for (int i = 0; i < wrong; ++i) bodies.push_back(Json{{"email", gwen.email}, {"password", "Wrongpass$" + std::to_string(i)}});
    if (with_right) bodies.insert(bodies.begin() + wrong / 2, Json{{"email", gwen.email}, {"password", gwen.password}});
    std::vector<int> codes(bodies.size());
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (std::size_t i = 0; i < bodies.size(); ++i)
      threads.emplace_back([&, i] {
        og::net::Client client;  // one connection each: the requests really run side by side
        og::net::HttpRequest req;
        req.method = "POST";
        req.url = dev().url() + "/api/v1/user/login";
        req.cacert = dev().cacert();
        req.timeout_ms = 60000;
        req.body = bodies[i].dump();
        req.headers = {{"Content-Type", "application/json"}};
        ++ready;
        while (ready < static_cast<int>(bodies.size())) std::this_thread::yield();
        auto r = client.perform(req);
        Json j = Json::parse(r.response.body, nullptr, false);
        codes[i] = j.is_object() && j.contains("resultcode") ? j["resultcode"].get<int>() : -1;
      });
    for (auto& t : threads) t.join();
    std::map<int, int> count;
    for (int c : codes) ++count[c];
    return count;
  };
  auto wrong_only = burst(32, false);
  INFO("10121: " << wrong_only[10121] << ", 10004: " << wrong_only[10004]);
  // A password was checked for every 10121 answer; every other one was refused unchecked.
  CHECK(wrong_only[10121] <= 3);
  CHECK(wrong_only[10121] >= 1);
  CHECK(wrong_only[10121] + wrong_only[10004] == 32);
  clear_login_failures();
  // 31 wrong and the right one: the right one gets in only if it is among the three first
  // checked; either way at most three passwords are checked.
  auto mixed = burst(31, true);
  INFO("10000: " << mixed[10000] << ", 10121: " << mixed[10121] << ", 10004: " << mixed[10004]);
  CHECK(mixed[10121] + mixed[10000] <= 3);
  CHECK(mixed[10121] + mixed[10000] + mixed[10004] == 32);
  clear_login_failures();
}

TEST_CASE("login: a success clears the account's count, not the address's", "[omnipass][login]") {
  clear_login_failures();
  auto hugo = register_user("hugo@example.com");
  auto iris = register_user("iris@example.com");
  clear_login_failures();
  auto guess = [](const std::string& email) {
    return post("/api/v1/user/login", Json{{"email", email}, {"password", "Wrongpass$1"}}).resultcode();
  };
  // An address guessing at many accounts (one guess each, so no account is slowed down)
  // may fail 9 times in an hour; the tenth failure slows it down.
  for (int i = 0; i < 5; ++i) CHECK(guess("sprayed" + std::to_string(i) + "@example.com") == 10121);
  // Logging into an account of its own does not reset the address's count...
  login(iris);
  for (int i = 5; i < 9; ++i) CHECK(guess("sprayed" + std::to_string(i) + "@example.com") == 10121);
  CHECK(guess("sprayed9@example.com") == 10121);  // the tenth
  // ...so the address must now wait, even for a right password.
  Answer slowed = post("/api/v1/user/login", Json{{"email", iris.email}, {"password", iris.password}});
  CHECK(slowed.resultcode() == 10004);
  CHECK(!slowed.raw.header("retry-after").empty());
  {
    pqxx::connection c(dev().db_conninfo());
    pqxx::work tx(c);
    CHECK(tx.exec1("SELECT failures FROM login_failures WHERE key = 'addr:127.0.0.1'")[0].as<int>() == 10);
    // iris's success cleared her own count.
    CHECK(tx.exec("SELECT 1 FROM login_failures WHERE key = 'acct:iris@example.com' AND failures > 0").empty());
  }
  clear_login_failures();
  // Two failures on hugo's account and then the right password: the account's count is
  // cleared, and the address keeps only the two failures.
  CHECK(guess(hugo.email) == 10121);
  CHECK(guess(hugo.email) == 10121);
  login(hugo);
  {
    pqxx::connection c(dev().db_conninfo());
    pqxx::work tx(c);
    CHECK(tx.exec("SELECT 1 FROM login_failures WHERE key = 'acct:hugo@example.com'").empty());
    CHECK(tx.exec1("SELECT failures FROM login_failures WHERE key = 'addr:127.0.0.1'")[0].as<int>() == 2);
  }
  clear_login_failures();
}

TEST_CASE("access tokens: RS256 with a kid, verified by python3-jwt against /auth/jwks.json", "[omnipass][jwt]") {
  auto dave = register_user("dave@example.com");
  std::string token = login(dave);
  Answer jwks = dev().call("GET", "/auth/jwks.json", "", std::string());
  REQUIRE(jwks.status == 200);
  REQUIRE(jwks.json["keys"].size() >= 1);
  og::test::TempDir tmp("ogjwt");
  std::ofstream(tmp.path() / "jwks.json") << jwks.body;
  std::ofstream(tmp.path() / "token") << token;
  std::ofstream(tmp.path() / "check.py") << R"PY(
import json, sys, jwt
keys = json.load(open(sys.argv[1]))["keys"]
token = open(sys.argv[2]).read().strip()
header = jwt.get_unverified_header(token)
key = next(k for k in keys if k["kid"] == header["kid"])
claims = jwt.decode(token, key=jwt.PyJWK(key).key, algorithms=["RS256"], options={"require": ["exp", "iat", "sub"]})
print(header["alg"], header["typ"], claims["sub"], claims["context"]["upid"], ",".join(claims["context"]["roles"]), claims["exp"] - claims["iat"])
try:
    jwt.decode(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), key=jwt.PyJWK(key).key, algorithms=["RS256"])
    print("TAMPERED-ACCEPTED")
except jwt.InvalidSignatureError:
    print("tampered-refused")
)PY";
  std::string out = run("/usr/bin/python3 " + (tmp.path() / "check.py").string() + " " + (tmp.path() / "jwks.json").string() +
                        " " + (tmp.path() / "token").string());
  CHECK(out == "RS256 JWT " + dave.uuid + " " + dave.upid + " profile-admin 900\ntampered-refused");  // 15 minutes of inactivity

  // Our own side refuses tampered, foreign and expired tokens.
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(with_token("GET", "/api/v1/profile", tampered).resultcode() == 10121);
  std::string none = og::crypto::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                     token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1) + ".";
  CHECK(with_token("GET", "/api/v1/profile", none).resultcode() == 10121);
  // Signed with omnid's own key but expired; signed with a key omnid never published.
  long long now = unix_now();
  Json claims{{"sub", dave.uuid}, {"iat", now - 3700}, {"exp", now - 100}, {"scope", "*"},
              {"context", {{"upid", dave.upid}, {"roles", {"profile-admin"}}}}};
  auto own = dev_signing_key();
  CHECK(with_token("GET", "/api/v1/profile", og::jwt::sign(own, claims.dump())).resultcode() == 10121);
  claims["iat"] = now - 300;
  claims["exp"] = now + 600;
  CHECK(with_token("GET", "/api/v1/profile", og::jwt::sign(own, claims.dump())).resultcode() == 10000);  // the control
  CHECK(with_token("GET", "/api/v1/profile", og::jwt::sign(og::jwt::SigningKey::generate(), claims.dump()))
            .resultcode() == 10121);
  // A deactivated user's token stops working.
  require_ok(post("/api/v1/system/user/update", Json{{"uuid", dave.uuid}, {"status", "inactive"}}, dev().apikey()));
  std::this_thread::sleep_for(std::chrono::seconds(6));  // the per-user status cache
  CHECK(with_token("GET", "/api/v1/profile", token).resultcode() == 10121);
  require_ok(post("/api/v1/system/user/update", Json{{"uuid", dave.uuid}, {"status", "active"}}, dev().apikey()));
}

TEST_CASE("signing keys rotate by age; the old public key stays published for its tokens", "[omnipass][jwt]") {
  og::test::TempDir maildir("ogrotmail");
  Omnid omnid({.dev = false,
               .config = {{"omnipass.public_registration", "true"},
                          {"omnipass.signing_key_rotation_seconds", "2"},
                          {"mail.transport", "\"directory\""},
                          {"mail.directory", "\"" + maildir.path().string() + "\""}}});
  auto call = [&](const std::string& path, const Json& body) { return omnid.call_json("POST", path, body, ""); };
  require_ok(call("/api/v1/profile", Json{{"type", "individual"}, {"email", "rota@example.com"}, {"registeruser", true},
                                          {"password", "Rotate$pass1"}, {"firstname", "R"}, {"lastname", "K"},
                                          {"callbackurl", "https://app.example.com/a"}}));
  std::string token;
  REQUIRE(omnid.wait_for_outbox());
  for (const auto& e : fs::directory_iterator(maildir.path())) {
    std::smatch m;
    // Quoted-printable: soft line breaks and "=3D" for "=".
    std::string text = std::regex_replace(og::test::read_file(e.path()), std::regex("=\r?\n"), "");
    text = std::regex_replace(text, std::regex("=3D"), "=");
    if (std::regex_search(text, m, std::regex(R"(token=([0-9A-F]{32}))"))) token = m[1];
  }
  REQUIRE(token.size() == 32);
  require_ok(call("/api/v1/user/activate/confirm", Json{{"token", token}}));
  auto kid_of = [](const std::string& jwt) {
    auto header = og::crypto::base64url_decode(jwt.substr(0, jwt.find('.')));
    REQUIRE(header);
    return Json::parse(*header)["kid"].get<std::string>();
  };
  auto login_token = [&] {
    Answer a = call("/api/v1/user/login", Json{{"email", "rota@example.com"}, {"password", "Rotate$pass1"}});
    require_ok(a);
    return a.json["token"].get<std::string>();
  };
  auto jwks_kids = [&] {
    std::set<std::string> kids;
    Answer jwks = omnid.call("GET", "/auth/jwks.json", "", std::string());
    for (const auto& k : jwks.json["keys"]) kids.insert(k["kid"].get<std::string>());
    return kids;
  };
  auto profile_with = [&](const std::string& jwt) {
    return omnid.call("GET", "/api/v1/profile", "", std::string(), {{"Authorization", "Bearer " + jwt}}).resultcode();
  };
  std::string first = login_token();
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  std::string second = login_token();
  CHECK(kid_of(first) != kid_of(second));
  auto kids = jwks_kids();
  CHECK(kids.count(kid_of(first)) == 1);
  CHECK(kids.count(kid_of(second)) == 1);
  // Tokens signed by the retired key keep working until they expire; new ones too.
  CHECK(profile_with(first) == 10000);
  CHECK(profile_with(second) == 10000);
  // The next token within the rotation period keeps the new key.
  CHECK(kid_of(login_token()) == kid_of(second));
  CHECK(omnid.wait_for_log("JWT signing key rotated", std::chrono::seconds(1)));
}

TEST_CASE("token renewal: same session, current roles, bounded by session_max_seconds; omnictl renews its cache",
          "[omnipass][jwt]") {
  auto rene = register_user("rene@example.com");
  std::string token = login(rene);
  Json first = jwt_claims(token);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Answer a = with_token("POST", "/api/v1/user/token/renew", token, Json::object());
  require_ok(a);
  std::string renewed = a.json["token"];
  CHECK(renewed != token);
  Json second = jwt_claims(renewed);
  CHECK(second["auth_time"] == first["auth_time"]);
  CHECK(second["iat"].get<long long>() > first["iat"].get<long long>());
  CHECK(second["sub"] == rene.uuid);
  CHECK(a.json["roles"] == Json{"profile-admin"});
  require_ok(with_token("GET", "/api/v1/profile", renewed));

  // Bad callers: no token, an API key, a session older than 12 hours, a tampered token.
  CHECK(post("/api/v1/user/token/renew", Json::object()).resultcode() == 10120);
  CHECK(post("/api/v1/user/token/renew", Json::object(), dev().apikey()).resultcode() == 10120);
  long long now = unix_now();
  Json old_session{{"sub", rene.uuid}, {"iat", now - 60}, {"exp", now + 600}, {"auth_time", now - 12 * 3600 - 5},
                   {"scope", "*"}, {"context", {{"upid", rene.upid}, {"roles", {"profile-admin"}}}}};
  std::string stale = og::jwt::sign(dev_signing_key(), old_session.dump());
  require_ok(with_token("GET", "/api/v1/profile", stale));  // still a valid token...
  Answer refused = with_token("POST", "/api/v1/user/token/renew", stale, Json::object());
  CHECK(refused.resultcode() == 10121);  // ...that cannot be renewed
  CHECK_THAT(refused.message(), Catch::Contains("log in again"));
  std::string tampered = renewed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(with_token("POST", "/api/v1/user/token/renew", tampered, Json::object()).resultcode() == 10121);

  // omnictl renews a cached login token past half its life, and keeps the session.
  og::test::TempDir home("ogrenew");
  fs::create_directories(home.path() / "cache/omnictl/tokens");
  Json aging{{"sub", rene.uuid}, {"iat", now - 500}, {"exp", now + 400}, {"auth_time", now - 2000},
             {"scope", "*"}, {"context", {{"upid", rene.upid}, {"roles", {"profile-admin"}}}}};
  std::string aged = og::jwt::sign(dev_signing_key(), aging.dump());
  const fs::path cache = home.path() / "cache/omnictl/tokens/default.json";
  std::ofstream(cache) << Json{{"url", dev().url()}, {"token", aged}, {"email", rene.email}, {"expires", now + 400}}.dump();
  fs::permissions(cache, fs::perms::owner_read | fs::perms::owner_write);
  std::map<std::string, std::string> env{{"OMNICTL_URL", dev().url()},
                                         {"OMNICTL_CACERT", dev().cacert()},
                                         {"XDG_CONFIG_HOME", (home.path() / "config").string()},
                                         {"XDG_CACHE_HOME", (home.path() / "cache").string()}};
  auto r = og::test::run_process({OMNICTL_PATH, "profile", "get", "-o", "json"}, "", env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(Json::parse(r.out)["profile"]["email"] == rene.email);
  Json cached = Json::parse(og::test::read_file(cache));
  std::string fresh = cached["token"];
  CHECK(fresh != aged);
  CHECK(jwt_claims(fresh)["auth_time"] == now - 2000);
  CHECK(cached["expires"].get<long long>() >= now + 850);
  // A young token is left alone.
  r = og::test::run_process({OMNICTL_PATH, "profile", "get", "-o", "json"}, "", env);
  CHECK(r.exit_code == 0);
  CHECK(Json::parse(og::test::read_file(cache))["token"] == fresh);
}

TEST_CASE("inactivity timeout: omnipass's attribute bounds a token's life and ends idle sessions",
          "[omnipass][jwt][attribute]") {
  auto ivan = register_user("ivan@example.com");
  const std::string admin = dev().apikey();
  auto set_timeout = [&](const std::string& minutes) {
    return post("/api/v1/system/omnipass/attribute", Json{{"name", "inactivitytimeoutinminutes"}, {"value", minutes}},
                admin);
  };
  // Whatever happens below, the other tests find the default again.
  struct Restore {
    std::function<void()> f;
    ~Restore() { f(); }
  } restore{[&] { set_timeout(std::to_string(og::omnipass::kDefaultInactivityMinutes)); }};

  // Unset, the list shows the default, and the default is what tokens get.
  Answer list = get("/api/v1/system/omnipass/attributelist", admin);
  require_ok(list);
  CHECK(list.json["attributelist"][0]["value"] == std::to_string(og::omnipass::kDefaultInactivityMinutes));
  Json claims = jwt_claims(login(ivan));
  CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() ==
        og::omnipass::kDefaultInactivityMinutes * 60);

  // Longer than the token lifetime (3600 s): the lifetime bounds it.
  require_ok(set_timeout("120"));
  claims = jwt_claims(login(ivan));
  CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() == 3600);

  // 2 minutes: new tokens live 120 s; a token issued 200 s ago is refused before its exp,
  // by every call and by renewal; one issued 60 s ago still works and renews.
  require_ok(set_timeout("2"));
  std::string token = login(ivan);
  claims = jwt_claims(token);
  CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() == 120);
  long long now = unix_now();
  auto signed_at = [&](long long iat) {
    Json c{{"sub", ivan.uuid}, {"iat", iat}, {"exp", now + 600}, {"auth_time", iat}, {"scope", "*"},
           {"context", {{"upid", ivan.upid}, {"roles", {"profile-admin"}}}}};
    return og::jwt::sign(dev_signing_key(), c.dump());
  };
  std::string idle = signed_at(now - 200), recent = signed_at(now - 60);
  Answer refused = with_token("GET", "/api/v1/profile", idle);
  CHECK(refused.resultcode() == 10121);
  CHECK_THAT(refused.message(), Catch::Contains("inactive for more than 2 minutes"));
  CHECK(with_token("POST", "/api/v1/user/token/renew", idle, Json::object()).resultcode() == 10121);
  require_ok(with_token("GET", "/api/v1/profile", recent));
  Answer renewed = with_token("POST", "/api/v1/user/token/renew", recent, Json::object());
  require_ok(renewed);
  Json fresh = jwt_claims(renewed.json["token"]);
  CHECK(fresh["exp"].get<long long>() - fresh["iat"].get<long long>() == 120);
  CHECK(fresh["auth_time"] == now - 60);  // the same session, kept open by the renewal

  // Bad values change nothing.
  CHECK(set_timeout("0").resultcode() == 10113);
  CHECK(set_timeout("1441").resultcode() == 10113);
  CHECK(set_timeout("2.5").resultcode() == 10113);
  claims = jwt_claims(login(ivan));
  CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() == 120);
}

TEST_CASE("MFA: oathtool codes are accepted once; login then needs the code", "[omnipass][mfa]") {
  auto erin = register_user("erin@example.com");
  std::string token = login(erin);
  Answer seed = with_token("GET", "/api/v1/user/mfa/seed", token);
  require_ok(seed);
  std::string s = seed.json["mfaseed"];
  CHECK(s.size() == 16);
  CHECK(seed.json["useridentifier"] == erin.email);
  CHECK_THAT(seed.json["otpauthuri"].get<std::string>(), Catch::StartsWith("otpauth://totp/"));
  CHECK(with_token("GET", "/api/v1/user/mfa/status", token).json["mfaenabled"] == false);

  std::string code = oathtool(s);
  REQUIRE(code.size() == 6);
  Json enable{{"email", erin.email}, {"password", erin.password}, {"mfacode", code}};
  CHECK(with_token("POST", "/api/v1/user/mfa/enable", token, Json{{"email", erin.email}, {"password", erin.password},
                                                                   {"mfacode", "000000"}}).resultcode() == 10171);
  require_ok(with_token("POST", "/api/v1/user/mfa/enable", token, enable));
  CHECK(with_token("GET", "/api/v1/user/mfa/status", token).json["mfaenabled"] == true);

  // Login: the password alone is not enough, and a code is accepted once.
  Answer no_code = post("/api/v1/user/login", Json{{"email", erin.email}, {"password", erin.password}});
  CHECK(no_code.resultcode() == 10170);
  CHECK(post("/api/v1/user/login", Json{{"email", erin.email}, {"password", erin.password}, {"mfacode", code}})
            .resultcode() == 10171);  // the code that enabled MFA is spent
  std::string next = oathtool(s, 30);
  require_ok(post("/api/v1/user/login", Json{{"email", erin.email}, {"password", erin.password}, {"mfacode", next}}));
  CHECK(post("/api/v1/user/login", Json{{"email", erin.email}, {"password", erin.password}, {"mfacode", next}})
            .resultcode() == 10171);  // replayed
  CHECK(post("/api/v1/user/login", Json{{"email", erin.email}, {"password", erin.password}, {"mfacode", oathtool(s, -300)}})
            .resultcode() == 10171);  // too old

  // Disable needs password and a fresh code.
  CHECK(with_token("POST", "/api/v1/user/mfa/disable", token, Json{{"password", erin.password}, {"mfacode", next}})
            .resultcode() == 10171);
  {
    // Time passes: a minute later the current code is fresh again.
    pqxx::connection c(dev().db_conninfo());
    pqxx::work tx(c);
    tx.exec_params("UPDATE users SET mfa_last_step = mfa_last_step - 3 WHERE uuid = $1", erin.uuid);
    tx.commit();
  }
  require_ok(with_token("POST", "/api/v1/user/mfa/disable", token,
                        Json{{"password", erin.password}, {"mfacode", oathtool(s, -30)}}));
  CHECK(with_token("GET", "/api/v1/user/mfa/status", token).json["mfaenabled"] == false);
  // MFA calls need a user token, not an API key.
  CHECK(get("/api/v1/user/mfa/status", dev().apikey()).resultcode() == 10120);
}

TEST_CASE("password: change with the current one, reset by e-mail token", "[omnipass][password]") {
  auto frank = register_user("frank@example.com");
  require_ok(post("/api/v1/user/password", Json{{"email", frank.email}, {"password", frank.password},
                                                 {"newpassword", "Newpass$123"}}));
  CHECK(post("/api/v1/user/login", Json{{"email", frank.email}, {"password", frank.password}}).resultcode() == 10121);
  frank.password = "Newpass$123";
  login(frank);
  CHECK(post("/api/v1/user/password", Json{{"email", frank.email}, {"password", frank.password},
                                            {"newpassword", "weak"}}).resultcode() == 10111);
  // Reset: always Ok, mail only for a real account.
  std::size_t before = mails().size();
  require_ok(post("/api/v1/user/resetpassword",
                  Json{{"email", "ghost@example.com"}, {"callbackurl", "https://app.example.com/reset"}}));
  CHECK(mails().size() == before);
  require_ok(post("/api/v1/user/resetpassword",
                  Json{{"email", frank.email}, {"callbackurl", "https://app.example.com/reset"}}));
  std::string token = token_in_mail_to(frank.email);
  REQUIRE(token.size() == 32);
  require_ok(post("/api/v1/user/password", Json{{"email", frank.email}, {"token", token}, {"newpassword", "Reset$pass9"}}));
  CHECK(post("/api/v1/user/password", Json{{"email", frank.email}, {"token", token}, {"newpassword", "Again$pass9"}})
            .resultcode() == 10113);  // a token works once
  frank.password = "Reset$pass9";
  login(frank);
}

TEST_CASE("e-mail change: takes effect after the mailed confirmation", "[omnipass][email]") {
  auto gina = register_user("gina@example.com");
  auto other = register_user("other@example.com");
  std::string token = login(gina);
  Json change{{"email", gina.email}, {"newemail", "gina.new@example.com"}, {"password", gina.password}};
  // Rules: not another user's address; not with the wrong password; not someone else's e-mail.
  Json taken = change;
  taken["newemail"] = other.email;
  CHECK(with_token("POST", "/api/v1/user/email", token, taken).resultcode() == 10141);
  Json wrongpw = change;
  wrongpw["password"] = "Wrongpass$1";
  CHECK(with_token("POST", "/api/v1/user/email", token, wrongpw).resultcode() == 10121);
  require_ok(with_token("POST", "/api/v1/user/email", token, change));
  // Nothing changed yet.
  login(gina);
  std::string confirm = token_in_mail_to("gina.new@example.com");
  REQUIRE(confirm.size() == 32);
  require_ok(post("/api/v1/user/email/confirm", Json{{"token", confirm}}));
  gina.email = "gina.new@example.com";
  std::string t2 = login(gina);
  // The master profile's e-mail followed.
  CHECK(with_token("GET", "/api/v1/profile", t2).json["profile"]["email"] == "gina.new@example.com");
  CHECK(post("/api/v1/user/login", Json{{"email", "gina@example.com"}, {"password", gina.password}}).resultcode() == 10121);
}

TEST_CASE("profiles: the four GET forms, update, extended attributes (worm, mask), status", "[omnipass][profile]") {
  auto hank = register_user("hank@example.com");
  std::string token = login(hank);
  // Update own profile through the token.
  require_ok(with_token("POST", "/api/v1/profile/update", token,
                        Json{{"upid", hank.upid}, {"city", "Quebec"}, {"birthday", "1978-03-02"},
                             {"extended", Json{{"issuername", "hank"}, {"merchantcallbackpassword", "s3cret"},
                                               {"candowithdraw", true}}}}));
  Answer p = with_token("GET", "/api/v1/profile", token);
  require_ok(p);
  CHECK(p.json["profile"]["city"] == "Quebec");
  CHECK(p.json["version"] == 2);
  CHECK(p.json["extended"]["issuername"] == "hank");
  CHECK(p.json["extended"]["merchantcallbackpassword"] == "********");  // mask
  CHECK(p.json["extended"]["candowithdraw"] == true);
  CHECK(p.body.find("s3cret") == std::string::npos);
  // worm: issuername cannot change, nor be removed.
  CHECK(with_token("POST", "/api/v1/profile/update", token,
                   Json{{"upid", hank.upid}, {"extended", Json{{"issuername", "other"}}}}).resultcode() == 10113);
  CHECK(with_token("POST", "/api/v1/profile/update", token,
                   Json{{"upid", hank.upid}, {"extended", Json{{"issuername", nullptr}}}}).resultcode() == 10113);
  CHECK(with_token("POST", "/api/v1/profile/update", token,
                   Json{{"upid", hank.upid}, {"organizationname", "X"}}).resultcode() == 10113);
  // Another profile: refused exactly as a profile that does not exist.
  auto ivy = register_user("ivy@example.com");
  Answer update_ivy = with_token("POST", "/api/v1/profile/update", token, Json{{"upid", ivy.upid}, {"city", "X"}});
  Answer update_none =
      with_token("POST", "/api/v1/profile/update", token, Json{{"upid", "upid_0000000000000077"}, {"city", "X"}});
  CHECK(update_ivy.resultcode() == 10140);
  CHECK(update_ivy.status == update_none.status);
  CHECK(update_ivy.resultcode() == update_none.resultcode());
  CHECK(update_ivy.message() == update_none.message().replace(update_none.message().find("upid_0000000000000077"), 21, ivy.upid));
  Answer get_ivy = with_token("GET", "/api/v1/profile/" + ivy.upid, token);
  Answer get_none = with_token("GET", "/api/v1/profile/upid_0000000000000077", token);
  CHECK(get_ivy.resultcode() == 10140);
  CHECK(get_ivy.message() == get_none.message().replace(get_none.message().find("upid_0000000000000077"), 21, ivy.upid));
  // By upid, user token and API key for an administrator (readallprofiles).
  std::string admin = dev().apikey();
  CHECK(get("/api/v1/profile/" + hank.upid, admin).json["upid"] == hank.upid);
  CHECK(get("/api/v1/profile/" + token, admin).json["upid"] == hank.upid);
  auto key = dev().create_api_key_for(hank.upid, {"profile-ro"});
  CHECK(get("/api/v1/profile/" + key, admin).json["upid"] == hank.upid);
  Answer own_key = get("/api/v1/profile", key);
  CHECK(own_key.json["akid"].get<std::string>().rfind("akid_", 0) == 0);
  CHECK(own_key.json["roles"] == Json{"profile-ro"});
  CHECK(get("/api/v1/profile/" + key, ivy.upid.empty() ? admin : dev().create_api_key_for(ivy.upid, {"profile-ro"}))
            .resultcode() == 10140);  // not hers to read
  // system/profile/update: the profile's keys stop working.
  require_ok(post("/api/v1/system/profile/update", Json{{"upid", hank.upid}, {"status", "inactive"}}, admin));
  CHECK(get("/api/v1/profile", key).resultcode() == 10121);
  require_ok(post("/api/v1/system/profile/update", Json{{"upid", hank.upid}, {"status", "active"}}, admin));
  CHECK(post("/api/v1/system/profile/update", Json{{"upid", hank.upid}, {"status", "deleted"}}, admin).resultcode() ==
        10113);  // not one of active, inactive

  Answer attrs = get("/api/v1/profile/extendedattributelist", key);
  require_ok(attrs);
  REQUIRE(attrs.json["extendedattributelist"].size() == 21);
  CHECK(attrs.json["extendedattributelist"][7]["name"] == "issuername");
  CHECK(attrs.json["extendedattributelist"][7]["flags"] == Json{"worm"});
}

TEST_CASE("team members and API keys", "[omnipass][team][apikey]") {
  auto jane = register_user("jane@example.com");
  std::string token = login(jane);
  // Add a new member: an e-mail lets them choose a password.
  Answer added = with_token("POST", "/api/v1/profile/team/user", token,
                            Json{{"email", "kim@example.com"}, {"roles", {"profile-ro"}},
                                 {"callbackurl", "https://app.example.com/set-password"}});
  require_ok(added);
  std::string kim_uuid = added.json["uuid"];
  CHECK(added.json["upid"] == jane.upid);
  std::string set = token_in_mail_to("kim@example.com");
  REQUIRE(set.size() == 32);
  require_ok(post("/api/v1/user/password", Json{{"email", "kim@example.com"}, {"token", set}, {"newpassword", "Kim$pass12"}}));
  Registered kim{"kim@example.com", "Kim$pass12", jane.upid, kim_uuid};
  std::string kim_token = login(kim);
  CHECK(with_token("GET", "/api/v1/wallet/list", kim_token).resultcode() == 10000);       // profile-ro reads
  CHECK(with_token("POST", "/api/v1/profile/update", kim_token, Json{{"upid", jane.upid}, {"city", "X"}})
            .resultcode() == 10122);                                                      // but does not modify

  Answer team = with_token("GET", "/api/v1/profile/team", token);
  require_ok(team);
  REQUIRE(team.json["team"].size() == 2);
  CHECK(team.json["team"][1]["email"] == "kim@example.com");
  CHECK(team.json["team"][1]["roles"] == Json{"profile-ro"});
  require_ok(with_token("POST", "/api/v1/profile/team/user/update", token,
                        Json{{"email", "kim@example.com"}, {"roles", {"profile-rw"}}}));
  CHECK(with_token("GET", "/api/v1/profile/team", token).json["team"][1]["roles"] == Json{"profile-rw"});
  // Nobody grants more than it has; the master user stays.
  CHECK(with_token("POST", "/api/v1/profile/team/user/update", token,
                   Json{{"email", "kim@example.com"}, {"roles", {"system-admin"}}}).resultcode() == 10122);
  CHECK(with_token("POST", "/api/v1/profile/team/user/update", token,
                   Json{{"email", "kim@example.com"}, {"roles", {"no-such-role"}}}).resultcode() == 10122);
  CHECK(with_token("DELETE", "/api/v1/profile/team/" + jane.uuid, token).resultcode() == 10122);
  require_ok(with_token("DELETE", "/api/v1/profile/team/" + kim_uuid, token));
  CHECK(with_token("DELETE", "/api/v1/profile/team/" + kim_uuid, token).resultcode() == 10140);
  CHECK(post("/api/v1/user/login", Json{{"email", kim.email}, {"password", kim.password}}).resultcode() == 10122);

  // API keys need createprofileapikey: an ewallet-admin key of jane's profile has it.
  std::string admin_key = dev().create_api_key_for(jane.upid, {"ewallet-admin"});
  Answer made = post("/api/v1/profile/apikey", Json{{"description", "Development"}, {"roles", {"profile-ro"}}}, admin_key);
  require_ok(made);
  std::string apikey = made.json["apikey"], akid = made.json["akid"];
  CHECK(apikey.size() == 32);
  require_ok(get("/api/v1/profile", apikey));
  Answer list = get("/api/v1/profile/apikey", admin_key);
  require_ok(list);
  bool found = false;
  for (const auto& k : list.json["apikeylist"])
    if (k["akid"] == akid) {
      found = true;
      CHECK(k["apikey"] == std::string(28, '*') + apikey.substr(28));
      CHECK(k["description"] == "Development");
    }
  CHECK(found);
  CHECK(list.body.find(apikey) == std::string::npos);
  // The key itself is stored hashed only.
  {
    pqxx::connection c(dev().db_conninfo());
    pqxx::nontransaction tx(c);
    CHECK(tx.exec_params("SELECT count(*) FROM api_keys WHERE encode(key_hash, 'hex') LIKE '%' || lower($1) || '%'",
                         apikey).at(0).at(0).as<int>() == 0);
  }
  CHECK(post("/api/v1/profile/apikey", Json{{"description", "x"}, {"roles", {"profile-ro"}}}, admin_key).resultcode() ==
        10111);  // description 2-40
  CHECK(post("/api/v1/profile/apikey", Json{{"description", "Admin"}, {"roles", {"system-admin"}}}, admin_key)
            .resultcode() == 10122);
  require_ok(dev().call("DELETE", "/api/v1/profile/apikey/" + akid, "", admin_key));
  CHECK(get("/api/v1/profile", apikey).resultcode() == 10121);  // revoked at once on this node
  CHECK(dev().call("DELETE", "/api/v1/profile/apikey/" + akid, "", admin_key).resultcode() == 10140);
}

TEST_CASE("an API key is opened through the profile it belongs to", "[omnipass][apikey][ownership]") {
  auto parent = dev().create_profile_with_key({"ewallet-admin"});
  auto child = dev().create_profile_with_key({"ewallet-admin"}, parent.upid);
  auto other = dev().create_profile_with_key({"ewallet-admin"});
  Answer made = post("/api/v1/profile/apikey",
                     Json{{"description", "Child key"}, {"roles", {"profile-ro"}}, {"upid", child.upid}}, parent.apikey);
  require_ok(made);
  const std::string akid = made.json["akid"], key = made.json["apikey"];
  require_ok(get("/api/v1/profile", key));
  // Named without a profile, the key is looked for in the caller's own: not there.
  Answer own = dev().call("DELETE", "/api/v1/profile/apikey/" + akid, "", parent.apikey);
  CHECK(own.resultcode() == 10140);
  // Another profile naming the child: the child does not exist for it, key or not.
  Answer foreign = dev().call("DELETE", "/api/v1/profile/" + child.upid + "/apikey/" + akid, "", other.apikey);
  CHECK(foreign.resultcode() == 10140);
  CHECK(foreign.body.find(akid) == std::string::npos);
  // The child cannot revoke its parent's keys through its own profile either.
  CHECK(dev().call("DELETE", "/api/v1/profile/" + parent.upid + "/apikey/" + akid, "", child.apikey).resultcode() ==
        10140);
  require_ok(get("/api/v1/profile", key));  // nothing above revoked it
  // The parent, through the child's profile: revoked, at once.
  require_ok(dev().call("DELETE", "/api/v1/profile/" + child.upid + "/apikey/" + akid, "", parent.apikey));
  CHECK(get("/api/v1/profile", key).resultcode() == 10121);
  Answer again = dev().call("DELETE", "/api/v1/profile/" + child.upid + "/apikey/" + akid, "", parent.apikey);
  CHECK(again.resultcode() == 10140);
  CHECK(again.body.find("API key " + akid + " does not exist") != std::string::npos);
}

TEST_CASE("system/user by e-mail and by uuid", "[omnipass][system]") {
  auto lee = register_user("lee@example.com");
  std::string admin = dev().apikey();
  Answer by_email = get("/api/v1/system/user?email=lee%40example.com", admin);
  require_ok(by_email);
  CHECK(by_email.json["user"]["uuid"] == lee.uuid);
  CHECK(by_email.json["user"]["status"] == "active");
  CHECK(by_email.json["user"]["defaultprofile"]["upid"] == lee.upid);
  CHECK(by_email.json["user"]["defaultprofile"]["profile"]["lastname"] == "Smith");
  CHECK(get("/api/v1/system/user?uuid=" + lee.uuid, admin).json["user"]["email"] == lee.email);
  CHECK(get("/api/v1/system/user", admin).resultcode() == 10110);
  CHECK(get("/api/v1/system/user?uuid=uuid_0000000000000001", admin).resultcode() == 10140);
  CHECK(get("/api/v1/system/user?uuid=" + lee.uuid, login(lee).empty() ? admin : dev().create_api_key_for(lee.upid, {"profile-admin"}))
            .resultcode() == 10122);
  CHECK(post("/api/v1/system/user/update", Json{{"uuid", lee.uuid}, {"status", "gone"}}, admin).resultcode() == 10111);
}

TEST_CASE("RBAC matrix: for every role, one call it may make and one it may not", "[omnipass][rbac]") {
  // (role, allowed call, forbidden call). "Allowed" means the rights step passed: the
  // answer is not 10122 (it may be another code: no such wallet, not implemented, ...).
  struct Case {
    const char* role;
    const char* allowed_method;
    const char* allowed_path;
    const char* forbidden_method;
    const char* forbidden_path;
  };
  const std::vector<Case> cases = {
      {"system-admin", "GET", "/api/v1/system/currency/list", nullptr, nullptr},  // superuser: everything
      {"system-rw", "GET", "/api/v1/system/currency/list", "POST", "/api/v1/currency/extended/create"},
      {"system-ro", "GET", "/api/v1/system/currency/list", "POST", "/api/v1/system/user/update"},
      {"registration-rw", "POST", "/api/v1/profile", "GET", "/api/v1/system/currency/list"},
      {"internalapp-rw", "GET", "/api/v1/system/user", "POST", "/api/v1/currency/extended/create"},
      {"internalapp-ro", "GET", "/api/v1/system/user", "POST", "/api/v1/system/user/update"},
      {"adapter-admin", "GET", "/api/v1/system/bridge/generic/withdrawals", "GET", "/api/v1/system/currency/list"},
      {"agent-admin", "POST", "/api/v1/system/profile/update", "POST", "/api/v1/currency/issue"},
      {"agent-rw", "POST", "/api/v1/system/profile/update", "POST", "/api/v1/currency/issue"},
      {"agent-ro", "GET", "/api/v1/system/user", "POST", "/api/v1/system/profile/update"},
      {"gateway-admin", "GET", "/api/v1/static/rolelist", "GET", "/api/v1/wallet"},  // no rights mapped
      {"issuer-admin", "POST", "/api/v1/currency/extended/create", "GET", "/api/v1/profile"},
      {"issuer-rw", "POST", "/api/v1/currency/extended/create", "GET", "/api/v1/profile"},
      {"merchant-admin", "GET", "/api/v1/profile/team", "GET", "/api/v1/wallet"},
      {"merchant-rw", "POST", "/api/v1/payment/request", "GET", "/api/v1/profile/team"},
      {"merchant-ro", "GET", "/api/v1/payment/transactionlist", "POST", "/api/v1/payment/request"},
      {"trader-admin", "GET", "/api/v1/static/rolelist", "GET", "/api/v1/wallet"},  // no endpoint uses orders yet
      {"trader-rw", "GET", "/api/v1/static/rolelist", "GET", "/api/v1/wallet"},
      {"trader-ro", "GET", "/api/v1/static/rolelist", "GET", "/api/v1/wallet"},
      {"profile-admin", "GET", "/api/v1/wallet", "GET", "/api/v1/system/currency/list"},
      {"profile-rw", "POST", "/api/v1/wallet/transfer", "GET", "/api/v1/profile/team"},
      {"profile-ro", "GET", "/api/v1/wallet", "POST", "/api/v1/wallet/transfer"},
      {"ewallet-admin", "POST", "/api/v1/profile/apikey", "GET", "/api/v1/system/user"},
      {"ewallet-rw", "POST", "/api/v1/wallet/withdraw", "POST", "/api/v1/profile/apikey"},
      {"ewallet-ro", "GET", "/api/v1/wallet/transactionlist", "POST", "/api/v1/wallet/withdraw"},
  };
  // Every role of the spec is covered.
  std::set<std::string> covered;
  for (const auto& c : cases) covered.insert(c.role);
  for (const auto& role : og::rbac::roles()) {
    INFO(role.id);
    CHECK(covered.count(std::string(role.id)) == 1);
  }
  for (const auto& c : cases) {
    auto cred = dev().create_profile_with_key({c.role});
    std::string body = std::string(c.allowed_method) == "POST" ? "{}" : "";
    Answer yes = dev().call(c.allowed_method, c.allowed_path, body, cred.apikey);
    INFO(c.role << " may " << c.allowed_method << " " << c.allowed_path << ": " << yes.body);
    CHECK(yes.resultcode() != 10122);
    CHECK(yes.resultcode() != 10121);
    if (!c.forbidden_method) continue;
    std::string fbody = std::string(c.forbidden_method) == "POST" ? "{}" : "";
    Answer no = dev().call(c.forbidden_method, c.forbidden_path, fbody, cred.apikey);
    INFO(c.role << " may not " << c.forbidden_method << " " << c.forbidden_path << ": " << no.body);
    CHECK(no.resultcode() == 10122);
  }
}
