/*
 * maildir.c - the Maildir backend (mail_maildir_ops): opening a store,
 * listing Maildir++ folders, listing envelopes (through the header cache),
 * fetching, and check() for outside changes (listing: maildir-list.c).
 *
 * Owns: store/folder state (maildir-private.h) and the read paths.
 * Does not: change mailboxes (maildir-write.c does, through base/sysio).
 * Invariants: reads never modify a mailbox; a file that vanishes or is
 * unreadable while listing is skipped, never fatal; a corrupt file still
 * lists with a best-effort envelope.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/log.h"
#include "mail/base/xalloc.h"

#include "mail/maildir-private.h"
#include "mail/message-private.h"

/* ---- names and flags ---- */

static const struct {
    char letter;
    unsigned flag;
} maildir_letters[] = {
    /* ASCII order, as the Maildir spec wants them written */
    {'D', MAIL_FLAG_DRAFT},   {'F', MAIL_FLAG_FLAGGED}, {'P', MAIL_FLAG_PASSED},
    {'R', MAIL_FLAG_REPLIED}, {'S', MAIL_FLAG_SEEN},    {'T', MAIL_FLAG_TRASHED},
};
#define MAILDIR_NLETTERS (sizeof maildir_letters / sizeof maildir_letters[0])

static const char *
maildir_info(const char *name)
{
    const char *p = strstr(name, ":2,");
    return p ? p + 3 : NULL;
}

size_t
maildir_uniq_len(const char *name)
{
    const char *p = strstr(name, ":2,");
    return p ? (size_t)(p - name) : strlen(name);
}

unsigned
maildir_flags_from_name(const char *name)
{
    const char *info = maildir_info(name);
    unsigned flags = 0;
    for (; info && *info; info++)
        for (size_t i = 0; i < MAILDIR_NLETTERS; i++)
            if (*info == maildir_letters[i].letter)
                flags |= maildir_letters[i].flag;
    return flags;
}

static bool
maildir_known_letter(char c)
{
    for (size_t i = 0; i < MAILDIR_NLETTERS; i++)
        if (c == maildir_letters[i].letter)
            return true;
    return false;
}

char *
maildir_name_with_flags(const char *uniq, size_t ulen, const char *old_info, unsigned flags)
{
    char letters[128];
    size_t n = 0;
    /* known flags from `flags`, unknown letters (lowercase Dovecot keywords,
     * other clients' flags) kept; all in ASCII order */
    for (int c = 33; c < 127 && n < sizeof letters - 1; c++) {
        bool on = false;
        if (maildir_known_letter((char)c)) {
            for (size_t i = 0; i < MAILDIR_NLETTERS; i++)
                if (maildir_letters[i].letter == c)
                    on = (flags & maildir_letters[i].flag) != 0;
        } else {
            on = old_info != NULL && c != ',' && c != '/' && strchr(old_info, c) != NULL;
        }
        if (on)
            letters[n++] = (char)c;
    }
    letters[n] = '\0';
    return xasprintf("%.*s:2,%s", (int)ulen, uniq, letters);
}

/* ---- store ---- */

int
maildir_check_dir(const char *dir, const char *what, struct nx_err *err)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        int e = errno;
        nx_err_sys(err, e, "cannot open %s %s", what, dir);
        nx_err_hint(err, "check the maildir key in your config");
        if (err != NULL && e == ENOENT)
            err->code = NX_ERR_NOTFOUND; /* callers may offer to create it */
        return -1;
    }
    char *cur = xasprintf("%s/cur", dir), *new = xasprintf("%s/new", dir);
    bool ok = S_ISDIR(st.st_mode) && stat(cur, &st) == 0 && S_ISDIR(st.st_mode) &&
              stat(new, &st) == 0 && S_ISDIR(st.st_mode);
    free(cur);
    free(new);
    if (!ok) {
        nx_err_set(err, NX_ERR_NOTFOUND, "%s is not a Maildir (no cur/ or new/)", dir);
        nx_err_hint(err, "check the maildir key in your config");
        return -1;
    }
    return 0;
}

