#pragma once
// One-time passwords for second-factor login: RFC 4648 base32 (how seeds are shown to
// people and authenticator apps), HOTP (RFC 4226) and TOTP (RFC 6238: HMAC-SHA-1,
// 6 digits, 30-second steps from the Unix epoch).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace og::totp {

inline constexpr int kDigits = 6;
inline constexpr std::int64_t kPeriodSeconds = 30;

// RFC 4648 base32, uppercase alphabet A-Z2-7. Without padding unless `pad` is set.
std::string base32_encode(std::string_view bytes, bool pad = false);
// Case-insensitive; spaces are ignored; trailing '=' padding is accepted but not required.
// nullopt for other characters, an impossible length or non-zero unused trailing bits.
std::optional<std::string> base32_decode(std::string_view text);

// HOTP(secret, counter) as `digits` decimal digits (6 to 9); TOTP is this with
// counter = step_at(time). Throws std::invalid_argument for an empty secret or digits
// out of range.
std::string code(std::string_view secret_bytes, std::uint64_t step, int digits = kDigits);

// The TOTP step containing `unix_seconds` (floor(t / 30)); times before 1970 give step 0.
std::uint64_t step_at(std::int64_t unix_seconds);

// Checks a 6-digit code_text against the steps step_at(now) - window ... step_at(now) + window
// (window is clamped to 0..10) and returns the step that matched, or nullopt (also for
// an empty secret or a code that is not exactly 6 ASCII digits). Codes are compared in
// constant time.
//
// Replay: a code stays valid for up to (2 * window + 1) steps. The caller MUST store the
// last accepted step per user and refuse a result <= that step, so that each code (and
// any earlier one) is accepted at most once.
std::optional<std::uint64_t> verify(std::string_view secret_bytes, std::string_view code_text,
                                    std::int64_t now, int window = 1);

// A fresh random seed: 10 bytes (80 bits) from the system's CSPRNG as 16 base32
// characters. Store it as a secret; decode with base32_decode before code()/verify().
std::string new_seed();

// The Key URI an authenticator app reads from a QR code:
// otpauth://totp/ISSUER:ACCOUNT?secret=SEED&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded (RFC 3986 unreserved characters kept) and the
// seed normalised (uppercase, no spaces, no padding).
std::string otpauth_uri(std::string_view base32_seed, std::string_view issuer,
                        std::string_view account);

}  // namespace og::totp
