/* test-keymap.c - keymaps/: key names, bind-line parsing and its errors, the
 * default keymaps, overrides, unbinding, sequences and the help order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/err.h"
#include "mail/base/utf8.h"

#include "keymaps/keymap.h"

/* ---- key names ---- */

struct key_case {
    const char *text;
    unsigned n;
    int keys[KM_MAX_SEQ];
};

static const struct key_case key_good[] = {
    {"j", 1, {'j'}},
    {"gg", 2, {'g', 'g'}},
    {"<Enter>", 1, {KM_KEY_ENTER}},
    {"<Return>", 1, {KM_KEY_ENTER}},
    {"<enter>", 1, {KM_KEY_ENTER}},
    {"<KeypadEnter>", 1, {KM_KEY_ENTER}},
    {"<Space>", 1, {' '}},
    {"<Tab>", 1, {KM_KEY_TAB}},
    {"<Esc>", 1, {KM_KEY_ESC}},
    {"<Escape>", 1, {KM_KEY_ESC}},
    {"<Up>", 1, {KM_KEY_UP}},
    {"<Down>", 1, {KM_KEY_DOWN}},
    {"<Left>", 1, {KM_KEY_LEFT}},
    {"<Right>", 1, {KM_KEY_RIGHT}},
    {"<PageUp>", 1, {KM_KEY_PGUP}},
    {"<PgUp>", 1, {KM_KEY_PGUP}},
    {"<PageDown>", 1, {KM_KEY_PGDN}},
    {"<Pagedown>", 1, {KM_KEY_PGDN}},
    {"<Home>", 1, {KM_KEY_HOME}},
    {"<End>", 1, {KM_KEY_END}},
    {"<Insert>", 1, {KM_KEY_INSERT}},
    {"<Delete>", 1, {KM_KEY_DELETE}},
    {"<Backspace>", 1, {KM_KEY_BACKSPACE}},
    {"<F1>", 1, {KM_KEY_F0 + 1}},
    {"<F12>", 1, {KM_KEY_F12}},
    {"\\Cd", 1, {4}},
    {"\\cd", 1, {4}},
    {"^D", 1, {4}},
    {"^d", 1, {4}},
    {"<C-d>", 1, {4}},
    {"<C-D>", 1, {4}},
    {"^@", 1, {0}},
    {"^M", 1, {KM_KEY_ENTER}},
    {"^J", 1, {KM_KEY_ENTER}},
    {"^I", 1, {KM_KEY_TAB}},
    {"^[", 1, {KM_KEY_ESC}},
    {"^?", 1, {KM_KEY_BACKSPACE}},
    {"\\e", 1, {KM_KEY_ESC}},
    {"\\t", 1, {KM_KEY_TAB}},
    {"\\n", 1, {KM_KEY_ENTER}},
    {"<Esc>/", 2, {KM_KEY_ESC, '/'}},
    {"<M-x>", 2, {KM_KEY_ESC, 'x'}},
    {"^", 1, {'^'}},
    {"^-", 2, {'^', '-'}},
    {"<", 1, {'<'}},
    {"<<", 2, {'<', '<'}},
    {"<>", 2, {'<', '>'}},
    {"<lt>", 1, {'<'}},
    {"\\\\", 1, {'\\'}},
    {"\\#", 1, {'#'}},
    {"\\<Up>", 4, {'<', 'U', 'p', '>'}},
    {"$", 1, {'$'}},
    {"\xc3\xa9", 1, {0xe9}},
    {"\xe6\x97\xa5", 1, {0x65e5}},
    {"abcd", 4, {'a', 'b', 'c', 'd'}},
};

static void
test_keys_parse_good(void **state)
{
    for (size_t i = 0; i < sizeof key_good / sizeof key_good[0]; i++) {
        int keys[KM_MAX_SEQ] = {0};
        unsigned n = km_parse_keys(key_good[i].text, keys, KM_MAX_SEQ);
        if (n != key_good[i].n)
            fail_msg("'%s': %u keys, expected %u", key_good[i].text, n, key_good[i].n);
        for (unsigned j = 0; j < n; j++)
            if (keys[j] != key_good[i].keys[j])
                fail_msg("'%s': key %u is %d, expected %d", key_good[i].text, j, keys[j],
                         key_good[i].keys[j]);
    }
}

