/*
 * dsn-reason.c - from a recipient's status code and words to the effective
 * RFC 3463 status, the SMTP reply code, the failed SMTP stage, a reason
 * (sisimai's vocabulary) and whether the failure is hard.
 *
 * Rules (docs/dsn.md):
 *  - status: a specific code the remote server wrote in the diagnostic
 *    ("550 5.1.1 ...") beats the reporting MTA's Status field; a generic
 *    Status ("5.0.0") takes any more precise code of the same class; the
 *    cause behind X.4.7 "delivery time expired" wins over it.  No code
 *    anywhere: inferred from the reason (status_inferred).
 *  - reason, first that applies: specific wording (a full mailbox, DMARC,
 *    spam, ...) > a status code whose meaning is unambiguous (X.1.2, X.2.2,
 *    X.5.x, ...) > general wording (user unknown, blocked, ...) > any status
 *    code > the failed SMTP stage (MAIL: rejected sender; CONN/HELO: blocked
 *    client) > a local program (X-Unix) > the action (delayed: expired).
 *    Then two refinements: "user unknown" after DATA or with X.2.0/X.2.1 is
 *    a recipient-side filter (filtered); a host "unknown" with a temporary
 *    code is a DNS failure (networkerror).
 *  - hard: the address itself is bad (userunknown, hostunknown, hasmoved) or
 *    the failure is permanent with no better reason (notaccept, onhold,
 *    undefined with a 5.x.x status).
 * Pure functions; bounded by DSN_MAX_DIAGNOSTIC.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mail/dsn-private.h"

/* RFC 3463 codes that name a reason; `firm` ones are unambiguous enough to
 * beat general wording. */
static const struct {
    const char *code; /* without the class digit: ".1.1" */
    enum dsn_reason reason;
    bool firm;
} dsn_status_reasons[] = {
    {".1.1", DSN_REASON_USERUNKNOWN, true},    {".1.0", DSN_REASON_USERUNKNOWN, false},
    {".1.2", DSN_REASON_HOSTUNKNOWN, true},    {".1.3", DSN_REASON_USERUNKNOWN, false},
    {".1.4", DSN_REASON_FILTERED, false},      {".1.6", DSN_REASON_HASMOVED, true},
    {".1.7", DSN_REASON_REJECTED, true},       {".1.8", DSN_REASON_REJECTED, true},
    {".1.9", DSN_REASON_SYSTEMERROR, false},   {".1.10", DSN_REASON_NOTACCEPT, false},
    {".2.0", DSN_REASON_FILTERED, false},      {".2.1", DSN_REASON_FILTERED, false},
    {".2.2", DSN_REASON_MAILBOXFULL, true},    {".2.3", DSN_REASON_EXCEEDLIMIT, true},
    {".2.4", DSN_REASON_FILTERED, false},      {".3.0", DSN_REASON_UNDEFINED, false},
    {".3.1", DSN_REASON_SYSTEMFULL, true},     {".3.2", DSN_REASON_NOTACCEPT, true},
    {".3.3", DSN_REASON_SYSTEMERROR, false},   {".3.4", DSN_REASON_MESGTOOBIG, true},
    {".3.5", DSN_REASON_SYSTEMERROR, false},   {".4.0", DSN_REASON_UNDEFINED, false},
    {".4.1", DSN_REASON_UNDEFINED, false},     {".4.2", DSN_REASON_NETWORKERROR, false},
    {".4.3", DSN_REASON_SYSTEMERROR, true},    {".4.4", DSN_REASON_HOSTUNKNOWN, false},
    {".4.5", DSN_REASON_SYSTEMFULL, false},    {".4.6", DSN_REASON_NETWORKERROR, true},
    {".4.7", DSN_REASON_EXPIRED, false},       {".5.0", DSN_REASON_UNDEFINED, false},
    {".5.1", DSN_REASON_SYNTAXERROR, true},    {".5.2", DSN_REASON_SYNTAXERROR, true},
    {".5.3", DSN_REASON_TOOMANYCONN, true},    {".5.4", DSN_REASON_SYNTAXERROR, true},
    {".5.5", DSN_REASON_SYSTEMERROR, false},   {".6.0", DSN_REASON_CONTENTERROR, true},
    {".6.1", DSN_REASON_CONTENTERROR, true},   {".6.2", DSN_REASON_CONTENTERROR, true},
    {".6.3", DSN_REASON_CONTENTERROR, true},   {".6.5", DSN_REASON_CONTENTERROR, true},
    {".6.6", DSN_REASON_CONTENTERROR, true},   {".6.7", DSN_REASON_CONTENTERROR, true},
    {".6.8", DSN_REASON_CONTENTERROR, true},   {".6.9", DSN_REASON_CONTENTERROR, true},
    {".7.0", DSN_REASON_SECURITYERROR, false}, {".7.1", DSN_REASON_SECURITYERROR, false},
    {".7.2", DSN_REASON_SECURITYERROR, false}, {".7.4", DSN_REASON_SECURITYERROR, false},
    {".7.5", DSN_REASON_SECURITYERROR, true},  {".7.6", DSN_REASON_SECURITYERROR, false},
    {".7.7", DSN_REASON_SECURITYERROR, true},  {".7.8", DSN_REASON_AUTHFAILURE, true},
    {".7.9", DSN_REASON_SECURITYERROR, false}, {".7.13", DSN_REASON_SUSPEND, true},
    {".7.17", DSN_REASON_HASMOVED, true},      {".7.18", DSN_REASON_HASMOVED, true},
    {".7.20", DSN_REASON_AUTHFAILURE, true},   {".7.21", DSN_REASON_AUTHFAILURE, true},
    {".7.22", DSN_REASON_AUTHFAILURE, true},   {".7.23", DSN_REASON_AUTHFAILURE, true},
    {".7.24", DSN_REASON_AUTHFAILURE, true},   {".7.25", DSN_REASON_REQUIREPTR, true},
    {".7.26", DSN_REASON_AUTHFAILURE, true},   {".7.27", DSN_REASON_NOTACCEPT, true},
};

