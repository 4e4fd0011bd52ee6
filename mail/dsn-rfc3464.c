/*
 * dsn-rfc3464.c - the structured parts of reports: message/delivery-status
 * (RFC 3464 §2, RFC 1894, RFC 6533 message/global-delivery-status),
 * message/disposition-notification (RFC 8098 §3) and message/feedback-report
 * (RFC 5965 §3).
 *
 * All three are blocks of "Name: value" fields in groups separated by blank
 * lines.  The reader is tolerant (docs/violations.md): folded values, RFC 5322
 * comments, any case, LF/CRLF/CR, unknown and X- fields, missing blank lines
 * between recipient groups (a repeated recipient field starts a new group),
 * unindented continuation lines of Diagnostic-Code.  It does not interpret
 * status codes beyond checking their syntax: dsn-reason.c does that.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"

/* One field as read from a block. */
struct dsn_field {
    char name[64]; /* lowercase, NUL-padded to 24 bytes at least */
    size_t name_len;
    int id; /* enum dsn_field_id */
    struct strbuf value;
    bool after_blank; /* a blank line preceded this field */
};

/* The fields this file reads: a recipient group's first (RFC 3464 §2.3,
 * the numbers dsn_rcpt_has and dsn_rcpt_field switch on), then the
 * per-message ones (§2.2) and two that are known and ignored. */
enum dsn_field_id {
    DSN_F_OTHER = -1,
    DSN_F_ORIGINAL_RECIPIENT,
    DSN_F_FINAL_RECIPIENT,
    DSN_F_ACTION,
    DSN_F_STATUS,
    DSN_F_REMOTE_MTA,
    DSN_F_DIAGNOSTIC_CODE,
    DSN_F_LAST_ATTEMPT_DATE,
    DSN_F_WILL_RETRY_UNTIL,
    DSN_F_FINAL_LOG_ID,
    DSN_F_X_ACTUAL_RECIPIENT,
    DSN_F_RCPT_END, /* the per-message fields from here */
    DSN_F_REPORTING_MTA = DSN_F_RCPT_END,
    DSN_F_RECEIVED_FROM_MTA,
    DSN_F_ARRIVAL_DATE,
    DSN_F_ORIGINAL_ENVELOPE_ID,
    DSN_F_DSN_GATEWAY,
    DSN_F_X_POSTFIX_QUEUE_ID,
};

/* The known names by a hash of their length, first and last bytes, which
 * no two of them share (a repeated slot would be an initializer override:
 * -Werror stops the build).  id is the field id + 1: 0 marks an empty slot. */
#define DSN_F_SLOT(len, first, last) (((len) + (first)*11 + (last)) & 31)
#define DSN_F_KNOWN(name, first, last, id)                                                         \
    [DSN_F_SLOT(sizeof name - 1, first, last)] = {name, id + 1}
static const struct {
    char name[24]; /* NUL-padded */
    int id;
} dsn_known_fields[32] = {
    DSN_F_KNOWN("original-recipient", 'o', 't', DSN_F_ORIGINAL_RECIPIENT),
    DSN_F_KNOWN("final-recipient", 'f', 't', DSN_F_FINAL_RECIPIENT),
    DSN_F_KNOWN("action", 'a', 'n', DSN_F_ACTION),
    DSN_F_KNOWN("status", 's', 's', DSN_F_STATUS),
    DSN_F_KNOWN("remote-mta", 'r', 'a', DSN_F_REMOTE_MTA),
    DSN_F_KNOWN("diagnostic-code", 'd', 'e', DSN_F_DIAGNOSTIC_CODE),
    DSN_F_KNOWN("last-attempt-date", 'l', 'e', DSN_F_LAST_ATTEMPT_DATE),
    DSN_F_KNOWN("will-retry-until", 'w', 'l', DSN_F_WILL_RETRY_UNTIL),
    DSN_F_KNOWN("final-log-id", 'f', 'd', DSN_F_FINAL_LOG_ID),
    DSN_F_KNOWN("x-actual-recipient", 'x', 't', DSN_F_X_ACTUAL_RECIPIENT),
    DSN_F_KNOWN("reporting-mta", 'r', 'a', DSN_F_REPORTING_MTA),
    DSN_F_KNOWN("received-from-mta", 'r', 'a', DSN_F_RECEIVED_FROM_MTA),
    DSN_F_KNOWN("arrival-date", 'a', 'e', DSN_F_ARRIVAL_DATE),
    DSN_F_KNOWN("original-envelope-id", 'o', 'd', DSN_F_ORIGINAL_ENVELOPE_ID),
    DSN_F_KNOWN("dsn-gateway", 'd', 'y', DSN_F_DSN_GATEWAY),
    DSN_F_KNOWN("x-postfix-queue-id", 'x', 'd', DSN_F_X_POSTFIX_QUEUE_ID),
};

