/*
 * redraw.c - the screen stack, the message line and the once-per-turn
 * repaint (layout if needed, then the top full screen, its status bar, and
 * the message line or the prompt over it), plus the progress callback that
 * repaints the message line alone during long work.
 *
 * Owns nothing beyond what struct ui holds.  Every text painted here passed
 * utf8_sanitize(): messages are sanitised when set, status bars when drawn.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "ui/colour.h"
#include "ui/loop.h"
#include "ui/screen.h"

int
ui_content_rows(const struct ui *ui)
{
    return ui->rows > 2 ? ui->rows - 2 : 0;
}

struct screen *
screen_new(const struct screen_ops *ops, void *data)
{
    struct screen *s = xcalloc(1, sizeof *s);
    s->ops = ops;
    s->data = data;
    return s;
}

bool
screen_dispatch(const struct screen_action *table, size_t n, struct screen *s, struct ui *ui,
                enum km_action a)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].action == a) {
            table[i].fn(s, ui);
            return true;
        }
    }
    return false;
}

void
ui_screen_push(struct ui *ui, struct screen *s)
{
    s->below = ui->top;
    ui->top = s;
    ui->nkeys = 0;
    ui->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_CONTENT;
}

void
ui_screen_pop(struct ui *ui)
{
    struct screen *s = ui->top;
    if (s == NULL)
        return;
    ui->top = s->below;
    ui->nkeys = 0;
    if (s->ops->free != NULL)
        s->ops->free(s);
    free(s);
    /* the screen below may have missed a resize or a model change */
    ui->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_CONTENT;
}

void
ui_screen_pop_to(struct ui *ui, struct screen *s)
{
    while (ui->top != NULL && ui->top != s)
        ui_screen_pop(ui);
}

struct screen *
ui_screen_bottom(struct ui *ui)
{
    struct screen *s = ui->top;
    while (s != NULL && s->below != NULL)
        s = s->below;
    return s;
}

static void
redraw_set_message(struct ui *ui, const char *text, bool error)
{
    free(ui->msg);
    ui->msg = utf8_sanitize_dup(text, strlen(text), 0);
    ui->msg_error = error;
    ui->dirty |= UI_DIRTY_PAINT;
}

void
ui_message(struct ui *ui, const char *fmt, ...)
{
    va_list ap;
    struct strbuf sb = STRBUF_INIT;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    redraw_set_message(ui, strbuf_str(&sb), false);
    strbuf_free(&sb);
}

/* A peer's words on one line: line breaks become spaces, then sanitised. */
static void
redraw_add_oneline(struct strbuf *sb, const char *s)
{
    for (; *s; s++)
        strbuf_addc(sb, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

void
ui_error(struct ui *ui, const struct nx_err *err)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, err->what[0] ? err->what : "unknown error");
    if (err->peer[0]) {
        strbuf_adds(&sb, ": ");
        redraw_add_oneline(&sb, err->peer);
    }
    if (err->hint[0])
        strbuf_addf(&sb, " (%s)", err->hint);
    redraw_set_message(ui, strbuf_str(&sb), true);
    strbuf_free(&sb);
}

void
ui_message_clear(struct ui *ui)
{
    if (ui->msg == NULL)
        return;
    free(ui->msg);
    ui->msg = NULL;
    ui->dirty |= UI_DIRTY_PAINT;
}

struct redraw_hint {
    char key[32];
};

static void
redraw_find_help(void *arg, const int *keys, unsigned n, enum km_action action)
{
    struct redraw_hint *h = arg;
    if (action == KM_ACTION_HELP && h->key[0] == '\0')
        km_keys_name(keys, n, h->key, sizeof h->key);
}

/* Status bar: the screen's text on the left; on the right its position and
 * "KEY:help", which stay visible when the left part is cut. */