static int
maildir_store_open(const char *location, const struct mail_store_options *opts, void **priv,
                   struct nx_err *err)
{
    if (location == NULL || location[0] == '\0') {
        nx_err_set(err, NX_ERR_CONFIG, "no Maildir location given");
        nx_err_hint(err, "set the maildir key in your config");
        return -1;
    }
    if (maildir_check_dir(location, "Maildir", err) < 0)
        return -1;
    struct maildir_store *st = xcalloc(1, sizeof *st);
    st->root = xstrdup(location);
    size_t n = strlen(st->root);
    while (n > 1 && st->root[n - 1] == '/')
        st->root[--n] = '\0';
    if (opts != NULL && opts->hcache_path != NULL) {
        struct nx_err herr = {0};
        st->hc = hcache_open(opts->hcache_path, &herr);
        if (st->hc == NULL) /* not fatal: work without a cache */
            log_debug("header cache disabled: %s", herr.what);
    }
    *priv = st;
    return 0;
}

static void
maildir_store_free(void *priv)
{
    struct maildir_store *st = priv;
    if (st == NULL)
        return;
    hcache_free(st->hc);
    free(st->root);
    free(st);
}

char *
maildir_folder_path(const struct maildir_store *st, const char *name, struct nx_err *err)
{
    if (name == NULL || strcmp(name, "INBOX") == 0 || name[0] == '\0')
        return xstrdup(st->root);
    /* Maildir++ names are one directory level: no "/", no "." components */
    if (strchr(name, '/') != NULL || name[0] == '.' || strstr(name, "..") != NULL) {
        nx_err_set(err, NX_ERR_PARSE, "invalid folder name \"%s\"", name);
        nx_err_hint(err, "folder names have no \"/\" and do not start with \".\"");
        return NULL;
    }
    return xasprintf("%s/.%s", st->root, name);
}

/* ---- folders ---- */

/* Count messages and unread ones (new/ is unread; cur/ without S). */
static void
maildir_count(const char *dir, size_t *total, size_t *unread)
{
    static const char *const subs[] = {"new", "cur"};
    *total = *unread = 0;
    for (int i = 0; i < 2; i++) {
        char *d = xasprintf("%s/%s", dir, subs[i]);
        DIR *dp = opendir(d);
        free(d);
        if (dp == NULL)
            continue;
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            (*total)++;
            if (i == 0 || !(maildir_flags_from_name(de->d_name) & MAIL_FLAG_SEEN))
                (*unread)++;
        }
        closedir(dp);
    }
}

static int
maildir_folder_cmp(const void *a, const void *b)
{
    const struct mail_folder_info *x = a, *y = b;
    if (strcmp(x->name, "INBOX") == 0)
        return -1;
    if (strcmp(y->name, "INBOX") == 0)
        return 1;
    return strcmp(x->name, y->name);
}

static void
maildir_add_info(struct mail_folder_info **v, size_t *n, const char *name, const char *dir)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[*n].name = xstrdup(name);
    maildir_count(dir, &(*v)[*n].total, &(*v)[*n].unread);
    (*n)++;
}

static int
maildir_list_folders(void *priv, struct mail_folder_info **out, size_t *n, struct nx_err *err)
{
    struct maildir_store *st = priv;
    DIR *dp = opendir(st->root);
    if (dp == NULL) {
        nx_err_sys(err, errno, "cannot read Maildir %s", st->root);
        return -1;
    }
    struct mail_folder_info *v = NULL;
    size_t count = 0;
    maildir_add_info(&v, &count, "INBOX", st->root);
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        const char *d = de->d_name;
        if (d[0] != '.' || d[1] == '\0' || (d[1] == '.' && d[2] == '\0'))
            continue;
        char *path = xasprintf("%s/%s", st->root, d);
        char *cur = xasprintf("%s/cur", path);
        struct stat sb;
        if (stat(cur, &sb) == 0 && S_ISDIR(sb.st_mode)) /* a Maildir++ folder */
            maildir_add_info(&v, &count, d + 1, path);
        free(cur);
        free(path);
    }
    closedir(dp);
    qsort(v, count, sizeof *v, maildir_folder_cmp);
    *out = v;
    *n = count;
    return 0;
}

