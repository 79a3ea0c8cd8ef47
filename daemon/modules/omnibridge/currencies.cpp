// Currencies: extended currency creation, issuing, and the three currency lists.
#include <algorithm>
#include <cctype>

#include "daemon/app.h"
#include "daemon/bridges/registry.h"
#include "daemon/bridges/sends.h"
#include "daemon/bridges/withdrawals.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/modules/omnibridge/access.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/modules/params.h"
#include "daemon/store/pool.h"

namespace og::omnibridge {

namespace {

bool valid_issuer_name(const std::string& s) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)))) return false;
  return true;
}

Reply create_extended(App& app, Call& call) {
  const std::string code = param(call, "currencycode");
  int decimals = call.params["currencydecimals"].get<int>();
  int display = call.params["displaydecimals"].get<int>();
  if (decimals < 0 || decimals > 8) return Reply::error(Rc::BadValue, "currencydecimals must be 0 to 8");
  if (display < 0 || display > 8) return Reply::error(Rc::BadValue, "displaydecimals must be 0 to 8");
  std::string reference = param(call, "referencecurrency");
  if (!reference.empty()) {
    auto ref = app.ledger->currencies().find(reference);
    if (!ref || ref->type != "base") return Reply::error(Rc::BadValue, "referencecurrency must be an existing base currency");
  }
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  // The issuer name is the profile's write-once extended attribute "issuername".
  auto row = tx.exec_params("SELECT coalesce(extended->>'issuername', '') FROM profiles WHERE upid = $1 FOR UPDATE",
                            call.principal.upid);
  if (row.empty()) return Reply::error(Rc::NotFound, "your profile does not exist");
  std::string issuer = row[0][0].as<std::string>();
  std::string given = param(call, "issuername");
  if (!given.empty() && !valid_issuer_name(given))
    return Reply::error(Rc::BadValue, "issuername must be 1 to 12 lowercase letters or digits");
  if (issuer.empty()) {
    if (given.empty()) return Reply::error(Rc::MissingParameter, "issuername (required for your first extended currency)");
    auto taken = tx.exec_params("SELECT 1 FROM profiles WHERE extended->>'issuername' = $1", given);
    if (!taken.empty()) return Reply::error(Rc::AlreadyExists, "issuername " + given + " belongs to another profile");
    tx.exec_params("UPDATE profiles SET extended = jsonb_set(extended, '{issuername}', to_jsonb($2::text)), "
                   "version = version + 1, updated_at = now() WHERE upid = $1",
                   call.principal.upid, given);
    issuer = given;
  } else if (!given.empty() && given != issuer) {
    return Reply::error(Rc::BadValue, "issuername is " + issuer + " already and cannot change (write once)");
  }
  const std::string full = code + "." + issuer;
  auto inserted = tx.exec_params(
      "INSERT INTO currencies (code, numeric_code, name, type, decimals, display_decimals, issuer_upid, "
      "reference_code, tier) VALUES ($1, nextval('currency_numeric_code'), $2, 'extended', $3, $4, $5, "
      "nullif($6, ''), 2) ON CONFLICT (code) DO NOTHING RETURNING code",
      full, param(call, "currencyname"), decimals, display, call.principal.upid, reference);
  if (inserted.empty()) return Reply::error(Rc::AlreadyExists, "currency " + full + " exists already");
  tx.commit();
  app.ledger->currencies().reload();
  return Reply::ok(Json{{"currencycode", full}});
}

