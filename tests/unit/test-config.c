/* test-config.c - ui/config: every key, accounts, values and their errors
 * with FILE:LINE, bind and color lines, ~ expansion, files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/base/err.h"
#include "mail/base/utf8.h"

#include "render/render.h"

#include "ui/config.h"

/* Load text as file "t"; must succeed. */
static void
load_ok(struct nx_config *cfg, const char *text)
{
    struct nx_err err = {0};
    if (config_load_string(cfg, text, "t", &err) < 0)
        fail_msg("unexpected error: %s", err.what);
}

/* Load text as file "t"; must fail with exactly `what`. */
static void
load_fails(const char *text, const char *what)
{
    struct nx_config cfg;
    struct nx_err err = {0};
    config_init(&cfg);
    assert_int_equal(config_load_string(&cfg, text, "t", &err), -1);
    if (strcmp(err.what, what) != 0)
        fail_msg("\n got      %s\n expected %s", err.what, what);
    assert_int_not_equal(err.code, NX_OK);
    config_free(&cfg);
}

static void
test_defaults(void **state)
{
    struct nx_config cfg;
    setenv("HOME", "/home/tester", 1);
    unsetenv("XDG_CACHE_HOME");
    config_init(&cfg);
    assert_null(cfg.path);
    assert_int_equal(cfg.naccounts, 0);
    assert_false(cfg.sort_newest_first);
    assert_false(cfg.threads);
    assert_string_equal(cfg.date_format, "%b %d");
    assert_null(cfg.html_command);
    assert_false(cfg.prefer_html);
    assert_true(cfg.wrap);
    assert_true(cfg.smart_wrap);
    assert_int_equal(cfg.tab_width, 8);
    assert_null(cfg.headers);
    assert_int_equal(cfg.pager_context, 1);
    assert_int_equal(cfg.pager_index_lines, 0);
    assert_string_equal(cfg.keymap, "mutt");
    assert_int_equal(cfg.bindings.n, 0);
    assert_string_equal(cfg.hcache_path, "/home/tester/.cache/nixie");
    assert_true(cfg.hcache);
    for (int i = 0; i < RSTYLE__COUNT; i++)
        assert_true(cfg.colour_fg[i] == -2 && cfg.colour_bg[i] == -2);
    assert_null(config_account(&cfg, NULL));
    config_free(&cfg);
    config_free(&cfg); /* twice is harmless */
    config_free(NULL);
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    config_init(&cfg);
    assert_string_equal(cfg.hcache_path, "/xdg/cache/nixie");
    config_free(&cfg);
    unsetenv("XDG_CACHE_HOME");
}

static void
test_default_path(void **state)
{
    setenv("HOME", "/home/tester", 1);
    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    char *p = config_default_path();
    assert_string_equal(p, "/xdg/nixie/config");
    free(p);
    setenv("XDG_CONFIG_HOME", "relative/is/ignored", 1);
    p = config_default_path();
    assert_string_equal(p, "/home/tester/.config/nixie/config");
    free(p);
    unsetenv("XDG_CONFIG_HOME");
    p = config_default_path();
    assert_string_equal(p, "/home/tester/.config/nixie/config");
    free(p);
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
}

