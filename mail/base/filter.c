/*
 * filter.c - external filters (html_command and later others): split a
 * command line without a shell, feed data on stdin, capture stdout.
 *
 * Owns the child from fork to waitpid: every exit path kills (on timeout or
 * overflow) and reaps it, and closes every descriptor.  Never prints.
 * Message data only ever travels through the stdin pipe.  Not for
 * interactive programs: the child has no terminal (own process group,
 * stdin/stdout/stderr are our pipes).
 */
#include "mail/base/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/base/strbuf.h"
#include "mail/base/xalloc.h"

#define FILTER_CHUNK 65536
#define FILTER_PEER_MAX 255

/* ---- splitting ---- */

/* cmd[*i] is '%': append its expansion. */
static void
filter_split_pct(const char *cmd, size_t *i, unsigned width, struct strbuf *w)
{
    if (cmd[*i + 1] == 'w') {
        strbuf_addf(w, "%u", width);
        *i += 2;
    } else if (cmd[*i + 1] == '%') {
        strbuf_addc(w, '%');
        *i += 2;
    } else {
        strbuf_addc(w, '%');
        *i += 1;
    }
}

/* One quoted or unquoted piece of a word starting at cmd[*i]; -1 on an
 * unbalanced quote or trailing backslash. */
static int
filter_split_piece(const char *cmd, size_t *i, unsigned width, struct strbuf *w)
{
    char c = cmd[*i];
    if (c == '\'' || c == '"') {
        (*i)++;
        while (cmd[*i] != c) {
            if (cmd[*i] == '\0')
                return -1;
            if (cmd[*i] == '%') {
                filter_split_pct(cmd, i, width, w);
                continue;
            }
            if (c == '"' && cmd[*i] == '\\' && (cmd[*i + 1] == '"' || cmd[*i + 1] == '\\'))
                (*i)++;
            strbuf_addc(w, cmd[(*i)++]);
        }
        (*i)++;
    } else if (c == '\\') {
        if (cmd[*i + 1] == '\0')
            return -1;
        strbuf_addc(w, cmd[*i + 1]);
        *i += 2;
    } else if (c == '%') {
        filter_split_pct(cmd, i, width, w);
    } else {
        strbuf_addc(w, c);
        (*i)++;
    }
    return 0;
}

int
filter_split(const char *command, unsigned width, char ***argv_out, struct nx_err *err)
{
    struct strbuf w = STRBUF_INIT;
    char **argv = NULL;
    size_t n = 0, i = 0;
    bool inword = false;

    *argv_out = NULL;
    if (command == NULL || strlen(command) > FILTER_MAX_COMMAND)
        return nx_err_set(err, NX_ERR_CONFIG, "the command is missing or too long");
    argv = xcalloc(FILTER_MAX_ARGS + 1, sizeof *argv);
    for (;;) {
        char c = command[i];
        if (c == ' ' || c == '\t' || c == '\0') {
            if (inword) {
                if (n == FILTER_MAX_ARGS) {
                    nx_err_set(err, NX_ERR_CONFIG, "more than %d words in command",
                               FILTER_MAX_ARGS);
                    goto fail;
                }
                argv[n++] = strbuf_detach(&w, NULL);
                inword = false;
            }
            if (c == '\0')
                break;
            i++;
            continue;
        }
        inword = true;
        if (filter_split_piece(command, &i, width, &w) != 0) {
            nx_err_set(err, NX_ERR_CONFIG, "unbalanced quote or trailing backslash in command");
            goto fail;
        }
    }
    if (n == 0) {
        nx_err_set(err, NX_ERR_CONFIG, "the command is empty");
        goto fail;
    }
    *argv_out = argv;
    return 0;
fail:
    strbuf_free(&w);
    filter_argv_free(argv);
    return -1;
}

void
filter_argv_free(char **argv)
{
    if (argv == NULL)
        return;
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}

/* ---- running ---- */

struct filter_proc {
    pid_t pid;
    int in, out, errfd; /* our ends; -1 when closed */
    long long deadline; /* CLOCK_MONOTONIC, ms */
    struct strbuf obuf, ebuf;
};

