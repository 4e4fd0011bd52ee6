/*
 * dsn-phrase-gen.c - build-time generator (not part of the library): writes
 * dsn-phrase-index.h, the phrase table of dsn-phrases.def and, per group of
 * lists, the index dsn-match.c scans texts with (dsn-phrases.h describes
 * it).  Checks the rows on the way: lowercase, at least three bytes before
 * any '*', at most 255 bytes; a bad row fails the build.
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

static int
gen_check(const struct gen_row *r)
{
    size_t len = strlen(r->text);
    const char *star = strchr(r->text, '*');
    size_t lead = star ? (size_t)(star - r->text) : len;
    while (lead > 0 && r->text[lead - 1] == ' ')
        lead--;
    for (const char *p = r->text; *p; p++)
        if (*p >= 'A' && *p <= 'Z') {
            fprintf(stderr, "dsn-phrases.def: %s is not lowercase\n", r->literal);
            return -1;
        }
    if (lead < 3 || len > 255 || (gen_list_kind[r->list] != GEN_NONE) != (r->value != NULL)) {
        fprintf(stderr, "dsn-phrases.def: bad row %s in %s\n", r->literal, gen_list_names[r->list]);
        return -1;
    }
    return 0;
}

static uint32_t
gen_hash(const char *t)
{
    uint32_t key = (uint32_t)dsn_fold((unsigned char)t[0]) |
                   (uint32_t)dsn_fold((unsigned char)t[1]) << 8 |
                   (uint32_t)dsn_fold((unsigned char)t[2]) << 16;
    return dsn_index_hash(key);
}

static void
gen_table(FILE *out)
{
    fprintf(out, "#define DSN_PHRASE_COUNT %zu\n\n", GEN_NROWS);
    fprintf(out, "static const struct dsn_phrase dsn_phrases[DSN_PHRASE_COUNT] = {\n");
    for (size_t i = 0; i < GEN_NROWS; i++) {
        const struct gen_row *r = &gen_rows[i];
        fprintf(out, "    {%s, %zu, DSN_LIST_%s, %s, ", r->literal, strlen(r->text),
                gen_list_names[r->list], strchr(r->text, '*') ? "true" : "false");
        if (gen_list_kind[r->list] == GEN_REASON)
            fprintf(out, "DSN_REASON_%s, NULL},\n", r->value);
        else if (gen_list_kind[r->list] == GEN_TAG)
            fprintf(out, "DSN_REASON_UNDEFINED, %s},\n", r->value);
        else
            fprintf(out, "DSN_REASON_UNDEFINED, NULL},\n");
    }
    fprintf(out, "};\n\n");
}

static void
gen_u16s(FILE *out, const char *name, const char *group, const uint16_t *v, size_t n)
{
    fprintf(out, "static const uint16_t dsn_ix_%s_%s[%zu] = {", group, name, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%u,", i % 16 ? " " : "\n    ", v[i]);
    fprintf(out, "%s\n};\n", n ? "" : "0");
}

/* bits, rank, start and ids of one group. */
static void
gen_index(FILE *out, enum dsn_group g)
{
    static uint16_t ids[GEN_NROWS], start[GEN_NROWS + 1], rank[DSN_INDEX_WORDS];
    uint64_t bits[DSN_INDEX_WORDS] = {0};
    size_t nids = 0, nslots = 0;
    for (size_t i = 0; i < GEN_NROWS; i++)
        if (gen_list_group[gen_rows[i].list] == g) {
            uint32_t h = gen_hash(gen_rows[i].text);
            bits[h / 64] |= UINT64_C(1) << (h % 64);
        }
    /* slots in hash order, each holding its phrases in row order */
    for (uint32_t h = 0; h < (1u << DSN_INDEX_BITS); h++) {
        if (h % 64 == 0)
            rank[h / 64] = (uint16_t)nslots;
        if (!((bits[h / 64] >> (h % 64)) & 1))
            continue;
        start[nslots++] = (uint16_t)nids;
        for (size_t i = 0; i < GEN_NROWS; i++)
            if (gen_list_group[gen_rows[i].list] == g && gen_hash(gen_rows[i].text) == h)
                ids[nids++] = (uint16_t)i;
    }
    start[nslots] = (uint16_t)nids;
    const char *name = gen_group_names[g];
    fprintf(out, "static const uint64_t dsn_ix_%s_bits[%u] = {", name, DSN_INDEX_WORDS);
    for (size_t w = 0; w < DSN_INDEX_WORDS; w++)
        fprintf(out, "%s0x%016llxu,", w % 4 ? " " : "\n    ", (unsigned long long)bits[w]);
    fprintf(out, "\n};\n");
    gen_u16s(out, "rank", name, rank, DSN_INDEX_WORDS);
    gen_u16s(out, "start", name, start, nslots + 1);
    gen_u16s(out, "ids", name, ids, nids);
    fprintf(out, "\n");
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: nixie-dsn-phrase-gen OUTPUT\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < GEN_NROWS; i++)
        if (gen_check(&gen_rows[i]) != 0)
            return 1;
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "/* Generated by dsn-phrase-gen.c from dsn-phrases.def: do not edit. */\n\n");
    gen_table(out);
    for (int g = 0; g < DSN_GROUP_COUNT; g++)
        gen_index(out, (enum dsn_group)g);
    fprintf(out, "static const struct dsn_index dsn_indexes[DSN_GROUP_COUNT] = {\n");
    for (int g = 0; g < DSN_GROUP_COUNT; g++)
        fprintf(out, "    {dsn_ix_%s_bits, dsn_ix_%s_rank, dsn_ix_%s_start, dsn_ix_%s_ids},\n",
                gen_group_names[g], gen_group_names[g], gen_group_names[g], gen_group_names[g]);
    fprintf(out, "};\n");
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
