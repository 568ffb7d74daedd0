// SPDX-License-Identifier: MIT
/* The pure state machine: states, transitions, clock steps, boringtun ages, peers and
 * interfaces that come and go, activity liveness, handshake_failing, threshold_hint. */
#include "epfix.h"
#include "harness.h"
#include "peerfix.h"

#define T0 1795643712000LL /* an arbitrary wall-clock start, ms */

static struct peers_config cfg(int threshold_s, enum liveness l)
{
	struct peers_config c = { .threshold_ms = threshold_s * 1000LL, .interval_ms = 5000,
	                          .liveness = l };
	return c;
}

static struct peer_table *new_table(int threshold_s, enum liveness l)
{
	struct peers_config c = cfg(threshold_s, l);
	return peers_new(&c);
}

static void finish(struct peer_table *t, struct wg_snapshot *s)
{
	wg_snapshot_clear(s);
	peers_free(t);
}

/* One poll: the snapshot is rebuilt by the caller; clocks given in ms. */
static void poll_at(struct peer_table *t, struct wg_snapshot *s, struct rec *r, int64_t real,
                    int64_t mono)
{
	struct clocks now = { real, mono };
	r->mono_now = mono;
	CHECK_INT(peers_update(t, s, &now, rec_event, r), 0);
}

static void set_hs(struct wg_peer *p, int64_t real_ms)
{
	p->last_handshake_sec = real_ms / 1000;
	p->last_handshake_nsec = (real_ms % 1000) * 1000000;
}

static void test_initial_states(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	set_hs(fix_peer(&s, "wg0", 1), T0 - 10000);
	set_hs(fix_peer(&s, "wg0", 2), T0 - 500000);
	fix_peer(&s, "wg0", 3);
	poll_at(t, &s, &r, T0, 1000000);
	CHECK_INT(r.n, 3);
	CHECK_INT(rec_count(&r, EV_PEER_INITIAL), 3);
	for (size_t i = 0; i < r.n; i++)
		CHECK_INT(r.state[i], r.key0[i] == 1 ? PEER_ONLINE :
		                      r.key0[i] == 2 ? PEER_OFFLINE : PEER_NEVER);
	struct peer_counts pc = peers_count(t, NULL);
	CHECK_INT(pc.peers, 3);
	CHECK_INT(pc.online, 1);
	CHECK_INT(pc.offline, 1);
	CHECK_INT(pc.never, 1);
	/* A never peer stays never: no event on later polls. */
	poll_at(t, &s, &r, T0 + 1000000, 2000000);
	CHECK_INT(r.n, 4);
	CHECK_INT(r.type[3], EV_PEER_OFFLINE);
	CHECK_INT(r.key0[3], 1);
	finish(t, &s);
}

static void test_threshold_boundary_and_offline_for(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 7);
	set_hs(p, T0);
	poll_at(t, &s, &r, T0, 50000);
	poll_at(t, &s, &r, T0 + 180000, 50000 + 180000); /* age == threshold: online */
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 0);
	poll_at(t, &s, &r, T0 + 181000, 50000 + 181000);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
	CHECK_INT(r.handshake_age[r.n - 1], 181);
	CHECK_INT(peers_transitions(t), 1);
	/* New handshake 100 s after it went offline (it crossed at +180 s). */
	set_hs(p, T0 + 280000);
	poll_at(t, &s, &r, T0 + 280500, 50000 + 280500);
	CHECK_INT(r.type[r.n - 1], EV_PEER_ONLINE);
	CHECK_INT(r.offline_for[r.n - 1], 100);
	CHECK_INT(peers_transitions(t), 2); /* only goes up: read twice, the same */
	CHECK_INT(peers_transitions(t), 2);
	finish(t, &s);
}

/* The wall clock jumps an hour while the monotonic clock moves 30 s: nothing happens. */
static void clock_step(int64_t step_ms)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	set_hs(fix_peer(&s, "wg0", 1), T0 - 60000);
	poll_at(t, &s, &r, T0, 10000);
	for (int i = 1; i <= 3; i++)
		poll_at(t, &s, &r, T0 + step_ms + i * 30000, 10000 + i * 30000);
	CHECK_INT(r.n, 1); /* only peer_initial */
	CHECK_INT(peers_count(t, NULL).online, 1);
	/* Age keeps growing with the monotonic clock: 60 + 90 = 150 s; offline after 180. */
	poll_at(t, &s, &r, T0 + step_ms + 121000, 10000 + 121000);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
	CHECK_INT(r.handshake_age[r.n - 1], 181);
	finish(t, &s);
}

