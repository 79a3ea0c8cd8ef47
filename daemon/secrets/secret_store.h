#pragma once
// Every secret the platform keeps at rest - JWT signing keys, MFA seeds, OAuth application
// and strategy secrets, later bridge and payment-processor keys - goes through this one
// small interface, inside the caller's database transaction. EncryptedSecretStore encrypts
// them with AES-256-GCM under the keyring's master key (docs/unlock.md); PlainSecretStore
// keeps them as they are (scheme 'plain') in a database without a keyring.

#include <optional>
#include <pqxx/pqxx>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon/secrets/keyring.h"

namespace og::secrets {

// Thrown by a store that cannot read or write secrets until it is unlocked.
class Locked : public std::runtime_error {
 public:
  Locked()
      : std::runtime_error("the secret store is locked: unlock it with the application password") {}
};

class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // Stores a value; returns its id (to keep in the referring row).
  virtual std::string put(pqxx::work& tx, std::string_view kind, std::string_view value) = 0;
  // The value of an id. Throws std::runtime_error if it is unknown or cannot be read.
  virtual std::string get(pqxx::transaction_base& tx, std::string_view id) = 0;
  virtual void remove(pqxx::work& tx, std::string_view id) = 0;
  // Whether get and put work now (false: they throw Locked).
  virtual bool unlocked() const { return true; }
};

class PlainSecretStore : public SecretStore {
 public:
  std::string put(pqxx::work& tx, std::string_view kind, std::string_view value) override;
  std::string get(pqxx::transaction_base& tx, std::string_view id) override;
  void remove(pqxx::work& tx, std::string_view id) override;
};

// scheme 'aesgcm': value = nonce(12) || AES-256-GCM ciphertext || tag(16) under the keyring's
// master key, with the secret's id and kind as associated data (a value moved to another row
// or kind does not decrypt). Locked until unlock() receives the master key: get and put throw
// Locked, remove works (it reads nothing). Refuses 'plain' values: encrypt_plain() converts
// them, once, when the store is first unlocked.
class EncryptedSecretStore : public SecretStore {
 public:
  std::string put(pqxx::work& tx, std::string_view kind, std::string_view value) override;
  std::string get(pqxx::transaction_base& tx, std::string_view id) override;
  void remove(pqxx::work& tx, std::string_view id) override;
  bool unlocked() const override;

  // Keeps the master key in memory from now on (until the process exits).
  void unlock(const DataKey& master);
  // Encrypts every 'plain' secret under `master` in `tx`; returns how many. The migration
  // path of a database whose secrets were stored before it had a keyring.
  static std::size_t encrypt_plain(pqxx::work& tx, const DataKey& master);

  // The associated data of a secret.
  static std::string aad(std::string_view id, std::string_view kind);

 private:
  mutable std::shared_mutex mu_;
  std::optional<DataKey> key_;
};

}  // namespace og::secrets