/* The id of a lowercase name of n bytes (1..63) in name[], NUL-padded to 24
 * bytes: one slot, compared in three words. */
static int
dsn_field_id(const char *name, size_t n)
{
    unsigned char first = (unsigned char)name[0], last = (unsigned char)name[n - 1];
    unsigned slot = DSN_F_SLOT((unsigned)n, first, last);
    uint64_t a[3], b[3];
    memcpy(a, name, sizeof a);
    memcpy(b, dsn_known_fields[slot].name, sizeof b);
    bool same = ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2])) == 0;
    return same ? dsn_known_fields[slot].id - 1 : DSN_F_OTHER;
}

struct dsn_fields {
    const char *s;
    size_t len;
    size_t pos;
    bool lenient;           /* unindented non-field lines continue Diagnostic-Code */
    struct dsn_lines lines; /* the walk over s, set up on the first line */
    /* the last line split: a field's end is found by looking at the next line */
    size_t line_pos, line_end, line_next;
};

/* The lines of s in order, remembering the last: each is looked at twice. */
static size_t
dsn_fields_line(struct dsn_fields *it, size_t pos, size_t *next)
{
    if (it->line_next == 0 || it->line_pos != pos) {
        if (it->lines.s == NULL)
            it->lines = (struct dsn_lines)DSN_LINES_INIT(it->s, it->len);
        it->line_pos = pos;
        it->line_end = dsn_lines_next(&it->lines, pos, &it->line_next);
    }
    *next = it->line_next;
    return it->line_end;
}

/* The bytes of a field name (ASCII letters, digits, '-', '_'), folded to
 * lower case; 0 for the others (and for every byte from 0x80).  One load
 * per byte tests and folds. */
static const unsigned char dsn_name_byte[256] = {
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x2d, 0,    0,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0,    0,    0,    0,    0,    0,
    0,    0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0,    0,    0,    0,    0x5f,
    0,    0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0,    0,    0,    0,    0,
};

/* "Name:" at the start of a line: returns the name length, 0 if not a
 * field; where the colon is in *colon (the caller need not look again) and
 * the name, lowercase and NUL-terminated, in name. */
static size_t
dsn_field_name(const char *s, size_t len, size_t *colon, char name[64])
{
    size_t i = 0, lim = len < 63 ? len : 63;
    unsigned char c;
    memset(name, 0, 24);
    while (i < lim && (c = dsn_name_byte[(unsigned char)s[i]]) != 0)
        name[i++] = (char)c;
    name[i] = '\0';
    size_t n = i;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (n == 0 || i >= len || s[i] != ':')
        return 0;
    *colon = i;
    return n;
}

static bool
dsn_fields_next(struct dsn_fields *it, struct dsn_field *f)
{
    f->after_blank = false;
    strbuf_reset(&f->value);
    size_t next;
    while (it->pos < it->len) {
        size_t start = it->pos;
        size_t end = dsn_fields_line(it, start, &next);
        it->pos = next;
        const char *l = it->s + start;
        size_t ll = end - start;
        size_t colon;
        size_t n = dsn_field_name(l, ll, &colon, f->name);
        if (n == 0) { /* no field: blank, prose or stray */
            const char *t = l;
            size_t tl = ll;
            dsn_trim(&t, &tl);
            f->after_blank |= tl == 0;
            continue;
        }
        f->name_len = n;
        f->id = dsn_field_id(f->name, n);
        strbuf_add(&f->value, l + colon + 1, ll - colon - 1);
        bool diag = f->id == DSN_F_DIAGNOSTIC_CODE;
        /* RFC 5322 §2.2.3 unfolding; lenient for unindented diagnostic lines */
        while (it->pos < it->len) {
            size_t s2 = it->pos;
            size_t e2 = dsn_fields_line(it, s2, &next);
            const char *l2 = it->s + s2;
            size_t ll2 = e2 - s2;
            if (!(ll2 > 0 && (l2[0] == ' ' || l2[0] == '\t')) && !(it->lenient && diag))
                break; /* neither folded nor a loose diagnostic line: the next field */
            const char *t2 = l2;
            size_t tl2 = ll2;
            dsn_trim(&t2, &tl2);
            bool folded = ll2 > 0 && (l2[0] == ' ' || l2[0] == '\t') && tl2 > 0;
            size_t colon2;
            char name2[64];
            bool loose =
                it->lenient && diag && tl2 > 0 && dsn_field_name(l2, ll2, &colon2, name2) == 0;
            if (!folded && !loose)
                break;
            if (f->value.len < DSN_MAX_DIAGNOSTIC) {
                strbuf_addc(&f->value, ' ');
                strbuf_add(&f->value, t2, tl2);
            }
            it->pos = next;
        }
        return true;
    }
    return false;
}