// currency/bridge/create (a profile, of its own extended currency) and
// system/currency/bridge/create (the platform, of any base or extended currency): the
// currency as it lives on one network ("USD.starbucks" on Ripple is "USD.starbucks.ripple",
// the IOU USD of the issuer address). Deposits of that IOU credit it, withdrawals of it
// send that IOU (docs/ripple.md).
Reply create_bridge_currency(App& app, Call& call, bool system) {
  auto parent = app.ledger->currencies().find(param(call, "parentcurrency"));
  if (!parent) return Reply::error(Rc::BadValue, "parentcurrency " + param(call, "parentcurrency") + " does not exist");
  if (system) {
    if (parent->type != "base" && parent->type != "extended")
      return Reply::error(Rc::BadValue, "parentcurrency must be a base or an extended currency");
  } else if (parent->type != "extended" || parent->issuer_upid != call.principal.upid) {
    return Reply::error(Rc::BadValue, "parentcurrency must be an extended currency of your profile");
  }
  const std::string symbol = parent->code.substr(0, parent->code.find('.'));
  if (symbol == "XRP" || symbol.size() != 3)
    return Reply::error(Rc::BadValue, "parentcurrency " + parent->code +
                                          " cannot be an issued currency (a 3-letter code other than XRP)");
  const std::string type = param(call, "bridgename");
  bridges::Bridge* b = app.bridges ? app.bridges->first_enabled(type) : nullptr;
  if (!b) {
    if (bridges::type_state(type) == bridges::TypeState::Unknown)
      return Reply::error(Rc::BadValue, "bridgename " + type + " is no bridge this platform knows");
    return Reply::error(Rc::NotAvailable, "no " + type + " bridge runs on this platform");
  }
  const std::string address = param(call, "issueraddress");
  if (auto refused = b->check_issuer_address(address)) return Reply::error(refused->rc, refused->detail);
  // The name: a system currency of a base parent takes the issuer's name as its middle
  // part ("USD" of "Bitstamp" is "USD.bitstamp.ripple"); an extended parent has its own.
  std::string middle, name;
  if (parent->type == "extended") {
    middle = parent->code.substr(parent->code.find('.') + 1);
  }
  if (system) {
    const std::string issuer = param(call, "issuername");
    if (middle.empty())
      for (char ch : issuer)
        if (std::isalnum(static_cast<unsigned char>(ch))) middle += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (middle.empty() || middle.size() > 12)
      return Reply::error(Rc::BadValue, "issuername must hold 1 to 12 letters or digits (the currency's middle name)");
    name = issuer + " " + symbol;
  } else {
    name = middle + " " + symbol;
  }
  const std::string code = symbol + "." + middle + "." + type;
  const bool deposit = !call.params.contains("enabledeposit") || call.params["enabledeposit"].get<bool>();
  const bool withdraw = !call.params.contains("enablewithdraw") || call.params["enablewithdraw"].get<bool>();
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  // One ledger currency per network currency: a deposit of USD/rIssuer must credit one.
  auto same = tx.exec_params(
      "SELECT code FROM currencies WHERE type = 'bridge' AND bridge = $1 AND issuer_address = $2 "
      "AND split_part(code, '.', 1) = $3",
      type, address, symbol);
  if (!same.empty())
    return Reply::error(Rc::AlreadyExists, symbol + " of " + address + " is " + same[0][0].as<std::string>() + " already");
  Json deposit_methods = deposit ? Json::array({type}) : Json::array();
  Json withdraw_methods = withdraw ? Json::array({type}) : Json::array();
  auto inserted = tx.exec_params(
      "INSERT INTO currencies (code, numeric_code, name, type, decimals, display_decimals, crypto, issuer_upid, "
      "parent_code, bridge, issuer_address, tier, deposit_methods, withdraw_methods) "
      "SELECT $1, nextval('currency_numeric_code'), $2, 'bridge', $3, $4, $5, nullif($6, ''), $7, $8, $9, $10, "
      "ARRAY(SELECT json_array_elements_text($11::json)), ARRAY(SELECT json_array_elements_text($12::json)) "
      "ON CONFLICT (code) DO NOTHING RETURNING code",
      code, name.substr(0, 40), parent->decimals, parent->display_decimals, parent->crypto, parent->issuer_upid,
      parent->code, type, address, parent->tier + 1, deposit_methods.dump(), withdraw_methods.dump());
  if (inserted.empty()) return Reply::error(Rc::AlreadyExists, "currency " + code + " exists already");
  tx.commit();
  app.ledger->currencies().reload();
  Json out{{"currencycode", code}};
  if (!system) out["issueraddress"] = address;
  return Reply::ok(std::move(out));
}

