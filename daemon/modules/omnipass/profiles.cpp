// Profiles: create (with a user), read in four forms, update, status, extended attributes.
#include "common/password.h"
#include "daemon/api/principal.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/extended.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

const std::vector<std::string> kAddress = {"phone", "address1", "address2", "city", "region", "country", "postalcode"};
const std::vector<std::string> kIndividual = {"firstname", "lastname", "birthday"};
const std::vector<std::string> kOrganization = {"organizationname", "adminfirstname", "adminlastname", "industry",
                                                "registrationid"};

// The type's own attributes from the call; an attribute of the other type is refused.
std::optional<Reply> collect_attributes(const Call& call, const std::string& type, Json& attributes) {
  const auto& own = type == "organization" ? kOrganization : kIndividual;
  const auto& other = type == "organization" ? kIndividual : kOrganization;
  for (const auto& name : other)
    if (call.params.contains(name))
      return Reply::error(Rc::BadValue, name + " is not an attribute of an " + type + " profile");
  for (const auto* list : {&own, &kAddress})
    for (const auto& name : *list)
      if (call.params.contains(name)) attributes[name] = call.params[name];
  return std::nullopt;
}

Reply create_profile(App& app, Call& call) {
  const auto& who = call.principal;
  const std::string type = param(call, "type");
  const std::string email = param(call, "email");
  const bool register_user = flag(call, "registeruser");
  const bool subprofile = flag(call, "subprofile");
  const bool system = flag(call, "system");
  const bool validate_email = flag(call, "emailvalidation", true);

  if (who.anonymous()) {
    if (!app.config.omnipass.public_registration)
      return Reply::error(Rc::NotAuthenticated, "public registration is disabled: send an API key or a token");
    if (subprofile || system) return Reply::error(Rc::Forbidden, "subprofile and system need an authenticated caller");
    if (!register_user) return Reply::error(Rc::BadValue, "public registration must register a user (registeruser)");
    if (!validate_email) return Reply::error(Rc::Forbidden, "emailvalidation false is for internal applications");
  } else {
    if (system && !who.rights.superuser()) return Reply::error(Rc::Forbidden, "only a superuser creates system profiles");
    if (subprofile && !who.rights.has("createchildprofile"))
      return Reply::error(Rc::Forbidden, "creating a subprofile needs the right createchildprofile");
    if (!subprofile && !system && !who.rights.has("createstandaloneprofile") && !who.rights.has("addemptyprofile"))
      return Reply::error(Rc::Forbidden, "creating a profile needs the right createstandaloneprofile");
    if (register_user && !who.rights.has("createuser"))
      return Reply::error(Rc::Forbidden, "registering a user needs the right createuser");
    if (!validate_email && !who.rights.has("createusernoemailvalidation"))
      return Reply::error(Rc::Forbidden, "emailvalidation false needs the right createusernoemailvalidation");
  }

  Profile p;
  p.type = type;
  p.attributes = Json{{"email", email}};
  if (auto e = collect_attributes(call, type, p.attributes)) return *e;
  const auto& required = type == "organization" ? std::vector<std::string>{"organizationname", "adminfirstname",
                                                                            "adminlastname"}
                                                : std::vector<std::string>{"firstname", "lastname"};
  for (const auto& name : required)
    if (!p.attributes.contains(name)) return Reply::error(Rc::MissingParameter, name + " (for an " + type + " profile)");
  if (call.params.contains("extended"))
    if (auto e = merge_extended(p.extended, call.params["extended"])) return Reply::error(e->rc, e->detail);
  p.parent_upid = subprofile ? who.upid : "";
  p.is_system = system;

  const std::string password = param(call, "password");
  const std::string callback = param(call, "callbackurl");
  if (register_user) {
    if (password.empty()) return Reply::error(Rc::MissingParameter, "password (to register a user)");
    if (auto why = password::policy_violation(password)) return Reply::error(Rc::BadValue, "password: " + *why);
    if (validate_email && callback.empty()) return Reply::error(Rc::MissingParameter, "callbackurl (to register a user)");
  }

  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  if (!p.extended.is_null() && p.extended.contains("issuername")) {
    auto taken = tx.exec_params("SELECT 1 FROM profiles WHERE extended->>'issuername' = $1",
                                p.extended["issuername"].get<std::string>());
    if (!taken.empty()) return Reply::error(Rc::AlreadyExists, "issuername belongs to another profile");
  }
  std::string uuid;
  if (register_user && find_user_by_email(tx, email))
    return Reply::error(Rc::AlreadyExists, "a user with this e-mail address exists already");
  std::string upid = insert_profile(tx, p);
  if (register_user) {
    User u;
    u.email = email;
    u.password_hash = password::hash(password);
    u.language = param(call, "language").empty() ? "en" : param(call, "language");
    u.timezone = param(call, "timezone");
    u.status = validate_email ? "pending" : "active";
    u.default_upid = upid;
    u.callback_url = callback;
    uuid = insert_user(tx, u);
    set_membership(tx, Membership{uuid, upid, email, {"profile-admin"}, true});
    tx.exec_params("UPDATE profiles SET master_uuid = $2 WHERE upid = $1", upid, uuid);
    if (validate_email) {
      std::string token = issue_token(tx, uuid, "activate", std::chrono::hours(48));
      if (auto failed = send_mail(app, tx, email, "Activate your Omnigate account",
                                  "Welcome to Omnigate.\r\n\r\nConfirm your e-mail address to activate your account:\r\n" +
                                      link_with_token(callback, token) +
                                      "\r\n\r\nThe link is valid for 48 hours. If you did not register, ignore this "
                                      "message.\r\n"))
        return *failed;  // nothing is committed
    }
  }
  tx.commit();
  Json body{{"upid", upid}};
  if (!uuid.empty()) body["uuid"] = uuid;
  return Reply::ok(std::move(body));
}

