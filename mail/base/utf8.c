/*
 * utf8.c - UTF-8 decoding, width and sanitising for the terminal.
 *
 * utf8_sanitize() is the audited gate between message content and the
 * screen (mblaze's safe_u8putstr, tmux's utf8_stravis): keep it small.
 */
#include "mail/base/utf8.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "mail/base/xalloc.h"

int
utf8_locale_init(void)
{
    setlocale(LC_ALL, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
        return 0;
    if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
        return 0;
    return setlocale(LC_CTYPE, "en_US.UTF-8") != NULL ? 0 : -1;
}

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    if (len < n) {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = UTF8_REPLACEMENT;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    *cp = v;
    return n;
}

void
utf8_encode(struct strbuf *sb, uint32_t cp)
{
    char b[4];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = UTF8_REPLACEMENT;
    if (cp < 0x80) {
        b[0] = (char)cp;
        strbuf_add(sb, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 4);
    }
}

/* Eight bytes at a time: most mail text is ASCII, and every decoded part
 * is checked. */
size_t
utf8_ascii_len(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 32 <= len; i += 32) { /* the texts are long: four words a test */
        uint64_t w[4];
        memcpy(w, s + i, 32);
        if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull)
            break;
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

bool
utf8_valid(const char *str, size_t len)
{
    /* what utf8_decode accepts (RFC 3629: no overlong forms, surrogates or
     * code points above U+10FFFF), checked in place: text converted from
     * CJK charsets is mostly multi-byte, where a decode call a character
     * cost more than the check */
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while ((i += utf8_ascii_len(str + i, len - i)) < len) {
        do {
            unsigned char c = s[i];
            size_t left = len - i;
            if (c < 0x80) {
                i++;
            } else if (c >= 0xC2 && c <= 0xDF) {
                if (left < 2 || (s[i + 1] & 0xC0) != 0x80)
                    return false;
                i += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (left < 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                    (c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0))
                    return false;
                i += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (left < 4 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                    (s[i + 3] & 0xC0) != 0x80 || (c == 0xF0 && s[i + 1] < 0x90) ||
                    (c == 0xF4 && s[i + 1] >= 0x90))
                    return false;
                i += 4;
            } else {
                return false;
            }
        } while (i < len && s[i] >= 0x80); /* back to the word loop at ASCII */
    }
    return true;
}

int
utf8_cp_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x7F)
        return 1;
    int w = wcwidth((wchar_t)cp);
    if (w < 0)
        return 1; /* unassigned or unknown: assume one cell, as terminals do */
    return w;
}

size_t
utf8_width(const char *s, size_t len)
{
    size_t w = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_decode(s + i, len - i, &cp);
        w += (size_t)utf8_cp_width(cp);
    }
    return w;
}

size_t
utf8_fit(const char *s, size_t len, size_t cols, size_t *used)
{
    size_t w = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        size_t cw = (size_t)utf8_cp_width(cp);
        if (w + cw > cols)
            break;
        w += cw;
        i += n;
    }
    /* keep combining marks that follow the last character */
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (utf8_cp_width(cp) != 0 || cp < 0xA0)
            break;
        i += n;
    }
    if (used)
        *used = w;
    return i;
}

static bool
utf8_is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool
utf8_sanitize(struct strbuf *out, const char *s, size_t len, unsigned flags)
{
    bool changed = false;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp == '\n' && (flags & UTF8_SAN_KEEP_NEWLINE)) {
            strbuf_addc(out, '\n');
        } else if (cp == '\t' && (flags & UTF8_SAN_KEEP_TAB)) {
            strbuf_addc(out, '\t');
        } else if (cp < 0x20 || cp == 0x7F) {
            strbuf_addc(out, '^');
            strbuf_addc(out, cp == 0x7F ? '?' : (char)(cp + 0x40));
            changed = true;
        } else if (cp >= 0x80 && cp < 0xA0) {
            strbuf_addf(out, "<%02x>", (unsigned)cp);
            changed = true;
        } else if (utf8_is_bidi_control(cp)) {
            utf8_encode(out, UTF8_REPLACEMENT);
            changed = true;
        } else if (cp == UTF8_REPLACEMENT && n == 1 && (unsigned char)s[i] >= 0x80) {
            utf8_encode(out, UTF8_REPLACEMENT);
            changed = true;
        } else {
            strbuf_add(out, s + i, n);
        }
        i += n;
    }
    return changed;
}

char *
utf8_sanitize_dup(const char *s, size_t len, unsigned flags)
{
    struct strbuf sb = STRBUF_INIT;
    utf8_sanitize(&sb, s, len, flags);
    return strbuf_detach(&sb, NULL);
}

bool
utf8_is_safe(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 1 && (unsigned char)s[i] >= 0x80)
            return false;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || utf8_is_bidi_control(cp))
            return false;
        i += n;
    }
    return true;
}
