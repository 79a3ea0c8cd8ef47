// bench/reconcile.cpp: transaction-level reconciliation (issue 20, docs/reconciliation.md).
// N internal movements against N external records, made up untimed and shaped like a
// bridge's day: most share a reference, some have none on the external side (matched by
// amount and date), some settle as batches (one external debit for a batch of withdrawals),
// some arrive in two parts (two external records for one movement),
// and a few are wrong on purpose (amount mismatches, one side only, duplicates), so that
// every pass has work. Then, in the same run:
//   ours:       og::reconcile::match() in memory, timed, with the process's peak RSS;
//   PostgreSQL: a private throwaway cluster; both sides COPYed into tables (timed apart),
//               then the same match in SQL: one hash join on the reference, the batch sums,
//               and the date-window pass on what is left (row_number per currency and
//               amount by date, joined on it, within the window) — timed;
// and the counts of both, which must agree, and the ratio. Target: 1,000,000 against
// 1,000,000 in under 10 s and under 1 GiB; not slower than PostgreSQL.
//
//   build-bench/bench/reconcile_bench [N]        (bench/reconcile.sh builds and runs it)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "daemon/reconcile/matcher.h"
#include "daemon/store/local_cluster.h"

namespace rc = og::reconcile;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

struct Sides {
  std::vector<rc::Record> in, ex;
};

// Deterministic (seeded) so that runs compare.
Sides make_sides(std::size_t n) {
  Sides s;
  s.in.reserve(n);
  s.ex.reserve(n);
  std::mt19937_64 rng(20261203);
  const char* currencies[] = {"EUR", "USD", "BTC", "XRP", "XLM"};
  std::size_t i = 0;
  while (s.in.size() < n || s.ex.size() < n) {
    const std::string cur = currencies[rng() % 5];
    const og::int128 units = static_cast<og::int128>(1 + rng() % 5'000'000);
    const int day = 20'000 + static_cast<int>(rng() % 60);
    const std::string ref = "tx" + std::to_string(1'000'000'000 + i);
    const unsigned kind = static_cast<unsigned>(rng() % 1000);
    ++i;
    if (kind < 790) {  // the same reference on both sides
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units, day});
      s.ex.push_back({"ex" + std::to_string(i), ref, "", cur, units, day + static_cast<int>(rng() % 2)});
    } else if (kind < 940) {  // no reference outside: amount and date
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units, day});
      s.ex.push_back({"ex" + std::to_string(i), "", "", cur, units, day + static_cast<int>(rng() % 3)});
    } else if (kind < 950) {  // a batch of 4 withdrawals, one debit of their sum
      const std::string batch = "PMT" + std::to_string(i);
      og::int128 sum = 0;
      for (int k = 0; k < 4; ++k) {
        const og::int128 u = -static_cast<og::int128>(1 + rng() % 100'000);
        sum += u;
        s.in.push_back({"in" + std::to_string(i) + "-" + std::to_string(k), ref + "-" + std::to_string(k), batch, cur, u,
                        day});
      }
      s.ex.push_back({"ex" + std::to_string(i), batch, "", cur, sum, day + 1});
    } else if (kind < 990) {  // one payment that arrived in two parts under its reference
      const og::int128 part = units / 3 + 1;
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units + 1, day});
      s.ex.push_back({"ex" + std::to_string(i), ref, "", cur, part, day});
      s.ex.push_back({"ex" + std::to_string(i) + "b", ref, "", cur, units + 1 - part, day + 1});
    } else if (kind < 994) {  // an amount mismatch
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units, day});
      s.ex.push_back({"ex" + std::to_string(i), ref, "", cur, units + 1, day});
    } else if (kind < 997) {  // internal only
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units, day});
    } else if (kind < 999) {  // external only
      s.ex.push_back({"ex" + std::to_string(i), "", "", cur, -units, day});
    } else {  // a duplicate statement line
      s.in.push_back({"in" + std::to_string(i), ref, "", cur, units, day});
      s.ex.push_back({"ex" + std::to_string(i), ref, "", cur, units, day});
      s.ex.push_back({"ex" + std::to_string(i) + "b", ref, "", cur, units, day});
    }
  }
  while (s.in.size() > n) s.in.pop_back();
  while (s.ex.size() > n) s.ex.pop_back();
  return s;
}

void write_csv(const std::filesystem::path& file, const std::vector<rc::Record>& side) {
  std::ofstream f(file);
  for (std::size_t k = 0; k < side.size(); ++k) {
    const auto& r = side[k];
    f << k << ',' << r.id << ',' << r.reference << ',' << r.batch << ',' << r.currency << ',' << og::int128_to_string(r.units) << ','
      << r.day << '\n';
  }
}

struct SqlCounts {
  long long by_reference = 0, mismatched = 0, by_batch = 0, by_date = 0;
  double load = 0, match = 0;
};

