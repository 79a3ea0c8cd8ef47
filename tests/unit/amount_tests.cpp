// Amount: parsing, formatting, checked arithmetic and exact comparison of fixed-point money.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/amount.h"

using og::Amount;
using og::AmountError;
using og::int128;

namespace {

__extension__ typedef unsigned __int128 uint128;

constexpr int128 kMax = std::numeric_limits<int128>::max();
constexpr int128 kMin = std::numeric_limits<int128>::min();
constexpr std::string_view kMaxText = "170141183460469231731687303715884105727";
constexpr std::string_view kMinText = "-170141183460469231731687303715884105728";

const char* error_name(AmountError e) {
  switch (e) {
    case AmountError::Empty:
      return "Empty";
    case AmountError::Malformed:
      return "Malformed";
    case AmountError::Exponent:
      return "Exponent";
    case AmountError::TooPrecise:
      return "TooPrecise";
    case AmountError::Overflow:
      return "Overflow";
    case AmountError::Negative:
      return "Negative";
    case AmountError::ScaleMismatch:
      return "ScaleMismatch";
    case AmountError::BadScale:
      return "BadScale";
  }
  return "?";
}

// Decimal text built here, independently of the code under test, so failures print
// readable numbers and the formatter is not its own oracle.
std::string dec(int128 v) {
  uint128 m = v < 0 ? uint128{0} - static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  if (v < 0) s.insert(s.begin(), '-');
  return s;
}

// An int128 from decimal text known to be in range (test constants only).
int128 i128(std::string_view s) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  uint128 m = 0;
  for (char c : s) m = m * 10 + static_cast<uint128>(c - '0');
  return negative ? static_cast<int128>(uint128{0} - m) : static_cast<int128>(m);
}

