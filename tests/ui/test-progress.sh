#!/bin/bash
# test-progress.sh NIXIE - a large folder: reading shows progress on the
# message line and Ctrl-C cancels it; new mail is picked up; Ctrl-Z and
# SIGTERM leave the terminal as it was.
. "$(dirname "$0")/lib.sh"

N=30000
MD=$UI_TMP/Mail
ui_maildir "$MD"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to make $N messages"; exit 77; }
python3 - "$MD/cur" "$N" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "%d.m%d.test:2,S" % (1700000000 + i, i)), "w") as f:
        f.write("From: Person %d <p%d@example.org>\nSubject: message %d\n"
                "Date: Mon, 02 Nov 2026 10:00:00 +0000\nMessage-ID: <m%d@example.org>\n\n"
                "body %d\n" % (i, i, i, i, i))
PY

ui_start -f "$MD"
ui_wait "Reading INBOX..." "progress"
ui_send C-c
ui_wait "Reading INBOX cancelled." "Ctrl-C cancels"
ui_expect "No folder is open"
ui_capture | grep -qE "Reading INBOX\.\.\. [0-9]+/$N" || true # may be overwritten already

ui_send c
ui_wait "Open folder:"
ui_type INBOX
ui_send Enter
ui_wait "nixie: INBOX [Msgs:$N]" "the whole folder"

# new mail: sync-mailbox ($) looks for it at once (the timer does every 30 s)
ui_message "$MD/new" "1800000000.late" "Late Arrival <late@example.org>" "Late news" \
    "Tue, 03 Nov 2026 10:00:00 +0000" "Just in."
ui_send '$'
ui_wait "New mail in INBOX." "new mail"
ui_wait "[Msgs:$((N + 1)) New:1]"

# Ctrl-Z: no job control in this pane, so nixie comes straight back
ui_send C-z
ui_wait "nixie: INBOX [Msgs:$((N + 1))" "back after Ctrl-Z"
ui_send '*'
ui_wait "$((N + 1))/$((N + 1))"

# SIGTERM: a clean exit, the terminal restored
pid=$(pgrep -P "$(ui_format '#{pane_pid}')" | head -1)
[ -n "$pid" ] || ui_fail "no nixie process"
kill -TERM "$pid"
ui_expect_exit 0
ui_done
