/*
 * decode.c - transfer decoding (RFC 2045 §6) and conversion of a part's text
 * to UTF-8.
 *
 * libetpan decodes base64 and quoted-printable (mailmime_part_parse); it has
 * no uuencode, so a small decoder for that lives here.  Both are best
 * effort: garbage is skipped, never an error.
 * Invariant: mail_part_text() returns valid UTF-8 without NUL bytes.
 */
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
    strbuf_grow(&sb, part->body_len);
    int r = 0;
    switch (part->encoding) {
    case MAIL_ENC_BASE64:
        r = decode_etpan(&sb, part->body, part->body_len, MAILMIME_MECHANISM_BASE64);
        break;
    case MAIL_ENC_QP:
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
        src = raw;
    }
    struct strbuf conv = STRBUF_INIT;
    strbuf_grow(&conv, len);
    mail_charset_to_utf8(&conv, part->charset, src, len);
    free(raw);
    *out = decode_nul_visible(&conv, out_len);
    return 0;
}
