// SPDX-License-Identifier: MIT
/* Taking up where a saved table left off (SPEC §12): restored records, their first poll,
 * and forgetting those that will not be seen again. */
#include <errno.h>
#include <string.h>

#include "endpoint.h"
#include "peers_impl.h"

/* How long restored peers of an interface that is not there are kept. */
#define RESTORE_WAIT_MS   (300 * MS)

/* The steady-clock (mono_ms) instant of a saved one: age_ms before a save elapsed_ms ago. 0 (for
 * unknown) when age_ms is negative. */
static int64_t restored_mono(const struct clocks *now, int64_t elapsed_ms, int64_t age_ms)
{
	if (age_ms < 0)
		return 0;
	int64_t m = now->mono_ms - age_ms - elapsed_ms;
	return m ? m : -1; /* 0 means unknown */
}

/* A session runs while the peer is online; any other state keeps the one that ended. */
static void restore_session(struct peer *p, const struct peer_view *r, int64_t elapsed_ms,
                            const struct clocks *now)
{
	if (r->session_age_ms < 0 || r->session_ms < 0)
		return; /* none, or a file of version 1 */
	p->session = true;
	p->session_ended = r->state != PEER_ONLINE;
	p->session_start_mono_ms = restored_mono(now, elapsed_ms, r->session_age_ms);
	p->session_end_mono_ms = p->session_start_mono_ms + r->session_ms;
	p->session_rx_bytes = r->session_rx_bytes;
	p->session_tx_bytes = r->session_tx_bytes;
}

static void restore_peer(struct peer *p, const struct peer_view *r, int64_t elapsed_ms,
                         const struct clocks *now)
{
	if (r->endpoint[0]) /* the state file keeps only numeric endpoints */
		endpoint_parse(&p->endpoint, r->endpoint, strnlen(r->endpoint, sizeof(r->endpoint)));
	p->state = r->state;
	p->since_mono_ms = restored_mono(now, elapsed_ms, r->since_age_ms);
	p->hs_real_ms = r->handshake_ms;
	p->hs_mono_ms = restored_mono(now, elapsed_ms, r->handshake_age_ms);
	p->heard_mono_ms = restored_mono(now, elapsed_ms, r->heard_age_ms);
	p->heard_real_ms = p->heard_mono_ms ? now->real_ms - (now->mono_ms - p->heard_mono_ms) : 0;
	if (r->heard_age_ms >= 0 && p->heard_real_ms <= 0)
		p->heard_real_ms = 1; /* heard, before 1970 by this clock: still "heard" */
	p->rx_bytes = r->rx_bytes;
	p->tx_bytes = r->tx_bytes;
	/* As at the save: rx that rose since then is credited if a session was possible. */
	p->session_possible = r->handshake_age_ms >= 0 &&
	                      r->handshake_age_ms < WG_REJECT_AFTER_TIME * MS;
	/* What happened between the save and now is unknown: no threshold_hint from it. */
	p->heard_between_handshakes = true;
	if (r->failing_age_ms >= 0) {
		p->failing = p->failing_reported = true;
		p->failing_polls = FAILING_POLLS;
		p->failing_start_mono_ms = restored_mono(now, elapsed_ms, r->failing_age_ms);
		p->failing_last_mono_ms = now->mono_ms;
	}
	restore_session(p, r, elapsed_ms, now);
	p->restored = true;
}

int peers_restore(struct peer_table *t, const struct peer_view *saved, size_t n,
                  int64_t elapsed_ms, bool same_rule, const struct clocks *now)
{
	int count = 0;
	t->restore_rejudge |= !same_rule; /* one file of several under another rule: all */
	for (size_t i = 0; i < n; i++) {
		const struct peer_view *r = &saved[i];
		if (peertab_find(&t->tab, r->ifname, r->key))
			continue;
		struct peer *p = peertab_insert(&t->tab, r->ifname, r->key);
		if (!p)
			return -ENOMEM;
		restore_peer(p, r, elapsed_ms, now);
		t->nrestored++;
		count++;
	}
	t->restore_wait_mono_ms = now->mono_ms + RESTORE_WAIT_MS;
	return count;
}

