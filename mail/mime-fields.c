/*
 * mime-fields.c - the Content-* fields of one MIME part (RFC 2045, 2183)
 * into the attributes of struct mail_part: type, parameters with RFC 2231
 * continuations and charsets resolved, file name, encoding, disposition.
 *
 * libetpan parses each field (its parsers for Content-Type, -Transfer-
 * Encoding, -Disposition and -ID, as mailmime_field_parse would call them);
 * this file only copies the result into the message's arena.  The simple
 * common forms of Content-Type, -Disposition and -Transfer-Encoding are
 * scanned without libetpan (mime-ctype.c, tested to give libetpan's
 * result).  Only the
 * Content-* lines of a header are unfolded at all.  When libetpan rejects a
 * whole Content-Type (a trailing ";", one bad parameter), the type and each
 * parameter are retried alone so one bad parameter does not lose the
 * boundary.
 * Does not: split multiparts (mime.c) or decode bodies (decode.c).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/mailimf.h>
#include <libetpan/mailmime.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#define MIME_MAX_PARAMS 64 /* per field; more are ignored */

/* Parameters as libetpan gave them, before RFC 2231 is applied. */
struct mime_rawparams {
    struct mail_param v[MIME_MAX_PARAMS]; /* strings in the arena */
    size_t n;
    /* all from mail_ctype_scan: names without '*', values printable
     * ASCII without "=?" (nothing for RFC 2231 or 2047 to do) */
    bool simple;
};

/* MIME tokens are case-insensitive in ASCII only (RFC 2045 §5.1). */
static char *
mime_lower_span(struct mail_arena *a, struct mail_ctype_span sp)
{
    char *p = mail_arena_strndup(a, sp.s, sp.n);
    for (char *q = p; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q + ('a' - 'A'));
    return p;
}

static char *
mime_lower(struct mail_arena *a, const char *s)
{
    s = s ? s : "";
    return mime_lower_span(a, (struct mail_ctype_span){s, strlen(s)});
}

/* Parameter names are compared often and seldom alike: the first byte
 * tells most apart without a strcmp call. */
static bool
mime_name_eq(const char *a, const char *b)
{
    return a[0] == b[0] && strcmp(a, b) == 0;
}

/* s itself if it has no capital (it is in the arena too), else a
 * lowercase copy. */
