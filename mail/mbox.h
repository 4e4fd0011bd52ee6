/*
 * mbox.h - the messages of an mbox file (RFC 4155's "default" format, as
 * mutt, sisimai and the Unix spool write it), as spans of one buffer.
 *
 * nixie reads mbox files where a command is given a file of messages
 * (`nixie bounce ~/mbox`); it does not write them.  An mbox backend would
 * build on this.
 */
#ifndef NIXIE_MAIL_MBOX_H
#define NIXIE_MAIL_MBOX_H

#include <stdbool.h>
#include <stddef.h>

struct mail_span {
    size_t off; /* first byte of the message, after its "From " line */
    size_t len;
};

/* Does data start with a "From " separator line? */
bool mail_mbox_detect(const char *data, size_t len);

/* The messages of an mbox in a malloc'd array (caller frees); their count,
 * 0 if data is not an mbox.  Lines quoted as ">From " stay quoted. */
size_t mail_mbox_split(const char *data, size_t len, struct mail_span **out);

#endif
