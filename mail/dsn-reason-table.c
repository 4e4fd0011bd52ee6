/*
 * dsn-reason-table.c - a diagnostic prepared for the wording of delivery
 * failures (the SPECIFIC and GENERAL lists of dsn-phrases.def): lowercased,
 * typographic apostrophes made ASCII, multi-line SMTP replies unfolded, and
 * both lists looked up in one pass (dsn-match.c).  The specific list names
 * conditions that no status code expresses better (a full mailbox, a DMARC
 * rejection, spam, a rate limit) and is consulted before the status code;
 * the general list (an unknown user, a blocked client, a timeout) after the
 * firm codes.  Within a list the first row that matches wins.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"

/* "example.org does not exist": a domain, not a user, is missing. */
static bool
dsn_domain_missing(const char *lc, size_t len)
{
    static const char *const tails[] = {" does not exist", " doesn't exist"};
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        const char *p = memmem(lc, len, tails[k], strlen(tails[k]));
        if (!p)
            continue;
        const char *b = p;
        while (b > lc && !isspace((unsigned char)b[-1]) && b[-1] != '<')
            b--;
        size_t n = (size_t)(p - b);
        if (n > 3 && memchr(b, '.', n) && !memchr(b, '@', n) && isalpha((unsigned char)b[n - 1]))
            return true;
    }
    return false;
}

/* An SMTP reply code starting a line of a multi-line reply: "550-", "550 "
 * after a line break or space (a NUL counts as a code's first byte, as it
 * always has). */
