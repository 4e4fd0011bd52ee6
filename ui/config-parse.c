/*
 * config-parse.c - the configuration file format: lines to struct nx_config.
 *
 * Owns: the table of keys, the line syntax (global `key = value` lines,
 * `[account NAME]` sections, `bind` and `color` lines) and the messages
 * "FILE:LINE: ...".  Does not: read files (config.c), check single values
 * (config-value.c), parse bind lines (keymaps/) or apply anything.
 *
 * How a text is read: one pass of our own checks every line (length, UTF-8,
 * control characters, structure, key names), parses `bind` and `color` lines
 * itself and replaces them with empty lines, so that libinih, which then
 * reads the rest, keeps the same line numbers and never sees a line it would
 * treat differently from us (leading whitespace is dropped: inih would take
 * an indented line for a continuation).  inih calls our handler once per
 * key line, in order, so the k-th call belongs to the k-th key line we
 * recorded; that is how values get their line numbers.
 * Invariant: the text is parsed into a scratch struct; the caller's struct is
 * replaced only when everything succeeded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "keymaps/keymap.h"

#include "render/render.h"

#include "ui/config-private.h"
#include "ui/config.h"

#define CONFIG_MAX_LINE 197 /* inih's INI_MAX_LINE (200) less '\r', '\n' and NUL */
#define CONFIG_MAX_ACCOUNTS 100
#define CONFIG_MAX_KEY 32

enum config_type {
    CONFIG_BOOL,
    CONFIG_UINT,
    CONFIG_STRING,     /* must not be empty */
    CONFIG_STRING_OPT, /* empty means unset (NULL) */
    CONFIG_PATH,       /* ~ expanded, absolute */
    CONFIG_SORT,
    CONFIG_KEYMAP,
    CONFIG_HEADERS,
    CONFIG_FROM, /* appends: the key may be repeated */
    CONFIG_FOLDER,
    CONFIG_FOLDER_OPT,
};

struct config_key {
    const char *name;
    enum config_type type;
    size_t off; /* of the field in struct nx_config or struct account */
    unsigned min, max;
};

#define CONFIG_G(f) offsetof(struct nx_config, f)
#define CONFIG_A(f) offsetof(struct account, f)

static const struct config_key config_global_keys[] = {
    {"account", CONFIG_STRING_OPT, CONFIG_G(default_account), 0, 0},
    {"sort", CONFIG_SORT, CONFIG_G(sort_newest_first), 0, 0},
    {"threads", CONFIG_BOOL, CONFIG_G(threads), 0, 0},
    {"date_format", CONFIG_STRING, CONFIG_G(date_format), 0, 0},
    {"html_command", CONFIG_STRING_OPT, CONFIG_G(html_command), 0, 0},
    {"prefer_html", CONFIG_BOOL, CONFIG_G(prefer_html), 0, 0},
    {"wrap", CONFIG_BOOL, CONFIG_G(wrap), 0, 0},
    {"smart_wrap", CONFIG_BOOL, CONFIG_G(smart_wrap), 0, 0},
    {"tab_width", CONFIG_UINT, CONFIG_G(tab_width), 1, 16},
    {"headers", CONFIG_HEADERS, CONFIG_G(headers), 0, 0},
    {"pager_context", CONFIG_UINT, CONFIG_G(pager_context), 0, 100},
    {"pager_index_lines", CONFIG_UINT, CONFIG_G(pager_index_lines), 0, 100},
    {"keymap", CONFIG_KEYMAP, CONFIG_G(keymap), 0, 0},
    {"header_cache", CONFIG_PATH, CONFIG_G(hcache_path), 0, 0},
    {"header_cache_enable", CONFIG_BOOL, CONFIG_G(hcache), 0, 0},
};

static const struct config_key config_account_keys[] = {
    {"from", CONFIG_FROM, CONFIG_A(from), 0, 0},
    {"maildir", CONFIG_PATH, CONFIG_A(maildir), 0, 0},
    {"sent", CONFIG_FOLDER, CONFIG_A(sent), 0, 0},
    {"drafts", CONFIG_FOLDER, CONFIG_A(drafts), 0, 0},
    {"trash", CONFIG_FOLDER_OPT, CONFIG_A(trash), 0, 0},
};

