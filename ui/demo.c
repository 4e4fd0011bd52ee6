/*
 * demo.c - a private, writable copy of the bundled demo Maildir.
 *
 * Owns: finding the demo (env, source tree, installed data), copying it into
 * a mkdtemp() directory and removing that copy.  Does not: read or change
 * messages (mail/ does, on the copy).
 * Invariants: the source is only ever opened for reading; symbolic links are
 * never followed (lstat, O_NOFOLLOW) so the copy cannot escape or loop; every
 * folder of the copy has cur/, new/ and tmp/ (git drops empty directories).
 * A folder is the top directory, a ".Name" directory directly inside it
 * (Maildir++), or any directory that already holds cur/, new/ or tmp/.
 */
#include "ui/demo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/xalloc.h"

#include "nixie-config.h"

#define DEMO_MAX_DEPTH 8
#define DEMO_PREFIX "nixie-demo-"

static bool
demo_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the demo Maildir is; NULL with err set if nowhere. */
static const char *
demo_source(struct nx_err *err)
{
    const char *env = getenv("NIXIE_DEMO_DIR");
    if (env != NULL && env[0] != '\0') {
        if (demo_is_dir(env))
            return env;
        nx_err_set(err, NX_ERR_NOTFOUND, "NIXIE_DEMO_DIR=%s is not a directory", env);
        return NULL;
    }
    if (demo_is_dir(NIXIE_SRCDIR "/tests/fixtures/demo"))
        return NIXIE_SRCDIR "/tests/fixtures/demo";
    if (demo_is_dir(NIXIE_DATADIR "/demo"))
        return NIXIE_DATADIR "/demo";
    nx_err_set(err, NX_ERR_NOTFOUND, "the demo mailbox is not installed (looked in %s and %s)",
               NIXIE_SRCDIR "/tests/fixtures/demo", NIXIE_DATADIR "/demo");
    nx_err_hint(err, "set NIXIE_DEMO_DIR to a Maildir to copy");
    return NULL;
}

static int
demo_copy_file(const char *from, const char *to, const struct stat *st, struct nx_err *err)
{
    char buf[16384];
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return nx_err_sys(err, errno, "cannot read %s", from);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        nx_err_sys(err, errno, "cannot create %s", to);
        close(in);
        return -1;
    }
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            nx_err_sys(err, errno, "cannot read %s", from);
            goto fail;
        }
        ssize_t w = write(out, buf, (size_t)n);
        if (w != n) {
            nx_err_sys(err, w < 0 ? errno : EIO, "cannot write %s", to);
            goto fail;
        }
    }
    /* keep the times: a Maildir reader may show or sort by them */
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    futimens(out, times);
    if (close(out) < 0) {
        out = -1;
        nx_err_sys(err, errno, "cannot write %s", to);
        goto fail;
    }
    close(in);
    return 0;
fail:
    if (out >= 0)
        close(out);
    close(in);
    return -1;
}

static int
demo_mkdir(const char *path, struct nx_err *err)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return nx_err_sys(err, errno, "cannot create %s", path);
    return 0;
}

static bool
demo_is_maildir_sub(const char *name)
{
    return strcmp(name, "cur") == 0 || strcmp(name, "new") == 0 || strcmp(name, "tmp") == 0;
}

static int demo_copy_dir(const char *from, const char *to, unsigned depth, struct nx_err *err);

/* Copy one directory entry; sets *sub if it is cur, new or tmp. */
static int
demo_copy_entry(const char *from, const char *to, const char *name, unsigned depth, bool *sub,
                struct nx_err *err)
{
    struct stat st;
    int ret = 0;
    char *src = xasprintf("%s/%s", from, name);
    char *dst = xasprintf("%s/%s", to, name);
    if (lstat(src, &st) < 0) {
        ret = nx_err_sys(err, errno, "cannot read %s", src);
    } else if (S_ISDIR(st.st_mode)) {
        *sub = *sub || demo_is_maildir_sub(name);
        ret = demo_copy_dir(src, dst, depth + 1, err);
    } else if (S_ISREG(st.st_mode) && strcmp(name, ".gitkeep") != 0) {
        ret = demo_copy_file(src, dst, &st, err);
    } /* symbolic links and special files are skipped */
    free(src);
    free(dst);
    return ret;
}

static int
demo_copy_dir(const char *from, const char *to, unsigned depth, struct nx_err *err)
{
    if (depth > DEMO_MAX_DEPTH)
        return nx_err_set(err, NX_ERR_LIMIT, "%s: folders nested too deep", from);
    if (depth > 0 && demo_mkdir(to, err) < 0)
        return -1;
    DIR *dir = opendir(from);
    if (dir == NULL)
        return nx_err_sys(err, errno, "cannot read %s", from);
    bool has_sub = false;
    int ret = 0;
    struct dirent *de;
    while (ret == 0 && (de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            ret = demo_copy_entry(from, to, de->d_name, depth, &has_sub, err);
    }
    closedir(dir);
    const char *base = strrchr(to, '/');
    base = base != NULL ? base + 1 : to;
    bool folder = depth == 0 || has_sub || (depth == 1 && base[0] == '.');
    if (ret == 0 && folder && !demo_is_maildir_sub(base)) {
        static const char *const subs[] = {"cur", "new", "tmp"};
        for (size_t i = 0; ret == 0 && i < 3; i++) {
            char *p = xasprintf("%s/%s", to, subs[i]);
            ret = demo_mkdir(p, err);
            free(p);
        }
    }
    return ret;
}

int
demo_prepare(char **maildir_out, struct nx_err *err)
{
    *maildir_out = NULL;
    const char *src = demo_source(err);
    if (src == NULL)
        return -1;
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    char *dir = xasprintf("%s/" DEMO_PREFIX "XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        nx_err_sys(err, errno, "cannot create a directory in %s", tmp);
        nx_err_hint(err, "set TMPDIR to a writable directory");
        free(dir);
        return -1;
    }
    if (demo_copy_dir(src, dir, 0, err) < 0) {
        demo_cleanup(dir);
        free(dir);
        return -1;
    }
    *maildir_out = dir;
    return 0;
}

static int
demo_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path); /* best effort: go on with the rest */
    return 0;
}

void
demo_cleanup(const char *dir)
{
    if (dir == NULL)
        return;
    const char *base = strrchr(dir, '/');
    base = base != NULL ? base + 1 : dir;
    if (strncmp(base, DEMO_PREFIX, strlen(DEMO_PREFIX)) != 0)
        return; /* not ours: never remove an arbitrary tree */
    nftw(dir, demo_remove, 16, FTW_DEPTH | FTW_PHYS);
}
