// The router: literal beats parameter, mixed segments, format disambiguation, 405s.
#include <catch2/catch.hpp>

#include "common/catalog/catalog.h"
#include "daemon/http/router.h"

using og::http::RouteMatch;
using og::http::Router;

namespace {
const Router& router() {
  static Router r(og::catalog::all());
  return r;
}
std::string key_of(const RouteMatch& m) { return m.endpoint ? m.endpoint->key() : "<none>"; }
}  // namespace

TEST_CASE("literal segments beat parameters", "[router]") {
  CHECK(key_of(router().match("GET", "/api/v1/wallet/list")) == "GET /api/v1/wallet/list");
  CHECK(key_of(router().match("GET", "/api/v1/wallet/waid_1234567812345678")) == "GET /api/v1/wallet/{waid}");
  CHECK(key_of(router().match("GET", "/api/v1/profile/team")) == "GET /api/v1/profile/team");
  CHECK(key_of(router().match("GET", "/api/v1/payment/transactionlist")) == "GET /api/v1/payment/transactionlist");
  CHECK(key_of(router().match("GET", "/api/v1/payment/prid_1234567812345678")) == "GET /api/v1/payment/{prid}");
}

TEST_CASE("mixed segments: name_{walletname} and {bridgename}-{instanceid}", "[router]") {
  auto m = router().match("GET", "/api/v1/wallet/list/name_Main%20wallet");
  REQUIRE(m.kind == RouteMatch::Kind::Found);
  CHECK(key_of(m) == "GET /api/v1/wallet/list/name_{walletname}");
  CHECK(m.path_params.at("walletname") == "Main wallet");
  auto u = router().match("GET", "/api/v1/wallet/list/upid_1234567812345678");
  CHECK(key_of(u) == "GET /api/v1/wallet/list/{upid}");
  auto b = router().match("GET", "/api/v1/system/bridge/ripple-1/balances");
  REQUIRE(b.kind == RouteMatch::Kind::Found);
  CHECK(b.path_params.at("bridgename") == "ripple");
  CHECK(b.path_params.at("instanceid") == "1");
  // A parameter is never empty.
  CHECK(router().match("GET", "/api/v1/system/bridge/-1/balances").kind == RouteMatch::Kind::NoPath);
  // "name_" alone is not a wallet name: it falls to {upid}, whose validation will refuse it.
  CHECK(key_of(router().match("GET", "/api/v1/wallet/list/name_")) == "GET /api/v1/wallet/list/{upid}");
}

TEST_CASE("same-shaped routes are told apart by their parameters' formats", "[router]") {
  CHECK(key_of(router().match("GET", "/api/v1/profile/upid_1234567812345678")) == "GET /api/v1/profile/{upid}");
  CHECK(key_of(router().match("GET", "/api/v1/profile/0123456789ABCDEF0123456789ABCDEF")) ==
        "GET /api/v1/profile/{apikey}");
  CHECK(key_of(router().match("GET", "/api/v1/profile/eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl")) ==
        "GET /api/v1/profile/{usertoken}");
  // Nothing fits: the first route is chosen, and validation will name its parameter.
  auto m = router().match("GET", "/api/v1/profile/garbage");
  REQUIRE(m.kind == RouteMatch::Kind::Found);
  CHECK(key_of(m) == "GET /api/v1/profile/{upid}");
}

TEST_CASE("wrong method lists the methods the most specific route allows", "[router]") {
  auto m = router().match("DELETE", "/api/v1/wallet/transfer");
  REQUIRE(m.kind == RouteMatch::Kind::WrongMethod);
  CHECK(m.allowed_methods == std::vector<std::string>{"POST"});
  auto g = router().match("GET", "/api/v1/wallet/transfer");
  REQUIRE(g.kind == RouteMatch::Kind::WrongMethod);
  CHECK(g.allowed_methods == std::vector<std::string>{"POST"});
  CHECK(router().match("PUT", "/api/v1/system/health").kind == RouteMatch::Kind::WrongMethod);
  CHECK(router().match("GET", "/api/v1/nothing").kind == RouteMatch::Kind::NoPath);
  CHECK(router().match("GET", "/api/v1/wallet/list/extra/segments/here").kind == RouteMatch::Kind::NoPath);
}

TEST_CASE("percent-encoding and query strings", "[router]") {
  using og::http::parse_query;
  using og::http::percent_decode;
  CHECK(percent_decode("a%20b").value() == "a b");
  CHECK(percent_decode("a+b").value() == "a+b");
  CHECK(percent_decode("a+b", true).value() == "a b");
  CHECK_FALSE(percent_decode("%2"));
  CHECK_FALSE(percent_decode("%zz"));
  CHECK_FALSE(percent_decode("%00"));  // NUL never reaches a handler
  auto q = parse_query("email=a%40b.cc&x=&flag");
  REQUIRE(q);
  CHECK(q->at("email") == "a@b.cc");
  CHECK(q->at("x") == "");
  CHECK(q->at("flag") == "");
  CHECK_FALSE(parse_query("a=1&a=2"));
  CHECK_FALSE(parse_query("=1"));
  // A route without parameters is found with its path percent-encoded too (the hash lookup
  // of literal paths takes only paths without escapes; the full match decodes).
  CHECK(key_of(router().match("POST", "/api/v1/wallet/%74ransfer")) == "POST /api/v1/wallet/transfer");
  CHECK(router().match("GET", "/api/v1/wallet/%74ransfer").kind == RouteMatch::Kind::WrongMethod);
  // An encoded slash stays inside its segment.
  auto m = router().match("GET", "/api/v1/wallet/list/name_a%2Fb");
  REQUIRE(m.kind == RouteMatch::Kind::Found);
  CHECK(m.path_params.at("walletname") == "a/b");
}

TEST_CASE("every catalog path routes to itself", "[router]") {
  for (const auto& ep : og::catalog::all()) {
    // Replace each {param} with a value its format accepts, then route.
    std::string path(ep.path);
    for (const auto& p : ep.params) {
      if (p.in != og::catalog::In::Path) continue;
      std::string value = "x";
      using F = og::catalog::Format;
      if (!p.accepted.empty()) value = std::string(p.accepted.front());
      else if (p.format == F::Digits) value = "7";
      else if (p.format == F::Hex32) value = "0123456789ABCDEF0123456789ABCDEF";
      else if (p.format == F::Jwt) value = "a.b.c";
      else if (p.format != F::None) {
        std::string prefix(og::catalog::to_string(p.format));
        value = prefix.substr(prefix.find('(') + 1, 4) + "_1234567812345678";
      }
      auto at = path.find("{" + std::string(p.name) + "}");
      path.replace(at, p.name.size() + 2, value);
    }
    auto m = router().match(og::catalog::to_string(ep.method), path);
    INFO(ep.key() << " as " << path);
    REQUIRE(m.kind == RouteMatch::Kind::Found);
    CHECK(m.endpoint == &ep);
  }
}
