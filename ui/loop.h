/*
 * loop.h - the one event loop of the curses UI (tmux's proc_loop).
 *
 * poll() on the terminal, a self-pipe written by signal handlers, the
 * store's descriptor (IMAP later; -1 for Maildir) and a timer for new-mail
 * checks; then keys -> km_lookup -> the top screen's action table -> the
 * global table; then one redraw.  Signal handlers only set a flag and write
 * a byte; everything else happens here, in the loop's own time.
 */
#ifndef NIXIE_UI_LOOP_H
#define NIXIE_UI_LOOP_H

#include "mail/base/err.h"

#include "ui/ui-private.h"

/* Self-pipe and handlers for SIGINT, SIGTERM, SIGTSTP, SIGCONT: call before
 * the terminal starts (so curses keeps its hands off them). */
int ui_loop_signals_init(struct nx_err *err);
/* After the terminal started: chain curses' SIGWINCH handler behind ours,
 * so a resize also wakes poll(). */
void ui_loop_signals_curses(void);
/* Restore default handlers and close the pipe. */
void ui_loop_signals_end(void);

/* Run until ui->quit. */
void ui_loop_run(struct ui *ui);
/* Paint now if anything is dirty (also used before long work starts). */
void ui_loop_redraw(struct ui *ui);

#endif
