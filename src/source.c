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
		wg_device_empty(d);
		d->error = -EPROTO;
		snprintf(d->errmsg, sizeof(d->errmsg), "%s reported a handshake time out of range",
		         d->name);
		return;
	}
}

/* The backends of b, in the order they run. UAPI first: like wg(8), a live socket wins
 * over a kernel interface of that name. */
static size_t backends_of(enum backend b, const struct source_backend *list[2])
{
	switch (b) {
	case BACKEND_AUTO: list[0] = &source_uapi; list[1] = &source_netlink; return 2;
	case BACKEND_NETLINK: list[0] = &source_netlink; return 1;
	case BACKEND_UAPI: list[0] = &source_uapi; return 1;
	case BACKEND_WG: list[0] = &source_wgcli; return 1;
	}
	return 0;
}

/* Folds one backend's outcome into the poll's. No kernel module means no kernel
 * interfaces: a true (empty) listing, worth saying only when nothing else was found. */
static void merge_result(const struct source_config *cfg, const struct wg_snapshot *snap,
                         int err, struct source_result *r, struct source_result *res)
{
	if (err == -EPROTONOSUPPORT) {
		if (snap->ndevs == 0 && res->err == 0) {
			res->note = err;
			if (cfg->backend == BACKEND_AUTO)
				snprintf(r->msg, sizeof(r->msg), "no WireGuard found: kernel module not "
				         "loaded and no userspace interface sockets");
			memcpy(res->msg, r->msg, sizeof(res->msg));
		}
		return;
	}
	if (err < 0 && res->err == 0)
		*res = *r;
}

int source_poll(const struct source_config *config, struct wg_snapshot *snap,
                struct source_result *res)
{
	int64_t start = mono_ms(), budget = source_budget_ms(config);
	const struct source_backend *list[2];
	size_t n = backends_of(config->backend, list);
	wg_snapshot_reset(snap);
	res->err = res->note = 0;
	res->msg[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct source_config cfg = *config;
		/* With a backend after it, the sockets may take 3/4 of the budget: dead ones
		 * never leave the kernel interfaces without time. */
		cfg.deadline_ms = start + (i + 1 < n ? budget * 3 / 4 : budget);
		struct source_result r = { 0 };
		int err = list[i]->collect(&cfg, snap, &r);
		merge_result(config, snap, err, &r, res);
	}
	if (res->err < 0)
		res->note = 0;
	snap->incomplete = res->err < 0;
	for (size_t i = snap->ndevs; i-- > 0;) {
		if (!source_watched(config, snap->devs[i].name))
			wg_snapshot_remove(snap, i);
		else
			check_times(&snap->devs[i]);
	}
	return res->err;
}
