// Components and unlock: POST /api/v1/system/{component}/unlock, POST /auth/unlock,
// GET /api/v1/system/{component}/attributelist, POST /api/v1/system/{component}/attribute.
//
// Unlocking (docs/unlock.md): the password opens the keyring (daemon/secrets/keyring.h);
// the first successful unlock hands the master key to the secret store, encrypts the
// secrets still stored 'plain', and lets the JWT token service load its signing key. Each
// call unlocks the component it names (the spec's model); `omnictl unlock --all` calls the
// three. A wrong password is refused (10180), audited (log line and unlock_events row, never
// the password) and slowed down per source address like user/login.
#include <cctype>
#include <charconv>
#include <map>
#include <mutex>

#include "daemon/app.h"
#include "daemon/log.h"
#include "daemon/modules/omnipass/accounts.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/modules/system/system.h"
#include "daemon/secrets/keyring.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::system_module {

namespace {

std::optional<ComponentLocks::Index> component_index(std::string_view name) {
  if (name == "omnipass") return ComponentLocks::Omnipass;
  if (name == "omnibridge") return ComponentLocks::Omnibridge;
  if (name == "omnipay") return ComponentLocks::Omnipay;
  return std::nullopt;
}

// One unlock at a time: scrypt costs 32 MiB and ~0.1 s, and the first unlock converts the
// plain secrets and starts the token service exactly once.
std::mutex unlock_mu;
bool tokens_started = false;  // guarded by unlock_mu

void audit(pqxx::work& tx, std::string_view component, const std::string& address,
           std::string_view outcome) {
  tx.exec_params("INSERT INTO unlock_events (component, address, outcome) VALUES ($1, $2, $3)",
                 std::string(component), address, std::string(outcome));
}

Reply unlock(App& app, std::string_view component, const std::string& password,
             const std::string& address) {
  auto idx = component_index(component);
  if (!idx) return Reply::error(Rc::BadValue, "component must be omnipass, omnibridge or omnipay");
  if (!app.encrypted)
    return Reply::error(
        Rc::NotAvailable,
        "this database has no keyring (it was not set up by omnictl install, or omnid runs with "
        "--dev): secrets are not encrypted at rest and no component is locked");
  std::lock_guard guard(unlock_mu);
  const std::string throttle_key = "unlock:" + address;
  const bool was_locked = app.locks.locked(*idx);
  {
    auto conn = app.pool.acquire();
    pqxx::work tx(*conn);
    if (auto wait = omnipass::throttled(tx, throttle_key)) {
      audit(tx, component, address, "throttled");
      tx.commit();
      log::warn(
          "unlock refused: too many wrong application passwords",
          {{"component", component}, {"address", address}, {"retry_after_seconds", wait->count()}});
      Reply r = Reply::error(Rc::TooFast, "too many wrong passwords: retry in " +
                                              std::to_string(wait->count()) + " s");
      r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
      return r;
    }
    auto key = secrets::open_keyring(tx, password);
    if (!key) {
      omnipass::record_failure(tx, throttle_key);
      audit(tx, component, address, "wrong-password");
      tx.commit();
      log::warn("unlock refused: wrong application password",
                {{"component", component}, {"address", address}});
      return Reply::error(Rc::WrongApplicationPassword);
    }
    omnipass::clear_failures(tx, throttle_key);
    audit(tx, component, address, was_locked ? "unlocked" : "already-unlocked");
    std::size_t converted = 0;
    const bool first = !app.encrypted->unlocked();
    if (first) converted = secrets::EncryptedSecretStore::encrypt_plain(tx, *key);
    tx.commit();
    if (first) {
      app.encrypted->unlock(*key);
      log::info("secret store unlocked", {{"encrypted_plain_secrets", converted}});
    }
  }
  if (*idx == ComponentLocks::Omnipass && !tokens_started && app.tokens) {
    app.tokens->start();  // creates the first signing key if there is none, loads the private key
    tokens_started = true;
  }
  app.locks.set_locked(*idx, false);
  if (was_locked) log::info("component unlocked", {{"component", component}, {"address", address}});
  return Reply::ok();
}

Reply system_unlock(App& app, Call& call) {
  return unlock(app, call.params.at("component").get<std::string>(),
                call.params.at("password").get<std::string>(), call.info.remote_address);
}

Reply auth_unlock(App& app, Call& call) {
  return unlock(app, "omnipass", call.params.at("password").get<std::string>(),
                call.info.remote_address);
}

// The attributes each component knows. Values are stored as the text the caller sent, after
// validation.
enum class AttrType { Minutes, Host };
struct AttributeDef {
  std::string_view component, name, description;
  AttrType type;
  std::string_view default_value;  // "" = none
};
constexpr AttributeDef kAttributes[] = {
    {"omnipass", "inactivitytimeoutinminutes",
     "Minutes of inactivity after which a user's session ends (an integer from 1 to 1440)",
     AttrType::Minutes, "15"},  // = omnipass::kDefaultInactivityMinutes (checked by a test)
    {"omnibridge", "notifierhost",
     "Host name of the notifier (a host name or IP address, optionally :port)", AttrType::Host, ""},
    {"omnipay", "notifierhost",
     "Host name of the notifier (a host name or IP address, optionally :port)", AttrType::Host, ""},
};

bool valid_host(std::string_view v) {
  if (auto colon = v.rfind(':'); colon != std::string_view::npos && v.find(':') == colon) {
    std::string_view port = v.substr(colon + 1);
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535 ||
        port[0] == '0')
      return false;
    v = v.substr(0, colon);
  }
  // Dot-separated labels of letters, digits and hyphens (an IPv4 address is one of these).
  // (The same rule as the domain of validation::is_email.)
  if (v.empty() || v.size() > 253) return false;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t dot = v.find('.', start);
    std::string_view label =
        v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

std::optional<std::string> check_attribute(const AttributeDef& a, const std::string& value) {
  switch (a.type) {
    case AttrType::Minutes: {
      int m = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), m);
      if (ec != std::errc() || end != value.data() + value.size() || m < 1 || m > 1440 ||
          value[0] == '0')
        return "must be a whole number of minutes from 1 to 1440";
      return std::nullopt;
    }
    case AttrType::Host:
      if (!valid_host(value))
        return "must be a host name or IP address, optionally followed by :port";
      return std::nullopt;
  }
  return "unknown type";
}

