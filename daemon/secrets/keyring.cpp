#include "daemon/secrets/keyring.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "common/crypto.h"

namespace og::secrets {

namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;
constexpr std::size_t kSalt = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hex_of_bytea(const pqxx::field& f) {
  // Selected as encode(x, 'hex'): portable across libpqxx 6 and 7.
  auto b = crypto::hex_decode(f.as<std::string>());
  if (!b) throw std::runtime_error("the keyring is malformed");
  return *b;
}

}  // namespace

DataKey::~DataKey() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

DataKey DataKey::random() {
  std::array<unsigned char, kSize> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  DataKey k(b);
  OPENSSL_cleanse(b.data(), b.size());
  return k;
}

std::string generate_application_password() {
  const std::size_t n = kApplicationPasswordAlphabet.size();
  // Rejection sampling: bytes >= the largest multiple of n below 256 are drawn again.
  const unsigned limit = 256 - (256 % n);
  std::string out;
  while (out.size() < kApplicationPasswordLength) {
    auto r = crypto::random_bytes(32);
    for (unsigned char c : r) {
      if (c >= limit) continue;
      out.push_back(kApplicationPasswordAlphabet[c % n]);
      if (out.size() == kApplicationPasswordLength) break;
    }
    OPENSSL_cleanse(r.data(), r.size());
  }
  return out;
}

bool valid_application_password(std::string_view password) {
  if (password.size() != kApplicationPasswordLength) return false;
  for (char c : password)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

DataKey derive_kek(std::string_view password, std::string_view salt, const KdfParams& p) {
  std::array<unsigned char, DataKey::kSize> out{};
  // maxmem: 128 * r * N plus room; 0 would mean OpenSSL's 32 MiB default, too small for N=2^15.
  const std::uint64_t maxmem = 128ull * p.r * p.n + 16ull * 1024 * 1024;
  if (EVP_PBE_scrypt(password.data(), password.size(), bytes(salt), salt.size(), p.n, p.r, p.p,
                     maxmem, out.data(), out.size()) != 1)
    throw std::runtime_error("scrypt failed (bad parameters or out of memory)");
  DataKey k(out);
  OPENSSL_cleanse(out.data(), out.size());
  return k;
}

std::string seal(const DataKey& key, std::string_view plaintext, std::string_view aad,
                 std::optional<std::string_view> nonce) {
  std::string iv;
  if (nonce) {
    if (nonce->size() != kNonce) throw std::invalid_argument("an AES-GCM nonce is 12 bytes");
    iv = std::string(*nonce);
  } else {
    auto r = crypto::random_bytes(kNonce);
    iv.assign(r.begin(), r.end());
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string out = iv;
  out.resize(kNonce + plaintext.size() + kTag);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonce;
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes(iv)) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTag),
                          dst + plaintext.size()) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> open(const DataKey& key, std::string_view sealed, std::string_view aad) {
  if (sealed.size() < kNonce + kTag) return std::nullopt;
  std::string_view iv = sealed.substr(0, kNonce);
  std::string_view ct = sealed.substr(kNonce, sealed.size() - kNonce - kTag);
  std::string tag(sealed.substr(sealed.size() - kTag));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string out(ct.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes(iv)) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, bytes(ct), static_cast<int>(ct.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTag), tag.data()) !=
          1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

void create_keyring(pqxx::work& tx, std::string_view application_password,
                    const KdfParams& params) {
  if (!valid_application_password(application_password))
    throw std::invalid_argument("an application password is 16 printable ASCII characters");
  tx.exec("LOCK TABLE keyring IN EXCLUSIVE MODE");
  if (has_keyring(tx)) throw std::runtime_error("the database has a keyring already");
  auto salt_bytes = crypto::random_bytes(kSalt);
  std::string salt(salt_bytes.begin(), salt_bytes.end());
  DataKey kek = derive_kek(application_password, salt, params);
  DataKey master = DataKey::random();
  std::string wrapped =
      seal(kek, std::string_view(reinterpret_cast<const char*>(master.data()), DataKey::kSize),
           kKeyringAad);
  tx.exec_params(
      "INSERT INTO keyring (id, kdf, salt, scrypt_n, scrypt_r, scrypt_p, wrapped_key) "
      "VALUES (1, 'scrypt', decode($1, 'hex'), $2, $3, $4, decode($5, 'hex'))",
      crypto::hex_encode(salt), static_cast<long long>(params.n), static_cast<long long>(params.r),
      static_cast<long long>(params.p), crypto::hex_encode(wrapped));
}

bool has_keyring(pqxx::transaction_base& tx) {
  return !tx.exec("SELECT 1 FROM keyring WHERE id = 1").empty();
}

std::optional<DataKey> open_keyring(pqxx::transaction_base& tx,
                                    std::string_view application_password) {
  auto r = tx.exec(
      "SELECT encode(salt, 'hex'), scrypt_n, scrypt_r, scrypt_p, encode(wrapped_key, 'hex') FROM "
      "keyring "
      "WHERE id = 1");
  if (r.empty()) throw std::runtime_error("the database has no keyring");
  if (!valid_application_password(application_password)) return std::nullopt;
  KdfParams p;
  p.n = r[0][1].as<std::uint64_t>();
  p.r = r[0][2].as<std::uint32_t>();
  p.p = r[0][3].as<std::uint32_t>();
  if (p.n > (1u << 22) || p.r > 64 || p.p > 16)
    throw std::runtime_error("the keyring's scrypt parameters are out of range");
  std::string salt = hex_of_bytea(r[0][0]);
  std::string wrapped = hex_of_bytea(r[0][4]);
  DataKey kek = derive_kek(application_password, salt, p);
  auto master = open(kek, wrapped, kKeyringAad);
  if (!master) return std::nullopt;
  if (master->size() != DataKey::kSize) throw std::runtime_error("the keyring is malformed");
  std::array<unsigned char, DataKey::kSize> b{};
  std::copy(master->begin(), master->end(), b.begin());
  OPENSSL_cleanse(master->data(), master->size());
  DataKey k(b);
  OPENSSL_cleanse(b.data(), b.size());
  return k;
}

}  // namespace og::secrets
