#include "common/validation.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "common/amount.h"
#include "common/ids.h"

namespace og::validation {

using catalog::Format;
using catalog::In;
using catalog::Param;
using catalog::Type;

namespace {

bool all_of(std::string_view s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

bool is_digits(std::string_view s) { return !s.empty() && all_of(s, ::isdigit); }

std::string unit_of(Type t) {
  switch (t) {
    case Type::String: return "characters";
    case Type::Number: return "digits";
    case Type::Array: return "elements";
    case Type::Object: return "bytes of JSON";
    case Type::Boolean: return "";
  }
  return "";
}

std::string article_type(Type t) {
  switch (t) {
    case Type::String: return "a string";
    case Type::Boolean: return "a boolean (true or false)";
    case Type::Number: return "an integer";
    case Type::Array: return "an array";
    case Type::Object: return "a JSON object";
  }
  return "a value";
}

std::optional<IdKind> id_kind(Format f) {
  switch (f) {
    case Format::Upid: return IdKind::Upid;
    case Format::Uuid: return IdKind::Uuid;
    case Format::Waid: return IdKind::Waid;
    case Format::Txid: return IdKind::Txid;
    case Format::Akid: return IdKind::Akid;
    case Format::Prid: return IdKind::Prid;
    case Format::Ntid: return IdKind::Ntid;
    case Format::Fsid: return IdKind::Fsid;
    default: return std::nullopt;
  }
}

bool is_jwt(std::string_view s) {
  int dots = 0;
  for (char c : s) {
    if (c == '.') ++dots;
    else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return dots == 2 && s.front() != '.' && s.back() != '.';
}

bool format_ok(Format f, std::string_view s) {
  if (auto k = id_kind(f)) return is_valid_id(*k, s);
  switch (f) {
    case Format::None:
    case Format::Password: return true;
    case Format::Email: return is_email(s);
    case Format::Url: return is_url(s);
    case Format::Amount: return looks_like_amount(s);
    case Format::Date: return is_date(s);
    case Format::Language: return s.size() == 2 && all_of(s, ::islower);
    case Format::Country: return s.size() == 2 && all_of(s, ::isupper);
    case Format::Timezone: return is_timezone(s);
    case Format::CurrencyCode: return s.size() == 3 && all_of(s, ::isupper);
    case Format::Currency: return is_currency(s);
    case Format::Digits: return is_digits(s);
    case Format::Hex32: return s.size() == 32 && all_of(s, ::isxdigit);
    case Format::Jwt: return is_jwt(s);
    default: return true;
  }
}

// Converts a query/path string to the parameter's JSON type.
std::optional<Json> from_text(const Param& p, const std::string& text) {
  switch (p.type) {
    case Type::String: return Json(text);
    case Type::Boolean:
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return std::nullopt;
    case Type::Number: {
      std::string_view digits = text;
      bool neg = !digits.empty() && digits.front() == '-';
      if (neg) digits.remove_prefix(1);
      if (!is_digits(digits) || digits.size() > 18) return std::nullopt;
      long long v = std::stoll(std::string(digits));
      return Json(neg ? -v : v);
    }
    case Type::Array:
    case Type::Object: {
      Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) return std::nullopt;
      if (p.type == Type::Array ? !j.is_array() : !j.is_object()) return std::nullopt;
      return j;
    }
  }
  return std::nullopt;
}

// Accepts the JSON type the catalog names, plus the lenient forms the spec's own examples
// use ("accepttos": "true", "documentType": "8"). Returns the normalized value.
std::optional<Json> coerce_body(const Param& p, const Json& v) {
  switch (p.type) {
    case Type::String:
      if (v.is_string()) return v;
      return std::nullopt;
    case Type::Boolean:
      if (v.is_boolean()) return v;
      if (v.is_string()) return from_text(p, v.get<std::string>());
      return std::nullopt;
    case Type::Number:
      if (v.is_number_integer()) return v;
      if (v.is_string()) return from_text(p, v.get<std::string>());
      return std::nullopt;
    case Type::Array:
      if (v.is_array()) return v;
      return std::nullopt;
    case Type::Object:
      if (v.is_object()) return v;
      return std::nullopt;
  }
  return std::nullopt;
}

std::size_t number_digits(const Json& v) {
  std::string s = v.dump();
  if (!s.empty() && s.front() == '-') s.erase(0, 1);
  return s.size();
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    unsigned cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range code points are invalid.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_email(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3 || domain.size() > 253) return false;
  for (char c : local) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != std::string_view::npos))
      return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  // Domain: dot-separated labels of letters, digits, hyphens; at least one dot.
  if (domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool is_url(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("https://")) rest = s.substr(8);
  else if (s.starts_with("http://")) rest = s.substr(7);
  else return false;
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;
  return true;
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!is_digits(s.substr(0, 4)) || !is_digits(s.substr(5, 2)) || !is_digits(s.substr(8, 2))) return false;
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(5, 2)));
  int d = std::stoi(std::string(s.substr(8, 2)));
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

