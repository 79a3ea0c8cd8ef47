#include "daemon/bridges/xrpl/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>

namespace og::xrpl {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;  // scalars may be secret
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;

const Bytes kSecpSeedVersion = {0x21};
const Bytes kEdSeedVersion = {0x01, 0xE1, 0x4B};

// An OpenSSL failure: what failed, never the data (the thread's error queue is emptied).
[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw Error(std::string("xrpl: ") + what);
}

// Wipes a buffer that held key material when it goes out of scope.
struct Wipe {
  void* p;
  std::size_t n;
  ~Wipe() { OPENSSL_cleanse(p, n); }
};

struct Secp {
  GroupPtr group;
  BnPtr order;
  BnPtr half_order;  // floor(n / 2): the largest canonical S
  BnCtxPtr ctx;
};

Secp secp() {
  Secp c{GroupPtr(EC_GROUP_new_by_curve_name(NID_secp256k1)), BnPtr(BN_new()), BnPtr(BN_new()), BnCtxPtr(BN_CTX_new())};
  if (!c.group || !c.order || !c.half_order || !c.ctx) fail("secp256k1 is not available");
  if (!EC_GROUP_get_order(c.group.get(), c.order.get(), c.ctx.get()) || !BN_rshift1(c.half_order.get(), c.order.get()))
    fail("secp256k1 order");
  return c;
}

void put_u32(Bytes& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
}

// The first SHA-512Half(data || [discriminator] || uint32_be(i)), i = 0, 1, ..., in [1, n-1]
// (rippled's generateRootDeterministicKey / ripple-keypairs' deriveScalar).
BnPtr derive_scalar(const Secp& c, const Bytes& data, std::optional<std::uint32_t> discriminator) {
  for (std::uint32_t i = 0;; ++i) {
    Bytes buf = data;
    if (discriminator) put_u32(buf, *discriminator);
    put_u32(buf, i);
    Hash256 h = sha512_half(buf);
    OPENSSL_cleanse(buf.data(), buf.size());
    BnPtr k(BN_bin2bn(h.data(), static_cast<int>(h.size()), nullptr));
    OPENSSL_cleanse(h.data(), h.size());
    if (!k) fail("bignum");
    if (!BN_is_zero(k.get()) && BN_cmp(k.get(), c.order.get()) < 0) return k;
    if (i == 0xFFFFFFFFU) fail("no scalar in range");  // practically unreachable
  }
}

Bytes public_from_scalar(const Secp& c, const BIGNUM* k) {
  PointPtr p(EC_POINT_new(c.group.get()));
  if (!p || !EC_POINT_mul(c.group.get(), p.get(), k, nullptr, nullptr, c.ctx.get())) fail("secp256k1 multiply");
  Bytes out(33, 0);
  if (EC_POINT_point2oct(c.group.get(), p.get(), POINT_CONVERSION_COMPRESSED, out.data(), out.size(), c.ctx.get()) != 33)
    fail("secp256k1 encode point");
  return out;
}

KeyPair secp_pair(const Secp& c, const BIGNUM* k) {
  KeyPair kp;
  kp.type = KeyType::secp256k1;
  if (BN_bn2binpad(k, kp.private_key.data(), static_cast<int>(kp.private_key.size())) != 32) fail("bignum");
  kp.public_key = public_from_scalar(c, k);
  return kp;
}

// An EC key for EVP: the public key alone (verify) or with the private scalar (sign).
PkeyPtr secp_pkey(const Bytes& public_key, const std::array<std::uint8_t, 32>* private_key) {
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) fail("param builder");
  BnPtr priv;
  if (private_key) {
    priv.reset(BN_secure_new());
    if (!priv || !BN_bin2bn(private_key->data(), 32, priv.get())) fail("bignum");
  }
  if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "secp256k1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(), public_key.size()) ||
      (priv && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get())))
    fail("param builder");
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld.get());
  if (!params) fail("param builder");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  const bool ok = ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
                  EVP_PKEY_fromdata(ctx.get(), &raw, private_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
  // OSSL_PARAM_clear_free is OpenSSL 3.2; the builder put a secure BIGNUM's bytes in secure
  // memory, which OSSL_PARAM_free clears.
  OSSL_PARAM_free(params);
  if (!ok) {
    ERR_clear_error();
    return nullptr;
  }
  return PkeyPtr(raw);
}