static void
test_all_global_keys(void **state)
{
    struct nx_config cfg;
    setenv("HOME", "/home/tester", 1);
    config_init(&cfg);
    load_ok(&cfg, "# every global key\n"
                  "sort = date-reverse\n"
                  "threads = yes\n"
                  "date_format = %Y-%m-%d %H:%M\n"
                  "html_command = w3m -dump -T text/html -cols %w\n"
                  "prefer_html = true\n"
                  "wrap = off\n"
                  "smart_wrap = 0\n"
                  "tab_width = 4\n"
                  "headers = From, To, Subject, X-Mailer\n"
                  "pager_context = 3\n"
                  "pager_index_lines = 10\n"
                  "keymap = vi\n"
                  "header_cache = ~/.cache/nixie-test\n"
                  "header_cache_enable = no\n"
                  "account = work\n"
                  "[account work]\n"
                  "maildir = /mail/work\n");
    assert_null(cfg.path);
    assert_true(cfg.sort_newest_first);
    assert_true(cfg.threads);
    assert_string_equal(cfg.date_format, "%Y-%m-%d %H:%M");
    assert_string_equal(cfg.html_command, "w3m -dump -T text/html -cols %w");
    assert_true(cfg.prefer_html);
    assert_false(cfg.wrap);
    assert_false(cfg.smart_wrap);
    assert_int_equal(cfg.tab_width, 4);
    assert_string_equal(cfg.headers[0], "From");
    assert_string_equal(cfg.headers[1], "To");
    assert_string_equal(cfg.headers[2], "Subject");
    assert_string_equal(cfg.headers[3], "X-Mailer");
    assert_null(cfg.headers[4]);
    assert_int_equal(cfg.pager_context, 3);
    assert_int_equal(cfg.pager_index_lines, 10);
    assert_string_equal(cfg.keymap, "vi");
    assert_string_equal(cfg.hcache_path, "/home/tester/.cache/nixie-test");
    assert_false(cfg.hcache);
    assert_string_equal(cfg.default_account, "work");
    /* later lines win; an empty html_command means the built-in converter */
    load_ok(&cfg, "html_command =\nsort = date\ntab_width = 2\ntab_width = 16\n");
    assert_null(cfg.html_command);
    assert_false(cfg.sort_newest_first);
    assert_int_equal(cfg.tab_width, 16);
    config_free(&cfg);
}

static void
test_accounts(void **state)
{
    struct nx_config cfg;
    setenv("HOME", "/home/tester/", 1);
    config_init(&cfg);
    load_ok(&cfg, "account = work\n"
                  "[account home]\n"
                  "  from = \"Doe, Jane\" <jane@example.org>, Jane <j@example.net>\n"
                  "  from = third@example.com\n"
                  "  maildir = ~/Mail/home\n"
                  "\n"
                  "[ account   work  ]\n"
                  "from: Jane Doe <jane.doe@work.example>\n"
                  "maildir = ~\n"
                  "sent = Sent Items\n"
                  "drafts = Work/Drafts\n"
                  "trash = Trash\n");
    assert_int_equal(cfg.naccounts, 2);
    const struct account *home = config_account(&cfg, "home");
    assert_non_null(home);
    assert_string_equal(home->name, "home");
    assert_int_equal(home->nfrom, 3);
    assert_string_equal(home->from[0], "\"Doe, Jane\" <jane@example.org>");
    assert_string_equal(home->from[1], "Jane <j@example.net>");
    assert_string_equal(home->from[2], "third@example.com");
    assert_null(home->from[3]);
    assert_string_equal(home->maildir, "/home/tester/Mail/home");
    assert_string_equal(home->sent, "Sent");
    assert_string_equal(home->drafts, "Drafts");
    assert_null(home->trash);
    const struct account *work = config_account(&cfg, NULL);
    assert_non_null(work);
    assert_string_equal(work->name, "work");
    assert_int_equal(work->nfrom, 1);
    assert_string_equal(work->from[0], "Jane Doe <jane.doe@work.example>");
    assert_string_equal(work->maildir, "/home/tester");
    assert_string_equal(work->sent, "Sent Items");
    assert_string_equal(work->drafts, "Work/Drafts");
    assert_string_equal(work->trash, "Trash");
    assert_null(config_account(&cfg, "nope"));
    /* without `account =`, the first one */
    load_ok(&cfg, "[account a]\nmaildir=/a\n[account b]\nmaildir=/b\ntrash =\n");
    assert_string_equal(config_account(&cfg, NULL)->name, "a");
    assert_null(config_account(&cfg, "b")->trash);
    assert_null(config_account(NULL, NULL));
    config_free(&cfg);
}

