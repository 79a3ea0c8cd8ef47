// The SSO service's OAuth 2.0 side against a real omnid --dev: applications, the login and
// consent page played by a libcurl "browser", the authorization code flow driven by
// Debian's python3-requests-oauthlib with the access tokens verified by python3-jwt
// against /auth/jwks.json, PKCE, refresh-token rotation and reuse detection, revocation,
// the implicit flow, and external login through a local OAuth 2.0 provider
// (tests/support/oauth_provider.py). Bad input is refused with its code and changes nothing.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "common/crypto.h"
#include "common/http_client.h"
#include "common/password.h"
#include "common/totp.h"
#include "daemon/http/router.h"
#include "daemon/modules/omnipass/accounts.h"
#include "daemon/secrets/secret_store.h"
#include "tests/support/omnid_process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using og::Json;
using og::test::Answer;
using og::test::Omnid;
using Params = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with requests-oauthlib and jwt
const std::string kSupport = std::string(OMNIGATE_SOURCE_DIR) + "/tests/support/";
constexpr const char* kPassword = "Secret#2024ab";
const std::string kRedirect = "https://client.example.com/oauth/callback";
constexpr const char* kCsp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

Omnid& dev() {
  static Omnid omnid;
  return omnid;
}

std::string unique(const std::string& prefix) {
  static int n = 0;
  return prefix + std::to_string(::getpid()) + "x" + std::to_string(++n);
}

template <typename... Args>
pqxx::result db(const std::string& query, Args&&... args) {
  pqxx::connection conn(dev().db_conninfo());
  pqxx::work tx(conn);
  auto r = tx.exec_params(query, std::forward<Args>(args)...);
  tx.commit();
  return r;
}

template <typename... Args>
std::string db1(const std::string& query, Args&&... args) {
  pqxx::result r = db(query, std::forward<Args>(args)...);
  return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
}

// ---------------------------------------------------------------- encodings

std::string form_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string form(const Params& fields) {
  std::string out;
  for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + form_encode(k) + "=" + form_encode(v);
  return out;
}

std::string base64(std::string_view bytes) {
  std::string s = og::crypto::base64url_encode(bytes);
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  return s;
}

std::string html_unescape(std::string s) {
  for (auto [from, to] : {std::pair{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + 1)) s.replace(pos, std::strlen(from), to);
  }
  return s;
}

// The parameters of a URL's query or fragment.
std::map<std::string, std::string> url_params(const std::string& url, char where = '?') {
  auto start = url.find(where);
  if (start == std::string::npos) return {};
  std::string part = url.substr(start + 1);
  if (where == '?') part = part.substr(0, part.find('#'));
  auto parsed = og::http::parse_query(part);
  REQUIRE(parsed);
  return *parsed;
}

Json jwt_payload(const std::string& token) {
  auto first = token.find('.'), second = token.find('.', first + 1);
  auto text = og::crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  REQUIRE(text);
  return Json::parse(*text);
}

// ---------------------------------------------------------------- people and applications

struct User {
  std::string email, uuid, upid;
  std::string mfa_seed;  // raw bytes, when MFA is on
};

// Straight into the database: an active individual with role profile-admin.
User make_user(bool mfa = false) {
  pqxx::connection conn(dev().db_conninfo());
  pqxx::work tx(conn);
  User u;
  u.email = unique("user") + "@example.com";
  og::omnipass::Profile p;
  p.type = "individual";
  p.attributes = Json{{"email", u.email}, {"firstname", "Test"}, {"lastname", "User"}};
  u.upid = og::omnipass::insert_profile(tx, p);
  og::omnipass::User row;
  row.email = u.email;
  row.password_hash = og::password::hash(kPassword);
  row.status = "active";
  row.default_upid = u.upid;
  u.uuid = og::omnipass::insert_user(tx, row);
  og::omnipass::set_membership(tx, {u.uuid, u.upid, u.email, {"profile-admin"}, true});
  if (mfa) {
    auto bytes = og::crypto::random_bytes(20);
    u.mfa_seed.assign(bytes.begin(), bytes.end());
    og::secrets::PlainSecretStore store;
    std::string id = store.put(tx, "mfa-seed", u.mfa_seed);
    tx.exec_params("UPDATE users SET mfa_enabled = true, mfa_secret = $2 WHERE uuid = $1", u.uuid, id);
  }
  tx.commit();
  return u;
}

// Through the API, as a person would: public registration, then the link from the mail.
User register_user(const std::string& first, const std::string& last) {
  User u;
  u.email = unique("reg") + "@example.com";
  Answer a = dev().call_json("POST", "/api/v1/profile",
                             Json{{"type", "individual"},
                                  {"email", u.email},
                                  {"registeruser", true},
                                  {"password", kPassword},
                                  {"firstname", first},
                                  {"lastname", last},
                                  {"callbackurl", "https://app.example.com/activate"}},
                             "");
  INFO(a.body);
  REQUIRE(a.resultcode() == 10000);
  u.uuid = a.json["uuid"];
  u.upid = a.json["upid"];
  std::string token;
  REQUIRE(dev().wait_for_outbox());  // mail leaves after the commit, from the outbox
  for (const auto& e : fs::directory_iterator(dev().data_dir() / "mail")) {
    std::string text = og::test::read_file(e.path());
    if (text.find(u.email) == std::string::npos) continue;
    text = std::regex_replace(text, std::regex("=\r?\n"), "");  // quoted-printable soft breaks
    std::smatch m;
    if (std::regex_search(text, m, std::regex("token=3D([0-9A-Fa-f]{32})"))) token = m[1];
  }
  REQUIRE(token.size() == 32);
  Answer c = dev().call_json("POST", "/api/v1/user/activate/confirm", Json{{"token", token}}, "");
  INFO(c.body);
  REQUIRE(c.resultcode() == 10000);
  return u;
}

struct Client {
  std::string id, secret;
};

Client register_app(const std::string& name = "Test App", std::vector<std::string> uris = {kRedirect}) {
  Answer a = dev().call_json("POST", "/auth/apps", Json{{"name", name}, {"redirect_uris", uris}});
  INFO(a.body);
  REQUIRE(a.status == 200);
  REQUIRE(a.json["status"] == "ok");
  return {a.json["client_id"], a.json["client_secret"]};
}

// ---------------------------------------------------------------- the browser

class Browser {
 public:
  og::net::HttpResponse get(const std::string& url) { return send("GET", url, {}); }
  og::net::HttpResponse post_form(const std::string& url, const Params& fields) { return send("POST", url, form(fields)); }
  std::map<std::string, std::string> cookies;  // those of omnid (https)

 private:
  og::net::HttpResponse send(const std::string& method, const std::string& url, const std::string& body) {
    og::net::HttpRequest req;
    req.method = method;
    req.url = url;
    req.timeout_ms = 30000;
    req.body = body;
    const bool ours = url.rfind(dev().url(), 0) == 0;
    if (ours) req.cacert = dev().cacert();
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (ours && !jar.empty()) req.headers.emplace_back("Cookie", jar);
    auto r = client_.perform(req);
    INFO(url << ": " << r.error);
    REQUIRE(r.ok());
    if (ours)
      for (const auto& [name, value] : r.response.headers) {
        if (name != "set-cookie") continue;
        std::string pair = value.substr(0, value.find(';'));
        auto eq = pair.find('=');
        std::string k = pair.substr(0, eq), v = pair.substr(eq + 1);
        if (v.empty()) cookies.erase(k);
        else cookies[k] = v;
      }
    return r.response;
  }
  og::net::Client client_;
};