static long long
filter_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
filter_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* In the child: only async-signal-safe calls until exec. */
static void __attribute__((noreturn))
filter_child(char *const argv[], int in, int out, int errfd, int report)
{
    struct sigaction sa;
    sigset_t none;
    int e;

    setpgid(0, 0);
    /* Move the pipe ends above 2 first so dup2 never meets itself. */
    in = fcntl(in, F_DUPFD, 3);
    out = fcntl(out, F_DUPFD, 3);
    errfd = fcntl(errfd, F_DUPFD, 3);
    if (in < 0 || out < 0 || errfd < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        goto fail;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Nothing else of ours leaks into the filter (report is O_CLOEXEC too). */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execvp(argv[0], argv);
fail:
    e = errno;
    if (write(report, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

static int
filter_spawn(struct filter_proc *p, char *const argv[], struct nx_err *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, ep[2] = {-1, -1}, rp[2] = {-1, -1}, e = 0;

    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(ep, O_CLOEXEC) ||
        pipe2(rp, O_CLOEXEC)) {
        nx_err_sys(err, errno, "cannot create pipes for '%s'", argv[0]);
        goto fail;
    }
    p->pid = fork();
    if (p->pid < 0) {
        nx_err_sys(err, errno, "cannot start '%s'", argv[0]);
        goto fail;
    }
    if (p->pid == 0)
        filter_child(argv, in[0], out[1], ep[1], rp[1]);
    setpgid(p->pid, p->pid); /* also in the parent: no race with kill(-pid) */
    filter_close(&in[0]);
    filter_close(&out[1]);
    filter_close(&ep[1]);
    filter_close(&rp[1]);
    /* The report pipe closes on a successful exec, or carries errno. */
    ssize_t n;
    while ((n = read(rp[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    filter_close(&rp[0]);
    if (n == (ssize_t)sizeof e) {
        waitpid(p->pid, NULL, 0);
        p->pid = -1;
        nx_err_sys(err, e, "cannot run '%s'", argv[0]);
        goto fail;
    }
    p->in = in[1];
    p->out = out[0];
    p->errfd = ep[0];
    fcntl(p->in, F_SETFL, fcntl(p->in, F_GETFL) | O_NONBLOCK);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        filter_close(&in[i]);
        filter_close(&out[i]);
        filter_close(&ep[i]);
        filter_close(&rp[i]);
    }
    return -1;
}

static void
filter_kill(struct filter_proc *p)
{
    if (p->pid <= 0)
        return;
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    p->pid = -1;
}

/* Read what *fd has into sb, keeping at most cap bytes (*over set beyond);
 * closes *fd at EOF or error. */
static void
filter_drain(int *fd, struct strbuf *sb, size_t cap, bool *over)
{
    char buf[FILTER_CHUNK];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        filter_close(fd);
        return;
    }
    size_t keep = sb->len < cap ? cap - sb->len : 0;
    if ((size_t)n > keep)
        *over = true;
    strbuf_add(sb, buf, (size_t)n < keep ? (size_t)n : keep);
}

enum filter_fail { FILTER_TIMEOUT = 1, FILTER_OVERFLOW };

/* Feed stdin and collect stdout/stderr until both reach EOF.  Returns 0,
 * or the reason it stopped. */
static enum filter_fail
filter_io(struct filter_proc *p, const char *in, size_t in_len, size_t max_out)
{
    size_t off = 0;
    bool over = false, eover = false;

    if (in_len == 0)
        filter_close(&p->in);
    while (p->out >= 0 || p->errfd >= 0) {
        long long left = p->deadline - filter_now_ms();
        if (left <= 0)
            return FILTER_TIMEOUT;
        struct pollfd fds[3] = {{p->in, POLLOUT, 0}, {p->out, POLLIN, 0}, {p->errfd, POLLIN, 0}};
        int r = poll(fds, 3, left > 1000 ? 1000 : (int)left);
        if (r < 0 && errno != EINTR)
            return FILTER_TIMEOUT; /* cannot wait: treat as out of time */
        if (r <= 0)
            continue;
        if (p->in >= 0 && fds[0].revents) {
            size_t chunk = in_len - off < FILTER_CHUNK ? in_len - off : FILTER_CHUNK;
            ssize_t n = write(p->in, in + off, chunk);
            if (n > 0)
                off += (size_t)n;
            else if (n < 0 && errno != EINTR && errno != EAGAIN)
                off = in_len; /* EPIPE: the filter stopped reading */
            if (off == in_len)
                filter_close(&p->in);
        }
        if (p->out >= 0 && fds[1].revents)
            filter_drain(&p->out, &p->obuf, max_out, &over);
        if (p->errfd >= 0 && fds[2].revents)
            filter_drain(&p->errfd, &p->ebuf, FILTER_PEER_MAX, &eover);
        if (over)
            return FILTER_OVERFLOW;
    }
    filter_close(&p->in);
    return 0;
}

/* Reap the child before the deadline; returns its wait status or -1. */
static int
filter_wait(struct filter_proc *p)
{
    int st;
    for (;;) {
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            p->pid = -1;
            return st;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (filter_now_ms() >= p->deadline)
            return -1;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Block SIGPIPE around the writes; a SIGPIPE raised meanwhile is consumed
 * unless the caller had it blocked (and maybe pending) already. */
static void
filter_sigpipe(bool block, sigset_t *old)
{
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    if (block) {
        pthread_sigmask(SIG_BLOCK, &pipe, old);
        return;
    }
    if (!sigismember(old, SIGPIPE)) {
        sigset_t pending;
        struct timespec zero = {0, 0};
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE))
            sigtimedwait(&pipe, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int
filter_status(struct filter_proc *p, const char *name, int st, struct nx_err *err)
{
    if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (st >= 0 && WIFEXITED(st))
        nx_err_set(err, NX_ERR_PROTO, "'%s' exited with status %d", name, WEXITSTATUS(st));
    else if (st >= 0 && WIFSIGNALED(st))
        nx_err_set(err, NX_ERR_PROTO, "'%s' was killed by signal %d", name, WTERMSIG(st));
    else
        nx_err_set(err, NX_ERR_PROTO, "'%s' did not finish in time", name);
    nx_err_peer(err, strbuf_str(&p->ebuf), p->ebuf.len);
    return -1;
}

int
filter_run_argv(char *const argv[], const char *in, size_t in_len, size_t max_out,
                unsigned timeout_ms, char **out, size_t *out_len, struct nx_err *err)
{
    struct filter_proc p = {.pid = -1, .in = -1, .out = -1, .errfd = -1};
    sigset_t old;
    int rc = -1;

    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (argv == NULL || argv[0] == NULL)
        return nx_err_set(err, NX_ERR_CONFIG, "no command to run");
    p.deadline = filter_now_ms() + timeout_ms;
    if (filter_spawn(&p, argv, err) != 0)
        return -1;
    filter_sigpipe(true, &old);
    enum filter_fail why = filter_io(&p, in ? in : "", in ? in_len : 0, max_out);
    filter_sigpipe(false, &old);
    if (why != 0) {
        if (why == FILTER_OVERFLOW)
            nx_err_set(err, NX_ERR_LIMIT, "'%s' wrote more than %zu bytes", argv[0], max_out);
        else
            nx_err_set(err, NX_ERR_PROTO, "'%s' timed out after %u ms", argv[0], timeout_ms);
        goto fail;
    }
    int st = filter_wait(&p);
    if (filter_status(&p, argv[0], st, err) != 0)
        goto fail;
    *out = strbuf_detach(&p.obuf, out_len);
    rc = 0;
fail:
    filter_kill(&p);
    filter_close(&p.in);
    filter_close(&p.out);
    filter_close(&p.errfd);
    strbuf_free(&p.obuf);
    strbuf_free(&p.ebuf);
    return rc;
}

int
filter_run(const char *command, unsigned width, const char *in, size_t in_len, size_t max_out,
           unsigned timeout_ms, char **out, size_t *out_len, struct nx_err *err)
{
    char **argv = NULL;
    *out = NULL;
    if (filter_split(command, width, &argv, err) != 0)
        return -1;
    int rc = filter_run_argv(argv, in, in_len, max_out, timeout_ms, out, out_len, err);
    filter_argv_free(argv);
    return rc;
}
