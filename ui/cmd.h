/*
 * cmd.h - the batch commands of the nixie executable (no terminal UI).
 * Each takes the arguments after its name and returns an exit status; errors
 * go to stderr as "nixie CMD: what happened (what to do)".
 */
#ifndef NIXIE_UI_CMD_H
#define NIXIE_UI_CMD_H

/* nixie render [--width N] [--styles] [--all-headers] FILE */
int cmd_render_main(int argc, char **argv);
/* nixie bounce [--json] PATH... */
int cmd_bounce_main(int argc, char **argv);

#endif