static char *
dsn_value(struct dsn_pool *pool, const struct dsn_field *f, size_t max)
{
    return dsn_strclean_in(pool, f->value.buf, f->value.len, max, true);
}

/* What follows the type of a cleaned value v (at semi), in v itself, or
 * NULL (v freed) if nothing does.  v is dsn_strclean's output (valid UTF-8,
 * single spaces, trimmed), so cleaning the rest again would only trim it. */
static char *
dsn_after_type(struct dsn_pool *pool, char *v, char *semi)
{
    char *rest = semi + 1;
    while (*rest == ' ')
        rest++;
    if (!*rest) {
        dsn_pool_release(pool, v);
        return NULL;
    }
    memmove(v, rest, strlen(rest) + 1);
    return v;
}

/* Type-prefixed value ("dns; mx.example.org"): the part after the type. */
static char *
dsn_typed_value(struct dsn_pool *pool, const struct dsn_field *f, char **type)
{
    char *v = dsn_value(pool, f, DSN_MAX_FIELD);
    if (type)
        *type = NULL;
    if (!v)
        return NULL;
    char *semi = strchr(v, ';');
    if (semi && semi - v < 40 && !memchr(v, ' ', (size_t)(semi - v))) {
        if (type) {
            *type = dsn_pool_strndup(pool, v, (size_t)(semi - v));
            for (char *p = *type; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        }
        return dsn_after_type(pool, v, semi);
    }
    return v;
}

enum dsn_action
dsn_action_parse(const char *v)
{
    static const struct {
        const char *word;
        enum dsn_action action;
    } words[] = {
        {"failed", DSN_ACTION_FAILED},         {"failure", DSN_ACTION_FAILED},
        {"fail", DSN_ACTION_FAILED},           {"expired", DSN_ACTION_FAILED},
        {"delayed", DSN_ACTION_DELAYED},       {"delay", DSN_ACTION_DELAYED},
        {"deferred", DSN_ACTION_DELAYED},      {"delivered", DSN_ACTION_DELIVERED},
        {"deliverable", DSN_ACTION_DELIVERED}, {"relayed", DSN_ACTION_RELAYED},
        {"expanded", DSN_ACTION_EXPANDED},
    };
    if (!v)
        return DSN_ACTION_UNKNOWN;
    while (isspace((unsigned char)*v))
        v++;
    size_t n = 0;
    while (isalpha((unsigned char)v[n]))
        n++;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && strncasecmp(v, words[i].word, n) == 0)
            return words[i].action;
    return DSN_ACTION_UNKNOWN;
}

/* The first value wins; a later one goes back to the pool (it is the last
 * allocation: its room is reused). */
static void
dsn_set(struct dsn_pool *pool, char **slot, char *value)
{
    if (*slot || !value) {
        dsn_pool_release(pool, value);
        return;
    }
    *slot = value;
}

static void
dsn_per_message_field(struct dsn_report *rep, const struct dsn_field *f)
{
    struct dsn_pool *pool = rep->pool;
    switch (f->id) {
    case DSN_F_REPORTING_MTA:
        dsn_set(pool, &rep->reporting_mta, dsn_typed_value(pool, f, NULL));
        break;
    case DSN_F_RECEIVED_FROM_MTA:
        dsn_set(pool, &rep->received_from_mta, dsn_typed_value(pool, f, NULL));
        break;
    case DSN_F_ARRIVAL_DATE:
        dsn_set(pool, &rep->arrival_date, dsn_value(pool, f, DSN_MAX_FIELD));
        break;
    case DSN_F_ORIGINAL_ENVELOPE_ID:
        dsn_set(pool, &rep->envelope_id, dsn_value(pool, f, DSN_MAX_FIELD));
        break;
    default:
        break;
    }
}

static bool
dsn_rcpt_has(const struct dsn_recipient *r, int id)
{
    switch (id) {
    case DSN_F_ORIGINAL_RECIPIENT:
        return r->original_recipient != NULL;
    case DSN_F_FINAL_RECIPIENT:
        return r->final_recipient != NULL;
    case DSN_F_ACTION:
        return r->action != DSN_ACTION_UNKNOWN;
    case DSN_F_STATUS:
        return r->status_field[0] != '\0';
    default:
        return false;
    }
}

