#include "daemon/ledger/ledger.h"

#include <algorithm>
#include <future>
#include <utility>

#include "daemon/ledger/balance_cache.h"
#include "daemon/ledger/batch.h"
#include "daemon/store/pool.h"

namespace og::ledger {

namespace {
TxidCodec load_txids(store::Pool& pool) {
  auto conn = pool.acquire();
  pqxx::nontransaction tx(*conn);
  return TxidCodec::load(tx);
}
}  // namespace

Ledger::Ledger(std::string conninfo, store::Pool& pool, LedgerOptions options)
    : conninfo_(std::move(conninfo)), currencies_(pool), txids_(load_txids(pool)), options_(options),
      cache_(options_.balance_cache ? std::make_unique<BalanceCache>(options_.balance_cache) : nullptr) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.committers); ++i)
    committers_.emplace_back([this] { committer_loop(); });
}

Ledger::~Ledger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  fill_cv_.notify_all();
  for (auto& t : committers_) t.join();
}

void Ledger::submit(Operation op, Actor actor, std::optional<IdempotencyKey> key, std::function<void(Outcome)> done) {
  auto item = std::make_shared<Item>();
  // What it contends on, for batch formation (Rules<Op>::conflict_keys, ops/ops.h).
  item->keys = std::visit([&]<class Op>(const Op& o) { return engine::Rules<Op>::conflict_keys(o, actor); }, op);
  item->op = std::move(op);
  item->actor = std::move(actor);
  item->key = std::move(key);
  item->done = std::move(done);
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      item->done(Outcome{Rc::Maintenance, "the ledger is stopping", {}, {}, false});
      return;
    }
    queue_.push_back(std::move(item));
    if (filling_ && queue_.size() >= fill_target()) fill_cv_.notify_one();
  }
  cv_.notify_one();
}

bool Ledger::misremember_for_tests(const std::string& waid, const std::string& currency, int128 available) {
  return cache_ && cache_->set_available({waid, currency}, available);
}

Ledger::Stats Ledger::stats() const { return Stats{one_statement_.load(), reruns_.load(), fill_waits_.load()}; }

Outcome Ledger::execute(Operation op, Actor actor, std::optional<IdempotencyKey> key) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  submit(std::move(op), std::move(actor), std::move(key), [promise](Outcome o) { promise->set_value(std::move(o)); });
  return future.get();
}
}  // namespace og::ledger
