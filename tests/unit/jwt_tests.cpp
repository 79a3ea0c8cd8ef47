// RS256 JWTs: round trips, refusals (tampering, unknown kid, alg confusion), the RFC 7638
// thumbprint, time claims, PEM, and cross-checks with Debian's python3-jwt (PyJWT) and the
// openssl command, which nobody here wrote.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/json.h"
#include "common/jwt.h"

namespace jwt = og::jwt;
using og::Json;
using og::crypto::base64url_decode;
using og::crypto::base64url_encode;

namespace {

const std::string kPython = "/usr/bin/python3";  // Debian's, with python3-jwt

// RFC 7638 section 3.1: the example JWK and its thumbprint.
const std::string kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
const std::string kRfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// Key generation costs ~0.1 s; share two keys across the test cases.
const jwt::SigningKey& key_a() {
  static const jwt::SigningKey k = jwt::SigningKey::generate();
  return k;
}
const jwt::SigningKey& key_b() {
  static const jwt::SigningKey k = jwt::SigningKey::generate();
  return k;
}

jwt::Verifier verifier_for(const jwt::SigningKey& k) {
  jwt::Verifier v;
  v.add_jwk(k.public_jwk());
  return v;
}

struct Parts {
  std::string header, payload, signature;  // still base64url
};
Parts split(const std::string& token) {
  auto d1 = token.find('.'), d2 = token.find('.', d1 + 1);
  return {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
}

std::string run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
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
    std::string tmpl = (std::filesystem::temp_directory_path() / "og-jwt-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

std::string refusal(const jwt::Verifier& v, const std::string& token) {
  std::string error;
  auto payload = v.verify(token, &error);
  CHECK_FALSE(payload);
  CHECK_FALSE(error.empty());
  return error;
}

std::int64_t now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

TEST_CASE("jwt: RFC 7638 section 3.1 thumbprint", "[jwt]") {
  CHECK(jwt::rfc7638_thumbprint(kRfc7638N, "AQAB") == kRfc7638Thumbprint);
  // The RFC's JWK loads; without a kid, its thumbprint is used.
  jwt::Verifier v;
  CHECK_NOTHROW(v.add_jwk(R"({"kty":"RSA","n":")" + kRfc7638N +
                          R"(","e":"AQAB","alg":"RS256","kid":"2011-04-29"})"));
  CHECK_NOTHROW(v.add_jwk(R"({"kty":"RSA","n":")" + kRfc7638N + R"(","e":"AQAB"})"));
}

TEST_CASE("jwt: a key's JWK has the documented shape and its kid is the thumbprint", "[jwt]") {
  const auto& k = key_a();
  Json jwk = Json::parse(k.public_jwk());
  std::vector<std::string> names;
  for (const auto& item : jwk.items()) names.push_back(item.key());
  CHECK(names == std::vector<std::string>{"kty", "use", "alg", "kid", "n", "e"});
  CHECK(jwk["kty"] == "RSA");
  CHECK(jwk["use"] == "sig");
  CHECK(jwk["alg"] == "RS256");
  CHECK(jwk["e"] == "AQAB");
  auto n = base64url_decode(jwk["n"].get<std::string>());
  REQUIRE(n);
  CHECK(n->size() == 256);
  CHECK((static_cast<unsigned char>((*n)[0]) & 0x80) != 0);  // 2048 bits, no leading zero byte
  CHECK(jwk["kid"] == k.kid());
  CHECK(k.kid() == jwt::rfc7638_thumbprint(jwk["n"].get<std::string>(), "AQAB"));
  CHECK(k.kid().size() == 43);
  CHECK(key_a().kid() != key_b().kid());
}

TEST_CASE("jwt: sign then verify returns the payload", "[jwt]") {
  const std::string payload = R"({"sub":"uuid1234","exp":4102444800,"scope":["a","b"]})";
  std::string token = jwt::sign(key_a(), payload);
  auto p = split(token);
  CHECK(base64url_decode(p.header) ==
        R"({"alg":"RS256","typ":"JWT","kid":")" + key_a().kid() + R"("})");
  CHECK(base64url_decode(p.payload) == payload);
  CHECK(base64url_decode(p.signature).value().size() == 256);
  std::string error;
  auto verified = verifier_for(key_a()).verify(token, &error);
  INFO(error);
  CHECK(verified == payload);
  // RSASSA-PKCS1-v1_5 is deterministic.
  CHECK(jwt::sign(key_a(), payload) == token);
  CHECK_THROWS_AS(jwt::sign(key_a(), "[1,2]"), std::invalid_argument);
  CHECK_THROWS_AS(jwt::sign(key_a(), "not json"), std::invalid_argument);
}

TEST_CASE("jwt: a verifier holds several keys", "[jwt]") {
  jwt::Verifier v;
  v.add_jwk(key_a().public_jwk());
  v.add_jwk(key_b().public_jwk());
  CHECK(v.verify(jwt::sign(key_a(), R"({"k":"a"})")) == R"({"k":"a"})");
  CHECK(v.verify(jwt::sign(key_b(), R"({"k":"b"})")) == R"({"k":"b"})");
}

TEST_CASE("jwt: tampering, unknown kids and malformed tokens are refused", "[jwt]") {
  const auto v = verifier_for(key_a());
  std::string token = jwt::sign(key_a(), R"({"sub":"alice","admin":false})");
  REQUIRE(v.verify(token));
  auto p = split(token);

  SECTION("tampered payload") {
    std::string forged =
        p.header + "." + base64url_encode(R"({"sub":"alice","admin":true})") + "." + p.signature;
    CHECK(refusal(v, forged) == "bad signature");
  }
  SECTION("tampered signature") {
    std::string sig = p.signature;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    CHECK(refusal(v, p.header + "." + p.payload + "." + sig) == "bad signature");
    auto raw = base64url_decode(p.signature).value();
    CHECK(refusal(v, p.header + "." + p.payload + "." + base64url_encode(raw.substr(1))) ==
          "bad signature");
  }
  SECTION("signed by another key under our kid") {
    auto other = split(jwt::sign(key_b(), R"({"sub":"alice","admin":false})"));
    CHECK(refusal(v, p.header + "." + p.payload + "." + other.signature) == "bad signature");
  }
  SECTION("unknown kid") {
    CHECK(refusal(v, jwt::sign(key_b(), R"({"sub":"alice"})")) == "unknown kid");
    CHECK(refusal(jwt::Verifier(), token) == "unknown kid");
    std::string h = base64url_encode(R"({"alg":"RS256","typ":"JWT"})");
    CHECK(refusal(v, h + "." + p.payload + "." + p.signature) == "kid missing");
  }
  SECTION("malformed compact forms") {
    CHECK(refusal(v, "") == "not a compact JWS");
    CHECK(refusal(v, "abc") == "not a compact JWS");
    CHECK(refusal(v, p.header + "." + p.payload) == "not a compact JWS");
    CHECK(refusal(v, p.header + "." + p.payload + ".") == "not a compact JWS");
    CHECK(refusal(v, token + ".") == "not a compact JWS");
    CHECK(refusal(v, p.header + ".." + p.signature) == "not a compact JWS");
    CHECK(refusal(v, p.header + "=." + p.payload + "." + p.signature) == "header is not base64url");
    CHECK(refusal(v, p.header + "." + p.payload + "." + p.signature + "=") ==
          "signature is not base64url");
    CHECK(refusal(v, base64url_encode("{\"alg\":") + "." + p.payload + "." + p.signature) ==
          "header is not a JSON object");
    CHECK(refusal(v, base64url_encode("[\"RS256\"]") + "." + p.payload + "." + p.signature) ==
          "header is not a JSON object");
    CHECK(refusal(v, token + std::string(9000, 'A')) == "token too long");
  }
  SECTION("header parameters we do not understand") {
    auto with_header = [&](const std::string& header_json) {
      return base64url_encode(header_json) + "." + p.payload + "." + p.signature;
    };
    const std::string kid = "\"" + key_a().kid() + "\"";
    CHECK(refusal(v, with_header(R"({"alg":"RS256","kid":)" + kid + R"(,"crit":["exp"]})")) ==
          "crit header parameters are not supported");
    CHECK(refusal(v, with_header(R"({"alg":"RS256","kid":)" + kid + R"(,"typ":"JWE"})")) ==
          "typ must be JWT");
    // The header is signed too: an otherwise acceptable header change breaks the signature.
    CHECK(refusal(v, with_header(R"({"alg":"RS256","kid":)" + kid + "}")) == "bad signature");
  }
}

TEST_CASE("jwt: alg none, HS256 and other algorithms are refused", "[jwt]") {
  const auto v = verifier_for(key_a());
  const std::string payload = base64url_encode(R"({"sub":"mallory","admin":true})");
  const std::string kid = key_a().kid();
  auto header = [&](const std::string& alg_json) {
    return base64url_encode(R"({"alg":)" + alg_json + R"(,"typ":"JWT","kid":")" + kid + "\"}");
  };

  // alg "none" with an empty or junk signature (RFC 7519 unsecured JWT).
  for (std::string alg : {"\"none\"", "\"None\"", "\"NONE\""}) {
    CHECK(refusal(v, header(alg) + "." + payload + ".") == "not a compact JWS");
    CHECK(refusal(v, header(alg) + "." + payload + ".AAAA") == "alg must be RS256");
  }

  // HS256 keyed with the public key material (the classic RS256/HS256 confusion): the
  // attacker knows the public JWK, so every form of it is tried as the HMAC key.
  Json jwk = Json::parse(key_a().public_jwk());
  const std::vector<std::string> hmac_keys = {key_a().public_jwk(),
                                              base64url_decode(jwk["n"].get<std::string>()).value(),
                                              jwk["n"].get<std::string>()};
  for (const auto& hmac_key : hmac_keys) {
    std::string input = header("\"HS256\"") + "." + payload;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    REQUIRE(HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                 &mac_len) != nullptr);
    std::string token =
        input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), mac_len));
    CHECK(refusal(v, token) == "alg must be RS256");
  }

  // Every other name, including near misses, is refused before any key is used.
  auto sig = split(jwt::sign(key_a(), "{}")).signature;
  for (std::string alg : {"\"RS384\"", "\"RS512\"", "\"PS256\"", "\"ES256\"", "\"rs256\"",
                          "\"RS256 \"", "\"\"", "null", "256", "[\"RS256\"]"}) {
    INFO(alg);
    CHECK(refusal(v, header(alg) + "." + payload + "." + sig) == "alg must be RS256");
  }
  CHECK(refusal(v, base64url_encode(R"({"kid":")" + kid + "\"}") + "." + payload + "." + sig) ==
        "alg must be RS256");
}

