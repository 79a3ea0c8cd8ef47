// External login (Facebook, Google, LinkedIn): the strategies' settings
// (/auth/api/strategies) and a generic OAuth 2.0 client (/auth/p/{strategy} and its
// callback): authorization code, token exchange, userinfo; the account is found by the
// provider's subject, else by verified e-mail (linked), else created when public
// registration is on. The answer is our own access token.
#include <algorithm>
#include <variant>

#include "common/crypto.h"
#include "common/http_client.h"
#include "common/validation.h"
#include "daemon/api/form.h"
#include "daemon/log.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/oauth.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

struct Provider {
  const char* id;
  const char* name;
  const char* authorize_url;
  const char* token_url;
  const char* userinfo_url;
  const char* scope;
};

// The providers' real endpoints; each may be overridden per installation.
constexpr Provider kProviders[] = {
    {"facebook", "Facebook", "https://www.facebook.com/v19.0/dialog/oauth",
     "https://graph.facebook.com/v19.0/oauth/access_token",
     "https://graph.facebook.com/me?fields=id,name,email,first_name,last_name", "email public_profile"},
    {"google", "Google", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
     "https://openidconnect.googleapis.com/v1/userinfo", "openid email profile"},
    {"linkedin", "LinkedIn", "https://www.linkedin.com/oauth/v2/authorization",
     "https://www.linkedin.com/oauth/v2/accessToken", "https://api.linkedin.com/v2/userinfo", "openid profile email"},
};

const Provider* provider(std::string_view id) {
  for (const auto& p : kProviders)
    if (id == p.id) return &p;
  return nullptr;
}

// __Host-: set by this origin only, over HTTPS. Lax: the provider's redirect back is a
// top-level cross-site GET, which Strict cookies would miss.
constexpr const char* kStateCookie = "__Host-og_login";
constexpr int kStateLifetimeSeconds = 600;

struct Strategy {
  std::string id, client_id, secret_id, callback_url, authorize_url, token_url, userinfo_url, scope;
};

std::optional<Strategy> find_strategy(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(
      "SELECT id, client_id, client_secret, callback_url, coalesce(authorize_url, ''), coalesce(token_url, ''), "
      "coalesce(userinfo_url, ''), coalesce(scope, '') FROM auth_strategies WHERE id = $1",
      id);
  if (r.empty()) return std::nullopt;
  const auto row = r[0];
  Strategy s;
  s.id = row[0].as<std::string>();
  s.client_id = row[1].as<std::string>();
  s.secret_id = row[2].as<std::string>();
  s.callback_url = row[3].as<std::string>();
  s.authorize_url = row[4].as<std::string>();
  s.token_url = row[5].as<std::string>();
  s.userinfo_url = row[6].as<std::string>();
  s.scope = row[7].as<std::string>();
  return s;
}

// The settings' keys: required ones first.
constexpr const char* kSettings[] = {"clientID", "clientSecret", "callbackURL", "authorizationURL",
                                     "tokenURL", "userInfoURL", "scope"};

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// Checks one strategy's settings object; nullopt when good.
std::optional<Reply> check_settings(const std::string& id, const Json& cfg) {
  for (const auto& [key, _] : cfg.items())
    if (std::find(std::begin(kSettings), std::end(kSettings), key) == std::end(kSettings))
      return Reply::error(Rc::UnknownParameter, id + "." + key + " is not a strategy setting");
  for (const char* key : kSettings) {
    const std::string where = id + "." + key;
    const bool required = std::string_view(key) == "clientID" || std::string_view(key) == "clientSecret" ||
                          std::string_view(key) == "callbackURL";
    if (!cfg.contains(key) || cfg[key].is_null()) {
      if (required) return Reply::error(Rc::MissingParameter, where);
      continue;
    }
    if (!cfg[key].is_string()) return Reply::error(Rc::BadType, where + " must be a string");
    const std::string v = cfg[key].get<std::string>();
    const bool url = std::string_view(key).ends_with("URL");
    const std::size_t max = url ? 2048 : std::string_view(key) == "scope" ? 500 : 200;
    if (v.empty() || v.size() > max)
      return Reply::error(Rc::BadLength, where + " must be 1 to " + std::to_string(max) + " characters long");
    if (url && !oauth::valid_http_url(v)) return Reply::error(Rc::BadValue, where + " must be an absolute http(s) URL");
    if (std::string_view(key) == "scope") {
      if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }))
        return Reply::error(Rc::BadValue, where + " must be printable ASCII");
    } else if (!url && !printable_ascii(v)) {
      return Reply::error(Rc::BadValue, where + " must be printable ASCII without spaces");
    }
  }
  return std::nullopt;
}

