/*
 * hcache.c - the header cache in LMDB (see hcache.h).
 *
 * Layout: one LMDB environment in the cache directory, one unnamed DB.
 * Key: FNV-1a 64 of the folder's path (8 bytes) + the message's unique
 * name; values: version byte, size, date, tz, the envelope's strings, and
 * a 32-bit checksum.  A "\0version" key holds HCACHE_FORMAT; another
 * format drops the whole DB.
 *
 * Validation: we do NOT stat() a message whose name is cached.  A Maildir
 * unique name is never reused and a delivered file is never rewritten (only
 * its ":2," flags change, and flags are not cached), so the name alone says
 * the entry is current; this is what lets a warm 100k folder open without
 * 100k stat() calls.  (The backend also compares a ",S=<size>" in the name
 * with the cached size.)  A damaged value fails its checksum: a miss.
 *
 * Corruption: an environment LMDB refuses (bad magic, version) or whose
 * file is shorter than its last page (LMDB would fault reading past EOF) is
 * deleted and created again; if that fails too there is no cache.
 */
#include "mail/hcache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "mail/base/hash.h"
#include "mail/base/log.h"
#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#define HCACHE_FORMAT "nixie-hcache-2"
#define HCACHE_VALUE_VERSION 1
#define HCACHE_MAPSIZE ((size_t)1 << 30) /* sparse: only used pages take disk */
#define HCACHE_MAX_UNIQ 400              /* LMDB keys are at most 511 bytes */
#define HCACHE_RELEASE_EVERY 1024        /* entries read between madvise() calls */

struct hcache {
    MDB_env *env;
    MDB_dbi dbi;
    char *dir;
};

struct hcache_read {
    struct hcache *hc;
    MDB_txn *txn;
    uint64_t folder;
};

