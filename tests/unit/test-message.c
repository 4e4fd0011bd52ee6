/*
 * test-message.c - the message model: envelopes (RFC 2047 in several
 * charsets, broken and missing headers), MIME trees (alternative, mixed,
 * rfc822, report, broken boundary, nesting and part limits, NUL bytes,
 * CR-only and CRLF line ends), transfer decoding, charsets, field blocks.
 * Fixtures: the .eml files in tests/fixtures/mime; hostile inputs are generated here.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/message.h"

#include "tests/unit/corpus-each.h"

static struct mail_message *
load_fixture(const char *name)
{
    const char *src = getenv("NIXIE_SRCDIR");
    char *path = xasprintf("%s/tests/fixtures/mime/%s", src ? src : ".", name);
    struct nx_err err = {0};
    struct mail_message *m = mail_message_load(path, &err);
    if (m == NULL)
        fail_msg("%s: %s", path, err.what);
    free(path);
    return m;
}

static char *
part_text(const struct mail_part *p)
{
    char *out;
    size_t len;
    assert_int_equal(mail_part_text(p, &out, &len, NULL), 0);
    assert_true(utf8_valid(out, len));
    assert_null(memchr(out, '\0', len));
    assert_int_equal(strlen(out), len);
    return out;
}

static void
assert_text(const struct mail_part *p, const char *want)
{
    char *t = part_text(p);
    assert_string_equal(t, want);
    free(t);
}

/* Walk the tree checking invariants; returns the number of parts. */
static size_t
walk(const struct mail_part *p, unsigned depth, unsigned *maxdepth, bool *truncated)
{
    size_t n = 1;
    assert_int_equal(p->depth, depth);
    assert_non_null(p->type);
    assert_non_null(p->subtype);
    if (depth > *maxdepth)
        *maxdepth = depth;
    *truncated |= p->truncated;
    char *out;
    size_t len;
    assert_int_equal(mail_part_text(p, &out, &len, NULL), 0);
    assert_true(utf8_valid(out, len));
    free(out);
    for (size_t i = 0; i < p->nchildren; i++) {
        assert_ptr_equal(p->children[i]->parent, p);
        n += walk(p->children[i], depth + 1, maxdepth, truncated);
    }
    return n;
}

/* ---- degenerate input ---- */

static void
test_degenerate(void **state)
{
    struct nx_err err = {0};
    assert_null(mail_message_parse(NULL, 0, &err));
    assert_int_equal(err.code, NX_ERR_PARSE);
    assert_null(mail_message_parse("", 0, &err));
    assert_null(mail_message_parse("x", (size_t)MAIL_MAX_MESSAGE_SIZE + 1, &err));
    assert_int_equal(err.code, NX_ERR_LIMIT);
    assert_null(mail_envelope_parse(NULL, 0, &err));
    assert_null(mail_message_load("/nonexistent/file.eml", &err));
    assert_int_equal(err.code, NX_ERR_IO);
    mail_message_free(NULL);
    mail_envelope_free(NULL);

    struct mail_envelope *e = mail_envelope_parse("", 0, NULL);
    assert_non_null(e);
    assert_null(e->from);
    assert_null(e->subject);
    assert_int_equal(e->date, 0);
    mail_envelope_free(e);

    struct mail_message *m = mail_message_parse("x", 1, NULL);
    assert_non_null(m);
    assert_non_null(mail_message_root(m));
    mail_message_free(m);
}

/* ---- envelopes ---- */

static void
test_envelope_alternative(void **state)
{
    struct mail_message *m = load_fixture("alternative.eml");
    const struct mail_envelope *e = mail_message_envelope(m);
    assert_string_equal(e->from, "Jürgen Müller <juergen@example.org>, bob@example.com");
    assert_string_equal(e->from_name, "Jürgen Müller");
    assert_string_equal(e->from_addr, "juergen@example.org");
    assert_string_equal(e->to, "Alice A. <alice@example.net>, Undisclosed:;");
    assert_string_equal(e->cc, "carol@example.com, dave@example.com");
    /* folded; adjacent encoded words in two charsets */
    assert_string_equal(e->subject, "élève folded café");
    assert_string_equal(e->message_id, "abc123@example.org");
    assert_string_equal(e->in_reply_to, "parent@example.org");
    assert_string_equal(e->references, "root@example.org parent@example.org");
    assert_int_equal(e->tz_offset, 60);
    assert_int_equal(e->date, 1795447500); /* 2026-11-23 15:25:00 UTC */
    char buf[64];
    mail_format_date(e->date, e->tz_offset, buf, sizeof buf);
    assert_string_equal(buf, "Mon, 23 Nov 2026 16:25:00 +0100");
    mail_message_free(m);
}

