/*
 * cmd-bounce.c - `nixie bounce [--json] PATH...`: run the DSN engine over
 * message files, mbox files (each message), Maildir folders (cur/ and new/)
 * or plain directories of messages, and print what each one says about
 * deliveries.
 *
 * Without --json: a readable table per message, every string passed through
 * utf8_sanitize() (no escape sequence from a message reaches the terminal).
 * With --json: one object per line, one per recipient of each report, or
 * {"file","is_dsn":false,"kind"} for a message that reports nothing; unknown
 * values are null; strings are valid UTF-8 JSON with every control character
 * escaped.  Exit 0 when every path was read (even if no bounce was found),
 * 1 if some path could not be read (the others are still processed), 2 on a
 * usage error.  Errors go to stderr as "nixie bounce: what (hint)".
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/err.h"
#include "mail/base/strbuf.h"
#include "mail/base/sysio.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/dsn.h"
#include "mail/mbox.h"
#include "mail/message.h"

#include "ui/cmd.h"

#define CMD_BOUNCE_OUT_CHUNK 65536

struct cmd_bounce {
    bool json;
    int failures;
    size_t messages;
    struct strbuf out; /* JSON lines not yet written to fd 1 */
    bool out_tty;      /* stdout is a terminal: each message's lines at once */
    int out_errno;     /* the first write error; nothing more is written */
};

/* JSON goes to fd 1 in 64 KiB writes (stdio would write 4 KiB at a time). */
static void
cmd_bounce_flush(struct cmd_bounce *cb, size_t at_least)
{
    if (cb->out.len < at_least && !(cb->out_tty && cb->out.len > 0))
        return;
    if (cb->out_errno == 0 && sysio_write_all(STDOUT_FILENO, cb->out.buf, cb->out.len) < 0)
        cb->out_errno = errno;
    strbuf_reset(&cb->out);
}

static void
cmd_bounce_usage(FILE *fp)
{
    fputs("usage: nixie bounce [--json] [--files-from LIST] PATH...\n"
          "  PATH: a message file, an mbox file, a Maildir folder or a directory of messages\n"
          "  LIST: a file naming more PATHs, one a line; - reads them from stdin\n",
          fp);
}

static void
cmd_bounce_error(struct cmd_bounce *cb, const char *path, const struct nx_err *err)
{
    const char *what = err->what[0] ? err->what : "cannot read";
    struct strbuf sb = STRBUF_INIT;
    if (!strstr(what, path)) /* the model's messages mostly name the file already */
        strbuf_addf(&sb, "%s: ", path);
    strbuf_adds(&sb, what);
    if (err->hint[0])
        strbuf_addf(&sb, " (%s)", err->hint);
    char *line = utf8_sanitize_dup(sb.buf, sb.len, 0); /* file names may hold escapes */
    fprintf(stderr, "nixie bounce: %s\n", line);
    free(line);
    strbuf_free(&sb);
    cb->failures++;
}

/* ---- JSON ---- */

/* Bytes that go into a JSON string as they are ('1'): printable ASCII
 * except the quote and the backslash.  A table, as diagnostics are long. */
static const char cmd_bounce_json_plain[256] = "0000000000000000" /* 0x00 */
                                               "0000000000000000" /* 0x10 */
                                               "1101111111111111" /* 0x20: '"' */
                                               "1111111111111111" /* 0x30 */
                                               "1111111111111111" /* 0x40 */
                                               "1111111111110111" /* 0x50: '\\' */
                                               "1111111111111111" /* 0x60 */
                                               "1111111111111110" /* 0x70: DEL */
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000"
                                               "0000000000000000";

/* One character that is not plain: escaped, or copied if it is printable
 * UTF-8.  Returns the bytes of s it used. */
