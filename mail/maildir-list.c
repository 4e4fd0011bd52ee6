/*
 * maildir-list.c - listing a Maildir folder's envelopes: header cache
 * first, then the head of every uncached file, parsed on all cores.
 *
 * Phases: (1) for every name, a cache hit becomes an envelope (one LMDB
 * read transaction, this thread only); (2) the misses are read and parsed
 * by this thread and up to MAILDIR_MAX_WORKERS-1 helper threads taking
 * chunks of MAILDIR_CHUNK names from a shared counter; only this thread
 * calls the progress callback, and a cancel stops the helpers at their
 * next chunk; (3) the new envelopes go to the cache in one transaction.
 * Parsing is a pure function of the bytes (mail_envelope_parse_key): the
 * helpers share nothing but the read-only name list, their own output
 * slots and two atomic counters.
 * Does not: change the mailbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/hash.h"
#include "mail/base/log.h"
#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/maildir-private.h"
#include "mail/message-private.h"

#define MAILDIR_HEAD_READ 4096        /* first read: most header blocks fit */
#define MAILDIR_HEAD_MAX (256 * 1024) /* never read more for an envelope */
#define MAILDIR_PROGRESS_EVERY 1000
#define MAILDIR_CHUNK 128
#define MAILDIR_MAX_WORKERS 4
#define MAILDIR_PARALLEL_MIN 1000 /* fewer misses: not worth a thread */

/* Size from a ",S=<n>" in the unique part of a name (Dovecot and our own
 * appends write it), so neither listing nor the cache needs a stat(). */
static bool
maildir_name_size(const char *name, size_t ulen, uint64_t *size)
{
    for (size_t i = 0; i + 3 < ulen; i++) {
        if (name[i] != ',' || name[i + 1] != 'S' || name[i + 2] != '=')
            continue;
        uint64_t v = 0;
        size_t j = i + 3;
        for (; j < ulen && name[j] >= '0' && name[j] <= '9' && v < UINT64_MAX / 10; j++)
            v = v * 10 + (uint64_t)(name[j] - '0');
        if (j > i + 3 && (j == ulen || name[j] == ',')) {
            *size = v;
            return true;
        }
    }
    return false;
}

/* "new/NAME" or "cur/NAME", truncated to size (snprintf was a visible
 * part of a warm open) */
static void
maildir_key(char *key, size_t size, const char *name, bool in_new)
{
    size_t n = strlen(name);
    if (n > size - 5)
        n = size - 5;
    memcpy(key, in_new ? "new/" : "cur/", 4);
    memcpy(key + 4, name, n);
    key[4 + n] = '\0';
}

/* An envelope's flags come from its file name, not from the cache. */
static unsigned
maildir_env_flags(const struct maildir_names *nm, size_t i)
{
    return maildir_flags_from_name(nm->v[i]) | (nm->in_new[i] ? MAIL_FLAG_RECENT : 0);
}

/* Envelope from the head of a file: only the header block is read. */
static struct mail_envelope *
maildir_read_envelope(int dirfd, const char *name, bool in_new, char **buf, size_t *cap)
{
    char key[4096];
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint64_t size;
    if (fd < 0)
        return NULL; /* vanished since readdir: skip */
    if (!maildir_name_size(name, maildir_uniq_len(name), &size)) {
        if (fstat(fd, &st) < 0) {
            close(fd);
            return NULL;
        }
        size = (uint64_t)st.st_size;
    }
    size_t got = 0, want = MAILDIR_HEAD_READ;
    for (;;) {
        if (*cap < want)
            *buf = xrealloc(*buf, *cap = want);
        ssize_t r = read(fd, *buf + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got < want && got == size)
            break; /* a short read that ends where the size says: EOF, no read() for 0 */
        if (got < want)
            continue; /* short read: keep going until EOF or full */
        size_t hlen, body;
        mail_hdr_split(*buf, got, &hlen, &body);
        if (body < got || want >= MAILDIR_HEAD_MAX)
            break; /* header complete, or as much as we ever read */
        want *= 2;
    }
    close(fd);
    maildir_key(key, sizeof key, name, in_new);
    struct mail_envelope *env = mail_envelope_parse_key(*buf, got, key, NULL);
    if (env != NULL)
        env->size = size;
    return env;
}

