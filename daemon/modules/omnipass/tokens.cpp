#include "daemon/modules/omnipass/tokens.h"

#include <algorithm>
#include <charconv>

#include "common/json.h"
#include "common/rbac.h"
#include "daemon/log.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnipass {

namespace {
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

TokenService::TokenService(store::Pool& pool, secrets::SecretStore& secrets, std::chrono::seconds lifetime,
                           std::string issuer)
    : pool_(pool), secrets_(secrets), lifetime_(lifetime), issuer_(std::move(issuer)) {}

TokenService::~TokenService() = default;

void TokenService::start() {
  if (!secrets_.unlocked()) {
    // Secrets encrypted at rest and not unlocked yet: publish and verify with the public
    // keys only; the unlock of omnipass calls start() again to load the signing key.
    load(true);
    return;
  }
  {
    auto conn = pool_.acquire();
    pqxx::work tx(*conn);
    // One node makes the first key; the others wait on the lock and find it.
    tx.exec("SELECT pg_advisory_xact_lock(7303427364850211671)");
    auto r = tx.exec("SELECT 1 FROM signing_keys WHERE retired_at IS NULL");
    if (r.empty()) {
      auto key = jwt::SigningKey::generate();
      std::string secret = secrets_.put(tx, "jwt-signing-key", key.to_pem());
      tx.exec_params("INSERT INTO signing_keys (kid, private_key, public_jwk) VALUES ($1, $2, $3::jsonb)", key.kid(),
                     secret, key.public_jwk());
      log::info("JWT signing key created", {{"kid", key.kid()}});
    }
    tx.commit();
  }
  load(true);
}

void TokenService::rotate_if_due() {
  if (rotation_.count() <= 0 || !secrets_.unlocked()) return;  // never, or not until the unlock
  if (rotating_.exchange(true)) return;  // one thread checks; the others go on with the current key
  try {
    auto conn = pool_.acquire();
    pqxx::work tx(*conn);
    tx.exec("SELECT pg_advisory_xact_lock(7303427364850211671)");
    // Checked again under the lock: another node may have rotated it already.
    auto r = tx.exec_params(
        "SELECT 1 FROM signing_keys WHERE retired_at IS NULL AND created_at < now() - make_interval(secs => $1)",
        static_cast<double>(rotation_.count()));
    tx.commit();
    if (!r.empty()) rotate();
    else load(true);
  } catch (const std::exception& e) {
    log::warn("JWT signing key rotation failed; the current key goes on signing", {{"error", e.what()}});
  }
  rotating_ = false;
}

void TokenService::rotate() {
  {
    auto conn = pool_.acquire();
    pqxx::work tx(*conn);
    tx.exec("SELECT pg_advisory_xact_lock(7303427364850211671)");
    tx.exec_params(
        "UPDATE signing_keys SET retired_at = now(), expires_at = now() + make_interval(secs => $1) "
        "WHERE retired_at IS NULL",
        static_cast<double>(lifetime_.count() + 60));
    auto key = jwt::SigningKey::generate();
    std::string secret = secrets_.put(tx, "jwt-signing-key", key.to_pem());
    tx.exec_params("INSERT INTO signing_keys (kid, private_key, public_jwk) VALUES ($1, $2, $3::jsonb)", key.kid(),
                   secret, key.public_jwk());
    tx.commit();
    log::info("JWT signing key rotated", {{"kid", key.kid()}});
  }
  load(true);
}

void TokenService::load(bool force) {
  {
    std::lock_guard lock(mu_);
    if (!force && std::chrono::steady_clock::now() - loaded_at_ < std::chrono::seconds(1)) return;
  }
  auto conn = pool_.acquire();
  pqxx::read_transaction tx(*conn);
  auto verifier = std::make_shared<jwt::Verifier>();
  Json keys = Json::array();
  std::shared_ptr<jwt::SigningKey> signer;
  std::chrono::system_clock::time_point created{};
  for (const auto& r : tx.exec(
           "SELECT kid, private_key, public_jwk::text, retired_at IS NULL, "
           "floor(extract(epoch FROM created_at))::bigint FROM signing_keys "
           "WHERE expires_at IS NULL OR expires_at > now() ORDER BY created_at DESC")) {
    std::string jwk = r[2].as<std::string>();
    verifier->add_jwk(jwk);
    keys.push_back(Json::parse(jwk));
    if (r[3].as<bool>() && !signer && secrets_.unlocked()) {
      signer = std::make_shared<jwt::SigningKey>(jwt::SigningKey::from_pem(secrets_.get(tx, r[1].as<std::string>())));
      created = std::chrono::system_clock::time_point(std::chrono::seconds(r[4].as<std::int64_t>()));
    }
  }
  std::lock_guard lock(mu_);
  verifier_ = std::move(verifier);
  if (signer) {
    signer_ = std::move(signer);
    signer_created_ = created;
  }
  jwks_ = Json{{"keys", keys}}.dump();
  loaded_at_ = std::chrono::steady_clock::now();
}

std::string TokenService::issue(const TokenClaims& c) {
  bool due = false;
  {
    std::lock_guard lock(mu_);
    due = rotation_.count() > 0 && signer_ && std::chrono::system_clock::now() - signer_created_ > rotation_;
  }
  if (due) load(false);  // the job "signing-keys" has made a new one by now (at most once a second)
  std::shared_ptr<jwt::SigningKey> signer;
  {
    std::lock_guard lock(mu_);
    signer = signer_;
  }
  if (!signer) throw std::runtime_error("no JWT signing key");
  std::int64_t now = unix_now();
  Json payload = Json::object();
  if (!c.client_id.empty()) payload["iss"] = c.client_id;
  else if (!issuer_.empty()) payload["iss"] = issuer_;
  payload["sub"] = c.uuid;
  payload["iat"] = now;
  payload["exp"] = now + lifetime().count();
  payload["scope"] = c.scope;
  payload["auth_time"] = c.auth_time > 0 ? c.auth_time : now;
  payload["context"] = Json{{"upid", c.upid}, {"roles", c.roles}};
  return jwt::sign(*signer, payload.dump());
}

std::chrono::minutes TokenService::inactivity_timeout() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (inactivity_read_at_ != std::chrono::steady_clock::time_point{} && now - inactivity_read_at_ < std::chrono::seconds(30))
      return inactivity_;
  }
  std::chrono::minutes value{kDefaultInactivityMinutes};
  try {
    auto conn = pool_.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec(
        "SELECT value FROM component_attributes WHERE component = 'omnipass' AND name = 'inactivitytimeoutinminutes'");
    // Validated when it was set (1-1440); anything else keeps the default.
    if (!r.empty()) {
      const std::string text = r[0][0].as<std::string>();
      int m = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), m);
      if (ec == std::errc() && end == text.data() + text.size() && m >= 1 && m <= 1440) value = std::chrono::minutes(m);
    }
  } catch (const std::exception& e) {
    // The database is unreachable: keep what we had, try again at the next call.
    log::warn("cannot read omnipass's inactivity timeout", {{"error", e.what()}});
    std::lock_guard lock(mu_);
    return inactivity_;
  }
  std::lock_guard lock(mu_);
  inactivity_ = value;
  inactivity_read_at_ = now;
  return value;
}

