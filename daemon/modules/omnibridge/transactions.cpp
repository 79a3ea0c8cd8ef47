// Transactions: history, details, transfer, withdraw.
#include <array>
#include <map>

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

Reply transaction_list(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  const std::string waid = target_of(call).id;  // opened by the pipeline (listmyswallettx, ...)
  int limit = call.params.value("limit", 100);
  if (limit < 1 || limit > 1000) return Reply::error(Rc::BadValue, "limit must be 1 to 1000");
  // The cursor must be one of this wallet's transactions: one of another wallet would say
  // that it exists, and when (its place in the order), to a caller who may not see it.
  if (const std::string before = param(call, "before"); !before.empty()) {
    auto t = ledger::find_transaction(tx, app.ledger->txids(), before);
    if (!t || (t->source_waid != waid && t->destination_waid != waid))
      return Reply::error(Rc::NotFound, "transaction " + before + " is not in wallet " + waid);
  }
  Json list = Json::array();
  auto& currencies = app.ledger->currencies();
  for (const auto& t : ledger::transactions_of(tx, app.ledger->txids(), waid, limit, param(call, "before"))) {
    auto c = currencies.find(t.currency);
    if (!c) continue;
    list.push_back(Json{{"amount", c->format(t.signed_amount)},
                        {"balance", c->format(t.balance_after)},
                        {"fee", c->format(t.fee)},
                        {"txid", t.txid},
                        {"description", t.description},
                        {"currency", c->code},
                        {"state", t.state},
                        {"currencycode", c->numeric_code},
                        {"type", t.type},
                        {"timestamp", t.created_at}});
  }
  return Reply::ok(Json{{"waid", waid}, {"transactionlist", list}});
}

Reply transaction_detail(App& app, Call& call) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto t = ledger::find_transaction(tx, app.ledger->txids(), param(call, "txid"));
  auto not_found = Reply::error(Rc::NotFound, "transaction " + param(call, "txid") + " does not exist");
  if (!t) return not_found;
  // Opened by the pipeline: the caller may see one side at least (a transaction it may see
  // neither side of does not exist for it).
  const bool see_source = target_of(call).source_open, see_destination = target_of(call).destination_open;
  auto c = app.ledger->currencies().find(t->currency);
  if (!c) return not_found;
  Json j{{"errorcode", t->bridge_code}, {"errormessage", t->bridge_message}, {"timestampstart", t->created_at}};
  if (!t->finalized_at.empty()) j["timestampfinal"] = t->finalized_at;
  j["currency"] = c->code;
  j["amount"] = c->format(t->amount);
  j["method"] = t->method;
  j["fee"] = c->format(t->fee);
  j["txid"] = t->txid;
  j["description"] = t->description;
  j["currencycode"] = c->numeric_code;
  j["type"] = t->type;
  if (!t->source_waid.empty()) {
    j["sourcewaid"] = t->source_waid;
    if (see_source && !t->source_total_after.empty())
      j["sourcebalance"] = c->format(int128_from_string(t->source_total_after).value_or(0));
  }
  if (!t->destination_waid.empty()) {
    j["destinationwaid"] = t->destination_waid;
    if (see_destination && !t->destination_total_after.empty())
      j["destinationbalance"] = c->format(int128_from_string(t->destination_total_after).value_or(0));
  }
  j["state"] = t->state;
  if (!t->external_txid.empty()) j["externaltransactionid"] = t->external_txid;
  if (!t->external_source_address.empty()) j["externalsourceaddress"] = t->external_source_address;
  if (!t->external_destination_address.empty()) j["externaldestinationaddress"] = t->external_destination_address;
  return Reply::ok(std::move(j));
}

void transfer(App& app, Call& call, Done done) {
  if (call.params.contains("bridgecurrency"))
    return done(Reply::error(Rc::NotAvailable, "transfers to trading wallets need the exchange module"));
  ledger::Transfer op{param(call, "sourcewaid"), param(call, "destinationwaid"), param(call, "currency"),
                      param(call, "amount"), param(call, "description")};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call),
                     [done](ledger::Outcome o) { done(reply_of(o, Json{{"txid", o.txid}})); });
}

