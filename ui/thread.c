/*
 * thread.c - index order: date sort and simple threading.
 *
 * Owns the view arrays; borrows the envelopes only while building.  Linear
 * or n log n in the number of messages, whatever the References say: parents
 * are found through a hash of Message-IDs, cycles are refused with a
 * union-find of thread roots (no walk up a possibly 100,000-deep chain), and
 * the tree is walked without recursion.  Does not touch curses.
 */
#include "ui/thread.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

struct thread_key {
    time_t date;
    size_t idx;
};

/* The date as an unsigned number in the same order (sign bit flipped). */
static uint64_t
thread_date_bits(time_t t)
{
    return (uint64_t)(int64_t)t ^ ((uint64_t)1 << 63);
}

/* Sort keys by (date, idx): a stable LSD radix sort on the date of keys
 * given in idx order, 8 bits a pass, skipping passes where every key has
 * the same byte (the high bytes of real dates).  qsort with a comparator
 * was a tenth of opening a 100k folder. */
static void
thread_sort_keys(struct thread_key *keys, size_t n)
{
    size_t(*count)[256] = xcalloc(8, sizeof *count);
    struct thread_key *tmp = xreallocarray(NULL, n > 0 ? n : 1, sizeof *tmp), *src = keys;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(thread_date_bits(keys[i].date) >> (8 * b)) & 0xff]++;
    for (int b = 0; n > 0 && b < 8; b++) {
        /* any key's byte has count n when all keys share it */
        if (count[b][(thread_date_bits(keys[0].date) >> (8 * b)) & 0xff] == n)
            continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[b][d];
            count[b][d] = sum;
            sum += c;
        }
        struct thread_key *dst = src == keys ? tmp : keys;
        for (size_t i = 0; i < n; i++)
            dst[count[b][(thread_date_bits(src[i].date) >> (8 * b)) & 0xff]++] = src[i];
        src = dst;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
    free(tmp);
    free(count);
}

/* Message-ID -> envelope index, open addressing. */
struct thread_hash {
    size_t *slot; /* envelope index + 1; 0 = empty */
    size_t mask;
};

static uint64_t
thread_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void
thread_hash_init(struct thread_hash *h, struct mail_envelope *const *envs, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    h->slot = xcalloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        const char *id = envs[i]->message_id;
        if (id == NULL || *id == '\0')
            continue;
        size_t k = thread_hash_str(id) & h->mask;
        while (h->slot[k] != 0 && strcmp(envs[h->slot[k] - 1]->message_id, id) != 0)
            k = (k + 1) & h->mask;
        if (h->slot[k] == 0) /* a duplicate id keeps its first message */
            h->slot[k] = i + 1;
    }
}

static size_t
thread_hash_find(const struct thread_hash *h, struct mail_envelope *const *envs, const char *id,
                 size_t idlen)
{
    char buf[512];
    if (idlen == 0 || idlen >= sizeof buf)
        return UI_THREAD_NONE;
    memcpy(buf, id, idlen);
    buf[idlen] = '\0';
    size_t k = thread_hash_str(buf) & h->mask;
    while (h->slot[k] != 0) {
        if (strcmp(envs[h->slot[k] - 1]->message_id, buf) == 0)
            return h->slot[k] - 1;
        k = (k + 1) & h->mask;
    }
    return UI_THREAD_NONE;
}

/* The parent named by In-Reply-To, else by the last known References id. */
static size_t
thread_find_parent(const struct thread_hash *h, struct mail_envelope *const *envs, size_t i)
{
    const struct mail_envelope *e = envs[i];
    size_t p = UI_THREAD_NONE;
    if (e->in_reply_to != NULL)
        p = thread_hash_find(h, envs, e->in_reply_to, strlen(e->in_reply_to));
    if (p != UI_THREAD_NONE && p != i)
        return p;
    const char *r = e->references;
    size_t end = r != NULL ? strlen(r) : 0;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && r[start - 1] != ' ')
            start--;
        p = thread_hash_find(h, envs, r + start, end - start);
        if (p != UI_THREAD_NONE && p != i)
            return p;
        end = start > 0 ? start - 1 : 0;
    }
    return UI_THREAD_NONE;
}

static size_t
thread_uf_find(size_t *uf, size_t x)
{
    size_t root = x;
    while (uf[root] != root)
        root = uf[root];
    while (uf[x] != root) { /* path compression */
        size_t next = uf[x];
        uf[x] = root;
        x = next;
    }
    return root;
}