// The profile's address on a network ("rippleprofileaddress", an extended attribute of the
// profile, docs/ripple.md), "" when it has none.
std::string profile_address(pqxx::transaction_base& tx, const std::string& upid, const std::string& network) {
  auto r = tx.exec_params("SELECT coalesce(extended->>$2, '') FROM profiles WHERE upid = $1", upid,
                          network + "profileaddress");
  return r.empty() ? "" : r[0][0].as<std::string>();
}

bridges::Bridge* network_bridge(App& app, const std::string& type, Reply& error) {
  bridges::Bridge* b = app.bridges ? app.bridges->first_enabled(type) : nullptr;
  if (b) return b;
  error = bridges::type_state(type) == bridges::TypeState::Unknown
              ? Reply::error(Rc::BadValue, "bridgename " + type + " is no bridge this platform knows")
              : Reply::error(Rc::NotAvailable, "no " + type + " bridge runs on this platform");
  return nullptr;
}

// currency/profileaddress/create (and currency/address/create): the profile's receiving and
// issuing address on the network, made once (asking again answers the same one).
Reply create_profile_address(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = network_bridge(app, param(call, "bridgename"), error);
  if (!b) return error;
  const std::string upid = call.principal.upid;
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  if (tx.exec_params("SELECT 1 FROM profiles WHERE upid = $1 FOR UPDATE", upid).empty())
    return Reply::error(Rc::NotFound, "your profile does not exist");
  std::string address = profile_address(tx, upid, b->type());
  if (address.empty()) {
    auto made = b->create_profile_address(tx, upid);
    if (auto* refused = std::get_if<bridges::Refusal>(&made)) return Reply::error(refused->rc, refused->detail);
    address = std::get<std::string>(made);
    tx.exec_params("UPDATE profiles SET extended = jsonb_set(extended, ARRAY[$2::text], to_jsonb($3::text)), "
                   "version = version + 1, updated_at = now() WHERE upid = $1",
                   upid, b->type() + "profileaddress", address);
    tx.commit();
  }
  return Reply::ok(Json{{"bridgename", b->type()}, {"profileaddress", address}});
}

// currency/address and currency/{upid}/address: the profile's addresses, one per network,
// with the trust lines each needs: one to the issuer of every bridge currency of that
// network that takes deposits (the currencies the address can be paid in).
Reply list_profile_addresses(App& app, Call& call) {
  // currency/{upid}/address: opened by the pipeline; currency/address: the caller's own.
  const std::string upid = call.params.contains("upid") ? target_of(call).id : call.principal.upid;
  Json out = Json::object();
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  for (const std::string& type : bridges::built_types()) {
    const std::string address = profile_address(tx, upid, type);
    if (address.empty()) continue;
    Json lines = Json::array();
    for (const auto& c : app.ledger->currencies().all())
      if (c.type == "bridge" && c.bridge == type && !c.issuer_address.empty() && c.issuer_address != address &&
          !c.deposit_methods.empty())
        lines.push_back(Json{{"issueraddress", c.issuer_address}, {"currency", c.code.substr(0, c.code.find('.'))}});
    out[type] = Json{{"profileaddress", address}, {"trustlinelist", lines}};
  }
  return Reply::ok(Json{{"profileaddresslist", out}});
}

