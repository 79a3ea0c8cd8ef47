#pragma once
// Stellar's text encoding of keys: strkeys (SEP-23). RFC 4648 base32 without padding of
// version byte || payload || CRC16-XModem(version byte || payload), the checksum
// little-endian. https://github.com/stellar/stellar-protocol/blob/master/ecosystem/sep-0023.md
//
// Every decoder returns std::nullopt on any bad input and never throws: decoding is strict
// (canonical only), as SEP-23 requires: a length that is not a whole number of bytes, `=`
// padding, lowercase, non-zero unused trailing bits, a wrong version byte, a wrong payload
// size or a bad checksum are all refused. Its input is untrusted (tests/fuzz/stellar_fuzz.cpp).

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace og::stellar {

using Bytes = std::vector<std::uint8_t>;
using PublicKey = std::array<std::uint8_t, 32>;
using Seed = std::array<std::uint8_t, 32>;
using Hash = std::array<std::uint8_t, 32>;

// The one exception type of og::stellar (bad field, bad amount, bad XDR, OpenSSL failure).
// Its message never contains key material.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Version bytes (SEP-23): the key type << 3, so that the first base32 character names it.
inline constexpr std::uint8_t kVersionAccountId = 6 << 3;   // 'G', ed25519 public key
inline constexpr std::uint8_t kVersionSeed = 18 << 3;       // 'S', ed25519 secret seed
inline constexpr std::uint8_t kVersionMuxed = 12 << 3;      // 'M', ed25519 public key + 64-bit id

// Longest strkey the decoders look at (a muxed account has 69 characters; signed payloads,
// which we do not decode, up to 165).
inline constexpr std::size_t kMaxStrkeyLength = 200;

// RFC 4648 base32, alphabet A-Z2-7, no padding.
std::string base32_encode(const std::uint8_t* data, std::size_t size);
inline std::string base32_encode(const Bytes& b) { return base32_encode(b.data(), b.size()); }
// Strict: only the canonical spelling of some bytes (no padding, no lowercase, a length
// that is 0, 2, 4, 5 or 7 mod 8, unused trailing bits zero).
std::optional<Bytes> base32_decode(std::string_view text);

// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection).
std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size);

std::string strkey_encode(std::uint8_t version, const std::uint8_t* payload, std::size_t size);
// The payload when `text` is a canonical strkey with this version byte and a payload of
// exactly `payload_size` bytes.
std::optional<Bytes> strkey_decode(std::string_view text, std::uint8_t version, std::size_t payload_size);

// G...: an account id (ed25519 public key).
std::string encode_account_id(const PublicKey& key);
std::optional<PublicKey> decode_account_id(std::string_view text);

// S...: an ed25519 secret seed. Callers wipe what they get back when they are done.
std::string encode_seed(const Seed& seed);
std::optional<Seed> decode_seed(std::string_view text);

// A MuxedAccount: an ed25519 key with an optional 64-bit id. Without an id it is written
// G...; with one, M... (payload: the key, then the id big-endian).
struct MuxedAccount {
  PublicKey key{};
  std::optional<std::uint64_t> id{};
  bool operator==(const MuxedAccount&) const = default;
};
std::string encode_muxed_account(const MuxedAccount& account);
// G... (no id) or M... (with its id).
std::optional<MuxedAccount> decode_muxed_account(std::string_view text);

}  // namespace og::stellar