static const char *
mime_lower_shared(struct mail_arena *a, const char *s)
{
    for (const char *q = s; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            return mime_lower(a, s);
    return s;
}

static void
mime_raw_add(struct mail_arena *a, struct mime_rawparams *rp, const char *name, const char *value)
{
    if (rp->n == MIME_MAX_PARAMS || name == NULL || value == NULL)
        return;
    rp->simple = false;
    rp->v[rp->n].name = mime_lower(a, name);
    rp->v[rp->n].value = mail_arena_strdup(a, value);
    rp->n++;
}

/* ---- RFC 2231 ---- */

/* "name*3*" -> base length, section 3, encoded; "name*" -> section -1. */
static bool
mime_2231_split(const char *name, size_t *base, long *section, bool *encoded)
{
    const char *star = strchr(name, '*');
    if (star == NULL)
        return false;
    *base = (size_t)(star - name);
    *section = -1;
    *encoded = false;
    const char *p = star + 1;
    if (isdigit((unsigned char)*p)) {
        char *end;
        *section = strtol(p, &end, 10);
        if (*section > 999)
            return false;
        p = end;
        if (*p == '*')
            *encoded = true, p++;
    } else {
        *encoded = true;
    }
    return *p == '\0' && *base > 0;
}

static int
mime_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
mime_pct_decode(struct strbuf *out, const char *s)
{
    for (; *s; s++) {
        int hi, lo;
        if (*s == '%' && (hi = mime_hex(s[1])) >= 0 && (lo = mime_hex(s[2])) >= 0) {
            strbuf_addc(out, (char)(hi * 16 + lo));
            s += 2;
        } else {
            strbuf_addc(out, *s);
        }
    }
}

/* Join the sections of parameter `base` (RFC 2231 §3-4) into UTF-8. */
static char *
mime_2231_join(struct mail_arena *a, const struct mime_rawparams *rp, const char *base, size_t blen)
{
    struct strbuf bytes = STRBUF_INIT, out = STRBUF_INIT;
    char charset[64] = "";
    for (long want = -1; want <= 999; want++) {
        bool found = false;
        for (size_t i = 0; i < rp->n && !found; i++) {
            size_t b;
            long sec;
            bool enc;
            if (!mime_2231_split(rp->v[i].name, &b, &sec, &enc) || b != blen ||
                strncmp(rp->v[i].name, base, blen) != 0 || sec != want)
                continue;
            found = true;
            const char *v = rp->v[i].value;
            if (enc && (want == -1 || want == 0)) { /* charset'language'value */
                const char *q1 = strchr(v, '\'');
                const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
                if (q2 != NULL) {
                    size_t cl = (size_t)(q1 - v);
                    if (cl < sizeof charset)
                        memcpy(charset, v, cl), charset[cl] = '\0';
                    v = q2 + 1;
                }
            }
            if (enc)
                mime_pct_decode(&bytes, v);
            else
                strbuf_adds(&bytes, v);
        }
        if (!found && want >= 0)
            break; /* sections must be consecutive (§3) */
    }
    mail_charset_to_utf8(&out, charset[0] ? charset : NULL, bytes.buf ? bytes.buf : "", bytes.len);
    char *r = mail_arena_strndup(a, out.buf ? out.buf : "", out.len);
    strbuf_free(&bytes);
    strbuf_free(&out);
    return r;
}

/* Final parameter list: RFC 2231 forms merged under their base name (and
 * preferred to a plain one); plain values of name/filename may carry
 * RFC 2047 words, which many mailers send although §5 forbids them. */
static size_t
mime_resolve_params(struct mail_arena *a, const struct mime_rawparams *rp, struct mail_param *out)
{
    size_t n = 0;
    if (rp->simple) { /* what the loop below does with such parameters */
        for (size_t i = 0; i < rp->n; i++) {
            size_t j = 0;
            while (j < n && !mime_name_eq(out[j].name, rp->v[i].name))
                j++;
            if (j == n) /* a duplicate: the first wins */
                out[n++] = rp->v[i];
        }
        return n;
    }
    for (size_t i = 0; i < rp->n; i++) {
        size_t blen;
        long sec;
        bool enc;
        const char *name = rp->v[i].name;
        bool ext = mime_2231_split(name, &blen, &sec, &enc);
        if (!ext)
            blen = strlen(name);
        size_t j;
        for (j = 0; j < n; j++)
            if (strlen(out[j].name) == blen && strncmp(out[j].name, name, blen) == 0)
                break;
        if (j < n && !ext)
            continue; /* a duplicate plain parameter: the first (or extended) wins */
        if (j == n)
            out[n++].name = mail_arena_strndup(a, name, blen);
        if (ext) {
            out[j].value = mime_2231_join(a, rp, name, blen);
        } else if (strstr(rp->v[i].value, "=?") != NULL) {
            char *d = mail_header_decode(rp->v[i].value, strlen(rp->v[i].value));
            out[j].value = mail_arena_strdup(a, d);
            free(d);
        } else if (utf8_valid(rp->v[i].value, strlen(rp->v[i].value))) {
            out[j].value = rp->v[i].value;
        } else {
            struct strbuf sb = STRBUF_INIT;
            mail_charset_to_utf8(&sb, NULL, rp->v[i].value, strlen(rp->v[i].value));
            out[j].value = mail_arena_strdup(a, strbuf_str(&sb));
            strbuf_free(&sb);
        }
    }
    return n;
}

/* ---- Content-Type ---- */

const char *
mail_mime_etpan_type_name(const struct mailmime_type *t)
{
    static const char *discrete[] = {"text", "text", "image", "audio", "video", "application"};
    if (t == NULL)
        return "text";
    if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE && t->tp_data.tp_discrete_type) {
        const struct mailmime_discrete_type *d = t->tp_data.tp_discrete_type;
        if (d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION)
            return d->dt_extension ? d->dt_extension : "application";
        if (d->dt_type > 0 && d->dt_type <= MAILMIME_DISCRETE_TYPE_APPLICATION)
            return discrete[d->dt_type];
    } else if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE && t->tp_data.tp_composite_type) {
        const struct mailmime_composite_type *c = t->tp_data.tp_composite_type;
        if (c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE)
            return "message";
        if (c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART)
            return "multipart";
        if (c->ct_token != NULL)
            return c->ct_token;
    }
    return "application";
}

