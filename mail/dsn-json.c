/*
 * dsn-json.c - Amazon SES event notifications delivered by e-mail (SNS): a
 * JSON document in the body whose "notificationType" is Bounce, Delivery or
 * Complaint, with per-recipient emailAddress/action/status/diagnosticCode.
 * The document is often a JSON string inside another JSON object, so one
 * level of backslash escaping is undone first.
 *
 * Not a JSON parser: it finds keys and reads string values and arrays of
 * objects, bounded by the text; anything odd just yields fewer fields.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"

struct dsn_span {
    const char *p, *end;
};

/* Undo one level of escaping when the document is itself a JSON string. */
static char *
dsn_json_flatten(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_grow(&sb, len);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len &&
            (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '/')) {
            strbuf_addc(&sb, s[++i]);
            continue;
        }
        strbuf_addc(&sb, s[i]);
    }
    return strbuf_detach(&sb, NULL);
}

/* Just after `"key"` and its colon, or NULL. */
static const char *
dsn_json_key(struct dsn_span sp, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = sp.p; p && p + kl + 2 < sp.end; p++) {
        p = memchr(p, '"', (size_t)(sp.end - p));
        if (!p || p + kl + 2 >= sp.end)
            return NULL;
        if (memcmp(p + 1, key, kl) != 0 || p[kl + 1] != '"')
            continue;
        const char *q = p + kl + 2;
        while (q < sp.end && isspace((unsigned char)*q))
            q++;
        if (q < sp.end && *q == ':') {
            q++;
            while (q < sp.end && isspace((unsigned char)*q))
                q++;
            return q;
        }
    }
    return NULL;
}

/* A string value at p (from pool, NULL: malloc'd; UTF-8, cleaned, at most
 * max bytes), or NULL. */
static char *
dsn_json_string(struct dsn_pool *pool, const char *p, const char *end, size_t max)
{
    if (!p || p >= end || *p != '"')
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    for (p++; p < end && *p != '"' && sb.len < max; p++) {
        if (*p != '\\' || p + 1 >= end) {
            strbuf_addc(&sb, *p);
            continue;
        }
        p++;
        if (*p == 'u' && p + 4 < end) {
            char hex[5] = {p[1], p[2], p[3], p[4], 0};
            utf8_encode(&sb, (uint32_t)strtoul(hex, NULL, 16));
            p += 4;
        } else {
            strbuf_addc(&sb, *p == 'n' ? ' ' : *p == 't' ? ' ' : *p);
        }
    }
    char *raw = strbuf_detach(&sb, NULL);
    char *clean = dsn_strclean_in(pool, raw, strlen(raw), max, true);
    free(raw);
    return clean;
}

/* The string value of key, at most max bytes: DSN_MAX_DIAGNOSTIC for a
 * diagnostic, DSN_MAX_FIELD for the rest (an address, a subject), as the
 * other readers keep them. */
static char *
dsn_json_get(struct dsn_pool *pool, struct dsn_span sp, const char *key, size_t max)
{
    return dsn_json_string(pool, dsn_json_key(sp, key), sp.end, max);
}

/* The bracketed value ('[' or '{') at p, up to its matching close. */
static struct dsn_span
dsn_json_block(const char *p, const char *end)
{
    struct dsn_span none = {NULL, NULL};
    if (!p || p >= end || (*p != '[' && *p != '{'))
        return none;
    int depth = 0;
    bool str = false;
    for (const char *q = p; q < end; q++) {
        if (str) {
            if (*q == '\\')
                q++;
            else if (*q == '"')
                str = false;
            continue;
        }
        if (*q == '"')
            str = true;
        else if (*q == '[' || *q == '{')
            depth++;
        else if ((*q == ']' || *q == '}') && --depth == 0)
            return (struct dsn_span){p + 1, q};
        if (depth > 64)
            return none;
    }
    return none;
}

/* Each object of an array of recipient objects. */
static void
dsn_json_recipients(struct dsn_ctx *ctx, struct dsn_span arr, enum dsn_action action)
{
    for (const char *p = arr.p; p && p < arr.end;) {
        p = memchr(p, '{', (size_t)(arr.end - p));
        struct dsn_span obj = dsn_json_block(p, arr.end);
        if (!obj.p)
            return;
        struct dsn_recipient *r = dsn_rcpt_add(ctx);
        if (!r)
            return;
        char *ea = dsn_json_get(NULL, obj, "emailAddress", DSN_MAX_FIELD);
        r->final_recipient =
            dsn_addr_clean(ctx->rep->pool, ea, NULL); /* bounded like any address */
        free(ea);
        char *a = dsn_json_get(NULL, obj, "action", DSN_MAX_FIELD);
        r->action = a ? dsn_action_parse(a) : action;
        free(a);
        char *st = dsn_json_get(NULL, obj, "status", DSN_MAX_FIELD);
        if (st)
            dsn_status_parse(st, r->status_field);
        free(st);
        r->diagnostic = dsn_json_get(ctx->rep->pool, obj, "diagnosticCode", DSN_MAX_DIAGNOSTIC);
        p = obj.end + 1;
    }
}