static void
test_keys_parse_bad(void **state)
{
    static const char *const bad[] = {
        "",     "<Dwn>",    "<F0>", "<F13>", "<F01>",    "<C-1>",    "\\",
        "\\C",  "\\C1",     "\\q",  "\\1",   "abcde",    "gg<F1>gg", "\x01",
        "\x7f", "\xc2\x9b", "\xff", "\xc3",  "<Enterr>", "<C-dd>",
    };
    int keys[KM_MAX_SEQ];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (km_parse_keys(bad[i], keys, KM_MAX_SEQ) != 0)
            fail_msg("'%s' parsed", bad[i]);
    assert_int_equal(km_parse_keys(NULL, keys, KM_MAX_SEQ), 0);
    assert_int_equal(km_parse_keys("gg", keys, 1), 0);
}

static void
test_keys_name(void **state)
{
    static const struct key_case cases[] = {
        {"^D", 1, {4}},
        {"<Enter>", 1, {KM_KEY_ENTER}},
        {"<Space>", 1, {' '}},
        {"gg", 2, {'g', 'g'}},
        {"<Esc>/", 2, {KM_KEY_ESC, '/'}},
        {"\\<Up>", 4, {'<', 'U', 'p', '>'}},
        {"<>", 2, {'<', '>'}},
        {"\\^D", 2, {'^', 'D'}},
        {"^", 1, {'^'}},
        {"\\\\", 1, {'\\'}},
        {"\\#", 1, {'#'}},
        {"a#", 2, {'a', '#'}},
        {"<F5>", 1, {KM_KEY_F0 + 5}},
        {"<PageDown>", 1, {KM_KEY_PGDN}},
        {"\xe6\x97\xa5", 1, {0x65e5}},
        {"^M", 1, {13}}, /* raw, unnormalised codes still print readably */
        {"<U+009B>", 1, {0x9b}},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        km_keys_name(cases[i].keys, cases[i].n, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
    }
    /* too small: whole names only, always terminated */
    int enter = KM_KEY_ENTER;
    km_keys_name(&enter, 1, buf, 4);
    assert_string_equal(buf, "");
    int gg[2] = {'g', KM_KEY_ENTER};
    km_keys_name(gg, 2, buf, 6);
    assert_string_equal(buf, "g");
    km_keys_name(gg, 2, NULL, 0);
    km_keys_name(NULL, 2, buf, sizeof buf);
    assert_string_equal(buf, "");
}

/* Every key the parser can produce prints to a text that parses back. */
static void
roundtrip(const int *keys, unsigned n)
{
    char buf[128];
    int back[KM_MAX_SEQ];
    km_keys_name(keys, n, buf, sizeof buf);
    unsigned m = km_parse_keys(buf, back, KM_MAX_SEQ);
    if (m != n || memcmp(keys, back, n * sizeof *keys) != 0)
        fail_msg("'%s' does not parse back (%u keys)", buf, m);
}

static void
test_keys_roundtrip(void **state)
{
    int all[200];
    unsigned nall = 0;
    for (int c = 0; c < 0x20; c++)
        if (km_key_normalize(c) == c)
            all[nall++] = c;
    for (int c = 0x20; c < 0x7f; c++)
        all[nall++] = c;
    for (int k = KM_KEY_UP; k <= KM_KEY_ESC; k++)
        all[nall++] = k;
    for (int f = 1; f <= 12; f++)
        all[nall++] = KM_KEY_F0 + f;
    all[nall++] = 0xe9;
    all[nall++] = 0x65e5;
    all[nall++] = 0x1f600;
    for (unsigned i = 0; i < nall; i++) {
        roundtrip(&all[i], 1);
        for (unsigned j = 0; j < nall; j++) {
            int two[2] = {all[i], all[j]};
            roundtrip(two, 2);
        }
    }
    static const int tricky[] = {'<', '>', '^', '\\', '#', '"', 'D', 'U', '-', ' ', '?', '@'};
    unsigned nt = sizeof tricky / sizeof tricky[0];
    for (unsigned a = 0; a < nt; a++)
        for (unsigned b = 0; b < nt; b++)
            for (unsigned c = 0; c < nt; c++)
                for (unsigned d = 0; d < nt; d++) {
                    int four[4] = {tricky[a], tricky[b], tricky[c], tricky[d]};
                    roundtrip(four, 4);
                }
}

/* ---- action and context tables ---- */

static void
test_actions_table(void **state)
{
    for (int a = 0; a < KM_ACTION__COUNT; a++) {
        const char *name = km_action_name(a);
        assert_true(strlen(name) > 0);
        assert_true(strlen(km_action_help(a)) > 0);
        assert_int_not_equal(km_action_contexts(a), 0);
        assert_int_equal(km_action_from_name(name), a);
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
    }
    assert_string_equal(km_action_name(KM_ACTION_NONE), "noop");
    assert_int_equal(km_action_from_name("nex-message"), -1);
    assert_int_equal(km_action_from_name(NULL), -1);
    assert_string_equal(km_action_name(KM_ACTION__COUNT), "?");
    for (int c = 0; c < KM_CTX__COUNT; c++)
        assert_int_equal(km_context_from_name(km_context_name(c)), c);
    assert_int_equal(km_context_from_name("browser"), KM_CTX_FOLDERS);
    assert_int_equal(km_context_from_name("generic"), -1);
    assert_int_equal(km_context_from_name(NULL), -1);
}

/* ---- parsing and its errors ---- */

static void
expect_error(const char *line, const char *file, unsigned lineno, const char *what)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    assert_int_equal(km_parse_line(line, file, lineno, &b, &err), -1);
    if (strcmp(err.what, what) != 0)
        fail_msg("'%s':\n got      %s\n expected %s", line, err.what, what);
    assert_int_equal(err.code, NX_ERR_PARSE);
    assert_int_equal(b.n, 0);
    km_bindings_free(&b);
}

