#include "daemon/bridges/accounts.h"

#include "daemon/secrets/secret_store.h"

namespace og::bridges {

namespace {

constexpr std::size_t kMaxValue = 1000;

std::optional<AccountProblem> check_value(const Attribute& a, const Json& v) {
  const std::string where = "accountdata." + a.name;
  if (a.type == "boolean") {
    if (!v.is_boolean()) return AccountProblem{Rc::BadType, where + " must be true or false"};
    return std::nullopt;
  }
  if (a.type == "number") {
    if (!v.is_number_integer() && !(v.is_string() && !v.get<std::string>().empty() &&
                                     v.get<std::string>().find_first_not_of("0123456789") == std::string::npos))
      return AccountProblem{Rc::BadType, where + " must be a whole number"};
    return std::nullopt;
  }
  if (!v.is_string()) return AccountProblem{Rc::BadType, where + " must be a string"};
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > kMaxValue)
    return AccountProblem{Rc::BadLength, where + " must be 1 to " + std::to_string(kMaxValue) + " characters"};
  if (s == kMasked) return AccountProblem{Rc::BadValue, where + " is the mask, not a value"};
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return AccountProblem{Rc::BadValue, where + " must not contain control characters"};
  return std::nullopt;
}

}  // namespace

UpdateResult update_account(pqxx::work& tx, secrets::SecretStore& store, const Bridge& bridge, const Json& data) {
  const AccountSchema& schema = bridge.schema();
  const std::string kind = bridge.type();
  auto refuse = [](Rc rc, std::string detail) {
    return UpdateResult{.problem = AccountProblem{rc, std::move(detail)}, .id = 0, .created = false};
  };
  if (!data.is_object()) return refuse(Rc::BadType, "accountdata must be a JSON object");

  Json plain = Json::object(), secret = Json::object();
  std::optional<std::string> description;
  std::optional<bool> issuing, trackable;
  for (const auto& [name, value] : data.items()) {
    if (name == "description") {
      if (!value.is_string() || value.get<std::string>().size() > 100)
        return refuse(Rc::BadType, "accountdata.description must be a string of at most 100 characters");
      description = value.get<std::string>();
      continue;
    }
    if (name == "issuing" || name == "trackable") {
      if (!value.is_boolean()) return refuse(Rc::BadType, "accountdata." + name + " must be true or false");
      (name == "issuing" ? issuing : trackable) = value.get<bool>();
      continue;
    }
    const Attribute* a = schema.find(name);
    if (!a)
      return refuse(Rc::UnknownParameter, "accountdata." + name + " is not an attribute of " + kind +
                                              " accounts (GET /api/v1/system/bridge/" + kind +
                                              "/externalaccount/attributelist)");
    if (auto p = check_value(*a, value)) return UpdateResult{.problem = p, .id = 0, .created = false};
    (a->masked ? secret : plain)[name] = value;
  }
  if (!plain.contains(schema.identifier))
    return refuse(Rc::MissingParameter, "accountdata." + schema.identifier + " identifies the account: it is required");
  const std::string identifier = plain[schema.identifier].is_string() ? plain[schema.identifier].get<std::string>()
                                                                      : plain[schema.identifier].dump();
  if (schema.check) {
    Json given = plain;
    for (const auto& [k, v] : secret.items()) given[k] = v;
    if (std::string problem = schema.check(given); !problem.empty()) return refuse(Rc::BadValue, problem);
  }

  auto existing = tx.exec_params(
      "SELECT id, attributes::text, coalesce(secret, '') FROM bridge_accounts "
      "WHERE bridge = $1 AND instance = $2 AND identifier = $3 FOR UPDATE",
      bridge.type(), bridge.instance(), identifier);
  const bool created = existing.empty();
  Json old_plain = Json::object(), old_secret = Json::object();
  std::string old_secret_id;
  if (!created) {
    old_plain = Json::parse(existing[0][1].as<std::string>());
    old_secret_id = existing[0][2].as<std::string>();
    if (!old_secret_id.empty() && !secret.empty()) old_secret = Json::parse(store.get(tx, old_secret_id));
  }
  for (const auto& [k, v] : plain.items()) old_plain[k] = v;
  for (const auto& [k, v] : secret.items()) {
    old_secret[k] = v;
    old_plain[k] = kMasked;  // which secrets are set is shown; their values never are
  }
  if (created)
    for (const auto& a : schema.attributes)
      if (a.required && !old_plain.contains(a.name) && !old_secret.contains(a.name))
        return refuse(Rc::MissingParameter, "accountdata." + a.name + " is required for a new " + kind + " account");

  std::string secret_id = old_secret_id;
  if (!secret.empty()) {
    secret_id = store.put(tx, "bridge-account", old_secret.dump());
    if (!old_secret_id.empty()) store.remove(tx, old_secret_id);
  }
  const std::string secret_param = secret_id;
  long long id = 0;
  if (created) {
    id = tx.exec_params1(
               "INSERT INTO bridge_accounts (bridge, instance, identifier, description, issuing, trackable, "
               "attributes, secret) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, nullif($8, '')) RETURNING id",
               bridge.type(), bridge.instance(), identifier, description.value_or(""), issuing.value_or(false),
               trackable.value_or(true), old_plain.dump(), secret_param)[0]
             .as<long long>();
  } else {
    id = existing[0][0].as<long long>();
    tx.exec_params(
        "UPDATE bridge_accounts SET description = coalesce($2, description), issuing = coalesce($3, issuing), "
        "trackable = coalesce($4, trackable), attributes = $5::jsonb, secret = nullif($6, ''), updated_at = now() "
        "WHERE id = $1",
        id, description, issuing, trackable, old_plain.dump(), secret_param);
  }
  return UpdateResult{.problem = std::nullopt, .id = id, .created = created};
}

std::vector<ExternalAccount> list_accounts(pqxx::transaction_base& tx, const Bridge& bridge) {
  std::vector<ExternalAccount> out;
  for (const auto& r : tx.exec_params(
           "SELECT id, identifier, description, status, issuing, trackable, attributes::text "
           "FROM bridge_accounts WHERE bridge = $1 AND instance = $2 ORDER BY id",
           bridge.type(), bridge.instance())) {
    ExternalAccount a;
    a.id = r[0].as<long long>();
    a.identifier = r[1].as<std::string>();
    a.description = r[2].as<std::string>();
    a.status = r[3].as<std::string>();
    a.issuing = r[4].as<bool>();
    a.trackable = r[5].as<bool>();
    a.attributes = Json::parse(r[6].as<std::string>());  // secret attributes are stored as the mask
    out.push_back(std::move(a));
  }
  return out;
}

long long count_accounts(pqxx::transaction_base& tx, const Bridge& bridge) {
  return tx.exec_params1("SELECT count(*) FROM bridge_accounts WHERE bridge = $1 AND instance = $2", bridge.type(),
                         bridge.instance())[0]
      .as<long long>();
}

Json account_secrets(pqxx::transaction_base& tx, secrets::SecretStore& store, long long id) {
  auto r = tx.exec_params("SELECT coalesce(secret, '') FROM bridge_accounts WHERE id = $1", id);
  if (r.empty() || r[0][0].as<std::string>().empty()) return Json::object();
  return Json::parse(store.get(tx, r[0][0].as<std::string>()));
}

}  // namespace og::bridges
