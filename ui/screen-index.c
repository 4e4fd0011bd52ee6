/*
 * screen-index.c - the message index: one line per message (number, flags,
 * date, sender, size, thread tree, subject), the cursor, scrolling, and the
 * actions on the current message.
 *
 * Owns only its scroll position; the folder, the order and the cursor are
 * ui->mbox's (the pager moves the same cursor).  Every envelope string is
 * unsanitised (mail/message.h) and goes through ui_paint_text().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "ui/colour.h"
#include "ui/mbox.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

struct index {
    size_t top; /* view position on the first row */
};

/* Keep the cursor on screen, and the screen full when it can be. */
static void
index_fix_top(struct index *ix, const struct ui_mbox *mb, size_t rows)
{
    if (mb == NULL || rows == 0) {
        ix->top = 0;
        return;
    }
    if (mb->cur < ix->top)
        ix->top = mb->cur;
    else if (mb->cur >= ix->top + rows)
        ix->top = mb->cur - rows + 1;
    if (mb->n > rows && ix->top > mb->n - rows)
        ix->top = mb->n - rows;
    else if (mb->n <= rows)
        ix->top = 0;
}

/* Flags column as mutt's %Z: D/N/O/r, then ! for flagged. */
static void
index_flags(const struct mail_envelope *env, char out[3])
{
    unsigned f = env->flags;
    out[0] = f & MAIL_FLAG_TRASHED                             ? 'D'
             : !(f & MAIL_FLAG_SEEN) && (f & MAIL_FLAG_RECENT) ? 'N'
             : !(f & MAIL_FLAG_SEEN)                           ? 'O'
             : f & MAIL_FLAG_REPLIED                           ? 'r'
                                                               : ' ';
    out[1] = f & MAIL_FLAG_FLAGGED ? '!' : ' ';
    out[2] = '\0';
}

static void
index_size(uint64_t size, char *buf, size_t len)
{
    if (size < 1000)
        snprintf(buf, len, "%u", (unsigned)size);
    else if (size < 10 * 1024)
        snprintf(buf, len, "%.1fK", (double)size / 1024);
    else if (size < 1000 * 1024)
        snprintf(buf, len, "%uK", (unsigned)((size + 512) / 1024));
    else
        snprintf(buf, len, "%.1fM", (double)size / (1024 * 1024));
}

static void
index_date(const struct ui *ui, time_t t, char *buf, size_t len)
{
    struct tm tm;
    const char *fmt = ui->cfg->date_format != NULL ? ui->cfg->date_format : "%b %d";
    buf[0] = '\0';
    if (t == 0 || localtime_r(&t, &tm) == NULL)
        return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the user's date_format */
    if (strftime(buf, len, fmt, &tm) == 0)
        buf[0] = '\0';
#pragma GCC diagnostic pop
}

static int
index_line_attr(const struct mail_envelope *env, bool current)
{
    if (current)
        return UI_COLOUR_INDICATOR;
    if (env->flags & MAIL_FLAG_TRASHED)
        return UI_COLOUR_INDEX_DELETED;
    if (env->flags & MAIL_FLAG_FLAGGED)
        return UI_COLOUR_INDEX_FLAGGED;
    if (!(env->flags & MAIL_FLAG_SEEN))
        return UI_COLOUR_INDEX_NEW;
    return RSTYLE_NORMAL;
}

/* Paint s padded or cut to exactly w columns; returns the new x. */
static int
index_cell(int y, int x, const char *s, int w, int attr)
{
    if (w <= 0)
        return x;
    ui_paint_fill(y, x, w, attr);
    ui_paint_text(y, x, s != NULL ? s : "", w, attr);
    return x + w;
}