static void
test_parse_errors(void **state)
{
    const char *f = "~/.config/nixie/config";
    expect_error("bind index j nex-message", f, 12,
                 "~/.config/nixie/config:12:14: unknown action 'nex-message' (see `nixie --help` "
                 "or docs/configuration.md for the list)");
    expect_error("bind indx j next-entry", f, 1,
                 "~/.config/nixie/config:1:6: unknown context 'indx' (contexts: index, pager, "
                 "folders, help, compose)");
    expect_error("bind index,pagr j next-message", f, 2,
                 "~/.config/nixie/config:2:12: unknown context 'pagr' (contexts: index, pager, "
                 "folders, help, compose)");
    expect_error("bind index, j next-message", f, 2,
                 "~/.config/nixie/config:2:12: empty context name in 'index,'");
    expect_error("bind pager <Dwn> next-line", f, 3,
                 "~/.config/nixie/config:3:12: unknown key name '<Dwn>'");
    expect_error("  bind pager j<Dwn> next-line", f, 3,
                 "~/.config/nixie/config:3:15: unknown key name '<Dwn>'");
    expect_error("bind pager \xc3\xa9<Dwn> next-line", f, 3,
                 "~/.config/nixie/config:3:13: unknown key name '<Dwn>'");
    expect_error("bind index abcde next-entry", f, 4,
                 "~/.config/nixie/config:4:16: key sequence too long (at most 4 keys)");
    expect_error("bind index j", f, 5,
                 "~/.config/nixie/config:5:14: 'bind' needs a context, a key and an action "
                 "(bind CONTEXT KEY ACTION)");
    expect_error("bind", f, 5,
                 "~/.config/nixie/config:5:6: 'bind' needs a context, a key and an action "
                 "(bind CONTEXT KEY ACTION)");
    expect_error("bind index j next-entry extra", f, 6,
                 "~/.config/nixie/config:6:25: unexpected 'extra' after the action (comments "
                 "start with #)");
    expect_error("bind index <Space> top", f, 7,
                 "~/.config/nixie/config:7:20: action 'top' does not work in context 'index' "
                 "(only in pager, help)");
    expect_error("bind pager,compose y send-message", f, 7,
                 "~/.config/nixie/config:7:22: action 'send-message' does not work in context "
                 "'pager' (only in compose)");
    expect_error("bnd index j next-entry", f, 8,
                 "~/.config/nixie/config:8:1: expected 'bind', found 'bnd'");
    expect_error("bind index \"x next-entry", f, 9,
                 "~/.config/nixie/config:9:12: missing closing '\"'");
    expect_error(
        "bind index \\q next-entry", NULL, 10,
        "10:12: unknown escape '\\q' (use \\C, \\e, \\t, \\n, \\r or \\ before punctuation)");
}