TEST_CASE("jwt: add_jwk refuses keys that are not RS256 public keys", "[jwt]") {
  jwt::Verifier v;
  Json good = Json::parse(key_a().public_jwk());
  auto with = [&](const char* name, Json value) {
    Json j = good;
    j[name] = std::move(value);
    return j.dump();
  };
  auto without = [&](const char* name) {
    Json j = good;
    j.erase(name);
    return j.dump();
  };
  CHECK_THROWS_AS(v.add_jwk("not json"), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk("[]"), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("kty", "EC")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("kty", "oct")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("alg", "HS256")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("alg", "none")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("use", "enc")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("kid", "")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("kid", 7)), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("d", "AQAB")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(without("n")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(without("e")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("e", "AQAB=")), std::invalid_argument);
  CHECK_THROWS_AS(v.add_jwk(with("e", "AAEAAQ")), std::invalid_argument);  // leading zero
  CHECK_THROWS_AS(v.add_jwk(with("e", "AQ")), std::invalid_argument);      // e = 1
  CHECK_THROWS_AS(v.add_jwk(with("e", "AQA")), std::invalid_argument);     // e = 256: even
  std::string n = base64url_decode(good["n"].get<std::string>()).value();
  CHECK_THROWS_AS(v.add_jwk(with("n", base64url_encode(n.substr(0, 128)))),
                  std::invalid_argument);  // 1024 bits
  CHECK_THROWS_AS(v.add_jwk(with("n", base64url_encode('\0' + n))), std::invalid_argument);
  CHECK_NOTHROW(v.add_jwk(without("alg")));
  CHECK_NOTHROW(v.add_jwk(without("use")));
}