/* ---- phase 2: parsing the misses, possibly in parallel ---- */

struct maildir_work {
    const struct maildir_names *nm; /* read-only while workers run */
    const int *dirfd;
    const size_t *todo; /* indexes into nm */
    size_t ntodo;
    struct mail_envelope **slot; /* slot[nm index]; each written by one thread */
    atomic_size_t next;          /* next chunk to take */
    atomic_size_t done;
    atomic_bool stop;
};

/* Parse one chunk; false when there is no work left. */
static bool
maildir_work_chunk(struct maildir_work *w, char **buf, size_t *cap)
{
    if (atomic_load(&w->stop))
        return false;
    size_t start = atomic_fetch_add(&w->next, MAILDIR_CHUNK);
    if (start >= w->ntodo)
        return false;
    size_t end = start + MAILDIR_CHUNK < w->ntodo ? start + MAILDIR_CHUNK : w->ntodo;
    for (size_t k = start; k < end; k++) {
        size_t i = w->todo[k];
        bool in_new = w->nm->in_new[i];
        w->slot[i] = maildir_read_envelope(w->dirfd[in_new], w->nm->v[i], in_new, buf, cap);
    }
    atomic_fetch_add(&w->done, end - start);
    return true;
}

static void *
maildir_worker(void *arg)
{
    char *buf = NULL;
    size_t cap = 0;
    while (maildir_work_chunk(arg, &buf, &cap))
        ;
    free(buf);
    return NULL;
}

static int
maildir_parse_misses(struct maildir_work *w, size_t hits, const struct mail_progress *pr)
{
    pthread_t tid[MAILDIR_MAX_WORKERS];
    size_t nthreads = 0, reported = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (w->ntodo >= MAILDIR_PARALLEL_MIN)
        for (long c = 1; c < cpus && nthreads < MAILDIR_MAX_WORKERS - 1; c++)
            if (pthread_create(&tid[nthreads], NULL, maildir_worker, w) == 0)
                nthreads++;
    char *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    while (maildir_work_chunk(w, &buf, &cap)) {
        size_t done = hits + atomic_load(&w->done);
        if (pr && pr->fn && done / MAILDIR_PROGRESS_EVERY > reported) {
            reported = done / MAILDIR_PROGRESS_EVERY;
            if (pr->fn(pr->arg, done, w->nm->n) != 0) {
                atomic_store(&w->stop, true);
                rc = -1;
            }
        }
    }
    free(buf);
    for (size_t t = 0; t < nthreads; t++)
        pthread_join(tid[t], NULL);
    return rc;
}

/* ---- the listing ---- */

static void
maildir_close_dirs(int dirfd[2])
{
    for (int i = 0; i < 2; i++)
        if (dirfd[i] >= 0)
            close(dirfd[i]);
}

/* Phase 1: unique name -> name index, open addressing.  A table entry
 * keeps the high half of the hash so a probe rarely touches a name. */
struct maildir_uniq_ent {
    uint32_t idx1; /* name index + 1; 0 = empty */
    uint32_t hash; /* high bits of the hash, low bit: the name is in new/ */
};

struct maildir_uniq_map {
    const struct maildir_names *nm;
    struct mail_envelope **slot;
    struct maildir_uniq_ent *tab;
    size_t mask;
    char key[4096]; /* the key handed to hcache_get_all */
    /* cached names no longer in the folder (deleted or moved by another
     * program): dropped after the read, so the cache does not only grow */
    struct strbuf stale;
    size_t nstale;
};

#define MAILDIR_MAX_PRUNE 100000 /* per listing; the rest goes next time */

static uint64_t
maildir_uniq_hash(const char *s, size_t n)
{
    return hash_bytes(s, n, 0xcbf29ce484222325ULL);
}