static void
test_booleans(void **state)
{
    static const char *const yes[] = {"yes", "YES", "true", "True", "on", "1"};
    static const char *const no[] = {"no", "No", "false", "FALSE", "off", "0"};
    struct nx_config cfg;
    char text[64];
    config_init(&cfg);
    for (size_t i = 0; i < 6; i++) {
        snprintf(text, sizeof text, "threads = %s\nwrap = %s\n", yes[i], no[i]);
        load_ok(&cfg, text);
        assert_true(cfg.threads);
        assert_false(cfg.wrap);
    }
    config_free(&cfg);
    load_fails("\nwrap = maybe\n",
               "t:2: 'wrap' must be yes or no (or true/false, on/off, 1/0), not 'maybe'");
    load_fails("threads =\n",
               "t:1: 'threads' must be yes or no (or true/false, on/off, 1/0), not ''");
    load_fails("threads = yes please\n",
               "t:1: 'threads' must be yes or no (or true/false, on/off, 1/0), not 'yes please'");
}

static void
test_value_errors(void **state)
{
    load_fails("tab_width = 0\n", "t:1: 'tab_width' must be a number from 1 to 16, not '0'");
    load_fails("tab_width = 4x\n", "t:1: 'tab_width' must be a number from 1 to 16, not '4x'");
    load_fails("pager_context = 99999999999999\n",
               "t:1: 'pager_context' must be a number from 0 to 100, not '99999999999999'");
    load_fails("pager_context = -1\n",
               "t:1: 'pager_context' must be a number from 0 to 100, not '-1'");
    load_fails("sort = size\n", "t:1: 'sort' must be date or date-reverse, not 'size'");
    load_fails("keymap = emacs\n", "t:1: 'keymap' must be mutt or vi, not 'emacs'");
    load_fails("date_format =\n", "t:1: 'date_format' needs a value");
    load_fails("headers = From,,To\n", "t:1: 'headers' has an empty item");
    load_fails("headers = From, Fr:om\n", "t:1: 'headers': 'Fr:om' is not a header name");
    load_fails("headers =\n", "t:1: 'headers' has an empty item");
    load_fails("[account a]\nmaildir = /m\nfrom = nobody\n",
               "t:3: 'from' needs an address such as Your Name <you@example.org>, not 'nobody'");
    load_fails("[account a]\nmaildir = /m\nsent = /abs\n",
               "t:3: 'sent' must be a folder name inside the maildir, not '/abs'");
    load_fails("[account a]\nmaildir = /m\ndrafts = ../x\n",
               "t:3: 'drafts' must be a folder name inside the maildir, not '../x'");
    load_fails("[account a]\nmaildir = /m\nsent =\n",
               "t:3: 'sent' must be a folder name inside the maildir, not ''");
}

static void
test_tilde(void **state)
{
    struct nx_config cfg;
    config_init(&cfg);
    setenv("HOME", "/home/tester", 1);
    load_ok(&cfg, "header_cache = ~/c\n[account a]\nmaildir = ~/Mail\n");
    assert_string_equal(cfg.hcache_path, "/home/tester/c");
    assert_string_equal(cfg.accounts[0].maildir, "/home/tester/Mail");
    load_ok(&cfg, "[account a]\nmaildir = /abs/~/x\n");
    assert_string_equal(cfg.accounts[0].maildir, "/abs/~/x");
    config_free(&cfg);
    load_fails("[account a]\nmaildir = ~bob/Mail\n",
               "t:2: 'maildir': cannot expand '~bob/Mail' (only ~ and ~/ are expanded)");
    load_fails("[account a]\nmaildir = Mail\n",
               "t:2: 'maildir' must be an absolute path or start with ~/, not 'Mail'");
    load_fails("[account a]\nmaildir =\n", "t:2: 'maildir' needs a path");
}