#define CONFIG_NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* One `key = value` line seen by the first pass. */
struct config_keyline {
    unsigned lineno;
    int account; /* index in cfg->accounts, -1 for the global part */
    char key[CONFIG_MAX_KEY];
};

struct config_parse {
    struct nx_config *cfg; /* being filled (a scratch copy, not the caller's) */
    const char *file;      /* name for messages */
    struct config_keyline *keys;
    size_t nkeys, next;
    unsigned *acct_line; /* line of each [account] header */
    int account;         /* current section: -1 global */
    struct nx_err *err;
    bool failed;
};

static int __attribute__((format(printf, 4, 5)))
config_fail(struct config_parse *p, unsigned line, enum nx_errcode code, const char *fmt, ...)
{
    char msg[CONFIG_MSG + 40];
    if (p->failed)
        return -1;
    p->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nx_err_set(p->err, code, "%s:%u: %s", p->file, line, msg);
}

static const struct config_key *
config_key_find(bool account, const char *name)
{
    const struct config_key *t = account ? config_account_keys : config_global_keys;
    size_t n = account ? CONFIG_NKEYS(config_account_keys) : CONFIG_NKEYS(config_global_keys);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

const char *
config_key_name(bool account, size_t i)
{
    if (account)
        return i < CONFIG_NKEYS(config_account_keys) ? config_account_keys[i].name : NULL;
    return i < CONFIG_NKEYS(config_global_keys) ? config_global_keys[i].name : NULL;
}

static void
config_set_string(char **field, const char *v, bool empty_is_null)
{
    free(*field);
    *field = empty_is_null && v[0] == '\0' ? NULL : xstrdup(v);
}

static int
config_set_list(const struct config_key *k, char ***field, size_t *n, const char *v, char *msg)
{
    size_t zero = 0;
    if (k->type == CONFIG_HEADERS) {
        char **list = NULL;
        if (config_value_list(k->name, v, false, &list, &zero, msg) < 0) {
            config_list_free(list);
            return -1;
        }
        config_list_free(*field);
        *field = list;
        return 0;
    }
    return config_value_list(k->name, v, true, field, n, msg);
}

static int
config_set_typed(const struct config_key *k, void *field, size_t *nfrom, const char *v, char *msg)
{
    switch (k->type) {
    case CONFIG_BOOL:
        return config_value_bool(k->name, v, field, msg);
    case CONFIG_UINT:
        return config_value_uint(k->name, v, k->min, k->max, field, msg);
    case CONFIG_SORT:
        if (strcmp(v, "date") != 0 && strcmp(v, "date-reverse") != 0) {
            snprintf(msg, CONFIG_MSG, "'sort' must be date or date-reverse, not '%.40s'", v);
            return -1;
        }
        *(bool *)field = strcmp(v, "date-reverse") == 0;
        return 0;
    case CONFIG_KEYMAP:
        if (v[0] == '\0' || km_default_text(v) == NULL) {
            snprintf(msg, CONFIG_MSG, "'keymap' must be mutt or vi, not '%.40s'", v);
            return -1;
        }
        config_set_string(field, v, false);
        return 0;
    case CONFIG_PATH: {
        char *path = config_value_path(k->name, v, msg);
        if (path == NULL)
            return -1;
        free(*(char **)field);
        *(char **)field = path;
        return 0;
    }
    case CONFIG_HEADERS:
    case CONFIG_FROM:
        return config_set_list(k, field, nfrom, v, msg);
    case CONFIG_FOLDER:
    case CONFIG_FOLDER_OPT:
        if (!(k->type == CONFIG_FOLDER_OPT && v[0] == '\0') &&
            config_value_folder(k->name, v, msg) < 0)
            return -1;
        config_set_string(field, v, true);
        return 0;
    case CONFIG_STRING:
        if (v[0] == '\0') {
            snprintf(msg, CONFIG_MSG, "'%s' needs a value", k->name);
            return -1;
        }
        config_set_string(field, v, false);
        return 0;
    case CONFIG_STRING_OPT:
        config_set_string(field, v, true);
        return 0;
    }
    snprintf(msg, CONFIG_MSG, "'%s': internal error", k->name);
    return -1;
}

/* inih's handler: the value of the next key line recorded by the first pass. */
static int
config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct config_parse *p = user;
    char msg[CONFIG_MSG];
    (void)section; /* the first pass knows the section of every line */
    if (p->failed)
        return 1;
    if (p->next >= p->nkeys || strcmp(p->keys[p->next].key, name) != 0) {
        config_fail(p, p->next < p->nkeys ? p->keys[p->next].lineno : 0, NX_ERR_INTERNAL,
                    "cannot read key '%.40s' (inih and nixie disagree about this line)", name);
        return 0;
    }
    const struct config_keyline *kl = &p->keys[p->next++];
    const struct config_key *k = config_key_find(kl->account >= 0, kl->key);
    char *base = (char *)p->cfg;
    size_t *nfrom = NULL;
    if (kl->account >= 0) {
        base = (char *)&p->cfg->accounts[kl->account];
        nfrom = &p->cfg->accounts[kl->account].nfrom;
    }
    if (config_set_typed(k, base + k->off, nfrom, value, msg) < 0) {
        config_fail(p, kl->lineno, NX_ERR_PARSE, "%s", msg);
        return 0;
    }
    return 1;
}

