/*
 * test-thread.c - index order and threading (ui/thread.c), which needs no
 * terminal: degenerate inputs first, then sorting, parents by In-Reply-To
 * and References, cycles, duplicates, deep chains and the tree prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/xalloc.h"

#include "ui/thread.h"

static struct mail_envelope *
env(const char *id, const char *irt, const char *refs, time_t date)
{
    struct mail_envelope *e = xcalloc(1, sizeof *e);
    e->message_id = xstrdup0(id);
    e->in_reply_to = xstrdup0(irt);
    e->references = xstrdup0(refs);
    e->date = date;
    return e;
}

static void
envs_free(struct mail_envelope **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]->message_id);
        free(v[i]->in_reply_to);
        free(v[i]->references);
        free(v[i]);
    }
}

static void
assert_order(const struct ui_thread_view *v, const size_t *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v->order[i], want[i]);
        assert_int_equal(v->pos[want[i]], i);
    }
}

static void
test_empty(void **state)
{
    (void)state;
    struct ui_thread_view *v = ui_thread_build(NULL, 0, true, false);
    assert_non_null(v);
    assert_int_equal(v->n, 0);
    char buf[8];
    assert_int_equal(ui_thread_prefix(v, 0, buf, sizeof buf), 0);
    ui_thread_free(v);
    ui_thread_free(NULL);
}

static void
test_flat_by_date(void **state)
{
    (void)state;
    struct mail_envelope *e[] = {env("a", NULL, NULL, 300), env("b", NULL, NULL, 100),
                                 env(NULL, NULL, NULL, 200), env("d", NULL, NULL, 100)};
    struct ui_thread_view *v = ui_thread_build(e, 4, false, false);
    size_t oldest_first[] = {1, 3, 2, 0}; /* equal dates keep folder order */
    assert_order(v, oldest_first, 4);
    ui_thread_free(v);
    v = ui_thread_build(e, 4, false, true);
    size_t newest_first[] = {0, 2, 3, 1};
    assert_order(v, newest_first, 4);
    ui_thread_free(v);
    envs_free(e, 4);
}

static void
test_threads(void **state)
{
    (void)state;
    /* root r (t=1), its replies x (t=5) and y (t=3), z answers y only by
     * References, w is alone (t=2), q names a parent we do not have */
    struct mail_envelope *e[] = {
        env("x", "r", "r", 5),       env("r", NULL, NULL, 1), env("y", "r", NULL, 3),
        env("z", NULL, "nope y", 4), env("w", NULL, NULL, 2), env("q", "missing", NULL, 6),
    };
    struct ui_thread_view *v = ui_thread_build(e, 6, true, false);
    size_t want[] = {1, 2, 3, 0, 4, 5}; /* r, y, z, x, w, q */
    assert_order(v, want, 6);
    assert_int_equal(v->depth[1], 0);
    assert_int_equal(v->depth[2], 1);
    assert_int_equal(v->depth[3], 2);
    assert_int_equal(v->depth[0], 1);
    assert_int_equal(v->parent[3], 2);
    assert_int_equal(v->parent[5], UI_THREAD_NONE);

    char buf[128];
    ui_thread_prefix(v, 1, buf, sizeof buf);
    assert_string_equal(buf, "");
    ui_thread_prefix(v, 2, buf, sizeof buf);
    assert_string_equal(buf, "├─>");
    ui_thread_prefix(v, 3, buf, sizeof buf);
    assert_string_equal(buf, "│ └─>");
    ui_thread_prefix(v, 0, buf, sizeof buf);
    assert_string_equal(buf, "└─>");
    ui_thread_free(v);

    /* newest first reverses the threads, not the replies */
    v = ui_thread_build(e, 6, true, true);
    size_t want_rev[] = {5, 4, 1, 2, 3, 0};
    assert_order(v, want_rev, 6);
    ui_thread_free(v);
    envs_free(e, 6);
}

static void
test_cycles_and_duplicates(void **state)
{
    (void)state;
    /* a -> b -> c -> a, a self-reply, and a duplicate Message-ID */
    struct mail_envelope *e[] = {
        env("a", "c", NULL, 1), env("b", "a", NULL, 2),  env("c", "b", NULL, 3),
        env("s", "s", "s", 4),  env("a", NULL, NULL, 5),
    };
    struct ui_thread_view *v = ui_thread_build(e, 5, true, false);
    assert_int_equal(v->n, 5);
    /* every message is shown exactly once */
    int seen[5] = {0};
    for (size_t i = 0; i < 5; i++)
        seen[v->order[i]]++;
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(v->parent[3], UI_THREAD_NONE);
    ui_thread_free(v);
    envs_free(e, 5);
}

static void
test_deep_chain(void **state)
{
    (void)state;
    /* 50,000 messages each answering the previous one: no recursion, no
     * quadratic walk, and the prefix stays bounded */
    enum { N = 50000 };
    struct mail_envelope **e = xcalloc(N, sizeof *e);
    char id[32], parent[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(id, sizeof id, "m%zu", i);
        snprintf(parent, sizeof parent, "m%zu", i - 1);
        e[i] = env(id, i > 0 ? parent : NULL, NULL, (time_t)(N - i)); /* dates backwards */
    }
    struct ui_thread_view *v = ui_thread_build(e, N, true, false);
    assert_int_equal(v->order[0], 0);
    assert_int_equal(v->order[N - 1], N - 1);
    assert_int_equal(v->depth[N - 1], N - 1);
    char buf[256];
    size_t len = ui_thread_prefix(v, N - 1, buf, sizeof buf);
    assert_true(len > 0 && len < sizeof buf);
    assert_non_null(strstr(buf, "…"));
    /* a buffer too small is cut, not overrun */
    char tiny[5];
    len = ui_thread_prefix(v, N - 1, tiny, sizeof tiny);
    assert_true(len < sizeof tiny);
    ui_thread_free(v);
    envs_free(e, N);
    free(e);
}

static void
test_long_references(void **state)
{
    (void)state;
    /* an id longer than any real one is ignored, not copied */
    size_t big = 4000;
    char *refs = xmalloc(big + 3);
    memset(refs, 'x', big);
    strcpy(refs + big, " p");
    struct mail_envelope *e[] = {env("p", NULL, NULL, 1), env("c", NULL, refs, 2)};
    struct ui_thread_view *v = ui_thread_build(e, 2, true, false);
    assert_int_equal(v->parent[1], 0);
    ui_thread_free(v);
    envs_free(e, 2);
    free(refs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),      cmocka_unit_test(test_flat_by_date),
        cmocka_unit_test(test_threads),    cmocka_unit_test(test_cycles_and_duplicates),
        cmocka_unit_test(test_deep_chain), cmocka_unit_test(test_long_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
