/*
 * dsn-original.c - the message that came back with a report: from a
 * message/rfc822 or message/global part (RFC 3464 §2, RFC 6533 §6.3), a
 * text/rfc822-headers part (RFC 6522 §4), or quoted inline after a marker
 * line in a free-text bounce ("--- Below this line is a copy of the
 * message.").  Keeps its Message-ID, Subject, From, To, Date, whether only
 * the header came back, and an owned copy of the bytes (the send-again
 * feature rebuilds the message from them).
 *
 * Does not: guess which Sent message it was (a separate mail/ step).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/message.h"

/* Does s start with something that looks like a header field? */
static bool
dsn_looks_like_header(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && i < 80 && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
        i++;
    return i > 0 && i < len && s[i] == ':';
}

/* The id of a Message-ID value v[0..len) (up to any NUL), brackets removed. */
static char *
dsn_msgid_clean(struct dsn_pool *pool, const char *v, size_t len)
{
    const char *end = v + strnlen(v, len);
    const char *lt = memchr(v, '<', (size_t)(end - v));
    const char *b = lt ? lt + 1 : v;
    while (b < end && isspace((unsigned char)*b))
        b++;
    /* the bytes that end the id: '>' and the white space isspace() knows */
    static const bool stop[256] = {
        ['>'] = 1, [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1};
    size_t n = 0;
    while (b + n < end && !stop[(unsigned char)b[n]])
        n++;
    return n ? dsn_strclean_in(pool, b, n, DSN_MAX_FIELD, true) : NULL;
}

/* An unstructured value (RFC 5322 §3.6.5) as text: RFC 2047 words decoded
 * by mail_header_decode(), which has nothing to do for valid UTF-8 without
 * "=?" (that text is its own decoding, and dsn_strclean trims it as the
 * decoder would). */
static char *
dsn_original_text(struct dsn_pool *pool, const char *v, size_t len)
{
    bool words = false; /* "=?" */
    for (const char *eq = memchr(v, '=', len); eq && !words;
         eq = memchr(eq + 1, '=', len - (size_t)(eq + 1 - v)))
        words = (size_t)(eq + 1 - v) < len && eq[1] == '?';
    size_t a = dsn_ascii_span(v, len);
    bool plain = !words && (a == len || utf8_valid(v + a, len - a));
    if (plain) /* a == len: no NUL in v */
        return dsn_strclean_in(pool, v, a == len ? len : strnlen(v, len), DSN_MAX_FIELD, true);
    char *d = mail_header_decode(v, len);
    char *out = dsn_strclean_in(pool, d, d ? strlen(d) : 0, DSN_MAX_FIELD, true);
    free(d);
    return out;
}

/* Is c a byte that may end a field name (the colon or white space before it)? */
static inline bool
dsn_original_name_end(uint64_t c)
{
    return c == ':' || c == ' ' || c == '\t';
}

/* Which of the five fields we keep starts the line s[0..len), or -1: the
 * line's first eight bytes, folded in one load (zero past len, which ends
 * no name), against each name and the byte after it. */
static int
dsn_original_field(const char *s, size_t len)
{
#define DSN_LE4(a, b, c, d)                                                                        \
    ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24)
    uint64_t h = dsn_head(s, len);
    uint64_t h4 = h & 0xffffffffu;
    if ((h & 0xffff) == DSN_LE4('t', 'o', 0, 0) && dsn_original_name_end((h >> 16) & 0xff))
        return 3;
    if (h4 == DSN_LE4('f', 'r', 'o', 'm') && dsn_original_name_end((h >> 32) & 0xff))
        return 2;
    if (h4 == DSN_LE4('d', 'a', 't', 'e') && dsn_original_name_end((h >> 32) & 0xff))
        return 4;
    if ((h & 0xffffffffffffffu) ==
            (DSN_LE4('s', 'u', 'b', 'j') | DSN_LE4('e', 'c', 't', 0) << 32) &&
        dsn_original_name_end(h >> 56))
        return 1;
    if (h == (DSN_LE4('m', 'e', 's', 's') | DSN_LE4('a', 'g', 'e', '-') << 32) && len > 10 &&
        dsn_fold((unsigned char)s[8]) == 'i' && dsn_fold((unsigned char)s[9]) == 'd' &&
        dsn_original_name_end((unsigned char)s[10]))
        return 0;
    return -1;
#undef DSN_LE4
}

