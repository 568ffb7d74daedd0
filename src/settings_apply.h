/* SPDX-License-Identifier: MIT */
/* The one place that turns settings into the configs of the source and the state
 * machine, for `run` and `status` alike. */
#ifndef SETTINGS_APPLY_H
#define SETTINGS_APPLY_H

#include "peers.h"
#include "settings.h"
#include "source.h"

/* Backend, watched interfaces (pointing into s) and the whole poll's time budget; the
 * rest zero (uapi_dir default, no stop flag: the daemon sets its own). */
void settings_source_config(const struct settings *s, struct source_config *out);
/* Threshold, interval and liveness rule. */
void settings_peers_config(const struct settings *s, struct peers_config *out);

#endif
