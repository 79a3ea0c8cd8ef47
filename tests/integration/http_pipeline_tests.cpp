// The request pipeline against a real `omnid --dev` (its own PostgreSQL, real HTTPS):
// authentication, rights, every kind of validation error, malformed requests, limits,
// not-implemented answers, the request log, and a walk over the whole catalog.
#include <catch2/catch.hpp>

#include "common/catalog/catalog.h"
#include "daemon/store/migrations.h"
#include "tests/support/omnid_process.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;

namespace {

Omnid& dev() {
  static Omnid omnid;
  return omnid;
}

const Json kValidTransfer = {{"amount", "278.53"},
                             {"currency", "CAD"},
                             {"sourcewaid", "waid_8765432112345678"},
                             {"destinationwaid", "waid_1234567812345678"}};

Json with(Json base, const std::string& key, Json value) {
  base[key] = std::move(value);
  return base;
}

void require_code(const Answer& a, int code, long status) {
  INFO("body: " << a.body << " error: " << a.error);
  REQUIRE(a.failure == og::net::Failure::None);
  REQUIRE(a.json.is_object());
  REQUIRE(a.resultcode() == code);
  REQUIRE(a.status == status);
  REQUIRE(a.json["resultmessage"].is_string());
}

// The request passed every step of the pipeline and reached its handler: the answer is
// not one of the pipeline's own codes (whatever the handler then decided).
void require_reached_handler(const Answer& a) {
  INFO("body: " << a.body);
  REQUIRE(a.json.is_object());
  int rc = a.resultcode();
  CHECK_FALSE((rc >= 10100 && rc <= 10106));
  CHECK_FALSE((rc >= 10110 && rc <= 10114));
  CHECK_FALSE((rc >= 10120 && rc <= 10122));
  CHECK(rc != 10003);
}

}  // namespace

TEST_CASE("health answers without credentials and reports database and components", "[pipeline]") {
  Answer a = dev().call("GET", "/api/v1/system/health", "", std::string());
  require_code(a, 10000, 200);
  CHECK(a.json["status"] == "ok");
  CHECK(a.json["database"]["reachable"] == true);
  CHECK(a.json["database"]["schemaversion"] == static_cast<int>(og::store::embedded_migrations().size()));
  for (const char* c : {"omnipass", "omnibridge", "omnipay"}) CHECK(a.json["components"][c]["locked"] == false);
}

TEST_CASE("authentication: missing, malformed, unknown and ambiguous credentials are refused", "[pipeline][auth]") {
  require_code(dev().call("GET", "/api/v1/static/rolelist", "", std::string()), 10120, 401);
  require_code(dev().call("GET", "/api/v1/static/rolelist", "", std::string("not-a-key")), 10121, 401);
  require_code(dev().call("GET", "/api/v1/static/rolelist", "", std::string("0123456789ABCDEF0123456789ABCDEF")), 10121, 401);
  // A revoked key (the previous dev key is revoked at each start) is as unknown as any other.
  Answer both = dev().call("GET", "/api/v1/static/rolelist", "", std::nullopt, {{"Authorization", "Bearer a.b.c"}});
  require_code(both, 10121, 401);
  CHECK_THAT(both.message(), Catch::Contains("not both"));
  Answer bearer = dev().call("GET", "/api/v1/static/rolelist", "", std::string(), {{"Authorization", "Bearer a.b.c"}});
  require_code(bearer, 10121, 401);
  Answer basic = dev().call("GET", "/api/v1/static/rolelist", "", std::string(), {{"Authorization", "Basic eDp5"}});
  require_code(basic, 10121, 401);
  // The right key works, in lower case too.
  require_code(dev().call("GET", "/api/v1/static/rolelist"), 10000, 200);
  std::string lower = dev().apikey();
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  require_code(dev().call("GET", "/api/v1/static/rolelist", "", lower), 10000, 200);
}

TEST_CASE("rights: a role without the needed right is refused, naming the rights", "[pipeline][rbac]") {
  std::string ro = dev().create_api_key({"profile-ro"});
  Answer a = dev().call("GET", "/api/v1/system/tiers", "", ro);
  require_code(a, 10122, 403);
  CHECK_THAT(a.message(), Catch::Contains("readsystemdata"));
  // Any authenticated caller may read the role list.
  require_code(dev().call("GET", "/api/v1/static/rolelist", "", ro), 10000, 200);
  // A right the role has passes the rights step and reaches the handler.
  require_reached_handler(dev().call("GET", "/api/v1/wallet", "", ro));
  // system-admin (superuser) passes everything.
  require_code(dev().call("GET", "/api/v1/system/tiers"), 10130, 501);
}

