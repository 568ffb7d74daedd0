/* SPDX-License-Identifier: MIT */
/* The peer table and the pure state machine: (table, snapshot, clocks, config) -> events.
 * No I/O here; sinks (log, state file, status, later metrics and hooks) consume the
 * events, and read the table only through peers_view(). */
#ifndef PEERS_H
#define PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "allowedips.h"
#include "events.h"
#include "kinds.h"
#include "peerview.h"
#include "wg.h"

struct peers_config {
	int64_t threshold_ms;
	int64_t interval_ms;
	enum liveness liveness;
};

struct clocks {
	int64_t real_ms;  /* CLOCK_REALTIME */
	int64_t mono_ms;  /* the daemon's steady clock, mono_ms() (CLOCK_BOOTTIME) */
};

struct peer_table;

/* NULL with errno on ENOMEM. */
struct peer_table *peers_new(const struct peers_config *cfg);
void peers_free(struct peer_table *t);

/* Applies one successful poll. Emits every event to fn, in order; each event is a value
 * that owns its data. Every peer that leaves the table is announced (peer_removed with
 * its reason). Returns 0 or -ENOMEM (table unchanged for the rest). */
int peers_update(struct peer_table *t, const struct wg_snapshot *snap,
                 const struct clocks *now, event_fn fn, void *ctx);

/* Before the first update: takes up where a saved table left off, saved elapsed_ms ago
 * (the views' ages are as at the save). At each peer's first poll its peer_initial gives
 * the saved state and how long it has been in it, then a change that happened meanwhile
 * is logged as usual. When the rule changed (same_rule false: another threshold or
 * liveness), the first poll re-judges quietly instead and peer_initial gives the result.
 * Saved peers missing from their interface's first reading, or not seen within 5
 * minutes, are forgotten (peer_removed reason=forgotten at that update). Duplicates are
 * skipped. Returns the number restored, or -ENOMEM. */
int peers_restore(struct peer_table *t, const struct peer_view *saved, size_t n,
                  int64_t elapsed_ms, bool same_rule, const struct clocks *now);

/* The i-th peer (unordered) as of now; false past the end. */
bool peers_view(const struct peer_table *t, size_t i, const struct clocks *now,
                struct peer_view *v);
/* The i-th peer's allowed IPs, as peers_view's i; NULL past the end. Valid until the next
 * update. Kept apart so that a peer_view, copied into every event, stays small. */
const struct allowed_ips *peers_allowed_ips(const struct peer_table *t, size_t i);
/* Counts over all peers, or one interface (ifname != NULL); restored peers not yet seen
 * are not counted. */
struct peer_counts peers_count(const struct peer_table *t, const char *ifname);
/* Interfaces currently known, in first-seen order; NULL past the end. */
const char *peers_interface(const struct peer_table *t, size_t i);

/* Where names come from (SPEC §9): writes the name of (ifname, key) to name, "" for
 * none. Asked when a peer is first seen (or first seen after a restore) and by
 * peers_rename; it must not call back into the table. */
typedef void (*peers_name_fn)(void *ctx, const char *ifname, const uint8_t key[WG_KEY_LEN],
                              char name[PEER_NAME_SIZE]);
/* Sets the namer (NULL: peers stay unnamed). */
void peers_set_namer(struct peer_table *t, peers_name_fn fn, void *ctx);
/* Asks the namer again for every peer (after a SIGHUP reload): each seen peer whose name
 * changed is peer_renamed, with its old name. */
void peers_rename(struct peer_table *t, const struct clocks *now, event_fn fn, void *ctx);

/* Counters that only go up: a consumer keeps its own last copy. changes counts what makes
 * the state file worth writing at once (a state, a failing episode, the set of peers);
 * transitions counts online<->offline and never->online. */
uint64_t peers_changes(const struct peer_table *t);
uint64_t peers_transitions(const struct peer_table *t);

#endif
