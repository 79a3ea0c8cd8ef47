#pragma once
// Helpers the bank parsers share (not part of the module's interface).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/amount.h"
#include "daemon/bridges/bank/statement.h"

namespace og::bridges::bank::detail {

// A refusal inside a parser: caught at the parser's edge and turned into ParseResult::error,
// so that a bad file never yields a partial result.
struct Refusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void refuse(const std::string& why);

// ISO 4217 minor units: 2 unless known otherwise (JPY 0, KWD 3, ...). Refuses a code that is
// not three ASCII capitals.
int minor_units(std::string_view currency);

// A positive decimal at the currency's scale; refuses exponents, signs, too many decimals.
og::Amount parse_positive(std::string_view text, std::string_view currency, const std::string& where);
og::Amount parse_signed(std::string_view text, std::string_view currency, const std::string& where);
og::Amount zero(std::string_view currency);
og::Amount add(const og::Amount& a, const og::Amount& b);
og::Amount sub(const og::Amount& a, const og::Amount& b);

// Valid UTF-8 is kept as it is; anything else is read as Windows-1252 (a superset of
// Latin-1's printable range) and converted.
std::string to_utf8(std::string_view bytes);
bool is_valid_utf8(std::string_view s);
// Control characters (but tab) become spaces; runs of spaces collapse; ends trimmed.
std::string clean_text(std::string_view s);
std::string_view trim(std::string_view s);
void append_text(std::string& to, std::string_view part);  // joins with one space

bool is_digits(std::string_view s);
// "YYYY-MM-DD" from its parts, refused unless a real calendar date.
std::string make_date(int year, int month, int day, const std::string& where);
int digits_value(std::string_view s);  // s must be is_digits, at most 9 digits

// Fills balanced / computed_closing from the opening, booked entries and closing.
void check_balance(Statement& s);

}  // namespace og::bridges::bank::detail
