/*
 * test-dsn.c - the DSN engine: kinds (RFC 3464/6533 reports, free-text
 * bounces, MDN, ARF, auto-replies, ordinary mail), report fields and their
 * tolerance (folding, comments, case, line ends, missing blank lines, X-
 * fields), status choice, reasons and hard/soft, the returned original, and
 * hostile input (truncation, 10,000+ recipients, deep nesting, NUL bytes,
 * invalid UTF-8, bogus status codes, a 50 MB message).
 * Fixtures: the .eml files in tests/fixtures/dsn; the rest is built here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn-private.h"
#include "mail/dsn.h"
#include "mail/message.h"

/* ---- helpers ---- */

struct analysed {
    struct mail_message *msg;
    struct dsn_report *rep;
};

static void
check_str(const char *s)
{
    if (s)
        assert_true(utf8_valid(s, strlen(s)));
}

/* Invariants every report must hold, whatever the input. */
static void
check_report(const struct dsn_report *rep)
{
    assert_non_null(rep);
    assert_true(rep->nrcpts <= DSN_MAX_RECIPIENTS);
    if (rep->kind == DSN_KIND_NONE)
        assert_int_equal(rep->nrcpts, 0);
    else
        assert_non_null(rep->source);
    check_str(rep->reporting_mta);
    check_str(rep->envelope_id);
    check_str(rep->notes);
    check_str(rep->original.message_id);
    check_str(rep->original.subject);
    const char *fields[] = {rep->reporting_mta,       rep->envelope_id,      rep->feedback_type,
                            rep->original.message_id, rep->original.subject, rep->original.from,
                            rep->original.to};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_true(!fields[i] || strlen(fields[i]) <= DSN_MAX_FIELD + 8);
    for (size_t i = 0; i < rep->nrcpts; i++) {
        const struct dsn_recipient *r = &rep->rcpts[i];
        check_str(r->recipient);
        check_str(r->diagnostic);
        check_str(r->remote_mta);
        assert_true((unsigned)r->reason < DSN_REASON_COUNT);
        if (r->status[0])
            assert_true(strchr("245", r->status[0]) != NULL && r->status[1] == '.');
        if (r->diagnostic)
            assert_true(strlen(r->diagnostic) <= DSN_MAX_DIAGNOSTIC + 8);
    }
}

static struct analysed
analyse_mem(const char *data, size_t len)
{
    struct nx_err err = {0};
    struct analysed a = {mail_message_parse(data, len, &err), NULL};
    if (!a.msg)
        fail_msg("parse: %s", err.what);
    a.rep = dsn_analyze(a.msg);
    check_report(a.rep);
    return a;
}

static struct analysed
analyse(const char *text)
{
    return analyse_mem(text, strlen(text));
}

static struct analysed
analyse_fixture(const char *name)
{
    const char *src = getenv("NIXIE_SRCDIR");
    char *path = xasprintf("%s/tests/fixtures/dsn/%s", src ? src : ".", name);
    struct nx_err err = {0};
    struct analysed a = {mail_message_load(path, &err), NULL};
    if (!a.msg)
        fail_msg("%s: %s", path, err.what);
    free(path);
    a.rep = dsn_analyze(a.msg);
    check_report(a.rep);
    return a;
}

static void
done(struct analysed *a)
{
    dsn_report_free(a->rep);
    mail_message_free(a->msg);
}

static const struct dsn_recipient *
rcpt(const struct dsn_report *rep, const char *addr)
{
    for (size_t i = 0; i < rep->nrcpts; i++)
        if (rep->rcpts[i].recipient && strcasecmp(rep->rcpts[i].recipient, addr) == 0)
            return &rep->rcpts[i];
    fail_msg("no recipient %s", addr);
    return NULL;
}

/* A multipart/report around a delivery-status body. */
static char *
make_report(const char *status_body, const char *eol)
{
    const char *lines[] = {
        "From: MAILER-DAEMON@mx.example.org",
        "To: alice@example.com",
        "Subject: Delivery Status Notification (Failure)",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"X\"",
        "",
        "--X",
        "Content-Type: text/plain",
        "",
        "Delivery failed.",
        "",
        "--X",
        "Content-Type: message/delivery-status",
        "",
    };
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        strbuf_adds(&sb, lines[i]);
        strbuf_adds(&sb, eol);
    }
    strbuf_adds(&sb, status_body);
    strbuf_adds(&sb, eol);
    strbuf_adds(&sb, "--X--");
    strbuf_adds(&sb, eol);
    return strbuf_detach(&sb, NULL);
}

/* ---- degenerate input ---- */

static void
test_null_and_names(void **state)
{
    (void)state;
    assert_null(dsn_analyze(NULL));
    dsn_report_free(NULL);
    for (int i = 0; i < DSN_REASON_COUNT; i++)
        assert_int_equal(dsn_reason_from_name(dsn_reason_name(i)), i);
    assert_int_equal(dsn_reason_from_name("USERUNKNOWN"), DSN_REASON_USERUNKNOWN);
    assert_int_equal(dsn_reason_from_name("nonsense"), -1);
    assert_int_equal(dsn_reason_from_name(NULL), -1);
    assert_string_equal(dsn_reason_name(DSN_REASON_COUNT + 5), "undefined");
    assert_string_equal(dsn_kind_name(DSN_KIND_REPORT), "dsn");
    assert_string_equal(dsn_kind_name(DSN_KIND_NONE), "ordinary");
    assert_string_equal(dsn_action_name(DSN_ACTION_DELAYED), "delayed");
    assert_true(dsn_kind_is_delivery(DSN_KIND_BOUNCE));
    assert_false(dsn_kind_is_delivery(DSN_KIND_MDN));
    assert_int_equal(dsn_report_outcome(NULL), DSN_ACTION_UNKNOWN);
}

