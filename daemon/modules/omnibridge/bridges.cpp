// The system/bridge endpoints, over the bridge interface (daemon/bridges/): the instances,
// their balances and external accounts; and the generic bridge's own three endpoints (our
// extension, role adapter-admin): an external adapter reports deposits, lists pending
// withdrawals made with method "generic", and closes them.
#include "daemon/app.h"
#include "daemon/bridges/accounts.h"
#include "daemon/bridges/inbox.h"
#include "daemon/jobs/scheduler.h"
#include "daemon/bridges/registry.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/modules/omnibridge/access.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/modules/params.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnibridge {

namespace {

constexpr const char* kGeneric = "generic";

// The refusal for a bridge type that does not run here.
Reply no_type(const std::string& type) {
  if (bridges::type_state(type) == bridges::TypeState::Planned)
    return Reply::error(Rc::NotImplemented, "the " + type + " bridge is not built yet");
  return Reply::error(Rc::NotFound, "there is no bridge named " + type);
}

// The instance named by the path's {bridgename}-{instanceid}, or the refusal in `error`.
bridges::Bridge* instance_of(App& app, const std::string& type, const std::string& instance, Reply& error) {
  if (bridges::type_state(type) != bridges::TypeState::Built) {
    error = no_type(type);
    return nullptr;
  }
  bridges::Bridge* b = app.bridges->find(type, std::stoi(instance));
  if (!b) error = Reply::error(Rc::NotFound, "bridge " + type + "-" + instance + " is not configured on this platform");
  return b;
}

Reply active(App& app, Call&) {
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& b : app.bridges->all())
    list.push_back(Json{{"bridgename", b->type()},
                        {"description", b->description()},
                        {"instanceid", b->instance()},
                        {"enabled", b->enabled()},
                        {"status", b->status()},
                        {"externalaccountscount", bridges::count_accounts(tx, *b)}});
  return Reply::ok(Json{{"bridgelist", list}});
}

// Internal figures from the ledger: what users hold through this bridge (the clearing
// account's other side), what of it is held for pending withdrawals; external ones from
// the bridge when it can see them.
}  // namespace

