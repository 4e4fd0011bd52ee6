/*
 * test-decode.c - the base64 and quoted-printable decoders of mail/decode.c
 * against libetpan's mailmime_part_parse, which they replace: the same
 * bytes for the body of every part of every corpus file (read in place,
 * skipped if absent; both decoders run on every body, whatever its
 * declared encoding) and for hand-made and random hostile inputs.
 * Likewise the ISO-2022-JP shortcut of mail_charset_to_utf8 against plain
 * iconv.
 */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libetpan/mailmime.h>
#include <libetpan/mmapstring.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#include "tests/unit/corpus-each.h"

/* s[len] must be readable: libetpan's QP decoder may read it. */
static void
check_one(const char *s, size_t len, int mechanism)
{
    size_t idx = 0, rlen = 0;
    char *ref = NULL;
    assert_int_equal(mailmime_part_parse(s, len, &idx, mechanism, &ref, &rlen), MAILIMF_NO_ERROR);
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "prefix"); /* the decoders append */
    if (mechanism == MAILMIME_MECHANISM_BASE64)
        mail_decode_base64(&sb, s, len);
    else if (mail_decode_qp(&sb, s, len) < 0)
        assert_int_equal(sb.len, 6); /* left to libetpan: nothing written */
    else if (sb.len - 6 != rlen || memcmp(sb.buf + 6, ref, rlen) != 0)
        fail_msg("QP differs from libetpan on %zu bytes", len);
    if (mechanism == MAILMIME_MECHANISM_BASE64 &&
        (sb.len - 6 != rlen || memcmp(sb.buf + 6, ref, rlen) != 0))
        fail_msg("base64 differs from libetpan on %zu bytes", len);
    assert_int_equal(sb.buf[sb.len], '\0');
    assert_memory_equal(sb.buf, "prefix", 6);
    strbuf_free(&sb);
    mmap_string_unref(ref);
}

static void
check_both(const char *s, size_t len)
{
    check_one(s, len, MAILMIME_MECHANISM_BASE64);
    check_one(s, len, MAILMIME_MECHANISM_QUOTED_PRINTABLE);
}

