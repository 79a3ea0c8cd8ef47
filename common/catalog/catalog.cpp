#include "common/catalog/catalog.h"

#include <algorithm>
#include <unordered_map>

#include "common/catalog/entries.h"

namespace og::catalog {

Param P(std::string_view name) { return Param{.name = name, .type = Type::String}; }
Param Bool(std::string_view name) { return Param{.name = name, .type = Type::Boolean}; }
Param Num(std::string_view name) { return Param{.name = name, .type = Type::Number}; }
Param Arr(std::string_view name) { return Param{.name = name, .type = Type::Array}; }
Param Obj(std::string_view name) { return Param{.name = name, .type = Type::Object}; }
Param query(Param p) { p.in = In::Query; return p; }
Param path(Param p) {
  p.in = In::Path;
  p.required = true;
  return p;
}

namespace {

struct Catalog {
  std::vector<Endpoint> endpoints;
  std::unordered_map<std::string, const Endpoint*> by_key;

  Catalog() {
    entries::profile(endpoints);
    entries::notifications(endpoints);
    entries::user(endpoints);
    entries::wallet(endpoints);
    entries::payment(endpoints);
    entries::currency(endpoints);
    entries::system(endpoints);
    entries::statics(endpoints);
    entries::auth(endpoints);
    entries::tenant(endpoints);
    for (const auto& e : endpoints) by_key.emplace(e.key(), &e);
  }
};

const Catalog& instance() {
  static const Catalog c;
  return c;
}

}  // namespace

std::span<const Endpoint> all() { return instance().endpoints; }

const Endpoint* find(std::string_view key) {
  const auto& m = instance().by_key;
  auto it = m.find(std::string(key));
  return it == m.end() ? nullptr : it->second;
}

Style Endpoint::style() const {
  if (component == Component::Tenant) return Style::Tenant;
  if (path.starts_with("/auth/")) return Style::Sso;
  return Style::Omnigate;
}

std::string Endpoint::key() const {
  std::string k(to_string(method));
  k += ' ';
  k += path;
  return k;
}

const Param* Endpoint::param(std::string_view name) const {
  auto it = std::find_if(params.begin(), params.end(), [&](const Param& p) { return p.name == name; });
  return it == params.end() ? nullptr : &*it;
}

std::string_view to_string(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
  }
  return "GET";
}

std::optional<Method> parse_method(std::string_view s) {
  for (Method m : {Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

std::string_view to_string(Type t) {
  switch (t) {
    case Type::String: return "string";
    case Type::Boolean: return "boolean";
    case Type::Number: return "number";
    case Type::Array: return "array";
    case Type::Object: return "object";
  }
  return "string";
}

std::string_view to_string(Format f) {
  switch (f) {
    case Format::None: return "";
    case Format::Upid: return "profile ID (upid_ + 16 digits)";
    case Format::Uuid: return "user ID (uuid_ + 16 digits)";
    case Format::Waid: return "wallet ID (waid_ + 16 digits)";
    case Format::Txid: return "transaction ID (txid_ + 16 digits)";
    case Format::Akid: return "API key ID (akid_ + 16 digits)";
    case Format::Prid: return "payment request ID (prid_ + 16 digits)";
    case Format::Ntid: return "notification transport ID (ntid_ + 16 digits)";
    case Format::Fsid: return "fee schedule ID (fsid_ + 16 digits)";
    case Format::Email: return "e-mail address";
    case Format::Url: return "http(s) URL";
    case Format::Amount: return "decimal amount, e.g. \"278.53\"";
    case Format::Date: return "date YYYY-MM-DD";
    case Format::Language: return "two-letter language code";
    case Format::Country: return "two-letter country code";
    case Format::Timezone: return "IANA time zone, e.g. \"Canada/Eastern\"";
    case Format::CurrencyCode: return "three-letter currency code";
    case Format::Currency: return "currency, e.g. \"CAD\" or \"CAD.starbucks\"";
    case Format::Digits: return "digits";
    case Format::Hex32: return "32 hexadecimal characters";
    case Format::Jwt: return "JSON Web Token";
    case Format::Password: return "password";
  }
  return "";
}

std::string_view to_string(Component c) {
  switch (c) {
    case Component::Omnipass: return "omnipass";
    case Component::Omnibridge: return "omnibridge";
    case Component::Omnipay: return "omnipay";
    case Component::System: return "system";
    case Component::Static: return "static";
    case Component::Tenant: return "tenant";
  }
  return "system";
}

std::string_view to_string(Access a) { return a == Access::Read ? "read" : "write"; }

}  // namespace og::catalog
