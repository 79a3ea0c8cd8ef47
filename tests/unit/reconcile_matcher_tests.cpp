// The reconciliation matcher (daemon/reconcile/matcher.h): every kind of finding produced
// on purpose and found, each pass on its own, and inputs that cannot be matched.
#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/reconcile/matcher.h"

using og::reconcile::Finding;
using og::reconcile::Kind;
using og::reconcile::match;
using og::reconcile::Options;
using og::reconcile::Record;
using og::reconcile::Report;
using og::reconcile::Via;

namespace {

Record rec(std::string id, std::string reference, og::int128 units, int day = 100, std::string currency = "EUR",
           std::string batch = "") {
  return Record{std::move(id), std::move(reference), std::move(batch), std::move(currency), units, day};
}

// The ids a finding names on each side, "in1,in2|ex1".
std::string ids(const Report& r, const Finding& f, const std::vector<Record>& in, const std::vector<Record>& ex) {
  std::string out;
  for (auto k = f.internal_begin; k < f.internal_end; ++k) out += (k == f.internal_begin ? "" : ",") + in[r.internal[k]].id;
  out += "|";
  for (auto k = f.external_begin; k < f.external_end; ++k) out += (k == f.external_begin ? "" : ",") + ex[r.external[k]].id;
  return out;
}

// Every finding as "kind/via:ids", sorted (the order of findings is not part of the contract).
std::vector<std::string> described(const std::vector<Record>& in, const std::vector<Record>& ex,
                                   const Options& o = {}) {
  const Report r = match(in, ex, o);
  std::vector<std::string> out;
  for (const auto& f : r.findings)
    out.push_back(std::string(og::reconcile::to_string(f.kind)) + "/" + og::reconcile::to_string(f.via) + ":" +
                  ids(r, f, in, ex));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("reconcile: matched by reference, amount mismatches, one side only", "[reconcile]") {
  std::vector<Record> in{rec("t1", "ref-1", 1000), rec("t2", "ref-2", 2500), rec("t3", "ref-3", 700)};
  std::vector<Record> ex{rec("x1", "ref-1", 1000, 101), rec("x2", "ref-2", 2499), rec("x4", "ref-4", 50)};
  CHECK(described(in, ex) == std::vector<std::string>{"amount_mismatch/reference:t2|x2", "external_only/none:|x4",
                                                      "internal_only/none:t3|", "matched/reference:t1|x1"});
  // Another currency under the same reference is a mismatch too, not a match.
  in = {rec("t1", "ref-1", 1000, 100, "USD")};
  ex = {rec("x1", "ref-1", 1000, 100, "EUR")};
  CHECK(described(in, ex) == std::vector<std::string>{"amount_mismatch/reference:t1|x1"});
  // A reference match ignores dates: a statement may book days later.
  in = {rec("t1", "ref-1", 1000, 100)};
  ex = {rec("x1", "ref-1", 1000, 190)};
  CHECK(described(in, ex) == std::vector<std::string>{"matched/reference:t1|x1"});
}

TEST_CASE("reconcile: duplicates on either side", "[reconcile]") {
  // The same statement entry twice (a file imported twice): one matched, one duplicate.
  std::vector<Record> in{rec("t1", "bank-9", 1000)};
  std::vector<Record> ex{rec("x1", "bank-9", 1000), rec("x1-again", "bank-9", 1000)};
  CHECK(described(in, ex) ==
        std::vector<std::string>{"duplicate/reference:|x1,x1-again", "matched/reference:t1|x1"});
  // One external transaction credited twice.
  in = {rec("t1", "txhash", 500), rec("t2", "txhash", 500)};
  ex = {rec("x1", "txhash", 500)};
  CHECK(described(in, ex) == std::vector<std::string>{"duplicate/reference:t1,t2|", "matched/reference:t1|x1"});
}

TEST_CASE("reconcile: many-to-one and one-to-many", "[reconcile]") {
  // One payment that arrived in two parts under its reference.
  std::vector<Record> in{rec("t1", "e2e-1", 1000)};
  std::vector<Record> ex{rec("x1", "e2e-1", 600, 100), rec("x2", "e2e-1", 400, 101)};
  CHECK(described(in, ex) == std::vector<std::string>{"matched/reference:t1|x1,x2"});
  // Parts that do not add up: the first compared, the rest left over.
  ex = {rec("x1", "e2e-1", 600, 100), rec("x2", "e2e-1", 300, 101)};
  CHECK(described(in, ex) ==
        std::vector<std::string>{"amount_mismatch/reference:t1|x1", "external_only/none:|x2"});
  // A pain.001 batch of three withdrawals settled by one bank debit of their sum.
  in = {rec("w1", "e2e-a", -100, 100, "EUR", "PMT-7"), rec("w2", "e2e-b", -250, 100, "EUR", "PMT-7"),
        rec("w3", "e2e-c", -50, 100, "EUR", "PMT-7")};
  ex = {rec("d1", "PMT-7", -400, 102)};
  CHECK(described(in, ex) == std::vector<std::string>{"matched/batch:w1,w2,w3|d1"});
  ex = {rec("d1", "PMT-7", -350, 102)};
  CHECK(described(in, ex) == std::vector<std::string>{"amount_mismatch/batch:w1,w2,w3|d1"});
}

TEST_CASE("reconcile: amount and date within the window, nearest first", "[reconcile]") {
  // No references (a bank that gives none): equal amounts paired by date.
  std::vector<Record> in{rec("t1", "", 1000, 100), rec("t2", "", 1000, 110), rec("t3", "", 999, 100)};
  std::vector<Record> ex{rec("x2", "", 1000, 111), rec("x1", "", 1000, 102), rec("x3", "", 999, 104)};
  CHECK(described(in, ex, Options{.window_days = 3}) ==
        std::vector<std::string>{"external_only/none:|x3", "internal_only/none:t3|", "matched/amount_date:t1|x1",
                                 "matched/amount_date:t2|x2"});
  CHECK(described(in, ex, Options{.window_days = 4}).size() == 3);  // x3 is 4 days after t3
  // A reference only one side knows falls through to the amount and date pass.
  in = {rec("t1", "txid-1", 1000, 100)};
  ex = {rec("x1", "", 1000, 100)};
  CHECK(described(in, ex) == std::vector<std::string>{"matched/amount_date:t1|x1"});
  // The window 0: the same day only; signs matter.
  in = {rec("t1", "", -1000, 100), rec("t2", "", 1000, 100)};
  ex = {rec("x1", "", 1000, 101), rec("x2", "", 1000, 100)};
  CHECK(described(in, ex, Options{.window_days = 0}) ==
        std::vector<std::string>{"external_only/none:|x1", "internal_only/none:t1|", "matched/amount_date:t2|x2"});
}

TEST_CASE("reconcile: a clean run, empty sides, bad options", "[reconcile]") {
  std::vector<Record> in{rec("t1", "a", 1), rec("t2", "b", 2)};
  std::vector<Record> ex{rec("x2", "b", 2), rec("x1", "a", 1)};
  Report r = match(in, ex);
  CHECK(r.clean());
  CHECK(r.count(Kind::Matched) == 2);
  CHECK(match({}, {}).findings.empty());
  CHECK(match({}, {}).clean());
  Report only = match(in, {});
  CHECK_FALSE(only.clean());
  CHECK(only.count(Kind::InternalOnly) == 2);
  CHECK_THROWS_AS(match(in, ex, Options{.window_days = -1}), std::invalid_argument);
  // Amounts beyond 64 bits are exact (int128), and sums that would overflow are no match.
  const og::int128 big = static_cast<og::int128>(1) << 100;
  in = {rec("t1", "r", big)};
  ex = {rec("x1", "r", big)};
  CHECK(match(in, ex).clean());
  const og::int128 max = ~(static_cast<og::int128>(1) << 127);
  in = {rec("t1", "r", max)};
  ex = {rec("x1", "r", max), rec("x2", "r", 5)};
  CHECK(described(in, ex) == std::vector<std::string>{"external_only/none:|x2", "matched/reference:t1|x1"});
}
