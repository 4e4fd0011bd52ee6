/*
 * dsn-phrases.h - the phrase lists of the DSN engine (rows in
 * dsn-phrases.def) and the shape of the index that finds every phrase of a
 * group in one pass over a text (dsn-match.c).  Shared by the engine and by
 * its build-time generator (dsn-phrase-gen.c), which writes the table and the
 * indexes as static const data: nothing is built at run time.
 *
 * A group is the set of lists searched in the same text (the notice, a
 * header, a diagnostic); each list belongs to one group.  FINAL is read only
 * when a notice has delay wording: its own group (VERDICT) keeps its short
 * phrases ("failed") from shrinking the stride of the NOTICE scan.
 */
#ifndef NIXIE_MAIL_DSN_PHRASES_H
#define NIXIE_MAIL_DSN_PHRASES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mail/dsn.h"

/* X(list, group, value kind): NONE, TAG (a string) or REASON (an enum
 * dsn_reason).  The rows of a list, and the lists of a group, are contiguous
 * in dsn-phrases.def (the generator checks). */
#define DSN_LISTS(X)                                                                               \
    X(STYLE, NOTICE, TAG)                                                                          \
    X(BODY, NOTICE, NONE)                                                                          \
    X(DELAY, NOTICE, NONE)                                                                         \
    X(MARKER, NOTICE, NONE)                                                                        \
    X(FIELD, NOTICE, NONE)                                                                         \
    X(JSON, NOTICE, NONE)                                                                          \
    X(QUOTED, NOTICE, NONE)                                                                        \
    X(FINAL, VERDICT, NONE)                                                                        \
    X(SUBJECT, HEADER, NONE)                                                                       \
    X(DAEMON, HEADER, NONE)                                                                        \
    X(AUTOREPLY, HEADER, NONE)                                                                     \
    X(CUE, CUE, TAG)                                                                               \
    X(SPECIFIC, REASON, REASON)                                                                    \
    X(GENERAL, REASON, REASON)                                                                     \
    X(RCPTWORD, LINE, NONE)                                                                        \
    X(MSGID, LINE, NONE)

#define DSN_GROUPS(X) X(NOTICE) X(VERDICT) X(HEADER) X(CUE) X(REASON) X(LINE)

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
    uint64_t head;    /* its first (up to 8) bytes before any '*', as dsn_head() loads them */
    uint64_t mask;    /* the bytes of head that count */
    uint16_t id;      /* row number */
    uint8_t len;
    uint8_t list;           /* enum dsn_list */
    bool glob;              /* has a '*' */
    enum dsn_reason reason; /* SPECIFIC, GENERAL rows */
    const char *tag;        /* STYLE: the source name; CUE: the SMTP command */
};

/* Phrases are indexed by four bytes, as dsn_key4() loads them.  Every
 * indexed phrase of a group has at least stride + 2 bytes before any '*',
 * so a scan looks at every stride-th position only: a phrase is filed under
 * its bytes at `stride` consecutive offsets (where the index is emptiest,
 * chosen by the generator), and a sampled position meets each occurrence at
 * exactly one of them.  Where those bytes end the literal part, the fourth
 * is any byte: the entry is filed under the hash of each key it can have.
 * Keys hash to DSN_INDEX_BITS bits; the entries of hash h are
 * [start[h], start[h + 1]), in row order, each with the (up to eight)
 * literal bytes of its row from the key on (dsn_next8): many rows share a
 * key ("deli"), and these bytes tell most of them apart.
 *
 * Phrases of only DSN_SHORT_LITERAL bytes before any '*' ("rbl",
 * "to:", "://") would force a stride of 1 on their whole group: they are
 * not indexed but found on their own, through one of their bytes
 * (`shorts`: row id and the offset of that byte, a rare one, chosen by the
 * generator).
 *
 * Before the index, a scan tests the key at a sampled position in `bits`,
 * a bitmap of 2^DSN_BITS_BITS bits (8 KiB) of the keys of every entry,
 * hashed by the same product as the index (its top DSN_BITS_BITS bits).
 * Most sampled positions miss there, and the index is looked at only for
 * the others (and for the last three bytes of a text). */
