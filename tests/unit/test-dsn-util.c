/*
 * test-dsn-util.c - the DSN engine's building blocks, apart from any
 * message: the phrase matcher (dsn-match.c) and the bounded scanners of
 * dsn-util.c (line splitting, status codes, case-insensitive search,
 * dsn_strclean), each against a plain reference.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/utf8.h"

#include "mail/dsn-private.h"

/* ---- the phrase matcher (dsn-match.c) ---- */

static void
test_match_degenerate(void **state)
{
    (void)state;
    assert_false(dsn_match_any(DSN_LIST_BODY, NULL, 0));
    assert_false(dsn_match_any(DSN_LIST_BODY, "", 0));
    assert_false(dsn_match_any(DSN_LIST_BODY, "un", 2));
    assert_int_equal(dsn_match_earliest(DSN_LIST_MARKER, "x", 1), SIZE_MAX);
    assert_null(dsn_match_first(DSN_LIST_SPECIFIC, "", 0));
    assert_null(dsn_match_last(DSN_LIST_CUE, "abc", 3));
    /* a phrase must lie entirely inside the text: "undeliverable" cut short */
    static const char t[] = "mail undeliverable";
    assert_true(dsn_match_any(DSN_LIST_BODY, t, sizeof t - 1));
    assert_false(dsn_match_any(DSN_LIST_BODY, t, sizeof t - 2));
    /* NUL and high bytes are ordinary bytes */
    static const char nul[] = "\0\xff\xfeUser Unknown\0";
    assert_true(dsn_match_any(DSN_LIST_BODY, nul, sizeof nul - 1));
}

static void
test_match_case_and_lists(void **state)
{
    (void)state;
    /* ASCII case is ignored; the list is respected (a BODY phrase is no MARKER) */
    static const char t[] = "Your Message Could NOT Be Delivered";
    assert_true(dsn_match_any(DSN_LIST_BODY, t, strlen(t)));
    assert_false(dsn_match_any(DSN_LIST_MARKER, t, strlen(t)));
    assert_false(dsn_match_any(DSN_LIST_DELAY, t, strlen(t)));
    /* the earliest marker wins, wherever it is in the table */
    static const char m[] =
        "x\n------ Original Message\n--- Below this line is a copy of the message.";
    assert_int_equal(dsn_match_earliest(DSN_LIST_MARKER, m, strlen(m)), 2);
    /* non-ASCII phrases match byte for byte */
    static const char a[] = "RE: Réponse automatique";
    assert_true(dsn_match_any(DSN_LIST_AUTOREPLY, a, strlen(a)));
}

