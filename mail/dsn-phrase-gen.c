/*
 * dsn-phrase-gen.c - build-time generator (not part of the library): writes
 * dsn-phrase-index.h, the phrase table of dsn-phrases.def, where each list
 * and group starts in it, and per group of lists the index dsn-match.c scans
 * texts with (dsn-phrases.h describes it).  Checks the rows on the way:
 * lowercase, at least three bytes before any '*', at most 255 bytes, lists
 * contiguous and in order; a bad row fails the build.
 *
 * usage: nixie-dsn-phrase-gen OUTPUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/dsn-phrases.h"

struct gen_row {
    enum dsn_list list;
    const char *text;
    const char *literal; /* the phrase as written in the .def */
    const char *value;   /* the value as written, or NULL */
};

static const struct gen_row gen_rows[] = {
#define DSN_P(list, text) {DSN_LIST_##list, text, #text, NULL},
#define DSN_V(list, value, text) {DSN_LIST_##list, text, #text, #value},
#include "mail/dsn-phrases.def"
#undef DSN_P
#undef DSN_V
};
#define GEN_NROWS (sizeof gen_rows / sizeof gen_rows[0])

static const char *const gen_list_names[] = {
#define GEN_LIST_NAME(name, group, kind) #name,
    DSN_LISTS(GEN_LIST_NAME)
#undef GEN_LIST_NAME
};
static const enum dsn_group gen_list_group[] = {
#define GEN_LIST_GROUP(name, group, kind) DSN_GROUP_##group,
    DSN_LISTS(GEN_LIST_GROUP)
#undef GEN_LIST_GROUP
};
enum gen_kind { GEN_NONE, GEN_TAG, GEN_REASON };
static const enum gen_kind gen_list_kind[] = {
#define GEN_LIST_KIND(name, group, kind) GEN_##kind,
    DSN_LISTS(GEN_LIST_KIND)
#undef GEN_LIST_KIND
};
static const char *const gen_group_names[] = {
#define GEN_GROUP_NAME(name) #name,
    DSN_GROUPS(GEN_GROUP_NAME)
#undef GEN_GROUP_NAME
};

/* Bytes before any '*' (what dsn_glob_at compares literally). */
static size_t
gen_literal_len(const char *t)
{
    const char *star = strchr(t, '*');
    return star ? (size_t)(star - t) : strlen(t);
}

static int
gen_check(size_t i)
{
    const struct gen_row *r = &gen_rows[i];
    size_t lead = gen_literal_len(r->text);
    while (lead > 0 && r->text[lead - 1] == ' ')
        lead--;
    for (const char *p = r->text; *p; p++)
        if (*p >= 'A' && *p <= 'Z') {
            fprintf(stderr, "dsn-phrases.def: %s is not lowercase\n", r->literal);
            return -1;
        }
    /* a list's rows together, lists in the order of DSN_LISTS (so groups are too) */
    bool ordered = i == 0 || gen_rows[i - 1].list <= r->list;
    if (lead < 3 || strlen(r->text) > 255 || !ordered ||
        (gen_list_kind[r->list] != GEN_NONE) != (r->value != NULL)) {
        fprintf(stderr, "dsn-phrases.def: bad or misplaced row %s in %s\n", r->literal,
                gen_list_names[r->list]);
        return -1;
    }
    return 0;
}

/* The index hash of the four bytes at t (t[3] may end the literal part:
 * the cost of filling the index, not where an entry goes). */
static uint32_t
gen_hash(const char *t)
{
    return dsn_index_hash(dsn_key4((const unsigned char *)t));
}

/* head and mask of a row, loaded exactly as dsn_head() loads text. */
static void
gen_head(const char *t, unsigned long long *head, unsigned long long *mask)
{
    size_t n = gen_literal_len(t);
    unsigned char ff[8] = {0};
    memset(ff, 0xFF, n < 8 ? n : 8);
    uint64_t m;
    memcpy(&m, ff, 8);
    *head = dsn_head(t, n < 8 ? n : 8);
    *mask = m;
}

static void
gen_table(FILE *out)
{
    fprintf(out, "static const struct dsn_phrase dsn_phrases[DSN_PHRASE_COUNT] = {\n");
    for (size_t i = 0; i < GEN_NROWS; i++) {
        const struct gen_row *r = &gen_rows[i];
        unsigned long long head, mask;
        gen_head(r->text, &head, &mask);
        fprintf(out, "    {%s, 0x%016llxu, 0x%016llxu, %zu, %zu, DSN_LIST_%s, %s, ", r->literal,
                head, mask, i, strlen(r->text), gen_list_names[r->list],
                strchr(r->text, '*') ? "true" : "false");
        if (gen_list_kind[r->list] == GEN_REASON)
            fprintf(out, "DSN_REASON_%s, NULL},\n", r->value);
        else if (gen_list_kind[r->list] == GEN_TAG)
            fprintf(out, "DSN_REASON_UNDEFINED, %s},\n", r->value);
        else
            fprintf(out, "DSN_REASON_UNDEFINED, NULL},\n");
    }
    fprintf(out, "};\n\n");
    /* the lengths again, dense: dsn_rows_earliest() reads a list's at once */
    fprintf(out, "static const uint8_t dsn_phrase_lens[DSN_PHRASE_COUNT] = {");
    for (size_t i = 0; i < GEN_NROWS; i++)
        fprintf(out, "%s%zu,", i % 16 ? " " : "\n    ", strlen(gen_rows[i].text));
    fprintf(out, "\n};\n\n");
}

