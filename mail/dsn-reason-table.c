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

/* Multi-line SMTP replies repeat the code on each line ("550-5.7.1 Messages
 * with multiple\n550-5.7.1 addresses in From"): drop the repeats after the
 * first line and collapse white space, so phrases match across lines. */
static size_t
dsn_unfold_reply(char *lc, size_t len)
{
    size_t w = 0;
    bool seen = false, space = false;
    for (size_t r = 0; r < len;) {
        bool tok = r + 4 <= len && (r == 0 || lc[r - 1] == ' ' || lc[r - 1] == '\n') &&
                   strchr("245", lc[r]) && isdigit((unsigned char)lc[r + 1]) &&
                   isdigit((unsigned char)lc[r + 2]) && (lc[r + 3] == '-' || lc[r + 3] == ' ');
        if (tok && seen) {
            char code[16];
            r += 4;
            size_t n = dsn_status_at(lc, len, r, code);
            r += n;
            space = true;
            continue;
        }
        seen |= tok;
        char c = lc[r++];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && w > 0)
            lc[w++] = ' ';
        space = false;
        lc[w++] = c;
    }
    lc[w] = '\0';
    return w;
}

void
dsn_words_init(struct dsn_words *w, const char *text, size_t len)
{
    if (!text)
        len = 0;
    if (len > DSN_MAX_DIAGNOSTIC)
        len = DSN_MAX_DIAGNOSTIC;
    char *lc = dsn_lower_dup(text ? text : "", len);
    /* typographic apostrophes ("wasn\u2019t") as ASCII */
    for (char *q = lc; (q = memmem(q, len - (size_t)(q - lc), "\xe2\x80\x99", 3)) != NULL;) {
        memmove(q + 1, q + 3, len - (size_t)(q + 3 - lc));
        len -= 2;
        *q = '\'';
        lc[len] = '\0';
    }
    w->lc = lc;
    w->len = dsn_unfold_reply(lc, len);
    const struct dsn_phrase *rows[DSN_LIST_COUNT];
    dsn_match_rows(DSN_GROUP_REASON, w->lc, w->len, rows);
    w->specific = rows[DSN_LIST_SPECIFIC];
    w->general = rows[DSN_LIST_GENERAL];
}

void
dsn_words_free(struct dsn_words *w)
{
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

enum dsn_reason
dsn_reason_from_text(const char *text, size_t len)
{
    struct dsn_words w;
    dsn_words_init(&w, text, len);
    enum dsn_reason r = dsn_words_reason(&w, true);
    if (r == DSN_REASON_UNDEFINED)
        r = dsn_words_reason(&w, false);
    dsn_words_free(&w);
    return r;
}
