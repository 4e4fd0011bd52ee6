#!/bin/bash
# test-pager.sh NIXIE - the pager on a private Maildir: decoded bodies
# (base64, quoted-printable), next/previous message, search with wrap,
# all headers, and a message that cannot be read.
. "$(dirname "$0")/lib.sh"

MD=$UI_TMP/Mail
ui_maildir "$MD"
ui_message "$MD/cur" "100.a:2,S" "Alice Able <alice@example.org>" "Alpha plain" \
    "Mon, 02 Nov 2026 10:00:00 +0000" "Alpha body line."
# base64 of "Decoded bravo body.\n"
ui_message "$MD/cur" "200.b:2,S" "Bob Baker <bob@example.org>" "Bravo base64" \
    "Tue, 03 Nov 2026 10:00:00 +0000" "RGVjb2RlZCBicmF2byBib2R5Lgo=" \
    "Content-Type: text/plain; charset=utf-8" "Content-Transfer-Encoding: base64"
body=""
for i in $(seq 1 60); do body="$body line $i of a long message\n"; done
body="${body}the needle is here\nlast line"
ui_message "$MD/cur" "300.c:2,S" "Carol Cruz <carol@example.org>" "Charlie =?UTF-8?Q?caf=C3=A9?=" \
    "Wed, 04 Nov 2026 10:00:00 +0000" "Caf=C3=A9 first.\n$body" \
    "Content-Type: text/plain; charset=utf-8" "Content-Transfer-Encoding: quoted-printable"
ui_message "$MD/cur" "400.d:2,S" "Dan Doe <dan@example.org>" "Delta vanishes" \
    "Thu, 05 Nov 2026 10:00:00 +0000" "Delta body."

ui_start -f "$MD"
ui_wait "Charlie café" "decoded subject in the index"
ui_send =
ui_send Enter
ui_wait "Alpha body line." "first message"
ui_send j
ui_wait "Decoded bravo body." "next message, base64 decoded"
ui_expect "2/4"
ui_send j
ui_wait "Café first." "quoted-printable decoded"
ui_send k
ui_wait "Decoded bravo body." "previous message"
ui_send j
ui_wait "Café first."

# search in the message: the hit scrolls into view
ui_expect_not "the needle is here"
ui_send /
ui_wait "Search for:"
ui_type "needle"
ui_send Enter
ui_wait "the needle is here" "search hit"
ui_send ^
ui_wait "Café first."
ui_send n
ui_wait "the needle is here" "search-next"

# all headers and back
ui_send h
ui_wait "Message-ID:" "all headers"
ui_send h
ui_wait_gone "Message-ID:"

# a message that vanished behind nixie's back: an error, nixie goes on
rm -f "$MD/cur/400.d:2,S"
ui_send j
ui_wait "could not be read" "fetch failure"
ui_send q
ui_wait "nixie: INBOX [Msgs:4" "back in the index"
ui_send q
ui_expect_exit 0
ui_done
