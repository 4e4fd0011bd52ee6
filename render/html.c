/*
 * html.c - the built-in HTML to text converter, used when no html_command
 * is configured or it failed.
 *
 * A single forward scan, no tree, no recursion: hostile or unbalanced HTML
 * costs linear time (failed searches for a closing tag are remembered).
 * Drops the content of <script>, <style>, <title>, <template> and <head>;
 * block elements become line breaks, list items "* " bullets, blockquotes
 * "> " prefixes; entities are decoded (html-entity.c); white space collapses
 * outside <pre>.  Does not sanitise: the text goes through render_text(),
 * which does.  Does not lay out tables or show link targets.
 */
#include <string.h>
#include <strings.h>

#include "mail/base/utf8.h"

#include "render/render-private.h"

#define RENDER_HTML_MAX_QUOTE 8u /* prefixes drawn; deeper levels are counted */
#define RENDER_HTML_MAX_LIST 4u
#define RENDER_HTML_TAG_MAX 16u

struct render_html {
    const char *s;
    size_t len;
    size_t pos;
    struct strbuf *out;
    size_t max_out;
    unsigned quote, pre, list;
    unsigned line_quote;       /* quote depth of the last text line */
    unsigned breaks;           /* line breaks owed before the next text */
    bool space;                /* collapsed white space owed before the next text */
    bool bol;                  /* at the start of an output line */
    bool started;              /* some text was written */
    bool bullet;               /* a list bullet is owed */
    bool no_head_end, no_body; /* remembered failed searches */
};

static bool
render_html_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
render_html_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A blank line between two quote depths belongs to the shallower one. */
static void
render_html_prefix(struct render_html *h, bool blank)
{
    unsigned q = blank && h->line_quote < h->quote ? h->line_quote : h->quote;
    q = q < RENDER_HTML_MAX_QUOTE ? q : RENDER_HTML_MAX_QUOTE;
    for (unsigned i = 0; i < q; i++)
        strbuf_add(h->out, blank && i + 1 == q ? ">" : "> ", blank && i + 1 == q ? 1 : 2);
}

/* Called before any visible character: pay the owed breaks, prefix and
 * space. */
static void
render_html_begin(struct render_html *h)
{
    if (h->started && h->breaks) {
        for (unsigned i = 0; i < h->breaks; i++) {
            if (i > 0)
                render_html_prefix(h, true);
            strbuf_addc(h->out, '\n');
        }
        h->bol = true;
    }
    h->breaks = 0;
    if (h->bol) {
        render_html_prefix(h, false);
        unsigned l = h->list < RENDER_HTML_MAX_LIST ? h->list : RENDER_HTML_MAX_LIST;
        for (unsigned i = 1; i < l; i++)
            strbuf_add(h->out, "  ", 2);
        if (h->bullet)
            strbuf_add(h->out, "* ", 2);
    } else if (h->space) {
        strbuf_addc(h->out, ' ');
    }
    h->bullet = h->space = h->bol = false;
    h->started = true;
    h->line_quote = h->quote;
}

static void
render_html_break(struct render_html *h, unsigned n)
{
    if (h->breaks < n)
        h->breaks = n;
    h->space = false;
}

static void
render_html_char(struct render_html *h, uint32_t cp)
{
    if (cp < 0x80 && render_html_ws((unsigned char)cp) && h->pre == 0) {
        h->space = true;
        return;
    }
    if (h->pre && cp == '\n') {
        h->breaks++;
        h->bol = true;
        return;
    }
    if (h->pre && cp == '\r')
        return;
    render_html_begin(h);
    utf8_encode(h->out, cp);
}

/* Find "</name" (case-insensitive, followed by a non-name byte) from pos;
 * returns its offset or len. */
static size_t
render_html_find_close(const struct render_html *h, size_t pos, const char *name, bool open)
{
    size_t nl = strlen(name);
    for (size_t i = pos; i < h->len; i++) {
        if (h->s[i] != '<')
            continue;
        size_t j = i + 1;
        if (!open) {
            if (j >= h->len || h->s[j] != '/')
                continue;
            j++;
        }
        if (h->len - j >= nl && strncasecmp(h->s + j, name, nl) == 0 &&
            (j + nl == h->len || !render_html_alnum((unsigned char)h->s[j + nl])))
            return i;
    }
    return h->len;
}

/* Offset just past the '>' closing the tag whose name ends at pos; quoted
 * attribute values may hold '>'. */
static size_t
render_html_tag_end(const struct render_html *h, size_t pos)
{
    char prev = 0;
    for (size_t i = pos; i < h->len; i++) {
        char c = h->s[i];
        if (c == '>')
            return i + 1;
        if ((c == '"' || c == '\'') && prev == '=') {
            const char *q = memchr(h->s + i + 1, c, h->len - i - 1);
            if (q == NULL)
                return h->len;
            i = (size_t)(q - h->s);
        }
        if (!render_html_ws((unsigned char)c))
            prev = c;
    }
    return h->len;
}

/* Skip the content of a raw element up to and past its closing tag. */
static void
render_html_skip_content(struct render_html *h, const char *name)
{
    size_t at = render_html_find_close(h, h->pos, name, false);
    h->pos = at < h->len ? render_html_tag_end(h, at + 2) : h->len;
}

/* <head>: up to </head>, else up to <body>, else nothing (a missing
 * </head> must not hide the whole message). */
