// SPDX-License-Identifier: MIT
/* The peer table: (interface, public key) -> record, and the state machine that turns
 * each snapshot into events. Pure: clocks come in as arguments, events go out to a callback. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "peers_impl.h"
#include "util.h"

/* A boringtun handshake time is derived from an age, so it jitters between polls. */
#define APPROX_SLACK_MS 2000
/* handshake_failing: initiations must arrive on at least FAILING_POLLS polls over this long. */
#define FAILING_MIN_MS    (15 * MS)
/* A candidate episode with no initiation seen for this long is forgotten. */
#define FAILING_FORGET_MS (WG_REJECT_AFTER_TIME * MS)
/* Healthy renewal gaps end by 180 s + the keepalive interval; a longer gap is an outage
 * or an idle peer, which a threshold change would not fix. */
#define HINT_MAX_GAP_MS   (240 * MS)

struct peer_table *peers_new(const struct peers_config *cfg)
{
	struct peer_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	return t;
}

void peers_free(struct peer_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->tab.n; i++) {
		allowed_ips_free(&t->tab.recs[i].ips);
		free(t->tab.recs[i].name);
	}
	peertab_fini(&t->tab);
	free(t->ifs);
	free(t);
}

/* ---- events ----------------------------------------------------------------------- */

/* An event about p as it is now, every optional field "does not apply". */
static struct event peer_event(const struct emitter *em, enum event_type type,
                               const struct peer *p)
{
	struct event ev = event_new(type, em->now->real_ms, p->ifname);
	peers_view_of(em->t, p, em->now, &ev.peer.v);
	return ev;
}

static void emit(const struct emitter *em, const struct event *ev)
{
	em->fn(em->ctx, ev);
}

static void emit_simple(const struct emitter *em, enum event_type type, const struct peer *p)
{
	struct event ev = peer_event(em, type, p);
	emit(em, &ev);
}

static void emit_removed(const struct emitter *em, const struct peer *p, enum removal why)
{
	struct event ev = peer_event(em, EV_PEER_REMOVED, p);
	ev.peer.removal = why;
	emit(em, &ev);
}

void peers_emit_initial(const struct emitter *em, const struct peer *p, bool session_ended)
{
	struct event ev = peer_event(em, EV_PEER_INITIAL, p);
	ev.peer.session_ended = session_ended;
	if (ev.peer.v.since_age_ms >= 0 && p->state != PEER_NEVER)
		ev.peer.state_for = ev.peer.v.since_age_ms / MS;
	emit(em, &ev);
}

/* ---- per-peer update ------------------------------------------------------------ */

/* The steady-clock (mono_ms) instant of a handshake first seen now with wall-clock time `real`. */
static int64_t anchor_of(const struct clocks *now, int64_t real)
{
	int64_t age = now->real_ms - real;
	return now->mono_ms - (age > 0 ? age : 0);
}

static bool handshake_changed(const struct peer *p, const struct wg_peer *w, int64_t real,
                              const struct clocks *now)
{
	if (w->hs_kind == WG_HS_UNKNOWN)
		return false;
	if (real == p->hs_real_ms)
		return false;
	/* An age-derived time jitters, and moves with every wall-clock step: compare where it
	 * lands on the steady clock instead. */
	if (w->hs_approx && p->hs_real_ms && real &&
	    llabs(anchor_of(now, real) - p->hs_mono_ms) <= APPROX_SLACK_MS)
		return false;
	return true;
}

static void maybe_hint(const struct peer_table *t, struct peer *p, int64_t new_anchor,
                       const struct emitter *em)
{
	int64_t gap = new_anchor - p->hs_mono_ms; /* steady clock: a wall-clock step is no gap */
	if (p->hinted || p->hs_real_ms == 0 || p->heard_between_handshakes || p->failing ||
	    t->cfg.liveness != LIVENESS_ACTIVITY || gap >= HINT_MAX_GAP_MS)
		return;
	int64_t limit = t->cfg.threshold_ms, grace = liveness_grace_ms(&t->cfg, p);
	if (gap <= (grace > limit ? grace : limit))
		return;
	int64_t suggest = (gap + t->cfg.interval_ms) / MS;
	suggest = (suggest + 9) / 10 * 10;
	if (suggest < WG_REJECT_AFTER_TIME)
		suggest = WG_REJECT_AFTER_TIME;
	p->hinted = true;
	struct event ev = peer_event(em, EV_THRESHOLD_HINT, p);
	ev.peer.gap = gap / MS;
	ev.peer.suggested_threshold = suggest;
	emit(em, &ev);
}

