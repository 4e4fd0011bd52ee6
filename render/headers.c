/*
 * headers.c - the header block of a message or of an enclosed message.
 *
 * Shows the configured fields in the configured order (every occurrence),
 * all fields as they appear, or none.  Values are RFC 2047-decoded with
 * mail_header_decode() and enter the line through render_line_add(), so an
 * encoded word that decodes to ESC or a line break is shown as ^[ / ^J.
 * Long values wrap with a hanging indent.  Does not parse addresses or dates:
 * what the sender wrote is what the reader sees.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/base/utf8.h"

#include "render/render-private.h"

static const char *const render_default_headers[] = {"From", "To", "Cc", "Date", "Subject", NULL};

static enum rstyle
render_header_style(const char *name)
{
    if (strcasecmp(name, "From") == 0)
        return RSTYLE_HDR_FROM;
    if (strcasecmp(name, "Subject") == 0)
        return RSTYLE_HDR_SUBJECT;
    if (strcasecmp(name, "Date") == 0)
        return RSTYLE_HDR_DATE;
    return RSTYLE_HDR_VALUE;
}

static bool
render_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
render_header(struct rdoc *doc, const struct mail_header *h, const struct render_opts *opts)
{
    const char *raw = h->value ? h->value : "";
    char *value = mail_header_decode(raw, strlen(raw));
    const char *v = value ? value : raw;
    size_t a = 0, b = strlen(v);
    struct render_line ln;
    struct render_wrap w;
    static const char indent[] = "                    ";

    while (a < b && render_is_ws(v[a]))
        a++;
    while (b > a && render_is_ws(v[b - 1]))
        b--;
    render_line_init(&ln);
    render_line_add(&ln, RSTYLE_HDR_NAME, h->name, strlen(h->name), opts->tab_width);
    render_line_add_safe(&ln, RSTYLE_HDR_NAME, b > a ? ": " : ":", b > a ? 2 : 1);
    size_t name_w = ln.width, name_len = ln.text.len;
    render_line_add(&ln, render_header_style(h->name), v + a, b - a, opts->tab_width);

    render_wrap_init(&w, doc, opts);
    w.hang = name_len;
    w.cont = indent;
    w.cont_len = name_w <= doc->width / 4 && name_w < sizeof indent ? name_w : 4;
    render_wrap(doc, &ln, &w);
    render_line_free(&ln);
    free(value);
}

static size_t
render_headers_named(struct rdoc *doc, const struct mail_header *hdrs, size_t n, const char *name,
                     const struct render_opts *opts)
{
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (hdrs[i].name && strcasecmp(hdrs[i].name, name) == 0) {
            render_header(doc, &hdrs[i], opts);
            shown++;
        }
    }
    return shown;
}

void
render_headers(struct rdoc *doc, const struct mail_header *hdrs, size_t n,
               const struct render_opts *opts)
{
    size_t shown = 0;

    if (opts->headers_mode == RENDER_HEADERS_NONE)
        return;
    if (opts->headers_mode == RENDER_HEADERS_ALL) {
        for (size_t i = 0; i < n; i++) {
            if (hdrs[i].name) {
                render_header(doc, &hdrs[i], opts);
                shown++;
            }
        }
    } else {
        const char *const *names = opts->headers ? opts->headers : render_default_headers;
        for (size_t k = 0; names[k]; k++)
            shown += render_headers_named(doc, hdrs, n, names[k], opts);
    }
    if (shown)
        rdoc_push(doc, "", 0, NULL, 0, 0);
}
