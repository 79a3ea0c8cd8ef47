#pragma once
// Stellar ed25519 keys through OpenSSL 3 (EVP_PKEY_ED25519): a key pair from its 32-byte
// seed (S...), random seeds (OpenSSL's RAND_priv_bytes), the public key as G..., signing
// and verification (RFC 8032 Ed25519: deterministic signatures).

#include <array>
#include <cstdint>
#include <string>

#include "daemon/bridges/stellar/strkey.h"

namespace og::stellar {

using Signature = std::array<std::uint8_t, 64>;

class KeyPair {
 public:
  // Throws Error (without the seed in its message) if OpenSSL refuses.
  static KeyPair from_seed(const Seed& seed);
  // From S...; throws Error("not a Stellar secret seed") when it does not decode.
  static KeyPair from_secret(std::string_view secret);
  static KeyPair random();

  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  ~KeyPair();

  const PublicKey& public_key() const { return public_key_; }
  std::string account_id() const { return encode_account_id(public_key_); }
  // The S... form of the seed: a secret; never log it.
  std::string secret() const { return encode_seed(seed_); }

  // Ed25519 over `data` itself; checked with verify() before it is returned.
  Signature sign(const std::uint8_t* data, std::size_t size) const;

 private:
  KeyPair() = default;
  Seed seed_{};
  PublicKey public_key_{};
};

bool verify(const PublicKey& key, const std::uint8_t* data, std::size_t size, const std::uint8_t* signature,
            std::size_t signature_size);

}  // namespace og::stellar
