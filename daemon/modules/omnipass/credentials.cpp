#include "daemon/modules/omnipass/credentials.h"

#include <algorithm>
#include <chrono>

#include "common/password.h"
#include "common/totp.h"
#include "daemon/secrets/secret_store.h"

namespace og::omnipass {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

PasswordCheck check_password(pqxx::work& tx, const std::string& address, const std::string& email,
                             const std::string& password) {
  const std::string account = "acct:" + lower(email), from = "addr:" + address;
  for (const auto& key : {account, from})
    if (auto wait = throttled(tx, key))
      return {std::nullopt, Reply::error(Rc::TooFast, "too many failed attempts: retry in " +
                                                          std::to_string(wait->count()) + " s")};
  auto user = find_user_by_email(tx, email, /*for_update=*/true);
  bool ok = user && !user->password_hash.empty() ? password::verify(password, user->password_hash)
                                                  : password::dummy_verify(password);
  if (!ok) {
    record_failure(tx, account);
    record_failure(tx, from);
    return {std::nullopt, Reply::error(Rc::InvalidCredentials, "wrong e-mail address or password")};
  }
  clear_failures(tx, account);
  return {std::move(user), std::nullopt};
}

bool accept_code(App& app, pqxx::work& tx, User& user, const std::string& secret_id, const std::string& code) {
  if (code.empty() || secret_id.empty()) return false;
  std::string seed = app.secrets->get(tx, secret_id);
  auto step = totp::verify(seed, code, unix_now(), 1);
  if (!step || static_cast<long long>(*step) <= user.mfa_last_step) return false;
  user.mfa_last_step = static_cast<long long>(*step);
  return true;
}

}  // namespace og::omnipass
