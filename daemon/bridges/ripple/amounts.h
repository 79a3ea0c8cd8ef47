#pragma once
// Amounts between the XRP Ledger's text forms and the ledger's decimal text, exactly (no
// floating point anywhere): XRP in drops (1 XRP = 1,000,000 drops, integers), issued
// currencies as the decimal strings rippled writes ("1.5", "-2", "1e-3", "1234567e-10").

#include <optional>
#include <string>
#include <string_view>

namespace og::bridges::ripple {

// "1234567" drops -> "1.234567". nullopt: not a non-negative integer of at most 10^17.
std::optional<std::string> drops_to_xrp(std::string_view drops);
// "1.5" XRP -> "1500000". nullopt: negative, more than 6 decimals, not a decimal, too large.
std::optional<std::string> xrp_to_drops(std::string_view xrp);
// An issued-currency value in rippled's text (optional sign, digits, optional fraction,
// optional exponent) -> plain decimal text without exponent or trailing zeros ("1.5",
// "-0.001", "0"). nullopt: not such a number, or an exponent beyond the XRP Ledger's range.
std::optional<std::string> value_to_decimal(std::string_view value);

}  // namespace og::bridges::ripple
