/* test-status.c - mail/status: the status-code table, lookups, parsing, and
 * docs/status-codes.md kept in step with the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"

#include "mail/status.h"

#include "nixie-config.h"

/* Highest detail code of each subject X.0 .. X.7 in the IANA registry. */
static const int iana_max_detail[] = {0, 10, 4, 6, 7, 6, 10, 30};

static const int reply_codes[] = {211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432,
                                  450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 521, 523,
                                  530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556};

static void
assert_sentence(const char *s)
{
    assert_non_null(s);
    size_t len = strlen(s);
    assert_true(len > 0);
    assert_true(len < 240); /* one or two sentences */
    assert_true(utf8_is_safe(s, len));
    assert_int_equal(s[len - 1], '.');
}

static void
test_table_rows_complete(void **state)
{
    assert_true(status_count() > 100);
    assert_null(status_entry_at(status_count()));
    for (size_t i = 0; i < status_count(); i++) {
        const struct status_entry *e = status_entry_at(i);
        assert_non_null(e);
        assert_true(e->code[0] != '\0');
        assert_true(e->title[0] != '\0' && strlen(e->title) < 80);
        assert_true(utf8_is_safe(e->title, strlen(e->title)));
        assert_true(e->ref[0] != '\0');
        assert_sentence(e->explanation);
        assert_sentence(e->action);
    }
}

static void
test_table_codes_unique(void **state)
{
    for (size_t i = 0; i < status_count(); i++)
        for (size_t j = i + 1; j < status_count(); j++)
            assert_string_not_equal(status_entry_at(i)->code, status_entry_at(j)->code);
}

/* Every class, subject and detail of the registry has its own row. */
static void
test_table_covers_registry(void **state)
{
    struct status_info info;
    char code[32];

    for (int subject = 0; subject < 8; subject++) {
        for (int detail = 0; detail <= iana_max_detail[subject]; detail++) {
            snprintf(code, sizeof code, "5.%d.%d", subject, detail);
            assert_int_equal(status_lookup(code, &info), 0);
            assert_true(info.known_detail);
            assert_int_equal(info.entry->kind, STATUS_KIND_DETAIL);
            assert_true(info.subject_title[0] != '\0');
        }
        snprintf(code, sizeof code, "4.%d.%d", subject, iana_max_detail[subject] + 1);
        assert_int_equal(status_lookup(code, &info), 0);
        assert_false(info.known_detail);
        assert_int_equal(info.entry->kind, STATUS_KIND_SUBJECT);
    }
    for (size_t i = 0; i < sizeof reply_codes / sizeof reply_codes[0]; i++) {
        assert_int_equal(status_lookup_reply(reply_codes[i], &info), 0);
        assert_true(info.known_detail);
    }
}

struct lookup_case {
    const char *in;
    const char *code;
    const char *title_part;
    int cls;
};

