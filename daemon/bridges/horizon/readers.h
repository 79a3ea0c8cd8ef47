#pragma once
// Readers of Horizon's answers (the Stellar network's REST API) that decide what money
// arrived and where an account stands: deposits from a payments page, an account's sequence,
// balances and data, a submission's result codes, ledger close times. Pure functions of the
// answer (no network, no database). Amounts stay decimal text as Horizon writes them (7
// decimals), checked with og::stellar::parse_amount: never floating point. A reader throws
// only std::exception (a field of the wrong type): the caller's round fails and is retried,
// and its position does not move past a record it could not read.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "daemon/bridges/bridge.h"
#include "daemon/bridges/inbox.h"

namespace og::bridges::horizon {

// The ledger currency of a credit asset's code and issuer ("CODE/issuer" when none is ours).
using CurrencyOf = std::function<std::string(const std::string& code, const std::string& issuer)>;

struct PaymentsPage {
  std::vector<Arrival> arrivals;  // successful incoming payments and create_account fundings
  std::size_t records = 0;        // how many records the page had (incoming or not)
  std::string last_token;         // the paging_token of its last record ("" when it had none)
  std::vector<std::string> unreadable;  // records left out, and why (logged)
};

// A page of GET /accounts/{hot}/payments?join=transactions. Deposits: `payment` records to
// `hot` (or to a muxed M... address of `hot`) and `create_account` records funding `hot`,
// whose transaction succeeded, from another account. The arrival's address is "hot-MEMO"
// when the transaction has a MEMO_ID (or, without one, the payment went to a muxed address:
// its id), else `hot` alone (suspense). Its id is the operation id.
PaymentsPage payments_of(const Json& page, const std::string& hot, const CurrencyOf& currency_of);

// A page of GET /accounts/{hot}/payments?order=desc&join=transactions, for reconciliation:
// what moved through the hot account in successful transactions. Incoming payments and
// fundings: the operation id (the deposit's id), + amount, the address as for deposits
// ("hot-MEMO" or `hot`). Outgoing: the transaction hash (the withdrawal's external id), -
// amount, the destination. `oldest` is the earliest created_at on the page (seconds).
struct HistoryPage {
  std::vector<ExternalEntry> entries;
  std::size_t records = 0;
  std::string last_token;
  std::int64_t oldest = 0;
  std::vector<std::string> unreadable;
};
HistoryPage history_of(const Json& page, const std::string& hot, const CurrencyOf& currency_of);

struct AccountState {
  std::int64_t sequence = 0;  // the last sequence number used
  std::vector<std::pair<std::string, std::string>> balances;  // currency ("XLM", or via CurrencyOf), amount
  Json data = Json::object();  // name -> base64 value
};
// GET /accounts/{id}; nullopt when the answer has no valid sequence.
std::optional<AccountState> account_of(const Json& account, const CurrencyOf& currency_of);

// The trust lines in GET /accounts/{id}'s balances (credit assets only; native XLM needs
// none): the network's code and issuer, the balance and the limit as Horizon writes them.
// Entries that are not valid (a bad amount, no code or issuer) are left out.
std::vector<TrustLine> trust_lines_of(const Json& account);

// Whether an account's data says memo_required (SEP-29: config.memo_required = "1").
bool memo_required(const AccountState& a);

// A destination as wallet/withdraw takes it: G..., M... (muxed), or G...-MEMOID.
struct Destination {
  std::string account;                 // G...
  std::optional<std::uint64_t> memo;   // MEMO_ID
  std::optional<std::uint64_t> muxed;  // the M... address's id
  std::string muxed_address;           // the M... address as given
};
std::optional<Destination> parse_destination(const std::string& text, std::string& why);

// A decimal of 1 to 20 digits that fits in 64 bits unsigned (no sign, no leading zero but "0").
std::optional<std::uint64_t> parse_u64(const std::string& text);

// ISO 8601 UTC ("2026-12-03T12:35:31Z") as seconds since the epoch.
std::optional<std::int64_t> parse_time(const std::string& iso);

// The result codes of a problem answer (POST /transactions 400): extras.result_codes
// {transaction, operations}; empty when it has none.
struct ResultCodes {
  std::string transaction;
  std::vector<std::string> operations;
};
ResultCodes result_codes_of(const Json& problem);

}  // namespace og::bridges::horizon
