#include "common/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "common/crypto.h"

namespace og::totp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

constexpr std::uint32_t kPowersOfTen[] = {1,      10,      100,      1000,      10000,
                                          100000, 1000000, 10000000, 100000000, 1000000000};

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kAlphabet[(acc >> bits) & 31];
    }
    acc &= (1u << bits) - 1;  // keep only the bits not yet written
  }
  if (bits > 0) out += kAlphabet[(acc << (5 - bits)) & 31];
  if (pad)
    while (out.size() % 8 != 0) out += '=';
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t symbols = 0, padding = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    int v = base32_value(c);
    if (v < 0) return std::nullopt;
    ++symbols;
    acc = (acc << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
    acc &= (1u << bits) - 1;
  }
  // A final group of 1, 3 or 6 symbols cannot come from whole bytes.
  std::size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
  if (padding > 0 && ((symbols + padding) % 8 != 0 || padding >= 8)) return std::nullopt;
  if (acc != 0) return std::nullopt;  // unused low bits must be zero (canonical)
  return out;
}

std::string code(std::string_view secret_bytes, std::uint64_t step, int digits) {
  if (secret_bytes.empty()) throw std::invalid_argument("TOTP secret is empty");
  if (digits < 6 || digits > 9) throw std::invalid_argument("TOTP digits must be 6 to 9");
  std::array<unsigned char, 8> counter{};
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<unsigned char>(step & 0xFF);
    step >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha1(), secret_bytes.data(), static_cast<int>(secret_bytes.size()), counter.data(),
            counter.size(), mac.data(), &mac_len) ||
      mac_len != 20)
    throw std::runtime_error("HMAC-SHA-1 failed");
  // RFC 4226 section 5.3, dynamic truncation.
  unsigned offset = mac[19] & 0x0F;
  std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                         (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                         (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                         static_cast<std::uint32_t>(mac[offset + 3]);
  std::uint32_t value = binary % kPowersOfTen[digits];
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

std::uint64_t step_at(std::int64_t unix_seconds) {
  if (unix_seconds < 0) return 0;
  return static_cast<std::uint64_t>(unix_seconds / kPeriodSeconds);
}

std::optional<std::uint64_t> verify(std::string_view secret_bytes, std::string_view code_text,
                                    std::int64_t now, int window) {
  if (secret_bytes.empty() || code_text.size() != static_cast<std::size_t>(kDigits))
    return std::nullopt;
  if (!std::all_of(code_text.begin(), code_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  window = std::clamp(window, 0, 10);
  const std::uint64_t current = step_at(now);
  const auto w = static_cast<std::uint64_t>(window);
  const std::uint64_t first = current >= w ? current - w : 0;
  std::optional<std::uint64_t> matched;
  // Every candidate is computed and compared, so the time does not depend on which matched.
  for (std::uint64_t s = first; s <= current + w; ++s) {
    bool equal = crypto::constant_time_equal(code(secret_bytes, s), code_text);
    if (equal && !matched) matched = s;
  }
  return matched;
}

std::string new_seed() {
  auto bytes = crypto::random_bytes(10);
  std::string seed =
      base32_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return seed;
}

std::string otpauth_uri(std::string_view base32_seed, std::string_view issuer,
                        std::string_view account) {
  std::string seed;
  for (char c : base32_seed) {
    if (c == ' ' || c == '=') continue;
    seed += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  std::string enc_issuer = percent_encode(issuer);
  return "otpauth://totp/" + enc_issuer + ":" + percent_encode(account) +
         "?secret=" + percent_encode(seed) + "&issuer=" + enc_issuer +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace og::totp