/* `color STYLE FG [BG]`; s is the text after the word color. */
static int
config_scan_colour(struct config_parse *p, char *s, unsigned lineno)
{
    char *tok[4], *save = NULL;
    int n = 0;
    char msg[CONFIG_MSG];
    for (char *t = strtok_r(s, " \t", &save); t != NULL && t[0] != '#' && n < 4;
         t = strtok_r(NULL, " \t", &save))
        tok[n++] = t;
    if (n < 2 || n > 3)
        return config_fail(p, lineno, NX_ERR_PARSE,
                           "'color' needs a style and one or two colours (color STYLE FG [BG])");
    int style = rstyle_from_name(tok[0]);
    if (style < 0)
        return config_fail(p, lineno, NX_ERR_PARSE,
                           "unknown style '%.40s' (see docs/configuration.md for the list)",
                           tok[0]);
    short fg, bg = -2;
    if (config_value_colour(tok[1], &fg, msg) < 0 ||
        (n == 3 && config_value_colour(tok[2], &bg, msg) < 0))
        return config_fail(p, lineno, NX_ERR_PARSE, "%s", msg);
    p->cfg->colour_fg[style] = fg;
    p->cfg->colour_bg[style] = bg;
    return 0;
}

/* `[account NAME]`; emits the header for inih. */
static int
config_scan_section(struct config_parse *p, char *t, unsigned lineno, struct strbuf *out)
{
    char *close = strchr(t, ']');
    char after = close != NULL ? close[1 + strspn(close + 1, " \t")] : '\0';
    if (close == NULL || (after != '\0' && after != '#' && after != ';'))
        return config_fail(p, lineno, NX_ERR_PARSE, "a section header is [account NAME]");
    *close = '\0';
    char *in = t + 1 + strspn(t + 1, " \t");
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
        in[--len] = '\0';
    if (strncmp(in, "account", 7) != 0 || (in[7] != '\0' && in[7] != ' ' && in[7] != '\t'))
        return config_fail(p, lineno, NX_ERR_PARSE,
                           "unknown section '[%.40s]' (expected [account NAME])", in);
    char *name = in + 7 + strspn(in + 7, " \t");
    if (name[0] == '\0')
        return config_fail(p, lineno, NX_ERR_PARSE, "[account] needs a name: [account NAME]");
    struct nx_config *cfg = p->cfg;
    for (size_t i = 0; i < cfg->naccounts; i++)
        if (strcmp(cfg->accounts[i].name, name) == 0)
            return config_fail(p, lineno, NX_ERR_CONFIG,
                               "account '%.40s' is already defined on line %u", name,
                               p->acct_line[i]);
    if (cfg->naccounts >= CONFIG_MAX_ACCOUNTS)
        return config_fail(p, lineno, NX_ERR_LIMIT, "more than %d accounts", CONFIG_MAX_ACCOUNTS);
    cfg->accounts = xreallocarray(cfg->accounts, cfg->naccounts + 1, sizeof *cfg->accounts);
    p->acct_line = xreallocarray(p->acct_line, cfg->naccounts + 1, sizeof *p->acct_line);
    struct account *a = &cfg->accounts[cfg->naccounts];
    memset(a, 0, sizeof *a);
    a->name = xstrdup(name);
    a->sent = xstrdup("Sent");
    a->drafts = xstrdup("Drafts");
    p->acct_line[cfg->naccounts] = lineno;
    p->account = (int)cfg->naccounts++;
    strbuf_addf(out, "[account %s]", name);
    return 0;
}

