#pragma once
// One batch of queued operations, run as one database transaction: its steps (claim the
// idempotency keys, prepare, lock and read the balances, apply, check the invariants,
// write, commit) and the helpers the operations' rules (ops/) use. The committer
// (committer.cpp) runs batches; the write and its SQL are in sql.cpp.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/ledger/balance_cache.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ops/ops.h"
#include "daemon/ledger/txids.h"
#include "daemon/ledger/wallets.h"

namespace og::ledger {

struct Ledger::Item {
  Operation op;
  std::vector<std::string> keys;  // what it contends on, for batch formation (Rules<Op>::conflict_keys)
  Actor actor;
  std::optional<IdempotencyKey> key;
  std::function<void(Outcome)> done;

  Outcome outcome;
  bool decided = false;  // outcome known (success or failure) within this batch
  bool replay = false;   // answer from the idempotency store after commit

  void fail(Rc rc, std::string detail) {
    outcome = Outcome{rc, std::move(detail), {}, {}, false};
    decided = true;
  }
};

}  // namespace og::ledger

namespace og::ledger::engine {

// A remembered balance was not as remembered (or a refusal rested on one): the batch
// changed nothing and runs again under locks.
struct StaleBalances : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Set when a failed batch could not be rolled back: the committer's connection is replaced.
extern thread_local bool t_conn_reset_needed;

// A row of the journal a batch inserts.
struct TxRecord {
  std::string txid, type, state, currency, method, description, source, destination, bridge, external_txid,
      external_source, external_destination, initiator;
  int128 amount = 0;
  std::uint64_t seq = 0;  // the journal's key; txid is its permutation (txids.h)
};

// A pending transaction a batch closes.
struct StateChange {
  std::uint64_t seq = 0;  // of the pending transaction
  std::string txid, state, external_txid, source;
};

// Per item of a batch: what its operation's prepare resolved, for its apply.
struct Plan {
  std::string source, destination;  // wallets moved from / to
  std::shared_ptr<const Currency> currency;  // the shared entry of Currencies: no copy per item
  int128 amount = 0;
  std::string clearing;  // bridge clearing or issuer equity wallet
  std::uint64_t close_seq = 0;  // CloseWithdraw: the pending transaction's fields
  std::string close_source;
  int128 close_amount = 0;
  std::string close_currency;
  std::optional<std::size_t> same_deposit_as;  // the same external deposit earlier in the batch
};

// Everything one batch needs, built while it runs.
//
// The batch is one database transaction, begun by hand on a nontransaction so that BEGIN
// travels with the batch's first statement: a batch of transfers whose wallets are cached
// goes to the database three times (BEGIN + lock and read, write, COMMIT). Whatever may
// touch the database goes through begin() first.
class Batch {
 public:
  // `cache`: the node's remembered balances (null: none); `one_statement`: whether the batch
  // may write from them in one statement instead of locking and reading first.
  Batch(pqxx::nontransaction& tx, Currencies& currencies, WalletDirectory& wallets, const TxidCodec& txids,
        SeqBlock& seqs, Ledger::BalanceCache* cache, bool one_statement,
        const std::vector<std::shared_ptr<Ledger::Item>>& items)
      : tx_(tx), currencies_(currencies), wallets_(wallets), txids_(txids), seqs_(seqs), cache_(cache),
        may_skip_locks_(cache && one_statement), items_(items) {}

  std::vector<Ledger::Posting> postings;  // in order, for the invariant check
  std::vector<std::string> posting_txids;

  void claim_idempotency_keys();
  void prepare();  // static checks, wallet facts, system accounts, transaction locks
  void lock_balances();
  void apply();
  void check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper);
  void write();     // sql.cpp
  void commit();    // COMMIT, if anything was begun; a lost connection here is in doubt
  void rollback();  // after a failure: ROLLBACK, or drop the connection
  void remember();  // after the commit: the balances as the batch left them, for the next ones
  bool one_statement() const { return one_statement_; }  // written from remembered balances

