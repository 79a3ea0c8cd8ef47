#include "daemon/secrets/secret_store.h"

#include <stdexcept>

#include "common/crypto.h"

namespace og::secrets {

std::string PlainSecretStore::put(pqxx::work& tx, std::string_view kind, std::string_view value) {
  std::string id = "sec_" + crypto::random_hex(12);
  tx.exec_params("INSERT INTO secrets (id, kind, scheme, value) VALUES ($1, $2, 'plain', decode($3, 'hex'))", id,
                 std::string(kind), crypto::hex_encode(value));
  return id;
}

std::string PlainSecretStore::get(pqxx::transaction_base& tx, std::string_view id) {
  auto r = tx.exec_params("SELECT scheme, encode(value, 'hex') FROM secrets WHERE id = $1", std::string(id));
  if (r.empty()) throw std::runtime_error("secret " + std::string(id) + " does not exist");
  if (r[0][0].as<std::string>() != "plain")
    throw std::runtime_error("secret " + std::string(id) + " is encrypted: this store cannot read it");
  auto bytes = crypto::hex_decode(r[0][1].as<std::string>());
  if (!bytes) throw std::runtime_error("secret " + std::string(id) + " is corrupt");
  return *bytes;
}

void PlainSecretStore::remove(pqxx::work& tx, std::string_view id) {
  tx.exec_params("DELETE FROM secrets WHERE id = $1", std::string(id));
}

}  // namespace og::secrets
