#!/usr/bin/env bash
# `omnictl install` end to end (docs/install.md): bad answers fail naming their step and
# write nothing; an unattended install into a temporary --root with a local database and a
# real SMTP server (tests/support/smtp_server.py, with AUTH); omnid started with the written
# configuration comes up locked, refuses a wrong application password, unlocks with the
# printed one and logs the administrator in; re-running is refused; --reconfigure changes
# only what it is told; `install certificate` installs a certificate signed for the CSR and
# refuses wrong ones; an interactive run through a pseudo-terminal answers every step,
# including a bad answer that is asked again; an interactive --reconfigure of it changes
# only what was chosen, and changes nothing when not confirmed or without a terminal; no
# secret reaches install.log.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${OMNIGATE_SOURCE_DIR:?}"

# shellcheck source=install_lib.sh
. "$(dirname "$0")/install_lib.sh"  # T, cleanup, ADMIN_PW, DB_PW, SMTP_PW, SMTP_PORT, answers()

# --- Each bad answer fails at once with its step's name, exit 1, and writes nothing. ---
bad() {  # bad STEP DESCRIPTION sed-expression...
  local step=$1 what=$2; shift 2
  local root="$T/bad-root" rc=0
  rm -rf "$root"; mkdir "$root"
  answers "$T/bad.toml" "$@"
  "$OMNICTL" install --answers "$T/bad.toml" --yes --root "$root" --no-start >"$T/bad.out" 2>"$T/bad.err" || rc=$?
  check "bad answer ($what): exit 1" test "$rc" = 1
  check "bad answer ($what): names step \"$step\"" grep -q "step \"$step\"" "$T/bad.err"
  check "bad answer ($what): nothing written under --root" test -z "$(find "$root" -mindepth 1 -print -quit)"
  if grep -qF -e "$ADMIN_PW" -e "$DB_PW" -e "$SMTP_PW" "$T/bad.out" "$T/bad.err"; then fail "bad answer ($what): a secret was printed"; fi
}
bad eula "EULA not accepted" 's/^accept = true/accept = false/'
bad locale "unknown country" 's/^country = "CA"/country = "XX"/'
bad locale "timezone not in tzdata" 's|^timezone = .*|timezone = "Mars/Olympus_Mons"|'
bad environment "environment name" 's|^name = "Staging"|name = "bad/name"|'
bad certificate "certificate mode" 's/^mode = "self-signed"/mode = "letsencrypt"/'
bad certificate "existing certificate file missing" 's/^mode = "self-signed"/mode = "existing"\ncert_file = "\/nonexistent.pem"\nkey_file = "\/nonexistent.key"/'
bad licence "licence e-mail" 's/^email = "ada@example.com"/email = "not-an-address"/'
bad notification "notification e-mail" 's/^email = "ops@example.com"/email = "ops@"/'
bad database "database location" 's/^mode = "local"/mode = "cloud"/'
bad database "remote database unreachable" 's/^mode = "local"/mode = "remote"\nhost = "127.0.0.1"\nport = 1\npassword = "x"\nsslmode = "disable"/'
bad smtp "SMTP server unreachable" "s/^port = $SMTP_PORT/port = 1/"
bad smtp "SMTP password wrong" "s/^password = \"$SMTP_PW\"/password = \"wrong-password\"/"
bad database-password "database administrator password too short" "s/^admin_password = .*/admin_password = \"short\"/"
bad administrator "administrator password against the policy" "s/^password = \"Admin.*/password = \"weakpassword\"/"
bad issuer "issuer name" 's/^name = "acme"/name = "ACME!"/'
bad issuer "issuer name missing" '/^name = "acme"/d'
bad options "listen address" 's/^listen = .*/listen = "everywhere"/'
bad eula "unknown answer" 's/^\[eula\]/[eula]\nacepted = true/'
check "bad answers are found before any check runs: no test message was sent" \
  test "$(find "$T/mail" -name '*.json' | wc -l)" = 0

