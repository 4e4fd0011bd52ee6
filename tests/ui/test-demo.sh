#!/bin/bash
# test-demo.sh NIXIE - `nixie --demo`: the index lists the demo messages,
# Enter opens the pager with the decoded body, ? shows the help generated
# from the keymap, q goes back and quits cleanly (exit 0, terminal restored).
. "$(dirname "$0")/lib.sh"

ui_start --demo
ui_wait "nixie: INBOX [Msgs:" "the status bar"
ui_expect "?:help"
# the cursor starts on the first unread message; the oldest is the welcome
ui_expect "Undelivered Mail Returned to Sender"
ui_send =
ui_wait "Welcome to the nixie demo mailbox" "the index"
ui_send Enter
ui_wait "This is the nixie demo mailbox" "the pager"
ui_expect "Subject: Welcome to the nixie demo mailbox"

# help for the pager, generated from the keymap
ui_send ?
ui_wait "Keys for the pager screen" "help"
ui_expect "display-toggle-weed"
ui_expect "show all headers or only the usual ones"
ui_send q
ui_wait "This is the nixie demo mailbox" "back in the pager"

# help for the index lists index actions
ui_send q
ui_wait "nixie: INBOX [Msgs:" "back in the index"
ui_send ?
ui_wait "Keys for the index screen"
ui_expect "display-message"
ui_send q
ui_wait_gone "Keys for the index screen"

# a two-key binding (<Esc>/ is search-reverse); Escape cancels a prompt
ui_send Escape /
ui_wait "Reverse search for:" "<Esc>/"
ui_send Escape
ui_wait_gone "Reverse search for:"

# search the index: the hostile message is there, shown harmlessly
ui_send /
ui_wait "Search for:"
ui_type "Hostile test"
ui_send Enter
ui_wait "Hostile test: Undelivered Mail" "search in the index"
[ "$(ui_format '#{pane_title}')" = "$UI_TITLE" ] || ui_fail "pane title changed"

ui_send q
# no message was deleted: no purge question
ui_expect_exit 0
ui_expect_not "Welcome to the nixie demo mailbox"
# the demo copy is removed at exit
ls "$TMPDIR" | grep -q '^nixie-demo-' && ui_fail "demo copy left behind in $TMPDIR"
ui_done
