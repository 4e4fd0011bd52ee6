/*
 * test-mime-ctype.c - the Content-Type fast path (mail/mime-ctype.c)
 * against libetpan: wherever mail_ctype_scan accepts a value, type,
 * subtype and parameters must be what mime-fields.c would take from
 * mailmime_content_parse; likewise mail_cdisp_scan against
 * mailmime_disposition_parse and mail_cte_scan against
 * mailmime_encoding_parse.  Values: every Content-Type of every corpus file
 * (read in place, skipped if absent), hand-made tricky ones, and random
 * strings over the characters that matter to the grammar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <libetpan/mailmime.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#include "tests/unit/corpus-each.h"

/* What mime-fields.c hands libetpan for a value without "=?" or 8-bit
 * bytes (mime_phrase): blank runs joined into one space, leading ones gone. */
static char *
ref_phrase(const char *v, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        bool blank = v[i] == ' ' || v[i] == '\t';
        if (!blank)
            out[n++] = v[i];
        else if (n > 0 && out[n - 1] != ' ')
            out[n++] = ' ';
    }
    out[n] = '\0';
    return out;
}

static bool
span_is(struct mail_ctype_span sp, const char *s, bool nocase)
{
    return s != NULL && strlen(s) == sp.n &&
           (nocase ? strncasecmp(s, sp.s, sp.n) : strncmp(s, sp.s, sp.n)) == 0;
}

/* Checks one value; returns whether the fast path took it. */
static bool
check_value(const char *v, size_t len)
{
    struct mail_ctype fast;
    if (!mail_ctype_scan(v, len, &fast))
        return false;
    char *phrase = ref_phrase(v, len);
    struct mailmime_content *ct = NULL;
    size_t idx = 0;
    int r = mailmime_content_parse(phrase, strlen(phrase), &idx, &ct);
    if (r != MAILIMF_NO_ERROR)
        fail_msg("libetpan rejects what the fast path took: [%.*s]", (int)len, v);
    bool same = span_is(fast.type, mail_mime_etpan_type_name(ct->ct_type), true) &&
                span_is(fast.subtype, ct->ct_subtype, true);
    size_t n = 0;
    for (clistiter *it = clist_begin(ct->ct_parameters); it && same; it = clist_next(it), n++) {
        const struct mailmime_parameter *p = clist_content(it);
        same = n < fast.nparams && span_is(fast.name[n], p->pa_name, false) &&
               span_is(fast.value[n], p->pa_value, false);
    }
    same = same && n == fast.nparams;
    mailmime_content_free(ct);
    free(phrase);
    if (!same)
        fail_msg("fast path differs from libetpan: [%.*s]", (int)len, v);
    return true;
}

/* Content-Disposition: what mime-fields.c takes from
 * mailmime_disposition_parse (type, then filename and plain parameters in
 * order, as name/value pairs). */
static bool
check_disp(const char *v, size_t len)
{
    struct mail_cdisp fast;
    if (!mail_cdisp_scan(v, len, &fast))
        return false;
    struct mailmime_disposition *d = NULL;
    size_t idx = 0;
    if (mailmime_disposition_parse(v, len, &idx, &d) != MAILIMF_NO_ERROR)
        fail_msg("libetpan rejects the disposition the fast path took: [%.*s]", (int)len, v);
    bool same = (d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE) == fast.is_inline;
    size_t n = 0;
    for (clistiter *it = clist_begin(d->dsp_parms); it && same; it = clist_next(it)) {
        const struct mailmime_disposition_parm *p = clist_content(it);
        if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
            same = n < fast.nparams && span_is(fast.name[n], "filename", true) &&
                   span_is(fast.value[n], p->pa_data.pa_filename, false);
        else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER)
            same = n < fast.nparams &&
                   span_is(fast.name[n], p->pa_data.pa_parameter->pa_name, false) &&
                   span_is(fast.value[n], p->pa_data.pa_parameter->pa_value, false);
        else
            same = false; /* dates and sizes are not taken by the fast path */
        n++;
    }
    same = same && n == fast.nparams;
    mailmime_disposition_free(d);
    if (!same)
        fail_msg("disposition fast path differs from libetpan: [%.*s]", (int)len, v);
    return true;
}

