/*
 * loop.c - the one event loop: signals, poll, keys, actions, timer.
 *
 * Owns the self-pipe and the signal flags.  Those are file statics because
 * a signal handler takes no argument; they carry no UI state (that is all
 * in struct ui, ui/main.c).  Handlers set a flag and write a byte, nothing
 * more.  Does not paint (ui/redraw.c does, once per turn).
 */
#include "ui/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "mail/base/log.h"

#include "ui/screen.h"

/* How long "g" waits for a second key when "g" alone is bound too (ms). */
#define LOOP_SEQ_TIMEOUT_MS 1000

static int loop_pipe[2] = {-1, -1};
static volatile sig_atomic_t loop_sig_int, loop_sig_term, loop_sig_tstp, loop_sig_cont,
    loop_sig_winch;
static struct sigaction loop_curses_winch; /* curses' own SIGWINCH handler, if any */

static void
loop_signal_handler(int sig)
{
    int saved = errno;
    switch (sig) {
    case SIGINT:
        loop_sig_int = 1;
        break;
    case SIGTERM:
    case SIGHUP:
        loop_sig_term = 1;
        break;
    case SIGTSTP:
        loop_sig_tstp = 1;
        break;
    case SIGCONT:
        loop_sig_cont = 1;
        break;
    case SIGWINCH:
        loop_sig_winch = 1;
        /* curses' handler only records the resize for wget_wch's KEY_RESIZE */
        if (!(loop_curses_winch.sa_flags & SA_SIGINFO) && loop_curses_winch.sa_handler != SIG_DFL &&
            loop_curses_winch.sa_handler != SIG_IGN)
            loop_curses_winch.sa_handler(sig);
        break;
    }
    if (loop_pipe[1] >= 0) {
        ssize_t w = write(loop_pipe[1], "", 1); /* full pipe: a wakeup is pending anyway */
        (void)w;
    }
    errno = saved;
}

static int
loop_catch(int sig)
{
    struct sigaction sa = {0};
    sa.sa_handler = loop_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(sig, &sa, NULL);
}