std::string authorize_path(const std::string& client_id, const Params& extra = {}, const std::string& redirect = kRedirect) {
  Params ps{{"client_id", client_id}, {"redirect_uri", redirect}, {"response_type", "code"}, {"state", "st-42"}};
  for (const auto& e : extra) {
    auto it = std::find_if(ps.begin(), ps.end(), [&](const auto& p) { return p.first == e.first; });
    if (it != ps.end()) it->second = e.second;
    else ps.push_back(e);
  }
  std::erase_if(ps, [](const auto& p) { return p.second == "<omit>"; });
  return "/auth/authorize?" + form(ps);
}

// The login page's hidden fields.
Params hidden_fields(const std::string& html) {
  Params out;
  std::regex re("<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
    out.emplace_back((*it)[1], html_unescape((*it)[2]));
  return out;
}

std::string field(const Params& ps, const std::string& name) {
  for (const auto& [k, v] : ps)
    if (k == name) return v;
  return {};
}

// Opens the page at `url` and submits its form with these answers.
og::net::HttpResponse login(Browser& b, const std::string& url, const User& u, const std::string& consent = "allow",
                            const std::string& mfacode = {}, const std::string& password = kPassword) {
  auto page = b.get(url);
  INFO(page.body);
  REQUIRE(page.status == 200);
  Params fields = hidden_fields(page.body);
  fields.emplace_back("email", u.email);
  fields.emplace_back("password", password);
  if (!mfacode.empty()) fields.emplace_back("mfacode", mfacode);
  fields.emplace_back("consent", consent);
  return b.post_form(dev().url() + "/auth/authorize", fields);
}

// A fresh authorization code for `u`.
std::string code_for(const Client& c, const User& u, const Params& extra = {}) {
  Browser b;
  auto r = login(b, dev().url() + authorize_path(c.id, extra), u);
  INFO(r.body);
  REQUIRE(r.status == 302);
  auto ps = url_params(r.header("location"));
  REQUIRE(ps.count("code"));
  return ps["code"];
}

Answer token_call(const Params& fields, const std::string& basic_user = {}, const std::string& basic_pass = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
  if (!basic_user.empty()) headers.emplace_back("Authorization", "Basic " + base64(basic_user + ":" + basic_pass));
  return dev().call("POST", "/auth/token", form(fields), "", headers);
}

Answer redeem(const Client& c, const std::string& code, const Params& extra = {}) {
  Params ps{{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}, {"client_id", c.id}};
  if (!c.secret.empty()) ps.emplace_back("client_secret", c.secret);
  for (const auto& e : extra) {
    auto it = std::find_if(ps.begin(), ps.end(), [&](const auto& p) { return p.first == e.first; });
    if (it != ps.end()) it->second = e.second;
    else ps.push_back(e);
  }
  std::erase_if(ps, [](const auto& p) { return p.second == "<omit>"; });
  return token_call(ps);
}

Answer refresh(const Client& c, const std::string& token) {
  return token_call({{"grant_type", "refresh_token"}, {"refresh_token", token}, {"client_id", c.id}, {"client_secret", c.secret}});
}

void require_error(const Answer& a, long status, const std::string& error) {
  INFO(a.body);
  REQUIRE(a.status == status);
  REQUIRE(a.json["error"] == error);
  REQUIRE(a.json.contains("error_description"));
  REQUIRE(a.raw.header("cache-control") == "no-store");
}

std::string pkce_challenge(const std::string& verifier) {
  auto d = og::crypto::sha256(verifier);
  return og::crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// What the OAuth tables hold; "nothing changed" means this is equal.
std::string oauth_state() {
  return db1(
      "SELECT concat_ws('/', (SELECT count(*) FROM oauth_apps), (SELECT count(*) FROM oauth_codes), "
      "(SELECT count(*) FROM oauth_codes WHERE used_at IS NOT NULL), (SELECT count(*) FROM refresh_tokens), "
      "(SELECT count(*) FROM refresh_tokens WHERE used_at IS NOT NULL OR revoked_at IS NOT NULL), "
      "(SELECT count(*) FROM auth_strategies), (SELECT count(*) FROM users), (SELECT count(*) FROM external_identities), "
      "(SELECT coalesce(max(updated_at)::text, '') FROM auth_strategies))");
}

Json python_client(const std::string& command, const Json& args) {
  auto r = og::test::run_process({kPython, kSupport + "oauth_client.py", command}, args.dump(),
                                 {{"NO_PROXY", "*"}, {"no_proxy", "*"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Json out = Json::parse(r.out, nullptr, false);
  INFO(r.out);
  REQUIRE(out.is_object());
  return out;
}

}  // namespace

// ================================================================ applications

TEST_CASE("oauth: registering and listing applications", "[oauth]") {
  Answer a = dev().call_json("POST", "/auth/apps",
                             Json{{"name", "Wallet <Web>"},
                                  {"redirect_uris", {kRedirect, "com.example.wallet:/oauth2callback", "http://localhost:8080/cb?x=1"}}});
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.json["status"] == "ok");
  const std::string id = a.json["client_id"], secret = a.json["client_secret"];
  CHECK(std::regex_match(id, std::regex("[0-9]{8}")));
  CHECK(std::regex_match(secret, std::regex("[A-Za-z0-9]{32}")));
  CHECK(a.json["name"] == "Wallet <Web>");
  CHECK(a.json["redirect_uris"] == Json{kRedirect, "com.example.wallet:/oauth2callback", "http://localhost:8080/cb?x=1"});
  // The secret is in the secret store, not in the applications table.
  CHECK(db1("SELECT count(*) FROM oauth_apps WHERE client_secret = $1", secret) == "0");
  CHECK(db1("SELECT s.kind FROM oauth_apps a JOIN secrets s ON s.id = a.client_secret WHERE a.client_id = $1", id) ==
        "oauth-client-secret");

  Answer list = dev().call("GET", "/auth/apps");
  INFO(list.body);
  REQUIRE(list.status == 200);
  CHECK(list.json["status"] == "ok");
  bool found = false;
  for (const auto& app : list.json["results"]) {
    CHECK(app["client_secret"].get<std::string>().rfind("****", 0) == 0);
    if (app["client_id"] != id) continue;
    found = true;
    CHECK(app == Json{{"client_id", id},
                      {"name", "Wallet <Web>"},
                      {"redirect_uris", {kRedirect, "com.example.wallet:/oauth2callback", "http://localhost:8080/cb?x=1"}},
                      {"client_secret", "****" + secret.substr(28)}});
  }
  CHECK(found);
  CHECK(list.body.find(secret) == std::string::npos);
}

TEST_CASE("oauth: bad applications are refused and change nothing", "[oauth]") {
  const std::string before = oauth_state();
  struct Case {
    Json body;
    int code;
    std::string says;
  };
  std::vector<Case> cases{
      {Json{{"name", "A"}, {"redirect_uris", {"https://a.example.com/cb#frag"}}}, 10113, "fragment"},
      {Json{{"name", "A"}, {"redirect_uris", {"/relative/cb"}}}, 10113, "absolute"},
      {Json{{"name", "A"}, {"redirect_uris", {"ftp://a.example.com/cb"}}}, 10113, "period"},
      {Json{{"name", "A"}, {"redirect_uris", {"myapp:/cb"}}}, 10113, "period"},
      {Json{{"name", "A"}, {"redirect_uris", {"com.example.app://cb"}}}, 10113, "single slash"},
      {Json{{"name", "A"}, {"redirect_uris", {"https://"}}}, 10113, "host"},
      {Json{{"name", "A"}, {"redirect_uris", {"https://user:pw@a.example.com/cb"}}}, 10113, "host"},
      {Json{{"name", "A"}, {"redirect_uris", {"https://a.example.com/a b"}}}, 10113, "space"},
      {Json{{"name", "A"}, {"redirect_uris", {"HTTPS://a.example.com/cb"}}}, 10113, "lowercase"},
      {Json{{"name", "A"}, {"redirect_uris", {kRedirect, kRedirect}}}, 10113, "repeats"},
      {Json{{"name", "A"}, {"redirect_uris", {42}}}, 10112, "redirect_uris[0]"},
      {Json{{"name", "A"}, {"redirect_uris", Json::array()}}, 10111, "redirect_uris"},
      {Json{{"name", "A"}}, 10110, "redirect_uris"},
      {Json{{"redirect_uris", {kRedirect}}}, 10110, "name"},
  };
  for (const auto& c : cases) {
    Answer a = dev().call_json("POST", "/auth/apps", c.body);
    INFO(c.body.dump() << " -> " << a.body);
    CHECK(a.json["status"] == "error");
    CHECK(a.resultcode() == c.code);
    CHECK(a.message().find(c.says) != std::string::npos);
  }
  CHECK(oauth_state() == before);
}

TEST_CASE("oauth: SSO administration needs systemadmin", "[oauth]") {
  auto key = dev().create_profile_with_key({"profile-admin"}).apikey;
  const std::string before = oauth_state();
  for (auto [method, path, body] :
       {std::tuple{"GET", "/auth/apps", ""}, {"POST", "/auth/apps", R"({"name":"x","redirect_uris":["https://x.example.com/"]})"},
        {"GET", "/auth/api/strategies", ""},
        {"POST", "/auth/api/strategies", R"({"google":{"clientID":"a","clientSecret":"b","callbackURL":"https://x.example.com/"}})"}}) {
    Answer a = dev().call(method, path, body, key);
    INFO(method << " " << path << " -> " << a.body);
    CHECK(a.status == 403);
    CHECK(a.resultcode() == 10122);
    CHECK(a.json["status"] == "error");
  }
  CHECK(oauth_state() == before);
}

// ================================================================ the authorization code flow

TEST_CASE("oauth: authorization code flow with requests-oauthlib, tokens verified by PyJWT", "[oauth][python]") {
  const User u = register_user("Ada", "Lovelace");
  const Client c = register_app("Ledger <Viewer> & Co");
  Json start = python_client("authurl", Json{{"client_id", c.id},
                                            {"redirect_uri", kRedirect},
                                            {"authorize_url", dev().url() + "/auth/authorize"},
                                            {"pkce", true}});
  INFO(start.dump());
  REQUIRE_FALSE(start.contains("exception"));
  const std::string url = start["url"], state = start["state"], verifier = start["verifier"];
  auto asked = url_params(url);
  CHECK(asked["response_type"] == "code");
  CHECK(asked["code_challenge_method"] == "S256");
  CHECK(asked["code_challenge"] == pkce_challenge(verifier));

  Browser b;
  auto page = b.get(url);
  INFO(page.body);
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.header("x-frame-options") == "DENY");
  CHECK(page.header("content-security-policy") == kCsp);
  CHECK(page.header("cache-control") == "no-store");
  const std::string set_cookie = page.header("set-cookie");
  CHECK(std::regex_match(set_cookie, std::regex("__Host-og_csrf=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict")));
  CHECK(page.body.find("<form method=\"post\" action=\"/auth/authorize\">") != std::string::npos);
  CHECK(page.body.find("Ledger &lt;Viewer&gt; &amp; Co") != std::string::npos);
  CHECK(page.body.find("Ledger <Viewer>") == std::string::npos);
  CHECK(page.body.find("name=\"consent\" value=\"allow\"") != std::string::npos);
  CHECK(page.body.find("name=\"consent\" value=\"deny\"") != std::string::npos);
  Params fields = hidden_fields(page.body);
  CHECK(field(fields, "csrf_token") == b.cookies["__Host-og_csrf"]);
  CHECK(field(fields, "state") == state);
  CHECK(field(fields, "code_challenge") == asked["code_challenge"]);
  fields.emplace_back("email", u.email);
  fields.emplace_back("password", kPassword);
  fields.emplace_back("consent", "allow");
  auto back = b.post_form(dev().url() + "/auth/authorize", fields);
  INFO(back.body);
  REQUIRE(back.status == 302);
  const std::string location = back.header("location");
  CHECK(location.rfind(kRedirect + "?code=", 0) == 0);
  auto answer = url_params(location);
  CHECK(answer["state"] == state);
  CHECK(answer["code"].size() == 43);
  CHECK(answer.size() == 2);

  Json done = python_client("exchange", Json{{"client_id", c.id},
                                            {"client_secret", c.secret},
                                            {"redirect_uri", kRedirect},
                                            {"state", state},
                                            {"code", answer["code"]},
                                            {"verifier", verifier},
                                            {"token_url", dev().url() + "/auth/token"},
                                            {"jwks_url", dev().url() + "/auth/jwks.json"},
                                            {"cacert", dev().cacert()}});
  INFO(done.dump(2));
  REQUIRE_FALSE(done.contains("exception"));
  const Json& token = done["token"];
  CHECK(token["token_type"] == "Bearer");
  CHECK(token["expires_in"] == 900);  // omnipass's inactivity timeout (15 minutes)
  CHECK(token["scope"] == Json::array({"*"}));
  CHECK(token["refresh_token"].get<std::string>().size() == 43);
  CHECK(done["header"]["alg"] == "RS256");
  const Json& claims = done["claims"];
  CHECK(claims["sub"] == u.uuid);
  CHECK(claims["iss"] == c.id);
  CHECK(claims["scope"] == "*");
  CHECK(claims["context"] == Json{{"upid", u.upid}, {"roles", {"profile-admin"}}});
  CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() == 900);
  const Json& refreshed = done["refreshed"];
  CHECK(refreshed["token_type"] == "Bearer");
  CHECK(refreshed["refresh_token"] != token["refresh_token"]);
  CHECK(done["refreshed_claims"]["sub"] == u.uuid);
  CHECK(done["refreshed_claims"]["iss"] == c.id);

  // The access token is a credential of the API.
  Answer me = dev().call("GET", "/api/v1/profile", "", "", {{"Authorization", "Bearer " + token["access_token"].get<std::string>()}});
  INFO(me.body);
  CHECK(me.resultcode() == 10000);
  CHECK(me.json["upid"] == u.upid);
  CHECK(me.json["profile"]["firstname"] == "Ada");
  // One code, used once; one family, rotated once.
  CHECK(db1("SELECT count(*) FROM oauth_codes WHERE uuid = $1 AND used_at IS NOT NULL AND family IS NOT NULL", u.uuid) == "1");
  CHECK(db1("SELECT count(*) || '/' || count(DISTINCT family) || '/' || count(used_at) FROM refresh_tokens WHERE uuid = $1",
            u.uuid) == "2/1/1");
  // Only hashes are stored.
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE token_hash = $1", refreshed["refresh_token"].get<std::string>()) == "0");
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE token_hash = $1",
            og::crypto::sha256_hex(refreshed["refresh_token"].get<std::string>())) == "1");
}

TEST_CASE("oauth: a public client (PKCE, no secret) with requests-oauthlib", "[oauth][python]") {
  const User u = make_user();
  const Client c = register_app("Phone app", {"com.example.phone:/oauth2callback"});
  Json start = python_client("authurl", Json{{"client_id", c.id},
                                            {"redirect_uri", "com.example.phone:/oauth2callback"},
                                            {"authorize_url", dev().url() + "/auth/authorize"},
                                            {"pkce", true}});
  REQUIRE_FALSE(start.contains("exception"));
  Browser b;
  auto back = login(b, start["url"], u);
  INFO(back.body);
  REQUIRE(back.status == 302);
  auto answer = url_params(back.header("location"));
  CHECK(back.header("location").rfind("com.example.phone:/oauth2callback?code=", 0) == 0);
  Json done = python_client("exchange", Json{{"client_id", c.id},
                                            {"redirect_uri", "com.example.phone:/oauth2callback"},
                                            {"state", start["state"]},
                                            {"code", answer["code"]},
                                            {"verifier", start["verifier"]},
                                            {"token_url", dev().url() + "/auth/token"},
                                            {"jwks_url", dev().url() + "/auth/jwks.json"},
                                            {"cacert", dev().cacert()}});
  INFO(done.dump(2));
  REQUIRE_FALSE(done.contains("exception"));
  CHECK(done["claims"]["sub"] == u.uuid);
  CHECK(done["refreshed_claims"]["context"]["upid"] == u.upid);
  CHECK(db1("SELECT bool_and(NOT client_authenticated) FROM refresh_tokens WHERE uuid = $1", u.uuid) == "t");

  // Without PKCE a client must authenticate.
  const std::string code = code_for(c, u, {{"redirect_uri", "com.example.phone:/oauth2callback"}});
  Answer a = token_call({{"grant_type", "authorization_code"},
                         {"code", code},
                         {"redirect_uri", "com.example.phone:/oauth2callback"},
                         {"client_id", c.id}});
  require_error(a, 401, "invalid_client");
  CHECK(a.raw.header("www-authenticate").rfind("Basic", 0) == 0);
  CHECK(db1("SELECT count(*) FROM oauth_codes WHERE code_hash = $1 AND used_at IS NULL", og::crypto::sha256_hex(code)) == "1");
}

TEST_CASE("oauth: the token endpoint answers as RFC 6749 says", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();

  SECTION("HTTP Basic client authentication, the answer's fields and headers") {
    const std::string code = code_for(c, u);
    Answer a = token_call({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}}, c.id, c.secret);
    INFO(a.body);
    REQUIRE(a.status == 200);
    CHECK(a.raw.header("cache-control") == "no-store");
    CHECK(a.raw.header("pragma") == "no-cache");
    CHECK(a.raw.content_type == "application/json");
    CHECK(a.json.size() == 5);
    CHECK(a.json["token_type"] == "Bearer");
    CHECK(a.json["expires_in"] == 900);
    CHECK(a.json["scope"] == "*");
    Json claims = jwt_payload(a.json["access_token"]);
    CHECK(claims["iss"] == c.id);
    CHECK(claims["sub"] == u.uuid);
  }
  SECTION("a JSON body as the guide's example sends it") {
    const std::string code = code_for(c, u);
    Answer a = dev().call_json("POST", "/auth/token",
                               Json{{"code", code},
                                    {"client_id", c.id},
                                    {"client_secret", c.secret},
                                    {"redirect_uri", kRedirect},
                                    {"grant_type", "authorization_code"}},
                               "");
    INFO(a.body);
    CHECK(a.status == 200);
    CHECK(a.json["token_type"] == "Bearer");
  }
  SECTION("a wrong client secret: 401 invalid_client, the code stays usable") {
    const std::string code = code_for(c, u);
    const std::string before = oauth_state();
    std::string wrong = c.secret;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    Answer body = redeem(c, code, {{"client_secret", wrong}});
    require_error(body, 401, "invalid_client");
    CHECK(body.raw.header("www-authenticate") == "Basic realm=\"omnigate\", charset=\"UTF-8\"");
    Answer basic = token_call({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}}, c.id, wrong);
    require_error(basic, 401, "invalid_client");
    Answer short_secret = redeem(c, code, {{"client_secret", "short"}});
    require_error(short_secret, 401, "invalid_client");
    Answer unknown = redeem(Client{"00000000", c.secret}, code);
    require_error(unknown, 401, "invalid_client");
    Answer both = token_call({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect},
                              {"client_secret", c.secret}},
                             c.id, c.secret);
    require_error(both, 400, "invalid_request");
    CHECK(oauth_state() == before);
    CHECK(redeem(c, code).status == 200);
  }
  SECTION("malformed requests") {
    const std::string code = code_for(c, u);
    const std::string before = oauth_state();
    require_error(redeem(c, code, {{"grant_type", "<omit>"}}), 400, "invalid_request");
    require_error(redeem(c, code, {{"grant_type", "password"}}), 400, "unsupported_grant_type");
    require_error(redeem(c, code, {{"code", "<omit>"}}), 400, "invalid_request");
    require_error(redeem(c, code, {{"redirect_uri", "<omit>"}}), 400, "invalid_request");
    require_error(redeem(c, code, {{"client_id", "<omit>"}}), 401, "invalid_client");
    require_error(redeem(c, "not-a-code"), 400, "invalid_grant");
    require_error(redeem(c, code, {{"redirect_uri", kRedirect + "/"}}), 400, "invalid_grant");
    require_error(redeem(c, code, {{"code_verifier", std::string(43, 'a')}}), 400, "invalid_grant");
    // Unknown parameters are ignored (RFC 6749 3.2).
    CHECK(oauth_state() == before);
    Answer ok = redeem(c, code, {{"unknown_thing", "1"}});
    INFO(ok.body);
    CHECK(ok.status == 200);
  }
  SECTION("another client cannot use the code") {
    const Client other = register_app("Other");
    const std::string code = code_for(c, u);
    const std::string before = oauth_state();
    require_error(redeem(other, code), 400, "invalid_grant");
    CHECK(oauth_state() == before);
  }
}

