// Team members of a profile (users mapped to it with roles) and its API keys.
#include "common/ids.h"
#include "daemon/modules/omnipass/bootstrap.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

Reply add_member(App& app, Call& call) {
  auto roles = strings(call, "roles");
  std::string refused;
  if (!may_grant(call.principal, roles, &refused)) return Reply::error(Rc::Forbidden, refused);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  const std::string email = param(call, "email");
  auto user = find_user_by_email(tx, email, /*for_update=*/true);
  std::string uuid;
  if (user) {
    uuid = user->uuid;
    if (membership(tx, uuid, p->upid)) return Reply::error(Rc::AlreadyExists, email + " is in this team already");
    if (user->default_upid.empty()) {
      user->default_upid = p->upid;
      save_user(tx, *user);
    }
  } else {
    // A new user: no password yet; the mail's link lets them choose one.
    User u;
    u.email = email;
    u.language = param(call, "language").empty() ? "en" : param(call, "language");
    u.status = "pending";
    u.default_upid = p->upid;
    uuid = insert_user(tx, u);
    std::string token = issue_token(tx, uuid, "reset", std::chrono::hours(24 * 7));
    if (auto failed = send_mail(app, tx, email, "You were added to an Omnigate team",
                                "You were added to the team of " + p->name() +
                                    ".\r\n\r\nChoose your password to activate your account:\r\n" +
                                    link_with_token(param(call, "callbackurl"), token) +
                                    "\r\n\r\nThe link is valid for 7 days.\r\n"))
      return *failed;
  }
  set_membership(tx, Membership{uuid, p->upid, email, roles, false});
  tx.commit();
  return Reply::ok(Json{{"upid", p->upid}, {"uuid", uuid}});
}

Reply list_team(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  Json team = Json::array();
  for (const auto& m : team_of(tx, p->upid)) team.push_back(Json{{"uuid", m.uuid}, {"email", m.email}, {"roles", m.roles}});
  return Reply::ok(Json{{"team", team}});
}

Reply update_member(App& app, Call& call) {
  auto roles = strings(call, "roles");
  std::string refused;
  if (!may_grant(call.principal, roles, &refused)) return Reply::error(Rc::Forbidden, refused);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  auto user = find_user_by_email(tx, param(call, "email"));
  auto m = user ? membership(tx, user->uuid, p->upid) : std::nullopt;
  if (!m) return Reply::error(Rc::NotFound, param(call, "email") + " is not in this team");
  m->roles = roles;
  set_membership(tx, *m);
  tx.commit();
  return Reply::ok();
}

Reply remove_member(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  const std::string uuid = target_of(call).id;  // in the profile: checked by the pipeline
  auto m = membership(tx, uuid, p->upid);  // read again in this transaction: it may have gone since
  if (!m) return Reply::error(Rc::NotFound, uuid + " is not in this team");
  if (m->is_master) return Reply::error(Rc::Forbidden, "the profile's master user cannot be removed from its team");
  remove_membership(tx, uuid, p->upid);
  // The user's default profile moves to another of theirs, if any.
  tx.exec_params(
      "UPDATE users SET default_upid = (SELECT upid FROM user_profiles WHERE uuid = $1 LIMIT 1) "
      "WHERE uuid = $1 AND default_upid = $2",
      uuid, p->upid);
  tx.commit();
  return Reply::ok();
}

Reply create_key(App& app, Call& call) {
  auto roles = strings(call, "roles");
  std::string refused;
  if (!may_grant(call.principal, roles, &refused)) return Reply::error(Rc::Forbidden, refused);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  auto key = create_api_key(tx, p->upid, param(call, "description"), roles);
  tx.commit();
  return Reply::ok(Json{{"upid", p->upid}, {"akid", key.akid}, {"apikey", key.apikey}});
}

Reply list_keys(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  Json list = Json::array();
  for (const auto& r : tx.exec_params(
           "SELECT akid, last4, description, array_to_json(roles)::text FROM api_keys "
           "WHERE upid = $1 AND revoked_at IS NULL ORDER BY created_at, akid",
           p->upid))
    list.push_back(Json{{"akid", r[0].as<std::string>()},
                        {"apikey", std::string(28, '*') + r[1].as<std::string>()},
                        {"description", r[2].as<std::string>()},
                        {"roles", roles_from_json(r[3].as<std::string>())}});
  return Reply::ok(Json{{"apikeylist", list}});
}

Reply delete_key(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  auto r = tx.exec_params("UPDATE api_keys SET revoked_at = now() WHERE akid = $1 AND upid = $2 AND revoked_at IS NULL",
                          target_of(call).id, p->upid);
  if (r.affected_rows() == 0) return Reply::error(Rc::NotFound, "API key " + target_of(call).id + " does not exist");
  tx.commit();
  app.credentials.invalidate_all();
  return Reply::ok();
}

}  // namespace

void register_team(Registry& r) {
  r.bind("POST /api/v1/profile/team/user", blocking(add_member));
  r.bind("GET /api/v1/profile/team", blocking(list_team));
  r.bind("GET /api/v1/profile/{upid}/team", blocking(list_team));
  r.bind("POST /api/v1/profile/team/user/update", blocking(update_member));
  r.bind("DELETE /api/v1/profile/team/{uuid}", blocking(remove_member));
  r.bind("DELETE /api/v1/profile/{upid}/team/{uuid}", blocking(remove_member));
  r.bind("POST /api/v1/profile/apikey", blocking(create_key));
  r.bind("GET /api/v1/profile/apikey", blocking(list_keys));
  r.bind("GET /api/v1/profile/{upid}/apikey", blocking(list_keys));
  r.bind("DELETE /api/v1/profile/apikey/{akid}", blocking(delete_key));
  r.bind("DELETE /api/v1/profile/{upid}/apikey/{akid}", blocking(delete_key));
}

}  // namespace og::omnipass
