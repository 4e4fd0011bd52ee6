/*
 * envelope.c - struct mail_envelope: parsing a header block into the fields
 * the index shows, packing, copying and freeing, and date formatting.
 *
 * libetpan parses the fields (mailimf_envelope_fields_parse skips every
 * field it does not need, which keeps indexing 100k messages fast); RFC 2047
 * words go through mail_header_decode().  A field libetpan rejects (a From
 * with a stray parenthesis) falls back to its decoded raw text.
 *
 * Invariant: a parsed or copied envelope is one allocation, a hidden
 * header followed by the struct and its strings ("packed"); a string
 * pointer inside that block is never freed on its own, so mail_envelope_set
 * may replace fields of packed and unpacked envelopes alike.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/mailimf.h>
#include <libetpan/mailmime.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "mail/message-private.h"

struct envelope_box {
    const char *block; /* first byte of packed strings, or NULL */
    const char *block_end;
    struct mail_envelope env;
};

_Static_assert(MAIL_ENV_NSTR == 10, "envelope string count");

enum envelope_str {
    ENV_KEY,
    ENV_FROM,
    ENV_FROM_NAME,
    ENV_FROM_ADDR,
    ENV_TO,
    ENV_CC,
    ENV_SUBJECT,
    ENV_MESSAGE_ID,
    ENV_IN_REPLY_TO,
    ENV_REFERENCES,
    ENV_NSTR
};

static const size_t envelope_offsets[ENV_NSTR] = {
    offsetof(struct mail_envelope, key),         offsetof(struct mail_envelope, from),
    offsetof(struct mail_envelope, from_name),   offsetof(struct mail_envelope, from_addr),
    offsetof(struct mail_envelope, to),          offsetof(struct mail_envelope, cc),
    offsetof(struct mail_envelope, subject),     offsetof(struct mail_envelope, message_id),
    offsetof(struct mail_envelope, in_reply_to), offsetof(struct mail_envelope, references),
};

static char **
envelope_slot(struct mail_envelope *env, enum envelope_str i)
{
    return (char **)((char *)env + envelope_offsets[i]);
}

static struct envelope_box *
envelope_box_of(struct mail_envelope *env)
{
    return (struct envelope_box *)((char *)env - offsetof(struct envelope_box, env));
}

struct mail_envelope *
mail_envelope_new(void)
{
    struct envelope_box *box = xcalloc(1, sizeof *box);
    return &box->env;
}

static bool
envelope_packed(const struct envelope_box *box, const char *s)
{
    return box->block != NULL && s >= box->block && s < box->block_end;
}

void
mail_envelope_free(struct mail_envelope *env)
{
    if (env == NULL)
        return;
    struct envelope_box *box = envelope_box_of(env);
    for (int i = 0; i < ENV_NSTR; i++) {
        char *s = *envelope_slot(env, (enum envelope_str)i);
        if (s != NULL && !envelope_packed(box, s))
            free(s);
    }
    free(box);
}

void
mail_envelope_set(struct mail_envelope *env, char **field, const char *value)
{
    struct envelope_box *box = envelope_box_of(env);
    if (*field != NULL && !envelope_packed(box, *field))
        free(*field);
    *field = xstrdup0(value);
}

/* Strings collected in one buffer, each NUL-terminated, then packed. */
struct envelope_builder {
    struct strbuf sb;
    size_t off[ENV_NSTR];
    bool set[ENV_NSTR];
};

static void
envelope_builder_put(struct envelope_builder *b, enum envelope_str i, const char *s, size_t n)
{
    b->off[i] = b->sb.len;
    b->set[i] = true;
    strbuf_add(&b->sb, s, n);
    strbuf_addc(&b->sb, '\0');
}

static struct mail_envelope *
envelope_builder_pack(struct envelope_builder *b, const struct mail_envelope *scalars)
{
    struct envelope_box *box = xmalloc(sizeof *box + b->sb.len);
    char *block = (char *)(box + 1);
    if (b->sb.len > 0)
        memcpy(block, b->sb.buf, b->sb.len);
    box->block = block;
    box->block_end = block + b->sb.len;
    box->env = *scalars;
    for (int i = 0; i < ENV_NSTR; i++)
        *envelope_slot(&box->env, (enum envelope_str)i) = b->set[i] ? block + b->off[i] : NULL;
    strbuf_free(&b->sb);
    return &box->env;
}

