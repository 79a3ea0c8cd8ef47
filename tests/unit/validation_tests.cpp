// Validation from the catalog: order of checks, types, lengths, formats, coercions.
#include <catch2/catch.hpp>

#include "common/catalog/catalog.h"
#include "common/validation.h"

using og::Json;
using og::Rc;
using og::validation::Inputs;
using og::validation::validate;

namespace {
const og::catalog::Endpoint& ep(const char* key) {
  const auto* e = og::catalog::find(key);
  REQUIRE(e);
  return *e;
}
std::optional<og::validation::Error> check(const char* key, const Json& body, Json* out = nullptr) {
  Json tmp;
  Inputs in;
  in.body = &body;
  return validate(ep(key), in, out ? *out : tmp);
}
const Json kTransfer = {{"amount", "278.53"},
                        {"currency", "CAD"},
                        {"sourcewaid", "waid_8765432112345678"},
                        {"destinationwaid", "waid_1234567812345678"}};
}  // namespace

TEST_CASE("a valid body passes and is copied to the output", "[validation]") {
  Json out;
  REQUIRE_FALSE(check("POST /api/v1/wallet/transfer", kTransfer, &out));
  CHECK(nlohmann::json::parse(out.dump()) == nlohmann::json::parse(kTransfer.dump()));  // same members, any order
}

TEST_CASE("checks come in order: unknown, missing, type, length, accepted, format", "[validation]") {
  Json b = kTransfer;
  b["bogus"] = 1;
  b.erase("amount");
  auto e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::UnknownParameter);
  CHECK(e->param == "bogus");

  b = kTransfer;
  b.erase("amount");
  e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::MissingParameter);
  CHECK(e->param == "amount");

  b = kTransfer;
  b["amount"] = 12;
  e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::BadType);

  b = kTransfer;
  b["amount"] = "1234567890123";  // 13 > 12
  e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::BadLength);
  CHECK(e->detail == "amount must be 1 to 12 characters long, got 13");

  b = kTransfer;
  b["amount"] = "12.5.5";
  e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::BadValue);
}

TEST_CASE("null counts as absent", "[validation]") {
  Json b = kTransfer;
  b["description"] = nullptr;
  REQUIRE_FALSE(check("POST /api/v1/wallet/transfer", b));
  b["amount"] = nullptr;
  auto e = check("POST /api/v1/wallet/transfer", b);
  REQUIRE(e);
  CHECK(e->rc == Rc::MissingParameter);
}

TEST_CASE("lengths count characters for strings, elements for arrays, bytes for objects", "[validation]") {
  // POST /api/v1/profile/apikey: description 2-40, roles array 1-20.
  Json ok{{"description", "\xC3\xA9\xC3\xA9"}, {"roles", {"profile-ro"}}};
  CHECK_FALSE(check("POST /api/v1/profile/apikey", ok));
  Json short_desc{{"description", "\xC3\xA9"}, {"roles", {"profile-ro"}}};  // 1 character, 2 bytes
  REQUIRE(check("POST /api/v1/profile/apikey", short_desc));
  CHECK(check("POST /api/v1/profile/apikey", short_desc)->rc == Rc::BadLength);
  Json no_roles{{"description", "dev"}, {"roles", Json::array()}};
  CHECK(check("POST /api/v1/profile/apikey", no_roles)->rc == Rc::BadLength);
  Json many_roles{{"description", "dev"}, {"roles", Json(std::vector<std::string>(21, "profile-ro"))}};
  CHECK(check("POST /api/v1/profile/apikey", many_roles)->rc == Rc::BadLength);
}

TEST_CASE("lenient forms from the spec's examples are accepted and normalized", "[validation]") {
  // payment/merchantinfo's example sends "accepttos": "true".
  const auto& e = ep("POST /api/v1/payment/merchantinfo");
  const auto* p = e.param("accepttos");
  REQUIRE(p);
  REQUIRE(p->type == og::catalog::Type::Boolean);
  Json body{{"accepttos", "true"}};
  Json out;
  Inputs in;
  in.body = &body;
  auto err = validate(e, in, out);
  // Other required parameters are missing, but accepttos itself passed the type check.
  REQUIRE(err);
  CHECK(err->param != "accepttos");
  Json bad{{"accepttos", "yes"}};
  in.body = &bad;
  err = validate(e, in, out);
  REQUIRE(err);
  CHECK(err->param == "accepttos");
  CHECK(err->rc == Rc::BadType);
}

