/*
 * maildir-private.h - what the Maildir backend's files share: the store and
 * folder state behind the ops' priv pointers, and the name/flag helpers.
 *
 * Only mail/maildir*.c include this.  Layout (Maildir and Maildir++):
 * the store root is itself the INBOX folder (cur/ new/ tmp/); other folders
 * are root/.Name (".Lists.nixie-dev" is the folder "Lists.nixie-dev").  A
 * message key is "new/NAME" or "cur/NAME:2,FLAGS", relative to its folder.
 */
#ifndef NIXIE_MAIL_MAILDIR_PRIVATE_H
#define NIXIE_MAIL_MAILDIR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mail/base/err.h"

#include "mail/backend.h"
#include "mail/hcache.h"

struct maildir_store {
    char *root;        /* owned; no trailing slash */
    struct hcache *hc; /* owned; NULL without a header cache */
};

/* A message name as check() remembers it. */
struct maildir_seen {
    char *uniq; /* owned: the part before ":2," */
    unsigned flags;
    bool in_new;
};

/* File names of a folder as readdir gave them. */
struct maildir_name_block;
struct maildir_names {
    char **v;     /* owned array; the strings live in `blocks` */
    bool *in_new; /* in new/ (else cur/) */
    size_t n, cap;
    struct maildir_name_block *blocks; /* owned: 100k names, not 100k mallocs */
};

struct maildir_folder {
    struct maildir_store *st; /* borrowed */
    char *path;               /* owned: the folder directory */
    /* check(): directory mtimes and the names seen at the last list/check */
    struct timespec mtime_new, mtime_cur;
    struct maildir_seen *seen; /* sorted by uniq */
    size_t nseen;
    /* names of the last list, turned into `seen` only when first needed:
     * sorting 100k names would cost a tenth of opening the folder */
    struct maildir_names pending;
    bool has_pending;
};

/* Directory of folder `name` ("INBOX" -> root), malloc'd; NULL with err
 * set for names that could escape the root ("..", "/"). */
char *maildir_folder_path(const struct maildir_store *st, const char *name, struct nx_err *err);

/* Is dir a Maildir (has cur/ and new/)?  Sets err with a hint if not. */
int maildir_check_dir(const char *dir, const char *what, struct nx_err *err);

/* Flags from a file name's ":2," info (enum mail_flag), RECENT never set. */
unsigned maildir_flags_from_name(const char *name);
/* Length of the unique part of a file name (up to ":2," or the end). */
size_t maildir_uniq_len(const char *name);
/* New file name: uniq + ":2," + flags in ASCII order, keeping unknown
 * letters of old_info (the text after ":2,", may be NULL).  malloc'd. */
char *maildir_name_with_flags(const char *uniq, size_t ulen, const char *old_info, unsigned flags);

/* Find the file of env in its folder even if another client renamed it
 * (changed its flags): fills *path (malloc'd) and *key (malloc'd). */
int maildir_locate(const struct maildir_folder *f, const char *key, char **path, char **newkey,
                   struct nx_err *err);

void maildir_seen_free(struct maildir_folder *f);
/* Our own change to a file of f: its new name (NULL: it left the folder),
 * so the next check() reports only changes made by others. */
void maildir_seen_note(struct maildir_folder *f, const char *name, bool in_new, bool gone);

/* readdir() of new/ and cur/ with their mtimes (maildir.c). */
int maildir_scan_both(struct maildir_folder *f, struct maildir_names *nm, struct timespec *mnew,
                      struct timespec *mcur, struct nx_err *err);
void maildir_names_free(struct maildir_names *nm);

/* Listing envelopes (maildir-list.c). */
int maildir_list_envelopes(void *fpriv, const struct mail_progress *progress,
                           struct mail_envelope ***out, size_t *n, struct nx_err *err);

/* The operations that change a folder (maildir-write.c). */
int maildir_set_flags(void *fpriv, struct mail_envelope *env, unsigned flags, struct nx_err *err);
int maildir_move(void *fpriv, const struct mail_envelope *env, const char *dest,
                 struct nx_err *err);
int maildir_create_folder(void *priv, const char *name, struct nx_err *err);
int maildir_remove(void *fpriv, const struct mail_envelope *env, struct nx_err *err);
int maildir_append(void *priv, const char *folder, const char *data, size_t len, unsigned flags,
                   char **key_out, struct nx_err *err);

#endif
