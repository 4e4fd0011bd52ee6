/*
 * header.c - header fields and header text: the tolerant "Name: value"
 * block parser, unfolding, RFC 2047 decoding and charset conversion to
 * UTF-8.
 *
 * Owns: mail_hdr_iter (fields as spans of the block, no copies: every
 * other field reader is built on it), mail_fields_parse/free,
 * mail_header_decode, mail_hdr_split, mail_hdr_unfold*, mail_charset_to_utf8,
 * mail_utf8_repair.
 * Does not: parse addresses or dates (envelope.c, with libetpan), or MIME
 * structure (mime.c).
 * Invariant: every string this file produces for display is valid UTF-8.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/mailmime.h>
#include <libetpan/mailmime_decode.h>

#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

/* Length of the line break at s[0..len), 0 if none (LF, CRLF or bare CR). */
static size_t
header_eol_len(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (s[0] == '\n')
        return 1;
    if (s[0] == '\r')
        return len > 1 && s[1] == '\n' ? 2 : 1;
    return 0;
}

/* Offset of the next line break at or after i (len if none). */
static size_t
header_find_eol(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

/* Slow path for files whose lines end in bare CR (old Mac mail). */
static void
header_split_any(const char *data, size_t len, size_t *header_len, size_t *body_off)
{
    size_t i = 0;
    while (i < len) {
        size_t eol = header_eol_len(data + i, len - i);
        if (eol > 0) { /* an empty line: the header ends here (RFC 5322 §2.1) */
            *header_len = i;
            *body_off = i + eol;
            return;
        }
        i = header_find_eol(data, len, i);
        i += header_eol_len(data + i, len - i);
    }
    *header_len = len;
    *body_off = len;
}

void
mail_hdr_split(const char *data, size_t len, size_t *header_len, size_t *body_off)
{
    size_t probe = len < 1024 ? len : 1024;
    if (memchr(data, '\n', probe) == NULL && memchr(data, '\r', probe) != NULL) {
        header_split_any(data, len, header_len, body_off);
        return;
    }
    /* LF or CRLF: jump from line break to line break with memchr (this runs
     * on every file of a folder being indexed) */
    size_t i = 0;
    while (i < len) {
        if (data[i] == '\n' || (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')) {
            *header_len = i;
            *body_off = i + (data[i] == '\n' ? 1 : 2);
            return;
        }
        const char *nl = memchr(data + i, '\n', len - i);
        if (nl == NULL)
            break;
        i = (size_t)(nl - data) + 1;
    }
    *header_len = len;
    *body_off = len;
}

static bool
header_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* White space around a value is trimmed (line breaks there count as white
 * space): its first byte is returned, *len becomes its end. */
static size_t
header_trim(const char *value, size_t *len)
{
    size_t i = 0;
    while (i < *len && header_blank(value[i]))
        i++;
    while (*len > i && header_blank(value[*len - 1]))
        (*len)--;
    return i;
}

size_t
mail_hdr_unfold_to(char *dst, const char *value, size_t len)
{
    /* RFC 5322 §2.2.3: unfolding removes the CRLF only */
    size_t n = 0, i = header_trim(value, &len);
    while (i < len) { /* copy in spans between line breaks */
        const char *nl = memchr(value + i, '\n', len - i);
        size_t j = nl ? (size_t)(nl - value) : len;
        const char *cr = memchr(value + i, '\r', j - i);
        j = cr ? (size_t)(cr - value) : j;
        memcpy(dst + n, value + i, j - i);
        n += j - i;
        while (j < len && (value[j] == '\r' || value[j] == '\n'))
            j++;
        i = j;
    }
    dst[n] = '\0';
    return n;
}

char *
mail_hdr_unfold_arena_lf(struct mail_arena *a, const char *value, size_t len)
{
    /* mail_hdr_unfold_to, but a CR can only stand before an LF, so that
     * unfolding is dropping every CR and LF: one copy, eight bytes a step
     * while a word has neither, without the memchr and memcpy calls a
     * line (values are short, and where such calls end is a guess) */
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80;
    char *dst = mail_arena_alloc(a, len + 1);
    size_t n = 0, i = header_trim(value, &len), start = i;
    uint64_t w;
    for (; len - i >= 8; i += 8) { /* (n <= i: a word stored at n ends by len) */
        memcpy(&w, value + i, 8);
        memcpy(dst + n, &w, 8);
        if (((w - ones * 0x0E) & ~w & highs) == 0) { /* no byte below 0x0E: no CR or LF */
            n += 8;
            continue;
        }
        for (size_t k = 0; k < 8; k++) {
            char c = value[i + k];
            dst[n] = c;
            n += (c != '\r') & (c != '\n');
        }
    }
    if (i < len && len - start >= 8) {
        /* the last eight bytes as a word: if none is below 0x0E, the
         * bytes before i among them were copied as they are, to the end
         * of dst, so the word is stored over them, ending at the end */
        memcpy(&w, value + len - 8, 8);
        if (((w - ones * 0x0E) & ~w & highs) == 0) {
            n += len - i;
            memcpy(dst + n - 8, &w, 8);
            i = len;
        }
    }
    for (; i < len; i++) {
        char c = value[i];
        dst[n] = c;
        n += (c != '\r') & (c != '\n');
    }
    dst[n] = '\0';
    return dst;
}

void
mail_hdr_unfold(struct strbuf *out, const char *value, size_t len)
{
    strbuf_grow(out, len);
    out->len += mail_hdr_unfold_to(out->buf + out->len, value, len);
}

char *
mail_hdr_unfold_arena(struct mail_arena *a, const char *value, size_t len)
{
    char *p = mail_arena_alloc(a, len + 1);
    mail_hdr_unfold_to(p, value, len);
    return p;
}

/* Field names: printable US-ASCII except colon (RFC 5322 §2.2); a table,
 * as every byte of every name is looked up. */
/* clang-format off */
static const unsigned char header_ftext[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0-15 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 16-31 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 32-47 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, /* 48-63 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 64-79 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 80-95 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 96-111 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 112-127 */
};
/* clang-format on */

static bool
header_is_ftext(unsigned char c)
{
    return header_ftext[c] != 0;
}

/* Name length of a "Name: value" line, or 0 if the line is no field.
 * White space before the colon is accepted (obsolete syntax, §4.5.3). */
static size_t
header_field_name(const char *line, size_t len, size_t *colon)
{
    size_t n = 0;
    while (n < len && header_is_ftext((unsigned char)line[n]))
        n++;
    size_t j = n;
    while (j < len && (line[j] == ' ' || line[j] == '\t'))
        j++;
    if (n == 0 || j >= len || line[j] != ':')
        return 0;
    *colon = j;
    return n;
}

/* The line starting at i ends at the first LF or CR; a block without any
 * CR needs only the LF search (memchr, not a byte loop: this runs over
 * every header line of every part). */
static size_t
header_line_end(const struct mail_hdr_iter *it, size_t i)
{
    const char *s = it->data + i;
    const char *nl = memchr(s, '\n', it->len - i);
    size_t e = nl ? (size_t)(nl - s) : it->len - i;
    const char *cr = it->cr ? memchr(s, '\r', e) : NULL;
    return i + (cr ? (size_t)(cr - s) : e);
}

void
mail_hdr_iter_init(struct mail_hdr_iter *it, const char *data, size_t len)
{
    it->data = data;
    it->len = data != NULL ? len : 0;
    it->pos = 0;
    it->cr = it->len > 0 && memchr(data, '\r', len) != NULL;
    it->prefix = NULL;
}

/* Does the line start with it->prefix (lowercase), ignoring ASCII case? */
static bool
header_has_prefix(const struct mail_hdr_iter *it, const char *line, size_t len)
{
    for (size_t k = 0; it->prefix[k] != '\0'; k++) {
        char c = k < len ? line[k] : '\0';
        if ((c >= 'A' && c <= 'Z' ? (char)(c + 32) : c) != it->prefix[k])
            return false;
    }
    return true;
}

/*
 * A small loop rather than libetpan's mailimf_optional_fields_parse: that
 * parser stops at the first line that is not a well-formed field, and DSN
 * groups written by real MTAs contain such lines (missing colons, bare CR,
 * no final newline).  Here a bad line (and its continuation lines) is
 * skipped and parsing goes on; an empty line ends a field too.
 */
bool
mail_hdr_iter_next(struct mail_hdr_iter *it, struct mail_hdr_field *f)
{
    const char *d = it->data;
    while (it->pos < it->len) {
        size_t i = it->pos, e = header_line_end(it, i), colon = 0;
        it->pos = e + header_eol_len(d + e, it->len - e);
        if (it->prefix != NULL && !header_has_prefix(it, d + i, e - i))
            continue; /* as if not a field: its continuation lines go too */
        size_t n = e > i ? header_field_name(d + i, e - i, &colon) : 0;
        if (n == 0)
            continue; /* empty, not a field, or a continuation of one */
        size_t vend = e;
        while (it->pos < it->len && (d[it->pos] == ' ' || d[it->pos] == '\t')) {
            vend = header_line_end(it, it->pos); /* RFC 5322 §2.2.3 folding */
            it->pos = vend + header_eol_len(d + vend, it->len - vend);
        }
        f->name = d + i;
        f->nlen = n;
        f->value = d + i + colon + 1;
        f->vlen = vend - (i + colon + 1);
        return true;
    }
    return false;
}

bool
mail_hdr_line_field(const struct mail_hdr_line *l, struct mail_hdr_field *f)
{
    /* the name and colon are on the first line: a line break stops both
     * scans of header_field_name */
    size_t colon = 0, n = l->len > 0 ? header_field_name(l->s, l->len, &colon) : 0;
    if (n == 0)
        return false;
    f->name = l->s;
    f->nlen = n;
    f->value = l->s + colon + 1;
    f->vlen = l->len - (colon + 1);
    return true;
}

/*
 * Without bare CR, mail_hdr_iter's lines are the LF-terminated lines less
 * a CR before the LF, and mail_hdr_split's two ways of splitting agree:
 * the header ends at the first line that is empty once so cut.
 */
size_t
mail_hdr_scan(const char *data, size_t len, char first, struct mail_hdr_line *v, size_t max,
              size_t *header_len, size_t *body_off, bool *first_field)
{
    size_t i = 0, n = 0, any = first == 0, cur = 0; /* cur: where v[n - 1]'s line starts */
    size_t open = 0; /* 1: v[n - 1] takes the continuation lines that follow */
    if (first_field != NULL) {
        /* header_field_name stops at the first line break itself; asked
         * here, not in the loop, which then has no test for the first line */
        size_t colon;
        *first_field = header_field_name(data, len, &colon) > 0;
        if (!*first_field)
            return 0; /* no header: the rest is not wanted */
    }
    if (len > 0 && data[0] == '\n') { /* an empty header */
        *header_len = 0;
        *body_off = 1;
        return 0;
    }
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        /* less a CR before the line break, without a branch (LF and CRLF
         * files come mixed); e > 0, and data[e - 1] is the last line's LF
         * when this line is empty */
        size_t le = e - (data[e - 1] == '\r');
        if (le == i && nl != NULL) { /* an empty line (RFC 5322 §2.1) */
            *header_len = i;
            *body_off = e + 1;
            return n;
        }
        /* A line starts an entry (v[n]), extends the open one (v[n - 1],
         * RFC 5322 §2.2.3 folding) or is passed over: which, is worked out
         * with bit operations, not branches (that is anyone's guess a
         * line); in a top-level header `open` is nearly always true. */
        char c = data[i];
        size_t fold = (c == ' ') | (c == '\t');
        size_t start = (fold ^ 1) & (any | ((char)(c | 0x20) == first));
        open = (start & (n < max)) | (fold & open); /* (never both) */
        cur += (i - cur) & ((size_t)0 - start);     /* i if start */
        if (open)
            v[n - 1 + start] = (struct mail_hdr_line){data + cur, le - cur};
        n += start;
        if (nl == NULL)
            break;
        i = e + 1;
    }
    *header_len = len;
    *body_off = len;
    return n;
}

size_t
mail_fields_parse(const char *data, size_t len, struct mail_field **out)
{
    struct mail_hdr_iter it;
    struct mail_hdr_field f;
    struct mail_field *v = NULL;
    size_t n = 0, cap = 0;

    mail_hdr_iter_init(&it, data, len);
    while (mail_hdr_iter_next(&it, &f)) {
        if (n == cap)
            v = xreallocarray(v, cap = cap ? cap * 2 : 16, sizeof *v);
        v[n].name = xstrndup(f.name, f.nlen);
        v[n].value = xmalloc(f.vlen + 1);
        mail_hdr_unfold_to(v[n].value, f.value, f.vlen);
        n++;
    }
    *out = v;
    return n;
}

void
mail_fields_free(struct mail_field *fields, size_t n)
{
    if (fields == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(fields[i].name);
        free(fields[i].value);
    }
    free(fields);
}

void
mail_utf8_repair(struct strbuf *out, const char *s, size_t len)
{
    size_t a = 0;
    while (a < len && (unsigned char)s[a] < 0x80)
        a++;
    if (a == len || utf8_valid(s + a, len - a)) { /* the common case: one copy */
        strbuf_add(out, s, len);
        return;
    }
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 1 && (unsigned char)s[i] >= 0x80)
            utf8_encode(out, UTF8_REPLACEMENT);
        else
            strbuf_add(out, s + i, n);
        i += n;
    }
}

