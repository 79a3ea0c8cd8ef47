#include "daemon/secrets/secret_store.h"

#include <openssl/crypto.h>

#include <mutex>
#include <stdexcept>

#include "common/crypto.h"

namespace og::secrets {

std::string PlainSecretStore::put(pqxx::work& tx, std::string_view kind, std::string_view value) {
  std::string id = "sec_" + crypto::random_hex(12);
  tx.exec_params(
      "INSERT INTO secrets (id, kind, scheme, value) VALUES ($1, $2, 'plain', decode($3, 'hex'))",
      id, std::string(kind), crypto::hex_encode(value));
  return id;
}

std::string PlainSecretStore::get(pqxx::transaction_base& tx, std::string_view id) {
  auto r = tx.exec_params("SELECT scheme, encode(value, 'hex') FROM secrets WHERE id = $1",
                          std::string(id));
  if (r.empty()) throw std::runtime_error("secret " + std::string(id) + " does not exist");
  if (r[0][0].as<std::string>() != "plain")
    throw std::runtime_error("secret " + std::string(id) +
                             " is encrypted: this store cannot read it");
  auto bytes = crypto::hex_decode(r[0][1].as<std::string>());
  if (!bytes) throw std::runtime_error("secret " + std::string(id) + " is corrupt");
  return *bytes;
}

void PlainSecretStore::remove(pqxx::work& tx, std::string_view id) {
  tx.exec_params("DELETE FROM secrets WHERE id = $1", std::string(id));
}

}  // namespace og::secrets

namespace og::secrets {

namespace {
std::string bytes_of(const pqxx::field& f, std::string_view id) {
  auto b = crypto::hex_decode(f.as<std::string>());
  if (!b) throw std::runtime_error("secret " + std::string(id) + " is corrupt");
  return *b;
}
}  // namespace

std::string EncryptedSecretStore::aad(std::string_view id, std::string_view kind) {
  std::string a(id);
  a.push_back('\0');
  a += kind;
  return a;
}

bool EncryptedSecretStore::unlocked() const {
  std::shared_lock lock(mu_);
  return key_.has_value();
}

void EncryptedSecretStore::unlock(const DataKey& master) {
  std::unique_lock lock(mu_);
  key_ = master;
}

std::string EncryptedSecretStore::put(pqxx::work& tx, std::string_view kind,
                                      std::string_view value) {
  std::string id = "sec_" + crypto::random_hex(12);
  std::string sealed;
  {
    std::shared_lock lock(mu_);
    if (!key_) throw Locked();
    sealed = seal(*key_, value, aad(id, kind));
  }
  tx.exec_params(
      "INSERT INTO secrets (id, kind, scheme, value) VALUES ($1, $2, 'aesgcm', decode($3, 'hex'))",
      id, std::string(kind), crypto::hex_encode(sealed));
  return id;
}

std::string EncryptedSecretStore::get(pqxx::transaction_base& tx, std::string_view id) {
  {
    std::shared_lock lock(mu_);
    if (!key_) throw Locked();
  }
  auto r = tx.exec_params("SELECT kind, scheme, encode(value, 'hex') FROM secrets WHERE id = $1",
                          std::string(id));
  if (r.empty()) throw std::runtime_error("secret " + std::string(id) + " does not exist");
  if (r[0][1].as<std::string>() != "aesgcm")
    throw std::runtime_error("secret " + std::string(id) +
                             " is not encrypted: refused (the database has a keyring)");
  std::string sealed = bytes_of(r[0][2], id);
  std::optional<std::string> plain;
  {
    std::shared_lock lock(mu_);
    plain = open(*key_, sealed, aad(id, r[0][0].as<std::string>()));
  }
  if (!plain)
    throw std::runtime_error("secret " + std::string(id) +
                             " does not decrypt (tampered or another keyring)");
  return *plain;
}

void EncryptedSecretStore::remove(pqxx::work& tx, std::string_view id) {
  tx.exec_params("DELETE FROM secrets WHERE id = $1", std::string(id));
}

std::size_t EncryptedSecretStore::encrypt_plain(pqxx::work& tx, const DataKey& master) {
  std::size_t n = 0;
  for (const auto& row : tx.exec("SELECT id, kind, encode(value, 'hex') FROM secrets WHERE scheme "
                                 "= 'plain' ORDER BY id FOR UPDATE")) {
    std::string id = row[0].as<std::string>();
    std::string plain = bytes_of(row[2], id);
    std::string sealed = seal(master, plain, aad(id, row[1].as<std::string>()));
    OPENSSL_cleanse(plain.data(), plain.size());
    tx.exec_params("UPDATE secrets SET scheme = 'aesgcm', value = decode($2, 'hex') WHERE id = $1",
                   id, crypto::hex_encode(sealed));
    ++n;
  }
  return n;
}

}  // namespace og::secrets