static void
index_draw_line(struct ui *ui, int y, size_t pos)
{
    struct ui_mbox *mb = ui->mbox;
    size_t idx = mb->view->order[pos];
    const struct mail_envelope *env = mb->envs[idx];
    bool current = pos == mb->cur;
    int attr = index_line_attr(env, current), cols = ui->cols, x = 0;
    char num[24], flags[3], date[64], size[16], tree[128];
    int numw = snprintf(num, sizeof num, "%zu", mb->n);
    int fromw = cols >= 100 ? 20 : cols / 5 > 8 ? cols / 5 : 8;

    ui_paint_fill(y, 0, cols, attr);
    snprintf(num, sizeof num, "%*zu ", numw, pos + 1);
    x = index_cell(y, x, num, numw + 1, attr);
    index_flags(env, flags);
    x = index_cell(y, x, flags, 3, attr);
    index_date(ui, env->date, date, sizeof date);
    int datew = (int)utf8_width(date, strlen(date));
    x = index_cell(y, x, date, datew > 0 ? datew + 1 : 0, attr) + 1;
    const char *from = env->from_name   ? env->from_name
                       : env->from_addr ? env->from_addr
                                        : env->from;
    x = index_cell(y, x, from, fromw, attr) + 1;
    index_size(env->size, size, sizeof size);
    snprintf(num, sizeof num, "(%4s)", size);
    x = index_cell(y, x, num, 7, attr);
    if (x >= cols)
        return;
    size_t tl = ui_thread_prefix(mb->view, idx, tree, sizeof tree);
    if (tl > 0)
        x += ui_paint_safe(y, x, tree, tl, cols - x, current ? attr : UI_COLOUR_TREE);
    if (x < cols)
        ui_paint_text(y, x, env->subject != NULL ? env->subject : "(no subject)", cols - x, attr);
}

void
ui_index_paint(struct ui *ui, int y0, size_t rows, size_t *top)
{
    struct ui_mbox *mb = ui->mbox;
    struct index ix = {*top};
    index_fix_top(&ix, mb, rows);
    *top = ix.top;
    if (mb == NULL) {
        ui_paint_text(y0, 0, "No folder is open: press c to open one, y for the folder list.",
                      ui->cols, RSTYLE_NOTE);
        return;
    }
    if (mb->n == 0) {
        ui_paint_text(y0, 0, "No messages in this folder.", ui->cols, RSTYLE_NOTE);
        return;
    }
    for (size_t r = 0; r < rows && ix.top + r < mb->n; r++)
        index_draw_line(ui, y0 + (int)r, ix.top + r);
}

static void
index_draw(struct screen *s, struct ui *ui)
{
    struct index *ix = s->data;
    ui_index_paint(ui, 0, (size_t)ui_content_rows(ui), &ix->top);
}

void
ui_index_status(struct ui *ui, struct strbuf *out, struct strbuf *right)
{
    struct ui_mbox *mb = ui->mbox;
    if (mb == NULL) {
        strbuf_adds(out, "--- nixie: no folder");
        return;
    }
    strbuf_addf(out, "-%c- nixie: %s [Msgs:%zu", mb->ndeleted > 0 ? '*' : '-', mb->name, mb->n);
    if (mb->nunread > 0)
        strbuf_addf(out, " New:%zu", mb->nunread);
    if (mb->ndeleted > 0)
        strbuf_addf(out, " Del:%zu", mb->ndeleted);
    if (mb->nflagged > 0)
        strbuf_addf(out, " Flag:%zu", mb->nflagged);
    strbuf_addf(out, "] (%s%s)", mb->newest_first ? "date-reverse" : "date",
                mb->threads ? ", threads" : "");
    if (mb->n > 0)
        strbuf_addf(right, "%zu/%zu", mb->cur + 1, mb->n);
}

static void
index_status(struct screen *s, struct ui *ui, struct strbuf *out, struct strbuf *right)
{
    (void)s;
    ui_index_status(ui, out, right);
}

static void
index_layout(struct screen *s, struct ui *ui, unsigned dirty)
{
    (void)dirty;
    index_fix_top(s->data, ui->mbox, (size_t)ui_content_rows(ui));
}

static void
index_free(struct screen *s)
{
    free(s->data);
}