struct mail_envelope *
mail_envelope_dup(const struct mail_envelope *env)
{
    if (env == NULL)
        return NULL;
    struct envelope_builder b = {.sb = STRBUF_INIT};
    for (int i = 0; i < ENV_NSTR; i++) {
        const char *s = *envelope_slot((struct mail_envelope *)env, (enum envelope_str)i);
        if (s != NULL)
            envelope_builder_put(&b, (enum envelope_str)i, s, strlen(s));
    }
    return envelope_builder_pack(&b, env);
}

void
mail_envelope_strings(const struct mail_envelope *env, const char *out[MAIL_ENV_NSTR])
{
    for (int i = 0; i < ENV_NSTR; i++)
        out[i] = *envelope_slot((struct mail_envelope *)env, (enum envelope_str)i);
}

struct mail_envelope *
mail_envelope_from_strings(const char *const s[MAIL_ENV_NSTR], const size_t len[MAIL_ENV_NSTR],
                           const struct mail_envelope *scalars)
{
    /* one allocation, sized first: the header cache makes 100k of these */
    size_t total = 0;
    for (int i = 0; i < ENV_NSTR; i++)
        if (s[i] != NULL)
            total += len[i] + 1;
    struct envelope_box *box = xmalloc(sizeof *box + total);
    char *p = (char *)(box + 1);
    box->block = p;
    box->block_end = p + total;
    box->env = *scalars;
    for (int i = 0; i < ENV_NSTR; i++) {
        char **slot = envelope_slot(&box->env, (enum envelope_str)i);
        *slot = NULL;
        if (s[i] == NULL)
            continue;
        *slot = p;
        memcpy(p, s[i], len[i]);
        p[len[i]] = '\0';
        p += len[i] + 1;
    }
    return &box->env;
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); avoids timegm()/TZ look-ups on the indexing path. */
static long long
envelope_days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void
envelope_set_date(struct mail_envelope *env, const struct mailimf_date_time *dt)
{
    int year = dt->dt_year;
    if (year >= 0 && year < 50) /* RFC 5322 §4.3: two-digit years */
        year += 2000;
    else if (year >= 50 && year < 1000)
        year += 1900;
    if (dt->dt_month < 1 || dt->dt_month > 12 || dt->dt_day < 1 || dt->dt_day > 31 ||
        dt->dt_hour < 0 || dt->dt_hour > 23 || dt->dt_min < 0 || dt->dt_min > 59 ||
        dt->dt_sec < 0 || dt->dt_sec > 60 || year > 9999)
        return;
    int zone = dt->dt_zone, sign = zone < 0 ? -1 : 1;
    zone *= sign;
    if (zone > 9959 || zone % 100 > 59)
        zone = 0;
    int offset = sign * (zone / 100 * 60 + zone % 100);
    long long days = envelope_days_from_civil(year, (unsigned)dt->dt_month, (unsigned)dt->dt_day);
    long long t = days * 86400 + dt->dt_hour * 3600 + dt->dt_min * 60 + dt->dt_sec;
    env->date = (time_t)(t - (long long)offset * 60);
    env->tz_offset = offset;
}

void
mail_format_date(time_t t, int tz_offset, char *buf, size_t size)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (size == 0)
        return;
    if (tz_offset < -24 * 60 || tz_offset > 24 * 60)
        tz_offset = 0;
    time_t local = t + (time_t)tz_offset * 60;
    if (gmtime_r(&local, &tm) == NULL) {
        snprintf(buf, size, "?");
        return;
    }
    int a = tz_offset < 0 ? -tz_offset : tz_offset;
    snprintf(buf, size, "%s, %d %s %d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
             tz_offset < 0 ? '-' : '+', a / 60, a % 60);
}

/* ---- addresses ---- */

/* Display name decoded (RFC 2047 §5 (3) allows encoded words in phrases). */
static char *
envelope_name(const char *raw)
{
    if (raw == NULL || raw[0] == '\0')
        return NULL;
    char *s = mail_header_decode(raw, strlen(raw));
    if (s[0] == '\0') {
        free(s);
        return NULL;
    }
    return s;
}

static void
envelope_add_mailbox(struct strbuf *sb, const struct mailimf_mailbox *mb, char **first_name,
                     char **first_addr)
{
    if (mb == NULL)
        return;
    char *name = envelope_name(mb->mb_display_name);
    const char *addr = mb->mb_addr_spec ? mb->mb_addr_spec : "";
    if (sb->len > 0)
        strbuf_adds(sb, ", ");
    if (name != NULL) {
        strbuf_adds(sb, name);
        strbuf_add(sb, " <", 2);
    }
    mail_utf8_repair(sb, addr, strlen(addr)); /* RFC 6532 allows UTF-8; repair the rest */
    if (name != NULL)
        strbuf_addc(sb, '>');
    if (first_addr != NULL && *first_addr == NULL) {
        struct strbuf a = STRBUF_INIT;
        mail_utf8_repair(&a, addr, strlen(addr));
        *first_addr = strbuf_detach(&a, NULL);
        *first_name = name ? name : xstrdup(*first_addr);
        name = NULL;
    }
    free(name);
}

