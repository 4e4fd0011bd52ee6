/*
 * message.h - the message model: envelopes for the index and messages with a
 * lazily parsed MIME tree for the pager, the DSN engine and (later) the
 * composer.
 *
 * libetpan does the parsing (IMF headers, RFC 2047 words, MIME structure,
 * transfer decoding, charset conversion), but no libetpan type leaves mail/:
 * the tree below is nixie's own, built from libetpan's.  A message owns its
 * raw bytes; parts point into them, so parts live exactly as long as the
 * message.  Everything here is a pure function of the bytes: no I/O.
 */
#ifndef NIXIE_MAIL_MESSAGE_H
#define NIXIE_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mail/base/err.h"

/* Flags, as in Maildir's ":2," info and IMAP's system flags. */
enum mail_flag {
    MAIL_FLAG_SEEN = 1 << 0,    /* S */
    MAIL_FLAG_REPLIED = 1 << 1, /* R */
    MAIL_FLAG_FLAGGED = 1 << 2, /* F */
    MAIL_FLAG_TRASHED = 1 << 3, /* T: marked deleted */
    MAIL_FLAG_DRAFT = 1 << 4,   /* D */
    MAIL_FLAG_PASSED = 1 << 5,  /* P: forwarded/bounced */
    MAIL_FLAG_RECENT = 1 << 6,  /* in Maildir new/, or IMAP \Recent; not stored */
};

/* Safety bounds for untrusted input. */
#define MAIL_MAX_MESSAGE_SIZE (64u * 1024 * 1024) /* larger messages are refused */
#define MAIL_MAX_MIME_DEPTH 32                    /* deeper parts are shown as opaque */
#define MAIL_MAX_PARTS 10000                      /* more parts are not listed */

/*
 * What the index needs of a message.  All strings are owned by the envelope,
 * UTF-8, RFC 2047-decoded where the RFC allows encoded words, unfolded, and
 * NOT sanitised (render/ and ui/ sanitise before display).  Absent headers are
 * NULL.  An implementation may pack the strings in one allocation: free
 * envelopes only with mail_envelope_free().
 */
struct mail_envelope {
    char *key;       /* backend's identifier (Maildir: "cur/NAME:2,S"; IMAP: UID) */
    char *from;      /* display form: "Name <addr>" or "addr", several joined by ", " */
    char *from_name; /* display name of the first From address, else its address */
    char *from_addr; /* addr-spec of the first From address */
    char *to;        /* display form, as from */
    char *cc;
    char *subject;
    char *message_id;  /* without the angle brackets */
    char *in_reply_to; /* first msg-id, without angle brackets */
    char *references;  /* msg-ids separated by single spaces, without brackets */
    time_t date;       /* 0 if missing or unparsable */
    int tz_offset;     /* minutes east of UTC from the Date header */
    uint64_t size;     /* bytes of the raw message */
    unsigned flags;    /* enum mail_flag */
};

struct mail_envelope *mail_envelope_new(void);
void mail_envelope_free(struct mail_envelope *env);
/* Deep copy. */
struct mail_envelope *mail_envelope_dup(const struct mail_envelope *env);
/* Replace one string field (e.g. &env->key) with a copy of value (may be
 * NULL), freeing the old one correctly whether or not env is packed. */
void mail_envelope_set(struct mail_envelope *env, char **field, const char *value);

/* Parse just the header block of raw message bytes into a new envelope
 * (key NULL, flags 0, size = len).  Stops at the first empty line; cheap
 * enough for indexing 100,000 messages.  Never fails on malformed headers
 * (best effort); NULL only on NULL/oversized input, with err set. */
struct mail_envelope *mail_envelope_parse(const char *data, size_t len, struct nx_err *err);

/* Decode an unstructured header value (RFC 2047 encoded words, any charset)
 * to a malloc'd UTF-8 string; invalid bytes become U+FFFD. */
char *mail_header_decode(const char *value, size_t len);

/* A raw header field: name and value as in the message (value unfolded,
 * without the trailing line break, NOT decoded). */
struct mail_header {
    const char *name;  /* borrowed from the message / part */
    const char *value; /* borrowed */
};

enum mail_encoding {
    MAIL_ENC_7BIT,
    MAIL_ENC_8BIT,
    MAIL_ENC_BINARY,
    MAIL_ENC_QP,
    MAIL_ENC_BASE64,
    MAIL_ENC_UUENCODE,
    MAIL_ENC_OTHER,
};

enum mail_disposition {
    MAIL_DISP_NONE,
    MAIL_DISP_INLINE,
    MAIL_DISP_ATTACHMENT,
};

struct mail_param {
    const char *name;  /* lowercase; borrowed from the message */
    const char *value; /* decoded (RFC 2231 / quotes removed); borrowed */
};

/*
 * One node of the MIME tree.  Strings are borrowed from the message and live
 * as long as it does.  type and subtype are lowercase; a part without a
 * Content-Type is text/plain (or message/rfc822 inside multipart/digest).
 */