static void
index_move(struct ui *ui, long delta)
{
    struct ui_mbox *mb = ui->mbox;
    if (mb == NULL || mb->n == 0)
        return;
    if (delta < 0)
        mb->cur = (size_t)-delta > mb->cur ? 0 : mb->cur - (size_t)-delta;
    else
        mb->cur = mb->cur + (size_t)delta >= mb->n ? mb->n - 1 : mb->cur + (size_t)delta;
    ui->dirty |= UI_DIRTY_PAINT;
}

static void
index_next_entry(struct screen *s, struct ui *ui)
{
    (void)s;
    if (ui->mbox != NULL && ui->mbox->cur + 1 >= ui->mbox->n)
        ui_message(ui, "You are on the last message.");
    index_move(ui, 1);
}

static void
index_prev_entry(struct screen *s, struct ui *ui)
{
    (void)s;
    if (ui->mbox != NULL && ui->mbox->cur == 0)
        ui_message(ui, "You are on the first message.");
    index_move(ui, -1);
}

static void
index_page(struct screen *s, struct ui *ui, long rows)
{
    struct index *ix = s->data;
    index_move(ui, rows);
    /* the view moves with the cursor, as far as it can */
    if (rows > 0)
        ix->top += (size_t)rows;
    else
        ix->top = (size_t)-rows > ix->top ? 0 : ix->top - (size_t)-rows;
}

static void
index_next_page(struct screen *s, struct ui *ui)
{
    index_page(s, ui, ui_content_rows(ui));
}

static void
index_prev_page(struct screen *s, struct ui *ui)
{
    index_page(s, ui, -ui_content_rows(ui));
}

static void
index_half_down(struct screen *s, struct ui *ui)
{
    index_page(s, ui, ui_content_rows(ui) / 2 > 0 ? ui_content_rows(ui) / 2 : 1);
}

static void
index_half_up(struct screen *s, struct ui *ui)
{
    index_page(s, ui, -(ui_content_rows(ui) / 2 > 0 ? ui_content_rows(ui) / 2 : 1));
}

static void
index_first(struct screen *s, struct ui *ui)
{
    (void)s;
    index_move(ui, -(long)(ui->mbox != NULL ? ui->mbox->n : 0));
}

static void
index_last(struct screen *s, struct ui *ui)
{
    (void)s;
    index_move(ui, (long)(ui->mbox != NULL ? ui->mbox->n : 0));
}

static void
index_next_message(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_step(ui, 1, false);
}

static void
index_prev_message(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_step(ui, -1, false);
}

static void
index_next_unread(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_step(ui, 1, true);
}

static void
index_prev_unread(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_step(ui, -1, true);
}

static void
index_display(struct screen *s, struct ui *ui)
{
    (void)s;
    if (ui_mbox_at(ui->mbox, ui->mbox != NULL ? ui->mbox->cur : 0) == NULL) {
        ui_message(ui, "No message to open.");
        return;
    }
    ui_screen_push(ui, ui_pager_new(ui));
}

static void
index_search_done(struct ui *ui, void *arg, const char *text)
{
    (void)arg;
    if (text == NULL || *text == '\0')
        return;
    free(ui->search);
    ui->search = xstrdup(text);
    ui_ops_index_search(ui, ui->search, ui->search_dir);
}

static void
index_search(struct screen *s, struct ui *ui)
{
    (void)s;
    ui->search_dir = 1;
    ui_prompt_line(ui, "Search for: ", NULL, index_search_done, NULL);
}

static void
index_search_reverse(struct screen *s, struct ui *ui)
{
    (void)s;
    ui->search_dir = -1;
    ui_prompt_line(ui, "Reverse search for: ", NULL, index_search_done, NULL);
}

static void
index_search_again(struct ui *ui, int dir)
{
    if (ui->search == NULL) {
        ui_message(ui, "No search pattern.");
        return;
    }
    ui_ops_index_search(ui, ui->search, dir);
}

static void
index_search_next(struct screen *s, struct ui *ui)
{
    (void)s;
    index_search_again(ui, ui->search_dir);
}

static void
index_search_opposite(struct screen *s, struct ui *ui)
{
    (void)s;
    index_search_again(ui, -ui->search_dir);
}

