#pragma once
// Numbered SQL migrations (daemon/store/migrations/NNNN_name.sql), compiled into omnid and
// applied at start-up under a PostgreSQL advisory lock, so that several omnid nodes
// starting together on one database do not race. Applied versions are recorded in the
// table schema_migrations.

#include <pqxx/pqxx>
#include <span>
#include <string_view>

namespace og::store {

struct Migration {
  int number;             // 1, 2, ... (from the file name)
  std::string_view name;  // "0001_foundation"
  std::string_view sql;
};

// The migrations compiled into this binary, in order (generated file).
std::span<const Migration> embedded_migrations();

// Applies every migration newer than the database's version, each in its own
// transaction, holding a session advisory lock for the whole run. Returns the schema
// version afterwards. Throws if the database is newer than this binary knows, or if an
// applied migration's checksum differs from the embedded one.
int migrate(pqxx::connection& conn, std::span<const Migration> migrations = embedded_migrations());

// The highest applied migration, 0 for an empty database.
int schema_version(pqxx::connection& conn);

}  // namespace og::store
