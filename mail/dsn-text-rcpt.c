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
#define DSN_SEARCH_MAX 64

/* A line of the notice and what the reader learnt about it.  Readers ask
 * about few lines (those naming addresses, those near a recipient), so each
 * question is answered when first asked: 1 yes, 0 no, -1 not asked yet. */
struct dsn_line {
    size_t start, end;
    signed char header; /* quotes a header field or trace data (dsn_header_line) */
    signed char coded;  /* has an SMTP or status code (dsn_has_code) */
};

struct dsn_cand {
    size_t line;
    size_t pos, len; /* the address in the notice */
    int rank;        /* 3 leads its line, 2 after recipient wording, 1 elsewhere,
                        0 none, DSN_RANK_UNKNOWN not worked out yet */
};

#define DSN_RANK_UNKNOWN (-1)

/* Every reader is over the notice up to the quoted original: the lines are
 * split once per analysis, owned by the cached reader (ctx->reader), and
 * borrowed by the others. */
struct dsn_reader {
    struct dsn_ctx *ctx;
    const char *text;
    size_t len;
    struct dsn_line *lines; /* owned by ctx->reader */
    size_t nlines;
    struct dsn_cand *cands;
    size_t ncands;
    const char *exclude[8]; /* addresses that are not recipients (borrowed: header */
    size_t exclude_len[8];  /* values and the original's From live as long) */
    bool exclude_hard[8];   /* hard: never; soft: unless alone on its line */
    size_t nexclude;
    bool lazy;          /* cands holds every address, ranked when first asked (dsn_cand_rank_of) */
    bool has_cands;     /* dsn_reader_cands() has run */
    struct strbuf diag; /* ctx->reader's: the words of one recipient (dsn_scratch) */
};

/* Lines that quote header fields or trace data: their addresses are senders,
 * message ids or hops, never failed recipients. */
static bool
dsn_header_line(const char *l, size_t len)
{
    static const char *const names[] = {
        "from:",
        "reply-to:",
        "sender:",
        "return-path:",
        "message-id:",
        "received:",
        "references:",
        "in-reply-to:",
        "date:",
        "envelope-from",
        "dkim-",
        "x-",
        "errors-to:",
        "list-",
        "cc:",
        "resent-",
        "by ",
        "with ",
        "id ",
        "authentication-results",
        "mail from:",
        ">>> mail from",
        "subject:",
        "content-",
        "(envelope-from",
    };
    const char *t = l;
    size_t tl = len;
    while (tl > 0 && isspace((unsigned char)*t))
        t++, tl--;
    /* most lines start with a byte no name starts with */
    unsigned char c = tl > 0 ? dsn_fold((unsigned char)t[0]) : 0;
    if (c == 0 || !memchr("abcdefilmrswx>(", c, 15))
        return false;
    dsn_trim(&t, &tl);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (c == (unsigned char)names[i][0] && dsn_has_prefix(t, tl, names[i]))
            return true;
    return false;
}

/* Does line li quote a header field?  Worked out once per line. */
static bool
dsn_line_header(const struct dsn_reader *rd, size_t li)
{
    struct dsn_line *ln = &rd->lines[li];
    if (ln->header < 0)
        ln->header = dsn_header_line(rd->text + ln->start, ln->end - ln->start);
    return ln->header != 0;
}

