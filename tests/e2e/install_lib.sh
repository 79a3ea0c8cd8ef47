# Shared by the install tests (sourced after lib.sh): the work directory T (removed at
# exit, with omnid (OMNID_PID) and the SMTP server stopped), the passwords, a real SMTP
# server requiring AUTH, and the good answers file.
# shellcheck shell=bash disable=SC2034 # the sourcing tests use these
: "${OMNIGATE_SOURCE_DIR:?}"

T=$(mktemp -d /tmp/oginstall-XXXXXX)
chmod 0711 "$T"
SMTP_PID=""
OMNID_PID=""
cleanup() {
  [ -n "$OMNID_PID" ] && { kill "$OMNID_PID" 2>/dev/null || true; wait "$OMNID_PID" 2>/dev/null || true; }
  [ -n "$SMTP_PID" ] && { kill "$SMTP_PID" 2>/dev/null || true; wait "$SMTP_PID" 2>/dev/null || true; }
  [ -z "${OMNIGATE_KEEP_TEST_DIRS:-}" ] && rm -rf "$T"
  return 0
}
trap cleanup EXIT

# shellcheck disable=SC2016 # a literal dollar sign: the password's symbol
ADMIN_PW='Admin$pass1'
DB_PW='Db-admin-password-42'
SMTP_PW='Smtp-secret-77'

# A real SMTP server requiring AUTH (plain TCP on loopback).
mkdir "$T/mail"
SMTP_TEST_PASSWORD=$SMTP_PW /usr/bin/python3 "$OMNIGATE_SOURCE_DIR/tests/support/smtp_server.py" \
  --dir "$T/mail" --port 0 --tls none --auth-user mailer >"$T/smtp.out" 2>"$T/smtp.err" &
SMTP_PID=$!
for _ in $(seq 100); do [ -s "$T/smtp.out" ] && break; sleep 0.1; done
SMTP_PORT=$(head -1 "$T/smtp.out")
[ -n "$SMTP_PORT" ] || { cat "$T/smtp.err" >&2; echo "smtp_server.py did not start" >&2; exit 1; }

# omnid with the configuration installed under $R, run through PREFIX if given (setpriv as
# the service user); waits for "omnid ready" and sets OMNID_PID, PORT and URL (PORT is
# empty when it did not start: the tests check it).
# shellcheck disable=SC2120 # the prefix is optional
start_omnid() {  # start_omnid [PREFIX...]
  "$@" "$OMNID" --config "$R/etc/omnigate/omnid.toml" >"$T/omnid.out" 2>"$T/omnid.log" &
  OMNID_PID=$!
  for _ in $(seq 600); do
    grep -qs '"msg":"omnid ready"' "$T/omnid.log" && break
    kill -0 "$OMNID_PID" 2>/dev/null || break
    sleep 0.2
  done
  PORT=$(sed -n 's/.*"msg":"omnid ready".*"https":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$T/omnid.log" | head -1)
  URL="https://localhost:$PORT"
}
stop_omnid() { kill "$OMNID_PID"; wait "$OMNID_PID" 2>/dev/null || true; OMNID_PID=""; }

answers() {  # answers FILE [sed expressions...]: the good answers, edited
  local file=$1; shift
  cat >"$file" <<EOF
[eula]
accept = true
[locale]
country = "CA"
timezone = "America/Toronto"
[environment]
name = "Staging"
[certificate]
mode = "self-signed"
hostname = "localhost"
[licence]
name = "Ada Lovelace"
organization = "ACME corp."
email = "ada@example.com"
[notification]
email = "ops@example.com"
[database]
mode = "local"
admin_password = "$DB_PW"
[smtp]
host = "127.0.0.1"
port = $SMTP_PORT
tls = "none"
username = "mailer"
password = "$SMTP_PW"
from = "Omnigate <noreply@example.com>"
[administrator]
password = "$ADMIN_PW"
[issuer]
name = "acme"
[server]
listen = "127.0.0.1:0"
EOF
  local e
  for e in "$@"; do sed -i -e "$e" "$file"; done
}
