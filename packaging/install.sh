#!/usr/bin/env bash
# Omnigate OS installation script: download, verify, run.
#
#   curl -fsSLO https://downloads.example/omnigate/install.sh
#   sha256sum install.sh          # compare with the published checksum, read the script
#   sudo bash install.sh --rpm https://downloads.example/omnigate/omnigate-0.1.0-1.el9.x86_64.rpm \
#                        --sha256 <published SHA-256 of the RPM> [-- OMNICTL-INSTALL-OPTIONS]
#
# It checks that the host runs RHEL 8 or 9 (or a compatible rebuild), fetches the RPM over
# HTTPS (or takes a local file), verifies its SHA-256 and, when present, its signatures
# (a detached OpenPGP signature, the RPM's own signature), enables EPEL, installs the RPM and
# its dependencies with dnf, then hands over to `omnictl install` with the options after
# `--` (e.g. --answers FILE.toml --yes --no-start). Nothing is installed unless every check
# passes. See docs/packaging.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh --rpm PATH|URL --sha256 HEX [OPTIONS] [-- OMNICTL-INSTALL-OPTIONS]

Options:
  --rpm PATH|URL       the omnigate RPM: a local file or an https:// URL
                       (environment: OMNIGATE_RPM)
  --sha256 HEX         its published SHA-256 (environment: OMNIGATE_RPM_SHA256); for an
                       URL, URL.sha256 is fetched when this is not given
  --signature PATH|URL a detached OpenPGP signature of the RPM (verified with --gpg-key)
  --gpg-key PATH|URL   the publisher's OpenPGP public key: verifies --signature and the
                       RPM's own signature (against this key alone; without it a signed
                       RPM must verify with the keys rpm already trusts)
  --no-epel            do not enable EPEL (the host already has a mirror of it)
  --dry-run            run every check, print what would be installed and run, change
                       nothing (environment: OMNIGATE_DRY_RUN=1; needs no root)
  -h, --help           this help

Everything after -- goes to `omnictl install` (see omnictl install --help), e.g.
  -- --answers /root/omnigate-answers.toml --yes --no-start
The file read as the operating system description is /etc/os-release
(environment: OMNIGATE_OS_RELEASE).

Exit status: 0 installed (or, with --dry-run, every check passed); 1 a check or a step
failed; 2 bad usage.
EOF
}

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }
usage_error() { printf 'install.sh: %s (see --help)\n' "$*" >&2; exit 2; }

rpm_source=${OMNIGATE_RPM:-}
sha256=${OMNIGATE_RPM_SHA256:-}
signature=""
gpg_key=""
enable_epel=1
dry_run=0
case "${OMNIGATE_DRY_RUN:-0}" in 1|yes|true) dry_run=1 ;; esac
os_release=${OMNIGATE_OS_RELEASE:-/etc/os-release}
omnictl_args=()

need_value() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --rpm) need_value "$@"; rpm_source=$2; shift 2 ;;
    --rpm=*) rpm_source=${1#*=}; shift ;;
    --sha256) need_value "$@"; sha256=$2; shift 2 ;;
    --sha256=*) sha256=${1#*=}; shift ;;
    --signature) need_value "$@"; signature=$2; shift 2 ;;
    --signature=*) signature=${1#*=}; shift ;;
    --gpg-key) need_value "$@"; gpg_key=$2; shift 2 ;;
    --gpg-key=*) gpg_key=${1#*=}; shift ;;
    --no-epel) enable_epel=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; omnictl_args=("$@"); break ;;
    *) usage_error "unknown option '$1' (options for omnictl install go after --)" ;;
  esac
done
[ -n "$rpm_source" ] || usage_error "--rpm is required"
if [ -n "$sha256" ]; then
  sha256=$(printf '%s' "$sha256" | tr 'A-F' 'a-f')
  [[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || usage_error "--sha256 must be 64 hexadecimal digits"
fi
[ -z "$signature" ] || [ -n "$gpg_key" ] || usage_error "--signature needs --gpg-key to verify it"

# An answers file is read by omnictl install only after the RPM is in; check it now.
prev=""
for arg in "${omnictl_args[@]}"; do
  answers=""
  if [ "$prev" = --answers ]; then answers=$arg; elif [[ "$arg" == --answers=* ]]; then answers=${arg#*=}; fi
  [ -z "$answers" ] || [ -r "$answers" ] || die "the answers file '$answers' cannot be read"
  prev=$arg
done

# 1. The operating system: RHEL 8 or 9, or a rebuild that says it is like RHEL.
os_value() {  # os_value KEY: the value of KEY in the os-release file, unquoted
  local line
  line=$(grep -E "^$1=" "$os_release" | tail -n 1) || true
  line=${line#*=}
  line=${line#\"}; line=${line%\"}; line=${line#\'}; line=${line%\'}
  printf '%s' "$line"
}
[ -r "$os_release" ] || die "cannot read $os_release: cannot tell which operating system this is"
os_id=$(os_value ID)
os_like=$(os_value ID_LIKE)
os_version=$(os_value VERSION_ID)
os_name=$(os_value PRETTY_NAME)
[ -n "$os_name" ] || os_name="$(os_value NAME) ${os_version}"
os_major=${os_version%%.*}
case " $os_id $os_like " in
  *" rhel "*) ;;
  *) die "this host runs ${os_name}; Omnigate OS installs on Red Hat Enterprise Linux 8 or 9 or a compatible rebuild (AlmaLinux, Rocky Linux, Oracle Linux, CentOS Stream)" ;;
esac
case "$os_major" in
  8|9) ;;
  *) die "this host runs ${os_name}; only versions 8 and 9 are supported" ;;
esac
say "operating system: ${os_name} (el${os_major})"

if [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo bash install.sh ...), or with --dry-run to only check"
fi

# 2. Fetch into a private directory: what is verified is what is installed.
work=$(mktemp -d "${TMPDIR:-/tmp}/omnigate-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
fetch() {  # fetch SOURCE DEST: copy a local file or download an https:// URL
  case "$1" in
    https://*)
      command -v curl >/dev/null 2>&1 || die "curl is needed to download $1"
      curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 -o "$2" "$1" ||
        die "cannot download $1" ;;
    *://*) die "refusing '$1': only https:// URLs or local files" ;;
    *) if [ ! -f "$1" ] || [ ! -r "$1" ]; then die "cannot read $1"; fi
       cp -- "$1" "$2" ;;
  esac
}
rpm_name=$(basename -- "${rpm_source%%\?*}")
case "$rpm_name" in
  *.rpm) ;;
  *) die "'$rpm_source' does not name an .rpm file" ;;