TEST_CASE("validation: each failure has its own code and names the parameter", "[pipeline][validation]") {
  const std::string path = "/api/v1/wallet/transfer";
  SECTION("valid input reaches the handler") {
    Answer a = dev().call_json("POST", path, kValidTransfer);
    require_reached_handler(a);
    CHECK(a.resultcode() == 10140);  // the ledger: no such wallet
  }
  SECTION("missing") {
    Answer a = dev().call_json("POST", path, Json::object());
    require_code(a, 10110, 400);
    CHECK(a.message() == "Missing parameter: amount");
    Json no_currency = kValidTransfer;
    no_currency.erase("currency");
    CHECK(dev().call_json("POST", path, no_currency).message() == "Missing parameter: currency");
  }
  SECTION("length out of bounds") {
    Answer a = dev().call_json("POST", path, with(kValidTransfer, "description", std::string(41, 'x')));
    require_code(a, 10111, 400);
    CHECK_THAT(a.message(), Catch::Contains("description must be 1 to 40 characters long, got 41"));
    require_code(dev().call_json("POST", path, with(kValidTransfer, "amount", "")), 10111, 400);
    // Characters, not bytes: 40 two-byte characters are fine.
    std::string accents;
    for (int i = 0; i < 40; ++i) accents += "\xC3\xA9";
    require_reached_handler(dev().call_json("POST", path, with(kValidTransfer, "description", accents)));
  }
  SECTION("wrong type") {
    Answer a = dev().call_json("POST", path, with(kValidTransfer, "amount", 278.53));
    require_code(a, 10112, 400);
    CHECK_THAT(a.message(), Catch::Contains("amount must be a string"));
    require_code(dev().call_json("POST", path, with(kValidTransfer, "currency", Json::array())), 10112, 400);
  }
  SECTION("value not accepted: enumerations, identifiers, amounts") {
    Answer a = dev().call_json("POST", "/api/v1/system/bridge/generic/withdraw/close",
                          Json{{"txid", "txid_1234567812345678"}, {"status", "closed"}});
    require_code(a, 10113, 400);
    CHECK_THAT(a.message(), Catch::Contains("status must be one of: completed, failed"));
    Answer id = dev().call_json("POST", path, with(kValidTransfer, "sourcewaid", "upid_8765432112345678"));
    require_code(id, 10113, 400);
    CHECK_THAT(id.message(), Catch::Contains("sourcewaid is not a valid wallet ID"));
    Answer neg = dev().call_json("POST", path, with(kValidTransfer, "amount", "-5"));
    require_code(neg, 10113, 400);
    CHECK_THAT(neg.message(), Catch::Contains("amount must be a positive decimal amount"));
    require_code(dev().call_json("POST", path, with(kValidTransfer, "amount", "1e5")), 10113, 400);
    require_code(dev().call_json("POST", path, with(kValidTransfer, "amount", "12,50")), 10113, 400);
    require_code(dev().call_json("POST", path, with(kValidTransfer, "currency", "cad")), 10113, 400);
    // Ill-formed UTF-8 is not JSON at all.
    std::string raw = kValidTransfer.dump();
    raw.insert(raw.size() - 1, ",\"description\":\"\xC3\x28\"");
    require_code(dev().call("POST", path, raw), 10102, 400);
  }
  SECTION("unknown parameters are refused, in the body and the query") {
    Answer a = dev().call_json("POST", path, with(kValidTransfer, "amonut", "1"));
    require_code(a, 10114, 400);
    CHECK_THAT(a.message(), Catch::Contains("amonut"));
    require_code(dev().call("GET", "/api/v1/wallet?colour=blue"), 10114, 400);
    require_code(dev().call_json("POST", path + "?amount=1", kValidTransfer), 10114, 400);
  }
  SECTION("path parameters are validated too") {
    Answer a = dev().call("GET", "/api/v1/wallet/transaction/txid_12");
    require_code(a, 10111, 400);
    CHECK_THAT(a.message(), Catch::Contains("txid"));
    require_code(dev().call("GET", "/api/v1/wallet/transaction/waid_1234567812345678"), 10113, 400);
    require_reached_handler(dev().call("GET", "/api/v1/wallet/transaction/txid_1234567812345678"));
  }
  SECTION("query parameters are typed and validated") {
    require_reached_handler(dev().call("GET", "/api/v1/system/user?email=someone%40example.com"));
    require_code(dev().call("GET", "/api/v1/system/user?email=not-an-email"), 10113, 400);
    require_code(dev().call("GET", "/api/v1/system/user?uuid=uuid_1&uuid=uuid_2"), 10113, 400);
  }
  SECTION("the Idempotency-Key header is checked") {
    Answer a = dev().call("POST", path, kValidTransfer.dump(), std::nullopt, {{"Idempotency-Key", std::string(300, 'k')}});
    require_code(a, 10113, 400);
    CHECK_THAT(a.message(), Catch::Contains("Idempotency-Key"));
  }
}

