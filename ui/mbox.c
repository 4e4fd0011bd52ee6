/*
 * mbox.c - the open folder: envelopes, view, cursor, counts.
 *
 * Owns the folder handle and the envelopes listed from it.  Every change to
 * a message goes through the backend first and only then into this model,
 * so a failed write leaves the index showing what is on disk.  No curses.
 */
#include "ui/mbox.h"

#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

static void
mbox_count(struct ui_mbox *mb)
{
    mb->nunread = mb->ndeleted = mb->nflagged = 0;
    for (size_t i = 0; i < mb->n; i++) {
        unsigned f = mb->envs[i]->flags;
        mb->nunread += !(f & MAIL_FLAG_SEEN);
        mb->ndeleted += !!(f & MAIL_FLAG_TRASHED);
        mb->nflagged += !!(f & MAIL_FLAG_FLAGGED);
    }
}

struct ui_mbox *
ui_mbox_open(struct mail_store *st, const char *name, const struct mail_progress *progress,
             struct nx_err *err)
{
    struct ui_mbox *mb = xcalloc(1, sizeof *mb);
    mb->name = xstrdup(name);
    mb->folder = mail_folder_open(st, name, err);
    if (mb->folder == NULL)
        goto fail;
    if (mail_folder_list(mb->folder, progress, &mb->envs, &mb->n, err) < 0)
        goto fail;
    mb->view = ui_thread_build(mb->envs, mb->n, false, false);
    mbox_count(mb);
    return mb;
fail:
    ui_mbox_free(mb);
    return NULL;
}

void
ui_mbox_free(struct ui_mbox *mb)
{
    if (mb == NULL)
        return;
    ui_thread_free(mb->view);
    mail_envelopes_free(mb->envs, mb->n);
    mail_folder_free(mb->folder);
    free(mb->name);
    free(mb);
}

struct mail_envelope *
ui_mbox_at(const struct ui_mbox *mb, size_t pos)
{
    if (mb == NULL || pos >= mb->n)
        return NULL;
    return mb->envs[mb->view->order[pos]];
}

/* Rebuild the view; the cursor follows envelope `keep` (or stays in range). */
static void
mbox_rebuild(struct ui_mbox *mb, const struct mail_envelope *keep)
{
    ui_thread_free(mb->view);
    mb->view = ui_thread_build(mb->envs, mb->n, mb->threads, mb->newest_first);
    mb->gen++;
    size_t cur = mb->cur < mb->n ? mb->cur : (mb->n > 0 ? mb->n - 1 : 0);
    for (size_t i = 0; keep != NULL && i < mb->n; i++) {
        if (mb->envs[i] == keep) {
            cur = mb->view->pos[i];
            break;
        }
    }
    mb->cur = cur;
    mbox_count(mb);
}

void
ui_mbox_sort(struct ui_mbox *mb, bool threads, bool newest_first)
{
    if (mb->threads == threads && mb->newest_first == newest_first) {
        /* the view is already in this order (a rebuild would give the same
         * view and cursor): opening a folder used to sort it twice */
        mb->gen++;
        return;
    }
    mb->threads = threads;
    mb->newest_first = newest_first;
    mbox_rebuild(mb, ui_mbox_at(mb, mb->cur));
}

int
ui_mbox_set_flags(struct ui_mbox *mb, size_t pos, unsigned flags, struct nx_err *err)
{
    struct mail_envelope *env = ui_mbox_at(mb, pos);
    if (env == NULL)
        return nx_err_set(err, NX_ERR_INTERNAL, "no message at position %zu", pos);
    if (env->flags == flags)
        return 0;
    if (mail_folder_set_flags(mb->folder, env, flags, err) < 0)
        return -1;
    env->flags = flags; /* the backend sets it too; be sure for the counts */
    mbox_count(mb);
    return 0;
}

/* Drop envelope index i from the array (it is gone from the folder). */
static void
mbox_drop(struct ui_mbox *mb, size_t i)
{
    mail_envelope_free(mb->envs[i]);
    memmove(mb->envs + i, mb->envs + i + 1, (mb->n - i - 1) * sizeof *mb->envs);
    mb->n--;
}

