// Transactions: history, details, transfer, withdraw.
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

Reply needs_ripple(App&, Call&) {
  return Reply::error(Rc::NotAvailable, "this call needs the Ripple bridge, which is not configured on this platform");
}

}  // namespace

void register_transactions(Registry& r) {
  r.bind("GET /api/v1/wallet/transactionlist", blocking(transaction_list));
  r.bind("GET /api/v1/wallet/{waid}/transactionlist", blocking(transaction_list));
  r.bind("GET /api/v1/wallet/transaction/{txid}", blocking(transaction_detail));
  r.bind("POST /api/v1/wallet/transfer", transfer, Blocks::No);
  r.bind("POST /api/v1/wallet/withdraw", withdraw);  // a bridge may ask its network about the destination
  r.bind("POST /api/v1/wallet/withdraw/test", blocking(needs_ripple), Blocks::No);
  r.bind("GET /api/v1/wallet/trustlines/{network}/{address}", blocking(needs_ripple), Blocks::No);
}

}  // namespace og::omnibridge