Json balance_rows(App& app, bridges::Bridge& bridge) {
  bridges::Bridge* b = &bridge;
  const std::string name = b->ledger_name();
  std::map<std::string, std::pair<int128, int128>> figures;  // currency -> (owed to users, held)
  {
    auto conn = app.pool.acquire();
    pqxx::read_transaction tx(*conn);
    for (const auto& r : tx.exec_params(
             "SELECT b.currency, (-(b.available + b.held))::text FROM balances b JOIN wallets w ON w.waid = b.waid "
             "WHERE w.kind = 'bridge_clearing' AND w.name = $1",
             name))
      figures[r[0].as<std::string>()].first = *int128_from_string(r[1].as<std::string>());
    for (const auto& r : tx.exec_params(
             "SELECT currency, sum(amount)::text FROM transactions WHERE type = 'withdraw' AND state = 'Pending' "
             "AND method = $1 GROUP BY currency",
             name))
      figures[r[0].as<std::string>()].second = *int128_from_string(r[1].as<std::string>());
  }
  // External figures are summed at the finest scale (18 decimals), not the currency's: the
  // network may hold more decimals than the ledger keeps (an IOU has 15 significant digits),
  // and such an amount is shown exactly rather than rounded or left out. One that cannot be
  // read even so (more than 18 decimals, beyond 10^20) is named in `externalnote`.
  constexpr int kFine = Amount::kMaxScale;
  std::map<std::string, int128> external;  // currency -> units at kFine, summed over the external accounts
  std::map<std::string, int128> issued;    // currency -> units at kFine issued by our issuing accounts
  std::map<std::string, std::map<std::string, int128>> parts;  // part -> currency -> units (pending, immature)
  std::map<std::string, std::string> unreadable;  // currency -> the first amount that could not be summed
  auto seen = b->external_balances();
  if (seen)
    for (const auto& e : *seen) {
      auto c = app.ledger->currencies().find(e.currency);
      if (!c) continue;
      figures.try_emplace(c->code);  // a currency seen out there but not (yet) in the ledger: shown too
      auto a = Amount::parse(e.amount, kFine, /*allow_negative=*/true);
      int128& sum = e.issued ? issued[c->code] : e.part.empty() ? external[c->code] : parts[e.part][c->code];
      int128 next;
      if (!a || __builtin_add_overflow(sum, a->units(), &next)) unreadable.try_emplace(c->code, e.amount);
      else sum = next;
    }
  // At the currency's decimals when that is exact, else every decimal the network gave.
  auto shown = [&](const ledger::Currency& c, int128 fine) {
    int128 factor = 1;
    for (int i = c.decimals; i < kFine; ++i) factor *= 10;
    if (fine % factor == 0) return c.format(fine / factor);
    std::string text = Amount::from_units(fine, kFine)->to_string();
    while (text.back() == '0') text.pop_back();
    return text;
  };
  Json list = Json::array();
  for (const auto& [code, f] : figures) {
    auto c = app.ledger->currencies().find(code);
    if (!c) continue;
    Json entry{{"identifier", b->key()},
               {"internalfee", c->format(0)},
               {"internalbalance", c->format(f.first)},
               {"internalavail", c->format(f.first - f.second)},
               {"internalheld", c->format(f.second)},
               {"precision", c->decimals},
               {"currency", c->code},
               {"currencycode", c->numeric_code}};
    // A bridge that cannot see the outside (the generic adapter keeps its own books) gives
    // no external balance rather than an invented one.
    if (seen) entry["externalbalance"] = shown(*c, external[code]);
    // Our extension: what an issuing address of ours has issued of it in total (the
    // network's obligations, the hot wallet's share included), for a currency it issues.
    if (seen && issued.count(code)) entry["externalissued"] = shown(*c, issued[code]);
    // Our extension: what the network holds for us that is not spendable yet.
    for (auto& [part, sums] : parts)
      if (sums.count(code)) entry["external" + part] = shown(*c, sums[code]);
    if (auto u = unreadable.find(code); u != unreadable.end())
      entry["externalnote"] = "the network reported " + u->second + ", which is not counted (beyond 18 decimals or 10^20)";
    list.push_back(std::move(entry));
  }
  return list;
}

namespace {

Reply balances(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  return Reply::ok(Json{{"bridgename", b->type()},
                        {"instanceid", b->instance()},
                        {"description", b->description()},
                        {"balances", balance_rows(app, *b)}});
}

Reply update_account(App& app, Call& call) {
  const std::string type = param(call, "bridgename");
  const bool has_instance = call.params.contains("instanceid"), has_spelling = call.params.contains("bridgeinstanceid");
  if (has_instance == has_spelling)
    return Reply::error(has_instance ? Rc::BadValue : Rc::MissingParameter,
                        "give the instance as instanceid or bridgeinstanceid, exactly one of them");
  const Json& number = call.params[has_instance ? "instanceid" : "bridgeinstanceid"];
  const std::string instance = number.is_string() ? number.get<std::string>() : number.dump();
  Reply error;
  bridges::Bridge* b = instance_of(app, type, instance, error);
  if (!b) return error;
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto result = bridges::update_account(tx, *app.secrets, *b, call.params["accountdata"]);
  if (result.problem) return Reply::error(result.problem->rc, result.problem->detail);
  tx.commit();
  return Reply::ok(Json{{"id", result.id}, {"created", result.created}});
}

Reply identifier(App&, Call& call) {
  const std::string type = param(call, "bridgename");
  const bridges::AccountSchema* s = bridges::schema_of(type);
  if (!s) return no_type(type);
  const bridges::Attribute* a = s->find(s->identifier);
  return Reply::ok(Json{{"accountidentifier", Json{{"name", a->name}, {"label", a->label}, {"type", a->type}}}});
}

Reply attribute_list(App&, Call& call) {
  const std::string type = param(call, "bridgename");
  const bridges::AccountSchema* s = bridges::schema_of(type);
  if (!s) return no_type(type);
  Json list = Json::array();
  for (const auto& a : s->attributes)
    list.push_back(Json{{"name", a.name}, {"label", a.label}, {"type", a.type}, {"masked", a.masked}});
  return Reply::ok(Json{{"attributelist", list}});
}

Reply account_list(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& a : bridges::list_accounts(tx, *b))
    list.push_back(Json{{"id", a.id},
                        {"description", a.description},
                        {"status", a.status},
                        {"issuing", a.issuing},
                        {"trackable", a.trackable},
                        {"attributelist", a.attributes}});
  return Reply::ok(Json{{"accountidentifier", b->schema().identifier}, {"externalaccountlist", list}});
}

