/*
 * fuzz-decode.c - differential libFuzzer target for the model's own
 * parsers of untrusted bytes, each against what it replaces; aborts on
 * any difference:
 *
 *   - mail_decode_base64 / mail_decode_qp against libetpan's
 *     mailmime_part_parse (the QP input the decoder leaves to libetpan,
 *     where libetpan reads a byte past the body, is not compared: that
 *     read would be out of bounds here);
 *   - mail_ctype_scan, where it takes a value, against
 *     mailmime_content_parse of the value as mime-fields.c hands it over;
 *     mail_cdisp_scan and mail_cte_scan against
 *     mailmime_disposition_parse and mailmime_encoding_parse;
 *   - mail_hdr_unfold_arena_lf against mail_hdr_unfold_arena, and
 *     mail_header_decode of a plain unfolded value against the value;
 *   - mail_hdr_scan against mail_hdr_split and mail_hdr_iter, and the
 *     Content-* fields of a part read from its lines
 *     (mail_mime_part_fields_from) against those read by the iterator
 *     (mail_mime_part_fields), for inputs without bare CR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/mailmime.h>
#include <libetpan/mmapstring.h>

#include "mail/base/strbuf.h"

#include "mail/message-private.h"

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* ---- transfer decoding ---- */

static void
fuzz_decode(const char *s, size_t len, int mechanism)
{
    struct strbuf sb = STRBUF_INIT;
    if (mechanism == MAILMIME_MECHANISM_BASE64)
        mail_decode_base64(&sb, s, len);
    else if (mail_decode_qp(&sb, s, len) < 0) {
        FUZZ_CHECK(sb.len == 0);
        strbuf_free(&sb);
        return;
    }
    size_t idx = 0, rlen = 0;
    char *ref = NULL;
    FUZZ_CHECK(mailmime_part_parse(s, len, &idx, mechanism, &ref, &rlen) == MAILIMF_NO_ERROR);
    FUZZ_CHECK(sb.len == rlen && (rlen == 0 || memcmp(sb.buf, ref, rlen) == 0));
    mmap_string_unref(ref);
    strbuf_free(&sb);
}

/* ---- Content-Type ---- */

static bool
fuzz_span_is(struct mail_ctype_span sp, const char *s, bool nocase)
{
    return s != NULL && strlen(s) == sp.n &&
           (nocase ? strncasecmp(s, sp.s, sp.n) : strncmp(s, sp.s, sp.n)) == 0;
}

/* Where the scanner takes a value, libetpan must take it (blank runs
 * joined, as mime-fields.c's mime_phrase does) with the same result. */
static void
fuzz_ctype(const char *v, size_t len)
{
    struct mail_ctype fast;
    if (!mail_ctype_scan(v, len, &fast))
        return;
    char *phrase = malloc(len + 1);
    FUZZ_CHECK(phrase != NULL);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        bool blank = v[i] == ' ' || v[i] == '\t';
        if (!blank)
            phrase[n++] = v[i];
        else if (n > 0 && phrase[n - 1] != ' ')
            phrase[n++] = ' ';
    }
    phrase[n] = '\0';
    struct mailmime_content *ct = NULL;
    size_t idx = 0;
    FUZZ_CHECK(mailmime_content_parse(phrase, n, &idx, &ct) == MAILIMF_NO_ERROR);
    FUZZ_CHECK(fuzz_span_is(fast.type, mail_mime_etpan_type_name(ct->ct_type), true));
    FUZZ_CHECK(strcasecmp(fast.type_name, mail_mime_etpan_type_name(ct->ct_type)) == 0);
    FUZZ_CHECK(fuzz_span_is(fast.subtype, ct->ct_subtype, true));
    size_t k = 0;
    for (clistiter *it = clist_begin(ct->ct_parameters); it; it = clist_next(it), k++) {
        const struct mailmime_parameter *p = clist_content(it);
        FUZZ_CHECK(k < fast.nparams && fuzz_span_is(fast.name[k], p->pa_name, false) &&
                   fuzz_span_is(fast.value[k], p->pa_value, false));
    }
    FUZZ_CHECK(k == fast.nparams);
    mailmime_content_free(ct);
    free(phrase);
}

/* ---- Content-Disposition, Content-Transfer-Encoding ---- */

/* Where the scanner takes a value, libetpan must give the same type and
 * the same filename and plain parameters, in order. */
static void
fuzz_cdisp(const char *v, size_t len)
{
    struct mail_cdisp fast;
    if (!mail_cdisp_scan(v, len, &fast))
        return;
    struct mailmime_disposition *d = NULL;
    size_t idx = 0, k = 0;
    FUZZ_CHECK(mailmime_disposition_parse(v, len, &idx, &d) == MAILIMF_NO_ERROR);
    FUZZ_CHECK((d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE) == fast.is_inline);
    for (clistiter *it = clist_begin(d->dsp_parms); it; it = clist_next(it), k++) {
        const struct mailmime_disposition_parm *p = clist_content(it);
        FUZZ_CHECK(k < fast.nparams);
        if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME) {
            FUZZ_CHECK(fuzz_span_is(fast.name[k], "filename", true) &&
                       fuzz_span_is(fast.value[k], p->pa_data.pa_filename, false));
        } else {
            FUZZ_CHECK(p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER);
            FUZZ_CHECK(fuzz_span_is(fast.name[k], p->pa_data.pa_parameter->pa_name, false) &&
                       fuzz_span_is(fast.value[k], p->pa_data.pa_parameter->pa_value, false));
        }
    }
    FUZZ_CHECK(k == fast.nparams);
    mailmime_disposition_free(d);
}

