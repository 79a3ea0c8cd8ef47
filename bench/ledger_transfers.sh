#!/usr/bin/env bash
# bench/ledger_transfers.sh: transfers/s and p50/p99 latency of POST /api/v1/wallet/transfer
# over HTTPS with an API key (TLS, authentication, rights, validation, the ledger's group
# commit on a durable PostgreSQL: fsync and synchronous_commit on) for 1, 16 and 64
# concurrent clients; and, in the same run, pgbench on the same PostgreSQL cluster with an
# equivalent one-transaction-per-transfer SQL script (two balance updates and one journal
# insert: bench/ledger/pgbench_transfer.sql). omnid and pgbench alternate per client count.
# Prints both, the ratio, and whether the target is met: at 64 clients, omnid >= 2x
# pgbench with a p99 under 50 ms. Then checks the ledger: CAD sums to zero over all
# balances, no user balance is negative, every acknowledged transfer is in the database.
#
#   bench/ledger_transfers.sh [--duration SECONDS] [--wallets N] [--committers N] [--max-batch N]
#                             [--clients "1 16 64"] [--rounds N] [--compare OMNID]
#
# --rounds N runs each client count N times (omnid and pgbench alternating each time). The
# verdict takes the median of the 64-client ratios and the worst 64-client p99: on a shared
# machine one round can be off by 15% either way.
#
# --compare OMNID runs a second omnid, the program OMNID (another build: a `git worktree`
# of the previous commit, say), beside this tree's, as a second node on the same database,
# and runs it too in every round, the two alternating which goes first. It prints the
# second one's figures under each round and the median of its transfers/s over this
# tree's: a change measured side by side, in one run. The verdict stays this tree's.
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
duration=10 wallets=1000 committers=2 max_batch=128 clients="1 16 64" rounds=1
usage="usage: $0 [--duration S] [--wallets N] [--committers N] [--max-batch N] [--clients \"N N ...\"] [--rounds N] [--compare OMNID] (N, S: positive integers)"
compare=""
while [ $# -gt 0 ]; do
  if [ "$1" = --compare ]; then
    if [ ! -f "${2:-}" ] || [ ! -x "${2:-}" ]; then echo "--compare: not an executable file: ${2:-}" >&2; exit 1; fi
    compare=$(realpath "$2"); shift 2; continue
  fi
  if [ "$1" = --clients ]; then
    [[ "${2:-}" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || { echo "$usage" >&2; exit 1; }
    clients=$2; shift 2; continue
  fi
  case "$1" in
    --duration) duration=${2:-} ;;
    --wallets) wallets=${2:-} ;;
    --committers) committers=${2:-} ;;
    --max-batch) max_batch=${2:-} ;;
    --rounds) rounds=${2:-} ;;
    *) echo "$usage" >&2; exit 1 ;;
  esac
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 1; }
  shift 2
done
[ "$wallets" -ge 2 ] || { echo "--wallets: at least 2" >&2; exit 1; }
read -r -a clients_list <<<"$clients"
start_time=$SECONDS

scripts/deps.sh bench >/dev/null
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid omnictl >/dev/null

