/*
 * dsn.c - entry point of the DSN engine: walks the MIME tree, picks the parts
 * that matter, decides the kind of message and runs the other passes; owns
 * struct dsn_report (allocation, recipients, free) and the name tables.
 *
 * Kind decision, first match wins (docs/dsn.md):
 *   1. a message/(global-)delivery-status part with recipient groups -> REPORT
 *   2. message/feedback-report -> FEEDBACK;  message/disposition-notification -> MDN
 *   3. a free-text bounce (dsn-text.c) -> BOUNCE
 *   4. an RFC 3834 automatic reply -> AUTOREPLY
 *   5. otherwise NONE.
 * Invariants: never fails for a parsed message; at most DSN_MAX_RECIPIENTS
 * recipients; every string owned by the report and valid UTF-8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/message.h"

static const char *const dsn_reason_names[] = {
#define DSN_REASON_NAME(id, name) name,
    DSN_REASONS(DSN_REASON_NAME)
#undef DSN_REASON_NAME
};

const char *
dsn_reason_name(enum dsn_reason reason)
{
    if ((unsigned)reason >= DSN_REASON_COUNT)
        return "undefined";
    return dsn_reason_names[reason];
}

int
dsn_reason_from_name(const char *name)
{
    for (int i = 0; name && i < DSN_REASON_COUNT; i++)
        if (strcasecmp(name, dsn_reason_names[i]) == 0)
            return i;
    return -1;
}

const char *
dsn_kind_name(enum dsn_kind kind)
{
    switch (kind) {
    case DSN_KIND_REPORT:
        return "dsn";
    case DSN_KIND_BOUNCE:
        return "bounce";
    case DSN_KIND_MDN:
        return "mdn";
    case DSN_KIND_FEEDBACK:
        return "feedback";
    case DSN_KIND_AUTOREPLY:
        return "autoreply";
    case DSN_KIND_NONE:
        break;
    }
    return "ordinary";
}

const char *
dsn_action_name(enum dsn_action action)
{
    switch (action) {
    case DSN_ACTION_FAILED:
        return "failed";
    case DSN_ACTION_DELAYED:
        return "delayed";
    case DSN_ACTION_DELIVERED:
        return "delivered";
    case DSN_ACTION_RELAYED:
        return "relayed";
    case DSN_ACTION_EXPANDED:
        return "expanded";
    case DSN_ACTION_UNKNOWN:
        break;
    }
    return "unknown";
}

bool
dsn_kind_is_delivery(enum dsn_kind kind)
{
    return kind == DSN_KIND_REPORT || kind == DSN_KIND_BOUNCE;
}

enum dsn_action
dsn_report_outcome(const struct dsn_report *report)
{
    enum dsn_action best = DSN_ACTION_UNKNOWN;
    static const int rank[] = {
        [DSN_ACTION_UNKNOWN] = 0,   [DSN_ACTION_EXPANDED] = 1, [DSN_ACTION_RELAYED] = 2,
        [DSN_ACTION_DELIVERED] = 3, [DSN_ACTION_DELAYED] = 4,  [DSN_ACTION_FAILED] = 5,
    };
    for (size_t i = 0; report && i < report->nrcpts; i++)
        if (rank[report->rcpts[i].action] > rank[best])
            best = report->rcpts[i].action;
    return best;
}

struct dsn_recipient *
dsn_rcpt_add(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    if (rep->nrcpts >= DSN_MAX_RECIPIENTS) {
        if (!rep->rcpts_truncated)
            dsn_note(ctx, "more than %d recipients: the rest are not listed", DSN_MAX_RECIPIENTS);
        rep->rcpts_truncated = true;
        return NULL;
    }
    if ((rep->nrcpts & (rep->nrcpts - 1)) == 0) { /* grow at powers of two */
        size_t cap = rep->nrcpts ? rep->nrcpts * 2 : 4;
        rep->rcpts = xreallocarray(rep->rcpts, cap, sizeof *rep->rcpts);
    }
    struct dsn_recipient *r = &rep->rcpts[rep->nrcpts++];
    memset(r, 0, sizeof *r);
    return r;
}