static void
test_unknown_and_misplaced_keys(void **state)
{
    load_fails("wrap = yes\n\nwrapp = yes\n",
               "t:3: unknown key 'wrapp' (see docs/configuration.md)");
    load_fails("[account work]\nmaildir = /m\nimap_host = x\n",
               "t:3: unknown key 'imap_host' in [account work] (see docs/configuration.md)");
    load_fails("maildir = ~/Mail\n", "t:1: 'maildir' belongs in an [account NAME] section");
    load_fails("[account a]\nmaildir = /m\nwrap = no\n",
               "t:3: 'wrap' is a global key: put it before the first [account] section");
    load_fails("a_very_long_key_name_that_is_longer_than_any_key = 1\n",
               "t:1: unknown key 'a_very_long_key_name_that_is_longer_than' (see "
               "docs/configuration.md)");
}

static void
test_structure_errors(void **state)
{
    const char *expected =
        "t:2: expected 'key = value', '[account NAME]', 'bind ...' or 'color ...'";
    load_fails("wrap = yes\njust some words\n", expected);
    load_fails("wrap = yes\n= value\n", expected);
    load_fails("[foo]\n", "t:1: unknown section '[foo]' (expected [account NAME])");
    load_fails("[accounts x]\n", "t:1: unknown section '[accounts x]' (expected [account NAME])");
    load_fails("[account]\n", "t:1: [account] needs a name: [account NAME]");
    load_fails("[account x\n", "t:1: a section header is [account NAME]");
    load_fails("[account x] junk\n", "t:1: a section header is [account NAME]");
    load_fails("[account x]\nmaildir = /m\n[account x]\n",
               "t:3: account 'x' is already defined on line 1");
    load_fails("wrap = yes\n[account x]\nfrom = a@b\n",
               "t:2: account 'x' has no maildir (add: maildir = ~/Mail)");
    load_fails("account = nope\n[account x]\nmaildir = /m\n",
               "t:1: 'account = nope' names no [account nope]");
}

static void
test_line_too_long(void **state)
{
    char text[512];
    /* 197 bytes is the longest line inih reads whole */
    int n = snprintf(text, sizeof text, "wrap = yes\ndate_format = %0*d\n", 197 - 14, 0);
    assert_true(n > 0);
    struct nx_config cfg;
    config_init(&cfg);
    load_ok(&cfg, text);
    assert_int_equal(strlen(cfg.date_format), 197 - 14);
    config_free(&cfg);
    snprintf(text, sizeof text, "wrap = yes\ndate_format = %0*d\n", 198 - 14, 0);
    load_fails(text, "t:2: line too long (at most 197 bytes)");
    snprintf(text, sizeof text, "# %0*d\n", 300, 0);
    load_fails(text, "t:1: line too long (at most 197 bytes)");
}

static void
test_comments_and_whitespace(void **state)
{
    struct nx_config cfg;
    config_init(&cfg);
    load_ok(&cfg, "\xef\xbb\xbf# comment\r\n"
                  "; also a comment\r\n"
                  "   \t\r\n"
                  "wrap = no # trailing comment\r\n"
                  "date_format = %d ; inih comment\n"
                  "html_command = cmd#not-a-comment\n"
                  "\t tab_width\t=\t3\t\n"
                  "[account a] # a comment\n"
                  "        maildir = /m\n"
                  "        from = a@example.org\n");
    assert_false(cfg.wrap);
    assert_string_equal(cfg.date_format, "%d");
    assert_string_equal(cfg.html_command, "cmd#not-a-comment");
    assert_int_equal(cfg.tab_width, 3);
    assert_string_equal(cfg.accounts[0].maildir, "/m");
    assert_int_equal(cfg.accounts[0].nfrom, 1);
    load_ok(&cfg, "");
    assert_int_equal(cfg.naccounts, 0);
    config_free(&cfg);
    load_fails("wrap = yes\ndate_format = \x1b[31m\n", "t:2: control character (byte 0x1b)");
    load_fails("date_format = \xff\n", "t:1: invalid UTF-8");
}

