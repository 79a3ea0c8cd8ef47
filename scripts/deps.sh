#!/usr/bin/env bash
# Installs the system packages omnigate needs, if any are missing. Debian 12 (apt) or
# RHEL 8/9 with EPEL (dnf). Nothing is downloaded outside the distribution's repositories.
#   scripts/deps.sh build   compilers, libraries, PostgreSQL server (for omnid's local cluster)
#   scripts/deps.sh test    build + the tools the tests check against (curl, openssl, mandoc, ...),
#                           clang with libFuzzer for the fuzzers, and the npm packages of
#                           tests/doubles/ (npm ci)
#   scripts/deps.sh bench   test + wrk and nginx for the benchmarks
set -euo pipefail
profile=${1:-build}
case "$profile" in build|test|bench) ;; *) echo "usage: $0 build|test|bench" >&2; exit 1 ;; esac

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if command -v apt-get >/dev/null 2>&1; then
  pkgs=(cmake g++ ninja-build pkg-config
        libboost-dev libboost-system-dev libcurl4-openssl-dev libpqxx-dev libpq-dev
        nlohmann-json3-dev libssl-dev libtomlplusplus-dev catch2 libcli11-dev libxml2-dev
        postgresql openssl ca-certificates tzdata libjemalloc-dev)
  [ "$profile" != build ] && pkgs+=(curl mandoc shellcheck python3 procps oathtool python3-jwt python3-oauthlib
                                    python3-requests-oauthlib python3-requests python3-aiosmtpd python3-cryptography)
  # Packaging test (tests/e2e/packaging_test.sh): rpmbuild, rpmlint, systemd-analyze, ...
  [ "$profile" != build ] && pkgs+=(rpm rpmlint cpio systemd man-db logrotate gnupg)
  # Completion test (tests/e2e/completion_test.sh): the zsh and fish scripts are run too.
  [ "$profile" != build ] && pkgs+=(zsh fish)
  # Fuzzers (tests/fuzz/, scripts/fuzz.sh): clang and its libFuzzer/ASan/UBSan runtimes.
  [ "$profile" != build ] && pkgs+=(clang libclang-rt-14-dev)
  [ "$profile" = bench ] && pkgs+=(wrk nginx-light)
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
elif command -v dnf >/dev/null 2>&1; then
  # RHEL 8/9: enable EPEL and CodeReady Builder (RHEL 9) / PowerTools (RHEL 8) first.
  pkgs=(cmake gcc-c++ ninja-build pkgconf-pkg-config
        boost-devel libcurl-devel libpqxx-devel libpq-devel json-devel openssl-devel libxml2-devel
        tomlplusplus-devel catch-devel cli11-devel
        postgresql-server postgresql-contrib openssl ca-certificates tzdata jemalloc-devel)
  [ "$profile" != build ] && pkgs+=(curl mandoc ShellCheck python3 procps-ng oathtool python3-jwt python3-oauthlib
                                    python3-requests-oauthlib python3-requests python3-aiosmtpd python3-cryptography)
  [ "$profile" != build ] && pkgs+=(rpm-build rpmlint cpio systemd man-db logrotate gnupg2)
  [ "$profile" != build ] && pkgs+=(zsh fish)  # fish: EPEL
  [ "$profile" != build ] && pkgs+=(clang compiler-rt)  # fuzzers (tests/fuzz/)
  [ "$profile" = bench ] && pkgs+=(wrk nginx)
  missing=()
  for p in "${pkgs[@]}"; do rpm -q "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    "${sudo_cmd[@]}" dnf install -y "${missing[@]}"
  fi
else
  echo "deps.sh: neither apt-get nor dnf found; install the packages listed in README.md by hand" >&2
  exit 1
fi

# The network stand-ins (tests/doubles/) and the ecosystem libraries that check what omnid
# sends them (ripple-binary-codec, ripple-keypairs, bitcoinjs-lib, @stellar/stellar-sdk, ...): from the npm registry, pinned by
# tests/doubles/package-lock.json. Node.js itself: Debian's nodejs/npm or RHEL's nodejs
# module, unless a newer one is installed already.
if [ "$profile" != build ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      "${sudo_cmd[@]}" apt-get update -qq
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
    else
      "${sudo_cmd[@]}" dnf install -y nodejs npm
    fi
  fi
  doubles="$(cd "$(dirname "$0")/.." && pwd)/tests/doubles"
  stamp="$doubles/node_modules/.installed-from-lock"
  if ! cmp -s "$doubles/package-lock.json" "$stamp" 2>/dev/null; then
    (cd "$doubles" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json "$stamp")
  fi
fi