TEST_CASE("oauth: PKCE", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  const std::string verifier = "the-verifier-" + std::string(40, 'v') + "~._";
  const std::string challenge = pkce_challenge(verifier);
  const std::string code = code_for(c, u, {{"code_challenge", challenge}, {"code_challenge_method", "S256"}});
  CHECK(db1("SELECT code_challenge || ' ' || code_challenge_method FROM oauth_codes WHERE code_hash = $1",
            og::crypto::sha256_hex(code)) == challenge + " S256");
  const std::string before = oauth_state();
  Client pub{c.id, ""};
  require_error(redeem(pub, code, {{"code_verifier", verifier.substr(0, verifier.size() - 1) + "x"}}), 400, "invalid_grant");
  require_error(redeem(pub, code, {{"code_verifier", std::string(43, 'a')}}), 400, "invalid_grant");
  require_error(redeem(pub, code), 400, "invalid_request");
  require_error(redeem(pub, code, {{"code_verifier", std::string(42, 'a')}}), 400, "invalid_request");
  require_error(redeem(pub, code, {{"code_verifier", std::string(43, 'a') + "+"}}), 400, "invalid_request");
  CHECK(oauth_state() == before);
  Answer ok = redeem(pub, code, {{"code_verifier", verifier}});
  INFO(ok.body);
  CHECK(ok.status == 200);
  CHECK(db1("SELECT client_authenticated FROM refresh_tokens WHERE token_hash = $1",
            og::crypto::sha256_hex(ok.json["refresh_token"].get<std::string>())) == "f");
  // A public client refreshes without a secret; a confidential client's family needs it.
  Answer r = token_call({{"grant_type", "refresh_token"}, {"refresh_token", ok.json["refresh_token"]}, {"client_id", c.id}});
  INFO(r.body);
  CHECK(r.status == 200);
  const std::string code2 = code_for(c, u);
  Answer conf = redeem(c, code2);
  REQUIRE(conf.status == 200);
  require_error(token_call({{"grant_type", "refresh_token"}, {"refresh_token", conf.json["refresh_token"]}, {"client_id", c.id}}),
                401, "invalid_client");
}