int128 pow10(int n) {
  int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Places a decimal point `scale` digits from the right of an integer's text.
std::string with_point(std::string_view integer_text, int scale) {
  std::string s(integer_text);
  if (scale > 0) s.insert(s.size() - static_cast<std::size_t>(scale), 1, '.');
  return s;
}

Amount units_at(int128 units, int scale) {
  const auto r = Amount::from_units(units, scale);
  REQUIRE(r);
  return *r;
}

Amount parsed(std::string_view s, int scale) {
  const auto r = Amount::parse(s, scale, true);
  INFO("parsing \"" << std::string(s) << "\" at scale " << scale);
  REQUIRE(r);
  return *r;
}

// Reference comparison of two decimal strings ([-]digits[.digits]) done on the text alone:
// an oracle for operator<=> across scales that shares no code with it.
int compare_decimal_text(std::string_view a, std::string_view b) {
  struct Parts {
    bool negative;
    std::string whole;  // no leading zeros
    std::string frac;   // padded to 18 digits
  };
  auto split = [](std::string_view s) {
    Parts p{false, "", ""};
    if (!s.empty() && s.front() == '-') {
      p.negative = true;
      s.remove_prefix(1);
    }
    const std::size_t dot = s.find('.');
    p.whole = std::string(s.substr(0, dot));
    if (dot != std::string_view::npos) p.frac = std::string(s.substr(dot + 1));
    p.whole.erase(0, p.whole.find_first_not_of('0'));  // npos: all zeros -> ""
    p.frac.resize(18, '0');
    if (p.whole.empty() && p.frac == std::string(18, '0')) p.negative = false;  // -0 == 0
    return p;
  };
  auto magnitude_cmp = [](const Parts& x, const Parts& y) {
    if (x.whole.size() != y.whole.size()) return x.whole.size() < y.whole.size() ? -1 : 1;
    if (int c = x.whole.compare(y.whole)) return c < 0 ? -1 : 1;
    if (int c = x.frac.compare(y.frac)) return c < 0 ? -1 : 1;
    return 0;
  };
  const Parts pa = split(a);
  const Parts pb = split(b);
  if (pa.negative != pb.negative) return pa.negative ? -1 : 1;
  const int m = magnitude_cmp(pa, pb);
  return pa.negative ? -m : m;
}

int sign_of(std::strong_ordering o) {
  return o < 0 ? -1 : (o > 0 ? 1 : 0);
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<int128> {
  static std::string convert(int128 v) { return dec(v); }
};
template <>
struct StringMaker<Amount> {
  static std::string convert(const Amount& a) {
    return dec(a.units()) + " units @ scale " + std::to_string(a.scale());
  }
};
template <>
struct StringMaker<AmountError> {
  static std::string convert(AmountError e) { return error_name(e); }
};
}  // namespace Catch

TEST_CASE("amount: good strings parse to exact units and format back", "[amount]") {
  struct Good {
    std::string_view text;
    int scale;
    bool allow_negative;
    int128 units;
    std::string_view formatted;
  };
  const std::vector<Good> table = {
      {"278.53", 2, false, 27853, "278.53"},
      {"0", 0, false, 0, "0"},
      {"5", 0, false, 5, "5"},
      {"5", 2, false, 500, "5.00"},
      {"5.5", 2, false, 550, "5.50"},
      {"007.50", 2, false, 750, "7.50"},
      {"0000", 0, false, 0, "0"},
      {"0.01", 2, false, 1, "0.01"},
      {"0.00000001", 8, false, 1, "0.00000001"},
      {"-0.00000001", 8, true, -1, "-0.00000001"},
      {"-278.53", 2, true, -27853, "-278.53"},
      {"-5", 0, true, -5, "-5"},
      {"-0", 2, true, 0, "0.00"},
      {"-0.00", 2, true, 0, "0.00"},
      {"-000.0", 3, true, 0, "0.000"},
      {"0.000000000000000001", 18, false, 1, "0.000000000000000001"},
      {"1", 18, false, i128("1000000000000000000"), "1.000000000000000000"},
      {"12345678901234567890", 0, false, i128("12345678901234567890"), "12345678901234567890"},
      {"12345678901234567890.5", 1, false, i128("123456789012345678905"), "12345678901234567890.5"},
      // Leading zeros do not count against any digit limit in parse().
      {"00000000000000000000000000000000000000000000000001", 18, false, i128("1000000000000000000"),
       "1.000000000000000000"},
      {"1.5", 1, false, 15, "1.5"},
      {"1.50", 2, false, 150, "1.50"},
      {"99.999", 3, false, 99999, "99.999"},
  };
  for (const Good& g : table) {
    INFO("\"" << std::string(g.text) << "\" at scale " << g.scale);
    const auto r = Amount::parse(g.text, g.scale, g.allow_negative);
    REQUIRE(r);
    CHECK(r->units() == g.units);
    CHECK(r->scale() == g.scale);
    CHECK(r->to_string() == g.formatted);
    CHECK(r->is_zero() == (g.units == 0));
    CHECK(r->is_negative() == (g.units < 0));
  }
}

TEST_CASE("amount: bad strings are refused with the exact error", "[amount]") {
  struct Bad {
    std::string_view text;
    int scale;
    bool allow_negative;
    AmountError error;
  };
  using E = AmountError;
  const std::vector<Bad> table = {
      {"", 2, true, E::Empty},
      {"", 0, false, E::Empty},
      // Scientific notation, whatever else it carries.
      {"1e5", 2, true, E::Exponent},
      {"1E5", 2, true, E::Exponent},
      {"1.5E-3", 8, true, E::Exponent},
      {"1.5e+3", 8, true, E::Exponent},
      {"-1e5", 2, true, E::Exponent},
      {"-1e5", 2, false, E::Exponent},
      {"+2E10", 2, true, E::Exponent},
      {"1e", 2, true, E::Exponent},
      {"e", 2, true, E::Malformed},  // no digit: not a number at all
      {"1e5x", 2, true, E::Malformed},
      {"1 e5", 2, true, E::Malformed},
      {"1e5 ", 2, true, E::Malformed},
      // Not [-]digits[.digits].
      {" 1", 2, true, E::Malformed},
      {"1 ", 2, true, E::Malformed},
      {"1 000", 2, true, E::Malformed},
      {"\t1", 2, true, E::Malformed},
      {"1\n", 2, true, E::Malformed},
      {"+1", 2, true, E::Malformed},
      {"+1", 2, false, E::Malformed},
      {"1.", 2, true, E::Malformed},
      {".5", 2, true, E::Malformed},
      {"-.5", 2, true, E::Malformed},
      {"1..2", 2, true, E::Malformed},
      {"1.2.3", 2, true, E::Malformed},
      {"1,5", 2, true, E::Malformed},
      {"1,000.00", 2, true, E::Malformed},
      {"1_000", 2, true, E::Malformed},
      {"0x10", 2, true, E::Malformed},
      {"abc", 2, true, E::Malformed},
      {"1a", 2, true, E::Malformed},
      {"NaN", 2, true, E::Malformed},
      {"inf", 2, true, E::Malformed},
      {"-", 2, true, E::Malformed},
      {"-", 2, false, E::Malformed},
      {"--1", 2, true, E::Malformed},
      {"1-", 2, true, E::Malformed},
      {"1.-2", 2, true, E::Malformed},
      {".", 2, true, E::Malformed},
      {std::string_view("1\0", 2), 2, true, E::Malformed},
      {"\xd9\xa1", 0, true, E::Malformed},      // ARABIC-INDIC DIGIT ONE
      {"\xef\xbc\x91", 0, true, E::Malformed},  // FULLWIDTH DIGIT ONE
      {"\xe2\x88\x92"
       "1",
       0, true, E::Malformed},  // MINUS SIGN
      {"1\xc2\xa0"
       "000",
       0, true, E::Malformed},  // NO-BREAK SPACE
      // Sign where negatives are not allowed.
      {"-1", 2, false, E::Negative},
      {"-0", 2, false, E::Negative},
      {"-0.00", 2, false, E::Negative},
      // More decimals than the scale, trailing zeros included.
      {"1.230", 2, true, E::TooPrecise},
      {"1.234", 2, true, E::TooPrecise},
      {"-1.234", 2, true, E::TooPrecise},
      {"1.0", 0, true, E::TooPrecise},
      {"0.0000000000000000001", 18, true, E::TooPrecise},
      {"0.000000000000000000", 17, true, E::TooPrecise},
      // Beyond the 128-bit range.
      {"170141183460469231731687303715884105728", 0, true, E::Overflow},
      {"-170141183460469231731687303715884105729", 0, true, E::Overflow},
      {"10000000000000000000000000000000000000000", 0, true, E::Overflow},
      {"999999999999999999999999999999999999999999999999", 2, true, E::Overflow},
      {"170141183460469231731.687303715884105728", 18, true, E::Overflow},
      {"170141183460469231732", 18, true, E::Overflow},
      {"1000000000000000000000", 18, true, E::Overflow},
      // Scale outside 0..18, checked before anything else.
      {"1", -1, true, E::BadScale},
      {"1", 19, true, E::BadScale},
      {"", 19, true, E::BadScale},
      {"1e5", 99, true, E::BadScale},
  };
  for (const Bad& b : table) {
    INFO("\"" << std::string(b.text) << "\" at scale " << b.scale
              << (b.allow_negative ? " (negatives allowed)" : ""));
    const auto r = Amount::parse(b.text, b.scale, b.allow_negative);
    REQUIRE_FALSE(r);
    CHECK(r.error == b.error);
  }
}

TEST_CASE("amount: every error has its own short English phrase", "[amount]") {
  using E = AmountError;
  CHECK(og::to_string(E::TooPrecise) == "more decimals than the currency allows");
  CHECK(og::to_string(E::Empty) == "empty amount");
  CHECK(og::to_string(E::Exponent) == "scientific notation is not allowed");
  CHECK(og::to_string(E::Negative) == "negative amounts are not allowed");
  const std::vector<E> all = {E::Empty,    E::Malformed, E::Exponent,      E::TooPrecise,
                              E::Overflow, E::Negative,  E::ScaleMismatch, E::BadScale};
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK_FALSE(og::to_string(all[i]).empty());
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      CHECK(og::to_string(all[i]) != og::to_string(all[j]));
    }
  }
}

