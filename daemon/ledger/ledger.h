#pragma once
// The ledger: every movement of money goes through Ledger::submit. It never loses, creates
// or double-spends money, on one node or on several sharing one database:
//
//  * Double entry: each transaction is a set of postings that sums to zero per currency.
//  * A balance is total = available + held. A withdrawal moves money from available to
//    held (Pending); closing it posts it (held leaves) or voids it (held returns).
//  * An invariant check runs over every batch before it commits and vetoes it if postings
//    do not balance, a balance that may not go negative would, or held would be negative.
//  * Group commit: operations queue up and committer threads take them in batches. A batch
//    is one database transaction; each operation keeps its own outcome (an overdraft fails
//    alone). If the batch fails as a whole, its operations are retried one by one.
//  * Rows are locked in one global order (transactions by their key, seq, then balances by
//    wallet and currency), so nodes never deadlock each other.
//  * Within one node, a committer forms its batch from queued operations that share no
//    wallet with a batch another committer is running: batches run side by side instead of
//    waiting for each other's locks through a commit, and operations on one wallet run in
//    the order they were submitted.
//  * Idempotency: an operation with a key runs once; the stored outcome answers retries.
//
// The ledger knows nothing of HTTP or JSON: amounts arrive as decimal text and are parsed
// with the currency's precision here, outcomes are result codes and identifiers.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/result_codes.h"
#include "daemon/ledger/currencies.h"
#include "daemon/ledger/txids.h"

namespace og::store {
class Pool;
}

namespace og::ledger {

// Who asks, with the rights that matter to moving money.
struct Actor {
  std::string credential;        // akid_/uuid_: recorded as the initiator, scopes idempotency keys
  std::string upid;              // the profile it acts as
  bool superuser = false;        // moves money out of any wallet
  bool charge_child = false;     // chargechildprofile: out of a child profile's wallets
  bool negative_wallet = false;  // negativewallet: may take a user balance below zero
};

struct Transfer {
  std::string source_waid, destination_waid, currency, amount, description;
};
struct Withdraw {
  std::string waid;  // empty: the actor's default wallet
  std::string currency, amount, method, destination_address, description;
};
struct Deposit {  // a bridge reports money that arrived
  std::string waid, currency, amount, bridge, external_txid, external_source_address, description;
};
struct Issue {  // an issuer creates its own currency in its default wallet
  std::string currency, amount;
};
struct CloseWithdraw {  // a bridge reports the end of a pending withdrawal
  std::string txid, bridge;
  bool completed = false;
  std::string external_txid;
};
using Operation = std::variant<Transfer, Withdraw, Deposit, Issue, CloseWithdraw>;

struct IdempotencyKey {
  std::string key;
  std::string request_hash;  // the same key with another request is refused
};

struct Outcome {
  Rc rc = Rc::Ok;
  std::string detail;
  std::string txid;
  std::string waid;
  bool replayed = false;  // answered from the idempotency store or a duplicate deposit
  bool unavailable = false;  // SystemError because the database could not be reached (nothing was done)
};

struct LedgerOptions {
  std::size_t committers = 2;    // threads (and database connections) committing batches
  std::size_t max_batch = 128;   // operations per database transaction
  // Balances remembered between batches (0: none). A batch of transfers whose balances are
  // all remembered goes to the database once, as one statement that commits only if every
  // balance is still as remembered (docs/ledger.md, "The one-statement path").
  std::size_t balance_cache = 100000;
  // How long (microseconds, 0: never) an idle committer may wait for its batch to fill
  // while other committers run theirs: it starts once half as many operations as those
  // batches hold (at most max_batch) are queued, or when the time is up. Fewer, larger
  // batches cost less per operation; with no other batch running (light load) nothing
  // ever waits (docs/ledger.md, "Forming batches, and batches that fail").
  std::size_t batch_wait_us = 500;
  // Where outcomes are delivered, one call per operation: by default on the committer
  // thread; omnid hands them to its I/O threads (which write the answers), so that
  // committers go straight back to the database.
  std::function<void(std::function<void()>)> deliver;
};

class Ledger {
 public:
  Ledger(std::string conninfo, store::Pool& pool, LedgerOptions options = {});
  ~Ledger();  // finishes what is queued, then stops
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Queues an operation; `done` is called once, from a committer thread.
  void submit(Operation op, Actor actor, std::optional<IdempotencyKey> key, std::function<void(Outcome)> done);
  // The same, waiting for the outcome (tests, tools).
  Outcome execute(Operation op, Actor actor, std::optional<IdempotencyKey> key = std::nullopt);

  Currencies& currencies() { return currencies_; }

  // How batches went to the database so far (for tests and benchmarks).
  struct Stats {
    std::uint64_t one_statement = 0;  // batches committed in one statement from remembered balances
    std::uint64_t reruns = 0;         // batches that found a remembered balance changed (or could
                                      // not vouch for one) and ran again under locks
    std::uint64_t fill_waits = 0;     // times a committer waited for its batch to fill (batch_wait_us)
  };
  Stats stats() const;
  // Transaction ids and the journal's sequence numbers (the key is the database's).
  const TxidCodec& txids() const { return txids_; }

  // For tests of the invariant check: when set, called on every batch's postings before
  // the check, and may corrupt them.
  struct Posting {
    std::string waid, currency;
    int128 available_delta = 0, held_delta = 0;
  };
  std::function<void(std::vector<Posting>&)> tamper_for_tests;
  // For tests of the one-statement path: this node now remembers the balance's available
  // units as `available`, still at its row's current place, as after the row's old slot
  // was reused by a newer version. False if the balance is not remembered.
  bool misremember_for_tests(const std::string& waid, const std::string& currency, int128 available);

  struct Item;  // a queued operation (public for the engine's helpers)
  class BalanceCache;  // balances remembered between batches (likewise)

 private:
  void committer_loop();
  // Takes up to max_batch queued operations that share no wallet with a batch another
  // committer is running (called with mu_ held); empty when every queued one does.
  std::vector<std::shared_ptr<Item>> take_batch();
  // How many queued operations an idle committer waits for (options_.batch_wait_us): half
  // of those in the batches being run, at most max_batch; 0 (take what there is) when none
  // is running.
  std::size_t fill_target() const;
  void run_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone);
  void fail_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone, const std::exception& e);


  std::string conninfo_;
  Currencies currencies_;
  TxidCodec txids_;
  LedgerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable fill_cv_;  // a committer waiting for its batch to fill
  int filling_ = 0;                  // committers waiting on fill_cv_
  std::size_t running_ops_ = 0;      // operations in the batches being run
  std::deque<std::shared_ptr<Item>> queue_;
  // Wallets (and other contended rows) of the batches being run, with how many batches
  // hold each: a committer leaves operations on them queued rather than wait for the
  // other batch's locks through its commit.
  std::unordered_map<std::string, int> in_flight_;
  bool stopping_ = false;
  std::unique_ptr<BalanceCache> cache_;  // null when options_.balance_cache is 0
  std::atomic<std::uint64_t> one_statement_{0}, reruns_{0}, fill_waits_{0};
  std::vector<std::thread> committers_;
};

// Raised inside a batch when the invariant check fails: the batch is vetoed.
struct InvariantViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace og::ledger
