/*
 * dsn-phrases.h - the phrase lists of the DSN engine (rows in
 * dsn-phrases.def) and the shape of the index that finds every phrase of a
 * group in one pass over a text (dsn-match.c).  Shared by the engine and by
 * its build-time generator (dsn-phrase-gen.c), which writes the table and the
 * indexes as static const data: nothing is built at run time.
 *
 * A group is the set of lists searched in the same text (the notice, a
 * header, a diagnostic); each list belongs to one group.
 */
#ifndef NIXIE_MAIL_DSN_PHRASES_H
#define NIXIE_MAIL_DSN_PHRASES_H

#include <stdbool.h>
#include <stdint.h>

#include "mail/dsn.h"

/* X(list, group, value kind): NONE, TAG (a string) or REASON (an enum dsn_reason). */
#define DSN_LISTS(X)                                                                               \
    X(STYLE, NOTICE, TAG)                                                                          \
    X(BODY, NOTICE, NONE)                                                                          \
    X(DELAY, NOTICE, NONE)                                                                         \
    X(FINAL, NOTICE, NONE)                                                                         \
    X(MARKER, MARKER, NONE)                                                                        \
    X(SUBJECT, HEADER, NONE)                                                                       \
    X(DAEMON, HEADER, NONE)                                                                        \
    X(AUTOREPLY, HEADER, NONE)                                                                     \
    X(CUE, CUE, TAG)                                                                               \
    X(SPECIFIC, REASON, REASON)                                                                    \
    X(GENERAL, REASON, REASON)                                                                     \
    X(RCPTWORD, LINE, NONE)                                                                        \
    X(MSGID, LINE, NONE)

#define DSN_GROUPS(X) X(NOTICE) X(MARKER) X(HEADER) X(CUE) X(REASON) X(LINE)

enum dsn_list {
#define DSN_LIST_ENUM(name, group, kind) DSN_LIST_##name,
    DSN_LISTS(DSN_LIST_ENUM)
#undef DSN_LIST_ENUM
        DSN_LIST_COUNT
};

enum dsn_group {
#define DSN_GROUP_ENUM(name) DSN_GROUP_##name,
    DSN_GROUPS(DSN_GROUP_ENUM)
#undef DSN_GROUP_ENUM
        DSN_GROUP_COUNT
};

/* One row of dsn-phrases.def. */
struct dsn_phrase {
    const char *text; /* lowercase; '*' = up to 64 bytes of one line */
    uint8_t len;
    uint8_t list;           /* enum dsn_list */
    bool glob;              /* has a '*' */
    enum dsn_reason reason; /* SPECIFIC, GENERAL rows */
    const char *tag;        /* STYLE: the source name; CUE: the SMTP command */
};

/* Phrases are indexed by their first three bytes (ASCII-lowercased), hashed
 * to DSN_INDEX_BITS bits.  For a hash h: bit h of `bits` says whether any
 * phrase of the group starts so; if it does, its slot is the number of set
 * bits before it (rank[h / 64] plus those in its word) and the phrases are
 * ids[start[slot] .. start[slot + 1]). */
#define DSN_INDEX_BITS 12
#define DSN_INDEX_WORDS ((1u << DSN_INDEX_BITS) / 64)

struct dsn_index {
    const uint64_t *bits;  /* DSN_INDEX_WORDS words */
    const uint16_t *rank;  /* DSN_INDEX_WORDS entries */
    const uint16_t *start; /* set bits + 1 entries */
    const uint16_t *ids;   /* indexes into the phrase table */
};

static inline unsigned char
dsn_fold(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* key = folded bytes b0 | b1 << 8 | b2 << 16 (Fibonacci hashing). */
static inline uint32_t
dsn_index_hash(uint32_t key)
{
    return (key * UINT32_C(0x9E3779B1)) >> (32 - DSN_INDEX_BITS);
}

#endif
