// The ledger engine in-process on a real PostgreSQL: group commit keeps each operation's
// own outcome, the invariant check vetoes a corrupt batch, a failing batch falls back to
// single operations, two ledgers (two nodes) on one database neither deadlock nor
// double-spend, and money is conserved throughout.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <tuple>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "common/ids.h"
#include "common/json.h"
#include "daemon/jobs/maintenance.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/ledger/wallets.h"
#include "daemon/modules/omnipass/bootstrap.h"
#include "daemon/store/migrations.h"
#include "daemon/store/pool.h"
#include "tests/support/test_cluster.h"

using namespace og;
using ledger::Actor;
using ledger::Ledger;
using ledger::Outcome;
using ledger::Transfer;

namespace {

struct Fixture {
  std::string db = test::fresh_database("ledger");
  store::Pool pool{db, 4};
  Fixture() {
    auto conn = pool.acquire();
    store::migrate(*conn);
  }
  // A profile with `n` wallets; returns {upid, waids}.
  std::pair<std::string, std::vector<std::string>> profile(int n, const std::string& parent = "") {
    auto conn = pool.acquire();
    pqxx::work tx(*conn);
    std::string upid = omnipass::create_profile(tx, "individual", Json{{"firstname", "T"}, {"lastname", "U"}}, false);
    if (!parent.empty()) tx.exec_params("UPDATE profiles SET parent_upid = $2 WHERE upid = $1", upid, parent);
    std::vector<std::string> waids;
    for (int i = 0; i < n; ++i) waids.push_back(ledger::create_wallet(tx, upid, "w" + std::to_string(i), false, ""));
    tx.commit();
    return {upid, waids};
  }
  std::string sum(const std::string& currency, const std::string& where = "true") {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    return tx.exec_params1("SELECT coalesce(sum(available + held), 0)::text FROM balances b JOIN wallets w USING (waid) "
                           "WHERE currency = $1 AND " + where,
                           currency)[0]
        .as<std::string>();
  }
  std::string balance(const std::string& waid, const std::string& currency) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec_params("SELECT available::text || '/' || held::text FROM balances WHERE waid = $1 AND currency = $2",
                            waid, currency);
    return r.empty() ? "none" : r[0][0].as<std::string>();
  }
  long count(const std::string& sql) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    return tx.exec1(sql)[0].as<long>();
  }
};

Actor admin() {
  Actor a;
  a.credential = "akid_0000000000000001";
  a.superuser = true;
  return a;
}

Actor owner(const std::string& upid) {
  Actor a;
  a.credential = "akid_1" + upid.substr(6);
  a.upid = upid;
  return a;
}

Outcome fund(Ledger& l, const std::string& waid, const std::string& currency, const std::string& amount) {
  static std::atomic<int> n{0};
  return l.execute(ledger::Deposit{waid, currency, amount, "generic", "fund-" + std::to_string(n++), "", ""}, admin());
}

}  // namespace

TEST_CASE("group commit: each operation of a batch keeps its own outcome", "[engine]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 64});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "1.00").rc == Rc::Ok);
  // 200 transfers of 0.01 from a wallet holding 1.00: exactly 100 succeed.
  std::vector<std::future<Outcome>> results;
  for (int i = 0; i < 200; ++i) {
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    l.submit(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
  }
  int ok = 0, broke = 0;
  std::set<std::string> txids;
  for (auto& r : results) {
    Outcome o = r.get();
    if (o.rc == Rc::Ok) {
      ++ok;
      txids.insert(o.txid);
    } else {
      CHECK(o.rc == Rc::InsufficientFunds);
      ++broke;
    }
  }
  CHECK(ok == 100);
  CHECK(broke == 100);
  CHECK(txids.size() == 100);
  CHECK(f.balance(w[0], "CAD") == "0/0");
  CHECK(f.balance(w[1], "CAD") == "100/0");
  CHECK(f.sum("CAD") == "0");  // the bridge's clearing account holds -100
  // Batches really formed: fewer database transactions than operations is the point, and
  // the journal still has one transaction per transfer.
  CHECK(f.count("SELECT count(*) FROM transactions WHERE type = 'transfer'") == 100);
}

TEST_CASE("the invariant check vetoes a corrupt batch and nothing is written", "[engine][invariants]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);
  long before = f.count("SELECT count(*) FROM postings");
  l.tamper_for_tests = [](std::vector<Ledger::Posting>& postings) {
    if (!postings.empty()) postings.back().available_delta += 1;  // money out of nowhere
  };
  Outcome o = l.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid));
  CHECK(o.rc == Rc::SystemError);
  CHECK_THAT(o.detail, Catch::Contains("invariant"));
  l.tamper_for_tests = nullptr;
  CHECK(f.balance(w[0], "CAD") == "1000/0");
  CHECK(f.balance(w[1], "CAD") == "none");
  CHECK(f.count("SELECT count(*) FROM postings") == before);
  // The ledger goes on working.
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
}

