#include "daemon/bridges/stellar/keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace og::stellar {

namespace {
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

Pkey private_key(const Seed& seed) {
  Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!k) throw Error("stellar: OpenSSL could not make an ed25519 key");
  return k;
}
}  // namespace

KeyPair KeyPair::from_seed(const Seed& seed) {
  KeyPair kp;
  kp.seed_ = seed;
  Pkey k = private_key(seed);
  std::size_t len = kp.public_key_.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), kp.public_key_.data(), &len) != 1 || len != 32)
    throw Error("stellar: OpenSSL could not derive an ed25519 public key");
  return kp;
}

KeyPair KeyPair::from_secret(std::string_view secret) {
  auto seed = decode_seed(secret);
  if (!seed) throw Error("stellar: not a Stellar secret seed (S...)");
  KeyPair kp = from_seed(*seed);
  OPENSSL_cleanse(seed->data(), seed->size());
  return kp;
}

KeyPair KeyPair::random() {
  Seed seed{};
  if (RAND_priv_bytes(seed.data(), static_cast<int>(seed.size())) != 1)
    throw Error("stellar: OpenSSL's random generator failed");
  KeyPair kp = from_seed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return kp;
}

KeyPair::~KeyPair() { OPENSSL_cleanse(seed_.data(), seed_.size()); }

Signature KeyPair::sign(const std::uint8_t* data, std::size_t size) const {
  Pkey k = private_key(seed_);
  Ctx ctx(EVP_MD_CTX_new());
  Signature sig{};
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, data, size) != 1 || len != sig.size())
    throw Error("stellar: OpenSSL could not sign");
  if (!verify(public_key_, data, size, sig.data(), sig.size()))
    throw Error("stellar: the signature made does not verify");
  return sig;
}

bool verify(const PublicKey& key, const std::uint8_t* data, std::size_t size, const std::uint8_t* signature,
            std::size_t signature_size) {
  if (signature_size != 64) return false;
  Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  if (!k) return false;
  Ctx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature, signature_size, data, size) == 1;
}

}  // namespace og::stellar
