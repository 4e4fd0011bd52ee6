/*
 * test-mbox.c - splitting mbox files: separators after empty lines only,
 * CRLF, a body line starting "From " that is no separator, one inside an
 * open multipart, a single message (no later "From " line at all), a file
 * that is no mbox, a missing final newline, and the corpus's two-report mbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/mbox.h"

static size_t
split(const char *s, struct mail_span **v)
{
    return mail_mbox_split(s, strlen(s), v);
}

static void
assert_span(const char *s, const struct mail_span *sp, const char *want)
{
    assert_int_equal(sp->len, strlen(want));
    assert_memory_equal(s + sp->off, want, sp->len);
}

static void
test_two_messages(void **state)
{
    (void)state;
    static const char s[] = "From alice@example.org Mon Nov  2 10:00:00 2026\n"
                            "Subject: one\n\nFirst.\n\n"
                            "From bob@example.org Tue Nov  3 10:00:00 2026\n"
                            "Subject: two\n\nSecond.\n";
    struct mail_span *v;
    assert_int_equal(split(s, &v), 2);
    assert_span(s, &v[0], "Subject: one\n\nFirst.\n");
    assert_span(s, &v[1], "Subject: two\n\nSecond.\n");
    free(v);
}

/* No "From " after the first line: the shortcut without the line walk must
 * give the walk's span, whatever the line ends. */
static void
test_single_message(void **state)
{
    (void)state;
    static const char *const files[] = {
        "From a@b Mon Nov  2 10:00:00 2026\nSubject: x\n\nFrom-less body, Fine.\n",
        "From a@b Mon Nov  2 10:00:00 2026\r\nSubject: x\r\n\r\nbody",
        "From a@b Mon Nov  2 10:00:00 2026\n",
        "From a@b Mon Nov  2 10:00:00 2026",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *s = files[i], *nl = strchr(s, '\n');
        struct mail_span *v;
        assert_int_equal(split(s, &v), 1);
        assert_span(s, &v[0], nl ? nl + 1 : s + strlen(s));
        free(v);
    }
}

static void
test_not_separators(void **state)
{
    (void)state;
    /* "From " not after an empty line, and "From what I can tell" (no date) */
    static const char s[] = "From MAILER-DAEMON Mon Nov  2 10:00:00 2026\r\n"
                            "Subject: x\r\n\r\nbody\r\nFrom a@b Mon Nov 2 2026\r\n"
                            "\r\nFrom what I can tell\r\nend\r\n";
    struct mail_span *v;
    assert_int_equal(split(s, &v), 1);
    assert_span(s, &v[0], s + strlen("From MAILER-DAEMON Mon Nov  2 10:00:00 2026\r\n"));
    free(v);
}

/* git format-patch output attached unquoted: inside the open multipart,
 * its From_ line is no separator; after the close delimiter one is. */
static void
test_inside_multipart(void **state)
{
    (void)state;
    static const char s[] = "From a@example.org Sat Feb  5 09:19:10 2022\n"
                            "Subject: patch\nMIME-Version: 1.0\n"
                            "Content-Type: multipart/mixed; boundary=\"=-=-=\"\n\n"
                            "--=-=-=\nContent-Type: text/x-diff\n\n"
                            "From fc88cba7 Mon Sep 17 00:00:00 2001\nFrom: b@example.org\n\n"
                            "--=-=-=--\n\n"
                            "From c@example.org Sun Feb  6 09:19:10 2022\nSubject: next\n\nx\n";
    struct mail_span *v;
    assert_int_equal(split(s, &v), 2);
    assert_memory_equal(s + v[0].off, "Subject: patch", 14);
    assert_memory_equal(s + v[1].off, "Subject: next", 13);
    free(v);
}

static void
test_no_mbox(void **state)
{
    (void)state;
    struct mail_span *v = (struct mail_span *)&v;
    assert_int_equal(split("Subject: x\n\nFrom a@b Mon 2026\n", &v), 0);
    assert_null(v);
    assert_int_equal(split("From: a@b\n\nx\n", &v), 0); /* a header, not a separator */
    assert_int_equal(mail_mbox_split(NULL, 0, &v), 0);
    assert_int_equal(split("From a@b 2026", &v), 1); /* no final newline, no message */
    assert_int_equal(v[0].len, 0);
    free(v);
    assert_false(mail_mbox_detect("From ", 5));
}

static void
test_corpus_mbox(void **state)
{
    (void)state;
    const char *dir = getenv("NIXIE_CORPUS");
    char path[4096];
    snprintf(path, sizeof path, "%s/sisimai/rfc3464-28.eml", dir ? dir : "");
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        skip();
        return;
    }
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    struct mail_span *v;
    assert_int_equal(mail_mbox_split(buf, n, &v), 2);
    assert_memory_equal(buf + v[0].off, "Return-Path: <>", 15);
    assert_memory_equal(buf + v[1].off, "Return-Path: <>", 15);
    free(v);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_messages),   cmocka_unit_test(test_not_separators),
        cmocka_unit_test(test_single_message), cmocka_unit_test(test_inside_multipart),
        cmocka_unit_test(test_no_mbox),        cmocka_unit_test(test_corpus_mbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
