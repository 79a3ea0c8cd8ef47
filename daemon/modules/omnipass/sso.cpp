// The SSO service (/auth/...): JWKS now; OAuth 2.0 applications, authorize, token and
// external strategies follow.
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/modules/omnipass/tokens.h"

namespace og::omnipass {

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

void register_sso(Registry& r) { r.bind("GET /auth/jwks.json", blocking(jwks)); }

}  // namespace og::omnipass