/* Link parents (refusing cycles) and build child lists in date order. */
static void
thread_link(struct ui_thread_view *v, struct mail_envelope *const *envs,
            const struct thread_key *keys, size_t *first, size_t *next)
{
    size_t n = v->n;
    size_t *uf = xreallocarray(NULL, n, sizeof *uf);
    size_t *last = xreallocarray(NULL, n, sizeof *last);
    struct thread_hash h;
    thread_hash_init(&h, envs, n);
    for (size_t i = 0; i < n; i++)
        uf[i] = i;
    for (size_t i = 0; i < n; i++) {
        size_t p = thread_find_parent(&h, envs, i);
        /* i is still a root; p below i would close a cycle */
        if (p == UI_THREAD_NONE || thread_uf_find(uf, p) == i)
            continue;
        v->parent[i] = p;
        uf[i] = thread_uf_find(uf, p);
    }
    for (size_t i = 0; i < n; i++)
        first[i] = next[i] = last[i] = UI_THREAD_NONE;
    for (size_t k = 0; k < n; k++) {
        size_t i = keys[k].idx, p = v->parent[i];
        if (p == UI_THREAD_NONE)
            continue;
        if (last[p] == UI_THREAD_NONE)
            first[p] = i;
        else
            next[last[p]] = i;
        last[p] = i;
    }
    free(h.slot);
    free(last);
    free(uf);
}

/* Pre-order walk of root's subtree without recursion. */
static size_t
thread_walk(struct ui_thread_view *v, size_t root, const size_t *first, const size_t *next,
            size_t out)
{
    size_t node = root;
    v->depth[root] = 0;
    for (;;) {
        v->order[out++] = node;
        if (first[node] != UI_THREAD_NONE) {
            size_t c = first[node];
            v->depth[c] = v->depth[node] + 1;
            node = c;
            continue;
        }
        while (node != root && next[node] == UI_THREAD_NONE)
            node = v->parent[node];
        if (node == root)
            return out;
        v->depth[next[node]] = v->depth[node];
        node = next[node];
    }
}

static void
thread_build_tree(struct ui_thread_view *v, struct mail_envelope *const *envs,
                  const struct thread_key *keys, bool newest_first)
{
    size_t n = v->n, out = 0;
    size_t *first = xreallocarray(NULL, n, sizeof *first);
    size_t *next = xreallocarray(NULL, n, sizeof *next);
    thread_link(v, envs, keys, first, next);
    for (size_t i = 0; i < n; i++)
        v->more[i] = next[i] != UI_THREAD_NONE;
    for (size_t k = 0; k < n; k++) {
        size_t i = keys[newest_first ? n - 1 - k : k].idx;
        if (v->parent[i] == UI_THREAD_NONE)
            out = thread_walk(v, i, first, next, out);
    }
    free(next);
    free(first);
}

struct ui_thread_view *
ui_thread_build(struct mail_envelope *const *envs, size_t n, bool threads, bool newest_first)
{
    struct ui_thread_view *v = xcalloc(1, sizeof *v);
    size_t cap = n > 0 ? n : 1;
    v->n = n;
    v->threaded = threads;
    v->order = xreallocarray(NULL, cap, sizeof *v->order);
    v->pos = xreallocarray(NULL, cap, sizeof *v->pos);
    v->parent = xreallocarray(NULL, cap, sizeof *v->parent);
    v->depth = xcalloc(cap, sizeof *v->depth);
    v->more = xcalloc(cap, 1);

    struct thread_key *keys = xreallocarray(NULL, cap, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[i].date = envs[i]->date;
        keys[i].idx = i;
        v->parent[i] = UI_THREAD_NONE;
    }
    thread_sort_keys(keys, n);
    if (threads) {
        thread_build_tree(v, envs, keys, newest_first);
    } else {
        for (size_t k = 0; k < n; k++)
            v->order[k] = keys[newest_first ? n - 1 - k : k].idx;
    }
    for (size_t k = 0; k < n; k++)
        v->pos[v->order[k]] = k;
    free(keys);
    return v;
}

void
ui_thread_free(struct ui_thread_view *v)
{
    if (v == NULL)
        return;
    free(v->order);
    free(v->pos);
    free(v->parent);
    free(v->depth);
    free(v->more);
    free(v);
}

size_t
ui_thread_prefix(const struct ui_thread_view *v, size_t idx, char *buf, size_t size)
{
    /* pieces[k] is the column for the ancestor k levels above idx */
    const char *pieces[UI_THREAD_MAX_DRAWN_DEPTH];
    size_t len = 0, np = 0;
    if (size == 0)
        return 0;
    buf[0] = '\0';
    if (!v->threaded || idx >= v->n || v->depth[idx] == 0)
        return 0;
    unsigned depth = v->depth[idx];
    pieces[np++] = v->more[idx] ? "├─>" : "└─>";
    for (size_t a = v->parent[idx];
         a != UI_THREAD_NONE && v->depth[a] > 0 && np < UI_THREAD_MAX_DRAWN_DEPTH - 1;
         a = v->parent[a])
        pieces[np++] = v->more[a] ? "│ " : "  ";
    if (depth > np)
        pieces[np++] = "…";
    while (np > 0) {
        const char *p = pieces[--np];
        size_t pl = strlen(p);
        if (len + pl + 1 > size)
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    buf[len] = '\0';
    return len;
}