static int
maildir_folder_open(void *priv, const char *name, void **fpriv, struct nx_err *err)
{
    struct maildir_store *st = priv;
    char *path = maildir_folder_path(st, name, err);
    if (path == NULL)
        return -1;
    if (maildir_check_dir(path, "folder", err) < 0) {
        free(path);
        return -1;
    }
    struct maildir_folder *f = xcalloc(1, sizeof *f);
    f->st = st;
    f->path = path;
    *fpriv = f;
    return 0;
}

static void maildir_seen_ready(struct maildir_folder *f);

void
maildir_seen_free(struct maildir_folder *f)
{
    for (size_t i = 0; i < f->nseen; i++)
        free(f->seen[i].uniq);
    free(f->seen);
    f->seen = NULL;
    f->nseen = 0;
    if (f->has_pending)
        maildir_names_free(&f->pending);
    f->has_pending = false;
}

static void
maildir_folder_free(void *fpriv)
{
    struct maildir_folder *f = fpriv;
    if (f == NULL)
        return;
    maildir_seen_free(f);
    free(f->path);
    free(f);
}

void
maildir_seen_note(struct maildir_folder *f, const char *name, bool in_new, bool gone)
{
    maildir_seen_ready(f);
    size_t ulen = maildir_uniq_len(name), lo = 0, hi = f->nseen;
    while (lo < hi) { /* binary search on the sorted unique names */
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(f->seen[mid].uniq, name, ulen);
        if (c == 0 && f->seen[mid].uniq[ulen] != '\0')
            c = 1;
        if (c == 0) {
            lo = mid;
            break;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    bool found = lo < f->nseen && strncmp(f->seen[lo].uniq, name, ulen) == 0 &&
                 f->seen[lo].uniq[ulen] == '\0';
    if (!found)
        return; /* not listed yet: check() will report it, rightly */
    if (gone) {
        free(f->seen[lo].uniq);
        memmove(&f->seen[lo], &f->seen[lo + 1], (f->nseen - lo - 1) * sizeof *f->seen);
        f->nseen--;
        return;
    }
    f->seen[lo].flags = maildir_flags_from_name(name);
    f->seen[lo].in_new = in_new;
}

/* ---- scanning ---- */

#define MAILDIR_NAME_BLOCK 65536

struct maildir_name_block {
    struct maildir_name_block *next;
    size_t used, cap;
    char data[];
};

void
maildir_names_free(struct maildir_names *nm)
{
    while (nm->blocks != NULL) {
        struct maildir_name_block *b = nm->blocks;
        nm->blocks = b->next;
        free(b);
    }
    free(nm->v);
    free(nm->in_new);
}

/* A copy of name in nm's blocks. */
static char *
maildir_names_copy(struct maildir_names *nm, const char *name)
{
    size_t len = strlen(name) + 1;
    struct maildir_name_block *b = nm->blocks;
    if (b == NULL || b->cap - b->used < len) {
        size_t cap = len > MAILDIR_NAME_BLOCK ? len : MAILDIR_NAME_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->next = nm->blocks;
        b->used = 0;
        b->cap = cap;
        nm->blocks = b;
    }
    char *p = b->data + b->used;
    memcpy(p, name, len);
    b->used += len;
    return p;
}

static int
maildir_scan(const char *folder, bool in_new, struct maildir_names *nm, struct timespec *mtime,
             struct nx_err *err)
{
    char *dir = xasprintf("%s/%s", folder, in_new ? "new" : "cur");
    DIR *dp = opendir(dir);
    struct stat st;
    if (dp == NULL || fstat(dirfd(dp), &st) < 0) {
        nx_err_sys(err, errno, "cannot read %s", dir);
        if (dp)
            closedir(dp);
        free(dir);
        return -1;
    }
    *mtime = st.st_mtim;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (nm->n == nm->cap) {
            nm->cap = nm->cap ? nm->cap * 2 : 256;
            nm->v = xreallocarray(nm->v, nm->cap, sizeof *nm->v);
            nm->in_new = xreallocarray(nm->in_new, nm->cap, sizeof *nm->in_new);
        }
        nm->v[nm->n] = maildir_names_copy(nm, de->d_name);
        nm->in_new[nm->n++] = in_new;
    }
    closedir(dp);
    free(dir);
    return 0;
}

int
maildir_scan_both(struct maildir_folder *f, struct maildir_names *nm, struct timespec *mnew,
                  struct timespec *mcur, struct nx_err *err)
{
    memset(nm, 0, sizeof *nm);
    if (maildir_scan(f->path, true, nm, mnew, err) < 0 ||
        maildir_scan(f->path, false, nm, mcur, err) < 0) {
        maildir_names_free(nm);
        return -1;
    }
    return 0;
}

static int
maildir_seen_cmp(const void *a, const void *b)
{
    return strcmp(((const struct maildir_seen *)a)->uniq, ((const struct maildir_seen *)b)->uniq);
}

/* The names as a sorted seen-set (check() diffs two of them). */
static struct maildir_seen *
maildir_seen_build(const struct maildir_names *nm)
{
    struct maildir_seen *s = xcalloc(nm->n ? nm->n : 1, sizeof *s);
    for (size_t i = 0; i < nm->n; i++) {
        s[i].uniq = xstrndup(nm->v[i], maildir_uniq_len(nm->v[i]));
        s[i].flags = maildir_flags_from_name(nm->v[i]);
        s[i].in_new = nm->in_new[i];
    }
    qsort(s, nm->n, sizeof *s, maildir_seen_cmp);
    return s;
}

static void
maildir_seen_ready(struct maildir_folder *f)
{
    if (!f->has_pending)
        return;
    f->seen = maildir_seen_build(&f->pending);
    f->nseen = f->pending.n;
    maildir_names_free(&f->pending);
    f->has_pending = false;
}

/* ---- listing ---- */

/* ---- fetch ---- */

int
maildir_locate(const struct maildir_folder *f, const char *key, char **path, char **newkey,
               struct nx_err *err)
{
    struct stat st;
    *path = NULL;
    *newkey = NULL;
    if (key == NULL || (strncmp(key, "new/", 4) != 0 && strncmp(key, "cur/", 4) != 0) ||
        strchr(key + 4, '/') != NULL) {
        return nx_err_set(err, NX_ERR_NOTFOUND, "invalid Maildir message key \"%s\"",
                          key ? key : "(null)");
    }
    char *p = xasprintf("%s/%s", f->path, key);
    if (stat(p, &st) == 0) {
        *path = p;
        *newkey = xstrdup(key);
        return 0;
    }
    free(p);
    /* another client changed its flags or moved it new -> cur: find the
     * same unique name (Maildir names change only after ":2,") */
    const char *name = key + 4;
    size_t ulen = maildir_uniq_len(name);
    static const char *const subs[] = {"cur", "new"};
    for (int i = 0; i < 2; i++) {
        char *dir = xasprintf("%s/%s", f->path, subs[i]);
        DIR *dp = opendir(dir);
        free(dir);
        struct dirent *de;
        while (dp != NULL && (de = readdir(dp)) != NULL) {
            if (maildir_uniq_len(de->d_name) == ulen && strncmp(de->d_name, name, ulen) == 0) {
                *path = xasprintf("%s/%s/%s", f->path, subs[i], de->d_name);
                *newkey = xasprintf("%s/%s", subs[i], de->d_name);
                closedir(dp);
                return 0;
            }
        }
        if (dp != NULL)
            closedir(dp);
    }
    return nx_err_set(err, NX_ERR_NOTFOUND, "message %s is no longer in %s", key, f->path);
}

static int
maildir_fetch(void *fpriv, const struct mail_envelope *env, struct mail_message **out,
              struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    char *path, *key;
    *out = NULL;
    if (maildir_locate(f, env->key, &path, &key, err) < 0)
        return -1;
    struct mail_message *msg = mail_message_load(path, err);
    if (msg == NULL && err != NULL && err->code == NX_ERR_PARSE) {
        /* an empty file is still a message the user can see and delete */
        msg = mail_message_parse("\n", 1, err);
    }
    if (msg != NULL)
        mail_message_set_meta(msg, key,
                              maildir_flags_from_name(key + 4) |
                                  (strncmp(key, "new/", 4) == 0 ? MAIL_FLAG_RECENT : 0));
    free(path);
    free(key);
    *out = msg;
    return msg ? 0 : -1;
}

/* ---- check ---- */

static bool
maildir_ts_eq(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static void
maildir_diff(const struct maildir_seen *a, size_t na, const struct maildir_seen *b, size_t nb,
             struct mail_folder_changes *c)
{
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i].uniq, b[j].uniq);
        if (cmp < 0) {
            c->removed++, i++;
        } else if (cmp > 0) {
            c->added++, j++;
        } else {
            if (a[i].flags != b[j].flags || a[i].in_new != b[j].in_new)
                c->flags_changed++;
            i++, j++;
        }
    }
}

