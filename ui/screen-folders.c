/*
 * screen-folders.c - the folder list of the store: name, total and unread
 * counts; Enter opens the folder in the index.
 *
 * Owns the folder infos it listed (refreshed each time the screen is laid
 * out after a model change, so counts follow the index).  Folder names come
 * from the file system and are painted sanitised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "ui/colour.h"
#include "ui/mbox.h"
#include "ui/screen.h"
#include "ui/ui-private.h"

struct folders {
    struct mail_folder_info *infos; /* owned */
    size_t n;
    size_t cur, top;
    bool listed;
};

static void
folders_list(struct folders *fl, struct ui *ui)
{
    fl->listed = true;
    struct nx_err err = {0};
    struct mail_folder_info *infos = NULL;
    size_t n = 0;
    if (ui->store == NULL) {
        ui_message(ui, "No mail store is open.");
        return;
    }
    if (mail_store_list_folders(ui->store, &infos, &n, &err) < 0) {
        ui_error(ui, &err);
        return;
    }
    bool first = fl->infos == NULL;
    mail_folder_infos_free(fl->infos, fl->n);
    fl->infos = infos;
    fl->n = n;
    for (size_t i = 0; first && ui->mbox != NULL && i < n; i++)
        if (strcmp(infos[i].name, ui->mbox->name) == 0)
            fl->cur = i; /* start on the folder that is open */
    if (fl->cur >= n)
        fl->cur = n > 0 ? n - 1 : 0;
}

static void
folders_layout(struct screen *s, struct ui *ui, unsigned dirty)
{
    struct folders *fl = s->data;
    if (!fl->listed || (dirty & UI_DIRTY_CONTENT))
        folders_list(fl, ui);
}

static void
folders_count(size_t v, char *buf, size_t len)
{
    if (v == (size_t)-1)
        snprintf(buf, len, "?");
    else
        snprintf(buf, len, "%zu", v);
}

static void
folders_draw(struct screen *s, struct ui *ui)
{
    struct folders *fl = s->data;
    size_t rows = (size_t)ui_content_rows(ui);
    if (fl->cur < fl->top)
        fl->top = fl->cur;
    else if (rows > 0 && fl->cur >= fl->top + rows)
        fl->top = fl->cur - rows + 1;
    if (fl->n == 0) {
        ui_paint_text(0, 0, "No folders.", ui->cols, RSTYLE_NOTE);
        return;
    }
    for (size_t r = 0; r < rows && fl->top + r < fl->n; r++) {
        const struct mail_folder_info *fi = &fl->infos[fl->top + r];
        bool current = fl->top + r == fl->cur;
        int attr = current                                      ? UI_COLOUR_INDICATOR
                   : fi->unread > 0 && fi->unread != (size_t)-1 ? UI_COLOUR_INDEX_NEW
                                                                : RSTYLE_NORMAL;
        char total[24], unread[24], counts[64];
        folders_count(fi->total, total, sizeof total);
        folders_count(fi->unread, unread, sizeof unread);
        int w = snprintf(counts, sizeof counts, "%8s %8s  ", total, unread);
        ui_paint_fill((int)r, 0, ui->cols, attr);
        ui_paint_text((int)r, 0, counts, ui->cols, attr);
        if (w < ui->cols)
            ui_paint_text((int)r, w, fi->name, ui->cols - w, attr);
    }
}

static void
folders_status(struct screen *s, struct ui *ui, struct strbuf *out, struct strbuf *right)
{
    struct folders *fl = s->data;
    strbuf_addf(out, "--- nixie: folders in %s [%zu]  (total, unread)",
                ui->store_label != NULL ? ui->store_label : "?", fl->n);
    if (fl->n > 0)
        strbuf_addf(right, "%zu/%zu", fl->cur + 1, fl->n);
}

static void
folders_move(struct screen *s, struct ui *ui, long delta)
{
    struct folders *fl = s->data;
    if (fl->n == 0)
        return;
    if (delta < 0)
        fl->cur = (size_t)-delta > fl->cur ? 0 : fl->cur - (size_t)-delta;
    else
        fl->cur = fl->cur + (size_t)delta >= fl->n ? fl->n - 1 : fl->cur + (size_t)delta;
    ui->dirty |= UI_DIRTY_PAINT;
}

static void
folders_next(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, 1);
}

static void
folders_prev(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, -1);
}

static void
folders_next_page(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, ui_content_rows(ui));
}

static void
folders_prev_page(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, -ui_content_rows(ui));
}

static void
folders_half_down(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, ui_content_rows(ui) / 2 + 1);
}

static void
folders_half_up(struct screen *s, struct ui *ui)
{
    folders_move(s, ui, -(ui_content_rows(ui) / 2 + 1));
}

static void
folders_first(struct screen *s, struct ui *ui)
{
    struct folders *fl = s->data;
    folders_move(s, ui, -(long)fl->n);
}

static void
folders_last(struct screen *s, struct ui *ui)
{
    struct folders *fl = s->data;
    folders_move(s, ui, (long)fl->n);
}

static void
folders_select(struct screen *s, struct ui *ui)
{
    struct folders *fl = s->data;
    if (fl->n == 0)
        return;
    /* opening pops every screen above the index, this one too: copy the name */
    char *name = xstrdup(fl->infos[fl->cur].name);
    ui_ops_open_folder(ui, name);
    free(name);
}

static const struct screen_action folders_actions[] = {
    {KM_ACTION_NEXT_ENTRY, folders_next},     {KM_ACTION_PREV_ENTRY, folders_prev},
    {KM_ACTION_NEXT_LINE, folders_next},      {KM_ACTION_PREV_LINE, folders_prev},
    {KM_ACTION_NEXT_PAGE, folders_next_page}, {KM_ACTION_PREV_PAGE, folders_prev_page},
    {KM_ACTION_HALF_DOWN, folders_half_down}, {KM_ACTION_HALF_UP, folders_half_up},
    {KM_ACTION_FIRST_ENTRY, folders_first},   {KM_ACTION_LAST_ENTRY, folders_last},
    {KM_ACTION_SELECT_ENTRY, folders_select}, {KM_ACTION_DISPLAY_MESSAGE, folders_select},
};

static bool
folders_action(struct screen *s, struct ui *ui, enum km_action a)
{
    return screen_dispatch(folders_actions, sizeof folders_actions / sizeof folders_actions[0], s,
                           ui, a);
}

static void
folders_free(struct screen *s)
{
    struct folders *fl = s->data;
    mail_folder_infos_free(fl->infos, fl->n);
    free(fl);
}

static const struct screen_ops folders_ops = {
    .name = "folders",
    .km_context = KM_CTX_FOLDERS,
    .layout = folders_layout,
    .draw = folders_draw,
    .status = folders_status,
    .action = folders_action,
    .free = folders_free,
};

struct screen *
ui_folders_new(struct ui *ui)
{
    struct folders *fl = xcalloc(1, sizeof *fl);
    (void)ui;
    return screen_new(&folders_ops, fl);
}
