/*
 * maildir-write.c - the Maildir operations that change a mailbox: flags,
 * move, remove and append.  Every mailbox-writing system call goes through
 * base/sysio so tests can fail each one in turn.
 *
 * Invariant: a message exists exactly once after every step, whether the
 * step fails or not.  Flags and moves within one file system are a single
 * rename(2) (atomic: the old name or the new one, never both or neither).
 * Append writes tmp/, fsyncs, then link(2)s into new/ or cur/ (which never
 * overwrites) and unlinks the tmp/ name (Maildir spec, "delivery").  A
 * failing fsync of the directory after the message is in place is logged,
 * not reported: the operation has happened and must not be retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "mail/base/log.h"
#include "mail/base/strbuf.h"
#include "mail/base/sysio.h"
#include "mail/base/xalloc.h"

#include "mail/maildir-private.h"

static void
maildir_sync_dir(const char *path)
{
    if (sysio_fsync_dir(path) < 0)
        log_debug("fsync of the directory of %s failed: %s", path, strerror(errno));
}

static void
maildir_cache_forget(struct maildir_folder *f, const char *name)
{
    if (f->st->hc != NULL)
        hcache_del(f->st->hc, f->path, name, maildir_uniq_len(name));
}

int
maildir_set_flags(void *fpriv, struct mail_envelope *env, unsigned flags, struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    char *path, *key, *newpath = NULL, *newkey = NULL;
    if (maildir_locate(f, env->key, &path, &key, err) < 0)
        return -1;
    const char *name = key + 4;
    const char *info = strstr(name, ":2,");
    bool in_new = strncmp(key, "new/", 4) == 0;
    unsigned known = flags & ~(unsigned)MAIL_FLAG_RECENT;
    if (in_new && known == 0 && info == NULL) {
        newkey = xstrdup(key); /* nothing to store: stays in new/ */
    } else {
        /* a message with flags belongs in cur/ (Maildir spec: new/ holds
         * only messages no client has seen) */
        char *newname =
            maildir_name_with_flags(name, maildir_uniq_len(name), info ? info + 3 : NULL, known);
        newkey = xasprintf("cur/%s", newname);
        free(newname);
    }
    if (strcmp(newkey, key) != 0) {
        newpath = xasprintf("%s/%s", f->path, newkey);
        if (sysio_rename(path, newpath) < 0) {
            nx_err_sys(err, errno, "cannot change flags of %s", path);
            nx_err_hint(err, "the message is unchanged");
            goto fail;
        }
        maildir_sync_dir(newpath);
        if (in_new)
            maildir_sync_dir(path);
        maildir_seen_note(f, newkey + 4, strncmp(newkey, "new/", 4) == 0, false);
    }
    mail_envelope_set(env, &env->key, newkey);
    env->flags = known | (strncmp(newkey, "new/", 4) == 0 ? MAIL_FLAG_RECENT : 0);
    free(newpath);
    free(newkey);
    free(key);
    free(path);
    return 0;
fail:
    free(newpath);
    free(newkey);
    free(key);
    free(path);
    return -1;
}

/* ---- delivery into a folder ---- */

static unsigned maildir_counter; /* the "Q" part of unique names */

/* Maildir unique name: time.M<usec>P<pid>Q<n>.host,S=<size> (the spec's
 * time.pid_counter.host, with Dovecot's size so no stat is needed). */
static char *
maildir_unique_name(size_t size)
{
    char host[256] = "localhost";
    struct timeval tv;
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    gettimeofday(&tv, NULL);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%lld.M%06ldP%dQ%u.", (long long)tv.tv_sec, (long)tv.tv_usec, (int)getpid(),
                ++maildir_counter);
    for (const char *h = host; *h; h++) { /* the spec's escapes for / and : */
        if (*h == '/')
            strbuf_adds(&sb, "\\057");
        else if (*h == ':')
            strbuf_adds(&sb, "\\072");
        else
            strbuf_addc(&sb, *h);
    }
    strbuf_addf(&sb, ",S=%zu", size);
    return strbuf_detach(&sb, NULL);
}