static void test_clock_step_forward(void)
{
	clock_step(3600000);
}

static void test_clock_step_backward(void)
{
	clock_step(-3600000);
}

/* A handshake stamped in the future (clock stepped back before we first saw it): age 0. */
static void test_future_handshake(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	set_hs(fix_peer(&s, "wg0", 1), T0 + 3600000);
	poll_at(t, &s, &r, T0, 10000);
	CHECK_INT(r.handshake_age[0], 0);
	CHECK_INT(r.state[0], PEER_ONLINE);
	poll_at(t, &s, &r, T0 + 181000, 10000 + 181000);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
	finish(t, &s);
}

/* boringtun: the handshake time is now - age and jitters; a missing value keeps the last. */
static void test_boringtun_values(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	p->hs_approx = true;
	set_hs(p, T0 - 5000);
	poll_at(t, &s, &r, T0, 10000);
	for (int i = 1; i <= 17; i++) {
		set_hs(p, T0 - 5000 + (i % 2 ? 900 : -900)); /* rounding jitter */
		poll_at(t, &s, &r, T0 + i * 10000, 10000 + i * 10000);
	}
	CHECK_INT(r.n, 1);
	/* Session dropped: boringtun omits the time. Not "never": the age keeps growing. */
	p->hs_kind = WG_HS_UNKNOWN;
	set_hs(p, 0);
	poll_at(t, &s, &r, T0 + 175000, 10000 + 175000);
	CHECK_INT(r.n, 1);
	poll_at(t, &s, &r, T0 + 176000, 10000 + 176000);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.type[1], EV_PEER_OFFLINE);
	CHECK_INT(r.handshake_age[1], 181);
	finish(t, &s);
}

static void test_peers_added_removed_endpoint(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	ep_set(&p->endpoint, "192.0.2.1:51820");
	poll_at(t, &s, &r, T0, 10000);
	fix_peer(&s, "wg0", 2);
	poll_at(t, &s, &r, T0 + 1000, 11000);
	CHECK_INT(r.n, 3);
	CHECK_INT(r.type[1], EV_PEER_ADDED);
	CHECK_INT(r.type[2], EV_PEER_INITIAL);
	CHECK_INT(r.key0[2], 2);
	ep_set(&s.devs[0].peers[0].endpoint, "198.51.100.9:4500");
	s.devs[0].npeers = 1; /* peer 2 removed */
	poll_at(t, &s, &r, T0 + 2000, 12000);
	CHECK_INT(r.n, 5);
	CHECK_INT(r.type[3], EV_ENDPOINT_CHANGED);
	CHECK_STR(r.old_endpoint[3], "192.0.2.1:51820");
	CHECK_INT(r.type[4], EV_PEER_REMOVED);
	CHECK_INT(r.key0[4], 2);
	/* An endpoint that becomes unknown is not a change. */
	s.devs[0].peers[0].endpoint.family = WG_EP_NONE;
	poll_at(t, &s, &r, T0 + 3000, 13000);
	CHECK_INT(r.n, 5);
	/* The same key twice in one snapshot counts once. */
	fix_peer(&s, "wg0", 1);
	poll_at(t, &s, &r, T0 + 4000, 14000);
	CHECK_INT(r.n, 5);
	CHECK_INT(peers_count(t, NULL).peers, 1);
	finish(t, &s);
}

