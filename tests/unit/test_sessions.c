// SPDX-License-Identifier: MIT
/* Sessions (SPEC §12): length and bytes on peer_offline, counters that go back, the
 * session so far in the view, and a restart through the state file (version 2 keeps the
 * session, version 1 has none). */
#include "harness.h"
#include "peerfix.h"
#include "statefile_fixture.h"
#include "util.h"

#define S 1000LL
#define T0 1795643712000LL   /* 2026-11-25T21:55:12Z */
#define M0 5000000LL         /* the steady clock at T0 */
#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="

/* The last peer_online and peer_offline, and how many events of every kind. */
struct seen {
	struct peer_view online, offline, initial;
	size_t n_online, n_offline, n_initial, n;
	bool initial_ended;
};

static void seen_event(void *ctx, const struct event *ev)
{
	struct seen *s = ctx;
	s->n++;
	if (ev->type == EV_PEER_ONLINE) {
		s->online = ev->peer.v;
		s->n_online++;
	} else if (ev->type == EV_PEER_OFFLINE) {
		s->offline = ev->peer.v;
		s->n_offline++;
	} else if (ev->type == EV_PEER_INITIAL) {
		s->initial = ev->peer.v;
		s->initial_ended = ev->peer.session_ended;
		s->n_initial++;
	}
}

/* t seconds after T0 on both clocks. */
static struct clocks at(int64_t t)
{
	return (struct clocks){ T0 + t * S, M0 + t * S };
}

#define NEVER INT64_MIN

/* A snapshot peer: handshake t_hs seconds after T0 (NEVER: none), counters. */
static void set(struct wg_peer *p, int64_t t_hs, uint64_t rx, uint64_t tx)
{
	p->last_handshake_sec = t_hs == NEVER ? 0 : (T0 + t_hs * S) / S;
	p->rx_bytes = rx;
	p->tx_bytes = tx;
}

static struct peer_view view1(const struct peer_table *t, int64_t when)
{
	struct peer_view v;
	struct clocks now = at(when);
	memset(&v, 0, sizeof(v));
	CHECK(view_of_id(t, 1, &now, &v));
	return v;
}

static int update(struct peer_table *t, struct wg_snapshot *s, int64_t when, struct seen *seen)
{
	struct clocks now = at(when);
	return peers_update(t, s, &now, seen_event, seen);
}

static const struct peers_config hs_rule = {
	.threshold_ms = 30 * S, .interval_ms = 5 * S, .liveness = LIVENESS_HANDSHAKE,
};

/* never -> online at 10 s -> offline (due at 39 s, seen at 45 s) -> online again. */
static void test_session_on_offline(void)
{
	struct peer_table *t = peers_new(&hs_rule);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, NEVER, 0, 0);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	CHECK_INT(view1(t, 0).session_ms, -1); /* never: no session */
	set(p, 9, 1000, 500);                  /* the traffic that brought it online */
	CHECK_INT(update(t, &s, 10, &seen), 0);
	CHECK_INT(seen.n_online, 1);
	CHECK_INT(seen.online.session_ms, 0);
	CHECK_INT(seen.online.session_rx_bytes, 1000);
	CHECK_INT(seen.online.session_tx_bytes, 500);
	set(p, 9, 3000, 1500);
	CHECK_INT(update(t, &s, 20, &seen), 0);
	struct peer_view v = view1(t, 25); /* the session so far, between polls */
	CHECK_INT(v.session_ms, 15 * S);
	CHECK_INT(v.session_age_ms, 15 * S);
	CHECK_INT(v.session_rx_bytes, 3000);
	CHECK_INT(v.session_tx_bytes, 1500);
	set(p, 9, 3000, 1600); /* after the offline moment: bytes up to this poll count */
	CHECK_INT(update(t, &s, 45, &seen), 0);
	CHECK_INT(seen.n_offline, 1);
	CHECK_INT(seen.offline.session_ms, 29 * S); /* 10 s to handshake + threshold, 39 s */
	CHECK_INT(seen.offline.session_rx_bytes, 3000);
	CHECK_INT(seen.offline.session_tx_bytes, 1600);
	set(p, 9, 3000, 1900); /* an offline peer's traffic is no session's */
	CHECK_INT(update(t, &s, 50, &seen), 0);
	v = view1(t, 100); /* the one that ended stays, unchanged, until the next */
	CHECK_INT(v.session_ms, 29 * S);
	CHECK_INT(v.session_tx_bytes, 1600);
	set(p, 119, 3500, 2000);
	CHECK_INT(update(t, &s, 120, &seen), 0);
	CHECK_INT(seen.n_online, 2);
	CHECK_INT(seen.online.session_ms, 0);
	CHECK_INT(seen.online.session_rx_bytes, 500);
	CHECK_INT(seen.online.session_tx_bytes, 100);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* A peer online at the first poll: its session begins at its peer_initial; one offline
 * then has none. */
