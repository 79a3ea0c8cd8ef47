#include "daemon/modules/omnipass/accounts.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/ids.h"

namespace og::omnipass {

namespace {

constexpr const char* kProfileColumns =
    "upid, type, status, coalesce(parent_upid, ''), coalesce(master_uuid, ''), tierlevel, is_system, "
    "attributes::text, extended::text, internal::text, version";

Profile profile_from(const pqxx::row& r) {
  Profile p;
  p.upid = r[0].as<std::string>();
  p.type = r[1].as<std::string>();
  p.status = r[2].as<std::string>();
  p.parent_upid = r[3].as<std::string>();
  p.master_uuid = r[4].as<std::string>();
  p.tierlevel = r[5].as<int>();
  p.is_system = r[6].as<bool>();
  p.attributes = Json::parse(r[7].as<std::string>());
  p.extended = Json::parse(r[8].as<std::string>());
  p.internal = Json::parse(r[9].as<std::string>());
  p.version = r[10].as<int>();
  return p;
}

constexpr const char* kUserColumns =
    "uuid, email, coalesce(password_hash, ''), language, coalesce(timezone, ''), status, mfa_enabled, "
    "coalesce(mfa_secret, ''), coalesce(mfa_pending, ''), mfa_last_step, coalesce(default_upid, ''), "
    "coalesce(callback_url, '')";

User user_from(const pqxx::row& r) {
  User u;
  u.uuid = r[0].as<std::string>();
  u.email = r[1].as<std::string>();
  u.password_hash = r[2].as<std::string>();
  u.language = r[3].as<std::string>();
  u.timezone = r[4].as<std::string>();
  u.status = r[5].as<std::string>();
  u.mfa_enabled = r[6].as<bool>();
  u.mfa_secret = r[7].as<std::string>();
  u.mfa_pending = r[8].as<std::string>();
  u.mfa_last_step = r[9].as<long long>();
  u.default_upid = r[10].as<std::string>();
  u.callback_url = r[11].as<std::string>();
  return u;
}

std::string token_hash(const std::string& token) {
  std::string upper = token;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return crypto::sha256_hex(upper);
}

}  // namespace

std::vector<std::string> roles_from_json(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& v : Json::parse(text)) out.push_back(v.get<std::string>());
  return out;
}

std::string Profile::name() const {
  if (type == "organization") return attributes.value("organizationname", "");
  std::string first = attributes.value("firstname", ""), last = attributes.value("lastname", "");
  return first.empty() ? last : (last.empty() ? first : first + " " + last);
}

std::optional<Profile> find_profile(pqxx::transaction_base& tx, const std::string& upid, bool for_update) {
  auto r = tx.exec_params(std::string("SELECT ") + kProfileColumns + " FROM profiles WHERE upid = $1" +
                              (for_update ? " FOR UPDATE" : ""),
                          upid);
  if (r.empty()) return std::nullopt;
  return profile_from(r[0]);
}

std::string insert_profile(pqxx::work& tx, const Profile& p) {
  std::string upid = new_id(IdKind::Upid);
  tx.exec_params(
      "INSERT INTO profiles (upid, type, status, parent_upid, is_system, attributes, extended, master_uuid) "
      "VALUES ($1, $2, $3, nullif($4, ''), $5, $6::jsonb, $7::jsonb, nullif($8, ''))",
      upid, p.type, p.status.empty() ? std::string("active") : p.status, p.parent_upid, p.is_system,
      p.attributes.dump(), p.extended.dump(), p.master_uuid);
  return upid;
}

void save_profile(pqxx::work& tx, const Profile& p) {
  tx.exec_params(
      "UPDATE profiles SET status = $2, attributes = $3::jsonb, extended = $4::jsonb, master_uuid = nullif($5, ''), "
      "version = version + 1, updated_at = now() WHERE upid = $1",
      p.upid, p.status, p.attributes.dump(), p.extended.dump(), p.master_uuid);
}

std::optional<User> find_user(pqxx::transaction_base& tx, const std::string& uuid, bool for_update) {
  auto r = tx.exec_params(std::string("SELECT ") + kUserColumns + " FROM users WHERE uuid = $1" +
                              (for_update ? " FOR UPDATE" : ""),
                          uuid);
  if (r.empty()) return std::nullopt;
  return user_from(r[0]);
}

