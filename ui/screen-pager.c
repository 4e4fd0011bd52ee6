/*
 * screen-pager.c - one message: paints rdoc lines [top, top+rows) from
 * render_message() at the screen's width; scrolling and search work on the
 * rdoc (ui_docview); a resize renders again at the new width.
 *
 * Owns the message on display, its DSN report and the rdoc.  The message
 * shown is always ui->mbox's cursor: moving to the next message moves that
 * cursor, and layout() loads whatever the cursor points at.  A message that
 * cannot be read or rendered becomes an rdoc that says so (and the status
 * line says it too); the pager keeps working.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/dsn.h"

#include "render/render.h"

#include "ui/colour.h"
#include "ui/mbox.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

struct pager {
    struct ui_docview view;
    struct mail_message *msg;  /* owned; NULL if the message could not be read */
    struct dsn_report *report; /* owned; may be NULL */
    bool loaded;
    size_t pos;        /* the view position loaded... */
    unsigned long gen; /* ...in this generation of the view */
    size_t width;      /* the rdoc's width */
    bool all_headers;
    bool highlight;   /* a search ran here: show ui->search */
    int index_rows;   /* pager_index_lines shown above the message */
    size_t index_top; /* their scroll position */
};

static void
pager_unload(struct pager *pg)
{
    dsn_report_free(pg->report);
    pg->report = NULL;
    mail_message_free(pg->msg);
    pg->msg = NULL;
}

static struct rdoc *
pager_note(size_t width, enum rstyle style, const char *text)
{
    struct rdoc *doc = rdoc_new(width);
    rdoc_add_text(doc, style, text, strlen(text));
    return doc;
}

static void
pager_render(struct pager *pg, struct ui *ui)
{
    struct nx_err err = {0};
    struct render_opts opts = ui->ropts;
    struct rdoc *doc = NULL;
    size_t width = ui->cols > 0 ? (size_t)ui->cols : 80;
    if (pg->all_headers)
        opts.headers_mode = RENDER_HEADERS_ALL;
    unsigned failures = ui->html.failures;
    if (pg->msg == NULL) {
        doc = pager_note(width, RSTYLE_ERROR,
                         "This message could not be read (see the status "
                         "line).  Press q to go back, j for the next one.");
    } else if (render_message(pg->msg, pg->report, &opts, width, &doc, &err) < 0) {
        ui_error(ui, &err);
        doc = pager_note(width, RSTYLE_ERROR, err.what);
    } else if (ui->html.failures != failures) {
        ui_error(ui, &ui->html.err); /* shown with the built-in converter's text */
    }
    rdoc_free(pg->view.doc);
    pg->view.doc = doc;
    pg->width = width;
}

/* Load the message under the cursor and mark it seen. */
static void
pager_load(struct pager *pg, struct ui *ui)
{
    struct nx_err err = {0};
    struct ui_mbox *mb = ui->mbox;
    struct mail_envelope *env = ui_mbox_at(mb, mb != NULL ? mb->cur : 0);
    pager_unload(pg);
    pg->loaded = true;
    pg->pos = mb != NULL ? mb->cur : 0;
    pg->gen = mb != NULL ? mb->gen : 0;
    pg->view.top = 0;
    if (env == NULL) {
        rdoc_free(pg->view.doc);
        pg->view.doc = pager_note((size_t)ui->cols, RSTYLE_NOTE, "No message.");
        return;
    }
    if (mail_folder_fetch(mb->folder, env, &pg->msg, &err) < 0) {
        pg->msg = NULL;
        ui_error(ui, &err);
    } else {
        pg->report = dsn_analyze(pg->msg);
        ui_ops_mark_seen(ui);
    }
    pager_render(pg, ui);
}

/* Is env the message on display?  By Message-ID: a Maildir key changes
 * with the flags. */
static bool
pager_same_message(const struct pager *pg, const struct mail_envelope *env)
{
    if (env == NULL || pg->msg == NULL)
        return false;
    const struct mail_envelope *shown = mail_message_envelope(pg->msg);
    return shown != NULL && shown->message_id != NULL && env->message_id != NULL &&
           strcmp(shown->message_id, env->message_id) == 0;
}