static void
test_bind_lines(void **state)
{
    struct nx_config cfg;
    config_init(&cfg);
    load_ok(&cfg, "keymap = vi\n"
                  "bind index j next-message\n"
                  "  bind index,pager <F5> redraw   # refresh\n"
                  "[account a]\n"
                  "maildir = /m\n"
                  "bind pager <Down> next-line\n");
    assert_int_equal(cfg.bindings.n, 4);
    assert_int_equal(cfg.bindings.v[0].action, KM_ACTION_NEXT_MESSAGE);
    assert_int_equal(cfg.bindings.v[0].line, 2);
    assert_int_equal(cfg.bindings.v[2].ctx, KM_CTX_PAGER);
    assert_int_equal(cfg.bindings.v[2].line, 3);
    assert_int_equal(cfg.bindings.v[3].keys[0], KM_KEY_DOWN);
    assert_int_equal(cfg.bindings.v[3].line, 6);
    /* the bindings apply on top of the base keymap */
    struct keymap *km = km_new(cfg.keymap, NULL);
    km_apply(km, &cfg.bindings);
    int j = 'j';
    enum km_action a;
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, &j, 1, &a), KM_MATCH);
    assert_int_equal(a, KM_ACTION_NEXT_MESSAGE);
    km_free(km);
    config_free(&cfg);
    load_fails("wrap = yes\n\nbind index j nex-message\n",
               "t:3:14: unknown action 'nex-message' (see `nixie --help` or docs/configuration.md "
               "for the list)");
    load_fails("# x\n\t bind indx j next-entry\n",
               "t:2:8: unknown context 'indx' (contexts: index, pager, folders, help, compose)");
    load_fails("bind pager <Dwn> next-line\n", "t:1:12: unknown key name '<Dwn>'");
    /* the hint survives */
    struct nx_err err = {0};
    config_init(&cfg);
    assert_int_equal(config_load_string(&cfg, "bind index j nex-message\n", "t", &err), -1);
    assert_string_equal(err.hint, "did you mean 'next-message'?");
    config_free(&cfg);
}

static void
test_color_lines(void **state)
{
    struct nx_config cfg;
    config_init(&cfg);
    load_ok(&cfg, "color quote1 red default\n"
                  "colour hdr-from brightblue\n"
                  "color url color208 colour17 # comment\n"
                  "color dsn-failed 9 0\n");
    assert_int_equal(cfg.colour_fg[RSTYLE_QUOTE1], 1);
    assert_int_equal(cfg.colour_bg[RSTYLE_QUOTE1], -1);
    assert_int_equal(cfg.colour_fg[RSTYLE_HDR_FROM], 12);
    assert_int_equal(cfg.colour_bg[RSTYLE_HDR_FROM], -2);
    assert_int_equal(cfg.colour_fg[RSTYLE_URL], 208);
    assert_int_equal(cfg.colour_bg[RSTYLE_URL], 17);
    assert_int_equal(cfg.colour_fg[RSTYLE_DSN_FAILED], 9);
    assert_int_equal(cfg.colour_bg[RSTYLE_DSN_FAILED], 0);
    assert_int_equal(cfg.colour_fg[RSTYLE_NORMAL], -2);
    config_free(&cfg);
    load_fails("color quot1 red\n",
               "t:1: unknown style 'quot1' (see docs/configuration.md for the list)");
    load_fails("\ncolor quote1 pink\n",
               "t:2: unknown colour 'pink' (use default, black, red, green, yellow, blue, "
               "magenta, cyan, white, brightred..., or color0 to color255)");
    load_fails("color quote1 red color256\n",
               "t:1: unknown colour 'color256' (use default, black, red, green, yellow, blue, "
               "magenta, cyan, white, brightred..., or color0 to color255)");
    load_fails("color quote1\n",
               "t:1: 'color' needs a style and one or two colours (color STYLE FG [BG])");
    load_fails("color quote1 red blue green\n",
               "t:1: 'color' needs a style and one or two colours (color STYLE FG [BG])");
}

