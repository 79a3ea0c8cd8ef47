#!/usr/bin/env bash
# The libFuzzer harnesses of tests/fuzz/ (clang; a build of their own, default build-fuzz/).
#
#   scripts/fuzz.sh list                  the harnesses
#   scripts/fuzz.sh build                 configure and build them (done by the others too)
#   scripts/fuzz.sh NAME SECONDS [ARGS]   fuzz one for SECONDS on its corpus; ARGS go to libFuzzer
#   scripts/fuzz.sh all SECONDS           each in turn, SECONDS each
#   scripts/fuzz.sh replay NAME|all       run every committed input once (regressions)
#   scripts/fuzz.sh open                  which inputs of open bugs (tests/fuzz/open/) still fail
#   scripts/fuzz.sh ci NAME SECONDS       replay, then fuzz (what ctest's "fuzz" label runs)
#   scripts/fuzz.sh ci-build              build; both exit 77 (skipped) without clang/libFuzzer
#
# Inputs the fuzzer finds go to a scratch corpus outside the repository,
# $OMNIGATE_FUZZ_WORK/NAME/corpus (default build-fuzz/work); the committed corpus
# tests/fuzz/corpus/NAME/ is only read. A crash, leak or sanitizer report is written to
# $OMNIGATE_FUZZ_WORK/NAME/crashes/ and the script exits non-zero, printing how to replay it
# (`build-fuzz/fuzz_NAME FILE`). OMNIGATE_FUZZ_KEEP_GOING=1 goes on after a crash (long runs);
# OG_FUZZ_SKIP_OPEN=1 stops checking the bugs already reported (tests/fuzz/open/; ci sets it).
# Found a bug? Its input goes to tests/fuzz/corpus/NAME/regression-<what> once fixed (while
# the bug is open, to tests/fuzz/open/NAME/), and into tests/unit/fuzz_regressions_tests.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${OMNIGATE_FUZZ_BUILD_DIR:-$root/build-fuzz}
work=${OMNIGATE_FUZZ_WORK:-$build/work}
cxx=${OMNIGATE_FUZZ_CXX:-clang++}

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

harnesses() {
  sed -n 's/^set(OG_FUZZ_HARNESSES \(.*\))$/\1/p' "$root/tests/fuzz/CMakeLists.txt"
}

# Can this machine build a libFuzzer binary? (clang plus its fuzzer, ASan and UBSan runtimes:
# Debian clang + libclang-rt-14-dev, RHEL clang + compiler-rt.)
have_libfuzzer() {
  command -v "$cxx" >/dev/null 2>&1 || return 1
  local t
  t=$(mktemp -d)
  printf '%s\n' '#include <cstdint>' '#include <cstddef>' \
    'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' >"$t/probe.cpp"
  if "$cxx" -fsanitize=fuzzer,address,undefined "$t/probe.cpp" -o "$t/probe" >/dev/null 2>&1; then
    rm -rf "$t"; return 0
  fi
  rm -rf "$t"; return 1
}

build() {
  mkdir -p "$build"
  # One build at a time (ctest may start several fuzz tests together).
  exec 9>"$build/.lock"
  flock 9
  if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
    local gen=() launcher=()
    command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$root/tests/fuzz" -B "$build" "${gen[@]}" "${launcher[@]}" \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j"${OMNIGATE_FUZZ_JOBS:-2}"
  flock -u 9
}

known() {
  local n
  for n in $(harnesses); do [ "$n" = "$1" ] && return 0; done
  echo "fuzz.sh: no harness named '$1' (scripts/fuzz.sh list)" >&2
  exit 2
}

# Extra libFuzzer flags per harness.
flags_for() {
  local f=(-timeout=25 -rss_limit_mb=2048 -print_final_stats=1)
  # Long runs: keep going after a crash (one child process at a time), to find more than one.
  [ "${OMNIGATE_FUZZ_KEEP_GOING:-0}" = 1 ] && f+=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  local dict=$root/tests/fuzz/dict/$1.dict
  [ -f "$dict" ] && f+=("-dict=$dict")
  case "$1" in
    http) f+=(-max_len=20000) ;;             # past omnid's 16 KiB header limit
    config|answers|json_body) f+=(-max_len=8192) ;;
  esac
  printf '%s\n' "${f[@]}"
}