/* `key = value` (or `key: value`, as inih allows); emits the line for inih. */
static int
config_scan_key(struct config_parse *p, const char *t, unsigned lineno, struct strbuf *out)
{
    size_t sep = strcspn(t, "=:");
    size_t klen = sep;
    while (klen > 0 && (t[klen - 1] == ' ' || t[klen - 1] == '\t'))
        klen--;
    if (t[sep] == '\0' || klen == 0)
        return config_fail(p, lineno, NX_ERR_PARSE,
                           "expected 'key = value', '[account NAME]', 'bind ...' or 'color ...'");
    char key[CONFIG_MAX_KEY];
    snprintf(key, sizeof key, "%.*s", (int)klen, t);
    bool in_account = p->account >= 0;
    if (klen >= sizeof key || config_key_find(in_account, key) == NULL) {
        if (klen < sizeof key && config_key_find(!in_account, key) != NULL)
            return config_fail(p, lineno, NX_ERR_PARSE,
                               in_account ? "'%s' is a global key: put it before the first "
                                            "[account] section"
                                          : "'%s' belongs in an [account NAME] section",
                               key);
        if (in_account)
            return config_fail(p, lineno, NX_ERR_PARSE,
                               "unknown key '%.*s' in [account %.40s] (see docs/configuration.md)",
                               (int)(klen > 40 ? 40 : klen), t, p->cfg->accounts[p->account].name);
        return config_fail(p, lineno, NX_ERR_PARSE,
                           "unknown key '%.*s' (see docs/configuration.md)",
                           (int)(klen > 40 ? 40 : klen), t);
    }
    struct config_keyline *kl;
    p->keys = xreallocarray(p->keys, p->nkeys + 1, sizeof *p->keys);
    kl = &p->keys[p->nkeys++];
    kl->lineno = lineno;
    kl->account = p->account;
    memcpy(kl->key, key, sizeof key);
    /* A '#' after whitespace starts a comment; inih itself only knows " ;". */
    size_t end = strlen(t);
    for (size_t i = sep + 1; i < end; i++)
        if (t[i] == '#' && (t[i - 1] == ' ' || t[i - 1] == '\t'))
            end = i;
    strbuf_add(out, t, end);
    return 0;
}

/* Check the bytes of one line: length, NUL, control characters, UTF-8. */
static int
config_scan_bytes(struct config_parse *p, const char *s, size_t len, unsigned lineno)
{
    if (len > CONFIG_MAX_LINE)
        return config_fail(p, lineno, NX_ERR_LIMIT, "line too long (at most %d bytes)",
                           CONFIG_MAX_LINE);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return config_fail(p, lineno, NX_ERR_PARSE, "NUL byte in the line");
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return config_fail(p, lineno, NX_ERR_PARSE, "control character (byte 0x%02x)", c);
    }
    if (!utf8_valid(s, len))
        return config_fail(p, lineno, NX_ERR_PARSE, "invalid UTF-8");
    return 0;
}

