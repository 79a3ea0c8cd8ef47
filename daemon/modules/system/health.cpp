// GET /api/v1/system/health: database reachable, schema version, component lock states, the
// jobs (which node holds each, its last run) and the outbox (pending and dead messages).
#include <chrono>

#include "daemon/app.h"
#include "daemon/jobs/scheduler.h"
#include "daemon/outbox/outbox.h"
#include "daemon/modules/system/system.h"
#include "daemon/store/pool.h"

namespace og::system_module {

namespace {

Reply health(App& app, Call& call) {
  Json db = Json::object();
  Json jobs = Json::array(), outbox = Json::object();
  // Operators see the jobs and the outbox; a load balancer polling anonymously does not.
  const bool inside = call.principal.rights.has("readsystemdata");
  bool reachable = false;
  auto start = std::chrono::steady_clock::now();
  try {
    auto conn = app.pool.acquire(std::chrono::seconds(2));
    pqxx::nontransaction tx(*conn);
    auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations");
    db["schemaversion"] = row[0].as<int>();
    reachable = true;
    if (inside) {
      jobs = jobs::states(tx);
      outbox = outbox::counts(tx);
    }
  } catch (const std::exception& e) {
    db["error"] = "database unreachable";
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  Json database{{"reachable", reachable}, {"latency_ms", static_cast<double>(us) / 1000.0}};
  database.update(db);

  Json components = Json::object();
  for (auto [name, idx] : {std::pair{"omnipass", ComponentLocks::Omnipass}, std::pair{"omnibridge", ComponentLocks::Omnibridge},
                           std::pair{"omnipay", ComponentLocks::Omnipay}})
    components[name] = Json{{"locked", app.locks.locked(idx)}};

  Json body{{"status", reachable ? "ok" : "unavailable"},
            {"version", app.version},
            {"database", database},
            {"components", components},
            {"secretsatrest", app.encrypted ? "encrypted" : "plain"}};
  if (inside) {
    body["node"] = app.jobs ? Json(app.jobs->node()) : Json();
    body["jobs"] = jobs;
    body["outbox"] = outbox;
  }
  Reply r = Reply::ok(std::move(body));
  if (!reachable) {
    r.rc = Rc::SystemError;
    r.detail = "the database is unreachable";
    r.unavailable = true;  // HTTP 503: a load balancer takes this node out until it is back
  }
  return r;
}

}  // namespace

void register_handlers(Registry& r) {
  r.bind("GET /api/v1/system/health", blocking(health));
  register_components(r);
  register_outbox(r);
}

}  // namespace og::system_module
