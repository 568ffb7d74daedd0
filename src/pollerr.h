/* SPDX-License-Identifier: MIT */
/* poll_error rate limiting (SPEC §5): a repeating error (same interface, same errno) is
 * logged once, then at most every 10 minutes with a repeats= count; poll_recovered when it
 * stops. */
#ifndef POLLERR_H
#define POLLERR_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "wg.h"

#define POLLERR_REPEAT_MS (10 * 60 * 1000)

struct pollerr_entry {
	char ifname[WG_IFNAME_SIZE];   /* "" = the whole poll */
	int err;
	char msg[WG_ERRMSG_SIZE];
	int64_t last_logged_ms;
	uint64_t repeats;              /* occurrences since it was last logged */
	bool seen;
	int quiet;                     /* polls in a row without it, settled */
};

/* An error ends only after this many polls in a row without it: one that comes and goes
 * is one episode, rate-limited, not a poll_error + poll_recovered pair each time. */
#define POLLERR_QUIET_POLLS 3

struct pollerr {
	struct pollerr_entry *e;
	size_t n, cap;
	event_fn fn;                   /* where poll_error / poll_recovered go */
	void *ctx;
};

void pollerr_begin(struct pollerr *pe);
/* Emits poll_error unless the same error was logged less than 10 minutes ago. */
void pollerr_report(struct pollerr *pe, const char *ifname, int err, const char *msg,
                    int64_t now_mono_ms);
/* Ends errors not reported for POLLERR_QUIET_POLLS polls: poll_recovered for the whole
 * poll's, and for an interface's once snap shows it read; an interface gone from a
 * complete snapshot is forgotten silently; one absent from an incomplete snapshot is kept. */
void pollerr_end(struct pollerr *pe, const struct wg_snapshot *snap);
void pollerr_fini(struct pollerr *pe);

#endif
