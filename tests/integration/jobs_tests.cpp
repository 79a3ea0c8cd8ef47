// Jobs under leases (daemon/jobs/scheduler.h) and the transactional outbox
// (daemon/outbox/outbox.h), against a real PostgreSQL. The two-node kill -9 test runs two
// real omnid processes on one database.
#include <catch2/catch.hpp>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "daemon/jobs/scheduler.h"
#include "daemon/mail/mailer.h"
#include "daemon/outbox/outbox.h"
#include "daemon/secrets/keyring.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/migrations.h"
#include "daemon/store/pool.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using namespace og;
using namespace std::chrono_literals;

namespace {

struct Db {
  std::string conninfo = test::fresh_database("jobs");
  store::Pool pool{conninfo, 4};
  Db() {
    auto conn = pool.acquire();
    store::migrate(*conn);
  }
  long long count(const std::string& sql) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    return tx.exec1(sql)[0].as<long long>();
  }
  std::string text(const std::string& sql) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    auto r = tx.exec1(sql);
    return r[0].is_null() ? "" : r[0].as<std::string>();
  }
};

// Runs of `job` from job_runs that ended, as (start, end) in microseconds since the epoch;
// no two may overlap.
bool runs_overlap(Db& db, const std::string& job, long long* finished_runs) {
  auto conn = db.pool.acquire();
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec_params(
      "SELECT (extract(epoch FROM started_at) * 1e6)::bigint, (extract(epoch FROM finished_at) * 1e6)::bigint "
      "FROM job_runs WHERE job = $1 AND finished_at IS NOT NULL ORDER BY started_at",
      job);
  *finished_runs = static_cast<long long>(r.size());
  for (std::size_t i = 1; i < r.size(); ++i)
    if (r[i][0].as<long long>() < r[i - 1][1].as<long long>()) return true;
  return false;
}

// A mailer that records what it is given, or fails as told.
class RecordingMailer : public mail::Mailer {
 public:
  void send(const mail::Message& m) override {
    std::lock_guard lock(mu);
    ++attempts;
    if (fail) throw mail::MailError(*fail, "told to fail", fail_code);
    sent.push_back(m);
  }
  std::mutex mu;
  std::vector<mail::Message> sent;
  std::optional<mail::MailError::Kind> fail;
  int fail_code = 0;
  int attempts = 0;
};

outbox::Settings quick() {
  return {.max_age = std::chrono::hours(48), .backoff_initial = 1ms, .backoff_max = 1ms};
}

auto always = [] { return true; };

}  // namespace

TEST_CASE("a job runs on one node at a time; a node that stops hands its jobs over at once", "[jobs]") {
  Db db;
  std::atomic<int> inside{0}, max_inside{0}, runs_a{0}, runs_b{0};
  auto body = [&](std::atomic<int>& mine) {
    return [&](jobs::JobContext& ctx) {
      int now = ++inside;
      int seen = max_inside;
      while (now > seen && !max_inside.compare_exchange_weak(seen, now)) {
      }
      ++mine;
      for (int i = 0; i < 10 && ctx.held(); ++i) std::this_thread::sleep_for(10ms);
      --inside;
    };
  };
  auto a = std::make_unique<jobs::Scheduler>(db.conninfo, jobs::SchedulerOptions{.node = "node-a", .lease = 3s});
  jobs::Scheduler b(db.conninfo, {.node = "node-b", .lease = 3s});
  a->add({"probe", 0ms, body(runs_a)});
  b.add({"probe", 0ms, body(runs_b)});
  a->start();
  b.start();
  std::this_thread::sleep_for(1500ms);
  // One of them holds the lease and runs the job over and over; the other never does.
  CHECK(max_inside == 1);
  CHECK(((runs_a >= 2 && runs_b == 0) || (runs_b >= 2 && runs_a == 0)));
  std::string holder = db.text("SELECT holder FROM job_leases WHERE name = 'probe'");
  CHECK(holder == (runs_a > 0 ? "node-a" : "node-b"));

  // The holder stops: it gives the lease back, and the other takes it well within a lease.
  bool a_held = runs_a > 0;
  int other_before = a_held ? runs_b.load() : runs_a.load();
  if (a_held) a.reset();
  else b.stop();
  // Polled: the other node's keeper takes it at its next tick (a third of the lease).
  int other_after = other_before;
  for (int i = 0; i < 300 && other_after == other_before; ++i) {
    std::this_thread::sleep_for(10ms);
    other_after = a_held ? runs_b.load() : runs_a.load();
  }
  CHECK(other_after > other_before);
  CHECK(max_inside == 1);
  long long finished = 0;
  CHECK_FALSE(runs_overlap(db, "probe", &finished));
  CHECK(finished >= 3);
  // The fence grew when the lease changed hands (once at the start, once at the hand-over).
  CHECK(db.count("SELECT fence FROM job_leases WHERE name = 'probe'") == 2);
}

