#!/usr/bin/env bash
# Red Hat packaging (docs/packaging.md): the spec's build dependencies per target,
# rpmbuild -bb builds the RPM (from this build's install tree: see the omnigate_prebuilt_root
# macro in packaging/omnigate.spec), rpmlint finds no error in the spec or the signed RPM,
# the RPM holds what it should with the right owners, modes and %config flags, installs and
# erases in a scratch root, its scriptlets are valid shell, systemd-analyze verify and
# security accept the unit, systemd-sysusers and systemd-tmpfiles accept their files,
# logrotate rotates with the shipped policy, and
# packaging/install.sh passes shellcheck, refuses a non-RHEL host, a bad checksum and a bad
# signature, and accepts RHEL 9 (in --dry-run mode: it never installs anything here).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
src=${OMNIGATE_SOURCE_DIR:?}
build=${OMNIGATE_BUILD_DIR:?}

for tool in rpmbuild rpmspec rpmsign rpmkeys rpmlint rpm2cpio cpio systemd-analyze systemd-sysusers systemd-tmpfiles \
            shellcheck logrotate gpg gpgv python3 man; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/deps.sh test" >&2; exit 1; }
done

T=$(mktemp -d /tmp/ogpkg-XXXXXX)
cleanup() { [ -n "${KEEP_T:-}" ] && { echo "kept $T"; return 0; }; rm -rf "$T"; }
trap cleanup EXIT

version=$(sed -nE 's/^project\(omnigate VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
check "spec Version equals the CMake project version ($version)" \
  grep -qE "^Version: +$version\$" "$src/packaging/omnigate.spec"

# The build dependencies per target (rpmspec evaluates the spec's conditionals): RHEL 9,
# RHEL 8 (gcc-toolset for C++20), --with check, and the prebuilt mode (nothing to compile).
breq() { rpmspec -q --buildrequires "$@" "$src/packaging/omnigate.spec" 2>/dev/null | sed 's/ .*//' | sort -u | tr '\n' ' '; }
el9=$(breq --define "rhel 9")
el8=$(breq --define "rhel 8" --with check)
pre=$(breq --define "rhel 9" --define "omnigate_prebuilt_root /nonexistent")
check "BuildRequires (el9): compilers and libraries" \
  bash -c 'for p in cmake gcc-c++ boost-devel libpq-devel libpqxx-devel openssl-devel libcurl-devel json-devel \
                     tomlplusplus-devel cli11-devel systemd-rpm-macros firewalld-filesystem; do
             [[ " $1 " == *" $p "* ]] || { echo "missing $p in: $1" >&2; exit 1; }; done
           [[ " $1 " != *" catch-devel "* ]]' _ "$el9"
check "BuildRequires (el8 --with check): gcc-toolset-12, catch-devel, PostgreSQL for the tests" \
  bash -c '[[ " $1 " == *" gcc-toolset-12-gcc-c++ "* && " $1 " == *" catch-devel "* &&
              " $1 " == *" postgresql-server "* && " $1 " != *" gcc-c++ "* ]]' _ "$el8"
check "BuildRequires (prebuilt): nothing to compile with" \
  bash -c '[[ " $1 " != *" gcc-c++ "* && " $1 " != *" boost-devel "* ]]' _ "$pre"
# What the spec builds with is what scripts/deps.sh installs on RHEL (its dnf branch).
sed -n '/command -v dnf/,/^else/p' "$src/scripts/deps.sh" | tr -s ' ()\t' '\n' >"$T/dnf-packages"
for p in $(tr ' ' '\n' <<<"$el9 $el8" | sort -u); do
  case "$p" in make|systemd|systemd-rpm-macros|firewalld-filesystem|gcc-toolset-12-gcc-c++) continue ;; esac
  check "BuildRequires $p is in scripts/deps.sh (dnf)" grep -qxF -- "$p" "$T/dnf-packages"