void
dsn_note(struct dsn_ctx *ctx, const char *fmt, ...)
{
    if (ctx->notes.len > 2048)
        return; /* hostile input could otherwise produce megabytes of notes */
    struct strbuf tmp = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&tmp, fmt, ap);
    va_end(ap);
    /* notes quote the input: valid UTF-8, one line, bounded */
    char *line = dsn_strclean(tmp.buf, tmp.len, 256, true);
    if (line) {
        if (ctx->notes.len)
            strbuf_addc(&ctx->notes, '\n');
        strbuf_adds(&ctx->notes, line);
    }
    free(line);
    strbuf_free(&tmp);
}

void
dsn_report_free(struct dsn_report *rep)
{
    if (!rep)
        return;
    free(rep->rcpts);
    free(rep->original.raw);
    dsn_pool_free(rep->pool); /* the report and all its other strings */
}

static bool
dsn_is(const struct mail_part *p, const char *type, const char *subtype)
{
    return p->type && p->subtype && strcmp(p->type, type) == 0 && strcmp(p->subtype, subtype) == 0;
}

/* A delivery-status part inside a returned message (depth-first, bounded),
 * and the message that inner report returns. */
static void
dsn_walk_inner(struct dsn_ctx *ctx, const struct mail_part *p, unsigned budget)
{
    if (!p || budget == 0 || p->depth > MAIL_MAX_MIME_DEPTH)
        return;
    const char *sub = p->subtype ? p->subtype : "";
    if (!ctx->inner_status &&
        (strcmp(sub, "delivery-status") == 0 || strcmp(sub, "global-delivery-status") == 0))
        ctx->inner_status = p;
    else if (ctx->inner_status && !ctx->inner_orig &&
             (dsn_is(p, "message", "rfc822") || strcmp(sub, "rfc822-headers") == 0))
        ctx->inner_orig = p;
    for (size_t i = 0; i < p->nchildren && i < 64; i++)
        dsn_walk_inner(ctx, p->children[i], budget - 1);
}

/* What a part outside the returned message can be to the engine. */
enum dsn_role {
    DSN_ROLE_NONE,
    DSN_ROLE_STATUS,        /* message/delivery-status */
    DSN_ROLE_STATUS_GLOBAL, /* message/global-delivery-status */
    DSN_ROLE_MDN,           /* (global-)disposition-notification */
    DSN_ROLE_ARF,           /* feedback-report */
    DSN_ROLE_ORIG,  /* message/rfc822, message/global, text/rfc822, (global-/rfc822-)headers */
    DSN_ROLE_PLAIN, /* text/plain */
    DSN_ROLE_HTML,  /* text/html */
};

static bool
dsn_type_is(const struct mail_part *p, const char *type)
{
    return p->type && strcmp(p->type, type) == 0;
}

/* The role of a part from its (lowercase) subtype, whose first byte leaves
 * one or two names to compare. */
static enum dsn_role
dsn_role(const struct mail_part *p)
{
    const char *sub = p->subtype ? p->subtype : "";
    switch (sub[0]) {
    case 'd':
        if (strcmp(sub, "delivery-status") == 0)
            return DSN_ROLE_STATUS;
        if (strcmp(sub, "disposition-notification") == 0)
            return DSN_ROLE_MDN;
        break;
    case 'g':
        if (strcmp(sub, "global-delivery-status") == 0)
            return DSN_ROLE_STATUS_GLOBAL;
        if (strcmp(sub, "global-disposition-notification") == 0)
            return DSN_ROLE_MDN;
        if (strcmp(sub, "global-headers") == 0 ||
            (strcmp(sub, "global") == 0 && dsn_type_is(p, "message")))
            return DSN_ROLE_ORIG;
        break;
    case 'f':
        if (strcmp(sub, "feedback-report") == 0)
            return DSN_ROLE_ARF;
        break;
    case 'r':
        if (strcmp(sub, "rfc822-headers") == 0 ||
            (strcmp(sub, "rfc822") == 0 && (dsn_type_is(p, "message") || dsn_type_is(p, "text"))))
            return DSN_ROLE_ORIG;
        break;
    case 'p':
        if (strcmp(sub, "plain") == 0 && dsn_type_is(p, "text"))
            return DSN_ROLE_PLAIN;
        break;
    case 'h':
        if (strcmp(sub, "html") == 0 && dsn_type_is(p, "text"))
            return DSN_ROLE_HTML;
        break;
    default:
        break;
    }
    return DSN_ROLE_NONE;
}