TEST_CASE("a job's interval counts from the end of its last run, on whichever node ran it", "[jobs]") {
  Db db;
  std::atomic<int> runs{0};
  {
    jobs::Scheduler a(db.conninfo, {.node = "node-a", .lease = 3s});
    a.add({"slow", 60s, [&](jobs::JobContext&) { ++runs; }});
    a.start();
    for (int i = 0; i < 500 && runs == 0; ++i) std::this_thread::sleep_for(20ms);
  }
  REQUIRE(runs == 1);
  // Another node takes the lease but does not run the job again before its interval.
  jobs::Scheduler b(db.conninfo, {.node = "node-b", .lease = 3s});
  std::atomic<int> runs_b{0};
  b.add({"slow", 60s, [&](jobs::JobContext&) { ++runs_b; }});
  b.start();
  for (int i = 0; i < 300 && db.text("SELECT coalesce(holder, '') FROM job_leases WHERE name = 'slow'") != "node-b"; ++i)
    std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(300ms);  // time enough to run it, if it were due
  CHECK(db.text("SELECT holder FROM job_leases WHERE name = 'slow'") == "node-b");
  CHECK(runs_b == 0);
  // wake() runs it now on the holder.
  b.wake("slow");
  for (int i = 0; i < 500 && runs_b == 0; ++i) std::this_thread::sleep_for(20ms);
  CHECK(runs_b == 1);
  auto conn = db.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json states = jobs::states(tx);
  REQUIRE(states.size() == 1);
  CHECK(states[0]["name"] == "slow");
  CHECK(states[0]["holder"] == "node-b");
  CHECK(states[0]["lastrun"]["node"] == "node-b");
  CHECK(states[0]["runs"] == 2);
}

TEST_CASE("a job's error is recorded and the job runs again", "[jobs]") {
  Db db;
  std::atomic<int> runs{0};
  jobs::Scheduler a(db.conninfo, {.node = "node-a", .lease = 3s});
  a.add({"failing", 50ms, [&](jobs::JobContext&) {
           ++runs;
           throw std::runtime_error("the partner is down");
         }});
  a.start();
  for (int i = 0; i < 500 && runs < 3; ++i) std::this_thread::sleep_for(20ms);
  CHECK(runs >= 3);
  a.stop();
  CHECK(db.text("SELECT last_error FROM job_leases WHERE name = 'failing'") == "the partner is down");
  CHECK(db.count("SELECT count(*) FROM job_runs WHERE job = 'failing' AND error = 'the partner is down'") >= 3);
  // Stopped: the lease is free.
  CHECK(db.text("SELECT coalesce(holder, '') FROM job_leases WHERE name = 'failing'").empty());
}

TEST_CASE("outbox: a message is delivered after the commit, once, with its id; a rollback leaves nothing",
          "[outbox]") {
  Db db;
  secrets::PlainSecretStore store;
  RecordingMailer mailer;
  std::string id;
  {
    auto conn = db.pool.acquire();
    pqxx::work tx(*conn);
    outbox::enqueue_mail(tx, store, mail::Message{"rolled@example.com", "Never", "never sent"});
    // No commit: rolled back.
  }
  CHECK(db.count("SELECT count(*) FROM outbox") == 0);
  CHECK(db.count("SELECT count(*) FROM secrets") == 0);
  {
    auto conn = db.pool.acquire();
    pqxx::work tx(*conn);
    id = outbox::enqueue_mail(tx, store, mail::Message{"ann@example.com", "Hello", "reset link: https://x/?token=AB"});
    // Before the commit, the job sees nothing.
    auto round = outbox::deliver_due(db.pool, store, &mailer, quick(), always);
    CHECK(round.sent == 0);
    tx.commit();
  }
  CHECK(id.size() == 32);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);  // a valid Message-ID part
  auto round = outbox::deliver_due(db.pool, store, &mailer, quick(), always);
  CHECK(round.sent == 1);
  REQUIRE(mailer.sent.size() == 1);
  CHECK(mailer.sent[0].to == "ann@example.com");
  CHECK(mailer.sent[0].message_id == id);
  CHECK(mailer.sent[0].text == "reset link: https://x/?token=AB");
  // Delivered: the row says so, and the text (a secret) is gone.
  CHECK(db.text("SELECT status FROM outbox") == "sent");
  CHECK(db.count("SELECT count(*) FROM outbox WHERE payload IS NULL") == 1);
  CHECK(db.count("SELECT count(*) FROM secrets") == 0);
  // A second round sends nothing again.
  CHECK(outbox::deliver_due(db.pool, store, &mailer, quick(), always).sent == 0);
  CHECK(mailer.sent.size() == 1);
}

