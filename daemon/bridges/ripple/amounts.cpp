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
  // The value is 0.digits × 10^point once leading zeros are gone (each one moves the point).
  std::string digits = std::string(whole) + std::string(frac);
  long point = static_cast<long>(whole.size()) + exponent;
  std::size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  point -= static_cast<long>(lead);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return std::string("0");
  // The XRP Ledger's values have 16 significant digits and exponents from -96 to 80; the
  // limits are on the value, not its spelling, so that what this writes reads back the same.
  if (point > 97 || point < -97 || digits.size() > 40) return std::nullopt;
  std::string int_part, frac_part;
  if (point <= 0) {
    int_part = "0";
    frac_part = std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= static_cast<long>(digits.size())) {
    int_part = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    int_part = digits.substr(0, static_cast<std::size_t>(point));
    frac_part = digits.substr(static_cast<std::size_t>(point));
  }
  std::string out = int_part + (frac_part.empty() ? "" : "." + frac_part);
  if (negative && out != "0") out.insert(out.begin(), '-');
  return out;
}

}  // namespace og::bridges::ripple