void withdraw(App& app, Call& call, Done done) {
  for (const char* conversion : {"destinationamount", "destinationcurrency"})
    if (call.params.contains(conversion))
      return done(Reply::error(Rc::NotAvailable, "in-flight conversions need the exchange module"));
  // The bridge the method names must run here (instance 1 records under the bare name).
  const std::string method = param(call, "method");
  bridges::Bridge* b = app.bridges ? app.bridges->find(method, 1) : nullptr;
  if (!b || !b->enabled()) return done(Reply::error(Rc::NotAvailable, "no " + method + " bridge on this platform"));
  if (call.params.contains("extrabridgedata"))
    return done(Reply::error(Rc::NotAvailable, "the " + method + " bridge takes no extrabridgedata"));
  // The destination is checked before anything is held (a bad address, a required tag).
  if (auto refused = b->check_destination(param(call, "destinationaddress"), param(call, "currency")))
    return done(Reply::error(refused->rc, refused->detail));
  ledger::Withdraw op{param(call, "waid"),   param(call, "currency"),           param(call, "amount"),
                      param(call, "method"), param(call, "destinationaddress"), ""};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call),
                     [done](ledger::Outcome o) { done(reply_of(o, Json{{"txid", o.txid}})); });
}

bridges::Bridge* bridge_of_type(App& app, const std::string& type) {
  return app.bridges ? app.bridges->first_enabled(type) : nullptr;
}

// A decimal text (rippled's, up to 15 significant digits) as units of `c`, rounded up:
// the most a path may take, in the wallet's precision.
std::optional<int128> units_rounded_up(const ledger::Currency& c, const std::string& text) {
  const auto dot = text.find('.');
  std::string kept = text, rest;
  if (dot != std::string::npos && static_cast<int>(text.size() - dot - 1) > c.decimals) {
    kept = text.substr(0, dot + 1 + static_cast<std::size_t>(c.decimals));
    rest = text.substr(dot + 1 + static_cast<std::size_t>(c.decimals));
    if (kept.back() == '.') kept.pop_back();
  }
  auto a = Amount::parse(kept, c.decimals, /*allow_negative=*/false);
  if (!a) return std::nullopt;
  int128 units = a->units();
  if (rest.find_first_not_of('0') != std::string::npos) units += 1;
  return units;
}

