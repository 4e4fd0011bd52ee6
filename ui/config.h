/*
 * config.h - nixie's configuration as plain structs.
 *
 * Loaded once by ui/ from $XDG_CONFIG_HOME/nixie/config (or -F FILE): an
 * INI-style file of global `key = value` lines, `[account NAME]` sections and
 * `bind CONTEXT KEY ACTION` lines.  The structs are passed down to mail/ and
 * render/ as options; library code never looks an option up by name.
 * Every key is documented in docs/configuration.md.
 */
#ifndef NIXIE_UI_CONFIG_H
#define NIXIE_UI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/err.h"

#include "keymaps/keymap.h"

#include "render/render.h"

struct account {
    char *name;  /* from [account NAME] */
    char **from; /* identities "Name <addr>", at least one if set */
    size_t nfrom;
    char *maildir; /* root of the Maildir++ tree, ~ expanded */
    char *sent;    /* folder name under maildir, default "Sent" */
    char *drafts;  /* default "Drafts" */
    char *trash;   /* default NULL: deleting marks and expunges */
    /* later waves add: imap_*, smtp_*, dsn_* */
};

enum config_sort { CONFIG_SORT_DATE, CONFIG_SORT_DATE_REVERSE };

struct nx_config {
    char *path;               /* file it was read from, or NULL for defaults */
    struct account *accounts; /* owned */
    size_t naccounts;
    char *default_account; /* name, or NULL: the first */

    /* index */
    bool sort_newest_first; /* sort = date-reverse */
    bool threads;           /* threaded index */
    char *date_format;      /* strftime format for the index, default "%b %d" */

    /* pager / render */
    char *html_command; /* e.g. "w3m -dump -I UTF-8 -O UTF-8 -T text/html -cols %w"; NULL: built-in
                           only */
    bool prefer_html;
    bool wrap;
    bool smart_wrap;
    unsigned tab_width;
    char **headers;             /* NULL-terminated list shown in the pager */
    unsigned pager_context;     /* lines kept when paging, default 1 */
    unsigned pager_index_lines; /* 0: pager uses the whole screen */

    /* keys */
    char *keymap;                /* "mutt" (default) or "vi" */
    struct km_bindings bindings; /* user's bind lines, applied after the base keymap */

    /* storage */
    char *hcache_path; /* header cache dir, default $XDG_CACHE_HOME/nixie */
    bool hcache;       /* default true */

    /* colours: `color STYLE FG BG` lines, by rstyle id; -2 = unset */
    short colour_fg[RSTYLE__COUNT];
    short colour_bg[RSTYLE__COUNT];
};

/* Defaults only (no file read). */
void config_init(struct nx_config *cfg);
void config_free(struct nx_config *cfg);

/* Path of the default config file ($XDG_CONFIG_HOME/nixie/config or
 * ~/.config/nixie/config); malloc'd. */
char *config_default_path(void);

/* Read a config file into cfg: on success cfg is replaced by the defaults
 * (config_init) plus what the file sets; on failure cfg is left untouched.
 * path NULL means config_default_path().  A missing file is not an error when
 * must_exist is false (cfg untouched, 0); with must_exist (-F FILE) it fails
 * with NX_ERR_NOTFOUND.  Every syntax error, unknown key, bad value, unknown
 * action or key name fails with "FILE:LINE: ..." in err->what ("FILE:LINE:COL:
 * ..." for bind lines), FILE shown as ~/... when under $HOME; err->hint may
 * suggest a spelling. */
int config_load(struct nx_config *cfg, const char *path, bool must_exist, struct nx_err *err);
/* Same, from a string (tests). */
int config_load_string(struct nx_config *cfg, const char *text, const char *name,
                       struct nx_err *err);

/* The account to use: by name, or the default one; NULL if there is none. */
const struct account *config_account(const struct nx_config *cfg, const char *name);

/* The keys accepted in the global part (account false) or in [account NAME]
 * sections, for docs and tests: the i-th name, NULL past the end. */
const char *config_key_name(bool account, size_t i);

/* Fill render options from the config (strings borrowed from cfg). */
void config_render_opts(const struct nx_config *cfg, struct render_opts *opts);

#endif