rc=0
"$OMNICTL" install --answers "$T/bad.toml" --root "$T/bad-root" --no-start </dev/null >"$T/out" 2>&1 || rc=$?
check "--answers without --yes and without a terminal: exit 1" test "$rc" = 1
check "... and says --yes is needed" grep -q -- "--yes" "$T/out"
rc=0
"$OMNICTL" install --root "$T/bad-root" </dev/null >"$T/out" 2>&1 || rc=$?
check "no answers file and no terminal: exit 1, asks for --answers" bash -c "test $rc = 1 && grep -q -- --answers '$T/out'"

# --- A step that fails while applying: what the run created is removed again. ---
R="$T/root"
mkdir "$R"
answers "$T/answers.toml"
rc=0
PG_BINDIR=/nonexistent "$OMNICTL" install --answers "$T/answers.toml" --yes --root "$R" --no-start >"$T/out" 2>&1 || rc=$?
check "a database step that fails while applying: exit 1, naming the step" \
  bash -c "test $rc = 1 && grep -q 'step \"database\" failed' '$T/out'"
check "... the certificate, key and cluster directory it made are removed" \
  test -z "$(find "$R/etc/omnigate" "$R/var/lib/omnigate" -type f -print -quit)"
check "... the failure is in install.log" grep -q "removed what this run had created" "$R/var/log/omnigate/install.log"

# --- The unattended install (repeating the failed one). ---
before=$(find "$T/mail" -name '*.json' | wc -l)
rc=0
"$OMNICTL" install --answers "$T/answers.toml" --yes --root "$R" --no-start --details-file "$T/details.txt" \
  >"$T/install.out" 2>"$T/install.err" || rc=$?
check "unattended install: exit 0" test "$rc" = 0
check "a warning says the answers file (mode 0644) holds passwords" grep -q "can be read by other users" "$T/install.err"
[ "$rc" = 0 ] || { cat "$T/install.out" "$T/install.err" >&2; finish; }
APP_PW=$(sed -n 's/^ *Application password: *\([^ ]*\)$/\1/p' "$T/install.out")
check "the installation details show a 16-character application password" test "${#APP_PW}" = 16
check "the details name the administrator" grep -q "admin@omnigate.local" "$T/install.out"
check "the details file is 0600 and holds the password" \
  bash -c "test \"\$(stat -c %a '$T/details.txt')\" = 600 && grep -qF -- '$APP_PW' '$T/details.txt'"
check "omnid.toml is written with mode 0640" test "$(stat -c %a "$R/etc/omnigate/omnid.toml")" = 640
check "the TLS key is 0600" test "$(stat -c %a "$R/etc/omnigate/tls/omnid.key")" = 600
check "omnid accepts the written configuration" "$OMNID" --config "$R/etc/omnigate/omnid.toml" --check-config
check "the certificate is for the host name" openssl x509 -in "$R/etc/omnigate/tls/omnid.crt" -noout -checkhost localhost
check "install.log records the steps" grep -q "administrator: created admin@omnigate.local" "$R/var/log/omnigate/install.log"
check "the local cluster lives under the root" test -f "$R/var/lib/omnigate/postgres/data/PG_VERSION"
after=$(find "$T/mail" -name '*.json' | wc -l)
check "the SMTP check sent one test message" test "$after" = $((before + 1))
last=$(find "$T/mail" -name '*.json' | sort | tail -1)
check "the test message went to the notification address, authenticated" \
  /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m["rcpt_tos"]==["ops@example.com"] and m["auth_user"]=="mailer" else 1)' "$last"
for f in "$R/var/log/omnigate/install.log" "$R/etc/omnigate/installation.toml"; do
  if grep -qF -e "$ADMIN_PW" -e "$DB_PW" -e "$SMTP_PW" -e "$APP_PW" "$f"; then fail "no secret in $(basename "$f")"; else pass "no secret in $(basename "$f")"; fi
done
if grep -rqF -e "$APP_PW" "$R/etc" "$R/var/log"; then fail "the application password is stored nowhere"; else pass "the application password is stored nowhere"; fi

rc=0
"$OMNICTL" install --answers "$T/answers.toml" --yes --root "$R" --no-start >"$T/out" 2>&1 || rc=$?
check "re-running on an installed root is refused (exit 1)" test "$rc" = 1
check "... pointing at --reconfigure" grep -q -- "--reconfigure" "$T/out"

