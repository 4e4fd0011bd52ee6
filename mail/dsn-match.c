/*
 * dsn-match.c - finds the phrases of dsn-phrases.def in a text: one pass
 * over the text finds every phrase of a group, whatever the number of
 * phrases.  At each position the three bytes there (ASCII-lowercased) are
 * hashed; the group's index (generated at build time, dsn-phrase-gen.c)
 * says at once whether any phrase starts so, and which ones to compare.
 *
 * Matching ignores ASCII case, so texts are searched as they are (no
 * lowercased copy).  A phrase matches only entirely inside s[0..len), as
 * memmem() would find it.  Pure functions of static const data.
 */
#include <stdint.h>
#include <string.h>

#include "mail/dsn-private.h"

#include "dsn-phrase-index.h"

/* '*' in a phrase: up to 64 bytes of anything, not across a line break. */
static bool
dsn_glob_at(const char *t, size_t tl, const char *p)
{
    while (*p) {
        if (*p == '*') {
            p++;
            while (*p == ' ')
                p++;
            for (size_t skip = 0; skip <= 64 && skip <= tl; skip++) {
                if (skip && t[skip - 1] == '\n')
                    break;
                if (dsn_glob_at(t + skip, tl - skip, p))
                    return true;
            }
            return false;
        }
        if (tl == 0 || dsn_fold((unsigned char)*t) != (unsigned char)*p)
            return false;
        t++, tl--, p++;
    }
    return true;
}

static bool
dsn_phrase_at(const struct dsn_phrase *ph, const char *t, size_t tl)
{
    if (ph->glob)
        return dsn_glob_at(t, tl, ph->text);
    if (ph->len > tl)
        return false;
    for (size_t i = 0; i < ph->len; i++)
        if (dsn_fold((unsigned char)t[i]) != (unsigned char)ph->text[i])
            return false;
    return true;
}

void
dsn_match_scan(enum dsn_group group, const char *s, size_t len, dsn_match_fn fn, void *arg)
{
    if (!s || len < 3)
        return;
    const struct dsn_index *ix = &dsn_indexes[group];
    const unsigned char *u = (const unsigned char *)s;
    uint32_t key = (uint32_t)dsn_fold(u[0]) << 8 | (uint32_t)dsn_fold(u[1]) << 16;
    for (size_t i = 0; i + 2 < len; i++) {
        key = key >> 8 | (uint32_t)dsn_fold(u[i + 2]) << 16;
        uint32_t h = dsn_index_hash(key);
        uint64_t word = ix->bits[h / 64];
        uint64_t below = word & ((UINT64_C(1) << (h % 64)) - 1);
        if (!((word >> (h % 64)) & 1))
            continue;
        unsigned slot = ix->rank[h / 64] + (unsigned)__builtin_popcountll(below);
        for (unsigned k = ix->start[slot]; k < ix->start[slot + 1]; k++) {
            const struct dsn_phrase *ph = &dsn_phrases[ix->ids[k]];
            if (dsn_phrase_at(ph, s + i, len - i) && !fn(arg, ph, i))
                return;
        }
    }
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

size_t
dsn_match_earliest(enum dsn_list list, const char *s, size_t len)
{
    struct dsn_match_one m = {list, true, NULL, SIZE_MAX};
    dsn_match_scan(dsn_list_group(list), s, len, dsn_match_one_fn, &m);
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
