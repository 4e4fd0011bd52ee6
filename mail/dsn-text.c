/*
 * dsn-text.c - recognising non-standard bounces: free-text (or HTML) notices
 * from qmail, Exim, sendmail, Postfix, Exchange, Domino, Gmail, Yahoo and the
 * other styles in docs/violations.md, and RFC 3834 automatic replies.
 *
 * Recognition is data-driven: tables of lowercase phrases (style signatures,
 * bounce wording in subjects and bodies, markers of the quoted original), no
 * code per MTA.  A style only names the rule that matched (`source`
 * "heuristic:NAME"); recipients are read by one generic reader
 * (dsn-text-rcpt.c).  Only the first DSN_MAX_SCAN bytes of text are read.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/message.h"

/* Signatures of known styles, searched in the notice (lowercase). */
static const struct dsn_style {
    const char *source;
    const char *phrase;
} dsn_styles[] = {
    {"heuristic:qmail", "this is the qmail-send program"},
    {"heuristic:qmail", "qmail-send program at"},
    {"heuristic:exim", "this message was created automatically by mail delivery software"},
    {"heuristic:exim", "the following address(es) failed"},
    {"heuristic:exim", "has not yet been delivered to one or more of its"},
    {"heuristic:postfix", "this is the mail system at host"},
    {"heuristic:postfix", "this is the postfix program at host"},
    {"heuristic:sendmail", "----- transcript of session follows -----"},
    {"heuristic:sendmail", "the original message was received at"},
    {"heuristic:sendmail", "----- the following addresses had permanent fatal errors -----"},
    {"heuristic:dragonfly", "this is the dragonfly mail agent"},
    {"heuristic:opensmtpd", "this is the mailer-daemon at"},
    {"heuristic:opensmtpd", "an error has occurred while attempting to deliver a message"},
    {"heuristic:exchange", "delivery has failed to these recipients or groups"},
    {"heuristic:exchange", "your message did not reach some or all of the intended recipients"},
    {"heuristic:exchange", "the following recipient(s) cannot be reached"},
    {"heuristic:exchange", "did not reach the following recipient(s)"},
    {"heuristic:gmail", "delivery to the following recipient failed"},
    {"heuristic:gmail", "delivery to the following recipients failed"},
    {"heuristic:gmail", "message wasn't delivered to"},
    {"heuristic:googlegroups", "we're writing to let you know that the group you tried to contact"},
    {"heuristic:yahoo", "sorry, we were unable to deliver your message to the following address"},
    {"heuristic:domino", "your message was not delivered to"},
    {"heuristic:domino", "was not delivered to:"},
    {"heuristic:courier", "courier mail server at"},
    {"heuristic:amazon", "an error occurred while trying to deliver the mail to the following"},
    {"heuristic:mailru", "message was not delivered to one or more recipients"},
    {"heuristic:list", "you are not a member of this mailing list"},
    {"heuristic:list", "you are not allowed to post to this mailing list"},
    {"heuristic:generic", "could not be delivered to one or more recipients"},
    {"heuristic:generic", "unable to deliver your message to the following"},
    {"heuristic:generic", "could not be delivered to the following"},
    {"heuristic:generic", "the following recipients could not be reached"},
};

/* Bounce wording in a notice body (lowercase). */
static const char *const dsn_body_phrases[] = {
    "could not be delivered",
    "couldn't be delivered",
    "cannot be delivered",
    "can't be delivered",
    "could not deliver",
    "couldn't deliver",
    "unable to deliver",
    "wasn't able to deliver",
    "not able to deliver",
    "failed to deliver",
    "was not delivered",
    "wasn't delivered",
    "has not been delivered",
    "not yet been delivered",
    "delivery has failed",
    "delivery failed",
    "delivery to the following",
    "delivery failure",
    "delivery problem",
    "delivery error",
    "failed addresses",
    "no valid recipients",
    "error delivering",
    "problem delivering",
    "permanent error",
    "permanent fatal error",
    "undeliverable",
    "undelivered",
    "non-delivery",
    "nondelivery",
    "returned to sender",
    "returned mail",
    "did not reach",
    "didn't reach",
    "user unknown",
    "unknown user",
    "no such user",
    "mailbox unavailable",
    "recipient address rejected",
    "message rejected",
    "was rejected",
    "has been rejected",
    "transcript of session",
    "remote host said",
    "smtp error",
    "the following address(es) failed",
    "delivery attempts will continue",
    "message delayed",
    "delivery is delayed",
    "temporarily deferred",
    "mailbox is full",
    "quota exceeded",
    "over quota",
    "not delivered within",
    "no valid recipients",
    "may not exist",
    "not a member of",
    "not allowed to post",
};