TEST_CASE("oauth: a code is used once; reuse revokes what it gave", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  const std::string code = code_for(c, u);
  Answer first = redeem(c, code);
  REQUIRE(first.status == 200);
  Answer again = redeem(c, code);
  require_error(again, 400, "invalid_grant");
  CHECK(again.json["error_description"].get<std::string>().find("used already") != std::string::npos);
  require_error(refresh(c, first.json["refresh_token"]), 400, "invalid_grant");
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE uuid = $1 AND revoked_at IS NULL", u.uuid) == "0");
}

TEST_CASE("oauth: an expired code is refused", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  const std::string code = code_for(c, u);
  db("UPDATE oauth_codes SET expires_at = now() - interval '1 second' WHERE code_hash = $1", og::crypto::sha256_hex(code));
  const std::string before = oauth_state();
  Answer a = redeem(c, code);
  require_error(a, 400, "invalid_grant");
  CHECK(a.json["error_description"] == "the code has expired");
  CHECK(oauth_state() == before);
}

TEST_CASE("oauth: refresh tokens rotate; a reused one revokes its family", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  Answer first = redeem(c, code_for(c, u));
  REQUIRE(first.status == 200);
  const std::string r1 = first.json["refresh_token"];
  Answer second = refresh(c, r1);
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.raw.header("cache-control") == "no-store");
  const std::string r2 = second.json["refresh_token"];
  CHECK(r2 != r1);
  CHECK(jwt_payload(second.json["access_token"])["iss"] == c.id);
  Answer third = refresh(c, r2);
  REQUIRE(third.status == 200);
  const std::string r3 = third.json["refresh_token"];

  Answer reuse = refresh(c, r1);
  require_error(reuse, 400, "invalid_grant");
  CHECK(reuse.json["error_description"].get<std::string>().find("used already") != std::string::npos);
  require_error(refresh(c, r3), 400, "invalid_grant");  // the newest is revoked with its family
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE uuid = $1 AND revoked_at IS NULL", u.uuid) == "0");

  // Another family of the same user is untouched.
  Answer other = redeem(c, code_for(c, u));
  REQUIRE(other.status == 200);
  CHECK(refresh(c, other.json["refresh_token"]).status == 200);
  // Expired.
  Answer more = redeem(c, code_for(c, u));
  db("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
     og::crypto::sha256_hex(more.json["refresh_token"].get<std::string>()));
  Answer expired = refresh(c, more.json["refresh_token"]);
  require_error(expired, 400, "invalid_grant");
  CHECK(expired.json["error_description"] == "the refresh token has expired");
  // Another client's.
  const Client stranger = register_app("Stranger");
  Answer fresh = redeem(c, code_for(c, u));
  require_error(refresh(stranger, fresh.json["refresh_token"]), 400, "invalid_grant");
  CHECK(refresh(c, fresh.json["refresh_token"]).status == 200);
}

