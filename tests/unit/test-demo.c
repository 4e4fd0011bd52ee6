/* test-demo.c - ui/demo: the private copy of the demo Maildir has every
 * folder's cur/new/tmp, leaves the original untouched and is removed again. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/base/err.h"
#include "mail/base/strbuf.h"

#include "ui/demo.h"

static char scratch[256]; /* per-test temp dir: src/ and tmp/ inside */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700);
    remove(path);
    return 0;
}

static void
rm_rf(const char *path)
{
    /* make directories writable first (the source is made read-only) */
    nftw(path, rm_one, 16, FTW_PHYS); /* pre-order: chmod dirs before entering */
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
put(const char *rel, const char *data)
{
    char path[512];
    snprintf(path, sizeof path, "%s/src/%s", scratch, rel);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(data, fp);
    assert_int_equal(fclose(fp), 0);
}

static void
mk(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", scratch, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static bool
is_dir(const char *dir, const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
exists(const char *dir, const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return lstat(path, &st) == 0;
}

/* A listing of a tree (names, types, modes, sizes, mtimes, contents). */
static struct strbuf snap;

static int
snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    strbuf_addf(&snap, "%s %d %o %lld %lld\n", path, flag, (unsigned)st->st_mode,
                (long long)st->st_size, (long long)st->st_mtime);
    if (flag == FTW_F && S_ISREG(st->st_mode)) {
        FILE *fp = fopen(path, "r");
        char buf[256];
        size_t n;
        while (fp != NULL && (n = fread(buf, 1, sizeof buf, fp)) > 0)
            strbuf_add(&snap, buf, n);
        if (fp != NULL)
            fclose(fp);
    }
    return 0;
}

static char *
snapshot(const char *dir)
{
    strbuf_init(&snap);
    nftw(dir, snap_one, 16, FTW_PHYS);
    return strbuf_detach(&snap, NULL);
}

static int
setup(void **state)
{
    snprintf(scratch, sizeof scratch, "/tmp/nixie-test-demo-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        return -1;
    char path[512];
    snprintf(path, sizeof path, "%s/tmp", scratch);
    mkdir(path, 0700);
    setenv("TMPDIR", path, 1);
    snprintf(path, sizeof path, "%s/src", scratch);
    setenv("NIXIE_DEMO_DIR", path, 1);
    return 0;
}

static int
teardown(void **state)
{
    rm_rf(scratch);
    unsetenv("NIXIE_DEMO_DIR");
    unsetenv("TMPDIR");
    return 0;
}

/* A Maildir++ tree as git would check it out: no empty directories. */
static void
make_source(void)
{
    mk("src");
    mk("src/cur");
    put("cur/1700000000.1.demo:2,S", "From: a@example.org\nSubject: one\n\nbody\n");
    mk("src/.Sent");
    mk("src/.Sent/cur");
    put(".Sent/cur/1700000001.2.demo:2,S", "From: me@example.org\nSubject: two\n\nbody\n");
    mk("src/.Drafts");
    put(".Drafts/.gitkeep", "");
    mk("src/Archive");
    mk("src/Archive/new");
    put("Archive/new/1700000002.3.demo", "Subject: three\n\n");
    put("README", "demo mailbox\n");
    char target[512], link[512];
    snprintf(target, sizeof target, "%s/outside", scratch);
    snprintf(link, sizeof link, "%s/src/cur/link", scratch);
    assert_int_equal(symlink(target, link), 0);
    /* the original is read-only: the copy must never need to write there */
    snprintf(target, sizeof target, "%s/src/cur", scratch);
    chmod(target, 0555);
    snprintf(target, sizeof target, "%s/src", scratch);
    chmod(target, 0555);
}

static void
test_copy(void **state)
{
    make_source();
    char src[512];
    snprintf(src, sizeof src, "%s/src", scratch);
    char *before = snapshot(src);
    char *dir = NULL;
    struct nx_err err = {0};
    if (demo_prepare(&dir, &err) < 0)
        fail_msg("demo_prepare: %s", err.what);
    assert_non_null(dir);
    char tmpdir[512];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp/nixie-demo-", scratch);
    assert_memory_equal(dir, tmpdir, strlen(tmpdir));
    /* every folder has cur, new and tmp */
    static const char *const folders[] = {"", ".Sent/", ".Drafts/", "Archive/"};
    for (size_t i = 0; i < 4; i++) {
        for (int s = 0; s < 3; s++) {
            char rel[64];
            snprintf(rel, sizeof rel, "%s%s", folders[i], (const char *[]){"cur", "new", "tmp"}[s]);
            if (!is_dir(dir, rel))
                fail_msg("%s/%s is missing", dir, rel);
        }
    }
    /* but not inside cur/new/tmp, nor in ordinary subdirectories */
    assert_false(exists(dir, "cur/tmp"));
    assert_false(exists(dir, "Archive/new/tmp"));
    /* messages copied byte for byte, with their times; links and .gitkeep skipped */
    char path[600];
    snprintf(path, sizeof path, "%s/cur/1700000000.1.demo:2,S", dir);
    char s1[600];
    snprintf(s1, sizeof s1, "%s/cur/1700000000.1.demo:2,S", src);
    struct stat a, b;
    assert_int_equal(stat(path, &a), 0);
    assert_int_equal(stat(s1, &b), 0);
    assert_int_equal(a.st_size, b.st_size);
    assert_int_equal(a.st_mtime, b.st_mtime);
    assert_true(exists(dir, ".Sent/cur/1700000001.2.demo:2,S"));
    assert_true(exists(dir, "Archive/new/1700000002.3.demo"));
    assert_true(exists(dir, "README"));
    assert_false(exists(dir, "cur/link"));
    assert_false(exists(dir, ".Drafts/.gitkeep"));
    /* the copy is writable and changing it leaves the original alone */
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fputs("changed\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/new/1700000009.9.demo", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/cur/1700000000.1.demo:2,S", dir);
    char renamed[600];
    snprintf(renamed, sizeof renamed, "%s/cur/1700000000.1.demo:2,RS", dir);
    assert_int_equal(rename(path, renamed), 0);
    char *after = snapshot(src);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* cleanup removes the copy */
    demo_cleanup(dir);
    assert_int_equal(access(dir, F_OK), -1);
    free(dir);
}

static void
test_cleanup_refuses_foreign_dirs(void **state)
{
    mk("keep");
    char path[512];
    snprintf(path, sizeof path, "%s/keep", scratch);
    demo_cleanup(path);
    assert_int_equal(access(path, F_OK), 0);
    demo_cleanup(NULL);
}

static void
test_errors(void **state)
{
    char *dir = (char *)"untouched";
    struct nx_err err = {0};
    /* NIXIE_DEMO_DIR points nowhere */
    assert_int_equal(demo_prepare(&dir, &err), -1);
    assert_null(dir);
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    /* TMPDIR cannot be written */
    make_source();
    setenv("TMPDIR", "/nonexistent/tmp", 1);
    assert_int_equal(demo_prepare(&dir, &err), -1);
    assert_null(dir);
    assert_int_equal(err.code, NX_ERR_IO);
    assert_true(strstr(err.what, "/nonexistent/tmp") != NULL);
    /* nothing was left behind in the good TMPDIR */
    char path[512];
    snprintf(path, sizeof path, "%s/tmp", scratch);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        assert_true(de->d_name[0] == '.');
    closedir(d);
}

/* The bundled demo, when it is there (tests/fixtures/demo). */
static void
test_bundled_demo(void **state)
{
    const char *srcdir = getenv("NIXIE_SRCDIR");
    char path[512];
    if (srcdir == NULL)
        skip();
    snprintf(path, sizeof path, "%s/tests/fixtures/demo", srcdir);
    if (access(path, F_OK) != 0)
        skip();
    setenv("NIXIE_DEMO_DIR", path, 1);
    char *before = snapshot(path);
    char *dir = NULL;
    struct nx_err err = {0};
    if (demo_prepare(&dir, &err) < 0)
        fail_msg("demo_prepare: %s", err.what);
    assert_true(is_dir(dir, "cur") && is_dir(dir, "new") && is_dir(dir, "tmp"));
    char *after = snapshot(path);
    assert_string_equal(before, after);
    demo_cleanup(dir);
    assert_int_equal(access(dir, F_OK), -1);
    free(dir);
    free(before);
    free(after);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cleanup_refuses_foreign_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundled_demo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
