/*
 * log.h - debug log to a file (never to the terminal: curses owns it).
 * Enabled by NIXIE_DEBUG_LOG=/path or `nixie -d FILE`; a no-op otherwise.
 */
#ifndef NIXIE_BASE_LOG_H
#define NIXIE_BASE_LOG_H

/* Open the log file; NULL path disables logging.  Returns 0 or -1. */
int log_open(const char *path);
void log_close(void);
void log_debug_at(const char *func, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_debug_at(__func__, __VA_ARGS__)

#endif
