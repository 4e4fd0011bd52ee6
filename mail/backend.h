/*
 * backend.h - the mail store interface that Maildir implements now and IMAP
 * and notmuch implement later (neomutt's MxOps with private data).
 *
 * A store is one account's mail (a Maildir root, an IMAP server); a folder is
 * one mailbox in it.  Backends keep their state behind `priv` pointers; the
 * model never includes a backend header.  Every operation is either done
 * completely or leaves the mailbox as it was (see docs/architecture.md).
 *
 * Blocking: operations may block on disk or network.  Long ones take a
 * struct mail_progress and call it now and then; a non-zero return cancels
 * (the operation then fails with NX_ERR_CANCEL and changes nothing).
 */
#ifndef NIXIE_MAIL_BACKEND_H
#define NIXIE_MAIL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/err.h"

#include "mail/message.h"

struct mail_progress {
    /* done out of total (total 0 if unknown); return non-zero to cancel */
    int (*fn)(void *arg, size_t done, size_t total);
    void *arg;
};

struct mail_folder_info {
    char *name;   /* owned; "INBOX" for the root, "Sent", "lists.nixie" (Maildir++ dots) */
    size_t total; /* counts, or (size_t)-1 if not known cheaply */
    size_t unread;
};

/* Changes found by check(): what appeared or vanished since the last list. */
struct mail_folder_changes {
    size_t added;
    size_t removed;
    size_t flags_changed;
};

struct mail_store_options {
    const char *hcache_path; /* header cache file or directory; NULL: no cache */
};

struct mail_backend_ops {
    const char *name; /* "maildir", "imap", ... */

    int (*store_open)(const char *location, const struct mail_store_options *opts, void **priv,
                      struct nx_err *err);
    void (*store_free)(void *priv);
    /* Fill a malloc'd array of folders (caller frees with mail_folder_infos_free). */
    int (*list_folders)(void *priv, struct mail_folder_info **out, size_t *n, struct nx_err *err);
    int (*folder_open)(void *priv, const char *name, void **fpriv, struct nx_err *err);
    void (*folder_free)(void *fpriv);
    /* All messages of the folder as envelopes (caller owns array and envelopes). */
    int (*list_envelopes)(void *fpriv, const struct mail_progress *progress,
                          struct mail_envelope ***out, size_t *n, struct nx_err *err);
    int (*fetch)(void *fpriv, const struct mail_envelope *env, struct mail_message **out,
                 struct nx_err *err);
    /* Store the new flags (enum mail_flag); updates env->key / env->flags on success. */
    int (*set_flags)(void *fpriv, struct mail_envelope *env, unsigned flags, struct nx_err *err);
    /* Move to another folder of the same store; env is then stale. */
    int (*move)(void *fpriv, const struct mail_envelope *env, const char *dest, struct nx_err *err);
    /* Remove for good (expunge). */
    int (*remove)(void *fpriv, const struct mail_envelope *env, struct nx_err *err);
    /* Add a message to a folder atomically; *key_out (may be NULL) gets its key. */
    int (*append)(void *priv, const char *folder, const char *data, size_t len, unsigned flags,
                  char **key_out, struct nx_err *err);
    /* Create an empty folder; 0 if it already exists as a folder. */
    int (*create_folder)(void *priv, const char *name, struct nx_err *err);
    /* Cheap check for outside changes (new mail); 0 with changes filled. */
    int (*check)(void *fpriv, struct mail_folder_changes *changes, struct nx_err *err);
    /* A descriptor the UI loop should poll for readability, or -1 (Maildir). */
    int (*poll_fd)(void *priv);
};

/* Backends nixie has. */
extern const struct mail_backend_ops mail_maildir_ops;

/* Generic handles that dispatch to the ops (mail/backend.c). */
struct mail_store;
struct mail_folder;

struct mail_store *mail_store_open(const struct mail_backend_ops *ops, const char *location,
                                   const struct mail_store_options *opts, struct nx_err *err);
void mail_store_free(struct mail_store *st);
int mail_store_list_folders(struct mail_store *st, struct mail_folder_info **out, size_t *n,
                            struct nx_err *err);
void mail_folder_infos_free(struct mail_folder_info *infos, size_t n);
int mail_store_append(struct mail_store *st, const char *folder, const char *data, size_t len,
                      unsigned flags, char **key_out, struct nx_err *err);
int mail_store_create_folder(struct mail_store *st, const char *name, struct nx_err *err);
int mail_store_poll_fd(struct mail_store *st);

struct mail_folder *mail_folder_open(struct mail_store *st, const char *name, struct nx_err *err);
void mail_folder_free(struct mail_folder *f);
const char *mail_folder_name(const struct mail_folder *f);
int mail_folder_list(struct mail_folder *f, const struct mail_progress *progress,
                     struct mail_envelope ***out, size_t *n, struct nx_err *err);
int mail_folder_fetch(struct mail_folder *f, const struct mail_envelope *env,
                      struct mail_message **out, struct nx_err *err);
int mail_folder_set_flags(struct mail_folder *f, struct mail_envelope *env, unsigned flags,
                          struct nx_err *err);
int mail_folder_move(struct mail_folder *f, const struct mail_envelope *env, const char *dest,
                     struct nx_err *err);
int mail_folder_remove(struct mail_folder *f, const struct mail_envelope *env, struct nx_err *err);
int mail_folder_check(struct mail_folder *f, struct mail_folder_changes *changes,
                      struct nx_err *err);

void mail_envelopes_free(struct mail_envelope **envs, size_t n);

#endif