// The generic bridge's instance 1, or the refusal when omnid.toml disabled it.
Reply suspense_list(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& s : bridges::suspense(tx, *b, 1000))
    list.push_back(Json{{"externaltransactionid", s.external_txid},
                        {"state", s.state},
                        {"address", s.address},
                        {"currency", s.currency},
                        {"amount", s.amount},
                        {"externalsourceaddress", s.source_address},
                        {"description", s.description},
                        {"reason", s.message},
                        {"ledgerindex", s.ledger_index},
                        {"receivedat", s.received_at}});
  return Reply::ok(Json{{"suspense", list}});
}

Reply suspense_assign(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  const std::string waid = param(call, "waid"), ext = param(call, "externaltransactionid");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  if (tx.exec_params("SELECT 1 FROM wallets WHERE waid = $1 AND kind = 'user'", waid).empty())
    return Reply::error(Rc::NotFound, "wallet " + waid + " does not exist");
  if (!bridges::assign(tx, *b, ext, waid, call.principal.id()))
    return Reply::error(Rc::NotFound, "bridge " + b->key() + " has no deposit " + ext + " in suspense");
  tx.commit();
  if (app.jobs) app.jobs->wake("bridge-inbox");
  return Reply::ok(Json{{"externaltransactionid", ext}, {"waid", waid}});
}

Reply suspense_dismiss(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  const std::string ext = param(call, "externaltransactionid"), reason = param(call, "reason");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  if (!bridges::dismiss(tx, *b, ext, call.principal.id(), reason))
    return Reply::error(Rc::NotFound, "bridge " + b->key() + " has no deposit " + ext + " in suspense");
  tx.commit();
  return Reply::ok(Json{{"externaltransactionid", ext}, {"state", "dismissed"}});
}

Reply alerts_list(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& r : tx.exec_params(
           "SELECT id, kind, external_txid, coalesce(txid, ''), message, "
           "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
           "coalesce(to_char(acknowledged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
           "coalesce(acknowledged_by, '') FROM bridge_alerts WHERE bridge = $1 AND instance = $2 "
           "ORDER BY acknowledged_at IS NOT NULL, id DESC LIMIT 1000",
           b->type(), b->instance()))
    list.push_back(Json{{"alertid", std::to_string(r[0].as<long long>())},
                        {"kind", r[1].as<std::string>()},
                        {"externaltransactionid", r[2].as<std::string>()},
                        {"txid", r[3].as<std::string>()},
                        {"message", r[4].as<std::string>()},
                        {"createdat", r[5].as<std::string>()},
                        {"acknowledgedat", r[6].as<std::string>()},
                        {"acknowledgedby", r[7].as<std::string>()}});
  return Reply::ok(Json{{"alerts", list}});
}

