#pragma once
// Transaction-level reconciliation: a bridge's internal movements (what the ledger booked
// through it) against the external records (its network's history, or a bank's statement
// entries), matched in memory (docs/reconciliation.md). Pure: no database, no network; the
// caller loads both sides and stores the report.
//
// Passes, each over what the earlier ones left:
//   1. reference: the same reference on both sides (an external transaction id, an
//      end-to-end id). One external record: matched when currency and amount agree, else an
//      amount mismatch. Several: matched together when they add up to it (many-to-one, a
//      payment that arrived in parts); else the ones that repeat the first exactly are
//      duplicates and the first is compared one-to-one.
//   2. batch: internal movements exported together (one pain.001 payment information block)
//      against one external record whose reference is the batch's: matched when it is their
//      sum (one-to-many: one bank debit settles the batch), else an amount mismatch.
//   3. amount and date: the same currency and amount within `window_days` of each other,
//      nearest first (a bank that gives no reference).
//   4. what is left: internal only (booked, never seen outside), external only (arrived,
//      never booked).
// Duplicates on the internal side (one reference booked twice) are reported as such too.
// Amounts are exact integers at the currency's scale; never floating point.

#include <cstdint>
#include <string>
#include <vector>

#include "common/amount.h"

namespace og::reconcile {

struct Record {
  std::string id;         // the ledger's txid, or the external record's own id
  std::string reference;  // shared by both sides when known ("" when not)
  std::string batch;      // internal only: the export batch it went out in ("" none)
  std::string currency;
  int128 units = 0;       // signed, at the currency's scale: + into the external account, - out of it
  std::int32_t day = 0;   // days since 1970-01-01 (booking date outside, posting date inside)
};

struct Options {
  int window_days = 3;  // pass 3: how far apart the two dates may be
};

enum class Kind : std::uint8_t { Matched, AmountMismatch, InternalOnly, ExternalOnly, Duplicate };
enum class Via : std::uint8_t { Reference, Batch, AmountDate, None };

const char* to_string(Kind k);
const char* to_string(Via v);

// One finding: the records of each side it names, as ranges of Report::internal /
// Report::external (indexes into the inputs), so that a million findings are not a
// million small vectors.
struct Finding {
  Kind kind = Kind::Matched;
  Via via = Via::None;
  std::uint32_t internal_begin = 0, internal_end = 0;
  std::uint32_t external_begin = 0, external_end = 0;
};

struct Report {
  std::vector<Finding> findings;
  std::vector<std::uint32_t> internal, external;  // what the findings' ranges point into
  std::size_t count(Kind k) const;
  bool clean() const;  // everything matched
};

// Throws std::invalid_argument when a side has more than 2^32 - 1 records.
Report match(const std::vector<Record>& internal, const std::vector<Record>& external, const Options& options = {});

}  // namespace og::reconcile
