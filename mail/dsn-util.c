/*
 * dsn-util.c - bounded string scanners shared by the DSN engine: status codes
 * (RFC 3463), SMTP reply codes (RFC 5321 §4.2), addresses, comments, lines.
 *
 * Every function takes (pointer, length) and never reads past the length; no
 * input needs to be NUL-terminated unless stated.  Nothing here allocates
 * more than its output.  The report's string pool lives here too.
 */
#include <ctype.h>
#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"

/* A block of the pool: its bytes follow.  The first block is the pool
 * itself (struct dsn_pool, then the head, then bytes). */
struct dsn_block {
    struct dsn_block *next;
};

struct dsn_pool {
    struct dsn_block *blocks; /* the blocks after the first, newest first */
    char *cur, *end;          /* free room in the current block */
    char *last;               /* the last allocation in it, or NULL */
    size_t next_size;         /* of the next block */
};

struct dsn_pool *
dsn_pool_new(size_t head, void **headp)
{
    /* the head keeps the alignment malloc gives the pool */
    const size_t align = _Alignof(max_align_t);
    size_t hs = (sizeof(struct dsn_pool) + align - 1) / align * align;
    head = (head + align - 1) / align * align;
    size_t size = hs + head > DSN_POOL_FIRST / 2 ? hs + head + DSN_POOL_FIRST : DSN_POOL_FIRST;
    struct dsn_pool *pool = xmalloc(size);
    char *mem = (char *)pool;
    *headp = mem + hs;
    *pool = (struct dsn_pool){
        .cur = mem + hs + head, .end = mem + size, .next_size = 2 * DSN_POOL_FIRST};
    return pool;
}

