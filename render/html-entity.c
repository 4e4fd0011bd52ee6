/*
 * html-entity.c - HTML character references (HTML5 §13.2.5.72-80, §13.5).
 *
 * Decodes &#NNN;, &#xHHH; and the common named references into one code
 * point.  Numbers that are 0, surrogates or beyond U+10FFFF become U+FFFD;
 * 0x80-0x9F map through windows-1252 as browsers do.  Any other code point,
 * including controls (&#27;), is returned as is: render_text() sanitises.
 * Named references need their ';' except the five legacy ones.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "render/render-private.h"

#define RENDER_ENTITY_NAME_MAX 8u

struct render_entity {
    const char name[RENDER_ENTITY_NAME_MAX + 1];
    uint32_t cp;
};

/* Sorted by strcmp() for bsearch(). */
static const struct render_entity render_entities[] = {
    {"AElig", 0x00C6},  {"Aacute", 0x00C1},  {"Acirc", 0x00C2},  {"Agrave", 0x00C0},
    {"Alpha", 0x0391},  {"Aring", 0x00C5},   {"Atilde", 0x00C3}, {"Auml", 0x00C4},
    {"Beta", 0x0392},   {"Ccedil", 0x00C7},  {"Dagger", 0x2021}, {"Delta", 0x0394},
    {"ETH", 0x00D0},    {"Eacute", 0x00C9},  {"Ecirc", 0x00CA},  {"Egrave", 0x00C8},
    {"Euml", 0x00CB},   {"Gamma", 0x0393},   {"Iacute", 0x00CD}, {"Icirc", 0x00CE},
    {"Igrave", 0x00CC}, {"Iuml", 0x00CF},    {"Ntilde", 0x00D1}, {"OElig", 0x0152},
    {"Oacute", 0x00D3}, {"Ocirc", 0x00D4},   {"Ograve", 0x00D2}, {"Omega", 0x03A9},
    {"Oslash", 0x00D8}, {"Otilde", 0x00D5},  {"Ouml", 0x00D6},   {"Prime", 0x2033},
    {"Scaron", 0x0160}, {"THORN", 0x00DE},   {"Uacute", 0x00DA}, {"Ucirc", 0x00DB},
    {"Ugrave", 0x00D9}, {"Uuml", 0x00DC},    {"Yacute", 0x00DD}, {"Yuml", 0x0178},
    {"aacute", 0x00E1}, {"acirc", 0x00E2},   {"acute", 0x00B4},  {"aelig", 0x00E6},
    {"agrave", 0x00E0}, {"alpha", 0x03B1},   {"amp", 0x0026},    {"apos", 0x0027},
    {"aring", 0x00E5},  {"asymp", 0x2248},   {"atilde", 0x00E3}, {"auml", 0x00E4},
    {"bdquo", 0x201E},  {"beta", 0x03B2},    {"brvbar", 0x00A6}, {"bull", 0x2022},
    {"ccedil", 0x00E7}, {"cedil", 0x00B8},   {"cent", 0x00A2},   {"check", 0x2713},
    {"circ", 0x02C6},   {"copy", 0x00A9},    {"curren", 0x00A4}, {"dagger", 0x2020},
    {"darr", 0x2193},   {"deg", 0x00B0},     {"delta", 0x03B4},  {"divide", 0x00F7},
    {"eacute", 0x00E9}, {"ecirc", 0x00EA},   {"egrave", 0x00E8}, {"emsp", 0x2003},
    {"ensp", 0x2002},   {"epsilon", 0x03B5}, {"eth", 0x00F0},    {"euml", 0x00EB},
    {"euro", 0x20AC},   {"fnof", 0x0192},    {"frac12", 0x00BD}, {"frac14", 0x00BC},
    {"frac34", 0x00BE}, {"gamma", 0x03B3},   {"ge", 0x2265},     {"gt", 0x003E},
    {"hArr", 0x21D4},   {"harr", 0x2194},    {"hearts", 0x2665}, {"hellip", 0x2026},
    {"iacute", 0x00ED}, {"icirc", 0x00EE},   {"iexcl", 0x00A1},  {"igrave", 0x00EC},
    {"infin", 0x221E},  {"iquest", 0x00BF},  {"iuml", 0x00EF},   {"lArr", 0x21D0},
    {"lambda", 0x03BB}, {"laquo", 0x00AB},   {"larr", 0x2190},   {"ldquo", 0x201C},
    {"le", 0x2264},     {"lsquo", 0x2018},   {"lt", 0x003C},     {"macr", 0x00AF},
    {"mdash", 0x2014},  {"micro", 0x00B5},   {"middot", 0x00B7}, {"minus", 0x2212},
    {"mu", 0x03BC},     {"nbsp", 0x00A0},    {"ndash", 0x2013},  {"ne", 0x2260},
    {"not", 0x00AC},    {"ntilde", 0x00F1},  {"oacute", 0x00F3}, {"ocirc", 0x00F4},
    {"oelig", 0x0153},  {"ograve", 0x00F2},  {"omega", 0x03C9},  {"ordf", 0x00AA},
    {"ordm", 0x00BA},   {"oslash", 0x00F8},  {"otilde", 0x00F5}, {"ouml", 0x00F6},
    {"para", 0x00B6},   {"permil", 0x2030},  {"pi", 0x03C0},     {"plusmn", 0x00B1},
    {"pound", 0x00A3},  {"prime", 0x2032},   {"quot", 0x0022},   {"rArr", 0x21D2},
    {"raquo", 0x00BB},  {"rarr", 0x2192},    {"rdquo", 0x201D},  {"reg", 0x00AE},
    {"rsquo", 0x2019},  {"sbquo", 0x201A},   {"scaron", 0x0161}, {"sect", 0x00A7},
    {"shy", 0x00AD},    {"sigma", 0x03C3},   {"sum", 0x2211},    {"sup1", 0x00B9},
    {"sup2", 0x00B2},   {"sup3", 0x00B3},    {"szlig", 0x00DF},  {"thinsp", 0x2009},
    {"thorn", 0x00FE},  {"tilde", 0x02DC},   {"times", 0x00D7},  {"trade", 0x2122},
    {"uacute", 0x00FA}, {"uarr", 0x2191},    {"ucirc", 0x00FB},  {"ugrave", 0x00F9},
    {"uml", 0x00A8},    {"uuml", 0x00FC},    {"yacute", 0x00FD}, {"yen", 0x00A5},
    {"yuml", 0x00FF},   {"zwj", 0x200D},     {"zwnj", 0x200C},
};