Reply alerts_acknowledge(App& app, Call& call) {
  Reply error;
  bridges::Bridge* b = instance_of(app, param(call, "bridgename"), param(call, "instanceid"), error);
  if (!b) return error;
  const std::string id = param(call, "alertid");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  auto r = tx.exec_params(
      "UPDATE bridge_alerts SET acknowledged_at = now(), acknowledged_by = $4 WHERE bridge = $1 AND instance = $2 "
      "AND id = $3::bigint AND acknowledged_at IS NULL",
      b->type(), b->instance(), id, call.principal.id());
  if (r.affected_rows() == 0)
    return Reply::error(Rc::NotFound, "bridge " + b->key() + " has no open alert " + id);
  tx.commit();
  return Reply::ok(Json{{"alertid", id}});
}

const bridges::Bridge* generic(App& app, Reply& error) {
  const bridges::Bridge* b = app.bridges->find(kGeneric, 1);
  if (!b || !b->enabled()) {
    error = Reply::error(Rc::NotAvailable, "the generic bridge is disabled on this platform");
    return nullptr;
  }
  return b;
}

void deposit(App& app, Call& call, Done done) {
  Reply error;
  const bridges::Bridge* b = generic(app, error);
  if (!b) return done(error);
  ledger::Deposit op{param(call, "waid"),   param(call, "currency"),
                     param(call, "amount"), b->ledger_name(),
                     param(call, "externaltransactionid"), param(call, "externalsourceaddress"),
                     param(call, "description")};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call), [done](ledger::Outcome o) {
    Json body{{"txid", o.txid}, {"waid", o.waid}};
    if (o.replayed) body["duplicate"] = true;  // the same external transaction, credited once
    done(reply_of(o, std::move(body)));
  });
}

Reply withdrawals(App& app, Call&) {
  Reply error;
  const bridges::Bridge* b = generic(app, error);
  if (!b) return error;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json list = Json::array();
  for (const auto& t : ledger::pending_withdrawals(tx, b->ledger_name(), 1000)) {
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
  Reply error;
  const bridges::Bridge* b = generic(app, error);
  if (!b) return done(error);
  bool completed = param(call, "status") == "completed";
  ledger::CloseWithdraw op{param(call, "txid"), b->ledger_name(), completed, param(call, "externaltransactionid")};
  app.ledger->submit(std::move(op), actor_of(call.principal), idempotency_of(call), [done, completed](ledger::Outcome o) {
    done(reply_of(o, Json{{"txid", o.txid}, {"state", completed ? "Completed" : "Failed"}}));
  });
}

}  // namespace

void register_bridges(Registry& r) {
  r.bind("GET /api/v1/system/bridge/active", blocking(active));
  r.bind("GET /api/v1/system/bridge/{bridgename}-{instanceid}/balances", blocking(balances));
  r.bind("POST /api/v1/system/bridge/updateaccount", blocking(update_account));
  r.bind("GET /api/v1/system/bridge/{bridgename}/externalaccount/identifier", blocking(identifier), Blocks::No);
  r.bind("GET /api/v1/system/bridge/{bridgename}/externalaccount/attributelist", blocking(attribute_list), Blocks::No);
  r.bind("GET /api/v1/system/bridge/{bridgename}-{instanceid}/externalaccountlist", blocking(account_list));
  r.bind("GET /api/v1/system/bridge/{bridgename}-{instanceid}/suspense", blocking(suspense_list));
  r.bind("POST /api/v1/system/bridge/{bridgename}-{instanceid}/suspense/assign", blocking(suspense_assign));
  r.bind("POST /api/v1/system/bridge/{bridgename}-{instanceid}/suspense/dismiss", blocking(suspense_dismiss));
  r.bind("GET /api/v1/system/bridge/{bridgename}-{instanceid}/alerts", blocking(alerts_list));
  r.bind("POST /api/v1/system/bridge/{bridgename}-{instanceid}/alerts/acknowledge", blocking(alerts_acknowledge));
  r.bind("POST /api/v1/system/bridge/generic/deposit", deposit, Blocks::No);
  r.bind("GET /api/v1/system/bridge/generic/withdrawals", blocking(withdrawals));
  r.bind("POST /api/v1/system/bridge/generic/withdraw/close", close, Blocks::No);
}

}  // namespace og::omnibridge
