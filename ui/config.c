/*
 * config.c - nixie's configuration: defaults, finding and reading the file,
 * freeing, and handing options to render/.
 *
 * Owns: struct nx_config's lifetime and defaults, the file's location
 * (XDG base directories) and reading it with a size bound.  Does not: parse
 * the text (config-parse.c) or check values (config-value.c).
 */
#include "ui/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/err.h"
#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "keymaps/keymap.h"

#include "render/render.h"

#include "ui/config-private.h"

#define CONFIG_MAX_FILE (1024 * 1024)

void
config_list_free(char **list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        free(list[i]);
    free(list);
}

static void
config_account_clear(struct account *a)
{
    free(a->name);
    config_list_free(a->from);
    free(a->maildir);
    free(a->sent);
    free(a->drafts);
    free(a->trash);
}

/* Replace the string at field with v (NULL if v is empty and that is allowed). */

static int
config_read(const char *path, const char *shown, char **out, size_t *len, struct nx_err *err)
{
    struct strbuf sb = STRBUF_INIT;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        nx_err_sys(err, e, "%s: cannot open", shown);
        if (e == ENOENT || e == ENOTDIR) {
            if (err != NULL)
                err->code = NX_ERR_NOTFOUND;
            return 1;
        }
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        nx_err_set(err, NX_ERR_IO, "%s: not a regular file", shown);
        goto fail;
    }
    for (;;) {
        char chunk[8192];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            nx_err_sys(err, errno, "%s: cannot read", shown);
            goto fail;
        }
        if (n == 0)
            break;
        if (sb.len + (size_t)n > CONFIG_MAX_FILE) {
            nx_err_set(err, NX_ERR_LIMIT, "%s: too large (more than %d bytes)", shown,
                       CONFIG_MAX_FILE);
            goto fail;
        }
        strbuf_add(&sb, chunk, (size_t)n);
    }
    close(fd);
    *out = strbuf_detach(&sb, len);
    return 0;
fail:
    close(fd);
    strbuf_free(&sb);
    return -1;
}

/* "~/..." for a path under $HOME (messages read better); malloc'd. */
static char *
config_display_name(const char *path)
{
    const char *home = getenv("HOME");
    size_t hl = home != NULL ? strlen(home) : 0;
    if (hl > 1 && strncmp(path, home, hl) == 0 && path[hl] == '/')
        return xasprintf("~%s", path + hl);
    return xstrdup(path);
}

int
config_load(struct nx_config *cfg, const char *path, bool must_exist, struct nx_err *err)
{
    char *def = NULL, *shown = NULL, *buf = NULL;
    size_t len = 0;
    int ret = -1;
    if (path == NULL && (path = def = config_default_path()) == NULL) {
        if (!must_exist)
            return 0;
        return nx_err_set(err, NX_ERR_NOTFOUND, "cannot find the config file: HOME is not set");
    }
    shown = config_display_name(path);
    int r = config_read(path, shown, &buf, &len, err);
    if (r == 1 && !must_exist) {
        nx_err_clear(err);
        ret = 0;
    } else if (r == 1) {
        nx_err_hint(err, "create the file, or leave out -F to start with the defaults");
    } else if (r == 0) {
        ret = config_parse_text(cfg, buf, len, shown, path, err);
    }
    free(buf);
    free(shown);
    free(def);
    return ret;
}

int
config_load_string(struct nx_config *cfg, const char *text, const char *name, struct nx_err *err)
{
    return config_parse_text(cfg, text, strlen(text), name != NULL ? name : "(config)", NULL, err);
}

/* $VAR/sub if VAR is an absolute path (XDG base directory spec), else
 * ~/fallback/sub; NULL if there is no home. */
static char *
config_xdg_path(const char *var, const char *fallback, const char *sub)
{
    const char *dir = getenv(var);
    if (dir != NULL && dir[0] == '/')
        return xasprintf("%s/%s", dir, sub);
    char *home = config_expand_tilde("~");
    if (home == NULL)
        return NULL;
    char *path = xasprintf("%s/%s/%s", strcmp(home, "/") == 0 ? "" : home, fallback, sub);
    free(home);
    return path;
}

char *
config_default_path(void)
{
    return config_xdg_path("XDG_CONFIG_HOME", ".config", "nixie/config");
}

void
config_init(struct nx_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->date_format = xstrdup("%b %d");
    cfg->wrap = true;
    cfg->smart_wrap = true;
    cfg->tab_width = 8;
    cfg->pager_context = 1;
    cfg->keymap = xstrdup("mutt");
    cfg->hcache_path = config_xdg_path("XDG_CACHE_HOME", ".cache", "nixie");
    cfg->hcache = true;
    for (int i = 0; i < RSTYLE__COUNT; i++)
        cfg->colour_fg[i] = cfg->colour_bg[i] = -2;
}

void
config_free(struct nx_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->naccounts; i++)
        config_account_clear(&cfg->accounts[i]);
    free(cfg->accounts);
    free(cfg->path);
    free(cfg->default_account);
    free(cfg->date_format);
    free(cfg->html_command);
    config_list_free(cfg->headers);
    free(cfg->keymap);
    km_bindings_free(&cfg->bindings);
    free(cfg->hcache_path);
    memset(cfg, 0, sizeof *cfg);
}

const struct account *
config_account(const struct nx_config *cfg, const char *name)
{
    if (cfg == NULL || cfg->naccounts == 0)
        return NULL;
    if (name == NULL)
        name = cfg->default_account;
    if (name == NULL)
        return &cfg->accounts[0];
    for (size_t i = 0; i < cfg->naccounts; i++)
        if (strcmp(cfg->accounts[i].name, name) == 0)
            return &cfg->accounts[i];
    return NULL;
}

void
config_render_opts(const struct nx_config *cfg, struct render_opts *opts)
{
    render_opts_default(opts);
    opts->headers_mode = RENDER_HEADERS_SOME;
    opts->headers = (const char *const *)cfg->headers;
    opts->prefer_html = cfg->prefer_html;
    opts->wrap = cfg->wrap;
    opts->smart_wrap = cfg->smart_wrap;
    opts->tab_width = cfg->tab_width;
}
