// The readers of Bitcoin Core's answers (daemon/bridges/bitcoin/readers.h): exact amounts,
// deposits from listsinceblock, fee rates, sends by comment, settlement, balances.
#include "daemon/bridges/bitcoin/readers.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "common/crypto.h"
#include "common/json_exact.h"

using og::Json;
namespace btc = og::bridges::bitcoin;

namespace {

Json exact(const std::string& text) {
  auto j = og::parse_exact(text);
  REQUIRE(j);
  return *j;
}

const std::string kTx = std::string(64, 'a');
const std::string kBlock = std::string(63, 'b') + "c";

std::string entry(const std::string& category, const std::string& amount, int confirmations, int vout = 0,
                  const std::string& txid = kTx, const std::string& extra = "") {
  return "{\"address\":\"bcrt1qexample\",\"category\":\"" + category + "\",\"amount\":" + amount +
         ",\"vout\":" + std::to_string(vout) + ",\"confirmations\":" + std::to_string(confirmations) +
         ",\"blockheight\":7,\"txid\":\"" + txid + "\"" + extra + "}";
}

}  // namespace

TEST_CASE("bitcoin readers: amounts are exact satoshis, never a double", "[bitcoin][readers]") {
  CHECK(btc::btc_of(exact("0.10000000")) == "0.10000000");
  CHECK(btc::btc_of(exact("-0.00000141")) == "-0.00000141");
  CHECK(btc::btc_of(exact("21")) == "21.00000000");
  CHECK(btc::btc_of(Json("1.5")) == "1.50000000");
  CHECK(btc::btc_of(exact("20999999.97690000")) == "20999999.97690000");
  CHECK(btc::btc_of(exact("0.1000000000")) == "0.10000000");  // trailing zeros past 8 are the same amount
  CHECK(btc::sats_of(exact("0.00000001")) == 1);
  for (const char* bad : {"0.000000001", "1e-8", "21000000.00000001", "100000000", "\"\"", "\"1.\"", "\".5\"",
                          "\"1,5\"", "\"+1\"", "\"0x10\"", "true", "null", "[]", "\"1 \"", "\"--1\""}) {
    INFO(bad);
    CHECK_FALSE(btc::btc_of(exact(bad)));
  }
  CHECK(btc::btc_text(0) == "0.00000000");
  CHECK(btc::btc_text(-1) == "-0.00000001");
  CHECK(btc::btc_text(2100000000000000LL) == "21000000.00000000");
}

TEST_CASE("bitcoin readers: deposits from listsinceblock", "[bitcoin][readers]") {
  const std::string other = std::string(64, 'd');
  Json answer = exact("{\"transactions\":[" + entry("receive", "0.10000000", 3) + "," +
                      entry("receive", "0.00000001", 5, 2) + "," + entry("receive", "1.00000000", 2, 0, other) + "," +
                      entry("send", "-0.50000000", 9, 0, std::string(64, 'e')) + "," +
                      entry("receive", "0.30000000", -2, 1) + "," + entry("immature", "50.00000000", 10) + "," +
                      entry("receive", "0.000000001", 4, 3) + "," + entry("receive", "0.10000000", 3) +
                      "],\"removed\":[" + entry("receive", "0.20000000", 0, 4) + "],\"lastblock\":\"" + kBlock + "\"}");
  auto seen = btc::deposits_of(answer, 3);
  REQUIRE(seen);
  REQUIRE(seen->ready.size() == 2);  // the repeated entry once
  CHECK(seen->ready[0].external_txid == kTx + ":0");
  CHECK(seen->ready[0].amount == "0.10000000");
  CHECK(seen->ready[0].currency == "BTC");
  CHECK(seen->ready[0].address == "bcrt1qexample");
  CHECK(seen->ready[0].ledger_index == 7);
  CHECK(seen->ready[1].external_txid == kTx + ":2");
  CHECK(seen->pending == std::set<std::string>{other + ":0"});
  CHECK(seen->conflicted == std::set<std::string>{kTx + ":1"});
  CHECK(seen->removed == std::set<std::string>{kTx + ":4"});
  CHECK(seen->unreadable.size() == 1);  // the amount finer than a satoshi
  CHECK(seen->lastblock == kBlock);
  // At 1 confirmation, the 2-confirmation output is ready too.
  CHECK(btc::deposits_of(answer, 1)->ready.size() == 3);
  // Malformed answers are refused whole.
  CHECK_FALSE(btc::deposits_of(exact("{\"transactions\":[]}"), 3));
  CHECK_FALSE(btc::deposits_of(exact("{\"transactions\":[],\"lastblock\":\"xyz\"}"), 3));
  CHECK_FALSE(btc::deposits_of(exact("{\"transactions\":{},\"lastblock\":\"" + kBlock + "\"}"), 3));
  CHECK_FALSE(btc::deposits_of(exact("[]"), 3));
  // Entries without what a credit needs are left out with a reason, never guessed.
  auto odd = btc::deposits_of(
      exact("{\"transactions\":[{\"category\":\"receive\",\"amount\":1,\"confirmations\":9,\"txid\":\"" + kTx +
            "\"},{\"category\":\"receive\",\"amount\":1,\"vout\":0,\"txid\":\"" + kTx +
            "\"},{\"category\":\"receive\",\"amount\":1,\"vout\":0,\"confirmations\":9,\"txid\":\"" + kTx +
            "\"},{\"category\":\"receive\",\"amount\":0,\"address\":\"a\",\"vout\":1,\"confirmations\":9,\"txid\":\"" +
            kTx + "\"},{\"category\":\"receive\",\"vout\":0,\"txid\":\"ZZ\"},7],\"lastblock\":\"" + kBlock + "\"}"),
      3);
  REQUIRE(odd);
  CHECK(odd->ready.empty());
  CHECK(odd->unreadable.size() == 5);
}

