#!/usr/bin/env bash
# bench/stellar_bridge.sh: the Stellar bridge's deposit speed (issue 19), against the Horizon
# double (tests/doubles/horizon/server.js) on this machine.
#
# N wallets, each with its stellar deposit address (the hot account and a memo id of its
# own), set up untimed. omnid is then stopped, and the double records D payments of 1 XLM to
# the hot account with those memos, round-robin, from outside accounts (pay_many, a ledger
# closed every 1000). omnid starts again on the same database: timed from its "jobs
# started" until D deposits are credited (bridge_inbox state 'credited'); then the wallets'
# XLM must sum to exactly what was paid. Target: 10,000 deposits in under 10 s.
#
#   bench/stellar_bridge.sh [--wallets N] [--deposits D] [--poll-seconds S]
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
wallets=1000 deposits=10000 poll_seconds=1
usage="usage: $0 [--wallets N] [--deposits N] [--poll-seconds N] (positive integers)"
while [ $# -gt 0 ]; do
  case "$1" in
    --wallets) wallets=${2:-} ;;
    --deposits) deposits=${2:-} ;;
    --poll-seconds) poll_seconds=${2:-} ;;
    *) echo "$usage" >&2; exit 1 ;;
  esac
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 1; }
  shift 2
done
[ "$deposits" -ge "$wallets" ] || { echo "--deposits must be at least --wallets" >&2; exit 1; }
start_time=$SECONDS

scripts/deps.sh bench >/dev/null
command -v node >/dev/null || { echo "no node (scripts/deps.sh test)" >&2; exit 1; }
sdk=tests/doubles/node_modules/@stellar/stellar-sdk
[ -d "$sdk" ] || { echo "no $sdk (scripts/deps.sh test)" >&2; exit 1; }
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid >/dev/null
pg_bindir=$(pg_bin_dir psql)
[ -x "$pg_bindir/psql" ] || { echo "no psql in '$pg_bindir'" >&2; exit 1; }

bridge_bench_start

passphrase="Test SDF Network ; September 2015"
node tests/doubles/horizon/server.js --port 0 --port-file "$work/horizon.port" --close-ms 0 \
  --passphrase "$passphrase" >"$work/horizon.log" 2>&1 &
pids+=($!)
double_pid=$!
for _ in $(seq 100); do [ -f "$work/horizon.port" ] && break; kill -0 "$double_pid"; sleep 0.1; done
horizon="http://127.0.0.1:$(cat "$work/horizon.port")/"
control() {  # control JSON (on stdin of curl): the double's answer; fails unless ok
  local out
  out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "${horizon}control" <<<"$1")
  python3 -c 'import json, sys; a = json.load(sys.stdin); sys.exit(0 if a.get("ok", True) and "error" not in a else 1)' <<<"$out" ||
    { echo "control ${1:0:200} failed: ${out:0:400}" >&2; return 1; }
  echo "$out"
}

bridge_bench_omnid "[[bridge]]
name = \"stellar\"
url = \"$horizon\"
network_passphrase = \"$passphrase\"
poll_seconds = $poll_seconds
timeout_seconds = 30"

# Setup, not timed: the hot account (its seed through the API), the wallets and their addresses.
read -r hot seed < <(node -e "const { Keypair } = require('./$sdk'); const k = Keypair.random(); console.log(k.publicKey(), k.secret())")
control "{\"command\":\"fund\",\"account\":\"$hot\",\"xlm\":\"1000\",\"close\":true}" >/dev/null
api /api/v1/system/bridge/updateaccount \
  "{\"bridgename\":\"stellar\",\"instanceid\":1,\"accountdata\":{\"address\":\"$hot\",\"seed\":\"$seed\"}}"
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
   section /api/v1/wallet/depositaddress "{\"waid\":\"${waids[i - 1]}\",\"method\":\"stellar\"}"
 done >"$work/address.curl")
