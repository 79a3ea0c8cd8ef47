# shellcheck shell=bash
# Helpers shared by the bench/ scripts (sourced, not run).

# wait_for FILE PATTERN PID: until FILE holds PATTERN (2 minutes at most); fails, showing
# FILE, if PID exits first.
wait_for() {
  for _ in $(seq 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.2
  done
  return 1
}

# pg_bin_dir TOOL: the directory of PostgreSQL's client programs that has TOOL (Debian's
# /usr/lib/postgresql/N/bin, PGDG's /usr/pgsql-N/bin, RHEL's /usr/bin), the newest first.
pg_bin_dir() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  if [ ! -x "$dir/$1" ]; then
    dir=$(find /usr/lib/postgresql/*/bin /usr/pgsql-*/bin -maxdepth 0 2>/dev/null | sort -V | tail -n 1 || true)
    dir=${dir:-/usr/bin}
  fi
  echo "$dir"
}
