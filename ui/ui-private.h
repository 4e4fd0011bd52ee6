/*
 * ui-private.h - what the curses front end's files share: the top-level
 * state (struct ui), dirty bits, the message line, the screen stack, the
 * terminal layer and the message operations used by index and pager.
 *
 * Owns: nothing by itself; struct ui is defined here and its one instance
 * lives in ui/main.c.  Not for mail/, render/ or keymaps/ (they never see
 * curses).  Invariants: handlers change state and set dirty bits, only the
 * loop paints (the progress callback may repaint the message line alone);
 * every string from a message passes utf8_sanitize() before it is painted.
 */
#ifndef NIXIE_UI_PRIVATE_H
#define NIXIE_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mail/base/err.h"

#include "mail/backend.h"

#include "keymaps/keymap.h"

#include "render/render.h"

#include "ui/config.h"
#include "ui/htmlcmd.h"

struct screen;
struct strbuf;
struct ui_mbox;

/* Dirty bits: what the loop must redo before the next paint. */
enum ui_dirty {
    UI_DIRTY_PAINT = 1 << 0,   /* repaint from the current state */
    UI_DIRTY_CONTENT = 1 << 1, /* the model changed: rebuild what is painted (rdoc, index) */
    UI_DIRTY_LAYOUT = 1 << 2,  /* the terminal size changed */
    UI_DIRTY_CLEAR = 1 << 3,   /* the terminal may be garbled: repaint every cell */
};

/* The UI's top-level state.  One instance, in ui/main.c. */
struct ui {
    struct nx_config *cfg;         /* borrowed from main */
    const struct account *account; /* in cfg; NULL with -f and --demo */
    struct keymap *km;             /* owned */
    struct render_opts ropts;      /* strings borrowed from cfg */
    struct htmlcmd html;           /* the html_command converter ropts points at */
    struct mail_store *store;      /* owned; NULL if none could be opened */
    char *store_label;             /* owned: where the store is, for messages */
    struct ui_mbox *mbox;          /* owned: the open folder, or NULL */
    struct screen *top;            /* owned: the screen stack */

    unsigned dirty; /* enum ui_dirty */
    int rows, cols; /* terminal size at the last layout */
    bool quit;
    bool threads;      /* threaded index (config `threads`, toggle-threads) */
    bool newest_first; /* config sort, sort-reverse */

    char *msg; /* owned: message line text (sanitised), or NULL */
    bool msg_error;

    int keys[KM_MAX_SEQ]; /* keys of an unfinished multi-key binding */
    unsigned nkeys;
    enum km_action pending; /* the binding of exactly those keys, if any */

    char *search;   /* owned: last search string, shared by index and pager */
    int search_dir; /* +1 forward, -1 backward */

    unsigned check_interval; /* seconds between new-mail checks; 0: never */
    struct timespec next_check;
};

/* Screen content rows (the last two are the status bar and the message line). */
int ui_content_rows(const struct ui *ui);

