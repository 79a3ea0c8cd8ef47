#pragma once
// Who is calling, as authentication (daemon/http/auth.h) found it and handlers see it, and
// the interface through which Omnipass verifies bearer tokens for the authenticator.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/rbac.h"
#include "common/result_codes.h"

namespace og::api {

struct Principal {
  enum class Kind { Anonymous, ApiKey, User };
  Kind kind = Kind::Anonymous;
  std::string akid;  // API key ID (Kind::ApiKey)
  std::string uuid;  // user ID (Kind::User)
  std::string upid;  // the profile the caller acts as
  std::vector<std::string> roles;
  rbac::RightSet rights;
  // Kind::User: the access token's other claims, so that no handler decodes it again.
  std::string client_id;     // the OAuth application it was issued to ("" = user/login)
  std::string scope;
  std::int64_t auth_time = 0;  // when the user gave the password (OIDC auth_time)

  bool anonymous() const { return kind == Kind::Anonymous; }
  // The credential's ID, as logged and used for rate limiting ("" when anonymous).
  const std::string& id() const { return kind == Kind::ApiKey ? akid : uuid; }
};

struct AuthResult {
  Rc rc = Rc::Ok;
  std::string detail;  // never contains the credential itself
  Principal principal;
};

// The authenticator's memory of credentials it checked, as handlers may touch it: a handler
// that deletes a key or deactivates a profile drops it, so that the change takes effect on
// this node at once (other nodes see it when their entries expire).
class CredentialCache {
 public:
  virtual ~CredentialCache() = default;
  virtual void invalidate_all() = 0;
};

class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual AuthResult verify(std::string_view bearer_token) = 0;
};

// An API key: 32 hexadecimal characters (the spec's "D85E4D788BB61CE3F429C8C7997BD3D1").
bool looks_like_api_key(std::string_view key);
// How keys are stored: SHA-256 (hex) of the upper-cased key.
std::string api_key_hash_hex(std::string_view key);

}  // namespace og::api
