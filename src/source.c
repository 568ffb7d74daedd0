// SPDX-License-Identifier: MIT
/* The facade: runs the configured backends, merges, filters to the watched names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "source.h"
#include "util.h"

bool source_watched(const struct source_config *cfg, const char *name)
{
	if (cfg->n_ifnames == 0)
		return true;
	for (size_t i = 0; i < cfg->n_ifnames; i++)
		if (strcmp(cfg->ifnames[i], name) == 0)
			return true;
	return false;
}

int source_budget_ms(const struct source_config *cfg)
{
	return cfg->timeout_ms > 0 ? cfg->timeout_ms : SOURCE_DEFAULT_BUDGET_MS;
}

int64_t source_deadline(const struct source_config *cfg)
{
	return cfg->deadline_ms ? cfg->deadline_ms : mono_ms() + source_budget_ms(cfg);
}

/* One check for every backend: a handshake time no clock can hold is hostile input, and
 * the device that reported it is unreadable this poll. */
static void check_times(struct wg_device *d)
{
	for (size_t i = 0; i < d->npeers; i++) {
		const struct wg_peer *p = &d->peers[i];
		if (p->last_handshake_sec >= 0 && p->last_handshake_sec <= WG_MAX_HANDSHAKE_SEC &&
		    p->last_handshake_nsec >= 0 && p->last_handshake_nsec < 1000000000)
			continue;
		wg_device_clear(d);
		d->error = -EPROTO;
		snprintf(d->errmsg, sizeof(d->errmsg), "%s reported a handshake time out of range",
		         d->name);
		return;
	}
}

int source_poll(const struct source_config *config, struct wg_snapshot *snap,
                struct source_result *res)
{
	struct source_config budgeted = *config, *cfg = &budgeted;
	budgeted.deadline_ms = mono_ms() + source_budget_ms(config);
	/* UAPI first: like wg(8), a live socket wins over a kernel interface of that name. */
	const struct source_backend *list[2];
	size_t n = 0;
	switch (cfg->backend) {
	case BACKEND_AUTO: list[n++] = &source_uapi; list[n++] = &source_netlink; break;
	case BACKEND_NETLINK: list[n++] = &source_netlink; break;
	case BACKEND_UAPI: list[n++] = &source_uapi; break;
	case BACKEND_WG: list[n++] = &source_wgcli; break;
	}
	wg_snapshot_clear(snap);
	res->err = res->note = 0;
	res->msg[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct source_result r = { 0 };
		int err = list[i]->collect(cfg, snap, &r);
		/* No kernel module means no kernel interfaces: a true (empty) listing. It is worth
		 * saying only when nothing else was found either. */
		if (err == -EPROTONOSUPPORT) {
			if (snap->ndevs == 0 && res->err == 0) {
				res->note = err;
				if (cfg->backend == BACKEND_AUTO)
					snprintf(r.msg, sizeof(r.msg), "no WireGuard found: kernel module not "
					         "loaded and no userspace interface sockets");
				memcpy(res->msg, r.msg, sizeof(res->msg));
			}
			continue;
		}
		if (err < 0 && res->err == 0)
			*res = r;
	}
	if (res->err < 0)
		res->note = 0;
	snap->incomplete = res->err < 0;
	for (size_t i = snap->ndevs; i-- > 0;) {
		if (!source_watched(cfg, snap->devs[i].name))
			wg_snapshot_remove(snap, i);
		else
			check_times(&snap->devs[i]);
	}
	return res->err;
}
