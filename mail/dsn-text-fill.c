/*
 * dsn-text-fill.c - filling a report from the notice text: the recipients
 * of a free-text bounce (through the reader in dsn-text-rcpt.c), delay
 * wording, X-Failed-Recipients, the remote host named in a diagnostic, the
 * notice's summary paragraph, and the words a structured report leaves out
 * (a missing Diagnostic-Code, the failed SMTP stage).  Fallbacks for
 * reports that name nobody, ARF reports without Original-Rcpt-To and
 * automatic replies.  Detection itself is dsn-text.c's.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/message.h"

/* Delay wording (DELAY) and none that says the failure is final (FINAL). */
static bool
dsn_notice_delayed(const struct dsn_ctx *ctx)
{
    const char *subject = mail_message_header(ctx->msg, "Subject");
    bool delay = dsn_notice_first(ctx, DSN_LIST_DELAY, ctx->notice_end) != NULL;
    if (subject && (dsn_memcasemem(subject, strlen(subject), "delayed") ||
                    dsn_memcasemem(subject, strlen(subject), "warning")))
        delay = true;
    /* FINAL is not in the notice scan: searched only when it matters */
    return delay && !dsn_match_any(DSN_LIST_FINAL, ctx->notice, ctx->notice_end);
}

/* A host name at p ("mx.example.org", "192.0.2.1"), from pool, or NULL. */
static char *
dsn_host_at(struct dsn_pool *pool, const char *p)
{
    size_t n = 0;
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '.' || p[n] == '-' || p[n] == '_'))
        n++;
    while (n > 0 && p[n - 1] == '.')
        n--;
    bool dotted = memchr(p, '.', n) != NULL;
    bool alpha = false;
    for (size_t i = 0; i < n; i++)
        alpha |= isalpha((unsigned char)p[i]) != 0;
    return n > 3 && dotted && (alpha || n >= 7) ? dsn_pool_strndup(pool, p, n) : NULL;
}

/* The name after the first "remote host ", else after the first "host ",
 * "server ", " by ".  The first "remote host " is the first "host " after
 * "remote ": one search of "host " finds both. */
char *
dsn_remote_host(struct dsn_pool *pool, const char *diag)
{
    if (!diag)
        return NULL;
    size_t len = strlen(diag);
    const char *host = dsn_memcasemem(diag, len, "host "), *remote = NULL;
    for (const char *h = host; h && !remote;
         h = dsn_memcasemem(h + 1, len - (size_t)(h + 1 - diag), "host "))
        if (h - diag >= 7 && dsn_has_prefix(h - 7, 7, "remote "))
            remote = h - 7;
    char *name = remote ? dsn_host_at(pool, remote + 12) : NULL;
    if (!name && host)
        name = dsn_host_at(pool, host + 5);
    const char *p;
    if (!name && (p = dsn_memcasemem(diag, len, "server ")))
        name = dsn_host_at(pool, p + 7);
    if (!name && (p = dsn_memcasemem(diag, len, " by ")))
        name = dsn_host_at(pool, p + 4);
    return name;
}

/* Exim lists the failed addresses in X-Failed-Recipients: they are the
 * recipients, whatever the text says. */
static void
dsn_text_xfailed(struct dsn_ctx *ctx)
{
    const char *xf = mail_message_header(ctx->msg, "X-Failed-Recipients");
    if (!xf)
        return;
    size_t len = strnlen(xf, 65536), alen;
    struct dsn_report *rep = ctx->rep;
    size_t keep = 0;
    for (size_t i = 0; i < rep->nrcpts; i++) {
        const char *a = rep->rcpts[i].recipient;
        if (a && dsn_memcasemem(xf, len, a)) {
            rep->rcpts[keep++] = rep->rcpts[i];
        } else {
            /* its strings stay in the pool: each recipient is dropped once */
            dsn_note(ctx, "%s is not in X-Failed-Recipients", a ? a : "(unknown)");
        }
    }
    rep->nrcpts = keep;
    for (size_t a = dsn_addr_next(xf, len, 0, &alen); a != SIZE_MAX;
         a = dsn_addr_next(xf, len, a + alen, &alen)) {
        bool seen = false;
        for (size_t i = 0; i < ctx->rep->nrcpts && !seen; i++)
            seen = ctx->rep->rcpts[i].recipient && strlen(ctx->rep->rcpts[i].recipient) == alen &&
                   strncasecmp(ctx->rep->rcpts[i].recipient, xf + a, alen) == 0;
        if (seen)
            continue;
        struct dsn_recipient *r = dsn_rcpt_add(ctx);
        if (!r)
            return;
        r->recipient = dsn_strclean_in(rep->pool, xf + a, alen, DSN_MAX_FIELD, true);
        r->action = DSN_ACTION_FAILED;
        r->diagnostic = dsn_text_diag_for(ctx, r->recipient);
        r->remote_mta = dsn_remote_host(rep->pool, r->diagnostic);
    }
}

size_t
dsn_text_parse(struct dsn_ctx *ctx, const char *style)
{
    struct dsn_report *rep = ctx->rep;
    rep->source = style;
    rep->confidence = DSN_CONFIDENCE_MEDIUM;
    bool delayed = dsn_notice_delayed(ctx);
    if (ctx->notice && dsn_rfc3464_in_text(ctx)) {
        rep->source = "heuristic:fields";
        dsn_note(ctx, "RFC 3464 fields written in a text part");
    } else if (ctx->notice) {
        dsn_text_read_recipients(ctx, delayed);
    }
    dsn_text_xfailed(ctx);
    /* one recipient: the whole notice tells the failed SMTP stage */
    if (rep->nrcpts == 1 && ctx->notice && !rep->rcpts[0].smtp_command[0] &&
        !dsn_smtp_command(rep->rcpts[0].diagnostic,
                          rep->rcpts[0].diagnostic ? strlen(rep->rcpts[0].diagnostic) : 0,
                          rep->rcpts[0].smtp_command))
        dsn_smtp_command(ctx->notice, ctx->notice_end, rep->rcpts[0].smtp_command);
    return rep->nrcpts;
}

