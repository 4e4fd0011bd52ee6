/*
 * render-private.h - the pieces render/ is built from, shared between its
 * files and its unit tests (never included outside render/ and tests/).
 *
 * Pipeline: untrusted bytes -> render_line_add() (the only place message
 * text enters a line: utf8_sanitize() per control character, tabs expanded)
 * -> struct render_line (one logical line of styled runs) -> render_wrap()
 * (display-width wrapping) -> rdoc_push() (copies into the rdoc).
 *
 * Invariant: the text of a struct render_line is always safe
 * (utf8_is_safe()) and holds no tab or line break; its spans cover the text
 * in order without gaps.
 */
#ifndef NIXIE_RENDER_PRIVATE_H
#define NIXIE_RENDER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/base/strbuf.h"

#include "mail/message.h"

#include "render/render.h"

/* Bounds: a 64 MB message wrapped at width 10 must not exhaust memory. */
#define RENDER_MAX_LINES 1000000u
#define RENDER_MAX_WIDTH 4096u
#define RENDER_MIN_WIDTH 10u
#define RENDER_MAX_TAB 16u

/* ---- rdoc.c ---- */

/* Append one finished line (copied).  text must be safe and fit the width;
 * spans cover it.  At RENDER_MAX_LINES the last line becomes a note and
 * further lines are dropped. */
void rdoc_push(struct rdoc *doc, const char *text, size_t len, const struct rspan *spans,
               size_t nspans, size_t width);
/* True once the line limit was reached (further pushes are dropped). */
bool rdoc_full(const struct rdoc *doc);

/* ---- line.c: one logical line ---- */

struct render_line {
    struct strbuf text;  /* safe UTF-8, no tab, no line break */
    struct rspan *spans; /* owned */
    size_t nspans;
    size_t cap;
    size_t width;   /* display width of text, for tab stops */
    bool truncated; /* longer than the line limit: the rest was dropped */
};

void render_line_init(struct render_line *ln);
void render_line_free(struct render_line *ln);
void render_line_reset(struct render_line *ln);
/* Append text that is already safe (our own literals, or text from
 * render_line_add of another line). */
void render_line_add_safe(struct render_line *ln, enum rstyle style, const char *s, size_t len);
/* Append untrusted bytes: every control character (including '\r' and
 * '\n') goes through utf8_sanitize() and is styled RSTYLE_CONTROL; tabs
 * expand to the next multiple of tab_width columns. */
void render_line_add(struct render_line *ln, enum rstyle style, const char *s, size_t len,
                     unsigned tab_width);
/* Restyle bytes [start, end) (span boundaries are split as needed);
 * RSTYLE_CONTROL runs keep their style. */
void render_line_restyle(struct render_line *ln, size_t start, size_t end, enum rstyle style);
/* Style URLs (http://, https://, ftp://, mailto:, www.) as RSTYLE_URL. */
void render_line_mark_urls(struct render_line *ln);

/* ---- wrap.c ---- */

struct render_wrap {
    size_t width;
    bool wrap;        /* false: cut at width, the rest of the line is lost */
    bool smart;       /* break at spaces; else at the last column */
    size_t hang;      /* first line: no break within these leading bytes */
    const char *cont; /* safe prefix for continuation lines, or NULL */
    size_t cont_len;
    enum rstyle cont_style;
};

/* Emit ln as one or more rdoc lines of at most w->width columns. */
void render_wrap(struct rdoc *doc, const struct render_line *ln, const struct render_wrap *w);
/* The options' wrapping settings at doc's width, no continuation prefix. */
void render_wrap_init(struct render_wrap *w, const struct rdoc *doc,
                      const struct render_opts *opts);

/* ---- text.c / flowed.c: text bodies ---- */

struct render_text {
    bool flowed;    /* RFC 3676 format=flowed */
    bool delsp;     /* RFC 3676 DelSp=yes */
    bool quotes;    /* style "> " quote levels */
    bool signature; /* style the block after "-- " */
};

/* Render decoded UTF-8 text (any bytes: sanitised here) into doc. */
void render_text(struct rdoc *doc, const char *text, size_t len, const struct render_text *how,
                 const struct render_opts *opts);

/* Shared by text.c and flowed.c. */
struct render_text_state {
    struct rdoc *doc;
    const struct render_opts *opts;
    const struct render_text *how;
    struct render_line line;
    bool in_sig; /* past a "-- " line */
};
enum rstyle render_quote_style(unsigned depth);
/* Emit one logical line of body text: body[0..len) after a quote prefix
 * already shown as prefix[0..plen) (both untrusted), quote depth `depth`. */
void render_text_emit(struct render_text_state *st, unsigned depth, const char *prefix, size_t plen,
                      const char *body, size_t len);
/* Is line[0..len) the signature separator "-- " (RFC 3676 §4.3)? */
bool render_text_is_sigsep(const char *line, size_t len);
void render_flowed(struct render_text_state *st, const char *text, size_t len);

/* ---- html.c: built-in HTML to text ---- */

/* Convert HTML (UTF-8) to plain text with '\n' line breaks: script, style
 * and head content dropped, block elements as line breaks, entities
 * decoded, white space collapsed, blockquotes as "> " prefixes.  The output
 * is NOT sanitised (render_text does that). */
void render_html_to_text(const char *html, size_t len, struct strbuf *out);
/* s[0] is '&': decode a character reference (&amp; &#233; &#xE9; and the
 * common named ones, HTML5 §13.5) into *cp and return the bytes used; a
 * non-reference is a literal '&' (returns 1).  Invalid numbers give U+FFFD. */
size_t render_html_entity(const char *s, size_t len, uint32_t *cp);

/* ---- headers.c ---- */

/* Render the header fields hdrs[0..n) selected by opts (values RFC 2047
 * decoded and sanitised), followed by an empty line if any was shown. */
void render_headers(struct rdoc *doc, const struct mail_header *hdrs, size_t n,
                    const struct render_opts *opts);

/* ---- render.c helpers used by the tests ---- */

/* "12 KB" style size into buf. */
void render_format_size(size_t bytes, char *buf, size_t size);

#endif
