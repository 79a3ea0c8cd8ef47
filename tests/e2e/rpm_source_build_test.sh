#!/usr/bin/env bash
# The spec's real %build and %install (docs/packaging.md): rpmbuild -bb compiles the source
# tarball with %cmake / %cmake_build / %cmake_install, as on RHEL, and the RPM it makes
# holds exactly the files (names, modes, owners, %config flags) of the RPM that
# packaging_test.sh builds from this build's install tree; its omnid and omnictl run.
#
# Debian's rpm has no cmake-rpm-macros: the %cmake macros below are RHEL 9's (cmake 3.20
# macros.cmake), with one change to keep the test quick: the compiler flags are -O0 without
# debug information (RHEL's are -O2 -g plus hardening). Optimisation does not change what
# gets built and installed, which is what this test checks; the optimised build is
# exercised by the rest of the suite and the benchmarks.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
src=${OMNIGATE_SOURCE_DIR:?}
build=${OMNIGATE_BUILD_DIR:?}

for tool in rpmbuild rpm rpm2cpio cpio cmake make; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/deps.sh test" >&2; exit 1; }
done

T=$(mktemp -d /tmp/ogrpmsrc-XXXXXX)
cleanup() { [ -n "${KEEP_T:-}" ] && { echo "kept $T"; return 0; }; rm -rf "$T"; }
trap cleanup EXIT