void peers_apply_handshake(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                           const struct emitter *em)
{
	int64_t real = w->last_handshake_sec * MS + w->last_handshake_nsec / 1000000;
	if (w->last_handshake_sec == 0 && w->last_handshake_nsec == 0)
		real = 0;
	if (!handshake_changed(p, w, real, em->now))
		return;
	int64_t anchor = anchor_of(em->now, real);
	maybe_hint(t, p, anchor, em);
	p->hs_real_ms = real;
	p->hs_mono_ms = anchor;
	if (p->heard_real_ms == 0 || p->hs_mono_ms >= p->heard_mono_ms) {
		p->heard_mono_ms = p->hs_mono_ms;
		p->heard_real_ms = real;
	}
	p->heard_between_handshakes = false;
	if (p->failing_reported)
		t->changes++;
	p->failing = p->failing_reported = false;
	p->failing_polls = 0;
}

static void track_failing(struct peer_table *t, struct peer *p, const struct emitter *em)
{
	int64_t now = em->now->mono_ms;
	if (p->failing && now - p->failing_last_mono_ms > FAILING_FORGET_MS && !p->failing_reported)
		p->failing = false;
	if (!p->failing) {
		p->failing = true;
		p->failing_polls = 0;
		p->failing_start_mono_ms = now;
	}
	p->failing_polls++;
	p->failing_last_mono_ms = now;
	if (p->failing_reported || p->failing_polls < FAILING_POLLS ||
	    now - p->failing_start_mono_ms < FAILING_MIN_MS)
		return;
	p->failing_reported = true;
	t->changes++;
	struct event ev = peer_event(em, EV_HANDSHAKE_FAILING, p);
	ev.peer.failing_for = (now - p->failing_start_mono_ms) / MS;
	emit(em, &ev);
}

/* rx that rose while a session could carry data is an authenticated packet from the peer;
 * rx that rose with no possible session is handshake initiations only. */
static void apply_counters(struct peer_table *t, struct peer *p,
                           const struct wg_peer *w, bool hs_new, const struct emitter *em)
{
	bool rose = w->rx_bytes > p->rx_bytes;
	if (rose && p->session_possible) {
		/* Data can arrive only while the keys live: credit no later than their expiry,
		 * even when the previous poll was long ago (an unreadable interface, say). */
		int64_t expiry = p->hs_mono_ms + WG_REJECT_AFTER_TIME * MS;
		int64_t at = em->now->mono_ms < expiry ? em->now->mono_ms : expiry;
		if (at > p->heard_mono_ms) {
			p->heard_real_ms = em->now->real_ms - (em->now->mono_ms - at);
			p->heard_mono_ms = at;
		}
		if (!hs_new)
			p->heard_between_handshakes = true;
	} else if (rose && !hs_new) {
		track_failing(t, p, em);
	}
	p->rx_bytes = w->rx_bytes; /* a decrease is a reset, never a negative delta */
	p->tx_bytes = w->tx_bytes;
}

/* ---- sessions (SPEC §12) ---------------------------------------------------------- */

/* Traffic since the previous reading. */
struct traffic {
	uint64_t rx, tx;
};

/* A counter's rise; one that went back (its peer or interface re-created, wireguard-go
 * restarted) counts again from zero, never as negative traffic. */
static uint64_t rise(uint64_t before, uint64_t now)
{
	return now >= before ? now - before : now;
}

static bool session_running(const struct peer *p)
{
	return p->session && !p->session_ended;
}

/* A new session at `at`, already carrying `d` (what came with the poll that began it). */
static void session_begin(struct peer *p, int64_t at, struct traffic d)
{
	p->session = true;
	p->session_ended = false;
	p->session_start_mono_ms = at;
	p->session_end_mono_ms = 0;
	p->session_rx_bytes = d.rx;
	p->session_tx_bytes = d.tx;
}

/* The running session (if any) ends at `at`, never before it began. */
static void session_end(struct peer *p, int64_t at)
{
	if (!session_running(p))
		return;
	p->session_ended = true;
	p->session_end_mono_ms = at > p->session_start_mono_ms ? at : p->session_start_mono_ms;
}