static void
test_failed_load_keeps_config(void **state)
{
    struct nx_config cfg;
    struct nx_err err = {0};
    config_init(&cfg);
    load_ok(&cfg, "tab_width = 5\n[account a]\nmaildir = /m\n");
    assert_int_equal(config_load_string(&cfg, "tab_width = 6\nwrap = nah\n", "t", &err), -1);
    assert_int_equal(cfg.tab_width, 5);
    assert_int_equal(cfg.naccounts, 1);
    assert_string_equal(cfg.accounts[0].maildir, "/m");
    config_free(&cfg);
}

/* A private directory for file tests; HOME points at it. */
static char *
make_home(void)
{
    char tmpl[] = "/tmp/nixie-test-config-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    setenv("HOME", dir, 1);
    char *copy = strdup(dir);
    if (copy == NULL)
        abort();
    return copy;
}

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

#define WRITE(path, literal) write_file(path, literal, sizeof(literal) - 1)

static void
test_files(void **state)
{
    char *home = make_home();
    char path[512], want[600];
    struct nx_config cfg;
    struct nx_err err = {0};
    config_init(&cfg);
    /* a missing default file is fine; a missing -F file is not */
    snprintf(path, sizeof path, "%s/missing", home);
    assert_int_equal(config_load(&cfg, path, false, &err), 0);
    assert_null(cfg.path);
    assert_int_equal(config_load(&cfg, path, true, &err), -1);
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    snprintf(want, sizeof want, "~/missing: cannot open: %s", strerror(ENOENT));
    assert_string_equal(err.what, want);
    /* a real file: errors name it as ~/... */
    snprintf(path, sizeof path, "%s/config", home);
    WRITE(path, "wrap = no\n");
    assert_int_equal(config_load(&cfg, path, true, &err), 0);
    assert_string_equal(cfg.path, path);
    assert_false(cfg.wrap);
    WRITE(path, "wrap = no\nbind index j nex-message\n");
    assert_int_equal(config_load(&cfg, path, true, &err), -1);
    assert_string_equal(err.what, "~/config:2:14: unknown action 'nex-message' (see `nixie "
                                  "--help` or docs/configuration.md for the list)");
    /* NUL bytes, which a string cannot carry */
    WRITE(path, "wrap = no\nthreads = y\0es\n");
    assert_int_equal(config_load(&cfg, path, true, &err), -1);
    assert_string_equal(err.what, "~/config:2: NUL byte in the line");
    /* too large */
    size_t big = 1024 * 1024 + 1;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, '\n', big);
    write_file(path, data, big);
    free(data);
    assert_int_equal(config_load(&cfg, path, true, &err), -1);
    assert_int_equal(err.code, NX_ERR_LIMIT);
    /* a directory */
    assert_int_equal(config_load(&cfg, home, true, &err), -1);
    snprintf(want, sizeof want, "%s: not a regular file", home);
    assert_string_equal(err.what, want);
    /* the default path, under a private XDG_CONFIG_HOME */
    snprintf(path, sizeof path, "%s/nixie", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/nixie/config", home);
    WRITE(path, "tab_width = 7\n");
    setenv("XDG_CONFIG_HOME", home, 1);
    assert_int_equal(config_load(&cfg, NULL, false, &err), 0);
    assert_int_equal(cfg.tab_width, 7);
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    unlink(path);
    snprintf(path, sizeof path, "%s/nixie", home);
    rmdir(path);
    snprintf(path, sizeof path, "%s/config", home);
    unlink(path);
    assert_int_equal(rmdir(home), 0);
    config_free(&cfg);
    free(home);
    setenv("HOME", "/nonexistent", 1);
}

