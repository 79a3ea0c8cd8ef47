// TOTP and base32: RFC 4648 / RFC 4226 / RFC 6238 test vectors, the verify window, and a
// cross-check against oathtool (OATH Toolkit), which nobody here wrote.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/totp.h"

namespace totp = og::totp;

namespace {

const std::string kRfcSecret = "12345678901234567890";  // RFC 4226 / RFC 6238 SHA-1 key

// Runs a shell command and returns its standard output; fails the test on a non-zero exit.
std::string run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  INFO(cmd);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("totp: base32 matches the RFC 4648 section 10 test vectors", "[totp]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "MY======"},
      {"fo", "MZXQ===="},
      {"foo", "MZXW6==="},
      {"foob", "MZXW6YQ="},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI======"},
  };
  for (const auto& [plain, padded] : vectors) {
    INFO(plain);
    CHECK(totp::base32_encode(plain, /*pad=*/true) == padded);
    std::string unpadded = padded.substr(0, padded.find('='));
    CHECK(totp::base32_encode(plain) == unpadded);
    CHECK(totp::base32_decode(padded) == plain);
    CHECK(totp::base32_decode(unpadded) == plain);
  }
}

TEST_CASE("totp: base32 decoding is case-insensitive, ignores spaces, refuses junk", "[totp]") {
  CHECK(totp::base32_decode("mzxw6ytboi") == "foobar");
  CHECK(totp::base32_decode("MzXw 6yTb Oi") == "foobar");
  CHECK(totp::base32_decode("K5JA RNEQ W2RQ IMAM").value().size() == 10);
  CHECK_FALSE(totp::base32_decode("MZXW6YTB1"));  // '1' is not in the alphabet
  CHECK_FALSE(totp::base32_decode("MZXW0"));      // nor '0'
  CHECK_FALSE(totp::base32_decode("MZXW-6YT"));
  CHECK_FALSE(totp::base32_decode("M"));  // 1, 3, 6 trailing symbols: impossible
  CHECK_FALSE(totp::base32_decode("MZX"));
  CHECK_FALSE(totp::base32_decode("MZXW6Y"));
  CHECK_FALSE(totp::base32_decode("MZ======X"));  // data after padding
  CHECK_FALSE(totp::base32_decode("MZ==="));      // wrong amount of padding
  CHECK_FALSE(totp::base32_decode("MZ"));         // "MY" is canonical for "f"; Z leaves a 1 bit
}

TEST_CASE("totp: base32 round-trips every byte value and length", "[totp]") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string part = bytes.substr(len * 5 % 200, len);
    CHECK(totp::base32_decode(totp::base32_encode(part)) == part);
    CHECK(totp::base32_decode(totp::base32_encode(part, true)) == part);
  }
  CHECK(totp::base32_decode(totp::base32_encode(bytes)) == bytes);
}

TEST_CASE("totp: HOTP matches RFC 4226 appendix D", "[totp]") {
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter)
    CHECK(totp::code(kRfcSecret, counter) == expected[counter]);
}

TEST_CASE("totp: TOTP matches RFC 6238 appendix B (SHA-1)", "[totp]") {
  const std::vector<std::pair<std::int64_t, std::string>> vectors = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, code8] : vectors) {
    INFO(t);
    std::uint64_t step = totp::step_at(t);
    CHECK(step == static_cast<std::uint64_t>(t / 30));
    CHECK(totp::code(kRfcSecret, step, 8) == code8);
    CHECK(totp::code(kRfcSecret, step) == code8.substr(2));  // 6 digits: the last six
    CHECK(totp::verify(kRfcSecret, code8.substr(2), t, 0) == step);
  }
  CHECK(totp::step_at(0) == 0);
  CHECK(totp::step_at(29) == 0);
  CHECK(totp::step_at(30) == 1);
  CHECK(totp::step_at(-1) == 0);
}

TEST_CASE("totp: code() refuses an empty secret and odd digit counts", "[totp]") {
  CHECK_THROWS_AS(totp::code("", 1), std::invalid_argument);
  CHECK_THROWS_AS(totp::code(kRfcSecret, 1, 5), std::invalid_argument);
  CHECK_THROWS_AS(totp::code(kRfcSecret, 1, 10), std::invalid_argument);
  CHECK(totp::code(kRfcSecret, 1, 9).size() == 9);
}

