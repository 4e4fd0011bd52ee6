/*
 * config-value.c - parsing one configuration value: booleans, numbers,
 * paths (~ expansion), comma lists, colours, folder names.
 *
 * Owns: the accepted spellings and their error messages.  Does not: know
 * file names, line numbers or which key a value belongs to beyond its name
 * for the message (config.c).  Values reach here already checked to be valid
 * UTF-8 without control characters and shorter than a config line.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mail/base/xalloc.h"

#include "ui/config-private.h"

int
config_value_bool(const char *key, const char *v, bool *out, char *msg)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    snprintf(msg, CONFIG_MSG, "'%s' must be yes or no (or true/false, on/off, 1/0), not '%.40s'",
             key, v);
    return -1;
}

int
config_value_uint(const char *key, const char *v, unsigned min, unsigned max, unsigned *out,
                  char *msg)
{
    unsigned long n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && i < 9; i++)
        n = n * 10 + (unsigned long)(v[i] - '0');
    if (i == 0 || v[i] != '\0' || n < min || n > max) {
        snprintf(msg, CONFIG_MSG, "'%s' must be a number from %u to %u, not '%.40s'", key, min, max,
                 v);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* $HOME, or the password database if HOME is unset or empty. */
static const char *
config_home(void)
{
    const char *home = getenv("HOME");
    if (home != NULL && home[0] != '\0')
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] != '\0' ? pw->pw_dir : NULL;
}

char *
config_expand_tilde(const char *v)
{
    if (v[0] != '~' || (v[1] != '\0' && v[1] != '/'))
        return xstrdup(v);
    const char *home = config_home();
    if (home == NULL)
        return NULL;
    size_t hl = strlen(home);
    while (hl > 1 && home[hl - 1] == '/')
        hl--;
    return xasprintf("%.*s%s", (int)hl, home, v + 1);
}

char *
config_value_path(const char *key, const char *v, char *msg)
{
    if (v[0] == '\0') {
        snprintf(msg, CONFIG_MSG, "'%s' needs a path", key);
        return NULL;
    }
    if (v[0] == '~' && v[1] != '\0' && v[1] != '/') {
        snprintf(msg, CONFIG_MSG, "'%s': cannot expand '%.40s' (only ~ and ~/ are expanded)", key,
                 v);
        return NULL;
    }
    char *path = config_expand_tilde(v);
    if (path == NULL) {
        snprintf(msg, CONFIG_MSG, "'%s': cannot expand '~' (HOME is not set)", key);
        return NULL;
    }
    if (path[0] != '/') {
        snprintf(msg, CONFIG_MSG, "'%s' must be an absolute path or start with ~/, not '%.40s'",
                 key, v);
        free(path);
        return NULL;
    }
    return path;
}

/* Field names: printable US-ASCII except ':' (RFC 5322 section 3.6.8). */
static bool
config_header_name_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < 33 || s[i] > 126 || s[i] == ':')
            return false;
    return len > 0;
}

/* End of the list item starting at s: the next ',' outside quotes and <>. */
static size_t
config_list_item_end(const char *s, bool addresses)
{
    bool quoted = false;
    int angle = 0;
    size_t i = 0;
    for (; s[i] != '\0'; i++) {
        if (addresses && s[i] == '"')
            quoted = !quoted;
        else if (addresses && quoted && s[i] == '\\' && s[i + 1] != '\0')
            i++;
        else if (addresses && !quoted && s[i] == '<')
            angle++;
        else if (addresses && !quoted && s[i] == '>' && angle > 0)
            angle--;
        else if (s[i] == ',' && !quoted && angle == 0)
            break;
    }
    return i;
}

static int
config_list_item(const char *key, const char *s, size_t len, bool addresses, char *msg)
{
    if (len == 0) {
        snprintf(msg, CONFIG_MSG, "'%s' has an empty item", key);
        return -1;
    }
    if (addresses && memchr(s, '@', len) == NULL) {
        snprintf(msg, CONFIG_MSG,
                 "'%s' needs an address such as Your Name <you@example.org>, not '%.*s'", key,
                 (int)(len > 40 ? 40 : len), s);
        return -1;
    }
    if (!addresses && !config_header_name_ok(s, len)) {
        snprintf(msg, CONFIG_MSG, "'%s': '%.*s' is not a header name", key,
                 (int)(len > 40 ? 40 : len), s);
        return -1;
    }
    return 0;
}

int
config_value_list(const char *key, const char *v, bool addresses, char ***list, size_t *n,
                  char *msg)
{
    for (const char *p = v;;) {
        size_t end = config_list_item_end(p, addresses);
        size_t a = 0, b = end;
        while (a < b && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        if (config_list_item(key, p + a, b - a, addresses, msg) < 0)
            return -1;
        if (*n >= CONFIG_MAX_LIST) {
            snprintf(msg, CONFIG_MSG, "'%s' has more than %d items", key, CONFIG_MAX_LIST);
            return -1;
        }
        *list = xreallocarray(*list, *n + 2, sizeof **list);
        (*list)[(*n)++] = xstrndup(p + a, b - a);
        (*list)[*n] = NULL;
        if (p[end] == '\0')
            return 0;
        p += end + 1;
    }
}

int
config_value_colour(const char *v, short *out, char *msg)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    unsigned n;
    if (strcasecmp(v, "default") == 0) {
        *out = -1;
        return 0;
    }
    bool bright = strncasecmp(v, "bright", 6) == 0;
    for (short i = 0; i < 8; i++) {
        if (strcasecmp(bright ? v + 6 : v, names[i]) == 0) {
            *out = (short)(bright ? i + 8 : i);
            return 0;
        }
    }
    const char *num = v;
    if (strncasecmp(v, "colour", 6) == 0)
        num = v + 6;
    else if (strncasecmp(v, "color", 5) == 0)
        num = v + 5;
    if (config_value_uint("colour", num, 0, 255, &n, msg) == 0) {
        *out = (short)n;
        return 0;
    }
    snprintf(msg, CONFIG_MSG,
             "unknown colour '%.40s' (use default, black, red, green, yellow, blue, magenta, "
             "cyan, white, brightred..., or color0 to color255)",
             v);
    return -1;
}

int
config_value_folder(const char *key, const char *v, char *msg)
{
    if (v[0] == '\0' || v[0] == '/' || strcmp(v, "..") == 0 || strncmp(v, "../", 3) == 0 ||
        strstr(v, "/../") != NULL || (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0)) {
        snprintf(msg, CONFIG_MSG, "'%s' must be a folder name inside the maildir, not '%.40s'", key,
                 v);
        return -1;
    }
    return 0;
}
