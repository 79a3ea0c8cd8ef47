#pragma once
// Exact fixed-point money. An Amount is a signed 128-bit count of the smallest unit
// at a given scale (0-18 decimals): "278.53" at scale 2 is 27853. Never a double.
// Amounts arrive as decimal strings and leave as decimal strings (Bitcoin Core's
// AmountFromValue / ValueFromAmount idea: one pair of functions for the wire).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace og {

// __extension__ keeps -Wpedantic quiet about the GCC/Clang builtin 128-bit type.
__extension__ typedef __int128 int128;

// parse() reports the first of these that applies, in this order: BadScale, Empty,
// Exponent, Malformed, Negative, TooPrecise, Overflow.
enum class AmountError {
  Empty,          // ""
  Malformed,      // not [-]digits[.digits]: letters, spaces, "1.", ".5", "+1", "1,5", "-", ...
  Exponent,       // scientific notation: an 'e'/'E' in an otherwise numeric string ("1e5",
                  // "1.5E-3"); reported apart from Malformed so the caller can say why
  TooPrecise,     // more decimals than the scale allows ("1.234" at scale 2), trailing
                  // zeros included ("1.230" at scale 2): refused, never rounded
  Overflow,       // does not fit the 128-bit range (or the checked operation overflows)
  Negative,       // a sign where parse() was told negatives are not allowed
  ScaleMismatch,  // arithmetic between different scales
  BadScale,       // scale outside 0..18
};

std::string_view to_string(AmountError e);

template <class T>
struct AmountResult {
  std::optional<T> value;
  AmountError error{};
  explicit operator bool() const { return value.has_value(); }
  // Reading the value of a failed result is a bug: it throws std::bad_optional_access
  // rather than reading an empty optional.
  const T& operator*() const { return value.value(); }
  const T* operator->() const { return &value.value(); }
};

class Amount {
 public:
  static constexpr int kMaxScale = 18;

  Amount() = default;
  // Raw units at a scale: Amount::from_units(27853, 2) is 278.53.
  static AmountResult<Amount> from_units(int128 units, int scale);

  // Parses a plain decimal string: optional '-' (only if allow_negative), digits, and
  // optionally '.' followed by 1..scale digits. Fewer decimals than the scale are fine
  // ("5" and "5.5" at scale 2). Leading zeros are allowed. No '+', no exponent, no
  // spaces, no thousands separators, no trailing '.', no leading '.'. "-0" (when
  // negatives are allowed) is zero. The whole range of int128 units is accepted,
  // including its minimum.
  static AmountResult<Amount> parse(std::string_view s, int scale, bool allow_negative = false);

  // Exactly `scale` decimals: 27853 at scale 2 -> "278.53"; 5 at scale 0 -> "5";
  // -1 at scale 8 -> "-0.00000001".
  std::string to_string() const;

  int128 units() const { return units_; }
  int scale() const { return scale_; }
  bool is_zero() const { return units_ == 0; }
  bool is_negative() const { return units_ < 0; }

  // Checked arithmetic: scales must match; overflow is reported, never wrapped.
  AmountResult<Amount> plus(const Amount& o) const;
  AmountResult<Amount> minus(const Amount& o) const;
  AmountResult<Amount> negated() const;

  // Compare exact values, whatever the scales: "1.5" at scale 1 == "1.50" at scale 2, and
  // "0.1" at scale 1 < "0.11" at scale 2. Never overflows. Equal values at different
  // scales compare equal although their units, scales and text differ.
  friend bool operator==(const Amount& a, const Amount& b);
  friend std::strong_ordering operator<=>(const Amount& a, const Amount& b);

 private:
  Amount(int128 units, int scale) : units_(units), scale_(scale) {}
  int128 units_ = 0;
  int scale_ = 0;
};

// Decimal text of a 128-bit integer, and back: optional '-' then one or more ASCII digits
// (leading zeros allowed, no '+', nothing else); nullopt if malformed or out of range.
std::string int128_to_string(int128 v);
std::optional<int128> int128_from_string(std::string_view s);

// Syntax only, for request validation before the currency (and so the scale) is known:
// digits[.digits] with at least one digit before the '.', 1..18 digits after it, at most
// 39 digits in all, no sign. Passing it does not mean the value fits a given scale.
bool looks_like_amount(std::string_view s);

}  // namespace og
