// JSON Web Tokens (common/jwt.h) as omnid checks a Bearer token: Verifier::verify (the
// compact form, the header, the signature) with a fixed test key, then check_times (the
// time claims); also Verifier::add_jwk (a public key as JSON) and base64url.
//
// The first byte chooses what the rest is:
//   't' a token to verify                     'p' a payload: signed with the test key, verified
//   'h' "header JSON\npayload": signed as is  'k' a JWK for add_jwk
//   'c' a payload for check_times             'b' text for base64url decode/encode
//   anything else: one of these by its value.
// Invariants: a token we sign verifies to its payload, and no longer once a byte of the
// signature changes; a token with a valid signature is accepted exactly when its header
// follows the documented rules; add_jwk refuses with std::invalid_argument only;
// base64url is canonical (decode then encode gives the text back).
//
// The key below is a throwaway RSA-2048 key made for this harness; it signs nothing else.

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <string>

#include "common/crypto.h"
#include "common/json.h"
#include "common/jwt.h"
#include "common/openssl_util.h"
#include "tests/fuzz/fuzz_support.h"

using og::Json;
namespace jwt = og::jwt;
namespace crypto = og::crypto;

namespace {

constexpr const char* kTestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC772Rtd7COVcpL
GCya3vAeBPb3vdkO+IUFgr0FidPcFqEvrjKV1yuqs8wNm+fmcvpP8ArhwmPU6oiA
yTK0xhn8tpIfUm5iW0hhkL81J++xR0s9AX9/S5zaDYBiAtpC4QW8CBkuxjYZL7Uk
lMkKq/frwqI1FayNH5xfy0KKhG7JBmwF6lkj/VX9hjpJalH0MfqWZXqnax2cyOfs
GQd4BYov7puRid3ZsB89JWy7h3seV3eCp12aI6nN04ZP/pkyFgjh/X+3BzSER3+T
crae7jAlC/D9+apeQkz3CCSe1mxKiHiUFdWL6fqC6CNmnIaa6dL7/euWdNa7u2wE
gVhP72JNAgMBAAECggEAHRuWY+gKVflOpDPh0Ljf2t5s+/ERGeL/A1v898shn7B3
laF230Nc1YsUezUfBU/gmhn1LYNEoBkVPFEtQ9d89em3FxfW1fAKdWYMX2jIlJ4U
tqWxQB+PcyxtKoEDmiEtGLLuZ5K2lU8Q0NIkkz0QYJkcM3mgaJkxSJr8OuUJHaRX
izOzNoanssDFr+W6ZLym+SQiuhuffAdf5oYjaQ/SESGd4dpZD+hREOd92tq+C87o
u2de0NSpsz71vQgVTiNVVRpc05nBxNs3syrq8Bmeqyza6PDlrp7cwNYp/mF+La0+
Vl54ioY0LlZ8uaGYocF/Ly/7VITa1S+hZsARoonM1wKBgQDdElP/4XNxMhqp9h38
esKDpyS2yEsWbXZs7lOBsdmh5mWgfBinzGhRWSsx9hCIkephMxT/z/eZ8935fqp7
1csdC2LX+RsffJdGN+xoH8lWl/e89B0bhpojPms//YQ71nw0iTFc1H9fulk/0uJQ
FNhlSmuXYIW0TGpmbl73CX9tDwKBgQDZoMuKa+QQUJW1aGJ1HUDqPCjyn8ZxWK/v
wHjqyhzY95BlL9ebtYD6yjnXcc5WuQrNVxjzHWZr1SaQ/ew8YEYkiRJT9eWXV1W4
F9R8wB94mKeNL26oJpIMPv1KNE5asXloJ8ZSojzZfjQ+wjAco39Am4MbpCfFTq6j
SvcuJo9y4wKBgEJm7+4q5Mb6WsH0WBtvMB/lQ4TXcp5g8LJVf6W0Kv+TObFTtQAp
yKeulefi1iJ/WZwqgMM5z1BhzKnVHxYlKGYn9l+Sxk/V14ZS4+J+sbYd3V7XICsV
ahTt+b71whNLIHGTR81vUncJfSdLi4isSjdafCiy6FY4obj0q/ed1bWHAoGABd/S
Pq1E3a/fKqNjrPeaLfhrvojTiXG0ZgtS+Dt2ZeDg0+pjrn9KuPpGb2tR/4NFKF/G
e6F6h0ScouNHwiVzHz9X8E494UTpOmviP2/MKawtMaFrIjzQSmZU3fDlgIsz1Lzm
HIrmi5RdgqgpNkyvfaX09wUKUcga7Kt0WpmN27MCgYEAhQXx43l1blU/EeU+EI/9
6Bctjqg/ds2nbpupw7vqaulbjHIA4vP68kcNqDcnGWd1e/1clAglsC+WWZ1UH52a
/vmMaZKVflDQuOo8USDWtuaxtmFZTUDGMNO84ECyGgwYVxpWSzEOjsHOwF74hqAF
SQCA1jWG5LLaYDp1quVN7F4=
-----END PRIVATE KEY-----
)";

struct Keys {
  jwt::SigningKey signing = jwt::SigningKey::from_pem(kTestKeyPem);
  jwt::Verifier verifier;
  og::ossl::PkeyPtr pkey;
  Keys() {
    verifier.add_jwk(signing.public_jwk());
    og::ossl::BioPtr bio(BIO_new_mem_buf(kTestKeyPem, -1));
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    FUZZ_CHECK(pkey != nullptr);
  }
};