static void
test_parse_suggests(void **state)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    assert_int_equal(km_parse_line("bind index j nex-message", "f", 1, &b, &err), -1);
    assert_string_equal(err.hint, "did you mean 'next-message'?");
    assert_int_equal(km_parse_line("bind index j frobnicate", "f", 1, &b, &err), -1);
    assert_string_equal(err.hint, "");
    km_bindings_free(&b);
}

static void
test_parse_good(void **state)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    assert_int_equal(km_parse_line("", "f", 1, &b, &err), 0);
    assert_int_equal(km_parse_line("   \t ", "f", 1, &b, &err), 0);
    assert_int_equal(km_parse_line("# bind index j quit", "f", 1, &b, &err), 0);
    assert_int_equal(b.n, 0);
    assert_int_equal(km_parse_line("bind index,pager ^L redraw # comment\n", "f", 7, &b, &err), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.v[0].ctx, KM_CTX_INDEX);
    assert_int_equal(b.v[1].ctx, KM_CTX_PAGER);
    assert_int_equal(b.v[0].keys[0], 12);
    assert_int_equal(b.v[0].nkeys, 1);
    assert_int_equal(b.v[0].action, KM_ACTION_REDRAW);
    assert_int_equal(b.v[0].line, 7);
    assert_int_equal(km_parse_line("\tbind  browser\t\" \"  select-entry\r", "f", 8, &b, &err), 0);
    assert_int_equal(b.v[2].ctx, KM_CTX_FOLDERS);
    assert_int_equal(b.v[2].keys[0], ' ');
    assert_int_equal(km_parse_line("bind index \"#\" help", "f", 9, &b, &err), 0);
    assert_int_equal(b.v[3].keys[0], '#');
    assert_int_equal(km_parse_line("bind index \\# help", "f", 9, &b, &err), 0);
    assert_int_equal(b.v[4].keys[0], '#');
    assert_int_equal(km_parse_line("bind index j noop", "f", 9, &b, &err), 0);
    assert_int_equal(b.v[5].action, KM_ACTION_NONE);
    km_bindings_free(&b);
    assert_null(b.v);
    km_bindings_free(NULL);
}

static void
test_parse_text_atomic(void **state)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    assert_int_equal(km_parse_text("bind index j quit\n", "f", &b, &err), 0);
    assert_int_equal(b.n, 1);
    assert_int_equal(km_parse_text("bind index k quit\n# x\nbind index x frob\n", "f", &b, &err),
                     -1);
    assert_int_equal(b.n, 1); /* nothing from the failed text stays */
    assert_string_equal(err.what, "f:3:14: unknown action 'frob' (see `nixie --help` or "
                                  "docs/configuration.md for the list)");
    assert_int_equal(km_parse_text("bind index k quit", "f", &b, &err), 0); /* no final \n */
    assert_int_equal(b.n, 2);
    assert_int_equal(km_parse_text("", "f", &b, &err), 0);
    km_bindings_free(&b);
}

/* ---- the default keymaps ---- */