done
check "%build: tests off by default, on with --with check" \
  bash -c 'rpmspec -P "$1" 2>/dev/null | grep -q -- "-DOMNIGATE_TESTS=OFF" &&
           rpmspec -P --with check "$1" 2>/dev/null | grep -q -- "-DOMNIGATE_TESTS=ON"' _ "$src/packaging/omnigate.spec"

# --- The RPM --------------------------------------------------------------------------
# The install tree exactly as `cmake --install` makes it for prefix /usr.
DESTDIR="$T/stage" cmake --install "$build" --prefix /usr >"$T/cmake-install.log"
check "cmake --install puts omnid in /usr/sbin and omnictl in /usr/bin" \
  test -x "$T/stage/usr/sbin/omnid" -a -x "$T/stage/usr/bin/omnictl"

mkdir -p "$T/rpmbuild/SOURCES"
tar -C "$src" --exclude='./build*' --exclude=./.git --transform "s,^\\.,omnigate-$version," \
  -czf "$T/rpmbuild/SOURCES/omnigate-$version.tar.gz" .

# RHEL 9 macros that Debian's rpm lacks: tests/e2e/rhel.macros.

start=$(date +%s)
if rpmbuild -bb --nodeps --load "$src/tests/e2e/rhel.macros" \
     --define "_topdir $T/rpmbuild" \
     --define "packager Omnigate OS maintainers <packaging@omnigate.local>" \
     --define "omnigate_prebuilt_root $T/stage" \
     --define "_binary_payload w1.gzdio" \
     "$src/packaging/omnigate.spec" >"$T/rpmbuild.log" 2>&1; then
  pass "rpmbuild -bb ($(($(date +%s) - start)) s)"
else
  tail -n 40 "$T/rpmbuild.log" >&2
  fail "rpmbuild -bb"
  finish
fi
rpmfile=$(find "$T/rpmbuild/RPMS" -name "omnigate-$version-*.rpm" | head -n 1)
check "the RPM exists" test -f "$rpmfile"

# Sign it as a publisher would, with a key made for the test (and make another key, to
# check that install.sh refuses signatures by it).
export GNUPGHOME="$T/gnupg"
mkdir -m 0700 "$GNUPGHOME"
gen_key() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "$1" ed25519 sign never 2>/dev/null; }
gen_key "Omnigate packaging test <pkg@omnigate.local>"
gen_key "Someone else <else@omnigate.local>"
gpg --batch --quiet --armor --export pkg@omnigate.local >"$T/key.asc"
gpg --batch --quiet --armor --export else@omnigate.local >"$T/other-key.asc"
cp "$rpmfile" "$T/unsigned.rpm"
check "rpmsign --addsign" rpmsign --define "__gpg $(command -v gpg)" --define "_gpg_name pkg@omnigate.local" \
  --addsign "$rpmfile" </dev/null >/dev/null 2>&1

# rpmlint checks the signature with rpm's keyring: one of its own that trusts the test key.
mkdir -p "$T/home" "$T/rpmdb"
printf '%%_dbpath %s\n' "$T/rpmdb" >"$T/home/.rpmmacros"
rpmkeys --dbpath "$T/rpmdb" --import "$T/key.asc"
lint() {  # lint FILE: rpmlint reports 0 errors (warnings are explained in docs/packaging.md)
  HOME="$T/home" rpmlint -c "$src/packaging/rpmlint.toml" "$1" >"$T/rpmlint.out" 2>&1 || true
  if grep -qE '(^| )[0-9]+ packages? and [0-9]+ specfiles? checked; 0 errors,' "$T/rpmlint.out"; then
    return 0
  fi
  cat "$T/rpmlint.out" >&2
  return 1
}
check "rpmlint: no error in the spec" lint "$src/packaging/omnigate.spec"
check "rpmlint: no error in the RPM" lint "$rpmfile"

