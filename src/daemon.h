/* SPDX-License-Identifier: MIT */
/* `wg-monitor run`: the daemon in the foreground. */
#ifndef DAEMON_H
#define DAEMON_H

#include "logfile.h"
#include "settings.h"

/* Runs until SIGTERM/SIGINT; lf may be NULL (stderr only); state_path is the resolved
 * state file (locked by the caller) or "". Returns the exit status. */
int daemon_run(const struct settings *s, struct logfile *lf, const char *state_path);

#endif
