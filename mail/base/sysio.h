/*
 * sysio.h - the system calls that change mailboxes, routed through one place
 * so tests can make the N-th call fail (fault injection, as SQLite's ioerr
 * tests do) and check that no message is lost or duplicated.
 *
 * mail/ uses these instead of open/write/fsync/rename/link/unlink for every
 * write to a mailbox.  They behave exactly like the libc calls (errno set
 * on failure) unless a fault is armed.
 */
#ifndef NIXIE_BASE_SYSIO_H
#define NIXIE_BASE_SYSIO_H

#include <stddef.h>
#include <sys/types.h>

int sysio_open(const char *path, int flags, mode_t mode);
ssize_t sysio_write(int fd, const void *buf, size_t len);
/* write all of buf, retrying on EINTR and short writes; 0 or -1 */
int sysio_write_all(int fd, const void *buf, size_t len);
int sysio_fsync(int fd);
int sysio_close(int fd);
int sysio_rename(const char *from, const char *to);
int sysio_link(const char *from, const char *to);
int sysio_unlink(const char *path);
int sysio_mkdir(const char *path, mode_t mode);
/* fsync the directory holding path (makes a rename durable) */
int sysio_fsync_dir(const char *path);

/* Test hook: make the n-th (1-based) call from now of any function above
 * fail with errno `err`; 0 disarms.  Returns the number of calls made since
 * the last arm (so a test can learn how many calls an operation makes). */
void sysio_fault_arm(unsigned long n, int err);
unsigned long sysio_fault_calls(void);

#endif