TEST_CASE("oauth: revocation (RFC 7009)", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  Answer t = redeem(c, code_for(c, u));
  REQUIRE(t.status == 200);
  const std::string rt = t.json["refresh_token"];
  auto revoke = [&](const Params& ps) {
    return dev().call("POST", "/auth/revoke", form(ps), "", {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  // Another client's revocation changes nothing.
  const Client stranger = register_app("Stranger");
  Answer foreign = revoke({{"token", rt}, {"client_id", stranger.id}, {"client_secret", stranger.secret}});
  CHECK(foreign.status == 200);
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE uuid = $1 AND revoked_at IS NULL", u.uuid) == "1");
  // A wrong secret is refused.
  Answer wrong = revoke({{"token", rt}, {"client_id", c.id}, {"client_secret", std::string(32, 'x')}});
  require_error(wrong, 401, "invalid_client");
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE uuid = $1 AND revoked_at IS NULL", u.uuid) == "1");

  Answer ok = revoke({{"token", rt}, {"token_type_hint", "refresh_token"}, {"client_id", c.id}, {"client_secret", c.secret}});
  INFO(ok.body);
  CHECK(ok.status == 200);
  CHECK(ok.json == Json{{"status", "ok"}});
  Answer after = refresh(c, rt);
  require_error(after, 400, "invalid_grant");
  CHECK(after.json["error_description"] == "the refresh token is revoked");
  // Unknown tokens: 200 all the same. Access tokens cannot be revoked.
  CHECK(revoke({{"token", "no-such-token"}, {"client_id", c.id}, {"client_secret", c.secret}}).json == Json{{"status", "ok"}});
  require_error(revoke({{"token", t.json["access_token"]}, {"client_id", c.id}, {"client_secret", c.secret}}), 400,
                "unsupported_token_type");
  require_error(revoke({{"client_id", c.id}, {"client_secret", c.secret}}), 400, "invalid_request");
}

// ================================================================ the login and consent page

TEST_CASE("oauth: the authorization endpoint refuses bad requests", "[oauth]") {
  const User u = make_user();
  const Client c = register_app();
  Browser b;

  SECTION("an unknown client or an unregistered redirect URI: an error page, never a redirect") {
    for (const auto& path : {authorize_path("99999999"), authorize_path(c.id, {}, kRedirect + "/"),
                             authorize_path(c.id, {}, "https://evil.example.com/oauth/callback"),
                             authorize_path(c.id, {{"redirect_uri", "<omit>"}}), authorize_path(c.id, {{"client_id", "<omit>"}}),
                             authorize_path("1234567", {{"response_type", "bogus"}})}) {
      auto r = b.get(dev().url() + path);
      INFO(path << " -> " << r.body);
      CHECK(r.status == 400);
      CHECK(r.header("location").empty());
      CHECK(r.content_type == "text/html; charset=utf-8");
      CHECK(r.header("x-frame-options") == "DENY");
      CHECK(r.body.find("Authorization error") != std::string::npos);
      CHECK(r.body.find("<form") == std::string::npos);
    }
  }
  SECTION("other errors go back to the client, with the state") {
    struct Case {
      Params extra;
      std::string error;
      bool fragment;
    };
    for (const auto& k : std::vector<Case>{
             {{{"response_type", "id_token"}}, "unsupported_response_type", false},
             {{{"response_type", "<omit>"}}, "invalid_request", false},
             {{{"code_challenge", std::string(43, 'a')}}, "invalid_request", false},
             {{{"code_challenge_method", "S256"}}, "invalid_request", false},
             {{{"code_challenge", std::string(43, 'a')}, {"code_challenge_method", "plain"}}, "invalid_request", false},
             {{{"code_challenge", std::string(42, 'a') + "="}, {"code_challenge_method", "S256"}}, "invalid_request", false},
             {{{"scope", std::string(201, 's')}}, "invalid_request", false},
             {{{"response_type", "token"}, {"scope", std::string(201, 's')}}, "invalid_request", true},
         }) {
      auto r = b.get(dev().url() + authorize_path(c.id, k.extra));
      INFO(k.extra.front().first << "=" << k.extra.front().second << " -> " << r.status << " " << r.body);
      REQUIRE(r.status == 302);
      const std::string location = r.header("location");
      CHECK(location.rfind(kRedirect + (k.fragment ? "#" : "?") + "error=" + k.error + "&error_description=", 0) == 0);
      auto ps = url_params(location, k.fragment ? '#' : '?');
      CHECK(ps["error"] == k.error);
      CHECK(ps["state"] == "st-42");
      CHECK(ps.size() == 3);
    }
    // A state too long to echo is not echoed.
    auto r = b.get(dev().url() + authorize_path(c.id, {{"state", std::string(501, 'x')}}));
    REQUIRE(r.status == 302);
    auto ps = url_params(r.header("location"));
    CHECK(ps["error"] == "invalid_request");
    CHECK(ps.count("state") == 0);
  }
  SECTION("the user denies: access_denied with the state") {
    auto r = login(b, dev().url() + authorize_path(c.id), u, "deny", {}, "not the password");
    REQUIRE(r.status == 302);
    CHECK(r.header("location") ==
          kRedirect + "?error=access_denied&error_description=the%20user%20denied%20the%20request&state=st-42");
  }
  SECTION("a form without the CSRF cookie, or with another token, is refused") {
    auto page = b.get(dev().url() + authorize_path(c.id));
    REQUIRE(page.status == 200);
    Params fields = hidden_fields(page.body);
    fields.emplace_back("email", u.email);
    fields.emplace_back("password", kPassword);
    fields.emplace_back("consent", "allow");
    Params forged = fields;
    for (auto& [k, v] : forged)
      if (k == "csrf_token") v = og::crypto::base64url_encode(std::string(32, 'x'));
    auto r = b.post_form(dev().url() + "/auth/authorize", forged);
    CHECK(r.status == 403);
    CHECK(r.header("location").empty());
    CHECK(r.body.find("expired") != std::string::npos);
    Params without = fields;
    std::erase_if(without, [](const auto& p) { return p.first == "csrf_token"; });
    CHECK(b.post_form(dev().url() + "/auth/authorize", without).status == 403);
    Browser stranger;  // no cookie at all
    auto s = stranger.post_form(dev().url() + "/auth/authorize", fields);
    CHECK(s.status == 403);
    CHECK(s.header("location").empty());
  }
  SECTION("a wrong password: the form again, 401, nothing else said") {
    db("DELETE FROM login_failures");
    auto r = login(b, dev().url() + authorize_path(c.id), u, "allow", {}, "Wrong#password1");
    INFO(r.body);
    CHECK(r.status == 401);
    CHECK(r.header("location").empty());
    CHECK(r.body.find("Wrong e-mail address or password.") != std::string::npos);
    CHECK(r.body.find("<form method=\"post\" action=\"/auth/authorize\">") != std::string::npos);
    CHECK(r.body.find("Wrong#password1") == std::string::npos);
    Browser b2;
    User nobody = u;
    nobody.email = "nobody-" + u.email;
    auto n = login(b2, dev().url() + authorize_path(c.id), nobody);
    CHECK(n.status == 401);
    CHECK(n.body.find("Wrong e-mail address or password.") != std::string::npos);
    db("DELETE FROM login_failures");
  }
  SECTION("an inactive user") {
    User off = make_user();
    db("UPDATE users SET status = 'inactive' WHERE uuid = $1", off.uuid);
    auto r = login(b, dev().url() + authorize_path(c.id), off);
    CHECK(r.status == 403);
    CHECK(r.header("location").empty());
    CHECK(r.body.find("deactivated") != std::string::npos);
  }
  CHECK(db1("SELECT count(*) FROM oauth_codes WHERE client_id = $1", c.id) == "0");
}

TEST_CASE("oauth: a user with MFA must give the code", "[oauth]") {
  db("DELETE FROM login_failures");
  const User u = make_user(/*mfa=*/true);
  const Client c = register_app();
  Browser b;
  auto r = login(b, dev().url() + authorize_path(c.id), u);
  INFO(r.body);
  CHECK(r.status == 401);
  CHECK(r.header("location").empty());
  CHECK(r.body.find("Enter the 6-digit code") != std::string::npos);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string right = og::totp::code(u.mfa_seed, og::totp::step_at(now));
  const std::string wrong = right == "000000" ? "111111" : "000000";
  auto w = login(b, dev().url() + authorize_path(c.id), u, "allow", wrong);
  CHECK(w.status == 401);
  CHECK(w.body.find("Wrong authentication code.") != std::string::npos);
  CHECK(db1("SELECT count(*) FROM oauth_codes WHERE client_id = $1", c.id) == "0");
  auto ok = login(b, dev().url() + authorize_path(c.id), u, "allow", right);
  INFO(ok.body);
  CHECK(ok.status == 302);
  CHECK(url_params(ok.header("location")).count("code") == 1);
  // The same code is not accepted twice.
  auto replay = login(b, dev().url() + authorize_path(c.id), u, "allow", right);
  CHECK(replay.status == 401);
  db("DELETE FROM login_failures");
}

TEST_CASE("oauth: the implicit flow (response_type=token)", "[oauth]") {
  const User u = make_user();
  const Client c = register_app("Browser app", {"https://spa.example.com/app?mode=1"});
  Browser b;
  auto r = login(b, dev().url() + authorize_path(c.id, {{"response_type", "token"}, {"state", "s p&ce"}},
                                                "https://spa.example.com/app?mode=1"),
                 u);
  INFO(r.body);
  REQUIRE(r.status == 302);
  const std::string location = r.header("location");
  CHECK(location.rfind("https://spa.example.com/app?mode=1#access_token=", 0) == 0);
  auto ps = url_params(location, '#');
  CHECK(ps["token_type"] == "Bearer");
  CHECK(ps["expires_in"] == "900");
  CHECK(ps["state"] == "s p&ce");
  CHECK(ps.count("refresh_token") == 0);
  CHECK(ps.count("code") == 0);
  Json claims = jwt_payload(ps["access_token"]);
  CHECK(claims["iss"] == c.id);
  CHECK(claims["sub"] == u.uuid);
  CHECK(claims["context"]["upid"] == u.upid);
  Answer me = dev().call("GET", "/api/v1/profile", "", "", {{"Authorization", "Bearer " + ps["access_token"]}});
  CHECK(me.resultcode() == 10000);
  CHECK(me.json["upid"] == u.upid);
  CHECK(db1("SELECT count(*) FROM refresh_tokens WHERE uuid = $1", u.uuid) == "0");
  // Errors of the implicit flow travel in the fragment too.
  auto denied = login(b, dev().url() + authorize_path(c.id, {{"response_type", "token"}}, "https://spa.example.com/app?mode=1"),
                      u, "deny");
  CHECK(denied.header("location") ==
        "https://spa.example.com/app?mode=1#error=access_denied&error_description=the%20user%20denied%20the%20request&state=st-42");
}

// ================================================================ external login

namespace {

// tests/support/oauth_provider.py as a child process on a free port; SIGTERM at the end.
class Provider {
 public:
  Provider(const std::string& client_id, const std::string& secret) {
    std::vector<std::string> args{kPython, kSupport + "oauth_provider.py", "--client-id", client_id, "--client-secret", secret};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string err_path = (dir_.path() / "stderr").string();
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(out[1], STDOUT_FILENO);
      int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[64];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int port = std::atoi(line.c_str());
    if (port <= 0) {
      stop();
      FAIL("oauth_provider.py did not start: " << og::test::read_file(err_path));
    }
    url_ = "http://127.0.0.1:" + std::to_string(port);
  }
  ~Provider() { stop(); }
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  const std::string& url() const { return url_; }
  Json control(const std::string& path, const Json& body) {
    og::net::HttpRequest req;
    req.method = body.is_null() ? "GET" : "POST";
    req.url = url_ + path;
    if (!body.is_null()) req.body = body.dump();
    auto r = og::net::perform(req);
    REQUIRE(r.ok());
    return Json::parse(r.response.body);
  }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  og::test::TempDir dir_{"ogprovider"};
  pid_t pid_ = -1;
  std::string url_;
};

// The spec's example settings: a 16-character Client ID and a 17-character secret.
constexpr const char* kProviderClientId = "0987654321987654";
constexpr const char* kProviderSecret = "ab12345c6d789ef0g";

Provider& provider() {
  static Provider p(kProviderClientId, kProviderSecret);
  static bool configured = [] {
    Answer a = dev().call_json("POST", "/auth/api/strategies",
                               Json{{"google", {{"clientID", kProviderClientId},
                                                {"clientSecret", kProviderSecret},
                                                {"callbackURL", dev().url() + "/auth/p/google/callback"},
                                                {"authorizationURL", p.url() + "/authorize"},
                                                {"tokenURL", p.url() + "/token"},
                                                {"userInfoURL", p.url() + "/userinfo"}}}});
    INFO(a.body);
    REQUIRE(a.status == 200);
    REQUIRE(a.json == Json{{"status", "ok"}});
    return true;
  }();
  (void)configured;
  return p;
}

// Browser: omnid -> the provider -> omnid's callback. Returns the callback's answer.
Answer external_login(Browser& b, const std::string& strategy = "google") {
  auto start = b.get(dev().url() + "/auth/p/" + strategy);
  INFO(start.body);
  REQUIRE(start.status == 302);
  auto at_provider = b.get(start.header("location"));
  INFO(at_provider.body);
  REQUIRE(at_provider.status == 302);
  const std::string callback = at_provider.header("location");
  REQUIRE(callback.rfind(dev().url() + "/auth/p/" + strategy + "/callback?", 0) == 0);
  auto r = b.get(callback);
  Answer a;
  a.status = r.status;
  a.body = r.body;
  a.raw = r;
  a.json = Json::parse(r.body, nullptr, false);
  return a;
}

}  // namespace

TEST_CASE("oauth: authentication strategies are configured and listed", "[oauth][external]") {
  provider();
  Answer a = dev().call("GET", "/auth/api/strategies");
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.json["status"] == "ok");
  REQUIRE(a.json["results"].size() == 3);
  CHECK(a.json["results"][0] == Json{{"id", "facebook"}, {"name", "Facebook"}});
  CHECK(a.json["results"][2] == Json{{"id", "linkedin"}, {"name", "LinkedIn"}});
  CHECK(a.json["results"][1] == Json{{"id", "google"},
                                     {"name", "Google"},
                                     {"config", {{"clientID", kProviderClientId},
                                                 {"clientSecret", "****ef0g"},
                                                 {"callbackURL", dev().url() + "/auth/p/google/callback"},
                                                 {"authorizationURL", provider().url() + "/authorize"},
                                                 {"tokenURL", provider().url() + "/token"},
                                                 {"userInfoURL", provider().url() + "/userinfo"}}}});
  CHECK(a.body.find(kProviderSecret) == std::string::npos);
  CHECK(db1("SELECT s.kind FROM auth_strategies a JOIN secrets s ON s.id = a.client_secret WHERE a.id = 'google'") ==
        "strategy-client-secret");

  // A strategy that is not configured cannot start a login.
  Answer fb = dev().call("GET", "/auth/p/facebook", "", "");
  CHECK(fb.status == 501);
  CHECK(fb.resultcode() == 10131);
  CHECK(fb.json["status"] == "error");
  Answer tw = dev().call("GET", "/auth/p/twitter", "", "");
  CHECK(tw.resultcode() == 10113);
}

TEST_CASE("oauth: bad strategy settings are refused and change nothing", "[oauth][external]") {
  provider();
  const std::string before = oauth_state();
  const std::string cb = "https://omnigate.example.com/auth/p/google/callback";
  struct Case {
    Json body;
    int code;
    std::string says;
  };
  for (const auto& k : std::vector<Case>{
           {Json::object(), 10110, "facebook, google or linkedin"},
           {Json{{"google", {{"clientID", "abc"}, {"callbackURL", cb}}}}, 10110, "google.clientSecret"},
           {Json{{"google", {{"clientSecret", "abc"}, {"callbackURL", cb}}}}, 10110, "google.clientID"},
           {Json{{"linkedin", {{"clientID", "abc"}, {"clientSecret", "def"}}}}, 10110, "linkedin.callbackURL"},
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", "not a url"}}}}, 10113,
            "google.callbackURL"},
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", "ftp://x.example.com/cb"}}}},
            10113, "google.callbackURL"},
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", cb}, {"tokenURL", "javascript:x"}}}},
            10113, "google.tokenURL"},
           {Json{{"google", {{"clientID", std::string(201, 'a')}, {"clientSecret", "def"}, {"callbackURL", cb}}}}, 10111,
            "google.clientID"},
           {Json{{"google", {{"clientID", ""}, {"clientSecret", "def"}, {"callbackURL", cb}}}}, 10111, "google.clientID"},
           {Json{{"google", {{"clientID", 12345678}, {"clientSecret", "def"}, {"callbackURL", cb}}}}, 10112,
            "google.clientID"},
           {Json{{"google", {{"clientID", "a b"}, {"clientSecret", "def"}, {"callbackURL", cb}}}}, 10113, "google.clientID"},
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", cb}, {"callbackUrl", cb}}}}, 10114,
            "google.callbackUrl"},
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", cb}}}, {"twitter", Json::object()}},
            10114, "twitter"},
           // A good google with a bad facebook: nothing is stored.
           {Json{{"google", {{"clientID", "abc"}, {"clientSecret", "def"}, {"callbackURL", cb}}},
                 {"facebook", {{"clientID", "abc"}}}},
            10110, "facebook.clientSecret"},
       }) {
    Answer a = dev().call_json("POST", "/auth/api/strategies", k.body);
    INFO(k.body.dump() << " -> " << a.body);
    CHECK(a.json["status"] == "error");
    CHECK(a.resultcode() == k.code);
    CHECK(a.message().find(k.says) != std::string::npos);
  }
  CHECK(oauth_state() == before);
}

