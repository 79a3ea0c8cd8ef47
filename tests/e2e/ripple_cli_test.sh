#!/usr/bin/env bash
# The Ripple bridge through omnictl's generated commands (issue 18; docs/ripple.md), against
# the rippled double (tests/doubles/rippled/server.js): the hot wallet's seed from standard
# input, a wallet's deposit address, a tagged deposit credited once, an unknown tag in
# suspense and assigned, a withdrawal run twice with one --idempotency-key that pays the
# destination once, withdrawtest paths, trust lines, a profile address (RequireDest, a trust
# line, IOUs issued from it once per --idempotency-key), the bridge's balances against the
# network, and bad input that exits non-zero, says why and changes nothing. The HTTPS side
# is tests/integration/ripple_tests.cpp.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"

SRC=${OMNIGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DOUBLES=$SRC/tests/doubles
if ! command -v node >/dev/null || [ ! -d "$DOUBLES/node_modules/ripple-binary-codec" ]; then
  echo "skipped: the rippled double needs node and tests/doubles/node_modules (scripts/deps.sh test)"
  exit 77
fi

# 1. omnid --dev once: the cluster, the certificate, an administrator key (system-admin).
start_dev
kill "$DEV_PID"; wait "$DEV_PID" 2>/dev/null || true
DEV_PID=
W=$DEV_DIR
export XDG_CONFIG_HOME="$W/config" XDG_CACHE_HOME="$W/cache"
pids=()
cleanup_all() {
  local p pm
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for p in "${pids[@]}"; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done
    [ "$alive" -eq 1 ] || break
    sleep 0.2
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  # A killed omnid leaves its PostgreSQL behind.
  pm=$(head -n 1 "$W/data/postgres/data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pm" ] && kill -INT "$pm" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pm" 2>/dev/null || break; sleep 0.2; done
  fi
  if [ -n "${OMNIGATE_KEEP_TEST_DIRS:-}" ]; then echo "kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup_all EXIT

# 2. The rippled double: a ledger closes every 300 ms.
node "$DOUBLES/rippled/server.js" --port 0 --port-file "$W/rippled.port" --close-ms 300 >"$W/rippled.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$W/rippled.port" ] && break; kill -0 "${pids[0]}"; sleep 0.1; done
RIPPLED="http://127.0.0.1:$(cat "$W/rippled.port")/"
control() {  # control JSON: the double's answer on stdout; fails unless ok
  local out
  out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "${RIPPLED}control" <<<"$1")
  python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("ok") else 1)' <<<"$out" ||
    { echo "control $1 failed: $out" >&2; return 1; }
  echo "$out"
}
# jget KEY: a top-level field of the JSON on stdin (never argv: some answers hold seeds).
jget() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
drops() {  # drops ADDRESS: its validated XRP balance on the double
  curl -sS -H 'Content-Type: application/json' \
    -d "{\"method\":\"account_info\",\"params\":[{\"account\":\"$1\",\"ledger_index\":\"validated\"}]}" "$RIPPLED" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["result"]["account_data"]["Balance"])'
}
submits() { control '{"action":"state"}' | jget submits; }

# 3. omnid on the same data, from a configuration file with the ripple bridge.
cat >"$W/omnid.toml" <<EOF
[server]
listen = "127.0.0.1:0"
[tls]
cert_file = "$W/data/tls/cert.pem"
key_file = "$W/data/tls/key.pem"
[database]
mode = "local"
[database.local]
dir = "$W/data/postgres"
[jobs]
lease_seconds = 2

[[bridge]]
name = "ripple"
instance = 1
url = "$RIPPLED"
poll_seconds = 1
timeout_seconds = 5
ledger_window = 20
EOF
"$OMNID" --config "$W/omnid.toml" >"$W/omnid.out" 2>"$W/omnid.log" &
pids+=($!)
OMNID_PID=$!
for _ in $(seq 600); do
  grep -q '"omnid ready"' "$W/omnid.log" && break
  kill -0 "$OMNID_PID" 2>/dev/null || { cat "$W/omnid.log" >&2; echo "omnid exited" >&2; exit 1; }
  sleep 0.2