static void
envelope_add_mailboxes(struct strbuf *sb, const struct mailimf_mailbox_list *l, char **first_name,
                       char **first_addr)
{
    if (l == NULL || l->mb_list == NULL)
        return;
    for (clistiter *it = clist_begin(l->mb_list); it != NULL; it = clist_next(it))
        envelope_add_mailbox(sb, clist_content(it), first_name, first_addr);
}

static void
envelope_add_addresses(struct strbuf *sb, const struct mailimf_address_list *l)
{
    if (l == NULL || l->ad_list == NULL)
        return;
    for (clistiter *it = clist_begin(l->ad_list); it != NULL; it = clist_next(it)) {
        const struct mailimf_address *a = clist_content(it);
        if (a->ad_type == MAILIMF_ADDRESS_MAILBOX) {
            envelope_add_mailbox(sb, a->ad_data.ad_mailbox, NULL, NULL);
        } else if (a->ad_type == MAILIMF_ADDRESS_GROUP && a->ad_data.ad_group != NULL) {
            const struct mailimf_group *g = a->ad_data.ad_group;
            size_t before = sb->len;
            envelope_add_mailboxes(sb, g->grp_mb_list, NULL, NULL);
            if (sb->len == before) { /* empty group ("undisclosed-recipients:;") */
                char *name = envelope_name(g->grp_display_name);
                if (name != NULL) {
                    strbuf_addf(sb, "%s%s:;", before > 0 ? ", " : "", name);
                    free(name);
                }
            }
        }
    }
}

static void
envelope_add_ids(struct strbuf *sb, const clist *ids, bool first_only)
{
    if (ids == NULL)
        return;
    for (clistiter *it = clist_begin((clist *)ids); it != NULL; it = clist_next(it)) {
        const char *id = clist_content(it);
        if (sb->len > 0)
            strbuf_addc(sb, ' ');
        mail_utf8_repair(sb, id, strlen(id));
        if (first_only)
            break;
    }
}

/* ---- parsing ---- */

struct envelope_tmp {
    struct strbuf from, to, cc, subject, mid, irt, refs;
    char *from_name, *from_addr;
    bool has_from, has_to, has_cc, has_subject, has_mid, has_irt, has_refs, has_date;
    struct mail_envelope scalars;
};

static void
envelope_take_field(struct envelope_tmp *t, const struct mailimf_field *f)
{
    switch (f->fld_type) {
    case MAILIMF_FIELD_ORIG_DATE:
        if (!t->has_date && f->fld_data.fld_orig_date && f->fld_data.fld_orig_date->dt_date_time)
            envelope_set_date(&t->scalars, f->fld_data.fld_orig_date->dt_date_time);
        t->has_date = true;
        break;
    case MAILIMF_FIELD_FROM:
        if (!t->has_from && f->fld_data.fld_from)
            envelope_add_mailboxes(&t->from, f->fld_data.fld_from->frm_mb_list, &t->from_name,
                                   &t->from_addr);
        t->has_from = true;
        break;
    case MAILIMF_FIELD_TO:
        if (!t->has_to && f->fld_data.fld_to)
            envelope_add_addresses(&t->to, f->fld_data.fld_to->to_addr_list);
        t->has_to = true;
        break;
    case MAILIMF_FIELD_CC:
        if (!t->has_cc && f->fld_data.fld_cc)
            envelope_add_addresses(&t->cc, f->fld_data.fld_cc->cc_addr_list);
        t->has_cc = true;
        break;
    case MAILIMF_FIELD_SUBJECT:
        if (!t->has_subject && f->fld_data.fld_subject && f->fld_data.fld_subject->sbj_value) {
            const char *v = f->fld_data.fld_subject->sbj_value;
            char *d = mail_header_decode(v, strlen(v));
            strbuf_adds(&t->subject, d);
            free(d);
            t->has_subject = true;
        }
        break;
    case MAILIMF_FIELD_MESSAGE_ID:
        if (!t->has_mid && f->fld_data.fld_message_id && f->fld_data.fld_message_id->mid_value) {
            const char *v = f->fld_data.fld_message_id->mid_value;
            mail_utf8_repair(&t->mid, v, strlen(v));
            t->has_mid = true;
        }
        break;
    case MAILIMF_FIELD_IN_REPLY_TO:
        if (!t->has_irt && f->fld_data.fld_in_reply_to)
            envelope_add_ids(&t->irt, f->fld_data.fld_in_reply_to->mid_list, true);
        t->has_irt = true;
        break;
    case MAILIMF_FIELD_REFERENCES:
        if (!t->has_refs && f->fld_data.fld_references)
            envelope_add_ids(&t->refs, f->fld_data.fld_references->mid_list, false);
        t->has_refs = true;
        break;
    default:
        break;
    }
}

