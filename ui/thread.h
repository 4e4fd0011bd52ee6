/*
 * thread.h - the order of the index: by date, flat or threaded.
 *
 * A pure function of the envelopes (no curses, no I/O), unit-tested in
 * tests/ui/test-thread.c.  Threading is the simple kind: a message's parent
 * is the message named by In-Reply-To, else by the last References id that
 * is in the folder; missing parents make roots (no dummy messages); a
 * parent that would close a cycle is ignored.  Children follow in date
 * order; threads are ordered by the date of their root.
 */
#ifndef NIXIE_UI_THREAD_H
#define NIXIE_UI_THREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/message.h"

#define UI_THREAD_NONE ((size_t)-1)
/* Deeper levels are drawn as one "…" in the tree prefix. */
#define UI_THREAD_MAX_DRAWN_DEPTH 12

struct ui_thread_view {
    size_t n;
    size_t *order;       /* view position -> envelope index */
    size_t *pos;         /* envelope index -> view position */
    size_t *parent;      /* by envelope index; UI_THREAD_NONE for roots */
    unsigned *depth;     /* by envelope index; 0 when flat */
    unsigned char *more; /* by envelope index: a later sibling follows */
    bool threaded;
};

/* Build the view of envs[0..n) (NULL entries are not allowed).  Aborts only
 * on OOM (the arrays are n-sized and n is bounded by the folder listing). */
struct ui_thread_view *ui_thread_build(struct mail_envelope *const *envs, size_t n, bool threads,
                                       bool newest_first);
void ui_thread_free(struct ui_thread_view *v);

/* Tree prefix of envelope idx ("├─>", "│ └─>", ...) into buf (UTF-8,
 * NUL-terminated); "" at depth 0.  Returns its length in bytes. */
size_t ui_thread_prefix(const struct ui_thread_view *v, size_t idx, char *buf, size_t size);

#endif