static size_t
cmd_bounce_json_char(struct strbuf *sb, const char *s, size_t len)
{
    uint32_t cp;
    size_t used = utf8_decode(s, len, &cp);
    if (cp == '"' || cp == '\\') {
        char esc[2] = {'\\', (char)cp};
        strbuf_add(sb, esc, 2);
    } else if (cp == '\n') {
        strbuf_add(sb, "\\n", 2);
    } else if (cp == '\t') {
        strbuf_add(sb, "\\t", 2);
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
        static const char hex[] = "0123456789abcdef";
        char u[6] = {'\\',        'u', hex[cp >> 12], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                     hex[cp & 15]};
        strbuf_add(sb, u, sizeof u);
    } else if (cp == UTF8_REPLACEMENT && used == 1) {
        utf8_encode(sb, cp); /* an invalid byte */
    } else {
        strbuf_add(sb, s, used); /* valid UTF-8 goes through as it is */
    }
    return used;
}

/* How many leading bytes of s, in whole words of eight, are plain: 0x20..0x7e
 * but '"' and '\\'.  A word's test flags a byte that is not plain, and at
 * worst some above it (a borrow or carry), which the caller's byte loop then
 * takes.  A byte with bit 7 set is flagged by w itself, so the other tests
 * need only be right for ASCII bytes: b < 0x20 borrows in w - 0x20, 0x7f
 * carries into bit 7 in w + 1, and a byte equal to c borrows in
 * (w ^ c) - 1. */
static size_t
cmd_bounce_json_plain8(const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = (w ^ (ones * '"')) - ones;
        uint64_t b = (w ^ (ones * '\\')) - ones;
        if ((w | (w - ones * 0x20) | (w + ones) | q | b) & high)
            break;
    }
    return i;
}

/* The escaping path of a JSON string from s[i..len) on (the opening quote
 * and s[0..i) are in sb already): plain runs copied, the rest escaped. */
static void
cmd_bounce_json_rest(struct strbuf *sb, const char *s, size_t i, size_t len)
{
    while (i < len) {
        size_t run = i + cmd_bounce_json_plain8(s + i, len - i);
        while (run < len && cmd_bounce_json_plain[(unsigned char)s[run]] == '1')
            run++;
        if (run > i) { /* runs of plain ASCII go through in one copy */
            strbuf_add(sb, s + i, run - i);
            i = run;
        } else {
            i += cmd_bounce_json_char(sb, s + i, len - i);
        }
    }
    strbuf_addc(sb, '"');
}

/* A JSON string: valid UTF-8 (invalid bytes -> U+FFFD), every C0/C1 control,
 * DEL and U+2028/2029 escaped, so the output is also safe on a terminal.
 * Most values are plain: copied at once and checked in whole words in sb,
 * behind a word of spaces there (plain), so no byte loop over the tail;
 * at the first word that is not plain, the escaping path takes over. */
static void
cmd_bounce_json_str(struct strbuf *sb, const char *s)
{
    if (!s || !*s) {
        strbuf_add(sb, "null", 4);
        return;
    }
    size_t len = strlen(s);
    strbuf_grow(sb, len + 2 + 8);
    char *o = sb->buf + sb->len + 1;
    o[-1] = '"';
    memcpy(o, s, len);
    memcpy(o + len, "        ", 8);
    size_t i = cmd_bounce_json_plain8(o, len + 7 - (len + 7) % 8);
    if (i >= len) {
        o[len] = '"';
        sb->len += len + 2;
        sb->buf[sb->len] = '\0';
        return;
    }
    sb->len += 1 + i;
    cmd_bounce_json_rest(sb, s, i, len);
}

/* ", \"key\": " and the value (keys are ours: no escaping, no printf). */
#define cmd_bounce_json_kv(sb, key, value)                                                         \
    do {                                                                                           \
        strbuf_add(sb, ", \"" key "\": ", sizeof(", \"" key "\": ") - 1);                          \
        cmd_bounce_json_str(sb, value);                                                            \
    } while (0)

/* The same for one of the engine's own names (dsn_kind_name() ...): short
 * plain ASCII, quoted as it is. */
