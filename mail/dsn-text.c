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
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/message.h"

char *
dsn_lower_dup(const char *s, size_t len)
{
    char *lc = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        lc[i] = (char)tolower((unsigned char)s[i]);
    lc[len] = '\0';
    return lc;
}

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
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncasecmp(subject, prefixes[i], strlen(prefixes[i])) == 0)
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

size_t
dsn_text_original_start(const char *text, size_t len)
{
    size_t scan = len < DSN_MAX_SCAN ? len : DSN_MAX_SCAN;
    /* the first quoted header block ("Received:" / "Return-Path:" at a line start) */
    size_t best = len;
    for (size_t pos = 0, next; pos < scan; pos = next) {
        dsn_line_end(text, scan, pos, &next);
        if (dsn_has_prefix(text + pos, scan - pos, "return-path:") ||
            dsn_has_prefix(text + pos, scan - pos, "received:")) {
            best = pos;
            break;
        }
        if (next == pos)
            break;
    }
    /* a marker line comes before the header it introduces: search up to there */
    size_t window = best < scan ? (best + 512 < scan ? best + 512 : scan) : scan;
    size_t m = dsn_match_earliest(DSN_LIST_MARKER, text, window);
    if (m < best)
        best = m;
    /* back up to the start of the marker's line */
    while (best > 0 && best < len && text[best - 1] != '\n' && text[best - 1] != '\r')
        best--;
    return best;
}

const struct dsn_phrase *const *
dsn_notice_rows(struct dsn_ctx *ctx)
{
    if (!ctx->notice_scanned) {
        dsn_match_rows(DSN_GROUP_NOTICE, ctx->notice, ctx->notice ? ctx->notice_end : 0,
                       ctx->notice_rows);
        ctx->notice_scanned = true;
    }
    return ctx->notice_rows;
}

const char *
dsn_text_detect(struct dsn_ctx *ctx)
{
    const char *subject = mail_message_header(ctx->msg, "Subject");
    bool daemon = dsn_header_has(ctx, "From", DSN_LIST_DAEMON);
    bool subj = dsn_header_has(ctx, "Subject", DSN_LIST_SUBJECT);
    bool xfailed = mail_message_header(ctx->msg, "X-Failed-Recipients") != NULL;
    bool null_rp = dsn_null_sender(ctx);
    const struct dsn_phrase *const *rows = dsn_notice_rows(ctx);
    const char *style = rows[DSN_LIST_STYLE] ? rows[DSN_LIST_STYLE]->tag : NULL;
    bool body = rows[DSN_LIST_BODY] != NULL;
    /* a person's reply or forward counts only when it quotes a known style */
    if (dsn_subject_is_reply(subject) && !daemon && !style)
        return NULL;
    bool sender = daemon || null_rp || xfailed;
    if ((style && (sender || subj || body)) || (sender && (subj || body)) || (subj && body) ||
        (body && ctx->orig_part) || (xfailed && ctx->orig_part))
        return style ? style : "heuristic:generic";
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