int
ui_mbox_move(struct ui_mbox *mb, size_t pos, const char *dest, struct nx_err *err)
{
    struct mail_envelope *env = ui_mbox_at(mb, pos);
    if (env == NULL)
        return nx_err_set(err, NX_ERR_INTERNAL, "no message at position %zu", pos);
    if (mail_folder_move(mb->folder, env, dest, err) < 0)
        return -1;
    mbox_drop(mb, mb->view->order[pos]);
    /* the cursor stays on the row: the next message moves up into it */
    mbox_rebuild(mb, NULL);
    return 0;
}

/* Remove env, or move it to the trash without its T flag (in the trash it
 * is no longer "marked deleted").  On failure env is still marked. */
static int
mbox_expunge_one(struct ui_mbox *mb, struct mail_envelope *env, const char *trash,
                 struct nx_err *err)
{
    unsigned flags = env->flags;
    if (trash == NULL)
        return mail_folder_remove(mb->folder, env, err);
    if (mail_folder_set_flags(mb->folder, env, flags & ~(unsigned)MAIL_FLAG_TRASHED, err) < 0)
        return -1;
    if (mail_folder_move(mb->folder, env, trash, err) == 0)
        return 0;
    mail_folder_set_flags(mb->folder, env, flags, NULL); /* best effort: mark it again */
    env->flags = flags;
    return -1;
}

int
ui_mbox_expunge(struct ui_mbox *mb, const char *trash, size_t *removed, struct nx_err *err)
{
    if (trash != NULL && (*trash == '\0' || strcmp(trash, mb->name) == 0))
        trash = NULL;
    const struct mail_envelope *keep = ui_mbox_at(mb, mb->cur);
    int rc = 0;
    *removed = 0;
    for (size_t i = 0; i < mb->n;) {
        if (!(mb->envs[i]->flags & MAIL_FLAG_TRASHED)) {
            i++;
            continue;
        }
        rc = mbox_expunge_one(mb, mb->envs[i], trash, err);
        if (rc < 0)
            break;
        if (mb->envs[i] == keep)
            keep = NULL;
        mbox_drop(mb, i);
        (*removed)++;
    }
    mbox_rebuild(mb, keep);
    return rc;
}

int
ui_mbox_reload(struct ui_mbox *mb, const struct mail_progress *progress, struct nx_err *err)
{
    struct mail_envelope **envs = NULL;
    size_t n = 0;
    if (mail_folder_list(mb->folder, progress, &envs, &n, err) < 0)
        return -1;
    /* keep the cursor on the same message, found by its Message-ID or key */
    const struct mail_envelope *old = ui_mbox_at(mb, mb->cur);
    const struct mail_envelope *keep = NULL;
    for (size_t i = 0; old != NULL && i < n && keep == NULL; i++) {
        const char *a = envs[i]->message_id, *b = old->message_id;
        if (a != NULL && b != NULL
                ? strcmp(a, b) == 0
                : envs[i]->key != NULL && old->key != NULL && strcmp(envs[i]->key, old->key) == 0)
            keep = envs[i];
    }
    mail_envelopes_free(mb->envs, mb->n);
    mb->envs = envs;
    mb->n = n;
    mbox_rebuild(mb, keep);
    return 0;
}

size_t
ui_mbox_find(const struct ui_mbox *mb, size_t from, int dir, bool unread_only)
{
    if (mb == NULL || mb->n == 0 || from >= mb->n)
        return UI_THREAD_NONE;
    for (size_t pos = from;; pos += dir > 0 ? 1 : (size_t)-1) {
        unsigned f = ui_mbox_at(mb, pos)->flags;
        if (unread_only ? !(f & MAIL_FLAG_SEEN) : !(f & MAIL_FLAG_TRASHED))
            return pos;
        if ((dir > 0 && pos + 1 >= mb->n) || (dir < 0 && pos == 0))
            return UI_THREAD_NONE;
    }
}