static void
cmd_bounce_json_name(struct strbuf *sb, const char *sep, size_t seplen, const char *name)
{
    size_t n = strlen(name);
    strbuf_grow(sb, seplen + n + 2);
    char *o = sb->buf + sb->len;
    memcpy(o, sep, seplen);
    o[seplen] = '"';
    memcpy(o + seplen + 1, name, n);
    o[seplen + 1 + n] = '"';
    sb->len += seplen + n + 2;
    sb->buf[sb->len] = '\0';
}

#define cmd_bounce_json_kname(sb, key, name)                                                       \
    cmd_bounce_json_name(sb, ", \"" key "\": ", sizeof(", \"" key "\": ") - 1, name)

static void
cmd_bounce_json_rcpt(struct strbuf *sb, const char *file, const struct dsn_report *rep,
                     const struct dsn_recipient *r)
{
    char reply[4] = {0}; /* a reply code is three digits (dsn.h) */
    if (r && r->reply_code >= 100 && r->reply_code <= 999)
        for (int i = 2, v = r->reply_code; i >= 0; i--, v /= 10)
            reply[i] = (char)('0' + v % 10);
    strbuf_add(sb, "{\"file\": ", 9);
    cmd_bounce_json_str(sb, file);
    cmd_bounce_json_kname(sb, "kind", dsn_kind_name(rep->kind));
    cmd_bounce_json_kv(sb, "recipient", r ? r->recipient : NULL);
    cmd_bounce_json_kv(sb, "original_recipient", r ? r->original_recipient : NULL);
    cmd_bounce_json_kv(sb, "action",
                       r && r->action != DSN_ACTION_UNKNOWN ? dsn_action_name(r->action) : NULL);
    cmd_bounce_json_kv(sb, "status", r ? r->status : NULL);
    cmd_bounce_json_kv(sb, "reply_code", reply[0] ? reply : NULL);
    cmd_bounce_json_kv(sb, "reason", r ? dsn_reason_name(r->reason) : NULL);
    strbuf_adds(sb, r && r->hard ? ", \"hard\": true" : ", \"hard\": false");
    cmd_bounce_json_kv(sb, "diagnostic", r ? r->diagnostic : NULL);
    cmd_bounce_json_kv(sb, "remote_mta", r ? r->remote_mta : NULL);
    cmd_bounce_json_kv(sb, "reporting_mta", rep->reporting_mta);
    cmd_bounce_json_kv(sb, "envelope_id", rep->envelope_id);
    cmd_bounce_json_kv(sb, "original_message_id", rep->original.message_id);
    cmd_bounce_json_kv(sb, "original_subject", rep->original.subject);
    cmd_bounce_json_kv(sb, "source", rep->source);
    strbuf_adds(sb, "}\n");
}

static void
cmd_bounce_json(struct cmd_bounce *cb, const char *file, const struct dsn_report *rep)
{
    struct strbuf *sb = &cb->out;
    if (rep->kind == DSN_KIND_NONE) {
        strbuf_add(sb, "{\"file\": ", 9);
        cmd_bounce_json_str(sb, file);
        strbuf_adds(sb, ", \"is_dsn\": false");
        cmd_bounce_json_kname(sb, "kind", dsn_kind_name(rep->kind));
        strbuf_adds(sb, "}\n");
    } else if (rep->nrcpts == 0) {
        cmd_bounce_json_rcpt(sb, file, rep, NULL);
    }
    for (size_t i = 0; rep->kind != DSN_KIND_NONE && i < rep->nrcpts; i++) {
        cmd_bounce_json_rcpt(sb, file, rep, &rep->rcpts[i]);
        cmd_bounce_flush(cb, CMD_BOUNCE_OUT_CHUNK);
    }
    cmd_bounce_flush(cb, CMD_BOUNCE_OUT_CHUNK);
}

/* ---- table ---- */

static void
cmd_bounce_cell(const char *label, const char *value)
{
    if (!value || !*value)
        return;
    struct strbuf sb = STRBUF_INIT;
    utf8_sanitize(&sb, value, strlen(value), 0);
    printf("    %-13s %s\n", label, strbuf_str(&sb));
    strbuf_free(&sb);
}