static void
check_default_text(const char *base)
{
    const char *text = km_default_text(base);
    assert_non_null(text);
    /* every line on its own */
    unsigned lineno = 1, nbind = 0;
    for (const char *p = text; *p; lineno++) {
        struct km_bindings b = {0};
        struct nx_err err = {0};
        if (km_parse_line(p, base, lineno, &b, &err) < 0)
            fail_msg("%s.keys: %s", base, err.what);
        for (size_t i = 0; i < b.n; i++) {
            assert_true(b.v[i].action > KM_ACTION_NONE && b.v[i].action < KM_ACTION__COUNT);
            assert_true(km_action_contexts(b.v[i].action) & (1u << b.v[i].ctx));
        }
        nbind += b.n != 0;
        km_bindings_free(&b);
        p = strchr(p, '\n');
        assert_non_null(p); /* the file ends with a newline */
        p++;
    }
    assert_true(nbind > 30);
}

struct seen {
    bool action[KM_ACTION__COUNT];
    const struct keymap *km;
    enum km_context ctx;
};

static void
collect(void *arg, const int *keys, unsigned n, enum km_action action)
{
    struct seen *s = arg;
    s->action[action] = true;
    /* no default binding is a prefix of another: a key never has to wait */
    for (unsigned i = 1; i < n; i++) {
        enum km_action a;
        if (km_lookup(s->km, s->ctx, keys, i, &a) != KM_PREFIX || a != KM_ACTION_NONE)
            fail_msg("a prefix of a sequence in %s is bound", km_context_name(s->ctx));
    }
}

static void
test_default_keymaps(void **state)
{
    struct seen seen = {0};
    check_default_text("mutt");
    check_default_text("vi");
    assert_ptr_equal(km_default_text(NULL), km_default_text("mutt"));
    assert_null(km_default_text("emacs"));
    static const char *const bases[] = {"mutt", "vi"};
    for (int i = 0; i < 2; i++) {
        struct nx_err err = {0};
        struct keymap *km = km_new(bases[i], &err);
        assert_non_null(km);
        seen.km = km;
        for (int c = 0; c < KM_CTX__COUNT; c++) {
            enum km_action a;
            int help[1] = {i == 0 ? '?' : KM_KEY_F0 + 1};
            seen.ctx = c;
            km_foreach(km, c, collect, &seen);
            assert_int_equal(km_lookup(km, c, help, 1, &a), KM_MATCH);
            assert_int_equal(a, KM_ACTION_HELP);
        }
        km_free(km);
    }
    for (int a = 1; a < KM_ACTION__COUNT; a++)
        if (!seen.action[a])
            fail_msg("action '%s' has no default key", km_action_name(a));
    struct nx_err err = {0};
    assert_null(km_new("emacs", &err));
    assert_int_equal(err.code, NX_ERR_CONFIG);
    assert_string_equal(err.what, "unknown keymap 'emacs'");
    km_free(NULL);
}

static enum km_action
lookup1(const struct keymap *km, enum km_context ctx, const char *keys, enum km_lookup_result want)
{
    int k[KM_MAX_SEQ];
    enum km_action a;
    unsigned n = km_parse_keys(keys, k, KM_MAX_SEQ);
    assert_int_not_equal(n, 0);
    enum km_lookup_result r = km_lookup(km, ctx, k, n, &a);
    if (r != want)
        fail_msg("%s %s: result %d, expected %d", km_context_name(ctx), keys, r, want);
    return a;
}

#define MATCH(km, ctx, keys) lookup1(km, KM_CTX_##ctx, keys, KM_MATCH)

