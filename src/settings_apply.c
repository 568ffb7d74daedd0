// SPDX-License-Identifier: MIT
/* Settings -> source and state-machine configs, so run and status cannot differ. */
#include <stdio.h>
#include <string.h>

#include "hook_exec.h"
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

int settings_hooks_config(const struct settings *s, struct hooks_config *out, char *err,
                          size_t errlen)
{
	char why[400];
	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", s->on_change);
	out->json = s->on_change_stdin == HOOK_STDIN_JSON;
	out->timeout_ms = (int64_t)s->on_change_timeout * 1000;
	out->grace_ms = (int64_t)s->on_change_grace * 1000;
	out->max = s->on_change_max;
	int rc = hook_events_parse(s->on_change_events, &out->events, why, sizeof(why));
	enum setting_id bad = SET_ON_CHANGE_EVENTS;
	if (rc == 0 && s->on_change[0] && (rc = hook_check(s->on_change, why, sizeof(why))) < 0)
		bad = SET_ON_CHANGE;
	if (rc < 0)
		snprintf(err, errlen, "invalid %s: %s", settings_name(s, bad), why);
	return rc;
}
