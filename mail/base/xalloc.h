/*
 * xalloc.h - allocation wrappers for small internal allocations.
 *
 * These abort with a message on OOM (like tmux's xmalloc).  Do NOT use them
 * for sizes derived from untrusted input: check and bound those, then use
 * plain malloc and report NX_ERR_NOMEM / NX_ERR_LIMIT instead.
 */
#ifndef NIXIE_BASE_XALLOC_H
#define NIXIE_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* realloc for n elements of size bytes, aborting on overflow */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* NULL-tolerant: returns NULL for NULL */
char *xstrdup0(const char *s);
char *xstrndup(const char *s, size_t n);
/* malloc'd printf */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
