/*
 * main.c - the nixie executable: command line, start-up checks, and the one
 * global, the UI's top-level state.
 *
 * Order matters: the locale first (widths need a UTF-8 LC_CTYPE), then the
 * batch subcommands (no terminal), then config, keymap and the mail store,
 * all checked before curses starts, so a broken config or a missing Maildir
 * is reported on stderr with exit status 1 and the terminal is never
 * touched.  Only then the terminal, the index, the folder and the loop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/log.h"
#include "mail/base/utf8.h"
#include "mail/base/xalloc.h"

#include "mail/backend.h"

#include "ui/cmd.h"
#include "ui/colour.h"
#include "ui/config.h"
#include "ui/demo.h"
#include "ui/htmlcmd.h"
#include "ui/loop.h"
#include "ui/mbox.h"
#include "ui/screen.h"

#include "nixie-config.h"

#define MAIN_CHECK_INTERVAL 30 /* seconds between new-mail checks */

/* The only global: the UI's top-level state. */
static struct ui nixie_ui;

struct main_args {
    const char *folder; /* -f */
    const char *config; /* -F */
    const char *log;    /* -d */
    bool demo;
};

static void
main_usage(FILE *fp)
{
    fputs("usage: nixie [-f MAILDIR | --demo] [-F CONFIG] [-d LOGFILE]\n"
          "       nixie render [--width N] [--styles] [--all-headers] FILE\n"
          "       nixie bounce [--json] PATH...\n"
          "       nixie --help | --version\n"
          "\n"
          "  -f MAILDIR     open this Maildir folder (the directory holding cur/ new/ tmp/)\n"
          "  -F CONFIG      read this config file instead of ~/.config/nixie/config\n"
          "  --demo         open a private copy of the demo mailbox (removed at exit)\n"
          "  -d LOGFILE     write a debug log to LOGFILE (also NIXIE_DEBUG_LOG)\n"
          "  -h, --help     show this help\n"
          "  -v, --version  show the version\n"
          "\n"
          "In nixie, press ? for the keys of the screen you are on.  See nixie(1).\n",
          fp);
}

/* The actions a `bind` line may name: the error for an unknown action
 * points here. */
static void
main_usage_actions(FILE *fp)
{
    fputs("\nActions for `bind CONTEXT KEY ACTION` in the config file:\n", fp);
    for (int a = 0; a < KM_ACTION__COUNT; a++)
        fprintf(fp, "  %-22s %s\n", km_action_name(a), km_action_help(a));
}

static void
main_no_mailbox(const char *config_path)
{
    fprintf(stderr,
            "nixie: no mailbox to open: no account with a maildir is configured.\n"
            "  Open a Maildir folder:     nixie -f ~/Maildir\n"
            "  Try the demo mailbox:      nixie --demo\n"
            "  Or configure an account in %s:\n"
            "      [account personal]\n"
            "      maildir = ~/Maildir\n"
            "See nixie(1) and docs/configuration.md.\n",
            config_path != NULL ? config_path : "~/.config/nixie/config");
}

static void
main_print_err(const struct nx_err *err)
{
    fprintf(stderr, "nixie: %s\n", err->what[0] ? err->what : "unknown error");
    if (err->peer[0]) {
        char *peer = utf8_sanitize_dup(err->peer, strlen(err->peer), UTF8_SAN_KEEP_NEWLINE);
        fprintf(stderr, "  %s\n", peer);
        free(peer);
    }
    if (err->hint[0])
        fprintf(stderr, "  (%s)\n", err->hint);
}

/* Returns 0 to go on, 1 to exit with status 0, -1 to exit with status 2. */
static int
main_parse_args(int argc, char **argv, struct main_args *a)
{
    static const struct option longopts[] = {
        {"demo", no_argument, NULL, 'D'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},      {"file", required_argument, NULL, 'f'},
        {"config", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "f:F:d:hv", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->folder = optarg;
            break;
        case 'F':
            a->config = optarg;
            break;
        case 'd':
            a->log = optarg;
            break;
        case 'D':
            a->demo = true;
            break;
        case 'h':
            main_usage(stdout);
            main_usage_actions(stdout);
            return 1;
        case 'v':
            printf("nixie %s\n", NIXIE_VERSION);
            return 1;
        default:
            main_usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "nixie: unexpected argument '%s' (subcommands: render, bounce)\n",
                argv[optind]);
        return -1;
    }
    if (a->demo && a->folder != NULL) {
        fprintf(stderr, "nixie: use either -f or --demo, not both\n");
        return -1;
    }
    return 0;
}