curl -K "$work/address.curl" >"$work/address.out"
mapfile -t memos < <(sql "SELECT split_part(d.address, '-', 2) FROM deposit_addresses d JOIN wallets w USING (waid)
                          WHERE d.method = 'stellar' AND w.name LIKE 'bench-%' ORDER BY d.waid")
[ "${#memos[@]}" -eq "$wallets" ] || { echo "made ${#memos[@]} deposit addresses of $wallets" >&2; head -c 600 "$work/address.out" >&2; exit 1; }
# The watcher publishes config.memo_required and sees the funding; let it finish.
control '{"command":"close"}' >/dev/null
sleep $((poll_seconds + 2))
control '{"command":"close"}' >/dev/null
sleep $((poll_seconds + 1))
before=$(sql "SELECT count(*) FROM bridge_inbox WHERE state = 'credited'")
[ "$before" -eq 0 ] || { echo "$before deposits credited before the payments" >&2; exit 1; }
stop_omnid

# The payments, while omnid is down: D payments of 1 XLM with the wallets' memos.
senders=()
for _ in $(seq 20); do senders+=("$(node -e "console.log(require('./$sdk').Keypair.random().publicKey())")"); done
# In calls of 2000 (the double takes bodies of at most 1 MiB).
t=$(now)
count=0
for ((start = 0; start < deposits; start += 2000)); do
  end=$((start + 2000 < deposits ? start + 2000 : deposits))
  payments=$(for ((i = start; i < end; i++)); do
    printf '{"from":"%s","to":"%s","amount":"1","memo_type":"id","memo":"%s"}\n' "${senders[i % 20]}" "$hot" "${memos[i % wallets]}"
  done | paste -sd, -)
  paid=$(control "{\"command\":\"pay_many\",\"payments\":[$payments],\"per_ledger\":1000}")
  count=$((count + $(python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])' <<<"$paid")))
done
pay_s=$(secs "$t" "$(now)")
[ "$count" -eq "$deposits" ] || { echo "pay_many: $count payments of $deposits" >&2; exit 1; }

# Deposits, timed.
start_omnid_jobs "$work/omnid.log"
t_jobs=$(now)
wait_credited "$deposits"
wait_for "$work/omnid.log" '"omnid ready"' "$omnid_pid"
dep_s=$(secs "$t_jobs" "$t_dep")
dep_first_s=$(secs "$t_jobs" "${t_first:-$t_dep}")
read -r wallet_sum wallet_count < <(sql "
  SELECT coalesce(sum(b.available + b.held), 0), count(*) FROM balances b JOIN wallets w USING (waid)
   WHERE w.kind = 'user' AND w.name LIKE 'bench-%' AND b.currency = 'XLM'" | tr '|' ' ')
status=0
dep_check="ok"
# XLM has 7 decimals: balances are in stroops.
if [ "$credited" -ne "$deposits" ] || [ "$wallet_count" -ne "$wallets" ] || [ "$wallet_sum" != $((deposits * 10000000)) ]; then
  dep_check="FAIL: $credited credited of $deposits, wallets hold $wallet_sum stroops, paid $((deposits * 10000000))"
  status=1
fi
dep_verdict=$(awk -v s="$dep_s" -v n="$credited" -v d="$deposits" 'BEGIN { print (n == d && s < 10 * d / 10000) ? "PASS" : "FAIL" }')
[ "$deposits" -ge 10000 ] ||
  dep_verdict="not measured (needs --deposits 10000); scaled ($deposits in < $(awk -v d="$deposits" 'BEGIN { print 10 * d / 10000 }') s): $dep_verdict"

echo "stellar_bridge: omnid against the Horizon double, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "deposits:    $deposits payments of 1 XLM to the hot account over $wallets memo ids (pay_many took ${pay_s} s, not timed);" \
     "poll_seconds=$poll_seconds"
echo "             credited $credited in $dep_s s from jobs started ($(rate "$credited" "$t_jobs" "$t_dep") deposits/s;" \
     "first credit after $dep_first_s s); wallets' XLM vs paid: $dep_check"
echo "             target 10,000 in < 10 s: $dep_verdict"
if grep -q '"level":"error"' "$work/omnid.log"; then
  echo "omnid logged errors:" >&2; grep '"level":"error"' "$work/omnid.log" | head -n 5 >&2
fi
echo "wall time: $((SECONDS - start_time)) s"
[ "$status" -eq 0 ]
