#include "daemon/http/auth.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "common/json.h"
#include "daemon/store/pool.h"

namespace og::http {

Authenticator::Authenticator(store::Pool& pool, std::chrono::seconds ttl) : pool_(pool), ttl_(ttl) {}

void Authenticator::invalidate_all() {
  std::lock_guard lock(mu_);
  cache_.clear();
  unknown_order_.clear();
  unknown_ = 0;
}

std::size_t Authenticator::cached_unknown() const {
  std::lock_guard lock(mu_);
  return unknown_;
}

void Authenticator::remember(const std::string& hash, const AuthResult& result, std::chrono::steady_clock::time_point now) {
  const bool unknown = result.rc != Rc::Ok;
  auto forget = [&](const std::string& h) {
    auto it = cache_.find(h);
    if (it != cache_.end() && it->second.result.rc != Rc::Ok) {
      cache_.erase(it);
      --unknown_;
    }
  };
  // Expired unknown keys first, then the oldest ones while over the bound. The queue may
  // name a key that was since found again (it then has a newer entry further back) or that
  // now exists: forget() only removes a negative entry whose time has come.
  while (!unknown_order_.empty() && (unknown_order_.front().second <= now || unknown_ >= kMaxUnknown)) {
    const auto& [h, expires] = unknown_order_.front();
    auto it = cache_.find(h);
    if (it != cache_.end() && it->second.result.rc != Rc::Ok && (it->second.expires <= expires || unknown_ >= kMaxUnknown))
      forget(h);
    unknown_order_.pop_front();
  }
  if (!unknown && cache_.size() - unknown_ > 100000)
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.result.rc == Rc::Ok && kv.second.expires <= now; });
  auto [it, inserted] = cache_.try_emplace(hash, Cached{result, now + ttl_});
  if (!inserted) {
    if (it->second.result.rc != Rc::Ok) --unknown_;
    it->second = Cached{result, now + ttl_};
  }
  if (unknown) {
    ++unknown_;
    unknown_order_.emplace_back(hash, now + ttl_);
  }
}

AuthResult Authenticator::authenticate(const Request& req) {
  auto apikey = req.find("X-APIKey");
  auto authz = req.find(bhttp::field::authorization);
  if (apikey != req.end() && authz != req.end())
    return {Rc::InvalidCredentials, "send either X-APIKey or Authorization, not both", {}};
  if (apikey != req.end()) return authenticate_api_key(sv(apikey->value()));
  if (authz != req.end()) {
    std::string_view value = sv(authz->value());
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() || !std::equal(kBearer.begin(), kBearer.end(), value.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return {Rc::InvalidCredentials, "the Authorization header must be \"Bearer <access token>\"", {}};
    if (!tokens_) return {Rc::InvalidCredentials, "bearer tokens are not accepted by this server yet", {}};
    return tokens_->verify(value.substr(kBearer.size()));
  }
  return {Rc::NotAuthenticated, "send X-APIKey or Authorization: Bearer", {}};
}

std::optional<AuthResult> Authenticator::cached(const Request& req) {
  auto apikey = req.find("X-APIKey");
  if (apikey == req.end() || req.find(bhttp::field::authorization) != req.end()) {
    if (apikey == req.end() && req.find(bhttp::field::authorization) != req.end() && tokens_) return std::nullopt;
    return authenticate(req);  // decided by the headers alone
  }
  std::string_view key = sv(apikey->value());
  if (!looks_like_api_key(key)) return AuthResult{Rc::InvalidCredentials, "malformed API key", {}};
  const std::string hash = api_key_hash_hex(key);
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(hash); it != cache_.end() && it->second.expires > std::chrono::steady_clock::now())
    return it->second.result;
  return std::nullopt;
}

AuthResult Authenticator::authenticate_api_key(std::string_view key) {
  if (!looks_like_api_key(key)) return {Rc::InvalidCredentials, "malformed API key", {}};
  const std::string hash = api_key_hash_hex(key);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(hash); it != cache_.end() && it->second.expires > now) return it->second.result;
  }

  AuthResult result;
  {
    auto conn = pool_.acquire();
    pqxx::nontransaction tx(*conn);
    auto rows = tx.exec_params(
        "SELECT k.akid, k.upid, array_to_json(k.roles)::text, p.status "
        "FROM api_keys k JOIN profiles p ON p.upid = k.upid "
        "WHERE k.key_hash = decode($1, 'hex') AND k.revoked_at IS NULL",
        hash);
    if (rows.empty()) {
      result = {Rc::InvalidCredentials, "unknown or revoked API key", {}};
    } else if (rows[0][3].as<std::string>() != "active") {
      result = {Rc::InvalidCredentials, "the API key's profile is inactive", {}};
    } else {
      Principal p;
      p.kind = Principal::Kind::ApiKey;
      p.akid = rows[0][0].as<std::string>();
      p.upid = rows[0][1].as<std::string>();
      for (const auto& r : Json::parse(rows[0][2].as<std::string>())) p.roles.push_back(r.get<std::string>());
      p.rights = rbac::RightSet::of_roles(std::span<const std::string>(p.roles));
      result = {Rc::Ok, "", std::move(p)};
    }
  }
  std::lock_guard lock(mu_);
  remember(hash, result, now);
  return result;
}

}  // namespace og::http
