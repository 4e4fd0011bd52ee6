/*
 * status.c - lookup of SMTP enhanced status codes and reply codes in the
 * table of mail/status-text.def, and the Markdown docs generated from it.
 *
 * Invariants: the table holds a class row for 2, 3, 4 and 5 (checked by the
 * unit tests), so every valid code resolves to at least its class; parsing
 * reads at most a few bytes past the code and never allocates, so hostile
 * input (long strings, NUL bytes, odd digits) costs nothing and cannot crash.
 */
#include "mail/status.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mail/base/strbuf.h"

static const struct status_entry status_table[] = {
#define STATUS_CLASS(c, code, title, expl, action, ref)                                            \
    {STATUS_KIND_CLASS, code, c, -1, -1, -1, false, title, expl, action, ref},
#define STATUS_SUBJECT(s, title, expl, action, ref)                                                \
    {STATUS_KIND_SUBJECT, "X." #s ".X", -1, s, -1, -1, false, title, expl, action, ref},
#define STATUS_DETAIL(s, d, ok, title, expl, action, ref)                                          \
    {STATUS_KIND_DETAIL, "X." #s "." #d, -1, s, d, -1, ok, title, expl, action, ref},
#define STATUS_REPLY(r, title, expl, action, ref)                                                  \
    {STATUS_KIND_REPLY, #r, -1, -1, -1, r, false, title, expl, action, ref},
#include "mail/status-text.def"
};

#define STATUS_NROWS (sizeof status_table / sizeof status_table[0])

size_t
status_count(void)
{
    return STATUS_NROWS;
}

const struct status_entry *
status_entry_at(size_t i)
{
    return i < STATUS_NROWS ? &status_table[i] : NULL;
}

/* The row of `kind` whose numbers match; -1 matches only -1. */
static const struct status_entry *
status_find(enum status_kind kind, int a, int b)
{
    for (size_t i = 0; i < STATUS_NROWS; i++) {
        const struct status_entry *e = &status_table[i];
        if (e->kind != kind)
            continue;
        switch (kind) {
        case STATUS_KIND_CLASS:
            if (e->class_digit == a)
                return e;
            break;
        case STATUS_KIND_SUBJECT:
            if (e->subject == a)
                return e;
            break;
        case STATUS_KIND_DETAIL:
            if (e->subject == a && e->detail == b)
                return e;
            break;
        case STATUS_KIND_REPLY:
            if (e->reply == a)
                return e;
            break;
        }
    }
    return NULL;
}

static bool
status_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
status_isalnum(char c)
{
    return status_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
status_isblank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* 1-3 digits at s[*i] (RFC 3463: subject and detail are 1*3digit). */
static bool
status_scan_number(const char *s, size_t len, size_t *i, int *out)
{
    size_t start = *i;
    int v = 0;

    while (*i < len && status_isdigit(s[*i])) {
        if (*i - start == 3)
            return false;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return *i > start;
}

/* Scan "class.subject.detail" at s[0..len); returns its length or 0.  What
 * follows must not continue it: no digit, letter, or '.' before a digit. */
static size_t
status_scan(const char *s, size_t len, int num[3])
{
    size_t i;

    if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return 0;
    num[0] = s[0] - '0';
    i = 2;
    if (!status_scan_number(s, len, &i, &num[1]) || i >= len || s[i] != '.')
        return 0;
    i++;
    if (!status_scan_number(s, len, &i, &num[2]))
        return 0;
    if (i < len && status_isalnum(s[i]))
        return 0;
    if (i + 1 < len && s[i] == '.' && status_isdigit(s[i + 1]))
        return 0;
    return i;
}

/* Skip blanks and one optional '#' (Exchange writes "#5.1.1"). */
static size_t
status_skip_prefix(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && status_isblank(s[i]))
        i++;
    if (i < len && s[i] == '#')
        i++;
    return i;
}

static void
status_info_init(struct status_info *out, const struct status_entry *cls)
{
    memset(out, 0, sizeof *out);
    out->class_title = cls->title;
    out->class_text = cls->explanation;
    out->subject_title = "";
    out->success = cls->class_digit == 2;
    out->intermediate = cls->class_digit == 3;
    out->transient = cls->class_digit == 4;
    out->permanent = cls->class_digit == 5;
}

static void
status_info_take(struct status_info *out, const struct status_entry *e, const char *action)
{
    out->entry = e;
    out->title = e->title;
    out->explanation = e->explanation;
    out->action = action;
}

static void
status_fill_enhanced(const int num[3], struct status_info *out)
{
    const struct status_entry *cls = status_find(STATUS_KIND_CLASS, num[0], -1);
    const struct status_entry *subj = status_find(STATUS_KIND_SUBJECT, num[1], -1);
    const struct status_entry *det = status_find(STATUS_KIND_DETAIL, num[1], num[2]);
    const struct status_entry *best = det ? det : subj ? subj : cls;

    status_info_init(out, cls);
    snprintf(out->code, sizeof out->code, "%d.%d.%d", num[0], num[1], num[2]);
    if (subj)
        out->subject_title = subj->title;
    out->known_detail = det != NULL;
    /* After a success most advice ("check the address") does not apply. */
    bool own_action = !out->success || (det && det->on_success);
    status_info_take(out, best, own_action ? best->action : cls->action);
}

int
status_lookup_n(const char *s, size_t len, struct status_info *out)
{
    int num[3];

    if (!s)
        return -1;
    size_t i = status_skip_prefix(s, len);
    size_t n = status_scan(s + i, len - i, num);
    if (n == 0)
        return -1;
    for (i += n; i < len; i++)
        if (!status_isblank(s[i]))
            return -1;
    if (out)
        status_fill_enhanced(num, out);
    return 0;
}

int
status_lookup(const char *s, struct status_info *out)
{
    return s ? status_lookup_n(s, strlen(s), out) : -1;
}

int
status_lookup_reply(int reply, struct status_info *out)
{
    if (reply < 200 || reply > 599)
        return -1;
    if (!out)
        return 0;
    const struct status_entry *cls = status_find(STATUS_KIND_CLASS, reply / 100, -1);
    const struct status_entry *e = status_find(STATUS_KIND_REPLY, reply, -1);

    status_info_init(out, cls);
    snprintf(out->code, sizeof out->code, "%d", reply);
    out->known_detail = e != NULL;
    status_info_take(out, e ? e : cls, e ? e->action : cls->action);
    return 0;
}

size_t
status_parse(const char *s, char *buf, size_t size)
{
    int num[3];

    if (buf && size > 0)
        buf[0] = '\0';
    if (!s || (buf && size < STATUS_CODE_MAX))
        return 0;
    /* The prefix stops at the NUL; past it, a code and the two bytes that
     * may follow it are all status_scan looks at. */
    size_t i = status_skip_prefix(s, SIZE_MAX);
    size_t n = status_scan(s + i, strnlen(s + i, STATUS_CODE_MAX + 2), num);
    if (n == 0)
        return 0;
    if (buf)
        snprintf(buf, size, "%d.%d.%d", num[0], num[1], num[2]);
    return i + n;
}

void
status_describe(const struct status_info *info, struct strbuf *out)
{
    strbuf_addf(out, "%s (%s)", info->class_title, info->code);
    if (info->entry && info->entry->kind != STATUS_KIND_CLASS)
        strbuf_addf(out, ": %s. %s", info->title, info->explanation);
    else
        strbuf_addc(out, '.');
    strbuf_addf(out, " %s What you can do: %s", info->class_text, info->action);
}

/* One Markdown table cell: '|' would end the cell early. */
static void
status_md_cell(struct strbuf *out, const char *text)
{
    strbuf_adds(out, " ");
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            strbuf_addc(out, '\\');
        strbuf_addc(out, *p);
    }
    strbuf_adds(out, " |");
}

static void
status_md_section(struct strbuf *out, enum status_kind kind, const char *heading, const char *intro)
{
    strbuf_addf(out, "\n## %s\n\n%s\n\n", heading, intro);
    strbuf_adds(out, "| Code | Meaning | What it means for you | What you can do | Defined in |\n");
    strbuf_adds(out, "|---|---|---|---|---|\n");
    for (size_t i = 0; i < STATUS_NROWS; i++) {
        const struct status_entry *e = &status_table[i];
        if (e->kind != kind)
            continue;
        strbuf_addf(out, "| `%s` |", e->code);
        status_md_cell(out, e->title);
        status_md_cell(out, e->explanation);
        status_md_cell(out, e->action);
        status_md_cell(out, e->ref);
        strbuf_addc(out, '\n');
    }
}

void
status_markdown(struct strbuf *out)
{
    strbuf_adds(out, "# SMTP status codes\n\n"
                     "<!-- Generated from mail/status-text.def by nixie-status-doc; do not edit.\n"
                     "     Regenerate: build/mail/nixie-status-doc > docs/status-codes.md -->\n\n"
                     "What nixie tells you when a mail server reports a status: in a bounce or\n"
                     "delay notice, or when a server refuses a message as you send it.\n\n"
                     "An enhanced status code such as `5.1.1` has three parts: the class (`5`),\n"
                     "which says whether it worked, failed for now or failed for good; the\n"
                     "subject (`1`), the area of the problem; and the detail (`1`), the exact\n"
                     "condition.  nixie shows the class's text together with the most specific\n"
                     "text it knows: the detail's, else the subject's, else the class's alone.\n"
                     "Detail texts are written to fit both a temporary (`4`) and a permanent\n"
                     "(`5`) class.  Servers also send a three-digit reply code such as `550`,\n"
                     "listed last; an unknown one is explained by its first digit.\n");
    status_md_section(out, STATUS_KIND_CLASS, "Classes",
                      "The first digit.  `3xx` occurs only in reply codes.");
    status_md_section(out, STATUS_KIND_SUBJECT, "Subjects",
                      "The middle number; used when the detail code is unknown.");
    status_md_section(out, STATUS_KIND_DETAIL, "Detail codes",
                      "Every code of the IANA SMTP Enhanced Status Codes registry; `X` stands "
                      "for the class.");
    status_md_section(out, STATUS_KIND_REPLY, "Reply codes",
                      "Basic SMTP reply codes (RFC 5321 and extensions).");
}
