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

bool
dsn_text_bounce_wording(const char *lc, size_t len, const struct dsn_trigrams *tri)
{
    return dsn_phrase_any(lc, len, dsn_body_phrases,
                          sizeof dsn_body_phrases / sizeof dsn_body_phrases[0], tri);
}
