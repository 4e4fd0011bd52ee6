/*
 * mime-ctype.c - a fast path for the common, simple Content-Type value:
 * "type/subtype" with name=token or name="quoted" parameters.
 *
 * libetpan's mailmime_content_parse costs some 8k instructions a value,
 * mostly allocations for every token and quoted character; this scanner
 * gives the same type, subtype and parameters for the simple form and
 * refuses everything else, so that mime-fields.c falls back to libetpan:
 * comments, backslashes, RFC 2231 '*' names, bytes outside printable ASCII
 * (8-bit, controls), "=?" (encoded words), blank runs inside quotes, types
 * other than the seven of RFC 2046, an empty parameter, anything trailing.
 * tests/unit/test-mime-ctype.c compares it with libetpan on every
 * Content-Type of the corpus and on hand-made values.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/message-private.h"

/* RFC 2045 §5.1 token characters, as libetpan's is_token for the
 * printable ASCII range this scanner accepts at all: a table, since
 * every byte of the value is looked up. */
static bool
ctype_is_token(char c)
{
    static const uint32_t bits[4] = {
        0x00000000, /* 0x00-0x1f: controls */
        0x03ff6cfa, /* 0x20-0x3f: not space ( ) , / : ; < = > ? " */
        0xc7fffffe, /* 0x40-0x5f: not @ [ \ ] */
        0x7fffffff, /* 0x60-0x7f: not DEL */
    };
    unsigned char u = (unsigned char)c;
    return u < 0x80 && (bits[u >> 5] >> (u & 31) & 1);
}

struct ctype_cur {
    const char *s;
    size_t len, i;
};

/* Tabs count as spaces: mime-fields.c joins blank runs into one space
 * before libetpan sees the value (mime_phrase). */
static void
ctype_spaces(struct ctype_cur *c)
{
    while (c->i < c->len && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static bool
ctype_token(struct ctype_cur *c, struct mail_ctype_span *out)
{
    size_t start = c->i;
    while (c->i < c->len && ctype_is_token(c->s[c->i]))
        c->i++;
    *out = (struct mail_ctype_span){c->s + start, c->i - start};
    return c->i > start;
}

/* '"' qtext '"' with single spaces: what libetpan returns is the inside. */
static bool
ctype_quoted(struct ctype_cur *c, struct mail_ctype_span *out)
{
    size_t start = ++c->i;
    for (; c->i < c->len && c->s[c->i] != '"'; c->i++) {
        char ch = c->s[c->i];
        if (ch < ' ' || ch >= 0x7f || ch == '\\' || (ch == ' ' && c->s[c->i - 1] == ' '))
            return false; /* 8-bit, controls, tabs, quoted pairs, blank runs */
        if (ch == '?' && c->s[c->i - 1] == '=')
            return false; /* an encoded word: mime_phrase decodes it */
    }
    if (c->i == c->len)
        return false;
    *out = (struct mail_ctype_span){c->s + start, c->i - start};
    c->i++;
    return true;
}

/* libetpan matches the type names by prefix ("textual" is "text"): only
 * exact names are taken here. */
static bool
ctype_known_type(const struct mail_ctype_span *t)
{
    static const char *names[] = {"text",        "image",   "audio",    "video",
                                  "application", "message", "multipart"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k]) == t->n && strncasecmp(names[k], t->s, t->n) == 0)
            return true;
    return false;
}

static bool
ctype_param(struct ctype_cur *c, struct mail_ctype_span *name, struct mail_ctype_span *value)
{
    ctype_spaces(c);
    if (!ctype_token(c, name) || memchr(name->s, '*', name->n) != NULL)
        return false;
    ctype_spaces(c);
    if (c->i == c->len || c->s[c->i] != '=')
        return false;
    c->i++;
    ctype_spaces(c);
    if (c->i < c->len && c->s[c->i] == '"')
        return ctype_quoted(c, value);
    return ctype_token(c, value);
}

bool
mail_ctype_scan(const char *s, size_t len, struct mail_ctype *ct)
{
    struct ctype_cur c = {s, len, 0};
    ctype_spaces(&c);
    if (!ctype_token(&c, &ct->type) || !ctype_known_type(&ct->type))
        return false;
    ctype_spaces(&c);
    if (c.i == c.len || s[c.i] != '/')
        return false;
    c.i++;
    ctype_spaces(&c);
    if (!ctype_token(&c, &ct->subtype))
        return false;
    ct->nparams = 0;
    for (;;) {
        ctype_spaces(&c);
        if (c.i == c.len)
            return true;
        if (s[c.i] != ';' || ct->nparams == MAIL_CTYPE_MAX_PARAMS)
            return false;
        c.i++;
        ctype_spaces(&c);
        if (c.i == c.len)
            return true; /* libetpan ends the list at a trailing ";" */
        if (!ctype_param(&c, &ct->name[ct->nparams], &ct->value[ct->nparams]))
            return false;
        ct->nparams++;
    }
}
