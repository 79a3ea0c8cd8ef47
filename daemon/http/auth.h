#pragma once
// Authentication: who is calling (api::Principal). X-APIKey is checked against keys stored hashed
// (SHA-256) in the database, with a short in-memory cache; Authorization: Bearer is
// handed to a TokenVerifier (the Omnipass issue provides the JWT one).

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/api/principal.h"
#include "daemon/http/server.h"

namespace og::store {
class Pool;
}

namespace og::http {

using api::AuthResult;
using api::Principal;
using api::TokenVerifier;

class Authenticator : public api::CredentialCache {
 public:
  Authenticator(store::Pool& pool, std::chrono::seconds cache_ttl);
  // No credential header: Rc::NotAuthenticated. May block on the database.
  AuthResult authenticate(const Request& req);
  AuthResult authenticate_api_key(std::string_view key);
  // The answer when it needs no database: no or malformed credential, or a key checked
  // recently. nullopt: call authenticate() where blocking is fine.
  std::optional<AuthResult> cached(const Request& req);
  void set_token_verifier(TokenVerifier* verifier) { tokens_ = verifier; }
  // Drops cached entries (after a key is deleted on this node).
  void invalidate_all() override;
  // Unknown keys remembered at most (the oldest is forgotten first).
  static constexpr std::size_t kMaxUnknown = 20000;
  std::size_t cached_unknown() const;

 private:
  struct Cached {
    AuthResult result;
    std::chrono::steady_clock::time_point expires;
  };
  void remember(const std::string& hash, const AuthResult& result, std::chrono::steady_clock::time_point now);
  store::Pool& pool_;
  std::chrono::seconds ttl_;
  TokenVerifier* tokens_ = nullptr;
  mutable std::mutex mu_;
  // By SHA-256 hex of the key. Keys that exist: as many as the database holds, pruned of
  // expired entries as it grows. Keys that do not (anyone can send new ones): at most
  // kMaxUnknown, forgotten oldest first (all live as long, so the oldest expires first).
  std::unordered_map<std::string, Cached> cache_;
  std::deque<std::pair<std::string, std::chrono::steady_clock::time_point>> unknown_order_;
  std::size_t unknown_ = 0;
};

using api::api_key_hash_hex;
using api::looks_like_api_key;

}  // namespace og::http