Reply set_strategies(App& app, Call& call) {
  std::vector<const Provider*> given;
  for (const auto& p : kProviders) {
    if (!call.params.contains(p.id)) continue;
    if (auto e = check_settings(p.id, call.params[p.id])) return *e;
    given.push_back(&p);
  }
  if (given.empty()) return Reply::error(Rc::MissingParameter, "facebook, google or linkedin");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  for (const Provider* p : given) {
    const Json& cfg = call.params[p->id];
    auto opt = [&](const char* key) { return cfg.contains(key) && cfg[key].is_string() ? cfg[key].get<std::string>() : ""; };
    auto old = tx.exec_params("SELECT client_secret FROM auth_strategies WHERE id = $1 FOR UPDATE", std::string(p->id));
    const std::string secret_id = app.secrets->put(tx, "strategy-client-secret", opt("clientSecret"));
    tx.exec_params(
        "INSERT INTO auth_strategies (id, client_id, client_secret, callback_url, authorize_url, token_url, "
        "userinfo_url, scope, updated_at) VALUES ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''), nullif($7, ''), "
        "nullif($8, ''), now()) ON CONFLICT (id) DO UPDATE SET client_id = EXCLUDED.client_id, "
        "client_secret = EXCLUDED.client_secret, callback_url = EXCLUDED.callback_url, "
        "authorize_url = EXCLUDED.authorize_url, token_url = EXCLUDED.token_url, "
        "userinfo_url = EXCLUDED.userinfo_url, scope = EXCLUDED.scope, updated_at = now()",
        std::string(p->id), opt("clientID"), secret_id, opt("callbackURL"), opt("authorizationURL"), opt("tokenURL"),
        opt("userInfoURL"), opt("scope"));
    if (!old.empty()) app.secrets->remove(tx, old[0][0].as<std::string>());
  }
  tx.commit();
  return Reply::ok(Json{{"status", "ok"}});
}

Reply list_strategies(App& app, Call&) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json results = Json::array();
  for (const auto& p : kProviders) {
    Json item{{"id", p.id}, {"name", p.name}};
    if (auto s = find_strategy(tx, p.id)) {
      Json cfg{{"clientID", s->client_id},
               {"clientSecret", oauth::masked(app.secrets->get(tx, s->secret_id))},
               {"callbackURL", s->callback_url}};
      if (!s->authorize_url.empty()) cfg["authorizationURL"] = s->authorize_url;
      if (!s->token_url.empty()) cfg["tokenURL"] = s->token_url;
      if (!s->userinfo_url.empty()) cfg["userInfoURL"] = s->userinfo_url;
      if (!s->scope.empty()) cfg["scope"] = s->scope;
      item["config"] = cfg;
    }
    results.push_back(item);
  }
  return Reply::ok(Json{{"status", "ok"}, {"results", results}});
}

Reply not_configured(const std::string& id) {
  return Reply::error(Rc::NotAvailable, "the strategy " + id + " is not configured (POST /auth/api/strategies)");
}

Reply start_login(App& app, Call& call) {
  const std::string id = param(call, "strategy");
  const Provider* p = provider(id);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto s = find_strategy(tx, id);
  if (!s || !p) return not_configured(id);
  const std::string state = oauth::random_token();
  tx.exec(
      "DELETE FROM external_login_states WHERE state_hash IN (SELECT state_hash FROM external_login_states "
      "WHERE expires_at < now() LIMIT 100)");
  tx.exec_params(
      "INSERT INTO external_login_states (state_hash, strategy, expires_at) "
      "VALUES ($1, $2, now() + make_interval(secs => $3))",
      crypto::sha256_hex(state), id, kStateLifetimeSeconds);
  tx.commit();
  Reply r = oauth::redirect(oauth::with_params(s->authorize_url.empty() ? p->authorize_url : s->authorize_url,
                                               {{"response_type", "code"},
                                                {"client_id", s->client_id},
                                                {"redirect_uri", s->callback_url},
                                                {"scope", s->scope.empty() ? p->scope : s->scope},
                                                {"state", state}}));
  r.headers.emplace_back("Set-Cookie", std::string(kStateCookie) + "=" + state + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=" +
                                           std::to_string(kStateLifetimeSeconds));
  return r;
}

// Text from the provider (or the query string), fit for a result message.
std::string provider_text(std::string_view s) { return oauth::rfc_text(s.substr(0, 200)); }

// What the provider says about the user.
struct Identity {
  std::string subject, email, given_name, family_name;
  bool email_verified = false;
};

