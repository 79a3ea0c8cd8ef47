#!/usr/bin/env bash
# README's first command, scripts/quickstart.sh, run to the end of its demo (--exit) on the
# test build: omnid --dev starts and omnictl talks to it.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
src=${OMNIGATE_SOURCE_DIR:?}
build=${OMNIGATE_BUILD_DIR:?}
set +e
out=$(cd "$src" && OMNIGATE_BUILD_DIR=$build OMNIGATE_PORT=0 scripts/quickstart.sh --exit 2>&1)
rc=$?
set -e
check "quickstart.sh --exit succeeds" test "$rc" -eq 0
check "it shows omnictl getting Ok from omnid" grep -q '"resultcode": 10000' <<<"$out"
check "it shows a refused transfer" grep -q '10113' <<<"$out"
data=$(grep -oE '/tmp/omnigate-dev-[A-Za-z0-9]+' <<<"$out" | head -n 1)
check "it names its data directory" test -n "$data"
check "it stops omnid" bash -c '! pgrep -f "[o]mnid --dev --data-dir $1" >/dev/null' _ "$data"
check "it removes its data directory" test ! -e "$data"
finish