qf() { rpm -qp --nosignature --qf "$1" "$rpmfile"; }
qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' >"$T/files"
has_file() {  # has_file PERMS OWNER FLAGS PATH
  if grep -qxF -- "$1 $2 $3 $4" "$T/files"; then return 0; fi
  echo "expected \"$1 $2 $3 $4\" in:" >&2; cat "$T/files" >&2; return 1
}
check "RPM: /usr/sbin/omnid" has_file -rwxr-xr-x root:root "" /usr/sbin/omnid
check "RPM: /usr/bin/omnictl" has_file -rwxr-xr-x root:root "" /usr/bin/omnictl
check "RPM: the unit" has_file -rw-r--r-- root:root "" /usr/lib/systemd/system/omnid.service
check "RPM: sysusers.d" has_file -rw-r--r-- root:root "" /usr/lib/sysusers.d/omnigate.conf
check "RPM: tmpfiles.d" has_file -rw-r--r-- root:root "" /usr/lib/tmpfiles.d/omnigate.conf
check "RPM: firewalld service" has_file -rw-r--r-- root:root "" /usr/lib/firewalld/services/omnigate.xml
check "RPM: logrotate policy is %config(noreplace)" has_file -rw-r--r-- root:root cn /etc/logrotate.d/omnigate
check "RPM: omnid.toml is %ghost %config(noreplace), 0640 root:omnigate" \
  has_file -rw-r----- root:omnigate cng /etc/omnigate/omnid.toml
check "RPM: installation.toml is %ghost %config(noreplace), 0640 root:omnigate" \
  has_file -rw-r----- root:omnigate cng /etc/omnigate/installation.toml
check "RPM: the TLS key is %ghost %config(noreplace), 0600 omnigate" \
  has_file -rw------- omnigate:omnigate cng /etc/omnigate/tls/omnid.key
check "RPM: the TLS certificate is %ghost %config(noreplace)" \
  has_file -rw-r--r-- root:root cng /etc/omnigate/tls/omnid.crt
check "RPM: /etc/omnigate 0750 root:omnigate" has_file drwxr-x--- root:omnigate "" /etc/omnigate
check "RPM: /etc/omnigate/tls 0750 root:omnigate" has_file drwxr-x--- root:omnigate "" /etc/omnigate/tls
check "RPM: /var/lib/omnigate 0750 omnigate" has_file drwxr-x--- omnigate:omnigate "" /var/lib/omnigate
check "RPM: /var/lib/omnigate/postgres 0700 omnigate" has_file drwx------ omnigate:omnigate "" /var/lib/omnigate/postgres
check "RPM: /var/log/omnigate 0750 root:omnigate" has_file drwxr-x--- root:omnigate "" /var/log/omnigate
check "RPM: the EULA in /usr/share/licenses/omnigate" has_file -rw-r--r-- root:root l /usr/share/licenses/omnigate/EULA
check "RPM: the example answers file for kickstart" \
  has_file -rw-r--r-- root:root d /usr/share/doc/omnigate/omnigate-answers.example.toml
check "RPM: man pages omnid(8), omnid.toml(5), omnictl(1)" \
  bash -c 'grep -q "/usr/share/man/man8/omnid.8" "$1" && grep -q "/usr/share/man/man5/omnid.toml.5" "$1" &&
           grep -q "/usr/share/man/man1/omnictl.1" "$1"' _ "$T/files"
for c in /usr/share/bash-completion/completions/omnictl /usr/share/zsh/site-functions/_omnictl \
         /usr/share/fish/vendor_completions.d/omnictl.fish; do
  check "RPM: completion $c" grep -q " $c\$" "$T/files"
done
check "RPM requires postgresql-server" bash -c 'rpm -qpR --nosignature "$1" | grep -qx "postgresql-server"' _ "$rpmfile"

# Scriptlets: valid shell, macros expanded, the user of %pre is the one of sysusers.d.
for tag in PREIN POSTIN PREUN POSTUN; do
  qf "%{$tag}" >"$T/$tag.sh"
  check "scriptlet $tag is not empty" test -s "$T/$tag.sh"
  check "scriptlet $tag is valid shell" bash -n "$T/$tag.sh"
  check "scriptlet $tag has no unexpanded macro" bash -c '! grep -n "%[{a-z]" "$1"' _ "$T/$tag.sh"