static void
test_match_rows_and_globs(void **state)
{
    (void)state;
    /* the first row in table order wins, not the first in the text */
    static const char t[] = "over quota: mailbox is full";
    const struct dsn_phrase *p = dsn_match_first(DSN_LIST_SPECIFIC, t, strlen(t));
    assert_non_null(p);
    assert_string_equal(p->text, "mailbox is full");
    assert_int_equal(p->reason, DSN_REASON_MAILBOXFULL);
    /* '*' spans up to 64 bytes of one line, never a line break */
    static const char g1[] = "User jdoe@example.org not found";
    p = dsn_match_first(DSN_LIST_GENERAL, g1, strlen(g1));
    assert_non_null(p);
    assert_string_equal(p->text, "user * not found");
    static const char g2[] = "user jdoe\nnot found";
    assert_null(dsn_match_first(DSN_LIST_GENERAL, g2, strlen(g2)));
    /* 64 bytes spanned, not 65: "user " + 63 or 64 x's + " not found" */
    char g3[96];
    for (size_t k = 63; k <= 64; k++) {
        snprintf(g3, sizeof g3, "user %.*s not found", (int)k,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        p = dsn_match_first(DSN_LIST_GENERAL, g3, strlen(g3));
        assert_true(k == 63 ? p && strcmp(p->text, "user * not found") == 0 : p == NULL);
    }
    const struct dsn_phrase *rows[DSN_LIST_COUNT];
    dsn_match_rows(DSN_GROUP_REASON, g1, strlen(g1), rows);
    assert_ptr_equal(rows[DSN_LIST_GENERAL], dsn_match_first(DSN_LIST_GENERAL, g1, strlen(g1)));
    assert_null(rows[DSN_LIST_SPECIFIC]);
    assert_null(rows[DSN_LIST_BODY]); /* another group */
}

static void
test_match_last_cue(void **state)
{
    (void)state;
    static const char t[] = ">>> MAIL FROM:<a@b>\n<<< 250 ok\n>>> DATA\n<<< 554 no";
    const struct dsn_phrase *p = dsn_match_last(DSN_LIST_CUE, t, strlen(t));
    assert_non_null(p);
    assert_string_equal(p->tag, "DATA");
    char cmd[8] = "";
    assert_true(dsn_smtp_command(t, strlen(t), cmd));
    assert_string_equal(cmd, "DATA");
    /* a tie at one position: the first row ("after end of data" is no "after data") */
    static const char u[] = "550 after end of data";
    assert_true(dsn_smtp_command(u, strlen(u), cmd));
    assert_string_equal(cmd, "DATA");
    assert_false(dsn_smtp_command("x", 1, cmd));
}

/* Strided groups sample every few positions: a phrase is found at every
 * alignment, at the very start and at the very end of the text, in any case. */
static void
test_match_every_alignment(void **state)
{
    (void)state;
    /* "rbl" and "to:" are short rows, found on their own */
    static const char *const phrases[] = {
        "failed", "unsent message follows", "notificationtype", ">>> data", "rbl", "to:"};
    static const enum dsn_list lists[] = {DSN_LIST_FINAL, DSN_LIST_MARKER,  DSN_LIST_JSON,
                                          DSN_LIST_CUE,   DSN_LIST_GENERAL, DSN_LIST_RCPTWORD};
    for (size_t p = 0; p < sizeof phrases / sizeof phrases[0]; p++) {
        size_t n = strlen(phrases[p]);
        for (size_t pad = 0; pad < 12; pad++) {
            char buf[64];
            memset(buf, 'x', pad);
            memcpy(buf + pad, phrases[p], n);
            assert_int_equal(dsn_match_earliest(lists[p], buf, pad + n), pad);
            assert_int_equal(dsn_match_earliest(lists[p], buf, pad + n - 1), SIZE_MAX);
            for (size_t i = pad; i < pad + n; i++)
                buf[i] = (char)toupper((unsigned char)buf[i]);
            assert_int_equal(dsn_match_earliest(lists[p], buf, pad + n), pad);
        }
    }
}

/* dsn_status_find_two finds what dsn_status_find and
 * dsn_status_find_specific (no exception) find. */
static void
test_status_find_two(void **state)
{
    (void)state;
    static const char *const texts[] = {"",
                                        "no code",
                                        "2.0.0 ok",
                                        "550 5.1.1 user unknown",
                                        "5.0.0 then (#5.2.2) full",
                                        "4.4.7 expired; last: 451 4.3.0 busy",
                                        "2.1.5 then 5.7.1 and 550-5.7.26 dmarc",
                                        "version 5.0.2.1 and 10.5.1.1 are not codes",
                                        "(#4.0.0) 5.1.0 5.3.4"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t n = strlen(texts[t]);
        char any[16] = "", spec[16] = "", want_any[16] = "", want_spec[16] = "";
        bool have_spec;
        bool have = dsn_status_find_two(texts[t], n, any, spec, &have_spec);
        assert_int_equal(have, dsn_status_find(texts[t], n, want_any));
        assert_int_equal(have_spec, dsn_status_find_specific(texts[t], n, NULL, want_spec));
        assert_string_equal(any, want_any);
        assert_string_equal(spec, want_spec);
    }
}

/* dsn_lines_next splits every text as dsn_line_end does: LF, CR, CRLF,
 * runs of lone CRs, no line break at the end, every prefix of the text. */
static void
test_lines_as_line_end(void **state)
{
    (void)state;
    static const char *const texts[] = {"a\r\rb\n\nc\r\n\r\nd\re\n\rf", "\r\r\r\rx\r", "ab\ncd\r\n",
                                        "\n\n", "x\r\ny\rz\n"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (size_t len = 1; len <= strlen(texts[t]); len++) {
            struct dsn_lines ln = DSN_LINES_INIT(texts[t], len);
            for (size_t pos = 0, next, want_next; pos < len; pos = next) {
                size_t end = dsn_lines_next(&ln, pos, &next);
                assert_int_equal(end, dsn_line_end(texts[t], len, pos, &want_next));
                assert_int_equal(next, want_next);
            }
        }
    }
}

/* The same on texts longer than the CR search window: no CR, a CR only
 * past a window, CRs sparse or dense, lines longer than the window. */
static void
test_lines_cr_window(void **state)
{
    (void)state;
    size_t n = 3 * DSN_CR_WINDOW + 100;
    char *t = malloc(n);
    assert_non_null(t);
    uint32_t seed = 12345;
    /* per mille of LFs and CRs in each text (a text without CRs gets one
     * past the first window) */
    static const unsigned lf_pm[] = {30, 30, 30, 300, 1, 0, 30, 0};
    static const unsigned cr_pm[] = {0, 1, 30, 300, 0, 1, 2, 0};
    for (size_t k = 0; k < sizeof lf_pm / sizeof lf_pm[0]; k++) {
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 1000;
            t[i] = r < lf_pm[k] ? '\n' : r < lf_pm[k] + cr_pm[k] ? '\r' : 'a';
        }
        if (cr_pm[k] == 0)
            t[DSN_CR_WINDOW + 50] = '\r';
        struct dsn_lines ln = DSN_LINES_INIT(t, n);
        for (size_t pos = 0, next, want_next; pos < n; pos = next) {
            size_t end = dsn_lines_next(&ln, pos, &next);
            assert_int_equal(end, dsn_line_end(t, n, pos, &want_next));
            assert_int_equal(next, want_next);
        }
    }
    free(t);
}

