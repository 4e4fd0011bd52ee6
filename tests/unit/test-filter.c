/* test-filter.c - mail/base/filter: command splitting (no shell), running
 * a filter with data on stdin, and every failure the caller must survive:
 * missing program, non-zero exit, timeout, runaway output, a filter that
 * never reads its input (SIGPIPE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/base/err.h"
#include "mail/base/filter.h"

static char **
split_ok(const char *cmd, unsigned width, size_t want_n)
{
    char **argv = NULL;
    struct nx_err err = {0};
    assert_int_equal(filter_split(cmd, width, &argv, &err), 0);
    size_t n = 0;
    while (argv[n])
        n++;
    assert_int_equal(n, want_n);
    return argv;
}

static void
test_split_words(void **state)
{
    char **argv = split_ok("  w3m  -dump\t-T text/html -cols %w ", 72, 6);
    assert_string_equal(argv[0], "w3m");
    assert_string_equal(argv[1], "-dump");
    assert_string_equal(argv[3], "text/html");
    assert_string_equal(argv[5], "72");
    filter_argv_free(argv);
}

static void
test_split_quotes(void **state)
{
    char **argv =
        split_ok("sh -c 'echo \"$0\" %w' \"a \\\"b\\\" \\\\ c\" x\\ y '' 100%% %d", 40, 8);
    assert_string_equal(argv[2], "echo \"$0\" 40");
    assert_string_equal(argv[3], "a \"b\" \\ c");
    assert_string_equal(argv[4], "x y");
    assert_string_equal(argv[5], "");
    assert_string_equal(argv[6], "100%");
    assert_string_equal(argv[7], "%d");
    filter_argv_free(argv);
    argv = split_ok("a%d%w", 9, 1);
    assert_string_equal(argv[0], "a%d9");
    filter_argv_free(argv);
}

static void
test_split_errors(void **state)
{
    static const char *const bad[] = {"", "   ", "'unbalanced", "\"unbalanced", "trailing\\"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char **argv = (char **)1;
        struct nx_err err = {0};
        assert_int_equal(filter_split(bad[i], 80, &argv, &err), -1);
        assert_null(argv);
        assert_int_equal(err.code, NX_ERR_CONFIG);
    }
    char **argv;
    assert_int_equal(filter_split(NULL, 80, &argv, NULL), -1);
    char many[1024] = "";
    for (int i = 0; i < FILTER_MAX_ARGS + 1; i++)
        strcat(many, "a ");
    assert_int_equal(filter_split(many, 80, &argv, NULL), -1);
    filter_argv_free(NULL);
}

static void
test_run_cat(void **state)
{
    char *out = NULL;
    size_t len = 0;
    struct nx_err err = {0};
    static const char data[] = "<p>hello</p>\0binary\n";
    assert_int_equal(filter_run("cat", 80, data, sizeof data, 1024, 5000, &out, &len, &err), 0);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(out, data, sizeof data);
    free(out);
    /* no input at all */
    assert_int_equal(filter_run("cat", 80, NULL, 0, 1024, 5000, &out, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
}

static void
test_run_large_both_ways(void **state)
{
    /* More than a pipe buffer each way: needs the poll loop, not write-then-read. */
    size_t n = 4u * 1024 * 1024;
    char *data = malloc(n), *out = NULL;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(filter_run("cat", 80, data, n, n, 20000, &out, &len, NULL), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, data, n);
    free(out);
    free(data);
}

static void
test_run_width_and_no_injection(void **state)
{
    char *out = NULL;
    size_t len = 0;
    const char *dir = "/tmp/nixie-filter-test";
    char evil[256];
    snprintf(evil, sizeof evil, "$(mkdir %s) `mkdir %s`; mkdir %s\n", dir, dir, dir);
    rmdir(dir);
    /* the data is only ever stdin: the shell here sees it as text */
    assert_int_equal(
        filter_run("sh -c 'cat; echo %w'", 66, evil, strlen(evil), 4096, 5000, &out, &len, NULL),
        0);
    char want[300];
    snprintf(want, sizeof want, "%s66\n", evil);
    assert_string_equal(out, want);
    free(out);
    struct stat st;
    assert_int_not_equal(stat(dir, &st), 0);
}

static void
test_run_missing_program(void **state)
{
    char *out = (char *)1;
    size_t len = 0;
    struct nx_err err = {0};
    assert_int_equal(filter_run("/nonexistent/nixie-no-such-program -x", 80, "x", 1, 100, 5000,
                                &out, &len, &err),
                     -1);
    assert_null(out);
    assert_int_equal(err.code, NX_ERR_IO);
    assert_non_null(strstr(err.what, "nixie-no-such-program"));
}

static void
test_run_exit_status(void **state)
{
    char *out = NULL;
    size_t len = 0;
    struct nx_err err = {0};
    assert_int_equal(
        filter_run("sh -c 'echo oops >&2; exit 3'", 80, "", 0, 100, 5000, &out, &len, &err), -1);
    assert_null(out);
    assert_int_equal(err.code, NX_ERR_PROTO);
    assert_non_null(strstr(err.what, "status 3"));
    assert_non_null(strstr(err.peer, "oops"));
    assert_int_equal(filter_run("sh -c 'kill -9 $$'", 80, "", 0, 100, 5000, &out, &len, &err), -1);
    assert_non_null(strstr(err.what, "signal 9"));
}

static void
test_run_timeout(void **state)
{
    char *out = NULL;
    size_t len = 0;
    struct nx_err err = {0};
    time_t t0 = time(NULL);
    /* the grandchild (sleep) holds stdout too: the process group is killed */
    assert_int_equal(
        filter_run("sh -c 'sleep 30; echo late'", 80, "", 0, 100, 300, &out, &len, &err), -1);
    assert_true(time(NULL) - t0 < 10);
    assert_int_equal(err.code, NX_ERR_PROTO);
    assert_non_null(strstr(err.what, "timed out"));
    /* closes stdout early but keeps running */
    assert_int_equal(
        filter_run("sh -c 'exec >&- 2>&-; sleep 30'", 80, "", 0, 100, 300, &out, &len, &err), -1);
    assert_true(time(NULL) - t0 < 20);
}

static void
test_run_output_limit(void **state)
{
    char *out = NULL;
    size_t len = 0;
    struct nx_err err = {0};
    assert_int_equal(filter_run("yes", 80, "", 0, 10000, 5000, &out, &len, &err), -1);
    assert_null(out);
    assert_int_equal(err.code, NX_ERR_LIMIT);
}

static void
test_run_ignores_stdin(void **state)
{
    /* The filter exits without reading 8 MB: EPIPE, not a fatal SIGPIPE. */
    size_t n = 8u * 1024 * 1024;
    char *data = calloc(1, n), *out = NULL;
    size_t len = 0;
    assert_int_equal(filter_run("echo done", 80, data, n, 100, 5000, &out, &len, NULL), 0);
    assert_string_equal(out, "done\n");
    free(out);
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_words),
        cmocka_unit_test(test_split_quotes),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_run_cat),
        cmocka_unit_test(test_run_large_both_ways),
        cmocka_unit_test(test_run_width_and_no_injection),
        cmocka_unit_test(test_run_missing_program),
        cmocka_unit_test(test_run_exit_status),
        cmocka_unit_test(test_run_timeout),
        cmocka_unit_test(test_run_output_limit),
        cmocka_unit_test(test_run_ignores_stdin),
    };
    return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
