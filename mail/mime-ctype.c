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
 * The same parameter scanner reads "inline"/"attachment" Content-
 * Disposition values (mail_cdisp_scan), and mail_cte_scan the five
 * Content-Transfer-Encoding mechanisms, each sparing libetpan's
 * allocations.  tests/unit/test-mime-ctype.c compares them with libetpan
 * on every such field of the corpus and on hand-made and random values;
 * fuzz-decode does so on fuzzed ones.
 */
#include <string.h>
#include <strings.h>

#include "mail/message-private.h"

/* Byte classes, as a table since every byte of the value is looked up:
 * CTYPE_T: RFC 2045 §5.1 token characters (as libetpan's is_token) in the
 * printable ASCII range this scanner accepts at all; CTYPE_Q: bytes taken
 * inside quotes without a second look (printable ASCII but for the quote,
 * the backslash, the space and '?', which are looked at). */
#define CTYPE_T 1
#define CTYPE_Q 2
static const unsigned char ctype_class[256] = {
    [' '] = 0, ['!'] = 3, ['"'] = 0, ['#'] = 3, ['$'] = 3,  ['%'] = 3, ['&'] = 3, ['\''] = 3,
    ['('] = 2, [')'] = 2, ['*'] = 3, ['+'] = 3, [','] = 2,  ['-'] = 3, ['.'] = 3, ['/'] = 2,
    ['0'] = 3, ['1'] = 3, ['2'] = 3, ['3'] = 3, ['4'] = 3,  ['5'] = 3, ['6'] = 3, ['7'] = 3,
    ['8'] = 3, ['9'] = 3, [':'] = 2, [';'] = 2, ['<'] = 2,  ['='] = 2, ['>'] = 2, ['?'] = 0,
    ['@'] = 2, ['A'] = 3, ['B'] = 3, ['C'] = 3, ['D'] = 3,  ['E'] = 3, ['F'] = 3, ['G'] = 3,
    ['H'] = 3, ['I'] = 3, ['J'] = 3, ['K'] = 3, ['L'] = 3,  ['M'] = 3, ['N'] = 3, ['O'] = 3,
    ['P'] = 3, ['Q'] = 3, ['R'] = 3, ['S'] = 3, ['T'] = 3,  ['U'] = 3, ['V'] = 3, ['W'] = 3,
    ['X'] = 3, ['Y'] = 3, ['Z'] = 3, ['['] = 2, ['\\'] = 0, [']'] = 2, ['^'] = 3, ['_'] = 3,
    ['`'] = 3, ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3,  ['e'] = 3, ['f'] = 3, ['g'] = 3,
    ['h'] = 3, ['i'] = 3, ['j'] = 3, ['k'] = 3, ['l'] = 3,  ['m'] = 3, ['n'] = 3, ['o'] = 3,
    ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3,  ['u'] = 3, ['v'] = 3, ['w'] = 3,
    ['x'] = 3, ['y'] = 3, ['z'] = 3, ['{'] = 3, ['|'] = 3,  ['}'] = 3, ['~'] = 3,
};

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
    size_t start = c->i, i = c->i;
    while (i < c->len && (ctype_class[(unsigned char)c->s[i]] & CTYPE_T))
        i++;
    c->i = i;
    *out = (struct mail_ctype_span){c->s + start, i - start};
    return i > start;
}

/* '"' qtext '"' with single spaces: what libetpan returns is the inside. */
static bool
ctype_quoted(struct ctype_cur *c, struct mail_ctype_span *out)
{
    const char *s = c->s;
    size_t start = ++c->i, i = start;
    for (;;) {
        while (i < c->len && (ctype_class[(unsigned char)s[i]] & CTYPE_Q))
            i++;
        if (i == c->len)
            return false;
        if (s[i] == '"')
            break;
        if (s[i] == ' ' && s[i - 1] != ' ') /* (the quote before the first is not a space) */
            i++;
        else if (s[i] == '?' && s[i - 1] != '=')
            i++;
        else
            return false; /* 8-bit, controls, tabs, quoted pairs, blank runs, encoded words */
    }
    *out = (struct mail_ctype_span){s + start, i - start};
    c->i = i + 1;
    return true;
}

