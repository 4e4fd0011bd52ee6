/*
 * mime.c - the MIME tree of a message (struct mail_part), built on first use
 * of mail_message_root().
 *
 * Why not libetpan's mailmime_parse() for the structure: it recurses once per
 * nesting level and builds every part before returning, so a hostile message
 * (thousands of nested multiparts, a million tiny parts in 64 MB) would
 * exhaust the stack or memory before we could stop it.  Instead this file
 * walks one level at a time under MAIL_MAX_MIME_DEPTH and MAIL_MAX_PARTS:
 * libetpan parses every part's Content-* fields (mime-fields.c), this file
 * only finds the boundary delimiter lines (RFC 2046 §5.1.1) and the enclosed
 * message of message/rfc822 (RFC 2046 §5.2.1), whose envelope is parsed only
 * when mail_part_enclosed() asks for it.  Recursion depth here is bounded by
 * MAIL_MAX_MIME_DEPTH.
 *
 * Tolerance: a missing close delimiter ends the last part at the end of the
 * body; a multipart without boundary or without any delimiter becomes one
 * text/plain child; in both cases the multipart is marked truncated.  LF and
 * CRLF line ends both work (message.c turned bare CR into LF).
 * Does not: decode bodies (decode.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/base/xalloc.h"

#include "mail/message-private.h"

#define MIME_MAX_BOUNDARY 200 /* RFC 2046 allows 70; be generous, but bounded */

struct mime_ctx {
    struct mail_message *msg;
    size_t nparts;
};

struct mime_region {
    const char *start;
    size_t len;
};

/* The lines of a part's header that may be Content-* fields, found while
 * looking for its end; n > MIME_HDR_LINES: not all (mail_mime_part_fields
 * reads the header again). */
#define MIME_HDR_LINES 8
struct mime_hdr {
    struct mail_hdr_line v[MIME_HDR_LINES];
    size_t n;
};

static void mime_fill(struct mime_ctx *ctx, struct mail_part *part, const char *dtype,
                      const char *dsubtype, const struct mime_hdr *hd);

/* mime_new_part for text without bare CR: one walk over the header. */
static bool
mime_scan_part(struct mail_part *p, const char *start, size_t len, struct mime_hdr *hd)
{
    size_t hlen, boff;
    bool field;
    hd->n = mail_hdr_scan(start, len, 'c', hd->v, MIME_HDR_LINES, &hlen, &boff, &field);
    if (!field)
        return false;
    p->header_len = hlen;
    p->body = start + boff;
    p->body_len = len - boff;
    return true;
}

/* A new part of start[0..len); its Content-* lines go to hd if not NULL. */
static struct mail_part *
mime_new_part(struct mime_ctx *ctx, struct mail_part *parent, const char *start, size_t len,
              struct mime_hdr *hd)
{
    struct mail_part *p = mail_arena_calloc(&ctx->msg->arena, 1, sizeof *p);
    p->owner = ctx->msg;
    p->parent = parent;
    p->depth = parent ? parent->depth + 1 : 0;
    p->header = start;
    if (hd != NULL) {
        hd->n = SIZE_MAX; /* not known */
        if (len > 0 && ctx->msg->plain_eol && mime_scan_part(p, start, len, hd)) {
            ctx->nparts++;
            return p;
        }
        if (hd->n != SIZE_MAX)
            hd->n = 0; /* no header */
    }
    /* A part that does not start with a field has no header at all (RFC 2046
     * §5.1.1: then it begins with the empty line; be lenient if it does not). */
    if (len > 0 &&
        (start[0] == '\n' || start[0] == '\r' || !mail_hdr_starts_with_field(start, len))) {
        size_t skip =
            start[0] == '\n' ? 1 : (start[0] == '\r' ? (len > 1 && start[1] == '\n' ? 2 : 1) : 0);
        p->header_len = 0;
        p->body = start + skip;
        p->body_len = len - skip;
    } else {
        size_t hlen, boff;
        mail_hdr_split(start, len, &hlen, &boff);
        p->header_len = hlen;
        p->body = start + boff;
        p->body_len = len - boff;
    }
    ctx->nparts++;
    return p;
}