static void
mime_take_content(struct mail_arena *a, struct mail_part *part, struct mime_rawparams *rp,
                  const struct mailmime_content *ct)
{
    part->type = mime_lower(a, mail_mime_etpan_type_name(ct->ct_type));
    part->subtype = mime_lower(a, ct->ct_subtype ? ct->ct_subtype : "octet-stream");
    if (ct->ct_parameters == NULL)
        return;
    for (clistiter *it = clist_begin(ct->ct_parameters); it; it = clist_next(it)) {
        const struct mailmime_parameter *p = clist_content(it);
        mime_raw_add(a, rp, p->pa_name, p->pa_value);
    }
}

/* Retry a rejected Content-Type piece by piece (see the file comment). */
static void
mime_content_lenient(struct mail_arena *a, struct mail_part *part, struct mime_rawparams *rp,
                     const char *value)
{
    size_t len = strlen(value), end = strcspn(value, ";"), idx = 0;
    struct mailmime_content *ct = NULL;
    if (mailmime_content_parse(value, end, &idx, &ct) != MAILIMF_NO_ERROR)
        return; /* no usable type: the caller's default stands */
    mime_take_content(a, part, rp, ct);
    mailmime_content_free(ct);
    size_t i = end;
    while (i < len) { /* each ";"-separated piece, quotes respected */
        size_t start = ++i;
        bool quoted = false;
        for (; i < len && (quoted || value[i] != ';'); i++) {
            if (value[i] == '\\' && quoted && i + 1 < len)
                i++;
            else if (value[i] == '"')
                quoted = !quoted;
        }
        struct mailmime_parameter *p = NULL;
        idx = 0;
        if (mailmime_parameter_parse(value + start, i - start, &idx, &p) == MAILIMF_NO_ERROR) {
            mime_raw_add(a, rp, p->pa_name, p->pa_value);
            mailmime_parameter_free(p);
        }
    }
}

/* ---- one part ---- */

static enum mail_encoding
mime_encoding(const struct mailmime_mechanism *m)
{
    switch (m->enc_type) {
    case MAILMIME_MECHANISM_7BIT:
        return MAIL_ENC_7BIT;
    case MAILMIME_MECHANISM_8BIT:
        return MAIL_ENC_8BIT;
    case MAILMIME_MECHANISM_BINARY:
        return MAIL_ENC_BINARY;
    case MAILMIME_MECHANISM_QUOTED_PRINTABLE:
        return MAIL_ENC_QP;
    case MAILMIME_MECHANISM_BASE64:
        return MAIL_ENC_BASE64;
    default:
        if (m->enc_token != NULL &&
            (strcasecmp(m->enc_token, "x-uuencode") == 0 ||
             strcasecmp(m->enc_token, "x-uue") == 0 || strcasecmp(m->enc_token, "uuencode") == 0))
            return MAIL_ENC_UUENCODE;
        return MAIL_ENC_OTHER;
    }
}

