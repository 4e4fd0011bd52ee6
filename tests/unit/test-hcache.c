/*
 * test-hcache.c - the LMDB header cache, directly and through the Maildir
 * backend: miss then hit, entries invalidated by a different ",S=" size,
 * removed messages, damaged values, a corrupt or truncated cache file and
 * a cache directory that cannot be used (the store still opens).
 */
#include <fcntl.h>
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

#include "mail/base/xalloc.h"

#include "mail/backend.h"
#include "mail/hcache.h"

static char *
mktemp_dir(void)
{
    char tmpl[] = "/tmp/nixie-hcache-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void
rm_rf(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

static struct mail_envelope *
sample_env(const char *subject)
{
    char *raw = xasprintf("From: Zoë <z@example.org>\nTo: a@b\nSubject: %s\n"
                          "Date: Mon, 23 Nov 2026 16:25:00 +0100\nMessage-ID: <m@x>\n"
                          "References: <a@x> <b@x>\n\nbody\n",
                          subject);
    struct mail_envelope *e = mail_envelope_parse(raw, strlen(raw), NULL);
    free(raw);
    return e;
}

static void
test_put_get(void **state)
{
    char *dir = mktemp_dir();
    char *cdir = xasprintf("%s/cache", dir);
    struct nx_err err = {0};
    struct hcache *hc = hcache_open(cdir, &err);
    assert_non_null(hc);
    struct mail_envelope *e = sample_env("cached subject");
    const char *uniq = "123.M1P2Q3.host,S=99";
    size_t ulen = strlen(uniq);
    struct hcache_read *r = hcache_read_begin(hc, "/mail/INBOX");
    assert_null(hcache_get(r, uniq, ulen, NULL)); /* miss */
    hcache_read_end(r);
    assert_int_equal(hcache_put_many(hc, "/mail/INBOX", &uniq, &ulen, &e, 1), 0);

    r = hcache_read_begin(hc, "/mail/INBOX");
    struct mail_envelope *g = hcache_get(r, uniq, ulen, "cur/123:2,S");
    assert_non_null(g);
    assert_string_equal(g->key, "cur/123:2,S");
    assert_string_equal(g->subject, "cached subject");
    assert_string_equal(g->from, e->from);
    assert_string_equal(g->from_name, "Zoë");
    assert_string_equal(g->references, "a@x b@x");
    assert_null(g->cc);
    assert_int_equal(g->date, e->date);
    assert_int_equal(g->tz_offset, 60);
    assert_int_equal(g->size, e->size);
    assert_int_equal(g->flags, 0);
    mail_envelope_free(g);
    hcache_read_end(r);

    /* keys are per folder */
    r = hcache_read_begin(hc, "/mail/.Sent");
    assert_null(hcache_get(r, uniq, ulen, NULL));
    hcache_read_end(r);

    assert_int_equal(hcache_del(hc, "/mail/INBOX", uniq, ulen), 0);
    r = hcache_read_begin(hc, "/mail/INBOX");
    assert_null(hcache_get(r, uniq, ulen, NULL));
    hcache_read_end(r);
    mail_envelope_free(e);
    hcache_free(hc);

    hcache_free(NULL);
    hcache_read_end(NULL);
    assert_null(hcache_get(NULL, "x", 1, NULL));
    free(cdir);
    rm_rf(dir);
}

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void
test_corrupt_file(void **state)
{
    char *dir = mktemp_dir();
    struct nx_err err = {0};
    char *data = xasprintf("%s/data.mdb", dir);
    /* garbage where the LMDB file should be: rebuilt */
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 131 + 7);
    write_file(data, junk, sizeof junk);
    struct hcache *hc = hcache_open(dir, &err);
    assert_non_null(hc);
    struct mail_envelope *e = sample_env("after rebuild");
    const char *uniq = "u1";
    size_t ulen = 2;
    assert_int_equal(hcache_put_many(hc, dir, &uniq, &ulen, &e, 1), 0);
    hcache_free(hc);

    /* a truncated file (LMDB would fault past EOF): rebuilt, entry gone */
    struct stat sb;
    assert_int_equal(stat(data, &sb), 0);
    assert_int_equal(truncate(data, sb.st_size / 2), 0);
    hc = hcache_open(dir, &err);
    assert_non_null(hc);
    struct hcache_read *r = hcache_read_begin(hc, dir);
    struct mail_envelope *g = hcache_get(r, uniq, ulen, NULL);
    mail_envelope_free(g); /* a hit or a miss, but never a crash */
    hcache_read_end(r);
    hcache_free(hc);

    /* a cache directory that is a file: no cache, clear error */
    char *file = xasprintf("%s/plainfile", dir);
    write_file(file, "x", 1);
    assert_null(hcache_open(file, &err));
    assert_true(err.what[0] != '\0');
    mail_envelope_free(e);
    free(file);
    free(data);
    rm_rf(dir);
}

/* Flip bytes inside the stored values: checksum turns them into misses. */
static void
test_damaged_values(void **state)
{
    char *dir = mktemp_dir();
    struct hcache *hc = hcache_open(dir, NULL);
    struct mail_envelope *e = sample_env("ZZZZ-marker-ZZZZ");
    const char *uniq = "u2";
    size_t ulen = 2;
    assert_int_equal(hcache_put_many(hc, dir, &uniq, &ulen, &e, 1), 0);
    hcache_free(hc);
    char *data = xasprintf("%s/data.mdb", dir);
    int fd = open(data, O_RDWR);
    assert_true(fd >= 0);
    struct stat sb;
    fstat(fd, &sb);
    char *buf = xmalloc((size_t)sb.st_size);
    assert_int_equal(pread(fd, buf, (size_t)sb.st_size, 0), sb.st_size);
    char *hit = memmem(buf, (size_t)sb.st_size, "ZZZZ-marker", 11);
    assert_non_null(hit);
    assert_int_equal(pwrite(fd, "Y", 1, hit - buf), 1);
    close(fd);
    hc = hcache_open(dir, NULL);
    assert_non_null(hc);
    struct hcache_read *r = hcache_read_begin(hc, dir);
    assert_null(hcache_get(r, uniq, ulen, NULL));
    hcache_read_end(r);
    hcache_free(hc);
    mail_envelope_free(e);
    free(buf);
    free(data);
    rm_rf(dir);
}

static void
count_visit(void *arg, const char *uniq, size_t ulen, const struct hcache_entry *e)
{
    (void)uniq, (void)ulen, (void)e;
    (*(size_t *)arg)++;
}

/* How many entries the cache in `dir` holds for `folder`. */
static size_t
cache_count(const char *dir, const char *folder)
{
    size_t n = 0;
    struct hcache *hc = hcache_open(dir, NULL);
    struct hcache_read *r = hcache_read_begin(hc, folder);
    hcache_get_all(r, count_visit, &n);
    hcache_read_end(r);
    hcache_free(hc);
    return n;
}

/* Through the backend: the second listing comes from the cache. */
static void
test_maildir_with_cache(void **state)
{
    char *dir = mktemp_dir();
    char *root = xasprintf("%s/Mail", dir), *cache = xasprintf("%s/hcache", dir);
    const char *src = getenv("NIXIE_SRCDIR");
    char *cmd = xasprintf("cp -R '%s/tests/fixtures/maildir-basic' '%s'", src ? src : ".", root);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    struct mail_store_options o = {cache};
    struct nx_err err = {0};
    struct mail_store *st = mail_store_open(&mail_maildir_ops, root, &o, &err);
    assert_non_null(st);
    static const char msg[] = "Subject: original subject\n\nx\n";
    char *key;
    assert_int_equal(mail_store_append(st, "INBOX", msg, sizeof msg - 1, 0, &key, &err), 0);

    struct mail_folder *f = mail_folder_open(st, "INBOX", &err);
    struct mail_envelope **envs;
    size_t n;
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0); /* fills the cache */
    assert_int_equal(n, 7);
    mail_envelopes_free(envs, n);

    /* Rewrite the file behind the cache's back, same name: the cache is
     * trusted (names are immutable), so the old subject is still listed. */
    char *path = xasprintf("%s/%s", root, key);
    static const char other[] = "Subject: changed subject\n\nx\n";
    write_file(path, other, sizeof other - 1);
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0);
    bool old = false;
    for (size_t i = 0; i < n; i++)
        old |= envs[i]->subject && strcmp(envs[i]->subject, "original subject") == 0;
    assert_true(old); /* a hit */
    mail_envelopes_free(envs, n);

    /* Another unique name (here another ,S= size) is another entry: re-read. */
    char *uniq = xstrndup(key + 4, strcspn(key + 4, ","));
    char *renamed = xasprintf("%s/new/%s,S=%zu", root, uniq, sizeof other - 1);
    assert_int_equal(rename(path, renamed), 0);
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0);
    bool changed = false;
    for (size_t i = 0; i < n; i++)
        changed |= envs[i]->subject && strcmp(envs[i]->subject, "changed subject") == 0;
    assert_true(changed);
    mail_envelopes_free(envs, n);

    /* Removing drops the entry; flags changes keep hitting. */
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        if (envs[i]->subject && strcmp(envs[i]->subject, "new message") == 0)
            assert_int_equal(mail_folder_set_flags(f, envs[i], MAIL_FLAG_SEEN, &err), 0);
    mail_envelopes_free(envs, n);
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0);
    assert_int_equal(n, 7);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
    mail_store_free(st);

    /* A message another program deleted: the next listing drops its entry. */
    assert_int_equal(cache_count(cache, root), 7);
    assert_int_equal(unlink(renamed), 0);
    st = mail_store_open(&mail_maildir_ops, root, &o, &err);
    f = mail_folder_open(st, "INBOX", &err);
    assert_int_equal(mail_folder_list(f, NULL, &envs, &n, &err), 0);
    assert_int_equal(n, 6);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
    mail_store_free(st);
    assert_int_equal(cache_count(cache, root), 6);

    /* An unusable cache path does not stop the store from opening. */
    struct mail_store_options bad = {"/proc/nonexistent/cache"};
    st = mail_store_open(&mail_maildir_ops, root, &bad, &err);
    assert_non_null(st);
    mail_store_free(st);
    free(uniq);
    free(renamed);
    free(path);
    free(key);
    free(root);
    free(cache);
    rm_rf(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_corrupt_file),
        cmocka_unit_test(test_damaged_values),
        cmocka_unit_test(test_maildir_with_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
