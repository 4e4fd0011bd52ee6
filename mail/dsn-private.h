/*
 * dsn-private.h - what the files of the DSN engine share (mail/dsn*.c only).
 *
 * The engine runs in passes over one `struct dsn_ctx`: dsn.c walks the MIME
 * tree and picks the parts, dsn-rfc3464.c reads structured reports,
 * dsn-text.c reads free-text bounces, dsn-original.c the returned message,
 * dsn-text-fill.c fills a report from the notice, dsn-reason.c turns
 * status + words into a reason.  dsn-util.c holds the bounded string
 * scanners they all use; dsn-match.c finds the phrase lists of
 * dsn-phrases.def (one pass over the notice finds them all, dsn_notice_scan).
 * Nothing here does I/O.
 */
#ifndef NIXIE_MAIL_DSN_PRIVATE_H
#define NIXIE_MAIL_DSN_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/base/strbuf.h"

#include "mail/dsn-phrases.h"
#include "mail/dsn.h"

struct mail_message;
struct mail_part;

/* At least the number of phrases in the NOTICE group (dsn-match.c checks). */
#define DSN_NOTICE_MAX 192

/* A text prepared for phrase matching (dsn-reason-table.c): lowercased,
 * multi-line replies unfolded, and the first SPECIFIC and GENERAL rows in it. */
struct dsn_words {
    char *lc; /* small, or owned when the text does not fit */
    size_t len;
    const struct dsn_phrase *specific, *general;
    char small[256]; /* most diagnostics fit: no allocation (lc points here: do not copy) */
};

/* Analysis state for one message.  Parts are borrowed from the message;
 * `notice` is owned. */
struct dsn_ctx {
    const struct mail_message *msg;
    struct dsn_report *rep;
    struct strbuf notes;

    const struct mail_part *root;
    const char *report_type;             /* multipart/report report-type, or NULL */
    const struct mail_part *status_part; /* message/(global-)delivery-status */
    bool status_global;                  /* RFC 6533 message/global-delivery-status */
    const struct mail_part *mdn_part;    /* message/(global-)disposition-notification */
    const struct mail_part *arf_part;    /* message/feedback-report */
    const struct mail_part *orig_part;   /* message/rfc822, message/global, text/rfc822-headers */
    /* a report inside orig_part (a gateway forwarding a bounce as an attachment) */
    const struct mail_part *inner_status; /* its message/delivery-status */
    const struct mail_part *inner_orig;   /* the message that report returns */
    const struct mail_part *text_part;    /* first text/plain outside the original */
    const struct mail_part *html_part;    /* first text/html outside the original */
    size_t nparts;

    /* the words of the last text dsn-text-rcpt.c looked up for reasons (lc
     * NULL: none): its recipient's diagnostic is most often that text, and
     * dsn_reason_classify() then takes the rows found (owned) */
    struct dsn_words said;

    void *reader; /* dsn-text-rcpt.c's reader over the notice, built once, owned */

    const char *notice; /* the human-readable notice, UTF-8, notice_len bytes (not
                           NUL-terminated): the text part's own bytes, or notice_owned */
    char *notice_owned;
    size_t notice_len;
    size_t notice_end; /* where the quoted original starts inside notice, else notice_len */
    /* where each phrase of the NOTICE group first starts in the whole
     * notice (UINT32_MAX: nowhere); one pass fills it (dsn_notice_scan) */
    uint32_t notice_at[DSN_NOTICE_MAX];
};

/* ---- dsn-util.c: the report's string pool ---- */

/* Every string a report keeps but original.raw (large, malloc'd) is
 * allocated from its pool, with the report itself, and dsn_report_free()
 * frees the pool's blocks at once: ~24 strings a report were as many
 * malloc/free pairs.  Bump allocation in blocks growing from DSN_POOL_FIRST
 * bytes (a size glibc's per-thread cache serves; most reports fit in it); a
 * request of more than DSN_POOL_BIG bytes gets a block of its own.  A
 * string given up stays until the report is freed (unless it is the last
 * allocation), so every place that gives one up does so at most once per
 * input field or recipient: memory stays linear.  Where a function takes a
 * pool, NULL means malloc/free instead. */
