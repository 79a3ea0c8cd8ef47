#!/usr/bin/env bash
# omnictl's shell completions (omnictl completion bash|zsh|fish). The bash script is
# clean for shellcheck and, loaded in bash, completes groups, actions, flags and enumerated values of
# flags and arguments; the zsh script parses and its completion function (with zsh's
# compadd/_describe/_files replaced by printers) offers the same; the fish script parses and
# `complete -C` offers the same. Needs no server.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"

work=$(mktemp -d /tmp/ogcomp-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$OMNICTL" completion bash >"$work/omnictl.bash"
"$OMNICTL" completion zsh >"$work/_omnictl"
"$OMNICTL" completion fish >"$work/omnictl.fish"
touch "$work/ca-one.pem" "$work/ca-two.pem"
mkdir "$work/rootdir"

check "omnictl completion bash registers _omnictl" grep -qx 'complete -F _omnictl omnictl' "$work/omnictl.bash"
check "the bash completion passes shellcheck -s bash" shellcheck -s bash "$work/omnictl.bash"
if "$OMNICTL" completion tcsh >/dev/null 2>&1; then fail "omnictl completion tcsh is refused"; else
  pass "omnictl completion tcsh is refused"; fi

# The words bash offers for the last of WORDS (the script loaded in a clean bash).
bash_complete() {
  bash --norc --noprofile -c '
    . "$1"; shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    _omnictl omnictl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    if [ "${#COMPREPLY[@]}" -gt 0 ]; then printf "%s\n" "${COMPREPLY[@]}"; fi' _ "$work/omnictl.bash" "$@"
}

# expect SHELL "WANTED WORDS" WORDS...: the completions are exactly WANTED (sorted).
expect() {
  local shell=$1 want=$2 got
  shift 2
  got=$("${shell}_complete" "$@" | sed 's#/$##' | sort -u | tr '\n' ' ' | sed 's/ $//')
  want=$(tr ' ' '\n' <<<"$want" | sort -u | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" = "$want" ]; then pass "$shell: $* -> $want"; else fail "$shell: $* -> wanted [$want], got [$got]"; fi
}
# expect_has SHELL WORD WORDS...: WORD is among the completions.
expect_has() {
  local shell=$1 want=$2
  shift 2
  # The words are read whole before grep looks at them: grep -q stops at the first match,
  # and a completer still writing would die of SIGPIPE and fail the pipeline (pipefail).
  local got
  got=$("${shell}_complete" "$@")
  if grep -qxF -- "$want" <<<"$got"; then pass "$shell: $* offers $want"; else
    fail "$shell: $* does not offer $want"; fi
}
expect_hasnt() {
  local shell=$1 unwanted=$2
  shift 2
  local got
  got=$("${shell}_complete" "$@")
  if grep -qxF -- "$unwanted" <<<"$got"; then fail "$shell: $* offers $unwanted"; else
    pass "$shell: $* does not offer $unwanted"; fi
}

for sh in bash zsh fish; do
  if [ "$sh" != bash ] && ! command -v "$sh" >/dev/null; then
    fail "$sh is not installed (scripts/deps.sh test installs it)"
    continue
  fi
  if [ "$sh" = zsh ]; then
    check "zsh -n _omnictl" zsh -n "$work/_omnictl"
    zsh_complete() {
      # words/CURRENT as zsh's completion system sets them; the completion builtins print.
      zsh -f -c '
        autoload -U compinit && compinit -u -D
        source "$1"; shift
        compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -l -- "$@"; }
        _describe() { local name=${@[-1]}; print -l -- ${${(P)name}%%:*}; }
        _files() { local dir=""; [[ $1 == -/ ]] && dir=1; print -l -- ${cur}*(N${dir:+/}); }
        words=("$@"); CURRENT=$#
        cur=${words[CURRENT]}
        _omnictl | grep -- "^${cur}" || true' _ "$work/_omnictl" "$@"
    }
  fi
  if [ "$sh" = fish ]; then
    check "fish -n omnictl.fish" fish -n "$work/omnictl.fish"
    fish_complete() {
      local line="$*"
      fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$work/omnictl.fish" "$line" | cut -f1
    }
  fi
  expect "$sh" "wallet" omnictl wal
  expect_has "$sh" transfer omnictl wallet tr
  expect "$sh" "transfer" omnictl wallet transf
  expect "$sh" "--sourcewaid" omnictl wallet transfer --sou
  expect "$sh" "create" omnictl profile apikey cr
  expect "$sh" "bank bitcoin" omnictl wallet withdraw --method b
  expect "$sh" "omnibridge" omnictl system component unlock omnib
  expect "$sh" "json" omnictl -o j
  expect "$sh" "table json" omnictl wallet get --output ''
  expect "$sh" "wallet" omnictl --url https://127.0.0.1:8443 --curl wal
  expect "$sh" "bash" omnictl completion ba
  expect "$sh" "omnipass omnipay" omnictl unlock omnip
  expect "$sh" "--apikey-file --apikey-stdin" omnictl config set-context prod --apikey
  expect "$sh" "--password-file --password-stdin" omnictl user login --passw
  expect_hasnt "$sh" --password omnictl user login --pass
  expect_has "$sh" --idempotency-key omnictl wallet transfer --id
  expect_hasnt "$sh" --idempotency-key omnictl wallet get --id
  expect "$sh" "$work/ca-one.pem $work/ca-two.pem" omnictl --cacert "$work/ca-"
  expect "$sh" "$work/rootdir" omnictl install --root "$work/root"
  expect "$sh" "--trading" omnictl wallet create --tra
  expect "$sh" "omnibridge" omnictl system component unlock -- omnib
  # an accepted value with a space in it
  if [ "$sh" = bash ]; then want='Credit\ Card'; else want='Credit Card'; fi  # zsh's compadd quotes itself
  expect_has "$sh" "$want" omnictl tenant consent accept-consent --type Cr
done

# The = form of a flag value, as bash splits it (COMP_WORDBREAKS has =).
expect bash "ripple" omnictl wallet withdraw --method = ri
finish