TEST_CASE("query and path values are converted to their types", "[validation]") {
  const auto& e = ep("GET /api/v1/system/bridge/{bridgename}-{instanceid}/balances");
  Inputs in;
  in.path = {{"bridgename", "ripple"}, {"instanceid", "12"}};
  Json out;
  REQUIRE_FALSE(validate(e, in, out));
  CHECK(out["instanceid"] == "12");
  in.path["instanceid"] = "123";
  auto err = validate(e, in, out);
  REQUIRE(err);
  CHECK(err->rc == Rc::BadLength);
}

TEST_CASE("formats", "[validation]") {
  using namespace og::validation;
  CHECK(is_email("john.smith@example.com"));
  CHECK(is_email("a+b@sub.example.co"));
  CHECK_FALSE(is_email("no-at.example.com"));
  CHECK_FALSE(is_email("two@@example.com"));
  CHECK_FALSE(is_email("a@localhost"));
  CHECK_FALSE(is_email("a@-bad.com"));
  CHECK_FALSE(is_email(".a@b.com"));
  CHECK_FALSE(is_email("a b@c.com"));
  CHECK(is_url("https://localhost/register/set-password"));
  CHECK(is_url("http://10.0.0.1:8080/cb"));
  CHECK_FALSE(is_url("ftp://x.y"));
  CHECK_FALSE(is_url("https:///path"));
  CHECK_FALSE(is_url("https://a b"));
  CHECK(is_date("1978-03-02"));
  CHECK(is_date("2024-02-29"));
  CHECK_FALSE(is_date("2023-02-29"));
  CHECK_FALSE(is_date("1978-3-2"));
  CHECK_FALSE(is_date("1978-13-01"));
  CHECK(is_timezone("Canada/Eastern"));
  CHECK(is_timezone("UTC"));
  CHECK_FALSE(is_timezone("Mars/Olympus"));
  CHECK_FALSE(is_timezone("../../etc/passwd"));
  CHECK_FALSE(is_timezone("/etc/passwd"));
  CHECK(is_currency("CAD"));
  CHECK(is_currency("CAD.starbucks"));
  CHECK(is_currency("USD.starbucks.ripple"));
  CHECK(is_currency("BTC.bitstamp"));
  CHECK_FALSE(is_currency("cad"));
  CHECK_FALSE(is_currency("CAD."));
  CHECK_FALSE(is_currency("CA"));
  CHECK_FALSE(is_currency("A.b.c.d"));
  CHECK(is_valid_utf8("\xC3\xA9t\xC3\xA9"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  CHECK(utf8_length("\xC3\xA9t\xC3\xA9") == 3);
}

TEST_CASE("secrets are never quoted in errors", "[validation]") {
  const auto& e = ep("POST /api/v1/user/login");
  Json body{{"email", "a@b.cc"}, {"password", "short"}};
  Inputs in;
  in.body = &body;
  Json out;
  auto err = validate(e, in, out);
  REQUIRE(err);
  CHECK(err->param == "password");
  CHECK(err->detail.find("short") == std::string::npos);
}

TEST_CASE("text must be valid UTF-8 without NUL (the database cannot store it)", "[validation]") {
  Json body = kTransfer;
  body["description"] = std::string("rent\0 march", 11);
  auto e = check("POST /api/v1/wallet/transfer", body);
  REQUIRE(e);
  CHECK(e->rc == Rc::BadValue);
  CHECK(e->detail == "description must not contain the NUL character");
  body["description"] = "rent \xC3\xA9 march \"quoted\" \\ {x}";
  CHECK_FALSE(check("POST /api/v1/wallet/transfer", body));
  body["description"] = "bad \xC3";
  REQUIRE(check("POST /api/v1/wallet/transfer", body));
  CHECK(check("POST /api/v1/wallet/transfer", body)->rc == Rc::BadValue);
}