/* The first poll of a restored peer: its saved state first, then what changed meanwhile
 * (or, under a changed rule, a quiet re-judgement and then its state). */
void peers_resume(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                  const struct emitter *em)
{
	p->restored = false;
	t->nrestored--;
	p->seen_gen = t->gen;
	/* Its counters went back: the interface was re-created meanwhile. A source that
	 * omits handshake times (boringtun without a session) shows it no other way. */
	bool reset = w->hs_kind == WG_HS_UNKNOWN && w->rx_bytes < p->rx_bytes;
	if (peers_recreated(p, w) || reset) {
		/* Its interface was re-created meanwhile (a reboot, say). History starts
		 * afresh, but an offline peer stays offline since it went, so that its
		 * offline_for spans the reboot; any other is never (not a transition). */
		const struct peer old = *p;
		peers_clear_history(p);
		p->endpoint = old.endpoint;
		if (old.state == PEER_OFFLINE) {
			p->state = PEER_OFFLINE;
			p->since_mono_ms = old.since_mono_ms;
		}
		p->rx_bytes = w->rx_bytes;
		p->tx_bytes = w->tx_bytes;
		p->seen_gen = t->gen;
		t->changes++;
	}
	if (p->endpoint.family == WG_EP_NONE) /* unknown at the save: learning it is no roaming */
		p->endpoint = w->endpoint;
	p->keepalive = w->persistent_keepalive; /* the renewal grace depends on it */
	if (t->restore_rejudge) {
		const enum peer_state was = p->state;
		const int64_t since = p->since_mono_ms;
		const bool ran = p->session && !p->session_ended;
		peers_update_peer(t, p, w, em, true);
		if (was == PEER_OFFLINE && p->state == PEER_NEVER) {
			/* no handshake since a reboot: still offline since it went */
			p->state = PEER_OFFLINE;
			p->since_mono_ms = since;
		}
		/* A session running at the save that the new rule ends is logged with it: no
		 * peer_offline will. */
		peers_emit_initial(em, p, ran && p->session_ended);
		t->changes++;
		return;
	}
	if (p->state == PEER_OFFLINE) {
		/* A handshake while wg-monitor was away, and offline again since: it has been
		 * offline only since that one. (No event can come from a restored peer's
		 * handshake: it gives no threshold_hint.) */
		struct peer peek = *p;
		peers_apply_handshake(t, &peek, w, em);
		int64_t since = liveness_offline_since(&t->cfg, &peek);
		if (liveness_decide(&t->cfg, &peek, em->now->mono_ms) == PEER_OFFLINE &&
		    since > p->since_mono_ms) {
			p->since_mono_ms = since;
			t->changes++;
		}
	}
	peers_resume_session(p, em->now->mono_ms);
	peers_emit_initial(em, p, false);
	peers_update_peer(t, p, w, em, false);
}

/* Restored peers whose interface was read without them were removed while wg-monitor
 * was not running: forgotten (their removal was never observed). Those of an interface
 * not there, not readable or still without peers (yet: at boot wg-quick creates the
 * interface, then configures its peers) are kept for RESTORE_WAIT_MS, then forgotten
 * too. */
void peers_forget_restored(struct peer_table *t, const struct emitter *em)
{
	for (size_t i = t->tab.n; i-- > 0 && t->nrestored;) {
		struct peer *p = &t->tab.recs[i];
		if (!p->restored)
			continue;
		const struct iface *f = peers_find_iface(t, p->ifname);
		if (!(f && f->read && f->had_peers) && em->now->mono_ms < t->restore_wait_mono_ms)
			continue;
		peers_remove(t, i, RM_FORGOTTEN, em);
	}
}
