// Spec section: the SSO service (/auth/...): OAuth 2.0 applications, unlock, external
// login strategies, authorization, tokens, JWKs. In the order the guide introduces them.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

Param strategy_path() {
  return path(P("strategy").one_of({"facebook", "google", "linkedin"}).desc("Authentication strategy"));
}

// The authorization request, shared by the GET (the redirect) and the POST (the login and
// consent form, which carries the request along).
std::vector<Param> authorize_params(In in) {
  auto at = [in](Param p) {
    p.in = in;
    return p;
  };
  return {at(P("client_id").req().len(8, 8).desc("The Client ID for your application")),
          at(P("redirect_uri").req().len(1, 2048)
                 .desc("Where to redirect after the flow; must exactly match a registered redirect URI")),
          at(P("response_type").req().len(4, 5).one_of({"code", "token"})
                 .desc("code (web server applications) or token (client side and installed applications)")),
          at(P("state").len(1, 500).desc("Opaque value returned unchanged to the redirect URI")),
          at(P("scope").len(1, 200).desc("Scope of the access requested")),
          at(P("code_challenge").len(43, 128).desc("PKCE code challenge (RFC 7636)")),
          at(P("code_challenge_method").one_of({"S256"}).desc("PKCE code challenge method"))};
}

}  // namespace

