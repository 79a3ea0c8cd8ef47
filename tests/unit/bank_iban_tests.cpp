// IBAN and BIC checks (daemon/bridges/bank/iban.h).

#include <catch2/catch.hpp>

#include "daemon/bridges/bank/iban.h"

namespace b = og::bridges::bank;

TEST_CASE("bank: valid IBANs of several countries, normalized", "[bank][iban]") {
  for (const char* iban : {"DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606",
                           "NL91ABNA0417164300", "BE68539007547034", "CH9300762011623852957", "NO9386011117947",
                           "MT84MALT011000012345MTLCAST001S"}) {
    auto r = b::check_iban(iban);
    INFO(iban << ": " << r.error);
    CHECK(r.ok());
    CHECK(r.value == iban);
  }
  CHECK(b::check_iban("de89 3704 0044 0532 0130 00").value == "DE89370400440532013000");
  CHECK(b::check_iban("  gb82west12345698765432 ").value == "GB82WEST12345698765432");
}

TEST_CASE("bank: IBAN refusals say why", "[bank][iban]") {
  CHECK(b::check_iban("DE88370400440532013000").error == "wrong IBAN check digits");
  CHECK_THAT(b::check_iban("DE8937040044053201300").error, Catch::Contains("22 characters"));
  CHECK_THAT(b::check_iban("US12345678901234567890").error, Catch::Contains("has no IBAN"));
  CHECK_THAT(b::check_iban("DE89-3704-0044").error, Catch::Contains("only letters and digits"));
  CHECK_FALSE(b::check_iban("").ok());
  CHECK_FALSE(b::check_iban("DEXX370400440532013000").ok());
}

TEST_CASE("bank: BIC checks", "[bank][bic]") {
  CHECK(b::check_bic("COBADEFF").value == "COBADEFF");
  CHECK(b::check_bic("cobadeffxxx").value == "COBADEFFXXX");
  CHECK(b::check_bic("DEUT DE FF 500").value == "DEUTDEFF500");
  CHECK_FALSE(b::check_bic("COBADEF").ok());
  CHECK_FALSE(b::check_bic("COBADEFFXX").ok());
  CHECK_FALSE(b::check_bic("C0BADEFF").ok());
  CHECK_THAT(b::check_bic("COBAQQFF").error, Catch::Contains("ISO 3166"));
  CHECK_FALSE(b::check_bic("COBADEF_").ok());
}