static void
mime_take_disposition(struct mail_arena *a, struct mail_part *part, struct mime_rawparams *rp,
                      const struct mailmime_disposition *d)
{
    int t = d->dsp_type ? d->dsp_type->dsp_type : MAILMIME_DISPOSITION_TYPE_ERROR;
    /* RFC 2183 §2.8: an unknown disposition is treated as attachment */
    part->disposition =
        t == MAILMIME_DISPOSITION_TYPE_INLINE ? MAIL_DISP_INLINE : MAIL_DISP_ATTACHMENT;
    if (d->dsp_parms == NULL)
        return;
    for (clistiter *it = clist_begin(d->dsp_parms); it; it = clist_next(it)) {
        const struct mailmime_disposition_parm *p = clist_content(it);
        if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
            mime_raw_add(a, rp, "filename", p->pa_data.pa_filename);
        else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER && p->pa_data.pa_parameter)
            mime_raw_add(a, rp, p->pa_data.pa_parameter->pa_name,
                         p->pa_data.pa_parameter->pa_value);
    }
}

/* ---- the fields ---- */

enum mime_field_kind {
    MIME_FIELD_OTHER,
    MIME_FIELD_TYPE,
    MIME_FIELD_ENCODING,
    MIME_FIELD_DISPOSITION,
    MIME_FIELD_DESCRIPTION,
    MIME_FIELD_ID,
};

/* The fields read here (RFC 2045 §5-8, RFC 2183 §2), by exact name. */
static enum mime_field_kind
mime_field_kind(const char *name, size_t n)
{
    static const struct {
        const char *s;
        size_t n;
        enum mime_field_kind kind;
    } names[] = {
        {"content-type", 12, MIME_FIELD_TYPE},
        {"content-transfer-encoding", 25, MIME_FIELD_ENCODING},
        {"content-disposition", 19, MIME_FIELD_DISPOSITION},
        {"content-description", 19, MIME_FIELD_DESCRIPTION},
        {"content-id", 10, MIME_FIELD_ID},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].n == n && strncasecmp(name, names[i].s, n) == 0)
            return names[i].kind;
    return MIME_FIELD_OTHER;
}

/* Neither 8-bit bytes nor "=?": nothing RFC 2047 could decode. */
static bool
mime_plain(const char *v, size_t len)
{
    if (utf8_ascii_len(v, len) != len)
        return false;
    for (const char *q = memchr(v, '?', len); q != NULL;
         q = memchr(q + 1, '?', len - (size_t)(q + 1 - v)))
        if (q > v && q[-1] == '=')
            return false;
    return true;
}

/* A leading space, a tab or two spaces in a row. */
static bool
mime_blank_runs(const char *v, size_t len)
{
    if ((len > 0 && v[0] == ' ') || memchr(v, '\t', len) != NULL)
        return true;
    for (const char *p = memchr(v, ' ', len); p != NULL;
         p = memchr(p + 1, ' ', len - (size_t)(p + 1 - v)))
        if (p + 1 < v + len && p[1] == ' ')
            return true;
    return false;
}

/*
 * libetpan's mailmime_field_parse runs a Content-Type value through
 * mailmime_encoded_phrase_parse before parsing it (mailers put RFC 2047
 * words in name="..."), at the cost of an iconv_open per word.  A plain
 * value comes out of that unchanged except that each run of blanks becomes
 * one space and leading blanks go: do just that here.  Returns a malloc'd
 * string, or NULL to use the value as it is.
 */
static char *
mime_phrase(const char *value, size_t len)
{
    if (!mime_plain(value, len)) {
        size_t idx = 0;
        char *out = NULL;
        if (mailmime_encoded_phrase_parse("us-ascii", value, len, &idx, "utf-8", &out) !=
            MAILIMF_NO_ERROR)
            return NULL; /* libetpan then parses the value itself */
        return out;
    }
    if (!mime_blank_runs(value, len))
        return NULL; /* nothing to join */
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        bool blank = value[i] == ' ' || value[i] == '\t';
        if (!blank)
            out[n++] = value[i];
        else if (n > 0 && out[n - 1] != ' ')
            out[n++] = ' ';
        else if (i == len - 1 && n == 0)
            out[n++] = ' '; /* blanks only: one space, as libetpan */
    }
    out[n] = '\0';
    return out;
}