static void
dsn_reader_lines(struct dsn_reader *rd)
{
    /* about one line per 40 bytes in most notices: sized once, rarely grown */
    size_t cap = rd->len / 32 + 16;
    rd->lines = xreallocarray(NULL, cap, sizeof *rd->lines);
    if (!memchr(rd->text, '\r', rd->len)) {
        /* most notices have no CR: their lines end at LF, one memchr a line */
        for (size_t pos = 0; pos < rd->len && rd->nlines < DSN_MAX_LINES;) {
            const char *lf = memchr(rd->text + pos, '\n', rd->len - pos);
            size_t end = lf ? (size_t)(lf - rd->text) : rd->len;
            if (rd->nlines == cap) {
                cap *= 2;
                rd->lines = xreallocarray(rd->lines, cap, sizeof *rd->lines);
            }
            rd->lines[rd->nlines++] = (struct dsn_line){pos, end, -1, -1};
            pos = end + 1;
        }
        return;
    }
    struct dsn_lines ln = DSN_LINES_INIT(rd->text, rd->len); /* inline: one memchr a line */
    for (size_t pos = 0, next; pos < rd->len && rd->nlines < DSN_MAX_LINES; pos = next) {
        size_t end = dsn_lines_next(&ln, pos, &next);
        if (rd->nlines == cap) {
            cap *= 2;
            rd->lines = xreallocarray(rd->lines, cap, sizeof *rd->lines);
        }
        rd->lines[rd->nlines++] = (struct dsn_line){pos, end, -1, -1};
        if (next <= pos)
            break;
    }
}

static void
dsn_exclude_add(struct dsn_reader *rd, const char *value, bool hard)
{
    if (!value || rd->nexclude >= sizeof rd->exclude / sizeof rd->exclude[0])
        return;
    size_t alen;
    size_t len = strnlen(value, 4096);
    for (size_t at = dsn_addr_next(value, len, 0, &alen);
         at != SIZE_MAX && rd->nexclude < sizeof rd->exclude / sizeof rd->exclude[0];
         at = dsn_addr_next(value, len, at + alen, &alen)) {
        rd->exclude_hard[rd->nexclude] = hard;
        rd->exclude_len[rd->nexclude] = alen;
        rd->exclude[rd->nexclude++] = value + at;
    }
}

/* 2: never a recipient (a daemon, the bounce's From); 1: the bounce's
 * receiver or the original sender, a recipient only when alone on its line
 * (people bounce mail to themselves); 0: not excluded. */
static int
dsn_excluded(const struct dsn_reader *rd, const char *a, size_t alen)
{
    static const char *const daemons[] = {"mailer-daemon@", "mailer_daemon@", "mail-daemon@"};
    for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
        if (dsn_has_prefix(a, alen, daemons[i]))
            return 2;
    int found = 0;
    for (size_t i = 0; i < rd->nexclude; i++)
        if (rd->exclude_len[i] == alen && dsn_caseeq(rd->exclude[i], a, alen))
            found = rd->exclude_hard[i] ? 2 : (found ? found : 1);
    return found;
}

/* Skip what may precede a recipient at the start of a line: white space,
 * bullets, quote marks, brackets, an SMTP reply code ("554 <a@b>...") and
 * transcript arrows ("<<< "). */
static size_t
dsn_skip_lead(const char *p, size_t len)
{
    size_t i = 0;
    for (;;) {
        size_t before = i;
        while (i < len && (isspace((unsigned char)p[i]) || strchr("<\"'*->:[(|", p[i])))
            i++;
        if (i + 3 < len && isdigit((unsigned char)p[i]) && isdigit((unsigned char)p[i + 1]) &&
            isdigit((unsigned char)p[i + 2]) && (p[i + 3] == ' ' || p[i + 3] == '-'))
            i += 4;
        if (i == before)
            return i;
    }
}

/* A line of an SMTP transcript: "<<< 550 ...", ">>> RCPT To:<...>", "550 <a@b>..." */
static bool
dsn_transcript_line(const char *p, size_t len)
{
    const char *t = p;
    size_t tl = len;
    dsn_trim(&t, &tl);
    return dsn_has_prefix(t, tl, "<<<") || dsn_has_prefix(t, tl, ">>>") ||
           (tl >= 4 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
            isdigit((unsigned char)t[2]) && (t[3] == ' ' || t[3] == '-'));
}

/* The previous non-blank line introduces the bounce's sender ("A message
 * sent by\n\n  <a@b>\n\ncould not be delivered") or an address to write to
 * ("send mail with the body 'guide' to the address\n\n  list-ctl@b"). */
