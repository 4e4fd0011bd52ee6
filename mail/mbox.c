/*
 * mbox.c - splitting an mbox file into its messages (see mbox.h).
 *
 * A separator is a "From " line at the start of the file or after an empty
 * line, whose rest holds a sender and a date (RFC 4155 §2: "From
 * addr date"); requiring a digit after the sender keeps a body line such as
 * "From what I can tell" (unquoted by a careless writer) from splitting a
 * message.  The empty line before a separator belongs to neither message.
 * Nor does a "From " line inside a multipart whose close delimiter has not
 * come yet: a single message saved with its From_ line may carry another
 * one (a git patch, the returned original of a bounce) unquoted.
 *
 * Why not libetpan's mailmbox: it takes dot-locks, creating files next to
 * the mbox even to read it, which a read-only look at a file must not do.
 * Does not: unquote ">From " lines (mboxo and mboxrd cannot be told apart),
 * honour Content-Length (a Solaris extension), lock or write.
 */
#include "mail/mbox.h"

#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/message.h"

static bool
mbox_is_separator(const char *line, size_t len)
{
    if (len < 7 || memcmp(line, "From ", 5) != 0)
        return false;
    size_t i = 5;
    while (i < len && line[i] != ' ' && line[i] != '\t') /* the envelope sender */
        i++;
    if (i == 5 || i >= len)
        return false;
    for (; i < len; i++) /* a date follows */
        if (line[i] >= '0' && line[i] <= '9')
            return true;
    return false;
}

bool
mail_mbox_detect(const char *data, size_t len)
{
    const char *nl = data ? memchr(data, '\n', len) : NULL;
    size_t first = nl ? (size_t)(nl - data) : len;
    return data != NULL && mbox_is_separator(data, first);
}

/* Length of the line at data+pos, without its line break; *next is the
 * offset of the next line. */
static size_t
mbox_line(const char *data, size_t len, size_t pos, size_t *next)
{
    const char *nl = memchr(data + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - data) : len;
    *next = nl ? end + 1 : len;
    return end - pos - (end > pos && data[end - 1] == '\r');
}

/* The close delimiter of the message at [start, end) if it is a multipart
 * (owned), else NULL. */
static char *
mbox_close_delimiter(const char *data, size_t start, size_t end)
{
    struct mail_message *msg = mail_message_parse(data + start, end - start, NULL);
    const struct mail_part *root = msg ? mail_message_root(msg) : NULL;
    const char *b = root && root->nchildren > 0 ? mail_part_param(root, "boundary") : NULL;
    char *close = b && *b ? xasprintf("--%s--", b) : NULL;
    mail_message_free(msg);
    return close;
}

/* Is the message at [start, pos) still inside its multipart at pos? */
static bool
mbox_inside_multipart(const char *data, size_t start, size_t pos)
{
    char *close = mbox_close_delimiter(data, start, pos);
    bool inside = close && !memmem(data + start, pos - start, close, strlen(close));
    free(close);
    return inside;
}

static void
mbox_push(struct mail_span **v, size_t *n, size_t off, size_t end)
{
    if ((*n & (*n - 1)) == 0) /* grow at powers of two */
        *v = xreallocarray(*v, *n ? *n * 2 : 1, sizeof **v);
    (*v)[(*n)++] = (struct mail_span){off, end - off};
}

/* Is there a "From " line after the first line?  Every separator is one,
 * so without one the file is a single message: one search for 'F' then
 * spares the walk over every line (most mbox files given to `nixie bounce`
 * are one message each). */
static bool
mbox_has_later_from(const char *data, size_t len)
{
    const char *end = data + len;
    for (const char *p = data + 1; (p = memchr(p, 'F', (size_t)(end - p))) != NULL; p++)
        if (p[-1] == '\n' && (size_t)(end - p) >= 5 && memcmp(p, "From ", 5) == 0)
            return true;
    return false;
}

size_t
mail_mbox_split(const char *data, size_t len, struct mail_span **out)
{
    struct mail_span *v = NULL;
    size_t n = 0, pos = 0, start = 0, blank = 0; /* blank: where an empty line began */
    bool after_blank = true, in_msg = false;
    *out = NULL;
    if (!mail_mbox_detect(data, len))
        return 0;
    if (!mbox_has_later_from(data, len)) {
        mbox_line(data, len, 0, &start);
        mbox_push(&v, &n, start, len);
        *out = v;
        return n;
    }
    while (pos < len) {
        size_t next, llen = mbox_line(data, len, pos, &next);
        if (after_blank && mbox_is_separator(data + pos, llen) &&
            !(in_msg && mbox_inside_multipart(data, start, pos))) {
            if (in_msg)
                mbox_push(&v, &n, start, blank);
            start = next;
            in_msg = true;
        }
        after_blank = llen == 0;
        if (after_blank)
            blank = pos;
        pos = next;
    }
    if (in_msg)
        mbox_push(&v, &n, start, len);
    *out = v;
    return n;
}