bool is_timezone(std::string_view s) {
  if (s.empty() || s.front() == '/' || s.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '/' || c == '_' || c == '-' || c == '+')) return false;
  }
  // A zone is a regular file of the system's tzdata.
  struct stat st{};
  std::string file = "/usr/share/zoneinfo/" + std::string(s);
  return ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_currency(std::string_view s) {
  // CODE[.issuer[.bridge]]: "CAD", "CAD.starbucks", "USD.starbucks.ripple".
  std::size_t start = 0;
  int part = 0;
  while (true) {
    auto dot = s.find('.', start);
    std::string_view seg = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) return false;
    if (part == 0) {
      if (seg.size() < 3 || seg.size() > 12 || !all_of(seg, ::isalnum)) return false;
      if (!std::all_of(seg.begin(), seg.end(), [](char c) { return !std::islower(static_cast<unsigned char>(c)); }))
        return false;
    } else {
      for (char c : seg) {
        unsigned char u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '_' || c == '-')) return false;
      }
    }
    if (dot == std::string_view::npos) break;
    if (++part > 2) return false;
    start = dot + 1;
  }
  return true;
}

// Text the database can store: valid UTF-8 without NUL (PostgreSQL's text cannot hold it).
std::optional<Error> check_text(const std::string& name, const std::string& s) {
  if (!is_valid_utf8(s)) return Error{Rc::BadValue, name, name + " is not valid UTF-8"};
  if (s.find('\0') != std::string::npos) return Error{Rc::BadValue, name, name + " must not contain the NUL character"};
  return std::nullopt;
}

std::optional<Error> check_value(const Param& p, const Json& value) {
  const std::string name(p.name);
  // Length bounds.
  if (p.type != Type::Boolean && (p.min_len >= 0 || p.max_len >= 0)) {
    std::size_t n = 0;
    switch (p.type) {
      case Type::String: {
        const auto& s = value.get_ref<const std::string&>();
        if (auto e = check_text(name, s)) return e;
        n = utf8_length(s);
        break;
      }
      case Type::Number: n = number_digits(value); break;
      case Type::Array: n = value.size(); break;
      case Type::Object: n = value.dump().size(); break;
      case Type::Boolean: break;
    }
    bool too_short = p.min_len >= 0 && n < static_cast<std::size_t>(p.min_len);
    bool too_long = p.max_len >= 0 && n > static_cast<std::size_t>(p.max_len);
    if (too_short || too_long) {
      std::string bounds;
      if (p.min_len >= 0 && p.max_len >= 0)
        bounds = p.min_len == p.max_len ? "exactly " + std::to_string(p.min_len)
                                        : std::to_string(p.min_len) + " to " + std::to_string(p.max_len);
      else if (p.min_len >= 0) bounds = "at least " + std::to_string(p.min_len);
      else bounds = "at most " + std::to_string(p.max_len);
      return Error{Rc::BadLength, name,
                   name + " must be " + bounds + " " + unit_of(p.type) + " long, got " + std::to_string(n)};
    }
  } else if (p.type == Type::String) {
    if (auto e = check_text(name, value.get_ref<const std::string&>())) return e;
  }

  // Accepted values.
  if (!p.accepted.empty()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (std::find(p.accepted.begin(), p.accepted.end(), text) == p.accepted.end()) {
      std::string list;
      for (auto a : p.accepted) list += (list.empty() ? "" : ", ") + std::string(a);
      return Error{Rc::BadValue, name, name + " must be one of: " + list};
    }
  }

  // Format.
  if (p.format != Format::None && value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (!format_ok(p.format, s)) {
      std::string why = name + " is not a valid " + std::string(catalog::to_string(p.format));
      if (p.format == Format::Amount && !s.empty() && s.front() == '-')
        why = name + " must be a positive decimal amount";
      return Error{Rc::BadValue, name, why};
    }
  }
  return std::nullopt;
}

std::optional<Error> validate(const catalog::Endpoint& ep, const Inputs& in, Json& out, bool ignore_unknown) {
  out = Json::object();

  // Unknown parameters first: a typo must not pass silently as "missing".
  if (in.body && !in.body->is_object()) return Error{Rc::MalformedJson, "", "the body must be a JSON object"};
  if (!ignore_unknown) {
    if (in.body) {
      for (const auto& [key, _] : in.body->items()) {
        const Param* p = ep.param(key);
        if (!p || p->in != In::Body)
          return Error{Rc::UnknownParameter, key, key + " is not a parameter of " + ep.key()};
      }
    }
    for (const auto& [key, _] : in.query) {
      const Param* p = ep.param(key);
      if (!p || p->in != In::Query)
        return Error{Rc::UnknownParameter, key, key + " is not a query parameter of " + ep.key()};
    }
  }

  for (const Param& p : ep.params) {
    const std::string name(p.name);
    std::optional<Json> value;
    bool present = false;
    switch (p.in) {
      case In::Body:
        if (in.body && in.body->contains(name) && !(*in.body)[name].is_null()) {
          present = true;
          value = coerce_body(p, (*in.body)[name]);
        }
        break;
      case In::Query:
        if (auto it = in.query.find(name); it != in.query.end()) {
          present = true;
          value = from_text(p, it->second);
        }
        break;
      case In::Path:
        if (auto it = in.path.find(name); it != in.path.end()) {
          present = true;
          value = from_text(p, it->second);
        }
        break;
    }
    if (!present) {
      if (p.required) return Error{Rc::MissingParameter, name, name};
      continue;
    }
    if (!value) return Error{Rc::BadType, name, name + " must be " + article_type(p.type)};
    if (auto err = check_value(p, *value)) return err;
    out[name] = std::move(*value);
  }
  return std::nullopt;
}

}  // namespace og::validation
