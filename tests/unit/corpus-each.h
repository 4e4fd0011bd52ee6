/*
 * corpus-each.h - the unit tests' walk over the bounce corpus, read in place
 * from $NIXIE_CORPUS (never copied into the tree): every *.eml file, in
 * sorted order, loaded as a message and handed to fn.
 */
#ifndef NIXIE_TEST_CORPUS_EACH_H
#define NIXIE_TEST_CORPUS_EACH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/base/xalloc.h"

#include "mail/message.h"

typedef void (*corpus_each_fn)(struct mail_message *m, void *arg);

/* Returns the number of messages given to fn: 0 without a corpus (the
 * caller skips).  Files that do not load are passed over. */
static size_t
corpus_each(corpus_each_fn fn, void *arg)
{
    const char *dir = getenv("NIXIE_CORPUS");
    if (dir == NULL)
        return 0;
    char *cmd = xasprintf("find '%s' -type f -name '*.eml' 2>/dev/null | sort", dir);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (p == NULL)
        return 0;
    char line[4096];
    size_t files = 0;
    while (fgets(line, sizeof line, p) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        struct mail_message *m = mail_message_load(line, NULL);
        if (m == NULL)
            continue;
        fn(m, arg);
        mail_message_free(m);
        files++;
    }
    pclose(p);
    return files;
}

#endif
