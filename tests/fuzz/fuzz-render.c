/*
 * fuzz-render.c - message bytes -> model -> render_message() at widths 20
 * and 80 (plain preferred, and HTML preferred with all headers), asserting
 * the rdoc invariants rather than only "no crash": every line safe for a
 * terminal (utf8_is_safe), no wider than the width, its width field true,
 * its spans covering the text in order.  Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "mail/message.h"

#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_render_check(const struct rdoc *doc, size_t width)
{
    if (doc == NULL || doc->width != width)
        abort();
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct rline *l = &doc->lines[i];
        size_t pos = 0;
        if (l->text == NULL || strlen(l->text) != l->len || !utf8_is_safe(l->text, l->len))
            abort();
        if (l->width > width || utf8_width(l->text, l->len) != l->width)
            abort();
        for (size_t s = 0; s < l->nspans; s++) {
            if (l->spans[s].start != pos || l->spans[s].len == 0 ||
                (unsigned)l->spans[s].style >= RSTYLE__COUNT)
                abort();
            pos += l->spans[s].len;
        }
        if (pos != l->len)
            abort();
    }
}

static void
fuzz_render_one(const struct mail_message *msg, size_t width, bool html)
{
    struct render_opts opts;
    struct rdoc *doc = NULL;

    render_opts_default(&opts);
    if (html) {
        opts.prefer_html = true;
        opts.headers_mode = RENDER_HEADERS_ALL;
    }
    if (render_message(msg, NULL, &opts, width, &doc, NULL) != 0)
        abort(); /* content never makes rendering fail */
    fuzz_render_check(doc, width);
    (void)rdoc_search(doc, "re", 0, 1);
    rdoc_free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        utf8_locale_init();
        init = 1;
    }
    struct mail_message *msg = mail_message_parse((const char *)data, size, NULL);
    if (msg == NULL)
        return 0;
    fuzz_render_one(msg, 20, false);
    fuzz_render_one(msg, 80, false);
    fuzz_render_one(msg, 20, true);
    mail_message_free(msg);
    return 0;
}