TEST_CASE("outbox: transient failures back off and retry; permanent ones and old ones become dead letters",
          "[outbox]") {
  Db db;
  secrets::PlainSecretStore store;
  RecordingMailer mailer;
  auto enqueue = [&](const std::string& to) {
    auto conn = db.pool.acquire();
    pqxx::work tx(*conn);
    auto id = outbox::enqueue_mail(tx, store, mail::Message{to, "S", "T"});
    tx.commit();
    return id;
  };
  SECTION("the server is down, then back: the same message id arrives") {
    std::string id = enqueue("bob@example.com");
    mailer.fail = mail::MailError::Kind::Connect;
    outbox::Settings s{.max_age = std::chrono::hours(1), .backoff_initial = 200ms, .backoff_max = 200ms};
    auto r = outbox::deliver_due(db.pool, store, &mailer, s, always);
    CHECK(r.retried == 1);
    CHECK(db.count("SELECT attempts FROM outbox") == 1);
    CHECK(db.text("SELECT status FROM outbox") == "pending");
    CHECK(db.text("SELECT last_error FROM outbox") == "told to fail");
    // Not due yet (backoff): nothing is tried.
    CHECK(outbox::deliver_due(db.pool, store, &mailer, s, always).retried == 0);
    CHECK(mailer.attempts == 1);
    mailer.fail.reset();
    std::this_thread::sleep_for(250ms);
    CHECK(outbox::deliver_due(db.pool, store, &mailer, s, always).sent == 1);
    REQUIRE(mailer.sent.size() == 1);
    CHECK(mailer.sent[0].message_id == id);
  }
  SECTION("a 5xx refusal: dead at once; retried by an operator, delivered") {
    enqueue("refused@example.com");
    mailer.fail = mail::MailError::Kind::Rejected;
    mailer.fail_code = 550;
    CHECK(outbox::deliver_due(db.pool, store, &mailer, quick(), always).dead == 1);
    CHECK(db.text("SELECT status FROM outbox") == "dead");
    // The payload stays, so that the dead letter can be retried.
    CHECK(db.count("SELECT count(*) FROM secrets") == 1);
    {
      auto conn = db.pool.acquire();
      pqxx::read_transaction tx(*conn);
      Json dead = outbox::list(tx, "dead", 10, 0);
      REQUIRE(dead.size() == 1);
      CHECK(dead[0]["recipient"] == "refused@example.com");
      CHECK(dead[0]["lasterror"] == "told to fail");
      CHECK_FALSE(dead[0].contains("text"));
      CHECK(outbox::counts(tx)["dead"] == 1);
    }
    std::int64_t row = db.count("SELECT id FROM outbox");
    {
      auto conn = db.pool.acquire();
      pqxx::work tx(*conn);
      CHECK_FALSE(outbox::retry(tx, row + 1));  // no such dead letter
      CHECK(outbox::retry(tx, row));
      CHECK_FALSE(outbox::retry(tx, row));  // pending now, not dead
      tx.commit();
    }
    mailer.fail.reset();
    CHECK(outbox::deliver_due(db.pool, store, &mailer, quick(), always).sent == 1);
    CHECK(db.text("SELECT status FROM outbox") == "sent");
  }
  SECTION("past max_age, a transient failure is not retried again") {
    enqueue("late@example.com");
    {
      auto conn = db.pool.acquire();
      pqxx::work tx(*conn);
      tx.exec("UPDATE outbox SET retry_since = now() - interval '3 hours'");
      tx.commit();
    }
    mailer.fail = mail::MailError::Kind::Timeout;
    outbox::Settings s{.max_age = std::chrono::hours(2), .backoff_initial = 1ms, .backoff_max = 1ms};
    CHECK(outbox::deliver_due(db.pool, store, &mailer, s, always).dead == 1);
    CHECK(db.text("SELECT status FROM outbox") == "dead");
  }
  SECTION("the job's lease goes: delivery stops between messages") {
    for (int i = 0; i < 5; ++i) enqueue("m" + std::to_string(i) + "@example.com");
    int budget = 2;
    auto r = outbox::deliver_due(db.pool, store, &mailer, quick(), [&] { return budget-- > 0; });
    CHECK(r.sent == 1);
    CHECK(db.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 4);
  }
}