static void
test_envelope_cjk_and_quoted(void **state)
{
    struct mail_message *m = load_fixture("mixed-attach.eml");
    const struct mail_envelope *e = mail_message_envelope(m);
    assert_string_equal(e->subject, "日本語 and 中文");
    assert_string_equal(e->from_name, "Müller, Jürgen");
    assert_int_equal(e->tz_offset, -300);
    char buf[64];
    mail_format_date(e->date, e->tz_offset, buf, sizeof buf);
    assert_string_equal(buf, "Tue, 1 Feb 2022 09:05:07 -0500"); /* two-digit year */
    mail_message_free(m);
}

static void
test_envelope_missing_and_broken(void **state)
{
    struct mail_message *m = load_fixture("no-headers.eml");
    const struct mail_envelope *e = mail_message_envelope(m);
    assert_null(e->from);
    assert_null(e->message_id);
    assert_string_equal(e->subject, "headers only, no blank line and no From");
    mail_message_free(m);

    m = load_fixture("bad-headers.eml");
    e = mail_message_envelope(m);
    assert_non_null(e->from); /* best effort, not NULL */
    assert_string_equal(e->message_id, "no-brackets@example.org");
    assert_string_equal(e->subject, "plain");
    assert_int_equal(e->date, 0);
    mail_message_free(m);
}

static void
test_header_decode_table(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"plain", "plain"},
        {"=?UTF-8?B?w6lsw6h2ZQ==?=", "élève"},
        {"=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"},
        {"=?ISO-8859-1?Q?caf=E9?=", "café"},
        {"=?iso-8859-15?q?=A4uro?=", "€uro"},
        {"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"},
        {"=?GB2312?B?1tDOxA==?=", "中文"},
        {"=?UTF-8?B?////?=", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},      /* RFC 2047 §6.2 */
        {"=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b"}, /* text between words stays */
        {"a =?utf-8?q?unclosed", "a =?utf-8?q?unclosed"},
        {"=?x-unknown?q?ok?=", "ok"},
        {"=?utf-8?x?bad-encoding?=", "=?utf-8?x?bad-encoding?="},
        {"raw \xE9t\xE9", "raw été"},         /* 8-bit, not UTF-8: Windows-1252 */
        {"raw \xC3\xA9t\xC3\xA9", "raw été"}, /* RFC 6532 UTF-8 header */
        {" folded\r\n  line ", "folded  line"},
        {"=?utf-8?b?4oKs?= \x80", "€ €"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = mail_header_decode(cases[i].in, strlen(cases[i].in));
        if (strcmp(d, cases[i].want) != 0)
            fail_msg("case %zu: \"%s\" -> \"%s\", want \"%s\"", i, cases[i].in, d, cases[i].want);
        assert_true(utf8_valid(d, strlen(d)));
        free(d);
    }
    char *d = mail_header_decode(NULL, 0);
    assert_string_equal(d, "");
    free(d);
}

static void
test_envelope_dup_set(void **state)
{
    const char *raw = "From: a@b\nSubject: s\nReferences: <x@y> <z@w>\n\nbody";
    struct mail_envelope *e = mail_envelope_parse(raw, strlen(raw), NULL);
    assert_int_equal(e->size, strlen(raw));
    mail_envelope_set(e, &e->key, "cur/123:2,S");
    mail_envelope_set(e, &e->subject, "changed");
    mail_envelope_set(e, &e->subject, "again");
    struct mail_envelope *d = mail_envelope_dup(e);
    assert_string_equal(d->key, "cur/123:2,S");
    assert_string_equal(d->subject, "again");
    assert_string_equal(d->references, "x@y z@w");
    assert_ptr_not_equal(d->subject, e->subject);
    mail_envelope_free(e);
    mail_envelope_set(d, &d->from, NULL);
    assert_null(d->from);
    mail_envelope_free(d);

    struct mail_envelope *n = mail_envelope_new();
    mail_envelope_set(n, &n->subject, "x");
    mail_envelope_free(n);
}

/* ---- MIME trees ---- */

