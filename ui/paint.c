/*
 * paint.c - putting text on the screen, and the scrolled rdoc view shared
 * by the pager and the help.
 *
 * The only functions that hand text to curses.  ui_paint_text() sanitises
 * (for anything from a message or a user); ui_paint_safe() takes text that
 * is sanitised already (rdoc lines, our own messages).  Widths come from
 * utf8_width()/utf8_fit(), so a wide character is never cut in half.
 */
#include <ctype.h>
#include <string.h>

#include <curses.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"

#include "ui/colour.h"
#include "ui/ui-private.h"

int
ui_paint_safe(int y, int x, const char *s, size_t len, int maxcols, int attr_id)
{
    size_t used = 0;
    if (maxcols > getmaxx(stdscr) - x) /* curses would wrap onto the next row */
        maxcols = getmaxx(stdscr) - x;
    if (maxcols <= 0 || len == 0 || y < 0 || y >= getmaxy(stdscr))
        return 0;
    size_t n = utf8_fit(s, len, (size_t)maxcols, &used);
    attrset(ui_colour_attr(attr_id));
    mvaddnstr(y, x, s, (int)n);
    attrset(A_NORMAL);
    return (int)used;
}

int
ui_paint_text(int y, int x, const char *s, int maxcols, int attr_id)
{
    struct strbuf sb = STRBUF_INIT;
    if (s == NULL || maxcols <= 0)
        return 0;
    utf8_sanitize(&sb, s, strlen(s), 0);
    int used = ui_paint_safe(y, x, strbuf_str(&sb), sb.len, maxcols, attr_id);
    strbuf_free(&sb);
    return used;
}

void
ui_paint_fill(int y, int x, int cols, int attr_id)
{
    if (cols > getmaxx(stdscr) - x)
        cols = getmaxx(stdscr) - x;
    if (cols <= 0 || y < 0 || y >= getmaxy(stdscr))
        return;
    attrset(ui_colour_attr(attr_id));
    mvhline(y, x, ' ', cols);
    attrset(A_NORMAL);
}

const char *
ui_strcasestr(const char *hay, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl == 0 || nl > len)
        return NULL;
    for (size_t i = 0; i + nl <= len; i++) {
        size_t j = 0;
        while (j < nl && tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
            j++;
        if (j == nl)
            return hay + i;
    }
    return NULL;
}

void
ui_paint_rline(int y, const struct rline *line, const char *needle, int cols)
{
    int x = 0;
    for (size_t i = 0; i < line->nspans && x < cols; i++) {
        const struct rspan *sp = &line->spans[i];
        if ((size_t)sp->start + sp->len > line->len)
            break; /* a broken span: paint nothing past the text */
        x += ui_paint_safe(y, x, line->text + sp->start, sp->len, cols - x, (int)sp->style);
    }
    if (line->nspans == 0)
        ui_paint_safe(y, 0, line->text, line->len, cols, RSTYLE_NORMAL);
    if (needle == NULL || *needle == '\0')
        return;
    size_t nl = strlen(needle);
    const char *p = line->text, *end = line->text + line->len;
    while ((p = ui_strcasestr(p, (size_t)(end - p), needle)) != NULL) {
        int col = (int)utf8_width(line->text, (size_t)(p - line->text));
        if (col >= cols)
            break;
        ui_paint_safe(y, col, p, nl, cols - col, RSTYLE_SEARCH);
        p += nl;
    }
}

void
ui_docview_clamp(struct ui_docview *v)
{
    size_t n = v->doc != NULL ? v->doc->nlines : 0;
    size_t rows = v->rows > 0 ? (size_t)v->rows : 1;
    size_t max = n > rows ? n - rows : 0;
    if (v->top > max)
        v->top = max;
}

bool
ui_docview_scroll(struct ui_docview *v, enum km_action a, unsigned context_lines)
{
    size_t rows = v->rows > 0 ? (size_t)v->rows : 1;
    size_t page = rows > context_lines + 1 ? rows - context_lines : 1;
    size_t half = rows / 2 > 0 ? rows / 2 : 1;
    switch (a) {
    case KM_ACTION_NEXT_LINE:
        v->top++;
        break;
    case KM_ACTION_PREV_LINE:
        v->top = v->top > 0 ? v->top - 1 : 0;
        break;
    case KM_ACTION_NEXT_PAGE:
        v->top += page;
        break;
    case KM_ACTION_PREV_PAGE:
        v->top = v->top > page ? v->top - page : 0;
        break;
    case KM_ACTION_HALF_DOWN:
        v->top += half;
        break;
    case KM_ACTION_HALF_UP:
        v->top = v->top > half ? v->top - half : 0;
        break;
    case KM_ACTION_TOP:
        v->top = 0;
        break;
    case KM_ACTION_BOTTOM:
        v->top = (size_t)-1 / 2;
        break;
    default:
        return false;
    }
    ui_docview_clamp(v);
    return true;
}

void
ui_docview_draw(const struct ui_docview *v, const char *needle, int cols)
{
    if (v->doc == NULL)
        return;
    for (int r = 0; r < v->rows && v->top + (size_t)r < v->doc->nlines; r++)
        ui_paint_rline(v->y0 + r, &v->doc->lines[v->top + (size_t)r], needle, cols);
}

int
ui_docview_percent(const struct ui_docview *v)
{
    size_t n = v->doc != NULL ? v->doc->nlines : 0;
    size_t bottom = v->top + (size_t)(v->rows > 0 ? v->rows : 0);
    if (n == 0 || (v->top == 0 && bottom >= n))
        return -1; /* all of it is visible */
    if (bottom >= n)
        return 100;
    return (int)(bottom * 100 / n);
}

void
ui_docview_search(struct ui_docview *v, struct ui *ui, int dir)
{
    struct rdoc *doc = v->doc;
    if (doc == NULL || doc->nlines == 0 || ui->search == NULL)
        return;
    ui->dirty |= UI_DIRTY_PAINT;
    /* from the line after (before) the top, then once around */
    long hit = -1;
    if (dir > 0 && v->top + 1 < doc->nlines)
        hit = rdoc_search(doc, ui->search, v->top + 1, 1);
    else if (dir < 0 && v->top > 0)
        hit = rdoc_search(doc, ui->search, v->top - 1, -1);
    if (hit < 0) {
        hit = rdoc_search(doc, ui->search, dir > 0 ? 0 : doc->nlines - 1, dir);
        if (hit >= 0)
            ui_message(ui, "Search wrapped.");
    }
    if (hit < 0) {
        ui_message(ui, "Not found: %s", ui->search);
        return;
    }
    v->top = (size_t)hit;
    ui_docview_clamp(v);
}