static void
index_toggle_threads(struct screen *s, struct ui *ui)
{
    (void)s;
    ui->threads = !ui->threads;
    if (ui->mbox != NULL)
        ui_mbox_sort(ui->mbox, ui->threads, ui->newest_first);
    ui_message(ui, ui->threads ? "Threaded view." : "Flat view.");
    ui->dirty |= UI_DIRTY_CONTENT;
}

static void
index_toggle_sort(struct screen *s, struct ui *ui)
{
    (void)s;
    ui->newest_first = !ui->newest_first;
    if (ui->mbox != NULL)
        ui_mbox_sort(ui->mbox, ui->threads, ui->newest_first);
    ui_message(ui, ui->newest_first ? "Newest first." : "Oldest first.");
    ui->dirty |= UI_DIRTY_CONTENT;
}

static void
index_delete(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_TRASHED, 1);
    if (ui->mbox != NULL && ui->mbox->cur + 1 < ui->mbox->n)
        ui_ops_step(ui, 1, false);
}

static void
index_undelete(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_TRASHED, 0);
}

static void
index_flag(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_FLAGGED, -1);
}

static void
index_toggle_new(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_set_flag(ui, MAIL_FLAG_SEEN, -1);
}

static void
index_sync(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_sync(ui, false);
}

static void
index_save(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_save(ui);
}

static void
index_quit(struct screen *s, struct ui *ui)
{
    (void)s;
    ui_ops_sync(ui, true);
}

static const struct screen_action index_actions[] = {
    {KM_ACTION_NEXT_ENTRY, index_next_entry},
    {KM_ACTION_PREV_ENTRY, index_prev_entry},
    {KM_ACTION_NEXT_LINE, index_next_entry},
    {KM_ACTION_PREV_LINE, index_prev_entry},
    {KM_ACTION_NEXT_MESSAGE, index_next_message},
    {KM_ACTION_PREV_MESSAGE, index_prev_message},
    {KM_ACTION_NEXT_UNREAD, index_next_unread},
    {KM_ACTION_PREV_UNREAD, index_prev_unread},
    {KM_ACTION_NEXT_PAGE, index_next_page},
    {KM_ACTION_PREV_PAGE, index_prev_page},
    {KM_ACTION_HALF_DOWN, index_half_down},
    {KM_ACTION_HALF_UP, index_half_up},
    {KM_ACTION_FIRST_ENTRY, index_first},
    {KM_ACTION_LAST_ENTRY, index_last},
    {KM_ACTION_TOP, index_first},
    {KM_ACTION_BOTTOM, index_last},
    {KM_ACTION_DISPLAY_MESSAGE, index_display},
    {KM_ACTION_SELECT_ENTRY, index_display},
    {KM_ACTION_SEARCH, index_search},
    {KM_ACTION_SEARCH_REVERSE, index_search_reverse},
    {KM_ACTION_SEARCH_NEXT, index_search_next},
    {KM_ACTION_SEARCH_OPPOSITE, index_search_opposite},
    {KM_ACTION_TOGGLE_THREADS, index_toggle_threads},
    {KM_ACTION_TOGGLE_SORT, index_toggle_sort},
    {KM_ACTION_DELETE, index_delete},
    {KM_ACTION_UNDELETE, index_undelete},
    {KM_ACTION_FLAG, index_flag},
    {KM_ACTION_TOGGLE_NEW, index_toggle_new},
    {KM_ACTION_SYNC, index_sync},
    {KM_ACTION_SAVE, index_save},
    {KM_ACTION_QUIT, index_quit},
};

static bool
index_action(struct screen *s, struct ui *ui, enum km_action a)
{
    return screen_dispatch(index_actions, sizeof index_actions / sizeof index_actions[0], s, ui, a);
}

static const struct screen_ops index_ops = {
    .name = "index",
    .km_context = KM_CTX_INDEX,
    .layout = index_layout,
    .draw = index_draw,
    .status = index_status,
    .action = index_action,
    .free = index_free,
};

struct screen *
ui_index_new(struct ui *ui)
{
    (void)ui;
    return screen_new(&index_ops, xcalloc(1, sizeof(struct index)));
}