static int
maildir_check(void *fpriv, struct mail_folder_changes *changes, struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    struct stat sn, sc;
    *changes = (struct mail_folder_changes){0};
    char *dn = xasprintf("%s/new", f->path), *dc = xasprintf("%s/cur", f->path);
    int rn = stat(dn, &sn), rc = stat(dc, &sc);
    free(dn);
    free(dc);
    if (rn < 0 || rc < 0)
        return nx_err_sys(err, errno, "cannot check %s", f->path);
    /* Adding, removing or renaming a file changes its directory's mtime:
     * unchanged mtimes mean nothing to do without reading a directory. */
    if (maildir_ts_eq(sn.st_mtim, f->mtime_new) && maildir_ts_eq(sc.st_mtim, f->mtime_cur))
        return 0;
    maildir_seen_ready(f);
    struct maildir_names nm;
    struct timespec mnew, mcur;
    if (maildir_scan_both(f, &nm, &mnew, &mcur, err) < 0)
        return -1;
    struct maildir_seen *now = maildir_seen_build(&nm);
    maildir_diff(f->seen, f->nseen, now, nm.n, changes);
    maildir_seen_free(f);
    f->seen = now;
    f->nseen = nm.n;
    f->mtime_new = mnew;
    f->mtime_cur = mcur;
    maildir_names_free(&nm);
    return 0;
}

static int
maildir_poll_fd(void *priv)
{
    return -1; /* Maildir has nothing to poll: the UI calls check() on a timer */
}

const struct mail_backend_ops mail_maildir_ops = {
    .name = "maildir",
    .store_open = maildir_store_open,
    .store_free = maildir_store_free,
    .list_folders = maildir_list_folders,
    .folder_open = maildir_folder_open,
    .folder_free = maildir_folder_free,
    .list_envelopes = maildir_list_envelopes,
    .fetch = maildir_fetch,
    .set_flags = maildir_set_flags,
    .move = maildir_move,
    .remove = maildir_remove,
    .append = maildir_append,
    .create_folder = maildir_create_folder,
    .check = maildir_check,
    .poll_fd = maildir_poll_fd,
};
