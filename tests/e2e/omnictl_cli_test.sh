#!/usr/bin/env bash
# omnictl's generated commands against omnid --dev: every group, each output mode, each exit
# code, --field, --curl, contexts and precedence, the login token cache, a retry against a
# server that first answers 10002, and a transfer whose first answer is lost (the retry with
# the same Idempotency-Key must not move money twice).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
start_dev

# Hermetic configuration and cache: nothing from the user's home.
export XDG_CONFIG_HOME="$DEV_DIR/config" XDG_CACHE_HOME="$DEV_DIR/cache"
KEY=$OMNICTL_APIKEY
GOOD_URL=$OMNICTL_URL
CACERT=$OMNICTL_CACERT
DEAD_URL=https://127.0.0.1:1
pids=()
cleanup_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_dev
}
trap cleanup_all EXIT

# run CMD...: sets out, err, rc (never exits on failure).
run() {
  set +e
  out=$("$@" 2>"$DEV_DIR/stderr"); rc=$?
  set -e
  err=$(cat "$DEV_DIR/stderr")
}
# expect RC DESCRIPTION CMD...
expect() {
  local want=$1 what=$2; shift 2
  run "$@"
  if [ "$rc" -eq "$want" ]; then pass "$what (exit $want)"; else fail "$what: exit $rc, wanted $want; stderr: $err"; fi
}
has() { grep -qF -- "$1" <<<"$2"; }

# --- help ---------------------------------------------------------------------------------
expect 0 "omnictl --help" "$OMNICTL" --help
check "--help lists the generated groups and built-ins" bash -c 'for w in wallet profile tenant login status config; do grep -q "$w" <<<"$1" || exit 1; done' _ "$out"
check "--help shows no secret" bash -c '! grep -qF "$1" <<<"$2"' _ "$KEY" "$out"
expect 0 "omnictl wallet transfer --help" "$OMNICTL" wallet transfer --help
check "action help: flags named as the API, required, limits" bash -c 'grep -q -- "--sourcewaid" <<<"$1" && grep -q "(required)" <<<"$1" && grep -q "1-12 characters" <<<"$1"' _ "$out"
expect 0 "omnictl wallet --help" "$OMNICTL" wallet --help
check "group help lists actions" has "withdrawtest" "$out"

# --- every group, each output mode ----------------------------------------------------------
expect 0 "static rolelist (table)" "$OMNICTL" static rolelist
check "table output is not JSON" bash -c '! grep -q "\"resultcode\"" <<<"$1" && test -n "$1"' _ "$out"
expect 0 "static rolelist -o json" "$OMNICTL" static rolelist -o json
check "-o json prints the server's JSON" bash -c 'python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"resultcode\"]==10000" <<<"$1"' _ "$out"
expect 0 "system health" "$OMNICTL" system health
check "health table shows components" has "components.omnipass.locked" "$out"
expect 0 "profile get --field upid" "$OMNICTL" profile get --field upid
ADMIN_UPID=$out
check "--field prints one bare value" grep -Eq '^upid_[0-9]{16}$' <<<"$ADMIN_UPID"
expect 0 "currency list" "$OMNICTL" currency list
# Answered Ok, or (while the module is not written yet) 10130 naming the route: either way
# the command reached the right endpoint.
reaches() {  # reaches "METHOD /route" DESCRIPTION CMD...
  local route=$1 what=$2; shift 2
  run "$@"
  if [ "$rc" -eq 0 ] || { [ "$rc" -eq 2 ] && has "$route" "$err"; }; then pass "$what"; else fail "$what: exit $rc; $err"; fi
}
reaches "GET /api/v1/payment/transactionlist" "payment transactionlist" "$OMNICTL" payment transactionlist
expect 0 "auth jwks" "$OMNICTL" auth jwks -o json
check "auth jwks has keys" has '"keys"' "$out"
reaches "GET /api/v1/notifications/transports/{upid}" "notifications transports list UPID" "$OMNICTL" notifications transports list "$ADMIN_UPID"
run "$OMNICTL" tenant customer balance --identifierType namespace --identifierValue nobody.e2e
check "tenant customer balance reaches the tenant API (exit 0 or 2, got $rc)" test "$rc" -eq 0 -o "$rc" -eq 2
# Colour only on a terminal (script(1) gives one), and never with NO_COLOR.
ESC=$'\x1b'
if command -v script >/dev/null; then
  tty_out=$(script -qec "$OMNICTL static rolelist" /dev/null </dev/null || true)
  check "a terminal gets bold headers" has "${ESC}[1m" "$tty_out"
  tty_out=$(NO_COLOR=1 script -qec "$OMNICTL static rolelist" /dev/null </dev/null || true)
  check "NO_COLOR: no escape codes" bash -c '! grep -qF "$1" <<<"$2"' _ "$ESC" "$tty_out"
