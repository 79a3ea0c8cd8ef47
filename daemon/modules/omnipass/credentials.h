#pragma once
// Checking a user's credentials, the one way every login path does it (user/login, the SSO
// login form, password and e-mail changes): throttled per account and per address, the
// same answer and the same time whether or not the e-mail exists, TOTP codes accepted once.

#include <optional>
#include <string>

#include "daemon/modules/omnipass/common.h"

namespace og::omnipass {

struct PasswordCheck {
  std::optional<User> user;     // locked FOR UPDATE in the caller's transaction
  std::optional<Reply> refused; // TOO_FAST or INVALID_CREDENTIALS
};
// `address` is the caller's IP address (throttling). The attempt is counted on its own
// connection before the password is checked (accounts.h reserve_attempt), so the count
// holds whatever the caller does with `tx`.
PasswordCheck check_password(App& app, pqxx::work& tx, const std::string& address, const std::string& email,
                             const std::string& password);

// A TOTP code against the seed stored under `secret_id`; on success the user's last
// accepted step advances (the caller saves the user).
bool accept_code(App& app, pqxx::work& tx, User& user, const std::string& secret_id, const std::string& code);

}  // namespace og::omnipass