static void
maildir_uniq_map_init(struct maildir_uniq_map *m, const struct maildir_names *nm)
{
    size_t cap = 16;
    while (cap < nm->n * 2)
        cap *= 2;
    m->nm = nm;
    m->tab = xcalloc(cap, sizeof *m->tab);
    m->mask = cap - 1;
    for (size_t i = 0; i < nm->n; i++) {
        uint64_t h = maildir_uniq_hash(nm->v[i], maildir_uniq_len(nm->v[i]));
        size_t k = h & m->mask;
        while (m->tab[k].idx1 != 0)
            k = (k + 1) & m->mask; /* a repeated name (new/ and cur/) is a miss later */
        m->tab[k].idx1 = (uint32_t)(i + 1);
        m->tab[k].hash = ((uint32_t)(h >> 32) & ~1u) | nm->in_new[i];
    }
}

/* A cached entry: the envelope of the listed name it belongs to, checked
 * against a ",S=" size in the name, with the name's flags.  Done here,
 * while the name and the new envelope are in the CPU cache. */
static void
maildir_uniq_visit(void *arg, const char *uniq, size_t ulen, const struct hcache_entry *e)
{
    struct maildir_uniq_map *m = arg;
    uint64_t h = maildir_uniq_hash(uniq, ulen);
    /* each cached name comes once: the first listed name that matches wins
     * (a second file with the same unique name stays a miss) */
    for (size_t k = h & m->mask; m->tab[k].idx1 != 0; k = (k + 1) & m->mask) {
        if ((m->tab[k].hash & ~1u) != ((uint32_t)(h >> 32) & ~1u))
            continue;
        size_t i = m->tab[k].idx1 - 1;
        const char *name = m->nm->v[i];
        if (strncmp(name, uniq, ulen) != 0 || maildir_uniq_len(name) != ulen)
            continue;
        maildir_key(m->key, sizeof m->key, name, m->tab[k].hash & 1u);
        struct mail_envelope *env = hcache_entry_envelope(e, m->key);
        uint64_t size;
        if (env != NULL && maildir_name_size(name, ulen, &size) && size != env->size) {
            mail_envelope_free(env); /* the name says another size: not what we cached */
            env = NULL;
        }
        if (env != NULL)
            env->flags = maildir_env_flags(m->nm, i);
        m->slot[i] = env;
        return;
    }
    if (m->nstale < MAILDIR_MAX_PRUNE && memchr(uniq, '\0', ulen) == NULL) {
        strbuf_add(&m->stale, uniq, ulen);
        strbuf_addc(&m->stale, '\0');
        m->nstale++;
    }
}

/* Drop the stale entries maildir_uniq_visit collected, in one transaction. */
static void
maildir_cache_prune(struct maildir_folder *f, struct maildir_uniq_map *m)
{
    if (m->nstale == 0)
        return; /* the usual case: nothing to allocate on a folder's open */
    const char **uniqs = xcalloc(m->nstale, sizeof *uniqs);
    size_t *ulens = xcalloc(m->nstale, sizeof *ulens);
    const char *p = m->stale.buf;
    for (size_t i = 0; i < m->nstale; i++) {
        uniqs[i] = p;
        ulens[i] = strlen(p);
        p += ulens[i] + 1;
    }
    if (hcache_del_many(f->st->hc, f->path, uniqs, ulens, m->nstale) < 0)
        log_debug("header cache: could not drop %zu stale entries", m->nstale);
    free(ulens);
    free(uniqs);
    strbuf_free(&m->stale);
}