fi
check "not a terminal: no escape codes" bash -c '! "$1" static rolelist | grep -qF "$2"' _ "$OMNICTL" "$ESC"
expect 1 "--field of an absent value" "$OMNICTL" profile get --field nosuchfield
check "absent field named on stderr" has 'no field "nosuchfield"' "$err"

# --- wallets and money ----------------------------------------------------------------------
expect 0 "wallet create A" "$OMNICTL" wallet create --walletname "E2E A" --field waid
WA=$out
expect 0 "wallet create B" "$OMNICTL" wallet create --walletname "E2E B" --field waid
WB=$out
expect 0 "system bridge generic deposit 100.00 CAD" "$OMNICTL" system bridge generic deposit --waid "$WA" --currency CAD --amount 100.00 --externaltransactionid "e2e-cli-1"
balance() {  # balance WAID CURRENCY -> available
  "$OMNICTL" wallet get "$1" -o json | python3 -c 'import json,sys
d=json.load(sys.stdin)
print(next((b["available"] for b in d.get("balances",[]) if b["currencycode"]==sys.argv[1]), "0"))' "$2"
}
check "deposit shows in wallet get WAID" test "$(balance "$WA" CAD)" = "100.00"
expect 0 "wallet transfer with flags" "$OMNICTL" wallet transfer --amount 10.00 --currency CAD --sourcewaid "$WA" --destinationwaid "$WB" --description "e2e flags"
check "transfer moved 10.00" test "$(balance "$WB" CAD)" = "10.00"
expect 0 "wallet transactionlist WAID --limit 5 -o json" "$OMNICTL" wallet transactionlist "$WA" --limit 5 -o json
TXID=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(v for k,v in d.items() if isinstance(v,list))[0]["txid"])' <<<"$out" || true)
expect 0 "wallet transaction TXID" "$OMNICTL" wallet transaction "$TXID"

# --- exit codes -----------------------------------------------------------------------------
expect 1 "client-side validation: bad amount, nothing sent" "$OMNICTL" --url "$DEAD_URL" wallet transfer --amount 1e5 --currency CAD --sourcewaid "$WA" --destinationwaid "$WB"
check "validation names the parameter" has "amount" "$err"
expect 1 "unknown flag" "$OMNICTL" wallet get --colour red
expect 1 "secret from argv refused" "$OMNICTL" user login --email a@example.com --password 'Not$een1'
check "the refused secret is not echoed" bash -c '! grep -qF "Not\$een1" <<<"$1"' _ "$err"
expect 1 "-o json: local error is JSON" "$OMNICTL" -o json wallet get --colour red
check "local JSON error" bash -c 'python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"exitcode\"]==1" <<<"$1"' _ "$out"
expect 2 "API error: unknown transaction" "$OMNICTL" wallet transaction txid_0000000000000001
check "result code and message on stderr" grep -Eq '^omnictl: 10140 ' <<<"$err"
expect 2 "API error with -o json" "$OMNICTL" wallet transaction txid_0000000000000001 -o json
check "-o json: the error is the server's JSON" bash -c 'python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"resultcode\"]==10140" <<<"$1"' _ "$out"
expect 2 "insufficient funds" "$OMNICTL" wallet transfer --amount 999999 --currency CAD --sourcewaid "$WB" --destinationwaid "$WA"
expect 3 "connection refused" "$OMNICTL" --url "$DEAD_URL" static rolelist
expect 3 "untrusted certificate" env OMNICTL_CACERT= "$OMNICTL" static rolelist
expect 4 "unknown API key" env OMNICTL_APIKEY=0123456789ABCDEF0123456789ABCDEF "$OMNICTL" static rolelist
expect 4 "a user-only call with an API key" "$OMNICTL" user mfa status

