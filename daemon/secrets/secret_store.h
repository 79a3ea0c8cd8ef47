#pragma once
// Every secret the platform keeps at rest - JWT signing keys, MFA seeds, OAuth application
// and strategy secrets, later bridge and payment-processor keys - goes through this one
// small interface, inside the caller's database transaction. The plain store keeps values
// as they are (scheme 'plain'); the unlock issue swaps in a store that encrypts them with
// AES-256-GCM under a key derived from the application password.

#include <pqxx/pqxx>
#include <string>
#include <string_view>

namespace og::secrets {

class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // Stores a value; returns its id (to keep in the referring row).
  virtual std::string put(pqxx::work& tx, std::string_view kind, std::string_view value) = 0;
  // The value of an id. Throws std::runtime_error if it is unknown or cannot be read.
  virtual std::string get(pqxx::transaction_base& tx, std::string_view id) = 0;
  virtual void remove(pqxx::work& tx, std::string_view id) = 0;
};

class PlainSecretStore : public SecretStore {
 public:
  std::string put(pqxx::work& tx, std::string_view kind, std::string_view value) override;
  std::string get(pqxx::transaction_base& tx, std::string_view id) override;
  void remove(pqxx::work& tx, std::string_view id) override;
};

}  // namespace og::secrets
