/*
 * htmlcmd.c - run html_command for the renderer (see htmlcmd.h).
 *
 * Owns nothing but the last error.  Does not sanitise the program's output:
 * render_text() does, like any message text.
 */
#include "ui/htmlcmd.h"

#include <stdlib.h>
#include <string.h>

#include "mail/base/filter.h"

void
htmlcmd_init(struct htmlcmd *hc, const char *command)
{
    memset(hc, 0, sizeof *hc);
    hc->command = command && *command ? command : NULL;
    hc->timeout_ms = HTMLCMD_TIMEOUT_MS;
    hc->max_out = HTMLCMD_MAX_OUT;
}

void
htmlcmd_apply(struct htmlcmd *hc, struct render_opts *opts)
{
    if (hc->command == NULL)
        return;
    opts->html_convert = htmlcmd_convert;
    opts->html_arg = hc;
}

int
htmlcmd_convert(void *arg, const char *html, size_t len, size_t width, char **out, size_t *out_len)
{
    struct htmlcmd *hc = arg;
    *out = NULL;
    *out_len = 0;
    if (hc == NULL || hc->command == NULL)
        return -1;
    unsigned w = width > 100000 ? 100000 : (unsigned)width;
    if (filter_run(hc->command, w, html, len, hc->max_out, hc->timeout_ms, out, out_len,
                   &hc->err) != 0) {
        hc->failures++;
        return -1;
    }
    return 0;
}