# --- --curl -----------------------------------------------------------------------------------
expect 0 "--curl sends nothing" "$OMNICTL" --curl wallet transfer --amount 1 --currency CAD --sourcewaid "$WA" --destinationwaid "$WB"
check "--curl masks the API key" bash -c 'grep -q "X-APIKey: \*\*\*\*" <<<"$1" && ! grep -qF "$2" <<<"$1"' _ "$out" "$KEY"
check "--curl shows the Idempotency-Key" has "Idempotency-Key: omnictl-" "$out"
check "balances unchanged by --curl" test "$(balance "$WB" CAD)" = "10.00"
expect 0 "--curl --show-secrets" "$OMNICTL" --curl --show-secrets static rolelist
check "the printed curl command works" bash -c 'eval "$1" | grep -q "\"resultcode\":10000"' _ "$out"

# --- contexts and precedence -----------------------------------------------------------------
unset OMNICTL_URL OMNICTL_APIKEY OMNICTL_CACERT
  expect 0 "config set-context dev (key from stdin)" bash -c '"$OMNICTL" config set-context dev --url "$1" --cacert "$2" --apikey-stdin <<<"$3"' _ "$GOOD_URL" "$CACERT" "$KEY"
  check "config file is 0600" test "$(stat -c %a "$XDG_CONFIG_HOME/omnictl/config.toml")" = 600
  expect 0 "config set-context dead" "$OMNICTL" config set-context dead --url "$DEAD_URL"
  expect 0 "config get-contexts" "$OMNICTL" config get-contexts
  check "get-contexts lists both, dev current, no key shown" bash -c 'grep -q "^\*.*dev" <<<"$1" && grep -q dead <<<"$1" && ! grep -qF "$2" <<<"$1"' _ "$out" "$KEY"
  expect 0 "the current context is used" "$OMNICTL" static rolelist
  expect 3 "OMNICTL_CONTEXT beats current-context" env OMNICTL_CONTEXT=dead "$OMNICTL" static rolelist
  expect 0 "--context beats OMNICTL_CONTEXT" env OMNICTL_CONTEXT=dead "$OMNICTL" --context dev static rolelist
  expect 3 "OMNICTL_URL beats the file" env OMNICTL_URL="$DEAD_URL" "$OMNICTL" static rolelist
  expect 0 "--url beats OMNICTL_URL" env OMNICTL_URL="$DEAD_URL" "$OMNICTL" --url "$GOOD_URL" static rolelist
  expect 4 "OMNICTL_APIKEY beats the file's key" env OMNICTL_APIKEY=0123456789ABCDEF0123456789ABCDEF "$OMNICTL" static rolelist
  expect 1 "unknown --context" "$OMNICTL" --context nope static rolelist
  expect 0 "config use-context dead" "$OMNICTL" config use-context dead
  expect 0 "config current-context" "$OMNICTL" config current-context
  check "current-context is dead" test "$out" = dead
  expect 0 "config delete-context dead" "$OMNICTL" config delete-context dead
  rm -f "$XDG_CONFIG_HOME/omnictl/config.toml"
export OMNICTL_URL=$GOOD_URL OMNICTL_APIKEY=$KEY OMNICTL_CACERT=$CACERT