static void test_session_initial(void)
{
	struct peer_table *t = peers_new(&hs_rule);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	set(fix_peer(&s, "wg0", 1), -2, 7000, 7000);
	set(fix_peer(&s, "wg0", 2), -100, 10, 10);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	struct peer_view v = view1(t, 0);
	CHECK_INT(v.session_ms, 0);
	CHECK_INT(v.session_rx_bytes, 0); /* what came before the first look is unknown */
	struct clocks now = at(0);
	CHECK(view_of_id(t, 2, &now, &v));
	CHECK_INT(v.state, PEER_OFFLINE);
	CHECK_INT(v.session_ms, -1);
	s.devs[0].peers[0].rx_bytes += 100;
	CHECK_INT(update(t, &s, 5, &seen), 0);
	v = view1(t, 10);
	CHECK_INT(v.session_ms, 10 * S);
	CHECK_INT(v.session_rx_bytes, 100);
	CHECK_INT(v.session_tx_bytes, 0);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Counters that go back (wireguard-go restarted, the peer re-created with a handshake
 * between two polls) count from zero again; the session goes on, never negative. A
 * handshake back to 0 is a re-created peer: its session ends with it, unreported. */
static void test_session_counter_reset(void)
{
	struct peer_table *t = peers_new(&hs_rule);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, NEVER, 0, 0);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	set(p, 4, 5000, 6000);
	CHECK_INT(update(t, &s, 5, &seen), 0);
	set(p, 8, 200, 100); /* back: a new count */
	CHECK_INT(update(t, &s, 10, &seen), 0);
	struct peer_view v = view1(t, 10);
	CHECK_INT(v.state, PEER_ONLINE);
	CHECK_INT(v.session_ms, 5 * S);
	CHECK_INT(v.session_rx_bytes, 5200);
	CHECK_INT(v.session_tx_bytes, 6100);
	set(p, 8, 900, 100);
	CHECK_INT(update(t, &s, 15, &seen), 0);
	CHECK_INT(view1(t, 15).session_rx_bytes, 5900);
	CHECK_INT(update(t, &s, 40, &seen), 0); /* due at 38 s */
	CHECK_INT(seen.n_offline, 1);
	CHECK_INT(seen.offline.session_ms, 33 * S);
	CHECK_INT(seen.offline.session_rx_bytes, 5900);
	CHECK_INT(seen.offline.session_tx_bytes, 6100);
	/* Online again, then removed and added back between two polls. */
	set(p, 44, 1000, 1000);
	CHECK_INT(update(t, &s, 45, &seen), 0);
	CHECK_INT(view1(t, 45).session_ms, 0);
	set(p, NEVER, 0, 0);
	CHECK_INT(update(t, &s, 50, &seen), 0);
	CHECK_INT(view1(t, 50).session_ms, -1);
	CHECK_INT(seen.n_offline, 1);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Saves t at `when`, loads the file, and restores it `away` seconds later (same boot). */
static struct peer_table *restart(const struct peer_table *t, int64_t when, int64_t away)
{
	char err[512];
	struct saved_state st;
	struct saved_rule rule = { 30, LIVENESS_HANDSHAKE };
	struct clocks now = at(when), later = at(when + away);
	CHECK_INT(statefile_save(&sf, t, &rule, &now, "", err, sizeof(err)), 0);
	CHECK_INT(statefile_load(&sf, &st, err, sizeof(err)), 0);
	CHECK_INT(st.version, 2);
	struct peer_table *t2 = peers_new(&hs_rule);
	CHECK_INT(peers_restore(t2, st.peers, st.n, statefile_elapsed_ms(&st, &later, ""), true,
	                        &later), (int)st.n);
	saved_state_free(&st);
	return t2;
}

/* Version 2: the session goes on after a restart, its bytes including those that came
 * while wg-monitor was away, and peer_offline counts from before the restart. */
static void test_session_restart(void)
{
	struct peer_table *t = peers_new(&hs_rule);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, NEVER, 0, 0);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	set(p, 9, 1000, 500);
	CHECK_INT(update(t, &s, 10, &seen), 0);
	set(p, 20, 2000, 800);
	CHECK_INT(update(t, &s, 20, &seen), 0);
	struct peer_table *t2 = restart(t, 20, 8);
	set(p, 27, 2600, 900);
	struct seen seen2 = { 0 };
	CHECK_INT(update(t2, &s, 28, &seen2), 0);
	struct peer_view v = view1(t2, 28);
	CHECK_INT(v.state, PEER_ONLINE);
	CHECK_INT(v.session_ms, 18 * S);
	CHECK_INT(v.session_rx_bytes, 2600);
	CHECK_INT(v.session_tx_bytes, 900);
	CHECK_INT(update(t2, &s, 60, &seen2), 0); /* due at 57 s */
	CHECK_INT(seen2.n_offline, 1);
	CHECK_INT(seen2.offline.session_ms, 47 * S);
	CHECK_INT(seen2.offline.session_rx_bytes, 2600);
	/* The ended session survives a restart too, as status shows it. */
	struct peer_table *t3 = restart(t2, 60, 5);
	CHECK_INT(update(t3, &s, 65, &seen2), 0);
	v = view1(t3, 70);
	CHECK_INT(v.state, PEER_OFFLINE);
	CHECK_INT(v.session_ms, 47 * S);
	CHECK_INT(v.session_tx_bytes, 900);
	peers_free(t3);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* statefile_parse on a writable copy of text. */
static int parse(const char *text, struct saved_state *st, char *err, size_t n)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	memcpy(buf, text, len + 1);
	int rc = statefile_parse(buf, len, st, err, n);
	free(buf);
	return rc;
}