static void
test_lookup_known(void **state)
{
    static const struct lookup_case cases[] = {
        {"5.1.1", "5.1.1", "mailbox address", 5},
        {"4.2.2", "4.2.2", "Mailbox full", 4},
        {"5.7.26", "5.7.26", "authentication checks", 5},
        {"5.1.10", "5.1.10", "null MX", 5},
        {"5.7.30", "5.7.30", "REQUIRETLS", 5},
        {"5.6.7", "5.6.7", "Non-ASCII", 5},
        {"2.1.5", "2.1.5", "address valid", 2},
        {"  5.1.1 \r\n", "5.1.1", "mailbox address", 5},
        {"#5.1.1", "5.1.1", "mailbox address", 5},
        {"5.01.001", "5.1.1", "mailbox address", 5},
        {"4.4.007", "4.4.7", "time expired", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct status_info info;
        assert_int_equal(status_lookup(cases[i].in, &info), 0);
        assert_string_equal(info.code, cases[i].code);
        assert_non_null(strstr(info.title, cases[i].title_part));
        assert_true(info.known_detail);
        assert_int_equal(info.success, cases[i].cls == 2);
        assert_int_equal(info.transient, cases[i].cls == 4);
        assert_int_equal(info.permanent, cases[i].cls == 5);
        assert_false(info.intermediate);
    }
}

/* The class decides the framing; the detail text is shared by 4 and 5. */
static void
test_lookup_class_composes(void **state)
{
    struct status_info t, p;

    assert_int_equal(status_lookup("4.2.2", &t), 0);
    assert_int_equal(status_lookup("5.2.2", &p), 0);
    assert_ptr_equal(t.explanation, p.explanation);
    assert_string_equal(t.class_title, "Temporary failure");
    assert_string_equal(p.class_title, "Permanent failure");
    assert_string_not_equal(t.class_text, p.class_text);
    assert_string_equal(p.subject_title, "Recipient's mailbox");
}

static void
test_lookup_success_action(void **state)
{
    struct status_info info;

    /* failure advice does not follow a success ... */
    assert_int_equal(status_lookup("2.1.1", &info), 0);
    assert_string_equal(info.action, "Nothing to do.");
    /* ... unless the row says it does */
    assert_int_equal(status_lookup("2.6.4", &info), 0);
    assert_non_null(strstr(info.action, "arrived intact"));
    assert_int_equal(status_lookup("5.6.4", &info), 0);
    assert_non_null(strstr(info.action, "arrived intact"));
}

static void
test_lookup_fallback(void **state)
{
    struct status_info info;

    assert_int_equal(status_lookup("5.1.99", &info), 0);
    assert_false(info.known_detail);
    assert_string_equal(info.code, "5.1.99");
    assert_string_equal(info.title, "Addressing");
    assert_string_equal(info.subject_title, "Addressing");
    assert_true(info.permanent);

    assert_int_equal(status_lookup("4.999.999", &info), 0);
    assert_false(info.known_detail);
    assert_string_equal(info.title, "Temporary failure");
    assert_string_equal(info.subject_title, "");
    assert_int_equal(info.entry->kind, STATUS_KIND_CLASS);
    assert_true(info.transient);
}

static void
test_lookup_rejects(void **state)
{
    static const char *const bad[] = {
        "",         " ",       "5",       "5.1",    "5.1.",          "5..1",
        ".5.1.1",   "5.1.1.1", "5.1.1.",  "abc",    "9.99.999",      "3.1.1",
        "1.1.1",    "0.0.0",   "5.1.1 x", "5.1.1x", "x5.1.1",        "5.1000.1",
        "5.1.1000", "5.-1.1",  "-5.1.1",  "+5.1.1", " 5 .1.1",       "5. 1.1",
        "##5.1.1",  "5.1.1#",  "5,1,1",   "５.1.1", "5.1.1\x1b[31m",
    };
    struct status_info info;

    assert_int_equal(status_lookup(NULL, &info), -1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (status_lookup(bad[i], &info) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    /* NUL bytes inside the field */
    assert_int_equal(status_lookup_n("5.1.1\0garbage", 13, &info), -1);
    assert_int_equal(status_lookup_n("5.1\0.1", 6, &info), -1);
    assert_int_equal(status_lookup_n("5.1.1\0", 6, &info), -1);
    assert_int_equal(status_lookup_n("5.1.1 trailing", 5, &info), 0);
    assert_int_equal(status_lookup_n(NULL, 5, &info), -1);
    assert_int_equal(status_lookup("5.1.1", NULL), 0);
}

static void
test_lookup_huge(void **state)
{
    size_t n = 1 << 20;
    char *s = malloc(n + 1);
    struct status_info info;

    assert_non_null(s);
    memset(s, '5', n);
    s[n] = '\0';
    assert_int_equal(status_lookup(s, &info), -1);
    assert_int_equal(status_parse(s, NULL, 0), 0);
    memcpy(s, "5.1.", 4); /* an endless detail */
    assert_int_equal(status_lookup(s, &info), -1);
    assert_int_equal(status_parse(s, NULL, 0), 0);
    memset(s, ' ', n); /* blanks only */
    assert_int_equal(status_lookup(s, &info), -1);
    assert_int_equal(status_parse(s, NULL, 0), 0);
    memcpy(s + n - 5, "5.1.1", 5); /* a code after a megabyte of blanks */
    assert_int_equal(status_lookup(s, &info), 0);
    assert_int_equal(status_parse(s, NULL, 0), n);
    free(s);
}

struct parse_case {
    const char *in;
    size_t used;
    const char *code;
};

static void
test_parse(void **state)
{
    static const struct parse_case cases[] = {
        {"5.1.1 User unknown", 5, "5.1.1"},
        {"5.1.1", 5, "5.1.1"},
        {" #4.2.2(quota)", 7, "4.2.2"},
        {"\t5.7.26; rejected", 7, "5.7.26"},
        {"5.01.001 zeros", 8, "5.1.1"},
        {"2.0.0.", 5, "2.0.0"},
        {"5.1.1.1 more", 0, ""},
        {"5.1.10x", 0, ""},
        {"550 5.1.1 no", 0, ""},
        {"9.1.1 bad class", 0, ""},
        {"", 0, ""},
        {"5.1", 0, ""},
    };
    char buf[STATUS_CODE_MAX];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(buf, 'x', sizeof buf);
        size_t used = status_parse(cases[i].in, buf, sizeof buf);
        if (used != cases[i].used)
            fail_msg("\"%s\": used %zu, want %zu", cases[i].in, used, cases[i].used);
        assert_string_equal(buf, cases[i].code);
    }
    assert_int_equal(status_parse(NULL, buf, sizeof buf), 0);
    assert_int_equal(status_parse("5.1.1", NULL, 0), 5);
    /* too small a buffer: nothing, but NUL-terminated */
    assert_int_equal(status_parse("5.1.1", buf, 4), 0);
    assert_string_equal(buf, "");
    /* the longest code fits */
    assert_int_equal(status_parse("5.999.999", buf, sizeof buf), 9);
    assert_string_equal(buf, "5.999.999");
}

static void
test_lookup_reply(void **state)
{
    struct status_info info;

    assert_int_equal(status_lookup_reply(550, &info), 0);
    assert_string_equal(info.code, "550");
    assert_true(info.known_detail);
    assert_true(info.permanent);
    assert_string_equal(info.title, "Mailbox unavailable");
    assert_string_equal(info.subject_title, "");

    assert_int_equal(status_lookup_reply(421, &info), 0);
    assert_true(info.transient);
    assert_true(info.known_detail);

    assert_int_equal(status_lookup_reply(599, &info), 0);
    assert_false(info.known_detail);
    assert_true(info.permanent);
    assert_string_equal(info.title, "Permanent failure");

    assert_int_equal(status_lookup_reply(354, &info), 0);
    assert_true(info.intermediate);
    assert_false(info.success || info.transient || info.permanent);
    assert_int_equal(status_lookup_reply(399, &info), 0);
    assert_true(info.intermediate);

    assert_int_equal(status_lookup_reply(250, &info), 0);
    assert_true(info.success);

    static const int bad[] = {-550, -1, 0, 1, 199, 600, 999, 5501, 2147483647};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(status_lookup_reply(bad[i], &info), -1);
    assert_int_equal(status_lookup_reply(550, NULL), 0);
}

static void
test_describe(void **state)
{
    struct status_info info;
    struct strbuf sb = STRBUF_INIT;

    assert_int_equal(status_lookup("5.1.1", &info), 0);
    status_describe(&info, &sb);
    assert_non_null(strstr(sb.buf, "Permanent failure (5.1.1): Bad destination mailbox"));
    assert_non_null(strstr(sb.buf, info.explanation));
    assert_non_null(strstr(sb.buf, info.class_text));
    assert_non_null(strstr(sb.buf, info.action));
    assert_null(strchr(sb.buf, '\n'));

    strbuf_reset(&sb);
    assert_int_equal(status_lookup("4.9.9", &info), 0);
    status_describe(&info, &sb);
    assert_true(strncmp(sb.buf, "Temporary failure (4.9.9). ", 27) == 0);
    strbuf_free(&sb);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb = STRBUF_INIT;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_add(&sb, chunk, n);
    fclose(f);
    return strbuf_detach(&sb, len);
}

/* docs/status-codes.md is generated from the table (nixie-status-doc). */
static void
test_docs_up_to_date(void **state)
{
    const char *srcdir = getenv("NIXIE_SRCDIR");
    char path[4096];
    struct strbuf want = STRBUF_INIT;
    size_t len;

    snprintf(path, sizeof path, "%s/docs/status-codes.md", srcdir ? srcdir : NIXIE_SRCDIR);
    char *have = read_file(path, &len);
    if (!have)
        fail_msg("cannot read %s", path);
    status_markdown(&want);
    if (len != want.len || memcmp(have, want.buf, len) != 0)
        fail_msg("%s is out of date: regenerate it with "
                 "<builddir>/mail/nixie-status-doc > docs/status-codes.md",
                 path);
    free(have);
    strbuf_free(&want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows_complete),   cmocka_unit_test(test_table_codes_unique),
        cmocka_unit_test(test_table_covers_registry), cmocka_unit_test(test_lookup_known),
        cmocka_unit_test(test_lookup_class_composes), cmocka_unit_test(test_lookup_success_action),
        cmocka_unit_test(test_lookup_fallback),       cmocka_unit_test(test_lookup_rejects),
        cmocka_unit_test(test_lookup_huge),           cmocka_unit_test(test_parse),
        cmocka_unit_test(test_lookup_reply),          cmocka_unit_test(test_describe),
        cmocka_unit_test(test_docs_up_to_date),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