# --- omnid with the written configuration: locked, wrong password refused, unlock, login. ---
start_omnid
check "omnid starts with the written configuration" test -n "$PORT"
[ -n "$PORT" ] || { cat "$T/omnid.log" >&2; finish; }
CA="$R/etc/omnigate/tls/omnid.crt"
api() { curl -sS --cacert "$CA" --resolve "localhost:$PORT:127.0.0.1" -H 'Content-Type: application/json' "$@"; }
login_body="{\"email\":\"admin@omnigate.local\",\"password\":\"$ADMIN_PW\"}"
locked=$(api -X POST "$URL/api/v1/user/login" -d "$login_body" || true)
check "before unlock, login answers component locked (10132)" grep -q '"resultcode":10132' <<<"$locked"
rc=0
printf 'Wrong-password-1\n' | "$OMNICTL" unlock --all --password-stdin --url "$URL" --cacert "$CA" >"$T/out" 2>&1 || rc=$?
check "a wrong application password is refused" test "$rc" != 0
rc=0
printf '%s\n' "$APP_PW" | "$OMNICTL" unlock --all --password-stdin --url "$URL" --cacert "$CA" >"$T/out" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
  # A wrong attempt may throttle the next one (10004 with Retry-After): wait and retry once.
  sleep 3
  rc=0
  printf '%s\n' "$APP_PW" | "$OMNICTL" unlock --all --password-stdin --url "$URL" --cacert "$CA" >"$T/out" 2>&1 || rc=$?
fi
check "the printed application password unlocks every component" test "$rc" = 0
in=$(api -X POST "$URL/api/v1/user/login" -d "$login_body" || true)
check "admin@omnigate.local logs in with the chosen password" grep -q '"resultcode":10000' <<<"$in"
token=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("token", ""))' <<<"$in" || true)
attrs=$(api -H "Authorization: Bearer $token" "$URL/api/v1/system/omnipass/attributelist" || true)
check "the administrator's token carries system rights (system/omnipass/attributelist answers Ok)" \
  grep -q '"resultcode":10000' <<<"$attrs"
sql() { PGPASSWORD=$DB_PW psql -w -tA "host=$R/var/lib/omnigate/postgres/run dbname=omnigate user=omnigate" -c "$1"; }
check "the database administrator password is the one chosen, the issuer name is on the system profile" \
  test "$(sql "SELECT extended->>'issuername' FROM profiles WHERE is_system AND attributes->>'email' = 'admin@omnigate.local'")" = acme
check "the secrets made since the unlock (the JWT signing key) are encrypted at rest" \
  test "$(sql "SELECT count(*) FILTER (WHERE scheme = 'aesgcm') > 0 AND count(*) FILTER (WHERE scheme <> 'aesgcm') = 0 FROM secrets")" = t
stop_omnid
# A restart locks the components again.
start_omnid
relocked=$(api -X POST "$URL/api/v1/user/login" -d "$login_body" || true)
check "after a restart, omnipass is locked again (10132)" grep -q '"resultcode":10132' <<<"$relocked"
stop_omnid

# --- --reconfigure: only what it is told. ---
cat >"$T/reconf.toml" <<EOF
[smtp]
host = "127.0.0.1"
port = $SMTP_PORT
tls = "none"
username = "mailer"
from = "Ops <ops-sender@example.com>"
EOF
cp "$R/etc/omnigate/omnid.toml" "$T/omnid.before"
rc=0
"$OMNICTL" install --reconfigure --answers "$T/reconf.toml" --yes --root "$R" >"$T/out" 2>&1 || rc=$?
check "--reconfigure [smtp]: exit 0" test "$rc" = 0
check "... the sender changed" grep -q 'Ops <ops-sender@example.com>' "$R/etc/omnigate/omnid.toml"
check "... the SMTP password was kept" grep -qF "$SMTP_PW" "$R/etc/omnigate/omnid.toml"
check "... the database settings are unchanged" grep -qF "$R/var/lib/omnigate/postgres" "$R/etc/omnigate/omnid.toml"
check "... still a valid configuration" "$OMNID" --config "$R/etc/omnigate/omnid.toml" --check-config
check "... and still 0640" test "$(stat -c %a "$R/etc/omnigate/omnid.toml")" = 640
printf '[database]\nmode = "remote"\n' >"$T/reconf-db.toml"
rc=0
"$OMNICTL" install --reconfigure --answers "$T/reconf-db.toml" --yes --root "$R" >"$T/out" 2>&1 || rc=$?
check "--reconfigure refuses to move the database (exit 1, names the step)" \
  bash -c "test $rc = 1 && grep -q 'step \"database\"' '$T/out'"
