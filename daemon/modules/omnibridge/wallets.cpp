// Wallets: create, balances, lists, deposit addresses.
#include "common/ids.h"
#include "daemon/app.h"
#include "daemon/bridges/registry.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/ledger/wallets.h"
#include "daemon/modules/omnibridge/access.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/modules/params.h"
#include "daemon/store/pool.h"

namespace og::omnibridge {

namespace {

Json wallet_json(App& app, pqxx::transaction_base& tx, const ledger::WalletRow& w) {
  Json j{{"upid", w.upid},     {"trading", w.trading},      {"waid", w.waid},     {"default", w.is_default},
         {"shortcode", w.shortcode}, {"walletname", w.name}, {"expertmode", false}};
  if (w.trading) j["market"] = w.market;
  j["balances"] = balances_json(app.ledger->currencies(), ledger::balances_of(tx, w.waid));
  return j;
}

// The wallet the pipeline resolved and opened for this call (catalog owner, ownership.h).
std::optional<ledger::WalletRow> target_wallet(pqxx::transaction_base& tx, const Call& call, Reply& error) {
  auto w = ledger::find_wallet(tx, target_of(call).id);
  if (!w) error = Reply::error(Rc::NotFound, "wallet " + target_of(call).id + " does not exist");  // deleted since
  return w;
}

Reply create_wallet(App& app, Call& call) {
  const std::string upid = target_of(call).id;  // opened by the pipeline (modifymyprofile, ...)
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  bool trading = call.params.value("trading", false);
  std::string market = param(call, "market");
  if (trading && market.empty()) return Reply::error(Rc::MissingParameter, "market (required for a trading wallet)");
  if (!trading && !market.empty()) return Reply::error(Rc::BadValue, "market is only for a trading wallet");
  std::string name = param(call, "walletname");
  std::string waid = ledger::create_wallet(tx, upid, name, trading, market);
  tx.commit();
  return Reply::ok(Json{{"walletname", name}, {"waid", waid}});
}

Reply get_wallet(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Reply error;
  auto w = target_wallet(tx, call, error);
  if (!w) return error;
  return Reply::ok(wallet_json(app, tx, *w));
}

Reply list_wallets(App& app, Call& call) {
  const std::string upid = target_of(call).id;  // opened by the pipeline
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  std::string default_waid;
  for (const auto& w : ledger::wallets_of(tx, upid)) {
    Json j = wallet_json(app, tx, w);
    if (w.is_default) default_waid = w.waid;
    // The list's objects carry fewer fields than GET /wallet (the spec's tables).
    j.erase("upid");
    j.erase("shortcode");
    j.erase("expertmode");
    if (call.params.contains("upid")) j.erase("default");
    list.push_back(std::move(j));
  }
  Json body = Json::object();
  if (call.params.contains("upid")) body["defaultwalletid"] = default_waid;
  body["walletlist"] = std::move(list);
  return Reply::ok(std::move(body));
}

Reply list_wallets_by_name(App& app, Call& call) {
  // The caller's profile, or every profile for a caller who may read all wallets.
  bool everyone = call.principal.rights.superuser() || call.principal.rights.has("readallwallets");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  std::string default_waid;
  for (const auto& w : ledger::wallets_named(tx, param(call, "walletname"), everyone ? "" : call.principal.upid)) {
    if (w.is_default && w.upid == call.principal.upid) default_waid = w.waid;
    list.push_back(Json{{"waid", w.waid}, {"walletname", w.name}});
  }
  if (default_waid.empty())
    if (auto d = ledger::default_wallet(tx, call.principal.upid)) default_waid = *d;
  return Reply::ok(Json{{"defaultwalletid", default_waid}, {"walletlist", list}});
}

Reply create_deposit_address(App& app, Call& call) {
  std::string method = param(call, "method");
  // Instance 1 of the bridge type the method names.
  bridges::Bridge* b = app.bridges ? app.bridges->find(method, 1) : nullptr;
  if (!b || !b->enabled()) return Reply::error(Rc::NotAvailable, "no " + method + " bridge on this platform");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  Reply error;
  auto w = target_wallet(tx, call, error);  // opened by the pipeline (createreceivingaddress, ...)
  if (!w) return error;
  // A wallet keeps the address it was given first.
  auto had = tx.exec_params("SELECT address FROM deposit_addresses WHERE waid = $1 AND method = $2", w->waid, method);
  std::string address;
  try {
    address = had.empty() ? b->deposit_address(tx, *w) : had[0][0].as<std::string>();
  } catch (const bridges::Unavailable& e) {
    return Reply::error(Rc::SystemError, e.what());
  }
  if (address.empty()) return Reply::error(Rc::NotAvailable, "the " + method + " bridge makes no deposit addresses");
  address = tx.exec_params1(
      "INSERT INTO deposit_addresses (waid, method, address, main_address) VALUES ($1, $2, $3, nullif($4, '')) "
      "ON CONFLICT (waid, method) DO UPDATE SET main_address = coalesce(EXCLUDED.main_address, "
      "deposit_addresses.main_address) RETURNING address",
      w->waid, method, address, param(call, "mainaddress"))[0]
                .as<std::string>();
  tx.commit();
  return Reply::ok(Json{{"depositmethod", method}, {"depositaddress", address}, {"waid", w->waid}});
}

Reply get_deposit_address(App& app, Call& call) {
  std::string method = param(call, "depositmethod");
  auto c = app.ledger->currencies().find(param(call, "currencycode"));
  if (!c) return Reply::error(Rc::BadValue, "currency " + param(call, "currencycode") + " does not exist on this platform");
  if (c->type == "bridge") return Reply::error(Rc::BadValue, "currencycode must be a base or extended currency");
  if (std::find(c->deposit_methods.begin(), c->deposit_methods.end(), method) == c->deposit_methods.end())
    return Reply::error(Rc::NotAvailable, c->code + " cannot be deposited with " + method + " on this platform");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Reply error;
  auto w = target_wallet(tx, call, error);
  if (!w) return error;
  auto r = tx.exec_params("SELECT address FROM deposit_addresses WHERE waid = $1 AND method = $2", w->waid, method);
  if (r.empty())
    return Reply::error(Rc::NotFound, "wallet " + w->waid + " has no " + method +
                                          " deposit address yet: create one with POST /api/v1/wallet/depositaddress");
  return Reply::ok(Json{{"waid", w->waid}, {"depositmethod", method}, {"depositaddress", r[0][0].as<std::string>()}});
}

}  // namespace

void register_wallets(Registry& r) {
  r.bind("POST /api/v1/wallet/create", blocking(create_wallet));
  r.bind("GET /api/v1/wallet", blocking(get_wallet));
  r.bind("GET /api/v1/wallet/{waid}", blocking(get_wallet));
  r.bind("GET /api/v1/wallet/list", blocking(list_wallets));
  r.bind("GET /api/v1/wallet/list/{upid}", blocking(list_wallets));
  r.bind("GET /api/v1/wallet/list/name_{walletname}", blocking(list_wallets_by_name));
  r.bind("POST /api/v1/wallet/depositaddress", blocking(create_deposit_address));
  r.bind("GET /api/v1/wallet/depositaddress/{depositmethod}/{currencycode}", blocking(get_deposit_address));
  r.bind("GET /api/v1/wallet/{waid}/depositaddress/{depositmethod}/{currencycode}", blocking(get_deposit_address));
}

}  // namespace og::omnibridge
