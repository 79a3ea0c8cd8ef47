// The committers: the queue of submitted operations, batch formation, the committer
// threads, and running a batch (retried, or split into single operations, when it fails as
// a whole). A batch's steps are in batch.cpp, each operation's rules in ops/.

#include <algorithm>
#include <chrono>

#include "daemon/ledger/batch.h"
#include "daemon/ledger/invariants.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sql.h"
#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::ledger {

using engine::Batch;
using engine::t_conn_reset_needed;

namespace {
thread_local std::unique_ptr<pqxx::connection> t_conn;
// The committer's block of transaction sequence numbers (its own: no lock to take).
thread_local SeqBlock t_seqs;
WalletDirectory& directory() {
  static WalletDirectory d;
  return d;
}
}  // namespace

std::vector<std::shared_ptr<Ledger::Item>> Ledger::take_batch() {
  std::vector<std::shared_ptr<Item>> batch;
  auto blocked = [&](const Item& item) {
    for (const auto& k : item.keys)
      if (in_flight_.count(k)) return true;
    return false;
  };
  // Look a bounded way down the queue: with many more waiting than a batch holds, the
  // front ones go first anyway.
  const std::size_t scan = std::max<std::size_t>(64, 4 * options_.max_batch);
  std::size_t looked = 0;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < options_.max_batch && looked < scan; ++looked) {
    if (blocked(**it)) {
      ++it;
      continue;
    }
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  // The batch's own operations may share wallets with each other (one transaction runs
  // them in order); the keys go in-flight only now.
  for (const auto& item : batch)
    for (const auto& k : item->keys) ++in_flight_[k];
  running_ops_ += batch.size();
  return batch;
}

std::size_t Ledger::fill_target() const {
  return options_.batch_wait_us ? std::min(running_ops_ / 2, options_.max_batch) : 0;
}

void Ledger::committer_loop() {
  for (;;) {
    std::vector<std::shared_ptr<Item>> batch;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (!queue_.empty()) {
          // Group commit: while other batches are being run, a batch of a few operations
          // would pay a batch's fixed cost (a statement, a commit, a WAL flush) for little.
          // Wait a moment for it to fill: to half the size of those running, at most
          // batch_wait_us. Under light load no batch is running, and nothing waits.
          if (queue_.size() < fill_target() && !stopping_) {
            ++filling_;
            ++fill_waits_;
            fill_cv_.wait_for(lock, std::chrono::microseconds(options_.batch_wait_us),
                              [&] { return queue_.size() >= fill_target() || stopping_; });
            --filling_;
          }
          batch = take_batch();
          if (!batch.empty()) break;
        } else if (stopping_) {
          break;
        }
        // Nothing queued, or all of it waits for a running batch: a submit or the end of
        // a batch wakes us.
        cv_.wait(lock);
      }
    }
    if (batch.empty()) break;  // stopping and drained
    run_batch(batch, batch.size() == 1);
    bool more, stopping;
    {
      std::lock_guard lock(mu_);
      running_ops_ -= batch.size();
      for (const auto& item : batch)
        for (const auto& k : item->keys)
          if (auto it = in_flight_.find(k); it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
      more = !queue_.empty();
      stopping = stopping_;
    }
    // Operations left queued behind this batch may go now: this committer takes the next
    // batch itself, another one the rest. When stopping, committers waiting for this batch
    // must see the queue drained and leave.
    if (stopping) cv_.notify_all();
    else if (more) cv_.notify_one();
    if (options_.deliver) {
      for (auto& item : batch) options_.deliver([item = std::move(item)] { item->done(item->outcome); });
    } else {
      for (auto& item : batch) item->done(item->outcome);
    }
  }
  t_conn.reset();
}

void Ledger::run_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone) {
  auto reset = [&] {
    for (auto& item : batch) {
      item->outcome = Outcome{};
      item->decided = item->replay = false;
    }
  };
  bool one_statement = true;  // until a remembered balance proves stale
  for (int attempt = 1;; ++attempt) {
    try {
      if (!t_conn || !t_conn->is_open() || t_conn_reset_needed) {
        t_conn_reset_needed = false;
        t_conn.reset();
        auto conn = std::make_unique<pqxx::connection>(conninfo_);
        engine::prepare_statements(*conn);  // a connection without its statements is not kept
        t_conn = std::move(conn);
      }
      {
        pqxx::nontransaction tx(*t_conn);
        Batch b(tx, currencies_, directory(), txids_, t_seqs, cache_.get(), one_statement, batch);
        try {
          b.claim_idempotency_keys();
          b.prepare();
          b.lock_balances();
          b.apply();
          b.check_invariants(tamper_for_tests);
          b.write();
          b.commit();
        } catch (const pqxx::in_doubt_error&) {
          throw;
        } catch (...) {
          b.rollback();
          throw;
        }
        b.remember();
        if (b.one_statement()) ++one_statement_;
      }

      for (auto& item : batch)
        if (item->replay) item->outcome = engine::replay(*t_conn, *item);
      return;
    } catch (const engine::StaleBalances&) {
      // Nothing was written: the batch runs again, reading its balances under their locks.
      ++reruns_;
      reset();
      one_statement = false;
      --attempt;
      continue;
    } catch (const pqxx::transaction_rollback& e) {
      // A deadlock or serialization failure rolled everything back: try the batch again.
      // (Rare: the global lock order leaves only the race of two batches creating the
      // same missing balance row.)
      if (attempt < 3) {
        log::warn("ledger batch retried", {{"error", e.what()}, {"attempt", attempt}});
        reset();
        continue;
      }
      fail_batch(batch, alone, e);
      return;
    } catch (const std::exception& e) {
      fail_batch(batch, alone, e);
      return;
    }
  }
}

void Ledger::fail_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone, const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || store::is_unavailable(e)) t_conn.reset();
  bool in_doubt = dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
  if (!alone && !in_doubt) {
    // One bad operation must not fail its batch-mates: run each on its own.
    log::warn("ledger batch failed as a whole: its operations run one by one",
              {{"error", e.what()}, {"operations", batch.size()}});
    for (auto& item : batch) {
      std::vector<std::shared_ptr<Item>> single{item};
      item->outcome = Outcome{};
      item->decided = item->replay = false;
      run_batch(single, true);
    }
    return;
  }
  bool invariant = dynamic_cast<const InvariantViolation*>(&e) != nullptr;
  // The database could not be reached: nothing was committed (an interrupted commit is
  // in doubt instead), and the caller may retry (HTTP 503).
  bool unavailable = !in_doubt && store::is_unavailable(e);
  log::error(invariant ? "ledger invariant violated: transaction vetoed" : "ledger batch failed",
             {{"error", e.what()}, {"operations", batch.size()}, {"in_doubt", in_doubt}});
  for (auto& item : batch) {
    item->outcome = Outcome{Rc::SystemError,
                            in_doubt ? "the outcome is unknown: check the transaction list, or retry with the same "
                                       "Idempotency-Key"
                                     : (invariant ? "the ledger refused the transaction (invariant check)" : ""),
                            {}, {}, false};
    item->outcome.unavailable = unavailable;
  }
}

}  // namespace og::ledger
