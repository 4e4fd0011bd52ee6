/* test-render.c - render_message() over small in-memory messages: header
 * selection and decoding, transfer encodings and charsets, the choice of
 * alternative, related roots, attachment lines, enclosed messages,
 * multipart/report, the HTML converter hook, and hostile content in every
 * field that reaches the screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/base/utf8.h"

#include "mail/message.h"

#include "render/render-private.h"
#include "render/render.h"

/* ---- helpers ---- */

static void
check_doc(const struct rdoc *doc)
{
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct rline *l = &doc->lines[i];
        size_t pos = 0;
        assert_true(utf8_is_safe(l->text, l->len));
        assert_int_equal(utf8_width(l->text, l->len), l->width);
        assert_true(l->width <= doc->width);
        for (size_t s = 0; s < l->nspans; s++) {
            assert_int_equal(l->spans[s].start, pos);
            pos += l->spans[s].len;
        }
        assert_int_equal(pos, l->len);
    }
}

static char *
dump(const struct rdoc *doc, bool styles)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(rdoc_print(doc, fp, styles), 0);
    fclose(fp);
    return buf;
}

/* Render raw message text with opts (NULL: defaults) at width; returns the
 * plain or styled dump, after checking every invariant. */
static char *
render_raw(const char *raw, size_t len, const struct render_opts *opts, size_t width, bool styles)
{
    struct nx_err err = {0};
    struct rdoc *doc = NULL;
    struct mail_message *msg = mail_message_parse(raw, len, &err);
    assert_non_null(msg);
    assert_int_equal(render_message(msg, NULL, opts, width, &doc, &err), 0);
    assert_non_null(doc);
    assert_int_equal(doc->width, width < RENDER_MIN_WIDTH ? RENDER_MIN_WIDTH : width);
    check_doc(doc);
    char *out = dump(doc, styles);
    rdoc_free(doc);
    mail_message_free(msg);
    return out;
}

static char *
render_str(const char *raw, const struct render_opts *opts, bool styles)
{
    return render_raw(raw, strlen(raw), opts, 80, styles);
}

static void
assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("missing \"%s\" in:\n%s", needle, hay ? hay : "(null)");
}

static void
assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("unexpected \"%s\" in:\n%s", needle, hay);
}

#define HDRS                                                                                       \
    "From: Alice <alice@example.org>\n"                                                            \
    "To: Bob <bob@example.net>\n"                                                                  \
    "Date: Mon, 23 Nov 2026 16:25:00 +0100\n"                                                      \
    "Subject: Test\n"                                                                              \
    "MIME-Version: 1.0\n"

/* ---- degenerate input ---- */

static void
test_render_degenerate(void **state)
{
    struct rdoc *doc = (struct rdoc *)1;
    struct nx_err err = {0};
    assert_int_equal(render_message(NULL, NULL, NULL, 80, &doc, &err), -1);
    assert_int_not_equal(err.code, NX_OK);
    /* headers only, no body; width below the minimum is clamped */
    char *out = render_raw("Subject: x\n", 11, NULL, 3, false);
    assert_string_equal(out, "Subject: x\n\n");
    free(out);
    /* no header block at all */
    out = render_str("\njust a body\n", NULL, false);
    assert_string_equal(out, "just a body\n");
    free(out);
}

/* ---- headers ---- */

static void
test_headers_default_order(void **state)
{
    char *out = render_str("Subject: S\nX-Other: o\nCc: c@x\nFrom: f@x\nDate: D\nTo: t@x\n\nb\n",
                           NULL, true);
    assert_string_equal(out, "{hdr-name}From: {hdr-from}f@x\n"
                             "{hdr-name}To: {hdr-value}t@x\n"
                             "{hdr-name}Cc: {hdr-value}c@x\n"
                             "{hdr-name}Date: {hdr-date}D\n"
                             "{hdr-name}Subject: {hdr-subject}S\n"
                             "\n"
                             "{normal}b\n");
    free(out);
}

