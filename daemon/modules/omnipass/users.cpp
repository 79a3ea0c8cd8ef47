// Users: login, profile list, activation, e-mail change, password change and reset, MFA,
// and the system view of a user.
#include <algorithm>
#include <chrono>

#include "common/password.h"
#include "common/totp.h"
#include "daemon/api/form.h"
#include "daemon/modules/omnipass/common.h"
#include "daemon/modules/omnipass/credentials.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const Reply kWrongCredentials = Reply::error(Rc::InvalidCredentials, "wrong e-mail address or password");
// The caller must be a user (Bearer token), not an API key.
std::optional<Reply> need_user(const Call& call) {
  if (call.principal.kind != api::Principal::Kind::User)
    return Reply::error(Rc::NotAuthenticated, "this call needs a user's access token (Authorization: Bearer)");
  return std::nullopt;
}

Reply login(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto check = check_password(app, tx, call.info.remote_address, param(call, "email"), param(call, "password"));
  if (check.refused) {
    tx.commit();  // the failure counts
    return *check.refused;
  }
  User& user = *check.user;
  if (user.status != "active") {
    tx.commit();
    return Reply::error(Rc::AccountNotActive, user.status == "pending" ? "confirm your e-mail address first"
                                                                       : "this account is deactivated");
  }
  if (user.mfa_enabled) {
    std::string code = param(call, "mfacode");
    if (code.empty()) {
      tx.commit();
      return Reply::error(Rc::MfaRequired, "send mfacode");
    }
    if (!accept_code(app, tx, user, user.mfa_secret, code)) {
      record_failure(tx, "acct:" + lower(user.email));
      tx.commit();
      return Reply::error(Rc::MfaInvalid);
    }
    save_user(tx, user);
  }
  auto members = memberships_of_user(tx, user.uuid);
  if (members.empty()) {
    tx.commit();
    return Reply::error(Rc::Forbidden, "this user belongs to no profile");
  }
  auto chosen = std::find_if(members.begin(), members.end(), [&](const Membership& m) { return m.upid == user.default_upid; });
  if (chosen == members.end()) chosen = members.begin();
  Json available = Json::array();
  for (const auto& m : members) {
    auto p = find_profile(tx, m.upid);
    if (p && p->status == "active") available.push_back(Json{{"upid", m.upid}, {"name", p->name()}});
  }
  tx.commit();
  std::string token = app.tokens->issue(TokenClaims{user.uuid, chosen->upid, "*", "", chosen->roles});
  return Reply::ok(Json{{"upid", chosen->upid},
                        {"uuid", user.uuid},
                        {"roles", chosen->roles},
                        {"token", token},
                        {"availableprofilelist", available}});
}

// POST /api/v1/user/token/renew (ours): a new token for the same session, with the
// user's current roles on the token's profile.
Reply renew_token(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  // The token's claims, as the pipeline verified them (no second decoding here).
  if (call.principal.kind != api::Principal::Kind::User)
    return Reply::error(Rc::NotAuthenticated, "this call needs a user's access token (Authorization: Bearer)");
  const TokenClaims current{call.principal.uuid, call.principal.upid, call.principal.scope, call.principal.client_id,
                            call.principal.roles, call.principal.auth_time};
  const TokenClaims* claims = &current;
  if (!claims->client_id.empty())
    return Reply::error(Rc::Forbidden, "a token issued to an OAuth application renews with its refresh token");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (now - claims->auth_time > app.config.omnipass.session_max_seconds)
    return Reply::error(Rc::InvalidCredentials, "the session is older than " +
                                                    std::to_string(app.config.omnipass.session_max_seconds) +
                                                    " seconds: log in again");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  std::optional<Membership> member;
  for (auto& m : memberships_of_user(tx, claims->uuid))
    if (m.upid == claims->upid) member = std::move(m);
  if (!member) return Reply::error(Rc::InvalidCredentials, "the user no longer belongs to the token's profile");
  TokenClaims renewed = *claims;
  renewed.roles = member->roles;
  std::string token = app.tokens->issue(renewed);
  return Reply::ok(Json{{"upid", renewed.upid}, {"uuid", renewed.uuid}, {"roles", renewed.roles}, {"token", token}});
}