/* Strip <> and white space around a msg-id libetpan would not parse. */
static void
envelope_raw_id(struct strbuf *sb, const char *v)
{
    size_t n = strlen(v);
    while (n > 0 && (v[0] == ' ' || v[0] == '\t' || v[0] == '<'))
        v++, n--;
    const char *end = memchr(v, '>', n);
    if (end != NULL)
        n = (size_t)(end - v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    mail_utf8_repair(sb, v, n);
}

static void
envelope_raw_text(struct strbuf *sb, const char *v)
{
    char *d = mail_header_decode(v, strlen(v));
    strbuf_adds(sb, d);
    free(d);
}

/* Fields libetpan rejected keep their decoded raw text (best effort). */
static void
envelope_fallback(struct envelope_tmp *t, const char *hdr, size_t len)
{
    struct mail_field *f;
    size_t n = mail_fields_parse(hdr, len, &f);
    for (size_t i = 0; i < n; i++) {
        const char *name = f[i].name, *v = f[i].value;
        if (strcasecmp(name, "From") == 0 && t->from.len == 0 && v[0] != '\0') {
            envelope_raw_text(&t->from, v);
            free(t->from_name);
            t->from_name = xstrdup(strbuf_str(&t->from));
        } else if (strcasecmp(name, "To") == 0 && t->to.len == 0) {
            envelope_raw_text(&t->to, v);
        } else if (strcasecmp(name, "Cc") == 0 && t->cc.len == 0) {
            envelope_raw_text(&t->cc, v);
        } else if (strcasecmp(name, "Subject") == 0 && !t->has_subject) {
            envelope_raw_text(&t->subject, v);
            t->has_subject = true;
        } else if (strcasecmp(name, "Message-ID") == 0 && t->mid.len == 0 && v[0] != '\0') {
            envelope_raw_id(&t->mid, v);
        }
    }
    mail_fields_free(f, n);
}

/* strbuf contents as a string slot: NULL when absent and empty */
static void
envelope_slot_of(const struct strbuf *sb, bool present, const char **s, size_t *len)
{
    *s = present || sb->len > 0 ? (sb->buf ? sb->buf : "") : NULL;
    *len = sb->len;
}

static struct mail_envelope *
envelope_finish(struct envelope_tmp *t, const char *key)
{
    const char *s[ENV_NSTR];
    size_t len[ENV_NSTR];
    s[ENV_KEY] = key;
    len[ENV_KEY] = key ? strlen(key) : 0;
    envelope_slot_of(&t->from, false, &s[ENV_FROM], &len[ENV_FROM]);
    s[ENV_FROM_NAME] = t->from_name;
    len[ENV_FROM_NAME] = t->from_name ? strlen(t->from_name) : 0;
    s[ENV_FROM_ADDR] = t->from_addr;
    len[ENV_FROM_ADDR] = t->from_addr ? strlen(t->from_addr) : 0;
    envelope_slot_of(&t->to, false, &s[ENV_TO], &len[ENV_TO]);
    envelope_slot_of(&t->cc, false, &s[ENV_CC], &len[ENV_CC]);
    envelope_slot_of(&t->subject, t->has_subject, &s[ENV_SUBJECT], &len[ENV_SUBJECT]);
    envelope_slot_of(&t->mid, false, &s[ENV_MESSAGE_ID], &len[ENV_MESSAGE_ID]);
    envelope_slot_of(&t->irt, false, &s[ENV_IN_REPLY_TO], &len[ENV_IN_REPLY_TO]);
    envelope_slot_of(&t->refs, false, &s[ENV_REFERENCES], &len[ENV_REFERENCES]);
    /* packed straight from the buffers: one allocation, no builder copy */
    struct mail_envelope *env = mail_envelope_from_strings(s, len, &t->scalars);
    strbuf_free(&t->from);
    strbuf_free(&t->to);
    strbuf_free(&t->cc);
    strbuf_free(&t->subject);
    strbuf_free(&t->mid);
    strbuf_free(&t->irt);
    strbuf_free(&t->refs);
    free(t->from_name);
    free(t->from_addr);
    return env;
}

/* libetpan wants each field to end in a line break and knows LF and CRLF,
 * not bare CR: give it a fixed-up copy when the block needs one. */
static char *
envelope_fixup(const char *hdr, size_t *len)
{
    size_t n = *len;
    bool bare_cr = false;
    for (const char *p = memchr(hdr, '\r', n); p != NULL && !bare_cr;
         p = memchr(p + 1, '\r', n - (size_t)(p + 1 - hdr)))
        bare_cr = (size_t)(p + 1 - hdr) >= n || p[1] != '\n';
    if (!bare_cr && n > 0 && hdr[n - 1] == '\n')
        return NULL;
    char *copy = xmalloc(n + 2);
    for (size_t i = 0; i < n; i++)
        copy[i] = (hdr[i] == '\r' && (i + 1 >= n || hdr[i + 1] != '\n')) ? '\n' : hdr[i];
    if (n == 0 || copy[n - 1] != '\n')
        copy[n++] = '\n';
    copy[n] = '\0';
    *len = n;
    return copy;
}

/* Fields the envelope needs (RFC 5322 §3.6 names). */
static bool
envelope_wanted(const char *name, size_t n)
{
    static const struct {
        const char *s;
        size_t n;
    } names[] = {{"from", 4}, {"to", 2},          {"cc", 2},           {"subject", 7},
                 {"date", 4}, {"message-id", 10}, {"in-reply-to", 11}, {"references", 10}};
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) /* length first: cheap */
        if (names[i].n == n && strncasecmp(name, names[i].s, n) == 0)
            return true;
    return false;
}

