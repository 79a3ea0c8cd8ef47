// GET /api/v1/system/outbox and POST /api/v1/system/outbox/{id}/retry (daemon/outbox/).
#include <charconv>

#include "daemon/app.h"
#include "daemon/jobs/scheduler.h"
#include "daemon/modules/system/system.h"
#include "daemon/outbox/outbox.h"
#include "daemon/store/pool.h"

namespace og::system_module {

namespace {

// A Digits parameter as a positive 64-bit id; 0 when absent or out of range.
std::int64_t id_param(const Call& call, const char* name) {
  if (!call.params.contains(name)) return 0;
  std::string s = call.params[name].get<std::string>();
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return -1;
  return v;
}

Reply list(App& app, Call& call) {
  int limit = call.params.value("limit", 100);
  if (limit < 1 || limit > 1000) return Reply::error(Rc::BadValue, "limit must be 1 to 1000");
  std::int64_t before = id_param(call, "before");
  if (before < 0) return Reply::error(Rc::BadValue, "before is not an outbox id");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  return Reply::ok(Json{{"messages", outbox::list(tx, call.params.value("status", std::string()), limit, before)}});
}

Reply retry(App& app, Call& call) {
  std::int64_t id = id_param(call, "id");
  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  if (id <= 0 || !outbox::retry(tx, id))
    return Reply::error(Rc::NotFound, "outbox message " + call.params["id"].get<std::string>() + " is not a dead letter");
  tx.commit();
  if (app.jobs) app.jobs->wake("outbox");
  return Reply::ok(Json{{"id", std::to_string(id)}, {"status", "pending"}});
}

}  // namespace

void register_outbox(Registry& r) {
  r.bind("GET /api/v1/system/outbox", blocking(list));
  r.bind("POST /api/v1/system/outbox/{id}/retry", blocking(retry));
}

}  // namespace og::system_module
