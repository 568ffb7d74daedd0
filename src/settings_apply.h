/* SPDX-License-Identifier: MIT */
/* The one place that turns settings into the configs of the source and the state machine,
 * for `run` and `status` alike. */
#ifndef SETTINGS_APPLY_H
#define SETTINGS_APPLY_H

#include "peers.h"
#include "settings.h"
#include "source.h"

/* Fills out; the caller sets out->stop. */
void settings_source_config(const struct settings *s, struct source_config *out);
void settings_peers_config(const struct settings *s, struct peers_config *out);

#endif
