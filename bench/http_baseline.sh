#!/usr/bin/env bash
# bench/http_baseline.sh: requests/s and p99 latency of an authenticated cheap GET on
# omnid (GET /api/v1/static/rolelist with an API key: TLS, routing, authentication, rights,
# validation, rate-limit bookkeeping, JSON, one log line), and, in the same run, of nginx
# serving the same bytes as a static file over TLS with the same certificate. Same load
# generator (wrk), same connections, alternating rounds; prints both and the ratio.
#
#   bench/http_baseline.sh [--duration SECONDS] [--connections N] [--rounds N]
#
# Environment: OMNIGATE_BENCH_BUILD (default build-bench, a Release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
. bench/lib.sh
duration=10 connections=64 rounds=2
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--connections N] [--rounds N]" >&2; exit 1 ;;
  esac
done

scripts/deps.sh bench >/dev/null
build=${OMNIGATE_BENCH_BUILD:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMNIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target omnid omnictl >/dev/null

work=$(mktemp -d /tmp/ogbench-XXXXXX)
chmod 0711 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -f "$work/nginx/nginx.pid" ]; then kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT


# 1. omnid --dev once, to make the cluster, the certificate and an administrator key.
"$build/daemon/omnid" --dev --data-dir "$work/data" --port 0 >"$work/dev.out" 2>"$work/dev.log" &
pid=$!
wait_for "$work/dev.out" Ctrl-C "$pid"
# shellcheck disable=SC1091
. "$work/data/omnictl.env"
kill "$pid"; wait "$pid" || true

# 2. omnid from a configuration file: the same data, no rate limit (the load comes from
#    one key), request logging on (nginx logs its accesses too).
port_omnid=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/omnid.toml" <<EOF
[server]
listen = "127.0.0.1:$port_omnid"
io_threads = 2
worker_threads = 4
[tls]
cert_file = "$work/data/tls/cert.pem"
key_file = "$work/data/tls/key.pem"
[database]
pool_size = 4
[database.local]
dir = "$work/data/postgres"
[rate_limit]
enabled = false
EOF
"$build/daemon/omnid" --config "$work/omnid.toml" >/dev/null 2>"$work/omnid.log" &
pids+=($!)
wait_for "$work/omnid.log" '"omnid ready"' "${pids[0]}"
url_omnid="https://127.0.0.1:$port_omnid/api/v1/static/rolelist"
curl -sS --cacert "$OMNICTL_CACERT" -H "X-APIKey: $OMNICTL_APIKEY" "$url_omnid" >"$work/rolelist.json"
grep -q '"resultcode":10000' "$work/rolelist.json" || { echo "omnid did not answer Ok" >&2; exit 1; }

# 3. nginx: the same answer as a static file, same certificate, two workers (two cores).
port_nginx=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/html"
cp "$work/rolelist.json" "$work/nginx/html/rolelist.json"
chmod -R a+rX "$work/nginx" "$work/data/tls" 2>/dev/null || true
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/tmp;
  types { application/json json; }
  server {
    listen 127.0.0.1:$port_nginx ssl;
    ssl_certificate $work/data/tls/cert.pem;
    ssl_certificate_key $work/data/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    root $work/nginx/html;
    location = /rolelist.json { }
  }
}
EOF
[ "$(id -u)" -eq 0 ] && sed -i '1i user root;' "$work/nginx/nginx.conf"
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
url_nginx="https://127.0.0.1:$port_nginx/rolelist.json"
curl -sS --cacert "$OMNICTL_CACERT" "$url_nginx" | cmp -s - "$work/rolelist.json" || { echo "nginx serves other bytes" >&2; exit 1; }

# wrk prints "Requests/sec: N" and, with --latency, "99% Xms".
run_wrk() {  # run_wrk URL [header]
  local out
  if [ $# -gt 1 ]; then out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "$2" "$1")
  else out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$1"); fi
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "$rps $p99 ${errors:-none}"
}

to_ms() {  # wrk latency "1.23ms" / "850.00us" / "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n+=0; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

bytes=$(wc -c <"$work/rolelist.json")
echo "http_baseline: GET of a ${bytes}-byte JSON answer over TLS, wrk -t2 -c$connections, ${duration}s x $rounds rounds each"
echo "machine: $(nproc) cores; omnid io_threads=2 worker_threads=4; nginx worker_processes=2"
printf '%-6s %-7s %12s %10s  %s\n' round server "requests/s" "p99 ms" "errors"
sum_o=0 sum_n=0
for r in $(seq "$rounds"); do
  read -r rps_o p99_o err_o < <(run_wrk "$url_omnid" "X-APIKey: $OMNICTL_APIKEY")
  printf '%-6s %-7s %12s %10s  %s\n' "$r" omnid "$rps_o" "$(to_ms "$p99_o")" "$err_o"
  read -r rps_n p99_n err_n < <(run_wrk "$url_nginx")
  printf '%-6s %-7s %12s %10s  %s\n' "$r" nginx "$rps_n" "$(to_ms "$p99_n")" "$err_n"
  sum_o=$(awk -v a="$sum_o" -v b="$rps_o" 'BEGIN{print a+b}')
  sum_n=$(awk -v a="$sum_n" -v b="$rps_n" 'BEGIN{print a+b}')
done
awk -v o="$sum_o" -v n="$sum_n" 'BEGIN { printf "ratio omnid/nginx (requests/s, summed over rounds): %.2f\n", o/n }'