TEST_CASE("amount: the int128 limits parse and format at every scale", "[amount]") {
  // "...727" and "...728" with the last digit raised by one.
  const std::string max_plus_one = "170141183460469231731687303715884105728";
  const std::string min_minus_one = "-170141183460469231731687303715884105729";
  for (int scale = 0; scale <= Amount::kMaxScale; ++scale) {
    INFO("scale " << scale);
    const std::string max_text = with_point(kMaxText, scale);
    const std::string min_text = with_point(kMinText, scale);

    const auto max = Amount::parse(max_text, scale);
    REQUIRE(max);
    CHECK(max->units() == kMax);
    CHECK(max->to_string() == max_text);
    CHECK(Amount::parse("000" + max_text, scale)->units() == kMax);

    const auto min = Amount::parse(min_text, scale, true);
    REQUIRE(min);
    CHECK(min->units() == kMin);
    CHECK(min->to_string() == min_text);
    CHECK(units_at(kMin, scale).to_string() == min_text);
    CHECK(Amount::parse(min_text, scale, false).error == AmountError::Negative);

    CHECK(Amount::parse(with_point(max_plus_one, scale), scale, true).error ==
          AmountError::Overflow);
    CHECK(Amount::parse(with_point(min_minus_one, scale), scale, true).error ==
          AmountError::Overflow);
    // One more integer digit overflows as well.
    CHECK(Amount::parse("1" + max_text, scale).error == AmountError::Overflow);
    CHECK(Amount::parse("-1" + max_text, scale, true).error == AmountError::Overflow);

    // The largest whole number that fits, and the next one (at scale 0 that is
    // max_plus_one, above).
    const int128 whole_max = kMax / pow10(scale);
    CHECK(Amount::parse(dec(whole_max), scale)->units() == whole_max * pow10(scale));
    if (scale > 0) {
      CHECK(Amount::parse(dec(whole_max + 1), scale).error == AmountError::Overflow);
      CHECK(Amount::parse("-" + dec(whole_max + 1), scale, true).error == AmountError::Overflow);
      CHECK(Amount::parse("-" + dec(whole_max), scale, true)->units() == -whole_max * pow10(scale));
    }
  }
}