void
dsn_pool_free(struct dsn_pool *pool)
{
    if (!pool)
        return;
    for (struct dsn_block *b = pool->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(pool);
}

/* A new block for n bytes: its own when big (the current block stays),
 * else the next current one. */
static char *
dsn_pool_grow(struct dsn_pool *pool, size_t n)
{
    bool own = n > DSN_POOL_BIG;
    size_t size = own || n > pool->next_size ? n : pool->next_size;
    if (size > SIZE_MAX - sizeof(struct dsn_block))
        abort();
    struct dsn_block *b = xmalloc(sizeof *b + size);
    b->next = pool->blocks;
    pool->blocks = b;
    char *p = (char *)(b + 1);
    if (own)
        return p; /* never trimmed or given back: not `last` */
    if (pool->next_size < 8 * DSN_POOL_BIG)
        pool->next_size *= 2;
    pool->cur = p + n;
    pool->end = p + size;
    pool->last = p;
    return p;
}

char *
dsn_pool_alloc(struct dsn_pool *pool, size_t n)
{
    if (!pool)
        return xmalloc(n ? n : 1);
    if (n > (size_t)(pool->end - pool->cur))
        return dsn_pool_grow(pool, n);
    char *p = pool->cur;
    pool->cur += n;
    pool->last = p;
    return p;
}

void
dsn_pool_trim(struct dsn_pool *pool, char *p, size_t n)
{
    if (pool && p && p == pool->last)
        pool->cur = p + n;
}

void
dsn_pool_release(struct dsn_pool *pool, char *p)
{
    if (!pool) {
        free(p);
    } else if (p && p == pool->last) {
        pool->cur = p;
        pool->last = NULL;
    }
}

char *
dsn_pool_strndup(struct dsn_pool *pool, const char *s, size_t n)
{
    char *p = dsn_pool_alloc(pool, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
dsn_pool_adopt(struct dsn_pool *pool, char *s)
{
    if (!pool || !s)
        return s;
    char *p = dsn_pool_strndup(pool, s, strlen(s));
    free(s);
    return p;
}

/* The first byte of a word loaded from memory is its lowest on little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DSN_WORDS_LE 1
#else
#define DSN_WORDS_LE 0
#endif

/* Byte -> its ASCII lowercase: one load where the compares run hot
 * (dsn_has_prefix, dsn_anchor). */
#define DSN_LC(c) ((unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define DSN_LC4(c) DSN_LC(c), DSN_LC(c + 1), DSN_LC(c + 2), DSN_LC(c + 3)
#define DSN_LC16(c) DSN_LC4(c), DSN_LC4(c + 4), DSN_LC4(c + 8), DSN_LC4(c + 12)
#define DSN_LC64(c) DSN_LC16(c), DSN_LC16(c + 16), DSN_LC16(c + 32), DSN_LC16(c + 48)
static const unsigned char dsn_lc_map[256] = {DSN_LC64(0), DSN_LC64(64), DSN_LC64(128),
                                              DSN_LC64(192)};

static int
dsn_lc(unsigned char c)
{
    return dsn_lc_map[c];
}

/* How common a byte is in notices, lowercased (0: rarest): a search is
 * anchored on the needle's rarest byte ("@" of an address, "y" of " by "),
 * so that memchr stops at few candidates, not at every space or "e". */
static const unsigned char dsn_commonness[256] = {
    [' '] = 40, ['e'] = 39, ['t'] = 38, ['a'] = 37, ['o'] = 36, ['i'] = 35,  ['n'] = 34,
    ['s'] = 33, ['h'] = 32, ['r'] = 31, ['d'] = 30, ['l'] = 29, ['c'] = 28,  ['u'] = 27,
    ['m'] = 26, ['w'] = 25, ['f'] = 24, ['g'] = 23, ['y'] = 22, ['p'] = 21,  ['b'] = 20,
    ['v'] = 19, ['k'] = 18, ['j'] = 17, ['x'] = 16, ['q'] = 15, ['z'] = 14,  ['\n'] = 30,
    ['.'] = 26, ['-'] = 20, ['0'] = 18, ['1'] = 18, ['2'] = 18, ['3'] = 18,  ['4'] = 18,
    ['5'] = 18, ['6'] = 18, ['7'] = 18, ['8'] = 18, ['9'] = 18, ['\r'] = 16, [':'] = 16,
};

/* Where the needle's rarest byte is (the first of equally rare ones). */
static size_t
dsn_anchor(const char *needle, size_t n)
{
    size_t k = 0;
    for (size_t j = 1; j < n; j++)
        if (dsn_commonness[dsn_lc((unsigned char)needle[j])] <
            dsn_commonness[dsn_lc((unsigned char)needle[k])])
            k = j;
    return k;
}

const char *
dsn_memcasemem(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return s;
    if (!s || n > len)
        return NULL;
    /* candidates: the anchor byte in either case, found with memchr; an
     * occurrence at p starts at p - k, and they come in order of start */
    size_t k = dsn_anchor(needle, n);
    int lo = dsn_lc((unsigned char)needle[k]);
    int up = lo >= 'a' && lo <= 'z' ? lo - 32 : lo;
    size_t last = len - n; /* the last possible start */
    const char *from = s + k, *end = s + k + last + 1;
    const char *pl = memchr(from, lo, last + 1);
    const char *pu = up != lo ? memchr(from, up, last + 1) : NULL;
    while (pl || pu) {
        const char *p = !pu || (pl && pl < pu) ? pl : pu;
        if (dsn_caseeq(p - k, needle, n))
            return p - k;
        const char *next = p + 1 < end ? memchr(p + 1, *p, (size_t)(end - p - 1)) : NULL;
        if (p == pl)
            pl = next;
        else
            pu = next;
    }
    return NULL;
}

bool
dsn_has_prefix(const char *s, size_t len, const char *prefix)
{
    for (size_t i = 0; prefix[i]; i++)
        if (i >= len || dsn_lc((unsigned char)s[i]) != dsn_lc((unsigned char)prefix[i]))
            return false;
    return true;
}

/* isspace() of the C locale (the only one the engine runs in), inline:
 * one compare for the common bytes, no table through a call. */
static bool
dsn_space(unsigned char c)
{
    return (c == ' ') | ((unsigned)(c - '\t') <= '\r' - '\t');
}

void
dsn_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n > 0 && dsn_space((unsigned char)p[0]))
        p++, n--;
    while (n > 0 && dsn_space((unsigned char)p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

/* Japanese MTAs write ISO-2022-JP (RFC 1468) into Diagnostic-Code and
 * notices without a charset: decode it when its escapes are there. */
static char *
dsn_iso2022_decode(const char *s, size_t len, size_t *out_len)
{
    if (!memmem(s, len, "\x1b$B", 3) && !memmem(s, len, "\x1b$@", 3))
        return NULL;
    iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 3 + 16;
    char *out = malloc(cap);
    char *in = (char *)s, *o = out;
    size_t inleft = len, outleft = cap - 1;
    while (out && inleft > 0) {
        if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1)
            break;
        if (outleft < 4)
            break;
        /* skip an undecodable byte and go on */
        *o++ = '?';
        outleft--;
        in++;
        inleft--;
    }
    iconv_close(cd);
    if (!out)
        return NULL;
    *out_len = (size_t)(o - out);
    out[*out_len] = '\0';
    return out;
}

/* Printable ASCII other than space (and DEL, which is copied as it is). */
static bool
dsn_plain_byte(unsigned char c)
{
    return c > 0x20 && c < 0x80;
}

/* Length of the leading run of plain bytes of s[0..len), eight at a time:
 * a word has none other when no byte has its high bit set or is below 0x21
 * (the borrow test is exact as a yes/no answer). */
static size_t
dsn_plain_run(const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (uint64_t v; i + 8 <= len; i += 8) {
        memcpy(&v, s + i, 8);
        if (((v | ((v - ones * 0x21) & ~v)) & highs) != 0)
            break;
    }
    while (i < len && dsn_plain_byte((unsigned char)s[i]))
        i++;
    return i;
}

/* From the end of a run of plain bytes at s[i], the runs that follow it
 * after a single space each: where the last ends. */
static size_t
dsn_spaced_run(const char *s, size_t len, size_t i)
{
    while (i + 1 < len && s[i] == ' ' && dsn_plain_byte((unsigned char)s[i + 1]))
        i += 1 + dsn_plain_run(s + i + 1, len - i - 1);
    return i;
}

/* The work of dsn_strclean on already-decoded text: one pass into a buffer
 * sized for the worst case (every byte invalid: 3 bytes of U+FFFD), never
 * more than max + 8 (the loop writes at most max + 2 bytes), trimmed to what
 * was written.  Every character is written only while 4 bytes of room are
 * left below max. */
static char *
dsn_strclean_raw(struct dsn_pool *pool, const char *s, size_t len, size_t max, bool collapse)
{
    dsn_trim(&s, &len);
    size_t cap = (len < max ? len : max) * 3 + 8;
    cap = cap < max + 8 ? cap : max + 8;
    char *out = dsn_pool_alloc(pool, cap);
    size_t w = 0;
    bool space = false;
    for (size_t i = 0; i < len && w < max;) {
        if (dsn_plain_byte((unsigned char)s[i])) {
            /* a run of plain bytes: copied at once, as far as room allows */
            if (space && w > 0)
                out[w++] = ' ';
            space = false;
            size_t run = dsn_plain_run(s + i, len - i);
            size_t lim = max < cap - 1 ? max : cap - 1; /* w + 4 <= max and w + 4 < cap */
            size_t room = w + 4 <= lim ? lim - 3 - w : 0;
            if (collapse && run < room && i + run < len && s[i + run] == ' ') {
                /* the words after it with single spaces between (most of a
                 * diagnostic) are their own collapsing: copied with it when
                 * all fit, as a copy word by word would leave them */
                size_t words = dsn_spaced_run(s + i, len - i, run);
                run = words <= room ? words : run;
            }
            size_t n = run < room ? run : room;
            memcpy(out + w, s + i, n);
            w += n;
            i += n;
            if (n < run)
                break;
            continue;
        }
        uint32_t cp;
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? (cp = c, 1) : utf8_decode(s + i, len - i, &cp);
        i += n;
        bool ws = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r';
        if (cp < 0x20 && !ws)
            cp = ' ', ws = true; /* NUL and friends never reach callers */
        if (collapse && ws) {
            space = true;
            continue;
        }
        if (space && w > 0)
            out[w++] = ' ';
        space = false;
        if (cp == '\r' && !collapse)
            cp = '\n';
        if (w + 4 > max || w + 4 >= cap)
            break;
        if (cp < 0x80) {
            out[w++] = (char)cp;
        } else if (n > 1) { /* utf8_decode() took a valid sequence: as it is */
            memcpy(out + w, s + i - n, n);
            w += n;
        } else if (cp == UTF8_REPLACEMENT) { /* an invalid byte: U+FFFD */
            memcpy(out + w, "\xef\xbf\xbd", 3);
            w += 3;
        }
    }
    if (w == 0) {
        dsn_pool_release(pool, out);
        return NULL;
    }
    out[w] = '\0';
    dsn_pool_trim(pool, out, w + 1);
    return out;
}

/* Eight bytes of a text dsn_already_clean() reads: printable ASCII or
 * spaces, no space after another (*before: the last byte before them was
 * one, bit 7). */
static bool
dsn_clean_word(uint64_t v, uint64_t *before)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80, low7 = ones * 0x7F;
    const uint64_t spaces = ones * 0x20;
    if (((v | ((v - spaces) & ~v)) & highs) != 0)
        return false;
    uint64_t x = v ^ spaces;
    uint64_t sp = ~(((x & low7) + low7) | x) & highs;
    if ((sp & (sp << 8 | *before)) != 0)
        return false;
    *before = sp >> 56;
    return true;
}

/* Is s[0..len) its own cleaning?  Printable ASCII words separated by
 * single spaces, trimmed, well below max (most field values, many
 * addresses): dsn_strclean_raw() would copy it as it is, after a call's
 * worth of set-up (trim, a buffer for the worst case, a run per word).
 * Eight bytes at a time: no control or 8-bit byte (the borrow test is exact
 * as a yes/no answer), then the spaces exactly, none after another. */
static bool
dsn_already_clean(const char *s, size_t len, size_t max)
{
    if (len == 0 || len + 4 > max || !dsn_plain_byte((unsigned char)s[0]) ||
        !dsn_plain_byte((unsigned char)s[len - 1]))
        return false;
    size_t i = 0;
    uint64_t before = 0; /* the byte before the word is a space: bit 7 */
    for (uint64_t v; i + 8 <= len; i += 8) {
        memcpy(&v, s + i, 8);
        if (!dsn_clean_word(v, &before))
            return false;
    }
    if (i == len)
        return true;
    if (len >= 8) {
        /* the last bytes: the last eight again (the tests are per byte and
         * per pair, testing some twice does no harm), not a byte at a time */
        uint64_t v;
        memcpy(&v, s + len - 8, 8);
        before = len > 8 && s[len - 9] == ' ' ? 0x80 : 0;
        return dsn_clean_word(v, &before);
    }
    for (bool space = false; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' ? space : !dsn_plain_byte(c))
            return false;
        space = c == ' ';
    }
    return true;
}

char *
dsn_strclean(const char *s, size_t len, size_t max, bool collapse)
{
    return dsn_strclean_in(NULL, s, len, max, collapse);
}

char *
dsn_strclean_in(struct dsn_pool *pool, const char *s, size_t len, size_t max, bool collapse)
{
    if (!s)
        return NULL;
    /* the white space around a field value (" Subject text") is trimmed
     * by both paths */
    const char *t = s;
    size_t tl = len;
    while (tl > 0 && (t[0] == ' ' || t[0] == '\t'))
        t++, tl--;
    while (tl > 0 && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
        tl--;
    if (dsn_already_clean(t, tl, max))
        return dsn_pool_strndup(pool, t, tl);
    size_t dlen;
    char *decoded = memchr(s, 0x1b, len) ? dsn_iso2022_decode(s, len, &dlen) : NULL;
    if (!decoded)
        return dsn_strclean_raw(pool, s, len, max, collapse);
    char *out = dsn_strclean_raw(pool, decoded, dlen, max, collapse);
    free(decoded);
    return out;
}

void
dsn_strip_comments(char *s)
{
    char *w = s;
    int depth = 0;
    bool quoted = false;
    for (char *r = s; *r; r++) {
        if (quoted) {
            if (*r == '\\' && r[1]) {
                *w++ = *r++;
            } else if (*r == '"') {
                quoted = false;
            }
            *w++ = *r;
            continue;
        }
        if (depth > 0) {
            if (*r == '\\' && r[1])
                r++;
            else if (*r == '(')
                depth++;
            else if (*r == ')')
                depth--;
            continue;
        }
        if (*r == '(') {
            depth = 1;
            continue;
        }
        if (*r == '"')
            quoted = true;
        *w++ = *r;
    }
    *w = '\0';
}

static bool
dsn_isdigit_at(const char *s, size_t len, size_t i)
{
    return i < len && s[i] >= '0' && s[i] <= '9';
}

/* Up to `max` digits at s[*i]; returns how many were read. */
static size_t
dsn_digits(const char *s, size_t len, size_t *i, size_t max)
{
    size_t n = 0;
    while (dsn_isdigit_at(s, len, *i) && n <= max) {
        (*i)++;
        n++;
    }
    return n;
}

size_t
dsn_status_at(const char *s, size_t len, size_t pos, char out[16])
{
    if (pos >= len || (s[pos] != '2' && s[pos] != '4' && s[pos] != '5'))
        return 0;
    if (pos > 0 && (isalnum((unsigned char)s[pos - 1]) || s[pos - 1] == '.'))
        return 0;
    size_t i = pos + 1;
    if (i >= len || s[i] != '.')
        return 0;
    i++;
    size_t a = dsn_digits(s, len, &i, 3);
    if (a == 0 || a > 3 || i >= len || s[i] != '.')
        return 0;
    i++;
    size_t b = dsn_digits(s, len, &i, 3);
    if (b == 0 || b > 3)
        return 0;
    /* "4.16.55.1" or "5.0.2.1" are versions and addresses, not codes */
    if (i < len && (isalpha((unsigned char)s[i]) || s[i] == '_'))
        return 0;
    if (i + 1 < len && s[i] == '.' && dsn_isdigit_at(s, len, i + 1))
        return 0;
    size_t n = i - pos;
    memcpy(out, s + pos, n);
    out[n] = '\0';
    return n;
}

/* Rank of the status code at pos: 0 "(#5.1.1)", 1 "550 5.1.1", 2 bare. */
static int
dsn_status_rank(const char *s, size_t pos)
{
    if (pos >= 2 && s[pos - 1] == '#' && s[pos - 2] == '(')
        return 0;
    size_t p = pos;
    if (p >= 1 && s[p - 1] == '#')
        p--;
    if (p >= 4 && (s[p - 1] == ' ' || s[p - 1] == '-') && isdigit((unsigned char)s[p - 2]) &&
        isdigit((unsigned char)s[p - 3]) && isdigit((unsigned char)s[p - 4]) &&
        (p == 4 || !isalnum((unsigned char)s[p - 5])))
        return 1;
    return 2;
}

/* Subject and detail both non-zero ("5.1.1", not "5.0.0" or "5.7.0"). */
bool
dsn_status_specific(const char *code)
{
    const char *a = strchr(code, '.');
    const char *b = a ? strchr(a + 1, '.') : NULL;
    return a && b && atoi(a + 1) != 0 && atoi(b + 1) != 0;
}

/* The next status code starting in [from, stop), found through its first
 * dot (codes are rare, dots are rarer than digits): its start, or SIZE_MAX;
 * the code is read up to len.  Positions inside a code never start one (a
 * digit or dot precedes them). */
static size_t
dsn_status_next_before(const char *s, size_t len, size_t from, size_t stop, char code[16],
                       size_t *n)
{
    size_t dots = stop < len ? stop + 1 : len;
    for (size_t d = from + 1; s && d < dots;) {
        const char *dot = memchr(s + d, '.', dots - d);
        if (!dot)
            break;
        size_t pos = (size_t)(dot - s) - 1;
        *n = dsn_status_at(s, len, pos, code);
        if (*n)
            return pos;
        d = pos + 2;
    }
    return SIZE_MAX;
}

/* The next status code starting at or after from. */
static size_t
dsn_status_next(const char *s, size_t len, size_t from, char code[16], size_t *n)
{
    return dsn_status_next_before(s, len, from, len, code, n);
}

bool
dsn_status_find_specific(const char *s, size_t len, const char *except, char out[16])
{
    int best = 99;
    char code[16];
    size_t n;
    for (size_t i = dsn_status_next(s, len, 0, code, &n); i != SIZE_MAX;
         i = dsn_status_next(s, len, i + n, code, &n)) {
        if (code[0] == '2' || !dsn_status_specific(code) ||
            (except && strcmp(code + 1, except + 1) == 0))
            continue;
        int rank = dsn_status_rank(s, i);
        if (rank < best) {
            best = rank;
            memcpy(out, code, sizeof code);
        }
    }
    return best != 99;
}

bool
dsn_status_find(const char *s, size_t len, char out[16])
{
    int best = 99;
    char code[16];
    size_t n;
    for (size_t i = dsn_status_next(s, len, 0, code, &n); i != SIZE_MAX;
         i = dsn_status_next(s, len, i + n, code, &n)) {
        int rank = dsn_status_rank(s, i);
        if (code[0] == '2')
            rank = 3; /* success codes only when nothing else is there */
        if (rank < best) {
            best = rank;
            memcpy(out, code, sizeof code);
            if (rank == 0)
                break;
        }
    }
    return best != 99;
}

bool
dsn_status_find_two(const char *s, size_t len, char any[16], char spec[16], bool *have_spec)
{
    int best = 99, best_spec = 99;
    char code[16];
    size_t n;
    /* neither can get better than rank 0 */
    for (size_t i = dsn_status_next(s, len, 0, code, &n); i != SIZE_MAX && (best || best_spec);
         i = dsn_status_next(s, len, i + n, code, &n)) {
        int rank = dsn_status_rank(s, i);
        if (code[0] != '2' && rank < best_spec && dsn_status_specific(code)) {
            best_spec = rank;
            memcpy(spec, code, sizeof code);
        }
        if (code[0] == '2')
            rank = 3; /* as dsn_status_find() ranks them */
        if (rank < best) {
            best = rank;
            memcpy(any, code, sizeof code);
        }
    }
    *have_spec = best_spec != 99;
    return best != 99;
}

bool
dsn_status_parse(const char *value, char out[16])
{
    if (!value)
        return false;
    size_t len = strlen(value);
    size_t i = 0;
    while (i < len && (isspace((unsigned char)value[i]) || value[i] == '"' || value[i] == '<' ||
                       value[i] == '#' || value[i] == '('))
        i++;
    return dsn_status_at(value, len, i, out) > 0;
}

/* Bytes of the word v in lo..hi: their high bits.  Each byte is tested on
 * its own 7 bits, no carry or borrow crosses bytes. */
static uint64_t
dsn_bytes_in(uint64_t v, unsigned char lo, unsigned char hi)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = ones * 0x7F;
    uint64_t x = v & low7;
    return (ones * (0x7F + hi + 1) - x) & (x + ones * (0x80 - lo)) & ~v & ones * 0x80;
}

/* The positions of s[0..8) where a reply code may start: a digit 2-5, a
 * digit 0-5, a digit (10 bytes read).  Most text has none: a search stops
 * at few places, not at every digit (dates, sizes, addresses). */
static uint64_t
dsn_reply_cands(const char *s)
{
    uint64_t v0, v1, v2;
    memcpy(&v0, s, 8);
    memcpy(&v1, s + 1, 8);
    memcpy(&v2, s + 2, 8);
    return dsn_bytes_in(v0, '2', '5') & dsn_bytes_in(v1, '0', '5') & dsn_bytes_in(v2, '0', '9');
}

/* Where the first reply code at or after from starts, or SIZE_MAX. */
static size_t
dsn_reply_scan(const char *s, size_t len, size_t from)
{
    for (size_t i = from; s && i + 3 <= len; i++) {
        for (; i + 10 <= len; i += 8) { /* a word at a time, to the first place that may */
            uint64_t m = dsn_reply_cands(s + i);
            if (m) {
                i += (size_t)(DSN_WORDS_LE ? __builtin_ctzll(m) : __builtin_clzll(m)) / 8;
                break;
            }
        }
        if (i + 3 > len)
            break;
        char c = s[i];
        if (c != '2' && c != '4' && c != '5')
            continue;
        if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '#' ||
                      s[i - 1] == '_' || s[i - 1] == '/' || s[i - 1] == '=' || s[i - 1] == '+'))
            continue;
        if (!isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]) ||
            s[i + 1] > '5')
            continue;
        if (i + 3 < len) {
            char d = s[i + 3];
            if (isalnum((unsigned char)d) || d == '_' || d == '@' || d == '/' || d == ':')
                continue;
            if (d == '.' && i + 4 < len && isdigit((unsigned char)s[i + 4]))
                continue; /* an IP address or a decimal number */
        }
        return i;
    }
    return SIZE_MAX;
}

