/*
 * hcache.h - the on-disk header cache: envelopes of Maildir messages kept in
 * LMDB so opening a large folder does not read every file again.
 *
 * Keys are the folder's absolute path and the message's Maildir unique name
 * (the part before ":2,"); values are the envelope without key and flags.
 * A cache that cannot be opened, is corrupt or has another format version
 * is rebuilt or ignored: callers then simply read the files.  Only the
 * Maildir backend uses it; no I/O here touches a mailbox.
 */
#ifndef NIXIE_MAIL_HCACHE_H
#define NIXIE_MAIL_HCACHE_H

#include <stddef.h>

#include "mail/base/err.h"

#include "mail/message.h"

struct hcache;

/* Open (creating) the cache in directory `dir`.  NULL with err set when it
 * cannot be used at all; the caller then works without a cache. */
struct hcache *hcache_open(const char *dir, struct nx_err *err);
void hcache_free(struct hcache *hc);

/* A read session over one folder (one LMDB read transaction). */
struct hcache_read;
struct hcache_read *hcache_read_begin(struct hcache *hc, const char *folder);
/* The cached envelope of `uniq` as a new envelope with `key` (may be NULL)
 * and flags 0, or NULL on a miss or an entry that fails validation. */
struct mail_envelope *hcache_get(struct hcache_read *r, const char *uniq, size_t ulen,
                                 const char *key);
/* All cached entries of the folder in one pass over the B-tree (much
 * cheaper than a lookup per name), without leaving the map's pages
 * resident: visit() is called with each cached unique name and its entry,
 * which is valid only during the call. */
struct hcache_entry;
typedef void hcache_visit_fn(void *arg, const char *uniq, size_t ulen,
                             const struct hcache_entry *e);
void hcache_get_all(struct hcache_read *r, hcache_visit_fn *visit, void *arg);
/* The entry's envelope as hcache_get() makes it, or NULL if it fails
 * validation. */
struct mail_envelope *hcache_entry_envelope(const struct hcache_entry *e, const char *key);
void hcache_read_end(struct hcache_read *r);

/* Store n envelopes of `folder` in one transaction.  0 or -1. */
int hcache_put_many(struct hcache *hc, const char *folder, const char *const *uniqs,
                    const size_t *ulens, struct mail_envelope *const *envs, size_t n);
/* Drop one entry (a removed or moved message).  0 or -1. */
int hcache_del(struct hcache *hc, const char *folder, const char *uniq, size_t ulen);
/* Drop n entries in one transaction (messages gone from the folder). */
int hcache_del_many(struct hcache *hc, const char *folder, const char *const *uniqs,
                    const size_t *ulens, size_t n);

#endif
