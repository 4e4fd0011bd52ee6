/*
 * wrap.c - cut a logical line into rdoc lines by display width.
 *
 * Widths come from utf8_fit() (wide CJK characters take two columns,
 * combining marks none and stay with their base character).  Smart wrapping
 * breaks at the last space that fits, dropping the spaces at the break;
 * a word longer than the line is broken at the last column that fits.
 * Continuation lines start with an optional prefix (quote marks, a header's
 * hanging indent), never wider than half the line.
 * Does not sanitise: its input is a struct render_line, safe by invariant.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "render/render-private.h"

static const char render_wrap_cut_note[] = "[-- Line too long: the rest is not shown --]";

/* One output line being assembled. */
struct render_wrap_out {
    struct render_line line;
    size_t span; /* first span of the input that may overlap the next piece */
};

void
render_wrap_init(struct render_wrap *w, const struct rdoc *doc, const struct render_opts *opts)
{
    memset(w, 0, sizeof *w);
    w->width = doc->width;
    w->wrap = opts->wrap;
    w->smart = opts->smart_wrap;
    w->cont_style = RSTYLE_NORMAL;
}

/* Emit in[pos..end) (with the continuation prefix unless first). */
static void
render_wrap_emit(struct rdoc *doc, const struct render_line *in, struct render_wrap_out *o,
                 size_t pos, size_t end, const char *cont, size_t cont_len, enum rstyle cont_style)
{
    struct render_line *ln = &o->line;
    render_line_reset(ln);
    render_line_add_safe(ln, cont_style, cont, cont_len);
    while (o->span < in->nspans && (size_t)in->spans[o->span].start + in->spans[o->span].len <= pos)
        o->span++;
    for (size_t s = o->span; s < in->nspans && in->spans[s].start < end; s++) {
        size_t a = in->spans[s].start, b = a + in->spans[s].len;
        if (a < pos)
            a = pos;
        if (b > end)
            b = end;
        render_line_add_safe(ln, in->spans[s].style, in->text.buf + a, b - a);
    }
    rdoc_push(doc, strbuf_str(&ln->text), ln->text.len, ln->spans, ln->nspans, ln->width);
}

/* Simple kinsoku (JIS X 4051): no line starts with closing punctuation and
 * none ends with an opening bracket. */
static bool
render_wrap_no_break_before(uint32_t cp)
{
    static const uint32_t closing[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF09, 0x300D,
                                       0x300F, 0x3011, 0x3009, 0x300B, 0x3015, 0xFF01,
                                       0xFF1F, 0xFF1A, 0xFF1B, 0x30FC, 0x30FB};
    for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
        if (cp == closing[i])
            return true;
    return false;
}

static bool
render_wrap_no_break_after(uint32_t cp)
{
    return cp == 0x300C || cp == 0x300E || cp == 0xFF08 || cp == 0x3010 || cp == 0x3008 ||
           cp == 0x300A || cp == 0x3014;
}

/* Where the piece starting at pos that fits up to brk should end: after
 * its last space (the spaces are dropped) or between two characters of
 * which one is wide (CJK text has no spaces; roughly UAX #14's ID class),
 * but never within the first `hang` bytes (a quote prefix or header name
 * alone on a line); failing that, at brk (a hard break).  *next is where
 * the next piece starts (the caller skips spaces there). */
static size_t
render_wrap_break(const char *t, size_t len, size_t pos, size_t brk, size_t hang, bool smart,
                  size_t *next)
{
    size_t best = 0, best_next = brk, i = pos;
    bool prev_wide = false;
    uint32_t prev = 0;

    *next = brk;
    if (brk >= len || !smart)
        return brk;
    while (i <= brk && i < len) {
        uint32_t cp;
        size_t n = utf8_decode(t + i, len - i, &cp);
        int w = utf8_cp_width(cp);
        bool ok =
            cp == ' ' || (w > 0 && (w == 2 || prev_wide) && !render_wrap_no_break_before(cp) &&
                          !render_wrap_no_break_after(prev));
        size_t end = i;
        while (ok && end > pos && t[end - 1] == ' ')
            end--;
        if (ok && end > pos + hang) {
            best = end;
            best_next = i;
        }
        if (w > 0) {
            prev_wide = w == 2; /* a combining mark keeps its base's class */
            prev = cp;
        }
        i += n;
    }
    if (best == 0)
        return brk;
    *next = best_next;
    return best;
}

void
render_wrap(struct rdoc *doc, const struct render_line *ln, const struct render_wrap *w)
{
    const char *t = strbuf_str(&ln->text);
    size_t len = ln->text.len, width = w->width, cw = 0, pos = 0;
    size_t clen = w->cont ? utf8_fit(w->cont, w->cont_len, width / 2, &cw) : 0;
    struct render_wrap_out o = {.span = 0};

    render_line_init(&o.line);
    if (len == 0)
        rdoc_push(doc, "", 0, NULL, 0, 0);
    for (bool first = true; pos < len && !rdoc_full(doc); first = false) {
        if (!first && w->smart)
            while (pos < len && t[pos] == ' ')
                pos++;
        if (pos == len)
            break;
        size_t avail = first ? width : width - cw, used, next;
        size_t fit = utf8_fit(t + pos, len - pos, avail, &used);
        if (fit == 0) {
            uint32_t cp; /* cannot happen with avail >= 5; never loop forever */
            fit = utf8_decode(t + pos, len - pos, &cp);
        }
        size_t end =
            render_wrap_break(t, len, pos, pos + fit, first ? w->hang : 0, w->smart, &next);
        render_wrap_emit(doc, ln, &o, pos, end, first ? NULL : w->cont, first ? 0 : clen,
                         w->cont_style);
        if (!w->wrap)
            break;
        pos = next;
    }
    if (ln->truncated) {
        render_line_reset(&o.line);
        render_line_add_safe(&o.line, RSTYLE_NOTE, render_wrap_cut_note,
                             sizeof render_wrap_cut_note - 1);
        struct render_wrap nw = {.width = width, .wrap = true, .smart = true};
        o.span = 0;
        struct render_line note = o.line;
        render_line_init(&o.line);
        render_wrap(doc, &note, &nw);
        render_line_free(&note);
    }
    render_line_free(&o.line);
}