/* Pick the parts that matter.  Parts inside a returned message are not
 * looked into: a bounce of a bounce must not be read as the inner report. */
static void
dsn_walk(struct dsn_ctx *ctx, const struct mail_part *p)
{
    if (!p || ++ctx->nparts > MAIL_MAX_PARTS || p->depth > MAIL_MAX_MIME_DEPTH)
        return;
    enum dsn_role role = dsn_role(p);
    switch (role) {
    case DSN_ROLE_STATUS:
    case DSN_ROLE_STATUS_GLOBAL:
        if (!ctx->status_part) {
            ctx->status_part = p;
            ctx->status_global = role == DSN_ROLE_STATUS_GLOBAL;
        }
        return;
    case DSN_ROLE_MDN:
        if (!ctx->mdn_part)
            ctx->mdn_part = p;
        return;
    case DSN_ROLE_ARF:
        if (!ctx->arf_part)
            ctx->arf_part = p;
        return;
    case DSN_ROLE_ORIG:
        if (!ctx->orig_part) {
            ctx->orig_part = p;
            for (size_t i = 0; i < p->nchildren; i++)
                dsn_walk_inner(ctx, p->children[i], 8);
        }
        return;
    default:
        break;
    }
    if (dsn_type_is(p, "multipart")) {
        for (size_t i = 0; i < p->nchildren; i++)
            dsn_walk(ctx, p->children[i]);
        return;
    }
    if (role == DSN_ROLE_PLAIN && !ctx->text_part && p->disposition != MAIL_DISP_ATTACHMENT)
        ctx->text_part = p;
    else if (role == DSN_ROLE_HTML && !ctx->html_part)
        ctx->html_part = p;
}

/* A part whose bytes are already its UTF-8 text: no transfer encoding, an
 * ASCII-compatible UTF-8 charset (or none), valid UTF-8 without NUL.  Most
 * notices are; they skip the charset converter. */
static bool
dsn_part_plain_utf8(const struct mail_part *p, size_t max)
{
    bool identity = p->encoding == MAIL_ENC_7BIT || p->encoding == MAIL_ENC_8BIT ||
                    p->encoding == MAIL_ENC_BINARY;
    bool utf8 = !p->charset || strcmp(p->charset, "us-ascii") == 0 ||
                strcmp(p->charset, "utf-8") == 0 || strcmp(p->charset, "utf8") == 0;
    size_t n = p->body_len < max ? p->body_len : max;
    if (!identity || !utf8 || !p->body)
        return false;
    size_t a = dsn_ascii_span(p->body, n); /* most notices are ASCII */
    return a == n || (!memchr(p->body + a, '\0', n - a) && utf8_valid(p->body + a, n - a));
}

/* How much of a plain UTF-8 part fits in max bytes, not cutting a UTF-8
 * sequence in two at the bound. */
