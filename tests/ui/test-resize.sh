#!/bin/bash
# test-resize.sh NIXIE - a resize redraws at the new size: the status bar on
# the second-to-last row, nothing wider than the pane, the pager re-wrapped.
. "$(dirname "$0")/lib.sh"

MD=$UI_TMP/Mail
ui_maildir "$MD"
for i in $(seq 1 40); do
    ui_message "$MD/cur" "$((1000 + i)).m$i:2,S" "Sender Number$i <s$i@example.org>" \
        "Message number $i with a rather long subject line that needs cutting" \
        "Mon, 02 Nov 2026 10:$((10 + i)):00 +0000" "Body of message $i."
done
words=""
for i in $(seq 1 40); do words="$words word$i"; done
ui_message "$MD/cur" "2000.long:2,S" "Wendy Wrap <w@example.org>" "Wrapping" \
    "Tue, 03 Nov 2026 10:00:00 +0000" "$words END"

resize() { # resize COLS ROWS
    tmux -L "$UI_SOCK" resize-window -t t -x "$1" -y "$2"
}

check_size() { # check_size COLS ROWS: status bar on row ROWS-1, no line too wide
    local cols=$1 rows=$2
    ui_wait_line $((rows - 1)) "nixie: INBOX|nixie: INBOX -- " || return
    ui_capture | awk -v c="$cols" 'length($0) > c { bad = 1 } END { exit bad }' ||
        ui_fail "a line is wider than $cols columns"
    [ "$(ui_capture | wc -l)" -le "$rows" ] || ui_fail "more than $rows rows"
}

ui_start -f "$MD"
ui_wait "Wrapping" "index"
check_size 100 30
ui_wait_line 29 "\?:help *$"

resize 60 20
ui_wait_line 19 "\?:help *$" "status bar at the new size"
check_size 60 20
ui_expect "Wrapping"

# the pager wraps at the current width, and again after a resize
ui_send Enter
ui_wait "word1 word2" "pager"
ui_capture | grep -q "word40 END" && ui_capture | grep -q "word1 " || ui_fail "text missing"
ui_capture | awk 'length($0) > 60 { bad = 1 } END { exit bad }' || ui_fail "pager line wider than 60"
lines60=$(ui_capture | grep -c "word")
resize 100 30
ui_wait_line 29 "\?:help *$" "status bar back at 100x30"
ui_wait "word40 END"
lines100=$(ui_capture | grep -c "word")
[ "$lines100" -lt "$lines60" ] || ui_fail "the pager did not re-wrap ($lines60 -> $lines100 lines)"

# tiny, then back: no crash, still working
resize 8 2
ui_wait "terminal" "too small"
resize 80 24
ui_wait_line 23 "\?:help *$"
ui_send q
ui_wait "nixie: INBOX [Msgs:41"
ui_send q
ui_expect_exit 0
ui_done