/* Message line (ui/loop.c).  Text is sanitised here.  Cleared at the next key. */
void ui_message(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Show an error: what, the peer's words if any, and the hint. */
void ui_error(struct ui *ui, const struct nx_err *err);
void ui_message_clear(struct ui *ui);

/* Screen stack (ui/loop.c).  push takes ownership; pop frees the top screen
 * (call it last in a handler: the screen's data is gone afterwards). */
void ui_screen_push(struct ui *ui, struct screen *s);
void ui_screen_pop(struct ui *ui);
/* Pop until `s` is on top (s must be on the stack). */
void ui_screen_pop_to(struct ui *ui, struct screen *s);
/* The bottom screen: the index. */
struct screen *ui_screen_bottom(struct ui *ui);

/* Run an action as if its key had been pressed (ui/loop.c). */
void ui_loop_action(struct ui *ui, enum km_action a);
/* Non-blocking: true if Ctrl-C (SIGINT) arrived since the last call.  For
 * long work, which cannot return to the loop (ui/loop.c). */
bool ui_loop_interrupted(void);

/* Progress for long work: repaints only the message line ("LABEL done/total"),
 * at most every 100 ms; cancels on Ctrl-C.  label is copied. */
struct ui_progress {
    struct ui *ui;
    char label[128];
    struct timespec last;
    bool cancelled;
};
void ui_progress_init(struct ui_progress *p, struct ui *ui, const char *label,
                      struct mail_progress *out);

/* Terminal (ui/term.c). */
int ui_term_init(struct nx_err *err);
void ui_term_end(void);
/* Suspend for SIGTSTP and come back. */
void ui_term_suspend(void);
enum ui_term_event { UI_TERM_NONE, UI_TERM_KEY, UI_TERM_RESIZE };
/* Non-blocking read of one key, translated to a km key (keymap.h). */
enum ui_term_event ui_term_read(int *key);
/* Map a wget_wch() result to a km key; -1 for keys nixie ignores. */
int ui_term_translate(int rc, unsigned wch);

/* Painting helpers (ui/paint.c); y/x in screen cells. */
/* Paint untrusted text sanitised, at most maxcols columns; returns columns used. */
int ui_paint_text(int y, int x, const char *s, int maxcols, int attr_id);
/* Paint already sanitised text (rdoc lines, our own strings). */
int ui_paint_safe(int y, int x, const char *s, size_t len, int maxcols, int attr_id);
void ui_paint_fill(int y, int x, int cols, int attr_id);
/* One rdoc line at row y, needle (may be NULL) highlighted. */
void ui_paint_rline(int y, const struct rline *line, const char *needle, int cols);
/* Case-insensitive (ASCII) substring search; NULL if absent. */
const char *ui_strcasestr(const char *hay, size_t len, const char *needle);

/* A scrolled view of an rdoc: pager and help (ui/paint.c). */
struct ui_docview {
    struct rdoc *doc; /* owned */
    size_t top;
    int y0; /* first screen row */
    int rows;
};
/* Scroll for NEXT_LINE .. BOTTOM; false if a is not a scrolling action. */
bool ui_docview_scroll(struct ui_docview *v, enum km_action a, unsigned context_lines);
void ui_docview_clamp(struct ui_docview *v);
void ui_docview_draw(const struct ui_docview *v, const char *needle, int cols);
/* Search ui->search from the line after the top (dir > 0) or before it,
 * wrapping once; moves the top to the hit or says it was not found. */
void ui_docview_search(struct ui_docview *v, struct ui *ui, int dir);
/* Percent of the document above the bottom of the view, as mutt shows it. */
int ui_docview_percent(const struct ui_docview *v);

/* Operations on the open folder shared by index and pager (ui/msgops.c). */
void ui_ops_open_folder(struct ui *ui, const char *name);
void ui_ops_check_mail(struct ui *ui, bool force);
void ui_ops_set_flag(struct ui *ui, unsigned flag, int on); /* on: 1 set, 0 clear, -1 toggle */
void ui_ops_mark_seen(struct ui *ui);
void ui_ops_save(struct ui *ui);
void ui_ops_change_folder(struct ui *ui);
void ui_ops_sync(struct ui *ui, bool then_quit);
/* Move the cursor to the next (dir > 0) or previous undeleted/unread message. */
bool ui_ops_step(struct ui *ui, int dir, bool unread_only);
/* Search the index (subject and from) from the cursor; true if found. */
bool ui_ops_index_search(struct ui *ui, const char *needle, int dir);

/* Index lines and status text, also for the pager's pager_index_lines
 * (ui/screen-index-lines.c).  *top is the caller's scroll position. */
void ui_index_paint(struct ui *ui, int y0, size_t rows, size_t *top);
/* Scroll *top so the cursor is on one of `rows` rows (and the rows full). */
void ui_index_fix_top(const struct ui_mbox *mb, size_t rows, size_t *top);
void ui_index_status(struct ui *ui, struct strbuf *left, struct strbuf *right);

/* Screens (ui/screen-*.c, ui/prompt.c). */
struct screen *ui_index_new(struct ui *ui);
struct screen *ui_pager_new(struct ui *ui);
struct screen *ui_folders_new(struct ui *ui);
struct screen *ui_help_new(struct ui *ui, enum km_context ctx);

/* Line input: done gets the text, or NULL when cancelled (Esc, ^G).  The
 * prompt is popped before done runs, so done may push screens. */
typedef void ui_prompt_fn(struct ui *ui, void *arg, const char *text);
void ui_prompt_line(struct ui *ui, const char *question, const char *initial, ui_prompt_fn *done,
                    void *arg);
/* y/n: done gets 1 (yes), 0 (no) or -1 (cancelled); Enter takes def. */
typedef void ui_yesno_fn(struct ui *ui, void *arg, int answer);
void ui_prompt_yesno(struct ui *ui, const char *question, int def, ui_yesno_fn *done, void *arg);

#endif