/* Content-Transfer-Encoding: the mechanism mailmime_encoding_parse gives. */
static bool
check_cte(const char *v, size_t len)
{
    static const struct {
        int mech;
        enum mail_encoding enc;
    } map[] = {
        {MAILMIME_MECHANISM_7BIT, MAIL_ENC_7BIT},
        {MAILMIME_MECHANISM_8BIT, MAIL_ENC_8BIT},
        {MAILMIME_MECHANISM_BINARY, MAIL_ENC_BINARY},
        {MAILMIME_MECHANISM_QUOTED_PRINTABLE, MAIL_ENC_QP},
        {MAILMIME_MECHANISM_BASE64, MAIL_ENC_BASE64},
    };
    enum mail_encoding fast;
    if (!mail_cte_scan(v, len, &fast))
        return false;
    struct mailmime_mechanism *m = NULL;
    size_t idx = 0;
    if (mailmime_encoding_parse(v, len, &idx, &m) != MAILIMF_NO_ERROR)
        fail_msg("libetpan rejects the encoding the fast path took: [%.*s]", (int)len, v);
    bool same = false;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (map[k].mech == m->enc_type)
            same = map[k].enc == fast;
    mailmime_encoding_free(m);
    if (!same)
        fail_msg("encoding fast path differs from libetpan: [%.*s]", (int)len, v);
    return true;
}

static void
test_disp_cte_handmade(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        bool fast;
    } disp[] = {
        {"inline", true},
        {"attachment", true},
        {"ATTACHMENT; FileName=\"a b.pdf\"", true},
        {"attachment; filename=report.txt; foo=bar", true},
        {"inline;", true},
        {"inline; a\t=b", false}, /* libetpan: the name is "a\t" */
        {"attachment;\tfilename=\"x y\"\t; a=\tb", true},
        {" attachment ; filename = x", true},
        {"attachment; filename*=utf-8''a%20b", false},
        {"attachment; filename*0=a", false},
        {"attachment; filenames=x", false},
        {"attachment; size=1234", false},
        {"attachment; creation-date=\"Mon, 1 Jan 2001 00:00:00 +0000\"", false},
        {"attachment; filename=\"=?utf-8?q?a?=\"", false},
        {"attachment; filename=\"\xc3\xa9\"", false},
        {"inlined", false},
        {"x-foo", false},
        {"attachment (c)", false},
        {"attachment; filename=a b", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof disp / sizeof disp[0]; i++) {
        bool took = check_disp(disp[i].v, strlen(disp[i].v));
        if (took != disp[i].fast)
            fail_msg("[%s]: disposition fast path %s", disp[i].v, took ? "took it" : "refused");
    }
    static const struct {
        const char *v;
        bool fast;
    } cte[] = {
        {"7bit", true},        {"8BIT", true},
        {"Base64", true},      {"quoted-printable \t", true},
        {" 8bit", false},      {"binary", true},
        {"x-uuencode", false}, {"base64 x", false},
        {"7bits", false},      {"base64(c)", false},
        {"", false},           {"quoted-printabl", false},
    };
    for (size_t i = 0; i < sizeof cte / sizeof cte[0]; i++) {
        bool took = check_cte(cte[i].v, strlen(cte[i].v));
        if (took != cte[i].fast)
            fail_msg("[%s]: encoding fast path %s", cte[i].v, took ? "took it" : "refused");
    }
}

