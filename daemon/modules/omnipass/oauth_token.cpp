// The token endpoint (/auth/token, RFC 6749 4.1.3 and 6, PKCE RFC 7636) and revocation
// (/auth/revoke, RFC 7009). Codes are used once; refresh tokens rotate, and presenting a
// replaced or revoked one revokes its whole family. Errors in RFC 6749 5.2 form.
#include <algorithm>
#include <variant>

#include "common/crypto.h"
#include "daemon/api/form.h"
#include "daemon/log.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/oauth.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

constexpr int kRefreshLifetimeSeconds = 30 * 24 * 3600;
const char* const kAuthFailed = "client authentication failed";

Reply invalid_request(std::string_view why) { return oauth::token_error(400, "invalid_request", why); }
Reply invalid_grant(std::string_view why) { return oauth::token_error(400, "invalid_grant", why); }
Reply invalid_client(std::string_view why) { return oauth::token_error(401, "invalid_client", why); }

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// Standard base64 (with or without padding).
std::optional<std::string> base64_decode(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
    else if (c == '-' || c == '_') return std::nullopt;
  }
  return crypto::base64url_decode(s);
}

struct Client {
  oauth::ClientApp app;
  bool authenticated = false;  // proved its secret
};

// Client authentication (RFC 6749 2.3.1): HTTP Basic, or client_id (and client_secret) in
// the body; not both. A client without a secret is a public client (PKCE).
std::variant<Client, Reply> authenticate_client(App& app, pqxx::transaction_base& tx, const Call& call,
                                                const oauth::Fields& f) {
  std::string id, secret;
  auto header = call.request.find(api::bhttp::field::authorization);
  if (header != call.request.end() && iequals_prefix(api::sv(header->value()), "Basic ")) {
    std::string_view b64 = api::sv(header->value()).substr(6);
    while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
    auto decoded = base64_decode(b64);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return invalid_client("malformed HTTP Basic credentials");
    auto user = api::percent_decode(std::string_view(*decoded).substr(0, colon), true);
    auto pass = api::percent_decode(std::string_view(*decoded).substr(colon + 1), true);
    if (!user || !pass) return invalid_client("malformed HTTP Basic credentials");
    if (f.has("client_secret") || f.error("client_secret"))
      return invalid_request("use one client authentication method: HTTP Basic or client_secret, not both");
    if (f.has("client_id") && f.get("client_id") != *user)
      return invalid_request("client_id differs from the HTTP Basic credentials");
    id = std::move(*user);
    secret = std::move(*pass);
  } else {
    if (auto e = f.error("client_id"))
      return invalid_client(e->rc == Rc::MissingParameter ? "client_id is missing" : kAuthFailed);
    if (f.error("client_secret")) return invalid_client(kAuthFailed);
    id = f.get("client_id");
    secret = f.get("client_secret");
  }
  auto client = id.empty() ? std::nullopt : oauth::find_app(tx, id);
  if (!client) return invalid_client(kAuthFailed);
  if (!secret.empty() && !crypto::constant_time_equal(app.secrets->get(tx, client->secret_id), secret))
    return invalid_client(kAuthFailed);
  return Client{std::move(*client), !secret.empty()};
}

void revoke_family(pqxx::work& tx, const std::string& family) {
  tx.exec_params("UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL", family);
}

// The user's current roles on the profile, if the user and the profile are still active.
std::optional<std::vector<std::string>> current_roles(pqxx::transaction_base& tx, const std::string& uuid,
                                                      const std::string& upid) {
  auto r = tx.exec_params(
      "SELECT array_to_json(m.roles)::text FROM user_profiles m JOIN users u USING (uuid) "
      "JOIN profiles p ON p.upid = m.upid WHERE m.uuid = $1 AND m.upid = $2 AND u.status = 'active' "
      "AND p.status = 'active'",
      uuid, upid);
  if (r.empty()) return std::nullopt;
  return roles_from_json(r[0][0].as<std::string>());
}