Reply profile_list(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto user = find_user(tx, call.principal.uuid);
  if (!user) return Reply::error(Rc::NotFound, "user not found");
  Json list = Json::array();
  for (const auto& m : memberships_of_user(tx, user->uuid)) {
    auto p = find_profile(tx, m.upid);
    if (!p) continue;
    list.push_back(Json{{"upid", p->upid},
                        {"type", p->type},
                        {"roles", m.roles},
                        {"name", p->name()},
                        {"masterprofile", m.is_master},
                        {"defaultprofile", p->upid == user->default_upid}});
  }
  return Reply::ok(Json{{"profilelist", list}});
}

Reply activate(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto check = check_password(app, tx, call.info.remote_address, param(call, "email"), param(call, "password"));
  if (check.refused) {
    tx.commit();
    return *check.refused;
  }
  User& user = *check.user;
  if (user.status != "pending") return Reply::error(Rc::BadValue, "this account is activated already");
  if (user.mfa_enabled) return Reply::error(Rc::BadValue, "an account with MFA enabled is activated already");
  if (user.callback_url.empty()) return Reply::error(Rc::BadValue, "this account has no activation link to send");
  std::string token = issue_token(tx, user.uuid, "activate", std::chrono::hours(48));
  if (auto failed = send_mail(app, tx, user.email, "Activate your Omnigate account",
                              "Confirm your e-mail address to activate your account:\r\n" +
                                  link_with_token(user.callback_url, token) + "\r\n\r\nThe link is valid for 48 hours.\r\n"))
    return *failed;
  tx.commit();
  return Reply::ok();
}

Reply confirm_activation(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto use = consume_token(tx, param(call, "token"), "activate");
  if (!use) return Reply::error(Rc::BadValue, "token is unknown, used or expired");
  auto user = find_user(tx, use->uuid, true);
  if (user->status == "pending") {
    user->status = "active";
    save_user(tx, *user);
  }
  tx.commit();
  return Reply::ok(Json{{"uuid", user->uuid}});
}

Reply change_email(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  const std::string email = param(call, "email"), new_email = param(call, "newemail");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto check = check_password(app, tx, call.info.remote_address, email, param(call, "password"));
  if (check.refused) {
    tx.commit();
    return *check.refused;
  }
  User& user = *check.user;
  if (user.uuid != call.principal.uuid) return kWrongCredentials;  // another user's e-mail
  if (user.mfa_enabled) {
    if (!accept_code(app, tx, user, user.mfa_secret, param(call, "mfa"))) {
      tx.commit();
      return Reply::error(user.mfa_enabled && param(call, "mfa").empty() ? Rc::MfaRequired : Rc::MfaInvalid);
    }
    save_user(tx, user);
  }
  if (lower(new_email) == lower(user.email)) return Reply::error(Rc::BadValue, "newemail is the current address");
  // The spec's rules: no other user, no non-child profile, no profile whose master user has it.
  if (find_user_by_email(tx, new_email)) return Reply::error(Rc::AlreadyExists, "another user has this e-mail address");
  auto taken = tx.exec_params(
      "SELECT 1 FROM profiles WHERE lower(attributes->>'email') = lower($1) AND parent_upid IS NULL "
      "AND coalesce(master_uuid, '') <> $2",
      new_email, user.uuid);
  if (!taken.empty()) return Reply::error(Rc::AlreadyExists, "a profile has this e-mail address");
  std::string token = issue_token(tx, user.uuid, "email", std::chrono::hours(24), new_email);
  std::string text = "Confirm your new e-mail address for Omnigate with this code:\r\n\r\n    " + token + "\r\n";
  if (!user.callback_url.empty()) text += "\r\nor open " + link_with_token(user.callback_url, token) + "\r\n";
  text += "\r\nThe change takes effect once confirmed (valid 24 hours).\r\n";
  if (auto failed = send_mail(app, tx, new_email, "Confirm your new e-mail address", text)) return *failed;
  tx.commit();
  return Reply::ok();
}

Reply confirm_email(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto use = consume_token(tx, param(call, "token"), "email");
  if (!use) return Reply::error(Rc::BadValue, "token is unknown, used or expired");
  if (auto other = find_user_by_email(tx, use->new_email); other && other->uuid != use->uuid)
    return Reply::error(Rc::AlreadyExists, "another user took this e-mail address meanwhile");
  auto user = find_user(tx, use->uuid, true);
  user->email = use->new_email;
  save_user(tx, *user);
  // Profiles whose master user this is follow the change.
  tx.exec_params(
      "UPDATE profiles SET attributes = jsonb_set(attributes, '{email}', to_jsonb($2::text)), version = version + 1, "
      "updated_at = now() WHERE master_uuid = $1",
      user->uuid, user->email);
  tx.commit();
  return Reply::ok(Json{{"email", user->email}});
}

