/*
 * keyname.c - key names as written in the config ("j", "<Enter>", "^D",
 * "\Cd", "<C-d>", "<F5>", "gg") to key codes and back.
 *
 * Owns: the table of named keys and the escapes.  Does not: know about
 * contexts or actions (keymap-parse.c), or about curses (ui/ translates).
 * Invariants: every code km_keys_parse() produces is normalised (see
 * km_key_normalize), and km_keys_name() prints a text that parses back to
 * the same codes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/base/utf8.h"

#include "keymaps/keymap-private.h"
#include "keymaps/keymap.h"

struct km_named {
    const char *name;
    int key;
};

/* The first name of a key is the one printed. */
static const struct km_named km_named_keys[] = {
    {"Enter", KM_KEY_ENTER},       {"Return", KM_KEY_ENTER},
    {"KeypadEnter", KM_KEY_ENTER}, {"Space", ' '},
    {"Tab", KM_KEY_TAB},           {"Esc", KM_KEY_ESC},
    {"Escape", KM_KEY_ESC},        {"Up", KM_KEY_UP},
    {"Down", KM_KEY_DOWN},         {"Left", KM_KEY_LEFT},
    {"Right", KM_KEY_RIGHT},       {"PageUp", KM_KEY_PGUP},
    {"PgUp", KM_KEY_PGUP},         {"PageDown", KM_KEY_PGDN},
    {"PgDn", KM_KEY_PGDN},         {"Home", KM_KEY_HOME},
    {"End", KM_KEY_END},           {"Insert", KM_KEY_INSERT},
    {"Ins", KM_KEY_INSERT},        {"Delete", KM_KEY_DELETE},
    {"Del", KM_KEY_DELETE},        {"Backspace", KM_KEY_BACKSPACE},
    {"BS", KM_KEY_BACKSPACE},      {"lt", '<'},
};

#define KM_NAME_MAX 16 /* longest text between < and > we look at */

int
km_key_normalize(int key)
{
    switch (key) {
    case '\r':
    case '\n':
        return KM_KEY_ENTER;
    case '\t':
        return KM_KEY_TAB;
    case 27:
        return KM_KEY_ESC;
    case 127:
        return KM_KEY_BACKSPACE;
    default:
        return key;
    }
}

/* The character after ^ or C- that makes a control key: ^@ ^A..^Z ^[ ^\ ^]
 * ^^ ^_ and ^? (DEL).  Returns the key or -1. */
static int
km_key_control(int c)
{
    if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
    if (c == '?')
        return km_key_normalize(127);
    if (c >= '@' && c <= '_')
        return km_key_normalize(c ^ 0x40);
    return -1;
}

static bool
km_key_namechar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '+';
}

/* Length of "<name>" at s (with the brackets), 0 if s does not start with
 * something shaped like a key name (then '<' is the key itself). */
static size_t
km_key_bracket_len(const char *s, size_t len)
{
    size_t i = 1;
    while (i < len && i <= KM_NAME_MAX && km_key_namechar(s[i]))
        i++;
    if (i < 2 || i >= len || s[i] != '>')
        return 0;
    return i + 1;
}

/* Look up the name between the brackets; stores 1 or 2 keys.  0 or -1. */
static int
km_key_lookup_name(const char *name, size_t len, int *out, unsigned *nout)
{
    *nout = 1;
    for (size_t i = 0; i < sizeof km_named_keys / sizeof km_named_keys[0]; i++) {
        const char *n = km_named_keys[i].name;
        if (strlen(n) == len && strncasecmp(n, name, len) == 0) {
            out[0] = km_named_keys[i].key;
            return 0;
        }
    }
    if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
        int num = 0;
        for (size_t i = 1; i < len; i++) {
            if (name[i] < '0' || name[i] > '9')
                return -1;
            num = num * 10 + (name[i] - '0');
        }
        if (num < 1 || num > 12 || name[1] == '0')
            return -1;
        out[0] = KM_KEY_F0 + num;
        return 0;
    }
    if (len == 3 && name[1] == '-' && (name[0] == 'C' || name[0] == 'c')) {
        out[0] = km_key_control((unsigned char)name[2]);
        return out[0] < 0 ? -1 : 0;
    }
    if (len == 3 && name[1] == '-' && (name[0] == 'M' || name[0] == 'm')) {
        /* Meta-x is what the terminal sends: Esc, then x. */
        out[0] = KM_KEY_ESC;
        out[1] = (unsigned char)name[2];
        *nout = 2;
        return 0;
    }
    return -1;
}

/* One backslash escape at s[0] == '\\'.  Returns bytes used, 0 on error. */
static size_t
km_key_escape(const char *s, size_t len, int *key, char *msg, size_t msgsize)
{
    if (len < 2) {
        snprintf(msg, msgsize, "'\\' at the end of the key (write \\\\ for a backslash)");
        return 0;
    }
    char c = s[1];
    if (c == 'C' || c == 'c') {
        if (len < 3 || (*key = km_key_control((unsigned char)s[2])) < 0) {
            snprintf(msg, msgsize, "'\\C' must be followed by a letter or one of @[\\]^_?");
            return 0;
        }
        return 3;
    }
    switch (c) {
    case 'e':
        *key = KM_KEY_ESC;
        return 2;
    case 't':
        *key = KM_KEY_TAB;
        return 2;
    case 'n':
    case 'r':
        *key = KM_KEY_ENTER;
        return 2;
    default:
        break;
    }
    if ((unsigned char)c > ' ' && (unsigned char)c < 127 && !km_key_namechar(c)) {
        *key = c; /* \\ \< \^ \# \" and other punctuation stand for themselves */
        return 2;
    }
    if (c == ' ') {
        *key = ' ';
        return 2;
    }
    snprintf(msg, msgsize,
             "unknown escape '\\%c' (use \\C, \\e, \\t, \\n, \\r or \\ before punctuation)",
             (unsigned char)c >= ' ' && (unsigned char)c < 127 ? c : '?');
    return 0;
}