esac
pkg="$work/$rpm_name"
fetch "$rpm_source" "$pkg"

# 3. SHA-256.
if [ -z "$sha256" ]; then
  case "$rpm_source" in
    https://*) fetch "${rpm_source}.sha256" "$work/sha256"
               sha256=$(tr 'A-F' 'a-f' <"$work/sha256" | grep -oE '^[0-9a-f]{64}' | head -n 1) || true
               [ -n "$sha256" ] || die "${rpm_source}.sha256 holds no SHA-256" ;;
    *) usage_error "--sha256 is required for a local file" ;;
  esac
fi
actual=$(sha256sum -- "$pkg" | cut -d ' ' -f 1)
[ "$actual" = "$sha256" ] ||
  die "SHA-256 mismatch for $rpm_name: expected $sha256, got $actual; the package was not installed"
say "SHA-256 verified: $actual  $rpm_name"

# 4. Signatures.
if [ -n "$gpg_key" ]; then
  fetch "$gpg_key" "$work/key.asc"
fi
if [ -n "$signature" ]; then
  command -v gpgv >/dev/null 2>&1 || die "gpgv is needed to check --signature (dnf install gnupg2)"
  fetch "$signature" "$work/pkg.sig"
  mkdir -m 0700 "$work/gnupg"
  if ! gpg --batch --quiet --homedir "$work/gnupg" --dearmor -o "$work/keyring.gpg" "$work/key.asc" 2>/dev/null; then
    cp -- "$work/key.asc" "$work/keyring.gpg"  # already binary
  fi
  gpgv --keyring "$work/keyring.gpg" "$work/pkg.sig" "$pkg" >"$work/gpgv.out" 2>&1 ||
    die "the signature $signature does not verify $rpm_name with the given key: $(tr '\n' ' ' <"$work/gpgv.out")"
  say "detached OpenPGP signature verified"
fi
command -v rpm >/dev/null 2>&1 || die "rpm is not installed"
checksig=$(rpm -K --nosignature -- "$pkg" 2>&1) ||
  die "the RPM is damaged (its digests do not match): $checksig"
signed=$(rpm -qp --nosignature --qf '%{RSAHEADER:pgpsig}%{DSAHEADER:pgpsig}' -- "$pkg" 2>/dev/null) || signed=""
case "$signed" in
  ""|"(none)(none)")
    [ -n "$signature" ] || [ -z "$gpg_key" ] ||
      die "--gpg-key was given but $rpm_name carries no signature (and no --signature was given)"
    say "the RPM carries no signature of its own; its integrity rests on the checks above" ;;
  *)
    if [ -n "$gpg_key" ]; then
      # Checked against the given key alone, in a keyring of its own.
      rpmdb="$work/rpmdb"
      mkdir -p "$rpmdb"
      rpmkeys --dbpath "$rpmdb" --import "$work/key.asc" >/dev/null 2>&1 ||
        die "cannot read the key $gpg_key"
      checksig=$(rpmkeys --dbpath "$rpmdb" --checksig -- "$pkg" 2>&1) ||
        die "the RPM's signature does not verify with $gpg_key: $checksig"
    else
      checksig=$(rpm -K -- "$pkg" 2>&1) ||
        die "the RPM is signed with a key this host does not trust; pass the publisher's key with --gpg-key: $checksig"
    fi
    say "RPM signature verified" ;;
esac

# 5. Dependencies (EPEL: libpqxx and friends) and the package itself, then the wizard.
run() {
  if [ "$dry_run" -eq 1 ]; then
    printf 'install.sh: would run:'; printf ' %q' "$@"; printf '\n'
  else
    say "running: $*"
    "$@"
  fi
}
if [ "$enable_epel" -eq 1 ]; then
  if ! rpm -q epel-release >/dev/null 2>&1; then
    if [ "$os_id" = rhel ]; then
      run dnf install -y "https://dl.fedoraproject.org/pub/epel/epel-release-latest-${os_major}.noarch.rpm"
    else
      run dnf install -y epel-release
    fi
  fi
fi
if [ "$os_major" = 8 ]; then
  # RHEL 8's default PostgreSQL stream (10) is end of life.
  run dnf module enable -y "postgresql:${OMNIGATE_PG_STREAM:-15}"
fi
run dnf install -y "$pkg"
run omnictl install "${omnictl_args[@]}"
if [ "$dry_run" -eq 1 ]; then
  say "dry run: every check passed; nothing was changed"
fi
