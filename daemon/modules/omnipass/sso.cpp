// The SSO service (/auth/...): the JWKS here; OAuth 2.0 applications (oauth_apps.cpp), the
// authorization endpoint (oauth_authorize.cpp), tokens and revocation (oauth_token.cpp),
// external login strategies (strategies.cpp).
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/modules/omnipass/tokens.h"

namespace og::omnipass {

void register_oauth_apps(Registry& r);
void register_oauth_authorize(Registry& r);
void register_oauth_token(Registry& r);
void register_strategies(Registry& r);

namespace {

Reply jwks(App& app, Call&) {
  Reply r;
  r.status = 200;
  r.content_type = "application/json";
  r.raw_body = app.tokens->jwks();
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace

void register_sso(Registry& r) {
  r.bind("GET /auth/jwks.json", blocking(jwks));
  register_oauth_apps(r);
  register_oauth_authorize(r);
  register_oauth_token(r);
  register_strategies(r);
}

}  // namespace og::omnipass
