// The Ripple bridge's readers of rippled's answers (daemon/bridges/ripple/readers.h) and its
// amount conversions (amounts.h), on answers shaped as rippled writes them (API v1).

#include <catch2/catch.hpp>
#include <chrono>

#include "daemon/bridges/ripple/amounts.h"
#include "daemon/bridges/ripple/readers.h"

namespace r = og::bridges::ripple;
using og::Json;

namespace {

const std::string kHot = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
const std::string kSender = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
const std::string kIssuer = "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn";

std::string currency_of(const std::string& code, const std::string& issuer) {
  if (code == "USD" && issuer == kIssuer) return "USD.acme.ripple";
  return code + "/" + issuer;
}

Json entry(Json delivered) {
  Json t = {{"validated", true},
            {"tx", {{"TransactionType", "Payment"}, {"Account", kSender}, {"Destination", kHot},
                    {"Amount", "5000000"}, {"DestinationTag", 1234}, {"hash", "ABCD"}, {"ledger_index", 77}}},
            {"meta", {{"TransactionResult", "tesSUCCESS"}}}};
  if (!delivered.is_null()) t["meta"]["delivered_amount"] = delivered;
  return t;
}

}  // namespace

TEST_CASE("arrival_of: a validated tesSUCCESS payment to the hot wallet, for what it delivered", "[ripple]") {
  auto a = r::arrival_of(entry("1500000"), kHot, currency_of);
  REQUIRE(a);
  CHECK(a->external_txid == "ABCD");
  CHECK(a->address == kHot + "-1234");
  CHECK(a->currency == "XRP");
  CHECK(a->amount == "1.500000");  // delivered_amount, not Amount (5 XRP): a partial payment
  CHECK(a->source_address == kSender);
  CHECK(a->ledger_index == 77);

  auto iou = r::arrival_of(entry(Json{{"currency", "USD"}, {"issuer", kIssuer}, {"value", "1.25e1"}}), kHot, currency_of);
  REQUIRE(iou);
  CHECK(iou->currency == "USD.acme.ripple");
  CHECK(iou->amount == "12.5");
  auto foreign = r::arrival_of(entry(Json{{"currency", "EUR"}, {"issuer", kIssuer}, {"value", "3"}}), kHot, currency_of);
  REQUIRE(foreign);
  CHECK(foreign->currency == "EUR/" + kIssuer);  // no ledger currency: refused, to suspense

  auto old = r::arrival_of(entry(Json()), kHot, currency_of);  // no delivered_amount
  REQUIRE(old);
  CHECK(old->currency == "XRP?");
  auto unavailable = r::arrival_of(entry("unavailable"), kHot, currency_of);
  REQUIRE(unavailable);
  CHECK(unavailable->currency == "XRP?");
}

TEST_CASE("arrival_of: what is not a deposit is none", "[ripple]") {
  auto without = [](auto change) {
    Json t = entry("1000000");
    change(t);
    return r::arrival_of(t, kHot, currency_of);
  };
  CHECK_FALSE(without([](Json& t) { t["validated"] = false; }));
  CHECK_FALSE(without([](Json& t) { t.erase("validated"); }));
  CHECK_FALSE(without([](Json& t) { t["meta"]["TransactionResult"] = "tecPATH_PARTIAL"; }));
  CHECK_FALSE(without([](Json& t) { t["tx"]["TransactionType"] = "TrustSet"; }));
  CHECK_FALSE(without([](Json& t) { t["tx"]["Destination"] = kSender; }));          // sent elsewhere
  CHECK_FALSE(without([](Json& t) { t["tx"]["Account"] = kHot; }));                 // our own withdrawal
  CHECK_FALSE(without([](Json& t) { t["tx"].erase("hash"); }));
  CHECK_FALSE(without([](Json& t) { t["meta"]["delivered_amount"] = "-5"; }));      // not drops
  CHECK_FALSE(without([](Json& t) { t["meta"]["delivered_amount"] = "1.5"; }));
  CHECK_FALSE(without([](Json& t) { t["tx"] = "not an object"; }));
  CHECK_FALSE(r::arrival_of(Json::array(), kHot, currency_of));
  CHECK_FALSE(r::arrival_of(Json("x"), kHot, currency_of));
}

