/*
 * screen.h - the screen vtable (tmux's struct window_mode).
 *
 * A screen is a state of the UI: the index, the pager, the folder list, the
 * help, a prompt.  Screens sit on a stack in struct ui; the top one gets the
 * keys.  Handlers never paint: they change state and set ui->dirty, and the
 * loop calls layout() (when LAYOUT or CONTENT is dirty) and draw() once per
 * turn.  An overlay (a prompt) is painted over the screen below it and owns
 * only the message line.
 */
#ifndef NIXIE_UI_SCREEN_H
#define NIXIE_UI_SCREEN_H

#include <stdbool.h>

#include "keymaps/keymap.h"

struct strbuf;
struct ui;
struct screen;

struct screen_ops {
    const char *name;
    enum km_context km_context;
    bool overlay; /* paints only the message line over the screen below */

    /* Recompute after a resize (dirty has UI_DIRTY_LAYOUT) or a model change
     * (UI_DIRTY_CONTENT).  May be NULL. */
    void (*layout)(struct screen *s, struct ui *ui, unsigned dirty);
    /* Paint the content rows (overlays: the message line). */
    void (*draw)(struct screen *s, struct ui *ui);
    /* The status bar: `left` is cut when the bar is too narrow, `right`
     * (position, percent) stays visible.  Not sanitised yet.  May be NULL. */
    void (*status)(struct screen *s, struct ui *ui, struct strbuf *left, struct strbuf *right);
    /* Handle an action; return false to fall through to the global table. */
    bool (*action)(struct screen *s, struct ui *ui, enum km_action a);
    /* Raw keys, bypassing the keymap (prompts).  NULL: keys go through it. */
    void (*key)(struct screen *s, struct ui *ui, int key);
    void (*free)(struct screen *s);
};

struct screen {
    const struct screen_ops *ops;
    void *data;           /* owned through ops->free */
    struct screen *below; /* the next screen down the stack */
};

/* A row of an action table (neomutt's PagerFunctions[]). */
struct screen_action {
    enum km_action action;
    void (*fn)(struct screen *s, struct ui *ui);
};

/* Find a in the table and run it; false if it is not there. */
bool screen_dispatch(const struct screen_action *table, size_t n, struct screen *s, struct ui *ui,
                     enum km_action a);

struct screen *screen_new(const struct screen_ops *ops, void *data);

#endif