TEST_CASE("malformed requests get JSON answers with clear codes", "[pipeline][http]") {
  const std::string path = "/api/v1/wallet/transfer";
  Answer bad = dev().call("POST", path, std::string("{\"amount\": \"1\""));
  require_code(bad, 10102, 400);
  CHECK_THAT(bad.message(), Catch::Contains("byte"));
  require_code(dev().call("POST", path, std::string("[1,2]")), 10102, 400);
  Answer dup = dev().call("POST", path, std::string(R"({"amount":"1","amount":"2"})"));
  require_code(dup, 10102, 400);
  CHECK_THAT(dup.message(), Catch::Contains("amount"));
  require_code(dev().call("POST", path, std::string(100, '[') + std::string(100, ']')), 10102, 400);
  // A secret inside malformed JSON is never echoed.
  Answer secret = dev().call("POST", "/api/v1/user/login", std::string(R"({"email":"a@b.cc","password":"Sup3r$ecret)"));
  require_code(secret, 10102, 400);
  CHECK(secret.body.find("Sup3r") == std::string::npos);

  Answer ctype = dev().call("POST", path, kValidTransfer.dump(), std::nullopt, {{"Content-Type", "text/plain"}});
  require_code(ctype, 10103, 415);

  Answer unknown = dev().call("GET", "/api/v1/no/such/thing");
  require_code(unknown, 10100, 404);
  CHECK_THAT(unknown.message(), Catch::Contains("GET /api/v1/no/such/thing"));
  require_code(dev().call("GET", "/"), 10100, 404);
  require_code(dev().call("GET", "/api/v2/system/health"), 10100, 404);

  Answer method = dev().call("DELETE", "/api/v1/wallet/transfer");
  require_code(method, 10101, 405);
  CHECK(method.raw.header("allow") == "POST");

  SECTION("body over the limit") {
    std::string big = R"({"description":")" + std::string(2 << 20, 'x') + "\"}";
    Answer a = dev().call("POST", path, big);
    require_code(a, 10104, 413);
  }
  SECTION("headers over the limit") {
    Answer a = dev().call("GET", "/api/v1/system/health", "", std::string(), {{"X-Padding", std::string(20000, 'p')}});
    require_code(a, 10105, 431);
  }
}

TEST_CASE("the request log: one JSON line per request, never a secret", "[pipeline][log]") {
  Answer a = dev().call("GET", "/api/v1/static/rolelist", "", std::nullopt, {{"X-Request-Id", "log-test-1"}});
  require_code(a, 10000, 200);
  CHECK(a.raw.header("x-request-id") == "log-test-1");
  // GET /profile/{apikey} carries a key in its path: the log must mask it.
  const std::string key_in_path = "0123456789ABCDEF0123456789ABCDEF";
  dev().call("GET", "/api/v1/profile/" + key_in_path, "", std::nullopt, {{"X-Request-Id", "log-test-2"}});
  REQUIRE(dev().wait_for_log("log-test-2", std::chrono::seconds(10)));

  bool seen1 = false, seen2 = false;
  for (const auto& line : dev().log_lines()) {
    if (line.value("request_id", "") == "log-test-1") {
      seen1 = true;
      CHECK(line["msg"] == "request");
      CHECK(line["method"] == "GET");
      CHECK(line["path"] == "/api/v1/static/rolelist");
      CHECK(line["route"] == "GET /api/v1/static/rolelist");
      CHECK(line["resultcode"] == 10000);
      CHECK(line["latency_ms"].is_number());
      CHECK(line["credential"].get<std::string>().rfind("akid_", 0) == 0);
    }
    if (line.value("request_id", "") == "log-test-2") {
      seen2 = true;
      CHECK(line["path"] == "/api/v1/profile/****");
    }
  }
  CHECK(seen1);
  CHECK(seen2);
  std::string log = dev().log();
  CHECK(log.find(dev().apikey()) == std::string::npos);
  CHECK(log.find(key_in_path) == std::string::npos);
  CHECK(log.find("Sup3r") == std::string::npos);
}