static void
pager_layout(struct screen *s, struct ui *ui, unsigned dirty)
{
    struct pager *pg = s->data;
    struct ui_mbox *mb = ui->mbox;
    (void)dirty;
    if (pg->loaded && mb != NULL && mb->gen != pg->gen && mb->cur == pg->pos &&
        pager_same_message(pg, ui_mbox_at(mb, mb->cur))) {
        pg->gen = mb->gen; /* the folder was re-read around this message: keep the place */
    }
    if (!pg->loaded || mb == NULL || mb->gen != pg->gen || mb->cur != pg->pos)
        pager_load(pg, ui);
    else if (pg->width != (size_t)ui->cols)
        pager_render(pg, ui); /* a resize: wrap again at the new width */
    /* pager_index_lines: a few index lines above the message, if room */
    int rows = ui_content_rows(ui), lines = (int)ui->cfg->pager_index_lines;
    pg->index_rows = lines > 0 && rows >= lines + 1 + 3 ? lines : 0;
    pg->view.y0 = pg->index_rows > 0 ? pg->index_rows + 1 : 0;
    pg->view.rows = rows - pg->view.y0;
    ui_docview_clamp(&pg->view);
}

static void
pager_draw(struct screen *s, struct ui *ui)
{
    struct pager *pg = s->data;
    if (pg->index_rows > 0) {
        struct strbuf left = STRBUF_INIT, right = STRBUF_INIT;
        ui_index_paint(ui, 0, (size_t)pg->index_rows, &pg->index_top);
        ui_index_status(ui, &left, &right);
        strbuf_adds(&left, "  ");
        strbuf_add(&left, right.buf != NULL ? right.buf : "", right.len);
        ui_paint_fill(pg->index_rows, 0, ui->cols, UI_COLOUR_STATUS);
        ui_paint_text(pg->index_rows, 0, strbuf_str(&left), ui->cols, UI_COLOUR_STATUS);
        strbuf_free(&left);
        strbuf_free(&right);
    }
    ui_docview_draw(&pg->view, pg->highlight ? ui->search : NULL, ui->cols);
}

static void
pager_status(struct screen *s, struct ui *ui, struct strbuf *out, struct strbuf *right)
{
    struct pager *pg = s->data;
    struct ui_mbox *mb = ui->mbox;
    const struct mail_envelope *env = ui_mbox_at(mb, pg->pos);
    int pct = ui_docview_percent(&pg->view);
    if (mb == NULL || env == NULL) {
        strbuf_adds(out, "--- nixie");
        return;
    }
    strbuf_addf(out, "-%c- nixie: %s -- ", mb->ndeleted > 0 ? '*' : '-', mb->name);
    if (env->flags & (MAIL_FLAG_TRASHED | MAIL_FLAG_FLAGGED))
        strbuf_addf(out, "[%s%s] ", env->flags & MAIL_FLAG_TRASHED ? "deleted" : "",
                    (env->flags & (MAIL_FLAG_TRASHED | MAIL_FLAG_FLAGGED)) ==
                            (MAIL_FLAG_TRASHED | MAIL_FLAG_FLAGGED)
                        ? ", flagged"
                    : env->flags & MAIL_FLAG_FLAGGED ? "flagged"
                                                     : "");
    strbuf_adds(out, env->from_name ? env->from_name : env->from_addr ? env->from_addr : "");
    strbuf_adds(out, " -- ");
    strbuf_adds(out, env->subject ? env->subject : "(no subject)");
    strbuf_addf(right, "%zu/%zu ", pg->pos + 1, mb->n);
    if (pct < 0)
        strbuf_adds(right, "(all)");
    else if (pct >= 100)
        strbuf_adds(right, "(end)");
    else
        strbuf_addf(right, "(%d%%)", pct);
}

static void
pager_free(struct screen *s)
{
    struct pager *pg = s->data;
    pager_unload(pg);
    rdoc_free(pg->view.doc);
    free(pg);
}

static void
pager_step(struct ui *ui, int dir, bool unread_only)
{
    if (ui_ops_step(ui, dir, unread_only))
        ui->dirty |= UI_DIRTY_CONTENT; /* layout() loads the new cursor's message */
}

static bool
pager_scroll(struct screen *s, struct ui *ui, enum km_action a)
{
    struct pager *pg = s->data;
    struct ui_docview *v = &pg->view;
    size_t n = v->doc != NULL ? v->doc->nlines : 0;
    /* mutt: paging past the end shows the next message */
    if (a == KM_ACTION_NEXT_PAGE && v->top + (size_t)v->rows >= n) {
        pager_step(ui, 1, false);
        return true;
    }
    if (!ui_docview_scroll(v, a, ui->cfg->pager_context))
        return false;
    ui->dirty |= UI_DIRTY_PAINT;
    return true;
}

static void
pager_next_message(struct screen *s, struct ui *ui)
{
    (void)s;
    pager_step(ui, 1, false);
}

