/*
 * dsn-match.c - finds the phrases of dsn-phrases.def in a text: one pass
 * over the text finds every phrase of a group, whatever the number of
 * phrases.  Every stride-th position (every one for groups with very short
 * phrases) the four bytes there (the key) are looked up in the group's
 * bitmap of keys, which most positions miss at a dozen instructions; for
 * the others, the group's index (generated at build time by
 * dsn-phrase-gen.c, see dsn-phrases.h) lists the phrases filed under the
 * key's hash, each checked on its bytes from the key on, its first byte,
 * its first eight, then in full.  The shortest phrases are not indexed
 * (they would force a small stride): each is found through one of its
 * bytes with memchr.
 *
 * Matching ignores ASCII case, so texts are searched as they are (no
 * lowercased copy).  A phrase matches only entirely inside s[0..len), as
 * memmem() would find it; every occurrence is reported once, not
 * necessarily in order of position.  Pure functions of static const data.
 */
#include <stdint.h>
#include <string.h>

#include "mail/dsn-private.h"

#include "dsn-phrase-index.h"

_Static_assert(DSN_GROUP_NOTICE_ROWS <= DSN_NOTICE_MAX, "raise DSN_NOTICE_MAX");

/* ASCII lowercase of every byte, one load per byte in the scan loop. */
#define DSN_F(c) ((unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define DSN_F4(c) DSN_F(c), DSN_F(c + 1), DSN_F(c + 2), DSN_F(c + 3)
#define DSN_F16(c) DSN_F4(c), DSN_F4(c + 4), DSN_F4(c + 8), DSN_F4(c + 12)
#define DSN_F64(c) DSN_F16(c), DSN_F16(c + 16), DSN_F16(c + 32), DSN_F16(c + 48)
static const unsigned char dsn_fold_table[256] = {DSN_F64(0), DSN_F64(64), DSN_F64(128),
                                                  DSN_F64(192)};

/* '*' in a phrase: up to 64 bytes of anything, not across a line break. */
static bool
dsn_glob_at(const char *t, size_t tl, const char *p)
{
    while (*p) {
        if (*p == '*') {
            p++;
            while (*p == ' ')
                p++;
            size_t lim = tl < 64 ? tl + 1 : 65; /* skip < lim, not past an LF */
            unsigned char lead = (unsigned char)*p;
            if (lead && lead != '*') {
                /* the next literal byte must be there: one tight loop over
                 * the bytes (dsn_glob_at rows are checked at every hit) */
                size_t n = lim < tl ? lim : tl;
                const char *lf = memchr(t, '\n', n);
                n = lf ? (size_t)(lf - t) + 1 : n; /* the LF itself may be `lead` */
                for (size_t skip = 0; skip < n; skip++)
                    if (dsn_fold_table[(unsigned char)t[skip]] == lead &&
                        dsn_glob_at(t + skip, tl - skip, p))
                        return true;
                return false;
            }
            for (size_t skip = 0; skip < lim; skip++) {
                if (skip && t[skip - 1] == '\n')
                    break;
                if (dsn_glob_at(t + skip, tl - skip, p))
                    return true;
            }
            return false;
        }
        if (tl == 0 || dsn_fold_table[(unsigned char)*t] != (unsigned char)*p)
            return false;
        t++, tl--, p++;
    }
    return true;
}

/* Does the phrase occur at t?  head: the folded first bytes of t. */
static bool
dsn_phrase_at(const struct dsn_phrase *ph, uint64_t head, const char *t, size_t tl)
{
    if ((head & ph->mask) != ph->head)
        return false;
    if (ph->glob)
        return dsn_glob_at(t, tl, ph->text);
    size_t n = ph->len;
    if (n > tl)
        return false;
    /* eight bytes at a time, the last eight overlapping (the head had the first) */
    for (size_t i = 8; i < n; i += 8) {
        size_t at = i + 8 <= n ? i : n - 8;
        uint64_t tw, pw;
        memcpy(&tw, t + at, 8);
        memcpy(&pw, ph->text + at, 8);
        if (dsn_fold8(tw) != pw)
            return false;
    }
    return true;
}

/* Row id at s[i]?  Then tell fn (false: stop).  Out of the scan loop,
 * which then holds only a few values in registers. */
static __attribute__((noinline)) bool
dsn_match_row(unsigned id, const char *s, size_t len, size_t i, dsn_match_fn fn, void *arg)
{
    const struct dsn_phrase *ph = &dsn_phrases[id];
    return !dsn_phrase_at(ph, dsn_head(s + i, len - i), s + i, len - i) || fn(arg, ph, i);
}

/* The entries of the key at s[j] (its hash h): each names a row, where in
 * it the key is, its bytes from there (next: those of the text, as
 * dsn_next8() loads them) and its first byte.  False stops the scan. */