static void
cmd_bounce_table(const char *file, const struct dsn_report *rep)
{
    char *f = utf8_sanitize_dup(file, strlen(file), 0);
    if (rep->kind == DSN_KIND_NONE) {
        printf("%s: ordinary mail, not a delivery report\n", f); /* one line in a folder scan */
        free(f);
        return;
    }
    printf("%s\n  kind: %s", f, dsn_kind_name(rep->kind));
    free(f);
    if (rep->source)
        printf(" (%s)", rep->source);
    putchar('\n');
    cmd_bounce_cell("reporting", rep->reporting_mta);
    cmd_bounce_cell("envelope-id", rep->envelope_id);
    cmd_bounce_cell("original-id", rep->original.message_id);
    cmd_bounce_cell("subject", rep->original.subject);
    for (size_t i = 0; i < rep->nrcpts; i++) {
        const struct dsn_recipient *r = &rep->rcpts[i];
        const char *addr = r->recipient ? r->recipient : "(unknown)";
        char *a = utf8_sanitize_dup(addr, strlen(addr), 0);
        /* pad by display width, not bytes: addresses may be UTF-8 (RFC 6531) */
        size_t w = utf8_width(a, strlen(a));
        printf("  %s%*s %-9s %-8s %-15s %s\n", a, w < 32 ? (int)(32 - w) : 0, "",
               dsn_action_name(r->action), r->status[0] ? r->status : "-",
               dsn_reason_name(r->reason), r->hard ? "hard" : "soft");
        free(a);
        cmd_bounce_cell("remote", r->remote_mta);
        cmd_bounce_cell("diagnostic", r->diagnostic);
    }
    if (rep->rcpts_truncated)
        printf("  (more recipients not listed)\n");
}

/* ---- paths ---- */

static void
cmd_bounce_one(struct cmd_bounce *cb, const char *path, const char *label,
               const struct mail_message *msg)
{
    struct dsn_report *rep = dsn_analyze(msg);
    if (cb->json)
        cmd_bounce_json(cb, path, rep); /* the key stays the path: one object per recipient */
    else
        cmd_bounce_table(label, rep);
    cb->messages++;
    dsn_report_free(rep);
}

/* An mbox of several messages (a spool, a saved folder): each is analysed. */
static bool
cmd_bounce_mbox(struct cmd_bounce *cb, const char *path, const struct mail_message *file)
{
    size_t len;
    const char *raw = mail_message_raw(file, &len);
    struct mail_span *v;
    size_t n = mail_mbox_split(raw, len, &v);
    for (size_t i = 0; n > 1 && i < n; i++) {
        struct nx_err err = {0};
        char *label = xasprintf("%s (message %zu of %zu)", path, i + 1, n);
        struct mail_message *msg = mail_message_parse(raw + v[i].off, v[i].len, &err);
        if (msg != NULL)
            cmd_bounce_one(cb, path, label, msg);
        else
            cmd_bounce_error(cb, label, &err);
        mail_message_free(msg);
        free(label);
    }
    free(v);
    return n > 1;
}

/* Returns false, having reported nothing, when path is a directory. */
static bool
cmd_bounce_file(struct cmd_bounce *cb, const char *path)
{
    struct nx_err err = {0};
    struct mail_message *msg = mail_message_load(path, &err);
    if (!msg && err.sys_errno == EISDIR)
        return false;
    if (!msg) {
        cmd_bounce_error(cb, path, &err);
        return true;
    }
    if (!cmd_bounce_mbox(cb, path, msg))
        cmd_bounce_one(cb, path, path, msg);
    mail_message_free(msg);
    return true;
}

