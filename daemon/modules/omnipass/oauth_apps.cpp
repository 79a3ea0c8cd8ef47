// OAuth 2.0 applications (/auth/apps): register one (a Client ID of 8 digits, a Client
// Secret of 32 letters and digits, kept in the secret store and shown only once), list them.
#include <algorithm>

#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/oauth.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

Reply create_app(App& app, Call& call) {
  const std::string name = param(call, "name");
  std::vector<std::string> uris;
  const Json& given = call.params["redirect_uris"];
  for (std::size_t i = 0; i < given.size(); ++i) {
    const std::string where = "redirect_uris[" + std::to_string(i) + "]";
    if (!given[i].is_string()) return Reply::error(Rc::BadType, where + " must be a string");
    const std::string uri = given[i].get<std::string>();
    if (uri.empty() || uri.size() > 2048) return Reply::error(Rc::BadLength, where + " must be 1 to 2048 characters long");
    std::string why;
    if (!oauth::valid_redirect_uri(uri, &why)) return Reply::error(Rc::BadValue, where + " " + why);
    if (std::find(uris.begin(), uris.end(), uri) != uris.end())
      return Reply::error(Rc::BadValue, where + " repeats another redirect URI");
    uris.push_back(uri);
  }

  const std::string secret = oauth::random_string(32, kAlnum);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  const std::string secret_id = app.secrets->put(tx, "oauth-client-secret", secret);
  std::string client_id;
  for (int attempt = 0; attempt < 20 && client_id.empty(); ++attempt) {
    std::string candidate = oauth::random_string(8, kDigits);
    auto r = tx.exec_params(
        "INSERT INTO oauth_apps (client_id, name, client_secret, redirect_uris, owner_upid) "
        "VALUES ($1, $2, $3, ARRAY(SELECT json_array_elements_text($4::json)), "
        "(SELECT upid FROM profiles WHERE upid = $5)) ON CONFLICT (client_id) DO NOTHING",
        candidate, name, secret_id, Json(uris).dump(), call.principal.upid);
    if (r.affected_rows() == 1) client_id = candidate;
  }
  if (client_id.empty()) return Reply::error(Rc::SystemError, "no free Client ID found");
  tx.commit();
  return Reply::ok(Json{{"status", "ok"},
                        {"client_id", client_id},
                        {"client_secret", secret},
                        {"name", name},
                        {"redirect_uris", uris}});
}

Reply list_apps(App& app, Call&) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto rows = tx.exec("SELECT client_id FROM oauth_apps ORDER BY created_at, client_id");
  Json results = Json::array();
  for (const auto& row : rows) {
    auto a = oauth::find_app(tx, row[0].as<std::string>());
    if (!a) continue;
    results.push_back(Json{{"client_id", a->client_id},
                           {"name", a->name},
                           {"redirect_uris", a->redirect_uris},
                           {"client_secret", oauth::masked(app.secrets->get(tx, a->secret_id))}});
  }
  return Reply::ok(Json{{"status", "ok"}, {"results", results}});
}

}  // namespace

void register_oauth_apps(Registry& r) {
  r.bind("POST /auth/apps", blocking(create_app));
  r.bind("GET /auth/apps", blocking(list_apps));
}

}  // namespace og::omnipass