static void
pager_prev_message(struct screen *s, struct ui *ui)
{
    (void)s;
    pager_step(ui, -1, false);
}

static void
pager_next_unread(struct screen *s, struct ui *ui)
{
    (void)s;
    pager_step(ui, 1, true);
}

static void
pager_prev_unread(struct screen *s, struct ui *ui)
{
    (void)s;
    pager_step(ui, -1, true);
}

static void
pager_exit(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_screen_pop(ui); /* last: frees s */
}

static void
pager_search_run(struct pager *pg, struct ui *ui, int dir)
{
    pg->highlight = true;
    ui_docview_search(&pg->view, ui, dir);
}

static void
pager_search_done(struct ui *ui, void *arg, const char *text)
{
    struct screen *s = arg; /* the pager: the prompt was above it */
    if (text == NULL || *text == '\0')
        return;
    free(ui->search);
    ui->search = xstrdup(text);
    pager_search_run(s->data, ui, ui->search_dir);
}

static void
pager_search(struct screen *s, struct ui *ui)
{
    ui->search_dir = 1;
    ui_prompt_line(ui, "Search for: ", NULL, pager_search_done, s);
}

static void
pager_search_reverse(struct screen *s, struct ui *ui)
{
    ui->search_dir = -1;
    ui_prompt_line(ui, "Reverse search for: ", NULL, pager_search_done, s);
}

static void
pager_search_again(struct screen *s, struct ui *ui, int dir)
{
    if (ui->search == NULL)
        ui_message(ui, "No search pattern.");
    else
        pager_search_run(s->data, ui, dir);
}

static void
pager_search_next(struct screen *s, struct ui *ui)
{
    pager_search_again(s, ui, ui->search_dir);
}

static void
pager_search_opposite(struct screen *s, struct ui *ui)
{
    pager_search_again(s, ui, -ui->search_dir);
}

static void
pager_toggle_headers(struct screen *s, struct ui *ui)
{
    struct pager *pg = s->data;
    pg->all_headers = !pg->all_headers;
    pager_render(pg, ui);
    pg->view.top = 0;
    ui->dirty |= UI_DIRTY_CONTENT;
}

static void
pager_delete(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_TRASHED, 1);
    if (ui->mbox != NULL && ui_mbox_find(ui->mbox, ui->mbox->cur, 1, false) != UI_THREAD_NONE)
        pager_step(ui, 1, false);
}

static void
pager_undelete(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_TRASHED, 0);
}

static void
pager_flag(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_FLAGGED, -1);
}

static void
pager_toggle_new(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_SEEN, -1);
}

static void
pager_save(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_save(ui);
}

static const struct screen_action pager_actions[] = {
    {KM_ACTION_NEXT_MESSAGE, pager_next_message},
    {KM_ACTION_PREV_MESSAGE, pager_prev_message},
    {KM_ACTION_NEXT_ENTRY, pager_next_message},
    {KM_ACTION_PREV_ENTRY, pager_prev_message},
    {KM_ACTION_NEXT_UNREAD, pager_next_unread},
    {KM_ACTION_PREV_UNREAD, pager_prev_unread},
    {KM_ACTION_EXIT_PAGER, pager_exit},
    {KM_ACTION_QUIT, pager_exit},
    {KM_ACTION_SEARCH, pager_search},
    {KM_ACTION_SEARCH_REVERSE, pager_search_reverse},
    {KM_ACTION_SEARCH_NEXT, pager_search_next},
    {KM_ACTION_SEARCH_OPPOSITE, pager_search_opposite},
    {KM_ACTION_TOGGLE_HEADERS, pager_toggle_headers},
    {KM_ACTION_DELETE, pager_delete},
    {KM_ACTION_UNDELETE, pager_undelete},
    {KM_ACTION_FLAG, pager_flag},
    {KM_ACTION_TOGGLE_NEW, pager_toggle_new},
    {KM_ACTION_SAVE, pager_save},
};

static bool
pager_action(struct screen *s, struct ui *ui, enum km_action a)
{
    if (pager_scroll(s, ui, a))
        return true;
    return screen_dispatch(pager_actions, sizeof pager_actions / sizeof pager_actions[0], s, ui, a);
}

static const struct screen_ops pager_ops = {
    .name = "pager",
    .km_context = KM_CTX_PAGER,
    .layout = pager_layout,
    .draw = pager_draw,
    .status = pager_status,
    .action = pager_action,
    .free = pager_free,
};

struct screen *
ui_pager_new(struct ui *ui)
{
    (void)ui;
    return screen_new(&pager_ops, xcalloc(1, sizeof(struct pager)));
}