void TokenService::set_inactivity_timeout(std::chrono::minutes timeout) {
  std::lock_guard lock(mu_);
  inactivity_ = timeout;
  inactivity_read_at_ = std::chrono::steady_clock::now();
}

std::chrono::seconds TokenService::lifetime() {
  return std::min<std::chrono::seconds>(lifetime_, inactivity_timeout());
}

std::string TokenService::jwks() {
  load(false);
  std::lock_guard lock(mu_);
  return jwks_;
}

std::optional<TokenClaims> TokenService::claims_of(std::string_view token, std::string* error) {
  std::shared_ptr<jwt::Verifier> verifier;
  {
    std::lock_guard lock(mu_);
    verifier = verifier_;
  }
  std::string why;
  auto payload = verifier ? verifier->verify(token, &why) : std::nullopt;
  if (!payload && why.find("kid") != std::string::npos) {
    load(false);  // another node may have rotated the key
    std::lock_guard lock(mu_);
    verifier = verifier_;
    payload = verifier->verify(token, &why);
  }
  if (!payload) {
    if (error) *error = why;
    return std::nullopt;
  }
  if (!jwt::check_times(*payload, unix_now(), 30, &why)) {
    if (error) *error = why;
    return std::nullopt;
  }
  try {
    Json p = Json::parse(*payload);
    if (const auto iat = p.value("iat", std::int64_t{0}); iat > 0) {
      const auto idle = inactivity_timeout();
      if (unix_now() - iat > std::chrono::duration_cast<std::chrono::seconds>(idle).count() + 30) {
        if (error)
          *error = "the session was inactive for more than " + std::to_string(idle.count()) + " minutes: log in again";
        return std::nullopt;
      }
    }
    TokenClaims c;
    c.uuid = p.at("sub").get<std::string>();
    c.upid = p.at("context").at("upid").get<std::string>();
    for (const auto& r : p.at("context").at("roles")) c.roles.push_back(r.get<std::string>());
    c.scope = p.value("scope", "*");
    c.client_id = p.value("iss", "");
    c.auth_time = p.value("auth_time", p.value("iat", std::int64_t{0}));
    return c;
  } catch (const std::exception&) {
    if (error) *error = "the token's claims are not ours";
    return std::nullopt;
  }
}

api::AuthResult TokenService::verify(std::string_view token) {
  std::string why;
  auto c = claims_of(token, &why);
  if (!c) return {Rc::InvalidCredentials, "invalid access token (" + why + ")", {}};
  // Is the user still active? Checked at most every 5 seconds per user.
  bool active = false;
  auto now = std::chrono::steady_clock::now();
  bool known = false;
  {
    std::lock_guard lock(mu_);
    if (auto it = user_status_.find(c->uuid + "/" + c->upid);
        it != user_status_.end() && now - it->second.second < std::chrono::seconds(5)) {
      active = it->second.first;
      known = true;
    }
  }
  if (!known) {
    auto conn = pool_.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec_params(
        "SELECT 1 FROM users u JOIN profiles p ON p.upid = $2 WHERE u.uuid = $1 AND u.status = 'active' "
        "AND p.status = 'active'",
        c->uuid, c->upid);
    active = !r.empty();
    std::lock_guard lock(mu_);
    if (user_status_.size() > 100000) user_status_.clear();
    user_status_[c->uuid + "/" + c->upid] = {active, now};
  }
  if (!active) return {Rc::InvalidCredentials, "the token's user or profile is not active", {}};
  api::Principal p;
  p.kind = api::Principal::Kind::User;
  p.uuid = c->uuid;
  p.upid = c->upid;
  p.roles = c->roles;
  p.rights = rbac::RightSet::of_roles(std::span<const std::string>(p.roles));
  p.client_id = c->client_id;
  p.scope = c->scope;
  p.auth_time = c->auth_time;
  return {Rc::Ok, "", std::move(p)};
}

}  // namespace og::omnipass