TEST_CASE("amount: to_string of zero, negatives and the minimum", "[amount]") {
  CHECK(units_at(0, 0).to_string() == "0");
  CHECK(units_at(0, 2).to_string() == "0.00");
  CHECK(units_at(0, 18).to_string() == "0.000000000000000000");
  CHECK(units_at(1, 18).to_string() == "0.000000000000000001");
  CHECK(units_at(-1, 18).to_string() == "-0.000000000000000001");
  CHECK(units_at(-1, 8).to_string() == "-0.00000001");
  CHECK(units_at(-10, 2).to_string() == "-0.10");
  CHECK(units_at(-100, 2).to_string() == "-1.00");
  CHECK(units_at(-5, 0).to_string() == "-5");
  CHECK(units_at(-123456, 3).to_string() == "-123.456");
  CHECK(units_at(27853, 2).to_string() == "278.53");
  CHECK(units_at(kMin, 0).to_string() == "-170141183460469231731687303715884105728");
  CHECK(units_at(kMin, 18).to_string() == "-170141183460469231731.687303715884105728");
  CHECK(units_at(kMax, 18).to_string() == "170141183460469231731.687303715884105727");
  CHECK(Amount().to_string() == "0");
  CHECK(Amount().scale() == 0);
}

TEST_CASE("amount: from_units checks the scale", "[amount]") {
  CHECK(Amount::from_units(1, -1).error == AmountError::BadScale);
  CHECK(Amount::from_units(1, 19).error == AmountError::BadScale);
  CHECK_FALSE(Amount::from_units(1, 19));
  CHECK(Amount::from_units(kMin, 0)->units() == kMin);
  CHECK(Amount::from_units(kMax, 18)->scale() == 18);
}

TEST_CASE("amount: reading a failed result throws instead of reading garbage", "[amount]") {
  const auto r = Amount::parse("x", 2);
  REQUIRE_FALSE(r);
  CHECK_THROWS_AS(*r, std::bad_optional_access);
  CHECK_THROWS_AS(r->units(), std::bad_optional_access);
}

TEST_CASE("amount: int128 text conversions", "[amount]") {
  CHECK(og::int128_to_string(0) == "0");
  CHECK(og::int128_to_string(-1) == "-1");
  CHECK(og::int128_to_string(1234567890) == "1234567890");
  CHECK(og::int128_to_string(kMax) == kMaxText);
  CHECK(og::int128_to_string(kMin) == kMinText);

  CHECK(og::int128_from_string("0") == int128{0});
  CHECK(og::int128_from_string("-0") == int128{0});
  CHECK(og::int128_from_string("007") == int128{7});
  CHECK(og::int128_from_string("-42") == int128{-42});
  CHECK(og::int128_from_string(kMaxText) == kMax);
  CHECK(og::int128_from_string(kMinText) == kMin);
  CHECK(og::int128_from_string("000" + std::string(kMaxText)) == kMax);
  CHECK_FALSE(og::int128_from_string("170141183460469231731687303715884105728"));
  CHECK_FALSE(og::int128_from_string("-170141183460469231731687303715884105729"));
  CHECK_FALSE(og::int128_from_string("1000000000000000000000000000000000000000000"));
  for (std::string_view bad : {"", "-", "+1", " 1", "1 ", "1a", "1.0", "--1", "1-", "0x1", "1e3"}) {
    INFO("\"" << std::string(bad) << "\"");
    CHECK_FALSE(og::int128_from_string(bad));
  }
}

