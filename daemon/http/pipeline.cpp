#include "daemon/http/pipeline.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "common/crypto.h"
#include "common/validation.h"
#include "daemon/app.h"
#include "daemon/http/body.h"
#include "daemon/log.h"
#include "daemon/store/deadline.h"
#include "daemon/store/pool.h"

namespace og::http {

using catalog::Style;

struct Pipeline::Exchange {
  Request req;
  RequestInfo info;
  Respond respond;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string request_id;
  std::string path;           // without the query string
  std::string logged_path;    // secrets masked
  const catalog::Endpoint* endpoint = nullptr;
  std::string credential;     // akid / uuid, for the log
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// "application/json", "application/json; charset=utf-8"
bool is_media_type(std::string_view content_type, std::string_view type) {
  if (!iequals_prefix(content_type, type)) return false;
  auto rest = content_type.substr(type.size());
  return rest.empty() || rest.front() == ';' || rest.front() == ' ';
}

bool is_tenant_path(std::string_view path) {
  for (std::string_view p : {"/tenant/", "/cards/", "/consent/", "/digital-wallet/", "/transaction/", "/onchain-preauth/"})
    if (path.starts_with(p)) return true;
  return false;
}

Style style_of(const catalog::Endpoint* ep, std::string_view path) {
  if (ep) return ep->style();
  if (path.starts_with("/auth/")) return Style::Sso;
  if (is_tenant_path(path)) return Style::Tenant;
  return Style::Omnigate;
}

std::string_view tenant_error_type(Rc rc) {
  switch (rc) {
    case Rc::NotAuthenticated:
    case Rc::InvalidCredentials: return "API Key";
    case Rc::Forbidden: return "Access control";
    case Rc::NotFound:
    case Rc::UnknownEndpoint: return "Not found";
    case Rc::NotImplemented:
    case Rc::NotAvailable: return "Not implemented";
    case Rc::SystemError: return "Internal server error";
    case Rc::TooFast:
    case Rc::TooBusy:
    case Rc::Maintenance: return "Unavailable";
    default: return "Validation";
  }
}

bool safe_request_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// Idempotency keys: 1-255 visible ASCII characters.
bool safe_idempotency_key(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

// A path for the log: secret path parameters masked.
std::string mask_path(const catalog::Endpoint* ep, std::string_view path, const std::map<std::string, std::string>& params) {
  if (!ep) {
    // Unknown route: mask anything that looks like a key or token.
    std::string out;
    std::size_t start = 0;
    while (start <= path.size()) {
      auto slash = path.find('/', start);
      std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      bool secretish = seg.size() >= 24 && seg.find_first_not_of(
          "0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz-_.") == std::string_view::npos;
      out += secretish ? std::string_view("****") : seg;
      if (slash == std::string_view::npos) break;
      out += '/';
      start = slash + 1;
    }
    return out.size() > 200 ? out.substr(0, 200) + "..." : out;
  }
  std::string out(ep->path);
  for (const auto& [name, value] : params) {
    const catalog::Param* p = ep->param(name);
    std::string placeholder = "{" + name + "}";
    auto pos = out.find(placeholder);
    if (pos != std::string::npos) out.replace(pos, placeholder.size(), p && p->secret ? "****" : value);
  }
  return out;
}

}  // namespace

Response render(const catalog::Endpoint* ep, std::string_view path, Reply reply, unsigned http_version,
                const std::string& request_id) {
  Response res;
  res.version(http_version);
  res.set(bhttp::field::server, "omnid");
  res.set("X-Request-Id", request_id);
  res.set(bhttp::field::cache_control, "no-store");
  for (const auto& [k, v] : reply.headers) res.set(k, v);

  if (!reply.content_type.empty()) {
    res.result(static_cast<unsigned>(reply.status ? reply.status : 200));
    res.set(bhttp::field::content_type, reply.content_type);
    res.body() = reply.raw_body;
    return res;
  }

  const ResultCodeInfo& rci = info(reply.rc);
  const std::string message = result_message(reply.rc, reply.detail);
  unsigned status = static_cast<unsigned>(rci.http_status);
  const Style style = style_of(ep, path);
  if (reply.rc == Rc::Ok && reply.status) status = static_cast<unsigned>(reply.status);
  if (reply.unavailable && reply.rc != Rc::Ok) {
    status = 503;
    if (res.find(bhttp::field::retry_after) == res.end()) res.set(bhttp::field::retry_after, "5");
  }
  res.result(status);
  res.set(bhttp::field::content_type, "application/json");
  if (reply.body_text) {
    // Pre-serialized members: splice them after resultcode and resultmessage.
    const std::string& text = *reply.body_text;
    if (style == Style::Omnigate) {
      std::string head = Json{{"resultcode", code(reply.rc)}, {"resultmessage", message}}.dump();
      std::string_view members = std::string_view(text).substr(1, text.size() - 2);
      head.pop_back();
      res.body() = members.empty() ? head + "}" : head + "," + std::string(members) + "}";
    } else {
      res.body() = text;
    }
    return res;
  }
  Json out = Json::object();
  switch (style) {
    case Style::Omnigate:
      out["resultcode"] = code(reply.rc);
      out["resultmessage"] = message;
      for (auto& [k, v] : reply.body.items()) out[k] = std::move(v);
      break;
    case Style::Sso:
      if (reply.rc == Rc::Ok) {
        out = reply.body.empty() ? Json{{"status", "ok"}} : std::move(reply.body);
      } else {
        out["status"] = "error";
        out["resultcode"] = code(reply.rc);
        out["resultmessage"] = message;
        for (auto& [k, v] : reply.body.items()) out[k] = std::move(v);
      }
      break;
    case Style::Tenant:
      if (reply.rc == Rc::Ok) {
        out = std::move(reply.body);
      } else {
        out["errors"] = Json::array({Json{{"type", tenant_error_type(reply.rc)}, {"message", message}}});
        out["resultcode"] = code(reply.rc);
      }
      break;
  }
  res.body() = out.dump(-1, ' ', false, Json::error_handler_t::replace);
  return res;
}

Pipeline::Pipeline(App& app, Authenticator& auth, const Registry& registry, OwnerCheck owners,
                   boost::asio::thread_pool& workers, RateLimiter* limiter, PipelineOptions options)
    : app_(app), auth_(auth), registry_(registry), owners_(owners), workers_(workers), limiter_(limiter), options_(options),
      router_(catalog::all()) {
  if (options_.auth_failure_burst > 0)
    auth_failures_ = std::make_unique<RateLimiter>(options_.auth_failures_per_second, options_.auth_failure_burst);
}

void Pipeline::handle(Request&& req, const RequestInfo& info, Respond respond) {
  auto x = std::make_shared<Exchange>();
  x->req = std::move(req);
  x->info = info;
  x->respond = std::move(respond);
  if (!process(x, /*may_block=*/false)) boost::asio::post(workers_, [this, x] { process(x, /*may_block=*/true); });
}

Response Pipeline::transport_error(TransportError e, const Request* partial) {
  Rc rc = e == TransportError::BodyTooLarge      ? Rc::BodyTooLarge
          : e == TransportError::HeadersTooLarge ? Rc::HeadersTooLarge
                                                 : Rc::BadHttpRequest;
  std::string path = partial ? std::string(sv(partial->target()).substr(0, sv(partial->target()).find('?'))) : "/";
  std::string id = crypto::identifier_hex(8);
  std::string detail;
  if (rc == Rc::BodyTooLarge) detail = "the limit is " + std::to_string(app_.config.server.max_body_bytes) + " bytes";
  Response res = render(nullptr, path, Reply::error(rc, detail), partial ? partial->version() : 11, id);
  res.keep_alive(false);
  if (options_.log_requests)
    log::info("request", {{"request_id", id},
                          {"method", partial ? std::string(sv(partial->method_string())) : std::string("?")},
                          {"path", mask_path(nullptr, path, {})},
                          {"resultcode", code(rc)},
                          {"status", res.result_int()}});
  return res;
}

bool Pipeline::process(const std::shared_ptr<Exchange>& x, bool may_block) {
  // Request ID: the caller's if it is sane, else ours.
  if (auto it = x->req.find("X-Request-Id"); it != x->req.end() && safe_request_id(sv(it->value())))
    x->request_id = std::string(sv(it->value()));
  else
    x->request_id = crypto::identifier_hex(8);

  try {
    std::string_view target = sv(x->req.target());
    auto qpos = target.find('?');
    x->path = std::string(target.substr(0, qpos));
    std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);

    // Route.
    RouteMatch m = router_.match(sv(x->req.method_string()), x->path);
    x->logged_path = mask_path(m.endpoint, x->path, m.path_params);
    if (m.kind == RouteMatch::Kind::NoPath)
      return finish(x, Reply::error(Rc::UnknownEndpoint, std::string(sv(x->req.method_string())) + " " + x->logged_path));
    if (m.kind == RouteMatch::Kind::WrongMethod) {
      std::string allow;
      for (const auto& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
      x->extra_headers.emplace_back("Allow", allow);
      return finish(x, Reply::error(Rc::MethodNotAllowed, x->logged_path + " allows " + allow));
    }
    const catalog::Endpoint& ep = *m.endpoint;
    x->endpoint = &ep;

    // Parse: query string and body.
    validation::Inputs inputs;
    inputs.path = std::move(m.path_params);
    if (!query.empty()) {
      auto q = parse_query(query);
      if (!q) return finish(x, Reply::error(Rc::BadValue, "malformed or repeated query parameter"));
      inputs.query = std::move(*q);
    }
    std::optional<Json> body;
    const bool takes_body = ep.method != catalog::Method::Get;
    if (takes_body && !x->req.body().empty()) {
      std::string_view ctype = sv(x->req[bhttp::field::content_type]);
      ParsedBody parsed;
      if (is_media_type(ctype, "application/json")) {
        parsed = parse_json_body(x->req.body(), options_.max_json_depth);
      } else if (ep.style() == Style::Sso && is_media_type(ctype, "application/x-www-form-urlencoded")) {
        parsed = parse_form_body(x->req.body());
      } else {
        return finish(x, Reply::error(Rc::UnsupportedMediaType,
                                      ctype.empty() ? "no Content-Type sent" : "got " + std::string(ctype.substr(0, 80))));
      }
      if (parsed.error) return finish(x, Reply::error(parsed.error->rc, parsed.error->detail));
      body = std::move(parsed.json);
    } else if (takes_body) {
      body = Json::object();
    }
    inputs.body = body ? &*body : nullptr;

    // Component lock.
    if (app_.locks.blocks(ep))
      return finish(x, Reply::error(Rc::ComponentLocked, std::string(catalog::to_string(ep.component)) +
                                                             " is locked; unlock it with omnictl unlock"));

    // Authenticate.
    Principal principal;
    if (ep.auth != catalog::Auth::Public) {
      bool has_credential = x->req.find("X-APIKey") != x->req.end() ||
                            x->req.find(bhttp::field::authorization) != x->req.end();
      if (ep.auth == catalog::Auth::Credential || has_credential) {
        std::optional<AuthResult> known = auth_.cached(x->req);
        // An address that keeps failing is slowed down before anything is checked; a
        // credential already known good still passes (docs/security.md).
        // Built only for credentials not known good: not on the hot path of a cached key.
        auto failures_key = [&] { return "authfail:" + x->info.remote_address; };
        if (auth_failures_ && !(known && known->rc == Rc::Ok)) {
          if (auto wait = auth_failures_->wait(failures_key()); wait.count() > 0) {
            Reply r = Reply::error(Rc::TooFast, "too many failed authentications from this address: retry in " +
                                                    std::to_string(wait.count()) + " s");
            r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
            return finish(x, std::move(r));
          }
        }
        if (!known && !may_block) return false;
        AuthResult a = known ? std::move(*known) : auth_.authenticate(x->req);
        if (a.rc != Rc::Ok) {
          if (auth_failures_ && a.rc == Rc::InvalidCredentials) auth_failures_->take(failures_key());
          return finish(x, Reply::error(a.rc, a.detail));
        }
        principal = std::move(a.principal);
        x->credential = principal.id();
      }
    }

    // Rights.
    if (!principal.anonymous() && !principal.rights.has_any(ep.rights)) {
      std::string needed;
      for (auto r : ep.rights) needed += (needed.empty() ? "" : ", ") + std::string(r);
      return finish(x, Reply::error(Rc::Forbidden, "this call needs one of the rights: " + needed));
    }

    // Validate.
    Json params;
    std::optional<validation::Error> invalid = validation::validate(ep, inputs, params, ep.handler_reports_errors);
    if (invalid && !ep.handler_reports_errors) return finish(x, Reply::error(invalid->rc, invalid->detail));

    // Idempotency-Key header (financial operations use it).
    std::string idempotency_key;
    if (auto it = x->req.find("Idempotency-Key"); it != x->req.end()) {
      if (!safe_idempotency_key(sv(it->value())))
        return finish(x, Reply::error(Rc::BadValue, "Idempotency-Key must be 1 to 255 visible ASCII characters"));
      idempotency_key = std::string(sv(it->value()));
    }

    const Registry::Bound* bound = registry_.find(ep);
    // Resolving the object a call acts on reads the database: on a worker thread.
    if (bound && (bound->blocks == Blocks::Yes || owners_.checks(ep)) && !may_block) return false;

    // Rate limit, per credential (per address when anonymous).
    if (limiter_ && ep.rate_limited) {
      std::string key = principal.anonymous() ? "ip:" + x->info.remote_address : principal.id();
      if (!limiter_->allow(key)) return finish(x, Reply::error(Rc::TooFast));
    }

    // Handler.
    if (!bound) return finish(x, Reply::error(Rc::NotImplemented, ep.key()));
    auto call = std::make_shared<Call>(Call{ep, std::move(params), std::move(principal), x->request_id,
                                            std::move(idempotency_key), x->info, x->req, std::move(invalid)});
    // The deadline (the catalog's timeout, from the request's arrival) bounds every
    // database wait of the handler on this worker thread (store/deadline.h).
    std::optional<store::ScopedDeadline> deadline;
    if (may_block) deadline.emplace(x->start + std::chrono::seconds(ep.timeout_seconds));
    // Ownership: the object the call names, checked against the catalog's rule (OwnerCheck).
    if (auto refused = owners_.check(app_, *call)) return finish(x, std::move(*refused));
    auto once = std::make_shared<std::atomic<bool>>(false);
    bound->handler(app_, *call, [this, x, call, once](Reply reply) {
      if (once->exchange(true)) return;
      finish(x, std::move(reply));
    });
    return true;
  } catch (const store::PoolTimeout& e) {
    log::error("database pool exhausted", {{"request_id", x->request_id}});
    return finish(x, Reply::error(Rc::TooBusy));
  } catch (const std::exception& e) {
    if (store::is_deadline(e)) {
      log::warn("request deadline passed", {{"request_id", x->request_id}, {"error", e.what()}});
      const int seconds = x->endpoint ? x->endpoint->timeout_seconds : 0;
      return finish(x, Reply::error(Rc::SystemError, "the request did not finish within its " +
                                                         std::to_string(seconds) + " s deadline; nothing was changed"));
    }
    if (store::is_unavailable(e)) {
      log::error("database unavailable", {{"request_id", x->request_id}, {"error", e.what()}});
      return finish(x, Reply::database_unavailable());
    }
    log::error("request failed", {{"request_id", x->request_id}, {"error", e.what()}});
    return finish(x, Reply::error(Rc::SystemError, "request " + x->request_id));
  }
}

bool Pipeline::finish(const std::shared_ptr<Exchange>& x, Reply reply) {
  for (auto& h : x->extra_headers) reply.headers.push_back(std::move(h));
  const Rc rc = reply.rc;
  Response res = render(x->endpoint, x->path, std::move(reply), x->req.version(), x->request_id);
  if (options_.log_requests) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - x->start).count();
    log::Line line(log::Level::Info, "request");
    line.str("request_id", x->request_id)
        .str("method", sv(x->req.method_string()))
        .str("path", x->logged_path.empty() ? mask_path(nullptr, x->path, {}) : x->logged_path)
        .num("resultcode", code(rc))
        .num("status", res.result_int())
        .millis("latency_ms", us)
        .str("remote", x->info.remote_address);
    if (x->endpoint) line.str("route", x->endpoint->key());
    if (!x->credential.empty()) line.str("credential", x->credential);
    line.write();
  }
  x->respond(std::move(res));
  return true;
}

}  // namespace og::http
