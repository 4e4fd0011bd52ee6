/*
 * dsn.h - the DSN engine: what a message says about the delivery of another.
 *
 * dsn_analyze() classifies one parsed message (RFC 3464 / 6533 delivery
 * status report, non-standard bounce, RFC 8098 MDN, RFC 5965 feedback report,
 * RFC 3834 automatic reply, or ordinary mail) and extracts, per recipient,
 * the RFC 3464 action, the RFC 3463 status, the remote MTA, the diagnostic
 * verbatim and a reason from a fixed vocabulary, plus the returned original.
 *
 * It is a pure function of the message: no I/O, no configuration, no global
 * state.  Problems in the input are data in the report (confidence, notes),
 * never a failure.  Every string in a report is owned by the report (never
 * free or replace one: dsn_report_free() frees them), valid
 * UTF-8 (invalid bytes become U+FFFD) and NOT sanitised for a terminal: render/
 * and ui/ pass them through utf8_sanitize() before display.
 *
 * Plain-language explanations of status codes live in mail/status.h, not
 * here.  Matching a report to the Sent copy is a separate step.
 */
#ifndef NIXIE_MAIL_DSN_H
#define NIXIE_MAIL_DSN_H

#include <stdbool.h>
#include <stddef.h>

struct mail_message;

/* Safety bounds: larger inputs are truncated and the report says so. */
#define DSN_MAX_RECIPIENTS 10000
#define DSN_MAX_FIELD 2048         /* bytes kept of one field value */
#define DSN_MAX_DIAGNOSTIC 4096    /* bytes kept of one diagnostic text */
#define DSN_MAX_SCAN (512u * 1024) /* bytes of notice text scanned by heuristics */

/* What kind of message this is. */
enum dsn_kind {
    DSN_KIND_NONE,      /* ordinary mail */
    DSN_KIND_REPORT,    /* RFC 3464 / 6533 delivery status report (multipart/report) */
    DSN_KIND_BOUNCE,    /* non-standard (free text / HTML) bounce or delay notice */
    DSN_KIND_MDN,       /* RFC 8098 message disposition notification */
    DSN_KIND_FEEDBACK,  /* RFC 5965 abuse feedback report (ARF) */
    DSN_KIND_AUTOREPLY, /* RFC 3834 automatic reply (vacation notice) */
};

/* RFC 3464 §2.3.3 action-value, plus UNKNOWN for missing or unrecognised. */
enum dsn_action {
    DSN_ACTION_UNKNOWN,
    DSN_ACTION_FAILED,
    DSN_ACTION_DELAYED,
    DSN_ACTION_DELIVERED,
    DSN_ACTION_RELAYED,
    DSN_ACTION_EXPANDED,
};

/* Why a recipient was not (or was) reached: sisimai's reason names. */
#define DSN_REASONS(X)                                                                             \
    X(UNDEFINED, "undefined")                                                                      \
    X(USERUNKNOWN, "userunknown")                                                                  \
    X(MAILBOXFULL, "mailboxfull")                                                                  \
    X(HOSTUNKNOWN, "hostunknown")                                                                  \
    X(FILTERED, "filtered")                                                                        \
    X(REJECTED, "rejected")                                                                        \
    X(BLOCKED, "blocked")                                                                          \
    X(SPAMDETECTED, "spamdetected")                                                                \
    X(VIRUSDETECTED, "virusdetected")                                                              \
    X(EXPIRED, "expired")                                                                          \
    X(SUSPEND, "suspend")                                                                          \
    X(TOOMANYCONN, "toomanyconn")                                                                  \
    X(SYSTEMERROR, "systemerror")                                                                  \
    X(SYSTEMFULL, "systemfull")                                                                    \
    X(MAILERERROR, "mailererror")                                                                  \
    X(NETWORKERROR, "networkerror")                                                                \
    X(NORELAYING, "norelaying")                                                                    \
    X(SECURITYERROR, "securityerror")                                                              \
    X(POLICYVIOLATION, "policyviolation")                                                          \
    X(NOTACCEPT, "notaccept")                                                                      \
    X(HASMOVED, "hasmoved")                                                                        \
    X(EXCEEDLIMIT, "exceedlimit")                                                                  \
    X(MESGTOOBIG, "mesgtoobig")                                                                    \
    X(CONTENTERROR, "contenterror")                                                                \
    X(SYNTAXERROR, "syntaxerror")                                                                  \
    X(NOTCOMPLIANTRFC, "notcompliantrfc")                                                          \
    X(RATELIMITED, "ratelimited")                                                                  \
    X(REQUIREPTR, "requireptr")                                                                    \
    X(AUTHFAILURE, "authfailure")                                                                  \
    X(BADREPUTATION, "badreputation")                                                              \
    X(SPEEDING, "speeding")                                                                        \
    X(ONHOLD, "onhold")                                                                            \
    X(DELIVERED, "delivered")                                                                      \
    X(EXPANDED, "expanded")                                                                        \
    X(VACATION, "vacation")                                                                        \
    X(FEEDBACK, "feedback")