# PostgreSQL's client tools, found like omnid finds the server's binaries.
pg_bindir=$(pg_bin_dir pgbench)
for tool in pgbench psql; do
  [ -x "$pg_bindir/$tool" ] || { echo "no $tool in '$pg_bindir' (Debian: postgresql; RHEL: postgresql-contrib)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/ogbench-XXXXXX)
chmod 0711 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap 'cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# 1. omnid --dev once, to make the cluster, the certificate and an administrator key
#    (role system-admin: a superuser, who may move money out of any wallet).
"$build/daemon/omnid" --dev --data-dir "$work/data" --port 0 >"$work/dev.out" 2>"$work/dev.log" &
pids=($!)
wait_for "$work/dev.out" Ctrl-C "${pids[0]}"
# shellcheck disable=SC1091
. "$work/data/omnictl.env"
kill "${pids[0]}"; wait "${pids[0]}" || true
pids=()

# 2. omnid from a configuration file: the same data, no rate limit (the load comes from
#    one key), request logging on, the ledger's group commit as chosen by the options.
#    Transfers never wait in the worker pool (their handler only queues the operation), so
#    worker_threads and pool_size hardly matter. The ledger's defaults, 2 committers and
#    batches of up to 128, did best on 2 cores: 1 committer is about 25% slower, 4 or 8 are
#    no faster (concurrent batches lock overlapping balances and wait for each other's
#    commit), and batches never reach 128 with 64 clients.
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
[ledger]
committers = $committers
max_batch = $max_batch
EOF
"$build/daemon/omnid" --config "$work/omnid.toml" >/dev/null 2>"$work/omnid.log" &
pids+=($!)
omnid_pid=${pids[0]}
wait_for "$work/omnid.log" '"omnid ready"' "$omnid_pid"
url="https://127.0.0.1:$port"
if [ -n "$compare" ]; then
  # The second node: the same configuration on another port, the database as a remote
  # one (the password goes into the file, mode 0600, never onto a command line).
  port_b=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dburl=$(python3 -c 'import sys, urllib.parse as u; print("postgresql://omnigate:%s@/omnigate?host=%s&port=5432" % (u.quote(open(sys.argv[1]).read().strip(), safe=""), u.quote(sys.argv[2], safe="")))' \
            "$pgdir/password" "$pgdir/run")
  (umask 077
   sed -e "s/^listen = .*/listen = \"127.0.0.1:$port_b\"/" -e '/^\[database.local\]/,/^dir = /d' "$work/omnid.toml" |
     awk -v url="$dburl" '{ print } /^\[database\]$/ { print "mode = \"remote\""; print "url = \"" url "\"" }' \
     >"$work/omnid-b.toml")
  "$compare" --config "$work/omnid-b.toml" >/dev/null 2>"$work/omnid-b.log" &
  pids+=($!)
  pid_b=$!
  wait_for "$work/omnid-b.log" '"omnid ready"' "$pid_b"
  url_b="https://127.0.0.1:$port_b"
fi

# PostgreSQL clients on omnid's cluster (unix socket); the password goes into their
# environment only.
pg() {  # pg TOOL ARGS...
  local tool=$1; shift
  PGPASSWORD=$(cat "$pgdir/password") "$pg_bindir/$tool" -h "$pgdir/run" -p 5432 -U omnigate "$@"
}
sql() {  # sql STATEMENT: prints the result unaligned, one row per line
  pg psql -X -q -At -v ON_ERROR_STOP=1 -d omnigate -c "$1"
}

# 3. Wallets, funded through the generic bridge. One curl per phase, with keep-alive: a
#    config file (mode 0600, it holds the key) with one section per request.
section() {  # section PATH JSON: one request of a curl config file
  echo "url = \"$url$1\""
  echo "cacert = \"$OMNICTL_CACERT\""
  echo "header = \"X-APIKey: $OMNICTL_APIKEY\""
  echo 'header = "Content-Type: application/json"'
  echo "silent"
  echo "show-error"
  echo "data = \"${2//\"/\\\"}\""
}
(umask 077
 for i in $(seq "$wallets"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/create "{\"walletname\":\"bench-$i\"}"
 done >"$work/create.curl")
curl -K "$work/create.curl" >"$work/create.out"
mapfile -t waids < <(sql "SELECT waid FROM wallets WHERE kind = 'user' AND name LIKE 'bench-%' ORDER BY waid")
if [ "${#waids[@]}" -ne "$wallets" ]; then
  echo "created ${#waids[@]} wallets of $wallets; first answers:" >&2; head -c 600 "$work/create.out" >&2; exit 1
fi
printf '%s\n' "${waids[@]}" >"$work/wallets.txt"
(umask 077
 for i in $(seq "$wallets"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/system/bridge/generic/deposit \
     "{\"waid\":\"${waids[i - 1]}\",\"currency\":\"CAD\",\"amount\":\"1000000.00\",\"externaltransactionid\":\"fund-$i\"}"
 done >"$work/deposit.curl")
curl --no-progress-meter -Z --parallel-max 16 -K "$work/deposit.curl" >"$work/deposit.out"
funded=$(sql "SELECT count(*) FROM balances b JOIN wallets w USING (waid)
              WHERE w.kind = 'user' AND w.name LIKE 'bench-%' AND b.currency = 'CAD' AND b.available = 100000000")
if [ "$funded" -ne "$wallets" ]; then
  echo "funded $funded wallets of $wallets; first answers:" >&2; head -c 600 "$work/deposit.out" >&2; exit 1
fi

# 4. pgbench's tables, in their own schema of the same database, with as many rows.
sql "CREATE SCHEMA bench;
     CREATE TABLE bench.balances (id integer PRIMARY KEY, balance numeric(40, 0) NOT NULL);
     CREATE TABLE bench.journal (id bigserial PRIMARY KEY, src integer NOT NULL, dst integer NOT NULL,
                                 amount numeric(40, 0) NOT NULL, at timestamptz NOT NULL DEFAULT now());
     INSERT INTO bench.balances SELECT g, 100000000 FROM generate_series(1, $wallets) AS g;" >/dev/null
sql "VACUUM ANALYZE bench.balances" >/dev/null

# 5. The runs. Besides throughput and latency, the CPU time the server side spent per
#    transfer (omnid and the whole PostgreSQL cluster for omnid; the cluster for pgbench;
#    load generators excluded), which other loads on a shared machine disturb less.
threads_for() { if [ "$1" -eq 1 ]; then echo 1; else echo 2; fi; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

cpu_ticks() {  # cpu_ticks WHO: clock ticks used so far by omnid or by the cluster ("omnid"|"postgres")
  local pm p procs
  pm=$(head -n 1 "$pgdir/data/postmaster.pid")
  # The postmaster's children times hold its exited backends (pgbench's, autovacuum's).
  if [ "$1" = omnid ]; then procs=("$omnid_pid"); else mapfile -t procs < <(echo "$pm"; pgrep -P "$pm"); fi
  for p in "${procs[@]}"; do cat "/proc/$p/stat" 2>/dev/null || true; done |
    awk '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

per_transfer() {  # per_transfer TICKS COUNT: microseconds per transfer
  awk -v t="$1" -v n="$2" -v us="$tick_us" 'BEGIN { if (n > 0) printf "%.0f", t * us / n; else print "-" }'
}

wrk_ok_total=0
t_ratios=() t_p99=0 t_err="64 clients not run"
run_omnid() {  # run_omnid CLIENTS SECONDS -> "rps p50_us p99_us ok cpu_us errors"
  local out line o0 p0 o1 p1
  o0=$(cpu_ticks omnid) p0=$(cpu_ticks postgres)
  out=$(OMNIGATE_BENCH_APIKEY=$OMNICTL_APIKEY wrk -t"$(threads_for "$1")" -c"$1" -d"$2s" --latency \
          -s bench/ledger/transfer.lua "$url" -- "$work/wallets.txt" 2>&1)
  sleep 0.5
  o1=$(cpu_ticks omnid) p1=$(cpu_ticks postgres)
  line=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; return 1; }
  awk -v ticks=$((o1 - o0 + p1 - p0)) -v us="$tick_us" '
       { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         err = v["connect"] + v["read"] + v["write"] + v["timeout"]
         e = ""
         if (v["non2xx"] > 0) e = e "non-2xx " v["non2xx"] " "
         if (v["not_ok"] > 0) e = e "not-Ok " v["not_ok"] " "
         if (err > 0) e = e "socket " v["connect"] "/" v["read"] "/" v["write"] "/" v["timeout"] " "
         ok = v["requests"] - v["non2xx"] - v["not_ok"]
         printf "%s %d %d %d %s %s\n", v["rps"], v["p50_us"], v["p99_us"], ok,
                (ok > 0 ? sprintf("%.0f", ticks * us / ok) : "-"), (e == "" ? "none" : e) }' <<<"$line"
}

percentiles() {  # percentiles FILE...: p50 and p99 of the 3rd column (pgbench's per-transaction log)
  awk '{ print $3 }' "$@" | sort -n | awk '
    function at(p,   i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return v[i] }
    { v[NR] = $1 }
    END { if (NR == 0) print 0, 0; else print at(0.50), at(0.99) }'
}

run_pgbench() {  # run_pgbench CLIENTS SECONDS LOGPREFIX -> "tps p50_us p99_us cpu_us errors"
  local out tps count failed errors p0 p1 p50 p99
  p0=$(cpu_ticks postgres)
  out=$(pg pgbench -n -f bench/ledger/pgbench_transfer.sql -D wallets="$wallets" -c "$1" -j "$(threads_for "$1")" \
          -T "$2" -l --log-prefix="$3" omnigate 2>"$3.stderr") || true
  sleep 0.5
  p1=$(cpu_ticks postgres)
  tps=$(awk '/^tps = / { print $3 }' <<<"$out")
  count=$(awk -F': ' '/^number of transactions actually processed/ { split($2, a, "/"); print a[1] }' <<<"$out")
  failed=$(awk -F': ' '/^number of failed transactions/ { split($2, a, " "); print a[1] }' <<<"$out")
  errors=""
  [ -n "$tps" ] || errors="no tps line "
  [ "${failed:-0}" = 0 ] || errors+="failed $failed "
  if grep -qv '^pgbench (' "$3.stderr"; then
    errors+="stderr: $(grep -v '^pgbench (' "$3.stderr" | head -n 3 | tr '\n' ' ')"
  fi
  read -r p50 p99 < <(percentiles "$3".[0-9]*)
  echo "${tps:-0} $p50 $p99 $(per_transfer $((p1 - p0)) "${count:-0}") ${errors:-none}"
}

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

checkpoint() { sql "CHECKPOINT" >/dev/null; }

read -r sync_commit fsync_on < <(sql "SELECT current_setting('synchronous_commit'), current_setting('fsync')" | tr '|' ' ')
echo "ledger_transfers: POST /api/v1/wallet/transfer of 0.01 CAD between $wallets wallets over HTTPS, ${duration}s per run"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs;" \
     "omnid io_threads=2 worker_threads=4 pool_size=4, ledger committers=$committers max_batch=$max_batch"
echo "PostgreSQL $(sql 'SHOW server_version' | cut -d' ' -f1): fsync=$fsync_on synchronous_commit=$sync_commit;" \
     "pgbench: one transaction per transfer; cpu: server CPU microseconds per transfer"

# Warm-up, not measured: caches of API keys and wallets, both sides' first pages.
res=$(run_omnid 16 2)
read -r _ _ _ ok _ <<<"$res"
wrk_ok_total=$((wrk_ok_total + ok))
run_b() {  # run_b CLIENTS SECONDS: a run of the --compare node; sets res_b
  checkpoint
  res_b=$(url=$url_b omnid_pid=$pid_b run_omnid "$1" "$2")
  local ok
  read -r _ _ _ ok _ <<<"$res_b"
  wrk_ok_total=$((wrk_ok_total + ok))
}
[ -z "$compare" ] || run_b 16 2
run_pgbench 16 2 "$work/warmup" >/dev/null

printf '%-7s | %10s %7s %7s %5s | %11s %7s %7s %5s | %5s  %s\n' clients "omnid tr/s" "p50 ms" "p99 ms" cpu \
  "pgbench tps" "p50 ms" "p99 ms" cpu ratio errors
run_no=0 b_ratios=()
for c in "${clients_list[@]}"; do
  for _ in $(seq "$rounds"); do
    run_no=$((run_no + 1))
    # With --compare the second node goes first in every other round.
    if [ -n "$compare" ] && [ $((run_no % 2)) -eq 0 ]; then run_b "$c" "$duration"; fi
    checkpoint
    res=$(run_omnid "$c" "$duration")
    read -r rps_o p50_o p99_o ok cpu_o err_o <<<"$res"
    wrk_ok_total=$((wrk_ok_total + ok))
    if [ -n "$compare" ] && [ $((run_no % 2)) -eq 1 ]; then run_b "$c" "$duration"; fi
    checkpoint
    res=$(run_pgbench "$c" "$duration" "$work/pgb-$run_no")  # its own log files per run
    read -r tps_p p50_p p99_p cpu_p err_p <<<"$res"
    ratio=$(awk -v o="$rps_o" -v p="$tps_p" 'BEGIN { if (p > 0) printf "%.2f", o / p; else print "-" }')
    errors="none"
    [ "$err_o" = none ] && [ "$err_p" = none ] || errors="omnid: $err_o; pgbench: $err_p"
    printf '%-7s | %10.0f %7s %7s %5s | %11.0f %7s %7s %5s | %5s  %s\n' "$c" "$rps_o" "$(ms "$p50_o")" "$(ms "$p99_o")" \
      "$cpu_o" "$tps_p" "$(ms "$p50_p")" "$(ms "$p99_p")" "$cpu_p" "$ratio" "$errors"
    if [ -n "$compare" ]; then
      read -r rps_b p50_b p99_b _ cpu_b err_b <<<"$res_b"
      b_ratio=$(awk -v b="$rps_b" -v a="$rps_o" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "-" }')
      b_ratios+=("$c:$b_ratio")
      printf '%-7s | %10.0f %7s %7s %5s | --compare: %s of this tree'"'"'s transfers/s  %s\n' "  B" "$rps_b" "$(ms "$p50_b")" \
        "$(ms "$p99_b")" "$cpu_b" "$b_ratio" "$([ "$err_b" = none ] || echo "errors: $err_b")"
    fi
    if [ "$c" -eq 64 ]; then
      t_ratios+=("$ratio")
      [ "$p99_o" -le "$t_p99" ] || t_p99=$p99_o
      if [ "$t_err" = "64 clients not run" ] || [ "$t_err" = none ]; then t_err=$errors; fi
    fi
  done
done
median() {  # median VALUE...: "-" if there is none or one is "-"
  printf '%s\n' "$@" | sort -g | awk '
    $1 == "-" { bad = 1 } { v[NR] = $1 }
    END { if (NR == 0 || bad) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The median of the 64-client ratios ("-" when a round had no pgbench figure).
t_ratio=$(median "${t_ratios[@]}")
[ "${#t_ratios[@]}" -le 1 ] || echo "64 clients: median ratio $t_ratio of ${t_ratios[*]}; worst p99 $(ms "$t_p99") ms"
if [ -n "$compare" ]; then
  for c in "${clients_list[@]}"; do
    mapfile -t r < <(printf '%s\n' "${b_ratios[@]}" | awk -F: -v c="$c" '$1 == c { print $2 }')
    echo "--compare $compare at $c clients: median transfers/s over this tree's $(median "${r[@]}") (${r[*]})"
  done
fi

verdict=$(awk -v r="$t_ratio" -v p="$t_p99" -v e="$t_err" 'BEGIN {
  why = ""
  if (r == "-" || r < 2) why = why "ratio " r " < 2; "
  if (p >= 50000) why = why sprintf("p99 %.2f ms >= 50 ms; ", p / 1000)
  if (e != "none") why = why "errors; "
  if (why == "") print "MET"; else { sub(/; $/, "", why); print "NOT MET (" why ")" } }')
echo "target omnid >= 2x pgbench and p99 < 50 ms at 64 clients: $verdict"

# 6. The ledger after the run.
read -r total negative transfers < <(sql "
  SELECT (SELECT coalesce(sum(available + held), 0) FROM balances WHERE currency = 'CAD'),
         (SELECT count(*) FROM balances b JOIN wallets w USING (waid)
           WHERE w.kind = 'user' AND (b.available < 0 OR b.held < 0)),
         (SELECT count(*) FROM transactions WHERE type = 'transfer' AND state = 'Completed')" | tr '|' ' ')
echo "ledger: sum of CAD over all balances $total; negative user balances $negative;" \
     "completed transfers $transfers (acknowledged to wrk: $wrk_ok_total)"
status=0
[ "$total" = 0 ] || { echo "FAIL: CAD does not sum to zero" >&2; status=1; }
[ "$negative" = 0 ] || { echo "FAIL: $negative user balances are negative" >&2; status=1; }
[ "$transfers" -ge "$wrk_ok_total" ] || { echo "FAIL: acknowledged transfers are missing from the ledger" >&2; status=1; }
if grep -q '"level":"error"' "$work/omnid.log"; then
  echo "omnid logged errors:" >&2; grep '"level":"error"' "$work/omnid.log" | head -n 5 >&2
fi
echo "wall time: $((SECONDS - start_time)) s"
[ "$status" -eq 0 ]  # the script's exit status