done
check "%post enables through systemd presets" grep -q "install-system-units omnid.service" "$T/POSTIN.sh"
check "%preun stops and disables on erase" grep -q "remove-system-units omnid.service" "$T/PREUN.sh"
check "%postun restarts on upgrade" grep -q "mark-restart-system-units omnid.service" "$T/POSTUN.sh"
check "%post creates the directories" grep -q "systemd-tmpfiles --create /usr/lib/tmpfiles.d/omnigate.conf" "$T/POSTIN.sh"
check "%pre creates the user of sysusers.d (home /var/lib/omnigate)" \
  grep -q "useradd -r -g omnigate -d /var/lib/omnigate -s /sbin/nologin" "$T/PREIN.sh"

# Installed into a scratch root (no scriptlets: they would act on this machine's systemd),
# then erased: the configuration written by omnictl install survives the erase.
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$T/root"
  rpm --root "$T/root" --initdb 2>/dev/null
  if rpm --root "$T/root" -i --nodeps --noscripts --nosignature "$rpmfile" >"$T/rpm-i.log" 2>&1; then
    pass "rpm -i into a scratch root"
  else
    cat "$T/rpm-i.log" >&2; fail "rpm -i into a scratch root"
  fi
  check "installed: omnid runs (--version)" bash -c '"$1" --version >/dev/null' _ "$T/root/usr/sbin/omnid"
  check "installed: the EULA the wizard names" test -s "$T/root/usr/share/licenses/omnigate/EULA"
  check "installed: no omnid.toml before omnictl install" test ! -e "$T/root/etc/omnigate/omnid.toml"
  echo "# written by omnictl install" >"$T/root/etc/omnigate/omnid.toml"
  check "rpm -e" bash -c 'rpm --root "$1" -e --nodeps --noscripts omnigate 2>/dev/null' _ "$T/root"
  check "rpm -e removed the programs" test ! -e "$T/root/usr/sbin/omnid"
  check "rpm -e left omnid.toml in place" grep -q "omnictl install" "$T/root/etc/omnigate/omnid.toml"
else
  echo "skip rpm -i/-e into a scratch root (needs root)"
fi

# --- The unit ---------------------------------------------------------------------------
mkdir -p "$T/extract" "$T/units"
(cd "$T/extract" && rpm2cpio "$rpmfile" | cpio -idm --quiet ./usr/lib/systemd/system/omnid.service)
check "the RPM's unit is packaging/systemd/omnid.service" \
  cmp "$T/extract/usr/lib/systemd/system/omnid.service" "$src/packaging/systemd/omnid.service"
unit=$src/packaging/systemd/omnid.service
for directive in Type=notify "ExecReload=/bin/kill -HUP \$MAINPID" ProtectSystem=strict \
                 "ReadWritePaths=/var/lib/omnigate /var/log/omnigate" NoNewPrivileges=yes PrivateTmp=yes \
                 ProtectHome=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
                 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" User=omnigate LimitNOFILE=65536 \
                 "ExecStart=/usr/sbin/omnid --config /etc/omnigate/omnid.toml"; do
  check "unit: $directive" grep -qxF "$directive" "$unit"
done
# systemd-analyze verify needs the programs and the man pages of the unit to exist: the
# test copy runs this build's omnid; the man pages are the RPM's.
sed "s|/usr/sbin/omnid|$OMNID|g" "$unit" >"$T/units/omnid.service"
if MANPATH="$T/stage/usr/share/man" SYSTEMD_LOG_LEVEL=notice \
     systemd-analyze verify "$T/units/omnid.service" >"$T/verify.out" 2>&1 && ! [ -s "$T/verify.out" ]; then
  pass "systemd-analyze verify accepts the unit (and its man pages exist)"
else
  cat "$T/verify.out" >&2; fail "systemd-analyze verify accepts the unit (and its man pages exist)"
