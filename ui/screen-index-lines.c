/*
 * screen-index-lines.c - painting index lines (number, flags as mutt's %Z,
 * date, sender, size, thread tree, subject) and the index status text, for
 * the index screen and for the pager's pager_index_lines.
 *
 * Owns nothing.  Every envelope string is unsanitised (mail/message.h) and
 * reaches the screen only through ui_paint_text(); widths are display
 * columns, so CJK names and emoji line up.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"

#include "ui/colour.h"
#include "ui/mbox.h"
#include "ui/ui-private.h"

/* Keep the cursor on screen, and the screen full when it can be. */
void
ui_index_fix_top(const struct ui_mbox *mb, size_t rows, size_t *top)
{
    if (mb == NULL || rows == 0) {
        *top = 0;
        return;
    }
    if (mb->cur < *top)
        *top = mb->cur;
    else if (mb->cur >= *top + rows)
        *top = mb->cur - rows + 1;
    if (mb->n > rows && *top > mb->n - rows)
        *top = mb->n - rows;
    else if (mb->n <= rows)
        *top = 0;
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
    ui_index_fix_top(mb, rows, top);
    if (mb == NULL) {
        ui_paint_text(y0, 0, "No folder is open: press c to open one, y for the folder list.",
                      ui->cols, RSTYLE_NOTE);
        return;
    }
    if (mb->n == 0) {
        ui_paint_text(y0, 0, "No messages in this folder.", ui->cols, RSTYLE_NOTE);
        return;
    }
    for (size_t r = 0; r < rows && *top + r < mb->n; r++)
        index_draw_line(ui, y0 + (int)r, *top + r);
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
