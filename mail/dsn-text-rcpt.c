/*
 * dsn-text-rcpt.c - the one generic reader of recipients in a free-text
 * bounce: which addresses in the notice are failed recipients, and which
 * words belong to each.
 *
 * Every address in the notice (before the quoted original) is a candidate,
 * ranked by the shape of its line: alone on its line or leading it
 * ("<a@b>:", "a@b... User unknown", "  a@b") > after recipient wording
 * ("Your message to a@b", "RCPT TO:<a@b>") > anywhere.  The best rank wins.
 * Addresses of the bounce's own sender and receiver, of daemons, in header
 * lines or message ids are never recipients.  A recipient's diagnostic is the
 * rest of its line and the lines below it up to a blank line; if that holds
 * no SMTP code, lines elsewhere that name the address or carry a code are
 * added (sendmail transcripts, Gmail's "The error that the other server
 * returned was").
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"
#include "mail/dsn-private.h"
#include "mail/message.h"

#define DSN_MAX_LINES 65536
#define DSN_MAX_CANDS 40000
#define DSN_DIAG_LINES 12

struct dsn_line {
    size_t start, end;
};

struct dsn_cand {
    size_t line;
    size_t pos, len; /* the address in the notice */
    int rank;        /* 3 leads its line, 2 after recipient wording, 1 elsewhere */
};

struct dsn_reader {
    struct dsn_ctx *ctx;
    const char *text;
    size_t len;
    struct dsn_line *lines;
    size_t nlines;
    struct dsn_cand *cands;
    size_t ncands;
    char *exclude[8]; /* addresses that are not recipients (owned) */
    size_t nexclude;
};

static void
dsn_reader_lines(struct dsn_reader *rd)
{
    size_t cap = 256;
    rd->lines = xmalloc(cap * sizeof *rd->lines);
    for (size_t pos = 0, next; pos < rd->len && rd->nlines < DSN_MAX_LINES; pos = next) {
        size_t end = dsn_line_end(rd->text, rd->len, pos, &next);
        if (rd->nlines == cap) {
            cap *= 2;
            rd->lines = xreallocarray(rd->lines, cap, sizeof *rd->lines);
        }
        rd->lines[rd->nlines++] = (struct dsn_line){pos, end};
        if (next <= pos)
            break;
    }
}

static void
dsn_exclude_add(struct dsn_reader *rd, const char *value)
{
    if (!value || rd->nexclude >= sizeof rd->exclude / sizeof rd->exclude[0])
        return;
    size_t alen;
    size_t len = strnlen(value, 4096);
    for (size_t at = dsn_addr_next(value, len, 0, &alen);
         at != SIZE_MAX && rd->nexclude < sizeof rd->exclude / sizeof rd->exclude[0];
         at = dsn_addr_next(value, len, at + alen, &alen))
        rd->exclude[rd->nexclude++] = xstrndup(value + at, alen);
}

static bool
dsn_excluded(const struct dsn_reader *rd, const char *a, size_t alen)
{
    static const char *const daemons[] = {"mailer-daemon@", "mailer_daemon@", "mail-daemon@"};
    for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
        if (dsn_has_prefix(a, alen, daemons[i]))
            return true;
    for (size_t i = 0; i < rd->nexclude; i++)
        if (strlen(rd->exclude[i]) == alen && strncasecmp(rd->exclude[i], a, alen) == 0)
            return true;
    return false;
}

/* Lines that quote header fields or trace data: their addresses are senders,
 * message ids or hops, never failed recipients. */
static bool
dsn_header_line(const char *l, size_t len)
{
    static const char *const names[] = {
        "from:",        "reply-to:",    "sender:",     "return-path:", "message-id:",
        "received:",    "references:",  "in-reply-to:", "date:",       "envelope-from",
        "dkim-",        "x-",           "errors-to:",  "list-",        "cc:",
        "resent-",      "by ",          "with ",        "id ",         "authentication-results",
        "mail from:",   ">>> mail from", "subject:",   "content-",     "(envelope-from",
    };
    const char *t = l;
    size_t tl = len;
    dsn_trim(&t, &tl);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (dsn_has_prefix(t, tl, names[i]))
            return true;
    return false;
}