TEST_CASE("a balance row that moved under its lock fails the batch and nothing is written", "[engine]") {
  // The write updates each balance where the lock statement read it (its ctid) and counts
  // the rows it updated. Nothing but the engine writes balances, and only under their
  // locks; this test breaks that rule between the read and the write: an UPDATE that
  // changes no value but makes a new row version elsewhere. (Without remembered
  // balances, every batch reads under the locks.)
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16, .balance_cache = 0});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);
  REQUIRE(fund(l, w[1], "CAD", "1.00").rc == Rc::Ok);
  long before = f.count("SELECT count(*) FROM postings");
  bool moved = false;
  l.tamper_for_tests = [&](std::vector<Ledger::Posting>&) {
    if (moved) return;
    moved = true;
    f.count("WITH u AS (UPDATE balances SET held = held WHERE waid = '" + w[0] +
            "' AND currency = 'CAD' RETURNING 1) SELECT count(*) FROM u");
  };
  Outcome o = l.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid));
  l.tamper_for_tests = nullptr;
  CHECK(moved);
  CHECK(o.rc == Rc::SystemError);
  CHECK(f.balance(w[0], "CAD") == "1000/0");
  CHECK(f.balance(w[1], "CAD") == "100/0");
  CHECK(f.count("SELECT count(*) FROM postings") == before);
  // The next batch reads the row where it is now.
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(f.balance(w[0], "CAD") == "900/0");
  CHECK(f.balance(w[1], "CAD") == "200/0");
}

namespace {
// Every balance equals the sum of its postings (0 rows that do not).
long unbalanced(Fixture& f) {
  return f.count("SELECT count(*) FROM balances b LEFT JOIN LATERAL ("
                 "  SELECT coalesce(sum(available_delta), 0) AS a, coalesce(sum(held_delta), 0) AS h FROM postings p "
                 "  WHERE p.waid = b.waid AND p.currency = b.currency) s ON true "
                 "WHERE b.available <> s.a OR b.held <> s.h");
}
}  // namespace

