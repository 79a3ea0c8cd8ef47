// The ledger's invariant check on its own: every rule vetoes, and a sound batch passes.
#include <catch2/catch.hpp>

#include "daemon/ledger/invariants.h"

using og::ledger::check;
using og::ledger::InvariantInput;

namespace {
// A transfer of 500 units from w1 (1000) to w2 (0), and a withdrawal hold of 100 on w2.
InvariantInput sound() {
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", -500, 0}, {"t1", "w2", "CAD", 500, 0}, {"t2", "w2", "CAD", -100, 100}};
  in.balances = {{"w1", "CAD", 1000, 0, 500, 0, false}, {"w2", "CAD", 0, 0, 400, 100, false}};
  return in;
}
}  // namespace

TEST_CASE("a sound batch passes", "[invariants]") { CHECK_FALSE(check(sound())); }

TEST_CASE("postings that do not sum to zero are vetoed", "[invariants]") {
  auto in = sound();
  in.postings[1].available_delta = 499;
  in.balances[1].available_after = 399;
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("t1 does not balance in CAD (off by -1)"));
}

TEST_CASE("sums are per currency: CAD and BTC do not offset each other", "[invariants]") {
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", -5, 0}, {"t1", "w2", "BTC", 5, 0}};
  in.balances = {{"w1", "CAD", 10, 0, 5, 0, false}, {"w2", "BTC", 0, 0, 5, 0, false}};
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("does not balance"));
}

TEST_CASE("a balance that does not equal its postings is vetoed", "[invariants]") {
  auto in = sound();
  in.balances[0].available_after = 501;
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("w1 CAD does not equal its postings"));
}

TEST_CASE("negative available is vetoed unless the balance may go negative", "[invariants]") {
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", -1500, 0}, {"t1", "w2", "CAD", 1500, 0}};
  in.balances = {{"w1", "CAD", 1000, 0, -500, 0, false}, {"w2", "CAD", 0, 0, 1500, 0, false}};
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("available would be negative on w1"));
  in.balances[0].may_go_negative = true;  // a system account, or negativewallet
  CHECK_FALSE(check(in));
}

TEST_CASE("held above total (negative available with a hold) is vetoed", "[invariants]") {
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", -150, 150}};
  in.balances = {{"w1", "CAD", 100, 0, -50, 150, false}};
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("held > total"));
}

TEST_CASE("negative held is vetoed even where available may go negative", "[invariants]") {
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", 100, -100}};
  in.balances = {{"w1", "CAD", 0, 50, 100, -50, true}};
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("held would be negative"));
}

TEST_CASE("a posting without its balance is vetoed", "[invariants]") {
  auto in = sound();
  in.balances.pop_back();
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("without its balance"));
}

TEST_CASE("overflowing deltas are vetoed, not wrapped", "[invariants]") {
  const og::int128 max = ~(og::int128(1) << 127);
  InvariantInput in;
  in.postings = {{"t1", "w1", "CAD", max, 0}, {"t1", "w1", "CAD", max, 0}};
  in.balances = {{"w1", "CAD", 0, 0, 0, 0, true}};
  auto v = check(in);
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("overflow"));
}