static inline bool
dsn_match_slot(const struct dsn_index *ix, uint32_t h, uint64_t next, const char *s, size_t len,
               size_t j, dsn_match_fn fn, void *arg)
{
    for (unsigned k = ix->start[h]; k < ix->start[h + 1]; k++) {
        const struct dsn_entry *e = &ix->ents[k];
        if (((next ^ e->next) << e->shift) == 0 && e->off <= j &&
            dsn_fold_table[(unsigned char)s[j - e->off]] == e->first &&
            !dsn_match_row(e->id, s, len, j - e->off, fn, arg))
            return false;
    }
    return true;
}

/* A short row (dsn-phrases.h) at every occurrence of its byte at `off`, in
 * either case, each found with memchr as dsn_memcasemem() does; the row is
 * checked where it would start (dsn_match_row: entirely in the text).
 * False stops the scan.  Out of dsn_match_scan(), whose loops keep their
 * registers. */
static __attribute__((noinline)) bool
dsn_match_short(const struct dsn_short *sh, const char *s, size_t len, dsn_match_fn fn, void *arg)
{
    unsigned char lo = (unsigned char)dsn_phrases[sh->id].text[sh->off];
    unsigned char up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
    const char *end = s + len;
    const char *pl = memchr(s + sh->off, lo, len - sh->off);
    const char *pu = up != lo ? memchr(s + sh->off, up, len - sh->off) : NULL;
    while (pl || pu) {
        const char *p = !pu || (pl && pl < pu) ? pl : pu;
        if (!dsn_match_row(sh->id, s, len, (size_t)(p - s) - sh->off, fn, arg))
            return false;
        const char *next = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (p == pl)
            pl = next;
        else
            pu = next;
    }
    return true;
}

/* The positions cand[0..n) whose key is in the bitmap, in the index.
 * False stops the scan.  Out of the sampling loop, which then holds only a
 * few values in registers. */
static __attribute__((noinline)) bool
dsn_match_cands(const struct dsn_index *ix, const size_t *cand, size_t n, const char *s, size_t len,
                dsn_match_fn fn, void *arg)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t k = 0; k < n; k++) {
        size_t j = cand[k];
        uint32_t h = dsn_index_hash(dsn_key4(u + j));
        if (!dsn_match_slot(ix, h, dsn_next8(u + j, len - j), s, len, j, fn, arg))
            return false;
    }
    return true;
}

/* Sampled positions per block. */
#define DSN_BLOCK 128

/* Every stride-th position: a block at a time, those whose key is in the
 * bitmap are collected without a branch (whether one is, is
 * unpredictable; most are not), then looked up in the index.  False stops
 * the scan. */
static bool
dsn_match_sampled(const struct dsn_index *ix, const char *s, size_t len, dsn_match_fn fn, void *arg)
{
    const unsigned char *u = (const unsigned char *)s;
    const uint64_t *bits = ix->bits;
    const size_t stride = ix->stride, end = len - 3; /* four bytes at i < end */
    size_t cand[DSN_BLOCK], i = 0;
    while (i < end) {
        size_t stop = end - i > stride * DSN_BLOCK ? i + stride * DSN_BLOCK : end, n = 0;
        for (; i < stop; i += stride) {
            uint32_t b = dsn_bits_hash(dsn_key4(u + i));
            cand[n] = i;
            n += bits[b / 64] >> (b % 64) & 1;
        }
        if (n && !dsn_match_cands(ix, cand, n, s, len, fn, arg))
            return false;
    }
    if (i != end)
        return true;
    /* the last three bytes: no fourth one (keys with any fourth byte have
     * this one too) */
    unsigned char last[4] = {u[end], u[end + 1], u[end + 2], 0};
    return dsn_match_slot(ix, dsn_index_hash(dsn_key4(last)), dsn_next8(last, 3), s, len, end, fn,
                          arg);
}

void
dsn_match_scan(enum dsn_group group, const char *s, size_t len, dsn_match_fn fn, void *arg)
{
    if (!s || len < 3)
        return;
    const struct dsn_index *ix = &dsn_indexes[group];
    for (unsigned k = 0; k < ix->nshorts; k++)
        if (!dsn_match_short(&ix->shorts[k], s, len, fn, arg))
            return;
    dsn_match_sampled(ix, s, len, fn, arg);
}

static enum dsn_group
dsn_list_group(enum dsn_list list)
{
    static const enum dsn_group groups[] = {
#define DSN_LIST_GROUP(name, group, kind) DSN_GROUP_##group,
        DSN_LISTS(DSN_LIST_GROUP)
#undef DSN_LIST_GROUP
    };
    return groups[list];
}

/* at[] (from the first row of list's group) from the list's first row. */
static const uint32_t *
dsn_list_at(const uint32_t *at, enum dsn_list list)
{
    return at + (dsn_list_first[list] - dsn_group_first[dsn_list_group(list)]);
}