/* One plain character (UTF-8).  Returns bytes used, 0 on error. */
static size_t
km_key_plain(const char *s, size_t len, int *key, char *msg, size_t msgsize)
{
    uint32_t cp;
    size_t used = utf8_decode(s, len, &cp);
    if (cp == UTF8_REPLACEMENT && used == 1 && (unsigned char)s[0] >= 0x80) {
        snprintf(msg, msgsize, "invalid UTF-8 in key");
        return 0;
    }
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        snprintf(msg, msgsize, "control character in key (write it as ^X or <C-x>)");
        return 0;
    }
    *key = (int)cp;
    return used;
}

/* One key (or two for <M-x>) at s.  Returns bytes used, 0 on error. */
static size_t
km_key_one(const char *s, size_t len, int *keys, unsigned *nk, char *msg, size_t msgsize)
{
    *nk = 1;
    if (s[0] == '<') {
        size_t blen = km_key_bracket_len(s, len);
        if (blen == 0) {
            keys[0] = '<';
            return 1;
        }
        if (km_key_lookup_name(s + 1, blen - 2, keys, nk) < 0) {
            snprintf(msg, msgsize, "unknown key name '%.*s'", (int)blen, s);
            return 0;
        }
        return blen;
    }
    if (s[0] == '^' && len >= 2 && (keys[0] = km_key_control((unsigned char)s[1])) >= 0)
        return 2;
    if (s[0] == '\\')
        return km_key_escape(s, len, &keys[0], msg, msgsize);
    return km_key_plain(s, len, &keys[0], msg, msgsize);
}

int
km_keys_parse(const char *s, size_t len, int *keys, unsigned max, unsigned *n, size_t *bad_off,
              char *msg, size_t msgsize)
{
    *n = 0;
    *bad_off = 0;
    if (len == 0) {
        snprintf(msg, msgsize, "empty key");
        return -1;
    }
    for (size_t i = 0; i < len;) {
        int k[2];
        unsigned nk;
        size_t used = km_key_one(s + i, len - i, k, &nk, msg, msgsize);
        if (used == 0) {
            *bad_off = i;
            return -1;
        }
        if (*n + nk > max) {
            *bad_off = i;
            snprintf(msg, msgsize, "key sequence too long (at most %u keys)", max);
            return -1;
        }
        for (unsigned j = 0; j < nk; j++)
            keys[(*n)++] = k[j];
        i += used;
    }
    return 0;
}

unsigned
km_parse_keys(const char *text, int *keys, unsigned max)
{
    char msg[128];
    size_t bad;
    unsigned n;
    if (text == NULL || keys == NULL)
        return 0;
    if (km_keys_parse(text, strlen(text), keys, max, &n, &bad, msg, sizeof msg) < 0)
        return 0;
    return n;
}

/* The name of one special (non-character) key, or NULL. */
static const char *
km_key_special_name(int key)
{
    for (size_t i = 0; i < sizeof km_named_keys / sizeof km_named_keys[0]; i++)
        if (km_named_keys[i].key == key && key > 0x10ffff)
            return km_named_keys[i].name;
    return NULL;
}

/* Print key i of keys[0..n) into buf (a few bytes; at least 16). */
static void
km_key_name1(const int *keys, unsigned n, unsigned i, char *buf, size_t size)
{
    int key = keys[i];
    int next = i + 1 < n ? keys[i + 1] : -1;
    const char *name = km_key_special_name(key);
    if (name != NULL)
        snprintf(buf, size, "<%s>", name);
    else if (key > KM_KEY_F0 && key <= KM_KEY_F12)
        snprintf(buf, size, "<F%d>", key - KM_KEY_F0);
    else if (key == ' ')
        snprintf(buf, size, "<Space>");
    else if (key >= 0 && key < 0x20)
        snprintf(buf, size, "^%c", key ^ 0x40);
    else if (key == '\\' ||
             (key == '<' && next >= 0 && next < 128 && km_key_namechar((char)next)) ||
             (key == '^' && i + 1 < n) || /* "^" then anything could read as ^X */
             (i == 0 && (key == '#' || key == '"')))
        snprintf(buf, size, "\\%c", key);
    else if (key > 0x20 && key <= 0x10ffff && key != 0x7f && !(key >= 0x80 && key < 0xa0) &&
             !(key >= 0xd800 && key <= 0xdfff)) {
        struct strbuf sb = STRBUF_INIT;
        utf8_encode(&sb, (uint32_t)key);
        snprintf(buf, size, "%s", strbuf_str(&sb));
        strbuf_free(&sb);
    } else
        snprintf(buf, size, "<U+%04X>", (unsigned)key);
}

void
km_keys_name(const int *keys, unsigned n, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    buf[0] = '\0';
    size_t len = 0;
    for (unsigned i = 0; keys != NULL && i < n; i++) {
        char one[24];
        km_key_name1(keys, n, i, one, sizeof one);
        size_t l = strlen(one);
        if (len + l >= size)
            break; /* never cut a key name in half */
        memcpy(buf + len, one, l + 1);
        len += l;
    }
}