static bool
dsn_sender_context(const struct dsn_reader *rd, size_t li)
{
#define DSN_CUE(s)                                                                                 \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
    static const struct {
        const char *s;
        size_t n;
    } cues[] = {DSN_CUE("sent by"),         DSN_CUE("sent by:"),     DSN_CUE("message from"),
                DSN_CUE("from:"),           DSN_CUE("sender:"),      DSN_CUE("to the address"),
                DSN_CUE("to the address:"), DSN_CUE("contact"),      DSN_CUE("contact:"),
                DSN_CUE("send mail to"),    DSN_CUE("send mail to:")};
#undef DSN_CUE
    while (li > 0) {
        li--;
        const char *t = rd->text + rd->lines[li].start;
        size_t tl = rd->lines[li].end - rd->lines[li].start;
        dsn_trim(&t, &tl);
        if (tl == 0)
            continue;
        /* every cue ends in one of these: most lines end otherwise */
        unsigned char last = dsn_fold((unsigned char)t[tl - 1]);
        if (last != 'y' && last != ':' && last != 'm' && last != 's' && last != 't' && last != 'o')
            return false;
        for (size_t i = 0; i < sizeof cues / sizeof cues[0]; i++) {
            size_t n = cues[i].n;
            if (tl >= n && dsn_caseeq(t + tl - n, cues[i].s, n))
                return true;
        }
        return false;
    }
    return false;
}

static int
dsn_cand_rank(const struct dsn_reader *rd, size_t li, size_t a, size_t alen)
{
    const struct dsn_line *ln = &rd->lines[li];
    const char *s = rd->text;
    size_t pre_len = a - ln->start;
    const char *pre = s + ln->start;
    if (dsn_line_header(rd, li))
        return 0;
    /* before the address: "Message-ID: <" or a link (MSGID), recipient wording (RCPTWORD) */
    const struct dsn_phrase *words[DSN_LIST_COUNT];
    dsn_match_rows(DSN_GROUP_LINE, pre, pre_len, words);
    if (words[DSN_LIST_MSGID])
        return 0;
    int excl = dsn_excluded(rd, s + a, alen);
    if (excl == 2)
        return 0;
    size_t i = dsn_skip_lead(pre, pre_len);
    bool leads =
        i == pre_len || (dsn_has_prefix(pre + i, pre_len - i, "mailto:") && i + 7 == pre_len);
    size_t plen;
    if (!leads && dsn_addr_next(pre, pre_len, i, &plen) == i) {
        /* "name@x <addr@y>" leads too */
        size_t k = i + plen;
        while (k < pre_len && (pre[k] == ' ' || pre[k] == '"'))
            k++;
        leads = k + 1 == pre_len && pre[k] == '<';
    }
    if (leads && excl == 1 && dsn_transcript_line(pre, pre_len))
        return 0; /* "<<< 501 <sender>... no access": the sender, not a recipient */
    if (leads) {
        /* "name@x <addr@y>": the bracketed one is the address */
        size_t e = a + alen, alen2;
        while (e < ln->end && (s[e] == ' ' || s[e] == '"'))
            e++;
        if (e < ln->end && s[e] == '<' && dsn_addr_next(s, ln->end, e, &alen2) == e + 1)
            return 0;
        if (dsn_sender_context(rd, li))
            return 0;
        return 3;
    }
    if (excl)
        return 0;
    return words[DSN_LIST_RCPTWORD] ? 2 : 1;
}

/* The first line from li on that holds an '@' (nlines: none).  Most lines
 * hold none: one search of the rest of the text finds the next line worth
 * reading, not one search per line. */
static size_t
dsn_at_line(const struct dsn_reader *rd, size_t li)
{
    if (li >= rd->nlines)
        return rd->nlines;
    size_t from = rd->lines[li].start, end = rd->lines[rd->nlines - 1].end;
    const char *p = from < end ? memchr(rd->text + from, '@', end - from) : NULL;
    if (!p)
        return rd->nlines;
    /* an '@' is no line break: it lies inside a line */
    while (rd->lines[li].end <= (size_t)(p - rd->text))
        li++;
    return li;
}

