/* SPDX-License-Identifier: MIT */
/* `wg-monitor status [--json]`: one poll, printed as a table or a JSON array. */
#ifndef STATUS_H
#define STATUS_H

#include <stdio.h>

#include "peers.h"
#include "settings.h"

/* Polls once and prints; returns the exit status (0, or 1 when the poll failed). */
int status_run(const struct settings *s);
/* Prints the table (colour when `colour`) or JSON for every peer in t, sorted. */
void status_print(const struct peer_table *t, const struct clocks *now, bool json,
                  bool colour, FILE *out);

#endif