/* The status code a reason stands for when no code was written. */
static const char *const dsn_reason_codes[DSN_REASON_COUNT] = {
    [DSN_REASON_USERUNKNOWN] = ".1.1",   [DSN_REASON_HOSTUNKNOWN] = ".1.2",
    [DSN_REASON_HASMOVED] = ".1.6",      [DSN_REASON_MAILBOXFULL] = ".2.2",
    [DSN_REASON_SUSPEND] = ".2.1",       [DSN_REASON_EXCEEDLIMIT] = ".2.3",
    [DSN_REASON_FILTERED] = ".2.0",      [DSN_REASON_SYSTEMFULL] = ".3.1",
    [DSN_REASON_SYSTEMERROR] = ".3.0",   [DSN_REASON_NOTACCEPT] = ".3.2",
    [DSN_REASON_MESGTOOBIG] = ".3.4",    [DSN_REASON_MAILERERROR] = ".3.0",
    [DSN_REASON_NETWORKERROR] = ".4.0",  [DSN_REASON_EXPIRED] = ".4.7",
    [DSN_REASON_TOOMANYCONN] = ".4.5",   [DSN_REASON_RATELIMITED] = ".4.5",
    [DSN_REASON_SPEEDING] = ".4.5",      [DSN_REASON_SYNTAXERROR] = ".5.2",
    [DSN_REASON_CONTENTERROR] = ".6.0",  [DSN_REASON_NOTCOMPLIANTRFC] = ".6.0",
    [DSN_REASON_SECURITYERROR] = ".7.0", [DSN_REASON_BLOCKED] = ".7.1",
    [DSN_REASON_REJECTED] = ".7.1",      [DSN_REASON_SPAMDETECTED] = ".7.1",
    [DSN_REASON_VIRUSDETECTED] = ".7.1", [DSN_REASON_POLICYVIOLATION] = ".7.0",
    [DSN_REASON_NORELAYING] = ".7.1",    [DSN_REASON_AUTHFAILURE] = ".7.26",
    [DSN_REASON_REQUIREPTR] = ".7.25",   [DSN_REASON_BADREPUTATION] = ".7.1",
};

static int
dsn_status_class(const char *code)
{
    return code && code[0] ? code[0] - '0' : 0;
}

/* "5.0.0": says nothing beyond the class. */
static bool
dsn_status_generic(const char *code)
{
    return code[0] && strcmp(code + 1, ".0.0") == 0;
}

/* d, dl: the diagnostic ("" for none) and its length */
static void
dsn_pick_status(struct dsn_recipient *r, const char *d, size_t dl)
{
    char code[16] = "", spec[16] = "", cause[16];
    bool have_spec;
    bool have_diag = dsn_status_find_two(d, dl, code, spec, &have_spec);
    int dc = dsn_status_class(code);
    if (have_spec) {
        /* the remote server's own specific code beats the reporter's summary */
        memcpy(r->status, spec, sizeof r->status);
    } else if (r->status_field[0]) {
        int rc = r->reply_code / 100;
        bool upgrade = have_diag && dc != 2 && dsn_status_generic(r->status_field) &&
                       dc == dsn_status_class(r->status_field) && !dsn_status_generic(code);
        bool reclass = have_diag && dc != 2 && dc != dsn_status_class(r->status_field) && rc == dc;
        memcpy(r->status, upgrade || reclass ? code : r->status_field, sizeof r->status);
    } else if (have_diag) {
        memcpy(r->status, code, sizeof r->status);
    }
    /* "delivery time expired" (X.4.7) hides the cause the last attempt got */
    if (strcmp(r->status + 1, ".4.7") == 0 && dsn_status_find_specific(d, dl, r->status, cause))
        memcpy(r->status, cause, sizeof r->status);
}