/* The addresses of the notice that may be recipients (rank > 0), in
 * order, at most DSN_MAX_CANDS.  A lazy reader keeps every address and ranks
 * it when asked, unless there are too many to keep (then it ranks them all
 * now, so the cap counts the same ones). */
static void
dsn_reader_cands(struct dsn_reader *rd)
{
    size_t cap = 0;
    for (size_t li = dsn_at_line(rd, 0); li < rd->nlines; li = dsn_at_line(rd, li + 1)) {
        const struct dsn_line *ln = &rd->lines[li];
        size_t alen;
        for (size_t a = dsn_addr_next(rd->text, ln->end, ln->start, &alen); a != SIZE_MAX;
             a = dsn_addr_next(rd->text, ln->end, a + alen, &alen)) {
            int rank = rd->lazy ? DSN_RANK_UNKNOWN : dsn_cand_rank(rd, li, a, alen);
            if (rank == 0)
                continue;
            if (rd->ncands >= DSN_MAX_CANDS && rd->lazy) {
                rd->lazy = false;
                rd->ncands = 0;
                dsn_reader_cands(rd);
                return;
            }
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

/* The rank of candidate i, worked out once. */
static int
dsn_cand_rank_of(const struct dsn_reader *rd, size_t i)
{
    struct dsn_cand *c = &rd->cands[i];
    if (c->rank == DSN_RANK_UNKNOWN)
        c->rank = dsn_cand_rank(rd, c->line, c->pos, c->len);
    return c->rank;
}

/* Does line li name another recipient (rank >= rank) than c? */
static bool
dsn_line_is_cand(const struct dsn_reader *rd, size_t li, int rank, const struct dsn_cand *c)
{
    for (size_t i = 0; i < rd->ncands; i++) {
        const struct dsn_cand *o = &rd->cands[i];
        if (o->line != li || dsn_cand_rank_of(rd, i) < rank)
            continue;
        if (c && o->len == c->len && strncasecmp(rd->text + o->pos, rd->text + c->pos, c->len) == 0)
            continue;
        return true;
    }
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

/* Some words, not just an address or punctuation. */
static bool
dsn_has_words(const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; s && i < len; i++) {
        run = isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80 ? run + 1 : 0;
        if (run >= 4)
            return true;
    }
    return false;
}

/* Does the text give a reason (a code or telling words)? */
static bool
dsn_explains(struct dsn_ctx *ctx, const char *s, size_t len)
{
    if (!dsn_has_words(s, len))
        return false;
    char st[16];
    if (dsn_status_find(s, len, st))
        return true;
    dsn_words_free(&ctx->said); /* the last text's words are kept (ctx->said) */
    return dsn_reason_any(&ctx->said, s, len);
}

static bool
dsn_has_code(const char *s, size_t len)
{
    return dsn_code_next(s, len, 0) != SIZE_MAX;
}

/* Is s[0..len) only the address again, as a link or in brackets? */
static bool
dsn_same_address(const char *s, size_t len, const char *addr, size_t alen)
{
    const char *t = s;
    size_t tl = len;
    dsn_trim(&t, &tl);
    while (tl > 0 && strchr("<([\"'", t[0]))
        t++, tl--;
    while (tl > 0 && strchr(">)]\"'.,;:", t[tl - 1]))
        tl--;
    if (dsn_has_prefix(t, tl, "mailto:"))
        t += 7, tl -= 7;
    return tl == alen && strncasecmp(t, addr, alen) == 0;
}

static bool dsn_line_separator(const struct dsn_reader *rd, size_t li);

/* Up to 3 lines above `line` in its paragraph ("Failure Reasons:\n\nnot in
 * the directory\na@b"), when nothing follows the address. */
static void
dsn_para_before(const struct dsn_reader *rd, size_t line, struct strbuf *sb)
{
    size_t first = line;
    while (first > 0 && line - first < 3 && !dsn_line_blank(rd, first - 1) &&
           !dsn_line_separator(rd, first - 1) && !dsn_line_is_cand(rd, first - 1, 1, NULL))
        first--;
    for (size_t li = first; li < line; li++)
        dsn_add_line(sb, rd->text + rd->lines[li].start, rd->lines[li].end - rd->lines[li].start);
}

/* "----- Transcript of session follows -----", "=========": a separator
 * (t[0..tl) trimmed).  Bounded: a line need not end in a NUL. */
static bool
dsn_span_separator(const char *t, size_t tl)
{
    if (tl >= 8 && memcmp(t, "---", 3) == 0 && memcmp(t + tl - 3, "---", 3) == 0)
        return true;
    if (tl < 3)
        return false;
    for (size_t k = 0; k < tl; k++) {
        char c = t[k];
        if (c != '-' && c != '=' && c != '*' && c != '_' && c != '~' && c != '#' && c != ' ')
            return false;
    }
    return true;
}

static bool
dsn_line_separator(const struct dsn_reader *rd, size_t li)
{
    const char *t = rd->text + rd->lines[li].start;
    size_t tl = rd->lines[li].end - rd->lines[li].start;
    dsn_trim(&t, &tl);
    return dsn_span_separator(t, tl);
}

static bool
dsn_ends_with_colon(const struct strbuf *sb)
{
    return sb->len > 0 && sb->buf[sb->len - 1] == ':';
}

/* The lines that belong to the candidate: rest of its line, then the lines
 * below up to a blank line or the next recipient.  A blank line right after
 * the address or after an introducing "...reason:" line is skipped. */
static void
dsn_diag_block(const struct dsn_reader *rd, const struct dsn_cand *c, int rank, struct strbuf *sb)
{
    const struct dsn_line *ln = &rd->lines[c->line];
    size_t rest = c->pos + c->len;
    while (rest < ln->end && strchr(">\":.; ", rd->text[rest]))
        rest++;
    if (c->rank < 3) /* in a sentence: "Unknown user: a@b", "Your message to a@b failed" */
        rest = ln->start;
    else if (dsn_same_address(rd->text + rest, ln->end - rest, rd->text + c->pos, c->len))
        rest = ln->end; /* "a@b<mailto:a@b>", "a@b (a@b)": nothing said yet */
    dsn_add_line(sb, rd->text + rest, ln->end - rest);
    if (sb->len == 0)
        dsn_para_before(rd, c->line, sb); /* the reason heads the paragraph */
    /* words on the address's own line: only indented lines continue them
     * ("<a@b>: host x said:\n    550 ..."); "554 <a@b>... reason\n550 next" */
    bool indented_only = c->rank == 3 && sb->len > 0;
    size_t li = c->line + 1;
    for (size_t n = 0; li < rd->nlines && n < DSN_DIAG_LINES; li++, n++) {
        if (dsn_line_is_cand(rd, li, rank, c))
            break;
        const char *t = rd->text + rd->lines[li].start; /* trimmed once for every test */
        size_t tl = rd->lines[li].end - rd->lines[li].start;
        dsn_trim(&t, &tl);
        if (indented_only && tl > 0 && !isspace((unsigned char)rd->text[rd->lines[li].start]))
            break;
        if (dsn_span_separator(t, tl))
            continue;
        if (tl == 0) {
            /* skip a blank line after the address or its introducing line */
            if (sb->len == 0 || dsn_ends_with_colon(sb) || li == c->line + 1)
                continue;
            break;
        }
        dsn_add_line(sb, t, tl);
    }
}

/* Does line li carry a code?  Worked out once per line. */
static bool
dsn_line_coded(const struct dsn_reader *rd, size_t li)
{
    struct dsn_line *ln = &rd->lines[li];
    if (ln->coded < 0)
        ln->coded = dsn_has_code(rd->text + ln->start, ln->end - ln->start);
    return ln->coded != 0;
}

/* The first line of [from, to) with a code that does not quote a header.
 * A code lies inside one line and reads the same in the text as in its
 * line (the bytes around a line are line breaks, which no code test takes
 * for part of a code), so one search of the text from a line on finds the
 * next coded line: not a search per line. */
static size_t
dsn_code_line(const struct dsn_reader *rd, size_t from, size_t to)
{
    to = to < rd->nlines ? to : rd->nlines;
    for (size_t li = from; li < to;) {
        struct dsn_line *ln = &rd->lines[li];
        if (ln->coded < 0) {
            size_t end = rd->lines[to - 1].end;
            size_t at = dsn_code_next(rd->text, end, ln->start);
            for (; li < to && rd->lines[li].end <= (at < end ? at : end); li++)
                rd->lines[li].coded = 0; /* lines before the code have none */
            if (li == to)
                return SIZE_MAX;
            ln = &rd->lines[li];
            ln->coded = 1;
        }
        if (ln->coded && !dsn_line_header(rd, li))
            return li;
        li++;
    }
    return SIZE_MAX;
}

/* The lines other than `skip` naming addr, not quoting a header: the first
 * with an SMTP code (*coded) and the first at all (*any), SIZE_MAX for
 * none; one search for both.  An address holds no line break, so one search
 * of the whole text finds the lines naming it in order (the lines cover the
 * text up to the last one's end). */
static void
dsn_addr_lines(const struct dsn_reader *rd, const char *addr, size_t skip, size_t *coded,
               size_t *any)
{
    *coded = *any = SIZE_MAX;
    if (!addr || !*addr || rd->nlines == 0 || strpbrk(addr, "\r\n"))
        return;
    size_t n = strlen(addr), end = rd->lines[rd->nlines - 1].end, li = 0;
    for (size_t from = 0; from < end;) {
        const char *p = dsn_memcasemem(rd->text + from, end - from, addr);
        if (!p)
            break;
        size_t at = (size_t)(p - rd->text);
        while (rd->lines[li].end < at + n)
            li++;
        if (li != skip && !dsn_line_header(rd, li)) {
            if (*any == SIZE_MAX)
                *any = li;
            if (dsn_line_coded(rd, li)) {
                *coded = li;
                return;
            }
        }
        if (li + 1 == rd->nlines)
            break;
        from = rd->lines[li + 1].start;
    }
}

/* No code near the address: a line elsewhere naming it with a code, else
 * (when `only` one recipient is named) the first line with a code after the
 * address, else before it, else any other line naming it; that line and the
 * lines continuing it. */
static void
dsn_diag_search(const struct dsn_reader *rd, const char *addr, size_t line, bool only,
                struct strbuf *sb)
{
    size_t found, named;
    dsn_addr_lines(rd, addr, line, &found, &named);
    if (found == SIZE_MAX && only) {
        found = dsn_code_line(rd, line + 1, rd->nlines);
        if (found == SIZE_MAX)
            found = dsn_code_line(rd, 0, line);
    }
    if (found == SIZE_MAX)
        found = named;
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
            dsn_caseeq(rep->rcpts[i].recipient, a, alen))
            return true;
    return false;
}

static struct strbuf *dsn_scratch(struct dsn_ctx *ctx);

static void
dsn_reader_emit(struct dsn_reader *rd, int rank, bool delayed)
{
    struct dsn_report *rep = rd->ctx->rep;
    size_t first = rep->nrcpts, distinct = 0;
    for (size_t i = 0; i < rd->ncands && distinct < 2; i++) {
        const struct dsn_cand *c = &rd->cands[i];
        if (c->rank == rank &&
            (distinct == 0 || c->len != rd->cands[0].len ||
             strncasecmp(rd->text + c->pos, rd->text + rd->cands[0].pos, c->len)))
            distinct++;
    }
    for (size_t i = 0; i < rd->ncands; i++) {
        const struct dsn_cand *c = &rd->cands[i];
        if (c->rank != rank || dsn_rcpt_seen(rep, first, rd->text + c->pos, c->len))
            continue;
        struct dsn_recipient *r = dsn_rcpt_add(rd->ctx);
        if (!r)
            return;
        r->recipient = dsn_strclean_in(rep->pool, rd->text + c->pos, c->len, DSN_MAX_FIELD, true);
        r->action = delayed ? DSN_ACTION_DELAYED : DSN_ACTION_FAILED;
        struct strbuf *sb = dsn_scratch(rd->ctx);
        dsn_diag_block(rd, c, rank, sb);
        /* searching the whole notice per recipient is quadratic: the first
         * DSN_SEARCH_MAX recipients only */
        if (!dsn_has_code(sb->buf, sb->len) && rep->nrcpts - first <= DSN_SEARCH_MAX)
            dsn_diag_search(rd, r->recipient, c->line, distinct == 1, sb);
        bool explains = dsn_explains(rd->ctx, sb->buf, sb->len);
        bool own = explains || dsn_has_words(sb->buf, sb->len);
        if (!explains)
            dsn_text_summary(rd->ctx, sb);
        r->diagnostic = dsn_strclean_in(rep->pool, sb->buf, sb->len, DSN_MAX_DIAGNOSTIC, true);
        r->diagnostic_generic = r->diagnostic && !own;
        r->remote_mta = dsn_remote_host(rep->pool, r->diagnostic);
    }
}

/* The cached reader over the notice, its lines split (its candidates are
 * found when first needed). */
static struct dsn_reader *
dsn_notice_reader(struct dsn_ctx *ctx)
{
    if (!ctx->reader) {
        struct dsn_reader *nrd = xmalloc(sizeof *nrd); /* all set just below */
        *nrd = (struct dsn_reader){
            .ctx = ctx, .text = ctx->notice, .len = ctx->notice_end, .lazy = true};
        dsn_reader_lines(nrd);
        ctx->reader = nrd;
    }
    return ctx->reader;
}

/* The cached reader's buffer for one recipient's words, emptied: one
 * buffer, sized once, serves every recipient of the analysis. */
static struct strbuf *
dsn_scratch(struct dsn_ctx *ctx)
{
    struct strbuf *sb = &dsn_notice_reader(ctx)->diag;
    strbuf_reset(sb);
    strbuf_grow(sb, 511); /* most diagnostics fit */
    return sb;
}

/* A reader of its own (candidates ranked another way) over the cached
 * reader's lines. */
static struct dsn_reader
dsn_reader_borrow(struct dsn_ctx *ctx)
{
    const struct dsn_reader *nrd = dsn_notice_reader(ctx);
    return (struct dsn_reader){
        .ctx = ctx, .text = nrd->text, .len = nrd->len, .lines = nrd->lines, .nlines = nrd->nlines};
}

size_t
dsn_text_read_recipients(struct dsn_ctx *ctx, bool delayed)
{
    struct dsn_reader rd = dsn_reader_borrow(ctx);
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "From"), true);
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "To"), false);
    dsn_exclude_add(&rd, mail_message_header(ctx->msg, "Return-Path"), false);
    dsn_exclude_add(&rd, ctx->rep->original.from, false);
    dsn_reader_cands(&rd);
    int best = 0;
    for (size_t i = 0; i < rd.ncands; i++)
        if (rd.cands[i].rank > best)
            best = rd.cands[i].rank;
    size_t before = ctx->rep->nrcpts;
    if (best > 0)
        dsn_reader_emit(&rd, best, delayed);
    free(rd.cands);
    return ctx->rep->nrcpts - before;
}

