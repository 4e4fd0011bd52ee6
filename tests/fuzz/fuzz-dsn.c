/*
 * fuzz-dsn.c - libFuzzer target for the whole analysis path: message bytes
 * (and, as `nixie bounce` does, each message of an mbox) ->
 * mail_message_parse -> dsn_analyze -> dsn_report_free.
 *
 * Asserts the engine's invariants, not just "no crash": a report for every
 * parsed message; at most DSN_MAX_RECIPIENTS recipients, none for ordinary
 * mail; a source for every other kind; every string valid UTF-8 and bounded;
 * status codes well formed (class 2/4/5); reasons, actions and kinds inside
 * their enums with names; the returned original's length consistent.
 * Seeds: the bounce corpus ($NIXIE_CORPUS) and tests/fuzz/corpus/dsn/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "mail/dsn.h"
#include "mail/mbox.h"
#include "mail/message.h"

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static void
fuzz_str(const char *s, size_t max)
{
    if (s == NULL)
        return;
    size_t n = strlen(s);
    FUZZ_CHECK(n <= max);
    FUZZ_CHECK(utf8_valid(s, n));
}

static void
fuzz_status(const char *st)
{
    if (!st[0])
        return;
    FUZZ_CHECK(st[0] == '2' || st[0] == '4' || st[0] == '5');
    FUZZ_CHECK(st[1] == '.');
    for (const char *p = st + 2; *p; p++)
        FUZZ_CHECK((*p >= '0' && *p <= '9') || *p == '.');
}

static void
fuzz_recipient(const struct dsn_recipient *r)
{
    fuzz_str(r->recipient, DSN_MAX_FIELD + 8);
    fuzz_str(r->final_recipient, DSN_MAX_FIELD + 8);
    fuzz_str(r->original_recipient, DSN_MAX_FIELD + 8);
    fuzz_str(r->remote_mta, DSN_MAX_FIELD + 8);
    fuzz_str(r->diagnostic_type, DSN_MAX_FIELD);
    fuzz_str(r->diagnostic, DSN_MAX_DIAGNOSTIC + 8);
    fuzz_str(r->last_attempt_date, DSN_MAX_FIELD + 8);
    fuzz_str(r->will_retry_until, DSN_MAX_FIELD + 8);
    fuzz_str(r->actual_recipient, DSN_MAX_FIELD + 8);
    fuzz_status(r->status);
    fuzz_status(r->status_field);
    FUZZ_CHECK(memchr(r->smtp_command, '\0', sizeof r->smtp_command) != NULL);
    FUZZ_CHECK((unsigned)r->reason < DSN_REASON_COUNT);
    FUZZ_CHECK(dsn_reason_name(r->reason) != NULL);
    FUZZ_CHECK(dsn_action_name(r->action) != NULL);
    FUZZ_CHECK(r->reply_code == 0 || (r->reply_code >= 200 && r->reply_code < 600));
}

static void
fuzz_analyze(const char *data, size_t size)
{
    struct mail_message *msg = mail_message_parse(data, size, NULL);
    if (msg == NULL)
        return;
    struct dsn_report *rep = dsn_analyze(msg);
    FUZZ_CHECK(rep != NULL);
    FUZZ_CHECK(dsn_kind_name(rep->kind) != NULL);
    FUZZ_CHECK(rep->nrcpts <= DSN_MAX_RECIPIENTS);
    FUZZ_CHECK(rep->kind != DSN_KIND_NONE || rep->nrcpts == 0);
    FUZZ_CHECK(rep->kind == DSN_KIND_NONE || rep->source != NULL);
    fuzz_str(rep->reporting_mta, DSN_MAX_FIELD + 8);
    fuzz_str(rep->received_from_mta, DSN_MAX_FIELD + 8);
    fuzz_str(rep->arrival_date, DSN_MAX_FIELD + 8);
    fuzz_str(rep->envelope_id, DSN_MAX_FIELD + 8);
    fuzz_str(rep->disposition, DSN_MAX_FIELD + 8);
    fuzz_str(rep->feedback_type, DSN_MAX_FIELD + 8);
    fuzz_str(rep->notes, 4096);
    fuzz_str(rep->original.message_id, DSN_MAX_FIELD + 8);
    fuzz_str(rep->original.subject, DSN_MAX_FIELD + 8);
    fuzz_str(rep->original.from, DSN_MAX_FIELD + 8);
    fuzz_str(rep->original.to, DSN_MAX_FIELD + 8);
    fuzz_str(rep->original.date, DSN_MAX_FIELD + 8);
    FUZZ_CHECK(rep->original.raw != NULL || rep->original.raw_len == 0);
    /* bounded by the input: an inline original is cut from the decoded,
     * UTF-8 notice, where a QP line break becomes CRLF and an invalid byte
     * U+FFFD (3 bytes), so it may be up to three times the input */
    FUZZ_CHECK(rep->original.raw_len <= 3 * size + 16);
    for (size_t i = 0; i < rep->nrcpts; i++)
        fuzz_recipient(&rep->rcpts[i]);
    (void)dsn_report_outcome(rep);
    dsn_report_free(rep);
    mail_message_free(msg);
}

/* As `nixie bounce` does with a file: an mbox is split first, and every
 * span must lie inside the input, in order, without overlap. */
static void
fuzz_mbox(const char *data, size_t size)
{
    struct mail_span *v;
    size_t n = mail_mbox_split(data, size, &v), end = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(v[i].off >= end && v[i].off <= size && v[i].len <= size - v[i].off);
        end = v[i].off + v[i].len;
    }
    for (size_t i = 0; i < n && i < 4; i++) /* the spans' analysis, bounded per input */
        fuzz_analyze(data + v[i].off, v[i].len);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_analyze((const char *)data, size);
    if (mail_mbox_detect((const char *)data, size))
        fuzz_mbox((const char *)data, size);
    return 0;
}
