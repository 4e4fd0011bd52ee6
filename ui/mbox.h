/*
 * mbox.h - the open folder as the index sees it: envelopes, the view order
 * (ui/thread.h), the cursor and the counts for the status bar.
 *
 * No curses here: the ui hands in a progress callback.  Positions are view
 * positions (what the index shows on row `pos`), not envelope indexes.
 */
#ifndef NIXIE_UI_MBOX_H
#define NIXIE_UI_MBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/err.h"

#include "mail/backend.h"

#include "ui/thread.h"

struct ui_mbox {
    struct mail_folder *folder;  /* owned */
    char *name;                  /* owned */
    struct mail_envelope **envs; /* owned */
    size_t n;
    struct ui_thread_view *view; /* owned; never NULL */
    size_t cur;                  /* cursor (view position); 0 when empty */
    size_t nunread, ndeleted, nflagged;
    bool threads, newest_first; /* how the view is ordered */
    unsigned long gen;          /* bumped when the view changes (not for flags) */
};

/* Open folder `name` of st and list it (progress may be NULL). */
struct ui_mbox *ui_mbox_open(struct mail_store *st, const char *name,
                             const struct mail_progress *progress, struct nx_err *err);
void ui_mbox_free(struct ui_mbox *mb);

/* Rebuild the view (sort or threading changed), keeping the cursor on the
 * same message. */
void ui_mbox_sort(struct ui_mbox *mb, bool threads, bool newest_first);

/* Envelope at view position pos, or NULL if out of range. */
struct mail_envelope *ui_mbox_at(const struct ui_mbox *mb, size_t pos);

/* Set the flags of the message at pos through the backend; counts follow. */
int ui_mbox_set_flags(struct ui_mbox *mb, size_t pos, unsigned flags, struct nx_err *err);

/* Move the message at pos to folder dest; it leaves the view. */
int ui_mbox_move(struct ui_mbox *mb, size_t pos, const char *dest, struct nx_err *err);

/* Remove every message marked deleted (T), or move it to folder `trash`
 * (NULL: remove for good; in the trash folder itself messages are removed).
 * *removed counts those gone; on a failure the ones already gone stay gone
 * and the rest stay marked. */
int ui_mbox_expunge(struct ui_mbox *mb, const char *trash, size_t *removed, struct nx_err *err);

/* List the folder again (after check() saw changes), keeping the cursor on
 * the same message when it is still there.  On failure mb is unchanged. */
int ui_mbox_reload(struct ui_mbox *mb, const struct mail_progress *progress, struct nx_err *err);

/* First position >= from (dir > 0) or <= from (dir < 0) whose message
 * matches: unread_only, or not deleted.  UI_THREAD_NONE if none. */
size_t ui_mbox_find(const struct ui_mbox *mb, size_t from, int dir, bool unread_only);

#endif
