#pragma once
// XRP Ledger seeds, key pairs, account ids and signatures, exactly as rippled and
// ripple-keypairs derive them (https://xrpl.org/docs/concepts/accounts/cryptographic-keys).
// OpenSSL 3.0 only: SHA-256/SHA-512, secp256k1 (EC_POINT arithmetic, ECDSA through EVP),
// Ed25519 through EVP; RIPEMD-160 is our own (ripemd160.cpp), since OpenSSL 3.0.0-3.0.6
// keep it in the legacy provider and FIPS builds lack it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/bridges/xrpl/base58.h"

namespace og::xrpl {

enum class KeyType { secp256k1, ed25519 };

using Hash256 = std::array<std::uint8_t, 32>;

Hash256 sha256(const std::uint8_t* data, std::size_t n);
// First 32 bytes of SHA-512: the XRP Ledger's hash for keys, signing and transaction ids.
Hash256 sha512_half(const std::uint8_t* data, std::size_t n);
inline Hash256 sha512_half(const Bytes& b) { return sha512_half(b.data(), b.size()); }
std::array<std::uint8_t, 20> ripemd160(const std::uint8_t* data, std::size_t n);

// 16 bytes of entropy and the key type they are for. The bytes are wiped on destruction.
struct Seed {
  KeyType type = KeyType::ed25519;
  std::array<std::uint8_t, 16> bytes{};
  Seed() = default;
  Seed(KeyType t, const std::array<std::uint8_t, 16>& b) : type(t), bytes(b) {}
  Seed(const Seed&) = default;
  Seed& operator=(const Seed&) = default;
  ~Seed();
};

// A new seed from RAND_bytes. Throws Error when the generator fails.
Seed generate_seed(KeyType type);
// "s..." (secp256k1, version 0x21) or "sEd..." (ed25519, version 0x01 0xE1 0x4B).
std::string encode_seed(const Seed& seed);
std::optional<Seed> decode_seed(std::string_view text);

// An account's key pair (account index 0 for secp256k1). public_key: 33 bytes (compressed
// secp256k1 point, or 0xED || Ed25519 key). private_key: the 32-byte scalar or Ed25519
// private key, wiped on destruction.
struct KeyPair {
  KeyType type = KeyType::ed25519;
  Bytes public_key{};
  std::array<std::uint8_t, 32> private_key{};
  KeyPair() = default;
  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  ~KeyPair();
};

KeyPair derive_keypair(const Seed& seed);
// From the seed's text; throws Error("xrpl: invalid seed") (never echoing the text).
KeyPair derive_keypair(std::string_view seed_text);
// secp256k1 only: the root ("validator") key pair, before the account tweak.
KeyPair derive_root_keypair(const Seed& seed);

// RIPEMD-160(SHA-256(public key)).
AccountId account_id(const Bytes& public_key);
std::string classic_address(const Bytes& public_key);

// secp256k1: ECDSA over SHA-512Half(message), DER, canonical (low S).
// ed25519: Ed25519 over the message itself (64 bytes).
Bytes sign_message(const KeyPair& key, const Bytes& message);
// False for any malformed key or signature; for secp256k1 the signature must be strict DER
// and fully canonical (low S), as rippled requires.
bool verify_message(const Bytes& public_key, const Bytes& message, const Bytes& signature);

// The key type of a 33-byte signing public key (0xED..., or 0x02/0x03 with a point on the
// curve), std::nullopt when it is neither.
std::optional<KeyType> public_key_type(const Bytes& public_key);

std::string to_hex(const std::uint8_t* data, std::size_t n);  // uppercase
inline std::string to_hex(const Bytes& b) { return to_hex(b.data(), b.size()); }
std::optional<Bytes> from_hex(std::string_view hex);  // either case, even length

}  // namespace og::xrpl