replay() {
  local name=$1 corpus=$root/tests/fuzz/corpus/$1
  local files=()
  [ -d "$corpus" ] && mapfile -t files < <(find "$corpus" -type f | sort)
  if [ ${#files[@]} -eq 0 ]; then echo "fuzz.sh: $name: no committed inputs" >&2; return 0; fi
  echo "== $name: replaying ${#files[@]} committed inputs"
  mkdir -p "$work/$name/crashes"
  "$build/fuzz_$name" -runs=1 -artifact_prefix="$work/$name/crashes/" "${files[@]}" >"$work/$name/replay.log" 2>&1 || {
    tail -n 60 "$work/$name/replay.log" >&2
    echo "fuzz.sh: $name: a committed input fails (log: $work/$name/replay.log)" >&2
    return 1
  }
}

run() {
  local name=$1 seconds=$2
  shift 2
  local scratch=$work/$name/corpus crashes=$work/$name/crashes/
  mkdir -p "$scratch" "$crashes" "$root/tests/fuzz/corpus/$name"
  mapfile -t extra < <(flags_for "$name")
  local log stamp
  stamp=$(date +%Y%m%d-%H%M%S)
  log=$work/$name/fuzz-$stamp.log
  echo "== $name: fuzzing for ${seconds}s (new inputs: $scratch; log: $log)"
  local rc=0 before
  before=$(find "$crashes" -type f | wc -l)
  "$build/fuzz_$name" -max_total_time="$seconds" -artifact_prefix="$crashes" "${extra[@]}" "$@" \
    "$scratch" "$root/tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+ +DONE|^stat::|^Done [0-9]+ runs|^INFO: fuzzed for|^INFO: exiting' "$log" || true
  # With KEEP_GOING libFuzzer exits 0 after crashes: count what it wrote.
  if [ "$(find "$crashes" -type f | wc -l)" -gt "$before" ] && [ $rc -eq 0 ]; then rc=1; fi
  if [ $rc -ne 0 ]; then
    tail -n 80 "$log" >&2
    echo "fuzz.sh: $name FAILED (exit $rc). Inputs in $crashes; replay one with: $build/fuzz_$name FILE" >&2
    return 1
  fi
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
  list) harnesses | tr ' ' '\n' ;;
  build)
    have_libfuzzer || { echo "fuzz.sh: $cxx with libFuzzer not found (scripts/deps.sh test installs it)" >&2; exit 1; }
    build ;;
  replay)
    [ $# -eq 1 ] || usage
    have_libfuzzer || { echo "fuzz.sh: $cxx with libFuzzer not found" >&2; exit 1; }
    build >/dev/null
    if [ "$1" = all ]; then
      status=0
      for n in $(harnesses); do replay "$n" || status=1; done
      exit $status
    fi
    known "$1"; replay "$1" ;;
  open)
    have_libfuzzer || { echo "fuzz.sh: $cxx with libFuzzer not found" >&2; exit 1; }
    build >/dev/null
    for f in $(find "$root/tests/fuzz/open" -type f 2>/dev/null | sort); do
      n=$(basename "$(dirname "$f")")
      if "$build/fuzz_$n" -runs=1 "$f" >/dev/null 2>&1; then
        echo "FIXED  $n ${f#"$root"/} (move it to tests/fuzz/corpus/$n/regression-...)"
      else
        echo "OPEN   $n ${f#"$root"/}"
      fi
    done ;;
  ci-build)
    if ! have_libfuzzer; then echo "fuzz.sh: $cxx with libFuzzer not found: skipped" >&2; exit 77; fi
    build ;;
  ci)
    [ $# -eq 2 ] || usage
    if ! have_libfuzzer; then echo "fuzz.sh: $cxx with libFuzzer not found: skipped" >&2; exit 77; fi
    known "$1"
    build >/dev/null
    replay "$1"
    OG_FUZZ_SKIP_OPEN=1 run "$1" "$2" ;;
  all)
    [ $# -eq 1 ] || usage
    have_libfuzzer || { echo "fuzz.sh: $cxx with libFuzzer not found" >&2; exit 1; }
    build
    status=0
    for n in $(harnesses); do run "$n" "$1" || status=1; done
    exit $status ;;
  -h|--help|help) usage ;;
  *)
    [ $# -ge 1 ] || usage
    known "$cmd"
    have_libfuzzer || { echo "fuzz.sh: $cxx with libFuzzer not found" >&2; exit 1; }
    build
    run "$cmd" "$@" ;;
esac