/* Phase 1: cache hits into slots; misses into todo.  Returns the hits. */
static size_t
maildir_from_cache(struct maildir_folder *f, const struct maildir_names *nm,
                   struct mail_envelope **slot, size_t *todo, size_t *ntodo)
{
    struct hcache_read *r = f->st->hc ? hcache_read_begin(f->st->hc, f->path) : NULL;
    struct maildir_uniq_map *m = NULL;
    size_t hits = 0;
    *ntodo = 0;
    if (r != NULL && nm->n < UINT32_MAX) {
        m = xcalloc(1, sizeof *m);
        maildir_uniq_map_init(m, nm);
        m->slot = slot;
        hcache_get_all(r, maildir_uniq_visit, m);
    }
    hcache_read_end(r); /* before writing: LMDB allows one transaction per thread */
    if (m != NULL) {
        maildir_cache_prune(f, m);
        free(m->tab);
        free(m);
    }
    for (size_t i = 0; i < nm->n; i++) {
        if (slot[i] != NULL)
            hits++;
        else
            todo[(*ntodo)++] = i;
    }
    return hits;
}

/* Phase 3: store the parsed misses in one transaction. */
static void
maildir_cache_misses(struct maildir_folder *f, const struct maildir_names *nm,
                     struct mail_envelope **slot, const size_t *todo, size_t ntodo)
{
    if (f->st->hc == NULL || ntodo == 0)
        return;
    const char **uniqs = xcalloc(ntodo, sizeof *uniqs);
    size_t *ulens = xcalloc(ntodo, sizeof *ulens);
    struct mail_envelope **envs = xcalloc(ntodo, sizeof *envs);
    size_t n = 0;
    for (size_t k = 0; k < ntodo; k++) {
        if (slot[todo[k]] == NULL)
            continue; /* vanished */
        uniqs[n] = nm->v[todo[k]];
        ulens[n] = maildir_uniq_len(uniqs[n]);
        envs[n++] = slot[todo[k]];
    }
    if (hcache_put_many(f->st->hc, f->path, uniqs, ulens, envs, n) < 0)
        log_debug("header cache: could not store %zu entries", n);
    free(envs);
    free(ulens);
    free(uniqs);
}

int
maildir_list_envelopes(void *fpriv, const struct mail_progress *progress,
                       struct mail_envelope ***out, size_t *n, struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    struct maildir_names nm;
    struct timespec mnew, mcur;
    *out = NULL;
    *n = 0;
    if (maildir_scan_both(f, &nm, &mnew, &mcur, err) < 0)
        return -1;
    struct mail_envelope **slot = xcalloc(nm.n ? nm.n : 1, sizeof *slot);
    size_t *todo = xcalloc(nm.n ? nm.n : 1, sizeof *todo), ntodo;
    size_t hits = maildir_from_cache(f, &nm, slot, todo, &ntodo);

    /* openat() on the two directories saves a path walk per file */
    char *dcur = xasprintf("%s/cur", f->path), *dnew = xasprintf("%s/new", f->path);
    int dirfd[2] = {open(dcur, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                    open(dnew, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    free(dcur);
    free(dnew);
    struct maildir_work w = {.nm = &nm, .dirfd = dirfd, .todo = todo, .ntodo = ntodo, .slot = slot};
    int rc = maildir_parse_misses(&w, hits, progress);
    maildir_close_dirs(dirfd);
    if (rc < 0) {
        nx_err_set(err, NX_ERR_CANCEL, "listing %s cancelled", f->path);
        mail_envelopes_free(slot, nm.n);
        free(todo);
        maildir_names_free(&nm);
        return -1;
    }
    if (progress && progress->fn)
        progress->fn(progress->arg, nm.n, nm.n);
    maildir_cache_misses(f, &nm, slot, todo, ntodo);
    for (size_t k = 0; k < ntodo; k++) /* the hits have their flags */
        if (slot[todo[k]] != NULL)
            slot[todo[k]]->flags = maildir_env_flags(&nm, todo[k]);
    size_t count = 0; /* compact: files that vanished leave holes */
    for (size_t i = 0; i < nm.n; i++)
        if (slot[i] != NULL)
            slot[count++] = slot[i];
    maildir_seen_free(f);
    f->pending = nm; /* the folder keeps the names for check() */
    f->has_pending = true;
    f->mtime_new = mnew;
    f->mtime_cur = mcur;
    free(todo);
    *out = slot;
    *n = count;
    return 0;
}
