/*
 * demo.h - a private, writable copy of the bundled demo Maildir (`nixie
 * --demo`), so trying nixie never changes the installed or source copy.
 */
#ifndef NIXIE_UI_DEMO_H
#define NIXIE_UI_DEMO_H

#include "mail/base/err.h"

/* Copy the demo Maildir into a fresh directory made with mkdtemp() under
 * $TMPDIR (or /tmp), creating cur/, new/ and tmp/ in every folder (git does
 * not keep empty directories).  The source is $NIXIE_DEMO_DIR if set, else
 * NIXIE_SRCDIR/tests/fixtures/demo if it exists, else NIXIE_DATADIR/demo; it
 * is only read.  Symbolic links and special files in it are skipped.
 * Returns 0 and a malloc'd path (the caller frees it and calls
 * demo_cleanup()), or -1 with err set (nothing is left behind). */
int demo_prepare(char **maildir_out, struct nx_err *err);

/* Remove a copy made by demo_prepare() and everything in it.  Refuses (does
 * nothing) for a path whose last component is not "nixie-demo-*".  NULL is a
 * no-op. */
void demo_cleanup(const char *dir);

#endif