/* Field k's value, the line s[pos..end) and the lines folded below it
 * (RFC 5322 §2.2.3), into its slot; returns where the next line starts. */
static size_t
dsn_original_value(struct dsn_pool *pool, char **slot, int k, struct dsn_lines *ln, size_t pos,
                   size_t end, size_t next)
{
    static const size_t name_len[] = {10, 7, 4, 2, 4}; /* dsn_original_field's names */
    const char *s = ln->s;
    /* most often the colon follows the name: no search */
    size_t at = pos + name_len[k];
    const char *colon = at < end && s[at] == ':' ? s + at : memchr(s + pos, ':', end - pos);
    if (!colon)
        return next;
    const char *val = colon + 1;
    size_t vlen = end - (size_t)(colon + 1 - s);
    struct strbuf v = STRBUF_INIT;
    if (next < ln->len && (s[next] == ' ' || s[next] == '\t')) {
        strbuf_add(&v, val, vlen);
        while (next < ln->len && (s[next] == ' ' || s[next] == '\t') && v.len < DSN_MAX_FIELD) {
            size_t ls = next;
            size_t le = dsn_lines_next(ln, ls, &next);
            strbuf_addc(&v, ' ');
            strbuf_add(&v, s + ls, le - ls);
        }
        val = v.buf, vlen = v.len;
    }
    if (k == 0)
        *slot = dsn_msgid_clean(pool, val, vlen);
    else
        *slot = dsn_original_text(pool, val, vlen < DSN_MAX_FIELD ? vlen : DSN_MAX_FIELD);
    strbuf_free(&v);
    return next;
}

/* Where the body starts after the empty line at or below the line start q
 * (a line ends at LF, CR or CRLF, so an empty line is a CR or LF at q or
 * after "\n" or a lone "\r": the pairs "\n\n", "\n\r", "\r\r"), or len:
 * the lines walked at a search for each LF, with no field to look at. */
static size_t
dsn_original_body(const char *s, size_t len, size_t q)
{
    size_t p = len; /* the empty line's first byte */
    if (q < len && (s[q] == '\n' || s[q] == '\r')) {
        p = q;
    } else {
        for (const char *lf = memchr(s + q, '\n', len - q); lf;
             lf = memchr(lf + 1, '\n', len - (size_t)(lf + 1 - s))) {
            size_t i = (size_t)(lf - s) + 1;
            if (i < len && (s[i] == '\n' || s[i] == '\r')) {
                p = i;
                break;
            }
        }
        /* "\r\r" before it: a lone CR's line break, then an empty line */
        size_t hi = p < len ? p : len;
        for (const char *cr = hi > q ? memchr(s + q, '\r', hi - q) : NULL; cr;
             cr = memchr(cr + 1, '\r', hi - (size_t)(cr + 1 - s))) {
            size_t i = (size_t)(cr - s) + 1;
            if (i >= hi)
                break;
            if (s[i] == '\r') {
                p = i;
                break;
            }
        }
    }
    if (p >= len)
        return len;
    return s[p] == '\r' && p + 1 < len && s[p + 1] == '\n' ? p + 2 : p + 1;
}

/* One walk over the header's lines, up to the empty line that ends it (an
 * empty line starts after a line break: "\n\n", "\n\r\n", "\r\r"): the five
 * fields we keep, read straight from the lines (cheaper than parsing every
 * field); once all five are in, the rest is a search for that empty line.
 * Returns where the body starts (after the empty line), or len. */
