/* err.c - filling struct nx_err; see err.h for the contract. */
#include "mail/base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void __attribute__((format(printf, 3, 0)))
nx_err_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (n < 0)
        buf[0] = '\0';
}

int
nx_err_set(struct nx_err *err, enum nx_errcode code, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    nx_err_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    nx_err_vformat(err->what, sizeof err->what, fmt, ap);
    va_end(ap);
    return -1;
}

int
nx_err_sys(struct nx_err *err, int errnum, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    nx_err_clear(err);
    err->code = NX_ERR_IO;
    err->sys_errno = errnum;
    va_list ap;
    va_start(ap, fmt);
    nx_err_vformat(err->what, sizeof err->what, fmt, ap);
    va_end(ap);
    size_t len = strlen(err->what);
    snprintf(err->what + len, sizeof err->what - len, ": %s", strerror(errnum));
    return -1;
}

void
nx_err_hint(struct nx_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    nx_err_vformat(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

void
nx_err_peer(struct nx_err *err, const char *text, size_t len)
{
    if (err == NULL)
        return;
    if (len >= sizeof err->peer)
        len = sizeof err->peer - 1;
    memcpy(err->peer, text, len);
    err->peer[len] = '\0';
}

void
nx_err_clear(struct nx_err *err)
{
    if (err == NULL)
        return;
    err->code = NX_OK;
    err->sys_errno = 0;
    err->what[0] = err->hint[0] = err->peer[0] = '\0';
}