# --- login, token cache, whoami, logout -------------------------------------------------------
EMAIL="e2e-cli-$$@example.com"
PASS='E2e#Passw0rd'
expect 0 "profile create with a user (password from stdin)" bash -c 'printf "%s\n" "$1" | "$OMNICTL" profile create --type individual --email "$2" --registeruser --emailvalidation=false --password-stdin --firstname E2E --lastname Cli' _ "$PASS" "$EMAIL"
check "omnid's log never shows the password" bash -c '! grep -qF "$1" "$2"' _ "$PASS" "$DEV_DIR/log"
unset OMNICTL_APIKEY
  expect 4 "login with a wrong password" bash -c 'printf "Wrong#Pass1\n" | "$OMNICTL" login --email "$1" --password-stdin' _ "$EMAIL"
  expect 1 "login without a terminal or --password-stdin" "$OMNICTL" login --email "$EMAIL" </dev/null
  expect 0 "login --password-stdin" bash -c 'printf "%s\n" "$1" | "$OMNICTL" login --email "$2" --password-stdin' _ "$PASS" "$EMAIL"
  check "login output shows no token" bash -c '! grep -q "eyJ" <<<"$1"' _ "$out"
  check "token cache file is 0600" test "$(stat -c %a "$XDG_CACHE_HOME/omnictl/tokens/default.json")" = 600
  expect 0 "whoami with the cached token" "$OMNICTL" whoami
  check "whoami names the login token" has "login token" "$out"
  expect 0 "a user call with the cached token" "$OMNICTL" user mfa status
  # MFA: enable it, then login needs the code (--mfacode without a terminal).
  totp() {  # totp SEED STEP-OFFSET
    python3 - "$1" "$2" <<'EOF'
import base64, hashlib, hmac, struct, sys, time
seed, off = sys.argv[1], int(sys.argv[2])
key = base64.b32decode(seed + "=" * ((8 - len(seed) % 8) % 8))
h = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + off), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
EOF
  }
  expect 0 "user mfa seed --field mfaseed" "$OMNICTL" user mfa seed --field mfaseed
  SEED=$out
  expect 0 "user mfa enable (password from stdin)" bash -c 'printf "%s\n" "$1" | "$OMNICTL" user mfa enable --email "$2" --password-stdin --mfacode "$3"' _ "$PASS" "$EMAIL" "$(totp "$SEED" 0)"
  expect 4 "login of an MFA account: no code, no terminal" bash -c 'printf "%s\n" "$1" | "$OMNICTL" login --email "$2" --password-stdin' _ "$PASS" "$EMAIL"
  check "it asks for --mfacode" has "--mfacode" "$err"
  expect 0 "login --mfacode" bash -c 'printf "%s\n" "$1" | "$OMNICTL" login --email "$2" --password-stdin --mfacode "$3"' _ "$PASS" "$EMAIL" "$(totp "$SEED" 1)"
  # An expired token: said clearly, exit 4, nothing sent.
  cp "$XDG_CACHE_HOME/omnictl/tokens/default.json" "$DEV_DIR/token.json"
  python3 - "$XDG_CACHE_HOME/omnictl/tokens/default.json" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["expires"] = 1000
json.dump(d, open(p, "w"))
EOF
  expect 4 "expired cached token" "$OMNICTL" wallet get
  check "expiry is said clearly" has "expired" "$err"
  cp "$DEV_DIR/token.json" "$XDG_CACHE_HOME/omnictl/tokens/default.json"
  expect 0 "logout" "$OMNICTL" logout
  expect 4 "whoami after logout" "$OMNICTL" whoami
export OMNICTL_APIKEY=$KEY

# --- status -----------------------------------------------------------------------------------
expect 0 "status: all up and unlocked" "$OMNICTL" status
expect 3 "status: no server" "$OMNICTL" --url "$DEAD_URL" status

# --- retries against a server that first answers 10002 ----------------------------------------
cat >"$DEV_DIR/stub.py" <<'EOF'
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
busy_first, log = int(sys.argv[1]), sys.argv[2]
count = 0
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        with lock:
            count += 1
            n = count
        with open(log, "a") as f:
            f.write(self.path + "\n")
        if n <= busy_first:
            code, body = 503, {"resultcode": 10002, "resultmessage": "Too busy"}
        elif self.path.endswith("/system/health"):
            code, body = 200, {"resultcode": 10000, "resultmessage": "Ok", "status": "ok",
                               "components": {"omnipass": {"locked": False}, "omnibridge": {"locked": True}}}
        else:
            code, body = 200, {"resultcode": 10000, "resultmessage": "Ok", "roles": ["stub"]}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