/* The first paragraph of the notice with bounce wording in it ("Your message
 * was not delivered within 2 days.  Remote host is not responding."), for a
 * recipient the text says nothing else about.  Returns false if there is
 * none or sb already holds it. */
bool
dsn_text_summary(struct dsn_ctx *ctx, struct strbuf *sb)
{
    const char *t = ctx->notice;
    size_t len = ctx->notice_end;
    /* a phrase lies on one line, so the first paragraph with wording is the
     * one holding the earliest phrase */
    size_t first = dsn_notice_earliest(ctx, DSN_LIST_BODY, len);
    for (size_t pos = 0, next; t && first != SIZE_MAX && pos < len; pos = next) {
        size_t start = pos, end = pos;
        /* one paragraph: up to a blank line */
        for (next = pos; next < len;) {
            size_t e = dsn_line_end(t, len, next, &next);
            const char *l = t + end;
            size_t ll = e - end;
            dsn_trim(&l, &ll);
            if (ll == 0 && e > start)
                break;
            end = e;
            if (next <= e)
                break;
        }
        if (end <= start || first < start || first >= end)
            continue;
        size_t n = end - start < 1024 ? end - start : 1024;
        char *para = dsn_strclean(t + start, n, 1024, true);
        bool dup = para && sb->buf && strstr(sb->buf, para);
        if (para && !dup) {
            if (sb->len)
                strbuf_addc(sb, ' ');
            strbuf_adds(sb, para);
        }
        free(para);
        return para && !dup;
    }
    return false;
}

/* Every address of a header value as a recipient (ARF without
 * Original-Rcpt-To, bounces whose text names nobody). */
static void
dsn_rcpts_from(struct dsn_ctx *ctx, const char *value, size_t max)
{
    size_t len = value ? strnlen(value, 65536) : 0, alen;
    for (size_t a = dsn_addr_next(value, len, 0, &alen); a != SIZE_MAX && max > 0;
         a = dsn_addr_next(value, len, a + alen, &alen), max--) {
        struct dsn_recipient *r = dsn_rcpt_add(ctx);
        if (!r)
            return;
        r->recipient = dsn_strclean_in(ctx->rep->pool, value + a, alen, DSN_MAX_FIELD, true);
    }
}

/* The notice's words about each recipient: the diagnostic when the report
 * has none, and the failed SMTP stage ("in reply to end of DATA command")
 * that reports often leave out of Diagnostic-Code.  Bounded: the notice is
 * read for the first DSN_ENRICH_MAX recipients only. */
#define DSN_ENRICH_MAX 64

static void
dsn_enrich_report(struct dsn_ctx *ctx)
{
    for (size_t i = 0; i < ctx->rep->nrcpts && i < DSN_ENRICH_MAX && ctx->notice; i++) {
        struct dsn_recipient *r = &ctx->rep->rcpts[i];
        const char *a = r->final_recipient ? r->final_recipient : r->original_recipient;
        char *block = a ? dsn_text_diag_for(ctx, a) : NULL;
        if (block && !r->smtp_command[0])
            dsn_smtp_command(block, strlen(block), r->smtp_command);
        if (!r->diagnostic)
            r->diagnostic = block;
        else
            dsn_pool_release(ctx->rep->pool, block); /* DSN_ENRICH_MAX at most */
    }
}

static void
dsn_enrich_bounce(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    if (rep->nrcpts > 0)
        return;
    /* the text names nobody: the returned message says whom it was for */
    dsn_rcpts_from(ctx, rep->original.to, 1);
    if (rep->nrcpts == 0) {
        dsn_note(ctx, "bounce without a recognisable recipient");
        return;
    }
    rep->confidence = DSN_CONFIDENCE_LOW;
    dsn_note(ctx, "recipient taken from the returned message");
    struct dsn_recipient *r = &rep->rcpts[0];
    r->action = dsn_notice_delayed(ctx) ? DSN_ACTION_DELAYED : DSN_ACTION_FAILED;
    r->diagnostic = dsn_text_first_code(ctx);
    if (!r->diagnostic) {
        struct strbuf sb = STRBUF_INIT;
        dsn_text_summary(ctx, &sb);
        r->diagnostic = sb.len ? dsn_pool_strndup(rep->pool, sb.buf, sb.len) : NULL;
        r->diagnostic_generic = r->diagnostic != NULL;
        strbuf_free(&sb);
    }
    r->remote_mta = dsn_remote_host(rep->pool, r->diagnostic);
}

void
dsn_text_enrich(struct dsn_ctx *ctx)
{
    struct dsn_report *rep = ctx->rep;
    switch (rep->kind) {
    case DSN_KIND_REPORT:
        dsn_enrich_report(ctx);
        break;
    case DSN_KIND_BOUNCE:
        dsn_enrich_bounce(ctx);
        break;
    case DSN_KIND_FEEDBACK:
        if (rep->nrcpts == 0)
            dsn_rcpts_from(ctx, rep->original.to, 64);
        break;
    case DSN_KIND_AUTOREPLY:
        rep->source = "rfc3834";
        rep->confidence = DSN_CONFIDENCE_MEDIUM;
        dsn_rcpts_from(ctx, mail_message_header(ctx->msg, "From"), 1);
        break;
    case DSN_KIND_MDN:
    case DSN_KIND_NONE:
        break;
    }
}
