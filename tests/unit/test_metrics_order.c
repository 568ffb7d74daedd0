// SPDX-License-Identifier: MIT
/* The orders /metrics and the page list peers in, checked pair by pair against their
 * definition: (interface, key), and the page's (offline, never, online; interface; name;
 * key), over interfaces whose names are prefixes of each other, names shared, empty,
 * prefixes of each other and 64 bytes long; every shown peer exactly once. */
#include <stdlib.h>

#include "harness.h"
#include "peerfix.h"
#include "sink_metrics_impl.h"
#include "util.h"

#define T0 1795643712000LL   /* 2026-11-25T21:55:12Z */
#define NPEERS 600

static const char *const ifnames[] = { "wg1", "wg", "wg10", "a" };
static const char *const names[] = { "", "x", "xy", "x", "", "Z",
	"0123456789012345678901234567890123456789012345678901234567890123", "" };

/* Peer keys: bytes 0-1 the peer's number, so peers sort apart from their table order. */
static void namer(void *ctx, const char *ifname, const uint8_t key[WG_KEY_LEN],
                  char name[PEER_NAME_SIZE])
{
	(void)ctx;
	(void)ifname;
	snprintf(name, PEER_NAME_SIZE, "%s", names[(key[0] ^ key[1]) % 8]);
}

/* Peer n: on an interface, with a handshake now, long ago (offline) or never. */
static void add(struct wg_snapshot *s, unsigned n)
{
	struct wg_peer *p = fix_peer(s, ifnames[n % 4], 0);
	p->public_key[0] = (uint8_t)(n * 37);
	p->public_key[1] = (uint8_t)(n >> 3);
	p->public_key[2] = (uint8_t)n;
	if (n % 3)
		p->last_handshake_sec = T0 / 1000 - (n % 3 == 1 ? 5 : 1000);
}

static int rank(const struct peer_view *v)
{
	return v->state == PEER_OFFLINE ? 0 : v->state == PEER_NEVER ? 1 : 2;
}

/* The definition of the orders: <0, 0, >0 as x sorts before, with, after y. */
static int cmp(const struct peer_view *x, const struct peer_view *y, int o)
{
	int c = o == MO_PAGE ? rank(x) - rank(y) : 0;
	if (!c)
		c = strcmp(x->ifname, y->ifname);
	if (!c && o == MO_PAGE)
		c = strcmp(x->name, y->name);
	return c ? c : memcmp(x->key, y->key, WG_KEY_LEN);
}

static void check_order(struct sink_metrics *m, const struct clocks *now, int o)
{
	struct metrics_cursor cur = { .gen = UINT64_MAX };
	struct peer_view v, prev;
	bool seen[NPEERS] = { false };
	size_t i, n = 0, bad = 0;
	while (order_next(m, &cur, o, now, &v, &i) == 1) {
		if (n && cmp(&prev, &v, o) >= 0)
			bad++;
		CHECK(i < NPEERS && !seen[i]);
		seen[i < NPEERS ? i : 0] = true;
		prev = v;
		n++;
		order_passed(&cur, o, &v);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(n, NPEERS);
}

static void test_orders(void)
{
	struct peers_config cfg = { 180000, 30000, LIVENESS_HANDSHAKE };
	struct peer_table *t = peers_new(&cfg);
	struct wg_snapshot s = { 0 };
	struct ev_totals totals = { 0 };
	struct sink_metrics m;
	struct clocks now = { T0, 5000000 };
	peers_set_namer(t, namer, NULL);
	for (unsigned n = 0; n < NPEERS; n++)
		add(&s, n);
	sink_metrics_init(&m, t, &s, &totals, MC_BOTH, 30);
	CHECK_INT(peers_update(t, &s, &now, sink_metrics_event, &m), 0);
	size_t named = 0, states[PEER_STATES] = { 0 };
	struct peer_view v;
	for (size_t i = 0; peers_view(t, i, &now, &v); i++) {
		named += v.name[0] != '\0';
		states[v.state]++;
	}
	CHECK(named > NPEERS / 3 && named < NPEERS);   /* the fixture is what it says */
	CHECK(states[PEER_ONLINE] && states[PEER_OFFLINE] && states[PEER_NEVER]);
	check_order(&m, &now, MO_KEY);
	check_order(&m, &now, MO_PAGE);
	sink_metrics_fini(&m);
	wg_snapshot_clear(&s);
	peers_free(t);
}

TEST_MAIN(test_orders)
