#pragma once
// RS256 JSON Web Tokens (RFC 7519, compact JWS per RFC 7515): the daemon signs access
// tokens with an RSA-2048 key and publishes the public half as a JWK (RFC 7517) whose
// `kid` is its RFC 7638 thumbprint. Verification accepts RS256 and nothing else.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace og::jwt {

class SigningKey {
 public:
  // A fresh RSA-2048 key (e = 65537). Throws std::runtime_error if OpenSSL fails.
  static SigningKey generate();
  // An unencrypted RSA private key in PEM (PKCS#8 "PRIVATE KEY"; the traditional
  // "RSA PRIVATE KEY" form is read too), at least 2048 bits. Throws std::invalid_argument
  // otherwise; the message never contains key material.
  static SigningKey from_pem(std::string_view pem);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  std::string to_pem() const;  // PKCS#8, unencrypted: a secret, store it 0600
  // RFC 7638 thumbprint: base64url(SHA-256({"e":...,"kty":"RSA","n":...})).
  const std::string& kid() const;
  // {"kty":"RSA","use":"sig","alg":"RS256","kid":...,"n":...,"e":...}
  std::string public_jwk() const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend std::string sign(const SigningKey&, std::string_view);
};

// The compact JWS of `payload_json` (sent as given) with the header
// {"alg":"RS256","typ":"JWT","kid":...}. Throws std::invalid_argument if the payload is
// not a JSON object.
std::string sign(const SigningKey& key, std::string_view payload_json);

// The thumbprint of a public RSA JWK given its base64url n and e (as used for kid).
std::string rfc7638_thumbprint(std::string_view n_b64url, std::string_view e_b64url);

// Verifies tokens against a set of public keys (key rotation: keep the old key until
// its tokens expire). add_jwk must not run concurrently with verify; verify may run on
// several threads at once.
class Verifier {
 public:
  Verifier();
  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;
  ~Verifier();

  // A public RSA JWK: kty "RSA", n (2048 to 8192 bits) and e as minimal base64url; "alg"
  // if present must be "RS256" and "use" if present "sig"; without a kid, its thumbprint
  // is used. A key with the same kid replaces the old one. Throws std::invalid_argument.
  void add_jwk(std::string_view jwk_json);

  // The payload JSON text if `token` is a compact JWS (at most 8 KiB) whose header is a
  // JSON object with alg exactly "RS256", a known kid, typ absent or "JWT", no "crit",
  // whose signature verifies with that key, and whose payload is a JSON object.
  // Otherwise nullopt and, if `error` is given, a short reason. Claims are not checked
  // here: see check_times.
  std::optional<std::string> verify(std::string_view token, std::string* error = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Time claims (NumericDate seconds) of a verified payload at `now`, allowing `leeway`
// seconds of clock skew: exp is required and must be > now - leeway; nbf and iat are
// optional and must be <= now + leeway. Returns false with a reason in `error`.
bool check_times(std::string_view payload_json, std::int64_t now, std::int64_t leeway = 0,
                 std::string* error = nullptr);

}  // namespace og::jwt