TEST_CASE("jwt: check_times honours exp, nbf, iat and the leeway", "[jwt]") {
  const std::int64_t t = 1'800'000'000;
  auto payload = [](const std::string& members) { return "{\"sub\":\"x\"" + members + "}"; };
  std::string error;
  CHECK(jwt::check_times(payload(",\"exp\":1800000001"), t, 0, &error));
  CHECK_FALSE(jwt::check_times(payload(",\"exp\":1800000000"), t, 0, &error));  // exp == now
  CHECK(error == "token expired");
  CHECK_FALSE(jwt::check_times(payload(",\"exp\":1799999970"), t, 0));
  CHECK(jwt::check_times(payload(",\"exp\":1799999970"), t, 60));
  CHECK_FALSE(jwt::check_times(payload(",\"exp\":1799999940"), t, 60));  // exactly now - leeway
  CHECK(jwt::check_times(payload(",\"exp\":1800000000.5"), t, 0));       // NumericDate fraction

  CHECK_FALSE(jwt::check_times(payload(""), t, 0, &error));
  CHECK(error == "exp missing or not a number");
  CHECK_FALSE(jwt::check_times(payload(",\"exp\":\"1900000000\""), t, 0));
  CHECK_FALSE(jwt::check_times("not json", t, 0, &error));
  CHECK(error == "payload is not a JSON object");

  const std::string exp = ",\"exp\":1800003600";
  CHECK(jwt::check_times(payload(exp + ",\"nbf\":1800000000"), t, 0));
  CHECK_FALSE(jwt::check_times(payload(exp + ",\"nbf\":1800000030"), t, 0, &error));
  CHECK(error == "token not yet valid (nbf)");
  CHECK(jwt::check_times(payload(exp + ",\"nbf\":1800000030"), t, 60));
  CHECK_FALSE(jwt::check_times(payload(exp + ",\"nbf\":1800000090"), t, 60));
  CHECK_FALSE(jwt::check_times(payload(exp + ",\"nbf\":null"), t, 60));

  CHECK(jwt::check_times(payload(exp + ",\"iat\":1800000000"), t, 0));
  CHECK_FALSE(jwt::check_times(payload(exp + ",\"iat\":1800000030"), t, 0, &error));
  CHECK(error == "token issued in the future (iat)");
  CHECK(jwt::check_times(payload(exp + ",\"iat\":1800000030"), t, 60));
  CHECK_FALSE(jwt::check_times(payload(exp + ",\"iat\":\"yesterday\""), t, 60));
  // A negative leeway counts as zero rather than shortening a token's life.
  CHECK(jwt::check_times(payload(",\"exp\":1800000001"), t, -100));
}

