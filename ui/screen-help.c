/*
 * screen-help.c - the key bindings of the screen the help was opened from,
 * generated from the keymap (km_foreach) and the action table's help texts,
 * so it can never disagree with what the keys do.  Then the actions that
 * make sense there but have no key.
 *
 * Owns its rdoc (rebuilt at each width); scrolls like the pager.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "ui/screen.h"
#include "ui/ui-private.h"

struct help {
    enum km_context ctx; /* the context described */
    struct ui_docview view;
    bool bound[KM_ACTION__COUNT];
    bool highlight; /* a search ran here: show ui->search */
    size_t width;
};

/* The keys of each bound action, in km_foreach's order. */
struct help_build {
    struct help *h;
    struct strbuf keys[KM_ACTION__COUNT];
    enum km_action order[KM_ACTION__COUNT];
    size_t n;
};

#define HELP_KEYS_MAX_COLS 24 /* longer key lists push their action right */

static void
help_pad(struct strbuf *sb, size_t from, size_t col)
{
    size_t w = utf8_width(sb->buf + from, sb->len - from);
    do
        strbuf_addc(sb, ' ');
    while (++w < col);
}

static void
help_binding(void *arg, const int *keys, unsigned n, enum km_action action)
{
    struct help_build *b = arg;
    char name[64];
    if (action <= KM_ACTION_NONE || action >= KM_ACTION__COUNT)
        return;
    if (!b->h->bound[action])
        b->order[b->n++] = action;
    b->h->bound[action] = true;
    km_keys_name(keys, n, name, sizeof name);
    if (b->keys[action].len > 0)
        strbuf_adds(&b->keys[action], ", ");
    strbuf_adds(&b->keys[action], name);
}

/* One line per action: keys, name, help, in aligned columns. */
static void
help_lines(struct help_build *b, struct rdoc *doc)
{
    size_t keyw = 0;
    for (size_t i = 0; i < b->n; i++) {
        const struct strbuf *k = &b->keys[b->order[i]];
        size_t w = utf8_width(k->buf, k->len);
        if (w > keyw && w <= HELP_KEYS_MAX_COLS)
            keyw = w;
    }
    for (size_t i = 0; i < b->n; i++) {
        enum km_action a = b->order[i];
        struct strbuf line = STRBUF_INIT;
        strbuf_add(&line, b->keys[a].buf, b->keys[a].len);
        help_pad(&line, 0, keyw + 2);
        size_t at = line.len;
        strbuf_adds(&line, km_action_name(a));
        help_pad(&line, at, 22);
        strbuf_adds(&line, km_action_help(a));
        rdoc_add_text(doc, RSTYLE_NORMAL, line.buf, line.len);
        strbuf_free(&line);
        strbuf_free(&b->keys[a]);
    }
}

/* Actions that make sense in h->ctx but have no key there. */
static void
help_unbound(const struct help *h, struct rdoc *doc)
{
    bool header = false;
    for (int a = 1; a < KM_ACTION__COUNT; a++) {
        if (h->bound[a] || !(km_action_contexts((enum km_action)a) & (1u << h->ctx)))
            continue;
        if (!header) {
            const char *t = "Actions without a key here (bind them in your config):";
            rdoc_add_text(doc, RSTYLE_NORMAL, "", 0);
            rdoc_add_text(doc, RSTYLE_HDR_SUBJECT, t, strlen(t));
            header = true;
        }
        struct strbuf line = STRBUF_INIT;
        strbuf_adds(&line, km_action_name((enum km_action)a));
        help_pad(&line, 0, 22);
        strbuf_adds(&line, km_action_help((enum km_action)a));
        rdoc_add_text(doc, RSTYLE_NORMAL, line.buf, line.len);
        strbuf_free(&line);
    }
}