PkeyPtr ed_private_pkey(const std::array<std::uint8_t, 32>& private_key) {
  PkeyPtr p(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, private_key.data(), private_key.size()));
  if (!p) fail("Ed25519 key");
  return p;
}

Bytes secp_sign(const KeyPair& key, const Bytes& message) {
  const Hash256 digest = sha512_half(message);
  PkeyPtr pkey = secp_pkey(key.public_key, &key.private_key);
  if (!pkey) fail("secp256k1 key");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
    fail("ECDSA sign");
  Bytes der(len, 0);
  if (EVP_PKEY_sign(ctx.get(), der.data(), &len, digest.data(), digest.size()) != 1) fail("ECDSA sign");
  der.resize(len);
  // Canonical form (rippled's "fully canonical"): S in the lower half of [1, n-1].
  const unsigned char* p = der.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) fail("ECDSA signature");
  const Secp c = secp();
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_cmp(s, c.half_order.get()) > 0) {
    BIGNUM* low = BN_new();
    BIGNUM* r2 = BN_dup(r);
    if (!low || !r2 || !BN_sub(low, c.order.get(), s) || !ECDSA_SIG_set0(sig.get(), r2, low)) {
      BN_free(low);
      BN_free(r2);
      fail("ECDSA canonical S");
    }
  }
  unsigned char* out = nullptr;
  const int n = i2d_ECDSA_SIG(sig.get(), &out);
  if (n <= 0) fail("ECDSA encode");
  Bytes result(out, out + n);
  OPENSSL_free(out);
  return result;
}

bool secp_verify(const Bytes& public_key, const Bytes& message, const Bytes& signature) {
  if (signature.empty() || signature.size() > 72) return false;
  const unsigned char* p = signature.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
  if (!sig || p != signature.data() + signature.size()) {
    ERR_clear_error();
    return false;
  }
  // Strict DER: it must encode back to the same bytes.
  unsigned char* re = nullptr;
  const int n = i2d_ECDSA_SIG(sig.get(), &re);
  const bool strict = n > 0 && static_cast<std::size_t>(n) == signature.size() &&
                      std::equal(signature.begin(), signature.end(), re);
  OPENSSL_free(re);
  if (!strict) return false;
  const Secp c = secp();
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_is_zero(r) || BN_is_negative(r) || BN_cmp(r, c.order.get()) >= 0) return false;
  if (BN_is_zero(s) || BN_is_negative(s) || BN_cmp(s, c.half_order.get()) > 0) return false;
  PkeyPtr pkey = secp_pkey(public_key, nullptr);
  if (!pkey) return false;
  const Hash256 digest = sha512_half(message);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  const bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
                  EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size()) == 1;
  ERR_clear_error();
  return ok;
}

Bytes ed_sign(const KeyPair& key, const Bytes& message) {
  PkeyPtr pkey = ed_private_pkey(key.private_key);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  Bytes sig(64, 0);
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != 64)
    fail("Ed25519 sign");
  return sig;
}

