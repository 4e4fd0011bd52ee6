/*
 * render.c - render_message(): walk the MIME tree and decide what is shown.
 *
 * Owns the policy of RFC 2046 display: multipart/alternative shows one
 * alternative (plain or, with prefer_html, HTML; §5.1.4), multipart/mixed
 * and multipart/report (RFC 6522) show their inline parts in order,
 * multipart/related its root (RFC 2387 "start"), message/rfc822 its headers
 * and body between separators.  Parts that are not shown are listed as
 * attachments, numbered depth-first over all leaves (the attachment list's
 * order).  Decoding is mail_part_text()'s job, text layout text.c's, HTML
 * html.c's or the caller's converter.  The report argument is not used yet.
 * Never fails on content: broken parts become RSTYLE_NOTE/ERROR lines.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#include "render/render-private.h"

/* Recursion guard on top of the model's MAIL_MAX_MIME_DEPTH (nested
 * message/rfc822 parts may restart the model's count). */
#define RENDER_MAX_NESTING 64u

/* What to do with a part. */
enum render_show {
    RENDER_SHOW, /* display it (or list it if it cannot be displayed) */
    RENDER_LIST, /* list its leaves as attachments */
    RENDER_HIDE, /* only count its leaves (an alternative not chosen) */
};

struct render_ctx {
    struct rdoc *doc;
    const struct render_opts *opts;
    unsigned leaf;    /* leaves seen so far: attachment numbers */
    unsigned shown;   /* parts displayed at this message level */
    unsigned nesting; /* current recursion depth */
};

static void render_part(struct render_ctx *ctx, const struct mail_part *p, enum render_show show,
                        bool root);

void
render_opts_default(struct render_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->headers_mode = RENDER_HEADERS_SOME;
    opts->headers = NULL;
    opts->prefer_html = false;
    opts->wrap = true;
    opts->smart_wrap = true;
    opts->tab_width = 8;
    opts->show_attachments = true;
    opts->html_convert = NULL;
    opts->html_arg = NULL;
}

