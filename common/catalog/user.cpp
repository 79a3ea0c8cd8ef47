// Spec section: users (/user...), and the system user/profile operations
// (/system/profile/update, /system/user...), in spec order.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

void user(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/profile/update",
      .summary = "Update the status of a specific profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"modifyallprofiles"},
      .params = {P("upid").req().len(21, 21).fmt(Format::Upid).desc("Universal Profile ID"),
                 P("status").req().len(6, 8).one_of({"active", "inactive"}).desc("Profile status")},
      .command = "system profile update",
  });

  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/email",
      .summary = "Change user email address",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {},
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Current email address"),
                 P("newemail").req().len(6, 60).fmt(Format::Email).desc("New email address"),
                 P("password").req().len(8, 16).fmt(Format::Password).desc("User password"),
                 P("mfa").len(6, 6).fmt(Format::Digits).desc("Multi-factor authentication code, if enabled")},
      .command = "user email",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/password",
      .summary = "Change password for a user",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Optional,
      .rights = {},
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 P("password").len(8, 16).fmt(Format::Password)
                     .desc("Current password. Required only when reset password token is not set"),
                 P("newpassword").req().len(8, 16).fmt(Format::Password)
                     .desc("New password: at least one lowercase, uppercase and special symbol"),
                 P("mfacode").len(6, 6).fmt(Format::Digits).desc("Multi-factor authentication code"),
                 P("token").len(32, 32).fmt(Format::Hex32).hidden().desc("Reset password token")},
      .command = "user password",
      .notes = "Auth optional: a reset password token can replace the login. \"password\" is marked required "
               "in the spec's table but only when no token is given: the handler requires one of the two.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/resetpassword",
      .summary = "Reset user password: email a single-use password reset token",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 P("callbackurl").req().len(10, 60).fmt(Format::Url)
                     .desc("The url where the client will be redirected (in the email message)")},
      .command = "user resetpassword",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/user/mfa/status",
      .summary = "Get multi factor authentication security status",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {},
      .command = "user mfa status",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/mfa/enable",
      .summary = "Enable multi-factor authentication for a personal profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {},
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address linked to the profile"),
                 P("password").req().len(8, 16).fmt(Format::Password).desc("Current password"),
                 P("mfacode").req().len(6, 6).fmt(Format::Digits)
                     .desc("MFA code, obtained after entering the seed in the application")},
      .command = "user mfa enable",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/user/mfa/seed",
      .summary = "Get a new MFA seed",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {},
      .command = "user mfa seed",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/mfa/disable",
      .summary = "Disable multi-factor authentication from a profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {},
      .params = {P("password").req().len(8, 16).fmt(Format::Password).desc("Current password"),
                 P("mfacode").req().len(6, 6).fmt(Format::Digits)
                     .desc("MFA code, obtained after entering the seed in the application")},
      .command = "user mfa disable",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/login",
      .summary = "Get a token to authenticate user via web interface",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 P("password").req().len(8, 16).fmt(Format::Password).desc("Password of the user"),
                 P("mfacode").len(6, 6).fmt(Format::Digits).desc("Multi-factor authentication code")},
      .command = "user login",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/token/renew",
      .summary = "Renew the caller's access token before it expires",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {},
      .command = "user token renew",
      .extension = true,
      .notes = "Ours, like vault token renew: a user's valid access token is exchanged for a new one of the "
               "same session (its auth_time), with the user's current roles; refused once the session is "
               "older than [omnipass] session_max_seconds. Tokens of an OAuth application renew with their "
               "refresh token instead.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/user/profilelist",
      .summary = "Get a list of profiles available to the user",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {},
      .command = "user profilelist",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/activate",
      .summary = "Send an activation email to a user",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 P("password").req().len(8, 16).fmt(Format::Password).desc("Password of the user")},
      .command = "user activate",
  });
  // Ours: the spec sends activation and e-mail change links but names no endpoint that
  // receives them.
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/activate/confirm",
      .summary = "Confirm an e-mail address with the token of an activation mail",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("token").req().len(32, 32).fmt(Format::Hex32).hidden().desc("The token of the activation mail")},
      .command = "user activateconfirm",
      .extension = true,
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/user/email/confirm",
      .summary = "Confirm a new e-mail address with the token mailed to it",
      .component = Component::Omnipass,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {P("token").req().len(32, 32).fmt(Format::Hex32).hidden().desc("The token of the confirmation mail")},
      .command = "user emailconfirm",
      .extension = true,
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/user",
      .summary = "Get a user",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {"readallprofiles"},
      .params = {query(P("email").len(6, 60).fmt(Format::Email).desc("User email (URL encoded)")),
                 query(P("uuid").len(21, 21).fmt(Format::Uuid).desc("User Universal ID"))},
      .command = "system user get",
      .notes = "The spec lists ?email= and ?uuid= as two resource URLs: one entry, the handler requires "
               "exactly one of the two.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/user/update",
      .summary = "Update the status of a specific user",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"modifyallprofiles"},
      .params = {P("uuid").req().len(21, 21).fmt(Format::Uuid).desc("Universal User ID"),
                 P("status").req().len(6, 8).one_of({"active", "inactive"}).desc("User status")},
      .command = "system user update",
  });
}

}  // namespace og::catalog::entries