done
HOSTPORT=$(grep '"omnid ready"' "$W/omnid.log" | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["listening"]["https"])')
export OMNICTL_URL="https://$HOSTPORT"
KEY=$OMNICTL_APIKEY

run() {  # run CMD...: sets out, err, rc (never exits on failure)
  set +e
  out=$("$@" 2>"$W/stderr"); rc=$?
  set -e
  err=$(cat "$W/stderr")
}
expect() {  # expect RC DESCRIPTION CMD...
  local want=$1 what=$2; shift 2
  run "$@"
  if [ "$rc" -eq "$want" ]; then pass "$what (exit $want)"; else fail "$what: exit $rc, wanted $want; stdout: $out; stderr: $err"; fi
}
has() { grep -qF -- "$1" <<<"$2"; }
is_json() { python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$1"; }
xrp() {  # xrp WAID: "available held" of XRP in the wallet, by omnictl
  "$OMNICTL" wallet get "$1" -o json | python3 -c 'import json, sys
d = json.load(sys.stdin)
b = next((b for b in d.get("balances", []) if b["currencycode"] == "XRP"), {"available": "0.000000", "held": "0.000000"})
print(b["available"], b["held"])'
}
eventually() {  # eventually SECONDS CMD...: until CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}
xrp_is() { [ "$(xrp "$1")" = "$2" ]; }

# --- the hot wallet: its seed from standard input, never in argv --------------------------------
expect 0 "omnictl system bridge updateaccount --help" "$OMNICTL" system bridge updateaccount --help
check "accountdata is a secret: --accountdata-stdin | --accountdata-file" has "--accountdata-stdin" "$out"
expect 1 "accountdata on the command line is refused" "$OMNICTL" system bridge updateaccount --bridgename ripple --instanceid 1 --accountdata '{"address":"r"}'
check "it says how to pass it" has "--accountdata-stdin" "$err"
HOT_JSON=$(control '{"action":"wallet"}')
HOT=$(jget address <<<"$HOT_JSON")
SEED=$(jget seed <<<"$HOT_JSON")
expect 0 "updateaccount --accountdata-stdin (the hot wallet and its seed)" bash -c \
  'python3 -c "import json, sys; d = json.load(sys.stdin); print(json.dumps({\"address\": d[\"address\"], \"seed\": d[\"seed\"]}))" <<<"$1" |
   "$OMNICTL" system bridge updateaccount --bridgename ripple --instanceid 1 --accountdata-stdin' _ "$HOT_JSON"
expect 0 "system bridge externalaccountlist ripple 1 -o json" "$OMNICTL" system bridge externalaccountlist ripple 1 -o json
check "the hot wallet is listed" has "$HOT" "$out"
check "its seed is answered masked" bash -c '! grep -qF "$1" <<<"$2" && grep -qF "********" <<<"$2"' _ "$SEED" "$out"
expect 0 "system bridge active" "$OMNICTL" system bridge active
check "active lists ripple" has "ripple" "$out"

# --- a wallet and its ripple deposit address ------------------------------------------------------
expect 0 "wallet create" "$OMNICTL" wallet create --walletname "Ripple E2E" --field waid
WA=$out
expect 0 "wallet depositaddress create --method ripple" "$OMNICTL" wallet depositaddress create --waid "$WA" --method ripple --field depositaddress
ADDR=$out
TAG=${ADDR##*-}
check "the address is the hot wallet's, with a tag of at least 8 digits" bash -c '[[ "$1" == "$2-"* ]] && [[ "$3" =~ ^[1-9][0-9]{7,9}$ ]]' _ "$ADDR" "$HOT" "$TAG"
expect 0 "depositaddress create again: the same address" "$OMNICTL" wallet depositaddress create --waid "$WA" --method ripple -o json
check "-o json parses, same address" bash -c 'python3 -c "import json, sys; assert json.load(sys.stdin)[\"depositaddress\"] == sys.argv[1]" "$2" <<<"$1"' _ "$out" "$ADDR"
expect 0 "wallet depositaddress get WAID ripple XRP" "$OMNICTL" wallet depositaddress get "$WA" ripple XRP -o json
check "depositaddress get answers the same address" has "$ADDR" "$out"

# --- a tagged deposit, credited once ----------------------------------------------------------------
SENDER=$(control '{"action":"wallet"}' | jget address)
PAID=$(control "{\"action\":\"pay\",\"from\":\"$SENDER\",\"to\":\"$HOT\",\"amount\":\"25000000\",\"destination_tag\":$TAG,\"close\":true}")
check "the double applied the deposit" test "$(jget final_result <<<"$PAID")" = tesSUCCESS
check "the deposit is credited (25 XRP) within 30 s" eventually 30 xrp_is "$WA" "25.000000 0.000000"
control '{"action":"close"}' >/dev/null
control '{"action":"close"}' >/dev/null
sleep 2.5
check "still 25 XRP after more ledgers and watcher rounds: once" xrp_is "$WA" "25.000000 0.000000"
expect 0 "wallet transactionlist WAID -o json" "$OMNICTL" wallet transactionlist "$WA" -o json
check "one deposit in the list, with the network's hash" bash -c 'python3 -c "import json, sys
l = json.load(sys.stdin)[\"transactionlist\"]
assert [t[\"type\"] for t in l].count(\"deposit\") == 1, l" <<<"$1"' _ "$out"

# --- an unknown tag: suspense, then assigned ----------------------------------------------------------
UNKNOWN_HASH=$(control "{\"action\":\"pay\",\"from\":\"$SENDER\",\"to\":\"$HOT\",\"amount\":\"7000000\",\"destination_tag\":4242,\"close\":true}" | jget hash)
in_suspense() { "$OMNICTL" system bridge suspense list --bridgename ripple --instanceid 1 -o json | grep -qF "$UNKNOWN_HASH"; }
check "the unknown tag's payment shows in suspense within 30 s" eventually 30 in_suspense
expect 0 "system bridge suspense list ripple 1 -o json" "$OMNICTL" system bridge suspense list ripple 1 -o json
check "the entry: unmatched, 7.000000 XRP, to HOT-4242" bash -c 'python3 -c "import json, sys
e = next(e for e in json.load(sys.stdin)[\"suspense\"] if e[\"externaltransactionid\"] == sys.argv[1])
assert (e[\"state\"], e[\"currency\"], e[\"amount\"], e[\"address\"]) == (\"unmatched\", \"XRP\", \"7.000000\", sys.argv[2] + \"-4242\"), e" "$2" "$3" <<<"$1"' _ "$out" "$UNKNOWN_HASH" "$HOT"
expect 0 "suspense list (table)" "$OMNICTL" system bridge suspense list ripple 1
check "the table names the hash, not JSON" bash -c 'grep -qF "$2" <<<"$1" && ! grep -q "\"resultcode\"" <<<"$1"' _ "$out" "$UNKNOWN_HASH"
expect 2 "assign an unknown hash" "$OMNICTL" system bridge suspense assign ripple 1 --externaltransactionid NOSUCHHASH --waid "$WA"
check "10140, naming it" bash -c 'grep -q "10140" <<<"$1" && grep -q "NOSUCHHASH" <<<"$1"' _ "$err"
expect 2 "assign to a wallet that does not exist" "$OMNICTL" system bridge suspense assign ripple 1 --externaltransactionid "$UNKNOWN_HASH" --waid waid_0000000000000001
expect 2 "assign on an unknown instance (ripple-9)" "$OMNICTL" system bridge suspense assign ripple 9 --externaltransactionid "$UNKNOWN_HASH" --waid "$WA"
check "the message names ripple-9" has "ripple-9" "$err"
check "nothing credited by the refusals" xrp_is "$WA" "25.000000 0.000000"
expect 0 "system bridge suspense assign" "$OMNICTL" system bridge suspense assign ripple 1 --externaltransactionid "$UNKNOWN_HASH" --waid "$WA"
check "the assigned deposit is credited (32 XRP) within 30 s" eventually 30 xrp_is "$WA" "32.000000 0.000000"
expect 2 "assigning it again is refused" "$OMNICTL" system bridge suspense assign ripple 1 --externaltransactionid "$UNKNOWN_HASH" --waid "$WA"
sleep 1.5
check "credited once" xrp_is "$WA" "32.000000 0.000000"
check "it left suspense" bash -c '! "$1" system bridge suspense list ripple 1 -o json | grep -qF "$2"' _ "$OMNICTL" "$UNKNOWN_HASH"

# --- withdrawtest (paths) and trust lines ---------------------------------------------------------------
DEST=$(control '{"action":"wallet"}' | jget address)
expect 0 "wallet withdrawtest 12.5 XRP" "$OMNICTL" wallet withdrawtest --waid "$WA" --method ripple --amount 12.5 --currency XRP --destinationaddress "$DEST-123456" -o json
check "one path: 12.500000 XRP, fee 0.000010 XRP" bash -c 'python3 -c "import json, sys
p = json.load(sys.stdin)[\"paths\"]
assert p == [{\"sourceamount\": \"12.500000\", \"sourcecurrency\": \"XRP\", \"fee\": \"0.000010\", \"feecurrency\": \"XRP\"}], p" <<<"$1"' _ "$out"
expect 0 "withdrawtest (table)" "$OMNICTL" wallet withdrawtest --waid "$WA" --method ripple --amount 12.5 --currency XRP --destinationaddress "$DEST"
check "the table shows the path" bash -c 'grep -q "12.500000" <<<"$1" && grep -q "0.000010" <<<"$1"' _ "$out"
expect 0 "withdrawtest for more than the wallet holds" "$OMNICTL" wallet withdrawtest --waid "$WA" --method ripple --amount 500 --currency XRP --destinationaddress "$DEST" -o json
check "no path" bash -c 'python3 -c "import json, sys; assert json.load(sys.stdin)[\"paths\"] == []" <<<"$1"' _ "$out"
check "withdrawtest holds nothing" xrp_is "$WA" "32.000000 0.000000"
ISSUER=$(control '{"action":"wallet"}' | jget address)
control "{\"action\":\"trust\",\"address\":\"$DEST\",\"currency\":\"USD\",\"issuer\":\"$ISSUER\",\"limit\":\"1000\",\"close\":true}" >/dev/null
expect 0 "wallet trustlines ripple DEST -o json" "$OMNICTL" wallet trustlines ripple "$DEST" -o json
check "the USD line to the issuer, limit 1000" bash -c 'python3 -c "import json, sys
d = json.load(sys.stdin)
assert d[\"acceptxrps\"] is True
assert d[\"trustlines\"] == [{\"currency\": \"USD\", \"issueraddress\": sys.argv[1], \"issuername\": \"\", \"balance\": \"0\", \"limit\": \"1000\"}], d" "$2" <<<"$1"' _ "$out" "$ISSUER"
expect 0 "wallet trustlines (table)" "$OMNICTL" wallet trustlines ripple "$DEST"
check "the table names the issuer and USD" bash -c 'grep -qF "$2" <<<"$1" && grep -q USD <<<"$1"' _ "$out" "$ISSUER"
expect 0 "trustlines of an address with none" "$OMNICTL" wallet trustlines ripple "$SENDER" -o json
check "an empty list" bash -c 'python3 -c "import json, sys; assert json.load(sys.stdin)[\"trustlines\"] == []" <<<"$1"' _ "$out"

# --- bad input: a clear message, a non-zero exit, nothing held, nothing sent ------------------------
SUBMITS=$(submits)
DEST_BEFORE=$(drops "$DEST")
bad_checksum=${DEST%?}
if [ "${DEST: -1}" = a ]; then bad_checksum+=b; else bad_checksum+=a; fi
withdraw() {  # withdraw DESTINATION AMOUNT [omnictl flags...]
  local to=$1 amount=$2; shift 2
  "$OMNICTL" wallet withdraw --waid "$WA" --currency XRP --method ripple --amount "$amount" --destinationaddress "$to" "$@"
}
refused() {  # refused RC DESCRIPTION WORD CMD...: exit RC, stderr names WORD, balance unchanged
  local want=$1 what=$2 word=$3; shift 3
  expect "$want" "$what" "$@"
  check "$what: the message says why ($word)" has "$word" "$err"
  check "$what: the balance is unchanged" xrp_is "$WA" "32.000000 0.000000"
}
refused 2 "withdraw to an address with a bad checksum" "10113" withdraw "$bad_checksum" 1
refused 2 "withdraw with a tag out of range (2^32)" "10113" withdraw "$DEST-4294967296" 1
refused 2 "withdraw with a malformed tag" "10113" withdraw "$DEST-12x" 1
refused 2 "withdraw of 1.0000001 XRP (XRP has 6 decimals)" "10113" withdraw "$DEST" 1.0000001
refused 2 "withdraw of more than the wallet holds" "10160" withdraw "$DEST" 500
refused 1 "withdraw of a negative amount" "amount" withdraw "$DEST" -1
refused 2 "withdrawtest to a bad checksum" "10113" "$OMNICTL" wallet withdrawtest --waid "$WA" --method ripple --amount 1 --currency XRP --destinationaddress "$bad_checksum"
refused 2 "trustlines of a bad checksum" "10113" "$OMNICTL" wallet trustlines ripple "$bad_checksum"
refused 2 "balances of an unknown instance (ripple-9)" "ripple-9" "$OMNICTL" system bridge balances ripple 9
refused 2 "suspense list of an unknown instance (ripple-9)" "ripple-9" "$OMNICTL" system bridge suspense list ripple 9
refused 1 "--idempotency-key on a command that is not financial" "financial" "$OMNICTL" system bridge suspense list ripple 1 --idempotency-key k1
expect 2 "-o json: a refusal is the server's JSON" withdraw "$bad_checksum" 1 -o json
check "-o json refusal parses, resultcode 10113" bash -c 'python3 -c "import json, sys; assert json.load(sys.stdin)[\"resultcode\"] == 10113" <<<"$1"' _ "$out"
check "nothing reached the network's submit" test "$(submits)" = "$SUBMITS"
check "the destination got nothing" test "$(drops "$DEST")" = "$DEST_BEFORE"

# --- a withdrawal, run twice with one --idempotency-key: paid once --------------------------------
IK="e2e-ripple-wd-$$"
expect 0 "wallet withdraw 12.5 XRP --idempotency-key" withdraw "$DEST" 12.5 --idempotency-key "$IK" --field txid
TXID=$out
check "a txid is printed" grep -Eq '^txid_[0-9]{16}$' <<<"$TXID"
check "12.5 XRP held" xrp_is "$WA" "19.500000 12.500000"
expect 0 "the same command again, the same key" withdraw "$DEST" 12.5 --idempotency-key "$IK" --field txid
check "the first answer: the same txid" test "$out" = "$TXID"
expect 2 "the same key with another amount is refused" withdraw "$DEST" 1 --idempotency-key "$IK"
check "the refusal is 10150 (key reused)" has "10150" "$err"
completed() { [ "$("$OMNICTL" wallet transaction "$TXID" --field state)" = Completed ]; }
check "the withdrawal is completed within 30 s" eventually 30 completed
check "posted: 19.5 XRP left, nothing held" xrp_is "$WA" "19.500000 0.000000"
check "the destination grew by exactly 12.5 XRP" test "$(($(drops "$DEST") - DEST_BEFORE))" -eq 12500000
expect 0 "the same command a third time, after it settled" withdraw "$DEST" 12.5 --idempotency-key "$IK" --field txid
check "still the same txid" test "$out" = "$TXID"
control '{"action":"close"}' >/dev/null
sleep 2
check "the destination still grew by exactly 12.5 XRP: once" test "$(($(drops "$DEST") - DEST_BEFORE))" -eq 12500000
check "the wallet still holds 19.5 XRP" xrp_is "$WA" "19.500000 0.000000"
expect 0 "wallet transaction TXID -o json" "$OMNICTL" wallet transaction "$TXID" -o json
check "the transaction: ripple, to DEST, with the network's hash" bash -c 'python3 -c "import json, sys
t = json.load(sys.stdin)
assert t[\"method\"] in (\"ripple\", \"ripple-1\"), t
assert t[\"externaldestinationaddress\"] == sys.argv[1], t
assert len(t.get(\"externaltransactionid\", \"\")) == 64, t" "$2" <<<"$1"' _ "$out" "$DEST"

# --- the bridge's books against the network -------------------------------------------------------
expect 0 "system bridge balances ripple 1 -o json" "$OMNICTL" system bridge balances ripple 1 -o json
HOT_DROPS=$(drops "$HOT")
check "XRP: internal 19.500000 (what users hold), external the hot wallet's balance" bash -c 'python3 -c "import json, sys
from decimal import Decimal as D
d = json.load(sys.stdin)
x = next(b for b in d[\"balances\"] if b[\"currency\"] == \"XRP\")
assert (x[\"internalbalance\"], x[\"internalavail\"], x[\"internalheld\"]) == (\"19.500000\", \"19.500000\", \"0.000000\"), x
assert D(x[\"externalbalance\"]) == D(sys.argv[1]) / 1000000, (x, sys.argv[1])
assert D(x[\"externalbalance\"]) > D(x[\"internalbalance\"]), x" "$2" <<<"$1"' _ "$out" "$HOT_DROPS"
expect 0 "system bridge balances (table)" "$OMNICTL" system bridge balances ripple 1
check "the table shows internal and external" bash -c 'grep -q "19.500000" <<<"$1" && grep -qi "external" <<<"$1"' _ "$out"

# --- a profile address: RequireDest, a trust line, IOUs issued from it -----------------------------
acct_flags() {  # acct_flags ADDRESS: its validated Flags on the double (0 if it does not exist)
  curl -sS -H 'Content-Type: application/json' \
    -d "{\"method\":\"account_info\",\"params\":[{\"account\":\"$1\",\"ledger_index\":\"validated\"}]}" "$RIPPLED" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["result"].get("account_data", {}).get("Flags", 0))'
}
has_flag() { [ $(($(acct_flags "$1") & $2)) -ne 0 ]; }
lacks_flag() { [ $(($(acct_flags "$1") & $2)) -eq 0 ]; }
expect 0 "currency address create --bridgename ripple" "$OMNICTL" currency address create --bridgename ripple --field profileaddress
PA=$out
check "a classic address is made" grep -Eq '^r[1-9A-HJ-NP-Za-km-z]{24,34}$' <<<"$PA"
expect 0 "currency address list" "$OMNICTL" currency address list -o json
check "the list has it" has "$PA" "$out"
expect 2 "RequireDest on an unfunded address is refused" "$OMNICTL" currency address attribute --bridgename ripple --address "$PA" --destinationtagrequired
check "the refusal says it is not funded (10131)" has "10131" "$err"
control "{\"action\":\"fund\",\"address\":\"$PA\",\"xrp\":\"50000000\",\"close\":true}" >/dev/null
check "funded, it gets DefaultRipple (it issues) within 30 s" eventually 30 has_flag "$PA" $((0x00800000))
expect 0 "currency address attribute --destinationtagrequired" "$OMNICTL" currency address attribute --bridgename ripple --address "$PA" --destinationtagrequired
check "RequireDest set on the network" eventually 10 has_flag "$PA" $((0x00020000))
expect 0 "currency address attribute --destinationtagrequired=false" "$OMNICTL" currency address attribute --bridgename ripple --address "$PA" --destinationtagrequired=false
check "RequireDest cleared" eventually 10 lacks_flag "$PA" $((0x00020000))
BANK=$(control '{"action":"wallet"}' | jget address)
expect 0 "currency address trustline to an issuer" "$OMNICTL" currency address trustline --bridgename ripple --hostedaddress "$PA" --trustedaddress "$BANK" --currencycode EUR --amount 5000
line_limit() {
  curl -sS -H 'Content-Type: application/json' \
    -d "{\"method\":\"account_lines\",\"params\":[{\"account\":\"$1\",\"ledger_index\":\"validated\"}]}" "$RIPPLED" |
    python3 -c 'import json, sys; ls = json.load(sys.stdin)["result"].get("lines", []); print(ls[0]["limit"] if ls else "none")'
}
has_limit() { [ "$(line_limit "$1")" = "$2" ]; }
check "the trust line is on the network, limit 5000" eventually 10 has_limit "$PA" 5000
expect 2 "a trust line with a bad issuer checksum is refused" "$OMNICTL" currency address trustline --bridgename ripple --hostedaddress "$PA" --trustedaddress "$bad_checksum" --currencycode EUR --amount 5000
check "the refusal is 10113" has "10113" "$err"

# IOUs from the profile address (the platform holds its key) to a holder that trusts it.
HOLDER=$(control '{"action":"wallet"}' | jget address)
control "{\"action\":\"trust\",\"address\":\"$HOLDER\",\"currency\":\"CAD\",\"issuer\":\"$PA\",\"limit\":\"1000\",\"close\":true}" >/dev/null
holder_cad() {
  curl -sS -H 'Content-Type: application/json' \
    -d "{\"method\":\"account_lines\",\"params\":[{\"account\":\"$HOLDER\",\"ledger_index\":\"validated\"}]}" "$RIPPLED" |
    python3 -c 'import json, sys; ls = json.load(sys.stdin)["result"].get("lines", []); print(next((l["balance"] for l in ls if l["currency"] == "CAD"), "none"))'
}
holder_has() { [ "$(holder_cad)" = "$1" ]; }
iou_refused() {  # iou_refused RC DESCRIPTION WORD CMD...: exit RC, stderr names WORD
  local want=$1 what=$2 word=$3; shift 3
  expect "$want" "$what" "$@"
  check "$what: the message says why ($word)" has "$word" "$err"
}
SUBMITS=$(submits)
iou_refused 2 "issueiou of XRP" "10113" "$OMNICTL" currency issueiou --network ripple --issueraddress "$PA" --receiveraddress "$HOLDER" --currencycode XRP --amount 1
iou_refused 2 "issueiou to a bad checksum" "10113" "$OMNICTL" currency issueiou --network ripple --issueraddress "$PA" --receiveraddress "$bad_checksum" --currencycode CAD --amount 1
iou_refused 2 "issueiou from an address the platform has no key of" "10140" "$OMNICTL" currency issueiou --network ripple --issueraddress "$BANK" --receiveraddress "$HOLDER" --currencycode CAD --amount 1
iou_refused 2 "issueiou on an unknown network" "10113" "$OMNICTL" currency issueiou --network dogecoin --issueraddress "$PA" --receiveraddress "$HOLDER" --currencycode CAD --amount 1
check "nothing reached the network's submit" test "$(submits)" = "$SUBMITS"
check "the holder got nothing" test "$(holder_cad)" = "0"
IK2="e2e-ripple-iou-$$"
expect 0 "currency issueiou 7.5 CAD --idempotency-key" "$OMNICTL" currency issueiou --network ripple --issueraddress "$PA" --receiveraddress "$HOLDER" --currencycode CAD --amount 7.5 --idempotency-key "$IK2" --field transactionhash
HASH=$out
check "a transaction hash is printed" grep -Eq '^[0-9A-F]{64}$' <<<"$HASH"
expect 0 "the same command again, the same key" "$OMNICTL" currency issueiou --network ripple --issueraddress "$PA" --receiveraddress "$HOLDER" --currencycode CAD --amount 7.5 --idempotency-key "$IK2" --field transactionhash
check "the first answer: the same hash" test "$out" = "$HASH"
check "the holder holds 7.5 CAD of the profile address" eventually 15 holder_has 7.5
control '{"action":"close"}' >/dev/null
sleep 1
check "and still 7.5: issued once" holder_has 7.5

# --- secrets -----------------------------------------------------------------------------------------
check "omnid's log never shows the seed" bash -c '! grep -qF "$1" "$2"' _ "$SEED" "$W/omnid.log"
check "omnid's log never shows the API key" bash -c '! grep -qF "$1" "$2"' _ "$KEY" "$W/omnid.log"
check "the double's log never shows the seed" bash -c '! grep -qF "$1" "$2"' _ "$SEED" "$W/rippled.log"
finish
