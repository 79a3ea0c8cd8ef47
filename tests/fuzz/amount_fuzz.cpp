// Amount parsing (common/amount.h), as every amount of a request is read: the input is
// one or two amounts (split at the first '\n'), parsed at every scale 0..18, with and
// without negatives. Invariants: format then parse gives the same value; the documented
// error order; parse at scale 0 agrees with int128_from_string; the same text at a larger
// scale is the same value; checked arithmetic and comparison agree.

#include <optional>
#include <string>

#include "common/amount.h"
#include "tests/fuzz/fuzz_support.h"

using og::Amount;
using og::AmountError;
using og::int128;

namespace {

int128 pow10(int n) {
  int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// a at a larger scale, if it fits.
std::optional<Amount> rescale(const Amount& a, int scale) {
  int128 u;
  if (__builtin_mul_overflow(a.units(), pow10(scale - a.scale()), &u)) return std::nullopt;
  auto r = Amount::from_units(u, scale);
  FUZZ_CHECK(r);
  return *r;
}

void check_one(std::string_view text) {
  const bool has_e = text.find_first_of("eE") != std::string_view::npos;
  for (int bad : {-1, Amount::kMaxScale + 1}) {
    auto r = Amount::parse(text, bad, true);
    FUZZ_CHECK(!r && r.error == AmountError::BadScale);
  }

  std::optional<Amount> previous;  // the value at the previous scale (allow_negative)
  for (int scale = 0; scale <= Amount::kMaxScale; ++scale) {
    auto neg = Amount::parse(text, scale, true);
    auto pos = Amount::parse(text, scale, false);
    FUZZ_CHECK(text.empty() == (!neg && neg.error == AmountError::Empty));
    if (!neg) FUZZ_CHECK(neg.error != AmountError::Exponent || has_e);
    if (!neg) FUZZ_CHECK(neg.error != AmountError::Negative);  // negatives were allowed
    if (pos) {
      FUZZ_CHECK(neg && *neg == *pos && neg->units() == pos->units());
      FUZZ_CHECK(!pos->is_negative());
    } else if (neg) {
      FUZZ_CHECK(pos.error == AmountError::Negative);
      FUZZ_CHECK(!text.empty() && text.front() == '-');
    }
    if (neg) {
      const Amount& a = *neg;
      FUZZ_CHECK(a.scale() == scale);
      // Round trip through the wire form.
      std::string s = a.to_string();
      auto back = Amount::parse(s, scale, true);
      FUZZ_CHECK_MSG(back && back->units() == a.units() && *back == a, s);
      if (scale > 0) FUZZ_CHECK(s.size() > static_cast<std::size_t>(scale) + 1 && s[s.size() - scale - 1] == '.');
      else FUZZ_CHECK(s.find('.') == std::string::npos);
      FUZZ_CHECK(og::int128_from_string(og::int128_to_string(a.units())) == a.units());
      // Arithmetic: x + 0 = x, -(-x) = x, x - x = 0.
      auto zero = Amount::from_units(0, scale);
      FUZZ_CHECK(zero);
      auto p0 = a.plus(*zero);
      FUZZ_CHECK(p0 && p0->units() == a.units());
      auto n1 = a.negated();
      if (n1) {
        auto n2 = n1->negated();
        FUZZ_CHECK(n2 && n2->units() == a.units());
        FUZZ_CHECK((*n1 == a) == a.is_zero());
      } else {
        FUZZ_CHECK(a.units() < 0 && a.minus(*zero) && a.plus(*zero));
      }
      auto diff = a.minus(a);
      FUZZ_CHECK(diff && diff->is_zero());
      if (previous) {
        // The same text one scale up: the same value, ten times the units.
        FUZZ_CHECK(*previous == a);
        FUZZ_CHECK((*previous <=> a) == 0);
        int128 u;
        FUZZ_CHECK(!__builtin_mul_overflow(previous->units(), int128{10}, &u) && u == a.units());
      }
      previous = a;
    } else {
      // Once a text parses, a larger scale can only fail by overflow.
      if (previous) FUZZ_CHECK(neg.error == AmountError::Overflow);
      previous.reset();
    }
  }

  // Scale 0 is the integer form.
  auto as_int = og::int128_from_string(text);
  auto at0 = Amount::parse(text, 0, true);
  FUZZ_CHECK(as_int.has_value() == static_cast<bool>(at0));
  if (as_int) FUZZ_CHECK(at0->units() == *as_int);

  // The request-time syntax check: no sign, and anything it passes parses at scale 18
  // unless too large.
  if (og::looks_like_amount(text)) {
    FUZZ_CHECK(text.find('-') == std::string_view::npos);
    auto r = Amount::parse(text, Amount::kMaxScale, false);
    FUZZ_CHECK(r || r.error == AmountError::Overflow);
  }
}

void check_pair(std::string_view x, std::string_view y) {
  // Comparison across scales must agree with the comparison after rescaling both to the
  // larger scale, and with the sign of the difference at equal scales.
  for (int sx : {0, 2, 8, 18}) {
    auto a = Amount::parse(x, sx, true);
    if (!a) continue;
    for (int sy : {0, 2, 6, 18}) {
      auto b = Amount::parse(y, sy, true);
      if (!b) continue;
      auto order = *a <=> *b;
      FUZZ_CHECK((order == 0) == (*a == *b));
      FUZZ_CHECK((*b <=> *a) == (0 <=> order));
      const int s = std::max(sx, sy);
      auto ra = rescale(*a, s);
      auto rb = rescale(*b, s);
      if (ra && rb) {
        FUZZ_CHECK((ra->units() <=> rb->units()) == order);
        auto d = ra->minus(*rb);
        if (d) FUZZ_CHECK((d->units() <=> 0) == order);
        auto sum = ra->plus(*rb);
        if (sum) {
          auto back = sum->minus(*rb);
          FUZZ_CHECK(back && back->units() == ra->units());
        }
      }
      if (sx != sy) {
        auto mixed = a->plus(*b);
        FUZZ_CHECK(!mixed && mixed.error == AmountError::ScaleMismatch);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = og::fuzz::as_text(data, size);
  std::string_view first = og::fuzz::take_line(rest);
  check_one(first);
  if (!rest.empty() || first.size() != size) {
    check_one(rest);
    check_pair(first, rest);
  }
  return 0;
}