bool ed_verify(const Bytes& public_key, const Bytes& message, const Bytes& signature) {
  if (signature.size() != 64) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data() + 1, 32));
  if (!pkey) {
    ERR_clear_error();
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

Seed::~Seed() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
KeyPair::~KeyPair() { OPENSSL_cleanse(private_key.data(), private_key.size()); }

Hash256 sha256(const std::uint8_t* data, std::size_t n) {
  Hash256 out{};
  unsigned int len = 0;
  if (EVP_Digest(data, n, out.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32) fail("SHA-256");
  return out;
}

Hash256 sha512_half(const std::uint8_t* data, std::size_t n) {
  unsigned char full[64];
  unsigned int len = 0;
  if (EVP_Digest(data, n, full, &len, EVP_sha512(), nullptr) != 1 || len != 64) fail("SHA-512");
  Hash256 out{};
  std::copy(full, full + 32, out.begin());
  OPENSSL_cleanse(full, sizeof full);  // it may hash a seed
  return out;
}

Seed generate_seed(KeyType type) {
  Seed s;
  s.type = type;
  if (RAND_bytes(s.bytes.data(), static_cast<int>(s.bytes.size())) != 1) fail("RAND_bytes failed");
  return s;
}

std::string encode_seed(const Seed& seed) {
  Bytes payload(seed.bytes.begin(), seed.bytes.end());
  Wipe w{payload.data(), payload.size()};
  return base58check_encode(seed.type == KeyType::ed25519 ? kEdSeedVersion : kSecpSeedVersion, payload);
}

std::optional<Seed> decode_seed(std::string_view text) {
  for (KeyType type : {KeyType::ed25519, KeyType::secp256k1}) {
    auto payload = base58check_decode(text, type == KeyType::ed25519 ? kEdSeedVersion : kSecpSeedVersion, 16);
    if (!payload) continue;
    Seed s;
    s.type = type;
    std::copy(payload->begin(), payload->end(), s.bytes.begin());
    OPENSSL_cleanse(payload->data(), payload->size());
    return s;
  }
  return std::nullopt;
}

KeyPair derive_root_keypair(const Seed& seed) {
  if (seed.type != KeyType::secp256k1) throw Error("xrpl: a root key pair is for secp256k1 seeds only");
  const Secp c = secp();
  Bytes data(seed.bytes.begin(), seed.bytes.end());
  Wipe w{data.data(), data.size()};
  BnPtr root = derive_scalar(c, data, std::nullopt);
  return secp_pair(c, root.get());
}

KeyPair derive_keypair(const Seed& seed) {
  if (seed.type == KeyType::ed25519) {
    KeyPair kp;
    kp.type = KeyType::ed25519;
    kp.private_key = sha512_half(seed.bytes.data(), seed.bytes.size());
    PkeyPtr pkey = ed_private_pkey(kp.private_key);
    unsigned char pub[32];
    std::size_t len = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(pkey.get(), pub, &len) != 1 || len != 32) fail("Ed25519 public key");
    kp.public_key.assign(1, 0xED);
    kp.public_key.insert(kp.public_key.end(), pub, pub + 32);
    return kp;
  }
  // secp256k1, account index 0: (root + tweak) mod n, tweak from the root public key.
  const Secp c = secp();
  Bytes data(seed.bytes.begin(), seed.bytes.end());
  Wipe w{data.data(), data.size()};
  BnPtr root = derive_scalar(c, data, std::nullopt);
  const Bytes root_public = public_from_scalar(c, root.get());
  BnPtr tweak = derive_scalar(c, root_public, 0U);
  BnPtr account(BN_secure_new());
  if (!account || !BN_mod_add(account.get(), root.get(), tweak.get(), c.order.get(), c.ctx.get())) fail("bignum");
  if (BN_is_zero(account.get())) fail("degenerate key");  // probability ~2^-256
  return secp_pair(c, account.get());
}

KeyPair derive_keypair(std::string_view seed_text) {
  auto seed = decode_seed(seed_text);
  if (!seed) throw Error("xrpl: invalid seed");
  return derive_keypair(*seed);
}

AccountId account_id(const Bytes& public_key) {
  const Hash256 h = sha256(public_key.data(), public_key.size());
  return ripemd160(h.data(), h.size());
}

std::string classic_address(const Bytes& public_key) { return encode_classic_address(account_id(public_key)); }

std::optional<KeyType> public_key_type(const Bytes& public_key) {
  if (public_key.size() != 33) return std::nullopt;
  if (public_key[0] == 0xED) return KeyType::ed25519;
  if (public_key[0] != 0x02 && public_key[0] != 0x03) return std::nullopt;
  const Secp c = secp();
  PointPtr p(EC_POINT_new(c.group.get()));
  if (!p || EC_POINT_oct2point(c.group.get(), p.get(), public_key.data(), public_key.size(), c.ctx.get()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return KeyType::secp256k1;
}

Bytes sign_message(const KeyPair& key, const Bytes& message) {
  return key.type == KeyType::ed25519 ? ed_sign(key, message) : secp_sign(key, message);
}

bool verify_message(const Bytes& public_key, const Bytes& message, const Bytes& signature) {
  auto type = public_key_type(public_key);
  if (!type) return false;
  return *type == KeyType::ed25519 ? ed_verify(public_key, message, signature)
                                   : secp_verify(public_key, message, signature);
}

std::string to_hex(const std::uint8_t* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0F]);
  }
  return out;
}

std::optional<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace og::xrpl
