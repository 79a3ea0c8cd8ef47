#!/usr/bin/env bash
# TLS of omnid --dev checked with tools nobody here wrote: curl and openssl s_client.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
start_dev

health=$(curl -sS --cacert "$OMNICTL_CACERT" "$OMNICTL_URL/api/v1/system/health")
check "curl verifies the dev certificate and gets Ok" grep -q '"resultcode":10000' <<<"$health"
check "curl also verifies it by name (localhost)" \
  curl -sSf -o /dev/null --cacert "$OMNICTL_CACERT" --resolve "localhost:${DEV_HOSTPORT#*:}:127.0.0.1" \
  "https://localhost:${DEV_HOSTPORT#*:}/api/v1/system/health"
check "curl without the CA refuses the self-signed certificate" \
  bash -c "! curl -sS -o /dev/null '$OMNICTL_URL/api/v1/system/health' 2>/dev/null"

s_client=$(openssl s_client -connect "$DEV_HOSTPORT" -CAfile "$OMNICTL_CACERT" -servername localhost \
  -verify_return_error </dev/null 2>&1 || true)
check "openssl s_client: verify return code 0" grep -q "Verify return code: 0 (ok)" <<<"$s_client"
check "openssl s_client: TLS 1.2 or 1.3" grep -Eq "Protocol *: TLSv1\.[23]|New, TLSv1\.[23]" <<<"$s_client"

old=$(openssl s_client -connect "$DEV_HOSTPORT" -tls1_1 </dev/null 2>&1 || true)
check "TLS 1.1 is refused (protocol version alert, no certificate sent)" \
  bash -c "grep -q 'no peer certificate available' <<<\"\$1\"" _ "$old"

plain=$(curl -sS -m 5 "http://$DEV_HOSTPORT/api/v1/system/health" 2>&1 || true)
check "plain HTTP on the HTTPS port gets no API answer" bash -c "! grep -q resultcode <<<\"\$1\"" _ "$plain"

check "omnid listens on 127.0.0.1 only in --dev" grep -q '"https":"127.0.0.1:' "$DEV_DIR/log"
check "the key file is private (0600)" test "$(stat -c %a "$DEV_DIR/data/tls/key.pem")" = 600
check "omnictl.env is private (0600)" test "$(stat -c %a "$DEV_DIR/data/omnictl.env")" = 600
finish
