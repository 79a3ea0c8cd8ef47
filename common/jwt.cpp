#include "common/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#endif

#include <map>
#include <stdexcept>
#include <vector>

#include "common/crypto.h"
#include "common/json.h"
#include "common/openssl_util.h"

namespace og::jwt {
namespace {

using ossl::Deleter;
using ossl::PkeyPtr;
using ossl::PkeyCtxPtr;
using ossl::MdCtxPtr;
using ossl::BioPtr;
using ossl::BnPtr;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
#endif

constexpr std::size_t kMaxTokenBytes = 8192;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

using ossl::fail;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string bn_bytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));  // minimal big-endian
  return out;
}

// The public modulus and exponent as minimal big-endian bytes.
std::pair<std::string, std::string> rsa_public_numbers(EVP_PKEY* pkey) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) == 1;
  BnPtr n(n_raw);
  ok = ok && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw) == 1;
  BnPtr e(e_raw);
  if (!ok) fail("cannot read the RSA public key");
  return {bn_bytes(n.get()), bn_bytes(e.get())};
#else
  const RSA* rsa = EVP_PKEY_get0_RSA(pkey);
  if (!rsa) fail("cannot read the RSA public key");
  const BIGNUM* n = nullptr;
  const BIGNUM* e = nullptr;
  RSA_get0_key(rsa, &n, &e, nullptr);
  return {bn_bytes(n), bn_bytes(e)};
#endif
}

// A public RSA key from big-endian n and e.
PkeyPtr rsa_public_key(std::string_view n_bytes, std::string_view e_bytes) {
  BnPtr n(BN_bin2bn(bytes(n_bytes), static_cast<int>(n_bytes.size()), nullptr));
  BnPtr e(BN_bin2bn(bytes(e_bytes), static_cast<int>(e_bytes.size()), nullptr));
  if (!n || !e) fail("cannot allocate RSA numbers");
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    fail("cannot build RSA parameters");
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
    fail("cannot build an RSA public key");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    fail("cannot build an RSA public key");
  return PkeyPtr(raw);
#else
  RSA* rsa = RSA_new();
  if (!rsa) fail("cannot allocate an RSA key");
  if (RSA_set0_key(rsa, n.get(), e.get(), nullptr) != 1) {
    RSA_free(rsa);
    fail("cannot build an RSA public key");
  }
  n.release();  // owned by rsa now
  e.release();
  PkeyPtr pkey(EVP_PKEY_new());
  if (!pkey || EVP_PKEY_assign_RSA(pkey.get(), rsa) != 1) {
    RSA_free(rsa);
    fail("cannot build an RSA public key");
  }
  return pkey;
#endif
}

// Encrypted keys fail instead of OpenSSL prompting for a passphrase on the terminal.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::optional<Json> parse_object(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

const std::string* string_member(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

// ---- SigningKey ----

struct SigningKey::Impl {
  PkeyPtr pkey;
  std::string n_b64, e_b64, kid;

  explicit Impl(PkeyPtr key) : pkey(std::move(key)) {
    auto [n, e] = rsa_public_numbers(pkey.get());
    n_b64 = crypto::base64url_encode(n);
    e_b64 = crypto::base64url_encode(e);
    kid = rfc7638_thumbprint(n_b64, e_b64);
  }
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kMinRsaBits) != 1)
    fail("cannot set up RSA key generation");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) fail("RSA key generation failed");
  return SigningKey(std::make_unique<Impl>(PkeyPtr(raw)));
}

SigningKey SigningKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("cannot allocate a memory BIO");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) fail<std::invalid_argument>("not an unencrypted PEM private key");
  ERR_clear_error();
  if (EVP_PKEY_base_id(pkey.get()) != EVP_PKEY_RSA)
    throw std::invalid_argument("the signing key must be an RSA key");
  int bits = EVP_PKEY_bits(pkey.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits)
    throw std::invalid_argument("the RSA signing key must have 2048 to 8192 bits");
  return SigningKey(std::make_unique<Impl>(std::move(pkey)));
}

std::string SigningKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1)
    fail("cannot encode the private key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

const std::string& SigningKey::kid() const {
  return impl_->kid;
}

std::string SigningKey::public_jwk() const {
  Json j;
  j["kty"] = "RSA";
  j["use"] = "sig";
  j["alg"] = "RS256";
  j["kid"] = impl_->kid;
  j["n"] = impl_->n_b64;
  j["e"] = impl_->e_b64;
  return j.dump();
}

std::string rfc7638_thumbprint(std::string_view n_b64url, std::string_view e_b64url) {
  // Members in lexicographic order, no whitespace (RFC 7638 section 3.2).
  std::string canonical = "{\"e\":\"";
  canonical += e_b64url;
  canonical += "\",\"kty\":\"RSA\",\"n\":\"";
  canonical += n_b64url;
  canonical += "\"}";
  auto digest = crypto::sha256(canonical);
  return crypto::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string sign(const SigningKey& key, std::string_view payload_json) {
  if (!parse_object(payload_json)) throw std::invalid_argument("JWT payload must be a JSON object");
  Json header;
  header["alg"] = "RS256";
  header["typ"] = "JWT";
  header["kid"] = key.kid();
  std::string input =
      crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(payload_json);

  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.impl_->pkey.get()) != 1)
    fail("cannot start RS256 signing");
  std::size_t sig_len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &sig_len, bytes(input), input.size()) != 1)
    fail("RS256 signing failed");
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     bytes(input), input.size()) != 1)
    fail("RS256 signing failed");
  sig.resize(sig_len);
  return input + "." + crypto::base64url_encode(sig);
}

// ---- Verifier ----