Reply change_password(App& app, Call& call) {
  const std::string email = param(call, "email"), token = param(call, "token"), next = param(call, "newpassword");
  if (auto why = password::policy_violation(next)) return Reply::error(Rc::BadValue, "newpassword: " + *why);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  std::optional<User> user;
  if (!token.empty()) {
    auto use = consume_token(tx, token, "reset");
    if (!use) return Reply::error(Rc::BadValue, "token is unknown, used or expired");
    user = find_user(tx, use->uuid, true);
    if (lower(user->email) != lower(email)) return Reply::error(Rc::BadValue, "token does not belong to this e-mail");
    if (user->status == "pending") user->status = "active";  // the e-mail proved itself
  } else {
    if (!call.params.contains("password")) return Reply::error(Rc::MissingParameter, "password (or token)");
    auto check = check_password(app, tx, call.info.remote_address, email, param(call, "password"));
    if (check.refused) {
      tx.commit();
      return *check.refused;
    }
    user = std::move(check.user);
    if (!call.principal.anonymous() && call.principal.kind == api::Principal::Kind::User &&
        call.principal.uuid != user->uuid)
      return kWrongCredentials;
  }
  if (user->mfa_enabled && token.empty()) {
    if (!accept_code(app, tx, *user, user->mfa_secret, param(call, "mfacode"))) {
      tx.commit();
      return Reply::error(param(call, "mfacode").empty() ? Rc::MfaRequired : Rc::MfaInvalid);
    }
  }
  user->password_hash = password::hash(next);
  save_user(tx, *user);
  tx.commit();
  return Reply::ok();
}

Reply reset_password(App& app, Call& call) {
  // Always Ok: the answer never tells whether the address has an account.
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto user = find_user_by_email(tx, param(call, "email"));
  if (user && user->status != "inactive") {
    std::string token = issue_token(tx, user->uuid, "reset", std::chrono::hours(24));
    if (auto failed = send_mail(app, tx, user->email, "Reset your Omnigate password",
                                "Someone asked to reset the password of this account. Choose a new one here:\r\n" +
                                    link_with_token(param(call, "callbackurl"), token) +
                                    "\r\n\r\nThe link is valid for 24 hours. If you did not ask, ignore this message.\r\n"))
      return failed->rc == Rc::NotAvailable ? *failed : Reply::ok();
    tx.commit();
  } else if (!app.mailer) {
    return Reply::error(Rc::NotAvailable, "no mail transport is configured ([mail] in omnid.toml)");
  }
  return Reply::ok();
}

Reply mfa_seed(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto user = find_user(tx, call.principal.uuid, true);
  if (!user) return Reply::error(Rc::NotFound, "user not found");
  if (user->mfa_enabled) return Reply::error(Rc::BadValue, "MFA is enabled: disable it first to get a new seed");
  std::string seed = totp::new_seed();  // base32
  if (!user->mfa_pending.empty()) app.secrets->remove(tx, user->mfa_pending);
  user->mfa_pending = app.secrets->put(tx, "mfa-seed", *totp::base32_decode(seed));
  save_user(tx, *user);
  tx.commit();
  const std::string service = app.config.omnipass.issuer.empty() ? "Omnigate" : app.config.omnipass.issuer;
  return Reply::ok(Json{{"mfaseed", seed},
                        {"servicename", service},
                        {"useridentifier", user->email},
                        {"otpauthuri", totp::otpauth_uri(seed, service, user->email)}});
}

Reply mfa_enable(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto check = check_password(app, tx, call.info.remote_address, param(call, "email"), param(call, "password"));
  if (check.refused) {
    tx.commit();
    return *check.refused;
  }
  User& user = *check.user;
  if (user.uuid != call.principal.uuid) return kWrongCredentials;
  if (user.mfa_enabled) return Reply::error(Rc::BadValue, "MFA is enabled already");
  if (user.mfa_pending.empty()) return Reply::error(Rc::BadValue, "get a seed first (GET /api/v1/user/mfa/seed)");
  if (!accept_code(app, tx, user, user.mfa_pending, param(call, "mfacode"))) {
    tx.commit();
    return Reply::error(Rc::MfaInvalid);
  }
  user.mfa_enabled = true;
  user.mfa_secret = user.mfa_pending;
  user.mfa_pending.clear();
  save_user(tx, user);
  tx.commit();
  return Reply::ok();
}