cp "$R/etc/omnigate/omnid.toml" "$T/omnid.before"
printf '[smtp]\nport = 1\n' >"$T/reconf-bad.toml"
rc=0
"$OMNICTL" install --reconfigure --answers "$T/reconf-bad.toml" --yes --root "$R" >"$T/out" 2>&1 || rc=$?
check "--reconfigure with an SMTP server that does not answer: exit 1, nothing changed" \
  bash -c "test $rc = 1 && grep -q 'step \"smtp\"' '$T/out' && cmp -s '$T/omnid.before' '$R/etc/omnigate/omnid.toml'"

# --- A CSR, signed by a CA, installed with `omnictl install certificate`. ---
printf '[certificate]\nmode = "csr"\nhostname = "localhost"\n' >"$T/reconf-csr.toml"
rc=0
"$OMNICTL" install --reconfigure --answers "$T/reconf-csr.toml" --yes --root "$R" >"$T/out" 2>&1 || rc=$?
check "--reconfigure [certificate] mode csr writes a CSR" bash -c "test $rc = 0 && test -s '$R/etc/omnigate/tls/omnid.csr'"
check "... for the new key" test "$(openssl req -in "$R/etc/omnigate/tls/omnid.csr" -noout -pubkey)" = \
  "$(openssl pkey -in "$R/etc/omnigate/tls/omnid.key" -pubout)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" \
  -subj "/CN=Test CA" -days 2 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$T/ext.cnf"
openssl x509 -req -in "$R/etc/omnigate/tls/omnid.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
  -days 2 -extfile "$T/ext.cnf" -out "$T/signed.pem" 2>/dev/null
printf 'subjectAltName=DNS:other.example.com\n' >"$T/ext-other.cnf"
openssl x509 -req -in "$R/etc/omnigate/tls/omnid.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
  -days 2 -extfile "$T/ext-other.cnf" -out "$T/signed-other-host.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/stranger.key" \
  -out "$T/stranger.pem" -subj "/CN=localhost" -addext subjectAltName=DNS:localhost -days 2 2>/dev/null
cp "$R/etc/omnigate/tls/omnid.crt" "$T/crt.before"
rc=0
"$OMNICTL" install certificate --cert "$T/signed-other-host.pem" --chain "$T/ca.pem" --root "$R" >"$T/out" 2>&1 || rc=$?
check "install certificate: a certificate for another host name is refused" \
  bash -c "test $rc = 1 && grep -q 'not for the host name localhost' '$T/out' && cmp -s '$T/crt.before' '$R/etc/omnigate/tls/omnid.crt'"
rc=0
"$OMNICTL" install certificate --cert "$T/stranger.pem" --root "$R" >"$T/out" 2>&1 || rc=$?
check "install certificate: a certificate for another key is refused" \
  bash -c "test $rc = 1 && grep -q 'does not belong to the private key' '$T/out' && cmp -s '$T/crt.before' '$R/etc/omnigate/tls/omnid.crt'"
rc=0
"$OMNICTL" install certificate --cert "$T/signed.pem" --chain "$T/ca.pem" --root "$R" >"$T/out" 2>&1 || rc=$?
check "install certificate: the signed certificate is installed" test "$rc" = 0
check "... with its chain, verifiable against the CA" \
  openssl verify -CAfile "$T/ca.pem" "$R/etc/omnigate/tls/omnid.crt"
