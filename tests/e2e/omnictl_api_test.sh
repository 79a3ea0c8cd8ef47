#!/usr/bin/env bash
# omnictl api (the skeleton): talks to omnid --dev; exit codes 0/1/2/3/4; env vs flags.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
start_dev

out=$("$OMNICTL" api GET /api/v1/system/health); rc=$?
check "health: exit 0" test "$rc" -eq 0
check "health: JSON with resultcode 10000" grep -q '"resultcode": 10000' <<<"$out"
check "relative paths get /api/v1" "$OMNICTL" api GET system/health
check "--data @file" bash -c 'echo "{\"amount\":\"1\"}" > "$1/body.json"; "$OMNICTL" api POST wallet/transfer --data @"$1/body.json" >/dev/null 2>&1; test $? -eq 2' _ "$DEV_DIR"
check "--data - reads stdin" bash -c 'echo "{}" | "$OMNICTL" api POST wallet/transfer --data - >/dev/null 2>&1; test $? -eq 2'

set +e
err=$("$OMNICTL" api POST wallet/transfer --data '{"amount":"1"}' 2>&1 >/dev/null); rc=$?
set -e
check "API error: exit 2" test "$rc" -eq 2
check "API error: code and message on stderr" grep -q "10110 Missing parameter: currency" <<<"$err"

set +e
OMNICTL_APIKEY=0123456789ABCDEF0123456789ABCDEF "$OMNICTL" api GET static/rolelist >/dev/null 2>&1; rc=$?
check "unknown key: exit 4" test "$rc" -eq 4
OMNICTL_APIKEY='' "$OMNICTL" api GET static/rolelist >/dev/null 2>&1; rc=$?
check "no key: exit 4" test "$rc" -eq 4
"$OMNICTL" --url https://127.0.0.1:1 api GET system/health >/dev/null 2>&1; rc=$?
check "connection refused: exit 3" test "$rc" -eq 3
OMNICTL_CACERT='' "$OMNICTL" api GET system/health >/dev/null 2>&1; rc=$?
check "untrusted certificate: exit 3" test "$rc" -eq 3
"$OMNICTL" api GET system/health --data 'not json' >/dev/null 2>&1; rc=$?
check "bad --data: exit 1" test "$rc" -eq 1
"$OMNICTL" api FETCH system/health >/dev/null 2>&1; rc=$?
check "bad method: exit 1" test "$rc" -eq 1
OMNICTL_URL='' "$OMNICTL" api GET system/health >/dev/null 2>&1; rc=$?
check "no URL: exit 1" test "$rc" -eq 1
# Flags beat the environment.
good_url=$OMNICTL_URL
OMNICTL_URL=https://127.0.0.1:1 "$OMNICTL" --url "$good_url" api GET system/health >/dev/null 2>&1; rc=$?
check "--url beats OMNICTL_URL" test "$rc" -eq 0
set -e

help=$("$OMNICTL" --help)
check "--help shows no secret" bash -c '! grep -q "$1" <<<"$2"' _ "$OMNICTL_APIKEY" "$help"
check "omnid's log never shows the key" bash -c '! grep -q "$1" "$2"' _ "$OMNICTL_APIKEY" "$DEV_DIR/log"
finish
