#!/usr/bin/env bash
# Installs what is missing, builds omnid and omnictl, starts `omnid --dev` and shows
# omnictl talking to it. omnid keeps running until Ctrl-C (--exit: stop after the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
build=${OMNIGATE_BUILD_DIR:-build}
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target omnid omnictl
data=$(mktemp -d /tmp/omnigate-dev-XXXXXX)
"$build/daemon/omnid" --dev --data-dir "$data" --port "${OMNIGATE_PORT:-8443}" 2>"$data/omnid.log" &
omnid=$!
cleanup() { kill "$omnid" 2>/dev/null || true; wait "$omnid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 240); do
  [ -s "$data/omnictl.env" ] && break
  kill -0 "$omnid" 2>/dev/null || { cat "$data/omnid.log" >&2; echo "omnid exited before it was ready" >&2; exit 1; }
  sleep 0.5
done
[ -s "$data/omnictl.env" ] || { echo "omnid did not become ready" >&2; exit 1; }
# shellcheck disable=SC1091
. "$data/omnictl.env"
PATH="$build/cli:$PATH"
sleep 0.2
echo
echo "\$ . $data/omnictl.env"
echo "\$ omnictl status"
omnictl status
echo "\$ omnictl wallet create --walletname savings"
omnictl wallet create --walletname savings
echo "\$ omnictl wallet get -o json"
omnictl wallet get -o json
echo "\$ omnictl wallet transfer --amount -1 --currency CAD ...   # refused before sending, exit 1"
omnictl wallet transfer --amount -1 --currency CAD --sourcewaid waid_1111111111111111 \
  --destinationwaid waid_2222222222222222 || echo "(exit $?)"
echo "\$ omnictl api POST /api/v1/wallet/transfer --data '{\"amount\":\"-1\",...}'   # refused by omnid, exit 2"
omnictl api POST /api/v1/wallet/transfer --data '{"amount":"-1","currency":"CAD","sourcewaid":"waid_1111111111111111","destinationwaid":"waid_2222222222222222"}' || echo "(exit $?)"
if [ "${1:-}" = "--exit" ]; then exit 0; fi
echo
echo "omnid --dev is running at $OMNICTL_URL. Its log follows; Ctrl-C stops it and its PostgreSQL."
tail -n +1 -f "$data/omnid.log" &
tailer=$!
wait "$omnid" || true
kill "$tailer" 2>/dev/null || true
