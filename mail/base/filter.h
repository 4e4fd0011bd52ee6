/*
 * filter.h - run an external program as a filter: data on its stdin, its
 * stdout captured, with an output bound and a time limit.
 *
 * No shell is involved and no data ever reaches the command line: the
 * command string is split into words by filter_split() (rule below) and run
 * with execvp(); the data is written only to the child's stdin.  The child
 * runs in its own process group, so a timeout kills it and its children.
 *
 * Splitting rule (a small subset of sh, with no expansion at all):
 *   - words are separated by spaces or tabs;
 *   - '...' quotes everything up to the next ' literally;
 *   - "..." quotes up to the next unescaped ", where \" and \\ are escapes;
 *   - outside quotes, a backslash makes the next character literal;
 *   - %w is replaced by the width argument and %% by %, in every word;
 *     any other %x is kept as it is.
 * Unbalanced quotes, a trailing backslash, an empty command or more than
 * FILTER_MAX_ARGS words are errors (NX_ERR_CONFIG).
 */
#ifndef NIXIE_BASE_FILTER_H
#define NIXIE_BASE_FILTER_H

#include <stddef.h>

#include "mail/base/err.h"

#define FILTER_MAX_ARGS 64
#define FILTER_MAX_COMMAND 4096

/* Split command into a NULL-terminated, malloc'd argv (free with
 * filter_argv_free()).  Returns 0, or -1 with err set. */
int filter_split(const char *command, unsigned width, char ***argv, struct nx_err *err);
void filter_argv_free(char **argv);

/* Run argv[0] (PATH lookup) with in[0..in_len) on stdin.  On success
 * (exit status 0) returns 0 and a malloc'd, NUL-terminated copy of its
 * stdout in *out.  Fails with -1 and err set when the program cannot be
 * started (NX_ERR_IO), exits non-zero or is killed (NX_ERR_PROTO, its
 * stderr in err->peer), writes more than max_out bytes (NX_ERR_LIMIT) or
 * runs longer than timeout_ms (NX_ERR_PROTO); the child is always reaped.
 * SIGPIPE is blocked while writing, so a child that stops reading early
 * cannot kill the caller. */
int filter_run_argv(char *const argv[], const char *in, size_t in_len, size_t max_out,
                    unsigned timeout_ms, char **out, size_t *out_len, struct nx_err *err);

/* filter_split() then filter_run_argv(). */
int filter_run(const char *command, unsigned width, const char *in, size_t in_len, size_t max_out,
               unsigned timeout_ms, char **out, size_t *out_len, struct nx_err *err);

#endif
