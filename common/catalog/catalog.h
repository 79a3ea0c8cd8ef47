#pragma once
// The endpoint catalog: every endpoint of the Omnigate API, the SSO service (/auth/...)
// and the tenant API, declared once. The server's router and request validation, the
// omnictl commands and their help, the shell completions and the man pages all come
// from these declarations. Adding an endpoint = one entry here + one handler.

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace og::catalog {

enum class Method { Get, Post, Put, Patch, Delete };

// The spec's "Type" column. Object is the spec's "JSON".
enum class Type { String, Boolean, Number, Array, Object };

// Where a parameter travels: the JSON body, the query string, or a path segment.
enum class In { Body, Query, Path };

// Semantic checks beyond type and length (applied by validation, named in messages).
enum class Format {
  None,
  Upid, Uuid, Waid, Txid, Akid, Prid, Ntid, Fsid,  // identifiers: prefix_ + 16 digits
  Email,         // an e-mail address
  Url,           // an absolute http(s) URL
  Amount,        // a decimal string, e.g. "278.53" (no sign, no exponent)
  Date,          // YYYY-MM-DD
  Language,      // two lowercase letters (ISO 639-1)
  Country,       // two uppercase letters (ISO 3166-1 alpha-2)
  Timezone,      // an IANA tzdata zone name, e.g. "Canada/Eastern"
  CurrencyCode,  // three letters, e.g. "CAD"
  Currency,      // an internal currency: "CAD", "CAD.starbucks", "USD.starbucks.ripple"
  Digits,        // decimal digits only (MFA codes, numbers sent as strings)
  Hex32,         // 32 hexadecimal characters (API keys, reset tokens)
  Jwt,           // a compact JWS: three base64url parts
  Password,      // a password (policy checked by the handler); always secret
};

enum class Component { Omnipass, Omnibridge, Omnipay, System, Static, Tenant };

// The spec's "Access Type".
enum class Access { Read, Write };

// Public: no credential needed. Credential: X-APIKey or Bearer required.
// Optional: anonymous calls allowed, a credential is used when present.
enum class Auth { Public, Credential, Optional };

// How answers and errors are shaped:
//   Omnigate: {"resultcode":..., "resultmessage":...}   (the /api/v1 API)
//   Sso:      {"status":"ok"} / {"status":"error", "resultcode", "resultmessage"} (/auth/...)
//   Tenant:   HTTP status + {"errors":[{"type","message"}]}  (the tenant API)
enum class Style { Omnigate, Sso, Tenant };

struct Param {
  std::string_view name;
  Type type = Type::String;
  In in = In::Body;
  bool required = false;
  // Bounds on length, as the spec's tables give them: characters for a String, digits
  // for a Number, elements for an Array, serialized bytes for an Object. -1: none.
  int min_len = -1;
  int max_len = -1;
  std::vector<std::string_view> accepted;  // the only values accepted (empty: any)
  Format format = Format::None;
  bool secret = false;  // masked in logs and --curl output; omnictl prompts for it
  std::string_view description;

  // Builder helpers, so that entries read like the spec's tables:
  //   P("amount").len(1, 12).fmt(Format::Amount).req().desc("Amount")
  Param& req() { required = true; return *this; }
  Param& len(int lo, int hi) { min_len = lo; max_len = hi; return *this; }
  Param& fmt(Format f) { format = f; if (f == Format::Password) secret = true; return *this; }
  Param& desc(std::string_view d) { description = d; return *this; }
  Param& hidden() { secret = true; return *this; }
  Param& one_of(std::initializer_list<std::string_view> values) { accepted = values; return *this; }
};

// Constructors for the five spec types; the parameter travels in the body unless
// query()/path() is used.
Param P(std::string_view name);                   // String
Param Bool(std::string_view name);                // Boolean
Param Num(std::string_view name);                 // Number
Param Arr(std::string_view name);                 // Array
Param Obj(std::string_view name);                 // Object ("JSON")
Param query(Param p);                             // moves p to the query string
Param path(Param p);                              // a {name} segment of the path

// The object an endpoint acts on, resolved and checked by the pipeline before the handler
// runs (daemon/modules/ownership.h): whose it is decides which of the rights opens it.
// TeamMember (a uuid) and ApiKey (an akid) belong to the profile named by the entry's
// `upid` parameter, or the caller's own when the call names none: they exist only within it.
enum class Object { None, Profile, Wallet, Transaction, TeamMember, ApiKey };

struct Owner {
  Object object = Object::None;
  // The parameter that names it. When the call leaves it out: the caller's own profile
  // (Profile), the caller's default wallet (Wallet). Required for the others.
  std::string_view param;
  // The rights that open the object when it is the caller's own profile's, a child
  // profile's (one the caller's profile made), or anyone's; superuser opens everything.
  // A Transaction is opened by the rights on either of its wallets.
  std::vector<std::string_view> own, child, all;
  // Not checked by the pipeline: who checks it instead, and why (kept next to the rule).
  std::string_view checked_by;
};

struct Endpoint {
  Method method = Method::Get;
  // Full path template. Parameters are {name}; a segment may mix literal text and
  // parameters: "/api/v1/wallet/list/name_{walletname}",
  // "/api/v1/system/bridge/{bridgename}-{instanceid}/balances".
  std::string_view path;
  std::string_view summary;  // one line, from the spec
  Component component = Component::System;
  Access access = Access::Read;
  bool rate_limited = true;
  bool financial = false;  // moves money: never blindly retried, takes Idempotency-Key
  Auth auth = Auth::Credential;
  // The caller needs at least one of these rights (superuser has them all). Empty with
  // Auth::Credential: any authenticated caller. Ownership (own vs child vs all) is
  // checked by the pipeline, from `owner`.
  std::vector<std::string_view> rights;
  std::vector<Param> params;
  // The omnictl command: "wallet transfer", "profile apikey create". Entries that differ
  // only by an optional leading path parameter share a command (GET /wallet and
  // GET /wallet/{waid} are both "wallet get").
  std::string_view command;
  // OAuth 2.0 endpoints (RFC 6749): unknown parameters are ignored, and a parameter error
  // is handed to the handler (Call::invalid), which reports it the RFC's way (a redirect
  // with error=..., or {"error": ...}) instead of the pipeline's answer.
  bool handler_reports_errors = false;
  int timeout_seconds = 5;   // the spec's "Timeout in your application"
  bool extension = false;    // ours, not in the spec (documented in docs/)
  std::string_view notes;    // where we depart from the spec, and why
  Owner owner;               // the object acted on (None: the endpoint names none)

  Style style() const;
  std::string key() const;   // "POST /api/v1/wallet/transfer": unique, binds handlers
  const Param* param(std::string_view name) const;
};

// Every endpoint, in spec order.
std::span<const Endpoint> all();

// Lookup by key ("METHOD /path/template"); nullptr when absent.
const Endpoint* find(std::string_view key);

std::string_view to_string(Method m);
std::optional<Method> parse_method(std::string_view s);
std::string_view to_string(Type t);
std::string_view to_string(Format f);
std::string_view to_string(Component c);
std::string_view to_string(Access a);

}  // namespace og::catalog