fi
if systemd-analyze security --offline=yes --threshold=25 "$T/units/omnid.service" >"$T/security.out" 2>&1; then
  pass "systemd-analyze security: exposure at most 2.5 ($(grep -o 'exposure level.*' "$T/security.out"))"
else
  cat "$T/security.out" >&2; fail "systemd-analyze security: exposure at most 2.5 (hardening kept)"
fi
printf '[Service]\nType=notify\nExecStart=%s --frobnicate\nProtectSystem=bogus\n' "$OMNID" >"$T/units/bad.service"
check "systemd-analyze verify rejects a broken unit (the check can fail)" \
  bash -c '! systemd-analyze verify "$1" >/dev/null 2>&1 || grep -q . <(systemd-analyze verify "$1" 2>&1)' \
  _ "$T/units/bad.service"

# --- sysusers.d, tmpfiles.d, firewalld, logrotate ---------------------------------------------
mkdir -p "$T/sysroot/etc"
check "systemd-sysusers creates omnigate" \
  bash -c 'systemd-sysusers --root="$1" "$2" >/dev/null 2>"$1.err" || { cat "$1.err" >&2; false; }' \
  _ "$T/sysroot" "$src/packaging/sysusers.d/omnigate.conf"
check "omnigate: system user, home /var/lib/omnigate, no login shell" \
  bash -c 'IFS=: read -r name _ uid _ _ home shell < <(grep "^omnigate:" "$1/etc/passwd") &&
           [ "$name" = omnigate ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/omnigate ] &&
           case "$shell" in */nologin) true ;; *) false ;; esac' _ "$T/sysroot"
if systemd-tmpfiles --root="$T/sysroot" --create "$src/packaging/tmpfiles.d/omnigate.conf" 2>"$T/tmpfiles.err"; then
  pass "systemd-tmpfiles --create"
else
  cat "$T/tmpfiles.err" >&2; fail "systemd-tmpfiles --create"
fi
omni_uid=$(grep "^omnigate:" "$T/sysroot/etc/passwd" | cut -d: -f3)
omni_gid=$(grep "^omnigate:" "$T/sysroot/etc/group" | cut -d: -f3)
for spec in "/etc/omnigate 750 0 $omni_gid" "/etc/omnigate/tls 750 0 $omni_gid" \
            "/var/lib/omnigate 750 $omni_uid $omni_gid" "/var/log/omnigate 750 0 $omni_gid"; do
  read -r dir mode uid gid <<<"$spec"
  check "tmpfiles: $dir mode $mode owner $uid:$gid" \
    test "$(stat -c '%a %u %g' "$T/sysroot$dir" 2>/dev/null)" = "$mode $uid $gid"
done

check "firewalld service opens the default HTTPS port of omnid.toml(5)" python3 - \
  "$src/packaging/firewalld/omnigate.xml" "$src/man/omnid.toml.5" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "service" and root.find("short").text.strip()
ports = {(p.get("port"), p.get("protocol")) for p in root.findall("port")}
default = re.search(r'^\.B listen = \\\(dq[0-9.]+:(\d+)\\\(dq$', open(sys.argv[2]).read(), re.M).group(1)
assert ports == {(default, "tcp")}, (ports, default)
EOF

# logrotate, with the shipped policy pointed at a temporary directory and the current user.
mkdir -p "$T/lr/log" "$T/lr/lib/postgres"
me=$(id -un); mygroup=$(id -gn)
sed -e "s|/var/log/omnigate|$T/lr/log|; s|/var/lib/omnigate|$T/lr/lib|; s|su omnigate omnigate|su $me $mygroup|" \
  "$src/packaging/logrotate/omnigate" >"$T/lr/policy"
