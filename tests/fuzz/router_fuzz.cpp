// The router (daemon/http/router.h) as the pipeline uses it: the request target is split
// at '?', the path is matched (percent-decoded, most specific template wins) and the
// query string parsed. Input: first line the method, second line the target; the rest is
// decoded on its own (percent_decode, parse_query).
// Invariants: a match names an endpoint of that method whose path parameters are its
// own; the answer does not depend on how the path was percent-encoded (the literal fast
// path agrees with the full match); a parsed query encodes and parses back to itself.

#include <algorithm>
#include <string>

#include "common/catalog/catalog.h"
#include "daemon/http/router.h"
#include "tests/fuzz/fuzz_support.h"

using og::http::RouteMatch;

namespace {

const og::http::Router& router() {
  static const og::http::Router r(og::catalog::all());
  return r;
}

std::string encode_all(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (keep_slash && c == '/') {
      out += c;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

void check_match(std::string_view method, std::string_view path) {
  RouteMatch m = router().match(method, path);
  switch (m.kind) {
    case RouteMatch::Kind::Found: {
      FUZZ_CHECK(m.endpoint != nullptr);
      FUZZ_CHECK(og::catalog::to_string(m.endpoint->method) == method);
      for (const auto& [name, value] : m.path_params) {
        const og::catalog::Param* p = m.endpoint->param(name);
        FUZZ_CHECK_MSG(p && p->in == og::catalog::In::Path, name);
        FUZZ_CHECK(!value.empty());
        FUZZ_CHECK(m.endpoint->path.find("{" + name + "}") != std::string_view::npos);
      }
      break;
    }
    case RouteMatch::Kind::WrongMethod:
      FUZZ_CHECK(m.endpoint == nullptr && !m.allowed_methods.empty());
      FUZZ_CHECK(std::find(m.allowed_methods.begin(), m.allowed_methods.end(), std::string(method)) ==
                 m.allowed_methods.end());
      break;
    case RouteMatch::Kind::NoPath:
      FUZZ_CHECK(m.endpoint == nullptr && m.path_params.empty());
      break;
  }

  // The same path with every byte of every decoded segment percent-encoded: the same answer.
  std::string_view rest = path;
  bool decodes = true;
  std::string reencoded;
  if (!rest.empty() && rest.front() == '/') {
    reencoded += '/';
    rest.remove_prefix(1);
  }
  while (true) {
    auto slash = rest.find('/');
    auto seg = og::http::percent_decode(rest.substr(0, slash));
    if (!seg) {
      decodes = false;
      break;
    }
    // A raw NUL (which Beast never lets into a target) cannot be re-encoded: %00 is refused.
    if (seg->find('\0') != std::string::npos) return;
    reencoded += encode_all(*seg, false);
    if (slash == std::string_view::npos) break;
    reencoded += '/';
    rest.remove_prefix(slash + 1);
  }
  if (!decodes) {
    FUZZ_CHECK(m.kind == RouteMatch::Kind::NoPath);
    return;
  }
  RouteMatch again = router().match(method, reencoded);
  FUZZ_CHECK_MSG(again.kind == m.kind && again.endpoint == m.endpoint && again.path_params == m.path_params,
                 reencoded);
  if (m.kind == RouteMatch::Kind::WrongMethod) FUZZ_CHECK(again.allowed_methods == m.allowed_methods);
}

void check_query(std::string_view query) {
  auto q = og::http::parse_query(query);
  if (!q) return;
  std::string text;
  for (const auto& [name, value] : *q) {
    if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) return;
    FUZZ_CHECK(!name.empty());
    if (!text.empty()) text += '&';
    text += encode_all(name, false) + "=" + encode_all(value, false);
  }
  auto back = og::http::parse_query(text);
  FUZZ_CHECK_MSG(back && *back == *q, text);
}

void check_decode(std::string_view s) {
  for (bool plus : {false, true}) {
    auto d = og::http::percent_decode(s, plus);
    if (!d) continue;
    FUZZ_CHECK(d->size() <= s.size());
    if (d->find('\0') != std::string::npos) continue;  // a raw NUL: see check_match
    auto back = og::http::percent_decode(encode_all(*d, false), plus);
    FUZZ_CHECK(back && *back == *d);
    if (plus && s.find('%') == std::string_view::npos) FUZZ_CHECK(d->find('+') == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = og::fuzz::as_text(data, size);
  std::string_view method = og::fuzz::take_line(rest);
  std::string_view target = og::fuzz::take_line(rest);
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
  check_match(method, path);
  check_query(query);
  check_query(rest);
  check_decode(rest);
  return 0;
}