version=$(sed -nE 's/^project\(omnigate VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
mkdir -p "$T/src/SOURCES" "$T/pre/SOURCES"
# The source tarball (Source0) as a release makes it: the tree without builds and .git.
tar -C "$src" --exclude='./build*' --exclude=./.git --transform "s,^\\.,omnigate-$version," \
  -czf "$T/src/SOURCES/omnigate-$version.tar.gz" .
cp "$T/src/SOURCES/omnigate-$version.tar.gz" "$T/pre/SOURCES/"

cat >"$T/cmake.macros" <<'EOF'
%__cmake /usr/bin/cmake
%_vpath_srcdir .
%_vpath_builddir redhat-linux-build
%__cmake_builddir %{_vpath_builddir}
%cmake \
  CFLAGS="-O0 -g0"; export CFLAGS; CXXFLAGS="-O0 -g0"; export CXXFLAGS; LDFLAGS=""; export LDFLAGS; \
  %__cmake -S "%{_vpath_srcdir}" -B "%{__cmake_builddir}" \\\
    -DCMAKE_C_FLAGS_RELEASE:STRING="-DNDEBUG" \\\
    -DCMAKE_CXX_FLAGS_RELEASE:STRING="-DNDEBUG" \\\
    -DCMAKE_C_FLAGS_RELWITHDEBINFO:STRING="-DNDEBUG" \\\
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO:STRING="-DNDEBUG" \\\
    -DCMAKE_INSTALL_DO_STRIP:BOOL=OFF \\\
    -DCMAKE_INSTALL_PREFIX:PATH=%{_prefix} \\\
    -DINCLUDE_INSTALL_DIR:PATH=%{_includedir} \\\
    -DLIB_INSTALL_DIR:PATH=%{_libdir} \\\
    -DSYSCONF_INSTALL_DIR:PATH=%{_sysconfdir} \\\
    -DSHARE_INSTALL_PREFIX:PATH=%{_datadir} \\\
    -DBUILD_SHARED_LIBS:BOOL=ON
%cmake_build %__cmake --build "%{__cmake_builddir}" %{?_smp_mflags}
%cmake_install DESTDIR="%{buildroot}" %__cmake --install "%{__cmake_builddir}"
%_smp_mflags -j2
%debug_package %{nil}
EOF

rpmbuild_as() {  # rpmbuild_as TOPDIR LOG ARGS...: rpmbuild -bb of the spec
  local top=$1 log=$2; shift 2
  rpmbuild -bb --nodeps --load "$src/tests/e2e/rhel.macros" --load "$T/cmake.macros" \
    --define "_topdir $top" --define "_binary_payload w1.gzdio" \
    --define "packager Omnigate OS maintainers <packaging@omnigate.local>" \
    "$@" "$src/packaging/omnigate.spec" >"$log" 2>&1
}

# 1. From the sources: %prep unpacks the tarball, %build configures and compiles it.
start=$(date +%s)
if rpmbuild_as "$T/src" "$T/src.log"; then
  pass "rpmbuild -bb from the source tarball ($(($(date +%s) - start)) s)"
else
  tail -n 40 "$T/src.log" >&2
  fail "rpmbuild -bb from the source tarball"
  finish
fi
check "%build ran cmake and the compiler" \
  bash -c 'grep -q -- "-B redhat-linux-build" "$1" && grep -qE "Building CXX object .*omnid" "$1"' _ "$T/src.log"
check "%build compiled without the tests (-DOMNIGATE_TESTS=OFF)" \
  bash -c '! grep -qE "Building CXX object tests/" "$1"' _ "$T/src.log"

# 2. From this build's install tree (what packaging_test.sh checks in detail).
DESTDIR="$T/stage" cmake --install "$build" --prefix /usr >"$T/cmake-install.log"
if rpmbuild_as "$T/pre" "$T/pre.log" --define "omnigate_prebuilt_root $T/stage"; then
  pass "rpmbuild -bb from the install tree"
else
  tail -n 20 "$T/pre.log" >&2
  fail "rpmbuild -bb from the install tree"
  finish
fi

src_rpm=$(find "$T/src/RPMS" -name "omnigate-$version-*.rpm" | head -n 1)
pre_rpm=$(find "$T/pre/RPMS" -name "omnigate-$version-*.rpm" | head -n 1)
check "both RPMs exist" test -f "$src_rpm" -a -f "$pre_rpm"

# 3. The same files, modes, owners and flags. (The /usr/lib/.build-id links are named by
#    the binaries' build IDs, which differ between any two builds: only their number counts.)
files() {
  rpm -qp --nosignature --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$1" |
    sed -E 's,^(l[^ ]* .* /usr/lib/\.build-id)/.*,\1 link,; s,^(d[^ ]* .* /usr/lib/\.build-id)/.+,\1 dir,' | sort
}
files "$src_rpm" >"$T/src.files"
files "$pre_rpm" >"$T/pre.files"
if diff -u "$T/pre.files" "$T/src.files" >"$T/files.diff"; then
  pass "the source-built RPM holds the same $(wc -l <"$T/src.files") files as the install-tree RPM"
else
  head -n 40 "$T/files.diff" >&2
  fail "the source-built RPM holds the same files as the install-tree RPM"
fi
check "... including omnid, omnictl, the unit and a man page" \
  bash -c 'for f in /usr/sbin/omnid /usr/bin/omnictl /usr/lib/systemd/system/omnid.service /usr/share/man/man1/omnictl.1.gz; do
             grep -q " $f\$" "$1" || { echo "missing $f" >&2; exit 1; }; done' _ "$T/src.files"
# The spec's own Requires; the shared-library ones rpm finds itself depend on the compiler
# flags (e.g. libgcc_s's symbol versions) and are left out.
requires() { rpm -qpR --nosignature "$1" | grep -v '\.so' | sort; }
requires "$src_rpm" >"$T/src.requires"
requires "$pre_rpm" >"$T/pre.requires"
check "the same Requires of the spec (postgresql-server, systemd, shadow-utils, ...)" diff "$T/pre.requires" "$T/src.requires"

# 4. The compiled programs run.
mkdir -p "$T/extract"
(cd "$T/extract" && rpm2cpio "$src_rpm" | cpio -idm --quiet ./usr/sbin/omnid ./usr/bin/omnictl)
check "the packaged omnid runs (--version)" \
  bash -c '"$1" --version | grep -qF "$2"' _ "$T/extract/usr/sbin/omnid" "$version"
check "the packaged omnictl runs (--version)" \
  bash -c '"$1" --version | grep -qF "$2"' _ "$T/extract/usr/bin/omnictl" "$version"
finish