check "... the chain follows the certificate" test "$(grep -c 'BEGIN CERTIFICATE' "$R/etc/omnigate/tls/omnid.crt")" = 2

# --- An interactive run through a pseudo-terminal. ---
# ptydrive.py (also for --reconfigure below): spawn omnictl on a pseudo-terminal, expect(regex), answer(regex, text), end().
cat >"$T/ptydrive.py" <<'PY'
import os, pty, re, select, sys, time

buf = b""
pid = fd = None

def spawn(argv):
    global pid, fd
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)

def _read(timeout):
    global buf
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b""
    if not chunk:
        return False
    sys.stdout.write(chunk.decode(errors="replace")); sys.stdout.flush()
    buf += chunk
    return True

def expect(pattern, timeout=120):
    global buf
    deadline = time.time() + timeout
    rx = re.compile(pattern.encode())
    while True:
        m = rx.search(buf)
        if m:
            seen, buf = buf[:m.end()], buf[m.end():]
            return seen
        left = deadline - time.time()
        if left <= 0:
            sys.exit("timed out waiting for %r; got:\n%s" % (pattern, buf.decode(errors="replace")))
        if not _read(left):
            sys.exit("omnictl ended while waiting for %r; got:\n%s" % (pattern, buf.decode(errors="replace")))

def answer(prompt, text):
    expect(prompt)
    os.write(fd, text.encode() + b"\n")

def end(timeout=60):
    """Reads to the end of the output; exits with omnictl's exit status."""
    deadline = time.time() + timeout
    while time.time() < deadline and _read(deadline - time.time()):
        pass
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
PY
R2="$T/root-tty"
mkdir "$R2"
rc=0
PYTHONPATH=$T /usr/bin/python3 - "$OMNICTL" "$R2" "$SMTP_PORT" "$ADMIN_PW" "$DB_PW" "$SMTP_PW" >"$T/tty.out" 2>&1 <<'PY' || rc=$?
import sys
from ptydrive import spawn, expect, answer, end

omnictl, root, smtp_port, admin_pw, db_pw, smtp_pw = sys.argv[1:]
spawn([omnictl, "install", "--root", root, "--no-start"])
answer(r"End User License Agreement\? \(yes/no\): ", "yes")
answer(r"Country \(ISO 3166 code.*\]: ", "XX")                      # bad: asked again
expect(r"Not accepted: \"XX\" is not an ISO 3166 country code")
answer(r"Country \(ISO 3166 code.*\]: ", "CA")
answer(r"Timezone .*\[America/[A-Za-z_]+\]: ", "America/Toronto")
answer(r"Environment.*\[Production\]: ", "")                         # the default
answer(r"Certificate \(self-signed/csr/existing\) \[self-signed\]: ", "")
answer(r"Host name clients use.*: ", "localhost")
answer(r"Your full name: ", "Grace Hopper")
answer(r"Organization: ", "Navy")
answer(r"E-mail address: ", "grace@example.com")
answer(r"Notification e-mail address \[grace@example.com\]: ", "")
answer(r"Database location \(local/remote\) \[local\]: ", "")
answer(r"SMTP server: ", "127.0.0.1")
answer(r"TLS \(none/starttls/tls\) \[starttls\]: ", "none")
answer(r"SMTP port \[587\]: ", smtp_port)
answer(r"SMTP user name.*: ", "mailer")
answer(r"SMTP password: ", smtp_pw)
answer(r"Again, to confirm: ", smtp_pw)
answer(r"Sender \(From\) \[.*\]: ", "")
expect(r"OK\.")
answer(r"Database administrator password: ", db_pw)
answer(r"Again, to confirm: ", db_pw + "typo")                      # mismatch: asked again
expect(r"The two entries differ")
answer(r"Database administrator password: ", db_pw)
answer(r"Again, to confirm: ", db_pw)
answer(r"Administrator password: ", "weak")                          # against the policy
expect(r"Not accepted: ")
answer(r"Administrator password: ", admin_pw)
answer(r"Again, to confirm: ", admin_pw)
expect(r"Summary")
answer(r"Install Omnigate OS with these settings\? \(yes/no\): ", "yes")
expect(r"Application password: +[A-Za-z0-9]{16}")
answer(r"Issuer name: ", "Navy!")                                    # bad: asked again
expect(r"Not accepted: ")
answer(r"Issuer name: ", "navy")
expect(r"Omnigate OS is installed")
end()
PY
check "interactive install through a pseudo-terminal: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat "$T/tty.out" >&2
check "the bad country was asked again" grep -q 'Not accepted: "XX"' "$T/tty.out"
if grep -qF -e "$ADMIN_PW" -e "$DB_PW" -e "$SMTP_PW" "$T/tty.out"; then fail "no password echoed at the terminal"; else pass "no password echoed at the terminal"; fi
check "the interactive run recorded its answers" grep -q 'name = "Production"' "$R2/etc/omnigate/installation.toml"
check "the issuer name was recorded" grep -q 'name = "navy"' "$R2/etc/omnigate/installation.toml"
if grep -qF -e "$ADMIN_PW" -e "$DB_PW" -e "$SMTP_PW" "$R2/var/log/omnigate/install.log"; then fail "no secret in the interactive install.log"; else pass "no secret in the interactive install.log"; fi

