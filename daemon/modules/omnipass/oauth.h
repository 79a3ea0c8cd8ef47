#pragma once
// Shared by the SSO service's handlers (sso.cpp, oauth_*.cpp, strategies.cpp): the
// parameters of the endpoints that report their own errors, URL/HTML encoding, cookies,
// random values, redirects and RFC 6749 error answers.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "common/validation.h"
#include "daemon/modules/module.h"

namespace og::omnipass::oauth {

// The parameters of a handler_reports_errors endpoint, each checked on its own (the
// pipeline stops at the first error): the valid values, and every error in catalog order.
// A parameter sent empty counts as absent (RFC 6749 3.1); unknown ones are ignored.
struct Fields {
  std::map<std::string, std::string> values;
  std::vector<validation::Error> errors;
  std::string get(const std::string& name) const;  // "" when absent or invalid
  bool has(const std::string& name) const { return values.count(name) > 0; }
  const validation::Error* error(const std::string& name) const;
};
Fields inspect(const Call& call);

std::string url_encode(std::string_view s);  // everything but RFC 3986 unreserved characters
std::string html_escape(std::string_view s);
// error_description of RFC 6749 5.2: printable ASCII without '"' and '\'.
std::string rfc_text(std::string_view s);

// The value of a cookie of the request, "" when absent.
std::string cookie(const Call& call, std::string_view name);

// 32 random bytes, base64url: codes, refresh tokens, states, CSRF tokens.
std::string random_token();
// n characters drawn uniformly from `alphabet` (at most 256 characters).
std::string random_string(std::size_t n, std::string_view alphabet);

// `url` with parameters added to its query ('?' or '&') or as its fragment ('#').
std::string with_params(const std::string& url, const std::vector<std::pair<std::string, std::string>>& params,
                        bool fragment = false);

// 302 Found to `location`.
Reply redirect(const std::string& location);
// An RFC 6749 5.2 error: {"error", "error_description"}, never cached. A 401 carries
// WWW-Authenticate: Basic.
Reply token_error(int status, std::string_view error, std::string_view description);
// A JSON answer with OAuth's cache headers (Cache-Control: no-store, Pragma: no-cache).
Reply token_json(const Json& body);

// Redirect URIs an application may register: absolute, no fragment, http(s) or a custom
// scheme containing a period followed by a path starting with a single '/'.
bool valid_redirect_uri(std::string_view uri, std::string* why);
// An absolute http(s) URL (strategy endpoints, callback URLs).
bool valid_http_url(std::string_view url);

// A registered application (oauth_apps).
struct ClientApp {
  std::string client_id, name, secret_id;
  std::vector<std::string> redirect_uris;
};
std::optional<ClientApp> find_app(pqxx::transaction_base& tx, const std::string& client_id);

// "****" and the last 4 characters.
std::string masked(std::string_view secret);

}  // namespace og::omnipass::oauth