/* A first verdict: an online peer's session begins now unless one runs (restored); any
 * other ends the one that ran. d: the traffic that came with it (a deferred verdict's). */
static void session_initial(struct peer *p, int64_t now, struct traffic d)
{
	if (p->state == PEER_ONLINE && !session_running(p))
		session_begin(p, now, d);
	else if (p->state != PEER_ONLINE)
		session_end(p, p->state == PEER_OFFLINE && p->since_mono_ms ? p->since_mono_ms : now);
}

void peers_resume_session(struct peer *p, int64_t now)
{
	static const struct traffic none;
	session_initial(p, now, none);
}

/* d: the traffic since the previous reading, the session's while one runs. */
static void apply_state(struct peer_table *t, struct peer *p, const struct emitter *em,
                        bool initial, struct traffic d)
{
	enum peer_state old = p->state, s = liveness_decide(&t->cfg, p, em->now->mono_ms);
	p->session_possible =
	    p->hs_real_ms && em->now->mono_ms - p->hs_mono_ms < WG_REJECT_AFTER_TIME * MS;
	if (session_running(p)) {
		/* saturating: a hostile source's counters must not wrap a total to a small one */
		p->session_rx_bytes = add_sat_u64(p->session_rx_bytes, d.rx);
		p->session_tx_bytes = add_sat_u64(p->session_tx_bytes, d.tx);
	}
	if (initial) {
		/* How long it has been online is unknown; offline, since it crossed over. */
		p->state = s;
		p->since_mono_ms = s == PEER_OFFLINE ? liveness_offline_since(&t->cfg, p) : 0;
		/* A deferred verdict (activity) was made by the rx since the first poll: the
		 * session's, as for an ordinary offline->online. A first one has none. */
		static const struct traffic none;
		session_initial(p, em->now->mono_ms, p->pending_initial ? d : none);
		return;
	}
	if (s == old || s == PEER_NEVER)
		return;
	p->state = s;
	t->transitions++;
	t->changes++;
	if (s == PEER_OFFLINE) {
		p->since_mono_ms = liveness_offline_since(&t->cfg, p);
		session_end(p, p->since_mono_ms); /* when it went offline, not when seen */
		emit_simple(em, EV_PEER_OFFLINE, p);
		return;
	}
	int64_t offline_for = -1;
	if (old == PEER_OFFLINE && p->since_mono_ms)
		offline_for = (em->now->mono_ms - p->since_mono_ms) / MS;
	p->since_mono_ms = em->now->mono_ms;
	/* The traffic that brought it back happened since the previous poll: the session's. */
	session_begin(p, em->now->mono_ms, d);
	struct event ev = peer_event(em, EV_PEER_ONLINE, p);
	ev.peer.offline_for = offline_for;
	emit(em, &ev);
}

void peers_update_peer(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                       const struct emitter *em, bool initial)
{
	int64_t before = p->hs_real_ms;
	/* An endpoint that became unknown is no change: the last known one stays. */
	bool moved = w->endpoint.family != WG_EP_NONE && !endpoint_same(&w->endpoint, &p->endpoint);
	if (moved && !initial) {
		const struct wg_endpoint old = p->endpoint;
		p->endpoint = w->endpoint;
		struct event ev = peer_event(em, EV_ENDPOINT_CHANGED, p);
		endpoint_format(ev.peer.old_endpoint, &old);
		emit(em, &ev);
	} else if (moved) {
		p->endpoint = w->endpoint;
	}
	p->keepalive = w->persistent_keepalive;
	const struct traffic d = { rise(p->rx_bytes, w->rx_bytes), rise(p->tx_bytes, w->tx_bytes) };
	peers_apply_handshake(t, p, w, em);
	apply_counters(t, p, w, p->hs_real_ms != before, em);
	apply_state(t, p, em, initial || p->pending_initial, d);
	if (p->pending_initial) {
		p->pending_initial = false;
		peers_emit_initial(em, p, false);
	}
}

/* ---- interfaces and the whole snapshot ------------------------------------------ */

struct iface *peers_find_iface(struct peer_table *t, const char *name)
{
	for (size_t i = 0; i < t->nifs; i++)
		if (strcmp(t->ifs[i].name, name) == 0)
			return &t->ifs[i];
	return NULL;
}