struct mail_part {
    const char *type;     /* "text", "multipart", "message", ... */
    const char *subtype;  /* "plain", "mixed", "rfc822", "delivery-status", ... */
    const char *charset;  /* lowercase charset parameter, or NULL */
    const char *filename; /* Content-Disposition filename or Content-Type name, decoded; or NULL */
    const char *description; /* Content-Description, decoded; or NULL */
    const char *content_id;  /* without brackets, or NULL */
    enum mail_encoding encoding;
    enum mail_disposition disposition;
    const struct mail_param *params; /* all Content-Type parameters */
    size_t nparams;

    const char *header; /* raw header block of this part, borrowed */
    size_t header_len;
    const char *body; /* raw (still transfer-encoded) body bytes, borrowed */
    size_t body_len;

    struct mail_part *parent;
    struct mail_part **children; /* multipart: its parts; message/rfc822: one, the enclosed body */
    size_t nchildren;
    /* message/rfc822 and message/global: the enclosed message's envelope
     * (owned by the message), parsed on first use: read it through
     * mail_part_enclosed(), which fills this field; NULL until then. */
    const struct mail_envelope *enclosed;
    unsigned depth; /* 0 for the root */
    bool truncated; /* parsing stopped here (depth or part limit, or broken MIME) */
    /* the message this part belongs to (for the fields built on first use) */
    struct mail_message *owner;
};

/* Opaque: a parsed message. */
struct mail_message;

/* Take a copy of data[0..len) and parse its header.  The MIME body is parsed
 * on the first call to mail_message_root().  NULL with err set only when the
 * input is unusable (NULL, empty, larger than MAIL_MAX_MESSAGE_SIZE). */
struct mail_message *mail_message_parse(const char *data, size_t len, struct nx_err *err);
/* As above but takes ownership of a malloc'd buffer (freed on failure too). */
struct mail_message *mail_message_adopt(char *data, size_t len, struct nx_err *err);
/* Read a message file (a Maildir file, a .eml). */
struct mail_message *mail_message_load(const char *path, struct nx_err *err);
void mail_message_free(struct mail_message *msg);

/* The envelope (owned by the message), parsed on first use.  Its key and
 * flags are whatever the backend set with mail_message_set_meta(). */
const struct mail_envelope *mail_message_envelope(const struct mail_message *msg);
void mail_message_set_meta(struct mail_message *msg, const char *key, unsigned flags);

/* The raw bytes (owned by the message). */
const char *mail_message_raw(const struct mail_message *msg, size_t *len);

/* Top-level header fields in order (owned by the message).  Lazily built. */
size_t mail_message_headers(const struct mail_message *msg, const struct mail_header **out);
/* First top-level header named `name` (case-insensitive): raw unfolded value
 * or NULL.  Borrowed from the message. */
const char *mail_message_header(const struct mail_message *msg, const char *name);

/* The MIME tree, parsed on first use; never NULL for a message that parsed.
 * Broken MIME yields a best-effort tree (the body as one text/plain part if
 * need be) with `truncated` set where parsing gave up. */
const struct mail_part *mail_message_root(const struct mail_message *msg);

/* The envelope of the message enclosed in a message/rfc822 or
 * message/global part, parsed on first use and owned by the message; NULL
 * for other parts, for an enclosed message under a transfer encoding and
 * for one at the depth limit (MAIL_MAX_MIME_DEPTH). */
const struct mail_envelope *mail_part_enclosed(const struct mail_part *part);

/* Parameter lookup (case-insensitive name), NULL if absent. */
const char *mail_part_param(const struct mail_part *part, const char *name);

/* Transfer-decoded body bytes (base64, quoted-printable, uuencode undone).
 * *out is malloc'd, NUL-terminated, caller frees.  Best effort on bad
 * encodings; -1 only on resource limits. */
int mail_part_decode(const struct mail_part *part, char **out, size_t *out_len, struct nx_err *err);

/* Transfer-decoded and converted from the part's charset to UTF-8 (unknown
 * charsets are taken as UTF-8 then Latin-1; invalid bytes become U+FFFD).
 * *out is malloc'd, NUL-terminated, caller frees. */
int mail_part_text(const struct mail_part *part, char **out, size_t *out_len, struct nx_err *err);

/* Header fields of a part's header block or of any "Name: value" block such
 * as a message/delivery-status group (tolerant: folding, LF/CRLF/CR, missing
 * colons skipped).  Returns a malloc'd array of fields whose strings are
 * malloc'd copies; free with mail_fields_free(). */
struct mail_field {
    char *name;
    char *value; /* unfolded, trimmed, not decoded */
};
size_t mail_fields_parse(const char *data, size_t len, struct mail_field **out);
void mail_fields_free(struct mail_field *fields, size_t n);

/* Display helpers shared by render/ and ui/. */
/* "Mon, 23 Nov 2026 16:25:00 +0100" style rendering of an envelope date. */
void mail_format_date(time_t t, int tz_offset, char *buf, size_t size);

#endif