static uint64_t
hcache_fnv64(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* Checksum of a value: catches damage, not attacks (the cache is ours). */
static uint32_t
hcache_sum(const unsigned char *s, size_t n)
{
    return (uint32_t)hash_bytes(s, n, 0x9e3779b97f4a7c15ULL);
}

/* key buffer: 8 bytes of folder hash + uniq; returns its length or 0 */
static size_t
hcache_key(char *buf, uint64_t folder, const char *uniq, size_t ulen)
{
    if (ulen == 0 || ulen > HCACHE_MAX_UNIQ)
        return 0;
    memcpy(buf, &folder, 8);
    memcpy(buf + 8, uniq, ulen);
    return 8 + ulen;
}

/* ---- opening ---- */

static void
hcache_remove_files(const char *dir)
{
    char *d = xasprintf("%s/data.mdb", dir), *l = xasprintf("%s/lock.mdb", dir);
    unlink(d);
    unlink(l);
    free(d);
    free(l);
}

/* LMDB maps the file and trusts it: refuse a file shorter than the pages
 * its meta page claims, which would fault on access. */
static int
hcache_sane(MDB_env *env, const char *dir)
{
    MDB_envinfo info;
    MDB_stat st;
    struct stat sb;
    char *d = xasprintf("%s/data.mdb", dir);
    int rc = stat(d, &sb);
    free(d);
    if (rc < 0 || mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0)
        return -1;
    return (uint64_t)(info.me_last_pgno + 1) * st.ms_psize <= (uint64_t)sb.st_size ? 0 : -1;
}

/* Check the format key; another format (or none in a non-empty DB) drops all. */
static int
hcache_check_format(struct hcache *hc)
{
    MDB_txn *txn;
    static char vkey[] = "\0version";
    MDB_val k = {sizeof vkey - 1, vkey}, v;
    if (mdb_txn_begin(hc->env, NULL, 0, &txn) != 0)
        return -1;
    int rc = mdb_dbi_open(txn, NULL, 0, &hc->dbi);
    if (rc == 0 && (mdb_get(txn, hc->dbi, &k, &v) != 0 || v.mv_size != strlen(HCACHE_FORMAT) ||
                    memcmp(v.mv_data, HCACHE_FORMAT, v.mv_size) != 0)) {
        v.mv_size = strlen(HCACHE_FORMAT);
        v.mv_data = (void *)HCACHE_FORMAT;
        rc = mdb_drop(txn, hc->dbi, 0);
        if (rc == 0)
            rc = mdb_put(txn, hc->dbi, &k, &v, 0);
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) == 0 ? 0 : -1;
}

static int
hcache_try_open(struct hcache *hc, struct nx_err *err)
{
    int rc = mdb_env_create(&hc->env);
    if (rc == 0)
        rc = mdb_env_set_mapsize(hc->env, HCACHE_MAPSIZE);
    /* a cache may lose its last writes in a crash, never its consistency */
    if (rc == 0)
        rc = mdb_env_open(hc->env, hc->dir, MDB_NOSYNC | MDB_NOTLS, 0600);
    if (rc == 0 && hcache_sane(hc->env, hc->dir) < 0)
        rc = MDB_CORRUPTED;
    if (rc == 0 && hcache_check_format(hc) < 0)
        rc = MDB_CORRUPTED;
    if (rc != 0) {
        nx_err_set(err, NX_ERR_IO, "header cache %s: %s", hc->dir, mdb_strerror(rc));
        if (hc->env)
            mdb_env_close(hc->env);
        hc->env = NULL;
        return -1;
    }
    return 0;
}

struct hcache *
hcache_open(const char *dir, struct nx_err *err)
{
    if (dir == NULL || dir[0] == '\0') {
        nx_err_set(err, NX_ERR_CONFIG, "no header cache directory");
        return NULL;
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        nx_err_sys(err, errno, "cannot create header cache directory %s", dir);
        return NULL;
    }
    struct hcache *hc = xcalloc(1, sizeof *hc);
    hc->dir = xstrdup(dir);
    if (hcache_try_open(hc, err) < 0) {
        log_debug("rebuilding header cache %s: %s", dir, err ? err->what : "");
        hcache_remove_files(dir);
        if (hcache_try_open(hc, err) < 0) {
            hcache_free(hc);
            return NULL;
        }
    }
    return hc;
}

void
hcache_free(struct hcache *hc)
{
    if (hc == NULL)
        return;
    if (hc->env)
        mdb_env_close(hc->env);
    free(hc->dir);
    free(hc);
}

/* ---- values ---- */

static void
hcache_encode(struct strbuf *sb, const struct mail_envelope *env)
{
    const char *s[MAIL_ENV_NSTR];
    uint8_t ver = HCACHE_VALUE_VERSION;
    uint64_t size = env->size;
    int64_t date = (int64_t)env->date;
    int32_t tz = env->tz_offset;
    strbuf_add(sb, (const char *)&ver, 1);
    strbuf_add(sb, (const char *)&size, 8);
    strbuf_add(sb, (const char *)&date, 8);
    strbuf_add(sb, (const char *)&tz, 4);
    mail_envelope_strings(env, s);
    for (int i = 1; i < MAIL_ENV_NSTR; i++) { /* not the key: it holds flags */
        uint32_t n = s[i] ? (uint32_t)strlen(s[i]) + 1 : 0;
        strbuf_add(sb, (const char *)&n, 4);
        if (n > 0)
            strbuf_add(sb, s[i], n - 1);
    }
    uint32_t sum = hcache_sum((const unsigned char *)sb->buf, sb->len);
    strbuf_add(sb, (const char *)&sum, 4);
}

static struct mail_envelope *
hcache_decode(const unsigned char *p, size_t n, const char *key)
{
    const char *s[MAIL_ENV_NSTR] = {NULL};
    size_t len[MAIL_ENV_NSTR] = {0};
    struct mail_envelope sc = {0};
    uint32_t sum;
    uint64_t size;
    int64_t date;
    int32_t tz;
    if (n < 1 + 8 + 8 + 4 + 4 || p[0] != HCACHE_VALUE_VERSION)
        return NULL;
    memcpy(&sum, p + n - 4, 4);
    if (sum != hcache_sum(p, n - 4))
        return NULL; /* damaged: a miss */
    memcpy(&size, p + 1, 8);
    memcpy(&date, p + 9, 8);
    memcpy(&tz, p + 17, 4);
    size_t off = 21, end = n - 4;
    for (int i = 1; i < MAIL_ENV_NSTR; i++) {
        uint32_t l;
        if (end - off < 4)
            return NULL;
        memcpy(&l, p + off, 4);
        off += 4;
        if (l == 0)
            continue;
        if (l - 1 > end - off)
            return NULL;
        s[i] = (const char *)p + off;
        len[i] = l - 1;
        if (memchr(s[i], '\0', len[i]) != NULL)
            return NULL;
        off += l - 1;
    }
    if (off != end)
        return NULL;
    if (key != NULL) {
        s[0] = key;
        len[0] = strlen(key);
    }
    sc.size = size;
    sc.date = (time_t)date;
    sc.tz_offset = tz;
    return mail_envelope_from_strings(s, len, &sc);
}

/* ---- reading ---- */

struct hcache_read *
hcache_read_begin(struct hcache *hc, const char *folder)
{
    MDB_txn *txn;
    if (hc == NULL || hc->env == NULL || mdb_txn_begin(hc->env, NULL, MDB_RDONLY, &txn) != 0)
        return NULL;
    struct hcache_read *r = xcalloc(1, sizeof *r);
    r->hc = hc;
    r->txn = txn;
    r->folder = hcache_fnv64(folder, strlen(folder));
    return r;
}

struct mail_envelope *
hcache_get(struct hcache_read *r, const char *uniq, size_t ulen, const char *key)
{
    char kbuf[8 + HCACHE_MAX_UNIQ];
    MDB_val k, v;
    if (r == NULL || (k.mv_size = hcache_key(kbuf, r->folder, uniq, ulen)) == 0)
        return NULL;
    k.mv_data = kbuf;
    if (mdb_get(r->txn, r->hc->dbi, &k, &v) != 0)
        return NULL;
    return hcache_decode(v.mv_data, v.mv_size, key);
}

/* Pages of the map that a read transaction has handed out since the last
 * release: every key and value LMDB returns points into its read-only
 * mapping of data.mdb, so [lo, hi) lies inside that one mapping. */
struct hcache_span {
    uintptr_t lo, hi;
};

static void
hcache_span_add(struct hcache_span *sp, const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p, b = a + n;
    if (sp->hi == 0 || a < sp->lo)
        sp->lo = a;
    if (b > sp->hi)
        sp->hi = b;
}

/* Drop our page-table entries for the span: on a read-only MAP_SHARED file
 * mapping MADV_DONTNEED leaves the data in the page cache, so touching a
 * page again is a minor fault.  Without it every page of a 100k folder's
 * entries stays resident (and counts in our RSS) after the listing. */
static void
hcache_release(struct hcache_span *sp)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = sp->lo & ~(page - 1);
    uintptr_t hi = sp->hi & ~(page - 1); /* keep the partial last page: still in use */
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    sp->lo = sp->hi = 0;
}