/* Windows-1252 0x80..0x9F (WHATWG); 0 marks the five unassigned bytes. */
static const uint16_t header_cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* ISO-8859-15 is Latin-1 but for eight code points (as glibc's converter,
 * which test-decode.c compares): converted here, sparing an iconv_open. */
static uint32_t
header_latin9(unsigned char c)
{
    switch (c) {
    case 0xA4:
        return 0x20AC;
    case 0xA6:
        return 0x0160;
    case 0xA8:
        return 0x0161;
    case 0xB4:
        return 0x017D;
    case 0xB8:
        return 0x017E;
    case 0xBC:
        return 0x0152;
    case 0xBD:
        return 0x0153;
    case 0xBE:
        return 0x0178;
    default:
        return c;
    }
}

/* cp (below U+10000) as UTF-8 at *o. */
static void
header_put_utf8(unsigned char **o, uint32_t cp)
{
    unsigned char *p = *o;
    if (cp < 0x80) {
        *p++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *p++ = (unsigned char)(0xC0 | (cp >> 6));
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (unsigned char)(0xE0 | (cp >> 12));
        *p++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = p;
}

/* Room for three bytes a byte (U+2000..U+FFFD at most); where they go. */
static unsigned char *
header_8bit_room(struct strbuf *out, size_t len)
{
    if (len > (SIZE_MAX - out->len - 1) / 3)
        abort(); /* callers bound len by MAIL_MAX_MESSAGE_SIZE */
    strbuf_grow(out, 3 * len);
    return (unsigned char *)out->buf + out->len;
}

static void
header_8bit_done(struct strbuf *out, const unsigned char *o)
{
    out->len = (size_t)((const char *)o - out->buf);
    out->buf[out->len] = '\0';
}

static void
header_cp1252_to_utf8(struct strbuf *out, const char *s, size_t len)
{
    unsigned char *o = header_8bit_room(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        if (c >= 0x80 && c < 0xA0)
            cp = header_cp1252[c - 0x80] ? header_cp1252[c - 0x80] : UTF8_REPLACEMENT;
        header_put_utf8(&o, cp);
    }
    header_8bit_done(out, o);
}

static void
header_latin9_to_utf8(struct strbuf *out, const char *s, size_t len)
{
    unsigned char *o = header_8bit_room(out, len);
    for (size_t i = 0; i < len; i++)
        header_put_utf8(&o, header_latin9((unsigned char)s[i]));
    header_8bit_done(out, o);
}

/* Charsets we decode without iconv, or map to a superset iconv knows. */
static const char *
header_charset_alias(const char *cs)
{
    static const struct {
        const char *name, *use;
    } aliases[] = {
        {"us-ascii", "windows-1252"},  {"ascii", "windows-1252"},  {"iso-8859-1", "windows-1252"},
        {"iso8859-1", "windows-1252"}, {"latin1", "windows-1252"}, {"cp1252", "windows-1252"},
        {"gb2312", "GB18030"},         {"gbk", "GB18030"},         {"x-gbk", "GB18030"},
        {"ks_c_5601-1987", "CP949"},   {"x-sjis", "SHIFT_JIS"},    {"utf8", "utf-8"},
    };
    /* the first byte (the names' are lowercase letters) rules out most
     * without a call: every text and every encoded word comes here */
    char c0 = (char)(cs[0] >= 'A' && cs[0] <= 'Z' ? cs[0] + ('a' - 'A') : cs[0]);
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].name[0] == c0 && strcasecmp(cs, aliases[i].name) == 0)
            return aliases[i].use;
    return cs;
}