/* Is [line, line+len) a delimiter of `b`?  *close set for "--b--". */
static bool
mime_is_delimiter(const char *line, size_t len, const char *b, size_t blen, bool *close)
{
    if (len < blen + 2 || line[0] != '-' || line[1] != '-' || memcmp(line + 2, b, blen) != 0)
        return false;
    const char *rest = line + 2 + blen;
    size_t rlen = len - 2 - blen;
    *close = rlen >= 2 && rest[0] == '-' && rest[1] == '-';
    if (*close)
        return true;                  /* anything may follow a close delimiter (epilogue) */
    for (size_t i = 0; i < rlen; i++) /* transport padding only (§5.1.1) */
        if (rest[i] != ' ' && rest[i] != '\t')
            return false;
    return true;
}

/* "--boundary" found as memmem would (the first occurrence), by
 * Horspool's method with its shift table made once per multipart: memmem
 * prepares its own on every call, and there is a call per delimiter. */
struct mime_finder {
    const unsigned char *n;
    size_t m;                 /* 3 .. MIME_MAX_BOUNDARY + 2 */
    unsigned char shift[256]; /* how far the window may move for its last byte */
};

static void
mime_finder_init(struct mime_finder *f, const char *needle, size_t m)
{
    f->n = (const unsigned char *)needle;
    f->m = m;
    memset(f->shift, (int)m, sizeof f->shift);
    for (size_t k = 0; k + 1 < m; k++)
        f->shift[f->n[k]] = (unsigned char)(m - 1 - k);
}

static const char *
mime_finder_find(const struct mime_finder *f, const char *hay, size_t len)
{
    const unsigned char *h = (const unsigned char *)hay;
    size_t m = f->m, last = m - 1;
    unsigned char lc = f->n[last], fc = f->n[0];
    /* the first byte too before a memcmp call: a boundary's last byte is
     * often a digit or letter, common in any text */
    for (size_t pos = 0; len >= m && pos <= len - m; pos += f->shift[h[pos + last]])
        if (h[pos + last] == lc && h[pos] == fc && memcmp(h + pos + 1, f->n + 1, last - 1) == 0)
            return hay + pos;
    return NULL;
}

/* Room for twice as many regions; the first array is the caller's. */
static struct mime_region *
mime_regions_grow(struct mime_region *v, size_t *cap, const struct mime_region *first)
{
    struct mime_region *w = xreallocarray(v == first ? NULL : v, *cap * 2, sizeof *w);
    if (v == first)
        memcpy(w, first, *cap * sizeof *w);
    *cap *= 2;
    return w;
}

/* Regions of the body parts of a multipart; returns count, sets *closed.
 * *out comes in as an array of `cap` regions and leaves as the result,
 * that array or a malloc'd one (the caller frees it if it is not its own). */