/* Delivery: "recipients":["a@b", ...] with one "smtpResponse". */
static void
dsn_json_delivered(struct dsn_ctx *ctx, struct dsn_span doc)
{
    struct dsn_span arr = dsn_json_block(dsn_json_key(doc, "recipients"), doc.end);
    for (const char *p = arr.p; p && p < arr.end;) {
        p = memchr(p, '"', (size_t)(arr.end - p));
        if (!p)
            return;
        char *js = dsn_json_string(NULL, p, arr.end, DSN_MAX_FIELD);
        char *a = dsn_addr_clean(ctx->rep->pool, js, NULL);
        free(js);
        struct dsn_recipient *r = a ? dsn_rcpt_add(ctx) : NULL;
        if (!r) {
            dsn_pool_release(ctx->rep->pool, a);
            return;
        }
        r->final_recipient = a;
        r->action = DSN_ACTION_DELIVERED;
        r->diagnostic = dsn_json_get(ctx->rep->pool, doc, "smtpResponse", DSN_MAX_DIAGNOSTIC);
        const char *close = memchr(p + 1, '"', (size_t)(arr.end - p - 1));
        p = close ? close + 1 : arr.end;
    }
}

/* The original's Message-ID from "headers":[{"name":"Message-ID","value":...}]. */
static void
dsn_json_original(struct dsn_ctx *ctx, struct dsn_span doc)
{
    const char *m = memmem(doc.p, (size_t)(doc.end - doc.p), "\"Message-ID\"", 12);
    if (!m)
        m = memmem(doc.p, (size_t)(doc.end - doc.p), "\"Message-Id\"", 12);
    struct dsn_original *o = &ctx->rep->original;
    if (m && !o->message_id) {
        char *v = dsn_json_get(NULL, (struct dsn_span){m, doc.end}, "value", DSN_MAX_FIELD);
        if (v) {
            char *id = dsn_addr_clean(ctx->rep->pool, v, NULL);
            o->message_id = id;
            free(v);
        }
    }
    if (!o->subject)
        o->subject = dsn_json_get(ctx->rep->pool, doc, "subject", DSN_MAX_FIELD);
}

bool
dsn_json_parse(struct dsn_ctx *ctx)
{
    if (dsn_notice_find(ctx, DSN_LIST_JSON, "notificationtype") == SIZE_MAX)
        return false;
    char *flat = dsn_json_flatten(ctx->notice, ctx->notice_len);
    struct dsn_span doc = {flat, flat + strlen(flat)};
    char *type = dsn_json_get(NULL, doc, "notificationType", DSN_MAX_FIELD);
    struct dsn_report *rep = ctx->rep;
    if (type && strcmp(type, "Bounce") == 0) {
        rep->kind = DSN_KIND_REPORT;
        dsn_json_recipients(ctx, dsn_json_block(dsn_json_key(doc, "bouncedRecipients"), doc.end),
                            DSN_ACTION_FAILED);
    } else if (type && strcmp(type, "Delivery") == 0) {
        rep->kind = DSN_KIND_REPORT;
        dsn_json_delivered(ctx, doc);
    } else if (type && strcmp(type, "Complaint") == 0) {
        rep->kind = DSN_KIND_FEEDBACK;
        /* replaced once: the old one stays in the pool */
        rep->feedback_type =
            dsn_json_get(ctx->rep->pool, doc, "complaintFeedbackType", DSN_MAX_FIELD);
        dsn_json_recipients(ctx, dsn_json_block(dsn_json_key(doc, "complainedRecipients"), doc.end),
                            DSN_ACTION_UNKNOWN);
    }
    if (rep->kind != DSN_KIND_NONE) {
        rep->source = "json:amazonses";
        rep->confidence = DSN_CONFIDENCE_HIGH;
        char *mta = dsn_json_get(NULL, doc, "reportingMTA", DSN_MAX_FIELD);
        if (mta) {
            char *semi = strchr(mta, ';');
            /* a failed report part may have set it: replaced once, the old
             * one stays in the pool */
            rep->reporting_mta =
                dsn_strclean_in(rep->pool, semi ? semi + 1 : mta, strlen(semi ? semi + 1 : mta),
                                DSN_MAX_FIELD, true);
            free(mta);
        }
        dsn_json_original(ctx, doc); /* ids only: the message itself does not come back */
    }
    free(type);
    free(flat);
    return rep->kind != DSN_KIND_NONE;
}
