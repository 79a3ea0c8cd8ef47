#pragma once
// Reads of the ledger for the API: wallets, balances, transactions. Plain rows with exact
// integer amounts; the API layer formats them.

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/amount.h"
#include "daemon/ledger/txids.h"

namespace og::ledger {

struct WalletRow {
  std::string waid, upid, name, market, shortcode, kind, parent_upid;
  bool is_default = false, trading = false;
};

struct BalanceRow {
  std::string currency;
  int128 available = 0, held = 0;
};

struct TransactionRow {
  std::string txid, type, state, currency, method, description, source_waid, destination_waid, bridge,
      external_txid, external_source_address, external_destination_address, created_at, finalized_at;
  int128 amount = 0, fee = 0;
  int bridge_code = 10000;
  std::string bridge_message;
  // For a wallet's history: the amount as the wallet saw it (negative when money left it)
  // and its total balance after the transaction.
  int128 signed_amount = 0, balance_after = 0;
  std::string source_total_after, destination_total_after;  // detail view, units as text ("" if none)
};

std::optional<WalletRow> find_wallet(pqxx::transaction_base& tx, const std::string& waid);
std::vector<WalletRow> wallets_of(pqxx::transaction_base& tx, const std::string& upid);
// Wallets whose name contains `text` (case-insensitive); of one profile, or of all when upid is "".
std::vector<WalletRow> wallets_named(pqxx::transaction_base& tx, const std::string& text, const std::string& upid);
std::vector<BalanceRow> balances_of(pqxx::transaction_base& tx, const std::string& waid);

// A wallet's transactions, newest first; `before`: only those older than this txid. A txid
// leads to its row through `txids` (its key is the row's sequence number).
std::vector<TransactionRow> transactions_of(pqxx::transaction_base& tx, const TxidCodec& txids, const std::string& waid,
                                            int limit, const std::string& before);
std::optional<TransactionRow> find_transaction(pqxx::transaction_base& tx, const TxidCodec& txids,
                                               const std::string& txid);
// Pending withdrawals of one bridge (method), oldest first.
std::vector<TransactionRow> pending_withdrawals(pqxx::transaction_base& tx, const std::string& method, int limit);

struct ProfileRow {
  std::string upid, parent_upid, status, issuername;
};
std::optional<ProfileRow> find_profile(pqxx::transaction_base& tx, const std::string& upid);

}  // namespace og::ledger
