/*
 * decode.c - transfer decoding (RFC 2045 §6) and conversion of a part's text
 * to UTF-8.
 *
 * Base64 and quoted-printable: decoders here give exactly what libetpan's
 * mailmime_part_parse gives (tested against it), at a fraction of its
 * cost; libetpan still decodes the one QP input they leave to it.
 * uuencode: libetpan has none.  All are best effort: garbage is skipped,
 * never an error.
 * Invariant: mail_part_text() returns valid UTF-8 without NUL bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/mailmime.h>
#include <libetpan/mmapstring.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#define DECODE_UU(c) (((unsigned char)(c)-0x20) & 0x3F)

/* Decode "begin ... end" uuencoded lines; lines outside are skipped. */
static void
decode_uu(struct strbuf *out, const char *s, size_t len)
{
    size_t pos = 0;
    bool in = memmem(s, len, "begin ", 6) == NULL; /* no "begin": take every line */
    while (pos < len) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        pos += llen + (nl ? 1 : 0);
        if (llen > 0 && line[llen - 1] == '\r')
            llen--;
        if (!in) {
            in = llen >= 6 && memcmp(line, "begin ", 6) == 0;
            continue;
        }
        if ((llen == 3 && memcmp(line, "end", 3) == 0) || llen == 0)
            break;
        size_t n = DECODE_UU(line[0]); /* bytes this line carries */
        const char *p = line + 1;
        size_t left = llen - 1;
        while (n > 0 && left >= 2) {
            unsigned char c[4] = {0, 0, 0, 0};
            for (size_t i = 0; i < 4 && i < left; i++)
                c[i] = DECODE_UU(p[i]);
            unsigned char b[3] = {(unsigned char)(c[0] << 2 | c[1] >> 4),
                                  (unsigned char)(c[1] << 4 | c[2] >> 2),
                                  (unsigned char)(c[2] << 6 | c[3])};
            size_t take = n < 3 ? n : 3;
            strbuf_add(out, (const char *)b, take);
            n -= take;
            p += left < 4 ? left : 4;
            left -= left < 4 ? left : 4;
        }
    }
}

/* ---- base64 and quoted-printable ----
 *
 * Table-driven decoders with exactly the result of libetpan's
 * mailmime_part_parse, which goes byte by byte through an MMAPString and
 * costs ~20x more (tests/unit/test-decode.c compares both on every corpus
 * body and on hostile inputs).
 */

/* Base64 alphabet value + 1; 0: not in the alphabet (skipped, like '=',
 * line breaks and garbage). */
static const unsigned char decode_b64[128] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  63,
    0,  0,  0,  64, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 0,  0,  0,  0,  0,  0,  0,  1,
    2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
    24, 25, 26, 0,  0,  0,  0,  0,  0,  27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 0,  0,  0,  0,  0,
};

void
mail_decode_base64(struct strbuf *out, const char *s, size_t len)
{
    strbuf_grow(out, len / 4 * 3 + 3);
    unsigned char *o = (unsigned char *)out->buf + out->len;
    uint32_t acc = 0;
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 128 || decode_b64[c] == 0)
            continue;
        acc = acc << 6 | (uint32_t)(decode_b64[c] - 1);
        if (++n == 4) {
            *o++ = (unsigned char)(acc >> 16);
            *o++ = (unsigned char)(acc >> 8);
            *o++ = (unsigned char)acc;
            acc = 0;
            n = 0;
        }
    }
    if (n > 0) { /* a short last quantum: libetpan pads it with zero bits */
        acc <<= 6 * (4 - n);
        *o++ = (unsigned char)(acc >> 16);
        if (n == 3)
            *o++ = (unsigned char)(acc >> 8);
    }
    out->len = (size_t)((char *)o - out->buf);
    out->buf[out->len] = '\0';
}

/* libetpan reads a bad hex digit as 0 ("=ZZ" is one NUL byte). */
static unsigned
decode_hex(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 0;
}

/* "=XY", a soft line break, or a '=' kept as text; advances *i.  Returns
 * false for the one case left to libetpan (see mail_decode_qp). */