static size_t
dsn_part_plain_len(const struct mail_part *p, size_t max)
{
    size_t n = p->body_len < max ? p->body_len : max;
    while (n > 0 && n < p->body_len && ((unsigned char)p->body[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Transfer-decoded (text: and converted to UTF-8) body of a part, at most
 * `max` bytes, NUL-terminated, owned; NULL on failure. */
static char *
dsn_part_bytes(const struct mail_part *p, bool text, size_t max, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    if (text && dsn_part_plain_utf8(p, max)) {
        n = dsn_part_plain_len(p, max);
        out = xmalloc(n + 1);
        memcpy(out, p->body, n);
        out[n] = '\0';
        *len = n;
        return out;
    }
    int rc = text ? mail_part_text(p, &out, &n, NULL) : mail_part_decode(p, &out, &n, NULL);
    if (rc < 0 || !out) {
        free(out);
        *len = 0;
        return NULL;
    }
    if (n > max) {
        n = max;
        out[n] = '\0';
    }
    *len = n;
    return out;
}

const char *
dsn_part_view(const struct mail_part *p, size_t max, size_t *len, char **owned)
{
    *owned = NULL;
    *len = 0;
    bool coded = p->encoding == MAIL_ENC_QP || p->encoding == MAIL_ENC_BASE64 ||
                 p->encoding == MAIL_ENC_UUENCODE;
    if (coded) {
        *owned = dsn_part_bytes(p, false, max, len);
        return *owned;
    }
    /* mail_part_decode() would copy these bytes as they are */
    if (p->body_len > MAIL_MAX_MESSAGE_SIZE)
        return NULL;
    *len = p->body_len < max ? p->body_len : max;
    return p->body ? p->body : "";
}

static void
dsn_load_notice(struct dsn_ctx *ctx)
{
    const struct mail_part *p = ctx->text_part ? ctx->text_part : ctx->html_part;
    if (!p) {
        dsn_notice_scan(ctx);
        return;
    }
    size_t n = 0;
    const char *t;
    char *owned = NULL;
    if (dsn_part_plain_utf8(p, DSN_MAX_SCAN)) { /* most notices: the part's own bytes */
        t = p->body;
        n = dsn_part_plain_len(p, DSN_MAX_SCAN);
    } else {
        t = owned = dsn_part_bytes(p, true, DSN_MAX_SCAN, &n);
    }
    if (t && p == ctx->html_part) {
        char *plain = dsn_html_to_text(t, n, &n);
        free(owned);
        t = owned = plain;
    }
    ctx->notice = t;
    ctx->notice_owned = owned;
    ctx->notice_len = t ? n : 0;
    dsn_notice_scan(ctx); /* every list searched in the notice, in one pass */
}

/* A bounce whose only report is inside the message it returns: a gateway
 * forwarded the real DSN as an attachment (docs/violations.md). */
static void
dsn_structured_inner(struct dsn_ctx *ctx)
{
    size_t n = 0;
    char *owned;
    const char *body = dsn_part_view(ctx->inner_status, MAIL_MAX_MESSAGE_SIZE, &n, &owned);
    size_t found = body ? dsn_rfc3464_parse(ctx, body, n) : 0;
    free(owned);
    if (found == 0)
        return;
    ctx->rep->kind = DSN_KIND_REPORT;
    ctx->rep->source = "rfc3464";
    ctx->rep->confidence = DSN_CONFIDENCE_MEDIUM;
    ctx->orig_part = ctx->inner_orig;
    dsn_note(ctx, "the report is inside the returned message (forwarded by a gateway)");
}

static void
dsn_structured(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    size_t n = 0;
    char *owned;
    const char *body = dsn_part_view(ctx->status_part, MAIL_MAX_MESSAGE_SIZE, &n, &owned);
    size_t found = body ? dsn_rfc3464_parse(ctx, body, n) : 0;
    free(owned);
    if (found == 0 && ctx->status_part->header) {
        /* some gateways put the fields in the part header (no blank line) */
        found = dsn_rfc3464_parse(ctx, ctx->status_part->header, ctx->status_part->header_len);
        if (found)
            dsn_note(ctx, "delivery-status fields found in the part header");
    }
    if (found == 0) {
        dsn_note(ctx, "delivery-status part without recipient groups");
        return;
    }
    rep->kind = DSN_KIND_REPORT;
    rep->source = "rfc3464";
    rep->confidence = DSN_CONFIDENCE_HIGH;
    if (!ctx->report_type || strcasecmp(ctx->report_type, "delivery-status") != 0)
        dsn_note(ctx, "delivery-status part outside multipart/report; report-type=delivery-status");
}

static void
dsn_other_reports(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    const struct mail_part *p = ctx->arf_part ? ctx->arf_part : ctx->mdn_part;
    if (!p)
        return;
    size_t n = 0;
    char *owned;
    const char *body = dsn_part_view(p, DSN_MAX_SCAN, &n, &owned);
    if (p == ctx->arf_part) {
        rep->kind = DSN_KIND_FEEDBACK;
        rep->source = "arf";
        dsn_arf_parse(ctx, body ? body : "", n);
    } else {
        rep->kind = DSN_KIND_MDN;
        rep->source = "mdn";
        dsn_mdn_parse(ctx, body ? body : "", n);
    }
    rep->confidence = DSN_CONFIDENCE_HIGH;
    free(owned);
}

/* Final-Recipient, unless it is not an address ("|/usr/bin/prog a@b",
 * "user@server" without a domain) and Original-Recipient is. */
static char *
dsn_pick_recipient(struct dsn_pool *pool, const struct dsn_recipient *r)
{
    const char *f = r->final_recipient, *o = r->original_recipient;
    if (dsn_addr_valid(f) || (f && !o && strchr(f, '@') && !strchr(f, ' ')))
        return dsn_pool_strndup(pool, f, strlen(f));
    if (dsn_addr_valid(o))
        return dsn_pool_strndup(pool, o, strlen(o));
    size_t alen;
    size_t at = f ? dsn_addr_next(f, strlen(f), 0, &alen) : SIZE_MAX;
    if (at != SIZE_MAX)
        return dsn_pool_strndup(pool, f + at, alen);
    const char *any = f ? f : o;
    return any ? dsn_pool_strndup(pool, any, strlen(any)) : NULL;
}

static void
dsn_finish(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    for (size_t i = 0; i < rep->nrcpts; i++) {
        struct dsn_recipient *r = &rep->rcpts[i];
        if (!r->recipient)
            r->recipient = dsn_pick_recipient(rep->pool, r);
        dsn_reason_classify(r, rep->kind, &ctx->said);
    }
    if (ctx->notes.len)
        rep->notes = dsn_pool_strndup(rep->pool, ctx->notes.buf, ctx->notes.len);
}

/* dsn_analyze zeroes the state up to notice_at: nothing may follow it */
_Static_assert(offsetof(struct dsn_ctx, notice_at) + sizeof(((struct dsn_ctx *)0)->notice_at) ==
                   sizeof(struct dsn_ctx),
               "notice_at is the last member of struct dsn_ctx");

struct dsn_report *
dsn_analyze(const struct mail_message *msg)
{
    if (!msg)
        return NULL;
    /* the report lives in the first block of its pool: one malloc for it
     * and most reports' strings */
    void *mem;
    struct dsn_pool *pool = dsn_pool_new(sizeof(struct dsn_report), &mem);
    struct dsn_report *rep = mem;
    *rep = (struct dsn_report){.kind = DSN_KIND_NONE, .pool = pool}; /* zeroed inline */
    /* all but notice_at, the last member, 768 bytes that dsn_notice_scan
     * (dsn_load_notice, below) fills before anything reads them */
    struct dsn_ctx ctx;
    memset(&ctx, 0, offsetof(struct dsn_ctx, notice_at));
    ctx.msg = msg;
    ctx.rep = rep;
    strbuf_init(&ctx.notes);
    ctx.root = mail_message_root(msg);
    if (ctx.root && dsn_is(ctx.root, "multipart", "report"))
        ctx.report_type = mail_part_param(ctx.root, "report-type");
    dsn_walk(&ctx, ctx.root);
    dsn_load_notice(&ctx);

    if (ctx.status_part)
        dsn_structured(&ctx);
    if (rep->kind == DSN_KIND_NONE)
        dsn_other_reports(&ctx);
    if (rep->kind == DSN_KIND_NONE && ctx.notice)
        dsn_json_parse(&ctx);
    if (rep->kind == DSN_KIND_NONE) {
        const char *style = dsn_text_detect(&ctx);
        if (style && ctx.inner_status)
            dsn_structured_inner(&ctx);
        if (style && rep->kind == DSN_KIND_NONE) {
            rep->kind = DSN_KIND_BOUNCE;
            dsn_original_extract(&ctx); /* its From is not a recipient */
            dsn_text_parse(&ctx, style);
        }
    }
    if (rep->kind == DSN_KIND_NONE && dsn_autoreply_detect(&ctx))
        rep->kind = DSN_KIND_AUTOREPLY;
    if (rep->kind != DSN_KIND_NONE)
        dsn_original_extract(&ctx);
    dsn_text_enrich(&ctx);
    dsn_finish(&ctx);
    dsn_text_reader_free(&ctx);
    dsn_words_free(&ctx.said);
    free(ctx.notice_owned);
    strbuf_free(&ctx.notes);
    return rep;
}