/* mailmime_field_parse for Content-Type, without its costly detour when
 * there is nothing to decode (mime_phrase). */
static int
mime_content_parse(const char *value, struct mailmime_content **ct)
{
    char *phrase = mime_phrase(value, strlen(value));
    const char *s = phrase ? phrase : value;
    size_t idx = 0;
    int r = mailmime_content_parse(s, strlen(s), &idx, ct);
    free(phrase);
    return r;
}

struct mime_state {
    struct mail_arena *a;
    struct mail_part *part;
    struct mime_rawparams ct, dsp;
    bool seen_type, seen_enc, seen_disp, seen_desc, seen_id;
};

/*
 * A span of a scanned value as a string of its own, in place: the value
 * is the caller's unfolded copy in the arena, and the byte after each span
 * the scanners return (a delimiter they have passed, or the final NUL)
 * belongs to no other span.  Spares a copy a parameter.
 */
static char *
mime_span_str(char *value, struct mail_ctype_span sp)
{
    char *p = value + (sp.s - value);
    p[sp.n] = '\0';
    return p;
}

/* The same, lowercase (MIME tokens, RFC 2045 §5.1). */
static char *
mime_span_lower(char *value, struct mail_ctype_span sp)
{
    char *p = mime_span_str(value, sp);
    for (size_t i = 0; i < sp.n; i++)
        p[i] = (char)(p[i] + ((unsigned char)(p[i] - 'A') < 26 ? 'a' - 'A' : 0));
    return p;
}

/* The parameters of a scanned value, as mime_raw_add takes libetpan's. */
static void
mime_take_spans(struct mime_rawparams *rp, char *value, const struct mail_ctype_span *name,
                const struct mail_ctype_span *val, size_t n)
{
    for (size_t i = 0; i < n && rp->n < MIME_MAX_PARAMS; i++, rp->n++) {
        rp->v[rp->n].name = mime_span_lower(value, name[i]);
        rp->v[rp->n].value = mime_span_str(value, val[i]);
    }
}

static void
mime_take_type(struct mime_state *st, char *value)
{
    struct mailmime_content *ct = NULL;
    struct mail_ctype simple;
    if (mail_ctype_scan(value, strlen(value), &simple)) {
        /* as mime_take_content takes libetpan's result */
        st->part->type = simple.type_name;
        st->part->subtype = mime_span_lower(value, simple.subtype);
        mime_take_spans(&st->ct, value, simple.name, simple.value, simple.nparams);
    } else if (mime_content_parse(value, &ct) == MAILIMF_NO_ERROR) {
        mime_take_content(st->a, st->part, &st->ct, ct);
        mailmime_content_free(ct);
    } else {
        mime_content_lenient(st->a, st->part, &st->ct, value);
    }
    st->seen_type = true;
}

static void
mime_take_encoding(struct mime_state *st, const char *value)
{
    struct mailmime_mechanism *m = NULL;
    size_t idx = 0;
    if (mail_cte_scan(value, strlen(value), &st->part->encoding)) {
        st->seen_enc = true;
        return;
    }
    if (mailmime_encoding_parse(value, strlen(value), &idx, &m) != MAILIMF_NO_ERROR)
        return;
    st->part->encoding = mime_encoding(m);
    st->seen_enc = true;
    mailmime_encoding_free(m);
}

static void
mime_take_disposition_field(struct mime_state *st, char *value)
{
    struct mailmime_disposition *d = NULL;
    struct mail_cdisp simple;
    size_t idx = 0;
    if (mail_cdisp_scan(value, strlen(value), &simple)) {
        st->part->disposition = simple.is_inline ? MAIL_DISP_INLINE : MAIL_DISP_ATTACHMENT;
        mime_take_spans(&st->dsp, value, simple.name, simple.value, simple.nparams);
        st->seen_disp = true;
        return;
    }
    if (mailmime_disposition_parse(value, strlen(value), &idx, &d) != MAILIMF_NO_ERROR)
        return;
    mime_take_disposition(st->a, st->part, &st->dsp, d);
    st->seen_disp = true;
    mailmime_disposition_free(d);
}