static bool
decode_qp_escape(char **o, const char *s, size_t len, size_t *i)
{
    size_t at = *i;
    if (at + 1 >= len) { /* a final '=' stays */
        *(*o)++ = '=';
        *i = len;
    } else if (s[at + 1] == '\n') {
        *i = at + 2;
    } else if (s[at + 1] == '\r') {
        *i = at + 2 >= len ? len : at + (s[at + 2] == '\n' ? 3 : 2); /* "=\r" at the end: nothing */
    } else if (at + 2 >= len) {
        return false;
    } else {
        *(*o)++ = (char)(decode_hex(s[at + 1]) << 4 | decode_hex(s[at + 2]));
        *i = at + 3;
    }
    return true;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DECODE_LITTLE_ENDIAN 1
#else
#define DECODE_LITTLE_ENDIAN 0
#endif

static bool
decode_qp_special(char c)
{
    return c == '=' || c == '\n' || c == '\r';
}

/* Copies the run of bytes before the next '=', LF or CR (QP text is
 * mostly such runs) to o, eight bytes a step: one search for all three,
 * where memchr took one each and memcpy another call.  A step stores all
 * eight bytes; the caller's room for two output bytes per input byte
 * covers that.  Returns the run's length. */
static size_t
decode_qp_run(char *o, const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80;
    size_t i = 0;
    while (i + 8 <= len) {
        uint64_t w, eq;
        memcpy(&w, s + i, 8);
        memcpy(o + i, &w, 8);
        eq = w ^ (ones * '=');
        /* the high bit of each byte that is '=' or below 0x0E (LF, CR and
         * a few controls, such as tab); exact for the first such byte, as
         * a borrow only reaches the bytes after it.  (~eq and ~w have the
         * same high bits: one mask serves both.) */
        uint64_t z = ((eq - ones) | (w - ones * 0x0E)) & ~w & highs;
        if (z == 0) {
            i += 8;
            continue;
        }
        if (!DECODE_LITTLE_ENDIAN)
            break;
        size_t k = i + (size_t)__builtin_ctzll(z) / 8;
        if (decode_qp_special(s[k]))
            return k;
        i = k + 1; /* a tab or the like, already copied */
    }
    for (; i < len && !decode_qp_special(s[i]); i++)
        o[i] = s[i];
    return i;
}

/* Line breaks come out as CRLF, as libetpan writes them; a final CR is
 * dropped.  Returns -1, having written nothing, for a body that ends in
 * '=' and one more byte: there libetpan emits a byte from beyond the body,
 * so the caller asks libetpan itself. */
int
mail_decode_qp(struct strbuf *out, const char *s, size_t len)
{
    if (len > (SIZE_MAX - out->len - 1) / 2)
        abort();               /* callers bound len by MAIL_MAX_MESSAGE_SIZE */
    strbuf_grow(out, 2 * len); /* at most CR LF per byte */
    char *o = out->buf + out->len;
    size_t i = 0;
    while (i < len) {
        size_t run = decode_qp_run(o, s + i, len - i); /* up to the next '=' or line break */
        o += run;
        if ((i += run) == len)
            break;
        char c = s[i];
        if (c == '=') {
            if (!decode_qp_escape(&o, s, len, &i)) {
                out->buf[out->len] = '\0';
                return -1;
            }
        } else if (c == '\n' || (c == '\r' && i + 1 < len)) {
            *o++ = '\r';
            *o++ = '\n';
            i += c == '\r' && s[i + 1] == '\n' ? 2 : 1;
        } else {
            i++; /* a final CR */
        }
    }
    out->len = (size_t)(o - out->buf);
    out->buf[out->len] = '\0';
    return 0;
}

static int
decode_etpan(struct strbuf *out, const char *s, size_t len, int mechanism)
{
    size_t idx = 0, rlen = 0;
    char *res = NULL;
    int r = mailmime_part_parse(s, len, &idx, mechanism, &res, &rlen);
    if (r != MAILIMF_NO_ERROR)
        return -1;
    strbuf_add(out, res, rlen);
    mmap_string_unref(res);
    return 0;
}

static int
decode_check(const struct mail_part *part, struct nx_err *err)
{
    if (part == NULL)
        return nx_err_set(err, NX_ERR_INTERNAL, "no part to decode");
    if (part->body_len > MAIL_MAX_MESSAGE_SIZE)
        return nx_err_set(err, NX_ERR_LIMIT, "part is larger than the message size limit");
    return 0;
}

/* 7bit, 8bit, binary and unknown encodings: the body is the content. */
static bool
decode_identity(enum mail_encoding enc)
{
    return enc != MAIL_ENC_BASE64 && enc != MAIL_ENC_QP && enc != MAIL_ENC_UUENCODE;
}

int
mail_part_decode(const struct mail_part *part, char **out, size_t *out_len, struct nx_err *err)
{
    struct strbuf sb = STRBUF_INIT;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (decode_check(part, err) < 0)
        return -1;
    if (part->encoding != MAIL_ENC_QP) /* QP asks for twice as much itself */
        strbuf_grow(&sb, part->body_len);
    int r = 0;
    switch (part->encoding) {
    case MAIL_ENC_BASE64:
        mail_decode_base64(&sb, part->body, part->body_len);
        break;
    case MAIL_ENC_QP:
        if (mail_decode_qp(&sb, part->body, part->body_len) < 0)
            r = decode_etpan(&sb, part->body, part->body_len, MAILMIME_MECHANISM_QUOTED_PRINTABLE);
        break;
    case MAIL_ENC_UUENCODE:
        decode_uu(&sb, part->body, part->body_len);
        break;
    default:
        strbuf_add(&sb, part->body, part->body_len);
        break;
    }
    if (r != 0) { /* libetpan gave up: show the bytes as they are */
        strbuf_reset(&sb);
        strbuf_add(&sb, part->body, part->body_len);
    }
    *out = strbuf_detach(&sb, out_len);
    return 0;
}

/* NUL would cut C strings short downstream: each one becomes a visible
 * U+FFFD.  Takes sb's bytes; most texts have none and are handed on. */
static char *
decode_nul_visible(struct strbuf *sb, size_t *len)
{
    const char *nul = sb->len > 0 ? memchr(sb->buf, '\0', sb->len) : NULL;
    if (nul == NULL)
        return strbuf_detach(sb, len);
    struct strbuf out = STRBUF_INIT;
    size_t i = 0;
    strbuf_grow(&out, sb->len + 16);
    while (nul != NULL) {
        size_t at = (size_t)(nul - sb->buf);
        strbuf_add(&out, sb->buf + i, at - i);
        utf8_encode(&out, UTF8_REPLACEMENT);
        i = at + 1;
        nul = memchr(sb->buf + i, '\0', sb->len - i);
    }
    strbuf_add(&out, sb->buf + i, sb->len - i);
    strbuf_free(sb);
    return strbuf_detach(&out, len);
}

int
mail_part_text(const struct mail_part *part, char **out, size_t *out_len, struct nx_err *err)
{
    char *raw = NULL;
    const char *src;
    size_t len;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (decode_check(part, err) < 0)
        return -1;
    if (decode_identity(part->encoding)) { /* converted straight from the body */
        src = part->body;
        len = part->body_len;
    } else {
        if (mail_part_decode(part, &raw, &len, err) < 0)
            return -1;
        /* decoded bytes that are their own text already (as
         * mail_charset_to_utf8 and decode_nul_visible would leave them)
         * are handed over, not copied once more */
        if (mail_charset_keeps_utf8(part->charset) && utf8_valid(raw, len) &&
            memchr(raw, '\0', len) == NULL) {
            *out = raw;
            if (out_len)
                *out_len = len;
            return 0;
        }
        src = raw;
    }
    struct strbuf conv = STRBUF_INIT;
    strbuf_grow(&conv, len);
    mail_charset_to_utf8(&conv, part->charset, src, len);
    free(raw);
    *out = decode_nul_visible(&conv, out_len);
    return 0;
}
