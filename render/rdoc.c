/*
 * rdoc.c - the rendered document: lines of styled spans, style names,
 * search and the plain/golden printers.
 *
 * Owns every line's text and spans (copies).  Does not sanitise or wrap on
 * its own except in rdoc_add_text(), which goes through the same line
 * builder as message text.  Invariants: every line is safe UTF-8
 * (utf8_is_safe), at most doc->width columns wide, and its spans cover its
 * text in order; the document never holds more than RENDER_MAX_LINES lines.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "render/render-private.h"

static const char *const rdoc_style_names[RSTYLE__COUNT] = {
#define RSTYLE_NAME(id, name) [RSTYLE_##id] = name,
    RSTYLE_LIST(RSTYLE_NAME)
#undef RSTYLE_NAME
};

static const char rdoc_truncated_note[] = "[-- Output truncated: too many lines --]";

const char *
rstyle_name(enum rstyle style)
{
    if ((unsigned)style >= RSTYLE__COUNT)
        return NULL;
    return rdoc_style_names[style];
}

int
rstyle_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < RSTYLE__COUNT; i++)
        if (strcasecmp(name, rdoc_style_names[i]) == 0)
            return i;
    return -1;
}

struct rdoc *
rdoc_new(size_t width)
{
    struct rdoc *doc = xcalloc(1, sizeof *doc);
    if (width < RENDER_MIN_WIDTH)
        width = RENDER_MIN_WIDTH;
    if (width > RENDER_MAX_WIDTH)
        width = RENDER_MAX_WIDTH;
    doc->width = width;
    return doc;
}

void
rdoc_free(struct rdoc *doc)
{
    if (doc == NULL)
        return;
    for (size_t i = 0; i < doc->nlines; i++) {
        free(doc->lines[i].text);
        free(doc->lines[i].spans);
    }
    free(doc->lines);
    free(doc);
}

bool
rdoc_full(const struct rdoc *doc)
{
    return doc->nlines >= RENDER_MAX_LINES;
}

static void
rdoc_store(struct rdoc *doc, const char *text, size_t len, const struct rspan *spans, size_t nspans,
           size_t width)
{
    if (doc->nlines == doc->cap) {
        doc->cap = doc->cap ? doc->cap * 2 : 64;
        doc->lines = xreallocarray(doc->lines, doc->cap, sizeof *doc->lines);
    }
    struct rline *l = &doc->lines[doc->nlines++];
    l->text = xstrndup(text, len);
    l->len = len;
    l->width = width;
    l->nspans = nspans;
    l->spans = NULL;
    if (nspans) {
        l->spans = xreallocarray(NULL, nspans, sizeof *spans);
        memcpy(l->spans, spans, nspans * sizeof *spans);
    }
}

void
rdoc_push(struct rdoc *doc, const char *text, size_t len, const struct rspan *spans, size_t nspans,
          size_t width)
{
    if (rdoc_full(doc))
        return;
    if (doc->nlines + 1 == RENDER_MAX_LINES) {
        /* The last slot says why the document ends here. */
        size_t n = sizeof rdoc_truncated_note - 1, w;
        n = utf8_fit(rdoc_truncated_note, n, doc->width, &w);
        struct rspan sp = {0, (unsigned)n, RSTYLE_NOTE};
        rdoc_store(doc, rdoc_truncated_note, n, &sp, 1, w);
        return;
    }
    rdoc_store(doc, text, len, spans, nspans, width);
}

void
rdoc_add_text(struct rdoc *doc, enum rstyle style, const char *text, size_t len)
{
    struct render_opts opts;
    struct render_wrap w;
    struct render_line ln;

    if (doc == NULL || text == NULL)
        return;
    render_opts_default(&opts);
    render_wrap_init(&w, doc, &opts);
    render_line_init(&ln);
    size_t i = 0;
    do {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t stop = end;
        if (stop > i && text[stop - 1] == '\r')
            stop--; /* CRLF: the CR is part of the line break */
        render_line_reset(&ln);
        render_line_add(&ln, style, text + i, stop - i, opts.tab_width);
        render_wrap(doc, &ln, &w);
        i = end + 1;
    } while (i < len);
    render_line_free(&ln);
}

/* ASCII-only case folding: the same result in every locale. */
static bool
rdoc_contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t k = 0;
        while (k < nlen) {
            unsigned char a = (unsigned char)hay[i + k], b = (unsigned char)needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (unsigned char)(b - 'A' + 'a');
            if (a != b)
                break;
            k++;
        }
        if (k == nlen)
            return true;
    }
    return false;
}

long
rdoc_search(const struct rdoc *doc, const char *needle, size_t from, int dir)
{
    if (doc == NULL || needle == NULL || needle[0] == '\0' || doc->nlines == 0)
        return -1;
    size_t nlen = strlen(needle);
    if (dir >= 0) {
        for (size_t i = from; i < doc->nlines; i++)
            if (rdoc_contains(doc->lines[i].text, doc->lines[i].len, needle, nlen))
                return (long)i;
        return -1;
    }
    size_t i = from < doc->nlines ? from : doc->nlines - 1;
    for (;;) {
        if (rdoc_contains(doc->lines[i].text, doc->lines[i].len, needle, nlen))
            return (long)i;
        if (i == 0)
            return -1;
        i--;
    }
}

static void
rdoc_print_line(const struct rline *l, FILE *fp, bool styles)
{
    if (!styles) {
        fwrite(l->text, 1, l->len, fp);
        return;
    }
    for (size_t s = 0; s < l->nspans; s++) {
        const struct rspan *sp = &l->spans[s];
        const char *name = rstyle_name(sp->style);
        fprintf(fp, "{%s}", name ? name : "?");
        if ((size_t)sp->start + sp->len <= l->len)
            fwrite(l->text + sp->start, 1, sp->len, fp);
    }
}

int
rdoc_print(const struct rdoc *doc, FILE *fp, bool styles)
{
    if (doc == NULL || fp == NULL)
        return -1;
    for (size_t i = 0; i < doc->nlines; i++) {
        rdoc_print_line(&doc->lines[i], fp, styles);
        fputc('\n', fp);
    }
    if (fflush(fp) != 0 || ferror(fp))
        return -1;
    return 0;
}