Reply withdraw_test(App& app, Call& call) {
  const bool plain = call.params.contains("amount") || call.params.contains("currency");
  const bool conversion = call.params.contains("destinationamount") || call.params.contains("destinationcurrency");
  if (plain && conversion)
    return Reply::error(Rc::BadValue,
                        "give amount and currency, or destinationamount and destinationcurrency, not both");
  if (!plain && !conversion)
    return Reply::error(Rc::MissingParameter, "amount and currency (or destinationamount and destinationcurrency)");
  static const std::array<const char*, 2> kPlain{"amount", "currency"},
      kConversion{"destinationamount", "destinationcurrency"};
  for (const char* name : plain ? kPlain : kConversion)
    if (!call.params.contains(name)) return Reply::error(Rc::MissingParameter, name);
  bridges::Bridge* b = bridge_of_type(app, param(call, "method"));
  if (!b) return Reply::error(Rc::NotAvailable, "no " + param(call, "method") + " bridge on this platform");
  const std::string waid = target_of(call).id;  // opened by the pipeline (initiatewithdraw, ...)
  bridges::QuoteRequest q;
  q.destination = param(call, "destinationaddress");
  std::map<std::string, int128> available;
  {
    auto conn = app.pool.acquire();
    pqxx::read_transaction tx(*conn);
    for (const auto& bal : ledger::balances_of(tx, waid))
      if (bal.available > 0) available[bal.currency] = bal.available;
  }
  if (plain) {
    auto c = app.ledger->currencies().find(param(call, "currency"));
    if (!c) return Reply::error(Rc::BadValue, "currency " + param(call, "currency") + " does not exist");
    auto a = c->parse(param(call, "amount"));
    if (!a) return Reply::error(Rc::BadValue, "amount " + param(call, "amount") + " is not a positive amount of " + c->code +
                                                  " (" + std::to_string(c->decimals) + " decimals)");
    q.currency = c->code;
    q.amount = c->format(a->units());
    q.source_currencies = {c->code};
  } else {
    q.destination_currency = param(call, "destinationcurrency");
    q.destination_amount = param(call, "destinationamount");
    for (const auto& [code, units] : available) q.source_currencies.push_back(code);
  }
  auto quoted = b->quote(q);
  if (auto* refused = std::get_if<bridges::Refusal>(&quoted)) return Reply::error(refused->rc, refused->detail);
  // Only the paths this wallet can pay (the spec: "present only of enough funds").
  Json paths = Json::array();
  for (const auto& path : std::get<std::vector<bridges::Quote>>(quoted)) {
    auto c = app.ledger->currencies().find(path.source_currency);
    if (!c) continue;
    auto units = units_rounded_up(*c, path.source_amount);
    if (!units || available[c->code] < *units) continue;
    paths.push_back(Json{{"sourceamount", c->format(*units)},
                         {"sourcecurrency", c->code},
                         {"fee", path.fee},
                         {"feecurrency", path.fee_currency}});
  }
  return Reply::ok(Json{{"paths", paths}});
}

Reply trustlines(App& app, Call& call) {
  const std::string network = param(call, "network");
  bridges::Bridge* b = bridge_of_type(app, network);
  if (!b) {
    if (bridges::type_state(network) == bridges::TypeState::Unknown)
      return Reply::error(Rc::BadValue, "network " + network + " is none this platform knows (ripple)");
    return Reply::error(Rc::NotAvailable, "no " + network + " bridge on this platform");
  }
  auto lines = b->trust_lines(param(call, "address"));
  if (auto* refused = std::get_if<bridges::Refusal>(&lines)) return Reply::error(refused->rc, refused->detail);
  // The issuer's name where the issuer address is one of the platform's bridge currencies
  // ("USD.starbucks.ripple" -> "starbucks"); "" for issuers it does not know.
  std::map<std::string, std::string> names;
  for (const auto& c : app.ledger->currencies().all())
    if (c.type == "bridge" && !c.issuer_address.empty()) {
      const auto first = c.code.find('.'), second = c.code.find('.', first + 1);
      if (first != std::string::npos) names[c.issuer_address] = c.code.substr(first + 1, second - first - 1);
    }
  Json list = Json::array();
  for (const auto& l : std::get<std::vector<bridges::TrustLine>>(lines))
    list.push_back(Json{{"currency", l.currency},
                        {"issueraddress", l.issuer_address},
                        {"issuername", names.count(l.issuer_address) ? names[l.issuer_address] : ""},
                        {"balance", l.balance},
                        {"limit", l.limit}});
  return Reply::ok(Json{{"acceptxrps", true}, {"trustlines", list}});
}

}  // namespace

void register_transactions(Registry& r) {
  r.bind("GET /api/v1/wallet/transactionlist", blocking(transaction_list));
  r.bind("GET /api/v1/wallet/{waid}/transactionlist", blocking(transaction_list));
  r.bind("GET /api/v1/wallet/transaction/{txid}", blocking(transaction_detail));
  r.bind("POST /api/v1/wallet/transfer", transfer, Blocks::No);
  r.bind("POST /api/v1/wallet/withdraw", withdraw);  // a bridge may ask its network about the destination
  r.bind("POST /api/v1/wallet/withdraw/test", blocking(withdraw_test));  // asks the network
  r.bind("GET /api/v1/wallet/trustlines/{network}/{address}", blocking(trustlines));
}

}  // namespace og::omnibridge
