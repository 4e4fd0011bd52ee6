/*
 * status-doc.c - nixie-status-doc: print docs/status-codes.md, generated from
 * mail/status-text.def, on standard output.
 *
 * A build tool, not part of nixie: the library code it calls never prints, so
 * the printing is here.  Regenerate the docs after editing the table with
 *   build/mail/nixie-status-doc > docs/status-codes.md
 * (the unit test `status` fails while the file is out of date).
 */
#include <stdio.h>

#include "mail/base/strbuf.h"

#include "mail/status.h"

int
main(void)
{
    struct strbuf sb = STRBUF_INIT;
    int rc = 0;

    status_markdown(&sb);
    if (fwrite(strbuf_str(&sb), 1, sb.len, stdout) != sb.len || fflush(stdout) != 0) {
        perror("nixie-status-doc");
        rc = 1;
    }
    strbuf_free(&sb);
    return rc;
}
