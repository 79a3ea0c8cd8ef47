#!/usr/bin/env bash
# bench/ripple_bridge.sh: the Ripple bridge's speed (issue 18), against the rippled double
# (tests/doubles/rippled/server.js) on this machine.
#
# 1. Deposits. N wallets, each with its ripple deposit address (the hot wallet and a tag of
#    its own), set up untimed. omnid is then stopped, and the double applies D payments of
#    1 XRP to the hot wallet spread over the tags (bulk_pay, a ledger closed every 1000, all
#    validated). omnid starts again on the same database: timed from its "jobs started"
#    (the watcher may run from then on) until D deposits are credited in the ledger
#    (bridge_inbox state 'credited'); then the wallets' XRP must sum to exactly what was
#    paid. Target: 10,000 deposits in under 10 s.
# 2. Withdrawals. M withdrawals of 0.5 XRP from those wallets to a few accounts of the
#    double, POST /api/v1/wallet/withdraw over HTTPS (Idempotency-Key, method ripple), C at a
#    time, ledgers closed every second. Timed from the first request until every one is
#    signed and submitted (bridge_withdrawals state submitted or beyond) and until every one
#    is completed (validated); then the destinations' balances on the double must have grown
#    by exactly what was withdrawn.
#
#   bench/ripple_bridge.sh [--wallets N] [--deposits D] [--withdrawals M] [--concurrency C]
#                          [--destinations K] [--poll-seconds S] [--close-ms MS]
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
wallets=1000 deposits=10000 withdrawals=500 concurrency=16 destinations=4 poll_seconds=1 close_ms=1000
usage="usage: $0 [--wallets N] [--deposits N] [--withdrawals N] [--concurrency N] [--destinations N] [--poll-seconds N] [--close-ms N] (positive integers)"
while [ $# -gt 0 ]; do
  case "$1" in
    --wallets) wallets=${2:-} ;;
    --deposits) deposits=${2:-} ;;
    --withdrawals) withdrawals=${2:-} ;;
    --concurrency) concurrency=${2:-} ;;
    --destinations) destinations=${2:-} ;;
    --poll-seconds) poll_seconds=${2:-} ;;
    --close-ms) close_ms=${2:-} ;;
    *) echo "$usage" >&2; exit 1 ;;
  esac
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 1; }
  shift 2
done
# Each withdrawal takes 0.5 XRP from one wallet: the wallets must hold enough.
per_wallet=$((deposits / wallets))
[ "$per_wallet" -ge 1 ] || { echo "--deposits must be at least --wallets" >&2; exit 1; }
[ $(((withdrawals + wallets - 1) / wallets)) -le $((per_wallet * 2)) ] ||
  { echo "--withdrawals: more than the wallets hold (0.5 XRP each, $per_wallet XRP per wallet)" >&2; exit 1; }
start_time=$SECONDS

scripts/deps.sh bench >/dev/null
command -v node >/dev/null || { echo "no node (scripts/deps.sh test)" >&2; exit 1; }
[ -d tests/doubles/node_modules/ripple-binary-codec ] || { echo "no tests/doubles/node_modules (scripts/deps.sh test)" >&2; exit 1; }
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid >/dev/null

pg_bindir=$(pg_bin_dir psql)
[ -x "$pg_bindir/psql" ] || { echo "no psql in '$pg_bindir'" >&2; exit 1; }

bridge_bench_start

# 2. The rippled double: ledgers close only when told to (bulk_pay closes its own).
node tests/doubles/rippled/server.js --port 0 --port-file "$work/rippled.port" --close-ms 0 >"$work/rippled.log" 2>&1 &
pids+=($!)
rippled_pid=$!
for _ in $(seq 100); do [ -f "$work/rippled.port" ] && break; kill -0 "$rippled_pid"; sleep 0.1; done
rippled="http://127.0.0.1:$(cat "$work/rippled.port")/"
control() {  # control JSON: the double's answer; fails unless ok
  local out
  out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "${rippled}control" <<<"$1")
  python3 -c 'import json, sys; a = json.loads(sys.argv[1]); sys.exit(0 if a.get("ok") else 1)' "$out" ||
    { echo "control $1 failed: $out" >&2; return 1; }
  echo "$out"
}
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# 3. omnid from a configuration file: the same data, no rate limit, the ripple bridge.
bridge_bench_omnid "[[bridge]]
name = \"ripple\"
url = \"$rippled\"
poll_seconds = $poll_seconds
timeout_seconds = 10
ledger_window = 20"