// currency/address/trustline and currency/address/attribute: sent from the caller's own
// profile address (another address answers as one that does not exist).
Reply change_profile_address(App& app, Call& call, bool trustline) {
  Reply error;
  bridges::Bridge* b = network_bridge(app, param(call, "bridgename"), error);
  if (!b) return error;
  const std::string address = param(call, trustline ? "hostedaddress" : "address");
  {
    auto conn = app.pool.acquire();
    pqxx::read_transaction tx(*conn);
    if (profile_address(tx, call.principal.upid, b->type()) != address)
      return Reply::error(Rc::NotFound, "address " + address + " is not your profile's address on " + b->type());
  }
  bridges::Bridge::AccountChange change;
  change.address = address;
  if (trustline) {
    change.kind = bridges::Bridge::AccountChange::Kind::TrustLine;
    change.trusted = param(call, "trustedaddress");
    change.currency = param(call, "currencycode");
    change.limit = param(call, "amount");
  } else {
    if (!call.params.contains("destinationtagrequired"))
      return Reply::error(Rc::MissingParameter, "destinationtagrequired (the only attribute there is)");
    change.kind = bridges::Bridge::AccountChange::Kind::RequireDest;
    change.flag = call.params["destinationtagrequired"].get<bool>();
  }
  if (auto refused = b->change_account(change)) return Reply::error(refused->rc, refused->detail);
  return Reply::ok(Json::object());
}

