/*
 * message.c - struct mail_message: owns the raw bytes, the envelope, the
 * lazily built header list and MIME tree (mime.c), and the arena they live
 * in.
 *
 * Does not: parse MIME (mime.c), decode bodies (decode.c) or do any I/O
 * except mail_message_load() reading one file.
 * Invariant: raw is never modified; `text` is raw itself or a copy whose
 * bare-CR line ends became LF, and every pointer in the tree points into
 * text or the arena.  The envelope, the header list and the tree are built
 * on first use, so parsing a message costs little more than finding the end
 * of its header.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/base/xalloc.h"

#include "mail/message-private.h"

/* ---- arena ---- */

#define MAIL_ARENA_BLOCK 16384

void *
mail_arena_grow(struct mail_arena *a, size_t size)
{
    /* size is rounded already (mail_arena_alloc) */
    size_t bsize = size > MAIL_ARENA_BLOCK ? size : MAIL_ARENA_BLOCK;
    struct mail_arena_block *b = xmalloc(sizeof *b + bsize);
    b->used = size;
    b->size = bsize;
    b->next = a->head;
    a->head = b;
    return b->data;
}

char *
mail_arena_strndup(struct mail_arena *a, const char *s, size_t n)
{
    char *p = mail_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
mail_arena_strdup(struct mail_arena *a, const char *s)
{
    return s ? mail_arena_strndup(a, s, strlen(s)) : NULL;
}

void
mail_arena_free(struct mail_arena *a)
{
    struct mail_arena_block *b = a->head;
    while (b != NULL) {
        struct mail_arena_block *next = b->next;
        if (b != a->own)
            free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- the message ---- */

/* Line feeds and bare CRs (not followed by LF) in s[0..len), found with
 * memchr: most files have no CR at all, and lines are long enough. */
static size_t
message_count_lf(const char *s, size_t len)
{
    size_t n = 0;
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

static size_t
message_count_bare_cr(const char *s, size_t len)
{
    size_t n = 0;
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
        n += p + 1 == end || p[1] != '\n';
    return n;
}

#define MESSAGE_CR_CHUNK 128

/* Is there a CR not followed by LF in s[0..len)?  Most files have no CR
 * (one memchr); in a CRLF file, where memchr would stop at every line,
 * chunks are tested whole, with no branch a byte (compilers vectorise
 * the inner loop).  Reads only s[0..len). */
static bool
message_has_bare_cr(const char *s, size_t len)
{
    const char *cr = memchr(s, '\r', len);
    if (cr == NULL)
        return false;
    size_t i = (size_t)(cr - s);
    for (; len - i > MESSAGE_CR_CHUNK; i += MESSAGE_CR_CHUNK) { /* s[i + CHUNK] is in s */
        unsigned char bare = 0;
        for (size_t k = 0; k < MESSAGE_CR_CHUNK; k++)
            bare |= (s[i + k] == '\r') & (s[i + k + 1] != '\n');
        if (bare)
            return true;
    }
    for (; i < len; i++)
        if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
            return true;
    return false;
}

/* Files with CR-only line ends (old Mac mail) are parsed as if LF: the
 * parsers know LF and CRLF.  Decided by majority so a stray CR in an LF
 * file changes nothing. */
static void
message_normalise(struct mail_message *msg)
{
    const char *s = msg->raw;
    msg->text = msg->raw;
    msg->text_len = msg->raw_len;
    msg->plain_eol = true;
    if (!message_has_bare_cr(s, msg->raw_len))
        return;
    size_t bare_cr = message_count_bare_cr(s, msg->raw_len);
    msg->plain_eol = false;
    if (bare_cr <= message_count_lf(s, msg->raw_len))
        return;
    msg->plain_eol = true;
    msg->text = xmalloc(msg->raw_len + 1);
    for (size_t i = 0; i < msg->raw_len; i++) {
        bool bare = s[i] == '\r' && (i + 1 >= msg->raw_len || s[i + 1] != '\n');
        msg->text[i] = bare ? '\n' : s[i];
    }
    msg->text[msg->raw_len] = '\0';
}

/* The end of the header and its field lines in one walk (mail_hdr_scan):
 * the lines cost little more than the end alone. */
static void
message_scan_header(struct mail_message *msg)
{
    struct mail_hdr_line small[64];
    size_t n = mail_hdr_scan(msg->text, msg->text_len, 0, small, 64, &msg->header_len,
                             &msg->body_off, NULL);
    msg->lines = mail_arena_alloc(&msg->arena, (n ? n : 1) * sizeof *msg->lines);
    if (n <= 64)
        memcpy(msg->lines, small, n * sizeof *small);
    else /* a long header: again, into room for all */
        mail_hdr_scan(msg->text, msg->text_len, 0, msg->lines, n, &msg->header_len, &msg->body_off,
                      NULL);
    msg->nlines = n;
    msg->lines_done = true;
}

/* What mail_message_adopt does once msg holds the bytes. */
static void
message_start(struct mail_message *msg)
{
    message_normalise(msg);
    if (msg->plain_eol)
        message_scan_header(msg);
    else
        mail_hdr_split(msg->text, msg->text_len, &msg->header_len, &msg->body_off);
}

struct mail_message *
mail_message_adopt(char *data, size_t len, struct nx_err *err)
{
    if (len > MAIL_MAX_MESSAGE_SIZE) {
        free(data);
        nx_err_set(err, NX_ERR_LIMIT, "message of %zu bytes is larger than the %u byte limit", len,
                   MAIL_MAX_MESSAGE_SIZE);
        return NULL;
    }
    if (data == NULL || len == 0) {
        free(data);
        nx_err_set(err, NX_ERR_PARSE, "empty message");
        return NULL;
    }
    struct mail_message *msg = xcalloc(1, sizeof *msg);
    msg->raw = data;
    msg->raw_len = len;
    message_start(msg);
    return msg;
}

/* One allocation for the message, its first arena block and room for len
 * bytes and a NUL (*buf): one malloc and one free a message, not four.
 * The caller fills *buf and sets raw, raw_len and raw_inline. */
static struct mail_message *
message_alloc(size_t len, char **buf)
{
    size_t blk =
        (sizeof(struct mail_message) + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    size_t off = blk + sizeof(struct mail_arena_block) + MAIL_ARENA_BLOCK;
    struct mail_message *msg = xmalloc(off + len + 1);
    memset(msg, 0, sizeof *msg);
    struct mail_arena_block *b = (struct mail_arena_block *)((char *)msg + blk);
    b->next = NULL;
    b->used = 0;
    b->size = MAIL_ARENA_BLOCK;
    msg->arena.head = msg->arena.own = b;
    *buf = (char *)msg + off;
    return msg;
}

struct mail_message *
mail_message_parse(const char *data, size_t len, struct nx_err *err)
{
    if (data == NULL || len == 0 || len > MAIL_MAX_MESSAGE_SIZE) {
        char *none = NULL; /* adopt reports the right error and frees nothing */
        return mail_message_adopt(none, data == NULL ? 0 : len, err);
    }
    char *copy;
    struct mail_message *msg = message_alloc(len, &copy);
    memcpy(copy, data, len);
    copy[len] = '\0';
    msg->raw = copy;
    msg->raw_len = len;
    msg->raw_inline = true;
    message_start(msg);
    return msg;
}

/* The size of the file open as fd.  lseek to its end costs a third of
 * fstat (which glibc makes an fstatat with an empty path, a path walk in
 * the kernel); where lseek cannot tell (pipes, some special files, a
 * result over the limit, such as a directory's end on some file systems),
 * fstat answers, as it always did.  The reads that follow give their
 * offset (pread), so where lseek left the file does not matter. */
static int
message_file_size(int fd, uint64_t *size)
{
    off_t end = lseek(fd, 0, SEEK_END);
    if (end >= 0 && (uint64_t)end <= MAIL_MAX_MESSAGE_SIZE) {
        *size = (uint64_t)end;
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    *size = (uint64_t)st.st_size;
    return 0;
}

struct mail_message *
mail_message_load(const char *path, struct nx_err *err)
{
    struct mail_message *msg = NULL;
    char *buf;
    size_t got = 0;
    uint64_t size;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        nx_err_sys(err, errno, "cannot open %s", path);
        return NULL;
    }
    if (message_file_size(fd, &size) < 0) {
        nx_err_sys(err, errno, "cannot stat %s", path);
        goto fail;
    }
    if (size > MAIL_MAX_MESSAGE_SIZE) {
        nx_err_set(err, NX_ERR_LIMIT, "%s is larger than the %u byte limit", path,
                   MAIL_MAX_MESSAGE_SIZE);
        goto fail;
    }
    size_t want = (size_t)size;
    msg = message_alloc(want, &buf);
    while (got < want) {
        ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            nx_err_sys(err, errno, "cannot read %s", path);
            goto fail;
        }
        if (n == 0) /* truncated while we read: take what is there */
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got == 0) { /* as mail_message_adopt says it (got <= want: not over the limit) */
        free(msg);
        nx_err_set(err, NX_ERR_PARSE, "empty message");
        return NULL;
    }
    buf[got] = '\0';
    msg->raw = buf;
    msg->raw_len = got;
    msg->raw_inline = true;
    message_start(msg);
    return msg;
fail:
    free(msg);
    close(fd);
    return NULL;
}

void
mail_message_free(struct mail_message *msg)
{
    if (msg == NULL)
        return;
    for (size_t i = 0; i < msg->nenclosed; i++)
        mail_envelope_free(msg->enclosed[i]);
    free(msg->enclosed);
    mail_arena_free(&msg->arena);
    mail_envelope_free(msg->env);
    if (msg->text != msg->raw)
        free(msg->text);
    if (!msg->raw_inline)
        free(msg->raw);
    free(msg);
}

/* The envelope is parsed on first use: the DSN engine and the renderer
 * never ask for it, only the pager and the backends do. */
static struct mail_envelope *
message_env(struct mail_message *msg)
{
    if (msg->env == NULL) {
        msg->env = mail_envelope_parse(msg->text, msg->text_len, NULL);
        if (msg->env == NULL) /* cannot happen for bounded non-NULL input */
            msg->env = mail_envelope_new();
        msg->env->size = msg->raw_len;
    }
    return msg->env;
}

const struct mail_envelope *
mail_message_envelope(const struct mail_message *msg)
{
    return message_env((struct mail_message *)msg); /* lazy cache */
}

void
mail_message_set_meta(struct mail_message *msg, const char *key, unsigned flags)
{
    struct mail_envelope *env = message_env(msg);
    mail_envelope_set(env, &env->key, key);
    env->flags = flags;
}

const char *
mail_message_raw(const struct mail_message *msg, size_t *len)
{
    if (len != NULL)
        *len = msg->raw_len;
    return msg->raw;
}

/* The field lines are found once: the DSN engine asks for a few top-level
 * fields of every message (and mime.c reads the root's Content-* fields
 * from here), so a value is unfolded, and a name checked, only when asked
 * for.  mail_message_adopt found them unless text has bare CRs. */
size_t
mail_message_lines(struct mail_message *msg, const struct mail_hdr_line **out)
{
    if (!msg->lines_done) {
        struct mail_hdr_iter it;
        struct mail_hdr_field f;
        struct mail_hdr_line *lines = NULL;
        size_t n = 0, cap = 0;
        mail_hdr_iter_init(&it, msg->text, msg->header_len);
        while (mail_hdr_iter_next(&it, &f)) {
            if (n == cap)
                lines = xreallocarray(lines, cap = cap ? cap * 2 : 32, sizeof *lines);
            lines[n++] = (struct mail_hdr_line){f.name, (size_t)(f.value + f.vlen - f.name)};
        }
        /* into the arena, where message_scan_header puts them */
        msg->lines = mail_arena_alloc(&msg->arena, (n ? n : 1) * sizeof *lines);
        if (n > 0)
            memcpy(msg->lines, lines, n * sizeof *lines);
        free(lines);
        msg->nlines = n;
        msg->lines_done = true;
    }
    *out = msg->lines;
    return msg->nlines;
}

/* The unfolded value of field line i (which is a field). */
static const char *
message_value(struct mail_message *msg, size_t i, const struct mail_hdr_field *f)
{
    if (msg->unfolded == NULL)
        msg->unfolded = mail_arena_calloc(&msg->arena, msg->nlines, sizeof *msg->unfolded);
    if (msg->unfolded[i] == NULL)
        msg->unfolded[i] = msg->plain_eol ? mail_hdr_unfold_arena_lf(&msg->arena, f->value, f->vlen)
                                          : mail_hdr_unfold_arena(&msg->arena, f->value, f->vlen);
    return msg->unfolded[i];
}

size_t
mail_message_headers(const struct mail_message *cmsg, const struct mail_header **out)
{
    struct mail_message *msg = (struct mail_message *)cmsg; /* lazy cache */
    if (!msg->headers_done) {
        const struct mail_hdr_line *l;
        size_t n = mail_message_lines(msg, &l);
        msg->headers =
            mail_arena_calloc(&msg->arena, n ? n : 1, sizeof *msg->headers); /* never NULL */
        for (size_t i = 0; i < n; i++) {
            struct mail_hdr_field f;
            if (!mail_hdr_line_field(&l[i], &f))
                continue;
            struct mail_header *h = &msg->headers[msg->nheaders++];
            h->name = mail_arena_strndup(&msg->arena, f.name, f.nlen);
            h->value = message_value(msg, i, &f);
        }
        msg->headers_done = true;
    }
    *out = msg->headers;
    return msg->nheaders;
}

/* A line's bucket in msg->line_index: its first byte as a letter. */
static size_t
message_bucket(char c)
{
    unsigned k = (unsigned char)(c | 0x20) - 'a';
    return k < 26 ? k : 26;
}

/* Lines chained by bucket, each chain in header order: most lookups are
 * of absent fields, and a header has some 20-60 lines. */
static const size_t *
message_index(struct mail_message *msg, const struct mail_hdr_line *l, size_t n)
{
    if (msg->line_index == NULL) {
        size_t *x = mail_arena_calloc(&msg->arena, 27 + n, sizeof *x);
        for (size_t b = 0; b < 27; b++)
            x[b] = SIZE_MAX;
        for (size_t i = n; i-- > 0;) {
            size_t b = message_bucket(l[i].len > 0 ? l[i].s[0] : '\0');
            x[27 + i] = x[b];
            x[b] = i;
        }
        msg->line_index = x;
    }
    return msg->line_index;
}

const char *
mail_message_header(const struct mail_message *cmsg, const char *name)
{
    struct mail_message *msg = (struct mail_message *)cmsg; /* lazy cache */
    const struct mail_hdr_line *l;
    size_t n = mail_message_lines(msg, &l), nlen = strlen(name);
    const size_t *x = message_index(msg, l, n);
    for (size_t i = x[message_bucket(name[0])]; i != SIZE_MAX; i = x[27 + i]) {
        struct mail_hdr_field f;
        if (l[i].len > nlen && strncasecmp(l[i].s, name, nlen) == 0 &&
            mail_hdr_line_field(&l[i], &f) && f.nlen == nlen)
            return message_value(msg, i, &f);
    }
    return NULL;
}

const struct mail_part *
mail_message_root(const struct mail_message *cmsg)
{
    struct mail_message *msg = (struct mail_message *)cmsg; /* lazy cache */
    if (msg->root == NULL)
        mail_mime_build(msg);
    return msg->root;
}
