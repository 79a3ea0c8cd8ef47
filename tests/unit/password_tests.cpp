// Password hashing (scrypt) and the password policy. Cross-checked against the RFC 7914
// scrypt test vector and Python's hashlib.scrypt, which nobody here wrote.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/password.h"

namespace pw = og::password;
using og::crypto::base64url_encode;

namespace {

const std::string kPython = "/usr/bin/python3";  // Debian's, not a pyenv on PATH

std::string run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  INFO(cmd << "\n" << out);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "og-pw-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

std::string hex_to_bytes(const std::string& hex) {
  return og::crypto::hex_decode(hex).value();
}

// "scrypt$ln=..,r=..,p=..$salt$hash" split at '$'.
std::vector<std::string> fields(const std::string& encoded) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t pos; (pos = encoded.find('$', start)) != std::string::npos; start = pos + 1)
    out.push_back(encoded.substr(start, pos - start));
  out.push_back(encoded.substr(start));
  return out;
}

template <class F>
double median_ms_of_3(F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[1];
}

}  // namespace

TEST_CASE("password: hash has the documented shape and verifies", "[password]") {
  std::string h = pw::hash("Correct-Horse9");
  auto f = fields(h);
  REQUIRE(f.size() == 4);
  CHECK(f[0] == "scrypt");
  CHECK(f[1] == "ln=15,r=8,p=1");
  CHECK(og::crypto::base64url_decode(f[2]).value().size() == 16);
  CHECK(og::crypto::base64url_decode(f[3]).value().size() == 32);
  CHECK(pw::verify("Correct-Horse9", h));
  CHECK_FALSE(pw::verify("Correct-Horse8", h));
  CHECK_FALSE(pw::verify("correct-Horse9", h));
  CHECK_FALSE(pw::verify("", h));
  CHECK_FALSE(pw::needs_rehash(h));
}

TEST_CASE("password: each hash has its own salt", "[password]") {
  std::string a = pw::hash("Same-Password1"), b = pw::hash("Same-Password1");
  CHECK(a != b);
  CHECK(fields(a)[2] != fields(b)[2]);
  CHECK(pw::verify("Same-Password1", a));
  CHECK(pw::verify("Same-Password1", b));
}

TEST_CASE("password: the empty password and non-ASCII passwords hash and verify", "[password]") {
  std::string h = pw::hash("");
  CHECK(pw::verify("", h));
  CHECK_FALSE(pw::verify(" ", h));
  std::string u = pw::hash("Gr\xC3\xBC\xC3\x9F Gott 1!");
  CHECK(pw::verify("Gr\xC3\xBC\xC3\x9F Gott 1!", u));
  CHECK_FALSE(pw::verify("Gru\xCC\x88\xC3\x9F Gott 1!", u));  // decomposed u-umlaut: other bytes
}