int
ui_loop_signals_init(struct nx_err *err)
{
    if (pipe(loop_pipe) < 0)
        return nx_err_sys(err, errno, "cannot create the signal pipe");
    for (int i = 0; i < 2; i++) {
        fcntl(loop_pipe[i], F_SETFL, fcntl(loop_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(loop_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    if (loop_catch(SIGINT) < 0 || loop_catch(SIGTERM) < 0 || loop_catch(SIGHUP) < 0 ||
        loop_catch(SIGTSTP) < 0 || loop_catch(SIGCONT) < 0)
        return nx_err_sys(err, errno, "cannot install signal handlers");
    return 0;
}

void
ui_loop_signals_curses(void)
{
    sigaction(SIGWINCH, NULL, &loop_curses_winch);
    if (loop_curses_winch.sa_handler == loop_signal_handler)
        loop_curses_winch.sa_handler = SIG_DFL;
    loop_catch(SIGWINCH);
}

void
ui_loop_signals_end(void)
{
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT, SIGWINCH};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    for (int i = 0; i < 2; i++) {
        if (loop_pipe[i] >= 0)
            close(loop_pipe[i]);
        loop_pipe[i] = -1;
    }
}

static void
loop_drain_pipe(void)
{
    char buf[64];
    while (loop_pipe[0] >= 0 && read(loop_pipe[0], buf, sizeof buf) > 0)
        ;
}

bool
ui_loop_interrupted(void)
{
    loop_drain_pipe();
    if (!loop_sig_int)
        return false;
    loop_sig_int = 0;
    return true;
}

/* Act on the signals recorded since the last turn. */
static void
loop_signals(struct ui *ui)
{
    loop_drain_pipe();
    if (loop_sig_term) {
        loop_sig_term = 0;
        log_debug("terminated by a signal");
        ui->quit = true;
    }
    if (loop_sig_int) {
        loop_sig_int = 0;
        ui_message(ui, "Interrupted.  Press q to quit.");
    }
    if (loop_sig_tstp) {
        loop_sig_tstp = 0;
        ui_term_suspend();
        ui->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_CLEAR;
    }
    if (loop_sig_cont) {
        loop_sig_cont = 0;
        ui->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_CLEAR;
    }
    if (loop_sig_winch) {
        loop_sig_winch = 0;
        /* without curses' handler, tell curses the size ourselves; with it,
         * wget_wch returns KEY_RESIZE below */
        struct winsize ws;
        if ((loop_curses_winch.sa_handler == SIG_DFL || loop_curses_winch.sa_handler == SIG_IGN) &&
            ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
            resizeterm(ws.ws_row, ws.ws_col);
        ui->dirty |= UI_DIRTY_LAYOUT;
    }
}

static void
loop_global_unavailable(struct ui *ui)
{
    ui_message(ui, "compose/reply is not available yet in this version");
}

/* Actions every screen has unless it handles them itself. */
static void
loop_global_action(struct ui *ui, enum km_action a)
{
    switch (a) {
    case KM_ACTION_NONE:
        break;
    case KM_ACTION_HELP:
        ui_screen_push(ui, ui_help_new(ui, ui->top->ops->km_context));
        break;
    case KM_ACTION_REDRAW:
        ui->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_CLEAR;
        break;
    case KM_ACTION_EXIT:
        ui->quit = true;
        break;
    case KM_ACTION_QUIT:
        if (ui->top->below != NULL)
            ui_screen_pop(ui);
        else
            ui->quit = true;
        break;
    case KM_ACTION_COMPOSE:
    case KM_ACTION_REPLY:
    case KM_ACTION_GROUP_REPLY:
    case KM_ACTION_FORWARD:
    case KM_ACTION_SEND:
        loop_global_unavailable(ui);
        break;
    case KM_ACTION_CHANGE_FOLDER:
        ui_ops_change_folder(ui);
        break;
    case KM_ACTION_FOLDER_LIST:
        ui_screen_push(ui, ui_folders_new(ui));
        break;
    default:
        ui_message(ui, "%s: not available in this screen", km_action_name(a));
        break;
    }
}

void
ui_loop_action(struct ui *ui, enum km_action a)
{
    struct screen *s = ui->top;
    log_debug("%s: %s", s->ops->name, km_action_name(a));
    if (s->ops->action != NULL && s->ops->action(s, ui, a))
        return;
    loop_global_action(ui, a);
}

static void
loop_key(struct ui *ui, int key)
{
    struct screen *s = ui->top;
    enum km_action a = KM_ACTION_NONE;
    if (ui->nkeys == 0)
        ui_message_clear(ui);
    ui->dirty |= UI_DIRTY_PAINT;
    if (s->ops->key != NULL) {
        s->ops->key(s, ui, key);
        return;
    }
    ui->keys[ui->nkeys++] = key;
    switch (km_lookup(ui->km, s->ops->km_context, ui->keys, ui->nkeys, &a)) {
    case KM_PREFIX:
        ui->pending = a;
        if (ui->nkeys < KM_MAX_SEQ)
            return; /* wait for the rest of the sequence */
        ui->nkeys = 0;
        ui_message(ui, "Key sequence too long.");
        return;
    case KM_MATCH:
        ui->nkeys = 0;
        ui_loop_action(ui, a);
        return;
    case KM_NOMATCH:
        break;
    }
    unsigned n = ui->nkeys;
    enum km_action pending = ui->pending;
    ui->nkeys = 0;
    ui->pending = KM_ACTION_NONE;
    if (n > 1) {
        /* "g" then "j": the keys so far mean what they mean alone (if
         * anything), and "j" is looked up on its own */
        if (pending != KM_ACTION_NONE)
            ui_loop_action(ui, pending);
        loop_key(ui, key);
        return;
    }
    ui_message(ui, "Key is not bound.  Press '?' for help.");
}

/* A prefix that is also a binding of its own runs when no key follows. */
static void
loop_pending_timeout(struct ui *ui)
{
    enum km_action a = ui->pending;
    ui->nkeys = 0;
    ui->pending = KM_ACTION_NONE;
    if (a != KM_ACTION_NONE)
        ui_loop_action(ui, a);
}

static void
loop_read_keys(struct ui *ui)
{
    int key;
    enum ui_term_event ev;
    while (!ui->quit && (ev = ui_term_read(&key)) != UI_TERM_NONE) {
        if (ev == UI_TERM_RESIZE)
            ui->dirty |= UI_DIRTY_LAYOUT;
        else
            loop_key(ui, key);
    }
}

static long
loop_ms_until(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms;
}

static void
loop_timer(struct ui *ui)
{
    if (ui->check_interval == 0 || loop_ms_until(&ui->next_check) > 0)
        return;
    ui_ops_check_mail(ui, false);
    clock_gettime(CLOCK_MONOTONIC, &ui->next_check);
    ui->next_check.tv_sec += ui->check_interval;
}

void
ui_loop_run(struct ui *ui)
{
    int redraws = 0;
    clock_gettime(CLOCK_MONOTONIC, &ui->next_check);
    ui->next_check.tv_sec += ui->check_interval;
    while (!ui->quit) {
        /* what is pending already: signals seen during long work, keys in
         * curses' own queue (a redraw may have queued KEY_RESIZE there,
         * where poll() cannot see it) */
        loop_signals(ui);
        loop_read_keys(ui);
        if (ui->quit)
            break;
        if (ui->dirty != 0 && redraws < 2) {
            ui_loop_redraw(ui);
            redraws++;
            continue;
        }
        redraws = 0;
        struct pollfd pfd[3] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = loop_pipe[0], .events = POLLIN},
            {.fd = ui->store != NULL ? mail_store_poll_fd(ui->store) : -1, .events = POLLIN},
        };
        int timeout = ui->check_interval > 0 ? (int)loop_ms_until(&ui->next_check) : -1;
        bool waiting = ui->nkeys > 0 && ui->pending != KM_ACTION_NONE;
        if (waiting && (timeout < 0 || timeout > LOOP_SEQ_TIMEOUT_MS))
            timeout = LOOP_SEQ_TIMEOUT_MS;
        int ready = poll(pfd, 3, timeout);
        if (ready < 0 && errno != EINTR) {
            log_debug("poll: %s", strerror(errno));
            ui->quit = true;
            break;
        }
        if ((pfd[0].revents & (POLLHUP | POLLERR)) && !(pfd[0].revents & POLLIN)) {
            log_debug("terminal hung up");
            ui->quit = true; /* the terminal is gone */
            break;
        }
        if (pfd[2].revents & POLLIN)
            ui_ops_check_mail(ui, true);
        loop_timer(ui);
        if (ready == 0 && waiting)
            loop_pending_timeout(ui);
    }
}
