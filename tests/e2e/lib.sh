# Shared helpers for the end-to-end shell tests (sourced, not run).
# shellcheck shell=bash
set -euo pipefail

: "${OMNID:?OMNID must name the omnid binary}"
: "${OMNICTL:?OMNICTL must name the omnictl binary}"

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1" >&2; failures=$((failures + 1)); }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}

# Starts omnid --dev on a free port in a temporary directory; sets OMNICTL_* and DEV_DIR.
start_dev() {
  DEV_DIR=$(mktemp -d /tmp/oge2e-XXXXXX)
  chmod 0711 "$DEV_DIR"
  "$OMNID" --dev --data-dir "$DEV_DIR/data" --port 0 >"$DEV_DIR/out" 2>"$DEV_DIR/log" &
  DEV_PID=$!
  trap stop_dev EXIT
  for _ in $(seq 600); do
    [ -s "$DEV_DIR/data/omnictl.env" ] && grep -q Ctrl-C "$DEV_DIR/out" && break
    kill -0 "$DEV_PID" 2>/dev/null || { cat "$DEV_DIR/log" >&2; echo "omnid exited" >&2; exit 1; }
    sleep 0.2
  done
  # shellcheck disable=SC1091
  . "$DEV_DIR/data/omnictl.env"
  export DEV_HOSTPORT=${OMNICTL_URL#https://}
}

stop_dev() {
  if [ -n "${DEV_PID:-}" ]; then
    kill "$DEV_PID" 2>/dev/null || true
    wait "$DEV_PID" 2>/dev/null || true
  fi
  [ -n "${DEV_DIR:-}" ] && rm -rf "$DEV_DIR"
  return 0
}