static size_t
mime_split(const char *body, size_t len, const char *b, size_t blen, struct mime_region **out,
           size_t cap, bool *closed)
{
    struct mime_region *v = *out, *first = *out;
    size_t n = 0, pos = 0;
    const char *part = NULL;
    char dash[MIME_MAX_BOUNDARY + 2] = "--"; /* the caller bounds blen */
    memcpy(dash + 2, b, blen);
    struct mime_finder finder;
    mime_finder_init(&finder, dash, blen + 2);
    *closed = false;
    while (pos < len) {
        /* only lines starting with "--boundary" can be delimiters: jump to
         * them instead of looking at every line */
        const char *line = mime_finder_find(&finder, body + pos, len - pos);
        if (line == NULL)
            break;
        pos = (size_t)(line - body);
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        size_t next = pos + llen + (nl ? 1 : 0);
        if (pos > 0 && line[-1] != '\n') {
            pos = next; /* not at the start of a line: on to the next one */
            continue;
        }
        if (llen > 0 && line[llen - 1] == '\r')
            llen--;
        bool close;
        if (mime_is_delimiter(line, llen, b, blen, &close)) {
            if (part != NULL) {
                const char *end = line; /* the line break before belongs to the delimiter */
                if (end > part && end[-1] == '\n')
                    end--;
                if (end > part && end[-1] == '\r')
                    end--;
                if (n == cap)
                    v = mime_regions_grow(v, &cap, first);
                v[n++] = (struct mime_region){part, (size_t)(end - part)};
            }
            if (close) {
                *closed = true;
                break;
            }
            part = body + next;
        }
        pos = next;
    }
    if (!*closed && part != NULL) { /* missing close delimiter: up to the end */
        if (n == cap)
            v = mime_regions_grow(v, &cap, first);
        v[n++] = (struct mime_region){part, (size_t)(body + len - part)};
    }
    *out = v;
    return n;
}

static void
mime_set_children(struct mime_ctx *ctx, struct mail_part *part, const struct mime_region *r,
                  size_t n, const char *dtype, const char *dsubtype)
{
    if (n > MAIL_MAX_PARTS - ctx->nparts) {
        n = MAIL_MAX_PARTS - ctx->nparts; /* MAIL_MAX_PARTS: the rest is not listed */
        part->truncated = true;
    }
    part->children = mail_arena_calloc(&ctx->msg->arena, n ? n : 1, sizeof *part->children);
    /* most multiparts have a few children: their headers' lines on the
     * stack (4 * 136 bytes a level, 32 levels at most) */
    struct mime_hdr few[4], *hd = n > 4 ? xreallocarray(NULL, n, sizeof *hd) : few;
    for (size_t i = 0; i < n; i++)
        part->children[i] = mime_new_part(ctx, part, r[i].start, r[i].len, &hd[i]);
    part->nchildren = n;
    for (size_t i = 0; i < n; i++)
        mime_fill(ctx, part->children[i], dtype, dsubtype, &hd[i]);
    if (hd != few)
        free(hd);
}

/* Is a type or subtype (lowercase) `name`?  Its first byte tells most
 * apart without a strcmp call. */
static bool
mime_name_is(const char *s, const char *name)
{
    return s[0] == name[0] && strcmp(s, name) == 0;
}

static void
mime_multipart(struct mime_ctx *ctx, struct mail_part *part)
{
    const char *b = mail_part_param(part, "boundary");
    size_t blen = b ? strlen(b) : 0;
    struct mime_region few[8], *r = few;
    size_t n = 0;
    bool closed = false;
    if (blen > 0 && blen <= MIME_MAX_BOUNDARY)
        n = mime_split(part->body, part->body_len, b, blen, &r, 8, &closed);
    if (n == 0) { /* no boundary or no delimiter: the body as one text part */
        struct mime_region whole = {part->body, part->body_len};
        part->truncated = true;
        if (ctx->nparts < MAIL_MAX_PARTS) {
            part->children = mail_arena_calloc(&ctx->msg->arena, 1, sizeof *part->children);
            struct mail_part *c = mime_new_part(ctx, part, whole.start, 0, NULL);
            c->header_len = 0;
            c->body = whole.start;
            c->body_len = whole.len;
            part->children[0] = c;
            part->nchildren = 1;
            mail_mime_part_fields(&ctx->msg->arena, c, "text", "plain");
        }
        if (r != few)
            free(r);
        return;
    }
    part->truncated = part->truncated || !closed;
    /* RFC 2046 §5.1.5: in a digest, parts default to message/rfc822 */
    bool digest = mime_name_is(part->subtype, "digest");
    mime_set_children(ctx, part, r, n, digest ? "message" : "text", digest ? "rfc822" : "plain");
    if (r != few)
        free(r);
}