struct Verifier::Impl {
  std::map<std::string, PkeyPtr, std::less<>> keys;  // by kid
};

Verifier::Verifier() : impl_(std::make_unique<Impl>()) {}
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;
Verifier::~Verifier() = default;

void Verifier::add_jwk(std::string_view jwk_json) {
  auto jwk = parse_object(jwk_json);
  if (!jwk) throw std::invalid_argument("JWK is not a JSON object");
  const std::string* kty = string_member(*jwk, "kty");
  if (!kty || *kty != "RSA") throw std::invalid_argument("JWK kty must be \"RSA\"");
  if (jwk->contains("alg")) {
    const std::string* alg = string_member(*jwk, "alg");
    if (!alg || *alg != "RS256") throw std::invalid_argument("JWK alg must be \"RS256\"");
  }
  if (jwk->contains("use")) {
    const std::string* use = string_member(*jwk, "use");
    if (!use || *use != "sig") throw std::invalid_argument("JWK use must be \"sig\"");
  }
  if (jwk->contains("d") || jwk->contains("p") || jwk->contains("q"))
    throw std::invalid_argument("JWK holds private key material; give the public key only");
  const std::string* n_b64 = string_member(*jwk, "n");
  const std::string* e_b64 = string_member(*jwk, "e");
  if (!n_b64 || !e_b64) throw std::invalid_argument("JWK needs n and e");
  auto n = crypto::base64url_decode(*n_b64);
  auto e = crypto::base64url_decode(*e_b64);
  if (!n || !e || n->empty() || e->empty())
    throw std::invalid_argument("JWK n and e must be base64url");
  if ((*n)[0] == '\0' || (*e)[0] == '\0')
    throw std::invalid_argument("JWK n and e must not have leading zero bytes");
  BnPtr n_bn(BN_bin2bn(bytes(*n), static_cast<int>(n->size()), nullptr));
  int n_bits = n_bn ? BN_num_bits(n_bn.get()) : 0;
  if (n_bits < kMinRsaBits || n_bits > kMaxRsaBits)
    throw std::invalid_argument("JWK modulus must have 2048 to 8192 bits");
  auto e_last = static_cast<unsigned char>(e->back());
  if (e->size() > 8 || (e_last & 1) == 0 || (e->size() == 1 && e_last < 3))
    throw std::invalid_argument("JWK exponent is not a valid RSA public exponent");

  std::string kid;
  if (jwk->contains("kid")) {
    const std::string* k = string_member(*jwk, "kid");
    if (!k || k->empty() || k->size() > 256)
      throw std::invalid_argument("JWK kid must be a non-empty string");
    kid = *k;
  } else {
    kid = rfc7638_thumbprint(*n_b64, *e_b64);
  }
  PkeyPtr key = rsa_public_key(*n, *e);
  impl_->keys.insert_or_assign(std::move(kid), std::move(key));
}

std::optional<std::string> Verifier::verify(std::string_view token, std::string* error) const {
  auto refuse = [error](const char* why) -> std::optional<std::string> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (token.size() > kMaxTokenBytes) return refuse("token too long");
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return refuse("not a compact JWS");
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return refuse("not a compact JWS");
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty())
    return refuse("not a compact JWS");

  auto header_text = crypto::base64url_decode(header_b64);
  if (!header_text) return refuse("header is not base64url");
  auto header = parse_object(*header_text);
  if (!header) return refuse("header is not a JSON object");
  const std::string* alg = string_member(*header, "alg");
  if (!alg || *alg != "RS256") return refuse("alg must be RS256");
  if (header->contains("crit")) return refuse("crit header parameters are not supported");
  if (header->contains("typ")) {
    const std::string* typ = string_member(*header, "typ");
    if (!typ || !iequals_ascii(*typ, "JWT")) return refuse("typ must be JWT");
  }
  const std::string* kid = string_member(*header, "kid");
  if (!kid) return refuse("kid missing");
  auto key = impl_->keys.find(*kid);
  if (key == impl_->keys.end()) return refuse("unknown kid");

  auto signature = crypto::base64url_decode(signature_b64);
  if (!signature) return refuse("signature is not base64url");
  std::string_view input = token.substr(0, dot2);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->second.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), bytes(*signature), signature->size(), bytes(input),
                       input.size()) == 1;
  ERR_clear_error();
  if (!ok) return refuse("bad signature");

  auto payload_text = crypto::base64url_decode(payload_b64);
  if (!payload_text) return refuse("payload is not base64url");
  if (!parse_object(*payload_text)) return refuse("payload is not a JSON object");
  return payload_text;
}

bool check_times(std::string_view payload_json, std::int64_t now, std::int64_t leeway,
                 std::string* error) {
  auto refuse = [error](const char* why) {
    if (error) *error = why;
    return false;
  };
  auto payload = parse_object(payload_json);
  if (!payload) return refuse("payload is not a JSON object");
  if (leeway < 0) leeway = 0;
  const auto t = static_cast<double>(now);
  const auto skew = static_cast<double>(leeway);
  auto number = [&](const char* name) -> std::optional<double> {
    auto it = payload->find(name);
    if (it == payload->end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  auto exp = number("exp");
  if (!exp) return refuse("exp missing or not a number");
  if (t - skew >= *exp) return refuse("token expired");
  if (payload->contains("nbf")) {
    auto nbf = number("nbf");
    if (!nbf) return refuse("nbf is not a number");
    if (t + skew < *nbf) return refuse("token not yet valid (nbf)");
  }
  if (payload->contains("iat")) {
    auto iat = number("iat");
    if (!iat) return refuse("iat is not a number");
    if (t + skew < *iat) return refuse("token issued in the future (iat)");
  }
  return true;
}

}  // namespace og::jwt