/* One index array; v holds n values of `width` bytes (uint8_t or uint16_t). */
static void
gen_array(FILE *out, const char *name, const char *group, const void *v, size_t width, size_t n)
{
    fprintf(out, "static const uint%zu_t dsn_ix_%s_%s[%zu] = {", width * 8, group, name, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned x = width == 1 ? ((const uint8_t *)v)[i] : ((const uint16_t *)v)[i];
        fprintf(out, "%s%u,", i % 16 ? " " : "\n    ", x);
    }
    fprintf(out, "%s\n};\n", n ? "" : "0");
}

/* Is row i indexed in its group (not a short row, found on its own)? */
static bool
gen_indexed(size_t i, enum dsn_group g)
{
    return gen_list_group[gen_rows[i].list] == g &&
           gen_literal_len(gen_rows[i].text) > DSN_SHORT_LITERAL;
}

/* The group's stride: every indexed phrase has at least stride + 2 literal
 * bytes, so sampling every stride-th position meets each occurrence once. */
static unsigned
gen_stride(enum dsn_group g)
{
    size_t min = 255;
    for (size_t i = 0; i < GEN_NROWS; i++)
        if (gen_indexed(i, g) && gen_literal_len(gen_rows[i].text) < min)
            min = gen_literal_len(gen_rows[i].text);
    return min - 2 < DSN_INDEX_MAX_STRIDE ? (unsigned)(min - 2) : DSN_INDEX_MAX_STRIDE;
}

/* Rarity of a byte in English text, higher is rarer: a short row is found
 * through its rarest byte (the fewer hits, the fewer checks). */
static int
gen_rarity(unsigned char c)
{
    static const char common[] = " etaoinshrdlcumwfgypbvkjxqz";
    const char *p = memchr(common, c, sizeof common - 1);
    return p ? (int)(p - common) : (int)sizeof common;
}

/* The short rows of group g: { id, offset of the byte to search }. */
static int
gen_shorts(enum dsn_group g, char *out, size_t cap)
{
    size_t n = 0, used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < GEN_NROWS; i++) {
        if (gen_list_group[gen_rows[i].list] != g || gen_indexed(i, g))
            continue;
        unsigned best = 0;
        for (unsigned o = 1; o < gen_literal_len(gen_rows[i].text); o++)
            if (gen_rarity((unsigned char)gen_rows[i].text[o]) >
                gen_rarity((unsigned char)gen_rows[i].text[best]))
                best = o;
        used += (size_t)snprintf(out + used, cap - used, "{%zu, %u}, ", i, best);
        if (++n > DSN_SHORT_MAX || used >= cap) {
            fprintf(stderr, "dsn-phrases.def: too many short rows in %s\n", gen_group_names[g]);
            return -1;
        }
    }
    if (n == 0)
        snprintf(out, cap, "{0, 0}"); /* C11: no empty initializer */
    return (int)n;
}

/* In how many phrases of group g (literal parts) the three bytes at t occur:
 * bytes many phrases share ("mai" of "mailbox ...") are common in texts too,
 * and every text that has them makes candidates of all those phrases. */
static unsigned
gen_sharing(enum dsn_group g, const char *t)
{
    unsigned n = 0;
    for (size_t i = 0; i < GEN_NROWS; i++) {
        const char *p = gen_rows[i].text;
        size_t lit = gen_literal_len(p);
        if (gen_list_group[gen_rows[i].list] != g)
            continue;
        for (size_t k = 0; k + 3 <= lit; k++)
            if (memcmp(p + k, t, 3) == 0) {
                n++;
                break;
            }
    }
    return n;
}

/* How often the three bytes at t may be expected in a text, beyond the
 * phrases: punctuation and digits come in runs ("-----" of MIME boundaries
 * and separator lines, "====", "...") that would meet every phrase filed
 * under them ("------ original message" under "---") at each sample. */
static unsigned
gen_commonness(const char *t)
{
    unsigned n = 0;
    for (int k = 0; k < 3; k++) {
        unsigned char c = (unsigned char)t[k];
        if (!(c >= 'a' && c <= 'z') && c != ' ')
            n += 16;
    }
    return n;
}