TEST_CASE("bitcoin readers: fee rates, sends by comment, settlement, balances", "[bitcoin][readers]") {
  CHECK(btc::fee_rate_of(exact("{\"feerate\":0.00001000,\"blocks\":6}")) == 1);
  CHECK(btc::fee_rate_of(exact("{\"feerate\":0.00001001,\"blocks\":6}")) == 2);  // rounded up
  CHECK(btc::fee_rate_of(exact("{\"feerate\":0.00000100,\"blocks\":6}")) == 1);  // at least 1
  CHECK(btc::fee_rate_of(exact("{\"feerate\":0.01,\"blocks\":2}")) == 1000);
  CHECK_FALSE(btc::fee_rate_of(exact("{\"errors\":[\"Insufficient data or no feerate found\"],\"blocks\":0}")));
  CHECK_FALSE(btc::fee_rate_of(exact("{\"feerate\":-1}")));
  CHECK_FALSE(btc::fee_rate_of(exact("{\"feerate\":\"x\"}")));

  const std::string a = std::string(64, '1'), b = std::string(64, '2');
  Json list = exact("{\"transactions\":[" + entry("send", "-1", -1, 0, a, ",\"comment\":\"T9\"") + "," +
                    entry("send", "-1", 0, 0, b, ",\"comment\":\"T9\"") + "," +
                    entry("send", "-1", 0, 0, std::string(64, '3'), ",\"comment\":\"T8\"") + "," +
                    entry("receive", "1", 0, 0, std::string(64, '4'), ",\"comment\":\"T7\"") + "]}");
  CHECK(btc::send_with_comment(list, "T9") == b);  // not the conflicted one
  CHECK(btc::send_with_comment(list, "T8") == std::string(64, '3'));
  CHECK_FALSE(btc::send_with_comment(list, "T7"));  // a receive is not our send
  CHECK_FALSE(btc::send_with_comment(list, "T1"));
  CHECK(btc::send_with_comment(list["transactions"], "T9") == b);  // listtransactions' array
  CHECK(btc::send_with_comment(exact("{\"transactions\":[" + entry("send", "-1", -3, 0, a, ",\"comment\":\"T5\"") +
                                     "]}"),
                               "T5") == a);

  using S = btc::SendState::State;
  auto st = btc::send_state_of(exact("{\"amount\":-0.5,\"fee\":-0.00000141,\"confirmations\":3,\"comment\":\"T1\","
                                     "\"walletconflicts\":[],\"details\":[]}"),
                               3);
  REQUIRE(st);
  CHECK(st->state == S::Completed);
  CHECK(st->fee == "0.00000141");
  CHECK(st->comment == "T1");
  CHECK(btc::send_state_of(exact("{\"confirmations\":2}"), 3)->state == S::InFlight);
  auto conflicted = btc::send_state_of(exact("{\"confirmations\":-1,\"walletconflicts\":[\"" + a + "\",\"bad\"]}"), 3);
  CHECK(conflicted->state == S::Conflicted);
  CHECK(conflicted->conflicts == std::vector<std::string>{a});
  CHECK(btc::send_state_of(exact("{\"confirmations\":0,\"details\":[{\"abandoned\":true}]}"), 3)->state == S::Abandoned);
  CHECK(btc::send_state_of(exact("{\"confirmations\":0,\"details\":[{\"abandoned\":\"yes\"}]}"), 3)->state == S::InFlight);
  CHECK_FALSE(btc::send_state_of(exact("{\"confirmations\":\"3\"}"), 3));
  CHECK_FALSE(btc::send_state_of(exact("[]"), 3));

  auto bal = btc::balances_of(
      exact("{\"mine\":{\"trusted\":52.00000000,\"untrusted_pending\":0.12500000,\"immature\":0E-8}}"));
  CHECK_FALSE(bal);  // 0E-8: an exponent is not bitcoind's spelling: refused, not guessed
  bal = btc::balances_of(exact("{\"mine\":{\"trusted\":52.00000000,\"untrusted_pending\":0.12500000,\"immature\":0}}"));
  REQUIRE(bal);
  CHECK(bal->trusted == "52.00000000");
  CHECK(bal->pending == "0.12500000");
  CHECK(bal->immature == "0.00000000");
  CHECK_FALSE(btc::balances_of(exact("{\"mine\":{\"trusted\":1}}")));
}

