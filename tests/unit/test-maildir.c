/*
 * test-maildir.c - the Maildir backend through the generic handles: store
 * errors, Maildir++ folders, listing (flags, corrupt files, progress and
 * cancel), fetch, flags, append, move, remove, check(), and fault injection
 * over every system call of append, move, set_flags and remove asserting
 * that every message exists exactly once with its content intact.
 * Each test works on a copy of tests/fixtures/maildir-basic in a mkdtemp dir.
 */
#include <dirent.h>
#include <errno.h>
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

#include "mail/base/strbuf.h"
#include "mail/base/sysio.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/backend.h"

struct fx {
    char *tmp;  /* mkdtemp dir */
    char *root; /* the Maildir copy */
    struct mail_store *st;
};

static int
fx_setup(void **state)
{
    struct fx *fx = xcalloc(1, sizeof *fx);
    char tmpl[] = "/tmp/nixie-maildir-XXXXXX";
    if (mkdtemp(tmpl) == NULL)
        return -1;
    fx->tmp = xstrdup(tmpl);
    fx->root = xasprintf("%s/Mail", fx->tmp);
    const char *src = getenv("NIXIE_SRCDIR");
    char *cmd =
        xasprintf("cp -R '%s/tests/fixtures/maildir-basic' '%s'", src ? src : ".", fx->root);
    int rc = system(cmd);
    free(cmd);
    if (rc != 0)
        return -1;
    struct nx_err err = {0};
    fx->st = mail_store_open(&mail_maildir_ops, fx->root, NULL, &err);
    if (fx->st == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int
fx_teardown(void **state)
{
    struct fx *fx = *state;
    sysio_fault_arm(0, 0);
    mail_store_free(fx->st);
    char *cmd = xasprintf("rm -rf '%s'", fx->tmp);
    int rc = system(cmd);
    free(cmd);
    free(fx->root);
    free(fx->tmp);
    free(fx);
    return rc == 0 ? 0 : -1;
}

/* How many files in the whole store (all folders, new/ and cur/) hold a
 * message whose unique name starts with `uniq`, and the content of one. */
static int
count_uniq(const char *root, const char *uniq, char **content)
{
    int n = 0;
    char *cmd = xasprintf("find '%s' -path '*/new/%s*' -o -path '*/cur/%s*'", root, uniq, uniq);
    FILE *p = popen(cmd, "r");
    free(cmd);
    char line[4096];
    while (p && fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        n++;
        if (content) {
            FILE *f = fopen(line, "r");
            struct strbuf sb = STRBUF_INIT;
            int c;
            while (f && (c = fgetc(f)) != EOF)
                strbuf_addc(&sb, (char)c);
            if (f)
                fclose(f);
            free(*content);
            *content = strbuf_detach(&sb, NULL);
        }
    }
    if (p)
        pclose(p);
    return n;
}

static struct mail_envelope *
find_env(struct mail_envelope **envs, size_t n, const char *subject)
{
    for (size_t i = 0; i < n; i++)
        if (envs[i]->subject && strcmp(envs[i]->subject, subject) == 0)
            return envs[i];
    fail_msg("no message with subject \"%s\"", subject);
    return NULL;
}

static struct mail_folder *
open_list(struct fx *fx, const char *name, struct mail_envelope ***envs, size_t *n)
{
    struct nx_err err = {0};
    struct mail_folder *f = mail_folder_open(fx->st, name, &err);
    if (f == NULL)
        fail_msg("open %s: %s", name, err.what);
    if (mail_folder_list(f, NULL, envs, n, &err) < 0)
        fail_msg("list %s: %s", name, err.what);
    return f;
}

/* ---- opening ---- */

static void
test_store_errors(void **state)
{
    struct nx_err err = {0};
    assert_null(mail_store_open(&mail_maildir_ops, "/nonexistent/Mail", NULL, &err));
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.hint, "maildir key"));
    assert_null(mail_store_open(&mail_maildir_ops, "/tmp", NULL, &err));
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    assert_non_null(strstr(err.what, "is not a Maildir (no cur/ or new/)"));
    assert_null(mail_store_open(&mail_maildir_ops, "", NULL, &err));
    assert_int_equal(err.code, NX_ERR_CONFIG);

    struct fx *fx = *state;
    assert_null(mail_folder_open(fx->st, "../escape", &err));
    assert_int_equal(err.code, NX_ERR_PARSE);
    assert_null(mail_folder_open(fx->st, "a/b", &err));
    assert_null(mail_folder_open(fx->st, "Nope", &err));
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
}