TEST_CASE("oauth: external login through a local OAuth 2.0 provider", "[oauth][external]") {
  Provider& p = provider();
  const std::string email = unique("ext") + "@example.com";
  const std::string subject = unique("g-");
  p.control("/_user", Json{{"sub", subject}, {"email", email}, {"email_verified", true}, {"given_name", "Grace"},
                           {"family_name", "Hopper"}, {"name", "Grace Hopper"}});
  const std::string users_before = db1("SELECT count(*) FROM users");

  Browser b;
  auto start = b.get(dev().url() + "/auth/p/google");
  REQUIRE(start.status == 302);
  const std::string location = start.header("location");
  CHECK(location.rfind(p.url() + "/authorize?", 0) == 0);
  auto asked = url_params(location);
  CHECK(asked["response_type"] == "code");
  CHECK(asked["client_id"] == kProviderClientId);
  CHECK(asked["redirect_uri"] == dev().url() + "/auth/p/google/callback");
  CHECK(asked["scope"] == "openid email profile");
  CHECK(asked["state"].size() == 43);
  CHECK(b.cookies["__Host-og_login"] == asked["state"]);
  CHECK(std::regex_match(start.header("set-cookie"),
                         std::regex("__Host-og_login=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600")));
  auto at_provider = b.get(location);
  REQUIRE(at_provider.status == 302);
  const std::string callback = at_provider.header("location");
  auto cb = b.get(callback);
  INFO(cb.body);
  REQUIRE(cb.status == 200);
  Json first = Json::parse(cb.body);
  CHECK(first["status"] == "ok");
  CHECK(first.size() == 4);
  const std::string uuid = first["uuid"], upid = first["upid"];
  CHECK(db1("SELECT count(*) FROM users") == std::to_string(std::stoi(users_before) + 1));
  CHECK(b.cookies.count("__Host-og_login") == 0);

  // The provider saw a correct token request and a Bearer userinfo call.
  Json requests = p.control("/_requests", nullptr);
  Json token_req, info_req;
  for (const auto& r : requests) {
    if (r["path"] == "/token") token_req = r;
    if (r["path"] == "/userinfo") info_req = r;
  }
  CHECK(token_req["params"]["grant_type"] == "authorization_code");
  CHECK(token_req["params"]["client_id"] == kProviderClientId);
  CHECK(token_req["params"]["client_secret"] == kProviderSecret);
  CHECK(token_req["params"]["redirect_uri"] == dev().url() + "/auth/p/google/callback");
  CHECK(info_req["authorization"].get<std::string>().rfind("Bearer ", 0) == 0);

  // Our token works on the API.
  Answer me = dev().call("GET", "/api/v1/profile", "", "", {{"Authorization", "Bearer " + first["token"].get<std::string>()}});
  INFO(me.body);
  REQUIRE(me.resultcode() == 10000);
  CHECK(me.json["upid"] == upid);
  CHECK(me.json["type"] == "individual");
  CHECK(me.json["roles"] == Json::array({"profile-admin"}));
  CHECK(me.json["profile"]["firstname"] == "Grace");
  CHECK(me.json["profile"]["lastname"] == "Hopper");
  CHECK(me.json["profile"]["email"] == email);
  CHECK(jwt_payload(first["token"])["sub"] == uuid);
  CHECK(db1("SELECT status || ' ' || coalesce(password_hash, 'none') FROM users WHERE uuid = $1", uuid) == "active none");

  // A second login maps to the same user.
  Browser b2;
  Answer second = external_login(b2);
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.json["uuid"] == uuid);
  CHECK(second.json["upid"] == upid);
  CHECK(db1("SELECT count(*) FROM external_identities WHERE strategy = 'google' AND subject = $1 AND uuid = $2", subject,
            uuid) == "1");

  // The callback cannot be replayed: its state is used.
  auto replay = b.get(callback);
  CHECK(replay.status == 400);
  Json rj = Json::parse(replay.body);
  CHECK(rj["status"] == "error");
  CHECK(rj["resultcode"] == 10113);
}

