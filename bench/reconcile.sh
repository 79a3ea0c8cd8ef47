#!/usr/bin/env bash
# bench/reconcile.sh: transaction-level reconciliation speed (issue 20): N internal movements
# against N external records matched by og::reconcile::match(), and the same match done by
# PostgreSQL itself in the same run (bench/reconcile.cpp says how). Target: 1,000,000 against
# 1,000,000 in under 10 s and under 1 GiB, not slower than PostgreSQL.
#
#   bench/reconcile.sh [N]          (default 1000000)
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N] (a positive integer)" >&2; exit 1; }
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target reconcile_bench >/dev/null
exec "$build/bench/reconcile_bench" "$n"