/* Copy only the wanted fields (with their folded lines) to out.  Real
 * headers are mostly Received and DKIM-Signature lines, which libetpan
 * would otherwise skip character by character: this halves the cost of
 * indexing a folder. */
static void
envelope_select(const char *hdr, size_t hlen, struct strbuf *out)
{
    size_t i = 0;
    bool keep = false;
    while (i < hlen) {
        const char *nl = memchr(hdr + i, '\n', hlen - i);
        size_t e = nl ? (size_t)(nl - hdr) + 1 : hlen;
        if (hdr[i] != ' ' && hdr[i] != '\t') {
            const char *colon = memchr(hdr + i, ':', e - i);
            keep = colon != NULL && envelope_wanted(hdr + i, (size_t)(colon - hdr) - i);
        }
        if (keep)
            strbuf_add(out, hdr + i, e - i);
        i = e;
    }
    if (out->len > 0 && out->buf[out->len - 1] != '\n')
        strbuf_addc(out, '\n'); /* libetpan wants every field to end in a line break */
}

struct mail_envelope *
mail_envelope_parse(const char *data, size_t len, struct nx_err *err)
{
    return mail_envelope_parse_key(data, len, NULL, err);
}

struct mail_envelope *
mail_envelope_parse_key(const char *data, size_t len, const char *key, struct nx_err *err)
{
    struct envelope_tmp t = {.from = STRBUF_INIT};
    struct mailimf_fields *fields = NULL;
    size_t hlen, body, idx = 0;

    if (data == NULL) {
        nx_err_set(err, NX_ERR_PARSE, "no message data");
        return NULL;
    }
    if (len > MAIL_MAX_MESSAGE_SIZE) {
        nx_err_set(err, NX_ERR_LIMIT, "message of %zu bytes is larger than the %u byte limit", len,
                   MAIL_MAX_MESSAGE_SIZE);
        return NULL;
    }
    mail_hdr_split(data, len, &hlen, &body);
    char *copy = envelope_fixup(data, &hlen);
    struct strbuf sel = STRBUF_INIT;
    envelope_select(copy ? copy : data, hlen, &sel);
    free(copy);
    if (sel.len > 0 &&
        mailimf_envelope_fields_parse(sel.buf, sel.len, &idx, &fields) == MAILIMF_NO_ERROR) {
        for (clistiter *it = clist_begin(fields->fld_list); it; it = clist_next(it))
            envelope_take_field(&t, clist_content(it));
        mailimf_fields_free(fields);
    }
    /* From and Message-ID are in nearly every message: when one is missing,
     * look for a field libetpan rejected. */
    if (sel.len > 0 && (t.from.len == 0 || t.mid.len == 0))
        envelope_fallback(&t, sel.buf, sel.len);
    strbuf_free(&sel);
    t.scalars.size = len;
    return envelope_finish(&t, key);
}