static void
test_mime_alternative(void **state)
{
    struct mail_message *m = load_fixture("alternative.eml");
    const struct mail_part *r = mail_message_root(m);
    assert_ptr_equal(r, mail_message_root(m)); /* parsed once */
    assert_string_equal(r->type, "multipart");
    assert_string_equal(r->subtype, "alternative");
    assert_false(r->truncated);
    assert_int_equal(r->nchildren, 2);
    const struct mail_part *plain = r->children[0], *html = r->children[1];
    assert_string_equal(plain->subtype, "plain");
    assert_string_equal(plain->charset, "iso-8859-1");
    assert_int_equal(plain->encoding, MAIL_ENC_QP);
    assert_text(plain, "café softbreak"); /* QP soft line break on an LF file */
    assert_string_equal(html->subtype, "html");
    assert_text(html, "<p>caf&eacute;</p>");
    assert_null(r->parent);
    mail_message_free(m);
}

static void
test_mime_mixed_attachments(void **state)
{
    struct mail_message *m = load_fixture("mixed-attach.eml");
    const struct mail_part *r = mail_message_root(m);
    assert_string_equal(r->subtype, "mixed");
    assert_int_equal(r->nchildren, 3);
    assert_text(r->children[0], "Hello wörld");

    const struct mail_part *pdf = r->children[1];
    assert_string_equal(pdf->type, "application");
    assert_string_equal(pdf->subtype, "pdf");
    assert_int_equal(pdf->disposition, MAIL_DISP_ATTACHMENT);
    assert_int_equal(pdf->encoding, MAIL_ENC_BASE64);
    /* RFC 2231 continuation + charset wins over the RFC 2047 name= */
    assert_string_equal(pdf->filename, "€ price list.pdf");
    assert_string_equal(mail_part_param(pdf, "NAME"), "résumé.pdf");
    assert_string_equal(pdf->content_id, "cid-1@example.org");
    assert_string_equal(pdf->description, "Présentation");
    char *raw;
    size_t len;
    assert_int_equal(mail_part_decode(pdf, &raw, &len, NULL), 0);
    assert_int_equal(len, 11); /* garbage between base64 quanta is skipped */
    assert_memory_equal(raw, "Hello World", 11);
    free(raw);

    const struct mail_part *uu = r->children[2];
    assert_int_equal(uu->encoding, MAIL_ENC_UUENCODE);
    assert_int_equal(uu->disposition, MAIL_DISP_INLINE);
    assert_string_equal(uu->filename, "notes.txt");
    assert_string_equal(uu->charset, "windows-1252");
    assert_text(uu, "cat");
    mail_message_free(m);
}

static void
test_mime_rfc822(void **state)
{
    struct mail_message *m = load_fixture("rfc822.eml");
    const struct mail_part *r = mail_message_root(m);
    assert_int_equal(r->nchildren, 2);
    const struct mail_part *msg = r->children[1];
    assert_string_equal(msg->type, "message");
    assert_string_equal(msg->subtype, "rfc822");
    assert_null(msg->enclosed); /* parsed on first use */
    const struct mail_envelope *e = mail_part_enclosed(msg);
    assert_non_null(e);
    assert_ptr_equal(mail_part_enclosed(msg), e);
    assert_ptr_equal(msg->enclosed, e);
    assert_string_equal(e->subject, "original");
    assert_string_equal(e->from_name, "Renée");
    assert_string_equal(e->message_id, "orig@example.com");
    assert_null(mail_part_enclosed(r));
    assert_null(mail_part_enclosed(r->children[0]));
    assert_int_equal(msg->nchildren, 1);
    const struct mail_part *inner = msg->children[0];
    assert_int_equal(inner->depth, 2);
    assert_string_equal(inner->charset, "utf-8");
    assert_text(inner, "The original body.");
    assert_int_equal(strncmp(inner->header, "From:", 5), 0);
    mail_message_free(m);
}

