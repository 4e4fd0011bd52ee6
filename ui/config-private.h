/*
 * config-private.h - what config.c (files, defaults), config-parse.c (the
 * format) and config-value.c (single values) share.  Each value parser takes
 * the text of one value and returns 0, or -1 with a message (no file or line:
 * config-parse.c adds them) in msg[0..CONFIG_MSG).
 */
#ifndef NIXIE_UI_CONFIG_PRIVATE_H
#define NIXIE_UI_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/base/err.h"

#include "ui/config.h"

#define CONFIG_MSG 200
#define CONFIG_MAX_LIST 64 /* items in one list (headers, from identities) */

/* yes/no/true/false/on/off/1/0, any case. */
int config_value_bool(const char *key, const char *v, bool *out, char *msg);
/* A decimal number in [min, max]. */
int config_value_uint(const char *key, const char *v, unsigned min, unsigned max, unsigned *out,
                      char *msg);
/* "~" and "~/..." expanded with $HOME; the result must be absolute.
 * Returns a malloc'd path or NULL. */
char *config_value_path(const char *key, const char *v, char *msg);
/* Expand a leading ~ only (no checks); malloc'd.  NULL if $HOME is unknown. */
char *config_expand_tilde(const char *v);
/* Split a comma-separated list, appending to the NULL-terminated *list
 * (which has *n items).  With addresses, commas inside "..." or <...> do not
 * split and each item must contain '@'; otherwise each item must be a header
 * field name (RFC 5322 section 3.6.8: printable ASCII except ':'). */
int config_value_list(const char *key, const char *v, bool addresses, char ***list, size_t *n,
                      char *msg);
/* A colour: default, black..white, brightblack..brightwhite, colorN or N
 * (0-255).  default is -1. */
int config_value_colour(const char *v, short *out, char *msg);
/* A folder name (sent, drafts, trash): not empty, not absolute, no "..". */
int config_value_folder(const char *key, const char *v, char *msg);

/* Parse buf[0..len) (the file `shown` in messages; `path` is stored in
 * cfg->path, may be NULL) into a fresh config that replaces *cfg on success.
 * 0, or -1 with err set and *cfg untouched (config-parse.c). */
int config_parse_text(struct nx_config *cfg, const char *buf, size_t len, const char *shown,
                      const char *path, struct nx_err *err);
/* Free a NULL-terminated list of strings (NULL is fine). */
void config_list_free(char **list);

#endif