static void
redraw_status(struct ui *ui, struct screen *s)
{
    int y = ui->rows - 2, attr = UI_COLOUR_STATUS;
    struct strbuf left = STRBUF_INIT, right = STRBUF_INIT;
    struct redraw_hint h = {{0}};
    if (y < 0)
        return;
    if (s->ops->status != NULL)
        s->ops->status(s, ui, &left, &right);
    km_foreach(ui->km, s->ops->km_context, redraw_find_help, &h);
    if (h.key[0] != '\0')
        strbuf_addf(&right, "%s%s:help ", right.len > 0 ? "  " : " ", h.key);
    else if (right.len > 0)
        strbuf_addc(&right, ' ');
    char *r = utf8_sanitize_dup(right.buf != NULL ? right.buf : "", right.len, 0);
    int rw = (int)utf8_width(r, strlen(r));
    if (rw > ui->cols / 2) /* a narrow screen: the left part matters more */
        rw = 0;
    ui_paint_fill(y, 0, ui->cols, attr);
    ui_paint_text(y, 0, strbuf_str(&left), ui->cols - rw - 1, attr);
    if (rw > 0)
        ui_paint_safe(y, ui->cols - rw, r, strlen(r), rw, attr);
    free(r);
    strbuf_free(&left);
    strbuf_free(&right);
}

static void
redraw_message_line(struct ui *ui)
{
    int y = ui->rows - 1;
    if (y < 0 || ui->msg == NULL)
        return;
    ui_paint_safe(y, 0, ui->msg, strlen(ui->msg), ui->cols,
                  ui->msg_error ? UI_COLOUR_ERROR : UI_COLOUR_MESSAGE);
}

void
ui_loop_redraw(struct ui *ui)
{
    unsigned dirty = ui->dirty;
    struct screen *base = ui->top;
    if (dirty == 0 || base == NULL)
        return;
    ui->dirty = 0;
    if (dirty & UI_DIRTY_LAYOUT)
        getmaxyx(stdscr, ui->rows, ui->cols);
    while (base->ops->overlay && base->below != NULL)
        base = base->below;
    if ((dirty & (UI_DIRTY_LAYOUT | UI_DIRTY_CONTENT)) && base->ops->layout != NULL)
        base->ops->layout(base, ui, dirty);
    erase();
    if (ui->rows < 3 || ui->cols < 10) {
        ui_paint_safe(0, 0, "terminal too small", 18, ui->cols, RSTYLE_ERROR);
    } else {
        base->ops->draw(base, ui);
        redraw_status(ui, base);
        if (ui->top->ops->overlay) {
            ui->top->ops->draw(ui->top, ui); /* leaves the cursor where input goes */
        } else {
            redraw_message_line(ui);
        }
    }
    curs_set(ui->top->ops->overlay ? 1 : 0);
    if (dirty & UI_DIRTY_CLEAR)
        clearok(curscr, TRUE);
    refresh();
}

static double
redraw_elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int
redraw_progress_fn(void *arg, size_t done, size_t total)
{
    struct ui_progress *p = arg;
    struct timespec now;
    char line[256];
    if (ui_loop_interrupted()) {
        p->cancelled = true;
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->last.tv_sec != 0 && redraw_elapsed_ms(&p->last, &now) < 100)
        return 0;
    p->last = now;
    if (total > 0)
        snprintf(line, sizeof line, "%s %zu/%zu (Ctrl-C to cancel)", p->label, done, total);
    else
        snprintf(line, sizeof line, "%s %zu (Ctrl-C to cancel)", p->label, done);
    int y = getmaxy(stdscr) - 1;
    move(y, 0);
    clrtoeol();
    ui_paint_safe(y, 0, line, strlen(line), getmaxx(stdscr), UI_COLOUR_MESSAGE);
    refresh();
    return 0;
}

void
ui_progress_init(struct ui_progress *p, struct ui *ui, const char *label, struct mail_progress *out)
{
    char *safe = utf8_sanitize_dup(label, strlen(label), 0);
    size_t len = strlen(safe);
    if (len >= sizeof p->label) { /* cut at a character boundary */
        len = sizeof p->label - 1;
        while (len > 0 && ((unsigned char)safe[len] & 0xC0) == 0x80)
            len--;
    }
    memset(p, 0, sizeof *p);
    p->ui = ui;
    memcpy(p->label, safe, len);
    p->label[len] = '\0';
    free(safe);
    out->fn = redraw_progress_fn;
    out->arg = p;
}