static void
test_headers_modes(void **state)
{
    static const char msg[] = "Subject: S\nX-Spam: yes\nReceived: a\nReceived: b\n\nbody\n";
    static const char *const list[] = {"received", "X-Spam", NULL};
    struct render_opts opts;
    render_opts_default(&opts);
    opts.headers = list;
    char *out = render_str(msg, &opts, false);
    assert_string_equal(out, "Received: a\nReceived: b\nX-Spam: yes\n\nbody\n");
    free(out);
    opts.headers_mode = RENDER_HEADERS_ALL;
    out = render_str(msg, &opts, false);
    assert_string_equal(out, "Subject: S\nX-Spam: yes\nReceived: a\nReceived: b\n\nbody\n");
    free(out);
    opts.headers_mode = RENDER_HEADERS_NONE;
    out = render_str(msg, &opts, false);
    assert_string_equal(out, "body\n");
    free(out);
}

static void
test_headers_decoded(void **state)
{
    char *out = render_str("From: =?ISO-8859-1?Q?Andr=E9?= <a@x>\n"
                           "Subject: =?UTF-8?B?w6l0w6k=?= =?UTF-8?Q?_et_hiver?=\n\n",
                           NULL, false);
    assert_contains(out, "From: André <a@x>\n");
    assert_contains(out, "Subject: été et hiver\n");
    free(out);
}

static void
test_headers_hostile(void **state)
{
    /* raw ESC, an encoded ESC/BEL (OSC 2 title), an encoded line break, a
     * C1 CSI and a bidi override in From */
    char *out = render_str("From: =?UTF-8?Q?x=E2=80=AEfdp.exe?= <e@x>\n"
                           "Subject: a\x1b[2Jb =?UTF-8?Q?=1B]2;t=07?= =?UTF-8?Q?l1=0Al2?= "
                           "=?UTF-8?Q?=C2=9B?=\n\n",
                           NULL, false);
    assert_contains(out, "From: x\xef\xbf\xbd"
                         "fdp.exe <e@x>\n");
    /* (white space between adjacent encoded words goes, RFC 2047 §6.2) */
    assert_contains(out, "Subject: a^[[2Jb ^[]2;t^Gl1^Jl2<9b>\n");
    free(out);
}

/* ---- bodies: encodings and charsets ---- */

static void
test_body_qp(void **state)
{
    char *out = render_str(HDRS "Content-Type: text/plain; charset=iso-8859-1\n"
                                "Content-Transfer-Encoding: quoted-printable\n\n"
                                "Gr=FC=DFe, soft=\nbreak, =3D sign\n",
                           NULL, false);
    assert_contains(out, "\nGrüße, softbreak, = sign\n");
    free(out);
}

static void
test_body_base64(void **state)
{
    /* "Hello, wörld\n> quoted\n" in UTF-8 */
    char *out = render_str(HDRS "Content-Type: text/plain; charset=utf-8\n"
                                "Content-Transfer-Encoding: base64\n\n"
                                "SGVsbG8sIHfDtnJsZAo+IHF1b3RlZAo=\n",
                           NULL, true);
    assert_contains(out, "{normal}Hello, wörld\n{quote1}> quoted\n");
    free(out);
}