/*
 * ISO-2022-JP (RFC 1468) in its initial state is ASCII: bytes below 0x80
 * other than ESC, SO, SI and NUL stand for themselves, and bytes from 0x80
 * are errors (as in glibc's converter; test-decode.c compares).  Much of
 * the text so labelled is plain English or mislabelled 8-bit text, which
 * iconv converts a byte and a call at a time.  Takes what is certain
 * before the next escape; iconv does the rest.
 */
static bool
header_jp_plain(unsigned char c)
{
    return c < 0x80 && c != 0x1b && c != 0x0e && c != 0x0f && c != '\0';
}

/* Length of the run of header_jp_plain bytes at s, eight a step: a word
 * holds none other when no byte is 8-bit, NUL, ESC, or SO or SI (which
 * differ in the low bit only). */
static size_t
header_jp_run(const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w, sh, esc;
        memcpy(&w, s + i, 8);
        sh = (w ^ (ones * 0x0e)) & (ones * 0xfe);
        esc = w ^ (ones * 0x1b);
        if (((w | ((w - ones) & ~w) | (sh - ones) | ((esc - ones) & ~esc)) & highs) != 0)
            break;
    }
    while (i < len && header_jp_plain((unsigned char)s[i]))
        i++;
    return i;
}

static void
header_jp_initial(struct strbuf *out, char **in, size_t *inleft)
{
    while (*inleft > 0) {
        unsigned char c = (unsigned char)**in;
        size_t n = 0;
        if (c >= 0x80) {
            utf8_encode(out, UTF8_REPLACEMENT);
            n = 1;
        } else {
            n = header_jp_run(*in, *inleft);
            strbuf_add(out, *in, n);
        }
        if (n == 0)
            return; /* an escape (or a control): iconv's */
        *in += n;
        *inleft -= n;
    }
}

