#pragma once
// What a handler sees and returns. The pipeline (daemon/http/) has already routed,
// authenticated, checked rights and ownership, validated and rate-limited the call; the
// handlers (daemon/modules/) answer it. Neither layer includes the other: both include this.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/catalog/catalog.h"
#include "common/json.h"
#include "common/result_codes.h"
#include "common/validation.h"
#include "daemon/api/principal.h"
#include "daemon/api/request.h"

namespace og {

struct App;

// The object a call acts on (catalog::Endpoint::owner), resolved and checked by the
// pipeline before the handler runs (the OwnerCheck of daemon/api/registry.h).
struct Target {
  catalog::Object object = catalog::Object::None;
  std::string id;           // upid, waid, txid, uuid or akid (the default wallet's waid when the call named none)
  std::string upid;         // the profile that owns it (a transaction: the wallet the caller may open; a
                            // team member or an API key: the profile it belongs to)
  std::string parent_upid;  // that profile's parent ("" = none)
  // A transaction: which of its wallets the caller may open.
  bool source_open = false, destination_open = false;
};

struct Call {
  const catalog::Endpoint& endpoint;
  Json params;                  // validated and typed, see common/validation.h
  api::Principal principal;    // anonymous for Auth::Public endpoints
  std::string request_id;
  std::string idempotency_key;  // "" when absent
  api::RequestInfo info;
  const api::Request& request;  // raw headers, for the rare handler that needs them
  // Endpoints with handler_reports_errors: the parameter error, reported by the handler.
  std::optional<validation::Error> invalid;
  // Set by the pipeline for endpoints whose catalog entry declares an owner it checks.
  std::optional<Target> target;
};

struct Reply {
  Rc rc = Rc::Ok;
  std::string detail;            // appended to the result message
  Json body = Json::object();    // fields after resultcode/resultmessage (or the whole SSO/tenant body)
  // A body serialized once and shared (a JSON object's text), for answers that never
  // change; used instead of `body` when set.
  std::shared_ptr<const std::string> body_text;
  // A non-JSON answer (the SSO login page, a redirect): used when content_type is set.
  int status = 0;
  std::string content_type;
  std::string raw_body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A temporary condition (the database cannot be reached): answered HTTP 503 with
  // Retry-After, so that load balancers and clients retry; the result code stays rc.
  bool unavailable = false;

  static Reply ok(Json body = Json::object()) { return Reply{Rc::Ok, {}, std::move(body)}; }
  static Reply error(Rc rc, std::string detail = {}) { return Reply{rc, std::move(detail)}; }
  // 10003 SYSTEM_ERROR, HTTP 503, Retry-After: the database is down or restarting.
  static Reply database_unavailable() {
    Reply r = error(Rc::SystemError, "the database is unavailable; retry later");
    r.unavailable = true;
    return r;
  }
};

// The object the pipeline resolved for the call; throws std::logic_error when the catalog
// entry declares none (a handler bound to the wrong entry).
const Target& target_of(const Call& call);

}  // namespace og