static void
test_minimal_message(void **state)
{
    (void)state;
    struct analysed a = analyse("Subject: x\n\n");
    assert_int_equal(a.rep->kind, DSN_KIND_NONE);
    assert_null(a.rep->source);
    done(&a);
    a = analyse("\n");
    assert_int_equal(a.rep->kind, DSN_KIND_NONE);
    done(&a);
}

/* ---- RFC 3464 reports ---- */

static void
test_rfc3464_fields(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("rfc3464-basic.eml");
    const struct dsn_report *rep = a.rep;
    assert_int_equal(rep->kind, DSN_KIND_REPORT);
    assert_string_equal(rep->source, "rfc3464");
    assert_int_equal(rep->confidence, DSN_CONFIDENCE_HIGH);
    assert_string_equal(rep->reporting_mta, "mx.example.org");
    assert_string_equal(rep->received_from_mta, "client.example.com");
    assert_string_equal(rep->arrival_date, "Mon, 02 Mar 2026 09:59:58 +0100");
    assert_string_equal(rep->envelope_id, "ENV-42");
    assert_int_equal(rep->nrcpts, 2);
    const struct dsn_recipient *b = rcpt(rep, "bob@example.net");
    assert_string_equal(b->original_recipient, "Bob@Example.NET");
    assert_string_equal(b->final_type, "rfc822");
    assert_int_equal(b->action, DSN_ACTION_FAILED);
    assert_string_equal(b->status, "5.1.1");
    assert_string_equal(b->status_field, "5.1.1");
    assert_false(b->status_inferred);
    assert_int_equal(b->reply_code, 550);
    assert_string_equal(b->remote_mta, "mx.example.net");
    assert_string_equal(b->diagnostic_type, "smtp");
    /* folded value unfolded */
    assert_string_equal(b->diagnostic,
                        "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown");
    assert_string_equal(b->last_attempt_date, "Mon, 02 Mar 2026 10:00:00 +0100");
    assert_string_equal(b->smtp_command, "RCPT"); /* from the notice text */
    assert_int_equal(b->reason, DSN_REASON_USERUNKNOWN);
    assert_true(b->hard);
    const struct dsn_recipient *c = rcpt(rep, "carol@example.net");
    assert_int_equal(c->action, DSN_ACTION_DELAYED);
    assert_string_equal(c->status, "4.2.2");
    assert_string_equal(c->will_retry_until, "Fri, 06 Mar 2026 10:00:00 +0100");
    assert_int_equal(c->reason, DSN_REASON_MAILBOXFULL);
    assert_false(c->hard);
    assert_int_equal(dsn_report_outcome(rep), DSN_ACTION_FAILED);
    done(&a);
}

static void
test_rfc3464_tolerance(void **state)
{
    (void)state;
    /* odd case, comments, no blank line between groups, X- fields, folding */
    const char *body = "reporting-MTA: DNS; mx.example.org (Postfix)\n"
                       "X-Whatever: 1\n"
                       "\n"
                       "FINAL-RECIPIENT: RFC822; <one@example.net> (first)\n"
                       "action: FAILED\n"
                       "status: 5.2.2 (mailbox full)\n"
                       "Final-Recipient: rfc822;two@example.net\n"
                       "Action: failed\n"
                       "Status: 5.1.1\n"
                       "Diagnostic-Code: smtp;\n"
                       "\t550 5.1.1 no such\n"
                       "  user\n";
    const char *eols[] = {"\n", "\r\n", "\r"};
    for (size_t e = 0; e < 3; e++) {
        char *m = make_report(body, eols[e]);
        struct analysed a = analyse(m);
        assert_int_equal(a.rep->kind, DSN_KIND_REPORT);
        assert_string_equal(a.rep->reporting_mta, "mx.example.org (Postfix)");
        assert_int_equal(a.rep->nrcpts, 2);
        const struct dsn_recipient *one = rcpt(a.rep, "one@example.net");
        assert_string_equal(one->status, "5.2.2");
        assert_int_equal(one->reason, DSN_REASON_MAILBOXFULL);
        const struct dsn_recipient *two = rcpt(a.rep, "two@example.net");
        assert_string_equal(two->diagnostic, "550 5.1.1 no such user");
        assert_int_equal(two->reason, DSN_REASON_USERUNKNOWN);
        assert_non_null(a.rep->notes); /* the missing blank line is noted */
        done(&a);
        free(m);
    }
}

