#include "daemon/modules/omnipass/bootstrap.h"

#include "common/crypto.h"
#include "common/ids.h"
#include "daemon/api/principal.h"

namespace og::omnipass {

namespace {
constexpr const char* kDevKeyDescription = "omnid --dev administrator";
}

std::string create_profile(pqxx::work& tx, const std::string& type, const Json& attributes, bool is_system) {
  std::string upid = new_id(IdKind::Upid);
  tx.exec_params("INSERT INTO profiles (upid, type, attributes, is_system) VALUES ($1, $2, $3::jsonb, $4)", upid, type,
                 attributes.dump(), is_system);
  return upid;
}

NewApiKey create_api_key(pqxx::work& tx, const std::string& upid, const std::string& description,
                         const std::vector<std::string>& roles) {
  NewApiKey k{new_id(IdKind::Akid), crypto::random_hex(16)};
  tx.exec_params(
      "INSERT INTO api_keys (akid, upid, key_hash, last4, description, roles) "
      "VALUES ($1, $2, decode($3, 'hex'), $4, $5, ARRAY(SELECT json_array_elements_text($6::json)))",
      k.akid, upid, api::api_key_hash_hex(k.apikey), k.apikey.substr(k.apikey.size() - 4), description,
      Json(roles).dump());
  return k;
}

NewApiKey ensure_dev_admin(pqxx::connection& conn) {
  pqxx::work tx(conn);
  std::string upid;
  auto rows = tx.exec_params("SELECT upid FROM api_keys WHERE description = $1 ORDER BY created_at LIMIT 1",
                             std::string(kDevKeyDescription));
  if (!rows.empty()) {
    upid = rows[0][0].as<std::string>();
    tx.exec_params("UPDATE api_keys SET revoked_at = now() WHERE description = $1 AND revoked_at IS NULL",
                   std::string(kDevKeyDescription));
  } else {
    upid = create_profile(tx, "organization",
                          Json{{"organizationname", "Omnigate dev"},
                               {"adminfirstname", "Dev"},
                               {"adminlastname", "Administrator"},
                               {"adminemail", "admin@omnigate.local"}},
                          /*is_system=*/true);
  }
  NewApiKey key = create_api_key(tx, upid, kDevKeyDescription, {"system-admin"});
  tx.commit();
  return key;
}

}  // namespace og::omnipass
