// The Bitcoin bridge's readers of bitcoind's answers (daemon/bridges/bitcoin/readers.h), on
// any JSON a broken or hostile node might send (read with og::parse_exact, as the bridge
// does), and the amount reader on the raw text.
// Invariants: nothing but std::exception is thrown; every amount read has exactly 8 decimals
// and reads back to the same satoshis; a deposit is a positive amount, keyed txid:vout,
// at most once, never also conflicted; fee rates are at least 1 sat/vB.

#include <exception>
#include <set>
#include <string>

#include "common/json_exact.h"
#include "daemon/bridges/bitcoin/readers.h"
#include "tests/fuzz/fuzz_support.h"

namespace b = og::bridges::bitcoin;

namespace {

void check_amount(const std::string& s) {
  const auto dot = s.find('.');
  FUZZ_CHECK_MSG(dot != std::string::npos && s.size() - dot - 1 == 8, s);
  auto back = b::sats_of(og::Json(s));
  FUZZ_CHECK_MSG(back && b::btc_text(*back) == s, s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto a = b::btc_of(og::Json(text))) check_amount(*a);
  auto doc = og::parse_exact(text);
  if (!doc) return 0;
  try {
    if (auto a = b::btc_of(*doc)) check_amount(*a);
    for (int c : {1, 3}) {
      auto seen = b::deposits_of(*doc, c);
      if (!seen) continue;
      FUZZ_CHECK(seen->lastblock.size() == 64);
      std::set<std::string> keys;
      for (const auto& a : seen->ready) {
        FUZZ_CHECK_MSG(keys.insert(a.external_txid).second, a.external_txid);
        FUZZ_CHECK_MSG(a.external_txid.size() > 65 && a.external_txid[64] == ':', a.external_txid);
        FUZZ_CHECK(!seen->conflicted.count(a.external_txid));
        FUZZ_CHECK(!seen->pending.count(a.external_txid));
        FUZZ_CHECK(!a.address.empty());
        check_amount(a.amount);
        FUZZ_CHECK_MSG(a.amount[0] != '-' && a.amount != "0.00000000", a.amount);
      }
    }
    if (auto h = b::history_of(*doc)) {
      FUZZ_CHECK(h->entries.size() <= h->records);
      for (const auto& e : h->entries) {
        check_amount(e.amount);
        FUZZ_CHECK_MSG(e.amount != "0.00000000", e.amount);
        // A receive is "txid:vout" and positive, a send the bare txid and negative.
        FUZZ_CHECK_MSG((e.external_txid.size() == 64) == (e.amount[0] == '-'), e.external_txid + " " + e.amount);
      }
    }
    if (auto r = b::fee_rate_of(*doc)) FUZZ_CHECK(*r >= 1);
    if (auto t = b::send_with_comment(*doc, "T1")) FUZZ_CHECK(b::valid_txid(og::Json(*t)));
    if (auto s = b::send_state_of(*doc, 3)) {
      if (!s->fee.empty()) check_amount(s->fee);
      for (const auto& c : s->conflicts) FUZZ_CHECK(b::valid_txid(og::Json(c)));
    }
    if (auto w = b::balances_of(*doc)) {
      check_amount(w->trusted);
      check_amount(w->pending);
      check_amount(w->immature);
    }
  } catch (const std::exception&) {
    // A reader may refuse by throwing a std::exception; anything else is a finding.
  }
  return 0;
}