#define DSN_POOL_FIRST 1024
#define DSN_POOL_BIG (16 * 1024)
struct dsn_pool;
/* A pool whose first block also holds `head` bytes returned in *headp
 * (the report itself); never NULL (xmalloc). */
struct dsn_pool *dsn_pool_new(size_t head, void **headp);
void dsn_pool_free(struct dsn_pool *pool);
/* n bytes, not aligned (strings only). */
char *dsn_pool_alloc(struct dsn_pool *pool, size_t n);
/* Keep only the first n bytes of p, the last allocation (else nothing happens). */
void dsn_pool_trim(struct dsn_pool *pool, char *p, size_t n);
/* Give p back: free(p) without a pool; with one, its room is reused only
 * if p is the last allocation. */
void dsn_pool_release(struct dsn_pool *pool, char *p);
/* A NUL-terminated copy of s[0..n). */
char *dsn_pool_strndup(struct dsn_pool *pool, const char *s, size_t n);
/* s (malloc'd, may be NULL) moved into the pool: s is freed.  For the rare
 * paths that build a string with malloc. */
char *dsn_pool_adopt(struct dsn_pool *pool, char *s);

/* ---- dsn-util.c: bounded scanners over (s, len); none reads past len ---- */

/* Case-insensitive (ASCII) compare of n bytes: strncasecmp's answer on
 * spans without NUL, without a call on the short spans it is used for. */
static inline bool
dsn_caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (dsn_fold((unsigned char)a[i]) != dsn_fold((unsigned char)b[i]))
            return false;
    return true;
}

/* Case-insensitive search of an ASCII needle; NULL if absent. */
const char *dsn_memcasemem(const char *s, size_t len, const char *needle);
/* Case-insensitive prefix test. */
bool dsn_has_prefix(const char *s, size_t len, const char *prefix);
/* Trim ASCII white space on both ends of [*s, *s + *len). */
void dsn_trim(const char **s, size_t *len);
/* A malloc'd, NUL-terminated, valid UTF-8 copy (invalid bytes -> U+FFFD; NUL
 * and other C0 controls but TAB/LF -> space), at most `max` bytes, trimmed
 * and with runs of white space collapsed when `collapse`.  NULL if empty. */
char *dsn_strclean(const char *s, size_t len, size_t max, bool collapse);
/* dsn_strclean() into a pool (NULL: malloc). */
char *dsn_strclean_in(struct dsn_pool *pool, const char *s, size_t len, size_t max, bool collapse);
/* Remove RFC 5322 comments "(...)" (nesting-aware, quotes respected) in place. */
void dsn_strip_comments(char *s);

/* RFC 3463 status code "c.sss.ddd" (class 2/4/5, 1-3 digits each) at s, not
 * glued to other digits or dots (so IP addresses and versions do not match).
 * Returns the length matched, 0 if none; the code is copied to out[16]. */
size_t dsn_status_at(const char *s, size_t len, size_t pos, char out[16]);
/* First status code in text, preferring "(#5.1.1)" then "550 5.1.1" then a
 * bare code.  Returns true and fills out[16]. */
bool dsn_status_find(const char *s, size_t len, char out[16]);
/* Subject and detail both non-zero ("5.1.1"; not "5.0.0", "5.7.0"). */
bool dsn_status_specific(const char *code);
/* Best-ranked specific 4.x.x/5.x.x code in text whose subject.detail differs
 * from `except`'s (may be NULL). */
bool dsn_status_find_specific(const char *s, size_t len, const char *except, char out[16]);
/* dsn_status_find() into any and dsn_status_find_specific() (no exception)
 * into spec, in one pass: whether any was found; *have_spec for spec. */
bool dsn_status_find_two(const char *s, size_t len, char any[16], char spec[16], bool *have_spec);
/* Validate a Status field value (comments and trailing words ignored):
 * true and the canonical code in out[16]. */
