#!/bin/bash
# test-startup.sh NIXIE - the command line, and errors reported before curses
# starts (stderr, exit status 1, terminal untouched).
. "$(dirname "$0")/lib.sh"

expect_err() { # expect_err STATUS TEXT ARGS...: run, check status and stderr
    local want=$1 text=$2 out status
    shift 2
    out=$("$NIXIE" "$@" 2>&1 </dev/null)
    status=$?
    [ "$status" = "$want" ] || ui_fail "nixie $* exited $status, wanted $want: $out"
    printf '%s' "$out" | grep -qF -- "$text" || ui_fail "nixie $*: no '$text' in: $out"
    case $out in *$'\033'*) ui_fail "nixie $* wrote an escape sequence: $out" ;; esac
}

expect_err 0 "usage: nixie" --help
expect_err 0 "nixie 0." --version
expect_err 2 "usage: nixie" --no-such-option
expect_err 2 "unexpected argument" stray

# missing Maildir: a clear error naming the path
expect_err 1 "/nonexistent" -f /nonexistent

# no config, no account: say how to point nixie at mail
expect_err 1 "nixie -f ~/Maildir" 
expect_err 1 "nixie --demo"

# a broken config: FILE:LINE, exit 1, before the terminal is touched
printf 'sort = date\nno_such_key = 1\n' >"$UI_TMP/bad.conf"
expect_err 1 "bad.conf:2" -F "$UI_TMP/bad.conf"
expect_err 1 "missing.conf" -F "$UI_TMP/missing.conf"

# a missing Maildir inside tmux: the message, no curses screen left behind
ui_start -f /nonexistent
[ "$(ui_wait_exit)" = 1 ] || ui_fail "nixie -f /nonexistent did not exit with 1"
grep -qF "/nonexistent" "$UI_TMP/stderr" || ui_fail "no error on stderr: $(cat "$UI_TMP/stderr")"
[ "$(ui_format '#{alternate_on}')" = 0 ] || ui_fail "alternate screen left on"
: >"$UI_TMP/stderr"

ui_done