static void
test_disp_cte_random(void **state)
{
    (void)state;
    static const char *atoms[] = {
        "inline", "attachment", "ATTACH", "filename", "FILENAME", "size", "name",
        ";",      "=",          "\"",     " ",        "  ",       "\\",   "*",
        "(",      ")",          "a",      "b=c",      "=?",       "\t",   "\xe9",
        "\"\"",   "-",          ".",      "7bit",     "base64",   "'",    "quoted-printable",
        "binary", "8bit",       "x",      ",",
    };
    uint32_t seed = 54321;
    size_t took = 0;
    for (int k = 0; k < 30000; k++) {
        char buf[128];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int parts = 1 + (int)((seed >> 16) % 12);
        for (int j = 0; j < parts; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *a = atoms[(seed >> 16) % (sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            if (n + al >= sizeof buf)
                break;
            memcpy(buf + n, a, al);
            n += al;
        }
        buf[n] = '\0';
        took += check_disp(buf, n);
        took += check_cte(buf, n);
    }
    assert_true(took > 100);
}

static void
test_ctype_handmade(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        bool fast;
    } cases[] = {
        {"text/plain", true},
        {"TEXT/Plain; Charset=US-ASCII", true},
        {"text/plain;charset=\"utf-8\"", true},
        {"multipart/mixed; boundary=\"----=_Part_1\"", true},
        {"multipart/report; report-type=delivery-status; boundary=\"a b\"", true},
        {"message/rfc822", true},
        {"message/delivery-status", true},
        {"application/octet-stream; name=\"\"", true},
        {"text/plain ; charset = utf-8", true},
        {" text / plain", true},
        {"image/png; name=\" lead and trail \"", true},
        {"text/plain; a=1; b=2; a=3", true},
        {"text/plain; x=#$%&'+-.^_`{|}~!", true},
        {"text/plain; name=\"a(b)c<d>@,;:/[]?=\"", true},
        {"textual/plain", false}, /* libetpan: "text" by prefix */
        {"x-foo/bar", false},     /* extension types: libetpan */
        {"text", false},          /* no subtype: libetpan says "unknown" */
        {"text/", false},
        {"text/plain;", true},
        {"text/plain; charset=utf-8; ", true},
        {"multipart/mixed;\tboundary=x", true},
        {"text/plain\t;\tcharset=x", true},
        {"text/plain; name=\"a\tb\"", false},
        {"text/plain; charset", false},
        {"text/plain; charset=", false},
        {"text/plain; charset=\"utf-8", false},
        {"text/plain; name=\"a\\\"b\"", false},
        {"text/plain; name=\"a  b\"", false},
        {"text/plain; name*=utf-8''a%20b", false},
        {"text/plain; name*0=a; name*1=b", false},
        {"text/plain (comment)", false},
        {"text/plain; charset=utf-8 (comment)", false},
        {"text/plain; name=\"=?utf-8?q?a?=\"", false},
        {"text/plain; ;", false},
        {"text/plain; name=\"\xc3\xa9\"", false},
        {"text/plain; charset=us-ascii garbage", false},
        {"text/plain; name=\"a\"b", false},
        {"text/plain; name=\"a\x01b\"", false},
        {"text/plain; name=\"a=?b\"", false},
        {"text/plain; name=\"a=\"", true},
        {"text/plain; name=a\x7f", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool took = check_value(cases[i].v, strlen(cases[i].v));
        if (took != cases[i].fast)
            fail_msg("[%s]: fast path %s", cases[i].v, took ? "took it" : "refused");
    }
}

/* Random values over the grammar's characters: where the scanner accepts
 * one, it must agree with libetpan. */
static void
test_ctype_random(void **state)
{
    (void)state;
    static const char *atoms[] = {
        "text", "multipart", "message", "image", "TeXt", "x", "plain", "mixed", "/", ";",
        "=",    "\"",        " ",       "  ",    "\\",   "*", "(",     ")",     "a", "b=c",
        "=?",   "\t",        "\xe9",    "\"\"",  "-",    ".", "name",  "'",     ",", "@",
    };
    uint32_t seed = 12345;
    size_t took = 0;
    for (int k = 0; k < 30000; k++) {
        char buf[128];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int parts = 1 + (int)((seed >> 16) % 14);
        if (k % 2 == 0) /* half of them start well */
            n = (size_t)snprintf(buf, sizeof buf, "text/plain");
        for (int j = 0; j < parts; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *a = atoms[(seed >> 16) % (sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            if (n + al >= sizeof buf)
                break;
            memcpy(buf + n, a, al);
            n += al;
        }
        buf[n] = '\0';
        took += check_value(buf, n);
    }
    assert_true(took > 100);
}

/* Content-Type values of every part of one message. */
static void
check_tree(const struct mail_part *p, size_t *total, size_t *fast)
{
    struct mail_hdr_iter it;
    struct mail_hdr_field f;
    mail_hdr_iter_init(&it, p->header, p->header_len);
    while (mail_hdr_iter_next(&it, &f)) {
        int kind = f.nlen == 12 && strncasecmp(f.name, "content-type", 12) == 0                ? 1
                   : f.nlen == 19 && strncasecmp(f.name, "content-disposition", 19) == 0       ? 2
                   : f.nlen == 25 && strncasecmp(f.name, "content-transfer-encoding", 25) == 0 ? 3
                                                                                               : 0;
        if (kind == 0)
            continue;
        struct strbuf sb = STRBUF_INIT;
        mail_hdr_unfold(&sb, f.value, f.vlen);
        (*total)++;
        *fast += kind == 1   ? check_value(strbuf_str(&sb), sb.len)
                 : kind == 2 ? check_disp(strbuf_str(&sb), sb.len)
                             : check_cte(strbuf_str(&sb), sb.len);
        strbuf_free(&sb);
    }
    for (size_t i = 0; i < p->nchildren; i++)
        check_tree(p->children[i], total, fast);
}

struct ctype_counts {
    size_t total, fast;
};

static void
ctype_message(struct mail_message *m, void *arg)
{
    struct ctype_counts *c = arg;
    check_tree(mail_message_root(m), &c->total, &c->fast);
}

static void
test_ctype_corpus(void **state)
{
    (void)state;
    struct ctype_counts c = {0, 0};
    size_t files = corpus_each(ctype_message, &c);
    if (files == 0)
        skip();
    print_message("corpus: %zu files, %zu Content-Type/-Disposition/-Transfer-Encoding values, %zu "
                  "by the fast path\n",
                  files, c.total, c.fast);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctype_handmade),    cmocka_unit_test(test_ctype_random),
        cmocka_unit_test(test_disp_cte_handmade), cmocka_unit_test(test_disp_cte_random),
        cmocka_unit_test(test_ctype_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