TEST_CASE("remembered balances: transfers commit in one statement; a balance moved elsewhere sends the batch "
          "back under locks",
          "[engine][cache]") {
  Fixture f;
  Ledger a(f.db, f.pool, {.committers = 1, .max_batch = 16});
  Ledger b(f.db, f.pool, {.committers = 1, .max_batch = 16});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(a, w[0], "CAD", "10.00").rc == Rc::Ok);
  REQUIRE(fund(a, w[1], "CAD", "1.00").rc == Rc::Ok);
  // Node a remembers both balances as its deposits left them.
  REQUIRE(a.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(a.stats().one_statement == 1);
  CHECK(a.stats().reruns == 0);
  CHECK(f.balance(w[0], "CAD") == "900/0");

  // Node b moves both; node a's memory is now stale. Its next batch changes nothing in its
  // one statement, runs again under the locks, and moves the money exactly once.
  REQUIRE(b.execute(Transfer{w[1], w[0], "CAD", "0.50", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(b.stats().one_statement == 0);  // b had read nothing before
  long postings = f.count("SELECT count(*) FROM postings");
  REQUIRE(a.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(a.stats().reruns == 1);
  CHECK(a.stats().one_statement == 1);
  CHECK(f.balance(w[0], "CAD") == "850/0");
  CHECK(f.balance(w[1], "CAD") == "250/0");
  CHECK(f.count("SELECT count(*) FROM postings") == postings + 2);

  // The run under locks refreshed a's memory: one statement again.
  REQUIRE(a.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(a.stats().one_statement == 2);
  CHECK(f.balance(w[0], "CAD") == "750/0");
  CHECK(f.balance(w[1], "CAD") == "350/0");

  // A row version moved without a value changing (say, by an old node): found the same way.
  f.count("WITH u AS (UPDATE balances SET held = held WHERE waid = '" + w[1] + "' RETURNING 1) SELECT count(*) FROM u");
  REQUIRE(a.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(a.stats().reruns == 2);
  CHECK(f.balance(w[0], "CAD") == "650/0");
  CHECK(f.balance(w[1], "CAD") == "450/0");

  // A remembered row at its right place but with other values (its old slot reused by a
  // newer version): the write checks the values, not only the place.
  REQUIRE(a.misremember_for_tests(w[0], "CAD", 100000));
  REQUIRE(a.execute(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(a.stats().reruns == 3);
  CHECK(f.balance(w[0], "CAD") == "550/0");
  CHECK(f.balance(w[1], "CAD") == "550/0");

  CHECK(f.count("SELECT count(*) FROM transactions WHERE type = 'transfer'") == 6);
  CHECK(f.sum("CAD") == "0");
  CHECK(unbalanced(f) == 0);
}

TEST_CASE("remembered balances: a refusal never rests on one; with none remembered, every batch locks",
          "[engine][cache]") {
  Fixture f;
  Ledger a(f.db, f.pool, {.committers = 1, .max_batch = 16});
  Ledger b(f.db, f.pool, {.committers = 1, .max_batch = 16});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(a, w[0], "CAD", "1.00").rc == Rc::Ok);
  REQUIRE(fund(a, w[1], "CAD", "1.00").rc == Rc::Ok);
  // Node a remembers w[0] holding 1.00; node b then brings it to 6.00.
  REQUIRE(fund(b, w[0], "CAD", "5.00").rc == Rc::Ok);
  // Refused from memory, this would be "insufficient funds": it is read under the lock.
  Outcome o = a.execute(Transfer{w[0], w[1], "CAD", "3.00", ""}, owner(upid));
  CHECK(o.rc == Rc::Ok);
  CHECK(a.stats().reruns == 1);
  CHECK(a.stats().one_statement == 0);
  CHECK(f.balance(w[0], "CAD") == "300/0");
  CHECK(f.balance(w[1], "CAD") == "400/0");
  // A real refusal, decided under the lock too, changes nothing.
  CHECK(a.execute(Transfer{w[0], w[1], "CAD", "3.01", ""}, owner(upid)).rc == Rc::InsufficientFunds);
  CHECK(a.stats().reruns == 2);
  CHECK(f.balance(w[0], "CAD") == "300/0");

  // balance_cache = 0: nothing remembered, nothing in one statement.
  Ledger c(f.db, f.pool, {.committers = 1, .max_batch = 16, .balance_cache = 0});
  for (int i = 0; i < 3; ++i) REQUIRE(c.execute(Transfer{w[0], w[1], "CAD", "0.10", ""}, owner(upid)).rc == Rc::Ok);
  CHECK(c.stats().one_statement == 0);
  CHECK(c.stats().reruns == 0);
  CHECK(f.balance(w[0], "CAD") == "270/0");
  CHECK(f.sum("CAD") == "0");
  CHECK(unbalanced(f) == 0);
}

TEST_CASE("a batch that fails as a whole is retried one operation at a time", "[engine]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 64});
  auto [upid, w] = f.profile(3);
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);
  // Corrupt only batches of several operations: they fail; alone, each succeeds.
  std::atomic<int> vetoed{0};
  l.tamper_for_tests = [&](std::vector<Ledger::Posting>& postings) {
    if (postings.size() > 2) {
      postings.front().available_delta -= 1;
      ++vetoed;
    }
  };
  std::vector<std::future<Outcome>> results;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    l.submit(Transfer{w[0], w[1 + i % 2], "CAD", "0.10", ""}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
  }
  for (auto& r : results) CHECK(r.get().rc == Rc::Ok);
  l.tamper_for_tests = nullptr;
  CHECK(f.balance(w[0], "CAD") == "800/0");
  CHECK(f.sum("CAD") == "0");
  INFO("vetoed batches: " << vetoed.load());
}

TEST_CASE("idempotency inside one batch, and deposits reported twice", "[engine][idempotency]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 64});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "5.00").rc == Rc::Ok);
  std::vector<std::future<Outcome>> results;
  for (int i = 0; i < 10; ++i) {
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    l.submit(Transfer{w[0], w[1], "CAD", "1.00", ""}, owner(upid), ledger::IdempotencyKey{"same", "hash-a"},
             [p](Outcome o) { p->set_value(o); });
  }
  std::set<std::string> txids;
  for (auto& r : results) {
    Outcome o = r.get();
    REQUIRE(o.rc == Rc::Ok);
    txids.insert(o.txid);
  }
  CHECK(txids.size() == 1);
  CHECK(f.balance(w[1], "CAD") == "100/0");

  std::vector<std::future<Outcome>> deposits;
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_shared<std::promise<Outcome>>();
    deposits.push_back(p->get_future());
    l.submit(ledger::Deposit{w[1], "CAD", "2.00", "generic", "ext-twice", "", ""}, admin(), std::nullopt,
             [p](Outcome o) { p->set_value(o); });
  }
  std::set<std::string> deposit_txids;
  for (auto& d : deposits) {
    Outcome o = d.get();
    REQUIRE(o.rc == Rc::Ok);
    deposit_txids.insert(o.txid);
  }
  CHECK(deposit_txids.size() == 1);
  CHECK(f.balance(w[1], "CAD") == "300/0");
}

TEST_CASE("negativewallet lets that caller, and only it, take a user balance below zero", "[engine]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 8});
  auto [upid, w] = f.profile(2);
  Actor adapter = admin();
  adapter.negative_wallet = true;
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "5.00", ""}, owner(upid)).rc == Rc::InsufficientFunds);
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "5.00", ""}, admin()).rc == Rc::InsufficientFunds);  // superuser is not enough
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "5.00", ""}, adapter).rc == Rc::Ok);
  CHECK(f.balance(w[0], "CAD") == "-500/0");
  // The owner still cannot spend below zero.
  CHECK(l.execute(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid)).rc == Rc::InsufficientFunds);
  CHECK(f.sum("CAD") == "0");
}

