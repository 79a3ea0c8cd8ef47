// The authorization endpoint (/auth/authorize, RFC 6749 4.1 and 4.2): GET shows the login
// and consent page, POST is its form. An unknown client or a redirect URI that is not
// registered gets an error page (never a redirect); every other error goes back to the
// redirect URI. The form is protected by a double-submit CSRF token.
#include <algorithm>
#include <chrono>
#include <variant>

#include "common/crypto.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/credentials.h"
#include "daemon/modules/omnipass/oauth.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

using oauth::html_escape;

// __Host-: only ever set by this origin over HTTPS, for the whole site (no subdomain can
// plant one).
constexpr const char* kCsrfCookie = "__Host-og_csrf";
constexpr int kCodeLifetimeSeconds = 600;

struct Authz {
  oauth::ClientApp client;
  std::string redirect_uri, response_type, state, scope, code_challenge, code_challenge_method;
  bool fragment() const { return response_type == "token"; }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string document(const std::string& title, const std::string& inner) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"referrer\" content=\"no-referrer\"><title>" +
         html_escape(title) +
         "</title><style>"
         "body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;padding:2em 1em;color:#111}"
         "main{max-width:26em;margin:auto;background:#fff;padding:1.5em 2em;border-radius:8px;"
         "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
         "h1{font-size:1.3em}label{display:block;margin:.8em 0 .2em}"
         "input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:.5em}"
         ".error{background:#fee2e2;color:#991b1b;padding:.6em;border-radius:4px}"
         ".buttons{display:flex;gap:1em;margin-top:1.2em}button{flex:1;padding:.6em;font-size:1em}"
         "small{color:#555}</style></head><body><main>" +
         inner + "</main></body></html>\n";
}

Reply html(int status, const std::string& title, const std::string& inner, const std::string& set_cookie = {}) {
  Reply r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.raw_body = document(title, inner);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (!set_cookie.empty()) r.headers.emplace_back("Set-Cookie", set_cookie);
  return r;
}

Reply error_page(int status, const std::string& message) {
  return html(status, "Authorization error",
              "<h1>Authorization error</h1><p class=\"error\">" + html_escape(message) +
                  "</p><p><small>Return to the application and try again.</small></p>");
}

// Back to the client with an error (RFC 6749 4.1.2.1, 4.2.2.1).
Reply redirect_error(const Authz& a, std::string_view error, std::string_view description) {
  std::vector<std::pair<std::string, std::string>> ps{{"error", std::string(error)},
                                                      {"error_description", oauth::rfc_text(description)}};
  if (!a.state.empty()) ps.emplace_back("state", a.state);
  return oauth::redirect(oauth::with_params(a.redirect_uri, ps, a.fragment()));
}

// The client and its redirect URI: an error page when either is wrong.
std::variant<Authz, Reply> identify(pqxx::transaction_base& tx, const oauth::Fields& f) {
  const std::string client_id = f.get("client_id");
  auto client = client_id.empty() ? std::nullopt : oauth::find_app(tx, client_id);
  if (!client) return error_page(400, "Unknown application: the client_id is missing or not registered.");
  const std::string uri = f.get("redirect_uri");
  if (uri.empty()) return error_page(400, "The request has no valid redirect_uri.");
  if (std::find(client->redirect_uris.begin(), client->redirect_uris.end(), uri) == client->redirect_uris.end())
    return error_page(400, "The redirect_uri is not registered for this application.");
  Authz a;
  a.client = std::move(*client);
  a.redirect_uri = uri;
  a.response_type = f.get("response_type");
  return a;
}