bool dsn_status_parse(const char *value, char out[16]);
/* First SMTP reply code (2xx/4xx/5xx, second digit 0-5) in text that is not
 * part of an IP address, a number or a status code; 0 if none. */
int dsn_reply_find(const char *s, size_t len);
/* Where the first status or reply code at or after from starts, or SIZE_MAX. */
size_t dsn_code_next(const char *s, size_t len, size_t from);

/* Next RFC 5321-ish address (local@domain, domain with a dot or a literal)
 * in s[from..len); returns its start or SIZE_MAX, and its length in *alen. */
size_t dsn_addr_next(const char *s, size_t len, size_t from, size_t *alen);
/* Normalise an address field value: remove the "type;" prefix (stored in
 * *type if not NULL), comments, angle brackets, quotes around the whole
 * and white space; decode RFC 6533 "\x{HHHH}" escapes for utf-8.  Both from
 * pool (NULL: malloc'd); NULL if nothing is left. */
char *dsn_addr_clean(struct dsn_pool *pool, const char *value, char **type);
/* Is a exactly one address (local@domain.tld or local@[literal])? */
bool dsn_addr_valid(const char *a);
/* Address-ish comparison: case-insensitive, brackets ignored. */

/* Length of the leading run of ASCII bytes other than NUL (valid UTF-8). */
size_t dsn_ascii_span(const char *s, size_t len);

/* Split a logical line: returns the end of the line starting at pos (the
 * index of '\n', '\r' or len) and in *next the start of the next line. */
size_t dsn_line_end(const char *s, size_t len, size_t pos, size_t *next);

/* Lines split as dsn_line_end() splits them (at LF, CR or CRLF), for a
 * walk from the start of s[0..len): one memchr per line for the LF, kept
 * while lone CRs end the lines before it (so a text of CRs alone stays
 * linear), and one for a CR over a window of DSN_CR_WINDOW bytes or more,
 * kept while the lines lie in it (most texts have no CR: one search serves
 * many lines). */
struct dsn_lines {
    const char *s;
    size_t len;
    size_t lf; /* the first LF at or after the last line start (len: none) */
    bool lf_known;
    size_t cr;     /* the first CR at or after the last CR search's start, */
    size_t cr_end; /* SIZE_MAX: none before cr_end, where that search ended */
};
#define DSN_CR_WINDOW 2048
#define DSN_LINES_INIT(s, len)                                                                     \
    {                                                                                              \
        (s), (len), 0, false, SIZE_MAX, 0                                                          \
    }
/* The end of the line starting at pos (pos < len, at or after the last
 * one asked for); in *next the start of the next line.  Inline: a walk
 * calls it once per line. */
static inline size_t
dsn_lines_next(struct dsn_lines *ln, size_t pos, size_t *next)
{
    if (!ln->lf_known || ln->lf < pos) {
        const char *lf = memchr(ln->s + pos, '\n', ln->len - pos);
        ln->lf = lf ? (size_t)(lf - ln->s) : ln->len;
        ln->lf_known = true;
    }
    /* the last search says whether [pos, lf) holds a CR unless its CR is
     * behind pos, or it found none but stopped before lf */
    if (ln->cr != SIZE_MAX ? ln->cr < pos : ln->lf > ln->cr_end) {
        size_t hi = ln->len - pos > DSN_CR_WINDOW ? pos + DSN_CR_WINDOW : ln->len;
        hi = hi < ln->lf ? ln->lf : hi;
        const char *cr = memchr(ln->s + pos, '\r', hi - pos);
        ln->cr = cr ? (size_t)(cr - ln->s) : SIZE_MAX;
        ln->cr_end = hi;
    }
    if (ln->cr == SIZE_MAX || ln->cr >= ln->lf) {
        *next = ln->lf < ln->len ? ln->lf + 1 : ln->len;
        return ln->lf;
    }
    size_t end = ln->cr;
    *next = end + 1 < ln->len && ln->s[end + 1] == '\n' ? end + 2 : end + 1;
    return end;
}