  // For the operations' rules (ops/).
  pqxx::nontransaction& tx() { return tx_; }
  void begin() {
    if (begun_) return;
    tx_.exec0("BEGIN");
    begun_ = true;
  }
  const std::vector<std::shared_ptr<Ledger::Item>>& items() const { return items_; }
  const Plan& plan(std::size_t index) const { return plans_[index]; }
  const TxidCodec& txids() const { return txids_; }
  // A wallet named by the request: not found (answered as NotFound) if unknown or a system account.
  const WalletInfo* wallet(Ledger::Item& item, const std::string& waid, const char* param);
  void look_up_wallet(const std::string& waid) { wallets_.get(tx_, {waid}, info_); }
  std::shared_ptr<const Currency> currency_of(Ledger::Item& item, const std::string& code);
  std::optional<int128> amount_of(Ledger::Item& item, const Currency& c, const std::string& text);
  bool may_spend_from(const Actor& actor, const WalletInfo& w) const;
  void refuse_spending(Ledger::Item& item, const WalletInfo& w, const std::string& waid, const char* param) const;
  // A balance to lock and read (`system`: created as a system account if missing).
  void want(const std::string& waid, const std::string& currency, bool system) { wanted_[{waid, currency}] = system; }
  Balance& balance(const std::string& waid, const std::string& currency) { return balances_.at({waid, currency}); }
  bool available_after(Ledger::Item& item, const Balance& b, int128 amount, bool negative_allowed,
                       const std::string& code);
  // A new transaction's key and id, taken once its operation passed its checks.
  struct Minted {
    std::uint64_t seq = 0;
    std::string txid;
  };
  Minted mint() {
    const std::uint64_t seq = seqs_.next(tx_);
    return Minted{seq, txids_.txid_of(seq)};
  }
  void post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh);
  // Money entering a wallet from a system account (a bridge's clearing, an issuer's equity):
  // plan.clearing available −X, plan.destination available +X, in a new transaction. Empty
  // (the item failed) if the wallet's balance would overflow.
  std::optional<Minted> move_in(Ledger::Item& item, const Plan& plan);
  void record(TxRecord r) { records_.push_back(std::move(r)); }
  void close(StateChange c) { state_changes_.push_back(std::move(c)); }

 private:
  // A statement with its values as quoted literals, sent with BEGIN when it is the first.
  pqxx::result first_or_exec(const std::string& sql) {
    if (begun_) return tx_.exec(sql);
    begun_ = true;
    return tx_.exec("BEGIN; " + sql);
  }
  bool begun_ = false;
  // The one-statement path gives up: the batch's balances are forgotten, and it runs again
  // under locks (nothing was written).
  [[noreturn]] void stale(const std::string& why) {
    for (const auto& [key, system] : wanted_) cache_->forget(key);
    throw StaleBalances(why);
  }
  void add_balance(const pqxx::row& r);

  pqxx::nontransaction& tx_;
  Currencies& currencies_;
  WalletDirectory& wallets_;
  const TxidCodec& txids_;
  SeqBlock& seqs_;
  Ledger::BalanceCache* cache_;
  const bool may_skip_locks_;
  bool one_statement_ = false;  // the balances came from cache_: no locks taken, nothing read
  std::map<BalanceKey, std::string> written_;  // balance -> its new row version (ctid), from the write
  const std::vector<std::shared_ptr<Ledger::Item>>& items_;

  WalletRefs info_;  // the wallets of the batch, read from the directory's cache
  std::map<BalanceKey, Balance> balances_;
  std::map<BalanceKey, bool> wanted_;  // balances to lock -> created as a system account
  std::vector<Plan> plans_;  // per item (same index)
  OperationStates states_;   // per operation: what its lock and read hooks found
  std::vector<TxRecord> records_;
  std::vector<StateChange> state_changes_;
};

}  // namespace og::ledger::engine