# --- An interactive --reconfigure of that installation through a pseudo-terminal. ---
sums() { sha256sum "$R2/etc/omnigate/omnid.toml" "$R2/etc/omnigate/installation.toml" \
  "$R2/etc/omnigate/tls/omnid.crt" "$R2/etc/omnigate/tls/omnid.key"; }
sums >"$T/sums.before"
unchanged() { sums | cmp -s - "$T/sums.before"; }
tls_unchanged() { cmp -s <(sums | grep tls/) <(grep tls/ "$T/sums.before"); }

rc=0
"$OMNICTL" install --reconfigure --root "$R2" </dev/null >"$T/out" 2>&1 || rc=$?
check "--reconfigure without --answers and without a terminal: exit 1, asks for --answers" \
  bash -c "test $rc = 1 && grep -q 'not a terminal.*--answers FILE' '$T/out'"
check "... nothing changed" unchanged

rc=0
PYTHONPATH=$T /usr/bin/python3 - "$OMNICTL" "$R2" >"$T/tty-none.out" 2>&1 <<'PY' || rc=$?
import sys
from ptydrive import spawn, expect, answer, end
spawn([sys.argv[1], "install", "--reconfigure", "--root", sys.argv[2]])
expect(r"6\. smtp +SMTP settings")
answer(r"Sections to change .*: ", "")
expect(r"Nothing to change; nothing was written")
end()
PY
check "interactive --reconfigure choosing no section: exit 0" test "$rc" = 0
check "... nothing changed" unchanged
[ "$rc" = 0 ] || cat "$T/tty-none.out" >&2

rc=0
PYTHONPATH=$T /usr/bin/python3 - "$OMNICTL" "$R2" >"$T/tty-no.out" 2>&1 <<'PY' || rc=$?
import sys
from ptydrive import spawn, expect, answer, end
spawn([sys.argv[1], "install", "--reconfigure", "--root", sys.argv[2]])
answer(r"Sections to change .*: ", "5")
answer(r"Notification e-mail address \[grace@example\.com\]: ", "other@example.com")
expect(r"notification\.email: grace@example\.com -> other@example\.com")
answer(r"Reconfigure with these changes\? \(yes/no\): ", "no")
expect(r"not confirmed; nothing was written")
end()
PY
check "interactive --reconfigure answered \"no\" at the confirmation: exit 1" test "$rc" = 1
[ "$rc" = 1 ] || cat "$T/tty-no.out" >&2
check "... nothing changed (omnid.toml, record, certificate and key)" unchanged