TEST_CASE("oauth: external login links an existing account by its verified e-mail", "[oauth][external]") {
  Provider& p = provider();
  const User u = make_user();
  const std::string subject = unique("g-");
  p.control("/_user", Json{{"sub", subject}, {"email", u.email}, {"email_verified", "true"}, {"name", "Someone Else"}});
  Browser b;
  Answer a = external_login(b);
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.json["uuid"] == u.uuid);
  CHECK(a.json["upid"] == u.upid);
  CHECK(db1("SELECT uuid FROM external_identities WHERE strategy = 'google' AND subject = $1", subject) == u.uuid);

  // An unverified address links nothing and creates nothing.
  const std::string before = oauth_state();
  p.control("/_user", Json{{"sub", unique("g-")}, {"email", u.email}, {"email_verified", false}});
  Browser b2;
  Answer unverified = external_login(b2);
  INFO(unverified.body);
  CHECK(unverified.status == 403);
  CHECK(unverified.json["resultcode"] == 10122);
  CHECK(oauth_state() == before);

  // A user with MFA must log in with the code.
  const User m = make_user(/*mfa=*/true);
  const std::string with_m = oauth_state();
  p.control("/_user", Json{{"sub", unique("g-")}, {"email", m.email}, {"email_verified", true}});
  Browser b3;
  Answer mfa = external_login(b3);
  CHECK(mfa.status == 401);
  CHECK(mfa.json["resultcode"] == 10170);
  CHECK(oauth_state() == with_m);
}

