/* SPDX-License-Identifier: MIT */
/* `wg-monitor run`: the daemon in the foreground. */
#ifndef DAEMON_H
#define DAEMON_H

#include "logfile.h"
#include "settings.h"
#include "statefile.h"

/* Runs until SIGTERM/SIGINT; lf may be NULL (stderr only), and so may state (no state
 * file; else opened and locked by the caller). Returns the exit status: 2 when the
 * metrics listener cannot start. */
int daemon_run(const struct settings *s, struct logfile *lf, struct statefile *state);

#endif