int
dsn_reply_find(const char *s, size_t len)
{
    size_t i = dsn_reply_scan(s, len, 0);
    return i == SIZE_MAX ? 0 : (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
}

size_t
dsn_code_next(const char *s, size_t len, size_t from)
{
    /* reply codes first (a word at a time), then the status codes before */
    size_t reply = dsn_reply_scan(s, len, from), n;
    char code[16];
    size_t status = dsn_status_next_before(s, len, from, reply < len ? reply : len, code, &n);
    return status != SIZE_MAX ? status : reply;
}

/* What each byte may be in an address: DSN_ATEXT in a local part (RFC
 * 5322 atext, 8-bit bytes, the dot and, as strchr() found it in the atext
 * string, NUL; not '/' and '|', valid atext but in bounces they glue paths
 * and pipes to addresses: "/home/u/.forward/a@b", "|/bin/prog a@b"), and
 * DSN_DTEXT in a domain (letters, digits, 8-bit bytes, '-', '.', '_').
 * One load a byte where the address loops run. */
#define DSN_ATEXT 1
#define DSN_DTEXT 2
#define DSN_ALNUM(c)                                                                               \
    (((c) >= '0' && (c) <= '9') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z'))
#define DSN_AT(c)                                                                                  \
    ((DSN_ALNUM(c) || (c) >= 0x80 || (c) == 0 || (c) == '!' || (c) == '#' || (c) == '$' ||         \
              (c) == '%' || (c) == '&' || (c) == '\'' || (c) == '*' || (c) == '+' || (c) == '-' || \
              (c) == '=' || (c) == '?' || (c) == '^' || (c) == '_' || (c) == '`' || (c) == '{' ||  \
              (c) == '}' || (c) == '~' || (c) == '.'                                               \
          ? DSN_ATEXT                                                                              \
          : 0) |                                                                                   \
     (DSN_ALNUM(c) || (c) >= 0x80 || (c) == '-' || (c) == '.' || (c) == '_' ? DSN_DTEXT : 0))
#define DSN_AT4(c) DSN_AT(c), DSN_AT(c + 1), DSN_AT(c + 2), DSN_AT(c + 3)
#define DSN_AT16(c) DSN_AT4(c), DSN_AT4(c + 4), DSN_AT4(c + 8), DSN_AT4(c + 12)
#define DSN_AT64(c) DSN_AT16(c), DSN_AT16(c + 16), DSN_AT16(c + 32), DSN_AT16(c + 48)
static const unsigned char dsn_addr_chars[256] = {DSN_AT64(0), DSN_AT64(64), DSN_AT64(128),
                                                  DSN_AT64(192)};

size_t
dsn_addr_next(const char *s, size_t len, size_t from, size_t *alen)
{
    for (size_t at = from; s && at < len; at++) {
        const char *sign = memchr(s + at, '@', len - at);
        if (!sign)
            break;
        at = (size_t)(sign - s);
        size_t b = at;
        bool quoted = false;
        if (b > from && s[b - 1] == '"') {
            /* RFC 5321 quoted local part: "a..b"@example.org */
            size_t q = b - 1;
            while (q > from && s[q - 1] != '"' && s[q - 1] != '\n' && b - q < 64)
                q--;
            if (q > from && s[q - 1] == '"' && q + 1 < b) {
                b = q - 1;
                quoted = true;
            }
        }
        unsigned char high = 0; /* the local part's bytes, or'd: any 8-bit one? */
        while (!quoted && b > from && (dsn_addr_chars[(unsigned char)s[b - 1]] & DSN_ATEXT))
            high |= (unsigned char)s[--b];
        while (!quoted && b < at && (s[b] == '.' || s[b] == '\''))
            b++;
        size_t e = at + 1, first_dot = SIZE_MAX;
        unsigned char dhigh = 0;
        bool literal = e < len && s[e] == '[';
        if (literal) {
            while (e < len && s[e] != ']' && e - at < 64)
                e++;
            if (e >= len || s[e] != ']')
                continue;
            e++;
        } else {
            /* the domain's bytes or'd, and its first dot */
            for (; e < len && (dsn_addr_chars[(unsigned char)s[e]] & DSN_DTEXT); e++) {
                dhigh |= (unsigned char)s[e];
                first_dot = s[e] == '.' && first_dot == SIZE_MAX ? e : first_dot;
            }
            while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
                e--;
        }
        /* CJK text glued to an address ("宛先user@example.jp"): drop the
         * three-byte characters before an ASCII local part; two-byte ones
         * are letters of an RFC 6531 local part ("jörg").  Only a local
         * part with 8-bit bytes has any. */
        size_t ascii = at;
        while (!quoted && (high & 0x80) && ascii > b && (unsigned char)s[ascii - 1] < 0x80)
            ascii--;
        if (!quoted && ascii > b && ascii < at && ascii >= b + 3 &&
            ((unsigned char)s[ascii - 3] & 0xF0) == 0xE0)
            b = ascii;
        if (!literal && (dhigh & 0x80)) { /* only 8-bit bytes end a domain early */
            size_t dot = e;
            while (dot > at && s[dot - 1] != '.')
                dot--;
            for (size_t k = dot; k < e; k++)
                if ((unsigned char)s[k] >= 0x80) {
                    e = k;
                    break;
                }
        }
        if (b == at || e <= at + 1 || s[e - 1] == '.')
            continue;
        if (!literal && !(first_dot < e)) /* a dot left in the domain */
            continue;
        if (e - b > 320)
            continue;
        *alen = e - b;
        return b;
    }
    return SIZE_MAX;
}

/* RFC 6533 §3: utf-8-addr-xtext/unitext carry "\x{HHHH}" escapes. */
static void
dsn_addr_unescape(struct strbuf *out, const char *s)
{
    while (*s) {
        if (s[0] == '\\' && s[1] == 'x' && s[2] == '{') {
            char *end;
            unsigned long cp = strtoul(s + 3, &end, 16);
            if (*end == '}' && end > s + 3 && end - s <= 11 && cp > 0 && cp <= 0x10FFFF) {
                utf8_encode(out, (uint32_t)cp);
                s = end + 1;
                continue;
            }
        }
        strbuf_addc(out, *s++);
    }
}

char *
dsn_addr_clean(struct dsn_pool *pool, const char *value, char **type)
{
    if (type)
        *type = NULL;
    if (!value)
        return NULL;
    char *v = dsn_strclean(value, strlen(value), DSN_MAX_FIELD, true);
    if (!v)
        return NULL;
    char *body = v;
    char *semi = strchr(v, ';');
    if (semi) {
        size_t tl = (size_t)(semi - v);
        bool atom = tl > 0 && tl < 40 && !memchr(v, '@', tl) && !memchr(v, '<', tl);
        if (atom) {
            if (type) {
                const char *t = v;
                dsn_trim(&t, &tl);
                *type = tl ? dsn_pool_strndup(pool, t, tl) : NULL;
                for (char *p = *type; p && *p; p++)
                    *p = (char)dsn_lc((unsigned char)*p);
            }
            body = semi + 1;
        }
    }
    dsn_strip_comments(body);
    /* RFC 5321 §4.1.2 / Appendix C: drop an obsolete source route "@a,@b:" */
    if (body[strspn(body, " ")] == '@') {
        char *colon = strchr(body, ':');
        if (colon && strchr(colon, '@'))
            body = colon + 1;
    }
    char *lt = strchr(body, '<');
    char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) {
        body = lt + 1;
        *gt = '\0';
    }
    size_t bl = strlen(body);
    const char *b = body;
    dsn_trim(&b, &bl);
    while (bl >= 2 && ((b[0] == '"' && b[bl - 1] == '"') || (b[0] == '\'' && b[bl - 1] == '\''))) {
        b++;
        bl -= 2;
        dsn_trim(&b, &bl);
    }
    char *out = NULL;
    if (bl > 0 && !memchr(b, '\\', bl)) {
        out = dsn_pool_strndup(pool, b, bl); /* no "\x{HHHH}": as it is (v is valid UTF-8) */
    } else if (bl > 0) {
        struct strbuf sb = STRBUF_INIT;
        char *tmp = xstrndup(b, bl);
        dsn_addr_unescape(&sb, tmp);
        free(tmp);
        out = strbuf_detach(&sb, NULL);
        if (!utf8_valid(out, strlen(out))) {
            char *fixed = dsn_strclean_in(pool, out, strlen(out), DSN_MAX_FIELD, true);
            free(out);
            out = fixed;
        } else {
            out = dsn_pool_adopt(pool, out);
        }
    }
    free(v);
    return out;
}

size_t
dsn_ascii_span(const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    /* 32 bytes at a time while none stops (long ASCII notices), then eight:
     * a high bit, or a borrow out of a zero byte, stops */
    for (uint64_t w[4]; i + 32 <= len; i += 32) {
        memcpy(w, s + i, 32);
        if (((w[0] | (w[0] - ones)) | (w[1] | (w[1] - ones)) | (w[2] | (w[2] - ones)) |
             (w[3] | (w[3] - ones))) &
            highs)
            break;
    }
    for (uint64_t w; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        uint64_t stop = (w | (w - ones)) & highs;
        /* the lowest flag is exact (a borrow only runs up from a zero byte,
         * itself a stop): on little-endian, the first stopping byte */
        if (stop && DSN_WORDS_LE)
            return i + (size_t)__builtin_ctzll(stop) / 8;
        if (stop)
            break;
    }
    if (DSN_WORDS_LE && i < len && len >= 8) {
        /* the last bytes: the last eight (those before i are known to go on) */
        uint64_t w;
        memcpy(&w, s + len - 8, 8);
        uint64_t stop = (w | (w - ones)) & highs;
        return stop ? len - 8 + (size_t)__builtin_ctzll(stop) / 8 : len;
    }
    while (i < len && s[i] != '\0' && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

size_t
dsn_line_end(const char *s, size_t len, size_t pos, size_t *next)
{
    /* a line ends at LF, CR or CRLF: the first LF, then any CR before it,
     * a chunk at a time so that a text of CRs alone stays linear */
    size_t i = pos;
    while (i < len) {
        size_t chunk = len - i < 256 ? len - i : 256;
        const char *lf = memchr(s + i, '\n', chunk);
        const char *cr = memchr(s + i, '\r', lf ? (size_t)(lf - (s + i)) : chunk);
        if (cr || lf) {
            i = (size_t)((cr ? cr : lf) - s);
            break;
        }
        i += chunk;
    }
    size_t n = i;
    if (n < len && s[n] == '\r')
        n++;
    if (n < len && s[n] == '\n' && (n == i || s[i] == '\r'))
        n++;
    else if (n == i && n < len)
        n++;
    *next = n;
    return i;
}

bool
dsn_addr_valid(const char *a)
{
    size_t alen, len = a ? strlen(a) : 0;
    return len > 0 && dsn_addr_next(a, len, 0, &alen) == 0 && alen == len;
}