cp "$R2/etc/omnigate/omnid.toml" "$T/tty-omnid.before"
cp "$R2/etc/omnigate/installation.toml" "$T/tty-record.before"
mails_before=$(find "$T/mail" -name '*.json' | wc -l)
rc=0
PYTHONPATH=$T /usr/bin/python3 - "$OMNICTL" "$R2" "$SMTP_PORT" >"$T/tty-reconf.out" 2>&1 <<'PY' || rc=$?
import sys
from ptydrive import spawn, expect, answer, end
omnictl, root, smtp_port = sys.argv[1:]
spawn([omnictl, "install", "--reconfigure", "--root", root])
answer(r"Sections to change .*: ", "smtp, database")                 # bad: asked again
expect(r"Not accepted: \"database\" is neither")
answer(r"Sections to change .*: ", "smtp, 2")
answer(r"Environment .*\[Production\]: ", "bad/name")                 # bad: asked again
expect(r"Not accepted: must be Production")
answer(r"Environment .*\[Production\]: ", "staging")
# SMTP: every current value kept, the password included (the server requires it).
answer(r"SMTP server \[127\.0\.0\.1\]: ", "")
answer(r"TLS \(none/starttls/tls\) \[none\]: ", "")
answer(r"SMTP port \[%s\]: " % smtp_port, "")
answer(r"SMTP user name .*\[mailer\] \(\"-\": none\): ", "")
answer(r"SMTP password \[keep current\]: ", "")
answer(r"Sender \(From\) \[Omnigate <noreply@omnigate\.local>\]: ", "")
expect(r"Sending a test message to grace@example\.com\.\.\.")
expect(r"  OK\.")
expect(r"Changes")
expect(r"environment\.name: Production -> Staging")
expect(r"\(unchanged, left as they are: smtp\)")
answer(r"Reconfigure with these changes\? \(yes/no\): ", "yes")
expect(r"Reconfigured: environment\. Restart omnid")
end()
PY
check "interactive --reconfigure (environment, smtp with its current values): exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat "$T/tty-reconf.out" >&2
check "... the bad section was asked again" grep -q 'Not accepted: "database" is neither' "$T/tty-reconf.out"
check "... the bad environment name was asked again" grep -q 'Not accepted: must be Production' "$T/tty-reconf.out"
check "... the changes list only the environment (the SMTP answers are the current ones)" \
  test "$(sed -n '/^Changes/,/Reconfigure with/p' "$T/tty-reconf.out" | grep -c '^  ')" = 1
check "... the SMTP test message went out, authenticated with the kept password" \
  test "$(find "$T/mail" -name '*.json' | wc -l)" = $((mails_before + 1))
if grep -qF -e "$ADMIN_PW" -e "$DB_PW" -e "$SMTP_PW" "$T/tty-reconf.out" "$T/tty-no.out"; then
  fail "... no password shown by the interactive --reconfigure"
else
  pass "... no password shown by the interactive --reconfigure"
fi
check "... the record: environment Staging, every other answer unchanged" /usr/bin/python3 - \
  "$T/tty-record.before" "$R2/etc/omnigate/installation.toml" <<'PY'
import sys, tomllib
before, after = (tomllib.load(open(f, "rb")) for f in sys.argv[1:])
before.pop("record"); after.pop("record")
if before["environment"]["name"] != "Production" or after["environment"]["name"] != "Staging":
    sys.exit("environment: %r -> %r" % (before["environment"], after["environment"]))
before["environment"]["name"] = "Staging"
sys.exit(0 if before == after else "record differs: %r != %r" % (before, after))
PY
check "... omnid.toml (SMTP section, password included) not rewritten: smtp was left as it was" \
  cmp -s "$T/tty-omnid.before" "$R2/etc/omnigate/omnid.toml"
check "... the certificate and key unchanged" tls_unchanged
check "... still a valid configuration" "$OMNID" --config "$R2/etc/omnigate/omnid.toml" --check-config

# The sender changes, the SMTP password is kept with Enter (--yes: no confirmation).
cp "$R2/etc/omnigate/omnid.toml" "$T/tty-omnid.before"
rc=0
PYTHONPATH=$T /usr/bin/python3 - "$OMNICTL" "$R2" >"$T/tty-keep.out" 2>&1 <<'PY' || rc=$?
import sys
from ptydrive import spawn, expect, answer, end
spawn([sys.argv[1], "install", "--reconfigure", "--yes", "--root", sys.argv[2]])
answer(r"Sections to change .*: ", "smtp")
for prompt in [r"SMTP server \[", r"TLS \(", r"SMTP port \[", r"SMTP user name .*: "]:
    answer(prompt, "")