struct hcache_entry {
    const unsigned char *p; /* the value in the map */
    size_t n;
};

struct mail_envelope *
hcache_entry_envelope(const struct hcache_entry *e, const char *key)
{
    return hcache_decode(e->p, e->n, key);
}

void
hcache_get_all(struct hcache_read *r, hcache_visit_fn *visit, void *arg)
{
    MDB_cursor *c;
    char prefix[8];
    struct hcache_span span = {0, 0};
    size_t seen = 0;
    if (r == NULL || mdb_cursor_open(r->txn, r->hc->dbi, &c) != 0)
        return;
    memcpy(prefix, &r->folder, 8);
    MDB_val k = {8, prefix}, v;
    /* one pass in key order: the folder's keys share the 8-byte prefix */
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= 8 || memcmp(k.mv_data, prefix, 8) != 0)
            break;
        struct hcache_entry e = {v.mv_data, v.mv_size};
        visit(arg, (const char *)k.mv_data + 8, k.mv_size - 8, &e);
        hcache_span_add(&span, k.mv_data, k.mv_size);
        hcache_span_add(&span, v.mv_data, v.mv_size);
        if (++seen % HCACHE_RELEASE_EVERY == 0)
            hcache_release(&span);
    }
    hcache_release(&span);
    mdb_cursor_close(c);
}

void
hcache_read_end(struct hcache_read *r)
{
    if (r == NULL)
        return;
    mdb_txn_abort(r->txn);
    free(r);
}

/* ---- writing ---- */

int
hcache_put_many(struct hcache *hc, const char *folder, const char *const *uniqs,
                const size_t *ulens, struct mail_envelope *const *envs, size_t n)
{
    MDB_txn *txn;
    if (hc == NULL || hc->env == NULL || mdb_txn_begin(hc->env, NULL, 0, &txn) != 0)
        return -1;
    uint64_t fh = hcache_fnv64(folder, strlen(folder));
    struct strbuf sb = STRBUF_INIT;
    char kbuf[8 + HCACHE_MAX_UNIQ];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        MDB_val k = {hcache_key(kbuf, fh, uniqs[i], ulens[i]), kbuf}, v;
        if (k.mv_size == 0)
            continue;
        strbuf_reset(&sb);
        hcache_encode(&sb, envs[i]);
        v.mv_size = sb.len;
        v.mv_data = sb.buf;
        rc = mdb_put(txn, hc->dbi, &k, &v, 0);
    }
    strbuf_free(&sb);
    if (rc != 0) { /* MDB_MAP_FULL and friends: the cache just stays colder */
        log_debug("header cache: %s", mdb_strerror(rc));
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) == 0 ? 0 : -1;
}

int
hcache_del_many(struct hcache *hc, const char *folder, const char *const *uniqs,
                const size_t *ulens, size_t n)
{
    MDB_txn *txn;
    if (hc == NULL || hc->env == NULL || n == 0 || mdb_txn_begin(hc->env, NULL, 0, &txn) != 0)
        return n == 0 ? 0 : -1;
    uint64_t fh = hcache_fnv64(folder, strlen(folder));
    char kbuf[8 + HCACHE_MAX_UNIQ];
    int rc = 0;
    for (size_t i = 0; i < n && (rc == 0 || rc == MDB_NOTFOUND); i++) {
        MDB_val k = {hcache_key(kbuf, fh, uniqs[i], ulens[i]), kbuf};
        rc = k.mv_size == 0 ? 0 : mdb_del(txn, hc->dbi, &k, NULL);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) == 0 ? 0 : -1;
}

int
hcache_del(struct hcache *hc, const char *folder, const char *uniq, size_t ulen)
{
    return hcache_del_many(hc, folder, &uniq, &ulen, 1);
}
