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

# --- Cipher suites ([tls] ciphers, ciphersuites, min_version) -------------------------------
# s_out HOSTPORT TLSFLAG CIPHER: s_client's report of a handshake offering only CIPHER.
s_out() {
  local opt=-cipher
  [ "$2" = -tls1_3 ] && opt=-ciphersuites
  openssl s_client -connect "$1" "$2" "$opt" "$3" -servername localhost </dev/null 2>&1 || true
}
# The suite negotiated, or nothing (s_client prints "New, <the suite's own version>, Cipher
# is X", or "Cipher is (NONE)" when the server refused).
negotiated() { s_out "$@" | sed -n 's/^New, [^,]*, Cipher is //p' | grep -v '^(NONE)$' | head -n 1 || true; }
accepts() { test "$(negotiated "$@")" = "$3"; }
# Refused: the server was reached (TCP connected) but no suite was agreed.
refuses() {
  local out
  out=$(s_out "$@")
  grep -q '^CONNECTED(' <<<"$out" && ! grep -Eq '^New, [^,]*, Cipher is [^(]' <<<"$out"
}

# omnid --dev has an ECDSA (P-256) certificate: the ECDSA suites.
check "default: TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 accepted" accepts "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-AES128-GCM-SHA256
check "default: TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 accepted" accepts "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-AES256-GCM-SHA384
check "default: TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305 accepted" accepts "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-CHACHA20-POLY1305
check "default: TLS 1.2 CBC ECDHE-ECDSA-AES128-SHA refused" refuses "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-AES128-SHA
check "default: TLS 1.2 CBC ECDHE-ECDSA-AES256-SHA384 refused" refuses "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-AES256-SHA384
check "default: TLS 1.2 CBC ECDHE-ECDSA-AES128-SHA256 refused" refuses "$DEV_HOSTPORT" -tls1_2 ECDHE-ECDSA-AES128-SHA256
check "default: TLS 1.3 TLS_AES_128_GCM_SHA256 accepted" accepts "$DEV_HOSTPORT" -tls1_3 TLS_AES_128_GCM_SHA256
check "default: TLS 1.3 TLS_CHACHA20_POLY1305_SHA256 accepted" accepts "$DEV_HOSTPORT" -tls1_3 TLS_CHACHA20_POLY1305_SHA256
any12=$(openssl s_client -connect "$DEV_HOSTPORT" -tls1_2 -servername localhost </dev/null 2>/dev/null |
  sed -n 's/^New, [^,]*, Cipher is //p')
check "default: a TLS 1.2 client offering everything gets an ECDHE AEAD suite ($any12)" \
  grep -Eq '^ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$' <<<"$any12"

# omnid from a configuration file, with an RSA certificate: STARTED_HOSTPORT, STARTED_PID.
# start_configured NAME [TOML LINES FOR [tls]...]
EXTRA_PIDS=()
start_configured() {
  local dir=$DEV_DIR/$1 pid
  shift
  mkdir -p "$dir"
  chmod 0711 "$dir"
  [ -f "$DEV_DIR/rsa/cert.pem" ] || {
    mkdir -p "$DEV_DIR/rsa"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$DEV_DIR/rsa/key.pem" -out "$DEV_DIR/rsa/cert.pem" 2>/dev/null
  }
  {
    printf '[server]\nlisten = "127.0.0.1:0"\n[tls]\ncert_file = "%s"\nkey_file = "%s"\n' \
      "$DEV_DIR/rsa/cert.pem" "$DEV_DIR/rsa/key.pem"
    printf '%s\n' "$@"
    # One local cluster for all of them, one after the other.
    printf '[database]\nmode = "local"\n[database.local]\ndir = "%s"\n' "$DEV_DIR/pg"
  } >"$dir/omnid.toml"
  "$OMNID" --config "$dir/omnid.toml" >"$dir/out" 2>"$dir/log" &
  pid=$!
  EXTRA_PIDS+=("$pid")
  for _ in $(seq 600); do
    grep -q '"msg":"omnid ready"' "$dir/log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; echo "omnid ($dir) exited" >&2; return 1; }
    sleep 0.2
  done
  STARTED_HOSTPORT=$(sed -n 's/.*"omnid ready".*"https":"\([^"]*\)".*/\1/p' "$dir/log" | head -n 1)
  STARTED_PID=$pid
}
stop_configured() { kill "$STARTED_PID" 2>/dev/null || true; wait "$STARTED_PID" 2>/dev/null || true; }
stop_all() {
  local pid
  for pid in "${EXTRA_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_dev
}
trap stop_all EXIT