enum dsn_reason {
#define DSN_REASON_ENUM(id, name) DSN_REASON_##id,
    DSN_REASONS(DSN_REASON_ENUM)
#undef DSN_REASON_ENUM
        DSN_REASON_COUNT
};

/* How sure the engine is that the kind and recipients are right. */
enum dsn_confidence {
    DSN_CONFIDENCE_LOW,    /* guessed (e.g. recipient taken from the returned message) */
    DSN_CONFIDENCE_MEDIUM, /* recognised from wording of a known style */
    DSN_CONFIDENCE_HIGH,   /* structured report fields */
};

/* One recipient of a report.  Strings are owned by the report; NULL when the
 * report does not say. */
struct dsn_recipient {
    char *recipient;          /* address (Final-Recipient, else Original-Recipient) */
    char *final_recipient;    /* Final-Recipient address, type removed */
    char *final_type;         /* its address type: "rfc822", "utf-8", ... */
    char *original_recipient; /* Original-Recipient address, type removed */
    enum dsn_action action;
    char status[16];         /* effective RFC 3463 code "5.1.1", or "" if none */
    char status_field[16];   /* the Status field as written, "" if absent/invalid */
    bool status_inferred;    /* status not written anywhere: inferred from text/reason */
    int reply_code;          /* SMTP reply code (RFC 5321 §4.2), 0 if none */
    char *remote_mta;        /* Remote-MTA name, type removed (or the host in the text) */
    char *diagnostic_type;   /* "smtp", "x-unix", ...; NULL for free text */
    char *diagnostic;        /* Diagnostic-Code text / the bounce's words, verbatim-ish */
    bool diagnostic_generic; /* the words are the notice's general text, not about this
                                recipient (a free-text bounce that names no reason) */
    char *last_attempt_date;
    char *will_retry_until;
    char *actual_recipient; /* X-Actual-Recipient (sendmail, Postfix): "|/usr/bin/procmail" */
    char smtp_command[8];   /* the SMTP stage that failed: "CONN", "HELO", "MAIL", "RCPT",
                               "DATA", or "" if not said */
    enum dsn_reason reason;
    bool hard; /* retrying the same message to this address will not help */
};

/* The message that came back, if any. */
struct dsn_original {
    bool present;
    bool headers_only;     /* only the header block came back */
    const char *from_part; /* static: "message/rfc822", "message/global",
                              "text/rfc822-headers", "inline" (quoted in the text) */
    char *message_id;      /* without angle brackets */
    char *subject;         /* RFC 2047-decoded */
    char *from;
    char *to;
    char *date;
    char *raw; /* owned copy of what came back (transfer-decoded) */
    size_t raw_len;
};

struct dsn_report {
    enum dsn_kind kind;
    const char *source; /* static: "rfc3464", "rfc3464+text", "heuristic:qmail",
                           "arf", "mdn", "rfc3834", ... NULL for ordinary mail */
    enum dsn_confidence confidence;

    /* Per-message fields (RFC 3464 §2.2), type prefixes removed. */
    char *reporting_mta;
    char *received_from_mta;
    char *arrival_date;
    char *envelope_id; /* Original-Envelope-Id */

    struct dsn_recipient *rcpts;
    size_t nrcpts;
    bool rcpts_truncated; /* more than DSN_MAX_RECIPIENTS */

    struct dsn_original original;

    /* MDN (RFC 8098 §3.2.6) and ARF (RFC 5965 §3.1) specifics. */
    char *disposition;   /* "automatic-action/MDN-sent-automatically; displayed" */
    char *feedback_type; /* "abuse", "auth-failure", ... */

    /* Human-readable notes about deviations from the RFCs, one per line. */
    char *notes;

    /* Private to mail/dsn*.c: the memory of the report and of its strings
     * but original.raw (dsn_report_free() frees it). */
    struct dsn_pool *pool;
};

/* Analyse one message.  Never NULL for a non-NULL message (an ordinary
 * message gets kind DSN_KIND_NONE); NULL only for NULL.  The report is the
 * caller's: free with dsn_report_free(). */
struct dsn_report *dsn_analyze(const struct mail_message *msg);
void dsn_report_free(struct dsn_report *report);

/* True for the kinds that report a delivery (REPORT, BOUNCE). */
bool dsn_kind_is_delivery(enum dsn_kind kind);

/* Names: static strings, never NULL ("none", "dsn", "bounce", "mdn",
 * "feedback", "autoreply"; "failed", "delayed", ...; "userunknown", ...). */
const char *dsn_kind_name(enum dsn_kind kind);
const char *dsn_action_name(enum dsn_action action);
const char *dsn_reason_name(enum dsn_reason reason);
/* Reverse lookup (case-insensitive); -1 if unknown. */
int dsn_reason_from_name(const char *name);

/* The overall outcome of a delivery report: the "worst" action over its
 * recipients (failed > delayed > delivered/relayed/expanded). */
enum dsn_action dsn_report_outcome(const struct dsn_report *report);

#endif