static void
test_rfc1894_and_rfc3462_forms(void **state)
{
    (void)state;
    /* the older forms: "Action: failure" spelling, Original-Recipient only */
    char *m = make_report("Reporting-MTA: dns; old.example.org\n\n"
                          "Original-Recipient: rfc822; legacy@example.net\n"
                          "Action: failure\n"
                          "Status: 5.0.0\n"
                          "Diagnostic-Code: smtp; 550 Host unknown\n",
                          "\n");
    struct analysed a = analyse(m);
    const struct dsn_recipient *r = rcpt(a.rep, "legacy@example.net");
    assert_int_equal(r->action, DSN_ACTION_FAILED);
    assert_string_equal(r->status, "5.0.0");
    assert_int_equal(r->reason, DSN_REASON_HOSTUNKNOWN);
    done(&a);
    free(m);
}

static void
test_global_delivery_status(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("global-utf8.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_REPORT);
    const struct dsn_recipient *r = rcpt(a.rep, "jörg@bücher.example");
    assert_string_equal(r->final_type, "utf-8");
    /* RFC 6533 \x{HHHH} escapes decoded */
    assert_string_equal(r->original_recipient, "jörg@bücher.example");
    assert_string_equal(a.rep->original.subject, "Grüße");
    assert_true(a.rep->original.headers_only);
    done(&a);
}

/* ---- status choice ---- */

static void
test_status_choice(void **state)
{
    (void)state;
    static const struct {
        const char *field, *diag, *want;
        bool inferred;
    } cases[] = {
        /* the remote server's specific code beats a generic Status */
        {"5.0.0", "smtp; 550 5.1.1 <x@example.net>... User unknown", "5.1.1", false},
        /* and the cause beats "delivery time expired" */
        {"4.4.7", "smtp; 554 4.4.7 Message expired <421 4.4.2 Connection timed out>", "4.4.2",
         false},
        /* a generic Status takes a more precise code of its class */
        {"5.0.0", "smtp; 550 #5.1.0 Address rejected.", "5.1.0", false},
        /* a reply of another class with a matching code re-classes */
        {"4.5.0", "smtp; 550 5.5.0 Service refused", "5.5.0", false},
        /* IP addresses and versions are not codes */
        {"5.0.0", "smtp; 550 rejected from 4.16.55.1 and 192.0.2.1", "5.0.0", false},
        /* an invalid Status is ignored; the reason gives the code */
        {"9.99.999", "smtp; 550 mailbox is full", "5.2.2", true},
        {"", "smtp; 452 too many connections", "4.4.5", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = xasprintf("Final-Recipient: rfc822; x@example.net\n"
                               "Action: failed\n%s%s%s"
                               "Diagnostic-Code: %s\n",
                               cases[i].field[0] ? "Status: " : "", cases[i].field,
                               cases[i].field[0] ? "\n" : "", cases[i].diag);
        char *m = make_report(body, "\n");
        struct analysed a = analyse(m);
        const struct dsn_recipient *r = rcpt(a.rep, "x@example.net");
        if (strcmp(r->status, cases[i].want) != 0)
            fail_msg("case %zu: status %s, want %s", i, r->status, cases[i].want);
        assert_int_equal(r->status_inferred, cases[i].inferred);
        done(&a);
        free(m);
        free(body);
    }
}

/* ---- reasons ---- */

/* The words the reason phrases are matched against: lowercased, white space
 * collapsed, typographic apostrophes made ASCII, a multi-line reply's
 * repeated codes dropped (eight bytes at a time where they allow it). */
static void
test_reason_words(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"550-5.7.1 MESSAGES With  Multiple\n550-5.7.1 ADDRESSES in From: header",
         "550-5.7.1 messages with multiple addresses in from: header"},
        {"  Mailbox UNAVAILABLE, wasn\xe2\x80\x99t Found ABCDEFGHIJKLMNOPQRSTUVWXYZ@[]^_`{|}~ ",
         "mailbox unavailable, wasn't found abcdefghijklmnopqrstuvwxyz@[]^_`{|}~"},
        {"Quota EXCEEDED 552 5.2.2 x 452-4.2.2 Over\n452-4.2.2 QUOTA a b c d e f\tG H",
         "quota exceeded 552 5.2.2 x over quota a b c d e f g h"},
        {"R\xc3\x89SUM\xc3\x89 ABCDEFG\x01HIJ", "r\xc3\x89sum\xc3\x89 abcdefg\x01hij"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dsn_words w;
        dsn_words_init(&w, cases[i][0], strlen(cases[i][0]));
        assert_string_equal(w.lc, cases[i][1]);
        assert_int_equal(w.len, strlen(cases[i][1]));
        dsn_words_free(&w);
    }
}

/* The ASCII prefix of a text: up to its first 8-bit byte or NUL, wherever
 * that falls among the blocks of 32 and 8 bytes tested at once. */
static void
test_ascii_span(void **state)
{
    (void)state;
    char buf[100];
    for (size_t len = 0; len <= sizeof buf; len++) {
        memset(buf, 'a', sizeof buf);
        assert_int_equal(dsn_ascii_span(buf, len), len);
        for (size_t at = 0; at < len; at++) {
            for (int k = 0; k < 2; k++) {
                memset(buf, 'a', sizeof buf);
                buf[at] = k ? '\0' : (char)0xC3;
                if (at + 1 < len)
                    buf[len - 1] = (char)0x80;
                assert_int_equal(dsn_ascii_span(buf, len), at);
            }
        }
    }
}

static void
test_reasons(void **state)
{
    (void)state;
    static const struct {
        const char *status, *diag;
        enum dsn_reason want;
        bool hard;
    } cases[] = {
        {"5.0.0", "550 5.1.1 <a@b.example>... User unknown", DSN_REASON_USERUNKNOWN, true},
        {"5.0.0", "550 Requested action not taken: mailbox unavailable", DSN_REASON_USERUNKNOWN,
         true},
        {"5.0.0", "552 5.2.2 Mailbox full", DSN_REASON_MAILBOXFULL, false},
        {"5.0.0", "552 Message size exceeds fixed maximum message size", DSN_REASON_MESGTOOBIG,
         false},
        {"5.2.3", "552 5.2.3 Message length exceeds administrative limit", DSN_REASON_EXCEEDLIMIT,
         false},
        {"5.0.0", "550 Host unknown", DSN_REASON_HOSTUNKNOWN, true},
        {"4.0.0", "Host or domain name not found. Name service error", DSN_REASON_NETWORKERROR,
         false},
        {"5.0.0",
         "554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org",
         DSN_REASON_BLOCKED, false},
        {"5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering",
         DSN_REASON_SPAMDETECTED, false},
        {"5.7.1",
         "550 5.7.1 Unauthenticated email from example.jp is not accepted due to domain's DMARC "
         "policy",
         DSN_REASON_AUTHFAILURE, false},
        {"5.7.1", "554 5.7.1 <x@y.example>: Relay access denied", DSN_REASON_NORELAYING, false},
        {"5.0.0", "550 The IP address sending this message does not have a PTR record setup",
         DSN_REASON_REQUIREPTR, false},
        {"5.2.1", "550 5.2.1 The email account that you tried to reach is disabled",
         DSN_REASON_SUSPEND, false},
        {"5.1.6", "551 5.1.6 recipient no longer on server", DSN_REASON_HASMOVED, true},
        {"5.1.8", "501 5.1.8 Sender address rejected: Domain not found", DSN_REASON_REJECTED,
         false},
        {"4.4.7", "Message expired", DSN_REASON_EXPIRED, false},
        {"5.0.0", "550 5.7.0 This message contains a virus", DSN_REASON_VIRUSDETECTED, false},
        {"5.6.0", "550 5.6.0 Media error", DSN_REASON_CONTENTERROR, false},
        {"5.0.0", "421 Too many connections from your host", DSN_REASON_TOOMANYCONN, false},
        {"5.0.0",
         "550-5.7.1 Messages with multiple\n550 5.7.1 addresses in From: header are not accepted",
         DSN_REASON_NOTCOMPLIANTRFC, false},
        {"5.0.0", "503 Improper sequence of commands", DSN_REASON_SYNTAXERROR, false},
        {"5.3.2", "521 5.3.2 System not accepting network messages", DSN_REASON_NOTACCEPT, true},
        {"5.0.0", "550 Please use the smtp server of your ISP", DSN_REASON_BLOCKED, false},
        {"5.0.0", "something nobody has ever written", DSN_REASON_ONHOLD, true},
        /* refused at the greeting or EHLO with a vague code: the client is blocked */
        {"5.7.1",
         "SMTP error from remote mail server after initial connection: 554 5.7.1 Not welcome",
         DSN_REASON_BLOCKED, false},
        {"5.0.0", "550 5.7.0 Access refused here (in reply to EHLO command)", DSN_REASON_BLOCKED,
         false},
        /* wording added with the reason ratchet */
        {"5.0.0", "552 Sorry, the inbox is full", DSN_REASON_MAILBOXFULL, false},
        {"5.0.0", "554 Message rejected: Email address is not verified.", DSN_REASON_NORELAYING,
         false},
        {"4.0.0", "421 Throttling failure: too fast", DSN_REASON_RATELIMITED, false},
        {"4.0.0", "451 Temporary failure in name resolution", DSN_REASON_NETWORKERROR, false},
        {"5.4.1", "550 5.4.1 All recipient addresses rejected : Access denied", DSN_REASON_REJECTED,
         false},
        {"5.0.0", "550 The user is unknown here", DSN_REASON_USERUNKNOWN, true},
        {"5.0.0", "550 Host example.invalid: NXDOMAIN", DSN_REASON_HOSTUNKNOWN, true},
        {"5.0.0", "530 Must use TLS: TLS is required for this domain", DSN_REASON_SECURITYERROR,
         false},
        {"4.4.1", "Could not establish an SMTP connection. Message was in the queue too long.",
         DSN_REASON_NETWORKERROR, false},
        {"5.0.0", "554 Message queue lifetime reached", DSN_REASON_EXPIRED, false},
        {"4.0.0", "452 4.3.1 Insufficient system storage", DSN_REASON_SYSTEMFULL, false},
        {"5.0.0", "551 User not local; please try <y@example.org>", DSN_REASON_HASMOVED, true},
        {"5.0.0", "550 This mailbox has been blocked due to inactivity", DSN_REASON_SUSPEND, false},
        {"4.0.0", "450 4.7.1 Client host rejected: cannot find your reverse hostname",
         DSN_REASON_REQUIREPTR, false},
        {"5.0.0", "554 5.4.4 nonexistent domain", DSN_REASON_HOSTUNKNOWN, true},
        {"5.0.0", "550 user has exceeded their storage limit", DSN_REASON_MAILBOXFULL, false},
        {"5.0.0", "552 Message exceeds maximum size", DSN_REASON_MESGTOOBIG, false},
        {"5.0.0", "554 5.7.1 Infected with Test-Signature", DSN_REASON_VIRUSDETECTED, false},
        {"5.0.0", "550 5.2.1 mailbox unavailable: account suspended", DSN_REASON_SUSPEND, false},
        {"5.0.0", "550 5.7.1 Rejected: IP is listed in dnsbl", DSN_REASON_BLOCKED, false},
        {"5.0.0", "550 Access denied - Invalid HELO name", DSN_REASON_BLOCKED, false},
        {"4.0.0", "452 Too many emails sent in a short time", DSN_REASON_RATELIMITED, false},
        {"4.0.0", "451 4.4.0 DNS temporary failure", DSN_REASON_NETWORKERROR, false},
        {"5.0.0", "552 Mailbox limit exceeded for this address", DSN_REASON_MAILBOXFULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = xasprintf("Final-Recipient: rfc822; x@example.net\nAction: failed\n"
                               "Status: %s\nDiagnostic-Code: smtp; %s\n",
                               cases[i].status, cases[i].diag);
        char *m = make_report(body, "\n");
        struct analysed a = analyse(m);
        const struct dsn_recipient *r = rcpt(a.rep, "x@example.net");
        if (r->reason != cases[i].want)
            fail_msg("case %zu (%s): reason %s, want %s", i, cases[i].diag,
                     dsn_reason_name(r->reason), dsn_reason_name(cases[i].want));
        if (r->hard != cases[i].hard)
            fail_msg("case %zu: hard %d", i, r->hard);
        done(&a);
        free(m);
        free(body);
    }
}

static void
test_reason_after_data_is_filtered(void **state)
{
    (void)state;
    char *m =
        make_report("Final-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.0.0\n"
                    "Diagnostic-Code: smtp; 550 Unknown user x@example.net (in reply to end of"
                    " DATA command)\n",
                    "\n");
    struct analysed a = analyse(m);
    const struct dsn_recipient *r = rcpt(a.rep, "x@example.net");
    assert_string_equal(r->smtp_command, "DATA");
    assert_int_equal(r->reason, DSN_REASON_FILTERED);
    done(&a);
    free(m);
}

static void
test_delivered_and_local_program(void **state)
{
    (void)state;
    char *m = make_report("Final-Recipient: rfc822; ok@example.net\nAction: delivered\n"
                          "Status: 2.0.0\nDiagnostic-Code: smtp; 250 2.0.0 OK\n\n"
                          "Final-Recipient: rfc822; pipe@example.net\n"
                          "X-Actual-Recipient: X-Unix; |/usr/bin/procmail\n"
                          "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: X-Unix; 75\n",
                          "\n");
    struct analysed a = analyse(m);
    assert_int_equal(rcpt(a.rep, "ok@example.net")->reason, DSN_REASON_DELIVERED);
    const struct dsn_recipient *p = rcpt(a.rep, "pipe@example.net");
    assert_string_equal(p->actual_recipient, "X-Unix; |/usr/bin/procmail");
    assert_int_equal(p->reason, DSN_REASON_MAILERERROR);
    done(&a);
    free(m);
}

/* ---- free-text bounces ---- */

static void
test_qmail(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("qmail.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_BOUNCE);
    assert_string_equal(a.rep->source, "heuristic:qmail");
    assert_int_equal(a.rep->nrcpts, 2);
    const struct dsn_recipient *b = rcpt(a.rep, "bob@example.net");
    assert_string_equal(b->status, "5.1.1");
    assert_int_equal(b->reply_code, 550);
    assert_int_equal(b->reason, DSN_REASON_USERUNKNOWN);
    const struct dsn_recipient *c = rcpt(a.rep, "carol@example.net");
    assert_string_equal(c->status, "5.1.2"); /* "(#5.1.2)" */
    assert_int_equal(c->reason, DSN_REASON_HOSTUNKNOWN);
    /* quoted original after the marker line */
    assert_true(a.rep->original.present);
    assert_string_equal(a.rep->original.from_part, "inline");
    assert_string_equal(a.rep->original.message_id, "orig-q@example.com");
    assert_string_equal(a.rep->original.subject, "Lunch");
    assert_false(a.rep->original.headers_only);
    done(&a);
}

static void
test_exim(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("exim.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_BOUNCE);
    assert_string_equal(a.rep->source, "heuristic:exim");
    assert_int_equal(a.rep->nrcpts, 1); /* the sender in To: is not a recipient */
    const struct dsn_recipient *b = rcpt(a.rep, "bob@example.net");
    assert_string_equal(b->status, "5.2.2");
    assert_string_equal(b->remote_mta, "mx.example.net");
    assert_string_equal(b->smtp_command, "RCPT");
    assert_int_equal(b->reason, DSN_REASON_MAILBOXFULL);
    assert_string_equal(a.rep->original.message_id, "orig-e@example.com");
    done(&a);
}

static void
test_sendmail_and_html(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("sendmail.eml");
    assert_string_equal(a.rep->source, "heuristic:sendmail");
    const struct dsn_recipient *b = rcpt(a.rep, "bob@example.net");
    assert_string_equal(b->status, "5.7.1");
    assert_int_equal(b->reason, DSN_REASON_BLOCKED);
    done(&a);
    a = analyse_fixture("exchange-html.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_BOUNCE);
    b = rcpt(a.rep, "bob@example.net");
    assert_string_equal(b->status, "5.1.10");
    assert_int_equal(b->reason, DSN_REASON_USERUNKNOWN);
    assert_null(strchr(b->diagnostic, '<')); /* tags dropped */
    done(&a);
}

static void
test_generic_styles(void **state)
{
    (void)state;
    static const struct {
        const char *from, *subject, *body, *rcpt, *status;
        enum dsn_reason reason;
    } cases[] = {
        {"Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
         "Delivery Status Notification (Failure)",
         "Delivery to the following recipient failed permanently:\n\n     bob@example.net\n\n"
         "Technical details of permanent failure:\nGoogle tried to deliver your message, but it "
         "was "
         "rejected by the server.\n\nThe error that the other server returned was:\n"
         "550 5.1.1 The email account that you tried to reach does not exist.\n",
         "bob@example.net", "5.1.1", DSN_REASON_USERUNKNOWN},
        {"MAILER-DAEMON@yahoo.com", "Failure Notice",
         "Sorry, we were unable to deliver your message to the following address.\n\n"
         "<bob@example.net>:\nRemote host said: 552 1 Requested mail action aborted, mailbox is "
         "full "
         "[RCPT_TO]\n",
         "bob@example.net", "5.2.2", DSN_REASON_MAILBOXFULL},
        {"Postmaster <postmaster@example.net>", "Undeliverable: Budget",
         "Delivery has failed to these recipients or groups:\n\nbob@example.net\n"
         "The e-mail address you entered couldn't be found.\n",
         "bob@example.net", "5.1.1", DSN_REASON_USERUNKNOWN},
        {"Postmaster <postmaster@example.net>", "DELIVERY FAILURE: User bob not listed",
         "Your message\n\n  Subject: Budget\n\nwas not delivered to:\n\n  bob@example.net\n\n"
         "because:\n\n  User bob (bob@example.net) not listed in Domino Directory\n",
         "bob@example.net", "5.1.1", DSN_REASON_USERUNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = xasprintf("From: %s\nTo: alice@example.com\nSubject: %s\n\n%s", cases[i].from,
                            cases[i].subject, cases[i].body);
        struct analysed a = analyse(m);
        if (a.rep->kind != DSN_KIND_BOUNCE)
            fail_msg("case %zu: kind %s", i, dsn_kind_name(a.rep->kind));
        assert_int_equal(a.rep->nrcpts, 1);
        const struct dsn_recipient *r = rcpt(a.rep, cases[i].rcpt);
        if (strcmp(r->status, cases[i].status) != 0 || r->reason != cases[i].reason)
            fail_msg("case %zu: %s %s", i, r->status, dsn_reason_name(r->reason));
        done(&a);
        free(m);
    }
}

static void
test_delay_warning(void **state)
{
    (void)state;
    struct analysed a =
        analyse("From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
                "To: alice@example.com\nSubject: Warning: message 1abc delayed 24 hours\n\n"
                "This message was created automatically by mail delivery software.\n"
                "A message that you sent has not yet been delivered to one or more of its\n"
                "recipients after more than 24 hours on the queue on mx.example.org.\n\n"
                "The address to which the message has not yet been delivered is:\n\n"
                "  bob@example.net\n    Delay reason: SMTP error from remote mail server after "
                "initial connection:\n    host mx.example.net [192.0.2.1]: Connection timed out\n\n"
                "No action is required on your part.\n");
    const struct dsn_recipient *r = rcpt(a.rep, "bob@example.net");
    assert_int_equal(r->action, DSN_ACTION_DELAYED);
    assert_int_equal(r->status[0], '4');
    assert_true(r->status_inferred);
    assert_int_equal(r->reason, DSN_REASON_EXPIRED);
    done(&a);
}

/* ---- other kinds ---- */

static void
test_mdn_arf_autoreply(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("mdn.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_MDN);
    assert_string_equal(a.rep->disposition, "manual-action/MDN-sent-manually; displayed");
    assert_string_equal(a.rep->original.message_id, "figures-1@example.com");
    assert_non_null(rcpt(a.rep, "bob@example.net"));
    done(&a);

    a = analyse_fixture("arf.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_FEEDBACK);
    assert_string_equal(a.rep->feedback_type, "abuse");
    assert_int_equal(rcpt(a.rep, "victim@isp.example")->reason, DSN_REASON_FEEDBACK);
    assert_string_equal(a.rep->original.message_id, "spam-1@example.com");
    done(&a);

    a = analyse_fixture("autoreply.eml");
    assert_int_equal(a.rep->kind, DSN_KIND_AUTOREPLY);
    assert_string_equal(a.rep->source, "rfc3834");
    assert_int_equal(rcpt(a.rep, "bob@example.net")->reason, DSN_REASON_VACATION);
    done(&a);
}

static void
test_ordinary_mail(void **state)
{
    (void)state;
    const char *fixtures[] = {"ordinary.eml", "forwarded-plain.eml"};
    for (size_t i = 0; i < 2; i++) {
        struct analysed a = analyse_fixture(fixtures[i]);
        if (a.rep->kind != DSN_KIND_NONE)
            fail_msg("%s taken for %s", fixtures[i], dsn_kind_name(a.rep->kind));
        done(&a);
    }
    /* a newsletter from a no-reply address and a list post about bounces */
    struct analysed a =
        analyse("From: news@example.com\nTo: alice@example.com\nSubject: Weekly news\n"
                "Precedence: bulk\n\nThis week: how to handle bounced mail.\n");
    assert_int_equal(a.rep->kind, DSN_KIND_NONE);
    done(&a);
}

/* ---- the returned original ---- */

static void
test_original_rfc822_and_headers(void **state)
{
    (void)state;
    struct analysed a = analyse_fixture("rfc3464-basic.eml");
    const struct dsn_original *o = &a.rep->original;
    assert_true(o->present);
    assert_string_equal(o->from_part, "message/rfc822");
    assert_false(o->headers_only);
    assert_string_equal(o->message_id, "orig-1@example.com");
    assert_string_equal(o->subject, "Café tonight");
    assert_string_equal(o->from, "Alice <alice@example.com>");
    assert_string_equal(o->to, "Bob <bob@example.net>, carol@example.net");
    assert_string_equal(o->date, "Mon, 02 Mar 2026 09:59:50 +0100");
    assert_non_null(o->raw);
    assert_true(o->raw_len > 0 && strstr(o->raw, "See you at eight.") != NULL);
    done(&a);
}

/* Once the five fields are in, the rest of the header is only searched for
 * the empty line that ends it: the fields after them, folded lines, the
 * line break forms, and an empty value that a later line fills. */
static void
test_original_fields_then_rest(void **state)
{
    (void)state;
    static const char *const tails[][2] = {
        {"X-A: 1\n X-B\nX-C: 2\n\nBody text\n", "n"},
        {"X-A: 1\nX-C: 2\n\n\n", "y"},
        {"X-A: 1\r\nX-C: 2\r\n\r\nBody\r\n", "n"},
        {"X-A: 1\r\nX-C: 2\r\n\r\n", "y"},
        {"X-A: 1\rX-C: 2\r\rBody\r", "n"},
        {"X-A: 1\nX-C: 2\n", "y"},
        {"\nBody\n", "n"},
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        char m[1024];
        snprintf(m, sizeof m,
                 "From: MAILER-DAEMON@x.example\nSubject: Returned mail\n"
                 "Content-Type: multipart/report; report-type=delivery-status; boundary=Q\n\n"
                 "--Q\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
                 "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\n\n"
                 "--Q\nContent-Type: message/rfc822\n\n"
                 "Subject:\nMessage-ID: <t%zu@x.example>\nSubject: Hi\n there\nFrom: a@x.example\n"
                 "To: b@x.example\nDate: Mon, 2 Mar 2026 10:00:00 +0100\nSubject: Not this\n%s"
                 "\n--Q--\n",
                 i, tails[i][0]);
        struct analysed a = analyse(m);
        const struct dsn_original *o = &a.rep->original;
        assert_true(o->present);
        char id[32];
        snprintf(id, sizeof id, "t%zu@x.example", i);
        assert_string_equal(o->message_id, id);
        assert_string_equal(o->subject, "Hi there");
        assert_string_equal(o->from, "a@x.example");
        assert_string_equal(o->to, "b@x.example");
        assert_string_equal(o->date, "Mon, 2 Mar 2026 10:00:00 +0100");
        assert_int_equal(o->headers_only, tails[i][1][0] == 'y');
        done(&a);
    }
}

/* ---- hostile input ---- */

static void
test_truncated_report(void **state)
{
    (void)state;
    const char *m = "From: MAILER-DAEMON@x.example\nSubject: Returned mail\n"
                    "Content-Type: multipart/report; report-type=delivery-status; boundary=Q\n\n"
                    "--Q\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
                    "Final-Recipient: rfc822; cut@exam";
    struct analysed a = analyse(m);
    assert_int_equal(a.rep->kind, DSN_KIND_REPORT);
    assert_int_equal(a.rep->nrcpts, 1);
    done(&a);
    /* a report part with no recipient groups is noted, not an error */
    a = analyse("From: MAILER-DAEMON@x.example\nSubject: Returned mail\n"
                "Content-Type: multipart/report; report-type=delivery-status; boundary=Q\n\n"
                "--Q\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n--Q--\n");
    assert_non_null(a.rep->notes);
    done(&a);
}

static void
test_many_recipients(void **state)
{
    (void)state;
    struct strbuf body = STRBUF_INIT;
    strbuf_adds(&body, "Reporting-MTA: dns; mx.example.org\n");
    for (int i = 0; i < DSN_MAX_RECIPIENTS + 500; i++)
        strbuf_addf(&body,
                    "\nFinal-Recipient: rfc822; u%d@example.net\nAction: failed\nStatus: 5.1.1\n",
                    i);
    char *m = make_report(body.buf, "\n");
    clock_t t0 = clock();
    struct analysed a = analyse(m);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(a.rep->nrcpts, DSN_MAX_RECIPIENTS);
    assert_true(a.rep->rcpts_truncated);
    assert_string_equal(a.rep->rcpts[DSN_MAX_RECIPIENTS - 1].recipient, "u9999@example.net");
    assert_true(secs < 10.0);
    done(&a);
    free(m);
    strbuf_free(&body);
}

static void
test_deep_nesting_and_nul(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "From: MAILER-DAEMON@x.example\nSubject: Undeliverable\n"
                     "Content-Type: multipart/mixed; boundary=b0\n\n");
    for (int i = 0; i < 200; i++)
        strbuf_addf(&sb, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i + 1);
    strbuf_adds(&sb, "--b200\nContent-Type: text/plain\n\nUser unknown: a@b.example\n");
    struct analysed a = analyse(sb.buf);
    done(&a);
    strbuf_free(&sb);

    /* NUL bytes and invalid UTF-8 inside a report and a text bounce */
    static const char nul[] =
        "From: MAILER-DAEMON@x.example\nSubject: failure notice\n\n"
        "This is the qmail-send program at x.example.\n\n"
        "<bob@example.net>:\nRemote host said: 550 \0\xff\xfe bad \xc3 user unknown\n";
    a = analyse_mem(nul, sizeof nul - 1);
    assert_int_equal(a.rep->kind, DSN_KIND_BOUNCE);
    const struct dsn_recipient *r = rcpt(a.rep, "bob@example.net");
    assert_non_null(strstr(r->diagnostic, "\xef\xbf\xbd")); /* U+FFFD */
    done(&a);
}

static void
test_huge_message(void **state)
{
    (void)state;
    size_t filler = 50u * 1024 * 1024;
    const char *head =
        "From: MAILER-DAEMON@x.example\nTo: alice@example.com\nSubject: failure notice\n\n"
        "This is the qmail-send program at x.example.\n\n<bob@example.net>:\n"
        "Remote host said: 550 5.1.1 User unknown\n\n";
    size_t hl = strlen(head);
    char *m = malloc(hl + filler + 1);
    assert_non_null(m);
    memcpy(m, head, hl);
    for (size_t i = 0; i < filler; i++)
        m[hl + i] = (i % 77 == 76) ? '\n' : (char)('a' + i % 26);
    m[hl + filler] = '\0';
    clock_t t0 = clock();
    struct analysed a = analyse_mem(m, hl + filler);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(rcpt(a.rep, "bob@example.net")->reason, DSN_REASON_USERUNKNOWN);
    assert_true(secs < 30.0);
    done(&a);
    free(m);
}

/* Amazon SES's JSON notice: its values are bounded as other reports' fields
 * are (the subject was cut at the diagnostic's length, found by fuzz-dsn). */
static void
test_json_long_subject(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n"
                     "Content-Type: text/plain\n\n{\"notificationType\":\"Bounce\",\"bounce\":"
                     "{\"bouncedRecipients\":[{\"emailAddress\":\"a@example.org\",\"status\":"
                     "\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]},"
                     "\"mail\":{\"commonHeaders\":{\"subject\":\"");
    for (int i = 0; i < 1000; i++)
        strbuf_adds(&sb, "Nyaan ");
    strbuf_adds(&sb, "\"}}}\n");
    struct analysed a = analyse(sb.buf);
    assert_string_equal(a.rep->source, "json:amazonses");
    assert_non_null(a.rep->original.subject);
    assert_true(strlen(a.rep->original.subject) <= DSN_MAX_FIELD);
    assert_true(strlen(a.rep->original.subject) > DSN_MAX_FIELD / 2);
    dsn_report_free(a.rep);
    mail_message_free(a.msg);
    strbuf_free(&sb);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_and_names),
        cmocka_unit_test(test_minimal_message),
        cmocka_unit_test(test_rfc3464_fields),
        cmocka_unit_test(test_rfc3464_tolerance),
        cmocka_unit_test(test_rfc1894_and_rfc3462_forms),
        cmocka_unit_test(test_global_delivery_status),
        cmocka_unit_test(test_status_choice),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_ascii_span),
        cmocka_unit_test(test_reason_words),
        cmocka_unit_test(test_reason_after_data_is_filtered),
        cmocka_unit_test(test_delivered_and_local_program),
        cmocka_unit_test(test_qmail),
        cmocka_unit_test(test_exim),
        cmocka_unit_test(test_sendmail_and_html),
        cmocka_unit_test(test_generic_styles),
        cmocka_unit_test(test_delay_warning),
        cmocka_unit_test(test_mdn_arf_autoreply),
        cmocka_unit_test(test_ordinary_mail),
        cmocka_unit_test(test_original_rfc822_and_headers),
        cmocka_unit_test(test_original_fields_then_rest),
        cmocka_unit_test(test_truncated_report),
        cmocka_unit_test(test_many_recipients),
        cmocka_unit_test(test_deep_nesting_and_nul),
        cmocka_unit_test(test_huge_message),
        cmocka_unit_test(test_json_long_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