/* HTML5: windows-1252 for numeric references 0x80..0x9F (0 = unmapped). */
static const uint16_t render_cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static int
render_entity_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct render_entity *)elem)->name);
}

static bool
render_entity_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
render_entity_digit(char c, bool hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t
render_entity_number(const char *s, size_t len, uint32_t *cp)
{
    bool hex = len > 2 && (s[2] == 'x' || s[2] == 'X');
    size_t i = hex ? 3 : 2, start = i;
    uint32_t v = 0;
    int d;
    while (i < len && (d = render_entity_digit(s[i], hex)) >= 0) {
        if (v <= 0x10FFFF)
            v = v * (hex ? 16 : 10) + (uint32_t)d; /* saturates above the range */
        i++;
    }
    if (i == start) {
        *cp = '&';
        return 1;
    }
    if (i < len && s[i] == ';')
        i++;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = UTF8_REPLACEMENT;
    else if (v >= 0x80 && v <= 0x9F && render_cp1252[v - 0x80])
        v = render_cp1252[v - 0x80];
    *cp = v;
    return i;
}

size_t
render_html_entity(const char *s, size_t len, uint32_t *cp)
{
    static const char *const legacy[] = {"amp", "lt", "gt", "quot", "nbsp"};
    char name[RENDER_ENTITY_NAME_MAX + 1];
    size_t n = 0;

    *cp = '&';
    if (len > 1 && s[1] == '#')
        return render_entity_number(s, len, cp);
    while (1 + n < len && n < RENDER_ENTITY_NAME_MAX && render_entity_alnum(s[1 + n])) {
        name[n] = s[1 + n];
        n++;
    }
    name[n] = '\0';
    if (n == 0)
        return 1;
    bool semi = 1 + n < len && s[1 + n] == ';';
    const struct render_entity *e =
        bsearch(name, render_entities, sizeof render_entities / sizeof render_entities[0],
                sizeof render_entities[0], render_entity_cmp);
    if (e == NULL)
        return 1;
    if (!semi) {
        bool ok = false;
        for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
            ok |= strcmp(name, legacy[i]) == 0;
        if (!ok || (1 + n < len && render_entity_alnum(s[1 + n])))
            return 1;
    }
    *cp = e->cp;
    return 1 + n + semi;
}