static int
cmd_bounce_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of dir, sorted; hidden files and subdirectories skipped. */
static void
cmd_bounce_dir_files(struct cmd_bounce *cb, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        struct nx_err err = {0};
        nx_err_sys(&err, errno, "cannot open directory");
        cmd_bounce_error(cb, dir, &err);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, de->d_name);
        struct stat st; /* d_type saves a stat() per file where the file system gives it */
        if (de->d_type != DT_REG &&
            (de->d_type != DT_UNKNOWN || stat(p, &st) != 0 || !S_ISREG(st.st_mode))) {
            free(p);
            continue;
        }
        names = xreallocarray(names, n + 1, sizeof *names);
        names[n++] = p;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmd_bounce_cmp);
    for (size_t i = 0; i < n; i++) {
        cmd_bounce_file(cb, names[i]);
        free(names[i]);
    }
    free(names);
}

static void
cmd_bounce_path(struct cmd_bounce *cb, const char *path)
{
    if (cmd_bounce_file(cb, path)) /* one open() for a file: no stat() first */
        return;
    char *cur = xasprintf("%s/cur", path);
    char *new = xasprintf("%s/new", path);
    struct stat sc, sn;
    bool has_cur = stat(cur, &sc) == 0 && S_ISDIR(sc.st_mode);
    bool has_new = stat(new, &sn) == 0 && S_ISDIR(sn.st_mode);
    if (has_cur)
        cmd_bounce_dir_files(cb, cur);
    if (has_new)
        cmd_bounce_dir_files(cb, new);
    if (!has_cur && !has_new)
        cmd_bounce_dir_files(cb, path);
    free(cur);
    free(new);
}

/* Every path LIST names, one a line (empty lines skipped), read as it goes:
 * the list may come down a pipe. */
static void
cmd_bounce_list(struct cmd_bounce *cb, const char *list)
{
    bool std = strcmp(list, "-") == 0;
    FILE *fp = std ? stdin : fopen(list, "r");
    if (!fp) {
        struct nx_err err = {0};
        nx_err_sys(&err, errno, "cannot open the file list %s", list);
        cmd_bounce_error(cb, list, &err);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    errno = 0;
    while ((n = getline(&line, &cap, fp)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (n > 0)
            cmd_bounce_path(cb, line);
        errno = 0;
    }
    if (ferror(fp)) {
        struct nx_err err = {0};
        nx_err_sys(&err, errno ? errno : EIO, "cannot read the file list %s", list);
        cmd_bounce_error(cb, list, &err);
    }
    free(line);
    if (!std)
        fclose(fp);
}

int
cmd_bounce_main(int argc, char **argv)
{
    struct cmd_bounce cb = {0};
    const char *list = NULL;
    int first = 1;
    utf8_locale_init();
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        }
        if (strcmp(argv[first], "--json") == 0) {
            cb.json = true;
        } else if (strncmp(argv[first], "--files-from=", 13) == 0 && argv[first][13]) {
            list = argv[first] + 13;
        } else if (strcmp(argv[first], "--files-from") == 0) {
            if (first + 1 >= argc) {
                fputs("nixie bounce: --files-from needs a file (- for stdin)\n", stderr);
                cmd_bounce_usage(stderr);
                return 2;
            }
            list = argv[++first];
        } else if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
            cmd_bounce_usage(stdout);
            return 0;
        } else {
            char *o = utf8_sanitize_dup(argv[first], strlen(argv[first]), 0);
            fprintf(stderr, "nixie bounce: unknown option '%s'\n", o);
            free(o);
            cmd_bounce_usage(stderr);
            return 2;
        }
    }
    if (first >= argc && !list) {
        cmd_bounce_usage(stderr);
        return 2;
    }
    cb.out_tty = isatty(STDOUT_FILENO);
    for (int i = first; i < argc; i++)
        cmd_bounce_path(&cb, argv[i]);
    if (list)
        cmd_bounce_list(&cb, list);
    cmd_bounce_flush(&cb, 0);
    strbuf_free(&cb.out);
    if (cb.out_errno == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        cb.out_errno = errno ? errno : EIO;
    if (cb.out_errno != 0) {
        fprintf(stderr, "nixie bounce: cannot write the output: %s\n", strerror(cb.out_errno));
        return 1;
    }
    return cb.failures ? 1 : 0;
}
