#include "daemon/bridges/ripple/amounts.h"

#include <cctype>

namespace og::bridges::ripple {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string strip_leading_zeros(std::string s) {
  std::size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

}  // namespace

std::optional<std::string> drops_to_xrp(std::string_view drops) {
  if (!all_digits(drops) || drops.size() > 18) return std::nullopt;
  std::string d = strip_leading_zeros(std::string(drops));
  if (d.size() == 18 && d != "100000000000000000") return std::nullopt;  // at most 10^17 drops
  while (d.size() < 7) d.insert(d.begin(), '0');
  return d.substr(0, d.size() - 6) + "." + d.substr(d.size() - 6);
}

std::optional<std::string> xrp_to_drops(std::string_view xrp) {
  std::string_view whole = xrp, frac;
  if (auto dot = xrp.find('.'); dot != std::string_view::npos) {
    whole = xrp.substr(0, dot);
    frac = xrp.substr(dot + 1);
    if (frac.empty() || !all_digits(frac) || frac.size() > 6) return std::nullopt;
  }
  if (!all_digits(whole) || whole.size() > 12) return std::nullopt;
  std::string f(frac);
  f.resize(6, '0');
  std::string d = strip_leading_zeros(std::string(whole) + f);
  if (d.size() > 18 || (d.size() == 18 && d != "100000000000000000")) return std::nullopt;
  return d;
}

std::optional<std::string> value_to_decimal(std::string_view v) {
  bool negative = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  long exponent = 0;
  if (auto e = v.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view ex = v.substr(e + 1);
    v = v.substr(0, e);
    bool eneg = false;
    if (!ex.empty() && (ex[0] == '-' || ex[0] == '+')) {
      eneg = ex[0] == '-';
      ex.remove_prefix(1);
    }
    if (!all_digits(ex) || ex.size() > 4) return std::nullopt;
    exponent = std::stol(std::string(ex)) * (eneg ? -1 : 1);
  }
  std::string_view whole = v, frac;
  if (auto dot = v.find('.'); dot != std::string_view::npos) {
    whole = v.substr(0, dot);
    frac = v.substr(dot + 1);
    if (!frac.empty() && !all_digits(frac)) return std::nullopt;
  }
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (!whole.empty() && !all_digits(whole)) return std::nullopt;
  // digits × 10^(exponent - frac.size())
  std::string digits = std::string(whole) + std::string(frac);
  long point = static_cast<long>(whole.size()) + exponent;  // position of the point in `digits`
  // The XRP Ledger's exponents run from -96 to 80 with 16 digits of mantissa.
  if (point > 97 || point < -97 || digits.size() > 40) return std::nullopt;
  if (point <= 0) {
    digits.insert(0, static_cast<std::size_t>(-point) + 1, '0');
    point = 1;
  } else if (point > static_cast<long>(digits.size())) {
    digits.append(static_cast<std::size_t>(point) - digits.size(), '0');
  }
  std::string int_part = strip_leading_zeros(digits.substr(0, static_cast<std::size_t>(point)));
  std::string frac_part = digits.substr(static_cast<std::size_t>(point));
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  if (int_part.empty()) int_part = "0";
  std::string out = int_part + (frac_part.empty() ? "" : "." + frac_part);
  if (negative && out != "0") out.insert(out.begin(), '-');
  return out;
}

}  // namespace og::bridges::ripple