static void
test_mime_report(void **state)
{
    struct mail_message *m = load_fixture("report.eml");
    const struct mail_part *r = mail_message_root(m);
    assert_string_equal(r->subtype, "report");
    assert_string_equal(mail_part_param(r, "report-type"), "delivery-status");
    assert_int_equal(r->nchildren, 3);
    const struct mail_part *ds = r->children[1];
    assert_string_equal(ds->type, "message");
    assert_string_equal(ds->subtype, "delivery-status");
    assert_string_equal(ds->description, "Delivery report");
    struct mail_field *f;
    size_t n = mail_fields_parse(ds->body, ds->body_len, &f);
    assert_int_equal(n, 8);
    assert_string_equal(f[0].name, "Reporting-MTA");
    assert_string_equal(f[0].value, "dns; mx.example.org");
    assert_string_equal(f[4].name, "Action");
    assert_string_equal(f[4].value, "failed");
    assert_string_equal(f[7].value, "smtp; 550 5.1.1 <nobody@example.net>: Recipient address    "
                                    "rejected: User unknown in virtual mailbox table");
    mail_fields_free(f, n);
    assert_string_equal(r->children[2]->subtype, "rfc822-headers");
    assert_string_equal(mail_message_header(m, "return-path"), "<>");
    assert_string_equal(mail_message_header(m, "CONTENT-TYPE"),
                        "multipart/report; report-type=delivery-status;\t"
                        "boundary=\"ABC.1646302333/mx.example.org\"");
    assert_null(mail_message_header(m, "X-Nope"));
    const struct mail_header *h;
    assert_int_equal(mail_message_headers(m, &h), 8);
    assert_string_equal(h[0].name, "Return-Path");
    mail_message_free(m);
}

static void
test_mime_broken_boundary(void **state)
{
    struct mail_message *m = load_fixture("broken-boundary.eml");
    const struct mail_part *r = mail_message_root(m);
    assert_string_equal(r->type, "multipart");
    assert_true(r->truncated); /* no close delimiter */
    assert_int_equal(r->nchildren, 2);
    assert_text(r->children[0], "first part");
    assert_string_equal(r->children[1]->charset, "bogus-charset");
    assert_text(r->children[1], "second part, never closed\n");
    mail_message_free(m);

    /* a multipart whose boundary never appears: the body as one text part */
    const char *raw = "Content-Type: multipart/mixed; boundary=nope\n\njust text\n";
    m = mail_message_parse(raw, strlen(raw), NULL);
    r = mail_message_root(m);
    assert_true(r->truncated);
    assert_int_equal(r->nchildren, 1);
    assert_text(r->children[0], "just text\n");
    mail_message_free(m);

    /* bad Content-Type: default text/plain */
    raw = "Content-Type: ;;;/\nContent-Transfer-Encoding: ???\n\nbody";
    m = mail_message_parse(raw, strlen(raw), NULL);
    r = mail_message_root(m);
    assert_string_equal(r->type, "text");
    assert_string_equal(r->subtype, "plain");
    assert_text(r, "body");
    mail_message_free(m);
}

static char *
gen_nested(size_t levels, bool rfc822, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "From: deep@example.org\nSubject: deep\n");
    for (size_t i = 0; i < levels; i++) {
        if (rfc822 && i % 2 == 1)
            strbuf_adds(&sb, "Content-Type: message/rfc822\n\nSubject: inner\n");
        else
            strbuf_addf(&sb, "Content-Type: multipart/mixed; boundary=b%zu\n\n--b%zu\n", i, i);
    }
    strbuf_adds(&sb, "Content-Type: text/plain\n\nbottom\n");
    for (size_t i = levels; i-- > 0;)
        if (!(rfc822 && i % 2 == 1))
            strbuf_addf(&sb, "--b%zu--\n", i);
    return strbuf_detach(&sb, len);
}

static void
test_mime_depth_limit(void **state)
{
    for (int kind = 0; kind < 2; kind++) {
        size_t len;
        char *raw = gen_nested(5000, kind == 1, &len);
        struct mail_message *m = mail_message_adopt(raw, len, NULL);
        assert_non_null(m);
        unsigned maxdepth = 0;
        bool truncated = false;
        walk(mail_message_root(m), 0, &maxdepth, &truncated);
        assert_int_equal(maxdepth, MAIL_MAX_MIME_DEPTH);
        assert_true(truncated);
        mail_message_free(m);
    }
    /* just under the limit: nothing truncated */
    size_t len;
    char *raw = gen_nested(MAIL_MAX_MIME_DEPTH, false, &len);
    struct mail_message *m = mail_message_adopt(raw, len, NULL);
    unsigned maxdepth = 0;
    bool truncated = false;
    walk(mail_message_root(m), 0, &maxdepth, &truncated);
    assert_int_equal(maxdepth, MAIL_MAX_MIME_DEPTH);
    assert_false(truncated);
    mail_message_free(m);
}