void auth(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Get,
      .path = "/auth/apps",
      .summary = "List the registered OAuth 2.0 applications and their credentials",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {"systemadmin"},
      .command = "auth apps list",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/auth/apps",
      .summary = "Register an OAuth 2.0 application: get its Client ID and Client Secret",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {P("name").req().len(1, 60).desc("Application name, shown on the consent page"),
                 Arr("redirect_uris").req().len(1, 10).desc("Redirect URIs of the application")},
      .command = "auth apps create",
      .notes = "The spec names the endpoint (\"create a new application with a name and a valid redirect "
               "uri\") but documents no parameters: name and redirect_uris are ours.",
  });

  out.push_back({
      .method = Method::Post,
      .path = "/auth/unlock",
      .summary = "Unlock SSO component",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("password").req().len(16, 16).fmt(Format::Password).desc("Application password")},
      .command = "auth unlock",
      .notes = "The spec's resource URL is http://localhost:8040/auth/unlock: served here at /auth/unlock.",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/auth/p/{strategy}",
      .summary = "Start a login with an external account (Facebook, Google, LinkedIn)",
      .component = Component::Omnipass,
      .access = Access::Read,
      .auth = Auth::Public,
      .params = {strategy_path()},
      .command = "auth p login",
      .extension = true,
      .notes = "The spec documents only the callback; the login buttons it mentions start here.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/auth/p/{strategy}/callback",
      .summary = "Redirect URI of an external login: finish the login with an external account",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {strategy_path(),
                 query(P("code").len(1, 2048).hidden().desc("Authorization code from the provider")),
                 query(P("state").len(1, 500).desc("State sent with the login request")),
                 query(P("error").len(1, 200).desc("Error from the provider")),
                 query(P("error_description").len(1, 1000).desc("Error description from the provider")),
                 query(P("error_reason").len(1, 200).desc("Error reason (Facebook)")),
                 query(P("error_code").len(1, 20).desc("Error code (Facebook)")),
                 query(P("scope").len(1, 2000).desc("Scopes granted (Google)")),
                 query(P("authuser").len(1, 10).desc("Account index (Google)")),
                 query(P("hd").len(1, 253).desc("Hosted domain (Google)")),
                 query(P("prompt").len(1, 50).desc("Prompt shown (Google)"))},
      .command = "auth p callback",
      .handler_reports_errors = true,
      .notes = "Write: it may register a user (public registration) and opens a session. Besides code, state "
               "and error, the query parameters the providers add are declared so that validation, which "
               "refuses unknown parameters, does not reject a real callback.",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/auth/api/strategies",
      .summary = "List all public authentication strategies configured on the installation",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {"systemadmin"},
      .command = "auth strategies list",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/auth/api/strategies",
      .summary = "Add or configure a public authentication strategy",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {Obj("facebook").len(2, 20000).hidden().desc("Strategy config: clientID, clientSecret, callbackURL"),
                 Obj("google").len(2, 20000).hidden().desc("Strategy config: clientID, clientSecret, callbackURL"),
                 Obj("linkedin").len(2, 20000).hidden().desc("Strategy config: clientID, clientSecret, callbackURL")},
      .command = "auth strategies set",
      .notes = "The spec's single parameter \"strategy_config\" is an object keyed by the strategy ID: one "
               "parameter per strategy, the handler requires at least one. Its example says GET; the "
               "parameter table says POST.",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/auth/authorize",
      .summary = "Ask the user to grant an application access (OAuth 2.0 authorization request)",
      .component = Component::Omnipass,
      .access = Access::Read,
      .auth = Auth::Public,
      .params = authorize_params(In::Query),
      .command = "auth authorize",
      .handler_reports_errors = true,
      .notes = "state, scope, code_challenge and code_challenge_method (PKCE) are ours; the spec's table "
               "has client_id, redirect_uri and response_type.",
  });
  {
    std::vector<Param> ps = authorize_params(In::Body);
    ps.push_back(P("email").len(6, 60).fmt(Format::Email).desc("Email address of the user (login form)"));
    ps.push_back(P("password").len(8, 16).fmt(Format::Password).desc("Password of the user (login form)"));
    ps.push_back(P("mfacode").len(6, 6).fmt(Format::Digits).desc("Multi-factor authentication code"));
    ps.push_back(P("consent").len(4, 5).one_of({"allow", "deny"}).desc("The user's answer on the consent page"));
    ps.push_back(P("csrf_token").len(1, 100).hidden()
                     .desc("Anti-CSRF token of the login page (double submit: the same value as its cookie)"));
    out.push_back({
        .method = Method::Post,
        .path = "/auth/authorize",
        .summary = "Submit the login and consent page of an authorization request",
        .component = Component::Omnipass,
        .access = Access::Write,
        .auth = Auth::Public,
        .params = std::move(ps),
        .command = "auth authorizesubmit",
        .handler_reports_errors = true,
        .extension = true,
    });
  }

  out.push_back({
      .method = Method::Post,
      .path = "/auth/token",
      .summary = "Exchange an authorization code, or a refresh token, for an access token",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("code").hidden().desc("Authorization code (grant_type authorization_code)"),
                 P("client_id").req().len(8, 8).desc("The Client ID for your application"),
                 P("client_secret").len(32, 32).hidden()
                     .desc("Your application Client Secret (confidential clients; public clients use PKCE)"),
                 P("redirect_uri").len(1, 2048)
                     .desc("The redirect URI of the authorization request (grant_type authorization_code)"),
                 P("grant_type").req().len(13, 18).one_of({"authorization_code", "refresh_token"})
                     .desc("OAuth2 grant type"),
                 P("refresh_token").hidden().desc("The refresh token (grant_type refresh_token)"),
                 P("code_verifier").len(43, 128).hidden().desc("PKCE code verifier (RFC 7636)")},
      .command = "auth token",
      .handler_reports_errors = true,
      .notes = "One entry for the spec's two token requests (authorization code, refresh). code, redirect_uri "
               "and refresh_token depend on grant_type; client_secret is optional for public clients, which "
               "prove the code with code_verifier (PKCE, ours).",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/auth/revoke",
      .summary = "Revoke a refresh token and the tokens rotated from it (RFC 7009)",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("token").req().len(1, 4096).hidden().desc("The refresh token to revoke"),
                 P("token_type_hint").one_of({"refresh_token", "access_token"}).desc("What the token is"),
                 P("client_id").req().len(8, 8).desc("The Client ID the token was issued to"),
                 P("client_secret").len(32, 32).hidden().desc("The application's Client Secret (confidential clients)")},
      .command = "auth revoke",
      .handler_reports_errors = true,
      .extension = true,
      .notes = "Ours: the issue asks that refresh tokens can be revoked; RFC 7009 is how OAuth 2.0 clients do it.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/auth/jwks.json",
      .summary = "Get the list of JWKs (public keys) that sign access tokens",
      .component = Component::Omnipass,
      .access = Access::Read,
      .auth = Auth::Public,
      .command = "auth jwks",
  });
}

}  // namespace og::catalog::entries