static void
test_mutt_keys(void **state)
{
    struct keymap *km = km_new("mutt", NULL);
    assert_int_equal(MATCH(km, INDEX, "j"), KM_ACTION_NEXT_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "<Down>"), KM_ACTION_NEXT_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "k"), KM_ACTION_PREV_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "<Enter>"), KM_ACTION_DISPLAY_MESSAGE);
    assert_int_equal(MATCH(km, INDEX, "<Space>"), KM_ACTION_DISPLAY_MESSAGE);
    assert_int_equal(MATCH(km, INDEX, "q"), KM_ACTION_QUIT);
    assert_int_equal(MATCH(km, INDEX, "/"), KM_ACTION_SEARCH);
    assert_int_equal(MATCH(km, INDEX, "<Esc>/"), KM_ACTION_SEARCH_REVERSE);
    assert_int_equal(MATCH(km, INDEX, "n"), KM_ACTION_SEARCH_NEXT);
    assert_int_equal(MATCH(km, INDEX, "m"), KM_ACTION_COMPOSE);
    assert_int_equal(MATCH(km, INDEX, "r"), KM_ACTION_REPLY);
    assert_int_equal(MATCH(km, INDEX, "g"), KM_ACTION_GROUP_REPLY);
    assert_int_equal(MATCH(km, INDEX, "f"), KM_ACTION_FORWARD);
    assert_int_equal(MATCH(km, INDEX, "d"), KM_ACTION_DELETE);
    assert_int_equal(MATCH(km, INDEX, "u"), KM_ACTION_UNDELETE);
    assert_int_equal(MATCH(km, INDEX, "s"), KM_ACTION_SAVE);
    assert_int_equal(MATCH(km, INDEX, "c"), KM_ACTION_CHANGE_FOLDER);
    assert_int_equal(MATCH(km, INDEX, "F"), KM_ACTION_FLAG);
    assert_int_equal(MATCH(km, INDEX, "N"), KM_ACTION_TOGGLE_NEW);
    assert_int_equal(MATCH(km, INDEX, "$"), KM_ACTION_SYNC);
    assert_int_equal(MATCH(km, INDEX, "?"), KM_ACTION_HELP);
    assert_int_equal(MATCH(km, INDEX, "^L"), KM_ACTION_REDRAW);
    assert_int_equal(MATCH(km, INDEX, "="), KM_ACTION_FIRST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "*"), KM_ACTION_LAST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "<Home>"), KM_ACTION_FIRST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "<End>"), KM_ACTION_LAST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "<PageDown>"), KM_ACTION_NEXT_PAGE);
    assert_int_equal(MATCH(km, INDEX, "<PageUp>"), KM_ACTION_PREV_PAGE);
    assert_int_equal(MATCH(km, PAGER, "<Space>"), KM_ACTION_NEXT_PAGE);
    assert_int_equal(MATCH(km, PAGER, "-"), KM_ACTION_PREV_PAGE);
    assert_int_equal(MATCH(km, PAGER, "<Enter>"), KM_ACTION_NEXT_LINE);
    assert_int_equal(MATCH(km, PAGER, "<Backspace>"), KM_ACTION_PREV_LINE);
    assert_int_equal(MATCH(km, PAGER, "j"), KM_ACTION_NEXT_MESSAGE);
    assert_int_equal(MATCH(km, PAGER, "k"), KM_ACTION_PREV_MESSAGE);
    assert_int_equal(MATCH(km, PAGER, "^"), KM_ACTION_TOP);
    assert_int_equal(MATCH(km, PAGER, "q"), KM_ACTION_EXIT_PAGER);
    assert_int_equal(MATCH(km, PAGER, "i"), KM_ACTION_EXIT_PAGER);
    assert_int_equal(MATCH(km, PAGER, "h"), KM_ACTION_TOGGLE_HEADERS);
    assert_int_equal(MATCH(km, FOLDERS, "<Enter>"), KM_ACTION_SELECT_ENTRY);
    assert_int_equal(MATCH(km, COMPOSE, "y"), KM_ACTION_SEND);
    /* Esc only starts sequences */
    assert_int_equal(lookup1(km, KM_CTX_INDEX, "<Esc>", KM_PREFIX), KM_ACTION_NONE);
    lookup1(km, KM_CTX_INDEX, "<F5>", KM_NOMATCH);
    lookup1(km, KM_CTX_PAGER, "y", KM_NOMATCH);
    km_free(km);
}