static void
help_build(struct help *h, struct ui *ui, size_t width)
{
    struct help_build *b = xcalloc(1, sizeof *b);
    struct rdoc *doc = rdoc_new(width);
    char title[128];
    int len = snprintf(title, sizeof title,
                       "Keys for the %s screen (keymap %s):", km_context_name(h->ctx),
                       ui->cfg->keymap != NULL ? ui->cfg->keymap : "mutt");
    rdoc_add_text(doc, RSTYLE_HDR_SUBJECT, title, (size_t)len);
    rdoc_add_text(doc, RSTYLE_NORMAL, "", 0);
    memset(h->bound, 0, sizeof h->bound);
    b->h = h;
    km_foreach(ui->km, h->ctx, help_binding, b);
    help_lines(b, doc);
    free(b);

    help_unbound(h, doc);
    const char *more = "Key syntax and all settings: docs/configuration.md and nixie(1).";
    rdoc_add_text(doc, RSTYLE_NORMAL, "", 0);
    rdoc_add_text(doc, RSTYLE_NOTE, more, strlen(more));
    rdoc_free(h->view.doc);
    h->view.doc = doc;
    h->width = width;
}

static void
help_layout(struct screen *s, struct ui *ui, unsigned dirty)
{
    struct help *h = s->data;
    (void)dirty;
    if (h->view.doc == NULL || h->width != (size_t)ui->cols)
        help_build(h, ui, ui->cols > 0 ? (size_t)ui->cols : 80);
    h->view.rows = ui_content_rows(ui);
    ui_docview_clamp(&h->view);
}

static void
help_draw(struct screen *s, struct ui *ui)
{
    struct help *h = s->data;
    ui_docview_draw(&h->view, h->highlight ? ui->search : NULL, ui->cols);
}

static void
help_status(struct screen *s, struct ui *ui, struct strbuf *out, struct strbuf *right)
{
    struct help *h = s->data;
    int pct = ui_docview_percent(&h->view);
    (void)ui;
    strbuf_addf(out, "--- nixie: help for %s", km_context_name(h->ctx));
    if (pct < 0)
        strbuf_adds(right, "(all)");
    else
        strbuf_addf(right, "(%d%%)", pct);
}

static void
help_search_done(struct ui *ui, void *arg, const char *text)
{
    struct help *h = arg; /* the help screen: the prompt was above it */
    if (text == NULL || *text == '\0')
        return;
    free(ui->search);
    ui->search = xstrdup(text);
    h->highlight = true;
    ui_docview_search(&h->view, ui, ui->search_dir);
}

static bool
help_action(struct screen *s, struct ui *ui, enum km_action a)
{
    struct help *h = s->data;
    if (ui_docview_scroll(&h->view, a, 1)) {
        ui->dirty |= UI_DIRTY_PAINT;
        return true;
    }
    switch (a) {
    case KM_ACTION_SEARCH:
    case KM_ACTION_SEARCH_REVERSE:
        ui->search_dir = a == KM_ACTION_SEARCH ? 1 : -1;
        ui_prompt_line(ui, a == KM_ACTION_SEARCH ? "Search for: " : "Reverse search for: ", NULL,
                       help_search_done, h);
        return true;
    case KM_ACTION_SEARCH_NEXT:
    case KM_ACTION_SEARCH_OPPOSITE:
        if (ui->search == NULL) {
            ui_message(ui, "No search pattern.");
            return true;
        }
        h->highlight = true;
        ui_docview_search(&h->view, ui,
                          a == KM_ACTION_SEARCH_NEXT ? ui->search_dir : -ui->search_dir);
        return true;
    case KM_ACTION_HELP:
        return true; /* already here */
    case KM_ACTION_QUIT:
    case KM_ACTION_EXIT_PAGER:
        ui_screen_pop(ui); /* last: frees s */
        return true;
    default:
        return false;
    }
}

static void
help_free(struct screen *s)
{
    struct help *h = s->data;
    rdoc_free(h->view.doc);
    free(h);
}

static const struct screen_ops help_ops = {
    .name = "help",
    .km_context = KM_CTX_HELP,
    .layout = help_layout,
    .draw = help_draw,
    .status = help_status,
    .action = help_action,
    .free = help_free,
};

struct screen *
ui_help_new(struct ui *ui, enum km_context ctx)
{
    struct help *h = xcalloc(1, sizeof *h);
    (void)ui;
    h->ctx = ctx;
    return screen_new(&help_ops, h);
}
