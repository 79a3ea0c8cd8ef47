#pragma once
// The ledger's invariant check (rippled's InvariantCheck idea): it runs over everything a
// batch is about to commit and vetoes the batch if any of these fails:
//   1. the postings of each transaction sum to zero per currency (double entry);
//   2. each changed balance equals its value before plus its postings;
//   3. held is never negative;
//   4. available is never negative unless the balance may go negative (system accounts,
//      or a caller with the right negativewallet) - for the others this is held <= total.
// Pure: no database, no I/O, so it is tested on its own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/amount.h"

namespace og::ledger {

// The strings are views: what they view must outlive the check (the batch's own records).
struct InvariantInput {
  struct Posting {
    std::string_view txid, waid, currency;
    int128 available_delta = 0, held_delta = 0;
  };
  struct Balance {
    std::string_view waid, currency;
    int128 available_before = 0, held_before = 0;
    int128 available_after = 0, held_after = 0;
    bool may_go_negative = false;
  };
  std::vector<Posting> postings;
  std::vector<Balance> balances;  // every balance the postings touch
};

// nullopt when everything holds; otherwise what is wrong.
std::optional<std::string> check(const InvariantInput& in);

}  // namespace og::ledger
