// The bank bridge's statement readers (daemon/bridges/bank/statement.h) on hand-written
// samples of each format, and every refusal.

#include <catch2/catch.hpp>

#include <string>

#include "daemon/bridges/bank/statement.h"
#include "tests/unit/bank_samples.h"

namespace b = og::bridges::bank;
using namespace bank_samples;

namespace {

b::ParseResult ok(const std::string& text) {
  auto r = b::parse_statements(text);
  INFO(r.error);
  REQUIRE(r.ok());
  return r;
}

std::string refused(const std::string& text) {
  auto r = b::parse_statements(text);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.statements.empty());
  return r.error;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("bank: detect names each format from its content", "[bank]") {
  CHECK(b::detect(kCamt053v02) == b::Format::Camt053);
  CHECK(b::detect(kCamt054) == b::Format::Camt054);
  CHECK(b::detect(kMt940) == b::Format::Mt940);
  CHECK(b::detect(kBai2) == b::Format::Bai2);
  CHECK(b::detect(kOfx1) == b::Format::Ofx1);
  CHECK(b::detect(kOfx2) == b::Format::Ofx2);
  CHECK(b::detect("hello") == b::Format::Unknown);
  CHECK(b::detect("") == b::Format::Unknown);
  CHECK(refused("") == "empty file");
  CHECK_THAT(refused("name,amount\nx,1\n"), Catch::Contains("unknown format"));
}

TEST_CASE("bank: camt.053.001.02 with two statements and a batch of three TxDtls", "[bank][camt]") {
  auto r = ok(kCamt053v02);
  REQUIRE(r.statements.size() == 2);
  const auto& s = r.statements[0];
  CHECK(s.format == "camt.053.001.02");
  CHECK(s.message_id == "MSG-2026-12-01");
  CHECK(s.statement_id == "STMT-1");
  CHECK(s.account == "DE89370400440532013000");
  CHECK(s.bank_id == "COBADEFFXXX");
  CHECK(s.currency == "EUR");
  REQUIRE(s.opening);
  CHECK(s.opening->amount == "1000.00");
  CHECK(s.opening->date == "2026-11-30");
  CHECK(s.closing->amount == "1250.50");
  CHECK(s.balanced == true);
  CHECK(s.computed_closing == "1250.50");
  REQUIRE(s.entries.size() == 4);
  const auto& t1 = s.entries[0];
  CHECK(t1.amount == "100.00");
  CHECK(t1.side == b::Side::Credit);
  CHECK(t1.bank_ref == "TX-1");
  CHECK(t1.batch_ref == "BATCH-77");
  CHECK(t1.end_to_end_id == "E2E-1");
  CHECK(t1.remittance == "Invoice 1 part A");
  CHECK(t1.counterparty_name == "Müller & Söhne");
  CHECK(t1.counterparty_account == "NL91ABNA0417164300");
  CHECK(t1.bank_tx_code == "PMNT/RCDT/ESCT");
  CHECK(t1.booking_date == "2026-12-01");
  CHECK(s.entries[1].creditor_ref == "RF18539007547034");
  CHECK(s.entries[1].amount == "150.25");
  CHECK(s.entries[2].end_to_end_id.empty());
  const auto& out = s.entries[3];
  CHECK(out.side == b::Side::Debit);
  CHECK(out.bank_ref == "REF-2");
  CHECK(out.batch_ref.empty());
  CHECK(out.counterparty_name == "Energy Co");
  CHECK(out.counterparty_account == "GB82WEST12345698765432");
  CHECK(out.remittance == "Electricity November");

  const auto& jp = r.statements[1];
  CHECK(jp.account == "12345678");
  CHECK(jp.currency == "JPY");
  CHECK(jp.opening->amount == "-5000");
  CHECK(jp.closing->date == "2026-12-01");
  CHECK(jp.balanced == true);
}

TEST_CASE("bank: camt.053.001.08 with Sts/Cd, a reversal, a pending entry, an unbalanced statement", "[bank][camt]") {
  auto r = ok(kCamt053v08);
  REQUIRE(r.statements.size() == 1);
  const auto& s = r.statements[0];
  CHECK(s.format == "camt.053.001.08");
  CHECK(s.bank_id == "BNPAFRPPXXX");
  REQUIRE(s.entries.size() == 2);
  CHECK(s.entries[0].reversal);
  CHECK(s.entries[0].side == b::Side::Debit);
  CHECK(s.entries[0].booking_date == "2026-12-02");
  CHECK(s.entries[0].counterparty_name == "Shop SARL");
  CHECK(s.entries[0].end_to_end_id == "E2E-RV");
  CHECK(s.entries[0].bank_ref == "RV-1");
  CHECK(s.entries[1].status == b::EntryStatus::Pending);
  REQUIRE(s.available);
  CHECK(s.available->kind == b::BalanceKind::Available);
  CHECK(s.available->amount == "75.00");
  // 100 - 25 = 75 (the pending 5 does not count) but the bank says 80: shown, not refused.
  CHECK(s.balanced == false);
  CHECK(s.computed_closing == "75.00");
}

TEST_CASE("bank: camt.054 notification", "[bank][camt]") {
  auto r = ok(kCamt054);
  REQUIRE(r.statements.size() == 1);
  const auto& s = r.statements[0];
  CHECK(s.format == "camt.054.001.08");
  CHECK(s.statement_id == "NTF-1-1");
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].end_to_end_id == "ORDER-42");
  CHECK(s.entries[0].counterparty_name == "Jan de Vries");
  CHECK(s.entries[0].remittance == "Order 42");
  CHECK_FALSE(s.balanced.has_value());
}