static void
test_vi_keys(void **state)
{
    struct keymap *km = km_new("vi", NULL);
    assert_int_equal(lookup1(km, KM_CTX_INDEX, "g", KM_PREFIX), KM_ACTION_NONE);
    assert_int_equal(MATCH(km, INDEX, "gg"), KM_ACTION_FIRST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "G"), KM_ACTION_LAST_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "^D"), KM_ACTION_HALF_DOWN);
    assert_int_equal(MATCH(km, INDEX, "^U"), KM_ACTION_HALF_UP);
    assert_int_equal(MATCH(km, PAGER, "^F"), KM_ACTION_NEXT_PAGE);
    assert_int_equal(MATCH(km, PAGER, "^B"), KM_ACTION_PREV_PAGE);
    assert_int_equal(MATCH(km, PAGER, "gg"), KM_ACTION_TOP);
    assert_int_equal(MATCH(km, PAGER, "j"), KM_ACTION_NEXT_LINE);
    assert_int_equal(MATCH(km, PAGER, "?"), KM_ACTION_SEARCH_REVERSE);
    assert_int_equal(MATCH(km, PAGER, "N"), KM_ACTION_SEARCH_OPPOSITE);
    assert_int_equal(MATCH(km, INDEX, "q"), KM_ACTION_QUIT);
    lookup1(km, KM_CTX_INDEX, "gx", KM_NOMATCH);
    km_free(km);
}

/* ---- overrides, unbinding, sequences ---- */

static void
apply_text(struct keymap *km, const char *text)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    if (km_parse_text(text, "test", &b, &err) < 0)
        fail_msg("%s", err.what);
    km_apply(km, &b);
    km_bindings_free(&b);
}

static void
test_overrides(void **state)
{
    struct keymap *km = km_new("mutt", NULL);
    apply_text(km, "bind index j next-message\n"
                   "bind index,pager x redraw\n"
                   "bind pager <Down> next-line\n"
                   "bind index <C-n> next-unread\n"
                   "bind index j previous-entry\n"); /* later wins */
    assert_int_equal(MATCH(km, INDEX, "j"), KM_ACTION_PREV_ENTRY);
    assert_int_equal(MATCH(km, INDEX, "x"), KM_ACTION_REDRAW);
    assert_int_equal(MATCH(km, PAGER, "x"), KM_ACTION_REDRAW);
    assert_int_equal(MATCH(km, PAGER, "<Down>"), KM_ACTION_NEXT_LINE);
    assert_int_equal(MATCH(km, INDEX, "^N"), KM_ACTION_NEXT_UNREAD);
    assert_int_equal(MATCH(km, INDEX, "k"), KM_ACTION_PREV_ENTRY); /* untouched */
    /* unbind */
    apply_text(km, "bind index j noop\nbind index zz noop\n");
    lookup1(km, KM_CTX_INDEX, "j", KM_NOMATCH);
    assert_int_equal(MATCH(km, PAGER, "j"), KM_ACTION_NEXT_MESSAGE); /* other context */
    /* invalid bindings (not from the parser) are ignored, not fatal */
    struct km_binding bad[3] = {
        {.ctx = KM_CTX__COUNT, .nkeys = 1, .keys = {'q'}},
        {.ctx = KM_CTX_INDEX, .nkeys = 0},
        {.ctx = KM_CTX_INDEX, .nkeys = 1, .keys = {'q'}, .action = KM_ACTION__COUNT}};
    struct km_bindings b = {bad, 3, 3};
    km_apply(km, &b);
    assert_int_equal(MATCH(km, INDEX, "q"), KM_ACTION_QUIT);
    km_apply(NULL, &b);
    km_apply(km, NULL);
    km_free(km);
}

