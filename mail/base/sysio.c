/*
 * sysio.c - mailbox-changing system calls with a fault-injection hook.
 *
 * The fault counter is process state, but only tests arm it; it exists so
 * every failure path of an append, move or flag change can be exercised.
 */
#include "mail/base/sysio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/xalloc.h"

static unsigned long sysio_fail_at; /* 0: disarmed */
static int sysio_fail_errno;
static unsigned long sysio_calls;

static int
sysio_should_fail(void)
{
    sysio_calls++;
    if (sysio_fail_at != 0 && sysio_calls == sysio_fail_at) {
        errno = sysio_fail_errno;
        return 1;
    }
    return 0;
}

void
sysio_fault_arm(unsigned long n, int err)
{
    sysio_fail_at = n;
    sysio_fail_errno = err ? err : EIO;
    sysio_calls = 0;
}

unsigned long
sysio_fault_calls(void)
{
    return sysio_calls;
}

int
sysio_open(const char *path, int flags, mode_t mode)
{
    if (sysio_should_fail())
        return -1;
    return open(path, flags | O_CLOEXEC, mode);
}

ssize_t
sysio_write(int fd, const void *buf, size_t len)
{
    if (sysio_should_fail())
        return -1;
    return write(fd, buf, len);
}

int
sysio_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = sysio_write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int
sysio_fsync(int fd)
{
    if (sysio_should_fail())
        return -1;
    return fsync(fd);
}

int
sysio_close(int fd)
{
    if (sysio_should_fail()) {
        int e = errno;
        close(fd); /* never leak the descriptor, even when failing */
        errno = e;
        return -1;
    }
    return close(fd);
}

int
sysio_rename(const char *from, const char *to)
{
    if (sysio_should_fail())
        return -1;
    return rename(from, to);
}

int
sysio_link(const char *from, const char *to)
{
    if (sysio_should_fail())
        return -1;
    return link(from, to);
}

int
sysio_unlink(const char *path)
{
    if (sysio_should_fail())
        return -1;
    return unlink(path);
}

int
sysio_mkdir(const char *path, mode_t mode)
{
    if (sysio_should_fail())
        return -1;
    return mkdir(path, mode);
}

int
sysio_fsync_dir(const char *path)
{
    if (sysio_should_fail())
        return -1;
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}
