#pragma once
// IBAN (ISO 13616) and BIC (ISO 9362) checks for the bank bridge: pure, no network.

#include <string>
#include <string_view>

namespace og::bridges::bank {

struct CheckResult {
  std::string value;  // the normalized form when ok
  std::string error;  // why not ("" when ok)
  bool ok() const { return error.empty(); }
};

// Spaces removed, letters uppercased; the country must be in the SWIFT IBAN registry with
// its exact length, the rest alphanumeric, and the mod-97 check (computed digit by digit)
// equal to 1.
CheckResult check_iban(std::string_view text);

// 8 or 11 characters (spaces removed, uppercased): 4 letters (bank), an ISO 3166 country,
// 2 alphanumerics (location), optionally 3 alphanumerics (branch).
CheckResult check_bic(std::string_view text);

}  // namespace og::bridges::bank