TEST_CASE("amount: looks_like_amount checks syntax only", "[amount]") {
  for (std::string_view good :
       {"0", "5", "007.50", "278.53", "0.000000000000000001", "1.123456789012345678",
        "170141183460469231731687303715884105727",  // 39 digits
        "999999999999999999999999999999999999999",  // 39 digits, overflows at any scale
        "999999999999999999999.999999999999999999"}) {
    INFO("\"" << std::string(good) << "\"");
    CHECK(og::looks_like_amount(good));
  }
  for (std::string_view bad :
       {"", "-1", "+1", "1.", ".5", ".", "1..2", "1,5", "1e5", " 1", "1 ", "abc",
        "0.0000000000000000001",                     // 19 decimals
        "1000000000000000000000000000000000000000",  // 40 digits
        "1000000000000000000000.000000000000000000"}) {
    INFO("\"" << std::string(bad) << "\"");
    CHECK_FALSE(og::looks_like_amount(bad));
  }
}

TEST_CASE("amount: checked arithmetic reports overflow at the edges", "[amount]") {
  const Amount max = units_at(kMax, 2);
  const Amount min = units_at(kMin, 2);
  const Amount one = units_at(1, 2);
  const Amount minus_one = units_at(-1, 2);
  const Amount zero = units_at(0, 2);

  CHECK(max.plus(zero)->units() == kMax);
  CHECK(max.plus(one).error == AmountError::Overflow);
  CHECK_FALSE(max.plus(one));
  CHECK(one.plus(max).error == AmountError::Overflow);
  CHECK(max.plus(max).error == AmountError::Overflow);
  CHECK(min.plus(minus_one).error == AmountError::Overflow);
  CHECK(min.plus(min).error == AmountError::Overflow);
  CHECK(min.plus(max)->units() == -1);
  CHECK(max.plus(minus_one)->units() == kMax - 1);

  CHECK(min.minus(one).error == AmountError::Overflow);
  CHECK(max.minus(minus_one).error == AmountError::Overflow);
  CHECK(zero.minus(min).error == AmountError::Overflow);
  CHECK(minus_one.minus(min)->units() == kMax);
  CHECK(max.minus(max)->units() == 0);
  CHECK(min.minus(min)->units() == 0);
  CHECK(zero.minus(max)->units() == kMin + 1);

  CHECK(min.negated().error == AmountError::Overflow);
  CHECK(max.negated()->units() == kMin + 1);
  CHECK(units_at(kMin + 1, 2).negated()->units() == kMax);
  CHECK(zero.negated()->units() == 0);
  CHECK(one.negated()->units() == -1);
  CHECK(one.negated()->scale() == 2);

  const auto sum = parsed("278.53", 2).plus(parsed("0.47", 2));
  REQUIRE(sum);
  CHECK(sum->to_string() == "279.00");
  CHECK(parsed("1.00", 2).minus(parsed("2.50", 2))->to_string() == "-1.50");
}

TEST_CASE("amount: arithmetic between scales is refused", "[amount]") {
  const Amount a = parsed("1.5", 1);
  const Amount b = parsed("1.50", 2);
  CHECK(a.plus(b).error == AmountError::ScaleMismatch);
  CHECK(a.minus(b).error == AmountError::ScaleMismatch);
  CHECK(b.plus(a).error == AmountError::ScaleMismatch);
  // Even for zero, and even where the sum would also overflow.
  CHECK(units_at(0, 0).plus(units_at(0, 18)).error == AmountError::ScaleMismatch);
  CHECK(units_at(kMax, 0).plus(units_at(kMax, 1)).error == AmountError::ScaleMismatch);
}