/* Bounce wording in a Subject (lowercase). */
static const char *const dsn_subject_phrases[] = {
    "undeliver",
    "undelivered",
    "delivery fail",
    "failed delivery",
    "failure notice",
    "delivery status notification",
    "delivery notification",
    "returned mail",
    "return mail",
    "mail delivery failed",
    "delivery problem",
    "delivery failure",
    "non-delivery",
    "nondeliver",
    "non deliver",
    "not delivered",
    "mail system error",
    "could not send",
    "returning to sender",
    "mail failed",
    "could not be delivered",
    "couldn't be delivered",
    "delayed mail",
    "delivery delayed",
    "message delayed",
    "delivery delay",
    "returned to sender",
    "mail failure",
    "mail error",
    "rejected",
    "warning: message",
    "delivery report",
    "delivery error",
    "error sending",
    "unable to deliver",
    "nicht zustellbar",
    "non remis",
    "no entregado",
};

/* Local parts and display names of bounce senders (lowercase). */
static const char *const dsn_daemon_names[] = {
    "mailer-daemon", "mailer_daemon", "mailerdaemon",  "mail-daemon",        "maildaemon",
    "postmaster",    "post_master",   "mail delivery", "mail administrator", "microsoftexchange",
    "mdaemon",       "bounce",        "mail system",
};

/* Lines that start the quoted original inside a notice (lowercase). */
static const char *const dsn_original_markers[] = {
    "below this line is a copy of the message",
    "enclosed is a copy of the message",
    "this is a copy of the message",
    "this is a copy of your message",
    "original message follows",
    "original message header",
    "original message headers",
    "----- original message -----",
    "-----original message-----",
    "--- original message ---",
    "header of the original message",
    "headers of the original message",
    "message headers follow",
    "returned message follows",
    "------- returned message",
    "----- unsent message below",
    "unsent message follows",
    "--- returned message ---",
    "original message header follows",
    "a copy of the original message",
    "copy of the original message below",
    "the headers of your message",
    "------ original message",
    "----- message header follows",
    "included is a copy of",
};

bool
dsn_phrase_any(const char *lc, size_t len, const char *const *phrases, size_t n,
               const struct dsn_trigrams *tri)
{
    for (size_t i = 0; i < n; i++)
        if (dsn_trigrams_may_have(tri, phrases[i]) &&
            memmem(lc, len, phrases[i], strlen(phrases[i])))
            return true;
    return false;
}

char *
dsn_lower_dup(const char *s, size_t len)
{
    char *lc = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        lc[i] = (char)tolower((unsigned char)s[i]);
    lc[len] = '\0';
    return lc;
}