static void
dsn_diag_set(struct dsn_pool *pool, struct dsn_recipient *r, const struct dsn_field *f)
{
    if (r->diagnostic)
        return; /* the first one is kept: not worth cleaning the others */
    char *type = NULL;
    char *text = dsn_value(pool, f, DSN_MAX_DIAGNOSTIC);
    if (!text)
        return;
    char *semi = strchr(text, ';');
    if (semi && semi - text < 32 && !memchr(text, ' ', (size_t)(semi - text))) {
        type = dsn_pool_strndup(pool, text, (size_t)(semi - text));
        for (char *p = type; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        text = dsn_after_type(pool, text, semi);
    }
    if (!text) {
        dsn_pool_release(pool, type);
        return;
    }
    r->diagnostic_type = type;
    r->diagnostic = text;
}

static void
dsn_rcpt_field(struct dsn_ctx *ctx, struct dsn_recipient *r, int id, const struct dsn_field *f)
{
    struct dsn_pool *pool = ctx->rep->pool;
    char *v;
    switch (id) {
    case DSN_F_ORIGINAL_RECIPIENT:
        dsn_set(pool, &r->original_recipient, dsn_addr_clean(pool, f->value.buf, NULL));
        break;
    case DSN_F_FINAL_RECIPIENT: {
        char *type = NULL;
        v = dsn_addr_clean(pool, f->value.buf, &type);
        if (!r->final_recipient && v) {
            r->final_recipient = v;
            r->final_type = type;
        } else {
            dsn_pool_release(pool, v);
            dsn_pool_release(pool, type);
        }
        break;
    }
    case DSN_F_ACTION:
        r->action = dsn_action_parse(f->value.buf);
        if (r->action == DSN_ACTION_UNKNOWN)
            dsn_note(ctx, "unknown Action value \"%.40s\"", f->value.buf);
        break;
    case DSN_F_STATUS:
        if (!dsn_status_parse(f->value.buf, r->status_field))
            dsn_note(ctx, "invalid Status value \"%.40s\"", f->value.buf);
        break;
    case DSN_F_REMOTE_MTA:
        dsn_set(pool, &r->remote_mta, dsn_typed_value(pool, f, NULL));
        break;
    case DSN_F_DIAGNOSTIC_CODE:
        dsn_diag_set(pool, r, f);
        break;
    case DSN_F_LAST_ATTEMPT_DATE:
        dsn_set(pool, &r->last_attempt_date, dsn_value(pool, f, DSN_MAX_FIELD));
        break;
    case DSN_F_WILL_RETRY_UNTIL:
        dsn_set(pool, &r->will_retry_until, dsn_value(pool, f, DSN_MAX_FIELD));
        break;
    case DSN_F_X_ACTUAL_RECIPIENT: /* sendmail/Postfix: the local delivery target
                                      ("|/usr/bin/procmail") */
        dsn_set(pool, &r->actual_recipient, dsn_value(pool, f, DSN_MAX_FIELD));
        break;
    default:
        break;
    }
}

size_t
dsn_rfc3464_parse(struct dsn_ctx *ctx, const char *body, size_t len)
{
    struct dsn_fields it = {.s = body, .len = len, .lenient = true};
    struct dsn_field f = {.value = STRBUF_INIT};
    struct dsn_recipient *cur = NULL;
    bool blank_since = false;
    size_t before = ctx->rep->nrcpts;
    while (dsn_fields_next(&it, &f)) {
        if (f.after_blank)
            blank_since = true;
        int id = f.id;
        if (id < 0 || id >= DSN_F_RCPT_END) {
            dsn_per_message_field(ctx->rep, &f);
            continue;
        }
        bool addr_field = id == DSN_F_ORIGINAL_RECIPIENT || id == DSN_F_FINAL_RECIPIENT;
        bool fresh =
            !cur || dsn_rcpt_has(cur, id) ||
            (blank_since && addr_field && (cur->final_recipient || cur->original_recipient));
        if (fresh) {
            if (cur && !blank_since)
                dsn_note(ctx, "recipient groups not separated by a blank line");
            cur = dsn_rcpt_add(ctx);
            if (!cur)
                break; /* DSN_MAX_RECIPIENTS reached */
        }
        blank_since = false;
        dsn_rcpt_field(ctx, cur, id, &f);
    }
    strbuf_free(&f.value);
    return ctx->rep->nrcpts - before;
}

bool
dsn_rfc3464_in_text(struct dsn_ctx *ctx)
{
    /* where the FIELD phrases first occur in the notice (dsn_notice_scan) */
    size_t p = dsn_notice_find(ctx, DSN_LIST_FIELD, "final-recipient:");
    if (p == SIZE_MAX)
        p = dsn_notice_find(ctx, DSN_LIST_FIELD, "original-recipient:");
    /* rare: searched on their own (dsn-phrases.def) */
    if (p == SIZE_MAX || (!dsn_memcasemem(ctx->notice, ctx->notice_len, "\nstatus:") &&
                          !dsn_memcasemem(ctx->notice, ctx->notice_len, "\naction:")))
        return false;
    /* start at the beginning of the block that holds the first field */
    size_t from = dsn_notice_find(ctx, DSN_LIST_FIELD, "reporting-mta:") != SIZE_MAX ? 0 : p;
    struct dsn_fields it = {.s = ctx->notice + from, .len = ctx->notice_len - from};
    struct dsn_field f = {.value = STRBUF_INIT};
    struct dsn_recipient *cur = NULL;
    size_t before = ctx->rep->nrcpts;
    while (dsn_fields_next(&it, &f)) {
        int id = f.id;
        if (id < 0 || id >= DSN_F_RCPT_END) {
            dsn_per_message_field(ctx->rep, &f);
            continue;
        }
        if (!cur && id != DSN_F_ORIGINAL_RECIPIENT && id != DSN_F_FINAL_RECIPIENT)
            continue; /* "Status:" prose before any recipient */
        if (!cur || dsn_rcpt_has(cur, id)) {
            cur = dsn_rcpt_add(ctx);
            if (!cur)
                break;
        }
        dsn_rcpt_field(ctx, cur, id, &f);
    }
    strbuf_free(&f.value);
    return ctx->rep->nrcpts > before;
}

void
dsn_mdn_parse(struct dsn_ctx *ctx, const char *body, size_t len)
{
    struct dsn_pool *pool = ctx->rep->pool;
    struct dsn_fields it = {.s = body, .len = len};
    struct dsn_field f = {.value = STRBUF_INIT};
    struct dsn_recipient *r = dsn_rcpt_add(ctx);
    while (r && dsn_fields_next(&it, &f)) {
        if (strcmp(f.name, "reporting-ua") == 0)
            dsn_set(pool, &ctx->rep->reporting_mta, dsn_typed_value(pool, &f, NULL));
        else if (strcmp(f.name, "original-recipient") == 0)
            dsn_set(pool, &r->original_recipient, dsn_addr_clean(pool, f.value.buf, NULL));
        else if (strcmp(f.name, "final-recipient") == 0)
            dsn_set(pool, &r->final_recipient, dsn_addr_clean(pool, f.value.buf, &r->final_type));
        else if (strcmp(f.name, "disposition") == 0)
            dsn_set(pool, &ctx->rep->disposition, dsn_value(pool, &f, DSN_MAX_FIELD));
        else if (strcmp(f.name, "original-message-id") == 0)
            dsn_set(pool, &ctx->rep->original.message_id, dsn_addr_clean(pool, f.value.buf, NULL));
        else if (strcmp(f.name, "failure") == 0 || strcmp(f.name, "error") == 0)
            dsn_set(pool, &r->diagnostic, dsn_value(pool, &f, DSN_MAX_DIAGNOSTIC));
    }
    strbuf_free(&f.value);
}

void
dsn_arf_parse(struct dsn_ctx *ctx, const char *body, size_t len)
{
    struct dsn_pool *pool = ctx->rep->pool;
    struct dsn_fields it = {.s = body, .len = len};
    struct dsn_field f = {.value = STRBUF_INIT};
    while (dsn_fields_next(&it, &f)) {
        if (strcmp(f.name, "feedback-type") == 0) {
            dsn_set(pool, &ctx->rep->feedback_type, dsn_value(pool, &f, 64));
        } else if (strcmp(f.name, "original-rcpt-to") == 0) {
            char *a = dsn_addr_clean(pool, f.value.buf, NULL);
            struct dsn_recipient *r = a ? dsn_rcpt_add(ctx) : NULL;
            if (r)
                r->recipient = a;
            else
                dsn_pool_release(pool, a);
        } else if (strcmp(f.name, "reporting-mta") == 0) {
            dsn_set(pool, &ctx->rep->reporting_mta, dsn_typed_value(pool, &f, NULL));
        } else if (strcmp(f.name, "arrival-date") == 0 || strcmp(f.name, "received-date") == 0) {
            dsn_set(pool, &ctx->rep->arrival_date, dsn_value(pool, &f, DSN_MAX_FIELD));
        }
    }
    strbuf_free(&f.value);
}