static void
mime_take_id(struct mime_state *st, const char *value)
{
    char *id = NULL;
    size_t idx = 0;
    if (mailmime_id_parse(value, strlen(value), &idx, &id) != MAILIMF_NO_ERROR)
        return;
    if (id != NULL)
        st->part->content_id = mail_arena_strdup(st->a, id);
    st->seen_id = id != NULL;
    mailmime_id_free(id);
}

/* The first well-formed field of each kind counts, except Content-Type,
 * where the first one counts even if broken (mime_content_lenient).
 * value: the unfolded value in the arena, which the simple forms' scans
 * cut into their strings in place. */
static void
mime_take_field(struct mime_state *st, enum mime_field_kind kind, char *value)
{
    switch (kind) {
    case MIME_FIELD_TYPE:
        if (!st->seen_type)
            mime_take_type(st, value);
        break;
    case MIME_FIELD_ENCODING:
        if (!st->seen_enc)
            mime_take_encoding(st, value);
        break;
    case MIME_FIELD_DISPOSITION:
        if (!st->seen_disp)
            mime_take_disposition_field(st, value);
        break;
    case MIME_FIELD_DESCRIPTION:
        if (!st->seen_desc && value[0] != '\0') { /* libetpan wants 1*text */
            size_t n = strlen(value);
            if (value[n - 1] != ' ' && value[n - 1] != '\t' && mime_plain(value, n)) {
                /* value is unfolded, trimmed and in the arena: what
                 * mail_header_decode would return for it */
                st->part->description = value;
            } else {
                char *d = mail_header_decode(value, n);
                st->part->description = mail_arena_strdup(st->a, d);
                free(d);
            }
            st->seen_desc = true;
        }
        break;
    case MIME_FIELD_ID:
        if (!st->seen_id)
            mime_take_id(st, value);
        break;
    case MIME_FIELD_OTHER:
        break;
    }
}

static const char *
mime_find(const struct mail_param *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (mime_name_eq(p[i].name, name))
            return p[i].value;
    return NULL;
}

static void
mime_begin(struct mime_state *st, struct mail_arena *a, struct mail_part *part, const char *dtype,
           const char *dsubtype)
{
    /* Not cleared as a whole: the 2 KB of parameter slots are read only up
     * to their counts, and this runs for every part. */
    st->a = a;
    st->part = part;
    st->ct.n = st->dsp.n = 0;
    st->ct.simple = st->dsp.simple = true;
    st->seen_type = st->seen_enc = st->seen_disp = st->seen_desc = st->seen_id = false;
    part->type = dtype;
    part->subtype = dsubtype;
    part->encoding = MAIL_ENC_7BIT;
}

static void
mime_field(struct mime_state *st, const struct mail_hdr_field *f)
{
    enum mime_field_kind kind = mime_field_kind(f->name, f->nlen);
    if (kind != MIME_FIELD_OTHER)
        mime_take_field(st, kind, mail_hdr_unfold_arena(st->a, f->value, f->vlen));
}

static void
mime_end(struct mime_state *st)
{
    struct mail_arena *a = st->a;
    struct mail_part *part = st->part;
    if (st->ct.n == 0 && st->dsp.n == 0) { /* most parts: nothing to resolve */
        static const struct mail_param none[1];
        part->params = none;
        part->nparams = 0;
        part->charset = part->filename = NULL;
        return;
    }
    struct mail_param *params = mail_arena_calloc(a, st->ct.n + 1, sizeof *params);
    part->nparams = mime_resolve_params(a, &st->ct, params);
    part->params = params;
    const char *cs = mime_find(params, part->nparams, "charset");
    part->charset = cs && cs[0] ? mime_lower_shared(a, cs) : NULL;

    struct mail_param dparams[MIME_MAX_PARAMS];
    size_t nd = mime_resolve_params(a, &st->dsp, dparams);
    const char *fn = mime_find(dparams, nd, "filename");
    if (fn == NULL || fn[0] == '\0')
        fn = mime_find(params, part->nparams, "name");
    part->filename = fn && fn[0] ? fn : NULL;
}

