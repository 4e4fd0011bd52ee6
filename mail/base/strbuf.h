/*
 * strbuf.h - a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns its bytes; strbuf_detach() hands them to the caller.
 * Growth aborts on OOM (xalloc), so callers bound sizes from untrusted input
 * themselves (see strbuf_len()).
 */
#ifndef NIXIE_BASE_STRBUF_H
#define NIXIE_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
    char *buf; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* strbuf_grow()'s slow path: reallocate for extra more bytes and the NUL. */
void strbuf_expand(struct strbuf *sb, size_t extra);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* "" when empty; borrowed until the next change */
const char *strbuf_str(const struct strbuf *sb);
/* Returns the owned string (never NULL) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* Appends are inline: the parsers and the JSON writer make many small ones,
 * and the call cost more than the copy. */
static inline void
strbuf_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 > sb->cap)
        strbuf_expand(sb, extra);
}

static inline void
strbuf_add(struct strbuf *sb, const char *data, size_t len)
{
    strbuf_grow(sb, len);
    if (len)
        memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

static inline void
strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

static inline void
strbuf_addc(struct strbuf *sb, char c)
{
    strbuf_grow(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}

#endif