#define DSN_INDEX_BITS 12
#define DSN_BITS_BITS 16
#define DSN_INDEX_MAX_STRIDE 8
#define DSN_SHORT_LITERAL 3
#define DSN_SHORT_MAX 4 /* per group */

struct dsn_short {
    uint16_t id;
    uint8_t off;
};

/* One place of one row in the index (16 bytes). */
struct dsn_entry {
    uint64_t next; /* the row's literal bytes from the key on, as dsn_next8() loads them */
    uint16_t id;   /* row of the phrase table */
    uint8_t off;   /* where in the row the key is */
    uint8_t first; /* the row's first byte (a quick check) */
    uint8_t shift; /* 64 - 8 * (bytes of `next` that count, 3 .. 8) */
};

struct dsn_index {
    const uint16_t *start;        /* (1 << DSN_INDEX_BITS) + 1 entries */
    const struct dsn_entry *ents; /* by hash, then row */
    const uint64_t *bits;         /* 2^DSN_BITS_BITS bits: keys present */
    unsigned stride;              /* 1 .. DSN_INDEX_MAX_STRIDE */
    struct dsn_short shorts[DSN_SHORT_MAX];
    unsigned nshorts;
};

static inline unsigned char
dsn_fold(unsigned char c)
{
    return (unsigned char)(c + (((unsigned)c - 'A' < 26u) << 5));
}

/* The four bytes at u in one load, each with bit 5 set: the key of the
 * index.  Not a case fold (it merges more than the cases of letters), but
 * a text byte that folds to a phrase byte has that byte's key, so an index
 * of phrase keys misses no occurrence. */
static inline uint32_t
dsn_key4(const unsigned char *u)
{
    uint32_t w;
    memcpy(&w, u, 4);
    return w | UINT32_C(0x20202020);
}

/* The eight bytes at u (zero-padded past len), each with bit 5 set, as
 * dsn_key4(): what an index entry's `next` bytes are compared with. */
static inline uint64_t
dsn_next8(const unsigned char *u, size_t len)
{
    uint64_t w = 0;
    if (len >= 8)
        memcpy(&w, u, 8); /* one load */
    else
        memcpy(&w, u, len);
    return w | UINT64_C(0x2020202020202020);
}

/* Fibonacci hashing of a key: the top bits of the product. */
static inline uint32_t
dsn_key_mix(uint32_t key4)
{
    return key4 * UINT32_C(0x9E3779B1);
}

/* The index hash and the bitmap bit of a key. */
static inline uint32_t
dsn_index_hash(uint32_t key4)
{
    return dsn_key_mix(key4) >> (32 - DSN_INDEX_BITS);
}

static inline uint32_t
dsn_bits_hash(uint32_t key4)
{
    return dsn_key_mix(key4) >> (32 - DSN_BITS_BITS);
}

/* The eight bytes of w ASCII-lowercased all at once: a byte in 'A'..'Z'
 * gets 0x20 added. */
static inline uint64_t
dsn_fold8(uint64_t w)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t low7 = w & ~highs; /* + 0x3F and + 0x25 carry into bit 7 of no other byte */
    uint64_t ge_a = low7 + ones * (0x80 - 'A');
    uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
    return w | ((ge_a & ~gt_z & ~w & highs) >> 2);
}

/* The first (up to) eight bytes of s[0..len), zero-padded, folded. */
static inline uint64_t
dsn_head(const char *s, size_t len)
{
    uint64_t w = 0;
    if (len >= 8)
        memcpy(&w, s, 8); /* one load */
    else
        memcpy(&w, s, len);
    return dsn_fold8(w);
}

#endif