static void
test_decode_handmade(void **state)
{
    (void)state;
    static const char *cases[] = {
        "",
        "=",
        "==",
        "=\r",
        "=\n",
        "=\r\n",
        "=\rX",
        "=4",
        "=41",
        "=41=",
        "a=\r\nb=\nc=\rd",
        "=ZZ=zz=4g=g4",
        "= \n",
        "=\t\r\n",
        "x\r",
        "x\ry\r\nz\n\r",
        "\r\r\n\n\r",
        "a_b c\t\n",
        "w6k=",
        "w6",
        "w",
        "w6k",
        "w6k=w6k=",
        "====",
        "!!!###$$$\n***",
        "SGVs\r\nbG8g\nd29y bGQ=\r\n",
        "SGVsbG8=IHdvcmxk",
        "\xff\xfe\x80SGVs\x00bG8",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_both(cases[i], strlen(cases[i]));
    check_both("a\0=\0b", 5); /* NULs anywhere */
    check_both("SG\0Vs", 5);
}

/* Random strings over the bytes the decoders care about. */
static void
test_decode_random(void **state)
{
    (void)state;
    static const char alphabet[] = "=\r\n\t AZaz09+/3DdFf_-.\0\x80\xff";
    uint32_t seed = 777;
    char buf[80];
    for (int k = 0; k < 40000; k++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % (sizeof buf - 1);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        buf[len] = '\0';
        check_both(buf, len);
    }
}

/* What header.c did before its ISO-2022-JP shortcut: iconv throughout,
 * U+FFFD and a reset for each bad byte. */
static void
ref_iconv_jp(struct strbuf *out, const char *s, size_t len)
{
    iconv_t cd = iconv_open("UTF-8", "iso-2022-jp");
    assert_true(cd != (iconv_t)-1);
    char *in = (char *)s, buf[1024];
    size_t inleft = len;
    while (inleft > 0) {
        char *o = buf;
        size_t oleft = sizeof buf;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        strbuf_add(out, buf, sizeof buf - oleft);
        if (r != (size_t)-1 || errno == E2BIG)
            continue;
        utf8_encode(out, UTF8_REPLACEMENT);
        in++, inleft--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    char *o = buf;
    size_t oleft = sizeof buf;
    iconv(cd, NULL, NULL, &o, &oleft);
    strbuf_add(out, buf, sizeof buf - oleft);
    iconv_close(cd);
}

static void
check_jp(const char *s, size_t len)
{
    struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
    ref_iconv_jp(&want, s, len);
    mail_charset_to_utf8(&got, "ISO-2022-JP", s, len);
    if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0)
        fail_msg("ISO-2022-JP differs from iconv on %zu bytes", len);
    strbuf_free(&want);
    strbuf_free(&got);
}

static void
test_charset_jp(void **state)
{
    (void)state;
    static const char *cases[] = {
        "",
        "plain ASCII\r\n",
        "\x1b$BF|K\\8l\x1b(B and ASCII",
        "ASCII then \x1b$BF|K\\8l\x1b(B",
        "\x1b$BF|\x80K\\\x1b(B\xa4\xa2 after",
        "\xa4\xa2\xa4\xa4 mislabelled \xff",
        "\x1b(Jyen \\ tilde ~\x1b(B",
        "\x1b$",
        "\x1b$B\x30",
        "so\x0esi\x0f",
        "\x1b(I\x31\x1b(B",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_jp(cases[i], strlen(cases[i]));
    check_jp("a\0b\x1b$B\0\x30", 8);
    static const char alphabet[] = "\x1b$B@(JID\x0e\x0f\n\r\x80\xa4\xff\\~!0Az \0";
    uint32_t seed = 99;
    char buf[64];
    for (int k = 0; k < 20000; k++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        check_jp(buf, len);
    }
}

/* ISO-8859-15 is converted without iconv (header.c): every byte must come
 * out as glibc's converter makes it. */
static void
test_charset_latin9(void **state)
{
    (void)state;
    iconv_t cd = iconv_open("UTF-8", "ISO-8859-15");
    assert_true(cd != (iconv_t)-1);
    for (int b = 1; b < 256; b++) {
        char in[1] = {(char)b}, want[8];
        char *ip = in, *op = want;
        size_t il = 1, ol = sizeof want;
        assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
        struct strbuf got = STRBUF_INIT;
        mail_charset_to_utf8(&got, "ISO-8859-15", in, 1);
        size_t wl = sizeof want - ol;
        if (got.len != wl || memcmp(got.buf, want, wl) != 0)
            fail_msg("ISO-8859-15 byte 0x%02x differs from iconv", b);
        strbuf_free(&got);
    }
    iconv_close(cd);
}

/* iconv's output fails the UTF-8 gate (glibc writes code points above
 * U+10FFFF as 6-byte forms) and holds a NUL: the repair must read all of
 * it, not a string copy cut at the NUL (found by fuzz-dsn; under ASan the
 * old copy was a heap overflow). */
static void
test_charset_repair_nul(void **state)
{
    (void)state;
    static const char in[] = "\0\0\0a"
                             "\0\0\0\0"
                             "\x7f\xff\xff\xff"
                             "\0\0\0b";
    struct strbuf sb = STRBUF_INIT;
    mail_charset_to_utf8(&sb, "UCS-4BE", in, sizeof in - 1);
    assert_true(utf8_valid(sb.buf, sb.len));
    assert_true(sb.len > 3);
    assert_memory_equal(sb.buf, "a\0", 2);
    assert_int_equal(sb.buf[sb.len - 1], 'b');
    strbuf_free(&sb);
}

static size_t
check_tree(const struct mail_part *p)
{
    size_t n = 1;
    check_both(p->body, p->body_len); /* the message text is NUL-terminated */
    check_jp(p->body, p->body_len);
    for (size_t i = 0; i < p->nchildren; i++)
        n += check_tree(p->children[i]);
    return n;
}

static void
decode_message(struct mail_message *m, void *arg)
{
    size_t *parts = arg;
    *parts += check_tree(mail_message_root(m));
}

static void
test_decode_corpus(void **state)
{
    (void)state;
    size_t parts = 0;
    size_t files = corpus_each(decode_message, &parts);
    if (files == 0)
        skip();
    print_message("corpus: %zu files, %zu part bodies decoded both ways\n", files, parts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_handmade),    cmocka_unit_test(test_decode_random),
        cmocka_unit_test(test_charset_jp),         cmocka_unit_test(test_charset_latin9),
        cmocka_unit_test(test_charset_repair_nul), cmocka_unit_test(test_decode_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
