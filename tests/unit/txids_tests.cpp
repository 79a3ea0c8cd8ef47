// Transaction ids: a keyed permutation of the journal's sequence numbers (txids.h). The
// known answers come from an independent implementation (Python's hashlib, the formula of
// migration 0009); the database's own SQL functions are checked against this code in
// ledger_engine_tests.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/ids.h"
#include "daemon/ledger/txids.h"

using og::ledger::TxidCodec;

namespace {
std::string key_0_to_31() {
  std::string k;
  for (int i = 0; i < 32; ++i) k += static_cast<char>(i);
  return k;
}
}  // namespace

TEST_CASE("txids: known answers of the permutation", "[txids]") {
  const TxidCodec c(key_0_to_31());
  // python3: F(i, x) = int.from_bytes(sha256(key + bytes([i]) + x.to_bytes(4, 'big'))[:7], 'big') %
  // 10**8, eight rounds (l, r) = (r, (l + F(i, r)) % 10**8) on divmod(seq, 10**8).
  CHECK(c.txid_of(0) == "txid_9445191749650211");
  CHECK(c.txid_of(1) == "txid_7071798698279015");
  CHECK(c.txid_of(1000) == "txid_9546548977110503");
  CHECK(c.txid_of(123456789012345) == "txid_8827109907972095");
  CHECK(c.txid_of(9999999999999999) == "txid_0185522834605430");
  CHECK(c.seq_of("txid_0185522834605430") == 9999999999999999ULL);
  CHECK(c.seq_of("txid_9546548977110503") == 1000ULL);
}

TEST_CASE("txids: every id leads back to its sequence number, and ids are distinct", "[txids]") {
  const TxidCodec c(key_0_to_31());
  std::set<std::string> seen;
  for (std::uint64_t s = 0; s < 20000; ++s) {
    const std::string id = c.txid_of(s);
    REQUIRE(og::is_valid_id(og::IdKind::Txid, id));
    REQUIRE(c.seq_of(id) == s);
    REQUIRE(seen.insert(id).second);
  }
  // Numbers far apart in the space, and its ends.
  for (std::uint64_t s : std::initializer_list<std::uint64_t>{
           TxidCodec::kSpace - 1, TxidCodec::kSpace / 2, 99'999'999, 100'000'000}) {
    CHECK(c.seq_of(c.txid_of(s)) == s);
    CHECK(c.permute(c.unpermute(s)) == s);
  }
}

TEST_CASE("txids: consecutive sequence numbers give unrelated ids", "[txids]") {
  const TxidCodec c(key_0_to_31());
  // Each of the 16 digit positions takes every digit 0-9 over 10,000 consecutive numbers,
  // about equally often (a fixed key: the counts are the same on every run).
  for (std::size_t pos = 5; pos < 21; ++pos) {
    int counts[10] = {};
    for (std::uint64_t s = 5000; s < 15000; ++s) ++counts[c.txid_of(s)[pos] - '0'];
    for (int n : counts) {
      CHECK(n > 850);
      CHECK(n < 1150);
    }
  }
  // Another key, other ids.
  std::string other = key_0_to_31();
  other[0] = 'x';
  const TxidCodec d(other);
  int same = 0;
  for (std::uint64_t s = 0; s < 1000; ++s) same += c.txid_of(s) == d.txid_of(s);
  CHECK(same == 0);
}

TEST_CASE("txids: what is not a txid has no sequence number", "[txids]") {
  const TxidCodec c(key_0_to_31());
  for (const char* bad : {"", "txid_", "txid_123", "txid_12345678123456789",
                          "waid_1234567812345678", "TXID_1234567812345678", "txid_12345678abcdefgh",
                          "txid-1234567812345678", "txid_ 234567812345678"})
    CHECK_FALSE(c.seq_of(bad).has_value());
  CHECK_THROWS_AS(c.txid_of(TxidCodec::kSpace), std::out_of_range);
  CHECK_THROWS_AS(TxidCodec("short key"), std::invalid_argument);
}
