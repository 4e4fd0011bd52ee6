/* log.c - optional debug log file; the only state is the open FILE. */
#include "mail/base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static FILE *log_file;

int
log_open(const char *path)
{
    log_close();
    if (path == NULL || *path == '\0')
        return 0;
    log_file = fopen(path, "ae");
    if (log_file == NULL)
        return -1;
    setvbuf(log_file, NULL, _IOLBF, 0);
    return 0;
}

void
log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

void
log_debug_at(const char *func, const char *fmt, ...)
{
    if (log_file == NULL)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(log_file, "%ld.%03ld %s: ", (long)ts.tv_sec, ts.tv_nsec / 1000000L, func);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
    fputc('\n', log_file);
}