Reply attributelist(App& app, Call& call) {
  const std::string component = call.params.at("component").get<std::string>();
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  std::map<std::string, std::string> stored;
  for (const auto& r : tx.exec_params(
           "SELECT name, value FROM component_attributes WHERE component = $1", component))
    stored[r[0].as<std::string>()] = r[1].as<std::string>();
  Json list = Json::array();
  for (const auto& a : kAttributes) {
    if (a.component != component) continue;
    Json item{{"name", a.name}, {"description", a.description}};
    if (auto it = stored.find(std::string(a.name)); it != stored.end())
      item["value"] = it->second;
    else if (!a.default_value.empty())
      item["value"] = a.default_value;
    else
      item["value"] = nullptr;
    list.push_back(std::move(item));
  }
  return Reply::ok(Json{{"attributelist", list}});
}

Reply set_attribute(App& app, Call& call) {
  const std::string component = call.params.at("component").get<std::string>();
  const std::string name = call.params.at("name").get<std::string>();
  const std::string value = call.params.at("value").get<std::string>();
  const AttributeDef* def = nullptr;
  std::string known;
  for (const auto& a : kAttributes) {
    if (a.component != component) continue;
    known += (known.empty() ? "" : ", ") + std::string(a.name);
    if (a.name == name) def = &a;
  }
  if (!def)
    return Reply::error(Rc::BadValue, "name: " + component + " has no attribute '" + name +
                                          "' (known: " + known + ")");
  if (auto why = check_attribute(*def, value))
    return Reply::error(Rc::BadValue, "value: " + name + " " + *why);
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  tx.exec_params(
      "INSERT INTO component_attributes (component, name, value, updated_by) VALUES ($1, $2, $3, "
      "$4) "
      "ON CONFLICT (component, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), "
      "updated_by = EXCLUDED.updated_by",
      component, name, value, call.principal.id());
  tx.commit();
  // In force on this node at once; the other nodes read it again within 30 seconds.
  if (component == "omnipass" && name == "inactivitytimeoutinminutes" && app.tokens)
    app.tokens->set_inactivity_timeout(std::chrono::minutes(std::stoi(value)));
  log::info("component attribute set",
            {{"component", component}, {"name", name}, {"value", value}});
  return Reply::ok();
}

}  // namespace

void register_components(Registry& r) {
  r.bind("POST /api/v1/system/{component}/unlock", blocking(system_unlock));
  r.bind("POST /auth/unlock", blocking(auth_unlock));
  r.bind("GET /api/v1/system/{component}/attributelist", blocking(attributelist));
  r.bind("POST /api/v1/system/{component}/attribute", blocking(set_attribute));
}

}  // namespace og::system_module
