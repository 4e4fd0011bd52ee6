/*
 * render.h - a message to styled display lines (struct rdoc), with no curses,
 * no I/O and no libetpan types.
 *
 * render_message() is a pure function of its inputs.  The rdoc owns copies of
 * all its text: decoded, converted to UTF-8, wrapped to the width and
 * sanitised (no C0 control, DEL, C1 or ESC survives), so the pager may paint
 * it byte for byte and keep it after the message is freed.  Styles are
 * semantic ids; ui/colour.c maps them to colours.
 */
#ifndef NIXIE_RENDER_RENDER_H
#define NIXIE_RENDER_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mail/base/err.h"

#include "mail/message.h"

struct dsn_report; /* mail/dsn.h; may be NULL everywhere here */

/* X-macro list of styles: id, name used in golden files and colour config. */
#define RSTYLE_LIST(X)                                                                             \
    X(NORMAL, "normal")                                                                            \
    X(HDR_NAME, "hdr-name")                                                                        \
    X(HDR_VALUE, "hdr-value")                                                                      \
    X(HDR_FROM, "hdr-from")                                                                        \
    X(HDR_SUBJECT, "hdr-subject")                                                                  \
    X(HDR_DATE, "hdr-date")                                                                        \
    X(QUOTE1, "quote1")                                                                            \
    X(QUOTE2, "quote2")                                                                            \
    X(QUOTE3, "quote3")                                                                            \
    X(SIGNATURE, "signature")                                                                      \
    X(ATTACHMENT, "attachment")                                                                    \
    X(PART_SEP, "part-sep")                                                                        \
    X(URL, "url")                                                                                  \
    X(CONTROL, "control")                                                                          \
    X(NOTE, "note")                                                                                \
    X(ERROR, "error")                                                                              \
    X(DSN_TITLE, "dsn-title")                                                                      \
    X(DSN_FAILED, "dsn-failed")                                                                    \
    X(DSN_DELAYED, "dsn-delayed")                                                                  \
    X(DSN_DELIVERED, "dsn-delivered")                                                              \
    X(DSN_FIELD, "dsn-field")                                                                      \
    X(SEARCH, "search")

enum rstyle {
#define RSTYLE_ENUM(id, name) RSTYLE_##id,
    RSTYLE_LIST(RSTYLE_ENUM)
#undef RSTYLE_ENUM
        RSTYLE__COUNT
};

const char *rstyle_name(enum rstyle style);
/* -1 if unknown */
int rstyle_from_name(const char *name);

/* A run of one style inside a line: bytes [start, start+len) of rline.text. */
struct rspan {
    unsigned start;
    unsigned len;
    enum rstyle style;
};

struct rline {
    char *text;          /* owned, sanitised UTF-8, NUL-terminated, no '\n' */
    size_t len;          /* bytes */
    size_t width;        /* display columns, <= the width rendered for */
    struct rspan *spans; /* owned; cover text in order, no gaps */
    size_t nspans;
};

struct rdoc {
    struct rline *lines; /* owned */
    size_t nlines;
    size_t cap;
    size_t width; /* the width it was rendered for */
};

enum render_headers {
    RENDER_HEADERS_SOME, /* opts->headers, in that order (mutt's default weeding) */
    RENDER_HEADERS_ALL,  /* the full header block as in the message */
    RENDER_HEADERS_NONE,
};

/* Converts HTML to text for display (ui/ runs the configured external
 * command).  Returns 0 and a malloc'd UTF-8 *out, or -1 to fall back to the
 * built-in converter. */
typedef int (*render_html_fn)(void *arg, const char *html, size_t len, size_t width, char **out,
                              size_t *out_len);

struct render_opts {
    enum render_headers headers_mode;
    const char *const *headers;  /* NULL-terminated list of header names for RENDER_HEADERS_SOME;
                                    NULL: From, To, Cc, Date, Subject */
    bool prefer_html;            /* multipart/alternative: prefer text/html (default: plain) */
    bool wrap;                   /* wrap long lines (default true); else cut at width */
    bool smart_wrap;             /* wrap at word boundaries (default true) */
    unsigned tab_width;          /* default 8 */
    bool show_attachments;       /* list non-displayed parts (default true) */
    render_html_fn html_convert; /* NULL: built-in converter only */
    void *html_arg;
};

/* Defaults as documented in docs/configuration.md. */
void render_opts_default(struct render_opts *opts);

/* Render msg (and report, if not NULL) at `width` columns (>= 10; smaller
 * widths are clamped).  Returns 0 and a new rdoc in *out, or -1 with err set
 * (only on internal limits; bad content is rendered as best it can be, with
 * RSTYLE_NOTE/RSTYLE_ERROR lines saying what was wrong). */
int render_message(const struct mail_message *msg, const struct dsn_report *report,
                   const struct render_opts *opts, size_t width, struct rdoc **out,
                   struct nx_err *err);

void rdoc_free(struct rdoc *doc);

/* Building blocks, also used by the ui for help and error screens. */
struct rdoc *rdoc_new(size_t width);
/* Append text (any bytes: sanitised here) as one or more lines wrapped to
 * doc->width in one style. */
void rdoc_add_text(struct rdoc *doc, enum rstyle style, const char *text, size_t len);

/* Search: first line >= from (dir > 0) or <= from (dir < 0) whose text
 * contains needle (case-insensitive for ASCII); -1 if none. */
long rdoc_search(const struct rdoc *doc, const char *needle, size_t from, int dir);

/* Print as plain text (exactly what the pager shows), one line per line; with
 * styles, each span as {style}text (golden format).  Returns 0 or -1 (errno). */
int rdoc_print(const struct rdoc *doc, FILE *fp, bool styles);

#endif