start_stub() {  # start_stub BUSY_FIRST LOG -> STUB_URL
  : >"$2"
  python3 "$DEV_DIR/stub.py" "$1" "$2" >"$2.port" &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$2.port" ] && break; sleep 0.1; done
  STUB_URL="http://127.0.0.1:$(cat "$2.port")"
}
start_stub 1 "$DEV_DIR/stub1.log"
expect 0 "retried after 10002" "$OMNICTL" --url "$STUB_URL" --retry-delay 0.2 static rolelist --field roles.0
check "the answer after the retry" test "$out" = stub
check "two requests reached the stub" test "$(wc -l <"$DEV_DIR/stub1.log")" -eq 2
check "the retry is reported on stderr" has "retry 1 of 2" "$err"
expect 2 "status: a component locked" "$OMNICTL" --url "$STUB_URL" status
check "status names the locked component" has "locked: omnibridge" "$err"
start_stub 100 "$DEV_DIR/stub2.log"
expect 2 "still busy after 2 retries" "$OMNICTL" --url "$STUB_URL" --retry-delay 0.1 static rolelist
check "1 + 2 requests" test "$(wc -l <"$DEV_DIR/stub2.log")" -eq 3
expect 2 "--retries 0" "$OMNICTL" --url "$STUB_URL" --retries 0 static rolelist
check "one more request" test "$(wc -l <"$DEV_DIR/stub2.log")" -eq 4
expect 1 "status: the health endpoint answers an error" "$OMNICTL" --url "$STUB_URL" --retries 0 status

# --- a transfer whose first answer is lost ----------------------------------------------------
cat >"$DEV_DIR/proxy.py" <<'EOF'
import http.client, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
target, cafile, log = sys.argv[1], sys.argv[2], sys.argv[3]
host, port = target.split("//")[1].split(":")
ctx = ssl.create_default_context(cafile=cafile)
dropped = False
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def forward(self):
        global dropped
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n) if n else None
        c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        if self.command == "POST":
            with open(log, "a") as f:
                f.write("%s %s %s\n" % (self.path, self.headers.get("Idempotency-Key", "-"), r.status))
        if self.command == "POST" and self.path.endswith("/wallet/transfer") and not dropped:
            dropped = True  # omnid served it; the answer never reaches omnictl
            self.close_connection = True
            return
        self.send_response(r.status)
        self.send_header("Content-Type", r.getheader("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = forward
    def log_message(self, *a):
        pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
: >"$DEV_DIR/proxy.log"
python3 "$DEV_DIR/proxy.py" "$GOOD_URL" "$OMNICTL_CACERT" "$DEV_DIR/proxy.log" >"$DEV_DIR/proxy.port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$DEV_DIR/proxy.port" ] && break; sleep 0.1; done
PROXY_URL="http://127.0.0.1:$(cat "$DEV_DIR/proxy.port")"
before_a=$(balance "$WA" CAD); before_b=$(balance "$WB" CAD)
expect 0 "transfer through a proxy that loses the first answer" "$OMNICTL" --url "$PROXY_URL" --retry-delay 0.2 wallet transfer --amount 25.00 --currency CAD --sourcewaid "$WA" --destinationwaid "$WB" --field txid
check "the transfer's txid is printed" grep -Eq '^txid_[0-9]{16}$' <<<"$out"
check "two POSTs with one Idempotency-Key reached omnid" bash -c 'test "$(wc -l <"$1")" -eq 2 && test "$(cut -d" " -f2 "$1" | sort -u | wc -l)" -eq 1 && grep -q "omnictl-" "$1"' _ "$DEV_DIR/proxy.log"
check "source debited once ($before_a - 25.00)" test "$(balance "$WA" CAD)" = "$(python3 -c 'from decimal import Decimal as D; import sys; print(D(sys.argv[1]) - D("25.00"))' "$before_a")"
check "destination credited once ($before_b + 25.00)" test "$(balance "$WB" CAD)" = "$(python3 -c 'from decimal import Decimal as D; import sys; print(D(sys.argv[1]) + D("25.00"))' "$before_b")"
# When every answer is lost, the key and how to check are printed.
expect 3 "a financial call that keeps failing prints its key" "$OMNICTL" --url "$DEAD_URL" --retries 1 --retry-delay 0.1 wallet transfer --amount 1 --currency CAD --sourcewaid "$WA" --destinationwaid "$WB" --idempotency-key e2e-key-1
check "the key and the transaction list are named" bash -c 'grep -q "e2e-key-1" <<<"$1" && grep -q "wallet transactionlist" <<<"$1"' _ "$err"

check "omnid's log never shows the API key" bash -c '! grep -qF "$1" "$2"' _ "$KEY" "$DEV_DIR/log"
finish
