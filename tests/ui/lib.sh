# lib.sh - run nixie under a private tmux server and look at its screen.
#
# Source it from a test-*.sh script that meson runs as `test-X.sh NIXIE`.
# Everything lives in a mktemp -d (HOME, XDG dirs, Maildirs); the tmux server
# has its own socket (-L nixie-test-$$) and no config (-f /dev/null), and is
# killed by the EXIT trap.  Nothing sleeps blindly: ui_wait polls
# capture-pane until the text shows or the timeout passes.
# shellcheck shell=bash

set -u

NIXIE=${1:?usage: $0 PATH-TO-NIXIE}
UI_SOCK=nixie-test-$$
UI_RUNS=0 # servers started; each gets its own socket (see ui_start)
UI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nixie-ui-test.XXXXXX")
UI_TIMEOUT=${NIXIE_UI_TIMEOUT:-20} # seconds; ASan builds are slow to start
UI_FAILED=0
UI_TITLE=nixie-test-title

export HOME=$UI_TMP/home XDG_CONFIG_HOME=$UI_TMP/config XDG_CACHE_HOME=$UI_TMP/cache
export XDG_DATA_HOME=$UI_TMP/data TMPDIR=$UI_TMP LC_ALL=${LC_ALL:-C.UTF-8} TZ=UTC
unset NIXIE_DEBUG_LOG
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"

ui_cleanup() {
    tmux -L "$UI_SOCK" kill-server 2>/dev/null
    rm -rf "$UI_TMP"
}
trap ui_cleanup EXIT

command -v tmux >/dev/null || {
    echo "SKIP: tmux is not installed"
    exit 77
}

ui_fail() {
    echo "FAIL: $*"
    echo "--- screen:"
    ui_capture | sed 's/^/| /'
    echo "---"
    UI_FAILED=1
}

# ui_start ARGS...: start nixie ARGS in a 100x30 pane.  When nixie exits the
# pane stays (remain-on-exit) and shows "nixie-exit=STATUS".  A second start
# kills the first server and uses a new socket: tmux's kill-server returns
# before the old server has gone, and a new session on the same socket can
# land in the dying server and vanish with it.
ui_start() {
    if [ "$UI_RUNS" -gt 0 ]; then
        tmux -L "$UI_SOCK" kill-server 2>/dev/null
        UI_SOCK=nixie-test-$$-$UI_RUNS
    fi
    UI_RUNS=$((UI_RUNS + 1))
    tmux -L "$UI_SOCK" -f /dev/null start-server \; \
        set-option -g default-terminal tmux-256color \; \
        set-option -g remain-on-exit on \; \
        set-option -g history-limit 1000 \; \
        new-session -d -s t -x 100 -y 30 sh -c \
        'trap : INT; t=$1 e=$2; shift 2; printf "\033]2;%s\007" "$t"; clear; "$0" "$@" 2>"$e"; echo nixie-exit=$?' \
        "$NIXIE" "$UI_TITLE" "$UI_TMP/stderr" "$@"
}

ui_capture() {
    tmux -L "$UI_SOCK" capture-pane -p -t t 2>/dev/null
}

# the screen and the lines scrolled above it (what a shell printed after exit)
ui_capture_history() {
    tmux -L "$UI_SOCK" capture-pane -p -S -100 -t t 2>/dev/null
}

# ui_wait_exit: wait until nixie has exited; prints its status
ui_wait_exit() {
    local deadline=$((SECONDS + UI_TIMEOUT)) line
    while [ $SECONDS -lt $deadline ]; do
        line=$(ui_capture_history | grep -o 'nixie-exit=[0-9]*' | tail -1)
        if [ -n "$line" ]; then
            echo "${line#nixie-exit=}"
            return 0
        fi
        sleep 0.05
    done
    echo none
    return 1
}

# ui_send KEYS...: as tmux send-keys (key names like Enter, Escape, BSpace).
ui_send() {
    tmux -L "$UI_SOCK" send-keys -t t "$@"
}

# ui_type TEXT: literal text.
ui_type() {
    tmux -L "$UI_SOCK" send-keys -t t -l "$1"
}

ui_format() {
    tmux -L "$UI_SOCK" display-message -p -t t "$1"
}

# ui_wait TEXT [what]: wait until TEXT (fixed string) is on the screen.
ui_wait() {
    local deadline=$((SECONDS + UI_TIMEOUT))
    while [ $SECONDS -lt $deadline ]; do
        if ui_capture | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.05
    done
    ui_fail "timed out waiting for '$1'${2:+ ($2)}"
    return 1
}

# ui_wait_gone TEXT: wait until TEXT is no longer on the screen.
ui_wait_gone() {
    local deadline=$((SECONDS + UI_TIMEOUT))
    while [ $SECONDS -lt $deadline ]; do
        if ! ui_capture | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.05
    done
    ui_fail "timed out waiting for '$1' to go"
    return 1
}

# ui_wait_line N REGEX: wait until line N (1-based) of the screen matches.
ui_wait_line() {
    local deadline=$((SECONDS + UI_TIMEOUT)) n=$1 re=$2
    while [ $SECONDS -lt $deadline ]; do
        if ui_capture | sed -n "${n}p" | grep -qE -- "$re"; then
            return 0
        fi
        sleep 0.05
    done
    ui_fail "timed out waiting for line $n to match /$re/"
    return 1
}

ui_expect() { # ui_expect TEXT: TEXT is on the screen now
    ui_capture | grep -qF -- "$1" || ui_fail "expected '$1' on the screen"
}

ui_expect_not() { # ui_expect_not TEXT: TEXT is not on the screen now
    if ui_capture | grep -qF -- "$1"; then
        ui_fail "did not expect '$1' on the screen"
    fi
}

# ui_quit: q (answering a purge question with n), wait for a clean exit.
ui_expect_exit() { # ui_expect_exit STATUS
    local status
    status=$(ui_wait_exit)
    [ "$status" = "$1" ] || ui_fail "nixie exit status $status, wanted $1"
    [ "$(ui_format '#{alternate_on}')" = 0 ] || ui_fail "alternate screen still on after exit"
    if [ -s "$UI_TMP/stderr" ]; then
        ui_fail "nixie wrote to stderr: $(head -c 2000 "$UI_TMP/stderr")"
    fi
}

# ui_maildir DIR: make an empty Maildir.
ui_maildir() {
    mkdir -p "$1/cur" "$1/new" "$1/tmp"
}

# ui_message DIR/SUB NAME FROM SUBJECT DATE BODY [EXTRA-HEADER...]: write one
# message file (printf %b escapes are interpreted in FROM, SUBJECT and BODY).
ui_message() {
    local file=$1/$2 from=$3 subject=$4 date=$5 body=$6
    shift 6
    {
        printf 'From: %b\n' "$from"
        printf 'To: Test User <test@example.org>\n'
        printf 'Subject: %b\n' "$subject"
        printf 'Date: %s\n' "$date"
        printf 'Message-ID: <%s@example.org>\n' "$(basename "$file" | cut -d: -f1)"
        for h in "$@"; do printf '%s\n' "$h"; done
        printf 'MIME-Version: 1.0\n\n'
        printf '%b\n' "$body"
    } >"$file"
}

ui_done() {
    if [ "$UI_FAILED" -ne 0 ]; then
        echo "stderr of nixie:"
        cat "$UI_TMP/stderr" 2>/dev/null
        exit 1
    fi
    echo "PASS"
    exit 0
}