/* Config and keymap; on failure the message is printed already. */
static int
main_load_config(struct ui *ui, struct nx_config *cfg, const struct main_args *a)
{
    struct nx_err err = {0};
    char *path = a->config != NULL ? xstrdup(a->config) : config_default_path();
    config_init(cfg);
    int rc = config_load(cfg, path, a->config != NULL, &err);
    free(path);
    if (rc < 0) {
        main_print_err(&err);
        return -1;
    }
    ui->km = km_new(cfg->keymap != NULL ? cfg->keymap : "mutt", &err);
    if (ui->km == NULL) {
        main_print_err(&err);
        return -1;
    }
    km_apply(ui->km, &cfg->bindings);
    ui->cfg = cfg;
    config_render_opts(cfg, &ui->ropts);
    htmlcmd_init(&ui->html, cfg->html_command);
    htmlcmd_apply(&ui->html, &ui->ropts);
    ui->threads = cfg->threads;
    ui->newest_first = cfg->sort_newest_first;
    ui->check_interval = MAIN_CHECK_INTERVAL;
    return 0;
}

/* Where the mail is: -f, --demo or the default account.  *demo_dir gets
 * the demo copy to remove at exit. */
static char *
main_location(struct ui *ui, const struct nx_config *cfg, const struct main_args *a,
              char **demo_dir)
{
    struct nx_err err = {0};
    if (a->demo) {
        if (demo_prepare(demo_dir, &err) < 0) {
            main_print_err(&err);
            return NULL;
        }
        return xstrdup(*demo_dir);
    }
    if (a->folder != NULL)
        return xstrdup(a->folder);
    const struct account *acct = config_account(cfg, NULL);
    ui->account = acct;
    if (acct == NULL || acct->maildir == NULL) {
        char *path = a->config != NULL ? xstrdup(a->config) : config_default_path();
        main_no_mailbox(path);
        free(path);
        return NULL;
    }
    return xstrdup(acct->maildir);
}

/* Open the store and check that its INBOX opens, still without curses. */
static int
main_open_store(struct ui *ui, const char *location, const struct main_args *a)
{
    bool demo = a->demo;
    struct nx_err err = {0};
    struct mail_store_options opts = {0};
    if (ui->cfg->hcache && !demo) /* a demo copy is gone at exit: no cache */
        opts.hcache_path = ui->cfg->hcache_path;
    ui->store = mail_store_open(&mail_maildir_ops, location, &opts, &err);
    struct mail_folder *f = ui->store != NULL ? mail_folder_open(ui->store, "INBOX", &err) : NULL;
    if (f == NULL) {
        if (a->folder != NULL || err.hint[0] == '\0') /* the backend's hint is about the config */
            nx_err_hint(&err, "nixie -f wants a Maildir folder: a directory with cur/, new/ "
                              "and tmp/");
        main_print_err(&err);
        return -1;
    }
    mail_folder_free(f);
    ui->store_label = xstrdup(location);
    return 0;
}

static int
main_run_ui(struct ui *ui)
{
    struct nx_err err = {0};
    if (ui_loop_signals_init(&err) < 0 || ui_term_init(&err) < 0) {
        ui_loop_signals_end();
        main_print_err(&err);
        return -1;
    }
    ui_loop_signals_curses();
    ui_colour_init(ui->cfg);
    ui_screen_push(ui, ui_index_new(ui));
    ui->dirty |= UI_DIRTY_LAYOUT;
    ui_ops_open_folder(ui, "INBOX"); /* on a blank screen, with progress */
    ui_loop_run(ui);
    while (ui->top != NULL)
        ui_screen_pop(ui);
    ui_term_end();
    ui_loop_signals_end();
    return 0;
}

static void
main_cleanup(struct ui *ui)
{
    while (ui->top != NULL)
        ui_screen_pop(ui);
    ui_mbox_free(ui->mbox);
    mail_store_free(ui->store);
    km_free(ui->km);
    free(ui->store_label);
    free(ui->msg);
    free(ui->search);
    memset(ui, 0, sizeof *ui);
}

int
main(int argc, char **argv)
{
    struct main_args args = {0};
    struct nx_config cfg;
    struct ui *ui = &nixie_ui;
    char *demo_dir = NULL, *location = NULL;
    int status = 1;

    if (utf8_locale_init() < 0)
        fprintf(stderr, "nixie: warning: no UTF-8 locale; text may be shown wrongly\n");
    if (argc > 1 && strcmp(argv[1], "render") == 0)
        return cmd_render_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "bounce") == 0)
        return cmd_bounce_main(argc - 1, argv + 1);
    int rc = main_parse_args(argc, argv, &args);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    log_open(args.log != NULL ? args.log : getenv("NIXIE_DEBUG_LOG"));

    if (main_load_config(ui, &cfg, &args) < 0)
        goto fail;
    location = main_location(ui, &cfg, &args, &demo_dir);
    if (location == NULL || main_open_store(ui, location, &args) < 0)
        goto fail;
    if (main_run_ui(ui) < 0)
        goto fail;
    status = 0;
fail:
    main_cleanup(ui);
    config_free(&cfg);
    free(location);
    demo_cleanup(demo_dir);
    free(demo_dir);
    log_close();
    return status;
}