// A new refresh token of `family`, and the answer carrying it with a new access token.
Reply grant(App& app, pqxx::work& tx, const std::string& family, const std::string& client_id, const std::string& uuid,
            const std::string& upid, const std::vector<std::string>& roles, bool client_authenticated) {
  const std::string refresh = oauth::random_token();
  tx.exec(
      "DELETE FROM refresh_tokens WHERE token_hash IN (SELECT token_hash FROM refresh_tokens "
      "WHERE expires_at < now() - interval '1 day' LIMIT 100)");
  tx.exec_params(
      "INSERT INTO refresh_tokens (token_hash, family, client_id, uuid, upid, scope, expires_at, client_authenticated) "
      "VALUES ($1, $2, $3, $4, $5, '*', now() + make_interval(secs => $6), $7)",
      crypto::sha256_hex(refresh), family, client_id, uuid, upid, kRefreshLifetimeSeconds, client_authenticated);
  tx.commit();
  const std::string access = app.tokens->issue(TokenClaims{uuid, upid, "*", client_id, roles});
  return oauth::token_json(Json{{"access_token", access},
                                {"token_type", "Bearer"},
                                {"expires_in", app.tokens->lifetime().count()},
                                {"refresh_token", refresh},
                                {"scope", "*"}});
}

bool verifier_chars(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
  });
}

Reply exchange_code(App& app, pqxx::work& tx, const Client& client, const oauth::Fields& f) {
  const std::string code = f.get("code"), redirect_uri = f.get("redirect_uri"), verifier = f.get("code_verifier");
  if (code.empty()) return invalid_request("code is missing");
  if (redirect_uri.empty()) return invalid_request("redirect_uri is missing");
  auto r = tx.exec_params(
      "SELECT client_id, uuid, upid, redirect_uri, coalesce(code_challenge, ''), coalesce(family, ''), "
      "used_at IS NOT NULL, expires_at < now() FROM oauth_codes WHERE code_hash = $1 FOR UPDATE",
      crypto::sha256_hex(code));
  if (r.empty() || r[0][0].as<std::string>() != client.app.client_id)
    return invalid_grant("the code is unknown or was issued to another client");
  const auto row = r[0];
  const std::string challenge = row[4].as<std::string>(), family = row[5].as<std::string>();
  if (!client.authenticated && challenge.empty())
    return invalid_client("client authentication failed: send the client secret (or use PKCE)");
  if (row[6].as<bool>()) {
    // RFC 6749 4.1.2: a code used twice revokes what it was exchanged for.
    if (!family.empty()) revoke_family(tx, family);
    tx.commit();
    log::warn("authorization code reused: its refresh tokens are revoked", {{"client_id", client.app.client_id}});
    return invalid_grant("the code was used already: the tokens issued from it are revoked");
  }
  if (row[7].as<bool>()) return invalid_grant("the code has expired");
  if (row[3].as<std::string>() != redirect_uri)
    return invalid_grant("redirect_uri differs from the one of the authorization request");
  if (!challenge.empty()) {
    if (verifier.empty()) return invalid_request("code_verifier is missing (the authorization request used PKCE)");
    if (!verifier_chars(verifier)) return invalid_request("code_verifier has characters outside [A-Za-z0-9-._~]");
    auto digest = crypto::sha256(verifier);
    std::string computed =
        crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    if (!crypto::constant_time_equal(computed, challenge))
      return invalid_grant("code_verifier does not match the code_challenge");
  } else if (!verifier.empty()) {
    return invalid_grant("the authorization request had no code_challenge");
  }
  const std::string uuid = row[1].as<std::string>(), upid = row[2].as<std::string>();
  auto roles = current_roles(tx, uuid, upid);
  if (!roles) return invalid_grant("the user or the profile is no longer active");
  const std::string new_family = oauth::random_token();
  tx.exec_params("UPDATE oauth_codes SET used_at = now(), family = $2 WHERE code_hash = $1", crypto::sha256_hex(code),
                 new_family);
  return grant(app, tx, new_family, client.app.client_id, uuid, upid, *roles, client.authenticated);
}