static int
config_scan_line(struct config_parse *p, const char *s, size_t len, unsigned lineno,
                 struct strbuf *out)
{
    char line[CONFIG_MAX_LINE + 1];
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (config_scan_bytes(p, s, len, lineno) < 0)
        return -1;
    memcpy(line, s, len);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    line[len] = '\0';
    char *t = line + strspn(line, " \t");
    size_t w = strcspn(t, " \t");
    if (t[0] == '\0' || t[0] == '#' || t[0] == ';')
        return 0;
    if (w == 4 && strncmp(t, "bind", 4) == 0) {
        /* from the start of the line, so that columns are right */
        if (km_parse_line(line, p->file, lineno, &p->cfg->bindings, p->err) < 0)
            p->failed = true;
        return p->failed ? -1 : 0;
    }
    if ((w == 5 && strncmp(t, "color", 5) == 0) || (w == 6 && strncmp(t, "colour", 6) == 0))
        return config_scan_colour(p, t + w, lineno);
    if (t[0] == '[')
        return config_scan_section(p, t, lineno, out);
    return config_scan_key(p, t, lineno, out);
}

/* The first pass over the whole file; out gets the text for inih. */
static int
config_scan(struct config_parse *p, const char *buf, size_t len, struct strbuf *out)
{
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* UTF-8 byte order mark */
    for (unsigned lineno = 1; pos < len; lineno++) {
        const char *s = buf + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t l = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += l + (nl != NULL);
        if (config_scan_line(p, s, l, lineno, out) < 0)
            return -1;
        strbuf_addc(out, '\n');
    }
    return 0;
}

/* What must hold once everything is read. */
static int
config_check(struct config_parse *p)
{
    const struct nx_config *cfg = p->cfg;
    for (size_t i = 0; i < cfg->naccounts; i++)
        if (cfg->accounts[i].maildir == NULL)
            return config_fail(p, p->acct_line[i], NX_ERR_CONFIG,
                               "account '%.40s' has no maildir (add: maildir = ~/Mail)",
                               cfg->accounts[i].name);
    if (cfg->default_account != NULL && config_account(cfg, cfg->default_account) == NULL) {
        unsigned line = 0;
        for (size_t i = 0; i < p->nkeys; i++)
            if (p->keys[i].account < 0 && strcmp(p->keys[i].key, "account") == 0)
                line = p->keys[i].lineno;
        return config_fail(p, line, NX_ERR_CONFIG, "'account = %.40s' names no [account %.40s]",
                           cfg->default_account, cfg->default_account);
    }
    return 0;
}

int
config_parse_text(struct nx_config *cfg, const char *buf, size_t len, const char *shown,
                  const char *path, struct nx_err *err)
{
    struct nx_config tmp;
    struct strbuf out = STRBUF_INIT;
    config_init(&tmp);
    struct config_parse p = {.cfg = &tmp, .file = shown, .account = -1, .err = err};
    if (config_scan(&p, buf, len, &out) == 0) {
        int r = ini_parse_string(strbuf_str(&out), config_ini_handler, &p);
        if (r != 0)
            config_fail(&p, r > 0 ? (unsigned)r : 0, r == -2 ? NX_ERR_NOMEM : NX_ERR_PARSE,
                        "syntax error");
        else if (p.next != p.nkeys)
            config_fail(&p, p.keys[p.next].lineno, NX_ERR_INTERNAL, "line was not read");
        config_check(&p);
    }
    if (!p.failed) {
        tmp.path = path != NULL ? xstrdup(path) : NULL;
        config_free(cfg);
        *cfg = tmp;
    } else {
        config_free(&tmp);
    }
    free(p.keys);
    free(p.acct_line);
    strbuf_free(&out);
    return p.failed ? -1 : 0;
}

/* Read at most CONFIG_MAX_FILE bytes.  Returns 0, 1 if the file does not
 * exist (err set), -1 on other errors. */