/* Are the four bytes at t (`left` literal bytes there) among the most
 * frequent in English text?  The bitmap lets them through at every
 * occurrence. */
static bool
gen_common4(const char *t, size_t left)
{
    static const char *const common[] = {
        " the", "the ", " to ", " of ", " and", "and ", "ing ", "tion", " you", "you ",
        "this", " is ", "ion ", " in ", "ent ", "that", " for", "for ", "ed t", "e th",
        "her ", " not", " be ", "s to", "d th", "ter ", "n th", " thi", "ould", "is n",
    };
    if (left < 4)
        return false;
    for (size_t k = 0; k < sizeof common / sizeof common[0]; k++)
        if (memcmp(t, common[k], 4) == 0)
            return true;
    return false;
}

/* Where each row of group g is filed: offsets off[i] .. off[i] + stride - 1
 * (each sampled position meets an occurrence at exactly one of them).  The
 * window is chosen greedily, shortest phrases first, for bytes few other
 * phrases share, where the index is emptiest, and whose four-byte keys
 * texts seldom have. */
static void
gen_windows(enum dsn_group g, unsigned stride, unsigned *off)
{
    static unsigned fill[1u << DSN_INDEX_BITS];
    memset(fill, 0, sizeof fill);
    for (size_t want = 3; want <= 255; want++)
        for (size_t i = 0; i < GEN_NROWS; i++) {
            const char *p = gen_rows[i].text;
            size_t lit = gen_literal_len(p);
            if (!gen_indexed(i, g) || lit != want)
                continue;
            unsigned best = 0, best_cost = ~0u;
            for (unsigned a = 0; a + stride + 2 <= lit; a++) {
                unsigned cost = 0;
                for (unsigned o = 0; o < stride; o++)
                    cost += 4 * gen_sharing(g, p + a + o) + fill[gen_hash(p + a + o)] +
                            gen_commonness(p + a + o) +
                            (gen_common4(p + a + o, lit - a - o) ? 64u : 0u);
                if (a + stride + 3 > lit) /* its last key is any fourth byte: 256 bits */
                    cost += 200;
                if (cost < best_cost)
                    best = a, best_cost = cost;
            }
            off[i] = best;
            for (unsigned o = 0; o < stride; o++)
                fill[gen_hash(p + best + o)]++;
        }
}

/* The keys of a place in a row (t: its bytes, `any`: the fourth is any
 * byte); the number of keys. */
static unsigned
gen_keys(const char *t, bool any, uint32_t keys[128])
{
    unsigned char k[4] = {(unsigned char)t[0], (unsigned char)t[1], (unsigned char)t[2],
                          (unsigned char)(any ? 0 : t[3])};
    if (!any) {
        keys[0] = dsn_key4(k);
        return 1;
    }
    unsigned n = 0;
    for (unsigned b = 0; b < 256; b++)
        if (b & 0x20) { /* dsn_key4 sets bit 5: 128 keys */
            k[3] = (unsigned char)b;
            keys[n++] = dsn_key4(k);
        }
    return n;
}

/* The entry of row i at offset at (`lit` literal bytes). */
static struct dsn_entry
gen_entry(size_t i, size_t at, size_t lit)
{
    size_t n = lit - at < 8 ? lit - at : 8;
    uint64_t next = dsn_next8((const unsigned char *)gen_rows[i].text + at, n);
    return (struct dsn_entry){next & (~UINT64_C(0) >> (64 - 8 * n)), (uint16_t)i, (uint8_t)at,
                              (uint8_t)gen_rows[i].text[0], (uint8_t)(64 - 8 * n)};
}

static void
gen_entries(FILE *out, const char *group, const uint16_t *start, const struct dsn_entry *e,
            size_t n)
{
    gen_array(out, "start", group, start, sizeof *start, (1u << DSN_INDEX_BITS) + 1);
    fprintf(out, "static const struct dsn_entry dsn_ix_%s_ents[%zu] = {", group, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s{0x%016llxu, %u, %u, %u, %u},", i % 2 ? " " : "\n    ",
                (unsigned long long)e[i].next, (unsigned)e[i].id, (unsigned)e[i].off,
                (unsigned)e[i].first, (unsigned)e[i].shift);
    fprintf(out, "%s\n};\n", n ? "" : "{0, 0, 0, 0, 0}");
}

/* start, entries and bits of one group: the entries of each hash in row
 * order, each once (a place with any fourth byte may have several keys of
 * one hash). */
