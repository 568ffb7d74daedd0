/* SPDX-License-Identifier: MIT */
/* The state-file sink (SPEC §12): restores the table at start, then writes the file after
 * a poll that changed something (no sooner than a gap after the last save), every
 * STATE_REFRESH_MS otherwise, and at stop. Its own facts (state_restored, state_ignored,
 * state_write_*) go out as events. */
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

/* After a save (good or failed) the next one not forced by the stop waits this long per
 * peer in the table, at most STATE_REFRESH_MS, so a hub whose peers change at every poll
 * does not rewrite and fsync its whole file at every poll. A save costs about 1 µs of CPU
 * and 125 bytes of file a peer, and a few µs of wall with its fsyncs (bench/NOTES.md
 * "State file saves"): 1 ms a peer keeps saves near 0.1 % of a core and the disk under
 * about 125 KB/s at any size; with fewer peers than ms between polls it delays no save.
 * The price: after a crash (never a stop, which always saves) up to this much more of
 * the table's history is missing from the file, so a restart may log again a transition
 * of that span (README "State file"). */
#define STATE_SAVE_GAP_PER_PEER_MS 1

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
	int64_t next_ms;                 /* steady clock: no unforced save before */
	size_t npeers;                   /* peers at the last poll, for the gap */
	bool failing;                    /* state_write_failed said; retried, gap apart */
};

void sink_state_init(struct sink_state *ss, struct statefile *file,
                     const struct peer_table *peers, const struct saved_rule *rule,
                     const char *path, event_fn fn, void *ctx);
/* Takes up where the saved table left off; a bad file is reported and ignored. */
void sink_state_restore(struct sink_state *ss, struct peer_table *peers);
/* An event_fn (ctx = struct sink_state): saves after a poll (EV_POLL, at its clocks) when
 * worth it and the gap has passed, and always with the last stats at stop, so that a
 * failure is said before monitor_stop. */
void sink_state_event(void *ctx, const struct event *ev);

#endif
