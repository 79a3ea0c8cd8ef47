// The pain.001 writer (daemon/bridges/bank/pain001.h): what it writes is read back with
// libxml2 and checked by XPath.

#include <catch2/catch.hpp>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>
#include <string>

#include "daemon/bridges/bank/pain001.h"

namespace b = og::bridges::bank;

namespace {

b::Pain001Request request(int version) {
  b::Pain001Request rq;
  rq.version = version;
  rq.message_id = "PAY-2026-12-03-1";
  rq.creation_time = "2026-12-03T12:00:00";
  rq.execution_date = "2026-12-04";
  rq.debtor = {"Omnigate GmbH", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"};
  rq.payments = {
      {"E2E-1", "100.10", "EUR", "Müller & Söhne", "NL91ABNA0417164300", "ABNANL2A", "Invoice (1) 'A'"},
      {"E2E-2", "0.20", "EUR", "Café René", "FR1420041010050500013M02606", "", ""},
      {"E2E-3", "12.5", "GBP", "West Ltd", "GB82WEST12345698765432", "", "Rent"},
  };
  return rq;
}

struct Xml {
  std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc{nullptr, xmlFreeDoc};
  std::string ns;
  explicit Xml(const std::string& text, std::string n) : ns(std::move(n)) {
    doc.reset(xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr, XML_PARSE_NONET));
    REQUIRE(doc);
  }
  std::string str(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContext*)> ctx(xmlXPathNewContext(doc.get()),
                                                                      xmlXPathFreeContext);
    xmlXPathRegisterNs(ctx.get(), BAD_CAST "p", BAD_CAST ns.c_str());
    std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObject*)> obj(
        xmlXPathEvalExpression(BAD_CAST("string(" + xpath + ")").c_str(), ctx.get()), xmlXPathFreeObject);
    REQUIRE(obj);
    return obj->stringval ? reinterpret_cast<const char*>(obj->stringval) : "";
  }
};

}  // namespace

TEST_CASE("bank: pain.001.001.03 with one PmtInf per currency and exact sums", "[bank][pain001]") {
  auto r = b::write_pain001(request(3));
  INFO(r.error);
  REQUIRE(r.ok());
  Xml x(r.xml, "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03");
  CHECK(x.str("/p:Document/p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == "PAY-2026-12-03-1");
  CHECK(x.str("/p:Document/p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == "3");
  CHECK(x.str("/p:Document/p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "112.80");
  CHECK(x.str("count(//p:PmtInf)") == "2");
  CHECK(x.str("//p:PmtInf[1]/p:PmtMtd") == "TRF");
  CHECK(x.str("//p:PmtInf[1]/p:NbOfTxs") == "2");
  CHECK(x.str("//p:PmtInf[1]/p:CtrlSum") == "100.30");
  CHECK(x.str("//p:PmtInf[1]/p:ReqdExctnDt") == "2026-12-04");
  CHECK(x.str("//p:PmtInf[1]/p:DbtrAcct/p:Id/p:IBAN") == "DE89370400440532013000");
  CHECK(x.str("//p:PmtInf[1]/p:DbtrAgt/p:FinInstnId/p:BIC") == "COBADEFFXXX");
  CHECK(x.str("//p:PmtInf[2]/p:CtrlSum") == "12.50");
  CHECK(x.str("//p:PmtInf[2]/p:CdtTrfTxInf/p:Amt/p:InstdAmt/@Ccy") == "GBP");
  CHECK(x.str("//p:CdtTrfTxInf[p:PmtId/p:EndToEndId='E2E-1']/p:Cdtr/p:Nm") == "Mueller + Soehne");
  CHECK(x.str("//p:CdtTrfTxInf[p:PmtId/p:EndToEndId='E2E-2']/p:Cdtr/p:Nm") == "Cafe Rene");
  CHECK(x.str("//p:CdtTrfTxInf[p:PmtId/p:EndToEndId='E2E-1']/p:CdtrAgt/p:FinInstnId/p:BIC") == "ABNANL2A");
  CHECK(x.str("//p:CdtTrfTxInf[p:PmtId/p:EndToEndId='E2E-1']/p:Amt/p:InstdAmt") == "100.10");
  CHECK(x.str("//p:CdtTrfTxInf[p:PmtId/p:EndToEndId='E2E-1']/p:RmtInf/p:Ustrd") == "Invoice (1) 'A'");
  CHECK(r.xml.find("&apos;A&apos;") != std::string::npos);
}

TEST_CASE("bank: pain.001.001.09 writes ReqdExctnDt/Dt and BICFI", "[bank][pain001]") {
  auto r = b::write_pain001(request(9));
  INFO(r.error);
  REQUIRE(r.ok());
  Xml x(r.xml, "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09");
  CHECK(x.str("//p:PmtInf[1]/p:ReqdExctnDt/p:Dt") == "2026-12-04");
  CHECK(x.str("//p:PmtInf[1]/p:DbtrAgt/p:FinInstnId/p:BICFI") == "COBADEFFXXX");
}

TEST_CASE("bank: pain.001 refusals", "[bank][pain001]") {
  auto with = [](auto change) {
    auto rq = request(3);
    change(rq);
    return b::write_pain001(rq).error;
  };
  CHECK_THAT(with([](auto& rq) { rq.payments[0].creditor_iban = "NL91ABNA0417164301"; }),
             Catch::Contains("payment 1 creditor IBAN"));
  CHECK_THAT(with([](auto& rq) { rq.payments[1].amount = "0.201"; }), Catch::Contains("payment 2"));
  CHECK_THAT(with([](auto& rq) { rq.payments[1].amount = "1e3"; }), Catch::Contains("scientific notation"));
  CHECK_THAT(with([](auto& rq) { rq.payments[1].amount = "0"; }), Catch::Contains("zero"));
  CHECK_THAT(with([](auto& rq) { rq.payments[0].creditor_name = "Иван"; }), Catch::Contains("SEPA Latin"));
  CHECK_THAT(with([](auto& rq) { rq.payments[0].remittance = "a;b"; }), Catch::Contains("SEPA Latin"));
  CHECK_THAT(with([](auto& rq) { rq.debtor.bic = "NOPE"; }), Catch::Contains("debtor BIC"));
  CHECK_THAT(with([](auto& rq) { rq.payments.clear(); }), Catch::Contains("no payments"));
  CHECK_THAT(with([](auto& rq) { rq.version = 5; }), Catch::Contains("version"));
  CHECK_THAT(with([](auto& rq) { rq.execution_date = "2026-13-01"; }), Catch::Contains("not a date"));
  CHECK_THAT(with([](auto& rq) { rq.message_id = std::string(36, 'A'); }), Catch::Contains("longer than 35"));
}