std::string json_text(const Json& j, const char* key) {
  if (!j.contains(key)) return {};
  if (j[key].is_string()) return j[key].get<std::string>();
  if (j[key].is_number_integer()) return std::to_string(j[key].get<long long>());
  return {};
}

// The code for the provider's access token, then the provider's userinfo with it.
std::variant<Identity, Reply> ask_provider(App& app, const Provider& p, const Strategy& s, const std::string& code) {
  net::Client client;
  net::HttpRequest req;
  req.method = "POST";
  req.url = s.token_url.empty() ? p.token_url : s.token_url;
  req.timeout_ms = 10000;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  const std::string secret = [&] {
    auto conn = app.pool.acquire();
    pqxx::read_transaction tx(*conn);
    return app.secrets->get(tx, s.secret_id);
  }();
  req.body = "grant_type=authorization_code&code=" + oauth::url_encode(code) +
             "&redirect_uri=" + oauth::url_encode(s.callback_url) + "&client_id=" + oauth::url_encode(s.client_id) +
             "&client_secret=" + oauth::url_encode(secret);
  auto res = client.perform(req);
  if (!res.ok()) return Reply::error(Rc::SystemError, "the provider's token endpoint cannot be reached");
  Json body = Json::parse(res.response.body, nullptr, false);
  if (res.response.status != 200) {
    std::string error = body.is_object() ? json_text(body, "error") : "";
    return Reply::error(Rc::InvalidCredentials, "the provider refused the authorization code (HTTP " +
                                                    std::to_string(res.response.status) +
                                                    (error.empty() ? "" : ", " + provider_text(error)) + ")");
  }
  std::string access;
  if (body.is_object()) {
    access = json_text(body, "access_token");
  } else if (auto form = api::parse_query(res.response.body)) {  // some providers answer form-encoded
    if (auto it = form->find("access_token"); it != form->end()) access = it->second;
  }
  if (access.empty()) return Reply::error(Rc::SystemError, "the provider's token endpoint gave no access_token");

  net::HttpRequest info;
  info.url = s.userinfo_url.empty() ? p.userinfo_url : s.userinfo_url;
  info.timeout_ms = 10000;
  info.headers = {{"Authorization", "Bearer " + access}, {"Accept", "application/json"}};
  auto ires = client.perform(info);
  if (!ires.ok()) return Reply::error(Rc::SystemError, "the provider's userinfo endpoint cannot be reached");
  Json user = Json::parse(ires.response.body, nullptr, false);
  if (ires.response.status != 200 || !user.is_object())
    return Reply::error(Rc::SystemError, "the provider's userinfo endpoint answered HTTP " +
                                             std::to_string(ires.response.status));
  Identity id;
  id.subject = json_text(user, "sub");
  if (id.subject.empty()) id.subject = json_text(user, "id");
  if (id.subject.empty() || id.subject.size() > 255)
    return Reply::error(Rc::SystemError, "the provider's userinfo has no subject (sub or id)");
  id.email = json_text(user, "email");
  if (user.contains("email_verified"))
    id.email_verified = user["email_verified"] == Json(true) || user["email_verified"] == Json("true");
  else
    id.email_verified = std::string_view(p.id) == "facebook";  // the Graph API gives confirmed addresses only
  if (!validation::is_email(id.email)) id.email_verified = false;
  id.given_name = json_text(user, "given_name");
  if (id.given_name.empty()) id.given_name = json_text(user, "first_name");
  id.family_name = json_text(user, "family_name");
  if (id.family_name.empty()) id.family_name = json_text(user, "last_name");
  if (id.given_name.empty() && id.family_name.empty()) {
    std::string name = json_text(user, "name");
    auto space = name.rfind(' ');
    id.given_name = name.substr(0, space);
    if (space != std::string::npos) id.family_name = name.substr(space + 1);
  }
  return id;
}

// At most n characters (code points) of valid UTF-8; "" for invalid text.
std::string clip(const std::string& s, std::size_t n) {
  if (!validation::is_valid_utf8(s)) return {};
  std::size_t count = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) break;
  return s.substr(0, i);
}

// A new individual profile and its active user (public registration).
std::string register_user(pqxx::work& tx, const Identity& id) {
  Profile p;
  p.type = "individual";
  p.attributes = Json{{"email", id.email}};
  std::string first = clip(id.given_name, 30), last = clip(id.family_name, 30);
  if (first.empty()) first = clip(id.email.substr(0, id.email.find('@')), 30);
  p.attributes["firstname"] = first;
  if (!last.empty()) p.attributes["lastname"] = last;
  const std::string upid = insert_profile(tx, p);
  User u;
  u.email = id.email;
  u.status = "active";
  u.default_upid = upid;
  const std::string uuid = insert_user(tx, u);
  set_membership(tx, Membership{uuid, upid, id.email, {"profile-admin"}, true});
  tx.exec_params("UPDATE profiles SET master_uuid = $2 WHERE upid = $1", upid, uuid);
  return uuid;
}