static void
test_mime_part_limit(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "Content-Type: multipart/mixed; boundary=x\n\n");
    for (int i = 0; i < 12000; i++)
        strbuf_addf(&sb, "--x\nContent-Type: text/plain\n\n%d\n", i);
    strbuf_adds(&sb, "--x--\n");
    size_t len;
    char *raw = strbuf_detach(&sb, &len);
    struct mail_message *m = mail_message_adopt(raw, len, NULL);
    const struct mail_part *r = mail_message_root(m);
    unsigned maxdepth = 0;
    bool truncated = false;
    size_t n = walk(r, 0, &maxdepth, &truncated);
    assert_int_equal(n, MAIL_MAX_PARTS);
    assert_true(r->truncated);
    assert_text(r->children[9998], "9998");
    mail_message_free(m);

    /* exactly 9,999 children fit with the root */
    strbuf_adds(&sb, "Content-Type: multipart/mixed; boundary=x\n\n");
    for (int i = 0; i < MAIL_MAX_PARTS - 1; i++)
        strbuf_addf(&sb, "--x\n\n%d\n", i);
    strbuf_adds(&sb, "--x--\n");
    raw = strbuf_detach(&sb, &len);
    m = mail_message_adopt(raw, len, NULL);
    r = mail_message_root(m);
    assert_int_equal(r->nchildren, MAIL_MAX_PARTS - 1);
    assert_false(r->truncated);
    mail_message_free(m);
}

static void
test_mime_nul_bytes(void **state)
{
    static const char raw[] = "From: a\0b@example.org\nSubject: nul\0here\n"
                              "Content-Type: multipart/mixed; boundary=n\n\n"
                              "--n\nContent-Type: text/plain\n\nbefore\0after\n"
                              "--n\nContent-Type: application/octet-stream\n"
                              "Content-Transfer-Encoding: base64\n\nAAEC\n--n--\n";
    struct mail_message *m = mail_message_parse(raw, sizeof raw - 1, NULL);
    assert_non_null(m);
    size_t len;
    assert_int_equal(mail_message_raw(m, &len)[sizeof raw - 2], '\n');
    assert_int_equal(len, sizeof raw - 1);
    const struct mail_part *r = mail_message_root(m);
    assert_int_equal(r->nchildren, 2);
    assert_text(r->children[0], "before\xEF\xBF\xBD"
                                "after");
    char *bin;
    assert_int_equal(mail_part_decode(r->children[1], &bin, &len, NULL), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(bin, "\0\1\2", 3);
    free(bin);
    mail_message_free(m);

    /* NULs first, last and in a row, in a body of plain ASCII */
    static const char raw2[] = "Subject: x\n\n\0a\0\0b\0";
    m = mail_message_parse(raw2, sizeof raw2 - 1, NULL);
    assert_text(mail_message_root(m), "\xEF\xBF\xBD"
                                      "a\xEF\xBF\xBD\xEF\xBF\xBD"
                                      "b\xEF\xBF\xBD");
    mail_message_free(m);
}

static void
test_mime_line_ends(void **state)
{
    static const char *lf = "From: Eve <eve@example.org>\nSubject: line ends\n"
                            "Content-Type: multipart/alternative; boundary=\"le\"\n\n"
                            "--le\nContent-Type: text/plain\nContent-Transfer-Encoding: "
                            "quoted-printable\n\none=\ntwo\n--le\nContent-Type: text/html\n\n"
                            "<b>x</b>\n--le--\n";
    for (int mode = 0; mode < 3; mode++) {
        struct strbuf sb = STRBUF_INIT;
        for (const char *p = lf; *p; p++) {
            if (*p == '\n' && mode == 1)
                strbuf_adds(&sb, "\r\n");
            else if (*p == '\n' && mode == 2)
                strbuf_addc(&sb, '\r');
            else
                strbuf_addc(&sb, *p);
        }
        struct mail_message *m = mail_message_parse(sb.buf, sb.len, NULL);
        const struct mail_envelope *e = mail_message_envelope(m);
        assert_string_equal(e->subject, "line ends");
        assert_string_equal(e->from_addr, "eve@example.org");
        const struct mail_part *r = mail_message_root(m);
        assert_string_equal(r->subtype, "alternative");
        assert_int_equal(r->nchildren, 2);
        char *t = part_text(r->children[0]);
        assert_int_equal(strncmp(t, "onetwo", 6), 0);
        free(t);
        assert_string_equal(r->children[1]->subtype, "html");
        size_t len;
        assert_memory_equal(mail_message_raw(m, &len), sb.buf, sb.len); /* raw kept */
        /* the envelope alone (Maildir listing path) copes too */
        struct mail_envelope *e2 = mail_envelope_parse(sb.buf, sb.len, NULL);
        assert_string_equal(e2->subject, "line ends");
        mail_envelope_free(e2);
        mail_message_free(m);
        strbuf_free(&sb);
    }
}

/* Delimiters count only at the start of a line and only with transport
 * padding after them (RFC 2046 §5.1.1); look-alikes stay in the part. */
static void
test_mime_delimiter_lookalikes(void **state)
{
    static const char raw[] = "Content-Type: multipart/mixed; boundary=\"--\"\n\n"
                              "preamble ------ x------\n"
                              "----\n"
                              "\n"
                              "a ---- b\n"
                              "-----not a delimiter\n"
                              "----  \t\r\n"
                              "\n"
                              "second\n"
                              "------ epilogue follows\n"
                              "----\n"
                              "\nafter the close\n";
    struct mail_message *m = mail_message_parse(raw, sizeof raw - 1, NULL);
    const struct mail_part *r = mail_message_root(m);
    assert_int_equal(r->nchildren, 2);
    assert_false(r->truncated);
    assert_text(r->children[0], "a ---- b\n-----not a delimiter");
    assert_text(r->children[1], "second");
    mail_message_free(m);

    /* one long line of dashes, the boundary made of dashes: no delimiter */
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "Content-Type: multipart/mixed; boundary=\"--\"\n\nx");
    for (int i = 0; i < 100000; i++)
        strbuf_add(&sb, "--", 2);
    m = mail_message_parse(sb.buf, sb.len, NULL);
    r = mail_message_root(m);
    assert_true(r->truncated);
    assert_int_equal(r->nchildren, 1);
    mail_message_free(m);
    strbuf_free(&sb);
}