TEST_CASE("two ledgers (two nodes) on one database: no deadlock, no double spend", "[engine][concurrency]") {
  Fixture f;
  Ledger node_a(f.db, f.pool, {.committers = 2, .max_batch = 32});
  Ledger node_b(f.db, f.pool, {.committers = 2, .max_batch = 32});
  auto [upid, w] = f.profile(6);
  for (const auto& waid : w) REQUIRE(fund(node_a, waid, "CAD", "10.00").rc == Rc::Ok);
  // Transfers in every direction among six wallets, from both nodes at once, with many
  // overdrafts: the worst case for lock ordering.
  std::mt19937 rng(42);
  std::vector<std::future<Outcome>> results;
  for (int i = 0; i < 1500; ++i) {
    int a = static_cast<int>(rng() % 6), b = static_cast<int>(rng() % 5);
    if (b >= a) ++b;
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    Ledger& node = i % 2 ? node_a : node_b;
    std::string amount = std::to_string(1 + rng() % 400) + "." + std::to_string(10 + rng() % 90);
    node.submit(Transfer{w[a], w[b], "CAD", amount, ""}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
  }
  int ok = 0;
  for (auto& r : results) {
    Outcome o = r.get();
    INFO(o.detail);
    REQUIRE((o.rc == Rc::Ok || o.rc == Rc::InsufficientFunds));
    ok += o.rc == Rc::Ok;
  }
  CHECK(ok > 0);
  CHECK(f.sum("CAD", "w.kind = 'user'") == "6000");
  CHECK(f.sum("CAD") == "0");
  CHECK(f.count("SELECT count(*) FROM balances WHERE available < 0 AND waid IN (SELECT waid FROM wallets WHERE kind = 'user')") == 0);
  CHECK(f.count("SELECT count(*) FROM transactions WHERE type = 'transfer'") == ok);
  CHECK(unbalanced(f) == 0);  // every balance equals the sum of its postings

  // Then small transfers that all succeed, from both nodes at once: each node writes from
  // the balances it remembers and keeps finding those the other moved.
  const auto before_a = node_a.stats(), before_b = node_b.stats();
  results.clear();
  for (int i = 0; i < 1000; ++i) {
    int a = static_cast<int>(rng() % 6), b = static_cast<int>(rng() % 5);
    if (b >= a) ++b;
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    Ledger& node = i % 2 ? node_a : node_b;
    node.submit(Transfer{w[a], w[b], "CAD", "0.01", ""}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
  }
  for (auto& r : results) REQUIRE(r.get().rc == Rc::Ok);
  const auto after_a = node_a.stats(), after_b = node_b.stats();
  INFO("one statement: " << after_a.one_statement - before_a.one_statement << " + "
                         << after_b.one_statement - before_b.one_statement << "; reruns: "
                         << after_a.reruns - before_a.reruns << " + " << after_b.reruns - before_b.reruns);
  CHECK(after_a.one_statement + after_b.one_statement > before_a.one_statement + before_b.one_statement);
  CHECK(after_a.reruns + after_b.reruns > before_a.reruns + before_b.reruns);
  CHECK(f.sum("CAD", "w.kind = 'user'") == "6000");
  CHECK(f.count("SELECT count(*) FROM transactions WHERE type = 'transfer'") == ok + 1000);
  CHECK(unbalanced(f) == 0);
}

TEST_CASE("idempotency keys are kept at least 24 hours, then forgotten", "[engine][idempotency]") {
  Fixture f;
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    tx.exec("INSERT INTO idempotency_keys (credential, key, request_hash, resultcode, created_at) VALUES "
            "('akid_1', 'fresh', 'h', 10000, now() - interval '23 hours'), "
            "('akid_1', 'day-old', 'h', 10000, now() - interval '30 hours'), "
            "('akid_1', 'old', 'h', 10000, now() - interval '50 hours')");
    tx.commit();
  }
  // Asks for 1 h: raised to 24 h.
  CHECK(jobs::run_maintenance(f.pool, {.idempotency_retention = std::chrono::hours(1)}) == 2);
  CHECK(f.count("SELECT count(*) FROM idempotency_keys") == 1);
  CHECK(jobs::run_maintenance(f.pool, {.idempotency_retention = std::chrono::hours(48)}) == 0);
}

TEST_CASE("batches of one node that share no wallet run side by side; the others wait in the queue",
          "[engine][concurrency]") {
  // X's batch is held up (under its locks) by the test hook. Meanwhile Y, on X's wallet,
  // and Z, on other wallets, are submitted: the second committer takes Z alone and
  // finishes it while X's batch still runs; Y waits in the queue (not on X's locks) and
  // runs after X, in the order submitted.
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 2, .max_batch = 16});
  auto [upid, w] = f.profile(5);
  REQUIRE(fund(l, w[0], "CAD", "1.00").rc == Rc::Ok);
  REQUIRE(fund(l, w[3], "CAD", "1.00").rc == Rc::Ok);
  std::promise<void> x_holds;
  std::atomic<bool> hold{true};
  l.tamper_for_tests = [&](std::vector<Ledger::Posting>& postings) {
    for (const auto& p : postings)
      if (p.waid == w[0] && hold.exchange(false)) {
        x_holds.set_value();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
  };
  std::mutex mu;
  std::vector<std::string> finished;
  auto submit = [&](const std::string& name, const std::string& from, const std::string& to, const char* amount) {
    auto p = std::make_shared<std::promise<Outcome>>();
    auto fut = p->get_future();
    l.submit(Transfer{from, to, "CAD", amount, ""}, owner(upid), std::nullopt, [&, name, p](Outcome o) {
      {
        std::lock_guard lock(mu);
        finished.push_back(name);
      }
      p->set_value(o);
    });
    return fut;
  };
  auto x = submit("X", w[0], w[1], "0.60");
  x_holds.get_future().wait();
  auto y = submit("Y", w[0], w[2], "0.40");  // needs X's result: 1.00 - 0.60 leaves 0.40
  auto z = submit("Z", w[3], w[4], "0.50");
  CHECK(z.get().rc == Rc::Ok);
  CHECK(x.get().rc == Rc::Ok);
  CHECK(y.get().rc == Rc::Ok);
  CHECK(finished == std::vector<std::string>{"Z", "X", "Y"});
  CHECK(f.balance(w[0], "CAD") == "0/0");
  CHECK(f.balance(w[4], "CAD") == "50/0");
}