static void
gen_index(FILE *out, enum dsn_group g, unsigned stride)
{
    enum { NHASH = 1u << DSN_INDEX_BITS, MAXE = GEN_NROWS * DSN_INDEX_MAX_STRIDE * 128 };
    static struct dsn_entry ents[MAXE];
    static uint16_t start[NHASH + 1];
    static unsigned off[GEN_NROWS];
    static uint64_t bits[(1u << DSN_BITS_BITS) / 64];
    gen_windows(g, stride, off);
    memset(bits, 0, sizeof bits);
    size_t nids = 0;
    for (uint32_t h = 0; h < NHASH; h++) {
        start[h] = (uint16_t)nids;
        for (size_t i = 0; i < GEN_NROWS; i++)
            for (unsigned o = 0; gen_indexed(i, g) && o < stride; o++) {
                size_t at = off[i] + o, lit = gen_literal_len(gen_rows[i].text);
                uint32_t keys[128];
                unsigned nk = gen_keys(gen_rows[i].text + at, at + 4 > lit, keys), k = 0;
                while (k < nk && dsn_index_hash(keys[k]) != h)
                    k++;
                if (k == nk)
                    continue;
                if (nids >= 65535) {
                    fprintf(stderr, "dsn-phrases.def: index of %s too large\n", gen_group_names[g]);
                    exit(1);
                }
                ents[nids++] = gen_entry(i, at, lit);
                for (k = 0; k < nk; k++) {
                    uint32_t x = dsn_bits_hash(keys[k]);
                    bits[x / 64] |= UINT64_C(1) << (x % 64);
                }
            }
    }
    start[NHASH] = (uint16_t)nids;
    fprintf(out, "static const uint64_t dsn_ix_%s_bits[%u] = {", gen_group_names[g],
            (1u << DSN_BITS_BITS) / 64);
    for (size_t i = 0; i < (1u << DSN_BITS_BITS) / 64; i++)
        fprintf(out, "%s0x%llxu,", i % 4 ? " " : "\n    ", (unsigned long long)bits[i]);
    fprintf(out, "\n};\n");
    gen_entries(out, gen_group_names[g], start, ents, nids);
    fprintf(out, "\n");
}

/* Where each list and group starts in the table, and where it ends. */
static void
gen_ranges(FILE *out)
{
    fprintf(out, "static const uint16_t dsn_list_first[DSN_LIST_COUNT + 1] = {");
    for (int l = 0; l <= DSN_LIST_COUNT; l++) {
        size_t first = 0;
        while (first < GEN_NROWS && gen_rows[first].list < (enum dsn_list)l)
            first++;
        fprintf(out, "%s%zu", l ? ", " : "", first);
    }
    fprintf(out, "};\nstatic const uint16_t dsn_group_first[DSN_GROUP_COUNT + 1] = {");
    for (int g = 0; g <= DSN_GROUP_COUNT; g++) {
        size_t first = 0;
        while (first < GEN_NROWS && gen_list_group[gen_rows[first].list] < (enum dsn_group)g)
            first++;
        fprintf(out, "%s%zu", g ? ", " : "", first);
    }
    fprintf(out, "};\n");
    for (int g = 0; g < DSN_GROUP_COUNT; g++) {
        size_t n = 0;
        for (size_t i = 0; i < GEN_NROWS; i++)
            n += gen_list_group[gen_rows[i].list] == (enum dsn_group)g;
        fprintf(out, "#define DSN_GROUP_%s_ROWS %zu\n", gen_group_names[g], n);
    }
    fprintf(out, "\n");
}

static int
gen_index_header(const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        perror(path);
        return -1;
    }
    fprintf(out, "/* Generated by dsn-phrase-gen.c from dsn-phrases.def: do not edit. */\n\n");
    fprintf(out, "#define DSN_PHRASE_COUNT %zu\n\n", GEN_NROWS);
    gen_table(out);
    gen_ranges(out);
    for (int g = 0; g < DSN_GROUP_COUNT; g++)
        gen_index(out, (enum dsn_group)g, gen_stride((enum dsn_group)g));
    fprintf(out, "static const struct dsn_index dsn_indexes[DSN_GROUP_COUNT] = {\n");
    for (int g = 0; g < DSN_GROUP_COUNT; g++) {
        char shorts[256];
        int n = gen_shorts((enum dsn_group)g, shorts, sizeof shorts);
        if (n < 0) {
            fclose(out);
            return -1;
        }
        fprintf(out, "    {dsn_ix_%s_start, dsn_ix_%s_ents, dsn_ix_%s_bits, %u, {%s}, %d},\n",
                gen_group_names[g], gen_group_names[g], gen_group_names[g],
                gen_stride((enum dsn_group)g), shorts, n);
    }
    fprintf(out, "};\n");
    return fclose(out);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: nixie-dsn-phrase-gen OUTPUT\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < GEN_NROWS; i++)
        if (gen_check(i) != 0)
            return 1;
    if (gen_index_header(argv[1]) != 0) {
        perror("nixie-dsn-phrase-gen");
        return 1;
    }
    return 0;
}