static enum dsn_reason
dsn_reason_from_status(const char *code, bool firm_only)
{
    if (!code[0] || code[0] == '2')
        return code[0] == '2' ? DSN_REASON_DELIVERED : DSN_REASON_UNDEFINED;
    const char *rest = code + 1;
    /* the subject digit first: most rows differ there, without a call */
    for (size_t i = 0; i < sizeof dsn_status_reasons / sizeof dsn_status_reasons[0]; i++)
        if (dsn_status_reasons[i].code[1] == rest[1] &&
            strcmp(rest, dsn_status_reasons[i].code) == 0)
            return !firm_only || dsn_status_reasons[i].firm ? dsn_status_reasons[i].reason
                                                            : DSN_REASON_UNDEFINED;
    return DSN_REASON_UNDEFINED;
}

/* Temporary or permanent, when no code says so (RFC 3463 §3.1 classes). */
static int
dsn_infer_class(const struct dsn_recipient *r)
{
    if (r->reply_code >= 400 && r->reply_code < 600)
        return r->reply_code / 100;
    if (r->action == DSN_ACTION_DELAYED)
        return 4;
    if (r->action == DSN_ACTION_DELIVERED || r->action == DSN_ACTION_RELAYED ||
        r->action == DSN_ACTION_EXPANDED)
        return 2;
    return 5;
}

static bool
dsn_reason_hard(const struct dsn_recipient *r)
{
    switch (r->reason) {
    case DSN_REASON_USERUNKNOWN:
    case DSN_REASON_HOSTUNKNOWN:
    case DSN_REASON_HASMOVED:
        return true;
    case DSN_REASON_NOTACCEPT:
    case DSN_REASON_UNDEFINED:
    case DSN_REASON_ONHOLD:
        return r->status[0] == '5';
    default:
        return false;
    }
}

static bool
dsn_is_local_program(const struct dsn_recipient *r)
{
    if (r->diagnostic_type && strcasecmp(r->diagnostic_type, "x-unix") == 0)
        return true;
    const char *a = r->actual_recipient;
    return a && (strchr(a, '|') || dsn_memcasemem(a, strlen(a), "x-unix"));
}

/* Domains whose refusals always mean one thing, whatever the language of
 * the notice: a Google Group refuses posts from non-members. */
static const struct {
    const char *suffix;
    enum dsn_reason reason;
} dsn_domain_reasons[] = {
    {"@googlegroups.com", DSN_REASON_REJECTED},
};

static enum dsn_reason
dsn_reason_by_domain(const char *rcpt)
{
    size_t n = rcpt ? strlen(rcpt) : 0;
    for (size_t i = 0; i < sizeof dsn_domain_reasons / sizeof dsn_domain_reasons[0]; i++) {
        size_t k = strlen(dsn_domain_reasons[i].suffix);
        if (n > k && strcasecmp(rcpt + n - k, dsn_domain_reasons[i].suffix) == 0)
            return dsn_domain_reasons[i].reason;
    }
    return DSN_REASON_UNDEFINED;
}

/* Without a telling word or code: what the stage and the action say. */
static enum dsn_reason
dsn_reason_fallback(const struct dsn_recipient *r)
{
    enum dsn_reason d = dsn_reason_by_domain(r->recipient);
    if (d != DSN_REASON_UNDEFINED)
        return d;
    if (dsn_is_local_program(r))
        return DSN_REASON_MAILERERROR;
    if (strcmp(r->smtp_command, "MAIL") == 0)
        return DSN_REASON_REJECTED;
    if (strcmp(r->smtp_command, "CONN") == 0 || strcmp(r->smtp_command, "HELO") == 0)
        return DSN_REASON_BLOCKED;
    if (r->reply_code >= 500 && r->reply_code <= 504)
        return DSN_REASON_SYNTAXERROR; /* RFC 5321 §4.2.3: command syntax/sequence */
    if (r->action == DSN_ACTION_DELAYED)
        return DSN_REASON_EXPIRED;
    /* words about this recipient we cannot place: on hold; none: undefined */
    bool said = (r->diagnostic && !r->diagnostic_generic) || r->reply_code || r->status_field[0];
    return said ? DSN_REASON_ONHOLD : DSN_REASON_UNDEFINED;
}

