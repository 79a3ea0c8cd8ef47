// Inputs the fuzzers (tests/fuzz/) found, as unit tests of the normal build. Each input is
// also in tests/fuzz/corpus/NAME/regression-* (replayed by ctest -L fuzz) once fixed; a bug
// still open is tagged [!shouldfail] here, with its input in tests/fuzz/open/NAME/: when it
// is fixed this test fails, which says to drop the tag and move the input to the corpus.
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "daemon/http/server.h"

// fuzz_http (corpus/http/regression-beast-final-chunk-in-pieces): a chunked request whose
// final chunk "0\r\n\r\n" arrives in small pieces, as TCP may deliver it. Beast 1.74
// asserts n >= 5 there (boostorg/beast#2861: the assertion is wrong, the code is right);
// with assertions off, as omnid is built, the request is read whole.
TEST_CASE("http: a chunked request read one byte at a time is read whole", "[http][fuzz]") {
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
