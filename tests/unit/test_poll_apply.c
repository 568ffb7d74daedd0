// SPDX-License-Identifier: MIT
/* One poll's bookkeeping: an out-of-memory table update is a poll_error like any other,
 * rate-limited (it once bypassed the limit: one line per poll); a recovery is said before
 * the poll's peer events; the counters only go up. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "peerfix.h"
#include "poll_apply.h"

#define T0 1795643712000LL

struct said {
	size_t n, oom, recovered_at, added_at;
};

static void say(void *ctx, const struct event *ev)
{
	struct said *s = ctx;
	s->n++;
	if (ev->type == EV_POLL_ERROR && ev->error.err == -ENOMEM)
		s->oom++;
	if (ev->type == EV_POLL_RECOVERED)
		s->recovered_at = s->n;
	if (ev->type == EV_PEER_ADDED)
		s->added_at = s->n;
}

/* More interfaces than the table may hold (by hand: the sources stop at the bound), so
 * every update fails with -ENOMEM. 25 polls, 30 s apart: said at once and 10 minutes
 * later, counted every time. */
static void test_oom_rate_limited(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot snap = { .ndevs = WG_MAX_DEVICES + 1 };
	snap.devs = calloc(snap.ndevs, sizeof(*snap.devs));
	snap.cap = snap.ndevs;
	for (size_t i = 0; snap.devs && i < snap.ndevs; i++)
		snprintf(snap.devs[i].name, WG_IFNAME_SIZE, "w%u", (unsigned)(i % 100000));
	struct poll_book pb = { 0 };
	struct source_result res = { 0 };
	struct said s = { 0 };
	for (int i = 0; i < 25 && t && snap.devs; i++) {
		struct clocks now = { T0 + i * 30000LL, 100000 + i * 30000LL };
		poll_apply(&pb, t, &snap, &res, 5, &now, say, &s);
	}
	CHECK_INT(s.oom, 2);
	CHECK_INT(pb.totals.polls, 25);
	CHECK_INT(pb.totals.poll_errors, 25);
	CHECK_INT(pb.totals.poll_ms, 125);
	poll_book_fini(&pb);
	wg_snapshot_clear(&snap);
	peers_free(t);
}

/* wg0 unreadable, then read on three polls in a row; a peer added on the third: the
 * poll_recovered that third poll brings is said before its peer_added. */
static void test_recovery_first(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot snap = { 0 };
	fix_peer(&snap, "wg0", 1);
	struct poll_book pb = { 0 };
	struct source_result res = { 0 };
	struct said s = { 0 };
	for (int i = 0; i < 5; i++) {
		snap.devs[0].error = i == 1 ? -EACCES : 0;
		if (i == 1)
			snprintf(snap.devs[0].errmsg, WG_ERRMSG_SIZE, "permission denied");
		if (i == 4)
			fix_peer(&snap, "wg0", 2);
		struct clocks now = { T0 + i * 30000LL, 100000 + i * 30000LL };
		poll_apply(&pb, t, &snap, &res, 1, &now, say, &s);
	}
	CHECK(s.recovered_at > 0 && s.added_at > 0);
	CHECK(s.recovered_at < s.added_at);
	CHECK_INT(pb.totals.poll_errors, 1);
	poll_book_fini(&pb);
	wg_snapshot_clear(&snap);
	peers_free(t);
}

struct future_said {
	size_t errors, recovered;
	char msg[700];
};

static void say_future(void *ctx, const struct event *ev)
{
	struct future_said *s = ctx;
	if (ev->type == EV_POLL_ERROR && ev->error.err == -ERANGE) {
		s->errors++;
		snprintf(s->msg, sizeof(s->msg), "%s %s", ev->ifname, ev->error.message);
	}
	s->recovered += ev->type == EV_POLL_RECOVERED;
}

/* A year-9999 handshake is a poll_error for wg0 naming the peer, which is not online
 * (it was: online with age 0, for ever); an hour ahead is a clock merely off. When the
 * time is sane again the error ends. */
static void test_future_handshake(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot snap = { 0 };
	struct wg_peer *far = fix_peer(&snap, "wg0", 1);
	far->last_handshake_sec = WG_MAX_HANDSHAKE_SEC;
	fix_peer(&snap, "wg0", 2)->last_handshake_sec = T0 / 1000 + 3600;
	struct poll_book pb = { 0 };
	struct source_result res = { 0 };
	struct future_said s = { 0 };
	struct clocks now = { T0, 100000 };
	struct peer_view v;
	poll_apply(&pb, t, &snap, &res, 1, &now, say_future, &s);
	CHECK_INT(s.errors, 1);
	CHECK_STR(s.msg, "wg0 peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE= reported a handshake "
	          "251606657087 s ahead of the clock");
	CHECK(view_of_id(t, 1, &now, &v) && v.state == PEER_NEVER);
	CHECK(view_of_id(t, 2, &now, &v) && v.state == PEER_ONLINE);
	CHECK_INT(pb.totals.poll_errors, 1);
	for (int i = 1; i <= 3; i++) {
		snap.devs[0].peers[0].hs_kind = WG_HS_TIME;
		snap.devs[0].peers[0].last_handshake_sec = T0 / 1000 + i * 30 - 5;
		now = (struct clocks){ T0 + i * 30000LL, 100000 + i * 30000LL };
		poll_apply(&pb, t, &snap, &res, 1, &now, say_future, &s);
	}
	CHECK_INT(s.errors, 1);
	CHECK_INT(s.recovered, 1);
	CHECK(view_of_id(t, 1, &now, &v) && v.state == PEER_ONLINE);
	poll_book_fini(&pb);
	wg_snapshot_clear(&snap);
	peers_free(t);
}

/* What status uses too: a day ahead is still a clock that is off, a second more is not. */
static void test_future_bound(void)
{
	struct wg_snapshot snap = { 0 };
	char msg[WG_ERRMSG_SIZE] = "";
	fix_peer(&snap, "wg0", 1)->last_handshake_sec = T0 / 1000 + 86400;
	fix_peer(&snap, "wg0", 2)->last_handshake_sec = T0 / 1000 + 86401;
	fix_peer(&snap, "wg0", 3)->last_handshake_sec = T0 / 1000 + 86402;
	CHECK_INT(poll_future_handshakes(&snap.devs[0], T0, msg, sizeof(msg)), 2);
	CHECK_CONTAINS(msg, "reported a handshake 86401 s ahead of the clock (and 1 more peers)");
	CHECK_INT(snap.devs[0].peers[0].hs_kind, WG_HS_TIME);
	CHECK_INT(snap.devs[0].peers[1].hs_kind, WG_HS_UNKNOWN);
	CHECK_INT(snap.devs[0].peers[2].hs_kind, WG_HS_UNKNOWN);
	wg_snapshot_clear(&snap);
}

TEST_MAIN(test_oom_rate_limited, test_recovery_first, test_future_handshake, test_future_bound)