bool base64url_43(std::string_view s) {
  return s.size() == 43 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

// The rest of the authorization request: an error redirect when wrong.
std::optional<Reply> check_request(Authz& a, const oauth::Fields& f) {
  if (auto e = f.error("state")) return redirect_error(a, "invalid_request", e->detail);
  a.state = f.get("state");
  if (auto e = f.error("response_type"))
    return e->rc == Rc::MissingParameter ? redirect_error(a, "invalid_request", "response_type is missing")
                                         : redirect_error(a, "unsupported_response_type",
                                                          "response_type must be code or token");
  for (const char* name : {"scope", "code_challenge", "code_challenge_method"})
    if (auto e = f.error(name)) return redirect_error(a, "invalid_request", e->detail);
  a.scope = f.get("scope");
  if (a.response_type == "code") {
    a.code_challenge = f.get("code_challenge");
    a.code_challenge_method = f.get("code_challenge_method");
    if (!a.code_challenge.empty() && a.code_challenge_method.empty())
      return redirect_error(a, "invalid_request", "code_challenge_method is required: only S256 is supported");
    if (a.code_challenge.empty() && !a.code_challenge_method.empty())
      return redirect_error(a, "invalid_request", "code_challenge_method without code_challenge");
    if (!a.code_challenge.empty() && !base64url_43(a.code_challenge))
      return redirect_error(a, "invalid_request", "code_challenge must be BASE64URL(SHA256(code_verifier)), 43 characters");
  }
  return std::nullopt;
}

void hidden(std::string& out, const char* name, const std::string& value) {
  if (!value.empty())
    out += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + html_escape(value) + "\">";
}

// The login and consent page.
Reply login_page(const Authz& a, const std::string& csrf, bool new_cookie, int status, const std::string& problem = {},
                 const std::string& email = {}) {
  const std::string back_to = a.redirect_uri.substr(0, a.redirect_uri.find('?'));
  std::string in = "<h1>Sign in to Omnigate</h1>";
  in += "<p><strong>" + html_escape(a.client.name) +
        "</strong> asks to access your Omnigate account: it will act with your roles on your profile.</p>";
  in += "<p><small>You will return to " + html_escape(back_to) + "</small></p>";
  if (!problem.empty()) in += "<p class=\"error\" role=\"alert\">" + html_escape(problem) + "</p>";
  in += "<form method=\"post\" action=\"/auth/authorize\">";
  hidden(in, "client_id", a.client.client_id);
  hidden(in, "redirect_uri", a.redirect_uri);
  hidden(in, "response_type", a.response_type);
  hidden(in, "state", a.state);
  hidden(in, "scope", a.scope);
  hidden(in, "code_challenge", a.code_challenge);
  hidden(in, "code_challenge_method", a.code_challenge_method);
  hidden(in, "csrf_token", csrf);
  in += "<label for=\"email\">E-mail address</label>"
        "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"username\" required value=\"" +
        html_escape(email) +
        "\">"
        "<label for=\"password\">Password</label>"
        "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
        "<label for=\"mfacode\">Authentication code <small>(if your account uses one)</small></label>"
        "<input type=\"text\" id=\"mfacode\" name=\"mfacode\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
        "maxlength=\"6\" autocomplete=\"one-time-code\">"
        "<div class=\"buttons\">"
        "<button type=\"submit\" name=\"consent\" value=\"allow\">Allow</button>"
        "<button type=\"submit\" name=\"consent\" value=\"deny\" formnovalidate>Deny</button>"
        "</div></form>";
  std::string cookie;
  if (new_cookie) cookie = std::string(kCsrfCookie) + "=" + csrf + "; Path=/; Secure; HttpOnly; SameSite=Strict";
  return html(status, "Sign in to Omnigate", in, cookie);
}

Reply authorize_page(App& app, Call& call) {
  const oauth::Fields f = oauth::inspect(call);
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto id = identify(tx, f);
  if (auto* r = std::get_if<Reply>(&id)) return std::move(*r);
  Authz& a = std::get<Authz>(id);
  if (auto r = check_request(a, f)) return std::move(*r);
  // One token per browser: a second tab reuses the cookie it has.
  std::string csrf = oauth::cookie(call, kCsrfCookie);
  const bool fresh = !base64url_43(csrf);
  if (fresh) csrf = oauth::random_token();
  return login_page(a, csrf, fresh, 200);
}

Reply authorize_submit(App& app, Call& call) {
  const oauth::Fields f = oauth::inspect(call);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto id = identify(tx, f);
  if (auto* r = std::get_if<Reply>(&id)) return std::move(*r);
  Authz& a = std::get<Authz>(id);
  const std::string csrf = oauth::cookie(call, kCsrfCookie);
  if (!base64url_43(csrf) || !crypto::constant_time_equal(csrf, f.get("csrf_token")))
    return error_page(403, "This form has expired or was not sent from this site.");
  if (auto r = check_request(a, f)) return std::move(*r);

  const std::string consent = f.get("consent");
  if (consent.empty()) return login_page(a, csrf, false, 400, "Choose Allow or Deny.", f.get("email"));
  if (consent == "deny") return redirect_error(a, "access_denied", "the user denied the request");

  const std::string email = f.get("email"), password = f.get("password");
  if (email.empty() || password.empty())
    return login_page(a, csrf, false, 401, "Wrong e-mail address or password.", email);
  auto check = check_password(app, tx, call.info.remote_address, email, password);
  if (check.refused) {
    tx.commit();  // the failure counts
    if (check.refused->rc == Rc::TooFast)
      return login_page(a, csrf, false, 429, "Too many failed attempts: " + check.refused->detail + ".", email);
    return login_page(a, csrf, false, 401, "Wrong e-mail address or password.", email);
  }
  User& user = *check.user;
  if (user.status != "active") {
    tx.commit();
    return login_page(a, csrf, false, 403,
                      user.status == "pending" ? "Confirm your e-mail address first: this account is not active yet."
                                               : "This account is deactivated.",
                      email);
  }
  if (user.mfa_enabled) {
    const std::string code = f.get("mfacode");
    if (code.empty()) {
      tx.commit();
      return login_page(a, csrf, false, 401, "Enter the 6-digit code of your authenticator app.", email);
    }
    if (!accept_code(app, tx, user, user.mfa_secret, code)) {
      record_failure(tx, "acct:" + lower(user.email));
      tx.commit();
      return login_page(a, csrf, false, 401, "Wrong authentication code.", email);
    }
    save_user(tx, user);
  }
  auto members = memberships_of_user(tx, user.uuid);
  if (members.empty()) {
    tx.commit();
    return login_page(a, csrf, false, 403, "This account belongs to no profile.", email);
  }
  auto chosen = std::find_if(members.begin(), members.end(),
                             [&](const Membership& m) { return m.upid == user.default_upid; });
  if (chosen == members.end()) chosen = members.begin();

  std::vector<std::pair<std::string, std::string>> ps;
  if (a.response_type == "code") {
    const std::string code = oauth::random_token();
    tx.exec(
        "DELETE FROM oauth_codes WHERE code_hash IN (SELECT code_hash FROM oauth_codes "
        "WHERE expires_at < now() - interval '1 day' LIMIT 100)");
    tx.exec_params(
        "INSERT INTO oauth_codes (code_hash, client_id, uuid, upid, redirect_uri, scope, code_challenge, "
        "code_challenge_method, expires_at) VALUES ($1, $2, $3, $4, $5, '*', nullif($6, ''), nullif($7, ''), "
        "now() + make_interval(secs => $8))",
        crypto::sha256_hex(code), a.client.client_id, user.uuid, chosen->upid, a.redirect_uri, a.code_challenge,
        a.code_challenge_method, kCodeLifetimeSeconds);
    tx.commit();
    ps.emplace_back("code", code);
  } else {
    tx.commit();
    ps.emplace_back("access_token",
                    app.tokens->issue(TokenClaims{user.uuid, chosen->upid, "*", a.client.client_id, chosen->roles}));
    ps.emplace_back("token_type", "Bearer");
    ps.emplace_back("expires_in", std::to_string(app.tokens->lifetime().count()));
    ps.emplace_back("scope", "*");
  }
  if (!a.state.empty()) ps.emplace_back("state", a.state);
  return oauth::redirect(oauth::with_params(a.redirect_uri, ps, a.fragment()));
}

}  // namespace

void register_oauth_authorize(Registry& r) {
  r.bind("GET /auth/authorize", blocking(authorize_page));
  r.bind("POST /auth/authorize", blocking(authorize_submit));
}

}  // namespace og::omnipass