static void test_interfaces_come_and_go(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 }, empty = { 0 };
	struct rec r = { 0 };
	fix_peer(&s, "wg0", 1);
	fix_peer(&s, "wg0", 2);
	fix_peer(&s, "wg1", 3);
	poll_at(t, &s, &r, T0, 10000);
	CHECK_INT(r.n, 3);
	CHECK_STR(peers_interface(t, 0), "wg0");
	CHECK_STR(peers_interface(t, 1), "wg1");
	/* wg0 unreadable this poll: its peers are kept, nothing is logged; the view says
	 * which peers this poll read. */
	s.devs[0].error = -EACCES;
	poll_at(t, &s, &r, T0 + 1000, 11000);
	CHECK_INT(r.n, 3);
	CHECK_INT(peers_count(t, "wg0").peers, 2);
	struct clocks now = { T0 + 1000, 11000 };
	struct peer_view v;
	CHECK(view_of_id(t, 1, &now, &v) && !v.read);
	CHECK(view_of_id(t, 3, &now, &v) && v.read);
	s.devs[0].error = 0;
	/* wg0 gone: each of its peers announced as removed with it, then interface_removed. */
	wg_snapshot_remove(&s, 0);
	poll_at(t, &s, &r, T0 + 2000, 12000);
	CHECK_INT(r.n, 6);
	CHECK_INT(r.type[3], EV_PEER_REMOVED);
	CHECK_INT(r.type[4], EV_PEER_REMOVED);
	CHECK_INT(r.removal[3], RM_INTERFACE_REMOVED);
	CHECK_INT(r.removal[4], RM_INTERFACE_REMOVED);
	CHECK_INT(r.key0[3] + r.key0[4], 1 + 2);
	CHECK_STR(r.ifname[3], "wg0");
	CHECK_INT(r.type[5], EV_INTERFACE_REMOVED);
	CHECK_STR(r.ifname[5], "wg0");
	CHECK_INT(peers_count(t, NULL).peers, 1);
	/* Everything gone, then wg0 back: interface_added then peer_initial per peer. */
	poll_at(t, &empty, &r, T0 + 3000, 13000);
	CHECK_INT(r.n, 8);
	CHECK_INT(r.type[6], EV_PEER_REMOVED);
	CHECK_INT(r.key0[6], 3);
	CHECK_INT(r.type[7], EV_INTERFACE_REMOVED);
	CHECK_INT(peers_count(t, NULL).peers, 0);
	CHECK(peers_interface(t, 0) == NULL);
	wg_snapshot_clear(&s);
	fix_peer(&s, "wg0", 1);
	fix_peer(&s, "wg0", 2);
	poll_at(t, &s, &r, T0 + 4000, 14000);
	CHECK_INT(r.n, 11);
	CHECK_INT(r.type[8], EV_INTERFACE_ADDED);
	CHECK_INT(r.type[9], EV_PEER_INITIAL);
	CHECK_INT(r.type[10], EV_PEER_INITIAL);
	finish(t, &s);
}

/* Activity: rx that rises while a session can exist keeps the peer heard; handshake
 * liveness ignores it. */
static void activity_run(enum liveness l, struct rec *r)
{
	struct peer_table *t = new_table(60, l);
	struct wg_snapshot s = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set_hs(p, T0);
	for (int i = 0; i <= 24; i++) { /* 120 s, one poll every 5 s, a keepalive each */
		p->rx_bytes = 32u * (unsigned)i;
		poll_at(t, &s, r, T0 + i * 5000, 10000 + i * 5000);
	}
	finish(t, &s);
}

static void test_activity_vs_handshake(void)
{
	struct rec a = { 0 }, h = { 0 };
	activity_run(LIVENESS_ACTIVITY, &a);
	activity_run(LIVENESS_HANDSHAKE, &h);
	CHECK_INT(rec_count(&a, EV_PEER_OFFLINE), 0);
	CHECK_INT(rec_count(&h, EV_PEER_OFFLINE), 1);
}

/* rx rising with no possible session (handshake older than 180 s) is initiations only:
 * it never makes the peer online, and after 3 polls and 15 s it is handshake_failing. */
static void test_handshake_failing(void)
{
	struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set_hs(p, T0 - 300000);
	poll_at(t, &s, &r, T0, 10000);
	CHECK_INT(r.state[0], PEER_OFFLINE);
	for (int i = 1; i <= 6; i++) {
		p->rx_bytes = 148u * (unsigned)i;
		poll_at(t, &s, &r, T0 + i * 5000, 10000 + i * 5000);
	}
	CHECK_INT(rec_count(&r, EV_PEER_ONLINE), 0);
	CHECK_INT(rec_count(&r, EV_HANDSHAKE_FAILING), 1);
	/* Rises at polls 1..4 (t = 5..20 s): the 4th poll is the first at 3 polls + 15 s. */
	CHECK_INT(r.at_mono[1], 10000 + 20000);
	CHECK_INT(r.failing_for[1], 15);
	/* A completed handshake ends the episode: the next failure reports again. */
	set_hs(p, T0 + 40000);
	poll_at(t, &s, &r, T0 + 40000, 10000 + 40000);
	CHECK_INT(r.type[r.n - 1], EV_PEER_ONLINE);
	finish(t, &s);
}

/* Activity at start-up: a handshake older than the threshold but with a session that can
 * still carry data is judged at the second poll, so traffic then gives online, not a
 * peer_initial offline followed by peer_online. */