std::optional<User> find_user_by_email(pqxx::transaction_base& tx, const std::string& email, bool for_update) {
  auto r = tx.exec_params(std::string("SELECT ") + kUserColumns + " FROM users WHERE lower(email) = lower($1)" +
                              (for_update ? " FOR UPDATE" : ""),
                          email);
  if (r.empty()) return std::nullopt;
  return user_from(r[0]);
}

std::string insert_user(pqxx::work& tx, const User& u) {
  std::string uuid = new_id(IdKind::Uuid);
  tx.exec_params(
      "INSERT INTO users (uuid, email, password_hash, language, timezone, status, default_upid, callback_url) "
      "VALUES ($1, $2, nullif($3, ''), $4, nullif($5, ''), $6, nullif($7, ''), nullif($8, ''))",
      uuid, u.email, u.password_hash, u.language.empty() ? std::string("en") : u.language, u.timezone,
      u.status.empty() ? std::string("pending") : u.status, u.default_upid, u.callback_url);
  return uuid;
}

void save_user(pqxx::work& tx, const User& u) {
  tx.exec_params(
      "UPDATE users SET email = $2, password_hash = nullif($3, ''), language = $4, timezone = nullif($5, ''), "
      "status = $6, mfa_enabled = $7, mfa_secret = nullif($8, ''), mfa_pending = nullif($9, ''), "
      "mfa_last_step = $10, default_upid = nullif($11, ''), callback_url = nullif($12, ''), updated_at = now() "
      "WHERE uuid = $1",
      u.uuid, u.email, u.password_hash, u.language, u.timezone, u.status, u.mfa_enabled, u.mfa_secret, u.mfa_pending,
      u.mfa_last_step, u.default_upid, u.callback_url);
}

std::optional<Membership> membership(pqxx::transaction_base& tx, const std::string& uuid, const std::string& upid) {
  auto r = tx.exec_params(
      "SELECT m.uuid, m.upid, u.email, array_to_json(m.roles)::text, m.is_master FROM user_profiles m "
      "JOIN users u USING (uuid) WHERE m.uuid = $1 AND m.upid = $2",
      uuid, upid);
  if (r.empty()) return std::nullopt;
  return Membership{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                    roles_from_json(r[0][3].as<std::string>()), r[0][4].as<bool>()};
}

std::vector<Membership> memberships_of_user(pqxx::transaction_base& tx, const std::string& uuid) {
  std::vector<Membership> out;
  for (const auto& r : tx.exec_params(
           "SELECT m.uuid, m.upid, u.email, array_to_json(m.roles)::text, m.is_master FROM user_profiles m "
           "JOIN users u USING (uuid) JOIN profiles p ON p.upid = m.upid WHERE m.uuid = $1 "
           "ORDER BY m.is_master DESC, p.created_at, m.upid",
           uuid))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   roles_from_json(r[3].as<std::string>()), r[4].as<bool>()});
  return out;
}

std::vector<Membership> team_of(pqxx::transaction_base& tx, const std::string& upid) {
  std::vector<Membership> out;
  for (const auto& r : tx.exec_params(
           "SELECT m.uuid, m.upid, u.email, array_to_json(m.roles)::text, m.is_master FROM user_profiles m "
           "JOIN users u USING (uuid) WHERE m.upid = $1 ORDER BY m.is_master DESC, u.created_at, m.uuid",
           upid))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   roles_from_json(r[3].as<std::string>()), r[4].as<bool>()});
  return out;
}

void set_membership(pqxx::work& tx, const Membership& m) {
  tx.exec_params(
      "INSERT INTO user_profiles (uuid, upid, roles, is_master) "
      "VALUES ($1, $2, ARRAY(SELECT json_array_elements_text($3::json)), $4) "
      "ON CONFLICT (uuid, upid) DO UPDATE SET roles = EXCLUDED.roles",
      m.uuid, m.upid, Json(m.roles).dump(), m.is_master);
}

bool remove_membership(pqxx::work& tx, const std::string& uuid, const std::string& upid) {
  return tx.exec_params("DELETE FROM user_profiles WHERE uuid = $1 AND upid = $2", uuid, upid).affected_rows() > 0;
}

std::string issue_token(pqxx::work& tx, const std::string& uuid, const std::string& purpose, std::chrono::seconds ttl,
                        const std::string& new_email) {
  std::string token = crypto::random_hex(16);
  // A new token replaces the unused ones of the same purpose.
  tx.exec_params("UPDATE user_tokens SET used_at = now() WHERE uuid = $1 AND purpose = $2 AND used_at IS NULL", uuid,
                 purpose);
  tx.exec_params(
      "INSERT INTO user_tokens (token_hash, uuid, purpose, new_email, expires_at) "
      "VALUES ($1, $2, $3, nullif($4, ''), now() + make_interval(secs => $5))",
      token_hash(token), uuid, purpose, new_email, static_cast<double>(ttl.count()));
  return token;
}