chmod 0644 "$T/lr/policy"
echo "install step" >"$T/lr/log/install.log"
echo "LOG: database system is ready" >"$T/lr/lib/postgres/postgres.log"
exec 9>>"$T/lr/lib/postgres/postgres.log"  # postgres keeps its log open
if logrotate -f -s "$T/lr/state" "$T/lr/policy" 2>"$T/lr/err"; then pass "logrotate -f"; else cat "$T/lr/err" >&2; fail "logrotate -f"; fi
echo "LOG: after rotation" >&9
exec 9>&-
check "logrotate: postgres.log copied and truncated in place (copytruncate)" \
  bash -c 'grep -q "ready" "$1.1" && [ "$(cat "$1")" = "LOG: after rotation" ]' _ "$T/lr/lib/postgres/postgres.log"
check "logrotate: install.log rotated" test -s "$T/lr/log/install.log.1"

# --- install.sh ---------------------------------------------------------------------------
installer=$src/packaging/install.sh
check "shellcheck packaging/install.sh" shellcheck "$installer"
sum=$(sha256sum "$rpmfile" | cut -d' ' -f1)
printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$T/debian"
printf 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n' >"$T/rhel9"
printf 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n' >"$T/rocky8"
printf 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="10.0"\n' >"$T/rhel10"
printf 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=41\n' >"$T/fedora"
printf '[eula]\naccept = true\n' >"$T/answers.toml"

run_installer() {  # run_installer OS-RELEASE ARGS...: output in $T/out, status in $rc
  local os=$1; shift
  rc=0
  OMNIGATE_OS_RELEASE=$os OMNIGATE_DRY_RUN=1 bash "$installer" "$@" >"$T/out" 2>&1 || rc=$?
}
expect() {  # expect STATUS PATTERN [!PATTERN]: last run's status and output
  if [ "$rc" -ne "$1" ]; then echo "status $rc, expected $1:" >&2; cat "$T/out" >&2; return 1; fi
  if ! grep -qE -- "$2" "$T/out"; then echo "no \"$2\" in:" >&2; cat "$T/out" >&2; return 1; fi
  if [ -n "${3:-}" ] && grep -qE -- "$3" "$T/out"; then echo "unexpected \"$3\" in:" >&2; cat "$T/out" >&2; return 1; fi
}
run_installer "$T/debian" --rpm "$rpmfile" --sha256 "$sum"
check "install.sh refuses Debian, naming it" expect 1 "runs Debian GNU/Linux 12.*Red Hat Enterprise Linux 8 or 9" "would run"
run_installer "$T/fedora" --rpm "$rpmfile" --sha256 "$sum"
check "install.sh refuses Fedora" expect 1 "runs Fedora" "would run"
run_installer "$T/rhel10" --rpm "$rpmfile" --sha256 "$sum"
check "install.sh refuses RHEL 10" expect 1 "only versions 8 and 9" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" --gpg-key "$T/key.asc" -- --answers "$T/answers.toml" --yes
check "install.sh accepts RHEL 9 and verifies the SHA-256" expect 0 "SHA-256 verified: $sum"
check "install.sh would install the verified copy with dnf" \
  expect 0 "would run: dnf install -y /[^ ]*/omnigate-install-[^/]*/$(basename "$rpmfile")\$"
if rpm -q epel-release >/dev/null 2>&1; then
  check "install.sh: EPEL already there" expect 0 "SHA-256" "epel-release"
else
  check "install.sh enables EPEL on RHEL from the EPEL URL" \
    expect 0 "would run: dnf install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm"
fi
check "install.sh hands over to omnictl install with the options after --" \
  expect 0 "would run: omnictl install --answers $T/answers.toml --yes\$"
check "install.sh: RHEL 9 needs no module switch" expect 0 "dry run: every check passed" "module enable"
run_installer "$T/rocky8" --rpm "$rpmfile" --sha256 "${sum^^}" --gpg-key "$T/key.asc" --no-epel
check "install.sh accepts Rocky Linux 8 (ID_LIKE rhel), upper-case checksum" \
  expect 0 "would run: dnf module enable -y postgresql:15" "epel"
