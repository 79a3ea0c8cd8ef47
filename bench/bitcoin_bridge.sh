#!/usr/bin/env bash
# bench/bitcoin_bridge.sh: the Bitcoin bridge's speed (issue 19), against the bitcoind
# double (tests/doubles/bitcoind/server.js) on this machine.
#
# 1. Deposits. N wallets, each with its bitcoin deposit address (a getnewaddress of the
#    node's wallet), set up untimed. omnid is then stopped, and the double makes D
#    transactions of 0.001 BTC to those addresses, round-robin, and mines 3 blocks (the
#    bridge's confirmation count). omnid starts again on the same database: timed from its
#    "jobs started" until D deposits are credited (bridge_inbox state 'credited'); then the
#    wallets' BTC must sum to exactly what was paid. Target: 10,000 deposits in under 10 s.
# 2. Withdrawals. M withdrawals of 0.0005 BTC to an outside address, POST
#    /api/v1/wallet/withdraw over HTTPS (Idempotency-Key, method bitcoin), C at a time, a
#    block mined every second. Timed until every one is sent (bridge_withdrawals submitted
#    or beyond) and completed (3 confirmations); then the double's sends must be exactly one
#    per withdrawal, for exactly the amount.
#
#   bench/bitcoin_bridge.sh [--wallets N] [--deposits D] [--withdrawals M] [--concurrency C]
#                           [--poll-seconds S]
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
wallets=1000 deposits=10000 withdrawals=200 concurrency=16 poll_seconds=1
usage="usage: $0 [--wallets N] [--deposits N] [--withdrawals N] [--concurrency N] [--poll-seconds N] (positive integers)"
while [ $# -gt 0 ]; do
  case "$1" in
    --wallets) wallets=${2:-} ;;
    --deposits) deposits=${2:-} ;;
    --withdrawals) withdrawals=${2:-} ;;
    --concurrency) concurrency=${2:-} ;;
    --poll-seconds) poll_seconds=${2:-} ;;
    *) echo "$usage" >&2; exit 1 ;;
  esac
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 1; }
  shift 2
done
[ "$deposits" -ge "$wallets" ] || { echo "--deposits must be at least --wallets" >&2; exit 1; }
[ "$withdrawals" -le "$deposits" ] || { echo "--withdrawals: at most --deposits (0.0005 BTC of each 0.001)" >&2; exit 1; }
start_time=$SECONDS

scripts/deps.sh bench >/dev/null
command -v node >/dev/null || { echo "no node (scripts/deps.sh test)" >&2; exit 1; }
[ -d tests/doubles/node_modules/bitcoinjs-lib ] || { echo "no tests/doubles/node_modules (scripts/deps.sh test)" >&2; exit 1; }
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid >/dev/null
pg_bindir=$(pg_bin_dir psql)
[ -x "$pg_bindir/psql" ] || { echo "no psql in '$pg_bindir'" >&2; exit 1; }

bridge_bench_start

# The bitcoind double, with an rpcuser and rpcpassword (given to omnid through the API).
rpc_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
node tests/doubles/bitcoind/server.js --port 0 --port-file "$work/bitcoind.port" --rpcuser bench \
  --rpcpassword "$rpc_password" --wallet omnid >"$work/bitcoind.log" 2>&1 &
pids+=($!)
double_pid=$!
for _ in $(seq 100); do [ -f "$work/bitcoind.port" ] && break; kill -0 "$double_pid"; sleep 0.1; done
bitcoind="http://127.0.0.1:$(cat "$work/bitcoind.port")/"
control() {  # control JSON: the double's answer; fails unless ok
  local out
  out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "${bitcoind}control" <<<"$1")
  python3 -c 'import json, sys; a = json.load(sys.stdin); sys.exit(0 if a.get("ok") else 1)' <<<"$out" ||
    { echo "control ${1:0:200} failed: ${out:0:400}" >&2; return 1; }
  echo "$out"
}

bridge_bench_omnid "[[bridge]]
name = \"bitcoin\"
url = \"$bitcoind\"
wallet = \"omnid\"
confirmations = 3
poll_seconds = $poll_seconds
timeout_seconds = 30"

# Setup, not timed: the credentials, the wallet's own coins, the wallets and their addresses.
api /api/v1/system/bridge/updateaccount \
  "{\"bridgename\":\"bitcoin\",\"instanceid\":1,\"accountdata\":{\"rpcuser\":\"bench\",\"rpcpassword\":\"$rpc_password\"}}"