TEST_CASE("amount: comparisons are exact across scales", "[amount]") {
  CHECK(parsed("1.5", 1) == parsed("1.50", 2));
  CHECK(parsed("0.1", 1) < parsed("0.11", 2));
  CHECK(parsed("0.11", 2) > parsed("0.1", 1));
  CHECK(parsed("-0.1", 1) > parsed("-0.11", 2));
  CHECK(parsed("-0.5", 1) < parsed("0", 0));
  CHECK(parsed("0", 0) == parsed("-0.00", 2));
  CHECK(parsed("1", 0) == parsed("1.000000000000000000", 18));
  CHECK(parsed("1", 0) != parsed("1.000000000000000001", 18));
  CHECK(parsed("1", 0) < parsed("1.000000000000000001", 18));
  CHECK(parsed("0.999999999999999999", 18) < parsed("1", 0));
  CHECK(parsed("-1", 0) < parsed("-0.999999999999999999", 18));
  CHECK(parsed("2.5", 1) <= parsed("2.50", 2));
  CHECK(parsed("2.5", 1) >= parsed("2.50", 2));

  // Huge values: rescaling these naively would overflow.
  const Amount max0 = units_at(kMax, 0);
  const Amount max18 = units_at(kMax, 18);
  const Amount min0 = units_at(kMin, 0);
  const Amount min18 = units_at(kMin, 18);
  CHECK(max0 > max18);
  CHECK(min0 < min18);
  CHECK(min18 < max18);
  CHECK(max18 > parsed("170141183460469231731", 0));
  CHECK(max18 < parsed("170141183460469231732", 0));
  CHECK(min18 < parsed("-170141183460469231731", 0));
  CHECK(min18 > parsed("-170141183460469231732", 0));
  CHECK(max18 == parsed("170141183460469231731.687303715884105727", 18));
  CHECK(parsed("1701411834604692317316873037158841057.2", 1) ==
        parsed("1701411834604692317316873037158841057.20", 2));
  CHECK(units_at(kMax, 1) > units_at(kMax, 2));
  CHECK(units_at(kMax / 10, 0) < units_at(kMax, 1));      // ...572 < ...572.7
  CHECK(units_at(kMax / 10 + 1, 0) > units_at(kMax, 1));  // ...573 > ...572.7
}

// ---- Property tests: fixed seeds, so a failure reproduces; the seed is printed with it.

namespace {

constexpr int kIterations = 100'000;

// Units spread over every magnitude, with extra weight on the limits and on small values.
int128 random_units(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return kMax - static_cast<int128>(rng() % 1000);
    case 1:
      return kMin + static_cast<int128>(rng() % 1000);
    case 2:
      return static_cast<int128>(rng() % 2001) - 1000;
    default: {
      const int bits = static_cast<int>(rng() % 128);  // magnitude below 2^bits
      if (bits == 0) return 0;
      const uint128 raw = (static_cast<uint128>(rng()) << 64) | rng();
      const int128 m = static_cast<int128>(raw >> (128 - bits));
      return (rng() & 1) ? -m : m;
    }
  }
}

int random_scale(std::mt19937_64& rng) {
  return static_cast<int>(rng() % 19);
}

}  // namespace

TEST_CASE("amount property: parse(to_string(x)) == x", "[amount][property]") {
  constexpr std::uint64_t kSeed = 0x5eed0001;
  INFO("seed " << kSeed);
  std::mt19937_64 rng(kSeed);
  for (int i = 0; i < kIterations; ++i) {
    const int128 units = random_units(rng);
    const int scale = random_scale(rng);
    const Amount x = units_at(units, scale);
    const std::string text = x.to_string();
    INFO("units " << dec(units) << " scale " << scale << " text " << text);
    const auto back = Amount::parse(text, scale, true);
    REQUIRE(back);
    REQUIRE(back->units() == units);
    REQUIRE(back->scale() == scale);
    // The text is the integer's digits with the point placed `scale` from the right.
    const std::size_t dot = text.find('.');
    REQUIRE((scale == 0 ? dot == std::string::npos : text.size() - dot - 1 == std::size_t(scale)));
    std::string digits = text;
    if (dot != std::string::npos) digits.erase(dot, 1);
    REQUIRE(og::int128_from_string(digits) == units);
    REQUIRE(og::int128_to_string(units) == dec(units));
    if (units >= 0) REQUIRE(og::looks_like_amount(text));
  }
}

