// SPDX-License-Identifier: MIT
/* When the state-file sink saves: a change at once after a quiet spell, then no sooner than
 * STATE_SAVE_GAP_PER_PEER_MS a peer after the last save, the pending change at the first
 * poll past the gap, always at stop; a failing save retried under the same gap, its
 * failure and its recovery said once each. Time comes from the poll events: no sleep. */
#include <sys/stat.h>

#include "harness.h"
#include "peerfix.h"
#include "sink_state.h"
#include "statefile_fixture.h"
#include "util.h"

#define S 1000LL
#define T0 1795643712000LL   /* 2026-11-25T21:55:12Z */
#define NPEERS 2000          /* a gap of 2 s */

struct run {
	struct peer_table *t;
	struct wg_snapshot snap;
	struct sink_state ss;
	size_t failed, recovered;
	int64_t mono0;           /* the steady clock at the start */
};

static void said(void *ctx, const struct event *ev)
{
	struct run *r = ctx;
	r->failed += ev->type == EV_STATE_WRITE_FAILED;
	r->recovered += ev->type == EV_STATE_WRITE_RECOVERED;
}

static void quiet(void *ctx, const struct event *ev)
{
	(void)ctx;
	(void)ev;
}

/* Adds peer i (a key of its own) to the snapshot: a change of the set of peers. */
static void add_peer(struct run *r, uint32_t i)
{
	struct wg_peer *p = fix_peer(&r->snap, "wg0", 0xab);
	memcpy(p->public_key, &i, sizeof(i));
}

/* A poll at ms after the start (its Unix time T0 + ms), with n more peers, and the poll
 * event the daemon sends the sinks after it. */
static void poll_at(struct run *r, int64_t ms, uint32_t n)
{
	static uint32_t next;
	for (uint32_t k = 0; k < n; k++)
		add_peer(r, next++);
	struct clocks now = { T0 + ms, r->mono0 + ms };
	CHECK_INT(peers_update(r->t, &r->snap, &now, quiet, NULL), 0);
	struct event ev = event_new(EV_POLL, now.real_ms, NULL);
	ev.poll.mono_ms = now.mono_ms;
	ev.poll.counts = peers_count(r->t, NULL);
	sink_state_event(&r->ss, &ev);
}

static void stop_at(struct run *r)
{
	struct event ev = event_new(EV_STATS, T0, NULL);
	ev.stats.stopping = true;
	sink_state_event(&r->ss, &ev);
}

/* The file's save stamp (Unix ms), and its number of peers in *n; -1 if unreadable. */
static int64_t written(size_t *n)
{
	struct saved_state st;
	char err[600];
	if (statefile_load(&sf, &st, err, sizeof(err)) < 0)
		return -1;
	int64_t w = st.written_ms;
	*n = st.n;
	saved_state_free(&st);
	return w;
}

static void start(struct run *r)
{
	char err[600];
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 1 * S };
	struct saved_rule rule = { 180, LIVENESS_ACTIVITY };
	memset(r, 0, sizeof(*r));
	r->t = peers_new(&c);
	CHECK_INT(statefile_lock(&sf, err, sizeof(err)), 0);
	sink_state_init(&r->ss, &sf, r->t, &rule, path, said, r);
	r->mono0 = mono_ms();
}

static void finish(struct run *r)
{
	char p[PATH_MAX];
	peers_free(r->t);
	wg_snapshot_clear(&r->snap);
	unlink(path);
	unlink(tpath(p, dir, "state.lock"));
	statefile_close(&sf);
	char err[600];
	CHECK_INT(statefile_open(&sf, path, err, sizeof(err)), 0);
}