static void test_initial_deferred(void)
{
	for (int traffic = 0; traffic < 2; traffic++) {
		struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
		struct wg_snapshot s = { 0 };
		struct rec r = { 0 };
		struct wg_peer *p = fix_peer(&s, "wg0", 1);
		set_hs(p, T0 - 100000);
		poll_at(t, &s, &r, T0, 10000);
		CHECK_INT(r.n, 0);
		p->rx_bytes = traffic ? 32 : 0;
		poll_at(t, &s, &r, T0 + 5000, 15000);
		CHECK_INT(r.n, 1);
		CHECK_INT(r.type[0], EV_PEER_INITIAL);
		CHECK_INT(r.state[0], traffic ? PEER_ONLINE : PEER_OFFLINE);
		poll_at(t, &s, &r, T0 + 10000, 20000);
		CHECK_INT(r.n, 1);
		finish(t, &s);
	}
}

/* Review findings: an incomplete listing removes nothing; rx after a long gap is credited
 * no later than the keys' expiry; an interface unreadable at first sight does not later
 * call its peers "added"; a wall-clock step does not look like a boringtun handshake. */
static void test_incomplete_listing(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 }, partial = { 0 };
	struct rec r = { 0 };
	fix_peer(&s, "wg0", 1);
	fix_peer(&s, "wg1", 2);
	poll_at(t, &s, &r, T0, 10000);
	fix_peer(&partial, "wg1", 2);
	partial.incomplete = true;
	poll_at(t, &partial, &r, T0 + 1000, 11000);
	CHECK_INT(r.n, 2);
	CHECK_INT(peers_count(t, NULL).peers, 2);
	partial.incomplete = false;
	poll_at(t, &partial, &r, T0 + 2000, 12000);
	CHECK_INT(r.n, 4);
	CHECK_INT(r.type[2], EV_PEER_REMOVED);
	CHECK_INT(r.removal[2], RM_INTERFACE_REMOVED);
	CHECK_INT(r.type[3], EV_INTERFACE_REMOVED);
	wg_snapshot_clear(&s);
	wg_snapshot_clear(&partial);
	peers_free(t);
}

static void test_heard_capped_at_expiry(void)
{
	struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set_hs(p, T0);
	poll_at(t, &s, &r, T0, 10000);
	s.devs[0].error = -ETIMEDOUT; /* unreadable for an hour */
	poll_at(t, &s, &r, T0 + 5000, 15000);
	s.devs[0].error = 0;
	p->rx_bytes = 148 * 10; /* initiations only: the keys died at +180 s */
	poll_at(t, &s, &r, T0 + 3600000, 10000 + 3600000);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
	struct clocks now = { T0 + 3600000, 10000 + 3600000 };
	struct peer_view v;
	CHECK(peers_view(t, 0, &now, &v));
	CHECK_INT(now.mono_ms - v.heard_age_ms, 10000 + 180000);
	finish(t, &s);
}

static void test_unreadable_at_first(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	wg_snapshot_add_device(&s, "wg0")->error = -EACCES;
	poll_at(t, &s, &r, T0, 10000);
	s.devs[0].error = 0;
	fix_peer(&s, "wg0", 1);
	poll_at(t, &s, &r, T0 + 1000, 11000);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.type[0], EV_PEER_INITIAL);
	finish(t, &s);
}

static void test_boringtun_clock_step(void)
{
	struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	p->hs_approx = true;
	set_hs(p, T0 - 10000);
	poll_at(t, &s, &r, T0, 10000);
	/* boringtun reports the same age + 5 s; the wall clock jumped an hour meanwhile. */
	set_hs(p, T0 + 3600000 + 5000 - 15000);
	poll_at(t, &s, &r, T0 + 3600000 + 5000, 15000);
	struct clocks now = { T0 + 3600000 + 5000, 15000 };
	struct peer_view v;
	CHECK(peers_view(t, 0, &now, &v));
	CHECK_INT(v.handshake_age_ms, 15000); /* still anchored at mono 0 */
	CHECK_INT(r.n, 1);
	finish(t, &s);
}

/* Renewal grace: threshold >= 120 s and we send keepalives every P s: online until
 * 165 + P + 5 + 1 s after the handshake. */
