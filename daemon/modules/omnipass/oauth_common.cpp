#include <cctype>

#include "common/crypto.h"
#include "daemon/api/form.h"
#include "daemon/modules/omnipass/oauth.h"

namespace og::omnipass::oauth {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool media_type_is(std::string_view content_type, std::string_view type) {
  if (content_type.size() < type.size() || !iequals(content_type.substr(0, type.size()), type)) return false;
  auto rest = content_type.substr(type.size());
  return rest.empty() || rest.front() == ';' || rest.front() == ' ';
}

// The request's raw body as a JSON object (the pipeline has parsed and checked it once).
Json raw_body(const Call& call) {
  const auto& body = call.request.body();
  if (body.empty()) return Json::object();
  std::string_view ctype = api::sv(call.request[api::bhttp::field::content_type]);
  if (media_type_is(ctype, "application/json")) {
    Json j = Json::parse(body, nullptr, false);
    return j.is_object() ? j : Json::object();
  }
  Json j = Json::object();
  if (auto fields = api::parse_query(body))
    for (auto& [k, v] : *fields) j[k] = v;
  return j;
}

std::map<std::string, std::string> raw_query(const Call& call) {
  std::string_view target = api::sv(call.request.target());
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto parsed = api::parse_query(target.substr(q + 1));
  return parsed ? std::move(*parsed) : std::map<std::string, std::string>{};
}

bool unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

}  // namespace

std::string Fields::get(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

const validation::Error* Fields::error(const std::string& name) const {
  for (const auto& e : errors)
    if (e.param == name) return &e;
  return nullptr;
}

Fields inspect(const Call& call) {
  Fields out;
  const Json body = call.endpoint.method == catalog::Method::Get ? Json::object() : raw_body(call);
  const auto query = raw_query(call);
  for (const catalog::Param& p : call.endpoint.params) {
    const std::string name(p.name);
    Json value;  // null: absent
    switch (p.in) {
      case catalog::In::Body:
        if (body.contains(name)) value = body[name];
        break;
      case catalog::In::Query:
        if (auto it = query.find(name); it != query.end()) value = it->second;
        break;
      case catalog::In::Path:
        if (call.params.contains(name)) out.values[name] = call.params[name].get<std::string>();
        else if (call.invalid && call.invalid->param == name) out.errors.push_back(*call.invalid);
        continue;
    }
    if (value.is_string() && value.get_ref<const std::string&>().empty()) value = nullptr;
    if (value.is_null()) {
      if (p.required) out.errors.push_back({Rc::MissingParameter, name, name});
      continue;
    }
    // None of the SSO endpoints that report their own errors takes anything but strings.
    if (p.type != catalog::Type::String) continue;
    if (!value.is_string()) {
      out.errors.push_back({Rc::BadType, name, name + " must be a string"});
      continue;
    }
    if (auto err = validation::check_value(p, value)) {
      out.errors.push_back(*err);
      continue;
    }
    out.values[name] = value.get<std::string>();
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string rfc_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += '\'';
    else if (c >= 0x20 && c <= 0x7E && c != '\\') out += c;
  }
  return out;
}

std::string cookie(const Call& call, std::string_view name) {
  auto [first, last] = call.request.equal_range(api::bhttp::field::cookie);
  for (auto it = first; it != last; ++it) {
    std::string_view header = api::sv(it->value());
    while (!header.empty()) {
      auto semi = header.find(';');
      std::string_view pair = header.substr(0, semi);
      header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return {};
}

std::string random_token() {
  auto bytes = crypto::random_bytes(32);
  return crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string random_string(std::size_t n, std::string_view alphabet) {
  // Rejection sampling: only bytes below the largest multiple of the alphabet's size.
  const std::size_t limit = 256 - 256 % alphabet.size();
  std::string out;
  while (out.size() < n) {
    for (unsigned char b : crypto::random_bytes(n * 2)) {
      if (b >= limit) continue;
      out += alphabet[b % alphabet.size()];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string with_params(const std::string& url, const std::vector<std::pair<std::string, std::string>>& params,
                        bool fragment) {
  std::string out = url;
  char sep = fragment ? '#' : (url.find('?') == std::string::npos ? '?' : '&');
  if (!fragment && (out.back() == '?' || out.back() == '&')) sep = 0;
  for (const auto& [k, v] : params) {
    if (sep) out += sep;
    out += url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  return out;
}

Reply redirect(const std::string& location) {
  Reply r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

Reply token_json(const Json& body) {
  Reply r;
  r.status = 200;
  r.content_type = "application/json";
  r.raw_body = body.dump();
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

Reply token_error(int status, std::string_view error, std::string_view description) {
  Json body{{"error", error}};
  if (!description.empty()) body["error_description"] = rfc_text(description);
  Reply r = token_json(body);
  r.status = status;
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"omnigate\", charset=\"UTF-8\"");
  return r;
}

bool valid_http_url(std::string_view url) {
  if (!validation::is_url(url) || url.find('#') != std::string_view::npos) return false;
  // The authority (up to the first '/' or '?') must name a host, and no user:password@.
  std::string_view rest = url.substr(url.find("://") + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?"));
  if (host.empty() || host.find('@') != std::string_view::npos) return false;  // "http://?x" (fuzz_ids)
  if (host.front() == '[') {
    auto close = host.find(']');
    return close != std::string_view::npos && close > 1;
  }
  return !host.substr(0, host.find(':')).empty();
}

bool valid_redirect_uri(std::string_view uri, std::string* why) {
  auto fail = [why](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return fail("contains a space or a control character");
  if (uri.find('#') != std::string_view::npos) return fail("must not contain a fragment (#)");
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail("must be an absolute URI");
  std::string_view scheme = uri.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme.front()))) return fail("must be an absolute URI");
  for (char c : scheme)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      return fail("must be an absolute URI");
  if (iequals(scheme, "http") || iequals(scheme, "https")) {
    if (scheme != "http" && scheme != "https") return fail("the scheme must be lowercase");
    if (!valid_http_url(uri)) return fail("must be an absolute http(s) URL with a host");
    return true;
  }
  // Installed applications: a reverse-DNS custom scheme ("com.example.app:/oauth2callback").
  if (scheme.find('.') == std::string_view::npos)
    return fail("must use http, https, or a custom scheme containing a period (com.example.app:/callback)");
  std::string_view path = uri.substr(colon + 1);
  if (path.empty() || path.front() != '/' || (path.size() > 1 && path[1] == '/'))
    return fail("a custom scheme must be followed by a path beginning with a single slash");
  return true;
}

std::optional<ClientApp> find_app(pqxx::transaction_base& tx, const std::string& client_id) {
  auto r = tx.exec_params(
      "SELECT client_id, name, client_secret, array_to_json(redirect_uris)::text FROM oauth_apps WHERE client_id = $1",
      client_id);
  if (r.empty()) return std::nullopt;
  ClientApp app{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(), {}};
  for (const auto& u : Json::parse(r[0][3].as<std::string>())) app.redirect_uris.push_back(u.get<std::string>());
  return app;
}

std::string masked(std::string_view secret) {
  return "****" + std::string(secret.size() > 4 ? secret.substr(secret.size() - 4) : std::string_view());
}

}  // namespace og::omnipass::oauth
