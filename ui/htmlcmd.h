/*
 * htmlcmd.h - the configured html_command as a render_html_fn.
 *
 * render/ does no I/O, so the ui hands it this callback: it runs the command
 * through mail/base/filter.c (no shell, the HTML only on stdin, %w replaced
 * by the width), bounded in time and output.  A failure returns -1 so the
 * renderer falls back to its built-in converter; the reason is kept in
 * struct htmlcmd for the caller to show.
 */
#ifndef NIXIE_UI_HTMLCMD_H
#define NIXIE_UI_HTMLCMD_H

#include <stddef.h>

#include "mail/base/err.h"

#include "render/render.h"

#define HTMLCMD_TIMEOUT_MS 5000u
#define HTMLCMD_MAX_OUT (16u * 1024 * 1024)

struct htmlcmd {
    const char *command; /* borrowed, e.g. "w3m -dump -T text/html -cols %w" */
    unsigned timeout_ms;
    size_t max_out;
    unsigned failures; /* calls that failed since init */
    struct nx_err err; /* why the last call failed */
};

/* Defaults for command (NULL or "" disables the converter). */
void htmlcmd_init(struct htmlcmd *hc, const char *command);

/* Point opts->html_convert at hc if it has a command (hc must outlive the
 * render calls). */
void htmlcmd_apply(struct htmlcmd *hc, struct render_opts *opts);

/* render_html_fn: arg is a struct htmlcmd. */
int htmlcmd_convert(void *arg, const char *html, size_t len, size_t width, char **out,
                    size_t *out_len);

#endif