void
render_format_size(size_t bytes, char *buf, size_t size)
{
    if (bytes < 1024)
        snprintf(buf, size, "%zu B", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(buf, size, "%zu KB", (bytes + 512) / 1024);
    else
        snprintf(buf, size, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

static void render_note(struct render_ctx *ctx, enum rstyle style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A line of our own words (which may quote untrusted names: rdoc_add_text
 * sanitises). */
static void
render_note(struct render_ctx *ctx, enum rstyle style, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    rdoc_add_text(ctx->doc, style, strbuf_str(&sb), sb.len);
    strbuf_free(&sb);
}

/* An empty line unless the document is empty or ends with one; with
 * `stack`, also not after an attachment line (a list of them stays
 * together). */
static void
render_blank(struct render_ctx *ctx, bool stack)
{
    const struct rdoc *d = ctx->doc;
    if (d->nlines == 0 || d->lines[d->nlines - 1].len == 0)
        return;
    const struct rline *l = &d->lines[d->nlines - 1];
    if (stack && l->nspans > 0 && l->spans[0].style == RSTYLE_ATTACHMENT)
        return;
    rdoc_push(ctx->doc, "", 0, NULL, 0, 0);
}

static const char *
render_str(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static bool
render_is(const struct mail_part *p, const char *type, const char *sub)
{
    return strcasecmp(render_str(p->type, "text"), type) == 0 &&
           (sub == NULL || strcasecmp(render_str(p->subtype, "plain"), sub) == 0);
}

/* Decoded size without keeping the decoded copy (base64 counted). */
static size_t
render_part_size(const struct mail_part *p)
{
    if (p->encoding == MAIL_ENC_BASE64) {
        size_t n = 0;
        for (size_t i = 0; i < p->body_len; i++) {
            unsigned char c = (unsigned char)p->body[i];
            n += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
        }
        return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    }
    if (p->encoding == MAIL_ENC_QP || p->encoding == MAIL_ENC_UUENCODE ||
        p->encoding == MAIL_ENC_OTHER) {
        char *out = NULL;
        size_t len = 0;
        if (mail_part_decode(p, &out, &len, NULL) == 0) {
            free(out);
            return len;
        }
        free(out);
    }
    return p->body_len;
}

/* "#2: report.pdf (application/pdf, 12 KB)" into sb. */
static void
render_describe(struct strbuf *sb, const struct mail_part *p, unsigned n, bool size)
{
    const char *name = render_str(p->filename, render_str(p->description, NULL));
    strbuf_addf(sb, "#%u", n);
    if (name)
        strbuf_addf(sb, ": %s", name);
    strbuf_addf(sb, " (%s/%s", render_str(p->type, "text"), render_str(p->subtype, "plain"));
    if (size) {
        char buf[32];
        render_format_size(render_part_size(p), buf, sizeof buf);
        strbuf_addf(sb, ", %s", buf);
    }
    strbuf_addc(sb, ')');
}

static void
render_attachment(struct render_ctx *ctx, const struct mail_part *p, unsigned n)
{
    struct strbuf sb = STRBUF_INIT;
    if (!ctx->opts->show_attachments)
        return;
    render_describe(&sb, p, n, true);
    render_blank(ctx, true);
    render_note(ctx, RSTYLE_ATTACHMENT, "[-- Attachment %s --]", strbuf_str(&sb));
    strbuf_free(&sb);
}

/* Separator before every displayed part but the first of a message. */
static void
render_separator(struct render_ctx *ctx, const struct mail_part *p, unsigned n)
{
    struct strbuf sb = STRBUF_INIT;
    if (ctx->shown++ == 0)
        return;
    render_describe(&sb, p, n, false);
    render_blank(ctx, false);
    render_note(ctx, RSTYLE_PART_SEP, "[-- Part %s --]", strbuf_str(&sb));
    strbuf_free(&sb);
}

static void
render_html(struct render_ctx *ctx, const char *html, size_t len)
{
    /* Our converter marks blockquotes with "> "; an external one lays text
     * out itself, and a wrapped "> 4" there is not a quote. */
    static const struct render_text how = {.quotes = true}, ext = {0};
    const struct render_opts *o = ctx->opts;
    if (o->html_convert) {
        char *out = NULL;
        size_t olen = 0;
        if (o->html_convert(o->html_arg, html, len, ctx->doc->width, &out, &olen) == 0 && out) {
            render_text(ctx->doc, out, olen, &ext, o);
            free(out);
            return;
        }
        free(out);
        render_note(ctx, RSTYLE_NOTE, "[-- The HTML converter failed: built-in conversion --]");
    }
    struct strbuf sb = STRBUF_INIT;
    render_html_to_text(html, len, &sb);
    render_text(ctx->doc, strbuf_str(&sb), sb.len, &how, o);
    strbuf_free(&sb);
}

/* message/delivery-status and friends: machine-readable, shown as text. */
static bool
render_is_status(const struct mail_part *p)
{
    static const char *const subs[] = {
        "delivery-status",          "global-delivery-status",
        "disposition-notification", "global-disposition-notification",
        "feedback-report",          "global-headers"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (render_is(p, "message", subs[i]))
            return true;
    return false;
}

static void
render_leaf_text(struct render_ctx *ctx, const struct mail_part *p, unsigned n)
{
    char *text = NULL;
    size_t len = 0;
    struct nx_err err = {0};

    render_separator(ctx, p, n);
    if (mail_part_text(p, &text, &len, &err) != 0) {
        render_note(ctx, RSTYLE_ERROR, "[-- Part #%u could not be decoded: %s --]", n,
                    err.what[0] ? err.what : "unknown error");
        free(text);
        return;
    }
    if (render_is(p, "text", "html")) {
        render_html(ctx, text, len);
    } else {
        struct render_text how = {.quotes = true, .signature = true};
        if (render_is_status(p) || render_is(p, "text", "rfc822-headers"))
            how.quotes = how.signature = false;
        else if (render_is(p, "text", "plain")) {
            const char *fmt = mail_part_param(p, "format");
            const char *delsp = mail_part_param(p, "delsp");
            how.flowed = fmt && strcasecmp(fmt, "flowed") == 0; /* RFC 3676 §4.1 */
            how.delsp = how.flowed && delsp && strcasecmp(delsp, "yes") == 0;
        }
        render_text(ctx->doc, text, len, &how, ctx->opts);
    }
    free(text);
}

static void
render_leaf(struct render_ctx *ctx, const struct mail_part *p, enum render_show show, bool root)
{
    unsigned n = ++ctx->leaf;
    if (show == RENDER_HIDE)
        return;
    bool text = render_is(p, "text", NULL) && (p->disposition != MAIL_DISP_ATTACHMENT || root);
    if (show == RENDER_SHOW && (text || render_is_status(p)))
        render_leaf_text(ctx, p, n);
    else
        render_attachment(ctx, p, n);
}

/* RFC 2046 §5.1.4: how well an alternative suits the reader. */
static int
render_alt_score(const struct mail_part *p, bool prefer_html, unsigned depth)
{
    if (depth > RENDER_MAX_NESTING)
        return 0;
    if (render_is(p, "text", "plain"))
        return prefer_html ? 2 : 3;
    if (render_is(p, "text", "html"))
        return prefer_html ? 3 : 2;
    if (render_is(p, "text", NULL))
        return 1;
    if (!render_is(p, "multipart", NULL) || p->nchildren == 0)
        return 0;
    if (render_is(p, "multipart", "alternative")) {
        int best = 0;
        for (size_t i = 0; i < p->nchildren; i++) {
            int s = render_alt_score(p->children[i], prefer_html, depth + 1);
            best = s > best ? s : best;
        }
        return best;
    }
    /* related, mixed, signed: judged by their first (root) part */
    return render_alt_score(p->children[0], prefer_html, depth + 1);
}

static size_t
render_pick_alternative(const struct mail_part *p, bool prefer_html)
{
    size_t pick = p->nchildren - 1; /* nothing displayable: the last one */
    int best = 0;
    for (size_t i = 0; i < p->nchildren; i++) {
        int s = render_alt_score(p->children[i], prefer_html, 0);
        if (s > best || (s == best && s > 0)) {
            best = s;
            pick = i; /* among equals the last one is the sender's best, §5.1.4 */
        }
    }
    return pick;
}

/* RFC 2387 §3.2: the root is the part named by "start", else the first. */
static size_t
render_related_root(const struct mail_part *p)
{
    const char *start = mail_part_param(p, "start");
    if (start == NULL)
        return 0;
    size_t sl = strlen(start);
    if (sl >= 2 && start[0] == '<' && start[sl - 1] == '>') {
        start++;
        sl -= 2;
    }
    for (size_t i = 0; i < p->nchildren; i++) {
        const char *cid = p->children[i]->content_id;
        if (cid && strlen(cid) == sl && strncmp(cid, start, sl) == 0)
            return i;
    }
    return 0;
}

static void
render_multipart(struct render_ctx *ctx, const struct mail_part *p, enum render_show show)
{
    size_t chosen = SIZE_MAX;
    bool related = render_is(p, "multipart", "related");

    if (p->nchildren == 0) {
        if (show == RENDER_SHOW)
            render_note(ctx, RSTYLE_NOTE, "[-- Empty multipart/%s --]",
                        render_str(p->subtype, "mixed"));
        return;
    }
    if (render_is(p, "multipart", "alternative"))
        chosen = render_pick_alternative(p, ctx->opts->prefer_html);
    else if (related)
        chosen = render_related_root(p);
    else if (render_is(p, "multipart", "encrypted") && show == RENDER_SHOW) {
        render_note(ctx, RSTYLE_NOTE, "[-- Encrypted message: nixie cannot decrypt it --]");
        show = RENDER_LIST;
    }
    for (size_t i = 0; i < p->nchildren; i++) {
        enum render_show s = show;
        if (chosen != SIZE_MAX && i != chosen && show == RENDER_SHOW)
            s = related ? RENDER_LIST : RENDER_HIDE;
        render_part(ctx, p->children[i], s, false);
    }
}

/* The enclosed message's header block (RFC 2046 §5.2.1), from its bytes. */
static void
render_enclosed_headers(struct render_ctx *ctx, const char *data, size_t len, size_t *body)
{
    struct mail_field *fields = NULL;
    struct mail_header *hdrs = NULL;
    size_t hlen = len;

    if (len > 0 && (data[0] == '\n' || (len > 1 && data[0] == '\r' && data[1] == '\n'))) {
        *body = data[0] == '\n' ? 1 : 2; /* no header block at all */
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n')
            continue;
        size_t j = i + 1 + (i + 1 < len && data[i + 1] == '\r');
        if (j < len && data[j] == '\n') {
            hlen = i + 1;
            *body = j + 1;
            break;
        }
    }
    if (hlen == len)
        *body = len;
    size_t n = mail_fields_parse(data, hlen, &fields);
    if (n > 0) {
        hdrs = xreallocarray(NULL, n, sizeof *hdrs);
        for (size_t i = 0; i < n; i++)
            hdrs[i] = (struct mail_header){fields[i].name, fields[i].value};
    }
    render_headers(ctx->doc, hdrs, n, ctx->opts);
    free(hdrs);
    mail_fields_free(fields, n);
}

static void
render_message_part(struct render_ctx *ctx, const struct mail_part *p, enum render_show show)
{
    unsigned n = ++ctx->leaf, shown = ctx->shown;
    char *data = NULL;
    size_t len = 0, body = 0;

    if (show != RENDER_SHOW) {
        if (show == RENDER_LIST)
            render_attachment(ctx, p, n);
        for (size_t i = 0; i < p->nchildren; i++)
            render_part(ctx, p->children[i], RENDER_HIDE, true);
        return;
    }
    ctx->shown = 1;
    render_blank(ctx, false);
    struct strbuf sb = STRBUF_INIT;
    render_describe(&sb, p, n, false);
    render_note(ctx, RSTYLE_PART_SEP, "[-- Part %s --]", strbuf_str(&sb));
    strbuf_free(&sb);
    if (mail_part_decode(p, &data, &len, NULL) == 0)
        render_enclosed_headers(ctx, data, len, &body);
    ctx->shown = 0;
    if (p->nchildren > 0) {
        render_part(ctx, p->children[0], RENDER_SHOW, true);
    } else if (body < len) {
        static const struct render_text how = {.quotes = true, .signature = true};
        render_text(ctx->doc, data + body, len - body, &how, ctx->opts);
    }
    free(data);
    render_blank(ctx, false);
    render_note(ctx, RSTYLE_PART_SEP, "[-- End of part #%u --]", n);
    ctx->shown = shown + 1;
}

static void
render_part(struct render_ctx *ctx, const struct mail_part *p, enum render_show show, bool root)
{
    if (rdoc_full(ctx->doc))
        return;
    if (ctx->nesting >= RENDER_MAX_NESTING) {
        if (show == RENDER_SHOW)
            render_note(ctx, RSTYLE_ERROR, "[-- Parts nested too deeply: not shown --]");
        return;
    }
    ctx->nesting++;
    if (render_is(p, "multipart", NULL))
        render_multipart(ctx, p, show);
    else if (render_is(p, "message", "rfc822") || render_is(p, "message", "global"))
        render_message_part(ctx, p, show);
    else
        render_leaf(ctx, p, show, root);
    ctx->nesting--;
    if (p->truncated && show == RENDER_SHOW)
        render_note(ctx, RSTYLE_NOTE,
                    "[-- Broken or too deeply nested MIME: some parts may be missing --]");
}

int
render_message(const struct mail_message *msg, const struct dsn_report *report,
               const struct render_opts *opts, size_t width, struct rdoc **out, struct nx_err *err)
{
    struct render_opts dflt;
    const struct mail_header *hdrs = NULL;

    (void)report; /* the bounce view comes later */
    if (out == NULL || msg == NULL)
        return nx_err_set(err, NX_ERR_INTERNAL, "render_message: no message");
    *out = NULL;
    if (opts == NULL) {
        render_opts_default(&dflt);
        opts = &dflt;
    }
    struct render_ctx ctx = {.doc = rdoc_new(width), .opts = opts};
    size_t n = mail_message_headers(msg, &hdrs);
    render_headers(ctx.doc, hdrs, n, opts);
    const struct mail_part *root = mail_message_root(msg);
    if (root == NULL)
        render_note(&ctx, RSTYLE_ERROR, "[-- The message body could not be parsed --]");
    else
        render_part(&ctx, root, RENDER_SHOW, true);
    *out = ctx.doc;
    return 0;
}
