#include "daemon/bridges/bank/iban.h"

#include <array>
#include <cctype>
#include <utility>

namespace og::bridges::bank {

namespace {

// The SWIFT IBAN registry: country and total IBAN length.
constexpr std::array<std::pair<std::string_view, int>, 89> kIbanLengths = {{
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
    {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
    {"YE", 30},
}};

// ISO 3166-1 alpha-2, plus XK (Kosovo), which SWIFT uses.
constexpr std::string_view kCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE "
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC "
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA "
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_upper(c) || is_digit(c); }

// Spaces dropped, ASCII letters uppercased.
std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

CheckResult fail(std::string why) { return {"", std::move(why)}; }

int iban_length(std::string_view country) {
  for (const auto& [code, len] : kIbanLengths)
    if (code == country) return len;
  return 0;
}

bool known_country(std::string_view code) {
  for (std::size_t i = 0; i + 2 <= kCountries.size(); i += 3)
    if (kCountries.substr(i, 2) == code) return true;
  return false;
}

// The IBAN's four first characters moved to the end, letters as 10..35, taken mod 97 one
// digit at a time: the remainder stays below 97 * 10 + 9, so no big integers are needed.
int mod97(std::string_view iban) {
  int rem = 0;
  auto feed = [&rem](char c) {
    if (is_digit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      const int v = c - 'A' + 10;
      rem = (rem * 10 + v / 10) % 97;
      rem = (rem * 10 + v % 10) % 97;
    }
  };
  for (char c : iban.substr(4)) feed(c);
  for (char c : iban.substr(0, 4)) feed(c);
  return rem;
}

}  // namespace

CheckResult check_iban(std::string_view text) {
  const std::string iban = normalized(text);
  if (iban.size() < 5) return fail("an IBAN has a country code, two check digits and an account");
  for (char c : iban)
    if (!is_alnum(c)) return fail("an IBAN has only letters and digits");
  const std::string country = iban.substr(0, 2);
  if (!is_upper(country[0]) || !is_upper(country[1])) return fail("an IBAN starts with a country code");
  const int len = iban_length(country);
  if (len == 0) return fail("country " + country + " has no IBAN");
  if (!is_digit(iban[2]) || !is_digit(iban[3])) return fail("an IBAN's check digits are digits");
  if (static_cast<int>(iban.size()) != len)
    return fail("an IBAN of " + country + " has " + std::to_string(len) + " characters, not " +
                std::to_string(iban.size()));
  if (mod97(iban) != 1) return fail("wrong IBAN check digits");
  return {iban, ""};
}

CheckResult check_bic(std::string_view text) {
  const std::string bic = normalized(text);
  if (bic.size() != 8 && bic.size() != 11) return fail("a BIC has 8 or 11 characters");
  for (std::size_t i = 0; i < 4; ++i)
    if (!is_upper(bic[i])) return fail("a BIC's first four characters (the bank) are letters");
  if (!is_upper(bic[4]) || !is_upper(bic[5]) || !known_country(bic.substr(4, 2)))
    return fail("a BIC's characters 5-6 are an ISO 3166 country");
  for (std::size_t i = 6; i < bic.size(); ++i)
    if (!is_alnum(bic[i])) return fail("a BIC's location and branch are letters and digits");
  return {bic, ""};
}

}  // namespace og::bridges::bank
