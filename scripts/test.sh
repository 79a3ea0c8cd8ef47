#!/usr/bin/env bash
# Installs what is missing, builds everything with AddressSanitizer + UBSan, and runs every
# test (unit, integration against real PostgreSQL clusters, end-to-end). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
build=${OMNIGATE_TEST_BUILD_DIR:-build-test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMNIGATE_SANITIZE=ON -DOMNIGATE_WERROR=ON
cmake --build "$build" -j2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j2 --timeout 900 "$@"