Reply refresh(App& app, pqxx::work& tx, const Client& client, const oauth::Fields& f) {
  const std::string token = f.get("refresh_token");
  if (token.empty()) return invalid_request("refresh_token is missing");
  auto r = tx.exec_params(
      "SELECT client_id, family, uuid, upid, used_at IS NOT NULL, revoked_at IS NOT NULL, expires_at < now(), "
      "client_authenticated FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
      crypto::sha256_hex(token));
  if (r.empty() || r[0][0].as<std::string>() != client.app.client_id)
    return invalid_grant("the refresh token is unknown or was issued to another client");
  const auto row = r[0];
  const std::string family = row[1].as<std::string>();
  const bool authenticated_family = row[7].as<bool>();
  if (authenticated_family && !client.authenticated)
    return invalid_client("client authentication failed: send the client secret");
  if (row[4].as<bool>() || row[5].as<bool>()) {
    // Reuse of a replaced token: someone else has a copy. Revoke the family (RFC 6819 5.2.2.3).
    const bool reused = row[4].as<bool>() && !row[5].as<bool>();
    revoke_family(tx, family);
    tx.commit();
    if (reused)
      log::warn("refresh token reused: its family is revoked", {{"client_id", client.app.client_id}});
    return invalid_grant(reused ? "the refresh token was used already: its family is revoked"
                                : "the refresh token is revoked");
  }
  if (row[6].as<bool>()) return invalid_grant("the refresh token has expired");
  const std::string uuid = row[2].as<std::string>(), upid = row[3].as<std::string>();
  auto roles = current_roles(tx, uuid, upid);
  if (!roles) return invalid_grant("the user or the profile is no longer active");
  tx.exec_params("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", crypto::sha256_hex(token));
  return grant(app, tx, family, client.app.client_id, uuid, upid, *roles, authenticated_family);
}

Reply token(App& app, Call& call) {
  const oauth::Fields f = oauth::inspect(call);
  if (auto e = f.error("grant_type"))
    return e->rc == Rc::MissingParameter
               ? invalid_request("grant_type is missing")
               : oauth::token_error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  for (const char* name : {"code", "redirect_uri", "refresh_token", "code_verifier"})
    if (auto e = f.error(name)) return invalid_request(e->detail);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto authenticated = authenticate_client(app, tx, call, f);
  if (auto* r = std::get_if<Reply>(&authenticated)) return std::move(*r);
  const Client& client = std::get<Client>(authenticated);
  return f.get("grant_type") == "authorization_code" ? exchange_code(app, tx, client, f) : refresh(app, tx, client, f);
}

Reply revoke(App& app, Call& call) {
  const oauth::Fields f = oauth::inspect(call);
  for (const char* name : {"token", "token_type_hint"})
    if (auto e = f.error(name)) return invalid_request(e->detail);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto authenticated = authenticate_client(app, tx, call, f);
  if (auto* r = std::get_if<Reply>(&authenticated)) return std::move(*r);
  const Client& client = std::get<Client>(authenticated);
  const std::string token = f.get("token");
  auto r = tx.exec_params("SELECT client_id, family, client_authenticated FROM refresh_tokens WHERE token_hash = $1",
                          crypto::sha256_hex(token));
  if (!r.empty()) {
    // Another client's token: nothing revoked, nothing told (RFC 7009 2.2 answers 200).
    if (r[0][0].as<std::string>() == client.app.client_id) {
      if (r[0][2].as<bool>() && !client.authenticated)
        return invalid_client("client authentication failed: send the client secret");
      revoke_family(tx, r[0][1].as<std::string>());
      tx.commit();
    }
  } else if (app.tokens->claims_of(token)) {
    return oauth::token_error(400, "unsupported_token_type",
                              "access tokens are signed JWTs and cannot be revoked: they expire on their own");
  }
  return Reply::ok();
}

}  // namespace

void register_oauth_token(Registry& r) {
  r.bind("POST /auth/token", blocking(token));
  r.bind("POST /auth/revoke", blocking(revoke));
}

}  // namespace og::omnipass
