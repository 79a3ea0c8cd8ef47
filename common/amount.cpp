#include "common/amount.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace og {

namespace {

__extension__ typedef unsigned __int128 uint128;

constexpr int128 kInt128Min = std::numeric_limits<int128>::min();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool valid_scale(int scale) {
  return scale >= 0 && scale <= Amount::kMaxScale;
}

// 10^n for n in 0..18 (fits an int64; widened where used).
constexpr std::int64_t pow10(int n) {
  std::int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Splits [-]digits[.digits]. On success int_digits is non-empty and, if a '.' was
// present, frac_digits is non-empty too.
struct DecimalParts {
  bool negative = false;
  std::string_view int_digits;
  std::string_view frac_digits;
};

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_digit);
}

std::optional<DecimalParts> split_decimal(std::string_view s) {
  DecimalParts parts;
  if (!s.empty() && s.front() == '-') {
    parts.negative = true;
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  parts.int_digits = s.substr(0, dot);
  if (dot != std::string_view::npos) {
    parts.frac_digits = s.substr(dot + 1);
    if (parts.frac_digits.empty()) return std::nullopt;  // "1."
  }
  if (parts.int_digits.empty()) return std::nullopt;  // ".5", "-", ""
  if (!all_digits(parts.int_digits) || !all_digits(parts.frac_digits)) return std::nullopt;
  return parts;
}

// "Otherwise numeric": with every 'e'/'E' removed, only digits, '.', '+', '-' remain and
// there is at least one digit. Catches "1e5", "1.5E-3", "+2E+10".
bool looks_like_exponent(std::string_view s) {
  bool has_e = false;
  bool has_digit = false;
  for (char c : s) {
    if (c == 'e' || c == 'E') {
      has_e = true;
    } else if (is_digit(c)) {
      has_digit = true;
    } else if (c != '.' && c != '+' && c != '-') {
      return false;
    }
  }
  return has_e && has_digit;
}

// Accumulates decimal digits as a non-positive number (acc * 10 - d) so the one value
// with no positive counterpart, the int128 minimum, is reachable. False on overflow.
bool accumulate_negative(int128& acc, std::string_view digits) {
  for (char c : digits) {
    if (__builtin_mul_overflow(acc, int128{10}, &acc)) return false;
    if (__builtin_sub_overflow(acc, int128{c - '0'}, &acc)) return false;
  }
  return true;
}

// Magnitude as unsigned: well defined for the minimum too (modular conversion).
uint128 magnitude(int128 v) {
  return v < 0 ? uint128{0} - static_cast<uint128>(v) : static_cast<uint128>(v);
}

std::string uint128_to_string(uint128 v) {
  char buf[40];  // 2^128 - 1 has 39 digits
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, end);
}

}  // namespace

std::string_view to_string(AmountError e) {
  switch (e) {
    case AmountError::Empty:
      return "empty amount";
    case AmountError::Malformed:
      return "not a plain decimal number";
    case AmountError::Exponent:
      return "scientific notation is not allowed";
    case AmountError::TooPrecise:
      return "more decimals than the currency allows";
    case AmountError::Overflow:
      return "amount out of range";
    case AmountError::Negative:
      return "negative amounts are not allowed";
    case AmountError::ScaleMismatch:
      return "amounts have different scales";
    case AmountError::BadScale:
      return "scale must be between 0 and 18";
  }
  return "unknown amount error";  // only for a value cast from outside the enum
}

AmountResult<Amount> Amount::from_units(int128 units, int scale) {
  if (!valid_scale(scale)) return {std::nullopt, AmountError::BadScale};
  return {Amount(units, scale), {}};
}

