/*
 * keymap.c - the compiled keymap: per context, a list of key sequences and
 * their actions; plus the action and context name tables.
 *
 * Owns: struct keymap, applying parsed bindings, lookup with prefixes, the
 * stable order for the help screen.  Does not: parse text (keymap-parse.c,
 * keyname.c) or know what an action does (ui/ handlers).
 * Invariants: within a context no two entries have the same keys; entries are
 * kept sorted by (action, keys) so km_foreach() needs no allocation; no entry
 * has KM_ACTION_NONE (binding `noop` removes the entry).
 */
#include "keymaps/keymap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "keymaps/keymap-private.h"

struct km_entry {
    int keys[KM_MAX_SEQ];
    unsigned nkeys;
    enum km_action action;
};

struct km_table {
    struct km_entry *v; /* owned */
    size_t n, cap;
};

struct keymap {
    struct km_table ctx[KM_CTX__COUNT];
};

static const struct {
    const char *name;
    const char *help;
    unsigned contexts;
} km_actions[KM_ACTION__COUNT] = {
#define X(id, name, help, ctx) [KM_ACTION_##id] = {name, help, ctx},
#include "keymaps/actions.def"
#undef X
};

static const char *const km_contexts[KM_CTX__COUNT] = {
    [KM_CTX_INDEX] = "index", [KM_CTX_PAGER] = "pager",     [KM_CTX_FOLDERS] = "folders",
    [KM_CTX_HELP] = "help",   [KM_CTX_COMPOSE] = "compose",
};

const char *
km_action_name(enum km_action a)
{
    return (unsigned)a < KM_ACTION__COUNT ? km_actions[a].name : "?";
}

const char *
km_action_help(enum km_action a)
{
    return (unsigned)a < KM_ACTION__COUNT ? km_actions[a].help : "";
}

unsigned
km_action_contexts(enum km_action a)
{
    return (unsigned)a < KM_ACTION__COUNT ? km_actions[a].contexts : 0;
}

int
km_action_from_name(const char *name)
{
    for (int a = 0; name != NULL && a < KM_ACTION__COUNT; a++)
        if (strcmp(km_actions[a].name, name) == 0)
            return a;
    return -1;
}

const char *
km_context_name(enum km_context c)
{
    return (unsigned)c < KM_CTX__COUNT ? km_contexts[c] : "?";
}

int
km_context_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int c = 0; c < KM_CTX__COUNT; c++)
        if (strcmp(km_contexts[c], name) == 0)
            return c;
    if (strcmp(name, "browser") == 0) /* mutt's name for the folder list */
        return KM_CTX_FOLDERS;
    return -1;
}

const char *
km_default_text(const char *base)
{
    if (base == NULL || strcmp(base, "mutt") == 0)
        return km_text_mutt;
    if (strcmp(base, "vi") == 0)
        return km_text_vi;
    return NULL;
}

struct keymap *
km_new(const char *base, struct nx_err *err)
{
    const char *text = km_default_text(base);
    if (text == NULL) {
        nx_err_set(err, NX_ERR_CONFIG, "unknown keymap '%s'", base);
        nx_err_hint(err, "use keymap = mutt or keymap = vi");
        return NULL;
    }
    struct km_bindings b = {0};
    char file[32];
    snprintf(file, sizeof file, "(built-in %s.keys)", base ? base : "mutt");
    if (km_parse_text(text, file, &b, err) < 0) {
        if (err != NULL)
            err->code = NX_ERR_INTERNAL; /* our own default keymap is broken */
        km_bindings_free(&b);
        return NULL;
    }
    struct keymap *km = xcalloc(1, sizeof *km);
    km_apply(km, &b);
    km_bindings_free(&b);
    return km;
}

void
km_free(struct keymap *km)
{
    if (km == NULL)
        return;
    for (int c = 0; c < KM_CTX__COUNT; c++)
        free(km->ctx[c].v);
    free(km);
}

/* Keys sort as: characters, then named keys, then control keys; so the help
 * screen shows "j <Down>" and "c ^L" rather than the other way round. */