const Keys& keys() {
  static const Keys k;
  return k;
}

// RS256 over "header_b64.payload_b64" with the test key, whatever the header says.
std::string sign_raw(std::string_view header_json, std::string_view payload) {
  std::string input = crypto::base64url_encode(header_json) + "." + crypto::base64url_encode(payload);
  og::ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  FUZZ_CHECK(ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, keys().pkey.get()) == 1);
  std::size_t n = 0;
  auto in = reinterpret_cast<const unsigned char*>(input.data());
  FUZZ_CHECK(EVP_DigestSign(ctx.get(), nullptr, &n, in, input.size()) == 1);
  std::string sig(n, '\0');
  FUZZ_CHECK(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, in, input.size()) == 1);
  sig.resize(n);
  return input + "." + crypto::base64url_encode(sig);
}

bool is_object(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  return !j.is_discarded() && j.is_object();
}

bool iequals_jwt(const std::string& s) {
  return s.size() == 3 && (s[0] | 0x20) == 'j' && (s[1] | 0x20) == 'w' && (s[2] | 0x20) == 't';
}

void check_times(std::string_view payload) {
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{1700000000}, std::int64_t{-1}, INT64_MAX, INT64_MIN}) {
    for (std::int64_t leeway : {std::int64_t{0}, std::int64_t{30}, std::int64_t{-5}, INT64_MAX}) {
      std::string why;
      bool ok = jwt::check_times(payload, now, leeway, &why);
      FUZZ_CHECK(ok == why.empty());
    }
  }
}

void verify_token(std::string_view token) {
  std::string why;
  auto payload = keys().verifier.verify(token, &why);
  FUZZ_CHECK(payload.has_value() == why.empty());
  if (payload) {
    FUZZ_CHECK(is_object(*payload));
    check_times(*payload);
  }
}

void sign_payload(std::string_view payload) {
  std::string token;
  try {
    token = jwt::sign(keys().signing, payload);
  } catch (const std::invalid_argument&) {
    FUZZ_CHECK(!is_object(payload));
    return;
  }
  FUZZ_CHECK(is_object(payload));
  std::string why;
  auto back = keys().verifier.verify(token, &why);
  if (token.size() > 8192) {  // documented limit
    FUZZ_CHECK(!back);
    return;
  }
  FUZZ_CHECK_MSG(back && *back == payload, why);
  check_times(*back);
  // Any change to the signature: refused.
  std::string tampered = token;
  char& c = tampered[tampered.rfind('.') + 1];
  c = c == 'A' ? 'B' : 'A';
  FUZZ_CHECK(!keys().verifier.verify(tampered));
}

void header_and_payload(std::string_view rest) {
  std::string_view header = og::fuzz::take_line(rest);
  std::string_view payload = rest;
  std::string token = sign_raw(header, payload);
  std::string why;
  auto got = keys().verifier.verify(token, &why);

  // The documented rules, checked independently.
  bool expect = token.size() <= 8192 && is_object(payload);
  Json h = Json::parse(header.begin(), header.end(), nullptr, false);
  if (h.is_discarded() || !h.is_object()) {
    expect = false;
  } else {
    auto str = [&](const char* name) -> const std::string* {
      auto it = h.find(name);
      return it != h.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
    };
    const std::string* alg = str("alg");
    const std::string* kid = str("kid");
    expect = expect && alg && *alg == "RS256" && !h.contains("crit") && kid && *kid == keys().signing.kid();
    if (h.contains("typ")) expect = expect && str("typ") && iequals_jwt(*str("typ"));
  }
  FUZZ_CHECK_MSG(got.has_value() == expect, why);
  if (got) FUZZ_CHECK(*got == payload);
}

void add_jwk(std::string_view jwk) {
  jwt::Verifier v;
  try {
    v.add_jwk(jwk);
  } catch (const std::invalid_argument&) {
    return;
  }
  // Accepted: it must be a JSON object naming an RSA key.
  FUZZ_CHECK(is_object(jwk));
  // And it must not verify our tokens unless it is our key.
  std::string token = jwt::sign(keys().signing, "{\"sub\":\"x\"}");
  auto got = v.verify(token);
  if (got) {
    Json j = Json::parse(jwk);
    FUZZ_CHECK(j.value("n", "") == Json::parse(keys().signing.public_jwk()).value("n", ""));
  }
}

void base64url(std::string_view text) {
  auto decoded = crypto::base64url_decode(text);
  if (decoded) FUZZ_CHECK_MSG(crypto::base64url_encode(*decoded) == text, std::string(text));
  std::string encoded = crypto::base64url_encode(text);
  auto back = crypto::base64url_decode(encoded);
  FUZZ_CHECK(back && *back == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest = og::fuzz::as_text(data + 1, size - 1);
  char mode = static_cast<char>(data[0]);
  static constexpr char kModes[] = {'t', 'p', 'h', 'k', 'c', 'b'};
  if (std::string_view("tphkcb").find(mode) == std::string_view::npos) mode = kModes[data[0] % 6];
  switch (mode) {
    case 't': verify_token(rest); break;
    case 'p': sign_payload(rest); break;
    case 'h': header_and_payload(rest); break;
    case 'k': add_jwk(rest); break;
    case 'c': check_times(rest); break;
    case 'b': base64url(rest); break;
  }
  return 0;
}
