/*
 * cmd-render.c - `nixie render [options] FILE`: print a message exactly as
 * the pager shows it, as plain text (or the {style} golden format).
 *
 * Hermetic: no configuration is read unless -F FILE is given, so the output
 * depends only on the file and the options (goldens, bug reports, scripts).
 * Owns nothing past its return.  Errors go to stderr as
 * "nixie render: what (hint)"; exit 0 on success, 1 on an error, 2 on a
 * usage error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/err.h"
#include "mail/base/utf8.h"

#include "mail/message.h"

#include "render/render.h"

#include "ui/cmd.h"
#include "ui/config.h"
#include "ui/htmlcmd.h"

struct cmd_render_args {
    unsigned long width;
    bool styles;
    bool all_headers;
    bool prefer_html;
    const char *html_command; /* borrowed from argv */
    const char *config;       /* -F FILE */
    const char *file;
};

static void
cmd_render_usage(FILE *fp)
{
    fputs("usage: nixie render [--width N] [--styles] [--all-headers] [--prefer-html]\n"
          "                    [--html-command CMD] [-F CONFIG] FILE|-\n",
          fp);
}

static int
cmd_render_error(const struct nx_err *err, const char *fallback)
{
    fprintf(stderr, "nixie render: %s", err && err->what[0] ? err->what : fallback);
    if (err && err->hint[0])
        fprintf(stderr, " (%s)", err->hint);
    if (err && err->peer[0]) {
        char *peer = utf8_sanitize_dup(err->peer, strlen(err->peer), 0);
        fprintf(stderr, ": %s", peer);
        free(peer);
    }
    fputc('\n', stderr);
    return 1;
}

/* The value of --opt VALUE or --opt=VALUE; NULL if argv[*i] is not opt. */
static const char *
cmd_render_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int
cmd_render_parse(int argc, char **argv, struct cmd_render_args *a)
{
    int i = argc > 0 && strcmp(argv[0], "render") == 0 ? 1 : 0;
    bool missing = false, opts_done = false;
    const char *v;

    for (; i < argc; i++) {
        const char *s = argv[i];
        if (opts_done || s[0] != '-' || strcmp(s, "-") == 0) {
            if (a->file) {
                fprintf(stderr, "nixie render: only one FILE, please\n");
                return 2;
            }
            a->file = s;
        } else if (strcmp(s, "--") == 0) {
            opts_done = true;
        } else if (strcmp(s, "--styles") == 0) {
            a->styles = true;
        } else if (strcmp(s, "--all-headers") == 0) {
            a->all_headers = true;
        } else if (strcmp(s, "--prefer-html") == 0) {
            a->prefer_html = true;
        } else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            cmd_render_usage(stdout);
            return -1;
        } else if ((v = cmd_render_value(argc, argv, &i, "--width", &missing)) != NULL) {
            char *end;
            errno = 0;
            a->width = strtoul(v, &end, 10);
            if (errno || *end || end == v || a->width < 10 || a->width > 4096) {
                fprintf(stderr, "nixie render: --width takes a number from 10 to 4096\n");
                return 2;
            }
        } else if ((v = cmd_render_value(argc, argv, &i, "--html-command", &missing)) != NULL) {
            a->html_command = v;
        } else if ((v = cmd_render_value(argc, argv, &i, "-F", &missing)) != NULL) {
            a->config = v;
        } else {
            fprintf(stderr, "nixie render: %s %s\n",
                    missing ? "missing value for" : "unknown option", s);
            cmd_render_usage(stderr);
            return 2;
        }
    }
    if (a->file == NULL) {
        cmd_render_usage(stderr);
        return 2;
    }
    return 0;
}

static struct mail_message *
cmd_render_load(const char *file, struct nx_err *err)
{
    if (strcmp(file, "-") != 0)
        return mail_message_load(file, err);
    size_t cap = 65536, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len > MAIL_MAX_MESSAGE_SIZE) {
            free(buf);
            nx_err_set(err, NX_ERR_LIMIT, "the message on stdin is larger than %u bytes",
                       MAIL_MAX_MESSAGE_SIZE);
            return NULL;
        }
        if (len == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    if (buf == NULL) {
        nx_err_set(err, NX_ERR_NOMEM, "out of memory reading stdin");
        return NULL;
    }
    return mail_message_adopt(buf, len, err);
}

static int
cmd_render_run(const struct cmd_render_args *a, const struct nx_config *cfg)
{
    struct render_opts opts;
    struct htmlcmd hc;
    struct nx_err err = {0};
    struct rdoc *doc = NULL;
    int rc = 1;

    render_opts_default(&opts);
    if (cfg)
        config_render_opts(cfg, &opts);
    if (a->all_headers)
        opts.headers_mode = RENDER_HEADERS_ALL;
    if (a->prefer_html)
        opts.prefer_html = true;
    htmlcmd_init(&hc, a->html_command ? a->html_command : cfg ? cfg->html_command : NULL);
    htmlcmd_apply(&hc, &opts);

    struct mail_message *msg = cmd_render_load(a->file, &err);
    if (msg == NULL)
        return cmd_render_error(&err, "cannot read the message");
    if (render_message(msg, NULL, &opts, a->width, &doc, &err) != 0) {
        cmd_render_error(&err, "cannot render the message");
        goto fail;
    }
    if (hc.failures)
        cmd_render_error(&hc.err, "the HTML command failed");
    if (rdoc_print(doc, stdout, a->styles) != 0) {
        fprintf(stderr, "nixie render: cannot write the output: %s\n", strerror(errno));
        goto fail;
    }
    rc = 0;
fail:
    rdoc_free(doc);
    mail_message_free(msg);
    return rc;
}

int
cmd_render_main(int argc, char **argv)
{
    struct cmd_render_args a = {.width = 80};
    struct nx_config cfg;
    struct nx_err err = {0};

    int rc = cmd_render_parse(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    utf8_locale_init();
    if (a.config == NULL)
        return cmd_render_run(&a, NULL);
    config_init(&cfg);
    if (config_load(&cfg, a.config, true, &err) != 0) {
        config_free(&cfg);
        return cmd_render_error(&err, "cannot load the configuration");
    }
    rc = cmd_render_run(&a, &cfg);
    config_free(&cfg);
    return rc;
}