static size_t
dsn_original_header(struct dsn_pool *pool, struct dsn_original *o, const char *s, size_t len)
{
    char **slots[] = {&o->message_id, &o->subject, &o->from, &o->to, &o->date};
    unsigned have = 0; /* bit k: slot k filled (an empty value leaves it for a later line) */
    struct dsn_lines ln = DSN_LINES_INIT(s, len);
    for (size_t pos = 0, next; pos < len; pos = next) {
        if (have == 0x1f)
            return dsn_original_body(s, len, pos);
        size_t end = dsn_lines_next(&ln, pos, &next);
        if (end == pos)
            return next;
        int k = dsn_original_field(s + pos, end - pos);
        if (k >= 0 && !*slots[k]) {
            next = dsn_original_value(pool, slots[k], k, &ln, pos, end, next);
            have |= *slots[k] ? 1u << k : 0;
        }
    }
    return len;
}

/* Take a copy of data[0..len) as the returned message, if it starts with
 * a header. */
static void
dsn_original_set(struct dsn_ctx *ctx, const char *data, size_t len, const char *from_part)
{
    struct dsn_original *o = &ctx->rep->original;
    /* a field name first: not the empty line that would end an empty header */
    if (!dsn_looks_like_header(data, len))
        return;
    o->present = true;
    o->from_part = from_part;
    /* its own malloc, not the pool: it can be large, and most reports'
     * other strings then fit in the pool's first block */
    o->raw = xmalloc(len + 1); /* may hold NUL bytes: not strndup */
    memcpy(o->raw, data, len);
    o->raw[len] = '\0';
    o->raw_len = len;
    size_t body = dsn_original_header(ctx->rep->pool, o, o->raw, len);
    const char *b = data + body;
    size_t bl = len - body;
    dsn_trim(&b, &bl);
    o->headers_only = bl == 0;
}

static void
dsn_original_part(struct dsn_ctx *ctx)
{
    const struct mail_part *p = ctx->orig_part;
    const char *kind = "message/rfc822";
    if (p->subtype && strcmp(p->subtype, "global") == 0)
        kind = "message/global";
    else if (p->subtype && strstr(p->subtype, "headers"))
        kind = "text/rfc822-headers";
    size_t n = 0;
    char *owned;
    const char *data = dsn_part_view(p, MAIL_MAX_MESSAGE_SIZE, &n, &owned);
    if (!data)
        return;
    /* skip blank lines some MTAs put before the enclosed header */
    size_t skip = 0;
    while (skip < n && (data[skip] == '\n' || data[skip] == '\r' || data[skip] == ' '))
        skip++;
    dsn_original_set(ctx, data + skip, n - skip, kind);
    free(owned);
}

/* Quoted after a marker line (or starting at a header line) in the text. */
static void
dsn_original_inline(struct dsn_ctx *ctx)
{
    const struct mail_part *p = ctx->text_part;
    if (!p)
        return;
    size_t n = 0;
    char *owned;
    const char *raw = dsn_part_view(p, MAIL_MAX_MESSAGE_SIZE, &n, &owned);
    if (!raw)
        return;
    /* when the notice is these very bytes, its marker was found already */
    size_t start = ctx->notice && n == ctx->notice_len && memcmp(raw, ctx->notice, n) == 0
                       ? ctx->notice_end
                       : dsn_text_original_start(raw, n);
    /* from the marker line to the first line that looks like a header */
    for (size_t pos = start, next, lines = 0; pos < n && lines < 8; pos = next, lines++) {
        dsn_line_end(raw, n, pos, &next);
        if (dsn_looks_like_header(raw + pos, n - pos)) {
            dsn_original_set(ctx, raw + pos, n - pos, "inline");
            break;
        }
        if (next <= pos)
            break;
    }
    free(owned);
}

void
dsn_original_extract(struct dsn_ctx *ctx)
{
    if (ctx->rep->original.present)
        return;
    if (ctx->orig_part)
        dsn_original_part(ctx);
    if (!ctx->rep->original.present && ctx->notice && ctx->notice_end < ctx->notice_len)
        dsn_original_inline(ctx);
}