TEST_CASE("jwt: PKCS#8 PEM round trip", "[jwt]") {
  std::string pem = key_a().to_pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(pem.find("-----END PRIVATE KEY-----") != std::string::npos);
  jwt::SigningKey loaded = jwt::SigningKey::from_pem(pem);
  CHECK(loaded.kid() == key_a().kid());
  CHECK(loaded.public_jwk() == key_a().public_jwk());
  CHECK(loaded.to_pem() == pem);
  CHECK(jwt::sign(loaded, R"({"a":1})") == jwt::sign(key_a(), R"({"a":1})"));
  jwt::SigningKey moved = std::move(loaded);
  CHECK(moved.kid() == key_a().kid());
}

TEST_CASE("jwt: from_pem refuses other keys without revealing them", "[jwt][external]") {
  auto refuses = [](const std::string& pem) {
    INFO(pem.substr(0, 40));
    try {
      jwt::SigningKey::from_pem(pem);
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      // No line of the PEM body appears in the message.
      std::size_t start = pem.find('\n') + 1;
      std::string first_body_line = pem.substr(start, pem.find('\n', start) - start);
      if (first_body_line.size() > 8) CHECK(what.find(first_body_line) == std::string::npos);
    }
  };
  refuses("");
  refuses("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  std::string pem = key_a().to_pem();
  refuses(pem.substr(0, pem.size() / 2));
  // Generated by the openssl command: too small, not RSA, passphrase-protected (which must
  // fail rather than prompt on the terminal), and only a public key.
  refuses(run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 2>/dev/null"));
  refuses(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null"));
  refuses(
      run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc "
          "-pass pass:secret 2>/dev/null </dev/null"));
  TempDir dir;
  std::string path = dir.write("key.pem", pem);
  refuses(run("openssl pkey -in " + path + " -pubout"));
  // The traditional RSA form of our key is read too, and is the same key.
  std::string traditional = run("openssl pkey -in " + path + " -traditional");
  REQUIRE(traditional.rfind("-----BEGIN RSA PRIVATE KEY-----", 0) == 0);
  CHECK(jwt::SigningKey::from_pem(traditional).kid() == key_a().kid());
  // An RSA-3072 key from openssl is accepted; its kid is its JWK thumbprint.
  auto big = jwt::SigningKey::from_pem(
      run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 2>/dev/null"));
  Json jwk = Json::parse(big.public_jwk());
  CHECK(base64url_decode(jwk["n"].get<std::string>()).value().size() == 384);
  CHECK(verifier_for(big).verify(jwt::sign(big, "{}")) == "{}");
}

TEST_CASE("jwt: PyJWT verifies our tokens with our JWK", "[jwt][external]") {
  TempDir dir;
  const std::int64_t t = now();
  const std::string payload = "{\"sub\":\"uuid0001\",\"iat\":" + std::to_string(t) +
                              ",\"exp\":" + std::to_string(t + 600) + ",\"name\":\"J\\u00fcrgen\"}";
  dir.write("token", jwt::sign(key_a(), payload));
  dir.write("jwk.json", key_a().public_jwk());
  std::string script = dir.write("check.py", R"(
import json, sys, jwt
d = sys.argv[1]
token = open(d + "/token").read()
jwk = jwt.PyJWK(json.load(open(d + "/jwk.json")))
header = jwt.get_unverified_header(token)
claims = jwt.decode(token, key=jwk.key, algorithms=["RS256"])
print(json.dumps({"kid_ok": header["kid"] == jwk.key_id, "sub": claims["sub"],
                  "name": claims["name"]}, sort_keys=True))
)");
  Json out = Json::parse(run(kPython + " " + script + " " + dir.path.string()));
  CHECK(out["kid_ok"] == true);
  CHECK(out["sub"] == "uuid0001");
  CHECK(out["name"] == "J\xC3\xBCrgen");

  // And PyJWT refuses a token we tampered with (so the check above can fail).
  auto p = split(jwt::sign(key_a(), payload));
  dir.write("token", p.header + "." + base64url_encode(R"({"sub":"root"})") + "." + p.signature);
  std::string refused = dir.write("refuse.py", R"(
import json, sys, jwt
d = sys.argv[1]
try:
    jwt.decode(open(d + "/token").read(), key=jwt.PyJWK(json.load(open(d + "/jwk.json"))).key,
               algorithms=["RS256"])
    print("accepted")
except jwt.InvalidSignatureError:
    print("refused")
)");
  CHECK(run(kPython + " " + refused + " " + dir.path.string()) == "refused");
}

TEST_CASE("jwt: we verify PyJWT's tokens", "[jwt][external]") {
  TempDir dir;
  const std::int64_t t = now();

  SECTION("signed by PyJWT with our key (exported as PEM)") {
    dir.write("key.pem", key_a().to_pem());
    dir.write("kid", key_a().kid());
    std::string script = dir.write("sign.py", R"(
import sys, time, jwt
d = sys.argv[1]
now = int(time.time())
print(jwt.encode({"sub": "uuid0002", "iat": now, "exp": now + 600}, open(d + "/key.pem").read(),
                 algorithm="RS256", headers={"kid": open(d + "/kid").read()}))
)");
    std::string token = run(kPython + " " + script + " " + dir.path.string());
    std::string error;
    auto payload = verifier_for(key_a()).verify(token, &error);
    INFO(token << "\n" << error);
    REQUIRE(payload);
    Json claims = Json::parse(*payload);
    CHECK(claims["sub"] == "uuid0002");
    CHECK(jwt::check_times(*payload, t, 5));
    CHECK_FALSE(jwt::check_times(*payload, t + 3600, 5));
    // Another key's verifier refuses it.
    CHECK_FALSE(verifier_for(key_b()).verify(token));

    // A correctly signed payload that is not a JSON object (sign() will not make one).
    std::string raw = dir.write("raw.py", R"(
import sys, jwt
d = sys.argv[1]
print(jwt.api_jws.encode(b"[1,2]", open(d + "/key.pem").read(), algorithm="RS256",
                         headers={"kid": open(d + "/kid").read()}))
)");
    CHECK(refusal(verifier_for(key_a()), run(kPython + " " + raw + " " + dir.path.string())) ==
          "payload is not a JSON object");
  }

  SECTION("a key PyJWT made, its JWK from PyJWT, kid computed in Python per RFC 7638") {
    std::string script = dir.write("own.py", R"(
import base64, hashlib, json, sys, time, jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
d = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
jwk = RSAAlgorithm.to_jwk(key.public_key())
jwk = json.loads(jwk) if isinstance(jwk, str) else jwk
canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"),
                       sort_keys=True)
kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")
now = int(time.time())
open(d + "/token", "w").write(jwt.encode({"sub": "uuid0003", "exp": now + 600}, key,
                                         algorithm="RS256", headers={"kid": kid}))
jwk.pop("kid", None)
open(d + "/jwk.json", "w").write(json.dumps(jwk))
print(kid)
)");
    std::string kid = run(kPython + " " + script + " " + dir.path.string());
    Json jwk = Json::parse(dir.read("jwk.json"));
    CHECK(jwt::rfc7638_thumbprint(jwk["n"].get<std::string>(), jwk["e"].get<std::string>()) == kid);
    jwt::Verifier v;
    v.add_jwk(dir.read("jwk.json"));  // no kid in it: its thumbprint is used
    std::string error;
    auto payload = v.verify(dir.read("token"), &error);
    INFO(error);
    REQUIRE(payload);
    CHECK(Json::parse(*payload)["sub"] == "uuid0003");
  }
}
