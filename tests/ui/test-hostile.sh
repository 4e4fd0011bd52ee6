#!/bin/bash
# test-hostile.sh NIXIE - terminal escape sequences in headers, bodies and
# file names are shown as visible placeholders (^[, <9b>), never sent to the
# terminal: the pane title stays, the screen is not cleared, text is not
# recoloured or moved.  A private fixture and the demo's hostile message.
. "$(dirname "$0")/lib.sh"

MD=$UI_TMP/Mail
ui_maildir "$MD"
ui_message "$MD/cur" "100.a:2,S" "Nora Neighbour <n@example.org>" "Harmless neighbour" \
    "Mon, 02 Nov 2026 10:00:00 +0000" "Nothing to see."
{
    printf 'From: Mallory \033[31mRed\033[0m <m@example.org>\n'
    printf 'To: Test User <test@example.org>\n'
    printf 'Subject: Evil \033]2;pwned\007 \033[2J\033[Hcleared? \033]52;c;aGk=\007\n'
    printf 'Date: Tue, 03 Nov 2026 10:00:00 +0000\n'
    printf 'Message-ID: <evil@example.org>\n'
    printf 'MIME-Version: 1.0\n'
    printf 'Content-Type: multipart/mixed; boundary=XX\n\n'
    printf -- '--XX\nContent-Type: text/plain; charset=utf-8\n\n'
    printf 'Before.\n'
    printf '\033[2J\033[HCSI clear above\n'
    printf '\033]2;pwned-body\007OSC title\n'
    printf '\033]8;;https://phish.example/\033\\link text\033]8;;\033\\\n'
    printf '\302\2333C1 CSI\n'
    printf 'safe\b\b\b\bEVIL\n'
    printf 'After.\n'
    printf -- '--XX\nContent-Type: application/octet-stream\n'
    printf 'Content-Disposition: attachment; filename="bill\033]2;pwned-file\007.pdf"\n\n'
    printf 'data\n--XX--\n'
} >"$MD/cur/200.b:2,"

title_kept() {
    [ "$(ui_format '#{pane_title}')" = "$UI_TITLE" ] ||
        ui_fail "pane title changed to '$(ui_format '#{pane_title}')' ($1)"
}

ui_start -f "$MD"
ui_wait "Harmless neighbour" "index"
ui_wait "Evil ^[]2;pwned^G" "placeholders in the subject"
ui_expect "^[[2J^[[Hcleared?"
ui_expect "^[]52;c;aGk=^G"
ui_expect "Mallory ^[[31mRed"
title_kept index

ui_send Enter
ui_wait "Before." "pager"
ui_expect "^[[2J^[[HCSI clear above"
ui_expect "^[]2;pwned-body^GOSC title"
ui_expect "^[]8;;https://phish.example/"
ui_expect "After."
ui_expect "<9b>"
ui_expect "safe^H^H^H^HEVIL"
ui_expect "bill^[]2;pwned-file^G.pdf"
# the rest of the screen survived: headers above, status bar below
ui_expect "From: Mallory"
ui_expect "nixie: INBOX -- "
title_kept pager
[ "$(ui_format '#{alternate_on}')" = 1 ] || ui_fail "left the alternate screen"
ui_send q
ui_wait "Harmless neighbour" "index after the pager"
ui_send q
ui_expect_exit 0

# the demo's hostile message
ui_start --demo
ui_wait "nixie: INBOX [Msgs:" "demo index"
ui_send /
ui_wait "Search for:"
ui_type "Hostile test"
ui_send Enter
ui_wait "Hostile test: Undelivered" "hostile message in the index"
ui_send Enter
ui_wait "(screen should NOT be cleared)" "hostile pager"
ui_expect "Subject: Hostile test"
ui_expect "nixie: INBOX -- "
title_kept "demo pager"
ui_send ^
ui_send q
ui_wait "nixie: INBOX [Msgs:"
ui_send q
ui_expect_exit 0
title_kept "after exit"
ui_done