static void
test_sequences(void **state)
{
    struct keymap *km = km_new("mutt", NULL);
    apply_text(km, "bind index gg first-entry\nbind index ,abc help\n");
    /* g is bound and starts gg: wait, but say what g alone would do */
    assert_int_equal(lookup1(km, KM_CTX_INDEX, "g", KM_PREFIX), KM_ACTION_GROUP_REPLY);
    assert_int_equal(MATCH(km, INDEX, "gg"), KM_ACTION_FIRST_ENTRY);
    lookup1(km, KM_CTX_INDEX, "gx", KM_NOMATCH);
    assert_int_equal(lookup1(km, KM_CTX_INDEX, ",", KM_PREFIX), KM_ACTION_NONE);
    lookup1(km, KM_CTX_INDEX, ",a", KM_PREFIX);
    lookup1(km, KM_CTX_INDEX, ",ab", KM_PREFIX);
    assert_int_equal(MATCH(km, INDEX, ",abc"), KM_ACTION_HELP);
    lookup1(km, KM_CTX_PAGER, ",", KM_NOMATCH);
    /* raw codes are normalised: 13 is Enter, 127 Backspace */
    int raw[1] = {13};
    enum km_action a;
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, raw, 1, &a), KM_MATCH);
    assert_int_equal(a, KM_ACTION_DISPLAY_MESSAGE);
    raw[0] = 127;
    assert_int_equal(km_lookup(km, KM_CTX_PAGER, raw, 1, &a), KM_MATCH);
    assert_int_equal(a, KM_ACTION_PREV_LINE);
    /* degenerate lookups */
    int five[5] = {'g', 'g', 'g', 'g', 'g'};
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, five, 0, &a), KM_NOMATCH);
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, five, 5, &a), KM_NOMATCH);
    assert_int_equal(km_lookup(km, KM_CTX__COUNT, five, 1, &a), KM_NOMATCH);
    assert_int_equal(km_lookup(NULL, KM_CTX_INDEX, five, 1, &a), KM_NOMATCH);
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, NULL, 1, &a), KM_NOMATCH);
    assert_int_equal(km_lookup(km, KM_CTX_INDEX, five, 2, NULL), KM_MATCH);
    km_free(km);
}

struct order {
    char text[2048];
    enum km_action last;
    int count;
};

static void
order_fn(void *arg, const int *keys, unsigned n, enum km_action action)
{
    struct order *o = arg;
    char name[32];
    assert_true(action >= o->last); /* by action */
    o->last = action;
    o->count++;
    km_keys_name(keys, n, name, sizeof name);
    snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), "%s%s=%s",
             o->count > 1 ? " " : "", name, km_action_name(action));
}

static void
test_foreach_order(void **state)
{
    struct keymap *km = km_new("mutt", NULL);
    struct keymap *empty = km_new("mutt", NULL);
    struct order a = {"", 0, 0}, b = {"", 0, 0};
    km_foreach(km, KM_CTX_COMPOSE, order_fn, &a);
    assert_string_equal(a.text, "q=quit ?=help ^L=redraw y=send-message");
    /* the same bindings applied in another order list the same way */
    apply_text(empty, "bind compose y noop\nbind compose ? noop\n"
                      "bind compose y send-message\nbind compose ? help\n");
    km_foreach(empty, KM_CTX_COMPOSE, order_fn, &b);
    assert_string_equal(a.text, b.text);
    km_foreach(km, KM_CTX__COUNT, order_fn, &a);
    km_foreach(NULL, KM_CTX_INDEX, order_fn, &a);
    km_foreach(km, KM_CTX_INDEX, NULL, &a);
    km_free(km);
    km_free(empty);
}

/* ---- docs ---- */

static void
test_docs_list_everything(void **state)
{
    const char *src = getenv("NIXIE_SRCDIR");
    char path[4096];
    if (src == NULL)
        skip();
    snprintf(path, sizeof path, "%s/docs/configuration.md", src);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char doc[256 * 1024];
    size_t n = fread(doc, 1, sizeof doc - 1, fp);
    fclose(fp);
    doc[n] = '\0';
    for (int a = 0; a < KM_ACTION__COUNT; a++) {
        char want[64];
        snprintf(want, sizeof want, "`%s`", km_action_name(a));
        if (strstr(doc, want) == NULL)
            fail_msg("docs/configuration.md does not describe action %s", want);
    }
    for (int c = 0; c < KM_CTX__COUNT; c++) {
        char want[64];
        snprintf(want, sizeof want, "`%s`", km_context_name(c));
        if (strstr(doc, want) == NULL)
            fail_msg("docs/configuration.md does not describe context %s", want);
    }
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_parse_good),   cmocka_unit_test(test_keys_parse_bad),
        cmocka_unit_test(test_keys_name),         cmocka_unit_test(test_keys_roundtrip),
        cmocka_unit_test(test_actions_table),     cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_suggests),    cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_text_atomic), cmocka_unit_test(test_default_keymaps),
        cmocka_unit_test(test_mutt_keys),         cmocka_unit_test(test_vi_keys),
        cmocka_unit_test(test_overrides),         cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_foreach_order),     cmocka_unit_test(test_docs_list_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