control '{"action":"fund","amount":"50"}' >/dev/null
(umask 077
 for i in $(seq "$wallets"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/create "{\"walletname\":\"bench-$i\"}"
 done >"$work/create.curl")
curl -K "$work/create.curl" >"$work/create.out"
mapfile -t waids < <(sql "SELECT waid FROM wallets WHERE kind = 'user' AND name LIKE 'bench-%' ORDER BY waid")
[ "${#waids[@]}" -eq "$wallets" ] || { echo "created ${#waids[@]} wallets of $wallets" >&2; head -c 600 "$work/create.out" >&2; exit 1; }
(umask 077
 for i in $(seq "$wallets"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/depositaddress "{\"waid\":\"${waids[i - 1]}\",\"method\":\"bitcoin\"}"
 done >"$work/address.curl")
curl -K "$work/address.curl" >"$work/address.out"
mapfile -t addresses < <(sql "SELECT d.address FROM deposit_addresses d JOIN wallets w USING (waid)
                              WHERE d.method = 'bitcoin' AND w.name LIKE 'bench-%' ORDER BY d.waid")
[ "${#addresses[@]}" -eq "$wallets" ] || { echo "made ${#addresses[@]} deposit addresses of $wallets" >&2; head -c 600 "$work/address.out" >&2; exit 1; }
sleep $((poll_seconds + 1))
stop_omnid

# The payments, while omnid is down: D transactions of 0.001 BTC, then 3 blocks.
payments=$(for i in $(seq 0 $((deposits - 1))); do printf '{"address":"%s","amount":"0.001"}\n' "${addresses[i % wallets]}"; done | paste -sd, -)
t=$(now)
paid=$(control "{\"action\":\"pay\",\"payments\":[$payments]}")
control '{"action":"mine","blocks":3}' >/dev/null
pay_s=$(secs "$t" "$(now)")
[ "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)["txids"]))' <<<"$paid")" -eq "$deposits" ] ||
  { echo "pay: ${paid:0:400}" >&2; exit 1; }

# Deposits, timed.
start_omnid_jobs "$work/omnid.log"
t_jobs=$(now)
wait_credited "$deposits"
wait_for "$work/omnid.log" '"omnid ready"' "$omnid_pid"
dep_s=$(secs "$t_jobs" "$t_dep")
dep_first_s=$(secs "$t_jobs" "${t_first:-$t_dep}")
read -r wallet_sum wallet_count < <(sql "
  SELECT coalesce(sum(b.available + b.held), 0), count(*) FROM balances b JOIN wallets w USING (waid)
   WHERE w.kind = 'user' AND w.name LIKE 'bench-%' AND b.currency = 'BTC'" | tr '|' ' ')
status=0
dep_check="ok"
# BTC has 8 decimals: balances are in satoshis.
if [ "$credited" -ne "$deposits" ] || [ "$wallet_count" -ne "$wallets" ] || [ "$wallet_sum" != $((deposits * 100000)) ]; then
  dep_check="FAIL: $credited credited of $deposits, wallets hold $wallet_sum sat, paid $((deposits * 100000))"
  status=1
fi
dep_verdict=$(awk -v s="$dep_s" -v n="$credited" -v d="$deposits" 'BEGIN { print (n == d && s < 10 * d / 10000) ? "PASS" : "FAIL" }')
[ "$deposits" -ge 10000 ] ||
  dep_verdict="not measured (needs --deposits 10000); scaled ($deposits in < $(awk -v d="$deposits" 'BEGIN { print 10 * d / 10000 }') s): $dep_verdict"

# Withdrawals: a block every second; C requests at a time.
(while sleep 1; do
   curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"action":"mine","blocks":1}' "${bitcoind}control" || true
 done) &
pids+=($!)
dest=bcrt1q28sujc5dyr8axhxp6lm80vnsa7l35za23y5dvh
(umask 077
 for i in $(seq "$withdrawals"); do
   [ "$i" -eq 1 ] || echo next
   section /api/v1/wallet/withdraw \
     "{\"waid\":\"${waids[(i - 1) % wallets]}\",\"currency\":\"BTC\",\"amount\":\"0.0005\",\"method\":\"bitcoin\",\"destinationaddress\":\"$dest\"}" \
     "Idempotency-Key: bench-wd-$i"
 done >"$work/withdraw.curl")
t_wd=$(now)
curl --no-progress-meter -Z --parallel-max "$concurrency" -K "$work/withdraw.curl" >"$work/withdraw.out"
t_acc=$(now)
accepted=$({ grep -o '"resultcode":10000' "$work/withdraw.out" || true; } | wc -l)
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
sends=$(control '{"action":"state"}' | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin)["sends"] if x["comment"]]
ok = len(s) == len({x["comment"] for x in s}) and all(x["amount"] == "0.00050000" for x in s)
print(len(s) if ok else -1)')
wd_check="ok"
if [ "$accepted" -ne "$withdrawals" ] || [ "$completed" -ne "$withdrawals" ] || [ "$failed" -ne 0 ] || [ "$sends" -ne "$withdrawals" ]; then
  wd_check="FAIL: accepted $accepted of $withdrawals, settled $completed, failed $failed, sends on the node $sends"
  status=1
fi

echo "bitcoin_bridge: omnid against the bitcoind double, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "deposits:    $deposits transactions of 0.001 BTC to $wallets addresses, 3 confirmations (paying took ${pay_s} s, not timed);" \
     "poll_seconds=$poll_seconds"
echo "             credited $credited in $dep_s s from jobs started ($(rate "$credited" "$t_jobs" "$t_dep") deposits/s;" \
     "first credit after $dep_first_s s); wallets' BTC vs paid: $dep_check"
echo "             target 10,000 in < 10 s: $dep_verdict"
echo "withdrawals: $withdrawals of 0.0005 BTC, $concurrency concurrent requests, a block mined every second"
echo "             accepted in $(secs "$t_wd" "$t_acc") s ($(rate "$accepted" "$t_wd" "$t_acc")/s);" \
     "sent in $(secs "$t_wd" "${t_sub:-$t_done}") s ($(rate "$submitted" "$t_wd" "${t_sub:-$t_done}")/s);" \
     "completed in $(secs "$t_wd" "$t_done") s ($(rate "$completed" "$t_wd" "$t_done")/s); check: $wd_check"
if grep -q '"level":"error"' "$work/omnid.log"; then
  echo "omnid logged errors:" >&2; grep '"level":"error"' "$work/omnid.log" | head -n 5 >&2
fi
echo "wall time: $((SECONDS - start_time)) s"
[ "$status" -eq 0 ]
