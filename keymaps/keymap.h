/*
 * keymap.h - key bindings as data.
 *
 * Bindings are written in the user-config syntax (`bind CONTEXT KEY ACTION`);
 * the defaults (mutt.keys, vi.keys) are compiled-in text parsed by the same
 * parser as the user's file.  Parse, then apply: km_parse() returns bindings
 * or an error naming file, line and column; km_apply() cannot fail.
 * Keys are Unicode code points or KM_KEY_* values (never curses constants:
 * ui/ translates).  No curses, no I/O here.
 */
#ifndef NIXIE_KEYMAPS_KEYMAP_H
#define NIXIE_KEYMAPS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/err.h"

enum km_context {
    KM_CTX_INDEX,
    KM_CTX_PAGER,
    KM_CTX_FOLDERS,
    KM_CTX_HELP,
    KM_CTX_COMPOSE,
    KM_CTX__COUNT
};

#define KM_CTXB_INDEX (1u << KM_CTX_INDEX)
#define KM_CTXB_PAGER (1u << KM_CTX_PAGER)
#define KM_CTXB_FOLDERS (1u << KM_CTX_FOLDERS)
#define KM_CTXB_HELP (1u << KM_CTX_HELP)
#define KM_CTXB_COMPOSE (1u << KM_CTX_COMPOSE)
#define KM_CTXB_LISTS (KM_CTXB_INDEX | KM_CTXB_FOLDERS)
#define KM_CTXB_ALL ((1u << KM_CTX__COUNT) - 1)

enum km_action {
#define X(id, name, help, ctx) KM_ACTION_##id,
#include "keymaps/actions.def"
#undef X
    KM_ACTION__COUNT
};

/* Special keys, above the Unicode range. */
enum km_key {
    KM_KEY_UP = 0x110000,
    KM_KEY_DOWN,
    KM_KEY_LEFT,
    KM_KEY_RIGHT,
    KM_KEY_PGUP,
    KM_KEY_PGDN,
    KM_KEY_HOME,
    KM_KEY_END,
    KM_KEY_INSERT,
    KM_KEY_DELETE,
    KM_KEY_BACKSPACE,
    KM_KEY_ENTER, /* Return / ^M / ^J / keypad enter */
    KM_KEY_TAB,
    KM_KEY_ESC,
    KM_KEY_F0, /* F1 is KM_KEY_F0 + 1, ... up to F12 */
    KM_KEY_F12 = KM_KEY_F0 + 12,
};
/* Control keys are their C0 code points: ^D is 4.  Except: ^M and ^J are
 * KM_KEY_ENTER, ^I is KM_KEY_TAB, ^[ is KM_KEY_ESC, ^? (DEL) is
 * KM_KEY_BACKSPACE: the parser and km_lookup() normalise those. */

/* Map the raw codes above (13, 10, 9, 27, 127) to their KM_KEY_* value;
 * other keys are returned unchanged.  ui/ may call it on what it reads. */
int km_key_normalize(int key);

#define KM_MAX_SEQ 4 /* longest key sequence, e.g. "gg" */

struct km_binding {
    enum km_context ctx;
    int keys[KM_MAX_SEQ];
    unsigned nkeys;
    enum km_action action;
    /* where it was written, for messages */
    unsigned line;
};

struct km_bindings {
    struct km_binding *v; /* owned */
    size_t n, cap;
};

void km_bindings_free(struct km_bindings *b);

/* Parse one config line `bind CONTEXT[,CONTEXT...] KEY ACTION` (leading
 * "bind" included).  Appends to *out.  On error returns -1 and sets err with
 * "FILE:LINE:COL: ..." (file may be NULL).  Comments (#) and blank lines are
 * accepted and ignored. */
int km_parse_line(const char *line, const char *file, unsigned lineno, struct km_bindings *out,
                  struct nx_err *err);
/* Parse a whole text of such lines (the default keymaps, tests). */
int km_parse_text(const char *text, const char *file, struct km_bindings *out, struct nx_err *err);

/* Key names as in the config: "j", "<Enter>", "<Down>", "\Cd" / "<C-d>",
 * "<Space>", "<F1>", sequences "gg".  Returns the number of keys (0 on error). */
unsigned km_parse_keys(const char *text, int *keys, unsigned max);
/* Writes a readable name ("j", "<Enter>", "^D", "gg") into buf. */
void km_keys_name(const int *keys, unsigned n, char *buf, size_t size);

/* Action names. */
const char *km_action_name(enum km_action a);
const char *km_action_help(enum km_action a);
unsigned km_action_contexts(enum km_action a);
/* -1 if unknown */
int km_action_from_name(const char *name);
const char *km_context_name(enum km_context c);
int km_context_from_name(const char *name);

/* The compiled keymap. */
struct keymap;
/* name: "mutt" (default) or "vi"; NULL if unknown. */
struct keymap *km_new(const char *base, struct nx_err *err);
void km_free(struct keymap *km);
/* Later bindings override earlier ones; action NONE unbinds. */
void km_apply(struct keymap *km, const struct km_bindings *b);

enum km_lookup_result { KM_NOMATCH, KM_PREFIX, KM_MATCH };
/* Look up keys[0..n) in ctx.  KM_PREFIX: a longer binding starts with these
 * keys (wait for more).  On KM_MATCH *action is set.  On KM_PREFIX *action is
 * the binding of exactly these keys if there is one (the user bound both "g"
 * and "gg"), else KM_ACTION_NONE: when the next key makes KM_NOMATCH, the ui
 * runs that action and then looks the new key up on its own. */
enum km_lookup_result km_lookup(const struct keymap *km, enum km_context ctx, const int *keys,
                                unsigned n, enum km_action *action);

/* For the help screen: calls fn for each binding of ctx in a stable order
 * (by action, then key). */
void km_foreach(const struct keymap *km, enum km_context ctx,
                void (*fn)(void *arg, const int *keys, unsigned n, enum km_action action),
                void *arg);

/* The default keymap texts (compiled in from mutt.keys and vi.keys). */
const char *km_default_text(const char *base);

#endif
