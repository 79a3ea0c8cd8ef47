// Inputs the fuzzers (tests/fuzz/) found, as unit tests of the normal build. Each input is
// also in tests/fuzz/corpus/NAME/regression-* (replayed by ctest -L fuzz) once fixed; a bug
// still open is tagged [!shouldfail] here, with its input in tests/fuzz/open/NAME/: when it
// is fixed this test fails, which says to drop the tag and move the input to the corpus.
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "daemon/bridges/ripple/amounts.h"
#include "daemon/config.h"
#include "daemon/http/server.h"
#include "daemon/modules/omnipass/oauth.h"

// fuzz_http (corpus/http/regression-beast-final-chunk-in-pieces): a chunked request whose
// final chunk "0\r\n\r\n" arrives in small pieces, as TCP may deliver it. Beast 1.74
// asserts n >= 5 there (boostorg/beast#2861: the assertion is wrong, the code is right);
// with assertions off, as omnid is built (NDEBUG), the request is read whole.
TEST_CASE("http: a chunked request read one byte at a time is read whole", "[http][fuzz]") {
#ifndef NDEBUG
  WARN("built with assertions: Beast 1.74's wrong assertion would abort this test");
  return;
#endif
  namespace bhttp = boost::beast::http;
  const std::string_view wire =
      "POST /r HTTP/1.1\r\nwngth: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  const og::http::ServerOptions opt;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(opt.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
  parser.eager(true);
  std::string pending;
  for (char c : wire) {
    pending += c;
    boost::beast::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == bhttp::error::need_more) continue;
    REQUIRE_FALSE(ec);
  }
  REQUIRE(parser.is_done());
  CHECK(pending.empty());
  CHECK(parser.get().body().empty());
  CHECK(parser.get().target() == "/r");
}

// fuzz_config (tests/fuzz/open/config/): a rate that is NaN or infinite passes the
// "must be positive" check (`out <= 0` is false for NaN) in daemon/config.cpp, Reader::get.
// requests_per_second = nan refills every bucket at once (std::min(burst, NaN) is burst):
// no rate limit at all; burst = inf, the same.
TEST_CASE("config: a rate or burst that is not a finite number is refused", "[config][fuzz]") {
  for (const char* text : {"[rate_limit]\nrequests_per_second = nan\n", "[rate_limit]\nrequests_per_second = inf\n",
                           "[rate_limit]\nburst = inf\n", "[auth]\nfailures_per_second = nan\n"}) {
    INFO(text);
    CHECK_THROWS_AS(og::parse_config(text, "t.toml"), og::ConfigError);
  }
}

// fuzz_config (tests/fuzz/open/config/smtp-port-70000.toml): mail.smtp_port has no upper
// bound; 70000 passes parse_config, and omnid then stops at start-up with smtp_mailer's
// "invalid SMTP port: 70000" instead of a ConfigError naming the file, line and key.
TEST_CASE("config: an SMTP port beyond 65535 is refused", "[config][fuzz]") {
  CHECK_THROWS_AS(og::parse_config("[mail]\nsmtp_port = 70000\n", "t.toml"), og::ConfigError);
}

// fuzz_ids (tests/fuzz/open/ids/redirect-uri-empty-host): "http://?x" has no host;
// valid_http_url (daemon/modules/omnipass/oauth_common.cpp) then calls front() on the empty
// host, which is undefined (it happens to read the '?'). Only the fuzz build, with
// _GLIBCXX_ASSERTIONS, sees that; this checks the answer, refused, which must not change.
TEST_CASE("oauth: a redirect URI without a host is refused", "[oauth][fuzz]") {
  std::string why;
  CHECK_FALSE(og::omnipass::oauth::valid_redirect_uri("http://?x", &why));
  CHECK_FALSE(why.empty());
  CHECK_FALSE(og::omnipass::oauth::valid_http_url("https://?"));
}

// fuzz_ripple_readers (corpus/ripple_readers/regression-value-large-exponent): rippled's
// "-1237e92" (in the XRP Ledger's range) was written out as 96 digits that the same reader
// then refused: its limit was on the spelling's digits, not on the value.
TEST_CASE("ripple: an issued value with a large exponent reads back as itself", "[ripple][fuzz]") {
  auto v = og::bridges::ripple::value_to_decimal("-1237e92");
  REQUIRE(v);
  CHECK(og::bridges::ripple::value_to_decimal(*v) == v);
}