/* Recipient wording before an address on its line. */
static bool
dsn_rcpt_words(const char *pre, size_t len)
{
    static const char *const words[] = {
        "recipient", "rcpt",   "to:",     " to ",    "deliver", "address", "user",
        "mailbox",   "account", "for <",  "addressee", "destinat", "failed", "mail to",
        "mailto:",   "to <",   "unknown", "invalid", "rejected",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (dsn_memcasemem(pre, len, words[i]))
            return true;
    return false;
}

static bool
dsn_msgid_context(const char *pre, size_t len)
{
    return dsn_memcasemem(pre, len, "message-id") || dsn_memcasemem(pre, len, "message id") ||
           dsn_memcasemem(pre, len, "msgid") || dsn_memcasemem(pre, len, "://");
}

static int
dsn_cand_rank(const struct dsn_reader *rd, const struct dsn_line *ln, size_t a, size_t alen)
{
    const char *s = rd->text;
    size_t pre_len = a - ln->start;
    const char *pre = s + ln->start;
    if (dsn_header_line(pre, ln->end - ln->start) || dsn_msgid_context(pre, pre_len))
        return 0;
    if (dsn_excluded(rd, s + a, alen))
        return 0;
    /* what precedes, without bullets, quotes and brackets */
    size_t i = 0;
    while (i < pre_len && (isspace((unsigned char)pre[i]) || strchr("<\"'*->:[(", pre[i])))
        i++;
    if (i == pre_len) {
        /* an address in angle brackets inside a longer sentence is still leading */
        return 3;
    }
    if (dsn_has_prefix(pre + i, pre_len - i, "mailto:") && i + 7 == pre_len)
        return 3;
    return dsn_rcpt_words(pre, pre_len) ? 2 : 1;
}

static void
dsn_reader_cands(struct dsn_reader *rd)
{
    size_t cap = 0;
    for (size_t li = 0; li < rd->nlines; li++) {
        const struct dsn_line *ln = &rd->lines[li];
        size_t alen;
        for (size_t a = dsn_addr_next(rd->text, ln->end, ln->start, &alen); a != SIZE_MAX;
             a = dsn_addr_next(rd->text, ln->end, a + alen, &alen)) {
            int rank = dsn_cand_rank(rd, ln, a, alen);
            if (rank == 0)
                continue;
            if (rd->ncands >= DSN_MAX_CANDS)
                return;
            if (rd->ncands == cap) {
                cap = cap ? cap * 2 : 16;
                rd->cands = xreallocarray(rd->cands, cap, sizeof *rd->cands);
            }
            rd->cands[rd->ncands++] = (struct dsn_cand){li, a, alen, rank};
        }
    }
}

static bool
dsn_line_blank(const struct dsn_reader *rd, size_t li)
{
    const char *t = rd->text + rd->lines[li].start;
    size_t tl = rd->lines[li].end - rd->lines[li].start;
    dsn_trim(&t, &tl);
    return tl == 0;
}

static bool
dsn_line_is_cand(const struct dsn_reader *rd, size_t li, int rank)
{
    for (size_t i = 0; i < rd->ncands; i++)
        if (rd->cands[i].line == li && rd->cands[i].rank >= rank)
            return true;
    return false;
}

static void
dsn_add_line(struct strbuf *sb, const char *s, size_t len)
{
    dsn_trim(&s, &len);
    if (len == 0 || sb->len > DSN_MAX_DIAGNOSTIC)
        return;
    if (sb->len)
        strbuf_addc(sb, ' ');
    strbuf_add(sb, s, len);
}

static bool
dsn_has_code(const char *s, size_t len)
{
    char st[16];
    return dsn_status_find(s, len, st) || dsn_reply_find(s, len) != 0;
}

/* The lines that belong to the candidate: rest of its line, then the lines
 * below up to a blank line or the next recipient. */
static void
dsn_diag_block(const struct dsn_reader *rd, const struct dsn_cand *c, int rank, struct strbuf *sb)
{
    const struct dsn_line *ln = &rd->lines[c->line];
    size_t rest = c->pos + c->len;
    while (rest < ln->end && strchr(">\":.; ", rd->text[rest]))
        rest++;
    dsn_add_line(sb, rd->text + rest, ln->end - rest);
    size_t li = c->line + 1;
    if (li < rd->nlines && dsn_line_blank(rd, li) && sb->len == 0)
        li++; /* "addr\n\n   reason" */
    for (size_t n = 0; li < rd->nlines && n < DSN_DIAG_LINES; li++, n++) {
        if (dsn_line_blank(rd, li) || dsn_line_is_cand(rd, li, rank))
            break;
        dsn_add_line(sb, rd->text + rd->lines[li].start, rd->lines[li].end - rd->lines[li].start);
    }
}

/* No code near the address: lines elsewhere naming it, else the first line
 * with an SMTP code (and the lines continuing it). */
static void
dsn_diag_search(const struct dsn_reader *rd, const struct dsn_cand *c, bool only, struct strbuf *sb)
{
    char *addr = xstrndup(rd->text + c->pos, c->len);
    size_t found = SIZE_MAX;
    for (size_t li = 0; li < rd->nlines && found == SIZE_MAX; li++) {
        const struct dsn_line *ln = &rd->lines[li];
        if (li == c->line || !dsn_memcasemem(rd->text + ln->start, ln->end - ln->start, addr))
            continue;
        if (dsn_has_code(rd->text + ln->start, ln->end - ln->start))
            found = li;
    }
    free(addr);
    for (size_t li = c->line + 1; only && found == SIZE_MAX && li < rd->nlines; li++) {
        const struct dsn_line *ln = &rd->lines[li];
        if (!dsn_header_line(rd->text + ln->start, ln->end - ln->start) &&
            dsn_has_code(rd->text + ln->start, ln->end - ln->start))
            found = li;
    }
    for (size_t li = found, n = 0; li < rd->nlines && n < 6; li++, n++) {
        if (dsn_line_blank(rd, li))
            break;
        dsn_add_line(sb, rd->text + rd->lines[li].start, rd->lines[li].end - rd->lines[li].start);
    }
}

static bool
dsn_rcpt_seen(const struct dsn_report *rep, size_t from, const char *a, size_t alen)
{
    for (size_t i = from; i < rep->nrcpts; i++)
        if (rep->rcpts[i].recipient && strlen(rep->rcpts[i].recipient) == alen &&
            strncasecmp(rep->rcpts[i].recipient, a, alen) == 0)
            return true;
    return false;
}

static void
dsn_reader_emit(struct dsn_reader *rd, int rank, bool delayed)
{
    struct dsn_report *rep = rd->ctx->rep;
    size_t first = rep->nrcpts, distinct = 0;
    for (size_t i = 0; i < rd->ncands; i++)
        if (rd->cands[i].rank == rank)
            distinct++;
    for (size_t i = 0; i < rd->ncands; i++) {
        const struct dsn_cand *c = &rd->cands[i];
        if (c->rank != rank || dsn_rcpt_seen(rep, first, rd->text + c->pos, c->len))
            continue;
        struct dsn_recipient *r = dsn_rcpt_add(rd->ctx);
        if (!r)
            return;
        r->recipient = dsn_strclean(rd->text + c->pos, c->len, DSN_MAX_FIELD, true);
        r->action = delayed ? DSN_ACTION_DELAYED : DSN_ACTION_FAILED;
        struct strbuf sb = STRBUF_INIT;
        dsn_diag_block(rd, c, rank, &sb);
        if (!dsn_has_code(sb.buf ? sb.buf : "", sb.len))
            dsn_diag_search(rd, c, distinct == 1 || rep->nrcpts == first + 1, &sb);
        r->diagnostic = dsn_strclean(sb.buf, sb.len, DSN_MAX_DIAGNOSTIC, true);
        r->remote_mta = dsn_remote_host(r->diagnostic);
        strbuf_free(&sb);
    }
}

size_t
dsn_text_read_recipients(struct dsn_ctx *ctx, const char *text, size_t len, bool delayed)
{
    struct dsn_reader rd = {.ctx = ctx, .text = text, .len = len};
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "From"));
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "To"));
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "Return-Path"));
    dsn_exclude_add(&rd, ctx->rep->original.from);
    dsn_reader_lines(&rd);
    dsn_reader_cands(&rd);
    int best = 0;
    for (size_t i = 0; i < rd.ncands; i++)
        if (rd.cands[i].rank > best)
            best = rd.cands[i].rank;
    size_t before = ctx->rep->nrcpts;
    if (best > 0)
        dsn_reader_emit(&rd, best, delayed);
    for (size_t i = 0; i < rd.nexclude; i++)
        free(rd.exclude[i]);
    free(rd.cands);
    free(rd.lines);
    return ctx->rep->nrcpts - before;
}