namespace {

// A value that passes the format check of a path parameter.
std::string sample_value(const og::catalog::Param& p) {
  using og::catalog::Format;
  if (!p.accepted.empty()) return std::string(p.accepted.front());
  switch (p.format) {
    case Format::Upid: return "upid_1234567812345678";
    case Format::Uuid: return "uuid_1234567812345678";
    case Format::Waid: return "waid_1234567812345678";
    case Format::Txid: return "txid_1234567812345678";
    case Format::Akid: return "akid_1234567812345678";
    case Format::Prid: return "prid_1234567812345678";
    case Format::Ntid: return "ntid_1234567812345678";
    case Format::Fsid: return "fsid_1234567812345678";
    case Format::Hex32: return "0123456789ABCDEF0123456789ABCDEF";
    case Format::Jwt: return "aaaa.bbbb.cccc";
    case Format::Digits: return "1";
    case Format::CurrencyCode: return "CAD";
    case Format::Currency: return "CAD";
    default: break;
  }
  std::string v = "sample";
  if (p.min_len > 0 && static_cast<int>(v.size()) < p.min_len) v.append(p.min_len - v.size(), 'x');
  if (p.max_len > 0 && static_cast<int>(v.size()) > p.max_len) v.resize(p.max_len);
  return v;
}

}  // namespace

TEST_CASE("every catalog endpoint answers JSON through the pipeline, routed to itself", "[pipeline][catalog]") {
  std::map<std::string, std::string> expected_route;  // request id -> endpoint key
  int i = 0;
  for (const auto& ep : og::catalog::all()) {
    std::string path(ep.path);
    for (const auto& p : ep.params) {
      if (p.in != og::catalog::In::Path) continue;
      std::string placeholder = "{" + std::string(p.name) + "}";
      path.replace(path.find(placeholder), placeholder.size(), sample_value(p));
    }
    std::string method(og::catalog::to_string(ep.method));
    std::string id = "walk-" + std::to_string(i++);
    expected_route[id] = ep.key();
    std::string body = ep.method == og::catalog::Method::Get ? "" : "{}";
    Answer a = dev().call(method, path, body, std::nullopt, {{"X-Request-Id", id}});
    INFO(ep.key() << " -> " << method << " " << path << ": HTTP " << a.status << " " << a.body);
    REQUIRE(a.failure == og::net::Failure::None);
    REQUIRE(a.status >= 200);
    if (ep.handler_reports_errors && a.raw.header("content-type").rfind("text/html", 0) == 0) {
      // The authorization endpoint answers a browser: without a valid client it shows an
      // error page and never redirects (RFC 6749 4.1.2.1).
      CHECK(a.status == 400);
      CHECK(a.body.find("<!DOCTYPE html>") == 0);
      continue;
    }
    REQUIRE(a.json.is_object());
    // Whatever the answer, it came from this endpoint's pipeline, never from routing.
    if (ep.style() == og::catalog::Style::Tenant && a.status < 300) continue;
    int rc = a.json.contains("resultcode") ? a.json["resultcode"].get<int>() : 10000;
    CHECK(rc != 10100);
    CHECK(rc != 10101);
    CHECK(rc != 10003);
    if (ep.style() == og::catalog::Style::Tenant) CHECK(a.json.contains("errors"));
  }
  REQUIRE(dev().wait_for_log("walk-" + std::to_string(i - 1), std::chrono::seconds(10)));
  std::size_t checked = 0;
  for (const auto& line : dev().log_lines()) {
    auto it = expected_route.find(line.value("request_id", ""));
    if (it == expected_route.end()) continue;
    INFO("request " << it->first);
    CHECK(line.value("route", "") == it->second);
    ++checked;
  }
  CHECK(checked == og::catalog::all().size());
}

TEST_CASE("keep-alive: several requests share one TLS connection", "[pipeline][http]") {
  auto r = og::test::run_process({"/usr/bin/curl", "-sv", "--cacert", dev().cacert(), dev().url() + "/api/v1/system/health",
                                  dev().url() + "/api/v1/system/health"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("Re-using existing connection") != std::string::npos);
}
