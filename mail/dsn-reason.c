/*
 * dsn-reason.c - from a recipient's status code and words to the effective
 * RFC 3463 status, the SMTP reply code, a reason (sisimai's vocabulary) and
 * whether the failure is hard.
 *
 * Rules (docs/dsn.md):
 *  - status: a specific code the remote server wrote in the diagnostic
 *    ("550 5.1.1 ...") beats the reporting MTA's Status field; a generic one
 *    (X.0.0) does not, unless the classes disagree and the reply code sides
 *    with the diagnostic.  No code anywhere: inferred from the reason (and
 *    marked status_inferred).
 *  - reason: the wording (dsn-reason-table.c, ordered, first match wins),
 *    else the status code (RFC 3463 subject/detail), else the action.
 *  - hard: the address itself is bad (userunknown, hostunknown, hasmoved,
 *    notaccept) or a permanent failure with no better reason.
 * Pure functions; bounded by DSN_MAX_DIAGNOSTIC.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/dsn-private.h"

/* RFC 3463 codes whose meaning is specific enough to name a reason. */
static const struct {
    const char *code; /* without the class digit: ".1.1" */
    enum dsn_reason reason;
} dsn_status_reasons[] = {
    {".1.1", DSN_REASON_USERUNKNOWN},   {".1.0", DSN_REASON_USERUNKNOWN},
    {".1.2", DSN_REASON_HOSTUNKNOWN},   {".1.3", DSN_REASON_USERUNKNOWN},
    {".1.4", DSN_REASON_FILTERED},      {".1.6", DSN_REASON_HASMOVED},
    {".1.7", DSN_REASON_REJECTED},      {".1.8", DSN_REASON_REJECTED},
    {".1.9", DSN_REASON_SYSTEMERROR},   {".1.10", DSN_REASON_NOTACCEPT},
    {".2.0", DSN_REASON_FILTERED},      {".2.1", DSN_REASON_SUSPEND},
    {".2.2", DSN_REASON_MAILBOXFULL},   {".2.3", DSN_REASON_EXCEEDLIMIT},
    {".2.4", DSN_REASON_FILTERED},      {".3.0", DSN_REASON_SYSTEMERROR},
    {".3.1", DSN_REASON_SYSTEMFULL},    {".3.2", DSN_REASON_NOTACCEPT},
    {".3.3", DSN_REASON_SYSTEMERROR},   {".3.4", DSN_REASON_MESGTOOBIG},
    {".3.5", DSN_REASON_SYSTEMERROR},   {".4.0", DSN_REASON_NETWORKERROR},
    {".4.1", DSN_REASON_EXPIRED},       {".4.2", DSN_REASON_NETWORKERROR},
    {".4.3", DSN_REASON_SYSTEMERROR},   {".4.4", DSN_REASON_HOSTUNKNOWN},
    {".4.5", DSN_REASON_SYSTEMFULL},    {".4.6", DSN_REASON_NETWORKERROR},
    {".4.7", DSN_REASON_EXPIRED},       {".5.3", DSN_REASON_TOOMANYCONN},
    {".5.4", DSN_REASON_SYNTAXERROR},   {".5.2", DSN_REASON_SYNTAXERROR},
    {".5.5", DSN_REASON_SYSTEMERROR},   {".6.0", DSN_REASON_CONTENTERROR},
    {".6.1", DSN_REASON_CONTENTERROR},  {".6.2", DSN_REASON_CONTENTERROR},
    {".6.3", DSN_REASON_CONTENTERROR},  {".6.5", DSN_REASON_CONTENTERROR},
    {".6.6", DSN_REASON_CONTENTERROR},  {".7.0", DSN_REASON_SECURITYERROR},
    {".7.1", DSN_REASON_SECURITYERROR}, {".7.2", DSN_REASON_SECURITYERROR},
    {".7.4", DSN_REASON_SECURITYERROR}, {".7.5", DSN_REASON_SECURITYERROR},
    {".7.7", DSN_REASON_SECURITYERROR}, {".7.8", DSN_REASON_AUTHFAILURE},
    {".7.9", DSN_REASON_SECURITYERROR}, {".7.13", DSN_REASON_SUSPEND},
    {".7.17", DSN_REASON_HASMOVED},     {".7.18", DSN_REASON_HASMOVED},
    {".7.20", DSN_REASON_AUTHFAILURE},  {".7.21", DSN_REASON_AUTHFAILURE},
    {".7.22", DSN_REASON_AUTHFAILURE},  {".7.23", DSN_REASON_AUTHFAILURE},
    {".7.24", DSN_REASON_AUTHFAILURE},  {".7.25", DSN_REASON_REQUIREPTR},
    {".7.26", DSN_REASON_AUTHFAILURE},  {".7.27", DSN_REASON_NOTACCEPT},
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

static void
dsn_pick_status(struct dsn_recipient *r)
{
    char code[16] = "", spec[16] = "", cause[16];
    const char *d = r->diagnostic ? r->diagnostic : "";
    size_t dl = strlen(d);
    bool have_diag = dsn_status_find(d, dl, code);
    bool have_spec = dsn_status_find_specific(d, dl, NULL, spec);
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
dsn_reason_from_status(const char *code)
{
    if (!code[0] || code[0] == '2')
        return code[0] == '2' ? DSN_REASON_DELIVERED : DSN_REASON_UNDEFINED;
    const char *rest = code + 1;
    for (size_t i = 0; i < sizeof dsn_status_reasons / sizeof dsn_status_reasons[0]; i++)
        if (strcmp(rest, dsn_status_reasons[i].code) == 0)
            return dsn_status_reasons[i].reason;
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

static enum dsn_reason
dsn_reason_decide(const struct dsn_recipient *r, enum dsn_kind kind)
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
    const char *d = r->diagnostic ? r->diagnostic : "";
    enum dsn_reason t = dsn_reason_from_text(d, strlen(d));
    if (t != DSN_REASON_UNDEFINED)
        return t;
    enum dsn_reason s = dsn_reason_from_status(r->status);
    if (s != DSN_REASON_UNDEFINED)
        return s;
    if (r->action == DSN_ACTION_DELAYED)
        return DSN_REASON_EXPIRED;
    if (r->diagnostic_type && strcasecmp(r->diagnostic_type, "x-unix") == 0)
        return DSN_REASON_MAILERERROR;
    return r->diagnostic ? DSN_REASON_ONHOLD : DSN_REASON_UNDEFINED;
}

void
dsn_reason_classify(struct dsn_recipient *r, enum dsn_kind kind)
{
    const char *d = r->diagnostic ? r->diagnostic : "";
    r->reply_code = dsn_reply_find(d, strlen(d));
    if (kind == DSN_KIND_REPORT || kind == DSN_KIND_BOUNCE)
        dsn_pick_status(r);
    r->reason = dsn_reason_decide(r, kind);
    if (!r->status[0] && (kind == DSN_KIND_REPORT || kind == DSN_KIND_BOUNCE)) {
        const char *rest = dsn_reason_codes[r->reason] ? dsn_reason_codes[r->reason] : ".0.0";
        snprintf(r->status, sizeof r->status, "%d%s", dsn_infer_class(r), rest);
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
