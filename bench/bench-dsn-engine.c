/*
 * bench-dsn-engine.c - the analysis path alone, in memory: every message is
 * read once, then parsed (mail_message_parse) REPEAT times, then parsed and
 * analysed (dsn_analyze) REPEAT times, on one core.  Prints messages per
 * CPU second for the whole path and for dsn_analyze alone (the parse-only
 * time subtracted); then the whole path once more with each file REPEAT
 * times in a row, which shows what warm branch predictors and caches save.  Built and run by
 * bench/bench-dsn.sh; not part of the nixie build.
 *
 * usage: bench-dsn-engine REPEAT FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/dsn.h"
#include "mail/message.h"

struct bench_file {
    char *data;
    size_t len;
};

static double
bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_read(const char *path, struct bench_file *f)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f->data = malloc(n > 0 ? (size_t)n : 1);
    f->len = n > 0 ? fread(f->data, 1, (size_t)n, fp) : 0;
    fclose(fp);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench-dsn-engine REPEAT FILE...\n", stderr);
        return 2;
    }
    int repeat = atoi(argv[1]);
    int nfiles = argc - 2;
    struct bench_file *files = calloc((size_t)nfiles, sizeof *files);
    for (int i = 0; i < nfiles; i++)
        if (bench_read(argv[i + 2], &files[i]) != 0)
            fprintf(stderr, "bench-dsn-engine: cannot read %s\n", argv[i + 2]);
    /* two timed loops, no clock read per message (a CPU-time clock read is
     * a system call, ~1 us here): parse alone, then parse + analyse */
    double t0 = bench_cpu();
    for (int r = 0; r < repeat; r++)
        for (int i = 0; i < nfiles; i++) {
            struct mail_message *m = mail_message_parse(files[i].data, files[i].len, NULL);
            if (m)
                (void)mail_message_root(m); /* the MIME tree belongs to parsing */
            mail_message_free(m);
        }
    double parse = bench_cpu() - t0;
    size_t rcpts = 0;
    t0 = bench_cpu();
    for (int r = 0; r < repeat; r++)
        for (int i = 0; i < nfiles; i++) {
            struct mail_message *m = mail_message_parse(files[i].data, files[i].len, NULL);
            if (!m)
                continue;
            (void)mail_message_root(m);
            struct dsn_report *rep = dsn_analyze(m);
            rcpts += rep->nrcpts;
            dsn_report_free(rep);
            mail_message_free(m);
        }
    double total = bench_cpu() - t0;
    /* the same work with each file REPEAT times in a row: what the branch
     * predictors and caches, warm for one message, save */
    t0 = bench_cpu();
    for (int i = 0; i < nfiles; i++)
        for (int r = 0; r < repeat; r++) {
            struct mail_message *m = mail_message_parse(files[i].data, files[i].len, NULL);
            if (!m)
                continue;
            (void)mail_message_root(m);
            dsn_report_free(dsn_analyze(m));
            mail_message_free(m);
        }
    double warm = bench_cpu() - t0;
    double n = (double)nfiles * repeat;
    printf("engine: %d files x %d = %.0f messages, %zu recipient lines\n", nfiles, repeat, n,
           rcpts);
    printf("  parse + analyse  %8.2f s  %10.0f messages/s\n", total, n / total);
    printf("  dsn_analyze only %8.2f s  %10.0f messages/s\n", total - parse, n / (total - parse));
    printf("  parse + analyse, each file %d times in a row %8.2f s  %10.0f messages/s\n", repeat,
           warm, n / warm);
    for (int i = 0; i < nfiles; i++)
        free(files[i].data);
    free(files);
    return 0;
}
