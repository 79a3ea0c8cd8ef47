# shellcheck shell=bash
# Helpers shared by the bench/ scripts (sourced, not run).

# wait_for FILE PATTERN PID: until FILE holds PATTERN (2 minutes at most); fails, showing
# FILE, if PID exits first.
wait_for() {
  for _ in $(seq 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.2
  done
  return 1
}

# pg_bin_dir TOOL: the directory of PostgreSQL's client programs that has TOOL (Debian's
# /usr/lib/postgresql/N/bin, PGDG's /usr/pgsql-N/bin, RHEL's /usr/bin), the newest first.
pg_bin_dir() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  if [ ! -x "$dir/$1" ]; then
    dir=$(find /usr/lib/postgresql/*/bin /usr/pgsql-*/bin -maxdepth 0 2>/dev/null | sort -V | tail -n 1 || true)
    dir=${dir:-/usr/bin}
  fi
  echo "$dir"
}

# ---- The bridge benchmarks' common frame (bench/ripple_bridge.sh, bench/bitcoin_bridge.sh).
# They use these globals: work (a scratch directory), pids (processes to stop), build (the
# build tree with daemon/omnid), pg_bindir, and after bridge_bench_omnid: port, pgdir, url,
# omnid_pid, OMNICTL_CACERT, OMNICTL_APIKEY. (shellcheck checks lib.sh on its own too, where
# the callers' globals are not assigned: SC2154 and SC2034 are waived for them below.)

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# bridge_bench_start: the scratch directory, the clean-up at exit, and omnid --dev once to
# make the cluster, the certificate and an administrator key (role system-admin: a
# superuser, who may move money out of any wallet).
bridge_bench_start() {
  work=$(mktemp -d /tmp/ogbench-XXXXXX)
  chmod 0711 "$work"
  pids=()
  trap 'bridge_bench_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # shellcheck disable=SC2154  # build: the caller's
  "$build/daemon/omnid" --dev --data-dir "$work/data" --port 0 >"$work/dev.out" 2>"$work/dev.log" &
  pids=($!)
  wait_for "$work/dev.out" Ctrl-C "${pids[0]}"
  # shellcheck disable=SC1091
  . "$work/data/omnictl.env"
  kill "${pids[0]}"; wait "${pids[0]}" || true
  pids=()
}

bridge_bench_cleanup() {
  local p alive pm
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # omnid may not exit on SIGTERM while a bridge job waits in the ledger (docs/benchmarks.md):
  # after 20 s it is killed, and its PostgreSQL stopped.
  for _ in $(seq 100); do
    alive=0
    for p in "${pids[@]}"; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done
    [ "$alive" -eq 1 ] || break
    sleep 0.2
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pm=$(head -n 1 "$work/data/postgres/data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pm" ] && kill -INT "$pm" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pm" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$work"
}

# bridge_bench_omnid BRIDGE_TOML: omnid from a configuration file on the --dev data, no rate
# limit, with these [[bridge]] tables; started (log omnid-setup.log) and ready.
bridge_bench_omnid() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pgdir=$work/data/postgres
  cat >"$work/omnid.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
io_threads = 2
worker_threads = 4
[tls]
cert_file = "$work/data/tls/cert.pem"
key_file = "$work/data/tls/key.pem"
[database]
pool_size = 4
[database.local]
dir = "$pgdir"
[rate_limit]
enabled = false
[jobs]
lease_seconds = 2

$1
EOF
  start_omnid "$work/omnid-setup.log"
  wait_for "$work/omnid-setup.log" '"omnid ready"' "$omnid_pid"
  url="https://127.0.0.1:$port"
}
start_omnid() {  # start_omnid LOG: starts omnid (not waiting for it)
  "$build/daemon/omnid" --config "$work/omnid.toml" >/dev/null 2>"$1" &
  pids+=($!)
  omnid_pid=$!
}
stop_omnid() { kill "$omnid_pid"; wait "$omnid_pid" || true; }
# start_omnid_jobs LOG: starts omnid and waits for its "jobs started" (the watchers may run).
start_omnid_jobs() {
  start_omnid "$1"
  for _ in $(seq 3000); do
    grep -q '"jobs started"' "$1" 2>/dev/null && return 0
    kill -0 "$omnid_pid" || { cat "$1" >&2; return 1; }
    sleep 0.02
  done
}

pg() {  # pg TOOL ARGS...
  local tool=$1; shift
  # shellcheck disable=SC2154  # pg_bindir: the caller's
  PGPASSWORD=$(cat "$pgdir/password") "$pg_bindir/$tool" -h "$pgdir/run" -p 5432 -U omnigate "$@"
}
sql() { pg psql -X -q -At -v ON_ERROR_STOP=1 -d omnigate -c "$1"; }
section() {  # section PATH JSON [HEADER]: one request of a curl config file
  echo "url = \"$url$1\""
  echo "cacert = \"$OMNICTL_CACERT\""
  echo "header = \"X-APIKey: $OMNICTL_APIKEY\""
  echo 'header = "Content-Type: application/json"'
  [ -z "${3:-}" ] || echo "header = \"$3\""
  echo "silent"
  echo "show-error"
  printf '%s\n' 'write-out = "\n"'
  echo "data = \"${2//\"/\\\"}\""
}
api() {  # api PATH JSON: one request; fails unless resultcode 10000
  local out
  out=$(section "$1" "$2" | curl -K -)
  grep -q '"resultcode":10000' <<<"$out" || { echo "$1 $2: $out" >&2; return 1; }
}
# wait_credited N: until N deposits are credited (bridge_inbox), 10 minutes at most; sets
# credited, t_first (the first credit seen) and t_dep (when all were).
wait_credited() {
  local deadline=$((SECONDS + 600))
  credited=0 t_first=""
  while [ "$credited" -lt "$1" ] && [ "$SECONDS" -lt "$deadline" ]; do
    credited=$(sql "SELECT count(*) FROM bridge_inbox WHERE state = 'credited'" 2>/dev/null || echo 0)
    [ -n "$t_first" ] || [ "$credited" -eq 0 ] || t_first=$(now)
    [ "$credited" -ge "$1" ] || sleep 0.1
  done
  # shellcheck disable=SC2034  # t_dep: read by the caller
  t_dep=$(now)
}