/* Content-* fields folded, repeated, misspelt or empty: only exact names
 * count, the first well-formed one of each wins (the first Content-Type
 * even when broken), and values are unfolded before libetpan sees them. */
static void
test_mime_fields_folded_odd(void **state)
{
    static const char raw[] =
        "From: a@example.org\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"f\"\r\n\r\n"
        "--f\r\n"
        "Received: from x by y;\r\n  Mon, 1 Jan 2024 00:00:00 +0000\r\n"
        "content-TYPE:\r\n text/plain;\r\n\tcharset=\"ISO-8859-1\";\r\n  name=\"a  b.txt\"\r\n"
        "Content-Type: text/html\r\n"
        "Content-Typo: image/png\r\n"
        "Content-Transfer-Encoding:  Quoted-Printable \r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Description:\r\n"
        "Content-Description: second =?utf-8?q?caf=C3=A9?=\r\n"
        "Content-ID: <id@example.org>\r\n"
        "\r\ncaf=E9\r\n"
        "--f\r\n"
        "Content-Type  : application/pdf; name=\"=?utf-8?q?caf=C3=A9?=.pdf\"\r\n"
        "Content-Disposition: attachment;\r\n filename=\"r\xC3\xA9sum\xC3\xA9.pdf\"\r\n"
        "\r\n%PDF\r\n"
        "--f\r\n"
        "Content-Type: text/plain; charset=utf-8;\r\n" /* trailing ";": retried leniently */
        "Content-Type: text/html\r\n"
        "Content-Disposition: inline\r\n\r\nx\r\n"
        "--f\r\n"
        "Content-Type: text/plain;\r charset=koi8-r\r\n" /* a bare CR folds too */
        "\r\n\xF0\r\n"
        "--f--\r\n";
    struct mail_message *m = mail_message_parse(raw, sizeof raw - 1, NULL);
    const struct mail_part *r = mail_message_root(m);
    assert_string_equal(r->subtype, "mixed");
    assert_int_equal(r->nchildren, 4);

    const struct mail_part *p = r->children[0];
    assert_string_equal(p->type, "text");
    assert_string_equal(p->subtype, "plain");
    assert_string_equal(p->charset, "iso-8859-1");
    assert_string_equal(p->filename, "a b.txt"); /* libetpan joins blank runs */
    assert_int_equal(p->encoding, MAIL_ENC_QP);
    assert_string_equal(p->description, "second café");
    assert_string_equal(p->content_id, "id@example.org");
    assert_text(p, "café");

    p = r->children[1];
    assert_string_equal(p->subtype, "pdf");
    assert_string_equal(mail_part_param(p, "name"), "café.pdf");
    assert_int_equal(p->disposition, MAIL_DISP_ATTACHMENT);
    assert_string_equal(p->filename, "résumé.pdf");

    p = r->children[2];
    assert_string_equal(p->subtype, "plain");
    assert_string_equal(p->charset, "utf-8");
    assert_int_equal(p->disposition, MAIL_DISP_INLINE);

    p = r->children[3];
    assert_string_equal(p->charset, "koi8-r");
    assert_text(p, "П");
    mail_message_free(m);
}

