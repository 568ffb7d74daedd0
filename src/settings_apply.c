// SPDX-License-Identifier: MIT
/* Settings -> source and state-machine configs, so run and status cannot differ. */
#include "settings_apply.h"

void settings_source_config(const struct settings *s, struct source_config *out)
{
	*out = (struct source_config){
		.backend = s->backend,
		.ifnames = s->interfaces,
		.n_ifnames = s->n_interfaces,
		.timeout_ms = (int)(s->poll_timeout * 1000),
	};
}

void settings_peers_config(const struct settings *s, struct peers_config *out)
{
	*out = (struct peers_config){
		.threshold_ms = (int64_t)s->threshold * 1000,
		.interval_ms = (int64_t)s->interval * 1000,
		.liveness = s->liveness,
	};
}