/* How much of ISO-2022-JP text from `in` (where header_jp_initial stopped)
 * iconv must convert: up to and including the next ESC ( B, after which
 * the text is ASCII again and header_jp_initial's (what is so marked is
 * mostly plain English); or all of it. */
static size_t
header_jp_shifted(const char *in, size_t inleft)
{
    const char *back = memmem(in, inleft, "\x1b(B", 3);
    return back ? (size_t)(back - in) + 3 : inleft;
}

/* iconv conversion; returns -1 if iconv does not know the charset. */
static int
header_iconv(struct strbuf *out, const char *charset, const char *s, size_t len)
{
    bool jp = strcasecmp(charset, "iso-2022-jp") == 0;
    if (jp && header_jp_run(s, len) == len) {
        /* ASCII throughout, as iconv would give it (or the fallback, were
         * there no iconv): no iconv_open, which costs more than all this */
        strbuf_add(out, s, len);
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return -1;
    char *in = (char *)s;
    size_t inleft = len;
    char buf[1024];
    if (jp)
        header_jp_initial(out, &in, &inleft);
    while (inleft > 0) {
        char *o = buf;
        size_t oleft = sizeof buf;
        size_t take = jp ? header_jp_shifted(in, inleft) : inleft, rest = inleft - take;
        size_t r = iconv(cd, &in, &take, &o, &oleft);
        strbuf_add(out, buf, sizeof buf - oleft);
        inleft = take + rest;
        if (r != (size_t)-1 || errno == E2BIG) {
            if (jp && take == 0) /* back to ASCII: the initial state */
                header_jp_initial(out, &in, &inleft);
            continue;
        }
        /* EILSEQ / EINVAL: one bad byte becomes U+FFFD, then go on */
        utf8_encode(out, UTF8_REPLACEMENT);
        in++, inleft--;
        iconv(cd, NULL, NULL, NULL, NULL);
        if (jp) /* back in the initial state */
            header_jp_initial(out, &in, &inleft);
    }
    char *o = buf;
    size_t oleft = sizeof buf;
    iconv(cd, NULL, NULL, &o, &oleft); /* flush shift state (ISO-2022-JP) */
    strbuf_add(out, buf, sizeof buf - oleft);
    iconv_close(cd);
    return 0;
}

/* No charset, UTF-8 or one that valid UTF-8 is preferred to. */
static bool
header_utf8_first(const char *cs)
{
    return cs == NULL || strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "windows-1252") == 0;
}

