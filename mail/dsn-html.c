/*
 * dsn-html.c - just enough HTML-to-text for bounces that come only as
 * text/html (Office 365, some webmail NDRs): drops tags, comments, <style>
 * and <script> content; block tags become line breaks; the common entities
 * are decoded.  Not a renderer: render/ has its own HTML path for display.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/strbuf.h"
#include "mail/base/utf8.h"

#include "mail/dsn-private.h"

static bool
dsn_html_tag_is(const char *tag, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len == 0 || (tag[0] | 0x20) != (name[0] | 0x20))
        return false; /* most tags differ at once */
    return len >= n && strncasecmp(tag, name, n) == 0 &&
           (len == n || !isalnum((unsigned char)tag[n]));
}

/* Skip past the end of an element's content ("</style>"). */
static size_t
dsn_html_skip_to_close(const char *s, size_t len, size_t i, const char *close)
{
    const char *e = dsn_memcasemem(s + i, len - i, close);
    return e ? (size_t)(e - s) + strlen(close) : len;
}

static size_t
dsn_html_entity(struct strbuf *sb, const char *s, size_t len, size_t i)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } ents[] = {{"amp;", '&'},   {"lt;", '<'},   {"gt;", '>'},  {"quot;", '"'},
                {"apos;", '\''}, {"nbsp;", ' '}, {"#39;", '\''}};
    for (size_t k = 0; k < sizeof ents / sizeof ents[0]; k++) {
        size_t n = strlen(ents[k].name);
        if (i + 1 + n <= len && strncasecmp(s + i + 1, ents[k].name, n) == 0) {
            utf8_encode(sb, ents[k].cp);
            return i + 1 + n;
        }
    }
    if (i + 2 < len && s[i + 1] == '#') {
        char *end;
        bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
        char buf[16];
        size_t n = len - (i + 2 + hex) < sizeof buf - 1 ? len - (i + 2 + hex) : sizeof buf - 1;
        memcpy(buf, s + i + 2 + hex, n);
        buf[n] = '\0';
        unsigned long cp = strtoul(buf, &end, hex ? 16 : 10);
        if (end > buf && *end == ';') {
            utf8_encode(sb, cp > 0 && cp <= 0x10FFFF ? (uint32_t)cp : UTF8_REPLACEMENT);
            return i + 2 + hex + (size_t)(end - buf) + 1;
        }
    }
    strbuf_addc(sb, '&');
    return i + 1;
}

/* Is the tag (after its '<') one that starts or ends a block?  Its name (a
 * '/' and the letters and digits after it) is read once, folded into a
 * zero-padded word, and compared as one word with each block's name: most
 * tags are not blocks. */
static bool
dsn_html_is_block(const char *tag, size_t tl)
{
    static const char blocks[][8] = {"br",    "p",  "div",  "tr",  "li",     "h1",  "h2", "h3",
                                     "table", "/p", "/div", "/tr", "/table", "/li", "hr"};
    char w[8] = {0};
    size_t n = tl > 0 && tag[0] == '/';
    if (n)
        w[0] = '/';
    for (; n < tl && n < sizeof w; n++) {
        unsigned char c = dsn_fold((unsigned char)tag[n]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            break;
        w[n] = (char)c;
    }
    if (n == sizeof w) /* longer than any block's name */
        return false;
    uint64_t a, b;
    memcpy(&a, w, 8);
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        memcpy(&b, blocks[k], 8);
        if (a == b)
            return true;
    }
    return false;
}

char *
dsn_html_to_text(const char *s, size_t len, size_t *out_len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_grow(&sb, len); /* the text is never longer than the HTML */
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '&') {
            i = dsn_html_entity(&sb, s, len, i);
            continue;
        }
        if (c != '<') {
            /* a run of text up to the next markup or CR, copied at once */
            static const bool stop[256] = {['<'] = 1, ['&'] = 1, ['\r'] = 1};
            size_t run = i;
            while (run < len && !stop[(unsigned char)s[run]])
                run++;
            if (run == i) { /* a CR */
                strbuf_addc(&sb, '\n');
                run++;
            } else {
                strbuf_add(&sb, s + i, run - i);
            }
            i = run;
            continue;
        }
        if (i + 4 <= len && s[i + 1] == '!' && s[i + 2] == '-' && s[i + 3] == '-') {
            i = dsn_html_skip_to_close(s, len, i + 4, "-->");
            continue;
        }
        const char *tag = s + i + 1;
        size_t tl = len - i - 1;
        bool s_tag = tl > 0 && (tag[0] == 's' || tag[0] == 'S');
        if (s_tag && (dsn_html_tag_is(tag, tl, "style") || dsn_html_tag_is(tag, tl, "script"))) {
            i = dsn_html_skip_to_close(s, len, i + 1,
                                       tag[1] == 't' || tag[1] == 'T' ? "</style>" : "</script>");
            continue;
        }
        if (dsn_html_is_block(tag, tl))
            strbuf_addc(&sb, '\n');
        const char *gt = memchr(s + i, '>', len - i);
        i = gt ? (size_t)(gt - s) + 1 : len;
    }
    return strbuf_detach(&sb, out_len);
}
