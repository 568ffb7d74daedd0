/* SPDX-License-Identifier: MIT */
/* The peer table and the pure state machine: (table, snapshot, clocks, config) -> events.
 * No I/O here; sinks (log, status, later metrics and hooks) consume the events. */
#ifndef PEERS_H
#define PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "kinds.h"
#include "wg.h"

enum peer_state { PEER_NEVER = 0, PEER_ONLINE, PEER_OFFLINE };

#define PEER_NAME_SIZE 64

struct peer {
	char ifname[WG_IFNAME_SIZE];
	uint8_t key[WG_KEY_LEN];
	char name[PEER_NAME_SIZE];        /* "" until names exist (SPEC §9) */
	char endpoint[WG_ENDPOINT_SIZE];
	enum peer_state state;
	int64_t hs_real_ms;               /* latest handshake, Unix ms; 0 = never */
	int64_t hs_mono_ms;               /* the same instant on the monotonic clock */
	int64_t heard_mono_ms;            /* last heard (handshake or authenticated rx); 0 = never */
	int64_t heard_real_ms;            /* the same, Unix ms, for display */
	int64_t since_mono_ms;            /* when the current state began; 0 = unknown */
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;
	bool session_possible;            /* at the last poll: handshake younger than 180 s */
	bool heard_between_handshakes;    /* rx-heard since the latest handshake */
	bool hinted;                      /* threshold_hint already logged */
	bool pending_initial;             /* peer_initial deferred to the second poll */
	bool restored;                    /* from the state file, not yet seen in a poll */
	bool failing, failing_reported;   /* handshake_failing episode */
	int failing_polls;
	int64_t failing_start_mono_ms, failing_last_mono_ms;
	uint32_t seen_gen;
};

enum event_type {
	EV_PEER_INITIAL = 0, EV_PEER_ONLINE, EV_PEER_OFFLINE, EV_PEER_ADDED, EV_PEER_REMOVED,
	EV_ENDPOINT_CHANGED, EV_INTERFACE_ADDED, EV_INTERFACE_REMOVED, EV_HANDSHAKE_FAILING,
	EV_THRESHOLD_HINT, EV_PEER_DEBUG,
};

/* Everything a sink may show; fields that do not apply are -1 / NULL. */
struct event {
	enum event_type type;
	const char *ifname;
	const struct peer *peer;      /* NULL for interface events; state after the change */
	const char *old_endpoint;     /* endpoint_changed */
	int64_t now_real_ms;
	int64_t handshake_age;        /* seconds; -1 = never */
	int64_t last_heard;           /* Unix seconds; 0 = never */
	int64_t offline_for;          /* peer_online: seconds, -1 = unknown */
	int64_t failing_for;          /* handshake_failing: seconds */
	int64_t gap;                  /* threshold_hint: observed handshake gap, seconds */
	int64_t suggested_threshold;  /* threshold_hint */
	int64_t state_for;            /* peer_initial: seconds in this state, -1 = unknown */
	size_t npeers;                /* interface events */
};

typedef void (*event_fn)(void *ctx, const struct event *ev);

struct peers_config {
	int64_t threshold_ms;
	int64_t interval_ms;
	enum liveness liveness;
	bool debug;                   /* emit EV_PEER_DEBUG for every peer on every poll */
};

struct clocks {
	int64_t real_ms;  /* CLOCK_REALTIME */
	int64_t mono_ms;  /* CLOCK_MONOTONIC */
};

struct peer_counts {
	size_t peers, online, offline, never;
};

/* One peer as the state file keeps it (SPEC §12). handshake_ms is WireGuard's own stamp
 * (Unix ms, 0 = never), kept to tell a new handshake at restart. The *_age_ms fields are
 * how long before the save the state began, the handshake happened, the peer was last
 * heard and a reported handshake_failing episode began, measured on the daemon's
 * clock-step-proof timeline; -1 = unknown or none. */
struct saved_peer {
	char ifname[WG_IFNAME_SIZE];
	uint8_t key[WG_KEY_LEN];
	char endpoint[WG_ENDPOINT_SIZE];
	enum peer_state state;
	int64_t handshake_ms;
	int64_t since_age_ms, handshake_age_ms, heard_age_ms, failing_age_ms;
	uint64_t rx_bytes, tx_bytes;
};

struct peer_table;

/* NULL with errno on ENOMEM. */
struct peer_table *peers_new(const struct peers_config *cfg);
void peers_free(struct peer_table *t);

/* Applies one successful poll. Emits every event to fn (synchronously; event pointers
 * are valid only during the call). Returns 0 or -ENOMEM (table unchanged for the rest). */
int peers_update(struct peer_table *t, const struct wg_snapshot *snap,
                 const struct clocks *now, event_fn fn, void *ctx);

/* Before the first update: takes up where a saved table left off, saved elapsed_ms ago.
 * At each peer's first poll its peer_initial gives the saved state and how
 * long it has been in it, then a change that happened meanwhile is logged as usual. When
 * the rule changed (same_rule false: another threshold or liveness), the first poll
 * re-judges quietly instead and peer_initial gives the result. Saved peers missing from
 * their interface's first reading, or not seen within 5 minutes, are forgotten without
 * an event. Duplicates are skipped. Returns the number restored, or -ENOMEM. */
int peers_restore(struct peer_table *t, const struct saved_peer *saved, size_t n,
                  int64_t elapsed_ms, bool same_rule, const struct clocks *now);
/* Whether a state, a failing episode or the set of peers changed since the last call
 * (what makes the state file worth writing at once); resets it. */
bool peers_take_changed(struct peer_table *t);
/* Counts over all peers, or one interface (ifname != NULL). */
struct peer_counts peers_count(const struct peer_table *t, const char *ifname);
/* Transitions (online<->offline, never->online) since the last call; resets the count. */
uint64_t peers_take_transitions(struct peer_table *t);
/* Interfaces currently known, in first-seen order; NULL past the end. */
const char *peers_interface(const struct peer_table *t, size_t i);
/* All peers (unordered); NULL past the end. */
const struct peer *peers_at(const struct peer_table *t, size_t i);

const char *peer_state_name(enum peer_state s);

#endif