static struct iface *add_iface(struct peer_table *t, const char *name)
{
	void *arr = t->ifs;
	if (!array_grow(&arr, &t->ifcap, t->nifs, sizeof(*t->ifs), WG_MAX_DEVICES))
		return NULL;
	t->ifs = arr;
	struct iface *f = &t->ifs[t->nifs++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, strnlen(name, WG_IFNAME_SIZE - 1));
	return f;
}

static void init_peer(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                      const struct emitter *em, bool announce)
{
	p->rx_bytes = w->rx_bytes;
	p->tx_bytes = w->tx_bytes;
	p->seen_gen = t->gen;
	t->changes++;
	peers_update_peer(t, p, w, em, true);
	if (announce)
		emit_simple(em, EV_PEER_ADDED, p);
	/* Activity needs two polls to see traffic: a peer whose handshake alone would call it
	 * offline while a session may still carry data gets its verdict at the next poll. */
	if (t->cfg.liveness == LIVENESS_ACTIVITY && p->state == PEER_OFFLINE && p->session_possible)
		p->pending_initial = true;
	else
		peers_emit_initial(em, p, false);
}

/* No handshake on record in this poll's reading of the peer. */
static bool no_handshake(const struct wg_peer *w)
{
	return w->hs_kind == WG_HS_TIME && w->last_handshake_sec == 0 && w->last_handshake_nsec == 0;
}

/* A handshake time back to 0 means the peer was removed and added again between two
 * polls (or its interface restarted): say so, and start its history afresh. */
bool peers_recreated(const struct peer *p, const struct wg_peer *w)
{
	return p->hs_real_ms && no_handshake(w);
}

/* Forgets the record's history: only its identity (interface, key) and name stay. */
void peers_clear_history(struct peer *p)
{
	struct peer fresh;
	memset(&fresh, 0, sizeof(fresh));
	memcpy(fresh.ifname, p->ifname, sizeof(fresh.ifname));
	memcpy(fresh.key, p->key, sizeof(fresh.key));
	fresh.name = p->name;
	fresh.ips = p->ips; /* configuration, not history: replaced by this poll's */
	*p = fresh;
}

static void restart_peer(struct peer_table *t, struct peer *p, const struct wg_peer *w,
                         const struct emitter *em)
{
	emit_removed(em, p, RM_RECREATED);
	peers_clear_history(p);
	init_peer(t, p, w, em, true);
}

/* The namer's name of p into name. */
static void name_peer(const struct peer_table *t, const struct peer *p,
                      char name[PEER_NAME_SIZE])
{
	name[0] = '\0';
	if (t->namer)
		t->namer(t->namer_ctx, p->ifname, p->key, name);
}

/* gcc 12's -fanalyzer loses a pointer stored into a record of the peer table's array
 * and reports the name's copy as leaked (p->name owns it; peers_free frees it). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* Gives p the name ("" = none). 0, or -ENOMEM with p's name unchanged. */
