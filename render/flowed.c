/*
 * flowed.c - RFC 3676 format=flowed text to paragraphs.
 *
 * A line ending in a space is "flowed" and joins the next line of the same
 * quote depth (§4.2); with DelSp=yes that space is deleted (§4.2).  Quote
 * depth is the count of leading '>' (§4.5); one space after them is
 * space-stuffing and removed (§4.4); the signature separator "-- " is never
 * flowed (§4.3).  A change of depth ends a paragraph (§4.5, improperly
 * flowed).  Paragraphs are shown with "> " per level and wrapped to the
 * width by text.c.  Untrusted bytes are only copied here, never shown.
 */
#include <string.h>

#include "mail/base/strbuf.h"

#include "render/render-private.h"

/* More levels are counted but not drawn (a hostile 10,000-deep quote). */
#define RENDER_FLOWED_MAX_MARKS 32u

struct render_flowed_para {
    struct strbuf text;
    unsigned depth;
    bool open; /* the last line was flowed: text continues */
};

static void
render_flowed_flush(struct render_text_state *st, struct render_flowed_para *p)
{
    char prefix[2 * RENDER_FLOWED_MAX_MARKS];
    unsigned marks = p->depth < RENDER_FLOWED_MAX_MARKS ? p->depth : RENDER_FLOWED_MAX_MARKS;
    for (unsigned i = 0; i < marks; i++) {
        prefix[2 * i] = '>';
        prefix[2 * i + 1] = ' ';
    }
    render_text_emit(st, p->depth, prefix, 2 * marks, strbuf_str(&p->text), p->text.len);
    strbuf_reset(&p->text);
    p->open = false;
}

static void
render_flowed_line(struct render_text_state *st, struct render_flowed_para *p, const char *s,
                   size_t n)
{
    unsigned depth = 0;
    size_t i = 0;
    while (i < n && s[i] == '>') {
        depth++;
        i++;
    }
    if (i < n && s[i] == ' ')
        i++; /* space-stuffing, §4.4 */
    const char *c = s + i;
    size_t clen = n - i;
    bool sig = render_text_is_sigsep(c, clen);
    bool flowed = !sig && clen > 0 && c[clen - 1] == ' ';

    if (p->open && (p->depth != depth || sig))
        render_flowed_flush(st, p); /* a depth change or "-- " ends the paragraph */
    if (sig && depth == 0 && st->how->signature)
        st->in_sig = true;
    if (flowed && st->how->delsp)
        clen--;
    strbuf_add(&p->text, c, clen);
    p->depth = depth;
    p->open = true;
    if (!flowed)
        render_flowed_flush(st, p);
}

void
render_flowed(struct render_text_state *st, const char *text, size_t len)
{
    struct render_flowed_para p = {.text = STRBUF_INIT};
    size_t i = 0;
    while (i < len && !rdoc_full(st->doc)) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, stop = end;
        if (stop > i && text[stop - 1] == '\r')
            stop--;
        render_flowed_line(st, &p, text + i, stop - i);
        i = end + 1;
    }
    if (p.open)
        render_flowed_flush(st, &p);
    strbuf_free(&p.text);
}
