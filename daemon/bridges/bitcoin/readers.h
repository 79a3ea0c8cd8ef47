#pragma once
// Pure readers of Bitcoin Core's answers (parsed with og::parse_exact: amounts arrive as the
// text bitcoind wrote), kept apart from the bridge so that they are unit tested and fuzzed
// (tests/unit/bitcoin_readers_tests.cpp, harness bitcoin_readers). Anything malformed is
// refused (nullopt, or left out with a reason), never guessed: a deposit that cannot be read
// exactly is not credited.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "daemon/bridges/bridge.h"
#include "daemon/bridges/inbox.h"

namespace og::bridges::bitcoin {

// A BTC amount as bitcoind writes it (0.10000000, -0.00000141, 21, or the same as a string)
// as a decimal with exactly 8 decimals ("0.10000000", "-0.00000141"). nullopt for anything
// else: an exponent, more than 8 significant decimals, more than 21 million, not a number.
std::optional<std::string> btc_of(const Json& value);
// The same amount in satoshis.
std::optional<long long> sats_of(const Json& value);
// Satoshis as BTC text with 8 decimals.
std::string btc_text(long long sats);

// A transaction id: 64 lower-case hex digits.
bool valid_txid(const Json& value);

// What one listsinceblock answer says about deposits, for a bridge that credits at
// `confirmations`.
struct DepositsSeen {
  std::vector<Arrival> ready;          // receive outputs with at least `confirmations`, once each (txid:vout)
  std::set<std::string> pending;       // receive outputs seen with fewer (not credited yet)
  std::set<std::string> conflicted;    // receive outputs with negative confirmations (double-spent)
  std::set<std::string> removed;       // receive outputs whose block left the chain (include_removed)
  std::set<std::string> confirmed;     // every receive output in the chain now (confirmations >= 1)
  std::vector<std::string> unreadable; // entries left out, and why
  std::string lastblock;               // where the next call starts
};
// nullopt when the answer has no valid lastblock or no transactions array.
std::optional<DepositsSeen> deposits_of(const Json& listsinceblock, int confirmations);

// What one listtransactions page says happened in the wallet, for reconciliation: receive
// outputs in the chain (confirmations >= 1: "txid:vout", + amount, the deposit's id) and
// sends that are not conflicted or abandoned (txid, - amount: the withdrawal's external id;
// the network fee is the platform's, not the withdrawal's). `oldest` is the earliest `time`
// on the page (0 when it had none).
struct WalletHistory {
  std::vector<ExternalEntry> entries;
  std::vector<std::string> unreadable;
  long long oldest = 0;
  std::size_t records = 0;
};
// nullopt when the answer is not an array.
std::optional<WalletHistory> history_of(const Json& listtransactions);

// estimatesmartfee's feerate (BTC per 1000 virtual bytes) in satoshis per virtual byte,
// rounded up (at least 1). nullopt when the node has no estimate (errors, no feerate).
std::optional<long long> fee_rate_of(const Json& estimatesmartfee);

// The wallet's send with this comment (omnid's withdrawal id) in a listsinceblock or
// listtransactions answer: its txid, preferring one not conflicted.
std::optional<std::string> send_with_comment(const Json& transactions, const std::string& comment);

// Where a send stands (gettransaction), for a bridge that settles at `confirmations`.
struct SendState {
  enum class State { InFlight, Completed, Conflicted, Abandoned } state = State::InFlight;
  long long confirmations = 0;
  std::string fee;                     // what the wallet paid the network, positive, 8 decimals ("" unknown)
  std::vector<std::string> conflicts;  // walletconflicts
  std::string comment;
};
std::optional<SendState> send_state_of(const Json& gettransaction, int confirmations);

// getbalances' mine.trusted, untrusted_pending and immature, 8 decimals each.
struct WalletBalances {
  std::string trusted, pending, immature;
};
std::optional<WalletBalances> balances_of(const Json& getbalances);

}  // namespace og::bridges::bitcoin