Reply get_own_profile(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto p = find_profile(tx, call.principal.upid);
  if (!p) return Reply::error(Rc::NotFound, "your profile does not exist");
  return Reply::ok(profile_answer(*p, call.principal));
}

Reply get_profile_by_upid(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  return Reply::ok(profile_answer(*p, call.principal));
}

// The profile behind a user token or an API key: the caller's own, or any with
// readallprofiles.
Reply profile_behind(App& app, Call& call, const std::string& upid) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto p = find_profile(tx, upid);
  // The catalog entry leaves this check to the handler (owner.checked_by): the profile is
  // named by a credential. Its owner rule gives the rights; any refusal answers like no match.
  if (!p || !allowed(call.principal, call.endpoint.owner, p->upid, p->parent_upid))
    return Reply::error(Rc::NotFound, "no profile you may read matches");
  return Reply::ok(profile_answer(*p, call.principal));
}

Reply get_profile_by_token(App& app, Call& call) {
  auto claims = app.tokens->claims_of(param(call, "usertoken"));
  if (!claims) return Reply::error(Rc::NotFound, "no profile you may read matches");
  return profile_behind(app, call, claims->upid);
}

Reply get_profile_by_apikey(App& app, Call& call) {
  std::string upid;
  {
    auto conn = app.pool.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec_params("SELECT upid FROM api_keys WHERE key_hash = decode($1, 'hex') AND revoked_at IS NULL",
                            api::api_key_hash_hex(param(call, "apikey")));
    if (r.empty()) return Reply::error(Rc::NotFound, "no profile you may read matches");
    upid = r[0][0].as<std::string>();
  }
  return profile_behind(app, call, upid);
}

Reply update_profile(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto p = target_profile(tx, call, error);
  if (!p) return error;
  p = find_profile(tx, p->upid, /*for_update=*/true);
  Json attributes = p->attributes;
  if (auto e = collect_attributes(call, p->type, attributes)) return *e;
  const char* email_param = p->type == "organization" ? "adminemail" : "email";
  const char* wrong_email = p->type == "organization" ? "email" : "adminemail";
  if (call.params.contains(wrong_email))
    return Reply::error(Rc::BadValue, std::string(wrong_email) + " is not an attribute of an " + p->type + " profile");
  if (call.params.contains(email_param)) attributes["email"] = call.params[email_param];
  if (call.params.contains("extended")) {
    Json before = p->extended;
    if (auto e = merge_extended(p->extended, call.params["extended"])) return Reply::error(e->rc, e->detail);
    if (p->extended.contains("issuername") && !before.contains("issuername")) {
      auto taken = tx.exec_params("SELECT 1 FROM profiles WHERE extended->>'issuername' = $1 AND upid <> $2",
                                  p->extended["issuername"].get<std::string>(), p->upid);
      if (!taken.empty()) return Reply::error(Rc::AlreadyExists, "issuername belongs to another profile");
    }
  }
  p->attributes = std::move(attributes);
  save_profile(tx, *p);
  tx.commit();
  return Reply::ok();
}

Reply system_update_profile(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto p = find_profile(tx, param(call, "upid"), /*for_update=*/true);
  if (!p) return Reply::error(Rc::NotFound, "profile " + param(call, "upid") + " does not exist");
  p->status = param(call, "status");
  save_profile(tx, *p);
  tx.commit();
  app.credentials.invalidate_all();  // keys of an inactive profile stop working at once on this node
  return Reply::ok();
}

Reply extended_attribute_list(App&, Call&) {
  Json list = Json::array();
  for (const auto& a : extended_attributes()) {
    Json j{{"name", a.name}, {"type", a.type}, {"label", a.label}};
    Json flags = Json::array();
    if (a.worm) flags.push_back("worm");
    if (a.mask) flags.push_back("mask");
    if (!flags.empty()) j["flags"] = flags;
    if (a.priority) j["priority"] = a.priority;
    list.push_back(std::move(j));
  }
  return Reply::ok(Json{{"extendedattributelist", list}});
}

}  // namespace

void register_profiles(Registry& r) {
  r.bind("POST /api/v1/profile", blocking(create_profile));
  r.bind("GET /api/v1/profile", blocking(get_own_profile));
  r.bind("GET /api/v1/profile/{upid}", blocking(get_profile_by_upid));
  r.bind("GET /api/v1/profile/{usertoken}", blocking(get_profile_by_token));
  r.bind("GET /api/v1/profile/{apikey}", blocking(get_profile_by_apikey));
  r.bind("POST /api/v1/profile/update", blocking(update_profile));
  r.bind("POST /api/v1/system/profile/update", blocking(system_update_profile));
  r.bind("GET /api/v1/profile/extendedattributelist", blocking(extended_attribute_list), Blocks::No);
}

}  // namespace og::omnipass