static int
km_key_rank(int key)
{
    if (key < 0x20)
        return 2;
    return key > 0x10ffff ? 1 : 0;
}

static int
km_keys_cmp(const int *a, unsigned na, const int *b, unsigned nb)
{
    for (unsigned i = 0; i < na && i < nb; i++) {
        int ra = km_key_rank(a[i]), rb = km_key_rank(b[i]);
        if (ra != rb)
            return ra - rb;
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

static int
km_entry_cmp(const void *pa, const void *pb)
{
    const struct km_entry *a = pa, *b = pb;
    if (a->action != b->action)
        return a->action < b->action ? -1 : 1;
    return km_keys_cmp(a->keys, a->nkeys, b->keys, b->nkeys);
}

static struct km_entry *
km_table_find(const struct km_table *t, const int *keys, unsigned n)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].nkeys == n && memcmp(t->v[i].keys, keys, n * sizeof *keys) == 0)
            return &t->v[i];
    return NULL;
}

static void
km_table_set(struct km_table *t, const struct km_binding *b)
{
    struct km_entry *e = km_table_find(t, b->keys, b->nkeys);
    if (b->action == KM_ACTION_NONE) {
        if (e != NULL)
            *e = t->v[--t->n];
        return;
    }
    if (e == NULL) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 32;
            t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
        }
        e = &t->v[t->n++];
        memset(e, 0, sizeof *e);
        memcpy(e->keys, b->keys, b->nkeys * sizeof *b->keys);
        e->nkeys = b->nkeys;
    }
    e->action = b->action;
}

void
km_apply(struct keymap *km, const struct km_bindings *b)
{
    if (km == NULL || b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++) {
        const struct km_binding *one = &b->v[i];
        if ((unsigned)one->ctx >= KM_CTX__COUNT || one->nkeys == 0 || one->nkeys > KM_MAX_SEQ ||
            (unsigned)one->action >= KM_ACTION__COUNT)
            continue; /* not from km_parse_*: ignore rather than fail */
        km_table_set(&km->ctx[one->ctx], one);
    }
    for (int c = 0; c < KM_CTX__COUNT; c++)
        if (km->ctx[c].n > 1)
            qsort(km->ctx[c].v, km->ctx[c].n, sizeof *km->ctx[c].v, km_entry_cmp);
}

enum km_lookup_result
km_lookup(const struct keymap *km, enum km_context ctx, const int *keys, unsigned n,
          enum km_action *action)
{
    int norm[KM_MAX_SEQ];
    enum km_action exact = KM_ACTION_NONE;
    bool have_exact = false, longer = false;
    if (action != NULL)
        *action = KM_ACTION_NONE;
    if (km == NULL || (unsigned)ctx >= KM_CTX__COUNT || keys == NULL || n == 0 || n > KM_MAX_SEQ)
        return KM_NOMATCH;
    for (unsigned i = 0; i < n; i++)
        norm[i] = km_key_normalize(keys[i]);
    const struct km_table *t = &km->ctx[ctx];
    for (size_t i = 0; i < t->n; i++) {
        const struct km_entry *e = &t->v[i];
        if (e->nkeys < n || memcmp(e->keys, norm, n * sizeof *norm) != 0)
            continue;
        if (e->nkeys == n) {
            have_exact = true;
            exact = e->action;
        } else {
            longer = true;
        }
    }
    if (action != NULL)
        *action = exact;
    if (longer)
        return KM_PREFIX;
    return have_exact ? KM_MATCH : KM_NOMATCH;
}

void
km_foreach(const struct keymap *km, enum km_context ctx,
           void (*fn)(void *arg, const int *keys, unsigned n, enum km_action action), void *arg)
{
    if (km == NULL || fn == NULL || (unsigned)ctx >= KM_CTX__COUNT)
        return;
    const struct km_table *t = &km->ctx[ctx];
    for (size_t i = 0; i < t->n; i++)
        fn(arg, t->v[i].keys, t->v[i].nkeys, t->v[i].action);
}
