/*
 * message-private.h - what the files of the message model share and nobody
 * else may see: the message object, the arena its MIME tree lives in, and
 * the header/charset helpers used by envelope.c, mime.c and decode.c.
 *
 * Not a public header: only mail/message.c, header.c, envelope.c, mime.c,
 * decode.c and the Maildir backend include it.  No libetpan type appears
 * here, so the backend does not depend on libetpan either.
 */
#ifndef NIXIE_MAIL_MESSAGE_PRIVATE_H
#define NIXIE_MAIL_MESSAGE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"

#include "mail/message.h"

/* A bump allocator: the MIME tree, its strings and the header list are
 * freed at once with the message.  Blocks are malloc'd with xmalloc (sizes
 * are bounded by the message size, which is bounded). */
struct mail_arena_block {
    struct mail_arena_block *next;
    size_t used, size;
    max_align_t data[];
};
struct mail_arena {
    struct mail_arena_block *head;
    struct mail_arena_block *own; /* a block in its owner's allocation: not freed */
};

/* mail_arena_alloc's slow path: a new block (message.c). */
void *mail_arena_grow(struct mail_arena *a, size_t size);

/* Inline: the MIME tree makes a few dozen small allocations a message, and
 * a constant size lets the compiler clear a struct without a memset call. */
static inline void *
mail_arena_alloc(struct mail_arena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct mail_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < size)
        return mail_arena_grow(a, size);
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

static inline void *
mail_arena_calloc(struct mail_arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        abort(); /* callers bound n by MAIL_MAX_PARTS or the message size */
    void *p = mail_arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}
char *mail_arena_strndup(struct mail_arena *a, const char *s, size_t n);
char *mail_arena_strdup(struct mail_arena *a, const char *s);
void mail_arena_free(struct mail_arena *a);

struct mail_message {
    char *raw; /* owned: the bytes as given (mail_message_raw) */
    size_t raw_len;
    bool raw_inline; /* raw lives in the message's own allocation (mail_message_load) */
    /* What the parsers see: raw itself, or an owned copy with bare-CR line
     * ends turned into LF (libetpan and the splitter want LF or CRLF). */
    char *text;
    size_t text_len;
    size_t header_len; /* bytes of the top-level header block in text */
    size_t body_off;   /* offset of the body in text */

    struct mail_envelope *env; /* owned; lazily parsed */

    /* lazily built (the message is logically const to callers) */
    struct mail_arena arena;
    /* text has no bare CR (none in raw, or message_normalise made them
     * LF): mail_hdr_scan may walk its header blocks */
    bool plain_eol;
    /* The top-level field lines (mail_message_lines: found by
     * mail_message_adopt when plain_eol), and each one's unfolded value
     * once asked for (NULL until then); arrays of nlines entries in the arena. */
    struct mail_hdr_line *lines;
    const char **unfolded;
    size_t nlines;
    bool lines_done;
    /* mail_message_header's index (in the arena, built on its first call):
     * [0, 27) the first line whose name starts with each letter (26: any
     * other byte), [27 + i) the next such line after line i; SIZE_MAX ends */
    size_t *line_index;
    struct mail_header *headers; /* array and strings in the arena */
    size_t nheaders;
    bool headers_done;
    struct mail_part *root;
    size_t nparts;
    struct mail_envelope **enclosed; /* envelopes of message/rfc822 parts (owned) */
    size_t nenclosed;
};

/* Envelope strings as an array, in this order: key, from, from_name,
 * from_addr, to, cc, subject, message_id, in_reply_to, references (for the
 * header cache's serialisation). */
#define MAIL_ENV_NSTR 10
void mail_envelope_strings(const struct mail_envelope *env, const char *out[MAIL_ENV_NSTR]);
/* A packed envelope from strings (NULL: absent; lengths exclude any NUL)
 * and the scalar fields of `scalars`. */
struct mail_envelope *mail_envelope_from_strings(const char *const s[MAIL_ENV_NSTR],
                                                 const size_t len[MAIL_ENV_NSTR],
                                                 const struct mail_envelope *scalars);

/* mail_envelope_parse() with `key` (may be NULL) packed into the same
 * allocation: a listed folder keeps 100k of these. */
struct mail_envelope *mail_envelope_parse_key(const char *data, size_t len, const char *key,
                                              struct nx_err *err);

/* Offsets of the end of a header block: *header_len covers the fields and
 * their line breaks, *body_off is where the body starts (after the empty
 * line), or len when there is no empty line. */
void mail_hdr_split(const char *data, size_t len, size_t *header_len, size_t *body_off);

/* Remove line breaks that fold a header value (RFC 5322 §2.2.3) and trim
 * surrounding white space; appends to out. */
void mail_hdr_unfold(struct strbuf *out, const char *value, size_t len);
/* The same into dst, which has room for len + 1 bytes; NUL-terminates and
 * returns the length. */
size_t mail_hdr_unfold_to(char *dst, const char *value, size_t len);
/* The same as a new string in the arena. */
char *mail_hdr_unfold_arena(struct mail_arena *a, const char *value, size_t len);
/* The same for a value in text without bare CR (mail_hdr_scan's). */
char *mail_hdr_unfold_arena_lf(struct mail_arena *a, const char *value, size_t len);

/* The fields of a header block one at a time, without copying: what
 * mail_fields_parse() returns, as spans of the block.  value/vlen is the raw
 * value after the colon, folded lines and their line breaks included
 * (mail_hdr_unfold*() makes it the field's value). */