Reply finish_login(App& app, Call& call) {
  const oauth::Fields f = oauth::inspect(call);
  if (!f.errors.empty()) return Reply::error(f.errors.front().rc, f.errors.front().detail);
  const std::string id = f.get("strategy"), state = f.get("state");
  const Provider* p = provider(id);
  if (!p) return not_configured(id);
  if (state.empty()) return Reply::error(Rc::MissingParameter, "state");
  // The state proves that this browser started this login here, once.
  if (!crypto::constant_time_equal(oauth::cookie(call, kStateCookie), state))
    return Reply::error(Rc::BadValue, "state does not belong to a login started by this browser");
  {
    auto conn = app.pool.acquire();
    pqxx::work tx(*conn);
    auto used = tx.exec_params(
        "UPDATE external_login_states SET used_at = now() WHERE state_hash = $1 AND strategy = $2 "
        "AND used_at IS NULL AND expires_at > now()",
        crypto::sha256_hex(state), id);
    tx.commit();
    if (used.affected_rows() != 1) return Reply::error(Rc::BadValue, "state is unknown, used or expired");
  }
  if (f.has("error"))
    return Reply::error(Rc::InvalidCredentials,
                        "the provider refused the login: " + provider_text(f.get("error")) +
                            (f.has("error_description") ? " (" + provider_text(f.get("error_description")) + ")" : ""));
  if (!f.has("code")) return Reply::error(Rc::MissingParameter, "code");

  std::optional<Strategy> s;
  {
    auto conn = app.pool.acquire();
    pqxx::read_transaction tx(*conn);
    s = find_strategy(tx, id);
  }
  if (!s) return not_configured(id);
  auto asked = ask_provider(app, *p, *s, f.get("code"));
  if (auto* r = std::get_if<Reply>(&asked)) return std::move(*r);
  const Identity& who = std::get<Identity>(asked);

  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  std::optional<User> user;
  bool link = false, created = false;
  auto known = tx.exec_params("SELECT uuid FROM external_identities WHERE strategy = $1 AND subject = $2", id,
                              who.subject);
  if (!known.empty()) {
    user = find_user(tx, known[0][0].as<std::string>(), true);
  } else if (who.email_verified) {
    user = find_user_by_email(tx, who.email, true);
    link = true;
  }
  if (!user) {
    if (!who.email_verified)
      return Reply::error(Rc::Forbidden, "the provider did not confirm an e-mail address for this account");
    if (!app.config.omnipass.public_registration)
      return Reply::error(Rc::Forbidden, "no account has this e-mail address and public registration is disabled");
    user = find_user(tx, register_user(tx, who), true);
    link = created = true;
  }
  if (user->status != "active")
    return Reply::error(Rc::AccountNotActive, user->status == "pending" ? "confirm your e-mail address first"
                                                                        : "this account is deactivated");
  if (user->mfa_enabled)
    return Reply::error(Rc::MfaRequired, "this account uses MFA: log in with POST /api/v1/user/login");
  auto members = memberships_of_user(tx, user->uuid);
  if (members.empty()) return Reply::error(Rc::Forbidden, "this user belongs to no profile");
  auto chosen = std::find_if(members.begin(), members.end(),
                             [&](const Membership& m) { return m.upid == user->default_upid; });
  if (chosen == members.end()) chosen = members.begin();
  if (link)
    tx.exec_params("INSERT INTO external_identities (strategy, subject, uuid) VALUES ($1, $2, $3)", id, who.subject,
                   user->uuid);
  tx.commit();
  log::info("external login", {{"strategy", id}, {"uuid", user->uuid}, {"linked", link}, {"registered", created}});
  const std::string token = app.tokens->issue(TokenClaims{user->uuid, chosen->upid, "*", "", chosen->roles});
  Reply r = Reply::ok(Json{{"status", "ok"}, {"token", token}, {"uuid", user->uuid}, {"upid", chosen->upid}});
  r.headers.emplace_back("Set-Cookie", std::string(kStateCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
  return r;
}

}  // namespace

void register_strategies(Registry& r) {
  r.bind("GET /auth/api/strategies", blocking(list_strategies));
  r.bind("POST /auth/api/strategies", blocking(set_strategies));
  r.bind("GET /auth/p/{strategy}", blocking(start_login));
  r.bind("GET /auth/p/{strategy}/callback", blocking(finish_login));
}

}  // namespace og::omnipass