#define HEAD(v) "wg-monitor-state " v "\nwritten 1795643712000 boot - 5000000 threshold 30 " \
	"liveness handshake\n"
/* online since 20 s before the save, a handshake 2 s before it */
#define V1 "peer wg0 " K1 " online 20000 1795643710000 2000 2000 100 50 - -"

/* Version 1 is still read: it has no sessions; an online peer begins one at its first verdict. */
static void test_session_v1(void)
{
	struct saved_state st;
	char err[256] = "";
	CHECK_INT(parse(HEAD("1") V1 "\nend 1\n", &st, err, sizeof(err)), 0);
	CHECK_INT(st.version, 1);
	CHECK_INT(st.n, 1);
	CHECK_INT(st.peers[0].session_ms, -1);
	CHECK_INT(st.peers[0].session_age_ms, -1);
	struct peer_table *t = peers_new(&hs_rule);
	struct clocks now = at(0);
	CHECK_INT(peers_restore(t, st.peers, st.n, 0, true, &now), 1);
	saved_state_free(&st);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, -2, 300, 100);
	CHECK_INT(update(t, &s, 1, &seen), 0);
	CHECK_INT(view1(t, 1).state, PEER_ONLINE);
	/* no session in a version 1 file: an online peer's begins at its first verdict, as
	 * at a start without a file */
	CHECK_INT(view1(t, 1).session_ms, 0);
	CHECK_INT(update(t, &s, 30, &seen), 0);
	CHECK_INT(seen.n_offline, 1);
	CHECK_INT(seen.offline.session_ms, 27 * S); /* from the restart to offline since -2+30 */
	set(p, 39, 400, 200);
	CHECK_INT(update(t, &s, 40, &seen), 0);
	CHECK_INT(seen.online.session_ms, 0);
	CHECK_INT(seen.online.session_rx_bytes, 100);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Hostile counters (a UAPI daemon's) saturate a session's total, never wrap it small. */
static void test_session_saturates(void)
{
	struct peer_table *t = peers_new(&hs_rule);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, -2, 0, 0);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	set(p, 4, UINT64_MAX, UINT64_MAX);
	CHECK_INT(update(t, &s, 5, &seen), 0);
	set(p, 9, 2, 3); /* went back: 2 and 3 more */
	CHECK_INT(update(t, &s, 10, &seen), 0);
	CHECK(view1(t, 10).session_rx_bytes == UINT64_MAX);
	CHECK(view1(t, 10).session_tx_bytes == UINT64_MAX);
	CHECK(add_sat_u64(UINT64_MAX - 1, 1) == UINT64_MAX);
	CHECK(add_sat_u64(UINT64_MAX - 1, 2) == UINT64_MAX);
	CHECK(add_sat_u64(5, 6) == 11);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Activity: a deferred first verdict counts the rx that made it online, as an ordinary
 * offline->online does. */
static void test_session_deferred_initial(void)
{
	static const struct peers_config act = {
		.threshold_ms = 30 * S, .interval_ms = 5 * S, .liveness = LIVENESS_ACTIVITY,
	};
	struct peer_table *t = peers_new(&act);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, -100, 1000, 1000);
	CHECK_INT(update(t, &s, 0, &seen), 0);
	CHECK_INT(seen.n_initial, 0); /* deferred */
	set(p, -100, 5000, 1000);
	CHECK_INT(update(t, &s, 5, &seen), 0);
	CHECK_INT(seen.n_initial, 1);
	CHECK_INT(seen.initial.state, PEER_ONLINE);
	CHECK_INT(seen.initial.session_rx_bytes, 4000);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* A restart under another rule: a session running at the save that the re-judgement ends
 * comes with the peer_initial that ends it (no peer_offline will). */
static void test_session_rejudged(void)
{
	struct saved_state st;
	char err[256] = "";
	CHECK_INT(parse(HEAD("2") V1 " 100000 100000 77 88\nend 1\n", &st, err, sizeof(err)), 0);
	struct peer_table *t = peers_new(&hs_rule);
	struct clocks now = at(0);
	CHECK_INT(peers_restore(t, st.peers, st.n, 0, false, &now), 1);
	saved_state_free(&st);
	struct wg_snapshot s = { 0 };
	struct seen seen = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 1);
	set(p, -60, 300, 100);
	CHECK_INT(update(t, &s, 1, &seen), 0);
	CHECK_INT(seen.n_initial, 1);
	CHECK_INT(seen.initial.state, PEER_OFFLINE);
	CHECK(seen.initial_ended);
	CHECK(seen.initial.session_ms >= 0);
	CHECK_INT(seen.initial.session_rx_bytes, 77 + 200); /* with the rx while stopped */
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Version 2's session fields: read back, and refused whole when wrong. */
static void test_session_parse(void)
{
	struct saved_state st;
	char err[256] = "";
	CHECK_INT(parse(HEAD("2") V1 " 30000 12000 7 18446744073709551615\n"
	                "peer wg1 " K1 " never - 0 - - 0 0 - - - - 0 0\nend 2\n",
	                &st, err, sizeof(err)), 0);
	CHECK_INT(st.version, 2);
	CHECK_INT(st.n, 2);
	CHECK_INT(st.peers[0].session_age_ms, 30000);
	CHECK_INT(st.peers[0].session_ms, 12000);
	CHECK_INT(st.peers[0].session_rx_bytes, 7);
	CHECK(st.peers[0].session_tx_bytes == 18446744073709551615ULL);
	CHECK_INT(st.peers[1].session_ms, -1);
	saved_state_free(&st);
	static const char *const bad[] = {
		HEAD("2") V1 "\nend 1\n",                       /* version 1's line */
		HEAD("1") V1 " - - 0 0\nend 1\n",               /* version 2's line */
		HEAD("2") V1 " 1000 2000 0 0\nend 1\n",         /* longer than since it began */
		HEAD("2") V1 " - 2000 0 0\nend 1\n",
		HEAD("2") V1 " 1000 - 0 0\nend 1\n",
		HEAD("2") V1 " - - 1 0\nend 1\n",               /* bytes of no session */
		HEAD("2") V1 " 1000 1000 -1 0\nend 1\n",
		HEAD("2") V1 " 1000 1000 0 18446744073709551616\nend 1\n",
		HEAD("2") V1 " x 1000 0 0\nend 1\n",
		HEAD("2") V1 " 1000 1000 0 0 0\nend 1\n",
		HEAD("3") V1 " - - 0 0\nend 1\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(parse(bad[i], &st, err, sizeof(err)), -EBADMSG);
		CHECK(st.n == 0 && st.peers == NULL);
	}
	CHECK_INT(parse(bad[2], &st, err, sizeof(err)), -EBADMSG);
	CHECK_CONTAINS(err, "line 3: bad session");
	CHECK_INT(parse(bad[0], &st, err, sizeof(err)), -EBADMSG);
	CHECK_CONTAINS(err, "line 3: expected a peer line (16 fields)");
}

TEST_MAIN(setup, test_session_on_offline, test_session_initial, test_session_counter_reset,
          test_session_restart, test_session_v1, test_session_saturates,
          test_session_deferred_initial, test_session_rejudged, test_session_parse, teardown)
