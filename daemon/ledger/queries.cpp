#include "daemon/ledger/queries.h"

#include "common/json.h"

namespace og::ledger {

namespace {

constexpr const char* kWalletColumns =
    "w.waid, coalesce(w.upid, ''), w.name, coalesce(w.market, ''), w.shortcode, w.kind, coalesce(p.parent_upid, ''), "
    "w.is_default, w.trading";

WalletRow wallet_from(const pqxx::row& r) {
  return WalletRow{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(), r[7].as<bool>(),
                   r[8].as<bool>()};
}

int128 units(const pqxx::field& f) {
  if (f.is_null()) return 0;
  return int128_from_string(f.as<std::string>()).value_or(0);
}

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

std::string transaction_columns(const std::string& alias) {
  const std::string t = alias + ".";
  return t + "txid, " + t + "type, " + t + "state, " + t + "currency, " + t + "method, coalesce(" + t +
         "description, ''), coalesce(" + t + "source_waid, ''), coalesce(" + t + "destination_waid, ''), coalesce(" + t +
         "bridge, ''), coalesce(" + t + "external_txid, ''), coalesce(" + t + "external_source_address, ''), coalesce(" +
         t + "external_destination_address, ''), to_char(" + t + "created_at AT TIME ZONE 'UTC', " + kIso +
         "), coalesce(to_char(" + t + "finalized_at AT TIME ZONE 'UTC', " + kIso + "), ''), " + t + "amount::text, " +
         t + "fee::text, " + t + "bridge_code, " + t + "bridge_message";
}

TransactionRow transaction_from(const pqxx::row& r) {
  TransactionRow t;
  t.txid = r[0].as<std::string>();
  t.type = r[1].as<std::string>();
  t.state = r[2].as<std::string>();
  t.currency = r[3].as<std::string>();
  t.method = r[4].as<std::string>();
  t.description = r[5].as<std::string>();
  t.source_waid = r[6].as<std::string>();
  t.destination_waid = r[7].as<std::string>();
  t.bridge = r[8].as<std::string>();
  t.external_txid = r[9].as<std::string>();
  t.external_source_address = r[10].as<std::string>();
  t.external_destination_address = r[11].as<std::string>();
  t.created_at = r[12].as<std::string>();
  t.finalized_at = r[13].as<std::string>();
  t.amount = units(r[14]);
  t.fee = units(r[15]);
  t.bridge_code = r[16].as<int>();
  t.bridge_message = r[17].as<std::string>();
  return t;
}

}  // namespace

std::optional<WalletRow> find_wallet(pqxx::transaction_base& tx, const std::string& waid) {
  auto r = tx.exec_params(std::string("SELECT ") + kWalletColumns +
                              " FROM wallets w LEFT JOIN profiles p ON p.upid = w.upid WHERE w.waid = $1",
                          waid);
  if (r.empty()) return std::nullopt;
  return wallet_from(r[0]);
}

std::vector<WalletRow> wallets_of(pqxx::transaction_base& tx, const std::string& upid) {
  std::vector<WalletRow> out;
  for (const auto& r : tx.exec_params(std::string("SELECT ") + kWalletColumns +
                                          " FROM wallets w LEFT JOIN profiles p ON p.upid = w.upid "
                                          "WHERE w.upid = $1 AND w.kind = 'user' ORDER BY w.created_at, w.waid",
                                      upid))
    out.push_back(wallet_from(r));
  return out;
}

std::vector<WalletRow> wallets_named(pqxx::transaction_base& tx, const std::string& text, const std::string& upid) {
  std::vector<WalletRow> out;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kWalletColumns +
               " FROM wallets w LEFT JOIN profiles p ON p.upid = w.upid "
               "WHERE w.kind = 'user' AND strpos(lower(w.name), lower($1)) > 0 AND ($2 = '' OR w.upid = $2) "
               "ORDER BY w.created_at, w.waid LIMIT 1000",
           text, upid))
    out.push_back(wallet_from(r));
  return out;
}

