#pragma once
// Readers of rippled's answers (JSON-RPC API v1) that decide what money arrived or what a
// wallet may do: a deposit from an account_tx entry, trust lines from account_lines, quotes
// from ripple_path_find. Pure functions of the answer (no network, no database), so that a
// fuzz harness (tests/fuzz/ripple_readers_fuzz.cpp) can feed them anything a broken or
// hostile server might send. A reader throws only std::exception (nlohmann's type errors
// for a field of the wrong type): the caller's round fails and is retried, and its
// position does not move past an entry it could not read.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "daemon/bridges/bridge.h"
#include "daemon/bridges/inbox.h"

namespace og::bridges::ripple {

// The ledger currency of a network amount's code and issuer (the bridge's currencies).
using CurrencyOf = std::function<std::string(const std::string& code, const std::string& issuer)>;

// A deposit, when `t` (an account_tx entry) is one: a Payment to `hot` from another account,
// in a validated ledger, with tesSUCCESS, for what it delivered (delivered_amount, never
// Amount). Its address is `hot` or `hot-TAG`; a DestinationTag that is not a 32-bit unsigned
// integer leaves it untagged (suspense), and the description says so.
std::optional<Arrival> arrival_of(const Json& t, const std::string& hot, const CurrencyOf& currency_of);

// For reconciliation: what an account_tx entry moved through `hot`, in a validated ledger with
// tesSUCCESS: an incoming payment as arrival_of reads it (+), or a Payment from `hot` to
// another account (-), each by its hash and for what it delivered; dated by the
// transaction's `date` (seconds since 2000-01-01, the XRP Ledger's epoch). nullopt for
// anything else, and for an entry without a date or a delivered amount that can be read.
std::optional<ExternalEntry> history_entry_of(const Json& t, const std::string& hot, const CurrencyOf& currency_of);

// account_lines' `lines`, as the address sees them (balances and limits in plain decimals).
std::vector<TrustLine> trust_lines_of(const Json& lines);

// ripple_path_find's `alternatives` that a ledger currency can pay, each with the network fee.
std::vector<Quote> quotes_of(const Json& alternatives, const std::string& fee_xrp, const CurrencyOf& currency_of);

// The fee to pay in drops from a `fee` answer's result: the larger of `drops.base_fee` and
// `drops.open_ledger_fee` (a transaction paying less waits in the queue or is dropped).
// None when neither is a positive whole number of at most 18 digits.
std::optional<long long> fee_drops_of(const Json& fee_result);

}  // namespace og::bridges::ripple