/* Where a row starts (at: found there, len: its length), if the phrase
 * lies entirely in [0, end); or SIZE_MAX.  No branch: most rows are
 * absent. */
static size_t
dsn_row_at(uint32_t at, uint8_t len, size_t end)
{
    return at != UINT32_MAX && (size_t)at + len <= end ? at : SIZE_MAX;
}

const struct dsn_phrase *
dsn_rows_first(const uint32_t *at, enum dsn_list list, size_t end)
{
    const uint32_t *a = dsn_list_at(at, list);
    unsigned first = dsn_list_first[list], n = dsn_list_first[list + 1] - first;
    for (unsigned k = 0; k < n; k++)
        if (dsn_row_at(a[k], dsn_phrase_lens[first + k], end) != SIZE_MAX)
            return &dsn_phrases[first + k];
    return NULL;
}

size_t
dsn_rows_earliest(const uint32_t *at, enum dsn_list list, size_t end)
{
    const uint32_t *a = dsn_list_at(at, list);
    unsigned first = dsn_list_first[list], n = dsn_list_first[list + 1] - first;
    size_t best = SIZE_MAX;
    for (unsigned k = 0; k < n; k++) {
        size_t x = dsn_row_at(a[k], dsn_phrase_lens[first + k], end);
        best = x < best ? x : best;
    }
    return best;
}

const struct dsn_phrase *
dsn_phrase_row(unsigned id)
{
    return id < DSN_PHRASE_COUNT ? &dsn_phrases[id] : NULL;
}

unsigned
dsn_list_first_row(enum dsn_list list)
{
    return dsn_list_first[list];
}

unsigned
dsn_list_end_row(enum dsn_list list)
{
    return dsn_list_first[list + 1];
}

unsigned
dsn_group_first_row(enum dsn_group group)
{
    return dsn_group_first[group];
}

/* What one scan for one list keeps. */
struct dsn_match_one {
    enum dsn_list list;
    bool stop_first;               /* stop at the first match */
    const struct dsn_phrase *best; /* any: the first found; first: the lowest row */
    size_t at;                     /* where `best` starts */
};

static bool
dsn_match_one_fn(void *arg, const struct dsn_phrase *ph, size_t at)
{
    struct dsn_match_one *m = arg;
    if (ph->list != m->list)
        return true;
    if (!m->best || ph < m->best) {
        m->best = ph;
        m->at = at;
    }
    return !m->stop_first;
}

bool
dsn_match_any(enum dsn_list list, const char *s, size_t len)
{
    struct dsn_match_one m = {list, true, NULL, SIZE_MAX};
    dsn_match_scan(dsn_list_group(list), s, len, dsn_match_one_fn, &m);
    return m.best != NULL;
}

static bool
dsn_match_earliest_fn(void *arg, const struct dsn_phrase *ph, size_t at)
{
    struct dsn_match_one *m = arg;
    if (ph->list == m->list && at < m->at) {
        m->best = ph;
        m->at = at;
    }
    return true;
}

size_t
dsn_match_earliest(enum dsn_list list, const char *s, size_t len)
{
    struct dsn_match_one m = {list, false, NULL, SIZE_MAX};
    dsn_match_scan(dsn_list_group(list), s, len, dsn_match_earliest_fn, &m);
    return m.at;
}

const struct dsn_phrase *
dsn_match_first(enum dsn_list list, const char *s, size_t len)
{
    struct dsn_match_one m = {list, false, NULL, SIZE_MAX};
    dsn_match_scan(dsn_list_group(list), s, len, dsn_match_one_fn, &m);
    return m.best;
}

static bool
dsn_match_last_fn(void *arg, const struct dsn_phrase *ph, size_t at)
{
    struct dsn_match_one *m = arg;
    if (ph->list == m->list && (!m->best || at > m->at || (at == m->at && ph < m->best))) {
        m->best = ph;
        m->at = at;
    }
    return true;
}

const struct dsn_phrase *
dsn_match_last(enum dsn_list list, const char *s, size_t len)
{
    struct dsn_match_one m = {list, false, NULL, SIZE_MAX};
    dsn_match_scan(dsn_list_group(list), s, len, dsn_match_last_fn, &m);
    return m.best;
}

static bool
dsn_match_rows_fn(void *arg, const struct dsn_phrase *ph, size_t at)
{
    const struct dsn_phrase **rows = arg;
    (void)at;
    if (!rows[ph->list] || ph < rows[ph->list])
        rows[ph->list] = ph;
    return true;
}

void
dsn_match_rows(enum dsn_group group, const char *s, size_t len,
               const struct dsn_phrase *rows[DSN_LIST_COUNT])
{
    for (int i = 0; i < DSN_LIST_COUNT; i++)
        rows[i] = NULL;
    dsn_match_scan(group, s, len, dsn_match_rows_fn, (void *)rows);
}