TEST_CASE("bank: camt refusals name the element", "[bank][camt]") {
  const std::string good = kCamt053v02;
  CHECK_THAT(refused(good.substr(0, good.size() / 2)), Catch::Contains("not well-formed XML (line"));
  CHECK_THAT(refused(replaced(good, "<Document", "<!DOCTYPE d [<!ENTITY x \"y\">]>\n<Document")),
             Catch::Contains("DOCTYPE"));
  CHECK_THAT(refused(replaced(good, "<NbOfNtries>2<", "<NbOfNtries>3<")),
             Catch::Contains("wrong checksum in control totals"));
  CHECK_THAT(refused(replaced(good, "<Sum>350.50<", "<Sum>350.51<")),
             Catch::Contains("wrong checksum in control totals"));
  CHECK_THAT(refused(replaced(good, ">150.25<", ">150.24<")), Catch::Contains("TxDtls add up to"));
  CHECK_THAT(refused(replaced(good, ">300.50<", ">3.005E2<")), Catch::Contains("scientific notation"));
  CHECK_THAT(refused(replaced(good, ">50.00<", ">50.001<")), Catch::Contains("Ntry[2]/Amt"));
  CHECK_THAT(refused(replaced(good, "<Amt Ccy=\"JPY\">6000<", "<Amt Ccy=\"JPY\">6000.5<")), Catch::Contains("Stmt[2]"));
  CHECK_THAT(refused(replaced(good, "<Amt Ccy=\"EUR\">50.00</Amt>", "<Amt Ccy=\"USD\">50.00</Amt>")),
             Catch::Contains("is not the account's EUR"));
  CHECK_THAT(refused(replaced(good, "<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>", "<Sts>BOOK</Sts>")),
             Catch::Contains("missing element CdtDbtInd"));
  CHECK_THAT(refused(replaced(good, "<MsgId>MSG-2026-12-01</MsgId>", "")), Catch::Contains("missing element MsgId"));
  CHECK_THAT(refused(replaced(good, "<Sts>BOOK</Sts>", "<Sts>DONE</Sts>")), Catch::Contains("not BOOK, PDNG or INFO"));
  CHECK_THAT(refused(replaced(good, "camt.053.001.02", "camt.053.001.09")), Catch::Contains("root is not"));
  CHECK_THAT(refused(replaced(good, "<Dt>2026-11-30</Dt>", "<Dt>2026-02-30</Dt>")), Catch::Contains("not a date"));
  // An entity reference without a DTD is not well-formed.
  CHECK_THAT(refused(replaced(good, "Invoice 1", "&xxe;")), Catch::Contains("not well-formed"));
}