/* libetpan matches the type names by prefix ("textual" is "text"): only
 * exact names are taken here.  Returns the lowercase name, or NULL. */
static const char *
ctype_known_type(const struct mail_ctype_span *t)
{
    static const char *names[] = {"text",        "image",   "audio",    "video",
                                  "application", "message", "multipart"};
    static const unsigned char lens[] = {4, 5, 5, 5, 11, 7, 9};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (lens[k] == t->n && (t->s[0] | 0x20) == names[k][0] &&
            strncasecmp(names[k], t->s, t->n) == 0)
            return names[k];
    return NULL;
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

/* *( ";" param ) to the end, as libetpan reads it for both fields. */
static bool
ctype_params(struct ctype_cur *c, struct mail_ctype_span *name, struct mail_ctype_span *value,
             size_t *n)
{
    *n = 0;
    for (;;) {
        ctype_spaces(c);
        if (c->i == c->len)
            return true;
        if (c->s[c->i] != ';' || *n == MAIL_CTYPE_MAX_PARAMS)
            return false;
        c->i++;
        ctype_spaces(c);
        if (c->i == c->len)
            return true; /* libetpan ends the list at a trailing ";" */
        if (!ctype_param(c, &name[*n], &value[*n]))
            return false;
        (*n)++;
    }
}

bool
mail_ctype_scan(const char *s, size_t len, struct mail_ctype *ct)
{
    struct ctype_cur c = {s, len, 0};
    ctype_spaces(&c);
    if (!ctype_token(&c, &ct->type) || (ct->type_name = ctype_known_type(&ct->type)) == NULL)
        return false;
    ctype_spaces(&c);
    if (c.i == c.len || s[c.i] != '/')
        return false;
    c.i++;
    ctype_spaces(&c);
    if (!ctype_token(&c, &ct->subtype))
        return false;
    return ctype_params(&c, ct->name, ct->value, &ct->nparams);
}

static bool
ctype_span_is(const struct mail_ctype_span *sp, const char *lower, size_t n)
{
    return sp->n == n && strncasecmp(sp->s, lower, n) == 0;
}

/* libetpan matches these names by prefix and parses dates and sizes of its
 * own: a parameter whose name starts with one of them, but for "filename"
 * itself, is left to libetpan. */
static bool
cdisp_special_name(const struct mail_ctype_span *name)
{
    static const char *names[] = {"filename", "creation-date", "modification-date", "read-date",
                                  "size"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t n = strlen(names[k]);
        if (name->n >= n && strncasecmp(name->s, names[k], n) == 0)
            return !(k == 0 && name->n == n);
    }
    return false;
}

bool
mail_cdisp_scan(const char *s, size_t len, struct mail_cdisp *d)
{
    struct ctype_cur c = {s, len, 0};
    struct mail_ctype_span type;
    ctype_spaces(&c);
    if (!ctype_token(&c, &type))
        return false;
    if (ctype_span_is(&type, "inline", 6))
        d->is_inline = true;
    else if (ctype_span_is(&type, "attachment", 10))
        d->is_inline = false;
    else
        return false; /* prefixes of longer names, extension types: libetpan */
    if (!ctype_params(&c, d->name, d->value, &d->nparams))
        return false;
    /* libetpan takes a tab right after a parameter name as part of the
     * name (for Content-Type, mime_phrase turns tabs into spaces first) */
    for (size_t k = 0; k < d->nparams; k++)
        if (cdisp_special_name(&d->name[k]) || d->name[k].s[d->name[k].n] == '\t')
            return false;
    return true;
}

bool
mail_cte_scan(const char *s, size_t len, enum mail_encoding *enc)
{
    static const struct {
        const char *name;
        size_t n;
        enum mail_encoding enc;
    } names[] = {
        {"7bit", 4, MAIL_ENC_7BIT},     {"8bit", 4, MAIL_ENC_8BIT},
        {"base64", 6, MAIL_ENC_BASE64}, {"quoted-printable", 16, MAIL_ENC_QP},
        {"binary", 6, MAIL_ENC_BINARY},
    };
    size_t i = 0, e = len; /* (libetpan does not take leading blanks alike) */
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k].n == e - i && strncasecmp(s + i, names[k].name, names[k].n) == 0) {
            *enc = names[k].enc;
            return true;
        }
    return false;
}
