// The generic bridge (our extension, role adapter-admin): an external adapter reports
// deposits, lists pending withdrawals made with method "generic", and closes them.
#include "daemon/app.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/modules/omnibridge/access.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/store/pool.h"

namespace og::omnibridge {

namespace {

constexpr const char* kBridge = "generic";

std::string param(const Call& call, const char* name) {
  return call.params.contains(name) ? call.params[name].get<std::string>() : std::string();
}

void deposit(App& app, Call& call, Done done) {
  ledger::Deposit op{param(call, "waid"),   param(call, "currency"),
                     param(call, "amount"), kBridge,
                     param(call, "externaltransactionid"), param(call, "externalsourceaddress"),
                     param(call, "description")};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call), [done](ledger::Outcome o) {
    Json body{{"txid", o.txid}, {"waid", o.waid}};
    if (o.replayed) body["duplicate"] = true;  // the same external transaction, credited once
    done(reply_of(o, std::move(body)));
  });
}

Reply withdrawals(App& app, Call&) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& t : ledger::pending_withdrawals(tx, kBridge, 1000)) {
    auto c = app.ledger->currencies().find(t.currency);
    if (!c) continue;
    list.push_back(Json{{"txid", t.txid},
                        {"waid", t.source_waid},
                        {"currency", c->code},
                        {"amount", c->format(t.amount)},
                        {"destinationaddress", t.external_destination_address},
                        {"description", t.description},
                        {"timestamp", t.created_at}});
  }
  return Reply::ok(Json{{"withdrawallist", list}});
}

void close(App& app, Call& call, Done done) {
  bool completed = param(call, "status") == "completed";
  ledger::CloseWithdraw op{param(call, "txid"), kBridge, completed, param(call, "externaltransactionid")};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call), [done, completed](ledger::Outcome o) {
    done(reply_of(o, Json{{"txid", o.txid}, {"state", completed ? "Completed" : "Failed"}}));
  });
}

}  // namespace

void register_generic_bridge(Registry& r) {
  r.bind("POST /api/v1/system/bridge/generic/deposit", deposit, Blocks::No);
  r.bind("GET /api/v1/system/bridge/generic/withdrawals", blocking(withdrawals));
  r.bind("POST /api/v1/system/bridge/generic/withdraw/close", close, Blocks::No);
}

}  // namespace og::omnibridge