/* A table that changes at every poll is saved once per gap (NPEERS ms), not per poll. */
static void test_gap(void)
{
	struct run r;
	size_t n = 0;
	start(&r);
	poll_at(&r, 0, NPEERS);            /* the first change: saved at once */
	CHECK_INT(written(&n), T0);
	CHECK_INT(n, NPEERS);
	poll_at(&r, 1 * S, 1);             /* within the gap: kept pending */
	poll_at(&r, 1500, 1);
	CHECK_INT(written(&n), T0);
	CHECK_INT(n, NPEERS);
	/* Past the gap (2 s after the save, 2002 peers then), with no further change: the
	 * pending ones are saved. */
	poll_at(&r, 2002, 0);
	CHECK_INT(written(&n), T0 + 2002);
	CHECK_INT(n, NPEERS + 2);
	poll_at(&r, 3 * S, 1);             /* the gap runs from the last save again */
	CHECK_INT(written(&n), T0 + 2002);
	poll_at(&r, 4003, 0);              /* 2001 ms: one short of 2003 peers' gap */
	CHECK_INT(written(&n), T0 + 2002);
	poll_at(&r, 4005, 0);
	CHECK_INT(written(&n), T0 + 4005);
	CHECK_INT(n, NPEERS + 3);
	poll_at(&r, 9 * S, 0);             /* no change, no refresh due: nothing to save */
	CHECK_INT(written(&n), T0 + 4005);
	poll_at(&r, 9100, 1);
	stop_at(&r);                       /* the stop saves within the gap */
	CHECK(written(&n) > T0 + 4005);
	CHECK_INT(n, NPEERS + 4);
	CHECK_INT(r.failed + r.recovered, 0);
	finish(&r);
}

/* A save that fails is retried under the same gap; failure and recovery are said once. */
static void test_failing(void)
{
	struct run r;
	size_t n = 0;
	char tmp[PATH_MAX];
	start(&r);
	poll_at(&r, 0, NPEERS);
	CHECK_INT(written(&n), T0);
	CHECK(mkdir(tpath(tmp, dir, "state.tmp"), 0700) == 0);   /* blocks every save */
	poll_at(&r, 2001, 1);
	CHECK_INT(r.failed, 1);
	poll_at(&r, 4003, 1);                /* retried (past the gap), failing still */
	poll_at(&r, 5 * S, 1);
	CHECK_INT(r.failed, 1);
	CHECK_INT(rmdir(tmp), 0);
	poll_at(&r, 6 * S, 0);               /* the disk is back, but within the gap */
	CHECK_INT(r.recovered, 0);
	CHECK_INT(written(&n), T0);
	poll_at(&r, 6007, 0);                /* 2004 ms after the last try, 2003 peers */
	CHECK_INT(r.recovered, 1);
	CHECK_INT(written(&n), T0 + 6007);
	CHECK_INT(n, NPEERS + 3);
	poll_at(&r, 9 * S, 1);
	stop_at(&r);
	CHECK_INT(r.failed, 1);
	CHECK_INT(r.recovered, 1);
	CHECK(written(&n) > T0 + 6007);
	CHECK_INT(n, NPEERS + 4);
	finish(&r);
}

/* The gap stops growing at STATE_REFRESH_MS: a poll event counting a million peers. */
static void test_gap_capped(void)
{
	struct run r;
	size_t n = 0;
	start(&r);
	poll_at(&r, 0, 1);
	CHECK_INT(written(&n), T0);
	add_peer(&r, 999999);
	struct clocks now = { T0 + STATE_REFRESH_MS, r.mono0 + STATE_REFRESH_MS };
	CHECK_INT(peers_update(r.t, &r.snap, &now, quiet, NULL), 0);
	struct event ev = event_new(EV_POLL, now.real_ms, NULL);
	ev.poll.mono_ms = now.mono_ms;
	ev.poll.counts.peers = 1000000;
	sink_state_event(&r.ss, &ev);
	CHECK_INT(written(&n), T0 + STATE_REFRESH_MS);
	add_peer(&r, 999998);
	now.mono_ms += STATE_REFRESH_MS - 1;
	now.real_ms += STATE_REFRESH_MS - 1;
	CHECK_INT(peers_update(r.t, &r.snap, &now, quiet, NULL), 0);
	ev.real_ms = now.real_ms;
	ev.poll.mono_ms = now.mono_ms;
	sink_state_event(&r.ss, &ev);
	CHECK_INT(written(&n), T0 + STATE_REFRESH_MS);
	ev.real_ms = ++now.real_ms;
	ev.poll.mono_ms = ++now.mono_ms;
	sink_state_event(&r.ss, &ev);
	CHECK_INT(written(&n), T0 + 2 * STATE_REFRESH_MS);
	finish(&r);
}

TEST_MAIN(setup, test_gap, test_failing, test_gap_capped, teardown)