static void
render_html_skip_head(struct render_html *h)
{
    size_t at = h->len;
    if (!h->no_head_end) {
        at = render_html_find_close(h, h->pos, "head", false);
        if (at < h->len) {
            h->pos = render_html_tag_end(h, at + 2);
            return;
        }
        h->no_head_end = true;
    }
    if (!h->no_body) {
        at = render_html_find_close(h, h->pos, "body", true);
        if (at < h->len) {
            h->pos = at;
            return;
        }
        h->no_body = true;
    }
}

static void
render_html_element(struct render_html *h, const char *tag, bool close)
{
    static const char *const para[] = {"p",  "h1",    "h2", "h3", "h4",      "h5",
                                       "h6", "table", "dl", "hr", "address", "figure"};
    static const char *const line[] = {
        "div",   "tr",     "dt",      "dd",       "section", "article", "header", "footer",
        "form",  "center", "caption", "fieldset", "nav",     "main",    "aside",  "body",
        "tbody", "thead",  "tfoot",   "legend",   "details", "summary", "option", "li"};
    for (size_t i = 0; i < sizeof para / sizeof para[0]; i++) {
        if (strcmp(tag, para[i]) == 0) {
            render_html_break(h, 2);
            return;
        }
    }
    for (size_t i = 0; i < sizeof line / sizeof line[0]; i++) {
        if (strcmp(tag, line[i]) == 0) {
            render_html_break(h, 1);
            return;
        }
    }
    if ((strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0) && !close && !h->bol)
        h->space = true;
}

static void
render_html_tag(struct render_html *h, const char *tag, bool close)
{
    if (!close && strcmp(tag, "br") == 0) {
        h->breaks++;
        h->bol = true;
        h->space = false;
    } else if (strcmp(tag, "blockquote") == 0) {
        render_html_break(h, 2);
        if (close)
            h->quote -= h->quote > 0;
        else
            h->quote += h->quote < 1000;
    } else if (strcmp(tag, "pre") == 0) {
        render_html_break(h, 2);
        if (close)
            h->pre -= h->pre > 0;
        else
            h->pre += h->pre < 1000;
    } else if (strcmp(tag, "ul") == 0 || strcmp(tag, "ol") == 0) {
        render_html_break(h, 1);
        if (close)
            h->list -= h->list > 0;
        else
            h->list += h->list < 1000;
    } else {
        render_html_element(h, tag, close);
        if (!close && strcmp(tag, "li") == 0)
            h->bullet = true;
    }
}

/* h->pos is just past '<'.  Reads a tag (or comment, declaration); returns
 * false if this '<' does not start markup and is literal text. */
static bool
render_html_markup(struct render_html *h)
{
    const char *s = h->s;
    size_t p = h->pos, len = h->len;
    if (p < len && s[p] == '!') {
        if (len - p >= 3 && memcmp(s + p, "!--", 3) == 0) {
            const char *end = memmem(s + p + 3, len - p - 3, "-->", 3);
            h->pos = end ? (size_t)(end - s) + 3 : len;
        } else {
            h->pos = render_html_tag_end(h, p);
        }
        return true;
    }
    if (p < len && s[p] == '?') {
        h->pos = render_html_tag_end(h, p);
        return true;
    }
    bool close = p < len && s[p] == '/';
    p += close;
    if (p >= len || !(((unsigned char)s[p] | 0x20) >= 'a' && ((unsigned char)s[p] | 0x20) <= 'z'))
        return false;
    char tag[RENDER_HTML_TAG_MAX + 1];
    size_t n = 0;
    for (; p < len && render_html_alnum((unsigned char)s[p]); p++) {
        char c = s[p];
        if (n < RENDER_HTML_TAG_MAX)
            tag[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    tag[n] = '\0';
    h->pos = render_html_tag_end(h, p);
    if (close) {
        render_html_tag(h, tag, true);
        return true;
    }
    static const char *const raw[] = {"script", "style", "title", "template", "textarea"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strcmp(tag, raw[i]) == 0) {
            render_html_skip_content(h, raw[i]);
            return true;
        }
    if (strcmp(tag, "head") == 0)
        render_html_skip_head(h);
    else
        render_html_tag(h, tag, false);
    return true;
}

void
render_html_to_text(const char *html, size_t len, struct strbuf *out)
{
    struct render_html h = {.s = html, .len = len, .out = out, .bol = true};
    size_t base = out->len;

    /* Bullets and prefixes expand short tags; never more than this. */
    h.max_out = base + 8 * len + 4096;
    while (h.pos < len && out->len < h.max_out) {
        unsigned char c = (unsigned char)html[h.pos];
        if (c == '<') {
            h.pos++;
            if (!render_html_markup(&h))
                render_html_char(&h, '<');
        } else if (c == '&') {
            uint32_t cp;
            h.pos += render_html_entity(html + h.pos, len - h.pos, &cp);
            render_html_char(&h, cp);
        } else if (c < 0x80) {
            h.pos++;
            render_html_char(&h, c);
        } else {
            /* Copy one UTF-8 sequence (or stray byte) as it is. */
            size_t n = 1;
            while (h.pos + n < len && ((unsigned char)html[h.pos + n] & 0xC0) == 0x80 && n < 4)
                n++;
            render_html_begin(&h);
            strbuf_add(out, html + h.pos, n);
            h.pos += n;
        }
    }
    if (h.started)
        strbuf_addc(out, '\n');
}
