/*
 * keymap-parse.c - `bind CONTEXT[,CONTEXT...] KEY ACTION` lines to a list of
 * struct km_binding.
 *
 * Owns: the line syntax (tokens, quoting, comments) and the error messages
 * with file, line and column.  Does not: touch a keymap (parse, then apply:
 * km_apply() in keymap.c), read files (ui/config.c does).
 * Invariant: on error the output list is exactly as it was before the call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "keymaps/keymap-private.h"
#include "keymaps/keymap.h"

#define KM_MAX_TOKENS 5 /* bind CONTEXTS KEY ACTION, and one more to complain about */

struct km_token {
    size_t off; /* where it starts in the line (the quote, if quoted) */
    size_t len;
    const char *text; /* without quotes */
    size_t tlen;
};

struct km_line {
    const char *text; /* borrowed */
    size_t len;
    const char *file; /* borrowed, may be NULL */
    unsigned lineno;
};

/* Set err to "FILE:LINE:COL: message"; columns count characters from 1. */
static int __attribute__((format(printf, 4, 5)))
km_parse_fail(struct nx_err *err, const struct km_line *l, size_t off, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned col = 1;
    for (size_t i = 0; i < off && i < l->len; col++) {
        uint32_t cp;
        i += utf8_decode(l->text + i, l->len - i, &cp);
    }
    if (off > l->len)
        col += (unsigned)(off - l->len); /* "missing" things point past the end */
    if (l->file != NULL)
        return nx_err_set(err, NX_ERR_PARSE, "%s:%u:%u: %s", l->file, l->lineno, col, msg);
    return nx_err_set(err, NX_ERR_PARSE, "%u:%u: %s", l->lineno, col, msg);
}

static bool
km_parse_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Split into at most KM_MAX_TOKENS tokens; a token starting with '#' starts
 * a comment; "..." quotes a token (keys such as " " or "#"). */
static int
km_tokenize(const struct km_line *l, struct km_token *tok, unsigned *ntok, struct nx_err *err)
{
    size_t i = 0;
    *ntok = 0;
    while (*ntok < KM_MAX_TOKENS) {
        while (i < l->len && km_parse_space(l->text[i]))
            i++;
        if (i >= l->len || l->text[i] == '#')
            break;
        struct km_token *t = &tok[(*ntok)++];
        t->off = i;
        if (l->text[i] == '"') {
            size_t j = i + 1;
            while (j < l->len && l->text[j] != '"')
                j += (l->text[j] == '\\' && j + 1 < l->len) ? 2 : 1;
            if (j >= l->len)
                return km_parse_fail(err, l, i, "missing closing '\"'");
            t->text = l->text + i + 1;
            t->tlen = j - i - 1;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < l->len && !km_parse_space(l->text[j]))
                j++;
            t->text = l->text + i;
            t->tlen = j - i;
            i = j;
        }
        t->len = i - t->off;
    }
    return 0;
}

static void
km_bindings_add(struct km_bindings *b, const struct km_binding *one)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xreallocarray(b->v, b->cap, sizeof *b->v);
    }
    b->v[b->n++] = *one;
}

void
km_bindings_free(struct km_bindings *b)
{
    if (b == NULL)
        return;
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

/* Edit distance of two short strings (for "did you mean"); large if long. */
static unsigned
km_parse_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    unsigned row[40];
    if (la >= 40 || lb >= 40)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static void
km_parse_suggest_action(struct nx_err *err, const char *name, size_t len)
{
    unsigned best = 3;
    int pick = -1;
    for (int a = 0; a < KM_ACTION__COUNT; a++) {
        unsigned d = km_parse_distance(name, len, km_action_name(a));
        if (d < best) {
            best = d;
            pick = a;
        }
    }
    if (pick >= 0)
        nx_err_hint(err, "did you mean '%s'?", km_action_name(pick));
}

/* "index,pager" to a mask of KM_CTXB_*. */
static int
km_parse_contexts(const struct km_line *l, const struct km_token *t, unsigned *mask,
                  struct nx_err *err)
{
    *mask = 0;
    for (size_t i = 0; i <= t->tlen;) {
        size_t j = i;
        while (j < t->tlen && t->text[j] != ',')
            j++;
        size_t off = (size_t)(t->text - l->text) + i;
        char name[32];
        if (j == i)
            return km_parse_fail(err, l, off, "empty context name in '%.*s'", (int)t->tlen,
                                 t->text);
        snprintf(name, sizeof name, "%.*s", (int)(j - i), t->text + i);
        int c = j - i < sizeof name ? km_context_from_name(name) : -1;
        if (c < 0)
            return km_parse_fail(err, l, off,
                                 "unknown context '%.*s' (contexts: index, pager, folders, "
                                 "help, compose)",
                                 (int)(j - i > 40 ? 40 : j - i), t->text + i);
        *mask |= 1u << c;
        i = j + 1;
    }
    return 0;
}

/* Every context in mask must be one the action works in. */
static int
km_parse_check_contexts(const struct km_line *l, const struct km_token *t, unsigned mask,
                        enum km_action a, struct nx_err *err)
{
    unsigned ok = km_action_contexts(a);
    for (int c = 0; c < KM_CTX__COUNT; c++) {
        if (!(mask & (1u << c)) || (ok & (1u << c)))
            continue;
        char where[80] = "";
        for (int d = 0; d < KM_CTX__COUNT; d++)
            if (ok & (1u << d))
                snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s",
                         where[0] ? ", " : "", km_context_name(d));
        return km_parse_fail(err, l, t->off,
                             "action '%s' does not work in context '%s' (only in %s)",
                             km_action_name(a), km_context_name(c), where);
    }
    return 0;
}

