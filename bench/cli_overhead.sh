#!/usr/bin/env bash
# bench/cli_overhead.sh: median wall time of `omnictl wallet get -o json` against curl making
# the same HTTPS request (GET /api/v1/wallet with the same API key and CA), in the same run,
# alternating one of each; prints both medians and the ratio. Target: omnictl <= 1.5x curl.
#
#   bench/cli_overhead.sh [--runs N]
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
runs=50
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 1 ;;
  esac
done

build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid omnictl >/dev/null
omnictl="$build/cli/omnictl"

work=$(mktemp -d /tmp/ogbench-XXXXXX)
chmod 0711 "$work"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT


# 1. omnid --dev once: the cluster, the certificate and an administrator key.
"$build/daemon/omnid" --dev --data-dir "$work/data" --port 0 >"$work/dev.out" 2>"$work/dev.log" &
pid=$!
wait_for "$work/dev.out" Ctrl-C "$pid"
# shellcheck disable=SC1091
. "$work/data/omnictl.env"
kill "$pid"; wait "$pid" || true
pid=

# 2. omnid from a configuration file, without the rate limit (every request uses one key).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/omnid.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
[tls]
cert_file = "$work/data/tls/cert.pem"
key_file = "$work/data/tls/key.pem"
[database.local]
dir = "$work/data/postgres"
[rate_limit]
enabled = false
EOF
"$build/daemon/omnid" --config "$work/omnid.toml" >/dev/null 2>"$work/omnid.log" &
pid=$!
wait_for "$work/omnid.log" '"omnid ready"' "$pid"
export OMNICTL_URL="https://127.0.0.1:$port"
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
"$omnictl" wallet create --walletname bench >/dev/null
url="$OMNICTL_URL/api/v1/wallet"

# Both must give the same answer before anything is timed.
a=$(curl -sS --cacert "$OMNICTL_CACERT" -H "X-APIKey: $OMNICTL_APIKEY" "$url")
b=$("$omnictl" wallet get -o json)
python3 -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); assert a==b and a["resultcode"]==10000' "$a" "$b" \
  || { echo "curl and omnictl disagree" >&2; exit 1; }

elapsed_us() {  # elapsed_us CMD... -> microseconds of wall time
  local start end
  start=$EPOCHREALTIME
  "$@" >/dev/null
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%d\n", (e - s) * 1000000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

: >"$work/curl.us"
: >"$work/omnictl.us"
for _ in $(seq "$runs"); do
  elapsed_us curl -sS --cacert "$OMNICTL_CACERT" -H "X-APIKey: $OMNICTL_APIKEY" "$url" >>"$work/curl.us"
  elapsed_us "$omnictl" wallet get -o json >>"$work/omnictl.us"
done
m_curl=$(median <"$work/curl.us")
m_omnictl=$(median <"$work/omnictl.us")
echo "cli_overhead: GET /api/v1/wallet over TLS, a new process each time, $runs runs each, alternating"
echo "machine: $(nproc) cores; curl $(curl --version | awk 'NR==1 {print $2}')"
printf '%-8s median %8.2f ms\n' curl "$(awk -v u="$m_curl" 'BEGIN { print u / 1000 }')"
printf '%-8s median %8.2f ms\n' omnictl "$(awk -v u="$m_omnictl" 'BEGIN { print u / 1000 }')"
awk -v o="$m_omnictl" -v c="$m_curl" 'BEGIN { printf "ratio omnictl/curl: %.2f (target <= 1.50)\n", o / c }'
