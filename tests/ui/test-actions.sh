#!/bin/bash
# test-actions.sh NIXIE - actions on a private Maildir: flags, delete and
# the purge question, save to another folder, the folder list, threads,
# change-folder errors, and the not-yet-available compose actions.
. "$(dirname "$0")/lib.sh"

MD=$UI_TMP/Mail
ui_maildir "$MD"
ui_maildir "$MD/.Archive"
ui_message "$MD/cur" "100.a:2,S" "Alice Able <alice@example.org>" "Root topic" \
    "Mon, 02 Nov 2026 10:00:00 +0000" "Root."
ui_message "$MD/cur" "200.b:2,S" "Bob Baker <bob@example.org>" "Re: Root topic" \
    "Tue, 03 Nov 2026 10:00:00 +0000" "Reply." "In-Reply-To: <100.a@example.org>"
ui_message "$MD/new" "300.c" "Carol Cruz <carol@example.org>" "Unread news" \
    "Wed, 04 Nov 2026 10:00:00 +0000" "News."
ui_message "$MD/cur" "400.d:2,S" "Dan Dale <dan@example.org>" "Later topic" \
    "Thu, 05 Nov 2026 10:00:00 +0000" "Later."
count() { find "$1/cur" "$1/new" -type f | wc -l; }

ui_start -f "$MD"
ui_wait "Unread news" "index"
ui_expect "New:1"
# the cursor starts on the unread message (N: new)
ui_wait_line 3 "^ *3 N "

# compose and reply say they are not there yet
ui_send m
ui_wait "compose/reply is not available yet in this version"
ui_send r
ui_wait "compose/reply is not available yet in this version"

# threads: the reply hangs below its root
ui_send o
ui_wait "└─>Re: Root topic" "thread tree"
ui_send o
ui_wait_gone "└─>"

# flag, toggle new
ui_send =
ui_send F
ui_wait_line 1 "^ *1 +! "
ui_expect "Flag:1"
ui_send N
ui_wait_line 1 "^ *1 O! "
ui_send N
ui_wait_line 1 "^ *1  ! "

# save the first message to Archive
ui_send s
ui_wait "Save to folder:"
ui_type "Archive"
ui_send Enter
ui_wait "Saved to Archive." "save"
ui_wait "nixie: INBOX [Msgs:3"
[ "$(count "$MD/.Archive")" = 1 ] || ui_fail "Archive does not hold the saved message"
[ "$(count "$MD")" = 3 ] || ui_fail "INBOX still holds the saved message"

# save to a folder that does not exist: mutt's question; n keeps the
# message where it is, y creates the folder and saves
ui_send j
ui_send j
ui_wait "3/3"
ui_send s
ui_wait "Save to folder:"
ui_type "Later"
ui_send Enter
ui_wait "Create folder Later? ([yes]/no)" "create question"
ui_send n
ui_wait "Not saved: Later does not exist."
[ -d "$MD/.Later" ] && ui_fail "n created the folder"
ui_send s
ui_wait "Save to folder:"
ui_type "Later"
ui_send Enter
ui_wait "Create folder Later?"
ui_send y
ui_wait "Saved to Later." "save to a new folder"
ui_wait "nixie: INBOX [Msgs:2"
[ "$(count "$MD/.Later")" = 1 ] || ui_fail "Later does not hold the saved message"

# a folder that is not there: an error on the message line, nixie goes on
ui_send c
ui_wait "Open folder:"
ui_type "NoSuchFolder"
ui_send Enter
ui_wait "NoSuchFolder" "change-folder error"
ui_expect "nixie: INBOX [Msgs:2"

# the folder list, and Enter opens a folder
ui_send y
ui_wait "Archive" "folder list"
ui_wait "folders in"
ui_send =
row=$(ui_capture | grep -n "Archive" | head -1 | cut -d: -f1)
for _ in $(seq 2 "$row"); do ui_send j; done
ui_send Enter
ui_wait "nixie: Archive [Msgs:1" "Archive opened"
ui_expect "Root topic"
ui_send c
ui_wait "Open folder:"
ui_type "INBOX"
ui_send Enter
ui_wait "nixie: INBOX [Msgs:2"

# delete, then quit: mutt's purge question, y purges
ui_send =
ui_send d
ui_wait_line 1 "^ *1 D"
ui_expect "Del:1"
ui_wait "2/2" "delete moves to the next message"
ui_send k
ui_send u
ui_wait_line 1 "^ *1  "
ui_send d
ui_wait "Del:1"
ui_send q
ui_wait "Purge 1 deleted message? ([yes]/no):" "purge question"
ui_send Escape
ui_wait_gone "Purge 1 deleted"
ui_expect "nixie: INBOX [Msgs:2"
ui_send q
ui_wait "Purge 1 deleted message?"
ui_send y
ui_expect_exit 0
[ "$(count "$MD")" = 1 ] || ui_fail "the deleted message was not purged"
ui_done