TEST_CASE("group commit under load: an idle committer waits for its batch to fill only while another batch runs",
          "[engine][concurrency]") {
  // X (one operation) is held up by the test hook; Y1..Y4, on X's wallet, queue behind it
  // and then run as one batch of four, held up too. Z, on other wallets, is submitted while
  // that batch runs: with batch_wait_us the idle committer waits for a second operation
  // (half of the four running), and Z and Z2 commit together as soon as Z2 arrives. With
  // batch_wait_us = 0 Z goes alone at once. A lone operation never waits.
  auto scenario = [](std::size_t wait_us) {
    Fixture f;
    Ledger l(f.db, f.pool, {.committers = 2, .max_batch = 16, .batch_wait_us = wait_us});
    auto [upid, w] = f.profile(7);
    for (int i : {0, 3, 5}) REQUIRE(fund(l, w[i], "CAD", "1.00").rc == Rc::Ok);
    CHECK(l.stats().fill_waits == 0);  // one at a time: nothing was running
    std::mutex mu;
    std::condition_variable cv;
    int held = 0;      // batches on w[0] that reached the hook
    int released = 0;  // how many of them may go on
    l.tamper_for_tests = [&](std::vector<Ledger::Posting>& postings) {
      bool on_w0 = false;
      for (const auto& p : postings) on_w0 = on_w0 || p.waid == w[0];
      if (!on_w0) return;
      std::unique_lock lock(mu);
      int me = ++held;
      cv.notify_all();
      cv.wait(lock, [&] { return released >= me; });
    };
    // Whatever happens below (a failed REQUIRE throws), held batches go before the ledger
    // is destroyed, or its destructor would wait for them forever.
    struct ReleaseAll {
      std::mutex& mu;
      std::condition_variable& cv;
      int& released;
      ~ReleaseAll() {
        std::lock_guard lock(mu);
        released = 1 << 20;
        cv.notify_all();
      }
    } release_all{mu, cv, released};
    auto submit = [&](const std::string& from, const std::string& to, const char* amount) {
      auto p = std::make_shared<std::promise<Outcome>>();
      auto fut = p->get_future();
      l.submit(Transfer{from, to, "CAD", amount, ""}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
      return fut;
    };
    auto wait_held = [&](int n) {
      std::unique_lock lock(mu);
      REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return held >= n; }));
    };
    auto x = submit(w[0], w[1], "0.10");
    wait_held(1);
    std::vector<std::future<Outcome>> ys;
    for (int i = 0; i < 4; ++i) ys.push_back(submit(w[0], w[2], "0.10"));
    auto let_go = [&](int n) {
      std::lock_guard lock(mu);
      released = n;
      cv.notify_all();
    };
    let_go(1);  // X goes; the Ys (queued behind it) form the next batch
    REQUIRE(x.get().rc == Rc::Ok);
    wait_held(2);  // the batch of four Ys runs, held
    auto z = submit(w[3], w[4], "0.25");
    bool z_alone = z.wait_for(std::chrono::milliseconds(wait_us ? 300 : 30000)) == std::future_status::ready;
    auto z2 = submit(w[5], w[6], "0.25");
    bool z2_soon = z2.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
    bool z_soon = z.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    let_go(2);
    CHECK(z.get().rc == Rc::Ok);
    CHECK(z2.get().rc == Rc::Ok);
    for (auto& y : ys) CHECK(y.get().rc == Rc::Ok);
    CHECK(f.balance(w[0], "CAD") == "50/0");
    CHECK(f.balance(w[2], "CAD") == "40/0");
    CHECK(f.balance(w[4], "CAD") == "25/0");
    CHECK(f.sum("CAD", "w.kind = 'user'") == "300");
    return std::tuple{z_alone, z_soon, z2_soon, l.stats().fill_waits};
  };
  SECTION("batch_wait_us = 5 s: Z waits for Z2, not for the time") {
    auto [z_alone, z_soon, z2_soon, waits] = scenario(5'000'000);
    CHECK_FALSE(z_alone);
    CHECK(z_soon);
    CHECK(z2_soon);
    CHECK(waits == 1);
  }
  SECTION("batch_wait_us = 0: Z goes at once, alone") {
    auto [z_alone, z_soon, z2_soon, waits] = scenario(0);
    CHECK(z_alone);
    CHECK(z2_soon);
    CHECK(waits == 0);
  }
}