char *
dsn_text_diag_for(struct dsn_ctx *ctx, const char *addr)
{
    if (!ctx->notice || !addr || !*addr)
        return NULL;
    struct dsn_reader rd = {.ctx = ctx, .text = ctx->notice, .len = ctx->notice_end};
    dsn_reader_lines(&rd);
    dsn_reader_cands(&rd);
    struct strbuf sb = STRBUF_INIT;
    size_t alen = strlen(addr);
    for (size_t i = 0; i < rd.ncands; i++) {
        const struct dsn_cand *c = &rd.cands[i];
        if (c->len != alen || strncasecmp(rd.text + c->pos, addr, alen) != 0)
            continue;
        dsn_diag_block(&rd, c, c->rank, &sb);
        if (!dsn_has_code(sb.buf ? sb.buf : "", sb.len))
            dsn_diag_search(&rd, c, true, &sb);
        break;
    }
    char *out = dsn_strclean(sb.buf, sb.len, DSN_MAX_DIAGNOSTIC, true);
    strbuf_free(&sb);
    free(rd.cands);
    free(rd.lines);
    return out;
}

char *
dsn_text_first_code(struct dsn_ctx *ctx)
{
    if (!ctx->notice)
        return NULL;
    struct dsn_reader rd = {.ctx = ctx, .text = ctx->notice, .len = ctx->notice_end};
    dsn_reader_lines(&rd);
    struct strbuf sb = STRBUF_INIT;
    struct dsn_cand c = {.line = 0, .pos = 0, .len = 0};
    if (rd.nlines)
        dsn_diag_search(&rd, &c, true, &sb);
    char *out = dsn_strclean(sb.buf, sb.len, DSN_MAX_DIAGNOSTIC, true);
    strbuf_free(&sb);
    free(rd.lines);
    return out;
}
