#pragma once
// External accounts of bridge instances (system/bridge/updateaccount, .../externalaccountlist):
// checked against the type's attribute schema; secret attributes stored in the secret store
// (encrypted under the unlock keys when the database has a keyring) and masked in answers.

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result_codes.h"
#include "daemon/bridges/bridge.h"

namespace og::secrets {
class SecretStore;
}

namespace og::bridges {

// What a masked attribute shows instead of its value.
inline constexpr const char* kMasked = "********";

struct ExternalAccount {
  long long id = 0;
  std::string identifier, description, status;
  bool issuing = false, trackable = true;
  Json attributes = Json::object();  // every attribute set, the secret ones as kMasked
};

// A refusal of bad account data: nothing was changed.
struct AccountProblem {
  Rc rc;
  std::string detail;
};

// Creates the account `data` identifies (by the schema's identifier attribute) or updates
// it: attributes not named keep their values. Besides the schema's attributes, `data` may
// set description (string), issuing and trackable (booleans). Throws secrets::Locked when a
// secret attribute is given and the secret store is locked.
struct UpdateResult {
  std::optional<AccountProblem> problem;
  long long id = 0;
  bool created = false;
};
UpdateResult update_account(pqxx::work& tx, secrets::SecretStore& store, const Bridge& bridge, const Json& data);

std::vector<ExternalAccount> list_accounts(pqxx::transaction_base& tx, const Bridge& bridge);
long long count_accounts(pqxx::transaction_base& tx, const Bridge& bridge);

// The secret attributes of an account, for its bridge's own use (signing, logging in to a
// partner): never put them in an answer or a log line.
Json account_secrets(pqxx::transaction_base& tx, secrets::SecretStore& store, long long id);

}  // namespace og::bridges