static void test_renewal_grace(void)
{
	for (int l = 0; l < 2; l++) {
		struct peer_table *t = new_table(180, l ? LIVENESS_HANDSHAKE : LIVENESS_ACTIVITY);
		struct wg_snapshot s = { 0 };
		struct rec r = { 0 };
		struct wg_peer *p = fix_peer(&s, "wg0", 1);
		p->persistent_keepalive = 25;
		set_hs(p, T0);
		poll_at(t, &s, &r, T0, 10000);
		poll_at(t, &s, &r, T0 + 181000, 10000 + 181000);
		CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), l ? 1 : 0);
		poll_at(t, &s, &r, T0 + 196000, 10000 + 196000);
		CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), l ? 1 : 0);
		poll_at(t, &s, &r, T0 + 197000, 10000 + 197000);
		CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
		finish(t, &s);
	}
}

/* Heard only at handshakes, 125 s apart, threshold 60: one hint, not a flip storm. */
static void test_threshold_hint(void)
{
	struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	for (int k = 0; k < 4; k++) {
		set_hs(p, T0 + k * 125000);
		for (int i = 0; i < 25; i++)
			poll_at(t, &s, &r, T0 + k * 125000 + i * 5000, 10000 + k * 125000 + i * 5000);
	}
	CHECK_INT(rec_count(&r, EV_THRESHOLD_HINT), 1);
	for (size_t i = 0; i < r.n; i++)
		if (r.type[i] == EV_THRESHOLD_HINT) {
			CHECK_INT(r.gap[i], 125);
			CHECK_INT(r.suggested[i], 180);
		}
	finish(t, &s);
}

/* A counter that goes down (peer re-created) is a reset, not activity. */
static void test_counter_reset(void)
{
	struct peer_table *t = new_table(60, LIVENESS_ACTIVITY);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set_hs(p, T0);
	p->rx_bytes = 100000;
	poll_at(t, &s, &r, T0, 10000);
	p->rx_bytes = 10;
	poll_at(t, &s, &r, T0 + 61000, 10000 + 61000);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 1);
	/* Removed and re-added between polls: handshake 0 again. Said as such, history gone. */
	set_hs(p, 0);
	poll_at(t, &s, &r, T0 + 62000, 10000 + 62000);
	CHECK_INT(r.n, 5);
	CHECK_INT(r.type[2], EV_PEER_REMOVED);
	CHECK_INT(r.type[3], EV_PEER_ADDED);
	CHECK_INT(r.type[4], EV_PEER_INITIAL);
	CHECK_INT(r.state[4], PEER_NEVER);
	CHECK_INT(peers_count(t, NULL).never, 1);
	CHECK_INT(peers_count(t, NULL).peers, 1);
	finish(t, &s);
}

/* 20,000 peers in, every other one out, the rest still found: the hash index holds. */
static void test_many_peers(void)
{
	struct peer_table *t = new_table(180, LIVENESS_HANDSHAKE);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_device *d = wg_snapshot_add_device(&s, "wg0");
	for (uint32_t i = 0; i < 20000; i++) {
		struct wg_peer *p = wg_device_add_peer(d);
		memcpy(p->public_key, &i, sizeof(i));
		memcpy(p->public_key + 8, &i, sizeof(i));
	}
	poll_at(t, &s, &r, T0, 10000);
	CHECK_INT(peers_count(t, NULL).peers, 20000);
	size_t k = 0;
	for (size_t i = 0; i < d->npeers; i += 2)
		d->peers[k++] = d->peers[i];
	d->npeers = k;
	struct rec r2 = { 0 };
	poll_at(t, &s, &r2, T0 + 1000, 11000);
	CHECK_INT(peers_count(t, NULL).peers, 10000);
	CHECK_INT(rec_count(&r2, EV_PEER_REMOVED), 10000 < REC_MAX ? 10000 : REC_MAX);
	struct rec r3 = { 0 };
	poll_at(t, &s, &r3, T0 + 2000, 12000);
	CHECK_INT(r3.n, 0); /* every remaining peer found again: no added, no removed */
	finish(t, &s);
}

TEST_MAIN(test_initial_states, test_threshold_boundary_and_offline_for, test_clock_step_forward,
          test_clock_step_backward, test_future_handshake, test_boringtun_values,
          test_peers_added_removed_endpoint, test_interfaces_come_and_go,
          test_activity_vs_handshake, test_handshake_failing, test_renewal_grace,
          test_threshold_hint, test_counter_reset, test_many_peers, test_initial_deferred,
          test_incomplete_listing, test_heard_capped_at_expiry, test_unreadable_at_first,
          test_boringtun_clock_step)
