/*
 * golden-render.c - render a .eml at given widths and diff the {style}
 * output byte for byte against <prefix>.w<N>.rdoc (what `nixie render
 * --styles --width N` prints).  NIXIE_UPDATE_GOLDEN=1 rewrites the goldens
 * instead (review them like code).  Also asserts the rdoc invariants: every
 * line safe, no wider than N, width field true, spans covering the text.
 *
 * usage: golden-render EML PREFIX WIDTH... [--all-headers] [--prefer-html]
 * (options anywhere)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "mail/message.h"

#include "render/render.h"

static int
golden_check_invariants(const struct rdoc *doc, size_t width)
{
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct rline *l = &doc->lines[i];
        size_t pos = 0;
        if (!utf8_is_safe(l->text, l->len) || l->width > width ||
            utf8_width(l->text, l->len) != l->width || strlen(l->text) != l->len) {
            fprintf(stderr, "line %zu breaks the rdoc invariants\n", i + 1);
            return -1;
        }
        for (size_t s = 0; s < l->nspans; s++) {
            if (l->spans[s].start != pos || l->spans[s].len == 0) {
                fprintf(stderr, "line %zu: spans do not cover the text\n", i + 1);
                return -1;
            }
            pos += l->spans[s].len;
        }
        if (pos != l->len) {
            fprintf(stderr, "line %zu: spans do not cover the text\n", i + 1);
            return -1;
        }
    }
    return 0;
}

static char *
golden_read(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    size_t cap = 4096, n;
    char *buf = malloc(cap);
    *len = 0;
    while ((n = fread(buf + *len, 1, cap - *len, fp)) > 0) {
        *len += n;
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(fp);
    return buf;
}

static void
golden_show_diff(const char *want, size_t wlen, const char *got, size_t glen)
{
    size_t line = 1, i = 0;
    while (i < wlen && i < glen && want[i] == got[i])
        line += want[i++] == '\n';
    size_t a = i;
    while (a > 0 && want[a - 1] != '\n')
        a--;
    const char *we = memchr(want + a, '\n', wlen - a), *ge = memchr(got + a, '\n', glen - a);
    int wl = (int)((we ? (size_t)(we - want) : wlen) - a);
    int gl = (int)((ge ? (size_t)(ge - got) : glen) - a);
    fprintf(stderr, "first difference at line %zu:\n-%.*s\n+%.*s\n", line, a < wlen ? wl : 0,
            want + a, a < glen ? gl : 0, got + a);
    fprintf(stderr, "---- full output ----\n%.*s", (int)glen, got);
}

static int
golden_case(const struct mail_message *msg, const struct render_opts *opts, const char *prefix,
            size_t width, bool update)
{
    struct rdoc *doc = NULL;
    char *got = NULL, *want = NULL, path[4096];
    size_t glen = 0, wlen = 0;
    int rc = 1;

    snprintf(path, sizeof path, "%s.w%zu.rdoc", prefix, width);
    if (render_message(msg, NULL, opts, width, &doc, NULL) != 0) {
        fprintf(stderr, "%s: render_message failed\n", path);
        return 1;
    }
    FILE *mem = open_memstream(&got, &glen);
    if (mem == NULL || rdoc_print(doc, mem, true) != 0 || fclose(mem) != 0)
        goto out;
    if (golden_check_invariants(doc, width) != 0)
        goto out;
    if (update) {
        FILE *fp = fopen(path, "wb");
        if (fp == NULL || fwrite(got, 1, glen, fp) != glen || fclose(fp) != 0) {
            perror(path);
            goto out;
        }
        printf("updated %s\n", path);
        rc = 0;
        goto out;
    }
    want = golden_read(path, &wlen);
    if (want == NULL) {
        perror(path);
        goto out;
    }
    if (wlen != glen || memcmp(want, got, glen) != 0) {
        fprintf(stderr, "%s: output differs from the golden file\n", path);
        golden_show_diff(want, wlen, got, glen);
        goto out;
    }
    printf("ok %s\n", path);
    rc = 0;
out:
    free(want);
    free(got);
    rdoc_free(doc);
    return rc;
}

int
main(int argc, char **argv)
{
    struct render_opts opts;
    struct nx_err err = {0};
    const char *update = getenv("NIXIE_UPDATE_GOLDEN");
    int i = 1, rc = 0;

    utf8_locale_init();
    render_opts_default(&opts);
    const char *pos[64];
    int npos = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--all-headers") == 0)
            opts.headers_mode = RENDER_HEADERS_ALL;
        else if (strcmp(argv[i], "--prefer-html") == 0)
            opts.prefer_html = true;
        else if (argv[i][0] == '-' || npos == 64) {
            fprintf(stderr, "golden-render: bad argument %s\n", argv[i]);
            return 2;
        } else
            pos[npos++] = argv[i];
    }
    if (npos < 3) {
        fprintf(stderr, "usage: golden-render [--all-headers] [--prefer-html] EML PREFIX W...\n");
        return 2;
    }
    struct mail_message *msg = mail_message_load(pos[0], &err);
    if (msg == NULL) {
        fprintf(stderr, "%s: %s\n", pos[0], err.what);
        return 1;
    }
    for (int k = 2; k < npos; k++) {
        int w = atoi(pos[k]);
        if (w < 10) {
            fprintf(stderr, "golden-render: bad width %s\n", pos[k]);
            rc = 1;
            continue;
        }
        rc |= golden_case(msg, &opts, pos[1], (size_t)w, update && strcmp(update, "1") == 0);
    }
    mail_message_free(msg);
    return rc;
}