TEST_CASE("amount property: addition and subtraction agree with exact integers",
          "[amount][property]") {
  constexpr std::uint64_t kSeed = 0x5eed0002;
  INFO("seed " << kSeed);
  std::mt19937_64 rng(kSeed);
  int checked_sums = 0;
  int overflows = 0;
  for (int i = 0; i < kIterations; ++i) {
    const int scale = random_scale(rng);
    const int128 ua = random_units(rng);
    const int128 ub = random_units(rng);
    INFO("a " << dec(ua) << " b " << dec(ub) << " scale " << scale);
    const Amount a = units_at(ua, scale);
    const Amount b = units_at(ub, scale);

    // Oracle for overflow, written without the builtins the implementation uses.
    const bool sum_overflows = (ub > 0 && ua > kMax - ub) || (ub < 0 && ua < kMin - ub);
    const bool diff_overflows = (ub < 0 && ua > kMax + ub) || (ub > 0 && ua < kMin + ub);

    const auto ab = a.plus(b);
    const auto ba = b.plus(a);
    if (sum_overflows) {
      ++overflows;
      REQUIRE(ab.error == AmountError::Overflow);
      REQUIRE(ba.error == AmountError::Overflow);
    } else {
      ++checked_sums;
      REQUIRE(ab);
      REQUIRE(ba);
      REQUIRE(ab->units() == ua + ub);
      REQUIRE(*ab == *ba);
      const auto back = ab->minus(b);
      REQUIRE(back);
      REQUIRE(back->units() == ua);
    }

    const auto d = a.minus(b);
    const int order = sign_of(a <=> b);
    if (diff_overflows) {
      REQUIRE(d.error == AmountError::Overflow);
      // Only values of opposite signs can be that far apart.
      REQUIRE(order == (ua < 0 ? -1 : 1));
    } else {
      REQUIRE(d);
      REQUIRE(d->units() == ua - ub);
      REQUIRE(order == (d->is_zero() ? 0 : (d->is_negative() ? -1 : 1)));
    }
    REQUIRE((a == b) == (ua == ub));

    const auto n = a.negated();
    if (ua == kMin) {
      REQUIRE(n.error == AmountError::Overflow);
    } else {
      REQUIRE(n);
      REQUIRE(n->units() == -ua);
    }
  }
  // The generator must exercise both paths, or this test proves little.
  CHECK(checked_sums > kIterations / 2);
  CHECK(overflows > kIterations / 100);
}

TEST_CASE("amount property: comparison across scales matches a text oracle", "[amount][property]") {
  constexpr std::uint64_t kSeed = 0x5eed0003;
  INFO("seed " << kSeed);
  std::mt19937_64 rng(kSeed);
  int equal_pairs = 0;
  for (int i = 0; i < kIterations; ++i) {
    const int sa = random_scale(rng);
    const int sb = random_scale(rng);
    const Amount a = units_at(random_units(rng), sa);
    Amount b = units_at(random_units(rng), sb);
    // Often make b the same value as a (or one unit off) at its own scale, when exact.
    if (sb >= sa && rng() % 2 == 0) {
      int128 rescaled;
      if (!__builtin_mul_overflow(a.units(), pow10(sb - sa), &rescaled)) {
        const int128 nudge = static_cast<int128>(rng() % 3) - 1;
        if (!__builtin_add_overflow(rescaled, nudge, &rescaled)) b = units_at(rescaled, sb);
      }
    }
    const std::string ta = a.to_string();
    const std::string tb = b.to_string();
    INFO(ta << " @" << sa << " vs " << tb << " @" << sb);
    const int expected = compare_decimal_text(ta, tb);
    REQUIRE(sign_of(a <=> b) == expected);
    REQUIRE(sign_of(b <=> a) == -expected);
    REQUIRE((a == b) == (expected == 0));
    REQUIRE((a < b) == (expected < 0));
    if (expected == 0) ++equal_pairs;
  }
  CHECK(equal_pairs > kIterations / 50);
}

