/* SPDX-License-Identifier: MIT */
/* The state-file sink (SPEC §12): restores the table at start, then writes the file after
 * every poll that changed something, every STATE_REFRESH_MS otherwise, and at stop. Its
 * own facts (state_restored, state_ignored, state_write_*) go out as events. */
#ifndef SINK_STATE_H
#define SINK_STATE_H

#include "events.h"
#include "peers.h"
#include "statefile.h"

/* Without a change of state the state file is refreshed (counters, last heard,
 * endpoints) this often. After a crash the restore starts from up to this old a view:
 * rx that rose since then is credited no later than the saved session's expiry, so a
 * peer's last heard can be off by at most one session (180 s), never invented. */
#define STATE_REFRESH_MS (300 * 1000)

struct sink_state {
	struct statefile *file;          /* walked again when its directory is removed */
	const struct peer_table *peers;  /* read through peers_view() only */
	struct saved_rule rule;
	const char *path;                /* as configured, for messages */
	char boot_id[BOOT_ID_SIZE];
	event_fn fn;                     /* where its own events go */
	void *ctx;
	uint64_t saved_changes;          /* peers_changes() at the last good save */
	int64_t saved_ms;                /* steady clock of the last good save */
	bool failing;                    /* state_write_failed said; retry every poll */
};

void sink_state_init(struct sink_state *ss, struct statefile *file,
                     const struct peer_table *peers, const struct saved_rule *rule,
                     const char *path, event_fn fn, void *ctx);
/* Takes up where the saved table left off; a bad file is reported and ignored. */
void sink_state_restore(struct sink_state *ss, struct peer_table *peers);
/* An event_fn (ctx = struct sink_state): saves after a poll (EV_POLL) when worth it, and
 * always with the last stats at stop, so that a failure is said before monitor_stop. */
void sink_state_event(void *ctx, const struct event *ev);

#endif
