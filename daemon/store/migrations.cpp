#include "daemon/store/migrations.h"

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace og::store {

namespace {

// Session advisory lock key of the migration run: the first 8 bytes of
// sha256("omnigate.migrations") as a signed big-endian integer. Never change it: nodes of
// different versions must exclude each other.
constexpr long long kMigrationLockKey = -21032996305040324LL;

// TODO: use og::crypto::sha256_hex (common/crypto.h) once it is settled.
std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
    throw std::runtime_error("sha256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// Holds the migration lock for its lifetime. If the connection broke, the server released
// the lock with the session.
class AdvisoryLock {
 public:
  explicit AdvisoryLock(pqxx::connection& conn) : conn_(conn) {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (...) {
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection& conn_;
};

std::string label(const Migration& m) {
  return std::string(m.name);
}

}  // namespace

int schema_version(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  if (tx.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0].as<bool>()) return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

int migrate(pqxx::connection& conn, std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].number != static_cast<int>(i) + 1) {
      throw std::logic_error("migrations must be numbered 1, 2, 3, ... without gaps; " +
                             label(migrations[i]) + " is number " +
                             std::to_string(migrations[i].number) + " at position " +
                             std::to_string(i + 1));
    }
  }
  const int newest = static_cast<int>(migrations.size());

  AdvisoryLock lock(conn);  // concurrent migrators (other nodes) wait here
  {
    pqxx::work tx(conn);
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " name text NOT NULL,"
        " checksum text NOT NULL,"  // sha256 hex of the migration's SQL
        " applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }

  std::map<int, std::string> applied;  // version -> checksum
  {
    pqxx::nontransaction tx(conn);
    for (const auto& row :
         tx.exec("SELECT version, checksum FROM schema_migrations ORDER BY version")) {
      applied.emplace(row[0].as<int>(), row[1].as<std::string>());
    }
  }
  if (!applied.empty() && applied.rbegin()->first > newest) {
    throw std::runtime_error("database schema version " + std::to_string(applied.rbegin()->first) +
                             " is newer than this omnid (" + std::to_string(newest) +
                             "): upgrade omnid");
  }
  int expected = 1;
  for (const auto& [version, checksum] : applied) {
    if (version != expected) {
      throw std::runtime_error("schema_migrations is inconsistent: migration " +
                               std::to_string(expected) + " is missing although " +
                               std::to_string(version) + " is applied");
    }
    const Migration& m = migrations[static_cast<std::size_t>(version - 1)];
    if (sha256_hex(m.sql) != checksum) {
      throw std::runtime_error("migration " + label(m) +
                               " differs from the one applied to this database (checksum "
                               "mismatch); a migration must never change once released");
    }
    ++expected;
  }

  for (const Migration& m : migrations.subspan(applied.size())) {
    try {
      pqxx::work tx(conn);
      tx.exec(std::string(m.sql));
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     m.number, std::string(m.name), sha256_hex(m.sql));
      tx.commit();
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& e) {
      throw std::runtime_error("migration " + label(m) + " failed: " + e.what());
    }
  }
  return schema_version(conn);
}

}  // namespace og::store
