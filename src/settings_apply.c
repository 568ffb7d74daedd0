// SPDX-License-Identifier: MIT
/* Settings -> source and state-machine configs. */
#include <string.h>

#include "settings_apply.h"

void settings_source_config(const struct settings *s, struct source_config *out)
{
	memset(out, 0, sizeof(*out));
	out->backend = s->backend;
	out->ifnames = s->interfaces;
	out->n_ifnames = s->n_interfaces;
}

void settings_peers_config(const struct settings *s, struct peers_config *out)
{
	memset(out, 0, sizeof(*out));
	out->threshold_ms = (int64_t)s->threshold * 1000;
	out->interval_ms = (int64_t)s->interval * 1000;
	out->liveness = s->liveness;
}