static void
fuzz_cte(const char *v, size_t len)
{
    static const enum mail_encoding map[] = {
        [MAILMIME_MECHANISM_7BIT] = MAIL_ENC_7BIT,
        [MAILMIME_MECHANISM_8BIT] = MAIL_ENC_8BIT,
        [MAILMIME_MECHANISM_BINARY] = MAIL_ENC_BINARY,
        [MAILMIME_MECHANISM_QUOTED_PRINTABLE] = MAIL_ENC_QP,
        [MAILMIME_MECHANISM_BASE64] = MAIL_ENC_BASE64,
    };
    enum mail_encoding fast;
    if (!mail_cte_scan(v, len, &fast))
        return;
    struct mailmime_mechanism *m = NULL;
    size_t idx = 0;
    FUZZ_CHECK(mailmime_encoding_parse(v, len, &idx, &m) == MAILIMF_NO_ERROR);
    FUZZ_CHECK(m->enc_type >= MAILMIME_MECHANISM_7BIT && m->enc_type <= MAILMIME_MECHANISM_BASE64 &&
               map[m->enc_type] == fast);
    mailmime_encoding_free(m);
}

/* ---- header blocks ---- */

static bool
fuzz_same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
fuzz_same_part(const struct mail_part *a, const struct mail_part *b)
{
    FUZZ_CHECK(fuzz_same_str(a->type, b->type) && fuzz_same_str(a->subtype, b->subtype));
    FUZZ_CHECK(fuzz_same_str(a->charset, b->charset));
    FUZZ_CHECK(fuzz_same_str(a->filename, b->filename));
    FUZZ_CHECK(fuzz_same_str(a->description, b->description));
    FUZZ_CHECK(fuzz_same_str(a->content_id, b->content_id));
    FUZZ_CHECK(a->encoding == b->encoding && a->disposition == b->disposition);
    FUZZ_CHECK(a->nparams == b->nparams);
    for (size_t i = 0; i < a->nparams; i++)
        FUZZ_CHECK(fuzz_same_str(a->params[i].name, b->params[i].name) &&
                   fuzz_same_str(a->params[i].value, b->params[i].value));
}

#define FUZZ_LINES 256

static void
fuzz_header(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) /* mail_hdr_scan's precondition */
        if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
            return;
    static struct mail_hdr_line v[FUZZ_LINES];
    size_t hlen, boff, h2, b2;
    struct mail_arena ua = {0}; /* the whole input as one value, unfolded both ways */
    const char *u = mail_hdr_unfold_arena(&ua, s, len);
    FUZZ_CHECK(strcmp(u, mail_hdr_unfold_arena_lf(&ua, s, len)) == 0);
    /* mime-fields.c takes such a Content-Description as it is */
    size_t un = strlen(u);
    bool plain = un > 0 && u[un - 1] != ' ' && u[un - 1] != '\t' && strstr(u, "=?") == NULL;
    for (size_t i = 0; plain && i < un; i++)
        plain = (unsigned char)u[i] < 0x80;
    if (plain) {
        char *d = mail_header_decode(u, un);
        FUZZ_CHECK(strcmp(d, u) == 0);
        free(d);
    }
    mail_arena_free(&ua);
    mail_hdr_split(s, len, &hlen, &boff);

    /* every line: its fields are the iterator's */
    size_t n = mail_hdr_scan(s, len, 0, v, FUZZ_LINES, &h2, &b2, NULL);
    FUZZ_CHECK(h2 == hlen && b2 == boff);
    if (n <= FUZZ_LINES) {
        struct mail_hdr_iter it;
        struct mail_hdr_field f, g;
        size_t k = 0;
        mail_hdr_iter_init(&it, s, hlen);
        while (mail_hdr_iter_next(&it, &f)) {
            while (k < n && !mail_hdr_line_field(&v[k], &g))
                k++;
            FUZZ_CHECK(k < n);
            k++;
            FUZZ_CHECK(f.name == g.name && f.nlen == g.nlen && f.value == g.value &&
                       f.vlen == g.vlen);
        }
        while (k < n)
            FUZZ_CHECK(!mail_hdr_line_field(&v[k++], &g));
    }

    /* the first line, as mime.c asks */
    bool field;
    mail_hdr_scan(s, len, 'c', v, FUZZ_LINES, &h2, &b2, &field);
    FUZZ_CHECK(field ==
               (len > 0 && s[0] != '\n' && s[0] != '\r' && mail_hdr_starts_with_field(s, len)));

    /* a part's Content-* fields both ways */
    n = mail_hdr_scan(s, len, 'c', v, FUZZ_LINES, &h2, &b2, NULL);
    FUZZ_CHECK(h2 == hlen && b2 == boff);
    if (n > FUZZ_LINES)
        return;
    struct mail_arena a = {0};
    struct mail_part p1 = {.header = s, .header_len = hlen};
    struct mail_part p2 = p1;
    mail_mime_part_fields(&a, &p1, "text", "plain");
    mail_mime_part_fields_from(&a, &p2, v, n, true, "text", "plain");
    fuzz_same_part(&p1, &p2);
    mail_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fuzz_decode(s, size, MAILMIME_MECHANISM_BASE64);
    fuzz_decode(s, size, MAILMIME_MECHANISM_QUOTED_PRINTABLE);
    fuzz_ctype(s, size);
    fuzz_cdisp(s, size);
    fuzz_cte(s, size);
    fuzz_header(s, size);
    return 0;
}