static bool
dsn_header_has(const struct dsn_ctx *ctx, const char *name, const char *const *phrases, size_t n)
{
    const char *v = mail_message_header(ctx->msg, name);
    if (!v)
        return false;
    char *lc = dsn_lower_dup(v, strnlen(v, 1024));
    bool hit = dsn_phrase_any(lc, strlen(lc), phrases, n, NULL);
    free(lc);
    return hit;
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

/* As below, with lc the lowercased text (at least min(len, DSN_MAX_SCAN) bytes). */
size_t
dsn_text_original_start_lc(const char *text, const char *lc, size_t len,
                           const struct dsn_trigrams *tri)
{
    size_t scan = len < DSN_MAX_SCAN ? len : DSN_MAX_SCAN;
    /* the first quoted header block ("Received:" / "Return-Path:" at a line start) */
    size_t best = len;
    for (size_t pos = 0, next; pos < scan; pos = next) {
        dsn_line_end(lc, scan, pos, &next);
        if (strncmp(lc + pos, "return-path:", 12) == 0 || strncmp(lc + pos, "received:", 9) == 0) {
            best = pos;
            break;
        }
        if (next == pos)
            break;
    }
    /* a marker line comes before the header it introduces: search up to there */
    size_t window = best < scan ? (best + 512 < scan ? best + 512 : scan) : scan;
    for (size_t i = 0; i < sizeof dsn_original_markers / sizeof dsn_original_markers[0]; i++) {
        if (!dsn_trigrams_may_have(tri, dsn_original_markers[i]))
            continue;
        const char *m =
            memmem(lc, window, dsn_original_markers[i], strlen(dsn_original_markers[i]));
        if (m && (size_t)(m - lc) < best)
            best = (size_t)(m - lc);
    }
    /* back up to the start of the marker's line */
    while (best > 0 && best < len && text[best - 1] != '\n' && text[best - 1] != '\r')
        best--;
    return best;
}

size_t
dsn_text_original_start(const char *text, size_t len)
{
    size_t scan = len < DSN_MAX_SCAN ? len : DSN_MAX_SCAN;
    char *lc = dsn_lower_dup(text, scan);
    size_t at = dsn_text_original_start_lc(text, lc, len, NULL);
    free(lc);
    return at;
}

static const char *
dsn_style_find(const char *lc, size_t len, const struct dsn_trigrams *tri)
{
    for (size_t i = 0; i < sizeof dsn_styles / sizeof dsn_styles[0]; i++)
        if (dsn_trigrams_may_have(tri, dsn_styles[i].phrase) &&
            memmem(lc, len, dsn_styles[i].phrase, strlen(dsn_styles[i].phrase)))
            return dsn_styles[i].source;
    return NULL;
}

const char *
dsn_text_detect(struct dsn_ctx *ctx)
{
#define N(a) (sizeof(a) / sizeof((a)[0]))
    const char *subject = mail_message_header(ctx->msg, "Subject");
    bool daemon = dsn_header_has(ctx, "From", dsn_daemon_names, N(dsn_daemon_names));
    bool subj = dsn_header_has(ctx, "Subject", dsn_subject_phrases, N(dsn_subject_phrases));
    bool xfailed = mail_message_header(ctx->msg, "X-Failed-Recipients") != NULL;
    bool null_rp = dsn_null_sender(ctx);
    size_t n = ctx->notice ? ctx->notice_end : 0;
    const char *lc = ctx->notice ? ctx->notice_lc : "";
    const char *style = dsn_style_find(lc, n, ctx->notice_tri);
    bool body = dsn_phrase_any(lc, n, dsn_body_phrases, N(dsn_body_phrases), ctx->notice_tri);
    /* a person's reply or forward counts only when it quotes a known style */
    if (dsn_subject_is_reply(subject) && !daemon && !style)
        return NULL;
    bool sender = daemon || null_rp || xfailed;
    if ((style && (sender || subj || body)) || (sender && (subj || body)) || (subj && body) ||
        (body && ctx->orig_part) || (xfailed && ctx->orig_part))
        return style ? style : "heuristic:generic";
    return NULL;
#undef N
}

bool
dsn_autoreply_detect(struct dsn_ctx *ctx)
{
    static const char *const subjects[] = {
        "auto:",
        "automatic reply",
        "autoreply",
        "auto-reply",
        "auto reply",
        "out of office",
        "out of the office",
        "vacation",
        "away from",
        "abwesenheit",
        "absence",
        "réponse automatique",
        "respuesta automática",
        "risposta automatica",
        "away until",
    };
    const char *as = mail_message_header(ctx->msg, "Auto-Submitted");
    if (as && dsn_has_prefix(as + strspn(as, " \t"), strlen(as), "auto-replied"))
        return true;
    if (mail_message_header(ctx->msg, "X-Autoreply") ||
        mail_message_header(ctx->msg, "X-Autorespond"))
        return true;
    const char *prec = mail_message_header(ctx->msg, "Precedence");
    if (prec && dsn_memcasemem(prec, strlen(prec), "auto_reply"))
        return true;
    return dsn_header_has(ctx, "Subject", subjects, sizeof subjects / sizeof subjects[0]);
}

/* Words that make a notice a delay warning rather than a failure. */
static const char *const dsn_delay_phrases[] = {
    "has not yet been delivered",
    "not yet been delivered",
    "delivery attempts will continue",
    "will continue to try",
    "will keep trying",
    "will retry",
    "still trying",
    "no action is required",
    "is delayed",
    "has been delayed",
    "delivery delayed",
    "will be retried",
};
static const char *const dsn_final_phrases[] = {
    "permanent",
    "given up",
    "giving up",
    "not going to try again",
    "could not be delivered",
    "failed",
    "returning message to sender",
    "has been returned",
    "undeliverable",
};

static bool
dsn_notice_delayed(const struct dsn_ctx *ctx)
{
    const char *subject = mail_message_header(ctx->msg, "Subject");
    size_t ln = ctx->notice ? ctx->notice_end : 0;
    const char *lc = ctx->notice ? ctx->notice_lc : "";
    bool delay =
        dsn_phrase_any(lc, ln, dsn_delay_phrases,
                       sizeof dsn_delay_phrases / sizeof dsn_delay_phrases[0], ctx->notice_tri);
    bool final =
        dsn_phrase_any(lc, ln, dsn_final_phrases,
                       sizeof dsn_final_phrases / sizeof dsn_final_phrases[0], ctx->notice_tri);
    if (subject && (dsn_memcasemem(subject, strlen(subject), "delayed") ||
                    dsn_memcasemem(subject, strlen(subject), "warning")))
        delay = true;
    return delay && !final;
}

char *
dsn_remote_host(const char *diag)
{
    static const char *const cues[] = {"remote host ", "host ", "server ", " by "};
    if (!diag)
        return NULL;
    size_t len = strlen(diag);
    for (size_t c = 0; c < sizeof cues / sizeof cues[0]; c++) {
        const char *p = dsn_memcasemem(diag, len, cues[c]);
        if (!p)
            continue;
        p += strlen(cues[c]);
        size_t n = 0;
        while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '.' || p[n] == '-' || p[n] == '_'))
            n++;
        while (n > 0 && p[n - 1] == '.')
            n--;
        bool dotted = memchr(p, '.', n) != NULL;
        bool alpha = false;
        for (size_t i = 0; i < n; i++)
            alpha |= isalpha((unsigned char)p[i]) != 0;
        if (n > 3 && dotted && (alpha || n >= 7))
            return xstrndup(p, n);
    }
    return NULL;
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
            dsn_note(ctx, "%s is not in X-Failed-Recipients", a ? a : "(unknown)");
            dsn_rcpt_clear(&rep->rcpts[i]);
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
        r->recipient = dsn_strclean(xf + a, alen, DSN_MAX_FIELD, true);
        r->action = DSN_ACTION_FAILED;
        r->diagnostic = dsn_text_diag_for(ctx, r->recipient);
        r->remote_mta = dsn_remote_host(r->diagnostic);
    }
}

