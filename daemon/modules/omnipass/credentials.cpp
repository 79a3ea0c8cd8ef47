#include "daemon/modules/omnipass/credentials.h"

#include <algorithm>
#include <chrono>

#include "common/password.h"
#include "common/totp.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

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

PasswordCheck check_password(App& app, pqxx::work& tx, const std::string& address, const std::string& email,
                             const std::string& password) {
  const std::string account = "acct:" + lower(email), from = "addr:" + address;
  // Counted before the password is checked, and committed at once (docs/security.md): N
  // attempts sent at the same moment check at most as many passwords as the rule lets
  // through one after the other.
  store::Pool& side = app.throttle_pool ? *app.throttle_pool : app.pool;
  {
    auto lease = side.acquire();
    if (auto wait = reserve_attempt(*lease, {account, from})) {
      Reply r = Reply::error(Rc::TooFast, "too many failed attempts: retry in " + std::to_string(wait->count()) + " s");
      r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
      return {std::nullopt, std::move(r)};
    }
  }
  auto user = find_user_by_email(tx, email, /*for_update=*/true);
  bool ok = user && !user->password_hash.empty() ? password::verify(password, user->password_hash)
                                                  : password::dummy_verify(password);
  if (!ok) return {std::nullopt, Reply::error(Rc::InvalidCredentials, "wrong e-mail address or password")};
  // A right password clears the account's count. The address's count only loses this
  // attempt: a success must not let someone who holds one account reset the count of an
  // address that is guessing the passwords of others.
  auto lease = side.acquire();
  clear_failures(*lease, account);
  forgive_attempt(*lease, from);
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