// currency/issueiou: IOUs sent on the network from an issuing address the platform holds the
// key of, with no bookkeeping in the ledger (the spec). Money moves, so it is a financial
// call made safe like a withdrawal (daemon/bridges/sends.h, docs/ripple.md): an
// Idempotency-Key is required, the claim and the signed transaction are recorded in one
// transaction before it is submitted, and a retry with the key answers the first outcome.
Reply issue_iou(App& app, Call& call) {
  // "ripple" is the first instance that runs; "ripple-2" names one.
  const std::string network = param(call, "network");
  std::string type = network;
  int instance = 0;
  if (auto dash = network.rfind('-'); dash != std::string::npos && dash + 1 < network.size() &&
                                      network.size() - dash <= 3 &&
                                      std::all_of(network.begin() + static_cast<std::ptrdiff_t>(dash) + 1, network.end(),
                                                  [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
    type = network.substr(0, dash);
    instance = std::stoi(network.substr(dash + 1));
  }
  if (bridges::type_state(type) == bridges::TypeState::Unknown)
    return Reply::error(Rc::BadValue, "network " + network + " is no network this platform knows");
  bridges::Bridge* b = !app.bridges ? nullptr : instance ? app.bridges->find(type, instance) : app.bridges->first_enabled(type);
  if (!b || !b->enabled()) return Reply::error(Rc::NotAvailable, "no " + network + " bridge runs on this platform");
  if (call.idempotency_key.empty())
    return Reply::error(Rc::MissingParameter,
                        "Idempotency-Key header (currency/issueiou moves value on the network: a retry must not "
                        "issue twice)");
  bridges::IssueRequest request;
  request.issuer = param(call, "issueraddress");
  request.receiver = param(call, "receiveraddress");
  request.currency = param(call, "currencycode");
  request.amount = param(call, "amount");
  if (call.params.contains("receiverdesttag")) {
    const Json& tag = call.params["receiverdesttag"];
    if (!tag.is_number_integer()) return Reply::error(Rc::BadType, "receiverdesttag must be an integer");
    request.tag = tag.get<long long>();
  }
  auto key = idempotency_of(call);
  bridges::SendKey send_key{call.principal.id(), key->key, key->request_hash};
  bridges::WithdrawalSettings settings{.retry_initial = std::chrono::seconds(app.config.outbox.retry_initial_seconds),
                                       .retry_max = std::chrono::seconds(app.config.outbox.retry_max_seconds)};
  bridges::SendAnswer a = bridges::issue_iou(app.pool, *b, send_key, request, settings);
  if (a.rc != Rc::Ok) return Reply::error(a.rc, a.detail);
  // Beyond the spec's fields: the transaction's hash (our extension).
  return Reply::ok(Json{{"transactionhash", a.hash}});
}

void issue(App& app, Call& call, Done done) {
  std::string code = param(call, "currencycode");
  if (code.find('.') == std::string::npos) {
    // "The issuer name is added automatically after the currency code."
    std::string issuer;
    {
      auto conn = app.pool.acquire();
      pqxx::nontransaction tx(*conn);
      auto p = ledger::find_profile(tx, call.principal.upid);
      if (p) issuer = p->issuername;
    }
    if (issuer.empty())
      return done(Reply::error(Rc::NotFound, "your profile has no issuer name: create an extended currency first"));
    code += "." + issuer;
  }
  app.ledger->submit(ledger::Issue{code, param(call, "amount")}, actor_of(call.principal), idempotency_of(call),
                     [done](ledger::Outcome o) { done(reply_of(o, Json{{"waid", o.waid}, {"txid", o.txid}})); });
}

Reply my_currencies(App& app, Call& call) {
  Json list = Json::array();
  for (const auto& c : app.ledger->currencies().all()) {
    if (c.issuer_upid != call.principal.upid) continue;
    Json j{{"currencyname", c.name}, {"currencycode", c.code}, {"displaydecimals", c.display_decimals},
           {"type", c.type},         {"visible", c.visible}};
    if (!c.issuer_address.empty()) j["issueraddress"] = c.issuer_address;
    if (!c.reference_code.empty()) j["referencecurrency"] = c.reference_code;
    list.push_back(std::move(j));
  }
  return Reply::ok(Json{{"currencylist", list}});
}

Reply static_currencies(App& app, Call&) {
  Json list = Json::array();
  for (const auto& c : app.ledger->currencies().all()) {
    if (!c.visible || !c.is_public) continue;
    Json j{{"currencyname", c.name},
           {"currencycode", c.code},
           {"currencytype", c.type},
           {"currencydecimals", c.decimals},
           {"displaydecimals", c.display_decimals},
           {"tier", c.tier},
           {"depositmethodlist", c.deposit_methods},
           {"withdrawmethodlist", c.withdraw_methods}};
    if (!c.bridge.empty()) j["network"] = c.bridge;
    if (!c.issuer_address.empty()) j["issueraddress"] = c.issuer_address;
    list.push_back(std::move(j));
  }
  return Reply::ok(Json{{"currencylist", list}});
}

Reply system_currencies(App& app, Call&) {
  Json list = Json::array();
  for (const auto& c : app.ledger->currencies().all())
    list.push_back(Json{{"depositmethodlist", c.deposit_methods},
                        {"visible", c.visible},
                        {"tier", c.tier},
                        {"public", c.is_public},
                        {"currencyname", c.name},
                        {"decimaldisplay", c.display_decimals},
                        {"currencyid", c.numeric_code},
                        {"currencycode", c.code},
                        {"type", c.type},
                        {"withdrawmethodlist", c.withdraw_methods},
                        {"enabled", c.enabled}});
  return Reply::ok(Json{{"currencylist", list}});
}

}  // namespace

void register_currencies(Registry& r) {
  r.bind("POST /api/v1/currency/extended/create", blocking(create_extended));
  r.bind("POST /api/v1/currency/issue", issue);
  r.bind("POST /api/v1/currency/issueiou", blocking(issue_iou));
  r.bind("POST /api/v1/currency/bridge/create",
         blocking([](App& app, Call& call) { return create_bridge_currency(app, call, /*system=*/false); }));
  r.bind("POST /api/v1/currency/address/create", blocking(create_profile_address));
  r.bind("POST /api/v1/currency/profileaddress/create", blocking(create_profile_address));
  r.bind("GET /api/v1/currency/address", blocking(list_profile_addresses));
  r.bind("GET /api/v1/currency/{upid}/address", blocking(list_profile_addresses));
  r.bind("POST /api/v1/currency/address/trustline",
         blocking([](App& app, Call& call) { return change_profile_address(app, call, /*trustline=*/true); }));
  r.bind("POST /api/v1/currency/address/attribute",
         blocking([](App& app, Call& call) { return change_profile_address(app, call, /*trustline=*/false); }));
  r.bind("POST /api/v1/system/currency/bridge/create",
         blocking([](App& app, Call& call) { return create_bridge_currency(app, call, /*system=*/true); }));
  r.bind("GET /api/v1/currency/list", blocking(my_currencies));
  r.bind("GET /api/v1/static/currencylist", blocking(static_currencies));
  r.bind("GET /api/v1/system/currency/list", blocking(system_currencies));
}

}  // namespace og::omnibridge
