/*
 * test-hdr-scan.c - the one-walk header scanner (mail_hdr_scan, header.c)
 * against what it replaces: mail_hdr_split for the end of the header,
 * mail_hdr_iter (all fields, and the "content-" prefix walk) for the
 * fields, mail_hdr_starts_with_field for the first line.  Blocks: every
 * corpus file from the start of each line of its first 200 (read in
 * place, skipped if absent), and random blocks over the bytes that matter,
 * all without bare CR, the scanner's precondition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#include "tests/unit/corpus-each.h"

#define MAXL 4096

static void
check_fields_equal(const struct mail_hdr_field *a, const struct mail_hdr_field *b)
{
    assert_ptr_equal(a->name, b->name);
    assert_int_equal(a->nlen, b->nlen);
    assert_ptr_equal(a->value, b->value);
    assert_int_equal(a->vlen, b->vlen);
}

/* The scanner's lines that are fields (and, with prefix, named so), in
 * order, must be the iterator's fields over [0, header_len). */
static void
check_lines(const char *s, size_t hlen, const struct mail_hdr_line *v, size_t n, const char *prefix)
{
    struct mail_hdr_iter it;
    struct mail_hdr_field f, g;
    size_t k = 0;
    mail_hdr_iter_init(&it, s, hlen);
    it.prefix = prefix;
    while (mail_hdr_iter_next(&it, &f)) {
        for (;;) {
            assert_true(k < n);
            bool field = mail_hdr_line_field(&v[k++], &g);
            if (field && (prefix == NULL || (g.nlen >= strlen(prefix) &&
                                             strncasecmp(g.name, prefix, strlen(prefix)) == 0)))
                break;
        }
        check_fields_equal(&f, &g);
    }
    for (; k < n; k++) /* the rest are not fields (or not so named) */
        if (mail_hdr_line_field(&v[k], &g))
            assert_true(prefix != NULL && (g.nlen < strlen(prefix) ||
                                           strncasecmp(g.name, prefix, strlen(prefix)) != 0));
}

static void
check_block(const char *s, size_t len)
{
    static struct mail_hdr_line v[MAXL];
    size_t hlen, boff, h2, b2;
    mail_hdr_split(s, len, &hlen, &boff);

    size_t n = mail_hdr_scan(s, len, 0, v, MAXL, &h2, &b2, NULL);
    assert_int_equal(h2, hlen);
    assert_int_equal(b2, boff);
    if (n <= MAXL)
        check_lines(s, hlen, v, n, NULL);

    bool field;
    n = mail_hdr_scan(s, len, 'c', v, MAXL, &h2, &b2, &field);
    assert_int_equal(field,
                     len > 0 && s[0] != '\n' && s[0] != '\r' && mail_hdr_starts_with_field(s, len));
    if (!field)
        return;
    assert_int_equal(h2, hlen);
    assert_int_equal(b2, boff);
    if (n <= MAXL) {
        for (size_t i = 0; i < n && i < MAXL; i++)
            assert_int_equal(v[i].s[0] | 0x20, 'c');
        check_lines(s, hlen, v, n, "content-");
    }
}

static void
test_scan_handmade(void **state)
{
    (void)state;
    static const char *blocks[] = {
        "",
        "\n",
        "\r\n",
        "A: b\n\nbody",
        "A: b\r\n\r\nbody",
        "A: b\r\n",
        "A: b",
        "A:\n",
        " folded: first\nA: b\n\n",
        "A: b\n c\n\td\nE : f\nG\n h\nI: j\n\n",
        "bad line\n continued\nContent-Type: text/plain\n  ; charset=x\n\nbody",
        "content-type: a/b\r\nCONTENT-TRANSFER-ENCODING: base64\r\nCc: x\r\n\r\n",
        "Content-Type: a/b\n\r\n",
        ": no name\nContent-Id: <x>\n",
        "Content-Type text/plain\n continued: x\nContent-Type: a/b\n",
        "\tContent-Type: a/b\nContent-Type: c/d\n",
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        check_block(blocks[i], strlen(blocks[i]));
}

static void
test_scan_random(void **state)
{
    (void)state;
    static const char *atoms[] = {"\n",         "\r\n", " ",    "\t", ":",
                                  "a",          "C",    "c",    "x-", "Content-Type",
                                  "content-id", "\n ",  "\n\t", "; ", "\n\n"};
    char buf[512];
    srand(1);
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, k = (size_t)(rand() % 40);
        for (size_t j = 0; j < k; j++) {
            const char *a = atoms[rand() % (int)(sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            if (len + al >= sizeof buf)
                break;
            memcpy(buf + len, a, al);
            len += al;
        }
        buf[len] = '\0';
        check_block(buf, len);
    }
}

static bool
has_bare_cr(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
            return true;
    return false;
}

/* From every line start of a message's first 200: part headers begin at
 * line starts. */
static void
scan_message(struct mail_message *m, void *arg)
{
    size_t *blocks = arg;
    size_t len;
    const char *s = mail_message_raw(m, &len);
    if (has_bare_cr(s, len))
        return;
    size_t at = 0;
    for (int k = 0; k < 200 && at < len; k++) {
        check_block(s + at, len - at);
        (*blocks)++;
        const char *nl = memchr(s + at, '\n', len - at);
        if (nl == NULL)
            break;
        at = (size_t)(nl - s) + 1;
    }
}

static void
test_scan_corpus(void **state)
{
    (void)state;
    size_t blocks = 0;
    size_t files = corpus_each(scan_message, &blocks);
    if (files == 0)
        skip();
    print_message("corpus: %zu files, %zu blocks scanned both ways\n", files, blocks);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_handmade),
        cmocka_unit_test(test_scan_random),
        cmocka_unit_test(test_scan_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
