#!/usr/bin/env bash
# SIGHUP (systemctl reload omnid) re-reads the TLS certificate and key: new connections get
# the new certificate, checked with openssl s_client; a bad pair is refused, logged, and the
# previous certificate stays in service.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
start_dev
tls=$DEV_DIR/data/tls

served_fingerprint() {
  openssl s_client -connect "$DEV_HOSTPORT" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//'
}
file_fingerprint() { openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/.*=//'; }
new_pair() {  # new_pair DIR: a fresh self-signed P-256 pair for localhost
  mkdir -p "$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}
hup_and_wait() {  # hup_and_wait PATTERN: SIGHUP, then wait for the n-th log line matching PATTERN
  local before
  before=$(grep -c -- "$1" "$DEV_DIR/log" || true)
  kill -HUP "$DEV_PID"
  for _ in $(seq 100); do
    [ "$(grep -c -- "$1" "$DEV_DIR/log" || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
  echo "no \"$1\" in the log after SIGHUP" >&2; tail -n 5 "$DEV_DIR/log" >&2; return 1
}

first=$(served_fingerprint)
check "omnid serves the certificate of its cert_file" test "$first" = "$(file_fingerprint "$tls/cert.pem")"

new_pair "$DEV_DIR/new"
cp "$DEV_DIR/new/key.pem" "$tls/key.pem.tmp" && mv "$tls/key.pem.tmp" "$tls/key.pem"
cp "$DEV_DIR/new/cert.pem" "$tls/cert.pem.tmp" && mv "$tls/cert.pem.tmp" "$tls/cert.pem"
check "new files are not picked up before SIGHUP" test "$(served_fingerprint)" = "$first"
check "SIGHUP: 'TLS certificate reloaded' logged" hup_and_wait "TLS certificate reloaded"
second=$(file_fingerprint "$DEV_DIR/new/cert.pem")
check "after SIGHUP new connections get the new certificate" test "$(served_fingerprint)" = "$second"
check "the log names the new certificate's SHA-256" grep -q "\"sha256\":\"$second\"" "$DEV_DIR/log"
check "curl trusting only the new certificate gets Ok" \
  bash -c 'curl -sS --cacert "$1" "$2/api/v1/system/health" | grep -q "\"resultcode\":10000"' \
  _ "$DEV_DIR/new/cert.pem" "$OMNICTL_URL"

# A key that does not match the certificate: refused, the previous pair stays.
new_pair "$DEV_DIR/other"
cp "$DEV_DIR/other/key.pem" "$tls/key.pem"
check "SIGHUP with a mismatched key: refusal logged" hup_and_wait "TLS certificate not reloaded"
check "the refusal says the key does not match" grep -q "does not match certificate" "$DEV_DIR/log"
check "omnid keeps serving the previous certificate" test "$(served_fingerprint)" = "$second"
printf 'not a certificate\n' >"$tls/cert.pem"
check "SIGHUP with a garbage certificate: refusal logged" hup_and_wait "cannot load TLS certificate"
check "omnid still serves the previous certificate" test "$(served_fingerprint)" = "$second"
check "omnid is still running" kill -0 "$DEV_PID"
check "no private key material in the log" bash -c '! grep -q "PRIVATE KEY" "$1"' _ "$DEV_DIR/log"
finish
