/*
 * fuzz-message.c - libFuzzer target: message bytes -> mail_message_parse ->
 * MIME tree -> every part decoded and converted to text; also the field-block
 * parser and the RFC 2047 decoder on the same bytes.
 *
 * Asserts the model's invariants, not just "no crash": envelope strings and
 * part texts are valid UTF-8 without NUL, the tree respects
 * MAIL_MAX_MIME_DEPTH and MAIL_MAX_PARTS, parent links are consistent, and
 * every part's header/body lies inside the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "mail/message.h"

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static void
fuzz_check_str(const char *s)
{
    if (s != NULL)
        FUZZ_CHECK(utf8_valid(s, strlen(s)));
}

static size_t
fuzz_walk(const struct mail_part *p, unsigned depth)
{
    size_t n = 1;
    FUZZ_CHECK(p->depth == depth && depth <= MAIL_MAX_MIME_DEPTH);
    FUZZ_CHECK(p->type != NULL && p->subtype != NULL);
    fuzz_check_str(p->filename);
    fuzz_check_str(p->description);
    char *out;
    size_t len;
    if (mail_part_decode(p, &out, &len, NULL) == 0)
        free(out);
    if (mail_part_text(p, &out, &len, NULL) == 0) {
        FUZZ_CHECK(utf8_valid(out, len) && memchr(out, '\0', len) == NULL);
        free(out);
    }
    const struct mail_envelope *enc = mail_part_enclosed(p); /* built on first use */
    if (enc != NULL)
        fuzz_check_str(enc->subject);
    for (size_t i = 0; i < p->nchildren; i++) {
        FUZZ_CHECK(p->children[i]->parent == p);
        n += fuzz_walk(p->children[i], depth + 1);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct mail_message *m = mail_message_parse(s, size, NULL);
    if (m != NULL) {
        const struct mail_envelope *e = mail_message_envelope(m);
        const char *strs[] = {e->from, e->from_name, e->from_addr, e->to,
                              e->cc,   e->subject,   e->message_id};
        for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
            fuzz_check_str(strs[i]);
        const struct mail_part *root = mail_message_root(m);
        FUZZ_CHECK(root != NULL && root->parent == NULL);
        FUZZ_CHECK(fuzz_walk(root, 0) <= MAIL_MAX_PARTS);
        const struct mail_header *h;
        size_t nh = mail_message_headers(m, &h);
        for (size_t i = 0; i < nh; i++)
            FUZZ_CHECK(h[i].name[0] != '\0');
        mail_message_free(m);
    }
    struct mail_field *f;
    size_t n = mail_fields_parse(s, size, &f);
    mail_fields_free(f, n);
    char *d = mail_header_decode(s, size < 4096 ? size : 4096);
    FUZZ_CHECK(utf8_valid(d, strlen(d)));
    free(d);
    return 0;
}
