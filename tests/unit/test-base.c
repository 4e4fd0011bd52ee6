/* test-base.c - mail/base: strbuf, utf8 (decode, width, sanitise), err, sysio faults. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/base/err.h"
#include "mail/base/strbuf.h"
#include "mail/base/sysio.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

static void
test_strbuf_basic(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    assert_string_equal(strbuf_str(&sb), "");
    strbuf_adds(&sb, "abc");
    strbuf_addc(&sb, '-');
    strbuf_addf(&sb, "%d/%s", 42, "x");
    assert_string_equal(strbuf_str(&sb), "abc-42/x");
    size_t len;
    char *s = strbuf_detach(&sb, &len);
    assert_int_equal(len, 8);
    assert_null(sb.buf);
    free(s);
    strbuf_free(&sb);
}

static void
test_strbuf_grows_large(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 100000; i++)
        strbuf_addc(&sb, 'x');
    assert_int_equal(sb.len, 100000);
    assert_int_equal(sb.buf[sb.len], '\0');
    strbuf_free(&sb);
}

static void
test_utf8_decode_invalid(void **state)
{
    uint32_t cp;
    /* overlong, surrogate, truncated, stray continuation, > U+10FFFF */
    static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\x80",
                                      "\xF4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &cp), 1);
        assert_int_equal(cp, UTF8_REPLACEMENT);
        assert_false(utf8_valid(bad[i], strlen(bad[i])));
    }
    assert_int_equal(utf8_decode("\xE2\x82\xAC", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
}

static void
test_utf8_width(void **state)
{
    assert_int_equal(utf8_width("abc", 3), 3);
    assert_int_equal(utf8_width("日本語", strlen("日本語")), 6);
    /* e + combining acute */
    assert_int_equal(utf8_width("e\xCC\x81", 3), 1);
    size_t used;
    size_t n = utf8_fit("日本語", strlen("日本語"), 5, &used);
    assert_int_equal(n, 6); /* two wide characters fit, never half of one */
    assert_int_equal(used, 4);
    n = utf8_fit("e\xCC\x81x", 4, 1, &used);
    assert_int_equal(n, 3); /* the combining mark stays with its base */
}

static void
test_utf8_sanitize_escapes(void **state)
{
    const char in[] = "a\x1b[2Jb\x1b]52;c;SGVsbG8=\x07"
                      "c\xC2\x9B"
                      "31md\x7f\xE2\x80\xAE"
                      "e\xff";
    char *out = utf8_sanitize_dup(in, sizeof in - 1, 0);
    assert_string_equal(out, "a^[[2Jb^[]52;c;SGVsbG8=^Gc<9b>31md^?\xEF\xBF\xBD"
                             "e\xEF\xBF\xBD");
    assert_true(utf8_is_safe(out, strlen(out)));
    assert_false(utf8_is_safe(in, sizeof in - 1));
    free(out);
}

static void
test_utf8_sanitize_keeps_text(void **state)
{
    const char in[] = "Grüße, 世界\tok\nnext";
    char *out = utf8_sanitize_dup(in, sizeof in - 1, UTF8_SAN_KEEP_NEWLINE);
    assert_string_equal(out, "Grüße, 世界^Iok\nnext");
    free(out);
    out = utf8_sanitize_dup(in, sizeof in - 1, UTF8_SAN_KEEP_TAB);
    assert_string_equal(out, "Grüße, 世界\tok^Jnext");
    free(out);
}

static void
test_err_contract(void **state)
{
    struct nx_err err;
    assert_int_equal(nx_err_set(&err, NX_ERR_PARSE, "bad %s", "thing"), -1);
    assert_int_equal(err.code, NX_ERR_PARSE);
    assert_string_equal(err.what, "bad thing");
    nx_err_hint(&err, "do %d", 1);
    assert_string_equal(err.hint, "do 1");
    assert_int_equal(nx_err_sys(&err, ENOENT, "open %s", "/x"), -1);
    assert_int_equal(err.code, NX_ERR_IO);
    assert_non_null(strstr(err.what, "open /x: "));
    assert_string_equal(err.hint, "");
    assert_int_equal(nx_err_set(NULL, NX_ERR_IO, "ignored"), -1); /* NULL is allowed */
}

static void
test_sysio_fault(void **state)
{
    char dir[] = "/tmp/nixie-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/f", dir);
    sysio_fault_arm(2, ENOSPC);
    int fd = sysio_open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(sysio_write_all(fd, "x", 1), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(sysio_write_all(fd, "x", 1), 0); /* only the armed call fails */
    assert_int_equal(sysio_close(fd), 0);
    assert_int_equal(sysio_fault_calls(), 4);
    sysio_fault_arm(0, 0);
    assert_int_equal(sysio_unlink(path), 0);
    rmdir(dir);
    free(path);
}

/* utf8_valid against a walk with utf8_decode, on random byte strings
 * biased towards UTF-8 lead and continuation bytes. */
static void
test_utf8_valid_random(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {'a',  ' ',  0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                          0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                                          0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF, 0x00, 0x7F};
    uint32_t seed = 777;
    size_t valid = 0;
    for (int k = 0; k < 200000; k++) {
        char buf[12];
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)bytes[(seed >> 16) % sizeof bytes];
        }
        bool ref = true;
        for (size_t i = 0; i < n && ref;) {
            uint32_t cp;
            size_t m = utf8_decode(buf + i, n - i, &cp);
            ref = !(m == 1 && cp == UTF8_REPLACEMENT && (unsigned char)buf[i] >= 0x80);
            i += m;
        }
        assert_int_equal(utf8_valid(buf, n), ref);
        valid += ref;
    }
    assert_true(valid > 1000);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf_basic),
        cmocka_unit_test(test_strbuf_grows_large),
        cmocka_unit_test(test_utf8_decode_invalid),
        cmocka_unit_test(test_utf8_width),
        cmocka_unit_test(test_utf8_valid_random),
        cmocka_unit_test(test_utf8_sanitize_escapes),
        cmocka_unit_test(test_utf8_sanitize_keeps_text),
        cmocka_unit_test(test_err_contract),
        cmocka_unit_test(test_sysio_fault),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