TEST_CASE("password: RFC 7914 scrypt test vector, in our encoding", "[password]") {
  // RFC 7914 section 12: P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1, dkLen=64.
  const std::string dk = hex_to_bytes(
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
      "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
  std::string encoded =
      "scrypt$ln=14,r=8,p=1$" + base64url_encode("SodiumChloride") + "$" + base64url_encode(dk);
  CHECK(pw::verify("pleaseletmein", encoded));
  CHECK_FALSE(pw::verify("pleaseletmeIn", encoded));
  CHECK(pw::needs_rehash(encoded));  // other parameters (and a 64-byte output)
}

TEST_CASE("password: agrees with Python's hashlib.scrypt both ways", "[password][external]") {
  TempDir dir;
  // (a) Python recomputes our hash from the encoding.
  std::string ours = pw::hash("Tr0ub4dor&3x");
  dir.write("ours.txt", ours);
  dir.write("check.py", R"(
import base64, hashlib, sys
def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
algo, params, salt, digest = open(sys.argv[1]).read().split("$")
p = dict(kv.split("=") for kv in params.split(","))
assert algo == "scrypt"
got = hashlib.scrypt(b"Tr0ub4dor&3x", salt=b64(salt), n=2 ** int(p["ln"]), r=int(p["r"]),
                     p=int(p["p"]), maxmem=256 * 1024 * 1024, dklen=len(b64(digest)))
print("match" if got == b64(digest) else "differ")
)");
  CHECK(run(kPython + " " + (dir.path / "check.py").string() + " " +
            (dir.path / "ours.txt").string()) == "match");

  // (b) We verify a hash Python made with other parameters (ln=12, r=4, p=2).
  dir.write("make.py", R"(
import base64, hashlib, os
def b64(b): return base64.urlsafe_b64encode(b).decode().rstrip("=")
salt = os.urandom(16)
dk = hashlib.scrypt("h\u00e9llo W0rld!".encode(), salt=salt, n=2 ** 12, r=4, p=2, dklen=32)
print("scrypt$ln=12,r=4,p=2$" + b64(salt) + "$" + b64(dk))
)");
  std::string theirs = run(kPython + " " + (dir.path / "make.py").string());
  INFO(theirs);
  CHECK(pw::verify("h\xC3\xA9llo W0rld!", theirs));
  CHECK_FALSE(pw::verify("hello W0rld!", theirs));
  CHECK(pw::needs_rehash(theirs));
}

TEST_CASE("password: malformed encodings are refused without a crash", "[password]") {
  std::string good = pw::hash("Valid-Pass1");
  auto f = fields(good);
  const std::string salt = f[2], digest = f[3];
  const std::vector<std::string> bad = {
      "",
      "scrypt",
      "scrypt$",
      "scrypt$ln=15,r=8,p=1",
      "scrypt$ln=15,r=8,p=1$",
      "scrypt$ln=15,r=8,p=1$$",
      "scrypt$ln=15,r=8,p=1$" + salt + "$",
      "scrypt$ln=15,r=8,p=1$$" + digest,
      "scrypt$ln=15,r=8,p=1$" + salt + "$" + digest + "$",
      "scrypt$ln=15,r=8,p=1$" + salt + "$" + digest + "=",
      "scrypt$ln=15,r=8,p=1$" + salt + "=$" + digest,
      "bcrypt$ln=15,r=8,p=1$" + salt + "$" + digest,
      "SCRYPT$ln=15,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln=15,r=8$" + salt + "$" + digest,
      "scrypt$r=8,ln=15,p=1$" + salt + "$" + digest,
      "scrypt$ln=15,r=8,p=1,x=2$" + salt + "$" + digest,
      "scrypt$ln=015,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln=+15,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln=-15,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln= 15,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln=99999999999999999999,r=8,p=1$" + salt + "$" + digest,
      "scrypt$ln=9,r=8,p=1$" + salt + "$" + digest,    // too weak
      "scrypt$ln=21,r=8,p=1$" + salt + "$" + digest,   // too costly
      "scrypt$ln=20,r=32,p=1$" + salt + "$" + digest,  // 4 GiB
      "scrypt$ln=15,r=0,p=1$" + salt + "$" + digest,
      "scrypt$ln=15,r=8,p=0$" + salt + "$" + digest,
      "scrypt$ln=15,r=8,p=17$" + salt + "$" + digest,
      "scrypt$ln=15,r=8,p=1$" + base64url_encode("short") + "$" + digest,
      "scrypt$ln=15,r=8,p=1$" + salt + "$" + base64url_encode("too short hash"),
      "scrypt$ln=15,r=8,p=1$" + salt + "$" + base64url_encode(std::string(65, 'x')),
      "scrypt$ln=15,r=8,p=1$" + salt + "$" + digest + std::string(600, 'A'),
      std::string("scrypt$ln=15,r=8,p=1\0$", 22) + salt + "$" + digest,
  };
  for (const auto& e : bad) {
    INFO(e);
    CHECK_FALSE(pw::verify("Valid-Pass1", e));
    CHECK(pw::needs_rehash(e));
  }
  CHECK(pw::verify("Valid-Pass1", good));  // the pieces themselves were fine
}

TEST_CASE("password: a tampered salt or hash is refused", "[password]") {
  std::string good = pw::hash("Valid-Pass1");
  auto f = fields(good);
  auto flip = [](std::string s, std::size_t i) {
    s[i] = s[i] == 'A' ? 'B' : 'A';
    return s;
  };
  for (std::size_t i : {std::size_t{0}, std::size_t{5}, std::size_t{10}}) {
    CHECK_FALSE(pw::verify("Valid-Pass1", "scrypt$" + f[1] + "$" + flip(f[2], i) + "$" + f[3]));
    CHECK_FALSE(pw::verify("Valid-Pass1", "scrypt$" + f[1] + "$" + f[2] + "$" + flip(f[3], i)));
  }
  // Same hash, other parameters: must not verify either.
  CHECK_FALSE(pw::verify("Valid-Pass1", "scrypt$ln=14,r=8,p=1$" + f[2] + "$" + f[3]));
  CHECK_FALSE(pw::verify("Valid-Pass1", "scrypt$ln=15,r=8,p=2$" + f[2] + "$" + f[3]));
}

TEST_CASE("password: needs_rehash is false only for the current parameters", "[password]") {
  std::string good = pw::hash("Valid-Pass1");
  auto f = fields(good);
  CHECK_FALSE(pw::needs_rehash(good));
  CHECK(pw::needs_rehash("scrypt$ln=14,r=8,p=1$" + f[2] + "$" + f[3]));
  CHECK(pw::needs_rehash("scrypt$ln=16,r=8,p=1$" + f[2] + "$" + f[3]));
  CHECK(pw::needs_rehash("scrypt$ln=15,r=16,p=1$" + f[2] + "$" + f[3]));
  CHECK(pw::needs_rehash("scrypt$ln=15,r=8,p=2$" + f[2] + "$" + f[3]));
  CHECK(pw::needs_rehash("scrypt$ln=15,r=8,p=1$" + base64url_encode("eight by") + "$" + f[3]));
}

TEST_CASE("password: policy rules, with messages that do not echo the password",
          "[password][policy]") {
  struct Case {
    std::string password;
    std::string rule;  // a word the message must contain; empty: acceptable
  };
  const std::vector<Case> cases = {
      {"Abcdef1!", ""},
      {"Abcdefgh12345!XY", ""},          // 16 characters
      {"Abcdefgh12345!XYZ", "8 to 16"},  // 17
      {"Abcde1!", "8 to 16"},            // 7
      {"", "8 to 16"},
      {"ABCDEF1!", "lowercase"},
      {"abcdef1!", "uppercase"},
      {"Abcdefg!", "digit"},
      {"Abcdefg1", "symbol"},
      {"Abc def1", ""},  // space is a symbol
      {"Abcd~ef1", ""},
      {"Abc\tdef1!", "control"},
      {"Abc\x7Fxyz1!", "control"},
      {"Abc\xC2\x85xyz1!", "control"},  // U+0085, a C1 control
      {"Abc\xFFxyz1!", "UTF-8"},
      {"Abc\xC3xyz1!", "UTF-8"},          // truncated sequence
      {"Abc\xC0\xAFxyz1!", "UTF-8"},      // overlong '/'
      {"Abc\xED\xA0\x80xyz1!", "UTF-8"},  // surrogate U+D800
      {std::string("Abc\0def1!", 9), "control"},
      // Non-ASCII letters are neither lower nor upper case, and not symbols.
      {"Ab1!\xC3\xA4\xC3\xA4\xC3\xA4", "8 to 16"},  // 7 code points in 10 bytes
      {"\xC3\xA4XYZWVU1!", "lowercase"},            // ä is not a lowercase letter here
      {"\xC3\x84xyzwvu1!", "uppercase"},            // Ä is not an uppercase letter here
      {"Abcdefg1\xC3\xA9", "symbol"},               // é is not a symbol
  };
  for (const auto& c : cases) {
    INFO(og::crypto::hex_encode(c.password));
    auto violation = pw::policy_violation(c.password);
    if (c.rule.empty()) {
      CHECK_FALSE(violation);
    } else {
      REQUIRE(violation);
      CHECK(violation->find(c.rule) != std::string::npos);
      if (!c.password.empty()) CHECK(violation->find(c.password) == std::string::npos);
    }
  }
}

TEST_CASE("password: length counts Unicode code points, not bytes", "[password][policy]") {
  // 16 code points, 25 bytes: accepted. One more code point: refused.
  const std::string euro = "\xE2\x82\xAC";       // U+20AC, 3 bytes
  const std::string emoji = "\xF0\x9F\x94\x91";  // U+1F511, 4 bytes
  std::string sixteen = "Ab1!" + euro + euro + emoji + emoji + "cdefghij";
  REQUIRE(sixteen.size() == 4 + 6 + 8 + 8);
  CHECK_FALSE(pw::policy_violation(sixteen));
  auto v = pw::policy_violation(sixteen + "k");
  REQUIRE(v);
  CHECK(v->find("8 to 16") != std::string::npos);
  // 8 code points made of 20 bytes: long enough.
  CHECK_FALSE(pw::policy_violation("aB1!" + emoji + emoji + emoji + emoji));
  // 7 code points: too short even though 19 bytes.
  CHECK(pw::policy_violation("aB1!" + emoji + emoji + emoji + "").value().find("8 to 16") !=
        std::string::npos);
}

TEST_CASE("password: an unknown account costs as much as a real verify", "[password][timing]") {
  std::string h = pw::hash("Valid-Pass1");
  double real = median_ms_of_3([&] { CHECK(pw::verify("Valid-Pass1", h)); });
  double wrong = median_ms_of_3([&] { CHECK_FALSE(pw::verify("Wrong-Pass1", h)); });
  double unknown = median_ms_of_3([&] { CHECK_FALSE(pw::dummy_verify("Valid-Pass1")); });
  INFO("verify " << real << " ms, wrong " << wrong << " ms, dummy " << unknown << " ms");
  CHECK(unknown < 3 * real);
  CHECK(real < 3 * unknown);
  CHECK(wrong < 3 * unknown);
  CHECK(unknown > 1.0);  // it really derives a key
}
