// The Ripple bridge's readers of rippled's answers (daemon/bridges/ripple/readers.h), on any
// JSON a broken or hostile server might send, and its amount conversions on the raw text.
// Invariants: a reader throws nothing but std::exception; an arrival has a transaction id,
// an address that is the hot wallet or the hot wallet and a 32-bit tag, and an amount that
// is plain decimal text (or the "XRP?" marker); quotes and trust lines carry plain decimals;
// drops and XRP convert back to what they were.

#include <exception>
#include <string>

#include "daemon/bridges/ripple/amounts.h"
#include "daemon/bridges/ripple/readers.h"
#include "tests/fuzz/fuzz_support.h"

namespace r = og::bridges::ripple;

namespace {

const std::string kHot = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

std::string currency_of(const std::string& code, const std::string& issuer) {
  if (code == "USD" && issuer == "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn") return "USD.acme.ripple";
  return code + "/" + issuer;
}

bool plain_decimal(const std::string& s) {
  std::size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  bool dot = false, digit = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && !dot && digit) dot = true;
    else if (s[i] >= '0' && s[i] <= '9') digit = true;
    else return false;
  }
  return digit && s.back() != '.';
}

// A history entry: an id, and an amount that is a plain decimal, signed by its direction.
void check_history(const og::Json& t) {
  auto e = r::history_entry_of(t, kHot, currency_of);
  if (!e) return;
  FUZZ_CHECK(!e->external_txid.empty());
  const std::string unsigned_amount = !e->amount.empty() && e->amount[0] == '-' ? e->amount.substr(1) : e->amount;
  FUZZ_CHECK_MSG(plain_decimal(unsigned_amount) && (unsigned_amount.empty() || unsigned_amount[0] != '-'), e->amount);
}

void check_arrival(const og::Json& t) {
  check_history(t);
  auto a = r::arrival_of(t, kHot, currency_of);
  if (!a) return;
  FUZZ_CHECK(!a->external_txid.empty());
  if (a->address != kHot) {
    FUZZ_CHECK_MSG(a->address.rfind(kHot + "-", 0) == 0, a->address);
    const std::string tag = a->address.substr(kHot.size() + 1);
    FUZZ_CHECK_MSG(!tag.empty() && tag.size() <= 10 && tag.find_first_not_of("0123456789") == std::string::npos, tag);
    FUZZ_CHECK(std::stoull(tag) <= 0xFFFFFFFFull);
  }
  if (a->currency == "XRP") {
    FUZZ_CHECK_MSG(plain_decimal(a->amount) && a->amount[0] != '-', a->amount);
  }
  FUZZ_CHECK(a->ledger_index >= 0);
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Amount conversions on the raw bytes.
  if (auto xrp = r::drops_to_xrp(text)) {
    FUZZ_CHECK_MSG(plain_decimal(*xrp), *xrp);
    auto back = r::xrp_to_drops(*xrp);
    FUZZ_CHECK(back);
    FUZZ_CHECK(r::drops_to_xrp(*back) == xrp);
  }
  if (auto drops = r::xrp_to_drops(text)) {
    auto xrp = r::drops_to_xrp(*drops);
    FUZZ_CHECK(xrp);
    FUZZ_CHECK(r::xrp_to_drops(*xrp) == drops);
  }
  if (auto v = r::value_to_decimal(text)) {
    FUZZ_CHECK_MSG(plain_decimal(*v), *v);
    FUZZ_CHECK(r::value_to_decimal(*v) == v);
  }
  og::Json j = og::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    check_arrival(j);
    // The same document as each entry of an account_tx page, and as the answer's lists.
    if (j.is_object() && j.contains("transactions") && j["transactions"].is_array())
      for (const auto& t : j["transactions"]) check_arrival(t);
    if (auto fee = r::fee_drops_of(j)) FUZZ_CHECK(*fee > 0);
    for (const auto& l : r::trust_lines_of(j.is_object() ? j.value("lines", og::Json()) : j)) {
      FUZZ_CHECK_MSG(plain_decimal(l.balance), l.balance);
      FUZZ_CHECK_MSG(plain_decimal(l.limit), l.limit);
    }
    for (const auto& q : r::quotes_of(j.is_object() ? j.value("alternatives", og::Json()) : j, "0.00001", currency_of)) {
      FUZZ_CHECK_MSG(plain_decimal(q.source_amount), q.source_amount);
      FUZZ_CHECK(q.source_currency.find('/') == std::string::npos);
    }
  } catch (const std::exception&) {
    // A field of the wrong type: the caller's round fails and is retried.
  }
  return 0;
}