bool
mail_charset_keeps_utf8(const char *charset)
{
    return header_utf8_first(charset ? header_charset_alias(charset) : NULL);
}

void
mail_charset_to_utf8(struct strbuf *out, const char *charset, const char *s, size_t len)
{
    const char *cs = charset ? header_charset_alias(charset) : NULL;
    if (header_utf8_first(cs)) {
        /* declared us-ascii/latin-1 text is often really UTF-8: prefer it if valid */
        if (utf8_valid(s, len))
            strbuf_add(out, s, len);
        else if (cs != NULL && strcasecmp(cs, "utf-8") == 0)
            mail_utf8_repair(out, s, len);
        else
            header_cp1252_to_utf8(out, s, len);
        return;
    }
    if (strcasecmp(cs, "iso-8859-15") == 0) {
        header_latin9_to_utf8(out, s, len);
        return;
    }
    size_t start = out->len;
    if (header_iconv(out, cs, s, len) == 0) {
        /* iconv's output is UTF-8, but be certain: this is the gate */
        if (!utf8_valid(out->buf + start, out->len - start)) {
            size_t n = out->len - start; /* may hold NULs: not a string copy */
            char *tmp = xmalloc(n + 1);
            memcpy(tmp, out->buf + start, n);
            out->len = start;
            mail_utf8_repair(out, tmp, n);
            free(tmp);
        }
        return;
    }
    mail_charset_to_utf8(out, NULL, s, len);
}

