#!/usr/bin/env bash
# `omnictl install` as root on a host that has the package's `omnigate` user
# (packaging/sysusers.d), as after `dnf install omnigate`: the files are handed to the
# service user with the modes of docs/install.md, the local PostgreSQL cluster runs as that
# user, and omnid started as that user (as omnid.service's User=omnigate does) reads its
# configuration and key, starts the cluster, unlocks with the printed application password
# and logs the administrator in.
#
# The user exists only inside this test: the test runs in a private mount namespace
# (unshare) where copies of /etc/passwd and /etc/group with an `omnigate` entry are
# bind-mounted over the real ones; the host's user database is never changed. Needs root
# (as `omnictl install` does); otherwise the test is skipped (exit 77).
# systemd is not PID 1 on the CI machine, so `systemctl enable --now` is not exercised.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"
: "${OMNIGATE_SOURCE_DIR:?}"

if [ "$(id -u)" != 0 ]; then echo "skipped: needs root (omnictl install hands files to a user)"; exit 77; fi
for tool in unshare setpriv getent curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

if [ -z "${OG_SERVICE_USER_NS:-}" ]; then
  # Again, in a private mount namespace.
  exec env OG_SERVICE_USER_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi

# shellcheck source=install_lib.sh
. "$(dirname "$0")/install_lib.sh"  # T, cleanup, ADMIN_PW, DB_PW, SMTP_PW, SMTP_PORT, answers()

# The package's user (sysusers.d: a system user and its group), with an id free on this host.
id_free=""
for i in $(seq 990 -1 900); do
  if ! getent passwd "$i" >/dev/null && ! getent group "$i" >/dev/null; then id_free=$i; break; fi
done
[ -n "$id_free" ] || { echo "no free system uid/gid in 900-990" >&2; exit 1; }
getent passwd omnigate >/dev/null && { echo "this host has an omnigate user already" >&2; exit 1; }
cp /etc/passwd "$T/passwd"
cp /etc/group "$T/group"
echo "omnigate:x:$id_free:$id_free:Omnigate OS:/var/lib/omnigate:/usr/sbin/nologin" >>"$T/passwd"
echo "omnigate:x:$id_free:" >>"$T/group"
chmod 0644 "$T/passwd" "$T/group"
mount --bind "$T/passwd" /etc/passwd
mount --bind "$T/group" /etc/group
check "the omnigate user exists in this namespace (uid $id_free)" test "$(id -u omnigate)" = "$id_free"

R="$T/root"
mkdir "$R"
answers "$T/answers.toml"
chmod 0600 "$T/answers.toml"
rc=0
"$OMNICTL" install --answers "$T/answers.toml" --yes --root "$R" --no-start >"$T/install.out" 2>"$T/install.err" || rc=$?
check "install as root with the omnigate user: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || { cat "$T/install.out" "$T/install.err" >&2; finish; }
APP_PW=$(sed -n 's/^ *Application password: *\([^ ]*\)$/\1/p' "$T/install.out")
check "install.log says the files were handed to omnigate" \
  grep -q "files handed to the service user omnigate" "$R/var/log/omnigate/install.log"

owner() { stat -c '%U:%G %a' "$1"; }
check "/etc/omnigate: root:omnigate 750" test "$(owner "$R/etc/omnigate")" = "root:omnigate 750"
check "/etc/omnigate/tls: root:omnigate 750" test "$(owner "$R/etc/omnigate/tls")" = "root:omnigate 750"
check "omnid.toml: root:omnigate 640" test "$(owner "$R/etc/omnigate/omnid.toml")" = "root:omnigate 640"
check "the TLS key: omnigate:omnigate 600" test "$(owner "$R/etc/omnigate/tls/omnid.key")" = "omnigate:omnigate 600"
check "/var/lib/omnigate: owned by omnigate" bash -c '[[ "$(stat -c %U:%G "$1")" == omnigate:omnigate ]]' _ "$R/var/lib/omnigate"
check "the cluster's data: owned by omnigate, 0700 (PostgreSQL's rule)" \
  test "$(owner "$R/var/lib/omnigate/postgres/data")" = "omnigate:omnigate 700"
check "/var/log/omnigate: owned by omnigate" bash -c '[[ "$(stat -c %U "$1")" == omnigate ]]' _ "$R/var/log/omnigate"
check "nothing under the data directory belongs to root or postgres" \
  test -z "$(find "$R/var/lib/omnigate" \! -user omnigate -print -quit)"
check "omnid.toml runs the cluster as omnigate" grep -q '^run_as = "omnigate"' "$R/etc/omnigate/omnid.toml"

# omnid as the service user, like the unit's User=omnigate Group=omnigate.
start_omnid setpriv --reuid=omnigate --regid=omnigate --clear-groups
check "omnid started as omnigate serves HTTPS" test -n "$PORT"
[ -n "$PORT" ] || { tail -n 20 "$T/omnid.log" >&2; finish; }
check "omnid runs as omnigate" test "$(stat -c %U "/proc/$OMNID_PID")" = omnigate
pm=$(head -n 1 "$R/var/lib/omnigate/postgres/data/postmaster.pid")
check "its PostgreSQL runs as omnigate" test "$(stat -c %U "/proc/$pm")" = omnigate

CA="$R/etc/omnigate/tls/omnid.crt"
api() { curl -sS --cacert "$CA" --resolve "localhost:$PORT:127.0.0.1" -H 'Content-Type: application/json' "$@"; }
rc=0
printf '%s\n' "$APP_PW" | "$OMNICTL" unlock --all --password-stdin --url "$URL" --cacert "$CA" >"$T/out" 2>&1 || rc=$?
check "the printed application password unlocks every component" test "$rc" = 0
in=$(api -X POST "$URL/api/v1/user/login" -d "{\"email\":\"admin@omnigate.local\",\"password\":\"$ADMIN_PW\"}" || true)
check "admin@omnigate.local logs in" grep -q '"resultcode":10000' <<<"$in"
if grep -qF -e "$APP_PW" -e "$ADMIN_PW" -e "$DB_PW" "$T/omnid.log" "$R/var/log/omnigate/install.log"; then
  fail "no secret in omnid's log or install.log"
else
  pass "no secret in omnid's log or install.log"
fi
kill "$OMNID_PID"
rc=0
wait "$OMNID_PID" || rc=$?
OMNID_PID=""
check "omnid stops cleanly on SIGTERM (exit 0)" test "$rc" = 0
check "... and its PostgreSQL with it" bash -c '! kill -0 "$1" 2>/dev/null' _ "$pm"
finish