struct mail_hdr_field {
    const char *name;
    size_t nlen;
    const char *value;
    size_t vlen;
};
struct mail_hdr_iter {
    const char *data;
    size_t len, pos;
    bool cr; /* the block holds a CR: lines may end in a bare CR */
    /* if set (lowercase; init clears it): only fields whose name starts
     * with it are returned, other lines are skipped unexamined */
    const char *prefix;
};
void mail_hdr_iter_init(struct mail_hdr_iter *it, const char *data, size_t len);
bool mail_hdr_iter_next(struct mail_hdr_iter *it, struct mail_hdr_field *f);

/* A line of a header block that does not start with a blank, with the
 * continuation lines that follow it (line breaks inside, none at the
 * end).  It is a field if mail_hdr_line_field says so. */
struct mail_hdr_line {
    const char *s;
    size_t len;
};
bool mail_hdr_line_field(const struct mail_hdr_line *l, struct mail_hdr_field *f);

/*
 * mail_hdr_split() and the lines mail_hdr_iter would look at, in one walk
 * with one memchr a line, for a block WITHOUT bare CR (lines end in LF or
 * CRLF; the caller knows).  Lines whose first byte is neither `first` nor
 * its uppercase are passed over (first 0: none are); up to max lines are
 * stored in v.  Returns the number of lines found: more than max means v
 * is incomplete.  *first_field (if not NULL): the block starts with a
 * field line (mail_hdr_starts_with_field); if it does not, the walk stops
 * there, leaving the other results unset.
 */
size_t mail_hdr_scan(const char *data, size_t len, char first, struct mail_hdr_line *v, size_t max,
                     size_t *header_len, size_t *body_off, bool *first_field);

/* Append s[0..len) converted from `charset` to valid UTF-8.  NULL, unknown
 * and us-ascii charsets: UTF-8 if the bytes are valid UTF-8, else
 * Windows-1252.  Never fails; bad bytes become U+FFFD. */
void mail_charset_to_utf8(struct strbuf *out, const char *charset, const char *s, size_t len);

/* Does mail_charset_to_utf8 give valid UTF-8 in `charset` as it is? */
bool mail_charset_keeps_utf8(const char *charset);

/* Append s as valid UTF-8 (invalid sequences become U+FFFD). */
void mail_utf8_repair(struct strbuf *out, const char *s, size_t len);

/* Transfer decoding with libetpan's exact result (decode.c): base64
 * skips bytes outside its alphabet; quoted-printable returns -1 (nothing
 * written) for the one input it leaves to libetpan. */
void mail_decode_base64(struct strbuf *out, const char *s, size_t len);
int mail_decode_qp(struct strbuf *out, const char *s, size_t len);

/* The type name of libetpan's parsed Content-Type, as the model takes it
 * (mime-fields.c; the tests compare the fast path with it). */
struct mailmime_type;
const char *mail_mime_etpan_type_name(const struct mailmime_type *t);

/* Fill type, subtype, params, charset, filename, description, content_id,
 * encoding and disposition of `part` from part->header (mime-fields.c);
 * dtype/dsubtype apply when there is no usable Content-Type. */
void mail_mime_part_fields(struct mail_arena *a, struct mail_part *part, const char *dtype,
                           const char *dsubtype);

/* A span of a string (not NUL-terminated). */
struct mail_ctype_span {
    const char *s;
    size_t n;
};

/* The simple form of a Content-Type value, as spans of the value. */
#define MAIL_CTYPE_MAX_PARAMS 16
struct mail_ctype {
    struct mail_ctype_span type, subtype;
    const char *type_name; /* type, lowercase (a static string) */
    struct mail_ctype_span name[MAIL_CTYPE_MAX_PARAMS], value[MAIL_CTYPE_MAX_PARAMS];
    size_t nparams;
};
/* Scan s[0..len) if it has the simple form whose result is certain to be
 * libetpan's (mime-ctype.c); false: parse it with libetpan. */
bool mail_ctype_scan(const char *s, size_t len, struct mail_ctype *ct);

/* The simple form of a Content-Disposition value: "inline" or
 * "attachment" with parameters as mail_ctype_scan takes them, none named
 * like the date and size parameters libetpan parses itself, none with a
 * tab right after its name. */
struct mail_cdisp {
    bool is_inline;
    struct mail_ctype_span name[MAIL_CTYPE_MAX_PARAMS], value[MAIL_CTYPE_MAX_PARAMS];
    size_t nparams;
};
/* Scan s[0..len) if it has that form (mime-ctype.c); false: libetpan. */
bool mail_cdisp_scan(const char *s, size_t len, struct mail_cdisp *d);

/* A Content-Transfer-Encoding value that is one of the five RFC 2045
 * mechanisms alone, in any case, trailing blanks allowed; false:
 * libetpan. */
bool mail_cte_scan(const char *s, size_t len, enum mail_encoding *enc);

/* True if s[0..len) starts with a "Name:" field line (header.c). */
bool mail_hdr_starts_with_field(const char *s, size_t len);

/* The top-level header lines of msg, found once (message.c). */
size_t mail_message_lines(struct mail_message *msg, const struct mail_hdr_line **out);

/* mail_mime_part_fields() for a part whose field lines are already known
 * (mail_hdr_scan, mail_message_lines): those whose first byte is not
 * 'c' or 'C' are not looked at.  plain_eol: the lines hold no bare CR. */
void mail_mime_part_fields_from(struct mail_arena *a, struct mail_part *part,
                                const struct mail_hdr_line *l, size_t n, bool plain_eol,
                                const char *dtype, const char *dsubtype);

/* Build the MIME tree of msg (mime.c). */
void mail_mime_build(struct mail_message *msg);

#endif
