// The Stellar bridge's readers of Horizon's answers (daemon/bridges/horizon/readers.h), on
// any JSON a broken or hostile Horizon might send, and its parsers of destinations, numbers
// and times on the raw text.
// Invariants: nothing but std::exception is thrown; an arrival has an operation id, an
// address that is the hot account or "hot-<64-bit memo>", and a positive amount og::stellar
// reads back to the same text; a destination's account is a valid G... strkey; parse_u64
// reads back to its own decimal text; a trust line's issuer is a valid G... strkey and its
// balance and limit are amounts og::stellar reads.

#include <exception>
#include <string>

#include "common/json.h"
#include "daemon/bridges/horizon/readers.h"
#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"
#include "tests/fuzz/fuzz_support.h"

namespace h = og::bridges::horizon;

namespace {

const std::string kHot = "GBAZZT5XFF5QILE6QYB4XGO6BV4VCGUUAACYKNZ5KU3F6AEPP2FZVCPW";

std::string currency_of(const std::string& code, const std::string& issuer) { return code + "/" + issuer; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto n = h::parse_u64(text)) FUZZ_CHECK_MSG(std::to_string(*n) == text, text);
  (void)h::parse_time(text);
  std::string why;
  if (auto d = h::parse_destination(text, why))
    FUZZ_CHECK_MSG(og::stellar::decode_account_id(d->account).has_value(), d->account);
  const og::Json doc = og::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  try {
    auto page = h::payments_of(doc, kHot, currency_of);
    FUZZ_CHECK(page.arrivals.size() <= page.records);
    for (const auto& a : page.arrivals) {
      FUZZ_CHECK(!a.external_txid.empty());
      if (a.address != kHot) {
        FUZZ_CHECK_MSG(a.address.rfind(kHot + "-", 0) == 0, a.address);
        FUZZ_CHECK_MSG(h::parse_u64(a.address.substr(kHot.size() + 1)).has_value(), a.address);
      }
      std::int64_t stroops = 0;
      try {
        stroops = og::stellar::parse_amount(a.amount);
      } catch (const std::exception&) {
        FUZZ_CHECK_MSG(false, "an arrival's amount og::stellar cannot read: " + a.amount);
      }
      FUZZ_CHECK_MSG(stroops > 0, a.amount);
    }
  } catch (const std::exception&) {
  }
  try {
    for (const auto& l : h::trust_lines_of(doc)) {
      FUZZ_CHECK_MSG(og::stellar::decode_account_id(l.issuer_address).has_value(), l.issuer_address);
      bool readable = true;
      try {
        FUZZ_CHECK_MSG(og::stellar::parse_amount(l.limit) >= 0, l.limit);
        (void)og::stellar::parse_amount(l.balance);
      } catch (const std::exception&) {
        readable = false;
      }
      FUZZ_CHECK_MSG(readable, "a trust line og::stellar cannot read: " + l.balance + " / " + l.limit);
    }
    if (auto acc = h::account_of(doc, currency_of)) {
      FUZZ_CHECK(acc->sequence >= 0);
      (void)h::memo_required(*acc);
    }
  } catch (const std::exception&) {
  }
  try {
    const auto hp = h::history_of(doc, kHot, currency_of);
    FUZZ_CHECK(hp.entries.size() <= hp.records);
    for (const auto& e : hp.entries) FUZZ_CHECK_MSG(!e.external_txid.empty() && !e.amount.empty(), e.external_txid);
  } catch (const std::exception&) {
  }
  try {
    (void)h::result_codes_of(doc);
  } catch (const std::exception&) {
  }
  return 0;
}