void
mail_mime_part_fields(struct mail_arena *a, struct mail_part *part, const char *dtype,
                      const char *dsubtype)
{
    struct mime_state st;
    struct mail_hdr_iter it;
    struct mail_hdr_field f;

    mime_begin(&st, a, part, dtype, dsubtype);
    /* only the Content-* fields are unfolded and parsed: an enclosed
     * message's header is mostly Received and DKIM-Signature lines */
    mail_hdr_iter_init(&it, part->header, part->header_len);
    it.prefix = "content-";
    while (mail_hdr_iter_next(&it, &f))
        mime_field(&st, &f);
    mime_end(&st);
}

/* "content-" in any case: its first 7 bytes have the case bit folded, the
 * '-' must be itself (a CR would fold to it). */
static bool
mime_content_prefix(const char *s)
{
    uint64_t x, want;
    memcpy(&x, s, 8);
    memcpy(&want, "content-", 8);
    uint64_t fold;
    memcpy(&fold, "\x20\x20\x20\x20\x20\x20\x20\x00", 8);
    return (x | fold) == want;
}

/* The kind of field line l, as mail_hdr_line_field and mime_field_kind
 * would tell, without scanning names that cannot be one of ours. */
static enum mime_field_kind
mime_line_kind(const struct mail_hdr_line *l, struct mail_hdr_field *f)
{
    static const struct {
        const char *rest; /* after "content-" */
        size_t n;
        enum mime_field_kind kind;
    } names[] = {
        {"type", 4, MIME_FIELD_TYPE},
        {"transfer-encoding", 17, MIME_FIELD_ENCODING},
        {"disposition", 11, MIME_FIELD_DISPOSITION},
        {"description", 11, MIME_FIELD_DESCRIPTION},
        {"id", 2, MIME_FIELD_ID},
    };
    const char *s = l->s;
    if (l->len < 11 || !mime_content_prefix(s))
        return MIME_FIELD_OTHER;
    /* one candidate by the bytes after "content-" (l->len >= 11) */
    size_t k;
    switch (s[8] | 0x20) {
    case 't':
        k = (s[9] | 0x20) == 'y' ? 0 : 1;
        break;
    case 'd':
        k = (s[9] | 0x20) == 'i' ? 2 : 3;
        break;
    case 'i':
        k = 4;
        break;
    default:
        return MIME_FIELD_OTHER;
    }
    size_t end = 8 + names[k].n, j = end;
    if (l->len <= end || strncasecmp(s + 8, names[k].rest, names[k].n) != 0)
        return MIME_FIELD_OTHER;
    /* the name ends here (a ':' or blank follows, never a name
     * character) and a ':' ends the blanks (header_field_name) */
    while (j < l->len && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j == l->len || s[j] != ':')
        return MIME_FIELD_OTHER;
    f->name = s;
    f->nlen = end;
    f->value = s + j + 1;
    f->vlen = l->len - (j + 1);
    return names[k].kind;
}

void
mail_mime_part_fields_from(struct mail_arena *a, struct mail_part *part,
                           const struct mail_hdr_line *l, size_t n, bool plain_eol,
                           const char *dtype, const char *dsubtype)
{
    struct mime_state st;
    struct mail_hdr_field f;

    mime_begin(&st, a, part, dtype, dsubtype);
    for (size_t i = 0; i < n; i++) { /* the names read here all start with "content-" */
        enum mime_field_kind kind;
        if ((l[i].s[0] | 0x20) == 'c' && (kind = mime_line_kind(&l[i], &f)) != MIME_FIELD_OTHER)
            mime_take_field(&st, kind,
                            plain_eol ? mail_hdr_unfold_arena_lf(a, f.value, f.vlen)
                                      : mail_hdr_unfold_arena(a, f.value, f.vlen));
    }
    mime_end(&st);
}