std::optional<TokenUse> consume_token(pqxx::work& tx, const std::string& token, const std::string& purpose) {
  auto r = tx.exec_params(
      "UPDATE user_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL "
      "AND expires_at > now() RETURNING uuid, coalesce(new_email, '')",
      token_hash(token), purpose);
  if (r.empty()) return std::nullopt;
  return TokenUse{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
}

namespace {
// The documented rule (docs/security.md): a key's failures within the last hour are
// counted; from the third one on (the tenth for an address, which many users may share
// behind one NAT or proxy), the next attempt must wait 2, 4, 8, ... seconds (at most 300)
// after the last failure. One SET list, used by every path that counts a failure.
#define OG_THRESHOLD "(CASE WHEN login_failures.key LIKE 'addr:%' THEN 10 ELSE 3 END)"
constexpr const char* kCountFailure =
    "failures = CASE WHEN login_failures.last_failure < now() - interval '1 hour' THEN 1 "
    "                ELSE login_failures.failures + 1 END, "
    "last_failure = now(), "
    "blocked_until = CASE WHEN login_failures.last_failure >= now() - interval '1 hour' "
    "                      AND login_failures.failures + 1 >= " OG_THRESHOLD " "
    "  THEN now() + make_interval(secs => least(300, power(2, login_failures.failures + 2 - " OG_THRESHOLD "))) END";
// Takes one counted failure back; the wait stays only if the count still reaches it.
constexpr const char* kForgiveOne =
    "failures = greatest(login_failures.failures - 1, 0), "
    "blocked_until = CASE WHEN login_failures.failures - 1 >= " OG_THRESHOLD " THEN login_failures.blocked_until END";
#undef OG_THRESHOLD
}  // namespace

std::optional<std::chrono::seconds> throttled(pqxx::transaction_base& tx, const std::string& key) {
  auto r = tx.exec_params(
      "SELECT ceil(extract(epoch FROM blocked_until - now()))::bigint FROM login_failures "
      "WHERE key = $1 AND blocked_until > now()",
      key);
  if (r.empty()) return std::nullopt;
  return std::chrono::seconds(std::max<long long>(1, r[0][0].as<long long>()));
}

void record_failure(pqxx::work& tx, const std::string& key) {
  tx.exec_params(std::string("INSERT INTO login_failures (key, failures, last_failure) VALUES ($1, 1, now()) "
                             "ON CONFLICT (key) DO UPDATE SET ") + kCountFailure,
                 key);
}

std::optional<std::chrono::seconds> reserve_attempt(pqxx::connection& conn, std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());  // one lock order for every caller
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  pqxx::work tx(conn);
  for (const auto& key : keys)
    tx.exec_params("INSERT INTO login_failures (key, failures, last_failure) VALUES ($1, 0, now()) "
                   "ON CONFLICT (key) DO NOTHING",
                   key);
  std::optional<std::chrono::seconds> wait;
  for (const auto& key : keys) {
    // Locked until this short transaction commits: a concurrent attempt on the same key
    // reads the count this one leaves.
    auto r = tx.exec_params(
        "SELECT CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::bigint END "
        "FROM login_failures WHERE key = $1 FOR UPDATE",
        key);
    if (!r.empty() && !r[0][0].is_null()) {
      auto s = std::chrono::seconds(std::max<long long>(1, r[0][0].as<long long>()));
      wait = wait ? std::max(*wait, s) : s;
    }
  }
  if (!wait)
    for (const auto& key : keys)
      tx.exec_params(std::string("UPDATE login_failures SET ") + kCountFailure + " WHERE key = $1", key);
  tx.commit();
  return wait;
}

void forgive_attempt(pqxx::connection& conn, const std::string& key) {
  pqxx::work tx(conn);
  tx.exec_params(std::string("UPDATE login_failures SET ") + kForgiveOne + " WHERE key = $1", key);
  tx.commit();
}

void clear_failures(pqxx::connection& conn, const std::string& key) {
  pqxx::work tx(conn);
  tx.exec_params("DELETE FROM login_failures WHERE key = $1", key);
  tx.commit();
}

void clear_failures(pqxx::work& tx, const std::string& key) {
  tx.exec_params("DELETE FROM login_failures WHERE key = $1", key);
}

}  // namespace og::omnipass
