/*
 * fuzz-config.c - libFuzzer target: config text -> config_load_string, and
 * the same bytes as keymap text -> km_parse_text -> km_apply -> km_foreach.
 *
 * Asserts invariants, not just "no crash": a failure always says
 * "FILE:LINE: ..." and leaves the config untouched; a success gives accounts
 * with a maildir and valid UTF-8 strings; every binding the parser returns is
 * valid for its context, and every bound key sequence prints to a name that
 * parses back to the same keys and looks up to the same action.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/utf8.h"

#include "keymaps/keymap.h"

#include "ui/config.h"

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check_str(const char *s)
{
    if (s != NULL)
        FUZZ_CHECK(utf8_valid(s, strlen(s)));
}

static void
fuzz_config(const char *text)
{
    struct nx_config cfg;
    struct nx_err err = {0};
    config_init(&cfg);
    cfg.tab_width = 99; /* a value no file can set: shows the config was untouched */
    if (config_load_string(&cfg, text, "f", &err) < 0) {
        FUZZ_CHECK(strncmp(err.what, "f:", 2) == 0);
        FUZZ_CHECK(cfg.tab_width == 99);
    } else {
        FUZZ_CHECK(cfg.tab_width >= 1 && cfg.tab_width <= 16);
        for (size_t i = 0; i < cfg.naccounts; i++) {
            const struct account *a = &cfg.accounts[i];
            FUZZ_CHECK(a->maildir != NULL && a->maildir[0] == '/');
            fuzz_check_str(a->name);
            for (size_t j = 0; j < a->nfrom; j++)
                fuzz_check_str(a->from[j]);
        }
        fuzz_check_str(cfg.date_format);
        fuzz_check_str(cfg.html_command);
        FUZZ_CHECK(km_default_text(cfg.keymap) != NULL);
    }
    config_free(&cfg);
}

struct fuzz_km {
    const struct keymap *km;
    enum km_context ctx;
};

static void
fuzz_binding(void *arg, const int *keys, unsigned n, enum km_action action)
{
    struct fuzz_km *f = arg;
    char name[128];
    int back[KM_MAX_SEQ];
    enum km_action a;
    FUZZ_CHECK(action != KM_ACTION_NONE && (km_action_contexts(action) & (1u << f->ctx)));
    km_keys_name(keys, n, name, sizeof name);
    FUZZ_CHECK(km_parse_keys(name, back, KM_MAX_SEQ) == n);
    FUZZ_CHECK(memcmp(back, keys, n * sizeof *keys) == 0);
    enum km_lookup_result r = km_lookup(f->km, f->ctx, back, n, &a);
    FUZZ_CHECK(r != KM_NOMATCH && a == action);
}

static void
fuzz_keymap(const char *text)
{
    struct km_bindings b = {0};
    struct nx_err err = {0};
    struct keymap *km = km_new("vi", NULL);
    FUZZ_CHECK(km != NULL);
    if (km_parse_text(text, "f", &b, &err) < 0) {
        FUZZ_CHECK(strncmp(err.what, "f:", 2) == 0 && b.n == 0);
    } else {
        km_apply(km, &b);
    }
    for (int c = 0; c < KM_CTX__COUNT; c++) {
        struct fuzz_km f = {km, c};
        km_foreach(km, c, fuzz_binding, &f);
    }
    km_bindings_free(&b);
    km_free(km);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        utf8_locale_init();
        init = 1;
    }
    if (size > 64 * 1024)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_config(text);
    fuzz_keymap(text);
    free(text);
    return 0;
}
