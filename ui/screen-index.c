/*
 * screen-index.c - the message index screen: the cursor, scrolling, and
 * the actions on the current message (its lines are painted by
 * screen-index-lines.c).
 *
 * Owns only its scroll position; the folder, the order and the cursor are
 * ui->mbox's (the pager moves the same cursor).
 */
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "ui/mbox.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

struct index {
    size_t top; /* view position on the first row */
};

static void
index_draw(struct screen *s, struct ui *ui)
{
    struct index *ix = s->data;
    ui_index_paint(ui, 0, (size_t)ui_content_rows(ui), &ix->top);
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
    struct index *ix = s->data;
    ui_index_fix_top(ui->mbox, (size_t)ui_content_rows(ui), &ix->top);
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