/* ---- dsn.c ---- */
struct dsn_recipient *dsn_rcpt_add(struct dsn_ctx *ctx);
/* The transfer-decoded body of a part, at most max bytes, NOT NUL-terminated:
 * the part's own bytes when it has no transfer encoding (*owned NULL), else
 * a decoded copy the caller frees through *owned.  NULL on failure. */
const char *dsn_part_view(const struct mail_part *p, size_t max, size_t *len, char **owned);
void dsn_note(struct dsn_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- dsn-rfc3464.c ---- */
/* RFC 3464 §2.3.3 action-value (first word, any case, common misspellings). */
enum dsn_action dsn_action_parse(const char *value);
/* Parse a message/delivery-status body; returns the number of recipients. */
size_t dsn_rfc3464_parse(struct dsn_ctx *ctx, const char *body, size_t len);
/* Look for RFC 3464 fields written as text in the notice (a report pasted
 * in a text part); true if at least one recipient group was found. */
bool dsn_rfc3464_in_text(struct dsn_ctx *ctx);
/* message/disposition-notification (RFC 8098 §3). */
void dsn_mdn_parse(struct dsn_ctx *ctx, const char *body, size_t len);
/* message/feedback-report (RFC 5965 §3). */
void dsn_arf_parse(struct dsn_ctx *ctx, const char *body, size_t len);

/* ---- dsn-json.c ---- */
/* Amazon SES event notifications (JSON in the body): true if recognised. */
bool dsn_json_parse(struct dsn_ctx *ctx);

/* ---- dsn-html.c ---- */
/* Text of an HTML notice (tags dropped, blocks as lines); owned. */
char *dsn_html_to_text(const char *s, size_t len, size_t *out_len);

/* ---- dsn-match.c: the lists of dsn-phrases.def found in a text ---- */
/* Called for each occurrence of a phrase of the group in the text, not
 * necessarily in order of position; returning false stops the scan. */
typedef bool (*dsn_match_fn)(void *arg, const struct dsn_phrase *phrase, size_t at);
/* One pass over s[0..len) for every phrase of `group` (ASCII case ignored). */
void dsn_match_scan(enum dsn_group group, const char *s, size_t len, dsn_match_fn fn, void *arg);
/* Does a phrase of `list` occur in s[0..len)? */
bool dsn_match_any(enum dsn_list list, const char *s, size_t len);
/* Where the earliest phrase of `list` starts, or SIZE_MAX. */
size_t dsn_match_earliest(enum dsn_list list, const char *s, size_t len);
/* The first row of `list` (in table order) that occurs, or NULL. */
const struct dsn_phrase *dsn_match_first(enum dsn_list list, const char *s, size_t len);
/* The phrase of `list` that starts last (the first row on a tie), or NULL. */
const struct dsn_phrase *dsn_match_last(enum dsn_list list, const char *s, size_t len);
/* In one pass, the first row of every list of `group` (NULL where none). */
void dsn_match_rows(enum dsn_group group, const char *s, size_t len,
                    const struct dsn_phrase *rows[DSN_LIST_COUNT]);
/* The table: row `id` (NULL past the end); a list's rows are
 * [first_row, end_row); a group's start at its first_row. */
const struct dsn_phrase *dsn_phrase_row(unsigned id);
unsigned dsn_list_first_row(enum dsn_list list);
unsigned dsn_list_end_row(enum dsn_list list);
unsigned dsn_group_first_row(enum dsn_group group);
/* Given each row's earliest start in a text (at[row - first row of its
 * group], UINT32_MAX: nowhere): the first row of `list` that lies entirely
 * in [0, end), or NULL; where the earliest such phrase starts, or SIZE_MAX. */
const struct dsn_phrase *dsn_rows_first(const uint32_t *at, enum dsn_list list, size_t end);
size_t dsn_rows_earliest(const uint32_t *at, enum dsn_list list, size_t end);

/* ---- dsn-text.c ---- */
/* One pass over the notice for the NOTICE group: fills notice_at and
 * notice_end. */
void dsn_notice_scan(struct dsn_ctx *ctx);
/* The first row of `list` (a NOTICE-group list) that occurs entirely in
 * notice[0..end), or NULL. */
const struct dsn_phrase *dsn_notice_first(const struct dsn_ctx *ctx, enum dsn_list list,
                                          size_t end);
/* Where the earliest phrase of `list` entirely in notice[0..end) starts, or SIZE_MAX. */
size_t dsn_notice_earliest(const struct dsn_ctx *ctx, enum dsn_list list, size_t end);
/* Where the row of `list` reading `phrase` first starts in the notice, or SIZE_MAX. */
size_t dsn_notice_find(const struct dsn_ctx *ctx, enum dsn_list list, const char *phrase);
/* A remote host name in a diagnostic ("host mx.example.org said"), from
 * pool (NULL: malloc'd). */
char *dsn_remote_host(struct dsn_pool *pool, const char *diag);
/* Does the message look like a free-text bounce?  Returns the style name
 * (static) or NULL. */
const char *dsn_text_detect(struct dsn_ctx *ctx);
/* Extract recipients and diagnostics from the notice text; returns count. */
size_t dsn_text_parse(struct dsn_ctx *ctx, const char *style);
/* Where the quoted original starts in text (or len). */
size_t dsn_text_original_start(const char *text, size_t len);
/* Fill diagnostics of report recipients that have none from the notice. */
void dsn_text_enrich(struct dsn_ctx *ctx);
/* dsn-text-rcpt.c: the generic reader over the notice up to the quoted
 * original (notice[0..notice_end)). */
size_t dsn_text_read_recipients(struct dsn_ctx *ctx, bool delayed);
/* The notice's words about one address (in the report's pool), or NULL. */
char *dsn_text_diag_for(struct dsn_ctx *ctx, const char *addr);
/* Free the cached reader (end of analysis). */
void dsn_text_reader_free(struct dsn_ctx *ctx);
/* The first lines of the notice that carry an SMTP code (in the report's
 * pool), or NULL. */
char *dsn_text_first_code(struct dsn_ctx *ctx);
/* Append the first paragraph of the notice that has bounce wording (unless
 * sb holds it already); true if something was appended. */
bool dsn_text_summary(struct dsn_ctx *ctx, struct strbuf *sb);
/* RFC 3834 automatic reply? */
bool dsn_autoreply_detect(struct dsn_ctx *ctx);

/* ---- dsn-reason.c ---- */
/* Decide status (if missing), reply code, reason and hard/soft for r;
 * `known`: words already looked up (may be NULL), see dsn_words_reuse(). */
void dsn_reason_classify(struct dsn_recipient *r, enum dsn_kind kind,
                         const struct dsn_words *known);
void dsn_words_init(struct dsn_words *w, const char *text, size_t len);
/* dsn_words_init(), but when the words are those of `known` (may be NULL)
 * its rows are taken, not looked up again. */
void dsn_words_reuse(struct dsn_words *w, const char *text, size_t len,
                     const struct dsn_words *known);
void dsn_words_free(struct dsn_words *w);
/* Reason from wording alone: the specific phrases when `specific`, else the
 * general ones; DSN_REASON_UNDEFINED if none matches. */
enum dsn_reason dsn_words_reason(const struct dsn_words *w, bool specific);
/* Does the text name any reason (either list, or a missing domain)?  Its
 * words and rows are left in w (dsn_words_free() them). */
bool dsn_reason_any(struct dsn_words *w, const char *text, size_t len);
/* The SMTP stage a text says failed ("CONN", "HELO", "MAIL", "RCPT", "DATA"). */
bool dsn_smtp_command(const char *text, size_t len, char out[8]);

/* ---- dsn-original.c ---- */
void dsn_original_extract(struct dsn_ctx *ctx);

#endif
