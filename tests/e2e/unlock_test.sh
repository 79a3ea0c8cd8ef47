#!/usr/bin/env bash
# omnictl unlock against omnid --dev (no keyring: nothing is locked): the password sources,
# no prompt without a terminal, the exit codes, no password on the command line. The locked
# flow (a database with a keyring) is tests/integration/unlock_tests.cpp, which runs this
# same omnictl binary against a locked omnid.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
start_dev
pw=1ABC234D5EF67G8H

set +e
err=$("$OMNICTL" unlock --all </dev/null 2>&1); rc=$?
check "no terminal, no password source: exit 1" test "$rc" -eq 1
check "no terminal: says how to give the password" grep -q -- "--password-stdin" <<<"$err"

err=$(printf '%s\n' "$pw" | "$OMNICTL" unlock --all --password-stdin 2>&1); rc=$?
check "--password-stdin, no keyring: exit 2" test "$rc" -eq 2
check "no keyring: explained" grep -q "no keyring" <<<"$err"
check "the password is not echoed" bash -c '! grep -q "$1" <<<"$2"' _ "$pw" "$err"

printf '%s\n' "$pw" >"$DEV_DIR/pw"
"$OMNICTL" unlock omnipass --password-file "$DEV_DIR/pw" >/dev/null 2>&1; rc=$?
check "--password-file, no keyring: exit 2" test "$rc" -eq 2

printf 'short\n' | "$OMNICTL" unlock omnipass --password-stdin >/dev/null 2>&1; rc=$?
check "a password that is not 16 characters: exit 1" test "$rc" -eq 1
printf '%s\n' "$pw" | "$OMNICTL" unlock --password-stdin >/dev/null 2>&1; rc=$?
check "neither COMPONENT nor --all: exit 1" test "$rc" -eq 1
printf '%s\n' "$pw" | "$OMNICTL" unlock omnipass --all --password-stdin >/dev/null 2>&1; rc=$?
check "both COMPONENT and --all: exit 1" test "$rc" -eq 1
"$OMNICTL" unlock omnipass --password "$pw" >/dev/null 2>&1; rc=$?
check "no --password flag (argv is visible in ps): exit 1" test "$rc" -eq 1
"$OMNICTL" unlock nosuchcomponent --password-stdin </dev/null >/dev/null 2>&1; rc=$?
check "unknown component: exit 1" test "$rc" -eq 1
help=$("$OMNICTL" unlock --help 2>&1)
check "--help names the password sources" grep -q -- "--password-file" <<<"$help"
set -e

finish
