#!/usr/bin/env bash
# Man pages pass mandoc -Tlint; omnid.toml(5) documents every key omnid reads; generated
# docs match their source; the scripts pass shellcheck.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
src=${OMNIGATE_SOURCE_DIR:?}

for page in "$src"/man/*.[1-8]; do
  check "mandoc -Tlint $(basename "$page")" mandoc -Tlint "$page"
done

# Every key in config.cpp's r.get(..., "key", ...) calls appears in omnid.toml.5 as ".B key =".
keys=$(grep -oE 'r\.get\([a-z]+, "[a-z_.]+", "[a-z_]+"' "$src/daemon/config.cpp" | sed -E 's/.*"([a-z_]+)"$/\1/' | sort -u)
check "config.cpp reads keys" test -n "$keys"
for key in $keys; do
  check "omnid.toml(5) documents $key" grep -q "^\.B $key = " "$src/man/omnid.toml.5"
done

check "docs/result-codes.md matches omnictl __generate result-codes" \
  diff -u "$src/docs/result-codes.md" <("$OMNICTL" __generate result-codes)

# omnictl's man pages and shell completions are generated from the endpoint catalog: the
# committed copies in man/ and completions/ must equal what omnictl generates now, with no
# stale page left over, and the generated pages pass mandoc -Tlint too.
gen=$(mktemp -d /tmp/ogdocs-XXXXXX)
trap 'rm -rf "$gen"' EXIT
check "omnictl __generate docs" "$OMNICTL" __generate docs "$gen"
regen="(regenerate with scripts/regen-docs.sh)"
for f in "$gen"/completions/* "$gen"/man/*; do
  rel=${f#"$gen"/}
  check "$rel matches omnictl __generate docs $regen" diff -u "$src/$rel" "$f"
done
for f in "$src"/man/omnictl*.1; do
  check "man/$(basename "$f") is still generated $regen" test -f "$gen/man/$(basename "$f")"
done
for page in "$gen"/man/*.1; do
  check "mandoc -Tlint generated $(basename "$page")" mandoc -Tlint "$page"
done
check "omnictl completion bash equals completions/omnictl.bash" \
  diff -u "$src/completions/omnictl.bash" <("$OMNICTL" completion bash)
check "shellcheck -s bash completions/omnictl.bash" shellcheck -s bash "$src/completions/omnictl.bash"
check "scripts/regen-docs.sh is executable" test -x "$src/scripts/regen-docs.sh"

check "shellcheck scripts" shellcheck -x "$src"/scripts/*.sh "$src"/.ci/run
check "shellcheck benchmarks" shellcheck -x "$src"/bench/*.sh
check "shellcheck e2e tests" shellcheck -x "$src"/tests/e2e/*.sh
finish
