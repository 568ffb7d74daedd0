/* SPDX-License-Identifier: MIT */
/* Private to peers*.c: the table and the parts of the state machine that the update
 * (peers.c), the restore (peers_restore.c) and the view (peers_view.c) share. */
#ifndef PEERS_IMPL_H
#define PEERS_IMPL_H

#include "liveness.h"
#include "peer_record.h"
#include "peers.h"
#include "peertab.h"

#define MS 1000
/* handshake_failing: initiations must arrive on at least this many polls. */
#define FAILING_POLLS 3

struct iface {
	char name[WG_IFNAME_SIZE];
	uint32_t seen_gen;
	bool read;          /* its peers were read at least once */
	bool had_peers;     /* ... and at least one reading listed a peer */
};

struct peer_table {
	struct peers_config cfg;
	struct peertab tab;
	struct iface *ifs;
	size_t nifs, ifcap;
	uint32_t gen;
	bool initialized;
	uint64_t changes;     /* see peers_changes */
	size_t nrestored;     /* restored peers not yet seen in a poll */
	int64_t restore_wait_mono_ms; /* restored peers not seen by then are forgotten */
	bool restore_rejudge;         /* the rule changed since the save: re-judge quietly */
	uint64_t transitions;
	peers_name_fn namer;          /* NULL: no names */
	void *namer_ctx;
};

struct emitter {
	event_fn fn;
	void *ctx;
	const struct clocks *now;
	const struct peer_table *t;
};

/* The view of p as of now. */
void peers_view_of(const struct peer_table *t, const struct peer *p, const struct clocks *now,
                   struct peer_view *v);
/* peer_initial for p, with state_for where known; session_ended: p's session ended at this
 * verdict (a restart's re-judgement), so the log line carries it. */
void peers_emit_initial(const struct emitter *em, const struct peer *p, bool session_ended);
/* A restored peer's first verdict is its saved state: an online one without a saved
 * session (a version 1 file) begins one now, as a first verdict does. */
void peers_resume_session(struct peer *p, int64_t now);
/* A poll's reading of p: its handshake, then all of it (initial: its first reading). */
void peers_apply_handshake(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                           const struct emitter *em);
void peers_update_peer(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                       const struct emitter *em, bool initial);
/* Whether the reading says p was removed and added again (handshake time back to 0). */
bool peers_recreated(const struct peer *p, const struct wg_peer *w);
/* Forgets p's history: only its identity (interface, key) stays. */
void peers_clear_history(struct peer *p);
struct iface *peers_find_iface(struct peer_table *t, const char *name);
/* Announces recs[i] leaving the table (peer_removed with why), then removes it. */
void peers_remove(struct peer_table *t, size_t i, enum removal why, const struct emitter *em);
/* The first poll of a restored peer (peers_restore.c). */
void peers_resume(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                  const struct emitter *em);
/* Forgets restored peers that will not be seen (peers_restore.c). */
void peers_forget_restored(struct peer_table *t, const struct emitter *em);

#endif
