/* SPDX-License-Identifier: MIT */
/* `wg-monitor status [--json]`: one poll, printed as a table or a JSON array. */
#ifndef STATUS_H
#define STATUS_H

#include <limits.h>
#include <stdio.h>

#include "peers.h"
#include "settings.h"

/* State files status reads at most: the plain service's and one per instance. */
#define STATUS_MAX_FILES (SETTINGS_MAX_INTERFACES + 1)

/* Polls once and prints; returns the exit status (0, or 1 when the poll failed). */
int status_run(const struct settings *s);
/* Prints the table (colour when `colour`) or JSON for every peer in t, sorted. */
void status_print(const struct peer_table *t, const struct clocks *now, bool json,
                  bool colour, FILE *out);

/* The services' state files in dir: "state" (wg-monitor.service) and every "*.state"
 * (wg-monitor@IF), at most max, as paths: "state" first, then by name; the number found. */
size_t status_service_files(const char *dir, char files[][PATH_MAX], size_t max);

#endif