# Defaults with an RSA certificate.
start_configured rsa-default
hp=$STARTED_HOSTPORT
check "RSA, default: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 accepted" accepts "$hp" -tls1_2 ECDHE-RSA-AES128-GCM-SHA256
check "RSA, default: TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384 accepted" accepts "$hp" -tls1_2 ECDHE-RSA-AES256-GCM-SHA384
check "RSA, default: TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 accepted" accepts "$hp" -tls1_2 ECDHE-RSA-CHACHA20-POLY1305
check "RSA, default: TLS 1.2 CBC ECDHE-RSA-AES128-SHA refused" refuses "$hp" -tls1_2 ECDHE-RSA-AES128-SHA
check "RSA, default: TLS 1.2 CBC ECDHE-RSA-AES256-SHA384 refused" refuses "$hp" -tls1_2 ECDHE-RSA-AES256-SHA384
check "RSA, default: TLS 1.2 CBC ECDHE-RSA-AES128-SHA256 refused" refuses "$hp" -tls1_2 ECDHE-RSA-AES128-SHA256
check "RSA, default: TLS 1.2 without forward secrecy AES128-GCM-SHA256 refused" refuses "$hp" -tls1_2 AES128-GCM-SHA256
check "RSA, default: TLS 1.2 without forward secrecy AES256-SHA refused" refuses "$hp" -tls1_2 AES256-SHA
check "RSA, default: TLS 1.3 TLS_AES_256_GCM_SHA384 accepted" accepts "$hp" -tls1_3 TLS_AES_256_GCM_SHA384
check "RSA, default: curl gets Ok" \
  bash -c 'curl -sS --cacert "$1" "https://$2/api/v1/system/health" | grep -q "\"resultcode\":10000"' \
  _ "$DEV_DIR/rsa/cert.pem" "$hp"
stop_configured

# A configured list takes effect: exactly what it names (the CBC and static-RSA suites here
# also show that this client would have negotiated them, had the default offered them).
start_configured rsa-configured \
  'ciphers = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256"' \
  'ciphersuites = "TLS_AES_256_GCM_SHA384"'
hp=$STARTED_HOSTPORT
check "configured: ECDHE-RSA-AES256-GCM-SHA384 accepted" accepts "$hp" -tls1_2 ECDHE-RSA-AES256-GCM-SHA384
check "configured: ECDHE-RSA-AES128-SHA accepted (it is listed)" accepts "$hp" -tls1_2 ECDHE-RSA-AES128-SHA
check "configured: AES128-GCM-SHA256 accepted (it is listed)" accepts "$hp" -tls1_2 AES128-GCM-SHA256
check "configured: ECDHE-RSA-AES128-GCM-SHA256 refused (not listed)" refuses "$hp" -tls1_2 ECDHE-RSA-AES128-GCM-SHA256
check "configured: TLS 1.3 TLS_AES_256_GCM_SHA384 accepted" accepts "$hp" -tls1_3 TLS_AES_256_GCM_SHA384
check "configured: TLS 1.3 TLS_AES_128_GCM_SHA256 refused (not listed)" refuses "$hp" -tls1_3 TLS_AES_128_GCM_SHA256
stop_configured

start_configured rsa-tls13 'min_version = "1.3"'
hp=$STARTED_HOSTPORT
check "min_version 1.3: TLS 1.2 refused" refuses "$hp" -tls1_2 ECDHE-RSA-AES128-GCM-SHA256
check "min_version 1.3: TLS 1.3 accepted" accepts "$hp" -tls1_3 TLS_AES_128_GCM_SHA256
stop_configured

# A bad value stops omnid at start-up, naming the key.
bad_config() {  # bad_config KEY LINE: omnid --check-config refuses LINE under [tls], naming tls.KEY
  local f=$DEV_DIR/bad.toml out
  printf '[tls]\n%s\n' "$2" >"$f"
  if out=$("$OMNID" --check-config --config "$f" 2>&1); then echo "accepted: $2" >&2; return 1; fi
  grep -q "tls\.$1" <<<"$out" || { echo "$out" >&2; return 1; }
}
check "a misspelt cipher is a configuration error naming tls.ciphers" \
  bad_config ciphers 'ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA257"'
check "an unknown TLS 1.3 suite is a configuration error naming tls.ciphersuites" \
  bad_config ciphersuites 'ciphersuites = "TLS_AES_128_CCM_SHA999"'
check "min_version 1.1 is a configuration error naming tls.min_version" bad_config min_version 'min_version = "1.1"'
finish