TEST_CASE("text reaches the journal exactly, whatever characters it holds", "[engine]") {
  // The batch's rows travel as PostgreSQL array literals: quotes, backslashes, braces,
  // commas, the word NULL and non-ASCII text must come back as they went in, and an empty
  // value stays distinct from the text "NULL".
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);
  const std::vector<std::string> texts = {"a \"quoted\" word", "back\\slash\\", "{braces},commas", "NULL", "null",
                                          "caf\xc3\xa9 \xe2\x82\xac", " spaced ", "tab\there", "'single'"};
  std::vector<std::future<Outcome>> results;
  for (const auto& t : texts) {
    auto p = std::make_shared<std::promise<Outcome>>();
    results.push_back(p->get_future());
    l.submit(Transfer{w[0], w[1], "CAD", "0.01", t}, owner(upid), std::nullopt, [p](Outcome o) { p->set_value(o); });
  }
  auto conn = f.pool.acquire();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    Outcome o = results[i].get();
    REQUIRE(o.rc == Rc::Ok);
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec_params1("SELECT description, external_txid IS NULL, bridge IS NULL FROM transactions WHERE txid = $1",
                             o.txid);
    CHECK(r[0].as<std::string>() == texts[i]);
    CHECK(r[1].as<bool>());  // "" -> NULL
    CHECK(r[2].as<bool>());
  }
  Outcome dep = l.execute(ledger::Deposit{w[1], "CAD", "1.00", "generic", "ext \"1\" \\ {x}", "addr,\"NULL\"", ""}, admin());
  REQUIRE(dep.rc == Rc::Ok);
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec_params1("SELECT external_txid, external_source_address, description FROM transactions WHERE txid = $1",
                           dep.txid);
  CHECK(r[0].as<std::string>() == "ext \"1\" \\ {x}");
  CHECK(r[1].as<std::string>() == "addr,\"NULL\"");
  CHECK(r[2].as<std::string>() == "Deposit");
  // A NUL cannot be stored: the operation fails alone, nothing is written.
  std::string nul = std::string("a\0b", 3);
  Outcome bad = l.execute(Transfer{w[0], w[1], "CAD", "0.01", nul}, owner(upid));
  CHECK(bad.rc == Rc::SystemError);
  CHECK(f.count("SELECT count(*) FROM transactions WHERE type = 'transfer'") == static_cast<long>(texts.size()));
  CHECK(f.balance(w[0], "CAD") == "991/0");
}

