/*
 * dsn-text.c - recognising non-standard bounces: free-text (or HTML) notices
 * from qmail, Exim, sendmail, Postfix, Exchange, Domino, Gmail, Yahoo and the
 * other styles in docs/violations.md, and RFC 3834 automatic replies.
 *
 * Recognition is data-driven: lists of lowercase phrases in dsn-phrases.def
 * (style signatures, bounce wording in subjects and bodies, markers of the
 * quoted original), no code per MTA.  A style only names the rule that matched (`source`
 * "heuristic:NAME"); recipients are read by one generic reader
 * (dsn-text-rcpt.c).  Only the first DSN_MAX_SCAN bytes of text are read.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/dsn-private.h"
#include "mail/message.h"

/* Does a phrase of `list` occur in the first 1024 bytes of header `name`? */
static bool
dsn_header_has(const struct dsn_ctx *ctx, const char *name, enum dsn_list list)
{
    const char *v = mail_message_header(ctx->msg, name);
    return v && dsn_match_any(list, v, strnlen(v, 1024));
}

/* A forwarded or replied-to notice is a person's message, not a bounce. */
static bool
dsn_subject_is_reply(const char *subject)
{
    static const char *const prefixes[] = {"re:", "fwd:", "fw:", "aw:", "wg:", "tr:", "sv:"};
    if (!subject)
        return false;
    while (isspace((unsigned char)*subject))
        subject++;
    /* most subjects start with a letter no prefix starts with: no call */
    unsigned char c = dsn_fold((unsigned char)*subject);
    if (c != 'r' && c != 'f' && c != 'a' && c != 'w' && c != 't' && c != 's')
        return false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (dsn_has_prefix(subject, 4, prefixes[i]))
            return true;
    return false;
}

static bool
dsn_null_sender(const struct dsn_ctx *ctx)
{
    const char *rp = mail_message_header(ctx->msg, "Return-Path");
    if (!rp)
        return false;
    while (isspace((unsigned char)*rp))
        rp++;
    return strncmp(rp, "<>", 2) == 0;
}

/* The first quoted header ("Return-Path:" / "Received:" at a line start)
 * in text[0..scan), or len. */
static size_t
dsn_quoted_header(const char *text, size_t scan, size_t len)
{
    for (size_t pos = 0, next; pos < scan; pos = next) {
        dsn_line_end(text, scan, pos, &next);
        if (dsn_has_prefix(text + pos, scan - pos, "return-path:") ||
            dsn_has_prefix(text + pos, scan - pos, "received:"))
            return pos;
        if (next == pos)
            break;
    }
    return len;
}

/* A marker line comes before the header it introduces: it is searched up
 * to 512 bytes past that header.  Returns the start of the line where the
 * original begins (the marker's, else the header's), or len. */
static size_t
dsn_original_line(const char *text, size_t len, size_t header, size_t marker)
{
    size_t best = marker < header ? marker : header;
    while (best > 0 && best < len && text[best - 1] != '\n' && text[best - 1] != '\r')
        best--;
    return best;
}

static size_t
dsn_marker_window(size_t header, size_t scan)
{
    return header < scan ? (header + 512 < scan ? header + 512 : scan) : scan;
}

size_t
dsn_text_original_start(const char *text, size_t len)
{
    size_t scan = len < DSN_MAX_SCAN ? len : DSN_MAX_SCAN;
    size_t header = dsn_quoted_header(text, scan, len);
    size_t window = dsn_marker_window(header, scan);
    return dsn_original_line(text, len, header, dsn_match_earliest(DSN_LIST_MARKER, text, window));
}

static bool
dsn_notice_hit(void *arg, const struct dsn_phrase *ph, size_t at)
{
    struct dsn_ctx *ctx = arg;
    uint32_t *slot = &ctx->notice_at[ph->id - dsn_group_first_row(DSN_GROUP_NOTICE)];
    if (at < *slot) /* keep the earliest */
        *slot = (uint32_t)at;
    return true;
}

