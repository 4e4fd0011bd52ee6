/*
 * colour.h - semantic style ids to curses attributes.
 *
 * render/ styles (enum rstyle) come first; the ids below are the UI's own
 * elements.  ui/colour.c owns the colour pairs: defaults readable on an
 * 8-colour terminal, overridden by the config's `color STYLE FG BG` lines
 * (struct nx_config colour_fg/colour_bg, rstyle ids only).  Without colour
 * support, attributes alone (reverse, bold, underline) keep things apart.
 */
#ifndef NIXIE_UI_COLOUR_H
#define NIXIE_UI_COLOUR_H

#include "render/render.h"

#include "ui/config.h"

enum ui_colour {
    UI_COLOUR_STATUS = RSTYLE__COUNT, /* status bar */
    UI_COLOUR_INDICATOR,              /* index cursor line */
    UI_COLOUR_TREE,                   /* thread tree prefix */
    UI_COLOUR_INDEX_NEW,              /* unread message in the index */
    UI_COLOUR_INDEX_DELETED,
    UI_COLOUR_INDEX_FLAGGED,
    UI_COLOUR_MESSAGE, /* message line */
    UI_COLOUR_ERROR,   /* message line, errors */
    UI_COLOUR_PROMPT,
    UI_COLOUR__COUNT
};

/* Call after the terminal is up. */
void ui_colour_init(const struct nx_config *cfg);
/* Attributes (colour pair included) for a style or ui_colour id. */
int ui_colour_attr(int id);

#endif