static int
km_parse_action(const struct km_line *l, const struct km_token *t, enum km_action *a,
                struct nx_err *err)
{
    char name[48];
    int found = -1;
    if (t->tlen < sizeof name) {
        snprintf(name, sizeof name, "%.*s", (int)t->tlen, t->text);
        found = km_action_from_name(name);
    }
    if (found < 0) {
        km_parse_fail(err, l, t->off,
                      "unknown action '%.*s' (see `nixie --help` or docs/configuration.md for "
                      "the list)",
                      (int)(t->tlen > 40 ? 40 : t->tlen), t->text);
        km_parse_suggest_action(err, t->text, t->tlen);
        return -1;
    }
    *a = (enum km_action)found;
    return 0;
}

static int
km_parse_key_token(const struct km_line *l, const struct km_token *t, struct km_binding *b,
                   struct nx_err *err)
{
    char msg[160];
    size_t bad;
    if (km_keys_parse(t->text, t->tlen, b->keys, KM_MAX_SEQ, &b->nkeys, &bad, msg, sizeof msg) < 0)
        return km_parse_fail(err, l, (size_t)(t->text - l->text) + bad, "%s", msg);
    return 0;
}

static int
km_parse_tokens(const struct km_line *l, const struct km_token *tok, unsigned ntok,
                struct km_bindings *out, struct nx_err *err)
{
    if (tok[0].tlen != 4 || memcmp(tok[0].text, "bind", 4) != 0)
        return km_parse_fail(err, l, tok[0].off, "expected 'bind', found '%.*s'",
                             (int)(tok[0].tlen > 40 ? 40 : tok[0].tlen), tok[0].text);
    if (ntok < 4)
        return km_parse_fail(err, l, ntok ? tok[ntok - 1].off + tok[ntok - 1].len + 1 : 0,
                             "'bind' needs a context, a key and an action (bind CONTEXT KEY "
                             "ACTION)");
    if (ntok > 4)
        return km_parse_fail(err, l, tok[4].off,
                             "unexpected '%.*s' after the action (comments start with #)",
                             (int)(tok[4].tlen > 40 ? 40 : tok[4].tlen), tok[4].text);
    unsigned mask;
    struct km_binding b = {.line = l->lineno};
    if (km_parse_contexts(l, &tok[1], &mask, err) < 0 ||
        km_parse_key_token(l, &tok[2], &b, err) < 0 ||
        km_parse_action(l, &tok[3], &b.action, err) < 0 ||
        km_parse_check_contexts(l, &tok[3], mask, b.action, err) < 0)
        return -1;
    for (int c = 0; c < KM_CTX__COUNT; c++) {
        if (mask & (1u << c)) {
            b.ctx = (enum km_context)c;
            km_bindings_add(out, &b);
        }
    }
    return 0;
}

int
km_parse_line(const char *line, const char *file, unsigned lineno, struct km_bindings *out,
              struct nx_err *err)
{
    if (line == NULL)
        return 0;
    struct km_line l = {.text = line, .len = strcspn(line, "\n"), .file = file, .lineno = lineno};
    struct km_token tok[KM_MAX_TOKENS];
    unsigned ntok;
    if (l.len > 0 && line[l.len - 1] == '\r')
        l.len--;
    if (km_tokenize(&l, tok, &ntok, err) < 0)
        return -1;
    if (ntok == 0)
        return 0;
    return km_parse_tokens(&l, tok, ntok, out, err);
}

int
km_parse_text(const char *text, const char *file, struct km_bindings *out, struct nx_err *err)
{
    size_t saved = out->n;
    unsigned lineno = 1;
    for (const char *p = text; p != NULL && *p != '\0'; lineno++) {
        if (km_parse_line(p, file, lineno, out, err) < 0) {
            out->n = saved;
            return -1;
        }
        const char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return 0;
}
