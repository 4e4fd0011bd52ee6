/*
 * line.c - one logical line of styled text, and the gate through which
 * message text enters render/.
 *
 * render_line_add() is the only function that takes untrusted bytes: every
 * code point that utf8_is_safe() rejects (C0, DEL, C1, ESC, bidi controls,
 * invalid UTF-8) is passed to utf8_sanitize() and shown as its visible
 * placeholder in RSTYLE_CONTROL; tabs become spaces.  It does not wrap
 * (wrap.c) or classify quotes (text.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "render/render-private.h"

/* A logical line longer than this is cut (a 64 MB one-line body, or tabs
 * expanding 16-fold, must not exhaust memory). */
#define RENDER_LINE_MAX_BYTES (1024u * 1024u)

void
render_line_init(struct render_line *ln)
{
    memset(ln, 0, sizeof *ln);
    strbuf_init(&ln->text);
}

void
render_line_free(struct render_line *ln)
{
    if (ln == NULL)
        return;
    strbuf_free(&ln->text);
    free(ln->spans);
    render_line_init(ln);
}

void
render_line_reset(struct render_line *ln)
{
    strbuf_reset(&ln->text);
    ln->nspans = 0;
    ln->width = 0;
    ln->truncated = false;
}

static void
render_line_push_span(struct rspan **spans, size_t *n, size_t *cap, size_t start, size_t len,
                      enum rstyle style)
{
    if (len == 0)
        return;
    if (*n > 0) {
        struct rspan *last = &(*spans)[*n - 1];
        if (last->style == style && (size_t)last->start + last->len == start) {
            last->len += (unsigned)len;
            return;
        }
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *spans = xreallocarray(*spans, *cap, sizeof **spans);
    }
    (*spans)[(*n)++] = (struct rspan){(unsigned)start, (unsigned)len, style};
}

void
render_line_add_safe(struct render_line *ln, enum rstyle style, const char *s, size_t len)
{
    if (len == 0 || ln->truncated)
        return;
    if (ln->text.len + len > RENDER_LINE_MAX_BYTES) {
        ln->truncated = true;
        return;
    }
    size_t start = ln->text.len;
    strbuf_add(&ln->text, s, len);
    ln->width += utf8_width(s, len);
    render_line_push_span(&ln->spans, &ln->nspans, &ln->cap, start, len, style);
}

static void
render_line_add_tab(struct render_line *ln, enum rstyle style, unsigned tab_width)
{
    static const char spaces[RENDER_MAX_TAB] = "                ";
    if (tab_width == 0 || tab_width > RENDER_MAX_TAB)
        tab_width = 8;
    size_t n = tab_width - ln->width % tab_width;
    render_line_add_safe(ln, style, spaces, n);
}

static void
render_line_add_control(struct render_line *ln, const char *s, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    utf8_sanitize(&sb, s, n, 0);
    render_line_add_safe(ln, RSTYLE_CONTROL, sb.buf, sb.len);
    strbuf_free(&sb);
}

void
render_line_add(struct render_line *ln, enum rstyle style, const char *s, size_t len,
                unsigned tab_width)
{
    size_t run = 0, i = 0; /* s[run..i) is safe and not yet added */
    while (i < len && !ln->truncated) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (utf8_is_safe(s + i, n)) {
            i += n;
            continue;
        }
        render_line_add_safe(ln, style, s + run, i - run);
        if (cp == '\t')
            render_line_add_tab(ln, style, tab_width);
        else
            render_line_add_control(ln, s + i, n);
        i += n;
        run = i;
    }
    render_line_add_safe(ln, style, s + run, i - run);
}

/* Restyle the sorted, disjoint ranges [r[2k], r[2k+1]) in one pass over the
 * spans (a line with many URLs stays linear). */
static void
render_line_restyle_ranges(struct render_line *ln, const size_t *r, size_t nr, enum rstyle style)
{
    struct rspan *out = NULL;
    size_t n = 0, cap = 0, k = 0;
    for (size_t s = 0; s < ln->nspans; s++) {
        const struct rspan sp = ln->spans[s];
        size_t pos = sp.start, end = (size_t)sp.start + sp.len;
        while (pos < end) {
            while (k < nr && r[2 * k + 1] <= pos)
                k++;
            size_t seg;
            enum rstyle st = sp.style;
            if (k < nr && r[2 * k] <= pos) {
                seg = r[2 * k + 1] < end ? r[2 * k + 1] : end;
                if (sp.style != RSTYLE_CONTROL)
                    st = style;
            } else {
                seg = (k < nr && r[2 * k] < end) ? r[2 * k] : end;
            }
            render_line_push_span(&out, &n, &cap, pos, seg - pos, st);
            pos = seg;
        }
    }
    free(ln->spans);
    ln->spans = out;
    ln->nspans = n;
    ln->cap = cap;
}

void
render_line_restyle(struct render_line *ln, size_t start, size_t end, enum rstyle style)
{
    size_t r[2] = {start, end};
    if (start < end)
        render_line_restyle_ranges(ln, r, 1, style);
}

static size_t
render_url_scheme(const char *s, size_t n)
{
    static const char *const schemes[] = {"https://", "http://", "ftp://", "mailto:", "www."};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t l = strlen(schemes[i]);
        if (n > l && strncasecmp(s, schemes[i], l) == 0)
            return l;
    }
    return 0;
}

static bool
render_url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && strchr("<>\"'`{}|\\^", c) == NULL;
}

static bool
render_is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* End of the URL starting at s[i] with a scheme of `l` bytes, or i. */
static size_t
render_url_end(const char *s, size_t len, size_t i, size_t l)
{
    size_t end = i + l, open = 0, close = 0;
    while (end < len && render_url_char((unsigned char)s[end])) {
        open += s[end] == '(';
        close += s[end] == ')';
        end++;
    }
    /* Trailing punctuation belongs to the sentence, not the URL. */
    while (end > i + l) {
        char c = s[end - 1];
        if (strchr(".,;:!?", c) || (c == ')' && close > open)) {
            close -= c == ')';
            end--;
            continue;
        }
        break;
    }
    return end > i + l ? end : i;
}

void
render_line_mark_urls(struct render_line *ln)
{
    const char *s = ln->text.buf;
    size_t len = ln->text.len, nr = 0, cap = 0, *r = NULL;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && render_is_alnum((unsigned char)s[i - 1]))
            continue;
        size_t l = render_url_scheme(s + i, len - i);
        if (l == 0)
            continue;
        size_t end = render_url_end(s, len, i, l);
        if (end == i)
            continue;
        if (nr == cap) {
            cap = cap ? cap * 2 : 4;
            r = xreallocarray(r, cap, 2 * sizeof *r);
        }
        r[2 * nr] = i;
        r[2 * nr + 1] = end;
        nr++;
        i = end - 1;
    }
    if (nr)
        render_line_restyle_ranges(ln, r, nr, RSTYLE_URL);
    free(r);
}
