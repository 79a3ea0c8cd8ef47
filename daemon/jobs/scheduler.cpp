#include "daemon/jobs/scheduler.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "common/crypto.h"
#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::jobs {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One job on this node. mu guards everything but the atomics.
struct JobSlot {
  Job job;
  std::mutex mu;
  std::condition_variable cv;
  bool held = false;
  std::int64_t fence = 0;
  Clock::time_point held_until{};  // this node's own (earlier) view of lease_until
  Clock::time_point due{};         // next_run, in this node's clock
  bool woken = false;
  bool running = false;
  std::atomic<bool> stopping{false};
  std::thread thread;
  bool logged_failure = false;
};

bool JobContext::held() const {
  auto& slot = const_cast<JobSlot&>(slot_);
  if (slot.stopping) return false;
  std::lock_guard lock(slot.mu);
  return slot.held && slot.fence == fence_ && Clock::now() < slot.held_until;
}

std::string default_node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(*host ? host : "node") + ":" + std::to_string(::getpid()) + ":" + crypto::random_hex(2);
}

Scheduler::Scheduler(std::string conninfo, SchedulerOptions options)
    : options_(std::move(options)), conninfo_(std::move(conninfo)) {
  if (options_.node.empty()) options_.node = default_node_id();
  if (options_.lease < milliseconds(300)) throw std::invalid_argument("a job lease is at least 300 ms");
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(Job job) {
  if (started_) throw std::logic_error("Scheduler::add after start");
  for (const auto& s : slots_)
    if (s->job.name == job.name) throw std::logic_error("job " + job.name + " added twice");
  auto slot = std::make_unique<JobSlot>();
  slot->job = std::move(job);
  slots_.push_back(std::move(slot));
}

void Scheduler::start() {
  if (started_) return;
  started_ = true;
  // The keeper's connection plus one per job for its bookkeeping.
  pool_ = std::make_unique<store::Pool>(conninfo_, slots_.size() + 1);
  {
    auto conn = pool_->acquire();
    pqxx::work tx(*conn);
    for (const auto& s : slots_)
      tx.exec_params("INSERT INTO job_leases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", s->job.name);
    tx.commit();
  }
  for (auto& s : slots_) {
    JobSlot* slot = s.get();
    slot->thread = std::thread([this, slot] { runner(*slot); });
  }
  keeper_ = std::thread([this] { keeper(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& s : slots_) {
    {
      // Under the slot's lock: a runner between its check and its wait cannot miss this.
      std::lock_guard lock(s->mu);
      s->stopping = true;
    }
    s->cv.notify_all();
  }
  for (auto& s : slots_)
    if (s->thread.joinable()) s->thread.join();
  if (keeper_.joinable()) keeper_.join();
  // Give the leases back: another node takes them at once instead of after the lease time.
  try {
    auto conn = pool_->acquire(std::chrono::seconds(2));
    pqxx::work tx(*conn);
    tx.exec_params("UPDATE job_leases SET holder = NULL, lease_until = NULL WHERE holder = $1", options_.node);
    tx.commit();
  } catch (const std::exception& e) {
    log::warn("job leases not given back (they expire by themselves)", {{"error", e.what()}});
  }
  pool_.reset();
}

void Scheduler::wake(std::string_view name) {
  for (auto& s : slots_)
    if (s->job.name == name) {
      {
        std::lock_guard lock(s->mu);
        s->woken = true;
      }
      s->cv.notify_all();
    }
}

void Scheduler::keeper() {
  const auto tick = options_.lease / 3;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    renew_all();
    lock.lock();
    cv_.wait_for(lock, tick, [&] { return stopping_; });
  }
}

// For each job: renew the lease this node holds, or take it when it is free or expired.
// One statement per job does both; the row's fence grows only when the lease changes hands.
void Scheduler::renew_all() {
  const double lease_s = static_cast<double>(options_.lease.count()) / 1000.0;
  for (auto& s : slots_) {
    JobSlot& slot = *s;
    auto sent = Clock::now();
    try {
      auto conn = pool_->acquire(options_.lease / 3);
      pqxx::work tx(*conn);
      auto r = tx.exec_params(
          "UPDATE job_leases SET "
          "  fence = CASE WHEN holder = $2 AND lease_until > now() THEN fence ELSE fence + 1 END, "
          "  holder = $2, lease_until = now() + make_interval(secs => $3) "
          "WHERE name = $1 AND (holder IS NULL OR holder = $2 OR lease_until IS NULL OR lease_until <= now()) "
          "RETURNING fence, greatest(0, extract(epoch FROM next_run - now()))::float8",
          slot.job.name, options_.node, lease_s);
      tx.commit();
      std::lock_guard lock(slot.mu);
      if (r.empty()) {
        if (slot.held) log::warn("job lease lost to another node", {{"job", slot.job.name}});
        slot.held = false;
      } else {
        auto fence = r[0][0].as<std::int64_t>();
        if (!slot.held || slot.fence != fence) {
          log::info("job lease taken", {{"job", slot.job.name}, {"node", options_.node}, {"fence", fence}});
          // Due as the row says: the job goes on where the last holder left it.
          slot.due = sent + milliseconds(static_cast<std::int64_t>(r[0][1].as<double>() * 1000.0));
        }
        slot.held = true;
        slot.fence = fence;
        slot.held_until = sent + options_.lease - options_.lease / 10;
        slot.logged_failure = false;
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(slot.mu);
      if (!slot.logged_failure)
        log::warn("job lease not renewed (the database is unreachable?)", {{"job", slot.job.name}, {"error", e.what()}});
      slot.logged_failure = true;
      // Held until held_until passes, as before; JobContext::held() turns false then.
    }
    slot.cv.notify_all();
  }
}

void Scheduler::runner(JobSlot& slot) {
  std::unique_lock lock(slot.mu);
  for (;;) {
    auto now = Clock::now();
    bool ours = slot.held && now < slot.held_until;
    if (slot.stopping) return;
    if (!ours || (!slot.woken && now < slot.due)) {
      auto until = ours ? std::min(slot.due, slot.held_until) : now + options_.lease / 3;
      slot.cv.wait_until(lock, until);
      continue;
    }
    slot.woken = false;
    const std::int64_t fence = slot.fence;
    lock.unlock();

    std::int64_t run_id = 0;
    std::string error;
    try {
      auto conn = pool_->acquire();
      pqxx::work tx(*conn);
      auto r = tx.exec_params(
          "WITH mine AS (UPDATE job_leases SET last_started = clock_timestamp(), last_node = $2, "
          "  last_finished = NULL WHERE name = $1 AND holder = $2 AND fence = $3 AND lease_until > now() RETURNING name) "
          "INSERT INTO job_runs (job, node, fence) SELECT name, $2, $3 FROM mine RETURNING id",
          slot.job.name, options_.node, fence);
      tx.commit();
      if (!r.empty()) run_id = r[0][0].as<std::int64_t>();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (run_id == 0) {
      // The lease went (or the database did): wait for the keeper to say what holds.
      lock.lock();
      if (slot.fence == fence) slot.held_until = Clock::now();
      if (!error.empty() && !slot.logged_failure) log::warn("job not started", {{"job", slot.job.name}, {"error", error}});
      slot.cv.wait_for(lock, options_.lease / 3);
      continue;
    }
    JobContext ctx(slot, options_.node, fence);
    try {
      slot.job.run(ctx);
    } catch (const std::exception& e) {
      error = e.what();
      log::warn("job failed", {{"job", slot.job.name}, {"error", error}});
    }
    const double interval_s = static_cast<double>(slot.job.interval.count()) / 1000.0;
    for (int attempt = 0; attempt < 3; ++attempt) {
      try {
        auto conn = pool_->acquire();
        pqxx::work tx(*conn);
        tx.exec_params("UPDATE job_runs SET finished_at = clock_timestamp(), error = $2 WHERE id = $1", run_id,
                       error.empty() ? std::optional<std::string>() : std::optional<std::string>(error));
        tx.exec_params(
            "UPDATE job_leases SET last_finished = clock_timestamp(), last_error = $4, runs = runs + 1, "
            "next_run = clock_timestamp() + make_interval(secs => $5) WHERE name = $1 AND holder = $2 AND fence = $3",
            slot.job.name, options_.node, fence,
            error.empty() ? std::optional<std::string>() : std::optional<std::string>(error), interval_s);
        tx.commit();
        break;
      } catch (const std::exception& e) {
        if (attempt == 2) log::warn("job run not recorded", {{"job", slot.job.name}, {"error", e.what()}});
        std::this_thread::sleep_for(milliseconds(100));
      }
    }
    lock.lock();
    slot.due = Clock::now() + slot.job.interval;
  }
}

Json states(pqxx::transaction_base& tx) {
  static const char* ts = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
  auto t = [](const std::string& col) {
    char buf[160];
    std::snprintf(buf, sizeof buf, ts, col.c_str());
    return std::string(buf);
  };
  Json out = Json::array();
  for (const auto& r : tx.exec("SELECT name, CASE WHEN lease_until > now() THEN holder END, " + t("lease_until") + ", " +
                               t("next_run") + ", runs, last_node, " + t("last_started") + ", " + t("last_finished") +
                               ", last_error FROM job_leases ORDER BY name")) {
    auto opt = [&](int i) { return r[i].is_null() ? Json() : Json(r[i].as<std::string>()); };
    Json last{{"node", opt(5)}, {"started", opt(6)}, {"finished", opt(7)}, {"error", opt(8)}};
    out.push_back(Json{{"name", r[0].as<std::string>()},
                       {"holder", opt(1)},
                       {"leaseuntil", opt(2)},
                       {"nextrun", opt(3)},
                       {"runs", r[4].as<std::int64_t>()},
                       {"lastrun", last}});
  }
  return out;
}

}  // namespace og::jobs