namespace {

// Strings close to amounts: optional sign, digits, optional point and decimals, sometimes
// with one character replaced or inserted from the troublesome alphabet.
std::string near_amount_string(std::mt19937_64& rng) {
  static constexpr std::string_view kAlphabet = "0123456789.-+eE ,";
  std::string s;
  if (rng() % 3 == 0) s += '-';
  const std::size_t whole = rng() % 43;
  for (std::size_t i = 0; i < whole; ++i) s += static_cast<char>('0' + rng() % 10);
  if (rng() % 5 < 3) {
    s += '.';
    const std::size_t frac = rng() % 21;
    for (std::size_t i = 0; i < frac; ++i) s += static_cast<char>('0' + rng() % 10);
  }
  if (rng() % 3 == 0) {
    const char c = kAlphabet[rng() % kAlphabet.size()];
    const std::size_t at = rng() % (s.size() + 1);
    if (rng() % 2 == 0 && at < s.size()) {
      s[at] = c;
    } else {
      s.insert(at, 1, c);
    }
  }
  return s;
}

std::string random_string(std::mt19937_64& rng) {
  static constexpr std::string_view kAlphabet = "0123456789.-+eE ,";
  const std::size_t len = rng() % 25;
  std::string s;
  switch (rng() % 3) {
    case 0:
      for (std::size_t i = 0; i < len; ++i) s += static_cast<char>(rng() % 256);
      return s;
    case 1:
      for (std::size_t i = 0; i < len; ++i) s += kAlphabet[rng() % kAlphabet.size()];
      return s;
    default:
      return near_amount_string(rng);
  }
}

// Hand-written matchers for small regular languages (std::regex trips GCC 12's
// -Wmaybe-uninitialized under the sanitizers), kept apart from the code under test.
// "-?[0-9]+(\.[0-9]{1,max_decimals})?", the '-' only if sign_allowed.
bool matches_plain_decimal(std::string_view s, bool sign_allowed, std::size_t max_decimals) {
  auto digit_run = [&s](std::size_t& i) {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  std::size_t i = 0;
  if (sign_allowed && i < s.size() && s[i] == '-') ++i;
  if (digit_run(i) == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  ++i;
  const std::size_t decimals = digit_run(i);
  return i == s.size() && decimals >= 1 && decimals <= max_decimals;
}

// "[-+.0-9eE]*[eE][-+.0-9eE]*"
bool matches_numeric_with_e(std::string_view s) {
  return s.find_first_not_of("-+.0123456789eE") == std::string_view::npos &&
         s.find_first_of("eE") != std::string_view::npos;
}

std::size_t count_digits(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (c >= '0' && c <= '9') ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("amount property: random strings never crash and classify consistently",
          "[amount][property]") {
  constexpr std::uint64_t kSeed = 0x5eed0004;
  INFO("seed " << kSeed);
  std::mt19937_64 rng(kSeed);
  int accepted = 0;
  int too_precise = 0;
  int overflow = 0;
  for (int i = 0; i < kIterations; ++i) {
    const std::string s = random_string(rng);
    const int scale = random_scale(rng);
    const bool allow_negative = rng() % 2 == 0;
    INFO("\"" << s << "\" at scale " << scale << (allow_negative ? " (negatives allowed)" : ""));
    const auto r = Amount::parse(s, scale, allow_negative);

    const bool is_plain = matches_plain_decimal(s, true, s.size());
    const std::size_t dot = s.find('.');
    const std::size_t decimals = dot == std::string::npos ? 0 : s.size() - dot - 1;
    if (r) {
      ++accepted;
      REQUIRE(is_plain);
      REQUIRE((allow_negative || s.front() != '-'));
      REQUIRE(decimals <= std::size_t(scale));
      // Re-formats to text that parses to the same value, equal to the input's value.
      const std::string again = r->to_string();
      const auto r2 = Amount::parse(again, scale, true);
      REQUIRE(r2);
      REQUIRE(r2->units() == r->units());
      REQUIRE(compare_decimal_text(s, again) == 0);
    } else if (s.empty()) {
      REQUIRE(r.error == AmountError::Empty);
    } else if (!is_plain) {
      const bool exponent = matches_numeric_with_e(s) && count_digits(s) > 0;
      REQUIRE(r.error == (exponent ? AmountError::Exponent : AmountError::Malformed));
    } else if (s.front() == '-' && !allow_negative) {
      REQUIRE(r.error == AmountError::Negative);
    } else if (decimals > std::size_t(scale)) {
      ++too_precise;
      REQUIRE(r.error == AmountError::TooPrecise);
    } else {
      ++overflow;
      REQUIRE(r.error == AmountError::Overflow);
      // Only a long number can overflow: 10^21 units needs 22 digits at scale 18.
      REQUIRE(count_digits(s) >= 21);
    }

    const bool syntax = matches_plain_decimal(s, false, 18) && count_digits(s) <= 39;
    REQUIRE(og::looks_like_amount(s) == syntax);
    if (syntax) {
      const auto at18 = Amount::parse(s, 18);
      REQUIRE((at18 || at18.error == AmountError::Overflow));
    }

    const auto as_int = og::int128_from_string(s);
    if (as_int) REQUIRE(og::int128_to_string(*as_int) == dec(*as_int));
  }
  // The generator must reach every outcome.
  CHECK(accepted > kIterations / 20);
  CHECK(too_precise > kIterations / 100);
  CHECK(overflow > kIterations / 100);
}