static int set_name(struct peer *p, const char *name)
{
	char *copy = NULL;
	if (strcmp(name, peer_name(p)) == 0)
		return 0;
	if (name[0] && !(copy = strdup(name)))
		return -ENOMEM;
	free(p->name);
	p->name = copy;
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void peers_set_namer(struct peer_table *t, peers_name_fn fn, void *ctx)
{
	t->namer = fn;
	t->namer_ctx = ctx;
}

void peers_rename(struct peer_table *t, const struct clocks *now, event_fn fn, void *ctx)
{
	const struct emitter em = { fn, ctx, now, t };
	for (size_t i = 0; i < t->tab.n; i++) {
		struct peer *p = &t->tab.recs[i];
		char name[PEER_NAME_SIZE], old[PEER_NAME_SIZE];
		name_peer(t, p, name);
		snprintf(old, sizeof(old), "%s", peer_name(p));
		if (strcmp(name, old) == 0 || set_name(p, name) < 0)
			continue; /* out of memory: the old name stays until the next reload */
		if (p->restored)
			continue; /* not announced yet: its first event carries the name */
		struct event ev = peer_event(&em, EV_PEER_RENAMED, p);
		memcpy(ev.peer.old_name, old, sizeof(old));
		emit(&em, &ev);
	}
}

/* announce: peers new to this interface are peer_added (not at start-up, not on an
 * interface that just appeared or was never readable before). */
static int update_device(struct peer_table *t, const struct wg_device *d,
                         const struct emitter *em, bool announce)
{
	for (size_t i = 0; i < d->npeers; i++) {
		const struct wg_peer *w = &d->peers[i];
		struct peer *p = peertab_find(&t->tab, d->name, w->public_key);
		if (p && p->seen_gen == t->gen)
			continue; /* a duplicate within one snapshot: the first one counts */
		bool fresh = !p;
		if (fresh && !(p = peertab_insert(&t->tab, d->name, w->public_key)))
			return -ENOMEM;
		if (fresh || p->restored) {
			char name[PEER_NAME_SIZE];
			name_peer(t, p, name);
			(void)set_name(p, name); /* out of memory: unnamed until a reload */
		}
		if (p->restored) {
			peers_resume(t, p, w, em);
		} else if (fresh) {
			init_peer(t, p, w, em, announce);
		} else if (peers_recreated(p, w)) {
			restart_peer(t, p, w, em);
		} else {
			p->seen_gen = t->gen;
			peers_update_peer(t, p, w, em, false);
		}
		/* On ENOMEM the old list (and its count) stays until a poll has the memory:
		 * stale for a while rather than "(none)" for a peer that has some. */
		(void)allowed_ips_copy(&p->ips, d, w);
	}
	return 0;
}

/* Announces recs[i] leaving the table, then removes it. */
void peers_remove(struct peer_table *t, size_t i, enum removal why, const struct emitter *em)
{
	emit_removed(em, &t->tab.recs[i], why);
	if (t->tab.recs[i].restored)
		t->nrestored--;
	allowed_ips_free(&t->tab.recs[i].ips);
	free(t->tab.recs[i].name);
	peertab_remove(&t->tab, i);
	t->changes++;
}

/* Removes peers of ifname (only those not in this poll's reading, or all of them when
 * the interface vanished), announcing each. Returns how many. */
static size_t drop_peers(struct peer_table *t, const char *ifname, bool only_unseen,
                         const struct emitter *em)
{
	size_t n = 0;
	for (size_t i = t->tab.n; i-- > 0;) {
		struct peer *p = &t->tab.recs[i];
		if (strcmp(p->ifname, ifname) != 0 || (only_unseen && p->seen_gen == t->gen))
			continue;
		enum removal why = !only_unseen ? RM_INTERFACE_REMOVED
		                   : p->restored ? RM_FORGOTTEN : RM_REMOVED;
		peers_remove(t, i, why, em);
		n++;
	}
	return n;
}

static void emit_iface(const struct emitter *em, enum event_type type, const char *name,
                       size_t npeers)
{
	struct event ev = event_new(type, em->now->real_ms, name);
	ev.iface.npeers = npeers;
	emit(em, &ev);
}

static void sweep_interfaces(struct peer_table *t, const struct emitter *em)
{
	for (size_t i = t->nifs; i-- > 0;) {
		if (t->ifs[i].seen_gen == t->gen)
			continue;
		char name[WG_IFNAME_SIZE];
		memcpy(name, t->ifs[i].name, sizeof(name));
		memmove(&t->ifs[i], &t->ifs[i + 1], (t->nifs - i - 1) * sizeof(*t->ifs));
		t->nifs--;
		emit_iface(em, EV_INTERFACE_REMOVED, name, drop_peers(t, name, false, em));
	}
}

int peers_update(struct peer_table *t, const struct wg_snapshot *snap,
                 const struct clocks *now, event_fn fn, void *ctx)
{
	const struct emitter em = { fn, ctx, now, t };
	t->gen++;
	for (size_t i = 0; i < snap->ndevs; i++) {
		const struct wg_device *d = &snap->devs[i];
		struct iface *f = peers_find_iface(t, d->name);
		bool fresh = !f;
		if (fresh && !(f = add_iface(t, d->name)))
			return -ENOMEM;
		f->seen_gen = t->gen;
		if (fresh && t->initialized)
			emit_iface(&em, EV_INTERFACE_ADDED, d->name, d->npeers);
		if (d->error)
			continue; /* unreadable this poll: its peers are unknown, not gone */
		if (update_device(t, d, &em, t->initialized && !fresh && f->read) < 0)
			return -ENOMEM;
		if (f->read)
			drop_peers(t, d->name, true, &em);
		f->read = true;
		f->had_peers |= d->npeers > 0;
	}
	if (!snap->incomplete)
		sweep_interfaces(t, &em);
	if (t->nrestored)
		peers_forget_restored(t, &em);
	t->initialized = true;
	return 0;
}