SqlCounts postgres_match(const Sides& s, const std::filesystem::path& dir, int window) {
  og::store::LocalClusterOptions o;
  o.dir = dir / "pg";
  o.durable = false;
  og::store::LocalCluster cluster(o);
  cluster.start();
  write_csv(dir / "in.csv", s.in);
  write_csv(dir / "ex.csv", s.ex);
  pqxx::connection c(cluster.conninfo());
  pqxx::nontransaction tx(c);
  tx.exec("SET work_mem = '512MB'");
  tx.exec("SET max_parallel_workers_per_gather = 2");
  const char* columns = "(idx int, id text, reference text, batch text, currency text, units bigint, day int)";
  tx.exec(std::string("CREATE UNLOGGED TABLE i ") + columns);
  tx.exec(std::string("CREATE UNLOGGED TABLE e ") + columns);
  SqlCounts out;
  auto t0 = std::chrono::steady_clock::now();
  tx.exec("COPY i FROM " + tx.quote((dir / "in.csv").string()) + " (FORMAT csv, FORCE_NOT_NULL (reference, batch))");
  tx.exec("COPY e FROM " + tx.quote((dir / "ex.csv").string()) + " (FORMAT csv, FORCE_NOT_NULL (reference, batch))");
  tx.exec("ANALYZE i");
  tx.exec("ANALYZE e");
  out.load = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  // 1. The reference: one hash join (the first external record of a reference, as ours).
  tx.exec(
      "CREATE UNLOGGED TABLE m1 AS SELECT i.idx AS ii, e.idx AS ei, (i.currency = e.currency AND i.units = e.units) "
      "AS same FROM i JOIN (SELECT DISTINCT ON (reference) * FROM e WHERE reference <> '' ORDER BY reference, idx) e "
      "ON e.reference = i.reference");
  // 2. Batches: the sums of the unmatched by batch against the reference.
  tx.exec(
      "CREATE UNLOGGED TABLE m2 AS SELECT b.batch, e.idx AS ei, b.total = e.units AS same FROM (SELECT batch, "
      "sum(units) AS total FROM i WHERE batch <> '' AND NOT EXISTS (SELECT 1 FROM m1 WHERE m1.ii = i.idx) GROUP BY "
      "batch) b JOIN e ON e.reference = b.batch WHERE NOT EXISTS (SELECT 1 FROM m1 WHERE m1.ei = e.idx)");
  // 3. Amount and date on what is left.
  tx.exec(
      "CREATE UNLOGGED TABLE m3 AS WITH ri AS (SELECT idx, currency, units, day, row_number() OVER (PARTITION BY "
      "currency, units ORDER BY day, idx) AS rn FROM i WHERE batch = '' AND NOT EXISTS (SELECT 1 FROM m1 WHERE "
      "m1.ii = i.idx)), re AS (SELECT idx, currency, units, day, row_number() OVER (PARTITION BY currency, units "
      "ORDER BY day, idx) AS rn FROM e WHERE NOT EXISTS (SELECT 1 FROM m1 WHERE m1.ei = e.idx) AND NOT EXISTS "
      "(SELECT 1 FROM m2 WHERE m2.ei = e.idx)) SELECT ri.idx AS ii, re.idx AS ei FROM ri JOIN re USING (currency, "
      "units, rn) WHERE abs(ri.day - re.day) <= " +
      std::to_string(window));
  out.match = seconds_since(t0);
  out.by_reference = tx.exec("SELECT count(*) FROM m1 WHERE same")[0][0].as<long long>();
  out.mismatched = tx.exec("SELECT count(*) FROM m1 WHERE NOT same")[0][0].as<long long>();
  out.by_batch = tx.exec("SELECT count(*) FROM m2 WHERE same")[0][0].as<long long>();
  out.by_date = tx.exec("SELECT count(*) FROM m3")[0][0].as<long long>();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  if (n == 0 || n > 50'000'000) {
    std::fprintf(stderr, "usage: %s [N] (1 to 50,000,000 records a side)\n", argv[0]);
    return 1;
  }
  const int window = 3;
  Sides s = make_sides(n);
  const long rss_before = peak_rss_mib();

  auto t0 = std::chrono::steady_clock::now();
  const rc::Report r = rc::match(s.in, s.ex, rc::Options{.window_days = window});
  const double ours = seconds_since(t0);
  long long by_ref = 0, by_batch = 0, by_date = 0;
  for (const auto& f : r.findings)
    if (f.kind == rc::Kind::Matched)
      (f.via == rc::Via::Reference ? by_ref : f.via == rc::Via::Batch ? by_batch : by_date) += 1;
  std::printf("reconcile: %zu internal against %zu external records\n", s.in.size(), s.ex.size());
  std::printf("ours:        %.2f s  (matched %lld by reference, %lld batches, %lld by amount and date; %zu mismatches, "
              "%zu internal only, %zu external only, %zu duplicates); peak RSS %ld MiB (%ld MiB before matching)\n",
              ours, by_ref, by_batch, by_date, r.count(rc::Kind::AmountMismatch), r.count(rc::Kind::InternalOnly),
              r.count(rc::Kind::ExternalOnly), r.count(rc::Kind::Duplicate), peak_rss_mib(), rss_before);
  std::fflush(stdout);

  const auto dir = std::filesystem::temp_directory_path() / ("og-reconcile-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  try {
    const SqlCounts q = postgres_match(s, dir, window);
    std::printf("postgresql:  %.2f s  (matched %lld by reference, %lld batches, %lld by amount and date; %lld "
                "mismatches); loading both sides (COPY, ANALYZE) %.2f s more\n",
                q.match, q.by_reference, q.by_batch, q.by_date, q.mismatched, q.load);
    std::printf("ratio:       postgresql / ours = %.1fx (match only), %.1fx (with the load)\n", q.match / ours,
                (q.match + q.load) / ours);
    if (q.by_reference + q.by_batch != by_ref + by_batch)
      std::printf("note: the reference and batch counts differ (ours %lld, postgresql %lld): the SQL pairs one "
                  "external record per reference, so a payment in parts counts as a mismatch there\n",
                  by_ref + by_batch, q.by_reference + q.by_batch);
  } catch (const std::exception& e) {
    std::printf("postgresql:  not measured: %s\n", e.what());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