TEST_CASE("crypto: base64 (RFC 4648 test vectors)", "[crypto]") {
  CHECK(og::crypto::base64_encode("") == "");
  CHECK(og::crypto::base64_encode("f") == "Zg==");
  CHECK(og::crypto::base64_encode("fo") == "Zm8=");
  CHECK(og::crypto::base64_encode("foo") == "Zm9v");
  CHECK(og::crypto::base64_encode("foob") == "Zm9vYg==");
  CHECK(og::crypto::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(og::crypto::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(og::crypto::base64_encode("\xfb\xff") == "+/8=");
  CHECK(og::crypto::base64_encode("user:pa:ss") == "dXNlcjpwYTpzcw==");
}

TEST_CASE("bitcoin readers: the wallet's history for reconciliation", "[bitcoin][readers][reconcile]") {
  const std::string t = ",\"time\":1796000000";
  const std::string other = std::string(64, 'd');
  Json page = exact("[" + entry("receive", "0.50000000", 3, 1, kTx, t) + "," +                // in: txid:vout
                    entry("receive", "0.10000000", 0, 2, kTx, t) + "," +                      // not in the chain yet
                    entry("receive", "0.20000000", -2, 3, kTx, t) + "," +                     // conflicted
                    entry("send", "-0.25000000", 1, 0, other, t + ",\"fee\":-0.00000141") + "," +  // out: txid
                    entry("send", "-0.30000000", 0, 0, std::string(64, 'e'), t + ",\"abandoned\":true") + "," +
                    entry("generate", "50.00000000", 101, 0, std::string(64, 'f'), t) + "," +
                    entry("send", "0.30000000", 1, 0, std::string(64, '1'), t) + "," +     // a send that is positive
                    entry("receive", "0.40000000", 1, 0, kTx) + "]");                           // no time
  auto h = btc::history_of(page);
  REQUIRE(h);
  CHECK(h->records == 8);
  REQUIRE(h->entries.size() == 2);
  CHECK(h->entries[0].external_txid == kTx + ":1");
  CHECK(h->entries[0].amount == "0.50000000");
  CHECK(h->entries[0].currency == "BTC");
  CHECK(h->entries[0].address == "bcrt1qexample");
  CHECK(h->entries[1].external_txid == other);
  CHECK(h->entries[1].amount == "-0.25000000");
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(h->entries[1].at.time_since_epoch()).count() == 1796000000);
  CHECK(h->oldest == 1796000000);
  CHECK(h->unreadable.size() == 2);
  CHECK_FALSE(btc::history_of(Json::object()));
  CHECK(btc::history_of(Json::array())->entries.empty());
}
