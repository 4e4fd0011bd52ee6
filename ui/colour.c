/*
 * colour.c - colour pairs for the styles of render/ and the UI's elements.
 *
 * Owns the pair numbers (pair = id + 1).  Defaults use only the 8 ANSI
 * colours and the terminal's default background (-1), so they read well on
 * dark and light terminals; a config `color` line replaces fg/bg of an rstyle.
 * Does not read the config file itself.
 */
#include "ui/colour.h"

#include <curses.h>

struct colour_default {
    short fg, bg;
    int attrs; /* with colours */
    int mono;  /* without colours */
};

#define D_ -1 /* the terminal's default colour */

static const struct colour_default colour_defaults[UI_COLOUR__COUNT] = {
    [RSTYLE_NORMAL] = {D_, D_, 0, 0},
    [RSTYLE_HDR_NAME] = {COLOR_BLUE, D_, A_BOLD, A_BOLD},
    [RSTYLE_HDR_VALUE] = {D_, D_, 0, 0},
    [RSTYLE_HDR_FROM] = {COLOR_GREEN, D_, A_BOLD, A_BOLD},
    [RSTYLE_HDR_SUBJECT] = {COLOR_YELLOW, D_, A_BOLD, A_BOLD},
    [RSTYLE_HDR_DATE] = {D_, D_, 0, 0},
    [RSTYLE_QUOTE1] = {COLOR_CYAN, D_, 0, 0},
    [RSTYLE_QUOTE2] = {COLOR_GREEN, D_, 0, 0},
    [RSTYLE_QUOTE3] = {COLOR_MAGENTA, D_, 0, 0},
    [RSTYLE_SIGNATURE] = {COLOR_BLUE, D_, 0, A_DIM},
    [RSTYLE_ATTACHMENT] = {COLOR_MAGENTA, D_, A_BOLD, A_BOLD},
    [RSTYLE_PART_SEP] = {COLOR_MAGENTA, D_, 0, 0},
    [RSTYLE_URL] = {COLOR_BLUE, D_, A_UNDERLINE, A_UNDERLINE},
    [RSTYLE_CONTROL] = {COLOR_RED, D_, A_BOLD, A_BOLD},
    [RSTYLE_NOTE] = {COLOR_CYAN, D_, A_BOLD, A_BOLD},
    [RSTYLE_ERROR] = {COLOR_RED, D_, A_BOLD, A_BOLD},
    [RSTYLE_DSN_TITLE] = {COLOR_YELLOW, D_, A_BOLD, A_BOLD},
    [RSTYLE_DSN_FAILED] = {COLOR_RED, D_, A_BOLD, A_BOLD},
    [RSTYLE_DSN_DELAYED] = {COLOR_YELLOW, D_, 0, A_BOLD},
    [RSTYLE_DSN_DELIVERED] = {COLOR_GREEN, D_, 0, 0},
    [RSTYLE_DSN_FIELD] = {COLOR_CYAN, D_, 0, 0},
    [RSTYLE_SEARCH] = {COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE},
    [UI_COLOUR_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [UI_COLOUR_INDICATOR] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [UI_COLOUR_TREE] = {COLOR_RED, D_, 0, 0},
    [UI_COLOUR_INDEX_NEW] = {D_, D_, A_BOLD, A_BOLD},
    [UI_COLOUR_INDEX_DELETED] = {COLOR_RED, D_, 0, A_DIM},
    [UI_COLOUR_INDEX_FLAGGED] = {COLOR_YELLOW, D_, A_BOLD, A_BOLD},
    [UI_COLOUR_MESSAGE] = {D_, D_, 0, 0},
    [UI_COLOUR_ERROR] = {COLOR_RED, D_, A_BOLD, A_BOLD},
    [UI_COLOUR_PROMPT] = {D_, D_, 0, 0},
};

/* Resolved attributes per id; filled by ui_colour_init. */
static int colour_attrs[UI_COLOUR__COUNT];

void
ui_colour_init(const struct nx_config *cfg)
{
    bool colours = has_colors() && start_color() == OK;
    bool defaults = colours && use_default_colors() == OK;
    for (int id = 0; id < UI_COLOUR__COUNT; id++) {
        const struct colour_default *d = &colour_defaults[id];
        short fg = d->fg, bg = d->bg;
        if (cfg != NULL && id < RSTYLE__COUNT) {
            if (cfg->colour_fg[id] != -2)
                fg = cfg->colour_fg[id];
            if (cfg->colour_bg[id] != -2)
                bg = cfg->colour_bg[id];
        }
        int attrs = d->attrs;
        if (COLORS <= 8 && fg >= 8 && fg < 16) { /* brightred on 8 colours: bold red */
            fg = (short)(fg - 8);
            attrs |= A_BOLD;
        }
        if (COLORS <= 8 && bg >= 8 && bg < 16)
            bg = (short)(bg - 8);
        if (!defaults) { /* -1 needs use_default_colors() */
            fg = fg < 0 ? COLOR_WHITE : fg;
            bg = bg < 0 ? COLOR_BLACK : bg;
        }
        if (colours && id + 1 < COLOR_PAIRS && fg < COLORS && bg < COLORS &&
            init_pair((short)(id + 1), fg, bg) == OK)
            colour_attrs[id] = (int)(COLOR_PAIR(id + 1) | (chtype)attrs);
        else
            colour_attrs[id] = d->mono;
    }
}

int
ui_colour_attr(int id)
{
    if (id < 0 || id >= UI_COLOUR__COUNT)
        return 0;
    return colour_attrs[id];
}
