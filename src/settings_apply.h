/* SPDX-License-Identifier: MIT */
/* The one place that turns settings into the configs of the source and the state
 * machine, for `run` and `status` alike. */
#ifndef SETTINGS_APPLY_H
#define SETTINGS_APPLY_H

#include "peers.h"
#include "settings.h"
#include "sink_hooks.h"
#include "source.h"

/* Backend, watched interfaces (pointing into s) and the whole poll's time budget; the
 * rest zero (uapi_dir default, no stop flag: the daemon sets its own). */
void settings_source_config(const struct settings *s, struct source_config *out);
/* Threshold, interval and liveness rule. */
void settings_peers_config(const struct settings *s, struct peers_config *out);
/* The hook (SPEC §11), its program checked and its events parsed (run and check-config):
 * 0, or -errno with one line naming the setting in err (the caller exits 2). */
int settings_hooks_config(const struct settings *s, struct hooks_config *out, char *err,
                          size_t errlen);

#endif