TEST_CASE("arrival_of: a destination tag that is not a 32-bit number leaves it untagged", "[ripple]") {
  for (Json tag : {Json(-1), Json(4294967296ULL), Json("1234"), Json(12.5), Json::object()}) {
    Json t = entry("1000000");
    t["tx"]["DestinationTag"] = tag;
    auto a = r::arrival_of(t, kHot, currency_of);
    REQUIRE(a);
    CHECK(a->address == kHot);  // suspense: an operator assigns it
    CHECK(a->description.find("not a 32-bit number") != std::string::npos);
  }
  Json t = entry("1000000");
  t["tx"]["DestinationTag"] = 4294967295ULL;
  CHECK(r::arrival_of(t, kHot, currency_of)->address == kHot + "-4294967295");
  t["tx"].erase("DestinationTag");
  CHECK(r::arrival_of(t, kHot, currency_of)->address == kHot);
}

TEST_CASE("trust_lines_of and quotes_of", "[ripple]") {
  auto lines = r::trust_lines_of(Json::parse(R"([
    {"account": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "balance": "-1.5e2", "currency": "USD", "limit": "1000"},
    "junk",
    {"account": 7, "balance": "x", "currency": "EUR"}])"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].currency == "USD");
  CHECK(lines[0].issuer_address == kIssuer);
  CHECK(lines[0].balance == "-150");
  CHECK(lines[0].limit == "1000");
  CHECK(lines[1].issuer_address.empty());
  CHECK(lines[1].balance == "0");
  CHECK(r::trust_lines_of(Json::object()).empty());

  auto quotes = r::quotes_of(Json::parse(R"([
    {"source_amount": "2000010"},
    {"source_amount": {"currency": "USD", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "2.000001"}},
    {"source_amount": {"currency": "EUR", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "2"}},
    {"source_amount": "1.5"}, {"paths_computed": []}, 3])"),
                             "0.00001", currency_of);
  REQUIRE(quotes.size() == 2);
  CHECK(quotes[0].source_currency == "XRP");
  CHECK(quotes[0].source_amount == "2.000010");
  CHECK(quotes[0].fee == "0.00001");
  CHECK(quotes[0].fee_currency == "XRP");
  CHECK(quotes[1].source_currency == "USD.acme.ripple");
  CHECK(quotes[1].source_amount == "2.000001");
}

TEST_CASE("ripple amounts: drops and issued values, exactly", "[ripple]") {
  // Always six decimals (the ledger's XRP precision).
  CHECK(r::drops_to_xrp("0") == "0.000000");
  CHECK(r::drops_to_xrp("1") == "0.000001");
  CHECK(r::drops_to_xrp("001234567") == "1.234567");
  CHECK(r::drops_to_xrp("100000000000000000") == "100000000000.000000");
  CHECK_FALSE(r::drops_to_xrp("100000000000000001"));
  CHECK_FALSE(r::drops_to_xrp("-1"));
  CHECK_FALSE(r::drops_to_xrp("1.0"));
  CHECK_FALSE(r::drops_to_xrp(""));
  CHECK(r::xrp_to_drops("1.5") == "1500000");
  CHECK(r::xrp_to_drops("0.000001") == "1");
  CHECK_FALSE(r::xrp_to_drops("0.0000001"));
  CHECK_FALSE(r::xrp_to_drops("-1"));
  CHECK(r::value_to_decimal("1e-3") == "0.001");
  CHECK(r::value_to_decimal("1234567e-10") == "0.0001234567");
  CHECK(r::value_to_decimal("-2") == "-2");
  CHECK(r::value_to_decimal("1.500") == "1.5");
  CHECK(r::value_to_decimal("0") == "0");
  CHECK(r::value_to_decimal("000.00100") == "0.001");
  CHECK(r::value_to_decimal("0e50") == "0");
  CHECK(r::value_to_decimal("9999999999999999e80") == "9999999999999999" + std::string(80, '0'));
  CHECK(r::value_to_decimal("1e-96") == "0." + std::string(95, '0') + "1");
  // fuzz_ripple_readers (corpus/ripple_readers/regression-value-large-exponent): a value in
  // the XRP Ledger's range with a large exponent was written out in a form the same
  // function then refused (its limit was on the spelling's digits, not on the value).
  auto big = r::value_to_decimal("-1237e92");
  REQUIRE(big);
  CHECK(*big == "-1237" + std::string(92, '0'));
  CHECK(r::value_to_decimal(*big) == big);
  CHECK_FALSE(r::value_to_decimal("1e98"));
  CHECK_FALSE(r::value_to_decimal("1e-99"));
  CHECK_FALSE(r::value_to_decimal("1.2.3"));
  CHECK_FALSE(r::value_to_decimal("."));
  CHECK_FALSE(r::value_to_decimal("1e"));
  CHECK_FALSE(r::value_to_decimal("abc"));
  CHECK_FALSE(r::value_to_decimal(""));
}