static bool
dsn_reply_token(const char *lc, size_t len, size_t r)
{
    char c = lc[r];
    return r + 4 <= len && (r == 0 || lc[r - 1] == ' ' || lc[r - 1] == '\n') &&
           (c == '2' || c == '4' || c == '5' || c == '\0') && isdigit((unsigned char)lc[r + 1]) &&
           isdigit((unsigned char)lc[r + 2]) && (lc[r + 3] == '-' || lc[r + 3] == ' ');
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DSN_LITTLE_ENDIAN 1
#else
#define DSN_LITTLE_ENDIAN 0
#endif

static bool
dsn_white(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Byte -> its ASCII lowercase, or 0 where dsn_words_fill() must look
 * closer: white space, 0xE2 (a typographic apostrophe may start there) and
 * NUL itself. */
#define DSN_W(c)                                                                                   \
    ((unsigned char)((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == 0xE2 ? 0    \
                     : (c) >= 'A' && (c) <= 'Z' ? (c) + 32                                         \
                                                : (c)))
#define DSN_W4(c) DSN_W(c), DSN_W(c + 1), DSN_W(c + 2), DSN_W(c + 3)
#define DSN_W16(c) DSN_W4(c), DSN_W4(c + 4), DSN_W4(c + 8), DSN_W4(c + 12)
#define DSN_W64(c) DSN_W16(c), DSN_W16(c + 16), DSN_W16(c + 32), DSN_W16(c + 48)
static const unsigned char dsn_words_map[256] = {DSN_W64(0), DSN_W64(64), DSN_W64(128),
                                                 DSN_W64(192)};

/* The words of text[0..len) into out (len + 1 bytes): ASCII-lowercased,
 * typographic apostrophes ("wasn\u2019t") as ASCII, white space collapsed,
 * and the codes that multi-line SMTP replies repeat on each line ("550-5.7.1
 * Messages with multiple\n550-5.7.1 addresses in From") dropped after the
 * first line, so phrases match across lines.  One pass, a run of non-white
 * bytes at a time: a code can only start one (the tests on a code look at
 * digits, dots and white space, which lowercasing leaves alone).  Returns
 * the length. */
static size_t
dsn_words_fill(char *out, const char *t, size_t len)
{
    size_t w = 0;
    bool seen = false, space = false;
    for (size_t r = 0; r < len;) {
        if (dsn_white(t[r])) {
            space = true;
            r++;
            continue;
        }
        bool tok = dsn_reply_token(t, len, r);
        if (tok && seen) {
            char code[16];
            r += 4;
            r += dsn_status_at(t, len, r, code);
            space = true;
            continue;
        }
        seen |= tok;
        if (space && w > 0)
            out[w++] = ' ';
        space = false;
        /* eight bytes at a time while they are printable ASCII or spaces (no
         * high bit, no borrow below ' ': exact as a yes/no answer), their
         * own collapsing: single spaces (bytes the same as ' ' found exactly,
         * sums without carries between bytes), the last byte not one, and
         * no digit after one, where a reply code may start.  'A'..'Z' are
         * lowercased by the carries of two additions.  The bytes' order in
         * v is little-endian's (a space's next byte is 8 bits up). */
        for (uint64_t v; DSN_LITTLE_ENDIAN && r + 8 <= len; r += 8, w += 8) {
            const uint64_t ones = UINT64_C(0x0101010101010101);
            const uint64_t highs = UINT64_C(0x8080808080808080);
            memcpy(&v, t + r, 8);
            if ((v | (v - ones * 0x20)) & highs)
                break;
            uint64_t sp = ~((v ^ ones * 0x20) + ones * 0x7f) & highs;
            uint64_t digit = ((v + ones * (0x80 - '0')) ^ (v + ones * (0x80 - '9' - 1))) & highs;
            if (sp && ((sp & (sp >> 8 | digit >> 8 | highs << 56)) != 0))
                break;
            uint64_t upper = ((v + ones * (0x80 - 'A')) ^ (v + ones * (0x80 - 'Z' - 1))) & highs;
            v |= upper >> 2;
            memcpy(out + w, &v, 8);
        }
        while (r < len) {
            unsigned char c = (unsigned char)t[r], m = dsn_words_map[c];
            if (m != 0) { /* most bytes: one table load */
                out[w++] = (char)m;
                r++;
            } else if (dsn_white(t[r])) {
                break;
            } else if (c == 0xE2 && r + 2 < len && t[r + 1] == '\x80' && t[r + 2] == '\x99') {
                out[w++] = '\'';
                r += 3;
            } else { /* NUL, a lone 0xE2: as they are */
                out[w++] = (char)c;
                r++;
            }
        }
    }
    out[w] = '\0';
    return w;
}

/* Lowercased, apostrophes made ASCII, replies unfolded; nothing looked up. */
static void
dsn_words_prep(struct dsn_words *w, const char *text, size_t len)
{
    if (!text)
        len = 0;
    if (len > DSN_MAX_DIAGNOSTIC)
        len = DSN_MAX_DIAGNOSTIC;
    w->lc = len < sizeof w->small ? w->small : xmalloc(len + 1);
    w->len = dsn_words_fill(w->lc, text, len);
    w->specific = w->general = NULL;
}

void
dsn_words_reuse(struct dsn_words *w, const char *text, size_t len, const struct dsn_words *known)
{
    dsn_words_prep(w, text, len);
    /* the rows are a function of the words alone */
    if (known && known->lc && known->len == w->len && memcmp(known->lc, w->lc, w->len) == 0) {
        w->specific = known->specific;
        w->general = known->general;
        return;
    }
    const struct dsn_phrase *rows[DSN_LIST_COUNT];
    dsn_match_rows(DSN_GROUP_REASON, w->lc, w->len, rows);
    w->specific = rows[DSN_LIST_SPECIFIC];
    w->general = rows[DSN_LIST_GENERAL];
}

void
dsn_words_init(struct dsn_words *w, const char *text, size_t len)
{
    dsn_words_reuse(w, text, len, NULL);
}

void
dsn_words_free(struct dsn_words *w)
{
    if (w->lc != w->small)
        free(w->lc);
    w->lc = NULL;
}

enum dsn_reason
dsn_words_reason(const struct dsn_words *w, bool specific)
{
    if (w->len == 0)
        return DSN_REASON_UNDEFINED;
    if (specific)
        return w->specific ? w->specific->reason : DSN_REASON_UNDEFINED;
    if (dsn_domain_missing(w->lc, w->len))
        return DSN_REASON_HOSTUNKNOWN;
    enum dsn_reason found = w->general ? w->general->reason : DSN_REASON_UNDEFINED;
    if (found == DSN_REASON_UNDEFINED && memmem(w->lc, w->len, "does not exist", 14))
        found = DSN_REASON_USERUNKNOWN;
    return found;
}

bool
dsn_reason_any(struct dsn_words *w, const char *text, size_t len)
{
    /* every row looked up, not just one: the recipient's classification
     * most often reads the same words (dsn_words_reuse) */
    dsn_words_init(w, text, len);
    if (w->len == 0) /* what dsn_words_reason() would find */
        return false;
    return w->specific || w->general || memmem(w->lc, w->len, "does not exist", 14) ||
           dsn_domain_missing(w->lc, w->len);
}
