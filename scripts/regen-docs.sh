#!/usr/bin/env bash
# Regenerates the committed omnictl man pages (man/omnictl*.1) and shell completions
# (completions/) from the endpoint catalog and cli/builtin_commands.cpp. Run it after
# changing the catalog, a built-in command or a global flag:
#   scripts/regen-docs.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target omnictl
rm -f man/omnictl.1 man/omnictl-*.1 completions/omnictl.bash completions/_omnictl completions/omnictl.fish
"$build/cli/omnictl" __generate docs .
echo "regenerated: man/omnictl*.1 completions/{omnictl.bash,_omnictl,omnictl.fish}"