/* One encoded word's bytes to UTF-8; "utf-8*en" carries an RFC 2231 §5
 * language suffix that is not part of the charset name. */
static void
header_word_to_utf8(struct strbuf *out, const char *charset, const char *text)
{
    char cs[64];
    size_t n = strcspn(charset, "*");
    if (n >= sizeof cs)
        n = sizeof cs - 1;
    memcpy(cs, charset, n);
    cs[n] = '\0';
    mail_charset_to_utf8(out, n > 0 ? cs : NULL, text, strlen(text));
}

/* libetpan accepts a word without its closing "?="; we keep such text as is. */
static bool
header_word_closed(const char *s, size_t end, size_t start)
{
    if (end < start + 4)
        return false;
    if (s[end - 1] == '"' && s[start] == '"')
        end--;
    return s[end - 2] == '?' && s[end - 1] == '=';
}

/*
 * RFC 2047 decoding.  libetpan parses each encoded word
 * (mailmime_encoded_word_parse, which also joins adjacent words of one
 * charset so a character split across words survives); we convert the
 * bytes ourselves because libetpan's mailmime_encoded_phrase_parse turns
 * undecodable bytes into '?' and drops malformed words, where we want
 * U+FFFD and the malformed text kept as it was.
 */
static void
header_decode_words(struct strbuf *out, const char *s, size_t n)
{
    size_t i = 0;
    bool last_word = false;
    while (i < n) {
        size_t ws = i;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        bool opens =
            i + 1 < n && ((s[i] == '=' && s[i + 1] == '?') ||
                          (s[i] == '"' && i + 2 < n && s[i + 1] == '=' && s[i + 2] == '?'));
        struct mailmime_encoded_word *w = NULL;
        size_t idx = i;
        int fwd = 0, noquote = 0;
        if (opens &&
            mailmime_encoded_word_parse(s, n, &idx, &w, &fwd, &noquote) == MAILIMF_NO_ERROR &&
            header_word_closed(s, idx, i)) {
            if (!last_word) /* §6.2: white space between encoded words is dropped */
                strbuf_add(out, s + ws, i - ws);
            header_word_to_utf8(out, w->wd_charset ? w->wd_charset : "",
                                w->wd_text ? w->wd_text : "");
            mailmime_encoded_word_free(w);
            last_word = true;
            i = idx;
            continue;
        }
        if (w != NULL)
            mailmime_encoded_word_free(w);
        strbuf_add(out, s + ws, i - ws);
        size_t start = i;
        if (opens)
            i += s[i] == '"' ? 3 : 2; /* not a word after all: keep "=?" as text */
        while (i < n && s[i] != ' ' && s[i] != '\t' &&
               !(s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
            i++;
        mail_charset_to_utf8(out, NULL, s + start, i - start);
        last_word = false;
    }
}

char *
mail_header_decode(const char *value, size_t len)
{
    struct strbuf out = STRBUF_INIT;

    if (value == NULL)
        return xstrdup("");
    char *s = xmalloc(len + 1);
    size_t n = mail_hdr_unfold_to(s, value, len);
    /* Only text with "=?" can hold encoded words (RFC 2047 §2); skipping
     * libetpan for the rest keeps indexing fast, and valid UTF-8 without
     * them is already the result. */
    bool words = memmem(s, n, "=?", 2) != NULL;
    if (!words && utf8_valid(s, n))
        return s;
    if (words)
        header_decode_words(&out, s, n);
    else
        mail_charset_to_utf8(&out, NULL, s, n);
    free(s);
    return strbuf_detach(&out, NULL);
}

bool
mail_hdr_starts_with_field(const char *s, size_t len)
{
    size_t colon;
    struct mail_hdr_iter it = {.data = s, .len = len, .cr = true};
    size_t e = header_line_end(&it, 0);
    return e > 0 && header_field_name(s, e, &colon) > 0;
}