static enum dsn_reason
dsn_reason_decide(const struct dsn_recipient *r, const char *d, size_t dl, enum dsn_kind kind,
                  const struct dsn_words *known)
{
    if (kind == DSN_KIND_FEEDBACK)
        return DSN_REASON_FEEDBACK;
    if (kind == DSN_KIND_AUTOREPLY)
        return DSN_REASON_VACATION;
    if (kind == DSN_KIND_MDN || r->action == DSN_ACTION_DELIVERED ||
        r->action == DSN_ACTION_RELAYED || r->status[0] == '2')
        return DSN_REASON_DELIVERED;
    if (r->action == DSN_ACTION_EXPANDED)
        return DSN_REASON_EXPANDED;
    struct dsn_words w;
    dsn_words_reuse(&w, d, dl, known);
    enum dsn_reason x = dsn_words_reason(&w, true);
    if (x == DSN_REASON_UNDEFINED)
        x = dsn_reason_from_status(r->status, true);
    if (x == DSN_REASON_UNDEFINED && dsn_is_local_program(r))
        x = DSN_REASON_MAILERERROR;
    if (x == DSN_REASON_UNDEFINED)
        x = dsn_words_reason(&w, false);
    dsn_words_free(&w);
    /* refused before the envelope (RFC 5321 §3.1 greeting, §4.1.1.1 EHLO): the
     * client itself is refused, which a vague code (X.7.1, X.0.0) says less well */
    if (x == DSN_REASON_UNDEFINED &&
        (strcmp(r->smtp_command, "CONN") == 0 || strcmp(r->smtp_command, "HELO") == 0))
        x = DSN_REASON_BLOCKED;
    /* a delay is explained by its words or a firm code, not by a vague one */
    if (x == DSN_REASON_UNDEFINED && r->action != DSN_ACTION_DELAYED)
        x = dsn_reason_from_status(r->status, false);
    if (x == DSN_REASON_UNDEFINED)
        return dsn_reason_fallback(r);
    /* refinements: "user unknown" said after DATA, when the recipient was
     * already accepted, or with a mailbox-status code (X.2.x: the mailbox
     * exists) is the recipient's filter speaking */
    bool mailbox_status = strncmp(r->status + 1, ".2.", 3) == 0; /* X.2.x: it exists */
    if (x == DSN_REASON_USERUNKNOWN && strcmp(r->status + 1, ".1.1") != 0 &&
        (strcmp(r->smtp_command, "DATA") == 0 ||
         (mailbox_status && strcmp(r->smtp_command, "RCPT") != 0)))
        return DSN_REASON_FILTERED;
    if (x == DSN_REASON_HOSTUNKNOWN && r->status[0] == '4')
        return DSN_REASON_NETWORKERROR; /* a domain is not unknown for a while */
    return x;
}

void
dsn_reason_classify(struct dsn_recipient *r, enum dsn_kind kind, const struct dsn_words *known)
{
    const char *d = r->diagnostic ? r->diagnostic : "";
    size_t dl = strlen(d);
    r->reply_code = dsn_reply_find(d, dl);
    if (!r->smtp_command[0])
        dsn_smtp_command(d, dl, r->smtp_command);
    if (kind == DSN_KIND_REPORT || kind == DSN_KIND_BOUNCE)
        dsn_pick_status(r, d, dl);
    r->reason = dsn_reason_decide(r, d, dl, kind, known); /* d: measured once */
    if (!r->status[0] && (kind == DSN_KIND_REPORT || kind == DSN_KIND_BOUNCE)) {
        const char *rest = dsn_reason_codes[r->reason] ? dsn_reason_codes[r->reason] : ".0.0";
        /* the class digit and the rest (at most ".7.26"): no snprintf */
        r->status[0] = (char)('0' + dsn_infer_class(r));
        memcpy(r->status + 1, rest, strlen(rest) + 1);
        r->status_inferred = true;
    }
    if (r->action == DSN_ACTION_UNKNOWN && r->status[0])
        r->action = r->status[0] == '4'   ? DSN_ACTION_DELAYED
                    : r->status[0] == '2' ? DSN_ACTION_DELIVERED
                                          : DSN_ACTION_FAILED;
    /* a reply code of another class than the status is from another exchange */
    if (r->reply_code && r->status[0] && r->reply_code / 100 != r->status[0] - '0')
        r->reply_code = 0;
    r->hard = dsn_reason_hard(r);
}

/* ---- the failed SMTP stage ---- */

bool
dsn_smtp_command(const char *text, size_t len, char out[8])
{
    if (!text || len == 0)
        return false;
    if (len > DSN_MAX_SCAN)
        len = DSN_MAX_SCAN;
    /* the last stage named is the one that failed (">>> MAIL ... >>> DATA") */
    const struct dsn_phrase *cue = dsn_match_last(DSN_LIST_CUE, text, len);
    if (!cue)
        return false;
    size_t n = strnlen(cue->tag, 7); /* as snprintf would cut it */
    memcpy(out, cue->tag, n);
    out[n] = '\0';
    return true;
}
