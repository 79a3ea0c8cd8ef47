// The keyring's primitives: scrypt key derivation, AES-256-GCM seal/open with associated
// data, tamper detection, application passwords; cross-checked with Python's hashlib.scrypt
// and the `cryptography` package's AESGCM (implementations nobody here wrote).
#include <catch2/catch.hpp>
#include <set>

#include "common/crypto.h"
#include "daemon/secrets/keyring.h"
#include "daemon/secrets/secret_store.h"
#include "tests/support/omnid_process.h"

using namespace og::secrets;
using og::crypto::hex_decode;
using og::crypto::hex_encode;

namespace {

std::string key_bytes(const DataKey& k) {
  return std::string(reinterpret_cast<const char*>(k.data()), DataKey::kSize);
}

// Runs python3 with `script`; stdout, trimmed. Fails the test if python fails.
std::string python(const std::string& script, const std::string& input) {
  auto r = og::test::run_process({"/usr/bin/python3", "-c", script}, input);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("application passwords: 16 characters of the unambiguous alphabet, all different",
          "[keyring]") {
  std::set<std::string> seen;
  std::set<char> used;
  for (int i = 0; i < 200; ++i) {
    std::string p = generate_application_password();
    REQUIRE(p.size() == 16);
    for (char c : p) {
      REQUIRE(kApplicationPasswordAlphabet.find(c) != std::string_view::npos);
      used.insert(c);
    }
    REQUIRE(valid_application_password(p));
    REQUIRE(seen.insert(p).second);
  }
  // 3200 draws from 57 symbols: every symbol shows up (a broken sampler would skip some).
  REQUIRE(used.size() == kApplicationPasswordAlphabet.size());
  for (char c : std::string("0O1lI")) REQUIRE(used.count(c) == 0);

  REQUIRE(valid_application_password("18j182n2^03%m1)I"));  // the spec's example
  REQUIRE(valid_application_password("1ABC234D5EF67G8H"));
  REQUIRE_FALSE(valid_application_password("1ABC234D5EF67G8"));
  REQUIRE_FALSE(valid_application_password("1ABC234D5EF67G8HX"));
  REQUIRE_FALSE(valid_application_password("1ABC234D5EF67G8 "));
  REQUIRE_FALSE(valid_application_password(std::string("1ABC234D5EF67G8\0", 16)));
}

TEST_CASE("AES-256-GCM seal/open: round trip, wrong key, tampering, associated data", "[keyring]") {
  DataKey k = DataKey::random(), other = DataKey::random();
  const std::string secret = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n";
  std::string sealed = seal(k, secret, "sec_1\0jwt-signing-key");
  REQUIRE(sealed.size() == 12 + secret.size() + 16);
  REQUIRE(sealed.find("PRIVATE KEY") == std::string::npos);
  REQUIRE(open(k, sealed, "sec_1\0jwt-signing-key") == secret);
  // Two seals of one value differ (random nonces).
  REQUIRE(seal(k, secret, "a") != seal(k, secret, "a"));

  REQUIRE_FALSE(open(other, sealed, "sec_1\0jwt-signing-key"));
  REQUIRE_FALSE(open(k, sealed, "sec_2\0jwt-signing-key"));
  REQUIRE_FALSE(open(k, sealed, ""));
  for (std::size_t i :
       {std::size_t{0}, std::size_t{11}, std::size_t{12}, sealed.size() / 2, sealed.size() - 1}) {
    std::string t = sealed;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    INFO("flipped byte " << i);
    REQUIRE_FALSE(open(k, t, "sec_1\0jwt-signing-key"));
  }
  REQUIRE_FALSE(open(k, sealed.substr(0, sealed.size() - 1), "sec_1\0jwt-signing-key"));
  REQUIRE_FALSE(open(k, sealed.substr(0, 27), ""));
  REQUIRE(open(k, seal(k, "", "x"), "x") == "");
}

TEST_CASE("AES-256-GCM known answer: NIST GCM test vector (key 0^256, IV 0^96, 16 zero bytes)",
          "[keyring]") {
  // From the GCM specification (McGrew & Viega), test case 14.
  DataKey zero(std::array<unsigned char, 32>{});
  std::string sealed = seal(zero, std::string(16, '\0'), "", std::string(12, '\0'));
  REQUIRE(hex_encode(sealed.substr(12, 16)) == "cea7403d4d606b6e074ec5d3baf39d18");
  REQUIRE(hex_encode(sealed.substr(28)) == "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST_CASE("scrypt known answer: RFC 7914 test vector", "[keyring]") {
  // RFC 7914 section 12: P="password", S="NaCl", N=1024, r=8, p=16 (first 32 bytes of 64).
  DataKey k = derive_kek("password", "NaCl", KdfParams{1024, 8, 16});
  REQUIRE(hex_encode(key_bytes(k)) ==
          "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");
}

TEST_CASE(
    "a wrapped key made here opens with python's hashlib.scrypt + cryptography AESGCM, and back",
    "[keyring][python]") {
  const std::string password = generate_application_password();
  const std::string salt = "0123456789abcdef";
  DataKey kek = derive_kek(password, salt, KdfParams{});
  DataKey master = DataKey::random();
  std::string wrapped = seal(kek, key_bytes(master), kKeyringAad);

  // Python reads: password, salt hex, wrapped hex; prints the unwrapped key in hex.
  const std::string unwrap = R"(
import sys, hashlib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
pw, salt, wrapped = sys.stdin.read().split()
kek = hashlib.scrypt(pw.encode(), salt=bytes.fromhex(salt), n=32768, r=8, p=1, maxmem=64*1024*1024, dklen=32)
w = bytes.fromhex(wrapped)
print(AESGCM(kek).decrypt(w[:12], w[12:], b"omnigate-keyring-v1").hex())
)";
  REQUIRE(python(unwrap, password + " " + hex_encode(salt) + " " + hex_encode(wrapped)) ==
          hex_encode(key_bytes(master)));

  // The other way: python seals a secret with a data key and the id/kind associated data.
  const std::string pyseal = R"(
import sys, os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key, aad, plain = sys.stdin.read().split()
nonce = os.urandom(12)
print((nonce + AESGCM(bytes.fromhex(key)).encrypt(nonce, bytes.fromhex(plain), bytes.fromhex(aad))).hex())
)";
  const std::string aad = EncryptedSecretStore::aad("sec_0123456789abcdef01234567", "mfa-seed");
  const std::string seed = "12345678901234567890";
  std::string sealed = *hex_decode(python(
      pyseal, hex_encode(key_bytes(master)) + " " + hex_encode(aad) + " " + hex_encode(seed)));
  REQUIRE(open(master, sealed, aad) == seed);
  REQUIRE_FALSE(
      open(master, sealed,
           EncryptedSecretStore::aad("sec_0123456789abcdef01234567", "oauth-client-secret")));

  // And a wrong password's KEK does not open the wrapped key.
  DataKey wrong = derive_kek("AAAAAAAAAAAAAAAA", salt, KdfParams{});
  REQUIRE_FALSE(open(wrong, wrapped, kKeyringAad));
  REQUIRE(open(kek, wrapped, kKeyringAad) == key_bytes(master));
}

TEST_CASE("an encrypted secret store refuses to read or write while locked", "[keyring]") {
  EncryptedSecretStore store;
  REQUIRE_FALSE(store.unlocked());
  store.unlock(DataKey::random());
  REQUIRE(store.unlocked());
  PlainSecretStore plain;
  REQUIRE(plain.unlocked());
}