/* An encoded message/rfc822 (forbidden by RFC 2046 §5.2.1, seen in the
 * wild) cannot point into the raw bytes: it stays a leaf. */
static bool
mime_encoded(const struct mail_part *part)
{
    return part->encoding == MAIL_ENC_BASE64 || part->encoding == MAIL_ENC_QP ||
           part->encoding == MAIL_ENC_UUENCODE;
}

static bool
mime_is_message(const struct mail_part *part)
{
    return mime_name_is(part->type, "message") &&
           (mime_name_is(part->subtype, "rfc822") || mime_name_is(part->subtype, "global"));
}

/* The enclosed message's body is parsed now; its envelope only when asked
 * for (mail_part_enclosed): most readers never look at it. */
static void
mime_enclosed(struct mime_ctx *ctx, struct mail_part *part)
{
    if (mime_encoded(part))
        return;
    struct mime_region r = {part->body, part->body_len};
    mime_set_children(ctx, part, &r, 1, "text", "plain");
}

/* The children of a part whose fields are known. */
static void
mime_descend(struct mime_ctx *ctx, struct mail_part *part)
{
    bool multi = mime_name_is(part->type, "multipart");
    bool encl = mime_is_message(part);
    if (!multi && !encl)
        return;
    if (part->depth >= MAIL_MAX_MIME_DEPTH) {
        part->truncated = true; /* shown as an opaque part */
        return;
    }
    if (multi)
        mime_multipart(ctx, part);
    else
        mime_enclosed(ctx, part);
}

static void
mime_fill(struct mime_ctx *ctx, struct mail_part *part, const char *dtype, const char *dsubtype,
          const struct mime_hdr *hd)
{
    if (hd->n <= MIME_HDR_LINES)
        mail_mime_part_fields_from(&ctx->msg->arena, part, hd->v, hd->n, true, dtype, dsubtype);
    else
        mail_mime_part_fields(&ctx->msg->arena, part, dtype, dsubtype);
    mime_descend(ctx, part);
}

void
mail_mime_build(struct mail_message *msg)
{
    struct mime_ctx ctx = {.msg = msg};
    struct mail_part *root = mail_arena_calloc(&msg->arena, 1, sizeof *root);
    root->owner = msg;
    root->header = msg->text;
    root->header_len = msg->header_len;
    root->body = msg->text + msg->body_off;
    root->body_len = msg->text_len - msg->body_off;
    ctx.nparts = 1;
    const struct mail_hdr_line *l;
    size_t n = mail_message_lines(msg, &l); /* found once for this and mail_message_header */
    mail_mime_part_fields_from(&msg->arena, root, l, n, msg->plain_eol, "text", "plain");
    mime_descend(&ctx, root);
    msg->root = root;
    msg->nparts = ctx.nparts;
}

const char *
mail_part_param(const struct mail_part *part, const char *name)
{
    for (size_t i = 0; i < part->nparams; i++)
        if (strcasecmp(part->params[i].name, name) == 0)
            return part->params[i].value;
    return NULL;
}

const struct mail_envelope *
mail_part_enclosed(const struct mail_part *cpart)
{
    struct mail_part *part = (struct mail_part *)cpart; /* lazy cache, like the tree */
    if (part->enclosed != NULL || !mime_is_message(part) || mime_encoded(part) ||
        part->depth >= MAIL_MAX_MIME_DEPTH || part->owner == NULL)
        return part->enclosed;
    struct mail_message *msg = part->owner;
    struct mail_envelope *env = mail_envelope_parse(part->body, part->body_len, NULL);
    if (env == NULL)
        return NULL;
    msg->enclosed = xreallocarray(msg->enclosed, msg->nenclosed + 1, sizeof *msg->enclosed);
    msg->enclosed[msg->nenclosed++] = env;
    part->enclosed = env;
    return env;
}