TEST_CASE("txids: the journal's key is a sequence number, the txid its permutation, as the database computes it",
          "[engine][txids]") {
  Fixture f;
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 64});
  auto [upid, w] = f.profile(2);
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);
  std::vector<std::string> txids;
  for (int i = 0; i < 5; ++i) {
    Outcome o = l.execute(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid));
    REQUIRE(o.rc == Rc::Ok);
    txids.push_back(o.txid);
  }
  // A refused transfer takes no number.
  REQUIRE(l.execute(Transfer{w[0], w[1], "CAD", "100.00", ""}, owner(upid)).rc == Rc::InsufficientFunds);
  txids.push_back(l.execute(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid)).txid);

  auto conn = f.pool.acquire();
  pqxx::nontransaction tx(*conn);
  std::uint64_t previous = 0;
  for (const auto& id : txids) {
    auto r = tx.exec_params1(
        "SELECT seq, ledger_txid_seq(txid), ledger_txid_of(seq) = txid FROM transactions WHERE txid = $1", id);
    const auto seq = r[0].as<std::uint64_t>();
    CHECK(l.txids().seq_of(id) == seq);              // omnid's inverse...
    CHECK(r[1].as<std::uint64_t>() == seq);          // ...is the database's
    CHECK(r[2].as<bool>());                          // and so is the permutation
    CHECK(seq == (previous ? previous + 1 : seq));   // one after another: appended at the index's end
    previous = seq;
  }
  // Both ways, on numbers across the space, the SQL functions and omnid agree.
  for (std::uint64_t s : std::initializer_list<std::uint64_t>{0, 1, 999, 4'294'967'296, 9'999'999'999'999'999}) {
    auto r = tx.exec_params1("SELECT ledger_txid_of($1), ledger_txid_seq(ledger_txid_of($1))", static_cast<std::int64_t>(s));
    CHECK(r[0].as<std::string>() == l.txids().txid_of(s));
    CHECK(r[1].as<std::uint64_t>() == s);
  }
  // The history pages by txid: `before` leads to its row through the same inverse.
  auto page = [&](const std::string& before) {
    std::vector<std::string> ids;
    for (const auto& t : ledger::transactions_of(tx, l.txids(), w[1], 2, before)) ids.push_back(t.txid);
    return ids;
  };
  CHECK(page("") == std::vector<std::string>{txids[5], txids[4]});
  CHECK(page(txids[4]) == std::vector<std::string>{txids[3], txids[2]});
  CHECK(page(txids[1]) == std::vector<std::string>{txids[0]});
  CHECK(page(new_id(IdKind::Txid)).empty());  // a txid of no transaction: nothing is older
  CHECK(tx.exec1("SELECT ledger_txid_seq('txid_12') IS NULL")[0].as<bool>());
  CHECK(tx.exec1("SELECT ledger_txid_of(10000000000000000) IS NULL")[0].as<bool>());
}

TEST_CASE("txids: a committer's block skips the numbers rows hold already; a node not upgraded still writes",
          "[engine][txids]") {
  Fixture f;
  auto [upid, w] = f.profile(2);
  std::uint64_t block = 0;
  {
    auto conn = f.pool.acquire();
    pqxx::nontransaction tx(*conn);
    // The block the next committer will take, and rows that hold three of its numbers:
    // written the way a node without seq (not yet upgraded) writes them, a random-looking
    // txid and no seq, which the trigger fills in.
    block = tx.exec1("SELECT nextval('ledger_txid_blocks') + 1")[0].as<std::uint64_t>();
    for (std::uint64_t s : {block * 1000, block * 1000 + 1, block * 1000 + 3})
      tx.exec_params0(
          "INSERT INTO transactions (txid, type, state, currency, amount, method) "
          "VALUES (ledger_txid_of($1), 'deposit', 'Failed', 'CAD', 1, 'generic')",
          static_cast<std::int64_t>(s));
    CHECK(tx.exec_params1("SELECT count(*) FROM transactions WHERE seq IN ($1, $2, $3)",
                          static_cast<std::int64_t>(block * 1000), static_cast<std::int64_t>(block * 1000 + 1),
                          static_cast<std::int64_t>(block * 1000 + 3))[0]
              .as<int>() == 3);
  }
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 64});
  REQUIRE(fund(l, w[0], "CAD", "10.00").rc == Rc::Ok);  // block*1000 + 2
  Outcome t1 = l.execute(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid));
  Outcome t2 = l.execute(Transfer{w[0], w[1], "CAD", "0.01", ""}, owner(upid));
  REQUIRE(t1.rc == Rc::Ok);
  REQUIRE(t2.rc == Rc::Ok);
  CHECK(l.txids().seq_of(t1.txid) == block * 1000 + 4);
  CHECK(l.txids().seq_of(t2.txid) == block * 1000 + 5);
  CHECK(f.count("SELECT count(*) FROM transactions") == 6);
  CHECK(f.count("SELECT count(DISTINCT seq) FROM transactions") == 6);
  CHECK(f.sum("CAD") == "0");
}