TEST_CASE("bank: MT940 in SWIFT blocks, German and Dutch :86:, RC, Dec->Jan", "[bank][mt940]") {
  auto r = ok(kMt940);
  REQUIRE(r.statements.size() == 2);
  const auto& s = r.statements[0];
  CHECK(s.format == "mt940");
  CHECK(s.message_id == "STARTUMS");
  CHECK(s.statement_id == "00012/001");
  CHECK(s.bank_id == "37040044");
  CHECK(s.account == "0532013000");
  CHECK(s.opening->amount == "1000.00");
  CHECK(s.opening->date == "2026-12-30");
  CHECK(s.closing->amount == "1120.25");
  CHECK(s.available->amount == "1100.00");
  CHECK(s.balanced == true);
  REQUIRE(s.entries.size() == 3);
  const auto& e = s.entries[0];
  CHECK(e.value_date == "2026-12-31");
  CHECK(e.booking_date == "2027-01-02");
  CHECK(e.side == b::Side::Credit);
  CHECK(e.amount == "150.25");
  CHECK(e.bank_tx_code == "NTRF");
  CHECK(e.customer_ref.empty());
  CHECK(e.bank_ref == "BANK-REF-1");
  CHECK(e.end_to_end_id == "E2E-DE-1");
  CHECK(e.remittance == "Gutschrift SEPA Rechnung 4711 vom 20.12.");
  CHECK(e.counterparty_name == "Müller GmbH");
  CHECK(e.counterparty_account == "DE89370400440532013000");
  CHECK(s.entries[1].side == b::Side::Debit);
  CHECK(s.entries[1].customer_ref == "CUST-9");
  CHECK(s.entries[1].remittance == "Kontofuehrung Dezember");
  CHECK(s.entries[2].reversal);
  CHECK(s.entries[2].side == b::Side::Debit);

  const auto& nl = r.statements[1];
  CHECK(nl.account == "NL91ABNA0417164300");
  CHECK(nl.opening->amount == "500.00");
  CHECK(nl.balanced == true);
  REQUIRE(nl.entries.size() == 1);
  CHECK(nl.entries[0].end_to_end_id == "E2E-NL-1");
  CHECK(nl.entries[0].remittance == "Factuur 2026-12");
  CHECK(nl.entries[0].counterparty_name == "Jan de Vries");
  CHECK(nl.entries[0].counterparty_account == "NL91ABNA0417164300");
}

TEST_CASE("bank: MT940 refusals name the line", "[bank][mt940]") {
  const std::string good = kMt940;
  CHECK_THAT(refused(replaced(good, ":62F:C261231EUR1120,25\r\n", "")), Catch::Contains("without :62F:"));
  CHECK_THAT(refused(replaced(good, "CR150,25", "CR150.25")), Catch::Contains("line 6"));
  CHECK_THAT(refused(replaced(good, "CR150,25", "CR150,255")), Catch::Contains("more decimals"));
  CHECK_THAT(refused(replaced(good, "DR20,00", "XR20,00")), Catch::Contains("mark is not"));
  CHECK_THAT(refused(replaced(good, ":60F:C261230EUR", ":60F:C261332EUR")), Catch::Contains("not a date"));
  CHECK_THAT(refused(replaced(good, ":62F:C261231EUR", ":62F:C261231USD")), Catch::Contains("not the statement's EUR"));
}

TEST_CASE("bank: BAI2 with 88 continuations and correct totals", "[bank][bai2]") {
  auto r = ok(kBai2);
  REQUIRE(r.statements.size() == 1);
  const auto& s = r.statements[0];
  CHECK(s.format == "bai2");
  CHECK(s.message_id == "1");
  CHECK(s.account == "0975312468");
  CHECK(s.currency == "USD");
  CHECK(s.opening->amount == "5000.00");
  CHECK(s.closing->amount == "4980.00");
  CHECK(s.opening->date == "2026-11-30");
  CHECK(s.balanced == true);
  REQUIRE(s.entries.size() == 3);
  CHECK(s.entries[0].amount == "15.00");
  CHECK(s.entries[0].side == b::Side::Credit);
  CHECK(s.entries[0].bank_ref == "BR-1");
  CHECK(s.entries[0].customer_ref == "CR-1");
  CHECK(s.entries[1].side == b::Side::Debit);
  CHECK(s.entries[1].remittance == "Check 1001 paid to ACME Supplies, invoice 77");
  CHECK(s.entries[2].bank_tx_code == "115");
}