/* Write data to dir/tmp/<unique>; *tmppath and *uniq malloc'd. */
static int
maildir_write_tmp(const char *dir, const char *data, size_t len, char **tmppath, char **uniq,
                  struct nx_err *err)
{
    int fd = -1;
    *tmppath = *uniq = NULL;
    for (int attempt = 0; attempt < 10 && fd < 0; attempt++) {
        free(*tmppath);
        free(*uniq);
        *uniq = maildir_unique_name(len);
        *tmppath = xasprintf("%s/tmp/%s", dir, *uniq);
        fd = sysio_open(*tmppath, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        nx_err_sys(err, errno, "cannot create %s", *tmppath);
        goto fail;
    }
    if (sysio_write_all(fd, data, len) < 0 || sysio_fsync(fd) < 0) {
        nx_err_sys(err, errno, "cannot write %s", *tmppath);
        sysio_close(fd);
        sysio_unlink(*tmppath);
        goto fail;
    }
    if (sysio_close(fd) < 0) {
        nx_err_sys(err, errno, "cannot write %s", *tmppath);
        sysio_unlink(*tmppath);
        goto fail;
    }
    return 0;
fail:
    free(*tmppath);
    free(*uniq);
    *tmppath = *uniq = NULL;
    return -1;
}

/* Deliver data into dir as sub/name (sub "new" or "cur"); 0 or -1. */
static int
maildir_deliver(const char *dir, const char *data, size_t len, unsigned known, char **key_out,
                struct nx_err *err)
{
    char *tmppath, *uniq;
    char tmpdir_path[4096];
    snprintf(tmpdir_path, sizeof tmpdir_path, "%s/tmp", dir);
    if (sysio_mkdir(tmpdir_path, 0700) < 0 && errno != EEXIST)
        return nx_err_sys(err, errno, "cannot create %s", tmpdir_path);
    if (maildir_write_tmp(dir, data, len, &tmppath, &uniq, err) < 0)
        return -1;
    char *name = known ? maildir_name_with_flags(uniq, strlen(uniq), NULL, known) : xstrdup(uniq);
    char *key = xasprintf("%s/%s", known ? "cur" : "new", name);
    char *dest = xasprintf("%s/%s", dir, key);
    int rc = sysio_link(tmppath, dest);
    if (rc < 0 && (errno == EPERM || errno == ENOSYS)) /* no hard links here */
        rc = sysio_rename(tmppath, dest);
    if (rc < 0) {
        nx_err_sys(err, errno, "cannot deliver %s into %s", tmppath, dest);
        nx_err_hint(err, "nothing was added to the folder");
        sysio_unlink(tmppath);
        goto fail;
    }
    if (access(tmppath, F_OK) == 0 && sysio_unlink(tmppath) < 0) /* a stale tmp link only */
        log_debug("cannot remove %s: %s", tmppath, strerror(errno));
    maildir_sync_dir(dest);
    if (key_out != NULL)
        *key_out = key, key = NULL;
    free(dest);
    free(key);
    free(name);
    free(tmppath);
    free(uniq);
    return 0;
fail:
    free(dest);
    free(key);
    free(name);
    free(tmppath);
    free(uniq);
    return -1;
}

int
maildir_append(void *priv, const char *folder, const char *data, size_t len, unsigned flags,
               char **key_out, struct nx_err *err)
{
    struct maildir_store *st = priv;
    if (key_out != NULL)
        *key_out = NULL;
    if (data == NULL || len > MAIL_MAX_MESSAGE_SIZE)
        return nx_err_set(err, NX_ERR_LIMIT, "message too large to append");
    char *dir = maildir_folder_path(st, folder, err);
    if (dir == NULL)
        return -1;
    int rc = -1;
    if (maildir_check_dir(dir, "folder", err) == 0)
        rc = maildir_deliver(dir, data, len, flags & ~(unsigned)MAIL_FLAG_RECENT, key_out, err);
    free(dir);
    return rc;
}

/* ---- remove and move ---- */

int
maildir_remove(void *fpriv, const struct mail_envelope *env, struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    char *path, *key;
    if (maildir_locate(f, env->key, &path, &key, err) < 0)
        return -1;
    int rc = sysio_unlink(path);
    if (rc < 0) {
        nx_err_sys(err, errno, "cannot remove %s", path);
        nx_err_hint(err, "the message is still in the folder");
    } else {
        maildir_sync_dir(path);
        maildir_cache_forget(f, key + 4);
        maildir_seen_note(f, key + 4, false, true);
    }
    free(key);
    free(path);
    return rc;
}

/* Across file systems rename(2) fails with EXDEV: copy into the destination
 * (a full delivery), then unlink the source; if that fails, take the copy
 * back so the message is not duplicated. */
static int
maildir_move_copy(const char *path, const char *key, const char *destdir, struct nx_err *err)
{
    struct mail_message *msg = mail_message_load(path, err);
    if (msg == NULL)
        return -1;
    size_t len;
    const char *data = mail_message_raw(msg, &len);
    char *newkey = NULL;
    int rc = maildir_deliver(destdir, data, len, maildir_flags_from_name(key + 4), &newkey, err);
    mail_message_free(msg);
    if (rc < 0)
        return -1;
    if (sysio_unlink(path) < 0) {
        int e = errno;
        char *copy = xasprintf("%s/%s", destdir, newkey);
        if (sysio_unlink(copy) < 0)
            nx_err_sys(err, e, "moved %s to %s but cannot remove the original", path, copy);
        else
            nx_err_sys(err, e, "cannot move %s: the original cannot be removed", path);
        nx_err_hint(err, "the message is still in its folder");
        free(copy);
        free(newkey);
        return -1;
    }
    maildir_sync_dir(path);
    free(newkey);
    return 0;
}

int
maildir_move(void *fpriv, const struct mail_envelope *env, const char *dest, struct nx_err *err)
{
    struct maildir_folder *f = fpriv;
    char *destdir = maildir_folder_path(f->st, dest, err), *path = NULL, *key = NULL;
    char *newpath = NULL;
    struct stat sb;
    int rc = -1;
    if (destdir == NULL || maildir_check_dir(destdir, "folder", err) < 0)
        goto out;
    if (maildir_locate(f, env->key, &path, &key, err) < 0)
        goto out;
    if (strcmp(destdir, f->path) == 0) {
        rc = 0; /* already there */
        goto out;
    }
    newpath = xasprintf("%s/%s", destdir, key);
    if (lstat(newpath, &sb) == 0) { /* rename would replace it: never lose a message */
        nx_err_set(err, NX_ERR_IO, "cannot move %s: %s already exists", path, newpath);
        goto out;
    }
    if (sysio_rename(path, newpath) == 0) {
        maildir_sync_dir(newpath);
        maildir_sync_dir(path);
        rc = 0;
    } else if (errno == EXDEV) {
        rc = maildir_move_copy(path, key, destdir, err);
    } else {
        nx_err_sys(err, errno, "cannot move %s to %s", path, destdir);
        nx_err_hint(err, "the message is still in its folder");
    }
    if (rc == 0) {
        maildir_cache_forget(f, key + 4);
        maildir_seen_note(f, key + 4, false, true);
    }
out:
    free(newpath);
    free(key);
    free(path);
    free(destdir);
    return rc;
}

/* ---- create ---- */

/* mkdir that counts an existing directory as done. */
static int
maildir_mkdir(const char *path, struct nx_err *err)
{
    struct stat sb;
    if (sysio_mkdir(path, 0700) == 0 ||
        (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return 0;
    nx_err_sys(err, errno, "cannot create %s", path);
    return -1;
}

/* A Maildir++ folder: .NAME with tmp/, new/, cur/ and the empty
 * "maildirfolder" marker that Courier and Dovecot write.  An existing folder
 * is left as it is; one a crash left half made is completed. */
int
maildir_create_folder(void *priv, const char *name, struct nx_err *err)
{
    struct maildir_store *st = priv;
    if (name == NULL || name[0] == '\0' || strcmp(name, "INBOX") == 0)
        return 0; /* the root always exists */
    char *dir = maildir_folder_path(st, name, err);
    if (dir == NULL)
        return -1;
    static const char *const sub[] = {"", "/tmp", "/new", "/cur"};
    int rc = 0;
    for (size_t i = 0; i < sizeof sub / sizeof sub[0] && rc == 0; i++) {
        char *path = xasprintf("%s%s", dir, sub[i]);
        rc = maildir_mkdir(path, err);
        free(path);
    }
    if (rc == 0) {
        char *mark = xasprintf("%s/maildirfolder", dir);
        int fd = sysio_open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            sysio_close(fd); /* only a hint for other programs: not fatal */
        free(mark);
        maildir_sync_dir(dir);
    }
    if (rc < 0)
        nx_err_hint(err, "check that %s is writable", st->root);
    free(dir);
    return rc;
}