TEST_CASE("txids: transactions made before migration 0009 keep their ids, are found and can be closed",
          "[engine][txids][migrations]") {
  const std::string db = test::fresh_database("ledger_mig9");
  store::Pool pool{db, 4};
  const auto all = store::embedded_migrations();
  REQUIRE(all.size() >= 9);
  REQUIRE(std::string(all[8].name) == "0009_txid_sequence");
  const std::string deposit = new_id(IdKind::Txid), pending = new_id(IdKind::Txid);
  std::string upid, waid, clearing;
  {
    auto conn = pool.acquire();
    REQUIRE(store::migrate(*conn, all.first(8)) == 8);
    // The state an older omnid leaves: 5.00 CAD deposited, then held by a pending generic
    // withdrawal; random txids, no seq.
    pqxx::work tx(*conn);
    upid = omnipass::create_profile(tx, "individual", Json{{"firstname", "T"}, {"lastname", "U"}}, false);
    waid = ledger::create_wallet(tx, upid, "old", false, "");
    clearing = ledger::bridge_clearing_wallet(tx, "generic");
    tx.exec_params0("INSERT INTO balances (waid, currency, available, held, may_go_negative) VALUES "
                    "($1, 'CAD', 0, 500, false), ($2, 'CAD', -500, 0, true)",
                    waid, clearing);
    tx.exec_params0("INSERT INTO transactions (txid, type, state, currency, amount, method, source_waid, "
                    "destination_waid, bridge, external_txid) VALUES "
                    "($1, 'deposit', 'Completed', 'CAD', 500, 'generic', NULL, $3, 'generic', 'old-dep'), "
                    "($2, 'withdraw', 'Pending', 'CAD', 500, 'generic', $3, NULL, 'generic', NULL)",
                    deposit, pending, waid);
    tx.commit();
  }
  {
    auto conn = pool.acquire();
    REQUIRE(store::migrate(*conn) == static_cast<int>(all.size()));
  }
  Ledger l(db, pool, {.committers = 1, .max_batch = 16});
  {
    auto conn = pool.acquire();
    pqxx::read_transaction tx(*conn);
    for (const auto& id : {deposit, pending}) {
      auto r = tx.exec_params1("SELECT seq FROM transactions WHERE txid = $1", id);
      CHECK(l.txids().seq_of(id) == r[0].as<std::uint64_t>());
      auto found = ledger::find_transaction(tx, l.txids(), id);
      REQUIRE(found);
      CHECK(found->txid == id);
    }
    CHECK_FALSE(ledger::find_transaction(tx, l.txids(), new_id(IdKind::Txid)));
    CHECK_FALSE(ledger::find_transaction(tx, l.txids(), "txid_12"));
  }
  // The old pending withdrawal closes (its row is locked by seq), once.
  Outcome closed = l.execute(ledger::CloseWithdraw{pending, "generic", true, "ext-1"}, admin());
  CHECK(closed.rc == Rc::Ok);
  CHECK(closed.txid == pending);
  CHECK(l.execute(ledger::CloseWithdraw{pending, "generic", true, "ext-1"}, admin()).rc == Rc::NotPending);
  auto conn = pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto found = ledger::find_transaction(tx, l.txids(), pending);
  REQUIRE(found);
  CHECK(found->state == "Completed");
  CHECK(tx.exec_params1("SELECT available::text || '/' || held::text FROM balances WHERE waid = $1", waid)[0]
            .as<std::string>() == "0/0");
  CHECK(tx.exec_params1("SELECT available::text FROM balances WHERE waid = $1", clearing)[0].as<std::string>() == "0");
}

TEST_CASE("a system account made in a transaction that rolls back is never remembered", "[engine][wallets]") {
  Fixture f;
  // Made and found again in one transaction (two deposits of a new bridge in one batch),
  // then rolled back: the waid must not outlive it.
  std::string made;
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    made = ledger::bridge_clearing_wallet(tx, "newbridge-1");
    CHECK(ledger::bridge_clearing_wallet(tx, "newbridge-1") == made);
    tx.abort();
  }
  std::string kept;
  {
    auto conn = f.pool.acquire();
    pqxx::work tx(*conn);
    kept = ledger::bridge_clearing_wallet(tx, "newbridge-1");
    CHECK(kept != made);
    tx.commit();
  }
  CHECK(f.count("SELECT count(*) FROM wallets WHERE kind = 'bridge_clearing' AND name = 'newbridge-1' AND waid = '" +
                kept + "'") == 1);
  // Committed, it is found (and remembered) from then on, in any transaction.
  auto conn = f.pool.acquire();
  pqxx::work tx(*conn);
  CHECK(ledger::bridge_clearing_wallet(tx, "newbridge-1") == kept);
  CHECK(ledger::bridge_clearing_wallet(tx, "newbridge-1") == kept);
  // And a deposit through that bridge books against it.
  tx.commit();
  Ledger l(f.db, f.pool, {.committers = 1, .max_batch = 16});
  auto [upid, waids] = f.profile(1);
  auto o = l.execute(ledger::Deposit{waids[0], "CAD", "1.00", "newbridge-1", "x-1", "", ""}, admin());
  INFO(o.detail);
  // (CAD takes deposits by the methods it lists: refused or credited, the clearing wallet
  // named is the committed one, never the rolled-back one.)
  CHECK(f.count("SELECT count(*) FROM balances WHERE waid = '" + made + "'") == 0);
}
