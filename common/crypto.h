#pragma once
// Small wrappers over OpenSSL: randomness, hashing, encodings, constant-time compare.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace og::crypto {

using Sha256 = std::array<unsigned char, 32>;

// Cryptographically secure random bytes (RAND_bytes). Throws std::runtime_error on failure.
std::vector<unsigned char> random_bytes(std::size_t n);
// n random bytes as 2n uppercase hex characters (API keys: 16 bytes -> 32 characters).
std::string random_hex(std::size_t n_bytes);

// For identifiers (transaction and request ids), not for secrets: bytes from RAND_bytes,
// drawn 512 at a time into a per-thread buffer (one RAND_bytes call per request cost
// about 1% of a transfer's CPU). The buffer is dropped in a child after fork().
void identifier_random(unsigned char* out, std::size_t n);
// n bytes from identifier_random as 2n uppercase hex characters.
std::string identifier_hex(std::size_t n_bytes);

Sha256 sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

std::string hex_encode(const unsigned char* data, std::size_t n, bool upper = false);
std::string hex_encode(std::string_view bytes, bool upper = false);
std::optional<std::string> hex_decode(std::string_view hex);

std::string base64url_encode(std::string_view bytes);  // no padding
std::string base64_encode(std::string_view bytes);     // RFC 4648 section 4, padded (HTTP Basic)
std::optional<std::string> base64url_decode(std::string_view text);

// Compares in time independent of where the inputs differ (lengths may leak).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace og::crypto
