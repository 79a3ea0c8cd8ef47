#include "daemon/bridges/bank/util.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace og::bridges::bank::detail {

void refuse(const std::string& why) { throw Refusal(why); }

int minor_units(std::string_view c) {
  if (c.size() != 3 || !std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
    refuse("currency '" + clean_text(c) + "' is not an ISO 4217 code");
  static constexpr std::array<std::string_view, 17> kZero = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                            "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                            "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (auto z : kZero)
    if (c == z) return 0;
  for (auto t : kThree)
    if (c == t) return 3;
  return 2;
}

namespace {
og::Amount parse_at(std::string_view text, std::string_view currency, bool allow_negative,
                    const std::string& where) {
  const int scale = minor_units(currency);
  auto a = og::Amount::parse(text, scale, allow_negative);
  if (!a)
    refuse(where + ": amount '" + clean_text(text) + "' in " + std::string(currency) + ": " +
           std::string(og::to_string(a.error)));
  return *a;
}
}  // namespace

og::Amount parse_positive(std::string_view text, std::string_view currency, const std::string& where) {
  return parse_at(text, currency, false, where);
}
og::Amount parse_signed(std::string_view text, std::string_view currency, const std::string& where) {
  return parse_at(text, currency, true, where);
}
og::Amount zero(std::string_view currency) { return *og::Amount::from_units(0, minor_units(currency)); }

og::Amount add(const og::Amount& a, const og::Amount& b) {
  auto r = a.plus(b);
  if (!r) refuse("amounts overflow when summed");
  return *r;
}
og::Amount sub(const og::Amount& a, const og::Amount& b) {
  auto r = a.minus(b);
  if (!r) refuse("amounts overflow when summed");
  return *r;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

namespace {
// Windows-1252's 0x80..0x9F; 0 where it has no character (those become U+FFFD).
constexpr std::array<std::uint16_t, 32> kCp1252 = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::string to_utf8(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 && c < 0xA0) {
      const std::uint16_t cp = kCp1252[c - 0x80];
      put_utf8(out, cp ? cp : 0xFFFD);
    } else {
      put_utf8(out, c);
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string clean_text(std::string_view s) {
  std::string out;
  bool space = false;
  for (char ch : to_utf8(s)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

void append_text(std::string& to, std::string_view part) {
  const std::string p = clean_text(part);
  if (p.empty()) return;
  if (!to.empty()) to += ' ';
  to += p;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string make_date(int year, int month, int day, const std::string& where) {
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 ||
      day > kDays[static_cast<std::size_t>(month - 1)] || (month == 2 && day == 29 && !leap))
    refuse(where + ": not a date");
  auto two = [](int v) { return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10); };
  return std::to_string(year) + "-" + two(month) + "-" + two(day);
}

void check_balance(Statement& s) {
  if (!s.opening || !s.closing) return;
  og::Amount sum = parse_signed(s.opening->amount, s.currency, "opening balance");
  for (const auto& e : s.entries) {
    if (e.status != EntryStatus::Booked) continue;
    const og::Amount a = parse_positive(e.amount, s.currency, "entry");
    sum = e.side == Side::Credit ? add(sum, a) : sub(sum, a);
  }
  const og::Amount closing = parse_signed(s.closing->amount, s.currency, "closing balance");
  s.computed_closing = sum.to_string();
  s.balanced = sum == closing;
}

}  // namespace og::bridges::bank::detail