/* The top-level field list: unfolded values in order, an empty array (not
 * NULL) for a message without fields. */
static void
test_message_headers(void **state)
{
    static const char raw[] = "Subject: one\r\n two\r\nX-Empty:\r\nsubject: again\r\n\r\nbody";
    struct mail_message *m = mail_message_parse(raw, sizeof raw - 1, NULL);
    const struct mail_header *h;
    assert_int_equal(mail_message_headers(m, &h), 3);
    assert_string_equal(h[0].name, "Subject");
    assert_string_equal(h[0].value, "one two");
    assert_string_equal(h[1].value, "");
    assert_string_equal(mail_message_header(m, "SUBJECT"), "one two");
    assert_null(mail_message_header(m, "From"));
    mail_message_free(m);

    m = mail_message_parse("\nbody only", 10, NULL);
    assert_int_equal(mail_message_headers(m, &h), 0);
    assert_non_null(h);
    assert_null(mail_message_header(m, "Subject"));
    assert_text(mail_message_root(m), "body only");
    mail_message_free(m);
}

/* ---- decoding and charsets ---- */

static struct mail_message *
one_part(const char *cte, const char *charset, const char *body)
{
    char *raw = xasprintf("Content-Type: text/plain%s%s\nContent-Transfer-Encoding: %s\n\n%s",
                          charset ? "; charset=" : "", charset ? charset : "", cte, body);
    struct mail_message *m = mail_message_adopt(raw, strlen(raw), NULL);
    assert_non_null(m);
    return m;
}