static void
test_render_opts(void **state)
{
    struct nx_config cfg;
    struct render_opts opts;
    config_init(&cfg);
    load_ok(&cfg, "wrap = no\nsmart_wrap = no\ntab_width = 4\nprefer_html = yes\n"
                  "headers = Subject, Date\n");
    memset(&opts, 0xff, sizeof opts);
    config_render_opts(&cfg, &opts);
    assert_int_equal(opts.headers_mode, RENDER_HEADERS_SOME);
    assert_string_equal(opts.headers[0], "Subject");
    assert_string_equal(opts.headers[1], "Date");
    assert_null(opts.headers[2]);
    assert_false(opts.wrap);
    assert_false(opts.smart_wrap);
    assert_true(opts.prefer_html);
    assert_int_equal(opts.tab_width, 4);
    assert_null(opts.html_convert);
    config_free(&cfg);
    config_init(&cfg);
    config_render_opts(&cfg, &opts);
    assert_null(opts.headers); /* render's default list */
    assert_true(opts.wrap);
    assert_int_equal(opts.tab_width, 8);
    config_free(&cfg);
}

static char doc[256 * 1024]; /* docs/configuration.md */

static bool
read_doc(void)
{
    const char *src = getenv("NIXIE_SRCDIR");
    char path[4096];
    if (src == NULL)
        return false;
    snprintf(path, sizeof path, "%s/docs/configuration.md", src);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(doc, 1, sizeof doc - 1, fp);
    fclose(fp);
    doc[n] = '\0';
    return true;
}

/* The text of the n-th (0-based) ``` block after `heading`; malloc'd. */
static char *
doc_block(const char *heading, int n)
{
    const char *p = strstr(doc, heading);
    assert_non_null(p);
    for (int i = 0; i <= n; i++) {
        p = strstr(p, "\n```");
        assert_non_null(p);
        p = strchr(p + 4, '\n') + 1; /* skip the fence and its language */
        const char *end = strstr(p, "\n```");
        assert_non_null(end);
        if (i == n)
            return strndup(p, (size_t)(end - p) + 1);
        p = end + 4;
    }
    return NULL;
}

/* The examples in the docs are read by the real parsers. */
static void
test_docs_examples_parse(void **state)
{
    if (!read_doc())
        skip();
    setenv("HOME", "/home/tester", 1);
    struct nx_config cfg;
    config_init(&cfg);
    char *text = doc_block("## The file", 0);
    load_ok(&cfg, text);
    assert_int_equal(cfg.naccounts, 2);
    assert_int_equal(cfg.bindings.n, 3);
    free(text);
    text = doc_block("### Examples", 0);
    load_ok(&cfg, text);
    assert_true(cfg.bindings.n >= 10);
    free(text);
    text = doc_block("## Colours", 1);
    load_ok(&cfg, text);
    assert_int_equal(cfg.colour_fg[RSTYLE_HDR_SUBJECT], 214);
    free(text);
    config_free(&cfg);
    setenv("HOME", "/nonexistent", 1);
}

static void
test_docs_list_every_key(void **state)
{
    if (!read_doc())
        skip();
    size_t count = 0;
    for (int account = 0; account < 2; account++) {
        const char *k;
        for (size_t i = 0; (k = config_key_name(account, i)) != NULL; i++, count++) {
            char want[64];
            snprintf(want, sizeof want, "`%s`", k);
            if (strstr(doc, want) == NULL)
                fail_msg("docs/configuration.md does not describe key %s", want);
        }
    }
    assert_true(count >= 20);
    for (int s = 0; s < RSTYLE__COUNT; s++) {
        char want[64];
        snprintf(want, sizeof want, "`%s`", rstyle_name(s));
        if (strstr(doc, want) == NULL)
            fail_msg("docs/configuration.md does not describe style %s", want);
    }
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_all_global_keys),
        cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_tilde),
        cmocka_unit_test(test_unknown_and_misplaced_keys),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_comments_and_whitespace),
        cmocka_unit_test(test_bind_lines),
        cmocka_unit_test(test_color_lines),
        cmocka_unit_test(test_failed_load_keeps_config),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_render_opts),
        cmocka_unit_test(test_docs_list_every_key),
        cmocka_unit_test(test_docs_examples_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