bad=$(printf '%s' "$sum" | tr '0-9a-f' '1-9a-f0')
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$bad"
check "install.sh refuses a bad checksum and installs nothing" expect 1 "SHA-256 mismatch.*not installed" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile"
check "install.sh: a local file needs --sha256" expect 2 "--sha256 is required"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 abc
check "install.sh: a malformed checksum is a usage error" expect 2 "64 hexadecimal digits"
run_installer "$T/rhel9" --sha256 "$sum"
check "install.sh: --rpm is required" expect 2 "--rpm is required"
run_installer "$T/rhel9" --rpm "http://example.invalid/omnigate.rpm" --sha256 "$sum"
check "install.sh refuses plain http" expect 1 "only https://" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" -- --answers "$T/missing.toml"
check "install.sh checks the answers file before installing" expect 1 "answers file .* cannot be read" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" --bogus
check "install.sh: unknown option" expect 2 "unknown option '--bogus'"
run_installer "$T/rhel9" --help
check "install.sh --help" expect 0 "Usage: install.sh --rpm"
cp "$rpmfile" "$T/damaged.rpm"
printf 'garbage' | dd of="$T/damaged.rpm" bs=1 seek=2000 conv=notrunc status=none
run_installer "$T/rhel9" --rpm "$T/damaged.rpm" --sha256 "$(sha256sum "$T/damaged.rpm" | cut -d' ' -f1)"
check "install.sh: a damaged RPM with a matching checksum fails rpm -K" expect 1 "damaged" "would run"

# The RPM's own signature: checked against the given key alone.
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" --gpg-key "$T/key.asc"
check "install.sh verifies the RPM's signature with the publisher's key" expect 0 "RPM signature verified"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" --gpg-key "$T/other-key.asc"
check "install.sh refuses the RPM's signature checked with another key" expect 1 "signature does not verify" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum"
check "install.sh refuses a signed RPM whose key is not trusted (no --gpg-key)" \
  expect 1 "key this host does not trust" "would run"
usum=$(sha256sum "$T/unsigned.rpm" | cut -d' ' -f1)
run_installer "$T/rhel9" --rpm "$T/unsigned.rpm" --sha256 "$usum"
check "install.sh: an unsigned RPM is said to be so" expect 0 "carries no signature"
run_installer "$T/rhel9" --rpm "$T/unsigned.rpm" --sha256 "$usum" --gpg-key "$T/key.asc"
check "install.sh: --gpg-key with nothing signed is refused" expect 1 "carries no signature" "would run"

# Detached OpenPGP signature: a good signature passes, a signature of another file or by
# another key fails.
gpg --batch --quiet --local-user pkg@omnigate.local --detach-sign -o "$T/good.sig" "$T/unsigned.rpm"
gpg --batch --quiet --local-user else@omnigate.local --detach-sign -o "$T/other-key.sig" "$T/unsigned.rpm"
gpg --batch --quiet --local-user pkg@omnigate.local --detach-sign -o "$T/other-file.sig" "$T/answers.toml"
run_installer "$T/rhel9" --rpm "$T/unsigned.rpm" --sha256 "$usum" --signature "$T/good.sig" --gpg-key "$T/key.asc"
check "install.sh verifies a good detached signature" expect 0 "detached OpenPGP signature verified"
run_installer "$T/rhel9" --rpm "$T/unsigned.rpm" --sha256 "$usum" --signature "$T/other-key.sig" --gpg-key "$T/key.asc"
check "install.sh refuses a signature by another key" expect 1 "does not verify" "would run"
run_installer "$T/rhel9" --rpm "$T/unsigned.rpm" --sha256 "$usum" --signature "$T/other-file.sig" --gpg-key "$T/key.asc"
check "install.sh refuses a signature of another file" expect 1 "does not verify" "would run"
run_installer "$T/rhel9" --rpm "$rpmfile" --sha256 "$sum" --signature "$T/good.sig"
check "install.sh: --signature needs --gpg-key" expect 2 "needs --gpg-key"
unset GNUPGHOME

finish
