/*
 * term.c - the terminal: curses start and end, suspend, and key decoding
 * (wget_wch results to km keys; keymaps/ never sees curses constants).
 *
 * Owns the curses session.  Does not own signals (ui/loop.c) nor decide what
 * keys mean (keymaps/).  Reads never block: the loop calls ui_term_read()
 * after poll() said the terminal is readable, and until it returns NONE,
 * because curses may hold several keys in its own buffer.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curses.h>

#include "ui/ui-private.h"

/* Wait this long for the rest of an escape sequence (ms). */
#define TERM_ESCDELAY 50

int
ui_term_init(struct nx_err *err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return nx_err_set(err, NX_ERR_IO, "standard input and output must be a terminal");
    if (newterm(NULL, stdout, stdin) == NULL) {
        nx_err_set(err, NX_ERR_IO, "cannot use terminal type '%s'",
                   getenv("TERM") != NULL ? getenv("TERM") : "(unset)");
        nx_err_hint(err, "set TERM to your terminal's type, e.g. xterm-256color");
        return -1;
    }
    cbreak(); /* ^C and ^Z still send signals: the loop handles them */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    set_escdelay(TERM_ESCDELAY);
    curs_set(0);
    return 0;
}

void
ui_term_end(void)
{
    if (isendwin())
        return;
    curs_set(1);
    endwin();
    fflush(stdout);
}

void
ui_term_suspend(void)
{
    struct sigaction sa = {0}, old;
    endwin();
    fflush(stdout);
    /* The default action stops us (and does nothing in an orphaned process
     * group, where no shell could continue us). */
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTSTP, &sa, &old);
    raise(SIGTSTP);
    sigaction(SIGTSTP, &old, NULL);
    /* continued: the next refresh repaints everything */
    refresh();
}

static int
ui_term_function_key(int code)
{
    switch (code) {
    case KEY_UP:
        return KM_KEY_UP;
    case KEY_DOWN:
        return KM_KEY_DOWN;
    case KEY_LEFT:
        return KM_KEY_LEFT;
    case KEY_RIGHT:
        return KM_KEY_RIGHT;
    case KEY_PPAGE:
        return KM_KEY_PGUP;
    case KEY_NPAGE:
        return KM_KEY_PGDN;
    case KEY_HOME:
    case KEY_A1:
        return KM_KEY_HOME;
    case KEY_END:
    case KEY_C1:
        return KM_KEY_END;
    case KEY_IC:
        return KM_KEY_INSERT;
    case KEY_DC:
        return KM_KEY_DELETE;
    case KEY_BACKSPACE:
        return KM_KEY_BACKSPACE;
    case KEY_ENTER:
        return KM_KEY_ENTER;
    case KEY_BTAB:
        return KM_KEY_TAB;
    }
    if (code >= KEY_F(1) && code <= KEY_F(12))
        return KM_KEY_F0 + (code - KEY_F0);
    return -1;
}

int
ui_term_translate(int rc, unsigned wch)
{
    if (rc == KEY_CODE_YES)
        return ui_term_function_key((int)wch);
    if (rc != OK)
        return -1;
    if (wch < 0x80)
        return km_key_normalize((int)wch); /* Return, Tab, Esc, DEL: one table */
    if (wch > 0x10FFFF || (wch >= 0x80 && wch < 0xA0))
        return -1; /* C1 controls and nonsense are no keys */
    return (int)wch;
}

enum ui_term_event
ui_term_read(int *key)
{
    for (;;) {
        wint_t wch;
        int rc = wget_wch(stdscr, &wch);
        if (rc == ERR)
            return UI_TERM_NONE;
        if (rc == KEY_CODE_YES && wch == KEY_RESIZE)
            return UI_TERM_RESIZE;
        int k = ui_term_translate(rc, (unsigned)wch);
        if (k >= 0) {
            *key = k;
            return UI_TERM_KEY;
        }
        /* an unknown key or mouse event: skip it */
    }
}
