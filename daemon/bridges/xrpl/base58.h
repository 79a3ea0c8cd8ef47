#pragma once
// The XRP Ledger's text encodings: base58 with its own alphabet, base58check (a 4-byte
// double-SHA-256 checksum) with a version prefix, and the addresses and seeds built on it:
// classic addresses (r...), X-addresses (X... / T...), family seeds (s... / sEd...).
// https://xrpl.org/docs/references/protocol/data-types/base58-encodings
//
// Every decoder returns std::nullopt on any bad input (alphabet, checksum, length, prefix,
// flag) and never throws: its input is untrusted (fuzzed by tests/fuzz/xrpl_fuzz.cpp).

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace og::xrpl {

using Bytes = std::vector<std::uint8_t>;
using AccountId = std::array<std::uint8_t, 20>;

// The one exception type of og::xrpl (bad field, bad amount, bad address, unsupported
// transaction type, OpenSSL failure). Its message never contains key material.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view kAlphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
// Longest text the decoders look at: every XRP Ledger base58 value is shorter (a node
// public key, the longest, has 53 characters); longer input is refused before the
// quadratic base conversion runs.
inline constexpr std::size_t kMaxBase58Length = 128;

std::string base58_encode(const Bytes& bytes);
std::optional<Bytes> base58_decode(std::string_view text);

// version || payload || first 4 bytes of SHA-256(SHA-256(version || payload)).
std::string base58check_encode(const Bytes& version, const Bytes& payload);
// The payload, when `text` decodes, its checksum matches, it starts with `version` and the
// payload has exactly `payload_size` bytes.
std::optional<Bytes> base58check_decode(std::string_view text, const Bytes& version, std::size_t payload_size);

// Classic address: base58check(0x00 || account id).
std::string encode_classic_address(const AccountId& id);
std::optional<AccountId> decode_classic_address(std::string_view address);

// X-address (ripple-address-codec): prefix 0x05 0x44 (main net) or 0x04 0x93 (test net),
// account id, flag (0: no tag, 1: tag), tag little-endian in 4 bytes, 4 zero bytes.
struct XAddress {
  AccountId account_id{};
  std::optional<std::uint32_t> tag{};
  bool test_net = false;
};
std::string encode_x_address(const AccountId& id, std::optional<std::uint32_t> tag, bool test_net);
std::optional<XAddress> decode_x_address(std::string_view address);

// An account id from either a classic address or an X-address (tag and network dropped:
// callers that need the tag use decode_x_address).
std::optional<AccountId> account_id_from_address(std::string_view address);

// Node public key (n...): base58check(0x1C || 33-byte key); account public key (a...): 0x23.
std::string encode_node_public(const Bytes& public_key);
std::optional<Bytes> decode_node_public(std::string_view text);
std::string encode_account_public(const Bytes& public_key);
std::optional<Bytes> decode_account_public(std::string_view text);

}  // namespace og::xrpl