/* The first block of indented lines in the notice (Exim lists each failed
 * address indented, its reasons indented further). */
static void
dsn_indented_block(const struct dsn_reader *rd, struct strbuf *sb)
{
    size_t li = 0;
    while (li < rd->nlines &&
           (dsn_line_blank(rd, li) || !isspace((unsigned char)rd->text[rd->lines[li].start])))
        li++;
    for (size_t n = 0; li < rd->nlines && n < DSN_DIAG_LINES && !dsn_line_blank(rd, li);
         li++, n++) {
        if (!isspace((unsigned char)rd->text[rd->lines[li].start]))
            break;
        dsn_add_line(sb, rd->text + rd->lines[li].start, rd->lines[li].end - rd->lines[li].start);
    }
}

/* The line naming addr, or its local part alone ("  kijitora" in Exim's
 * notices of local deliveries). */
static size_t
dsn_find_addr_line(const struct dsn_reader *rd, const char *addr, size_t *pos, size_t *len)
{
    size_t alen = strlen(addr);
    for (size_t i = 0; i < rd->ncands; i++) {
        const struct dsn_cand *c = &rd->cands[i];
        if (c->len == alen && dsn_caseeq(rd->text + c->pos, addr, alen) &&
            dsn_cand_rank_of(rd, i) > 0) {
            *pos = c->pos, *len = c->len;
            return c->line;
        }
    }
    const char *at = strchr(addr, '@');
    size_t ll = at ? (size_t)(at - addr) : alen;
    for (size_t li = 0; ll > 0 && li < rd->nlines; li++) {
        const char *t = rd->text + rd->lines[li].start;
        size_t tl = rd->lines[li].end - rd->lines[li].start;
        dsn_trim(&t, &tl);
        while (tl > 0 && (t[tl - 1] == ':' || t[tl - 1] == '>'))
            tl--;
        while (tl > 0 && t[0] == '<')
            t++, tl--;
        if (tl == ll && dsn_caseeq(t, addr, ll)) {
            *pos = (size_t)(t - rd->text), *len = tl;
            return li;
        }
    }
    return SIZE_MAX;
}

