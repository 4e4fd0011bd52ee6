#!/bin/bash
# test-config.sh NIXIE - the config file drives the UI: the default
# account's Maildir, threads, pager_index_lines, a trash folder for purged
# messages, a user key binding and a colour.
. "$(dirname "$0")/lib.sh"

MD=$UI_TMP/Mail
ui_maildir "$MD"
ui_maildir "$MD/.Trash"
ui_message "$MD/cur" "100.a:2,S" "Alice Able <alice@example.org>" "Root topic" \
    "Mon, 02 Nov 2026 10:00:00 +0000" "Root body."
ui_message "$MD/cur" "200.b:2,S" "Bob Baker <bob@example.org>" "Re: Root topic" \
    "Tue, 03 Nov 2026 10:00:00 +0000" "Reply body." "In-Reply-To: <100.a@example.org>"
ui_message "$MD/cur" "300.c:2,S" "Carol Cruz <carol@example.org>" "Other topic" \
    "Wed, 04 Nov 2026 10:00:00 +0000" "Other body."
mkdir -p "$XDG_CONFIG_HOME/nixie"
cat >"$XDG_CONFIG_HOME/nixie/config" <<CONF
threads = yes
pager_index_lines = 3
bind index Q exit
color hdr-subject brightred

[account test]
maildir = $MD
trash = Trash
CONF

ui_start
ui_wait "nixie: INBOX [Msgs:3] (date, threads)" "the account's INBOX, threaded"
ui_expect "└─>Re: Root topic"

# the pager with three index lines and the index status above the message
ui_send =
ui_send Enter
ui_wait "Root body." "pager"
ui_wait_line 1 "Root topic"
ui_wait_line 4 "nixie: INBOX \[Msgs:3\]"
ui_capture | sed -n 5,30p | grep -q "Subject: Root topic" || ui_fail "message not below the index lines"
# brightred is colour 9 on a 256-colour terminal
tmux -L "$UI_SOCK" capture-pane -e -p -t t | grep -F "Subject:" | grep -qF $'\033[91m' ||
    ui_fail "hdr-subject is not bright red"
ui_send j
ui_wait "Reply body."
ui_wait_line 4 "2/3"
ui_send q

# purge moves to the trash folder, without the deleted mark
ui_send =
ui_send d
ui_wait "Del:1"
ui_send '$'
ui_wait "Purge 1 deleted message?"
ui_send y
ui_wait "1 message moved to Trash." "trash"
ui_wait "[Msgs:2]"
n=$(find "$MD/.Trash" -type f 2>/dev/null | wc -l)
[ "$n" = 1 ] || ui_fail "Trash holds $n messages, wanted 1"
find "$MD/.Trash" -type f -name '*:2,*T*' | grep -q . && ui_fail "the trashed message is still marked T"

# the user's binding: Q exits at once
ui_send Q
ui_expect_exit 0
ui_done