static void
test_body_charsets(void **state)
{
    static const struct {
        const char *charset, *body, *want;
    } cases[] = {
        {"windows-1252", "\x93quoted\x94 \x80 5", "“quoted” € 5"},
        {"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
        {"iso-8859-15", "\xa4", "€"},
        {"utf-8", "bad \xff byte", "bad \xef\xbf\xbd byte"},
        {"iso-2022-jp", "\x1b$B$3$s$K$A$O\x1b(B", "こんにちは"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char raw[512];
        snprintf(raw, sizeof raw,
                 HDRS "Content-Type: text/plain; charset=%s\n"
                      "Content-Transfer-Encoding: 8bit\n\n%s\n",
                 cases[i].charset, cases[i].body);
        char *out = render_str(raw, NULL, false);
        assert_contains(out, cases[i].want);
        free(out);
    }
}

static void
test_body_flowed(void **state)
{
    char *out = render_str(HDRS "Content-Type: text/plain; charset=utf-8; format=flowed; "
                                "delsp=yes\n\n"
                                "one  \ntwo wo \nrd\n>> q1  \n>> q2\n",
                           NULL, true);
    assert_contains(out, "{normal}one two word\n{quote2}> > q1 q2\n");
    free(out);
    /* only format=flowed flows */
    out = render_str(HDRS "Content-Type: text/plain; format=fixed\n\none \ntwo\n", NULL, false);
    assert_contains(out, "\none \ntwo\n");
    free(out);
}

static void
test_body_hostile(void **state)
{
    char *out = render_str(HDRS "Content-Type: text/plain; charset=utf-8\n\n"
                                "csi \x1b[2J osc52 \x1b]52;c;eA==\x07 c1 \xc2\x9b"
                                "1m raw \x9b"
                                " bel \x07 bidi \xe2\x80\xae end\rx\r\n",
                           NULL, false);
    assert_contains(out, "csi ^[[2J osc52 ^[]52;c;eA==^G c1 <9b>1m raw \xef\xbf\xbd bel ^G bidi "
                         "\xef\xbf\xbd end^Mx\n");
    free(out);
}

/* ---- structure ---- */

#define ALT                                                                                        \
    HDRS "Content-Type: multipart/alternative; boundary=A\n\n"                                     \
         "--A\nContent-Type: text/plain\n\nthe plain one\n"                                        \
         "--A\nContent-Type: text/html\n\n<p>the <b>html</b> one</p>\n--A--\n"

static void
test_alternative_preference(void **state)
{
    struct render_opts opts;
    render_opts_default(&opts);
    char *out = render_str(ALT, &opts, false);
    assert_contains(out, "the plain one");
    assert_lacks(out, "html");
    free(out);
    opts.prefer_html = true;
    out = render_str(ALT, &opts, false);
    assert_contains(out, "the html one");
    assert_lacks(out, "plain");
    free(out);
    /* nothing acceptable but html: html, even when plain is preferred */
    out = render_str(HDRS "Content-Type: multipart/alternative; boundary=A\n\n"
                          "--A\nContent-Type: application/x-foo\n\nfoo\n"
                          "--A\nContent-Type: text/html\n\n<i>only</i> html\n--A--\n",
                     NULL, false);
    assert_contains(out, "only html");
    assert_lacks(out, "foo");
    free(out);
}

static void
test_related_root(void **state)
{
    char *out =
        render_str(HDRS "Content-Type: multipart/related; boundary=R; start=\"<root@x>\"\n\n"
                        "--R\nContent-Type: image/png; name=a.png\nContent-ID: <img@x>\n\n"
                        "PNG\n"
                        "--R\nContent-Type: text/html\nContent-ID: <root@x>\n\n"
                        "<p>root &amp; html</p>\n--R--\n",
                   NULL, false);
    assert_contains(out, "root & html");
    assert_contains(out, "[-- Attachment #1: a.png (image/png, 3 B) --]");
    free(out);
}

static void
test_mixed_attachments(void **state)
{
    char *out = render_str(HDRS "Content-Type: multipart/mixed; boundary=M\n\n"
                                "--M\nContent-Type: text/plain\n\nbody text\n"
                                "--M\nContent-Type: application/pdf\n"
                                "Content-Disposition: attachment; filename=\"report.pdf\"\n"
                                "Content-Transfer-Encoding: base64\n\n"
                                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                                "AAAAAAAA\n"
                                "--M\nContent-Type: text/plain; name=inline.txt\n\ninline part\n"
                                "--M\nContent-Type: text/plain\nContent-Disposition: attachment\n\n"
                                "hidden text\n--M--\n",
                           NULL, true);
    assert_contains(out, "{normal}body text\n\n{attachment}[-- Attachment #2: report.pdf "
                         "(application/pdf, 54 B) --]\n\n{part-sep}[-- Part #3: inline.txt "
                         "(text/plain) --]\n{normal}inline part\n\n{attachment}[-- Attachment "
                         "#4 (text/plain, 11 B) --]\n");
    assert_lacks(out, "hidden text");
    free(out);
    struct render_opts opts;
    render_opts_default(&opts);
    opts.show_attachments = false;
    out = render_str(HDRS "Content-Type: multipart/mixed; boundary=M\n\n"
                          "--M\nContent-Type: text/plain\n\nbody\n"
                          "--M\nContent-Type: image/gif\n\nGIF\n--M--\n",
                     &opts, false);
    assert_lacks(out, "Attachment");
    free(out);
}

static void
test_attachment_hostile_filename(void **state)
{
    char *out = render_str(HDRS "Content-Type: multipart/mixed; boundary=M\n\n"
                                "--M\nContent-Type: text/plain\n\nx\n"
                                "--M\nContent-Type: application/octet-stream\n"
                                "Content-Disposition: attachment; "
                                "filename*=UTF-8''a%1B%5B2J%E2%80%AEgpj.exe\n\ndata\n--M--\n",
                           NULL, false);
    assert_contains(out, "Attachment #2: a^[[2J\xef\xbf\xbdgpj.exe (application/octet-stream");
    free(out);
}

static void
test_size_format(void **state)
{
    char buf[32];
    render_format_size(0, buf, sizeof buf);
    assert_string_equal(buf, "0 B");
    render_format_size(1023, buf, sizeof buf);
    assert_string_equal(buf, "1023 B");
    render_format_size(12 * 1024 + 100, buf, sizeof buf);
    assert_string_equal(buf, "12 KB");
    render_format_size(3 * 1024 * 1024 / 2, buf, sizeof buf);
    assert_string_equal(buf, "1.5 MB");
}

static void
test_enclosed_message(void **state)
{
    char *out = render_str(HDRS "Content-Type: multipart/mixed; boundary=M\n\n"
                                "--M\nContent-Type: text/plain\n\nsee below\n"
                                "--M\nContent-Type: message/rfc822\n\n"
                                "From: Inner <in@x>\nSubject: =?UTF-8?Q?inn=C3=A9r?=\n"
                                "X-Hidden: no\n\ninner body\n--M--\n",
                           NULL, true);
    assert_contains(out, "{part-sep}[-- Part #2 (message/rfc822) --]\n"
                         "{hdr-name}From: {hdr-from}Inner <in@x>\n"
                         "{hdr-name}Subject: {hdr-subject}innér\n\n"
                         "{normal}inner body\n\n{part-sep}[-- End of part #2 --]\n");
    assert_lacks(out, "X-Hidden");
    free(out);
}

static void
test_report(void **state)
{
    char *out = render_str(HDRS "Content-Type: multipart/report; report-type=delivery-status; "
                                "boundary=R\n\n"
                                "--R\nContent-Type: text/plain\n\nYour mail failed.\n"
                                "--R\nContent-Type: message/delivery-status\n\n"
                                "Reporting-MTA: dns; mx.example\n\n"
                                "Final-Recipient: rfc822; x@example\nAction: failed\n"
                                "Status: 5.1.1\n"
                                "--R\nContent-Type: text/rfc822-headers\n\n"
                                "From: me@example\n> not a quote\n--R--\n",
                           NULL, true);
    assert_contains(out, "{normal}Your mail failed.\n");
    assert_contains(out, "{part-sep}[-- Part #2 (message/delivery-status) --]\n"
                         "{normal}Reporting-MTA: dns; mx.example\n\n"
                         "{normal}Final-Recipient: rfc822; x@example\n{normal}Action: failed\n"
                         "{normal}Status: 5.1.1\n");
    assert_contains(out, "{normal}From: me@example\n{normal}> not a quote\n");
    free(out);
}

/* ---- the HTML converter hook ---- */

struct fake_conv {
    size_t width;
    int calls;
    int fail;
};

static int
fake_convert(void *arg, const char *html, size_t len, size_t width, char **out, size_t *out_len)
{
    struct fake_conv *fc = arg;
    fc->calls++;
    fc->width = width;
    if (fc->fail)
        return -1;
    /* hostile converter output: it must be sanitised like any text */
    static const char text[] = "converted \x1b[31mred\x1b[0m\n> not a quote\n";
    *out = strdup(text);
    *out_len = sizeof text - 1;
    return 0;
}

static void
test_html_converter(void **state)
{
    struct fake_conv fc = {0};
    struct render_opts opts;
    render_opts_default(&opts);
    opts.html_convert = fake_convert;
    opts.html_arg = &fc;
    static const char msg[] = HDRS "Content-Type: text/html\n\n<p>x</p>\n";
    char *out = render_raw(msg, sizeof msg - 1, &opts, 64, false);
    assert_int_equal(fc.calls, 1);
    assert_int_equal(fc.width, 64);
    assert_contains(out, "converted ^[[31mred^[[0m\n> not a quote\n");
    free(out);
    out = render_str(msg, &opts, true);
    assert_contains(out, "{normal}> not a quote\n");
    free(out);
    fc.fail = 1;
    out = render_str(msg, &opts, true);
    assert_contains(out, "{note}[-- The HTML converter failed: built-in conversion --]\n"
                         "{normal}x\n");
    free(out);
}

/* ---- broken input ---- */

static void
test_broken_mime(void **state)
{
    static const char *const msgs[] = {
        HDRS "Content-Type: multipart/mixed; boundary=X\n\nno boundary ever\n",
        HDRS "Content-Type: multipart/mixed\n\n--X\n\nmissing boundary parameter\n",
        HDRS "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!\n",
        HDRS "Content-Type: text/plain; charset=x-unknown\n\ncaf\xe9\n",
        HDRS "Content-Type: message/rfc822\n\n",
        HDRS "Content-Type: multipart/alternative; boundary=A\n\n--A--\n",
        HDRS "Content-Type: /\n\nx\n",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        free(render_str(msgs[i], NULL, false));
}

static void
test_deep_nesting(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, HDRS "Content-Type: multipart/mixed; boundary=b0\n\n");
    for (int i = 1; i < 200; i++)
        strbuf_addf(&sb, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i - 1, i);
    strbuf_adds(&sb, "--b199\nContent-Type: text/plain\n\ndeep\n");
    char *out = render_raw(sb.buf, sb.len, NULL, 40, false);
    free(out);
    strbuf_free(&sb);
}

static void
test_rdoc_search_in_message(void **state)
{
    struct mail_message *msg = mail_message_parse(ALT, strlen(ALT), NULL);
    struct rdoc *doc = NULL;
    assert_int_equal(render_message(msg, NULL, NULL, 80, &doc, NULL), 0);
    long l = rdoc_search(doc, "PLAIN ONE", 0, 1);
    assert_true(l > 0);
    assert_non_null(strstr(doc->lines[l].text, "plain one"));
    /* the rdoc outlives the message */
    mail_message_free(msg);
    assert_int_equal(rdoc_search(doc, "subject", (size_t)l, -1), 3);
    rdoc_free(doc);
}

int
main(void)
{
    utf8_locale_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_degenerate),
        cmocka_unit_test(test_headers_default_order),
        cmocka_unit_test(test_headers_modes),
        cmocka_unit_test(test_headers_decoded),
        cmocka_unit_test(test_headers_hostile),
        cmocka_unit_test(test_body_qp),
        cmocka_unit_test(test_body_base64),
        cmocka_unit_test(test_body_charsets),
        cmocka_unit_test(test_body_flowed),
        cmocka_unit_test(test_body_hostile),
        cmocka_unit_test(test_alternative_preference),
        cmocka_unit_test(test_related_root),
        cmocka_unit_test(test_mixed_attachments),
        cmocka_unit_test(test_attachment_hostile_filename),
        cmocka_unit_test(test_size_format),
        cmocka_unit_test(test_enclosed_message),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_html_converter),
        cmocka_unit_test(test_broken_mime),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_rdoc_search_in_message),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