char *
dsn_text_diag_for(struct dsn_ctx *ctx, const char *addr)
{
    if (!ctx->notice || !addr || !*addr)
        return NULL;
    /* one reader over the notice serves every recipient of the message */
    struct dsn_reader *nrd = dsn_notice_reader(ctx);
    if (!nrd->has_cands) {
        dsn_reader_cands(nrd);
        nrd->has_cands = true;
    }
    const struct dsn_reader *rd = nrd;
    struct strbuf *sb = dsn_scratch(ctx);
    size_t pos = 0, len = 0;
    size_t li = dsn_find_addr_line(rd, addr, &pos, &len);
    if (li != SIZE_MAX) {
        struct dsn_cand c = {li, pos, len, 3};
        dsn_diag_block(rd, &c, 3, sb);
    }
    if (!dsn_has_code(sb->buf, sb->len))
        dsn_diag_search(rd, addr, li, li != SIZE_MAX || ctx->rep->nrcpts <= 1, sb);
    if (li == SIZE_MAX && sb->len == 0 && ctx->rep->nrcpts <= 1)
        dsn_indented_block(rd, sb); /* "  |/usr/bin/prog\n    mailbox is full" */
    if (ctx->rep->kind == DSN_KIND_BOUNCE && !dsn_explains(ctx, sb->buf, sb->len))
        dsn_text_summary(ctx, sb);
    return dsn_strclean_in(ctx->rep->pool, sb->buf, sb->len, DSN_MAX_DIAGNOSTIC, true);
}

void
dsn_text_reader_free(struct dsn_ctx *ctx)
{
    struct dsn_reader *rd = ctx->reader;
    if (!rd)
        return;
    free(rd->cands);
    free(rd->lines);
    strbuf_free(&rd->diag);
    free(rd);
    ctx->reader = NULL;
}

char *
dsn_text_first_code(struct dsn_ctx *ctx)
{
    if (!ctx->notice)
        return NULL;
    struct dsn_reader rd = dsn_reader_borrow(ctx);
    struct strbuf *sb = dsn_scratch(ctx);
    if (rd.nlines)
        dsn_diag_search(&rd, NULL, SIZE_MAX, true, sb);
    return dsn_strclean_in(ctx->rep->pool, sb->buf, sb->len, DSN_MAX_DIAGNOSTIC, true);
}
