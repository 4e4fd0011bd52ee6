/*
 * text.c - text bodies: lines, quote levels, the signature block.
 *
 * Input is decoded UTF-8 text from mail_part_text() or an HTML converter:
 * untrusted, so it only enters lines through render_line_add().  A CR
 * before a line break is part of the break; any other CR is shown as ^M.
 * Quote depth counts leading '>' (with optional spaces between: "> > ");
 * continuation lines of a wrapped quoted line repeat its quote prefix.
 * format=flowed text is handed to flowed.c.  No MIME knowledge here.
 */
#include <string.h>

#include "mail/base/utf8.h"

#include "render/render-private.h"

enum rstyle
render_quote_style(unsigned depth)
{
    switch (depth) {
    case 0:
        return RSTYLE_NORMAL;
    case 1:
        return RSTYLE_QUOTE1;
    case 2:
        return RSTYLE_QUOTE2;
    default:
        return RSTYLE_QUOTE3;
    }
}

bool
render_text_is_sigsep(const char *line, size_t len)
{
    return len == 3 && memcmp(line, "-- ", 3) == 0; /* RFC 3676 §4.3 */
}

void
render_text_emit(struct render_text_state *st, unsigned depth, const char *prefix, size_t plen,
                 const char *body, size_t len)
{
    enum rstyle style = st->in_sig ? RSTYLE_SIGNATURE : render_quote_style(depth);
    struct render_wrap w;
    unsigned tab = st->opts->tab_width;

    render_line_reset(&st->line);
    render_line_add(&st->line, style, prefix, plen, tab);
    render_line_add(&st->line, style, body, len, tab);
    render_line_mark_urls(&st->line);
    render_wrap_init(&w, st->doc, st->opts);
    w.hang = st->line.text.len < plen ? st->line.text.len : plen; /* bytes of the prefix */
    if (depth > 0 && utf8_is_safe(prefix, plen)) {
        w.cont = prefix;
        w.cont_len = plen;
        w.cont_style = style;
    }
    render_wrap(st->doc, &st->line, &w);
}

/* Length of the quote prefix of line[0..len) and its depth. */
static size_t
render_text_quote(const char *line, size_t len, unsigned *depth)
{
    size_t i = 0, plen = 0;
    *depth = 0;
    while (i < len && line[i] == '>') {
        (*depth)++;
        i++;
        if (i < len && line[i] == ' ')
            i++;
        plen = i;
        /* "> > x": allow one space between marks, not a run of them */
    }
    return plen;
}

static void
render_text_fixed(struct render_text_state *st, const char *line, size_t len)
{
    unsigned depth = 0;
    size_t plen = st->how->quotes ? render_text_quote(line, len, &depth) : 0;
    if (st->how->signature && !st->in_sig && render_text_is_sigsep(line, len))
        st->in_sig = true;
    render_text_emit(st, depth, line, plen, line + plen, len - plen);
}

void
render_text(struct rdoc *doc, const char *text, size_t len, const struct render_text *how,
            const struct render_opts *opts)
{
    struct render_text_state st = {.doc = doc, .opts = opts, .how = how};

    if (text == NULL || len == 0)
        return;
    render_line_init(&st.line);
    if (how->flowed) {
        render_flowed(&st, text, len);
    } else {
        size_t i = 0;
        while (i < len && !rdoc_full(doc)) {
            const char *nl = memchr(text + i, '\n', len - i);
            size_t end = nl ? (size_t)(nl - text) : len, stop = end;
            if (stop > i && text[stop - 1] == '\r')
                stop--;
            render_text_fixed(&st, text + i, stop - i);
            i = end + 1;
        }
    }
    render_line_free(&st.line);
}
