#pragma once
// Access tokens: JWTs signed RS256 with a kid, payload as the spec shows ({iss?, sub: uuid,
// iat, exp, scope, context: {upid, roles}}), verifiable by anyone with GET /auth/jwks.json.
// The newest signing key signs; rotate() retires it (it stays published until the tokens
// it signed have expired). Also the Bearer side of authentication: verify() turns a token
// into a Principal.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/jwt.h"
#include "daemon/api/principal.h"

namespace og::store {
class Pool;
}
namespace og::secrets {
class SecretStore;
}

namespace og::omnipass {

// omnipass's inactivitytimeoutinminutes when the attribute is unset (PCI DSS 8.2.8's 15
// minutes of idle time before a user must authenticate again).
inline constexpr int kDefaultInactivityMinutes = 15;

struct TokenClaims {
  std::string uuid, upid, scope = "*", client_id;
  std::vector<std::string> roles;
  // When the user gave the password (the OIDC "auth_time" claim): a renewed token keeps
  // it, so a session cannot be stretched forever. 0: now.
  std::int64_t auth_time = 0;
};

class TokenService : public api::TokenVerifier {
 public:
  TokenService(store::Pool& pool, secrets::SecretStore& secrets, std::chrono::seconds lifetime,
               std::string issuer = {});
  ~TokenService() override;

  // At start-up: makes a signing key if there is none, loads the keys. While the secret
  // store is locked: loads the public keys only (call it again after the unlock).
  void start();
  std::string issue(const TokenClaims& claims);
  // How long a new access token lives: [omnipass] token_lifetime_seconds, or omnipass's
  // inactivity timeout (attribute inactivitytimeoutinminutes) when that is shorter. A session
  // stays open only while its token is renewed (or refreshed) before it expires.
  std::chrono::seconds lifetime();
  // The inactivity timeout in force: the stored attribute, re-read at most every 30 seconds
  // (another node may have changed it), kDefaultInactivityMinutes when unset.
  std::chrono::minutes inactivity_timeout();
  // Called by POST /system/omnipass/attribute on this node: in force at once.
  void set_inactivity_timeout(std::chrono::minutes timeout);
  // {"keys":[...]}: every key whose tokens may still be valid.
  std::string jwks();
  // A new signing key; the current one is retired.
  void rotate();
  // Rotate the signing key once it is this old (0: never): the job "signing-keys" calls
  // rotate_if_due() (on one node); every node picks the new key up when its own is due.
  void set_rotation(std::chrono::seconds age) { rotation_ = age; }
  std::chrono::seconds rotation() const { return rotation_; }
  // rotate() if the signing key is older than the rotation age (another node may have done it).
  void rotate_if_due();

  // api::TokenVerifier: signature, kid, expiry, and that the user is still active.
  api::AuthResult verify(std::string_view token) override;
  // Signature, expiry and inactivity (a token older than the inactivity timeout is refused
  // even before its exp, so that a lowered timeout applies at once): the claims of a valid
  // token.
  std::optional<TokenClaims> claims_of(std::string_view token, std::string* error = nullptr);

 private:
  void load(bool force);
  store::Pool& pool_;
  secrets::SecretStore& secrets_;
  std::chrono::seconds lifetime_;
  std::string issuer_;
  std::mutex mu_;
  std::shared_ptr<jwt::SigningKey> signer_;
  std::chrono::system_clock::time_point signer_created_{};
  std::chrono::seconds rotation_{0};
  std::chrono::minutes inactivity_{kDefaultInactivityMinutes};
  std::chrono::steady_clock::time_point inactivity_read_at_{};
  std::atomic<bool> rotating_{false};
  std::shared_ptr<jwt::Verifier> verifier_;
  std::string jwks_;
  std::chrono::steady_clock::time_point loaded_at_{};
  // uuid/upid -> (active, checked at): a deactivated user's tokens stop working within seconds.
  std::map<std::string, std::pair<bool, std::chrono::steady_clock::time_point>> user_status_;
};

}  // namespace og::omnipass
