/*
 * utf8.h - UTF-8 decoding, display width and the one function that keeps
 * control characters and terminal escape sequences off the screen.
 *
 * Everything that reaches the terminal from a message (header, body, file
 * name, server reply) goes through utf8_sanitize() first.  Display widths use
 * wcwidth(), so the process must run with a UTF-8 LC_CTYPE: call
 * utf8_locale_init() once at start-up (nixie and every test do).
 */
#ifndef NIXIE_BASE_UTF8_H
#define NIXIE_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/base/strbuf.h"

#define UTF8_REPLACEMENT 0xFFFD

/* Make LC_CTYPE a UTF-8 locale: the user's if it is UTF-8, else C.UTF-8.
 * Returns 0, or -1 if no UTF-8 locale is available. */
int utf8_locale_init(void);

/* Decode one code point from s[0..len).  Stores it in *cp and returns the
 * number of bytes used (1..4); on an invalid or truncated sequence stores
 * UTF8_REPLACEMENT and returns 1.  len must be > 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Append the UTF-8 encoding of cp (invalid values become U+FFFD). */
void utf8_encode(struct strbuf *sb, uint32_t cp);

bool utf8_valid(const char *s, size_t len);
/* Bytes of ASCII (< 0x80) at the start of s[0..len). */
size_t utf8_ascii_len(const char *s, size_t len);

/* Display width of one code point: 0 for combining marks, 2 for wide
 * (CJK) characters, 1 otherwise; control characters count as 0. */
int utf8_cp_width(uint32_t cp);

/* Display width of a sanitised UTF-8 string. */
size_t utf8_width(const char *s, size_t len);

/* Byte length of the longest prefix of s that fits in `cols` columns,
 * never splitting a character; *used gets the width of that prefix. */
size_t utf8_fit(const char *s, size_t len, size_t cols, size_t *used);

enum utf8_sanitize_flags {
    UTF8_SAN_KEEP_NEWLINE = 1 << 0, /* pass '\n' through (else it is shown as ^J) */
    UTF8_SAN_KEEP_TAB = 1 << 1,     /* pass '\t' through (else it is shown as ^I) */
};

/* Append s to out, neutralised for a terminal: invalid UTF-8 becomes U+FFFD;
 * C0 controls and DEL become caret notation (ESC -> "^["), C1 controls
 * (U+0080..U+009F) become "<9b>"-style placeholders, and bidirectional
 * override/isolate controls become U+FFFD.  No byte that a terminal treats
 * as a control survives.  Returns true if anything was replaced. */
bool utf8_sanitize(struct strbuf *out, const char *s, size_t len, unsigned flags);

/* Convenience: sanitised, malloc'd copy (flags as above). */
char *utf8_sanitize_dup(const char *s, size_t len, unsigned flags);

/* True if s holds no byte a terminal would interpret: for asserts and fuzzers. */
bool utf8_is_safe(const char *s, size_t len);

#endif