TEST_CASE("bank: BAI2 refusals: control totals, record counts, structure", "[bank][bai2]") {
  const std::string good = kBai2;
  CHECK_THAT(refused(replaced(good, "49,1006000,7/", "49,1006001,7/")),
             Catch::Contains("line 9: wrong checksum in control totals"));
  CHECK_THAT(refused(replaced(good, "49,1006000,7/", "49,1006000,6/")), Catch::Contains("record count"));
  CHECK_THAT(refused(replaced(good, "98,1006000,1,9/", "98,1006000,1,8/")), Catch::Contains("line 10: group record count"));
  CHECK_THAT(refused(replaced(good, "99,1006000,1,11/", "99,1006000,2,11/")), Catch::Contains("group count"));
  CHECK_THAT(refused(replaced(good, "99,1006000,1,11/\n", "")), Catch::Contains("without a 99"));
  CHECK_THAT(refused(replaced(good, "16,115,1500", "16,115,15.00")), Catch::Contains("minor units"));
  CHECK_THAT(refused(replaced(good, "USD,010", "XY,010")), Catch::Contains("ISO 4217"));
}

TEST_CASE("bank: OFX 1.x SGML in CHARSET 1252", "[bank][ofx]") {
  auto r = ok(kOfx1);
  REQUIRE(r.statements.size() == 1);
  const auto& s = r.statements[0];
  CHECK(s.format == "ofx1");
  CHECK(s.message_id == "1001");
  CHECK(s.account == "0123456789");
  CHECK(s.bank_id == "121000248");
  CHECK(s.currency == "USD");
  CHECK(s.closing->amount == "2987.50");
  CHECK(s.available->amount == "2900.00");
  CHECK_FALSE(s.balanced.has_value());
  REQUIRE(s.entries.size() == 2);
  CHECK(s.entries[0].amount == "12.50");
  CHECK(s.entries[0].side == b::Side::Debit);
  CHECK(s.entries[0].booking_date == "2026-11-28");
  CHECK(s.entries[0].bank_ref == "F-1");
  CHECK(s.entries[0].counterparty_name == "Café René");
  CHECK(s.entries[0].remittance == "Lunch & coffee");
  CHECK(s.entries[1].side == b::Side::Credit);
  CHECK(s.entries[1].customer_ref == "PR-11");
}

TEST_CASE("bank: OFX 2.x XML credit card statement", "[bank][ofx]") {
  auto r = ok(kOfx2);
  REQUIRE(r.statements.size() == 1);
  const auto& s = r.statements[0];
  CHECK(s.format == "ofx2");
  CHECK(s.account == "4111111111111111");
  CHECK(s.closing->amount == "-99.99");
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].counterparty_name == "Bücher & Co");
  CHECK(s.entries[0].amount == "99.99");
}

TEST_CASE("bank: OFX refusals", "[bank][ofx]") {
  const std::string good = kOfx1;
  CHECK_THAT(refused(replaced(good, "<TRNAMT>-12.50", "<TRNAMT>-1.2e1")), Catch::Contains("scientific notation"));
  CHECK_THAT(refused(replaced(good, "<TRNAMT>-12.50", "<TRNAMT>-12.505")), Catch::Contains("more decimals"));
  CHECK_THAT(refused(replaced(good, "<FITID>F-1", "")), Catch::Contains("without <FITID>"));
  CHECK_THAT(refused(replaced(good, "<DTPOSTED>20261129", "<DTPOSTED>2026")), Catch::Contains("date"));
  CHECK_THAT(refused(replaced(std::string(kOfx2), "<OFX>\n", "<!DOCTYPE x>\n<OFX>\n")), Catch::Contains("DOCTYPE"));
  CHECK_THAT(refused(good.substr(0, good.find("<STMTRS>"))), Catch::Contains("no <STMTRS>"));
}
