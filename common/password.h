#pragma once
// Passwords: scrypt hashing (OpenSSL's EVP_PBE_scrypt) in a self-describing encoding, and
// the spec's password policy.
//
// Encoding: scrypt$ln=15,r=8,p=1$<salt base64url>$<hash base64url>
//   N = 2^ln, 16 random salt bytes per hash, 32-byte output; about 32 MiB and a few tens
//   of milliseconds per hash. The parameters travel with the hash so they can be raised
//   later: verify() accepts any parameters within sane bounds and needs_rehash() tells
//   the login code to store a fresh hash() once the password is known to be right.

#include <optional>
#include <string>
#include <string_view>

namespace og::password {

// A fresh salted hash with the current parameters. Throws std::runtime_error if OpenSSL
// fails (the message never contains the password).
std::string hash(std::string_view password);

// True if `password` matches `encoded` (constant-time comparison). False, never an
// exception, for a malformed encoding or parameters outside the accepted bounds
// (ln 10..20, r 1..32, p 1..16, at most 256 MiB, salt 8..64 bytes, hash 16..64 bytes).
bool verify(std::string_view password, std::string_view encoded);

// Costs the same as verify() with the current parameters and always returns false.
// Call it when the account does not exist, so that login time does not tell an attacker
// whether an e-mail address is registered:
//   bool ok = user ? verify(pw, user->password_hash) : dummy_verify(pw);
bool dummy_verify(std::string_view password);

// True if `encoded` is not a hash with the current parameters (including malformed ones).
bool needs_rehash(std::string_view encoded);

// nullopt if the password satisfies the policy, else a message naming the first rule it
// breaks (never echoing the password). Rules:
//   - valid UTF-8 without control characters;
//   - 8 to 16 characters, counted as Unicode code points;
//   - at least one lowercase (a-z), one uppercase (A-Z), one digit (0-9) and one symbol:
//     a printable ASCII character that is neither letter nor digit. The space counts as a
//     symbol (it is printable ASCII, and passphrase-like passwords should not be pushed
//     away). Non-ASCII characters count towards the length but towards no class.
std::optional<std::string> policy_violation(std::string_view password);

}  // namespace og::password
