/* strbuf.c - growable NUL-terminated byte buffer. */
#include "mail/base/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

void
strbuf_init(struct strbuf *sb)
{
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

void
strbuf_free(struct strbuf *sb)
{
    free(sb->buf);
    strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void
strbuf_expand(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    bool fresh = sb->buf == NULL;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
    if (fresh)
        sb->buf[0] = '\0'; /* keep the "always NUL-terminated" promise */
}

void
strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    if (fmt == NULL) /* also tells gcc's format checker under UBSan */
        fmt = "";
    va_list ap2;
    va_copy(ap2, ap);
    char probe[1]; /* not NULL: gcc's -Wformat-truncation misfires on NULL under ASan */
    int n = vsnprintf(probe, sizeof probe, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

const char *
strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *
strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *p = sb->buf ? sb->buf : xstrdup("");
    if (len)
        *len = sb->len;
    strbuf_init(sb);
    return p;
}