Reply mfa_status(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  auto conn = app.pool.acquire();
  pqxx::nontransaction tx(*conn);
  auto user = find_user(tx, call.principal.uuid);
  if (!user) return Reply::error(Rc::NotFound, "user not found");
  return Reply::ok(Json{{"mfaenabled", user->mfa_enabled}});
}

Reply mfa_disable(App& app, Call& call) {
  if (auto e = need_user(call)) return *e;
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto user = find_user(tx, call.principal.uuid, true);
  if (!user) return Reply::error(Rc::NotFound, "user not found");
  auto check = check_password(app, tx, call.info.remote_address, user->email, param(call, "password"));
  if (check.refused) {
    tx.commit();
    return *check.refused;
  }
  if (!user->mfa_enabled) return Reply::error(Rc::BadValue, "MFA is not enabled");
  if (!accept_code(app, tx, *user, user->mfa_secret, param(call, "mfacode"))) {
    tx.commit();
    return Reply::error(Rc::MfaInvalid);
  }
  app.secrets->remove(tx, user->mfa_secret);
  user->mfa_enabled = false;
  user->mfa_secret.clear();
  save_user(tx, *user);
  tx.commit();
  return Reply::ok();
}

Reply system_user(App& app, Call& call) {
  const std::string email = param(call, "email"), uuid = param(call, "uuid");
  if (email.empty() == uuid.empty()) return Reply::error(Rc::MissingParameter, "exactly one of email and uuid");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto user = email.empty() ? find_user(tx, uuid) : find_user_by_email(tx, email);
  if (!user) return Reply::error(Rc::NotFound, "no such user");
  Json j{{"uuid", user->uuid}, {"email", user->email}, {"mfaenabled", user->mfa_enabled},
         {"language", user->language}, {"status", user->status}};
  if (auto p = user->default_upid.empty() ? std::nullopt : find_profile(tx, user->default_upid)) {
    auto m = membership(tx, user->uuid, p->upid);
    j["defaultprofile"] = Json{{"upid", p->upid},
                               {"type", p->type},
                               {"status", p->status},
                               {"tierlevel", p->tierlevel},
                               {"roles", m ? Json(m->roles) : Json::array()},
                               {"profile", profile_object(*p)}};
  }
  return Reply::ok(Json{{"user", j}});
}

Reply system_update_user(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto user = find_user(tx, param(call, "uuid"), true);
  if (!user) return Reply::error(Rc::NotFound, "user " + param(call, "uuid") + " does not exist");
  user->status = param(call, "status");
  save_user(tx, *user);
  tx.commit();
  return Reply::ok();
}

}  // namespace

void register_users(Registry& r) {
  r.bind("POST /api/v1/user/login", blocking(login));
  r.bind("GET /api/v1/user/profilelist", blocking(profile_list));
  r.bind("POST /api/v1/user/token/renew", blocking(renew_token));
  r.bind("POST /api/v1/user/activate", blocking(activate));
  r.bind("POST /api/v1/user/activate/confirm", blocking(confirm_activation));
  r.bind("POST /api/v1/user/email", blocking(change_email));
  r.bind("POST /api/v1/user/email/confirm", blocking(confirm_email));
  r.bind("POST /api/v1/user/password", blocking(change_password));
  r.bind("POST /api/v1/user/resetpassword", blocking(reset_password));
  r.bind("GET /api/v1/user/mfa/seed", blocking(mfa_seed));
  r.bind("POST /api/v1/user/mfa/enable", blocking(mfa_enable));
  r.bind("GET /api/v1/user/mfa/status", blocking(mfa_status));
  r.bind("POST /api/v1/user/mfa/disable", blocking(mfa_disable));
  r.bind("GET /api/v1/system/user", blocking(system_user));
  r.bind("POST /api/v1/system/user/update", blocking(system_update_user));
}

}  // namespace og::omnipass
