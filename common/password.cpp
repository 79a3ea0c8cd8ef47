#include "common/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common/crypto.h"

namespace og::password {
namespace {

struct Params {
  int ln = 0;  // N = 2^ln
  int r = 0;
  int p = 0;
};

constexpr Params kCurrent{15, 8, 1};
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxMemory = 256ull << 20;

// OpenSSL needs 128*r*(N+2) bytes for V plus 128*r*p for B; its default limit (32 MiB)
// is just below what N=2^15, r=8 needs, so the limit is always passed explicitly.
std::uint64_t memory_needed(const Params& q) {
  return 128ull * static_cast<std::uint64_t>(q.r) *
         ((1ull << q.ln) + 2 + static_cast<std::uint64_t>(q.p));
}

bool within_bounds(const Params& q) {
  return q.ln >= 10 && q.ln <= 20 && q.r >= 1 && q.r <= 32 && q.p >= 1 && q.p <= 16 &&
         memory_needed(q) <= kMaxMemory;
}

std::string derive(std::string_view password, std::string_view salt, const Params& q,
                   std::size_t out_len) {
  std::string out(out_len, '\0');
  static const char kEmpty[1] = {0};
  const char* pass = password.empty() ? kEmpty : password.data();
  if (EVP_PBE_scrypt(pass, password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), 1ull << q.ln, static_cast<std::uint64_t>(q.r),
                     static_cast<std::uint64_t>(q.p), memory_needed(q) + (1u << 20),
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
    throw std::runtime_error("scrypt failed (OpenSSL EVP_PBE_scrypt)");
  return out;
}

std::string encode(const Params& q, std::string_view salt, std::string_view hashed) {
  return "scrypt$ln=" + std::to_string(q.ln) + ",r=" + std::to_string(q.r) +
         ",p=" + std::to_string(q.p) + "$" + crypto::base64url_encode(salt) + "$" +
         crypto::base64url_encode(hashed);
}

// Reads "<name>=<1 to 3 digits>" at the front of `text` and advances past it.
bool take_number(std::string_view& text, std::string_view name, int& value) {
  if (text.substr(0, name.size()) != name || text.size() <= name.size() || text[name.size()] != '=')
    return false;
  text.remove_prefix(name.size() + 1);
  std::size_t n = 0;
  while (n < text.size() && n < 4 && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0 || n > 3 || (n > 1 && text[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, value);
  if (ec != std::errc() || ptr != text.data() + n) return false;
  text.remove_prefix(n);
  return true;
}

struct Parsed {
  Params params;
  std::string salt;
  std::string hashed;
};

std::optional<Parsed> parse(std::string_view encoded) {
  constexpr std::string_view kPrefix = "scrypt$";
  if (encoded.size() > 512 || encoded.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = encoded.substr(kPrefix.size());
  Parsed out;
  if (!take_number(rest, "ln", out.params.ln) || rest.empty() || rest[0] != ',')
    return std::nullopt;
  rest.remove_prefix(1);
  if (!take_number(rest, "r", out.params.r) || rest.empty() || rest[0] != ',') return std::nullopt;
  rest.remove_prefix(1);
  if (!take_number(rest, "p", out.params.p) || rest.empty() || rest[0] != '$') return std::nullopt;
  rest.remove_prefix(1);
  auto dollar = rest.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  auto salt = crypto::base64url_decode(rest.substr(0, dollar));
  auto hashed = crypto::base64url_decode(rest.substr(dollar + 1));
  if (!salt || !hashed) return std::nullopt;
  if (salt->size() < 8 || salt->size() > 64 || hashed->size() < 16 || hashed->size() > 64)
    return std::nullopt;
  if (!within_bounds(out.params)) return std::nullopt;
  out.salt = std::move(*salt);
  out.hashed = std::move(*hashed);
  return out;
}

// Decodes one UTF-8 code point at `i`; returns its length or 0 if invalid (overlong
// forms, surrogates and values above U+10FFFF are invalid).
std::size_t utf8_length_at(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  std::size_t len;
  std::uint32_t cp;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    len = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string hash(std::string_view password) {
  auto salt_bytes = crypto::random_bytes(kSaltBytes);
  std::string salt(salt_bytes.begin(), salt_bytes.end());
  std::string hashed = derive(password, salt, kCurrent, kHashBytes);
  std::string out = encode(kCurrent, salt, hashed);
  OPENSSL_cleanse(hashed.data(), hashed.size());
  return out;
}

bool verify(std::string_view password, std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return false;
  std::string candidate;
  try {
    candidate = derive(password, parsed->salt, parsed->params, parsed->hashed.size());
  } catch (const std::runtime_error&) {
    return false;
  }
  bool equal = crypto::constant_time_equal(candidate, parsed->hashed);
  OPENSSL_cleanse(candidate.data(), candidate.size());
  return equal;
}

bool dummy_verify(std::string_view password) {
  // A well-formed hash with the current parameters that no password is known to match;
  // the same parsing, derivation and comparison as a real verify() are done.
  static const std::string kDummy =
      encode(kCurrent, std::string(kSaltBytes, '\x5a'), std::string(kHashBytes, '\xa5'));
  (void)verify(password, kDummy);
  return false;
}

bool needs_rehash(std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return true;
  const Params& q = parsed->params;
  return q.ln != kCurrent.ln || q.r != kCurrent.r || q.p != kCurrent.p ||
         parsed->salt.size() != kSaltBytes || parsed->hashed.size() != kHashBytes;
}

std::optional<std::string> policy_violation(std::string_view password) {
  std::size_t characters = 0;
  bool lower = false, upper = false, digit = false, symbol = false;
  for (std::size_t i = 0; i < password.size();) {
    std::size_t len = utf8_length_at(password, i);
    if (len == 0) return "password must be valid UTF-8 text";
    if (len == 1) {
      char c = password[i];
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        return "password must not contain control characters";
      if (c >= 'a' && c <= 'z')
        lower = true;
      else if (c >= 'A' && c <= 'Z')
        upper = true;
      else if (c >= '0' && c <= '9')
        digit = true;
      else
        symbol = true;  // printable ASCII, space included
    } else if (len == 2 && static_cast<unsigned char>(password[i]) == 0xC2 &&
               static_cast<unsigned char>(password[i + 1]) < 0xA0) {
      return "password must not contain control characters";  // C1 controls U+0080..U+009F
    }
    i += len;
    ++characters;
  }
  if (characters < 8 || characters > 16) return "password must be 8 to 16 characters long";
  if (!lower) return "password must contain at least one lowercase letter (a-z)";
  if (!upper) return "password must contain at least one uppercase letter (A-Z)";
  if (!digit) return "password must contain at least one digit (0-9)";
  if (!symbol)
    return "password must contain at least one symbol (a printable ASCII character other "
           "than a letter or digit, e.g. !#%+-_ or space)";
  return std::nullopt;
}

}  // namespace og::password