std::vector<BalanceRow> balances_of(pqxx::transaction_base& tx, const std::string& waid) {
  std::vector<BalanceRow> out;
  for (const auto& r :
       tx.exec_params("SELECT currency, available::text, held::text FROM balances WHERE waid = $1 ORDER BY currency", waid))
    out.push_back({r[0].as<std::string>(), units(r[1]), units(r[2])});
  return out;
}

namespace {
// The row key of a txid; -1 (no row) when the text is not a txid.
std::int64_t seq_param(const TxidCodec& txids, const std::string& txid) {
  auto seq = txids.seq_of(txid);
  return seq ? static_cast<std::int64_t>(*seq) : -1;
}
}  // namespace

std::vector<TransactionRow> transactions_of(pqxx::transaction_base& tx, const TxidCodec& txids, const std::string& waid,
                                            int limit, const std::string& before) {
  // Newest first: the wallet's sending and receiving transactions, each side by its index.
  std::vector<TransactionRow> out;
  const std::string columns = transaction_columns("t") +
                              ", coalesce(t.source_balance_after::text, ''), "
                              "coalesce(t.destination_balance_after::text, ''), t.created_at AS at ";
  const std::string cursor =
      " AND ($3 = '' OR (t.created_at, t.txid) < (SELECT created_at, txid FROM transactions WHERE seq = $4)) ";
  // Each side walks its own ordered index; the two pages merge into one.
  for (const auto& r : tx.exec_params(
           "SELECT * FROM ("
           " (SELECT " + columns + "FROM transactions t WHERE t.source_waid = $1" + cursor +
               "  ORDER BY t.created_at DESC, t.txid DESC LIMIT $2)"
               " UNION ALL "
               " (SELECT " + columns + "FROM transactions t WHERE t.destination_waid = $1 "
               "  AND t.source_waid IS DISTINCT FROM $1" + cursor +
               "  ORDER BY t.created_at DESC, t.txid DESC LIMIT $2)"
               ") page ORDER BY at DESC, txid DESC LIMIT $2",
           waid, limit, before, seq_param(txids, before))) {
    TransactionRow t = transaction_from(r);
    t.source_total_after = r[18].as<std::string>();
    t.destination_total_after = r[19].as<std::string>();
    // A withdrawal counts as money out from the moment it is held.
    const bool outgoing = t.source_waid == waid;
    t.signed_amount = outgoing ? -t.amount : t.amount;
    t.balance_after = int128_from_string(outgoing ? t.source_total_after : t.destination_total_after).value_or(0);
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<TransactionRow> find_transaction(pqxx::transaction_base& tx, const TxidCodec& txids,
                                               const std::string& txid) {
  auto r = tx.exec_params("SELECT " + transaction_columns("t") +
                              ", coalesce(t.source_balance_after::text, ''), "
                              "coalesce(t.destination_balance_after::text, '') FROM transactions t "
                              "WHERE t.seq = $1 AND t.txid = $2",
                          seq_param(txids, txid), txid);
  if (r.empty()) return std::nullopt;
  TransactionRow t = transaction_from(r[0]);
  t.source_total_after = r[0][18].as<std::string>();
  t.destination_total_after = r[0][19].as<std::string>();
  return t;
}

std::vector<TransactionRow> pending_withdrawals(pqxx::transaction_base& tx, const std::string& method, int limit) {
  std::vector<TransactionRow> out;
  for (const auto& r : tx.exec_params("SELECT " + transaction_columns("t") +
                                          " FROM transactions t WHERE t.state = 'Pending' AND t.method = $1 "
                                          "AND t.type = 'withdraw' ORDER BY t.created_at, t.txid LIMIT $2",
                                      method, limit))
    out.push_back(transaction_from(r));
  return out;
}

std::optional<ProfileRow> find_profile(pqxx::transaction_base& tx, const std::string& upid) {
  auto r = tx.exec_params(
      "SELECT upid, coalesce(parent_upid, ''), status, coalesce(extended->>'issuername', '') FROM profiles "
      "WHERE upid = $1",
      upid);
  if (r.empty()) return std::nullopt;
  return ProfileRow{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                    r[0][3].as<std::string>()};
}

}  // namespace og::ledger