TEST_CASE("totp: verify accepts +-1 step, refuses +-2, and returns the step", "[totp]") {
  const std::int64_t now = 1'700'000'015;  // inside step 56666667
  const std::uint64_t step = totp::step_at(now);
  REQUIRE(step == 56666667);
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, step), now) == step);
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, step - 1), now) == step - 1);
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, step + 1), now) == step + 1);
  CHECK_FALSE(totp::verify(kRfcSecret, totp::code(kRfcSecret, step - 2), now));
  CHECK_FALSE(totp::verify(kRfcSecret, totp::code(kRfcSecret, step + 2), now));
  // A wider window reaches further; window 0 only the current step.
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, step - 2), now, 2) == step - 2);
  CHECK_FALSE(totp::verify(kRfcSecret, totp::code(kRfcSecret, step - 1), now, 0));
  // The window does not go below step 0.
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, 0), 5) == 0u);
  CHECK(totp::verify(kRfcSecret, totp::code(kRfcSecret, 1), 5) == 1u);
}

TEST_CASE("totp: verify refuses malformed codes and other secrets", "[totp]") {
  const std::int64_t now = 1'700'000'015;
  std::string good = totp::code(kRfcSecret, totp::step_at(now));
  CHECK(totp::verify(kRfcSecret, good, now));
  CHECK_FALSE(totp::verify("another secret", good, now));
  CHECK_FALSE(totp::verify("", good, now));
  CHECK_FALSE(totp::verify(kRfcSecret, good.substr(0, 5), now));
  CHECK_FALSE(totp::verify(kRfcSecret, good + "0", now));
  CHECK_FALSE(totp::verify(kRfcSecret, good.substr(0, 3) + " " + good.substr(3), now));
  CHECK_FALSE(totp::verify(kRfcSecret, "12345a", now));
  CHECK_FALSE(totp::verify(kRfcSecret, "", now));
  std::string wrong = good;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  // Compute the single intended neighbour codes; the altered code must match none of them.
  bool collides = false;
  for (std::uint64_t s = totp::step_at(now) - 1; s <= totp::step_at(now) + 1; ++s)
    collides = collides || totp::code(kRfcSecret, s) == wrong;
  if (!collides) CHECK_FALSE(totp::verify(kRfcSecret, wrong, now));
}

TEST_CASE("totp: new_seed is 16 base32 characters of 10 random bytes", "[totp]") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string seed = totp::new_seed();
    REQUIRE(seed.size() == 16);
    auto bytes = totp::base32_decode(seed);
    REQUIRE(bytes);
    CHECK(bytes->size() == 10);
    CHECK(totp::base32_encode(*bytes) == seed);
    seen.insert(seed);
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("totp: otpauth URI with percent-encoded issuer and account", "[totp]") {
  CHECK(totp::otpauth_uri("K5JARNEQW2RQIMAM", "Omnigate", "alice@example.com") ==
        "otpauth://totp/Omnigate:alice%40example.com?secret=K5JARNEQW2RQIMAM&issuer=Omnigate"
        "&algorithm=SHA1&digits=6&period=30");
  CHECK(totp::otpauth_uri("k5ja rneq w2rq imam", "ACME Co: Pay&Go", "b\xC3\xBC ro/x?y") ==
        "otpauth://totp/ACME%20Co%3A%20Pay%26Go:b%C3%BC%20ro%2Fx%3Fy?secret=K5JARNEQW2RQIMAM"
        "&issuer=ACME%20Co%3A%20Pay%26Go&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("totp: codes agree with oathtool at fixed instants", "[totp][external]") {
  const std::string oathtool = "/usr/bin/oathtool";
  if (std::FILE* f = std::fopen(oathtool.c_str(), "r")) {
    std::fclose(f);
  } else {
    FAIL("oathtool is not installed (Debian package oathtool)");
  }
  const std::vector<std::int64_t> instants = {0,          59,         1111111109, 1700000029,
                                              1700000030, 1767225600, 2000000000, 4102444799};
  // The spec's example seed, and a fresh one so the check is not tied to one key.
  for (const std::string& seed : {std::string("K5JARNEQW2RQIMAM"), totp::new_seed()}) {
    auto secret = totp::base32_decode(seed);
    REQUIRE(secret);
    for (std::int64_t t : instants) {
      INFO("seed " << seed << " at " << t);
      std::string theirs =
          run(oathtool + " --totp --base32 " + seed + " --now '@" + std::to_string(t) + "'");
      CHECK(theirs == totp::code(*secret, totp::step_at(t)));
      CHECK(totp::verify(*secret, theirs, t, 0) == totp::step_at(t));
    }
  }
  // oathtool's own date syntax, as in its manual.
  CHECK(run(oathtool + " --totp --base32 K5JARNEQW2RQIMAM -N '2026-01-01 00:00:00 UTC'") ==
        totp::code(*totp::base32_decode("K5JARNEQW2RQIMAM"), totp::step_at(1767225600)));
  // 8 digits, hex key: the RFC 6238 vector through oathtool too.
  CHECK(run(oathtool + " --totp -d 8 3132333435363738393031323334353637383930 --now '@59'") ==
        "94287082");
}
