// parse_exact (common/json_exact.h): fractional numbers keep the text the server wrote.

#include <catch2/catch.hpp>
#include <string>

#include "common/json_exact.h"

using og::Json;
using og::parse_exact;

TEST_CASE("parse_exact: fractions and exponents as their text, integers as integers", "[json]") {
  auto j = parse_exact(R"({"amount": 0.10000000, "fee": -0.00000141, "big": 20999999.97690000, "e": 1e-8,
                           "E": 2.5E+3, "confirmations": 3, "height": 18446744073709551615, "neg": -7,
                           "list": [0.1, 2, {"x": 1.000}], "s": "0.1", "t": true, "n": null})");
  REQUIRE(j);
  CHECK((*j)["amount"] == "0.10000000");
  CHECK((*j)["fee"] == "-0.00000141");
  CHECK((*j)["big"] == "20999999.97690000");  // a double would give 20999999.9769
  CHECK((*j)["e"] == "1e-8");
  CHECK((*j)["E"] == "2.5E+3");
  CHECK((*j)["confirmations"].is_number_integer());
  CHECK((*j)["confirmations"] == 3);
  CHECK((*j)["height"].get<std::uint64_t>() == 18446744073709551615ull);
  CHECK((*j)["neg"] == -7);
  CHECK((*j)["list"][0] == "0.1");
  CHECK((*j)["list"][1] == 2);
  CHECK((*j)["list"][2]["x"] == "1.000");
  CHECK((*j)["s"] == "0.1");
  CHECK((*j)["t"] == true);
  CHECK((*j)["n"].is_null());
  // Keys keep their order; a repeated key keeps the last value.
  auto d = parse_exact(R"({"b": 1, "a": 2.0, "b": 3})");
  REQUIRE(d);
  CHECK(d->dump() == R"({"b":3,"a":"2.0"})");
  CHECK(parse_exact("0.5") == Json("0.5"));
  CHECK(parse_exact("[]") == Json::array());
  CHECK(parse_exact(" {} ") == Json::object());
}

TEST_CASE("parse_exact: what is not one JSON value is none", "[json]") {
  for (const char* bad : {"", " ", "{", "[1,]", "{\"a\":}", "01", "1.", ".5", "+1", "NaN", "[1] [2]", "{\"a\" 1}",
                          "\"unterminated", "[\"\\x\"]", "tru"})
    CHECK_FALSE(parse_exact(bad));
  // Nesting deeper than the limit is refused, not a stack overflow.
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  CHECK_FALSE(parse_exact(deep));
  CHECK(parse_exact("[[[1.5]]]", 3));
  CHECK_FALSE(parse_exact("[[[[1.5]]]]", 3));
}