/* dsn_memcasemem finds the first occurrence, whichever needle byte its
 * search is anchored on: against a naive search on random texts. */
static void
test_memcasemem_first(void **state)
{
    (void)state;
    static const char alphabet[] = "aAbB@. \nyY";
    static const char *const needles[] = {"a@b", " by ", "Ab.", "@", "y\nb", "b a", "aaab"};
    uint32_t seed = 777;
    char t[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)round % sizeof t;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            t[i] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        const char *needle = needles[(size_t)round % (sizeof needles / sizeof needles[0])];
        size_t n = strlen(needle);
        const char *want = NULL;
        for (size_t i = 0; !want && i + n <= len; i++)
            if (strncasecmp(t + i, needle, n) == 0)
                want = t + i;
        assert_ptr_equal(dsn_memcasemem(t, len, needle), want);
    }
}

/* dsn_strclean on ASCII with collapse: controls and white space as one
 * space, trimmed.  The reference the word-at-a-time check must agree with. */
static void
strclean_model(const char *s, size_t len, char *out)
{
    size_t w = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ') {
            space = true;
            continue;
        }
        if (space && w > 0)
            out[w++] = ' ';
        space = false;
        out[w++] = (char)c;
    }
    out[w] = '\0';
}

/* Clean text comes back as it is; a double space, a tab, a control or
 * white space at either end, at every position of a text longer than a
 * few words, is cleaned as the general path does. */
static void
test_strclean_plain(void **state)
{
    (void)state;
    static const char base[] = "Delivery to user@example.org failed: 550 5.1.1 no such user\x7f";
    static const char *const odd[] = {"  ", "\t", " \n", "\x01", "\x1b"};
    size_t n = strlen(base);
    char *c = dsn_strclean(base, n, n + 4, true);
    assert_string_equal(c, base);
    free(c);
    for (size_t k = 0; k <= n; k++) {
        for (size_t o = 0; o < sizeof odd / sizeof odd[0]; o++) {
            char buf[128], want[128];
            size_t ol = strlen(odd[o]);
            memcpy(buf, base, k);
            memcpy(buf + k, odd[o], ol);
            memcpy(buf + k + ol, base + k, n - k);
            strclean_model(buf, n + ol, want);
            char *got = dsn_strclean(buf, n + ol, 256, true);
            assert_string_equal(got, want);
            free(got);
        }
    }
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_degenerate),      cmocka_unit_test(test_match_case_and_lists),
        cmocka_unit_test(test_match_rows_and_globs),  cmocka_unit_test(test_match_last_cue),
        cmocka_unit_test(test_match_every_alignment), cmocka_unit_test(test_status_find_two),
        cmocka_unit_test(test_lines_as_line_end),     cmocka_unit_test(test_lines_cr_window),
        cmocka_unit_test(test_memcasemem_first),      cmocka_unit_test(test_strclean_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