AmountResult<Amount> Amount::parse(std::string_view s, int scale, bool allow_negative) {
  if (!valid_scale(scale)) return {std::nullopt, AmountError::BadScale};
  if (s.empty()) return {std::nullopt, AmountError::Empty};
  if (looks_like_exponent(s)) return {std::nullopt, AmountError::Exponent};
  const std::optional<DecimalParts> parts = split_decimal(s);
  if (!parts) return {std::nullopt, AmountError::Malformed};
  if (parts->negative && !allow_negative) return {std::nullopt, AmountError::Negative};
  // More decimals than the scale is refused even when the extra digits are zeros
  // ("1.230" at scale 2): the caller sent something the currency cannot express as
  // written, and we refuse rather than silently accept, as Bitcoin Core does.
  if (parts->frac_digits.size() > static_cast<std::size_t>(scale)) {
    return {std::nullopt, AmountError::TooPrecise};
  }

  // units = digits of "int frac" followed by (scale - frac decimals) zeros.
  int128 acc = 0;
  const std::string_view zeros = "000000000000000000";
  const std::size_t pad = static_cast<std::size_t>(scale) - parts->frac_digits.size();
  if (!accumulate_negative(acc, parts->int_digits) ||
      !accumulate_negative(acc, parts->frac_digits) ||
      !accumulate_negative(acc, zeros.substr(0, pad))) {
    return {std::nullopt, AmountError::Overflow};
  }
  if (!parts->negative) {
    if (acc == kInt128Min) return {std::nullopt, AmountError::Overflow};
    acc = -acc;
  }
  return {Amount(acc, scale), {}};
}

std::string Amount::to_string() const {
  std::string digits = uint128_to_string(magnitude(units_));
  const std::size_t scale = static_cast<std::size_t>(scale_);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  if (units_ < 0) digits.insert(0, 1, '-');
  return digits;
}

AmountResult<Amount> Amount::plus(const Amount& o) const {
  if (scale_ != o.scale_) return {std::nullopt, AmountError::ScaleMismatch};
  int128 r;
  if (__builtin_add_overflow(units_, o.units_, &r)) return {std::nullopt, AmountError::Overflow};
  return {Amount(r, scale_), {}};
}

AmountResult<Amount> Amount::minus(const Amount& o) const {
  if (scale_ != o.scale_) return {std::nullopt, AmountError::ScaleMismatch};
  int128 r;
  if (__builtin_sub_overflow(units_, o.units_, &r)) return {std::nullopt, AmountError::Overflow};
  return {Amount(r, scale_), {}};
}

AmountResult<Amount> Amount::negated() const {
  if (units_ == kInt128Min) return {std::nullopt, AmountError::Overflow};
  return {Amount(-units_, scale_), {}};
}

std::strong_ordering operator<=>(const Amount& a, const Amount& b) {
  if (a.scale_ == b.scale_) return a.units_ <=> b.units_;
  // value = whole + frac / 10^scale, with whole and frac truncated toward zero (so both
  // carry the sign of the value). Wholes first; if equal, the fractions rescaled to 18
  // decimals: |frac| < 10^scale, so |frac * 10^(18 - scale)| < 10^18, no overflow.
  const int128 pa = pow10(a.scale_);
  const int128 pb = pow10(b.scale_);
  const int128 whole_a = a.units_ / pa;
  const int128 whole_b = b.units_ / pb;
  if (whole_a != whole_b) return whole_a <=> whole_b;
  const int128 frac_a = (a.units_ % pa) * pow10(Amount::kMaxScale - a.scale_);
  const int128 frac_b = (b.units_ % pb) * pow10(Amount::kMaxScale - b.scale_);
  return frac_a <=> frac_b;
}

bool operator==(const Amount& a, const Amount& b) {
  return (a <=> b) == 0;
}

std::string int128_to_string(int128 v) {
  std::string s = uint128_to_string(magnitude(v));
  if (v < 0) s.insert(0, 1, '-');
  return s;
}

std::optional<int128> int128_from_string(std::string_view s) {
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (s.empty() || !all_digits(s)) return std::nullopt;
  int128 acc = 0;
  if (!accumulate_negative(acc, s)) return std::nullopt;
  if (!negative) {
    if (acc == kInt128Min) return std::nullopt;
    acc = -acc;
  }
  return acc;
}

bool looks_like_amount(std::string_view s) {
  const std::size_t dot = s.find('.');
  const std::string_view int_digits = s.substr(0, dot);
  const std::string_view frac_digits =
      dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (int_digits.empty() || !all_digits(int_digits) || !all_digits(frac_digits)) return false;
  if (dot != std::string_view::npos &&
      (frac_digits.empty() || frac_digits.size() > static_cast<std::size_t>(Amount::kMaxScale))) {
    return false;
  }
  return int_digits.size() + frac_digits.size() <= 39;
}

}  // namespace og
