#pragma once
// Named jobs that run on exactly one omnid node at a time, under a lease held in
// PostgreSQL (table job_leases; docs/architecture.md, "Jobs").
//
// Every node runs the same Scheduler with the same jobs. For each job, a keeper thread
// tries to take the job's lease row (free, or expired by the database's clock) and, once
// held, renews it every third of the lease time. A job runs on the node that holds its
// lease, when it is due (its interval after the end of its last run, on whichever node
// that was: next_run is in the row) or when it is woken (wake(): an event on this node,
// such as a message written to the outbox). A node that dies (kill -9) stops renewing;
// within the lease time its leases expire and another node takes them, with a new fence
// number. A node stopping cleanly gives its leases back at once.
//
// Never two at once: a holder counts its lease from the moment it sent the renewal (before
// the database's now(), which sets the expiry), minus a tenth, so it believes it holds the
// lease only while the database agrees; JobContext::held() is false from then on, and a job
// checks it between units of work. Every run is recorded in job_runs (node, fence, start,
// end, error), which is what GET /system/health shows and what the tests check.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "common/json.h"

namespace og::store {
class Pool;
}

namespace og::jobs {

struct JobSlot;

class JobContext {
 public:
  // Still this node's lease, and the scheduler is not stopping: check between units of work.
  bool held() const;
  const std::string& node() const { return node_; }
  std::int64_t fence() const { return fence_; }

 private:
  friend class Scheduler;
  JobContext(const JobSlot& slot, const std::string& node, std::int64_t fence)
      : slot_(slot), node_(node), fence_(fence) {}
  const JobSlot& slot_;
  const std::string& node_;
  std::int64_t fence_;
};

struct Job {
  std::string name;                   // unique; the job_leases row
  std::chrono::milliseconds interval;  // from the end of one run to the start of the next
  std::function<void(JobContext&)> run;  // throws to record an error (the job runs again after interval)
};

struct SchedulerOptions {
  std::string node;  // this node's id ("" = host:pid:random)
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
};

class Scheduler {
 public:
  // conninfo: the database; the scheduler keeps its own connections for its bookkeeping,
  // so that a busy request pool cannot make it miss a renewal.
  Scheduler(std::string conninfo, SchedulerOptions options);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add(Job job);  // before start()
  void start();
  // Finishes the runs in progress (their held() turns false) and gives the leases back.
  void stop();
  // Run `name` now if this node holds it (else its holder runs it when it is due).
  void wake(std::string_view name);
  const std::string& node() const { return options_.node; }
  std::chrono::milliseconds lease() const { return options_.lease; }

 private:
  void keeper();
  void runner(JobSlot& slot);
  void renew_all();
  SchedulerOptions options_;
  std::string conninfo_;
  std::unique_ptr<store::Pool> pool_;
  std::vector<std::unique_ptr<JobSlot>> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread keeper_;
};

// Every job's row, for GET /system/health: [{"name", "holder", "leaseuntil", "nextrun", "runs",
// "lastrun": {"node", "started", "finished", "error"}}], by name.
Json states(pqxx::transaction_base& tx);

// host:pid:4 random hex digits.
std::string default_node_id();

}  // namespace og::jobs