answer(r"SMTP password \[keep current\]: ", "")
answer(r"Sender \(From\) \[.*\]: ", "Ops <ops-sender@example.com>")
expect(r"smtp\.from: Omnigate <noreply@omnigate\.local> -> Ops <ops-sender@example\.com>")
expect(r"Reconfigured: smtp\. Restart omnid")
end()
PY
check "interactive --reconfigure --yes of the sender, the password kept: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat "$T/tty-keep.out" >&2
check "... omnid.toml: the new sender, the same SMTP password, every other setting unchanged" \
  /usr/bin/python3 - "$T/tty-omnid.before" "$R2/etc/omnigate/omnid.toml" "$SMTP_PW" <<'PY'
import sys, tomllib
before, after = (tomllib.load(open(f, "rb")) for f in sys.argv[1:3])
if after["mail"]["smtp_password"] != sys.argv[3] or after["mail"]["from"] != "Ops <ops-sender@example.com>":
    sys.exit("mail: %r" % {k: v for k, v in after["mail"].items() if k != "smtp_password"})
before["mail"]["from"] = after["mail"]["from"]
sys.exit(0 if before == after else "omnid.toml differs beyond the sender")
PY
if grep -qF -e "$SMTP_PW" "$T/tty-keep.out"; then fail "... the kept password was not shown"; else pass "... the kept password was not shown"; fi

# --- A remote database: an empty database of another PostgreSQL (omnid --dev's cluster). ---
start_dev
trap 'stop_dev; cleanup' EXIT
DEV_PG="host=$DEV_DIR/data/postgres/run dbname=omnigate user=omnigate"
DEV_PG_PW=$(head -1 "$DEV_DIR/data/postgres/password")
PGPASSWORD=$DEV_PG_PW psql -w -q -c "CREATE DATABASE remote_install" "$DEV_PG"
R3="$T/root-remote"
mkdir "$R3"
answers "$T/remote.toml" 's/^mode = "local"/mode = "remote"/' '/^admin_password = /d' \
  "s|^\\[database\\]|[database]\\nhost = \"$DEV_DIR/data/postgres/run\"\\nname = \"remote_install\"\\nuser = \"omnigate\"\\npassword = \"$DEV_PG_PW\"\\nsslmode = \"disable\"|"
rc=0
"$OMNICTL" install --answers "$T/remote.toml" --yes --root "$R3" --no-start >"$T/remote.out" 2>&1 || rc=$?
check "unattended install on a remote database: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat "$T/remote.out" >&2
check "omnid.toml names the remote database" grep -q 'mode = "remote"' "$R3/etc/omnigate/omnid.toml"
check "no local cluster was made" test ! -e "$R3/var/lib/omnigate/postgres"
remote_sql() { PGPASSWORD=$DEV_PG_PW psql -w -tA "host=$DEV_DIR/data/postgres/run dbname=remote_install user=omnigate" -c "$1"; }
check "the remote database has the keyring and the administrator (system-admin, active)" \
  test "$(remote_sql "SELECT (SELECT count(*) FROM keyring) || ' ' || array_to_string(m.roles, ',') || ' ' || u.status
    FROM users u JOIN user_profiles m USING (uuid) WHERE u.email = 'admin@omnigate.local'")" = "1 system-admin active"
if grep -qF -e "$DEV_PG_PW" "$R3/var/log/omnigate/install.log" "$T/remote.out"; then
  fail "the remote database password is neither logged nor printed"
else
  pass "the remote database password is neither logged nor printed"
fi
R4="$T/root-remote-again"
mkdir "$R4"
rc=0
"$OMNICTL" install --answers "$T/remote.toml" --yes --root "$R4" --no-start >"$T/out" 2>&1 || rc=$?
check "a second installation into the same database is refused at step \"database\", nothing written" \
  bash -c "test $rc = 1 && grep -q 'step \"database\".*holds an Omnigate installation already' '$T/out' && test -z \"\$(find '$R4' -mindepth 1 -print -quit)\""
finish