TEST_CASE("fee_drops_of: the larger of base_fee and open_ledger_fee, strictly read", "[ripple]") {
  CHECK(r::fee_drops_of(Json::parse(R"({"drops": {"base_fee": "10", "open_ledger_fee": "12"}})")) == 12);
  CHECK(r::fee_drops_of(Json::parse(R"({"drops": {"base_fee": "10", "open_ledger_fee": "10"}})")) == 10);
  CHECK(r::fee_drops_of(Json::parse(R"({"drops": {"base_fee": "15"}})")) == 15);
  CHECK(r::fee_drops_of(Json::parse(R"({"drops": {"base_fee": "10", "open_ledger_fee": "x1"}})")) == 10);
  for (const char* bad : {R"({})", R"({"drops": "10"})", R"({"drops": {"base_fee": 10}})",
                          R"({"drops": {"base_fee": "0"}})", R"({"drops": {"base_fee": "-5"}})",
                          R"({"drops": {"base_fee": "1e3"}})", R"({"drops": {"base_fee": "9999999999999999999"}})", "[]"})
    CHECK_FALSE(r::fee_drops_of(Json::parse(bad)));
}

TEST_CASE("history_entry_of: the hot wallet's payments in and out, for reconciliation", "[ripple][reconcile]") {
  // In: as arrival_of reads it, dated by the ledger's epoch (2000-01-01).
  Json in = entry("1500000");
  in["tx"]["date"] = 100;
  auto e = r::history_entry_of(in, kHot, currency_of);
  REQUIRE(e);
  CHECK(e->external_txid == "ABCD");
  CHECK(e->amount == "1.500000");
  CHECK(e->currency == "XRP");
  CHECK(e->address == kHot + "-1234");
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(e->at.time_since_epoch()).count() == 946684800 + 100);
  // Out: a Payment from the hot wallet, negative, for what it delivered.
  Json out = entry(Json{{"currency", "USD"}, {"issuer", kIssuer}, {"value", "2.5"}});
  out["tx"]["Account"] = kHot;
  out["tx"]["Destination"] = kSender;
  out["tx"]["date"] = 200;
  out["tx"]["hash"] = "EF01";
  e = r::history_entry_of(out, kHot, currency_of);
  REQUIRE(e);
  CHECK(e->external_txid == "EF01");
  CHECK(e->amount == "-2.5");
  CHECK(e->currency == "USD.acme.ripple");
  CHECK(e->address == kSender + "-1234");
  // Neither: no date, not validated, failed, to itself, an amount that cannot be read.
  CHECK_FALSE(r::history_entry_of(entry("1500000"), kHot, currency_of));
  Json bad = in;
  bad["validated"] = false;
  CHECK_FALSE(r::history_entry_of(bad, kHot, currency_of));
  bad = out;
  bad["meta"]["TransactionResult"] = "tecPATH_DRY";
  CHECK_FALSE(r::history_entry_of(bad, kHot, currency_of));
  bad = out;
  bad["tx"]["Destination"] = kHot;
  CHECK_FALSE(r::history_entry_of(bad, kHot, currency_of));
  bad = out;
  bad["meta"]["delivered_amount"] = "-5";
  CHECK_FALSE(r::history_entry_of(bad, kHot, currency_of));
  bad = in;
  bad["meta"]["delivered_amount"] = "unavailable";
  CHECK_FALSE(r::history_entry_of(bad, kHot, currency_of));
}