TEST_CASE("outbox: the text is encrypted at rest; a locked store delays delivery without counting attempts",
          "[outbox]") {
  Db db;
  secrets::EncryptedSecretStore store;
  store.unlock(secrets::DataKey::random());
  RecordingMailer mailer;
  {
    auto conn = db.pool.acquire();
    pqxx::work tx(*conn);
    outbox::enqueue_mail(tx, store, mail::Message{"enc@example.com", "Reset", "token=0123456789ABCDEF"});
    tx.commit();
  }
  CHECK(db.count("SELECT count(*) FROM secrets WHERE scheme = 'aesgcm'") == 1);
  CHECK(db.count("SELECT count(*) FROM secrets WHERE encode(value, 'escape') LIKE '%0123456789ABCDEF%'") == 0);
  secrets::EncryptedSecretStore locked;  // a node after a restart, before the unlock
  auto r = outbox::deliver_due(db.pool, locked, &mailer, quick(), always);
  CHECK(r.locked);
  CHECK(mailer.attempts == 0);
  CHECK(db.count("SELECT attempts FROM outbox") == 0);
  CHECK(outbox::deliver_due(db.pool, store, &mailer, quick(), always).sent == 1);
}

TEST_CASE("outbox backoff: doubles from the initial wait, capped, with jitter in the upper half", "[outbox]") {
  std::mt19937_64 rng(42);
  outbox::Settings s{.max_age = std::chrono::hours(1), .backoff_initial = 10s, .backoff_max = 3600s};
  for (int i = 0; i < 200; ++i) {
    auto w1 = outbox::backoff(1, s, rng), w3 = outbox::backoff(3, s, rng), w20 = outbox::backoff(20, s, rng);
    CHECK((w1 >= 5s && w1 <= 10s));
    CHECK((w3 >= 20s && w3 <= 40s));
    CHECK((w20 >= 1800s && w20 <= 3600s));
  }
}

TEST_CASE("two omnid nodes on one database: kill -9 of a job's holder, the other runs it within the lease",
          "[jobs][omnid]") {
  std::string db = test::fresh_database("jobsnodes");
  auto node = [&](const std::string& name) {
    return std::make_unique<test::Omnid>(test::OmnidOptions{
        .dev = false,
        .config = {{"jobs.node", "\"" + name + "\""},
                   {"jobs.lease_seconds", "2"},
                   {"jobs.maintenance_interval_seconds", "1"}},
        .database_url = db});
  };
  auto a = node("node-a");
  // a takes every lease first (b is not started yet).
  REQUIRE(a->wait_for_log("job lease taken", 30s));
  auto b = node("node-b");
  std::string admin = a->create_api_key({"system-admin"});
  auto holder = [&](test::Omnid& via) {
    auto h = via.call("GET", "/api/v1/system/health", "", admin);
    for (const auto& j : h.json["jobs"])
      if (j["name"] == "maintenance") return j["holder"].is_string() ? j["holder"].get<std::string>() : "";
    return std::string("?");
  };
  std::this_thread::sleep_for(2500ms);
  CHECK(holder(*b) == "node-a");
  // Anonymous callers (load balancers) do not see the jobs.
  CHECK_FALSE(b->call("GET", "/api/v1/system/health", "", std::string()).json.contains("jobs"));

  store::Pool pool(db, 1);
  auto runs_by = [&](const std::string& n) {
    auto conn = pool.acquire();
    pqxx::nontransaction tx(*conn);
    return tx.exec_params1("SELECT count(*) FROM job_runs WHERE job = 'maintenance' AND node = $1", n)[0].as<long>();
  };
  CHECK(runs_by("node-a") >= 1);
  CHECK(runs_by("node-b") == 0);

  auto killed_at = std::chrono::steady_clock::now();
  a->stop(SIGKILL);
  // The lease (2 s) expires; b's keeper (every 2/3 s) takes it and runs the job.
  auto deadline = killed_at + 10s;
  while (runs_by("node-b") == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at);
  INFO("node-b ran the job " << took.count() << " ms after the kill");
  CHECK(runs_by("node-b") >= 1);
  CHECK(took < 6s);  // lease 2 s + one keeper tick (0.67 s) + the run, with room for a loaded machine
  CHECK(holder(*b) == "node-b");
  // Never both at once: every finished run ended before the next began, and node-b's
  // first run began after node-a's last one started (node-a's last may have no end).
  auto conn = pool.acquire();
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec(
      "SELECT node, (extract(epoch FROM started_at) * 1e6)::bigint, "
      "(extract(epoch FROM coalesce(finished_at, started_at)) * 1e6)::bigint "
      "FROM job_runs WHERE job = 'maintenance' ORDER BY started_at");
  REQUIRE(r.size() >= 2);
  for (std::size_t i = 1; i < r.size(); ++i) {
    INFO("run " << i << " on " << r[i][0].as<std::string>());
    CHECK(r[i][1].as<long long>() >= r[i - 1][2].as<long long>());
  }
  CHECK(tx.exec1("SELECT fence FROM job_leases WHERE name = 'maintenance'")[0].as<int>() == 2);
}
