/* SPDX-License-Identifier: MIT */
/* State-source facade: one call reads every watched WireGuard interface into a snapshot.
 * Callers never see netlink attributes, UAPI lines or subprocess output. */
#ifndef SOURCE_H
#define SOURCE_H

#include <signal.h>

#include "kinds.h"
#include "wg.h"

/* A poll's budget when timeout_ms is 0: every backend and request shares it. */
#define SOURCE_DEFAULT_BUDGET_MS 10000

struct source_config {
	enum backend backend;
	const char (*ifnames)[WG_IFNAME_SIZE]; /* watched interfaces; n_ifnames 0 = all */
	size_t n_ifnames;
	const char *uapi_dir;                  /* default "/var/run/wireguard" */
	int timeout_ms;                        /* budget of a whole poll; 0 = the default */
	int64_t deadline_ms;                   /* set by source_poll (mono_ms clock); 0 when a
	                                        * backend runs alone: it starts the budget */
	const volatile sig_atomic_t *stop;     /* set by a signal: abandon the poll (-EINTR) */
};

/* Result of a whole poll. err 0: the snapshot lists every interface that exists (those
 * that could not be read carry wg_device.error). err < 0: some backend could not list its
 * interfaces; the snapshot holds what the others read and is marked incomplete, so
 * nothing may be decided to have vanished. msg names what failed. */
struct source_result {
	int err;
	/* err 0 but worth a poll_error: no WireGuard found at all (-EPROTONOSUPPORT). The
	 * snapshot is still a true listing of zero interfaces. */
	int note;
	char msg[WG_ERRMSG_SIZE];
};

/* One backend: appends the devices it can see (filtered by the caller afterwards) by
 * source_deadline(cfg), and returns -EINTR at once when *cfg->stop is set. A device
 * already in the snapshot (same name) must be skipped: earlier backends win. */
struct source_backend {
	const char *name;
	int (*collect)(const struct source_config *cfg, struct wg_snapshot *snap,
	               struct source_result *res);
};

extern const struct source_backend source_uapi;   /* source_uapi.c */
extern const struct source_backend source_wgcli;  /* source_wgcli.c */
extern const struct source_backend source_netlink;/* source_netlink.c */

/* Whether cfg watches interface `name` (every name when cfg lists none). */
bool source_watched(const struct source_config *cfg, const char *name);

/* The poll's budget in ms (timeout_ms, or the default). */
int source_budget_ms(const struct source_config *cfg);
/* When the poll must end (mono_ms clock): cfg->deadline_ms, else now + the budget. */
int64_t source_deadline(const struct source_config *cfg);

/* Reads all watched interfaces within one budget (cfg->timeout_ms) shared by every
 * backend and request: what has not answered by then is that interface's error. Returns
 * res->err (-EINTR when *cfg->stop was set). Resets snap first (wg_snapshot_reset): the
 * caller keeps it from poll to poll so that its arrays are refilled, not reallocated. */
int source_poll(const struct source_config *cfg, struct wg_snapshot *snap,
                struct source_result *res);

#endif