TEST_CASE("oauth: external login refuses a bad state and reports the provider's errors", "[oauth][external]") {
  Provider& p = provider();
  p.control("/_user", Json{{"sub", unique("g-")}, {"email", unique("x") + "@example.com"}, {"email_verified", true}});
  const std::string before = oauth_state();

  SECTION("an unknown state") {
    Browser b;
    b.get(dev().url() + "/auth/p/google");  // a cookie, for another state
    const std::string forged = og::crypto::base64url_encode(std::string(32, 's'));
    b.cookies["__Host-og_login"] = forged;
    auto r = b.get(dev().url() + "/auth/p/google/callback?code=abc&state=" + forged);
    INFO(r.body);
    CHECK(r.status == 400);
    Json j = Json::parse(r.body);
    CHECK(j["status"] == "error");
    CHECK(j["resultcode"] == 10113);
    CHECK(j["resultmessage"].get<std::string>().find("state is unknown, used or expired") != std::string::npos);
  }
  SECTION("a state that belongs to another browser") {
    Browser victim, attacker;
    auto start = attacker.get(dev().url() + "/auth/p/google");
    auto at_provider = attacker.get(start.header("location"));
    auto r = victim.get(at_provider.header("location"));  // the attacker's callback URL, in the victim's browser
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(Json::parse(r.body)["resultcode"] == 10113);
  }
  SECTION("no state") {
    Browser b;
    auto r = b.get(dev().url() + "/auth/p/google/callback?code=abc");
    CHECK(r.status == 400);
    CHECK(Json::parse(r.body)["resultcode"] == 10110);
  }
  SECTION("the provider refuses") {
    p.control("/_deny", Json{{"error", "access_denied"}, {"error_description", "The user said no"}});
    Browser b;
    Answer a = external_login(b);
    INFO(a.body);
    CHECK(a.status == 401);
    CHECK(a.json["status"] == "error");
    CHECK(a.json["resultcode"] == 10121);
    CHECK(a.json["resultmessage"] == "Invalid credentials: the provider refused the login: access_denied (The user said no)");
  }
  SECTION("the code exchange fails") {
    Browser b;
    auto start = b.get(dev().url() + "/auth/p/google");
    auto state = url_params(start.header("location"))["state"];
    auto r = b.get(dev().url() + "/auth/p/google/callback?code=made-up-code&state=" + state);
    INFO(r.body);
    CHECK(r.status == 401);
    Json j = Json::parse(r.body);
    CHECK(j["resultcode"] == 10121);
    CHECK(j["resultmessage"] == "Invalid credentials: the provider refused the authorization code (HTTP 400, invalid_grant)");
  }
  CHECK(oauth_state() == before);
}
