// bench/hot_path.cpp: nanoseconds per call of the per-request and per-batch steps of a
// transfer that run in omnid's own code, outside the database and the kernel: routing,
// hashing the API key, the log line's timestamp, the ledger's invariant check over a batch
// of 32 transfers, and a transaction id from its sequence number and back. Prints one line
// per step: the fastest of 7 rounds (the least disturbed by other loads on a shared
// machine). To compare a change, build it in two trees (a `git worktree` of the previous
// commit) and run both in the same minute:
//
//   cmake --build build-bench --target hot_path_bench && build-bench/bench/hot_path_bench
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/catalog/catalog.h"
#include "daemon/http/auth.h"
#include "daemon/http/router.h"
#include "daemon/ledger/invariants.h"
#include "daemon/ledger/txids.h"
#include "daemon/log.h"

namespace {
volatile std::size_t sink;

template <typename F>
double ns_per_call(int calls, F&& f) {
  double best = 1e300;
  for (int round = 0; round < 7; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / calls;
    if (ns < best) best = ns;
  }
  return best;
}
}  // namespace

int main() {
  og::http::Router router(og::catalog::all());
  std::printf("route POST /api/v1/wallet/transfer      %8.0f ns\n", ns_per_call(200000, [&] {
                sink = router.match("POST", "/api/v1/wallet/transfer").endpoint != nullptr;
              }));
  std::printf("route GET /api/v1/wallet/transaction/ID %8.0f ns\n", ns_per_call(200000, [&] {
                sink = router.match("GET", "/api/v1/wallet/transaction/txid_1234567812345678").endpoint != nullptr;
              }));
  const std::string key = "0123456789abcdef0123456789ABCDEF";
  std::printf("API key hash                            %8.0f ns\n",
              ns_per_call(200000, [&] { sink = og::http::api_key_hash_hex(key).size(); }));
  std::printf("log timestamp                           %8.0f ns\n",
              ns_per_call(200000, [&] { sink = og::log::timestamp_now().size(); }));

  // 32 transfers of 1 unit between 64 distinct wallets, as a batch of the bench has them.
  std::vector<std::string> txids, waids;
  for (int i = 0; i < 64; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "waid_%016d", 1000 + i * 7919);
    waids.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "txid_%016d", 5000 + i * 104729);
    txids.emplace_back(buf);
  }
  const std::string cad = "CAD";
  og::ledger::InvariantInput in;
  for (int t = 0; t < 32; ++t) {
    in.postings.push_back({txids[t], waids[2 * t], cad, -1, 0});
    in.postings.push_back({txids[t], waids[2 * t + 1], cad, 1, 0});
    in.balances.push_back({waids[2 * t], cad, 100, 0, 99, 0, false});
    in.balances.push_back({waids[2 * t + 1], cad, 100, 0, 101, 0, false});
  }
  std::printf("invariant check, 32 transfers           %8.0f ns\n",
              ns_per_call(20000, [&] { sink = og::ledger::check(in).has_value(); }));

  // A transaction's id from its sequence number (once per transaction), and back (once per
  // lookup by txid).
  const og::ledger::TxidCodec codec(std::string(32, 'k'));
  std::uint64_t seq = 1'000'000;
  std::printf("txid of a sequence number               %8.0f ns\n",
              ns_per_call(100000, [&] { sink = codec.txid_of(seq++).size(); }));
  std::printf("sequence number of a txid               %8.0f ns\n",
              ns_per_call(100000, [&] { sink = *codec.seq_of("txid_1234567812345678"); }));
  return 0;
}