# 4. Setup, not timed: the hot wallet (its seed through the API), a sender, the wallets and
#    their deposit addresses, the withdrawals' destinations.
hot=$(control '{"action":"wallet"}')
hot_address=$(field "$hot" address)
api /api/v1/system/bridge/updateaccount \
  "{\"bridgename\":\"ripple\",\"instanceid\":1,\"accountdata\":{\"address\":\"$hot_address\",\"seed\":\"$(field "$hot" seed)\"}}"
sender=$(control "{\"action\":\"wallet\",\"xrp\":\"$(((deposits + 1000) * 1000000))\"}")
sender_address=$(field "$sender" address)
dests=()
for _ in $(seq "$destinations"); do dests+=("$(field "$(control '{"action":"wallet"}')" address)"); done
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
(umask 077
 for i in $(seq "$wallets"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/depositaddress "{\"waid\":\"${waids[i - 1]}\",\"method\":\"ripple\"}"
 done >"$work/address.curl")
curl -K "$work/address.curl" >"$work/address.out"
mapfile -t tags < <(sql "SELECT split_part(d.address, '-', 2) FROM deposit_addresses d JOIN wallets w USING (waid)
                         WHERE d.method = 'ripple' AND w.name LIKE 'bench-%' ORDER BY d.waid")
if [ "${#tags[@]}" -ne "$wallets" ]; then
  echo "made ${#tags[@]} deposit addresses of $wallets; first answers:" >&2; head -c 600 "$work/address.out" >&2; exit 1
fi
# The watcher has seen the hot wallet's funding (untagged: suspense); let it finish.
sleep $((poll_seconds + 1))
before=$(sql "SELECT count(*) FROM bridge_inbox WHERE state = 'credited'")
[ "$before" -eq 0 ] || { echo "$before deposits credited before the payments" >&2; exit 1; }
stop_omnid

# 5. The payments, while omnid is down: D tagged payments of 1 XRP, tags round-robin.
tag_list=$(for i in $(seq 0 $((deposits - 1))); do echo "${tags[i % wallets]}"; done | paste -sd, -)
t=$(now)
paid=$(control "{\"action\":\"bulk_pay\",\"from\":\"$sender_address\",\"to\":\"$hot_address\",\"amount\":\"1000000\",\"destination_tags\":[$tag_list],\"per_ledger\":1000}")
pay_s=$(secs "$t" "$(now)")
[ "$(field "$paid" count)" -eq "$deposits" ] || { echo "bulk_pay: $paid" >&2; exit 1; }

# 6. Deposits, timed: omnid starts; its jobs start; count until all are credited.
start_omnid_jobs "$work/omnid.log"
t_jobs=$(now)
wait_credited "$deposits"
wait_for "$work/omnid.log" '"omnid ready"' "$omnid_pid"
dep_s=$(secs "$t_jobs" "$t_dep")
dep_first_s=$(secs "$t_jobs" "${t_first:-$t_dep}")
read -r wallet_sum wallet_count < <(sql "
  SELECT coalesce(sum(b.available + b.held), 0), count(*) FROM balances b JOIN wallets w USING (waid)
   WHERE w.kind = 'user' AND w.name LIKE 'bench-%' AND b.currency = 'XRP'" | tr '|' ' ')
# XRP has 6 decimals: balances are in drops.
status=0
dep_check="ok"
if [ "$credited" -ne "$deposits" ] || [ "$wallet_count" -ne "$wallets" ] || [ "$wallet_sum" != $((deposits * 1000000)) ]; then
  dep_check="FAIL: $credited credited of $deposits, wallets hold $wallet_sum drops, paid $((deposits * 1000000))"
  status=1
fi
# The target is for 10,000 or more; a smaller run says how it compares, scaled, and is no verdict.
dep_verdict=$(awk -v s="$dep_s" -v n="$credited" -v d="$deposits" 'BEGIN { print (n == d && s < 10 * d / 10000) ? "PASS" : "FAIL" }')
[ "$deposits" -ge 10000 ] ||
  dep_verdict="not measured (needs --deposits 10000); scaled ($deposits in < $(awk -v d="$deposits" 'BEGIN { print 10 * d / 10000 }') s): $dep_verdict"

# 7. Withdrawals: ledgers close every close_ms; C requests at a time.
(while sleep "$(awk -v ms="$close_ms" 'BEGIN { print ms / 1000 }')"; do
   curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"action":"close"}' "${rippled}control" || true
 done) &
pids+=($!)
dest_before=()
for d in "${dests[@]}"; do
  dest_before+=("$(curl -sS -H 'Content-Type: application/json' -d "{\"method\":\"account_info\",\"params\":[{\"account\":\"$d\",\"ledger_index\":\"validated\"}]}" "$rippled" |
                   python3 -c 'import json, sys; print(json.load(sys.stdin)["result"]["account_data"]["Balance"])')")
done
(umask 077
 for i in $(seq "$withdrawals"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/withdraw \
     "{\"waid\":\"${waids[(i - 1) % wallets]}\",\"currency\":\"XRP\",\"amount\":\"0.500000\",\"method\":\"ripple\",\"destinationaddress\":\"${dests[(i - 1) % destinations]}\"}" \
     "Idempotency-Key: bench-wd-$i"
 done >"$work/withdraw.curl")
t_wd=$(now)
curl --no-progress-meter -Z --parallel-max "$concurrency" -K "$work/withdraw.curl" >"$work/withdraw.out"
t_acc=$(now)
accepted=$({ grep -o '"resultcode":10000' "$work/withdraw.out" || true; } | wc -l)
codes=$({ grep -o '"resultcode":[0-9]*' "$work/withdraw.out" || true; } | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), substr($2, 14), $1 }')
submitted=0 completed=0 t_sub=""
deadline=$((SECONDS + 600))
while [ "$completed" -lt "$withdrawals" ] && [ "$SECONDS" -lt "$deadline" ]; do
  read -r submitted completed < <(sql "SELECT count(*) FILTER (WHERE state IN ('submitted', 'completed', 'failed')),
                                              count(*) FILTER (WHERE state IN ('completed', 'failed'))
                                         FROM bridge_withdrawals" | tr '|' ' ')
  [ -n "$t_sub" ] || [ "$submitted" -lt "$withdrawals" ] || t_sub=$(now)
  [ "$completed" -ge "$withdrawals" ] || sleep 0.1
done
t_done=$(now)
failed=$(sql "SELECT count(*) FROM bridge_withdrawals WHERE state = 'failed'")
wd_check="ok"
if [ "$accepted" -ne "$withdrawals" ] || [ "$completed" -ne "$withdrawals" ] || [ "$failed" -ne 0 ]; then
  wd_check="FAIL: accepted $accepted of $withdrawals (result codes: $codes), settled $completed, failed $failed"
  grep -v '"resultcode":10000' "$work/withdraw.out" | head -n 3 >&2 || true
  status=1
fi
grown=0
for i in "${!dests[@]}"; do
  b=$(curl -sS -H 'Content-Type: application/json' -d "{\"method\":\"account_info\",\"params\":[{\"account\":\"${dests[i]}\",\"ledger_index\":\"validated\"}]}" "$rippled" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["result"]["account_data"]["Balance"])')
  grown=$((grown + b - dest_before[i]))
done
if [ "$grown" -ne $((withdrawals * 500000)) ]; then
  wd_check="FAIL: the destinations received $grown drops, withdrawn $((withdrawals * 500000))"
  status=1
fi

echo "ripple_bridge: omnid against the rippled double, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "deposits:    $deposits payments of 1 XRP over $wallets tags (bulk_pay took ${pay_s} s, not timed);" \
     "poll_seconds=$poll_seconds"
echo "             credited $credited in $dep_s s from jobs started ($(rate "$credited" "$t_jobs" "$t_dep") deposits/s;" \
     "first credit after $dep_first_s s); wallets' XRP vs paid: $dep_check"
echo "             target 10,000 in < 10 s: $dep_verdict"
echo "withdrawals: $withdrawals of 0.5 XRP to $destinations accounts, $concurrency concurrent requests, a ledger closed every $close_ms ms"
echo "             accepted in $(secs "$t_wd" "$t_acc") s ($(rate "$accepted" "$t_wd" "$t_acc")/s);" \
     "signed+submitted in $(secs "$t_wd" "${t_sub:-$t_done}") s ($(rate "$submitted" "$t_wd" "${t_sub:-$t_done}")/s);" \
     "completed in $(secs "$t_wd" "$t_done") s ($(rate "$completed" "$t_wd" "$t_done")/s); check: $wd_check"
if grep -q '"level":"error"' "$work/omnid.log"; then
  echo "omnid logged errors:" >&2; grep '"level":"error"' "$work/omnid.log" | head -n 5 >&2
fi
if [ -n "${OMNIGATE_BENCH_KEEP_LOG:-}" ]; then cp "$work/omnid.log" "$OMNIGATE_BENCH_KEEP_LOG"; fi
echo "wall time: $((SECONDS - start_time)) s"
[ "$status" -eq 0 ]