void
dsn_notice_scan(struct dsn_ctx *ctx)
{
    memset(ctx->notice_at, 0xFF, sizeof ctx->notice_at);
    ctx->notice_end = 0;
    if (!ctx->notice)
        return;
    size_t len = ctx->notice_len; /* at most DSN_MAX_SCAN: positions fit */
    dsn_match_scan(DSN_GROUP_NOTICE, ctx->notice, len, dsn_notice_hit, ctx);
    size_t scan = len < DSN_MAX_SCAN ? len : DSN_MAX_SCAN;
    /* the first quoted header line: at the start, or after a line break */
    size_t header = dsn_notice_earliest(ctx, DSN_LIST_QUOTED, scan);
    header = header != SIZE_MAX ? header + 1 : len;
    if (dsn_has_prefix(ctx->notice, scan, "return-path:") ||
        dsn_has_prefix(ctx->notice, scan, "received:"))
        header = 0;
    size_t window = dsn_marker_window(header, scan);
    size_t marker = dsn_notice_earliest(ctx, DSN_LIST_MARKER, window);
    ctx->notice_end = dsn_original_line(ctx->notice, len, header, marker);
}

const struct dsn_phrase *
dsn_notice_first(const struct dsn_ctx *ctx, enum dsn_list list, size_t end)
{
    return dsn_rows_first(ctx->notice_at, list, end);
}

size_t
dsn_notice_earliest(const struct dsn_ctx *ctx, enum dsn_list list, size_t end)
{
    return dsn_rows_earliest(ctx->notice_at, list, end);
}

size_t
dsn_notice_find(const struct dsn_ctx *ctx, enum dsn_list list, const char *phrase)
{
    for (unsigned id = dsn_list_first_row(list); id < dsn_list_end_row(list); id++) {
        uint32_t at = ctx->notice_at[id - dsn_group_first_row(DSN_GROUP_NOTICE)];
        if (strcmp(dsn_phrase_row(id)->text, phrase) == 0)
            return at == UINT32_MAX ? SIZE_MAX : at;
    }
    return SIZE_MAX;
}

/* Does From name a mailer daemon?  Looked up once, when first asked
 * (*daemon: -1 not yet). */
static bool
dsn_from_daemon(const struct dsn_ctx *ctx, int *daemon)
{
    if (*daemon < 0)
        *daemon = dsn_header_has(ctx, "From", DSN_LIST_DAEMON);
    return *daemon != 0;
}

const char *
dsn_text_detect(struct dsn_ctx *ctx)
{
    const struct dsn_phrase *row = dsn_notice_first(ctx, DSN_LIST_STYLE, ctx->notice_end);
    const char *style = row ? row->tag : NULL;
    bool body = dsn_notice_first(ctx, DSN_LIST_BODY, ctx->notice_end) != NULL;
    /* a known style with bounce wording is one whatever the headers say:
     * the rules below answer so without a header looked up */
    if (style && body)
        return style;
    const char *subject = mail_message_header(ctx->msg, "Subject");
    int daemon = -1;
    /* a person's reply or forward counts only when it quotes a known style */
    if (!style && dsn_subject_is_reply(subject) && !dsn_from_daemon(ctx, &daemon))
        return NULL;
    bool subj = subject && dsn_match_any(DSN_LIST_SUBJECT, subject, strnlen(subject, 1024));
    const char *found = style ? style : "heuristic:generic";
    /* most bounces are told apart before the other sender headers are looked up */
    if ((style && subj) || (subj && body) || (body && ctx->orig_part))
        return found;
    if ((style || subj || body) && dsn_from_daemon(ctx, &daemon))
        return found;
    bool xfailed = mail_message_header(ctx->msg, "X-Failed-Recipients") != NULL;
    bool sender = xfailed || dsn_from_daemon(ctx, &daemon) || dsn_null_sender(ctx);
    if ((sender && (style || subj || body)) || (xfailed && ctx->orig_part))
        return found;
    return NULL;
}

bool
dsn_autoreply_detect(struct dsn_ctx *ctx)
{
    const char *as = mail_message_header(ctx->msg, "Auto-Submitted");
    if (as && dsn_has_prefix(as + strspn(as, " \t"), strlen(as), "auto-replied"))
        return true;
    if (mail_message_header(ctx->msg, "X-Autoreply") ||
        mail_message_header(ctx->msg, "X-Autorespond"))
        return true;
    const char *prec = mail_message_header(ctx->msg, "Precedence");
    if (prec && dsn_memcasemem(prec, strlen(prec), "auto_reply"))
        return true;
    return dsn_header_has(ctx, "Subject", DSN_LIST_AUTOREPLY);
}