size_t
dsn_text_parse(struct dsn_ctx *ctx, const char *style)
{
    struct dsn_report *rep = ctx->rep;
    rep->source = style;
    rep->confidence = DSN_CONFIDENCE_MEDIUM;
    bool delayed = dsn_notice_delayed(ctx);
    if (ctx->notice && dsn_rfc3464_in_text(ctx, ctx->notice, ctx->notice_len)) {
        rep->source = "heuristic:fields";
        dsn_note(ctx, "RFC 3464 fields written in a text part");
    } else if (ctx->notice) {
        dsn_text_read_recipients(ctx, ctx->notice, ctx->notice_end, delayed);
    }
    dsn_text_xfailed(ctx);
    /* one recipient: the whole notice tells the failed SMTP stage */
    if (rep->nrcpts == 1 && ctx->notice && !rep->rcpts[0].smtp_command[0] &&
        !dsn_smtp_command(rep->rcpts[0].diagnostic,
                          rep->rcpts[0].diagnostic ? strlen(rep->rcpts[0].diagnostic) : 0,
                          rep->rcpts[0].smtp_command))
        dsn_smtp_command_lc(ctx->notice_lc, ctx->notice_end, rep->rcpts[0].smtp_command);
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
    for (size_t pos = 0, next; t && pos < len; pos = next) {
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
        if (end <= start)
            continue;
        bool hit =
            dsn_phrase_any(ctx->notice_lc + start, end - start, dsn_body_phrases,
                           sizeof dsn_body_phrases / sizeof dsn_body_phrases[0], ctx->notice_tri);
        if (hit) {
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
        r->recipient = dsn_strclean(value + a, alen, DSN_MAX_FIELD, true);
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
            free(block);
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
        r->diagnostic = sb.len ? strbuf_detach(&sb, NULL) : NULL;
        r->diagnostic_generic = r->diagnostic != NULL;
        strbuf_free(&sb);
    }
    r->remote_mta = dsn_remote_host(r->diagnostic);
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