static void
test_list_folders(void **state)
{
    struct fx *fx = *state;
    struct mail_folder_info *fi;
    size_t n;
    assert_int_equal(mail_store_list_folders(fx->st, &fi, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_string_equal(fi[0].name, "INBOX");
    assert_int_equal(fi[0].total, 6);
    assert_int_equal(fi[0].unread, 3); /* two in new/, one in cur/ without S */
    assert_string_equal(fi[1].name, "Lists.nixie-dev");
    assert_int_equal(fi[1].total, 1);
    assert_string_equal(fi[2].name, "Sent");
    assert_int_equal(fi[2].unread, 0);
    mail_folder_infos_free(fi, n);
}

static void
test_list_envelopes(void **state)
{
    struct fx *fx = *state;
    struct mail_envelope **envs;
    size_t n;
    struct mail_folder *f = open_list(fx, "INBOX", &envs, &n);
    assert_string_equal(mail_folder_name(f), "INBOX");
    assert_int_equal(n, 6); /* junk, empty and truncated files list too */
    struct mail_envelope *e = find_env(envs, n, "new message");
    assert_string_equal(e->key, "new/1700000001.M1P1Q1.fixture");
    assert_int_equal(e->flags, MAIL_FLAG_RECENT);
    assert_string_equal(e->from_name, "Alice");
    e = find_env(envs, n, "seen réponse");
    assert_int_equal(e->flags, MAIL_FLAG_SEEN);
    e = find_env(envs, n, "flagged and replied, keyword a");
    assert_int_equal(e->flags, MAIL_FLAG_SEEN | MAIL_FLAG_REPLIED | MAIL_FLAG_FLAGGED);
    e = find_env(envs, n, "truncated mid-hea");
    assert_int_equal(e->size, 50);
    /* every file fetches, corrupt ones included */
    for (size_t i = 0; i < n; i++) {
        struct mail_message *m = NULL;
        struct nx_err err = {0};
        if (mail_folder_fetch(f, envs[i], &m, &err) < 0)
            fail_msg("fetch %s: %s", envs[i]->key, err.what);
        assert_non_null(mail_message_root(m));
        assert_string_equal(mail_message_envelope(m)->key, envs[i]->key);
        char *t;
        size_t len;
        assert_int_equal(mail_part_text(mail_message_root(m), &t, &len, NULL), 0);
        free(t);
        mail_message_free(m);
    }
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
}

static void
test_set_flags(void **state)
{
    struct fx *fx = *state;
    struct mail_envelope **envs;
    size_t n;
    struct mail_folder *f = open_list(fx, "INBOX", &envs, &n);
    struct mail_envelope *e = find_env(envs, n, "new message");
    assert_int_equal(mail_folder_set_flags(f, e, MAIL_FLAG_SEEN, NULL), 0);
    assert_string_equal(e->key, "cur/1700000001.M1P1Q1.fixture:2,S"); /* new -> cur */
    assert_int_equal(e->flags, MAIL_FLAG_SEEN);
    assert_int_equal(count_uniq(fx->root, "1700000001.", NULL), 1);

    e = find_env(envs, n, "flagged and replied, keyword a");
    assert_int_equal(mail_folder_set_flags(f, e, MAIL_FLAG_DRAFT | MAIL_FLAG_TRASHED, NULL), 0);
    assert_string_equal(e->key, "cur/1700000003.M3P1Q3.fixture:2,DTa"); /* "a" kept */
    assert_int_equal(mail_folder_set_flags(f, e, 0, NULL), 0);
    assert_string_equal(e->key, "cur/1700000003.M3P1Q3.fixture:2,a");

    /* a stale key (another client renamed the file) is found again */
    char *from = xasprintf("%s/cur/1700000002.M2P1Q2.fixture:2,S", fx->root);
    char *to = xasprintf("%s/cur/1700000002.M2P1Q2.fixture:2,RS", fx->root);
    assert_int_equal(rename(from, to), 0);
    e = find_env(envs, n, "seen réponse");
    struct mail_message *m;
    assert_int_equal(mail_folder_fetch(f, e, &m, NULL), 0);
    assert_int_equal(mail_message_envelope(m)->flags, MAIL_FLAG_SEEN | MAIL_FLAG_REPLIED);
    mail_message_free(m);
    assert_int_equal(mail_folder_set_flags(f, e, MAIL_FLAG_FLAGGED, NULL), 0);
    assert_string_equal(e->key, "cur/1700000002.M2P1Q2.fixture:2,F");
    free(from);
    free(to);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
}

static void
test_append_move_remove(void **state)
{
    struct fx *fx = *state;
    static const char msg[] = "From: x@example.org\nSubject: appended\n\nbody\n";
    char *key = NULL;
    struct nx_err err = {0};
    assert_int_equal(
        mail_store_append(fx->st, "Sent", msg, sizeof msg - 1, MAIL_FLAG_SEEN, &key, &err), 0);
    assert_int_equal(strncmp(key, "cur/", 4), 0);
    assert_non_null(strstr(key, ":2,S"));
    assert_non_null(strstr(key, ",S=44"));
    free(key);
    assert_int_equal(mail_store_append(fx->st, "INBOX", msg, sizeof msg - 1, 0, &key, &err), 0);
    assert_int_equal(strncmp(key, "new/", 4), 0);
    free(key);
    assert_int_equal(mail_store_append(fx->st, "Nope", msg, sizeof msg - 1, 0, NULL, &err), -1);

    struct mail_envelope **envs;
    size_t n;
    struct mail_folder *f = open_list(fx, "Sent", &envs, &n);
    assert_int_equal(n, 2);
    struct mail_envelope *e = find_env(envs, n, "appended");
    assert_int_equal(e->flags, MAIL_FLAG_SEEN);
    assert_int_equal(e->size, sizeof msg - 1);

    assert_int_equal(mail_folder_move(f, e, "Lists.nixie-dev", &err), 0);
    char *uniq = xstrndup(e->key + 4, (size_t)(strstr(e->key, ":2,") - e->key - 4));
    char *content = NULL;
    assert_int_equal(count_uniq(fx->root, uniq, &content), 1);
    assert_string_equal(content, msg);
    char *moved = xasprintf("%s/.Lists.nixie-dev/%s", fx->root, e->key);
    assert_int_equal(access(moved, F_OK), 0);
    free(moved);

    e = find_env(envs, n, "sent one");
    assert_int_equal(mail_folder_remove(f, e, &err), 0);
    assert_int_equal(count_uniq(fx->root, "1700000007.", NULL), 0);
    assert_int_equal(mail_folder_remove(f, e, &err), -1);
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    free(content);
    free(uniq);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
}

static void
test_check(void **state)
{
    struct fx *fx = *state;
    struct mail_envelope **envs;
    size_t n;
    struct mail_folder_changes c;
    struct mail_folder *f = open_list(fx, "INBOX", &envs, &n);
    assert_int_equal(mail_folder_check(f, &c, NULL), 0);
    assert_int_equal(c.added + c.removed + c.flags_changed, 0);

    /* our own change is not reported */
    assert_int_equal(
        mail_folder_set_flags(f, find_env(envs, n, "new message"), MAIL_FLAG_SEEN, NULL), 0);
    assert_int_equal(mail_folder_check(f, &c, NULL), 0);
    assert_int_equal(c.added + c.removed + c.flags_changed, 0);

    /* others' changes are */
    static const char msg[] = "Subject: outside\n\nx\n";
    assert_int_equal(mail_store_append(fx->st, "INBOX", msg, sizeof msg - 1, 0, NULL, NULL), 0);
    char *a = xasprintf("%s/cur/1700000002.M2P1Q2.fixture:2,S", fx->root);
    char *b = xasprintf("%s/cur/1700000002.M2P1Q2.fixture:2,FS", fx->root);
    char *d = xasprintf("%s/cur/1700000005.M5P1Q5.fixture:2,S", fx->root);
    assert_int_equal(rename(a, b), 0);
    assert_int_equal(unlink(d), 0);
    assert_int_equal(mail_folder_check(f, &c, NULL), 0);
    assert_int_equal(c.added, 1);
    assert_int_equal(c.removed, 1);
    assert_int_equal(c.flags_changed, 1);
    assert_int_equal(mail_folder_check(f, &c, NULL), 0);
    assert_int_equal(c.added + c.removed + c.flags_changed, 0);
    free(a);
    free(b);
    free(d);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
}

struct progress_log {
    size_t calls, last_done, cancel_at;
};

static int
progress_cb(void *arg, size_t done, size_t total)
{
    struct progress_log *pl = arg;
    pl->calls++;
    pl->last_done = done;
    assert_true(done <= total);
    return pl->cancel_at != 0 && done >= pl->cancel_at;
}

static void
test_progress_cancel(void **state)
{
    struct fx *fx = *state;
    for (int i = 0; i < 2500; i++) { /* written directly: 2500 fsyncing appends are slow */
        char *path = xasprintf("%s/.Sent/cur/%d.bulk:2,S", fx->root, i);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fprintf(fp, "Subject: bulk %d\n\nbody %d\n", i, i);
        fclose(fp);
        free(path);
    }
    struct mail_folder *f = mail_folder_open(fx->st, "Sent", NULL);
    struct progress_log pl = {0};
    struct mail_progress pr = {progress_cb, &pl};
    struct mail_envelope **envs;
    size_t n;
    assert_int_equal(mail_folder_list(f, &pr, &envs, &n, NULL), 0);
    assert_int_equal(n, 2501);
    assert_true(pl.calls >= 2); /* every ~1000 files (parsed in parallel), then the end */
    assert_int_equal(pl.last_done, 2501);
    mail_envelopes_free(envs, n);

    pl = (struct progress_log){.cancel_at = 1000};
    struct nx_err err = {0};
    assert_int_equal(mail_folder_list(f, &pr, &envs, &n, &err), -1);
    assert_int_equal(err.code, NX_ERR_CANCEL);
    assert_null(envs);
    assert_int_equal(n, 0);
    mail_folder_free(f);
}

/* ---- fault injection: fail each system call of an operation in turn ---- */

static const char *const fixture_uniqs[] = {
    "1700000001.", "1700000002.", "1700000003.", "1700000004.",
    "1700000005.", "1700000006.", "1700000007.", "1700000008.",
};

static void
assert_all_once(struct fx *fx, const char *except)
{
    for (size_t i = 0; i < sizeof fixture_uniqs / sizeof fixture_uniqs[0]; i++)
        if (except == NULL || strcmp(except, fixture_uniqs[i]) != 0)
            assert_int_equal(count_uniq(fx->root, fixture_uniqs[i], NULL), 1);
}

static int
count_subject(struct fx *fx, const char *subject)
{
    char *cmd =
        xasprintf("grep -rlF '%s' '%s' 2>/dev/null | grep -c -E '/(new|cur)/'", subject, fx->root);
    FILE *p = popen(cmd, "r");
    free(cmd);
    int n = -1;
    if (p == NULL || fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

enum fault_op { FAULT_APPEND, FAULT_MOVE, FAULT_FLAGS, FAULT_REMOVE };

/* Run op once with the nfail-th sysio call failing; returns rc and sets
 * *fired to whether the fault was reached. */
static int
fault_run(struct fx *fx, enum fault_op op, unsigned long nfail, bool *fired)
{
    struct mail_envelope **envs;
    size_t n;
    struct mail_folder *f = open_list(fx, "INBOX", &envs, &n);
    static const char msg[] = "From: f@example.org\nSubject: fault-append\n\nbody\n";
    struct nx_err err = {0};
    int rc = -1;
    sysio_fault_arm(nfail, EIO);
    switch (op) {
    case FAULT_APPEND:
        rc = mail_store_append(fx->st, "INBOX", msg, sizeof msg - 1, MAIL_FLAG_FLAGGED, NULL, &err);
        break;
    case FAULT_MOVE:
        rc = mail_folder_move(f, find_env(envs, n, "seen réponse"), "Sent", &err);
        break;
    case FAULT_FLAGS:
        rc = mail_folder_set_flags(f, find_env(envs, n, "new message"), MAIL_FLAG_SEEN, &err);
        break;
    case FAULT_REMOVE:
        rc = mail_folder_remove(f, find_env(envs, n, "new message"), &err);
        break;
    }
    *fired = sysio_fault_calls() >= nfail;
    sysio_fault_arm(0, 0);
    if (rc < 0)
        assert_true(err.what[0] != '\0'); /* a failure always says what happened */
    mail_envelopes_free(envs, n);
    mail_folder_free(f);
    return rc;
}

static void
fault_check(struct fx *fx, enum fault_op op, int rc, const char *orig2, const char *orig1)
{
    char *content = NULL;
    switch (op) {
    case FAULT_APPEND:
        assert_int_equal(count_subject(fx, "fault-append"), rc == 0 ? 1 : 0);
        assert_all_once(fx, NULL);
        break;
    case FAULT_MOVE:
        assert_all_once(fx, NULL);
        assert_int_equal(count_uniq(fx->root, "1700000002.", &content), 1);
        assert_string_equal(content, orig2);
        char *p = xasprintf("%s/.Sent/cur/1700000002.M2P1Q2.fixture:2,S", fx->root);
        assert_int_equal(access(p, F_OK) == 0, rc == 0);
        free(p);
        break;
    case FAULT_FLAGS:
        assert_all_once(fx, NULL);
        assert_int_equal(count_uniq(fx->root, "1700000001.", &content), 1);
        assert_string_equal(content, orig1);
        char *q = xasprintf("%s/cur/1700000001.M1P1Q1.fixture:2,S", fx->root);
        assert_int_equal(access(q, F_OK) == 0, rc == 0);
        free(q);
        break;
    case FAULT_REMOVE:
        assert_all_once(fx, "1700000001.");
        assert_int_equal(count_uniq(fx->root, "1700000001.", NULL), rc == 0 ? 0 : 1);
        break;
    }
    free(content);
}

static void
test_fault_injection(void **state)
{
    for (int op = FAULT_APPEND; op <= FAULT_REMOVE; op++) {
        unsigned long nfail;
        for (nfail = 1; nfail < 100; nfail++) {
            struct fx *fx;
            void *st;
            assert_int_equal(fx_setup(&st), 0);
            fx = st;
            char *orig1 = NULL, *orig2 = NULL;
            count_uniq(fx->root, "1700000001.", &orig1);
            count_uniq(fx->root, "1700000002.", &orig2);
            bool fired;
            int rc = fault_run(fx, (enum fault_op)op, nfail, &fired);
            fault_check(fx, (enum fault_op)op, rc, orig2, orig1);
            free(orig1);
            free(orig2);
            assert_int_equal(fx_teardown(&st), 0);
            if (!fired) {
                assert_int_equal(rc, 0); /* no fault: it must have worked */
                break;
            }
        }
        assert_true(nfail > 1); /* the operation made at least one call */
        print_message("op %d: %lu system calls faulted in turn\n", op, nfail - 1);
    }
}

/* Saving to a folder that does not exist: NOTFOUND, then create it (as
 * mutt's "Create =x?") and the move works; creating is idempotent and
 * completes a half-made folder; bad names are refused. */
static void
test_create_folder(void **state)
{
    struct fx *fx = *state;
    struct nx_err err = {0};
    struct mail_envelope **envs;
    size_t n;
    struct mail_folder *f = open_list(fx, "INBOX", &envs, &n);
    assert_int_equal(mail_folder_move(f, envs[0], "Archive", &err), -1);
    assert_int_equal(err.code, NX_ERR_NOTFOUND);
    assert_int_equal(mail_store_create_folder(fx->st, "Archive", &err), 0);
    assert_int_equal(mail_folder_move(f, envs[0], "Archive", &err), 0);
    char *marker = xasprintf("%s/.Archive/maildirfolder", fx->root);
    assert_int_equal(access(marker, F_OK), 0);
    free(marker);
    assert_int_equal(mail_store_create_folder(fx->st, "Archive", &err), 0);
    assert_int_equal(mail_store_create_folder(fx->st, "INBOX", &err), 0);

    char *half = xasprintf("%s/.Half", fx->root); /* a crash after the first mkdir */
    assert_int_equal(mkdir(half, 0700), 0);
    assert_int_equal(mail_store_create_folder(fx->st, "Half", &err), 0);
    char *cur = xasprintf("%s/cur", half);
    assert_int_equal(access(cur, F_OK), 0);
    free(cur);
    free(half);

    assert_int_equal(mail_store_create_folder(fx->st, "a/b", &err), -1);
    assert_int_equal(err.code, NX_ERR_PARSE);
    assert_int_equal(mail_store_create_folder(fx->st, "..x", &err), -1);
    mail_envelopes_free(envs, n);
    mail_folder_free(f);

    struct mail_folder_info *infos;
    assert_int_equal(mail_store_list_folders(fx->st, &infos, &n, &err), 0);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(infos[i].name, "Archive") == 0 && infos[i].total == 1;
    assert_true(found);
    mail_folder_infos_free(infos, n);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_list_folders, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_list_envelopes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_set_flags, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_append_move_remove, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_check, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_create_folder, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_progress_cancel, fx_setup, fx_teardown),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