static void
test_decode_table(void **state)
{
    static const struct {
        const char *cte, *charset, *body, *want;
    } cases[] = {
        {"quoted-printable", "utf-8", "soft=\nbreak =C3=A9=\r\nend", "softbreak éend"},
        /* libetpan decodes a bad "=ZZ" to one (invalid) byte: shown as U+FFFD */
        {"quoted-printable", "utf-8", "bad =ZZ and =", "bad \xEF\xBF\xBD and ="},
        {"base64", "utf-8", "w6k=", "é"},
        {"base64", "utf-8", "!!!###$$$\n***", ""},
        {"base64", "utf-8", "w6", "\xEF\xBF\xBD"}, /* truncated quantum: one byte */
        {"7bit", "iso-8859-1", "caf\xE9", "café"},
        {"8bit", "windows-1252", "\x80 \x93q\x94", "€ “q”"},
        {"8bit", "us-ascii", "caf\xC3\xA9", "café"}, /* mislabelled UTF-8 */
        {"8bit", "utf-8", "bad \xFF\xFE end", "bad \xEF\xBF\xBD\xEF\xBF\xBD end"},
        {"8bit", "x-made-up", "\xC3\xA9t\xC3\xA9", "été"},
        {"8bit", "x-made-up", "\xE9t\xE9", "été"},
        {"8bit", "gb2312", "\xD6\xD0\xCE\xC4", "中文"},
        {"8bit", "iso-2022-jp", "\x1B$BF|K\\8l\x1B(B", "日本語"},
        {"8bit", "koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", "Привет"},
        {"8bit", "shift_jis", "\x82\xA0\xFF", "あ\xEF\xBF\xBD"},
        {"binary", NULL, "", ""},
        /* NUL bytes become U+FFFD wherever they are, whatever the charset */
        {"8bit", "iso-8859-1", "caf\xE9", "caf\xC3\xA9"},
        {"base64", "utf-8", "AGEAAGIA",
         "\xEF\xBF\xBD"
         "a\xEF\xBF\xBD\xEF\xBF\xBD"
         "b\xEF\xBF\xBD"},
        {"base64", "windows-1252", "AIGA", "\xEF\xBF\xBD\xEF\xBF\xBD\xE2\x82\xAC"},
        /* long ASCII runs around an invalid byte: Latin-1, not UTF-8 */
        {"8bit", NULL,
         "0123456789abcdef\xE9"
         "0123456789abcdef",
         "0123456789abcdef\xC3\xA9"
         "0123456789abcdef"},
        {"8bit", NULL,
         "01234567\xC3\xA9"
         "89abcdef",
         "01234567\xC3\xA9"
         "89abcdef"},
        {"8bit", NULL, "0123456\xC3", "0123456\xC3\x83"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mail_message *m = one_part(cases[i].cte, cases[i].charset, cases[i].body);
        char *t = part_text(mail_message_root(m));
        if (strcmp(t, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, t, cases[i].want);
        free(t);
        mail_message_free(m);
    }
}

/* ---- field blocks ---- */

static void
test_fields_tolerant(void **state)
{
    static const char block[] = "garbage line without colon\r\n"
                                "  stray continuation\n"
                                "ACTION :  failed  \r"
                                "Status: 5.1.1\n"
                                "Diagnostic-Code: smtp; 550 first\r\n"
                                "\tsecond\n"
                                "\n"
                                "x-odd-CASE: v\n"
                                ": no name\n"
                                "Last: no final newline";
    struct mail_field *f;
    size_t n = mail_fields_parse(block, sizeof block - 1, &f);
    assert_int_equal(n, 5);
    assert_string_equal(f[0].name, "ACTION");
    assert_string_equal(f[0].value, "failed");
    assert_string_equal(f[1].name, "Status");
    assert_string_equal(f[1].value, "5.1.1");
    assert_string_equal(f[2].value, "smtp; 550 first\tsecond");
    assert_string_equal(f[3].name, "x-odd-CASE");
    assert_string_equal(f[4].name, "Last");
    assert_string_equal(f[4].value, "no final newline");
    mail_fields_free(f, n);

    assert_int_equal(mail_fields_parse(NULL, 0, &f), 0);
    assert_null(f);
    assert_int_equal(mail_fields_parse("", 0, &f), 0);
    mail_fields_free(f, 0);
    mail_fields_free(NULL, 0);
}

static void
test_format_date(void **state)
{
    char buf[64];
    mail_format_date(0, 0, buf, sizeof buf);
    assert_string_equal(buf, "Thu, 1 Jan 1970 00:00:00 +0000");
    mail_format_date(1646302333, -570, buf, sizeof buf);
    assert_string_equal(buf, "Thu, 3 Mar 2022 00:42:13 -0930");
    mail_format_date(0, 0, buf, 5);
    assert_string_equal(buf, "Thu,");
}

/* ---- every corpus file: parse, walk, decode; no crash or leak ---- */

static void
smoke_message(struct mail_message *m, void *arg)
{
    (void)arg;
    unsigned maxdepth = 0;
    bool truncated = false;
    walk(mail_message_root(m), 0, &maxdepth, &truncated);
    const struct mail_envelope *e = mail_message_envelope(m);
    const char *strs[] = {e->from, e->to, e->cc, e->subject, e->from_name, e->message_id};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i] != NULL)
            assert_true(utf8_valid(strs[i], strlen(strs[i])));
}

static void
test_corpus_smoke(void **state)
{
    (void)state;
    size_t count = corpus_each(smoke_message, NULL);
    if (count == 0)
        skip();
    print_message("corpus: %zu messages parsed\n", count);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_envelope_alternative),
        cmocka_unit_test(test_envelope_cjk_and_quoted),
        cmocka_unit_test(test_envelope_missing_and_broken),
        cmocka_unit_test(test_header_decode_table),
        cmocka_unit_test(test_envelope_dup_set),
        cmocka_unit_test(test_mime_alternative),
        cmocka_unit_test(test_mime_mixed_attachments),
        cmocka_unit_test(test_mime_rfc822),
        cmocka_unit_test(test_mime_report),
        cmocka_unit_test(test_mime_broken_boundary),
        cmocka_unit_test(test_mime_depth_limit),
        cmocka_unit_test(test_mime_part_limit),
        cmocka_unit_test(test_mime_nul_bytes),
        cmocka_unit_test(test_mime_line_ends),
        cmocka_unit_test(test_mime_delimiter_lookalikes),
        cmocka_unit_test(test_mime_fields_folded_odd),
        cmocka_unit_test(test_message_headers),
        cmocka_unit_test(test_decode_table),
        cmocka_unit_test(test_fields_tolerant),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_corpus_smoke),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
