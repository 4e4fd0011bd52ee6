/*
 * err.h - the one error contract of nixie.
 *
 * Functions that can fail return int (0 on success, -1 on failure) or a
 * pointer (NULL on failure) and fill an optional, caller-owned struct nx_err.
 * `what` says what happened in nixie's words, `hint` what the user can do;
 * `peer` keeps a server's or program's own words verbatim, apart from ours
 * (the UI sanitises it before showing it).  Library code (mail/, render/,
 * keymaps/) never prints and never exits: it reports through nx_err.
 */
#ifndef NIXIE_BASE_ERR_H
#define NIXIE_BASE_ERR_H

#include <stddef.h>

enum nx_errcode {
    NX_OK = 0,
    NX_ERR_IO,       /* open/read/write/rename failed; errno in sys_errno */
    NX_ERR_NOTFOUND, /* a folder, file or message does not exist */
    NX_ERR_PARSE,    /* input is malformed (config syntax, broken message) */
    NX_ERR_LIMIT,    /* input exceeds a safety bound (size, depth, count) */
    NX_ERR_CONFIG,   /* configuration is inconsistent */
    NX_ERR_NOMEM,    /* an allocation sized by untrusted input failed */
    NX_ERR_PROTO,    /* a peer (server, external program) failed */
    NX_ERR_CANCEL,   /* the user cancelled a long operation */
    NX_ERR_INTERNAL,
};

struct nx_err {
    enum nx_errcode code;
    int sys_errno;
    char what[256];
    char hint[160];
    char peer[256];
};

/* Set code and a printf-style `what`; clears hint and peer.  err may be NULL.
 * Always returns -1 so callers can `return nx_err_set(...)`. */
int nx_err_set(struct nx_err *err, enum nx_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like nx_err_set with code NX_ERR_IO, appending ": strerror(errnum)". */
int nx_err_sys(struct nx_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set the hint (what the user can do).  err may be NULL. */
void nx_err_hint(struct nx_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keep a peer's own words (server reply, program stderr). err may be NULL. */
void nx_err_peer(struct nx_err *err, const char *text, size_t len);

void nx_err_clear(struct nx_err *err);

#endif
