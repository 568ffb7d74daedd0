// SPDX-License-Identifier: MIT
/* Snapshot containers: a cleared device's peer array serves the next poll's device of that
 * name (else the largest), its peers zeroed as if new; the largest arrays are kept. */
#include "harness.h"
#include "util.h"
#include "wg.h"

static void fill(struct wg_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct wg_peer *p = wg_device_add_peer(d);
		CHECK(p != NULL);
		if (!p)
			return;
		memset(p->public_key, 0xab, sizeof p->public_key);
		p->rx_bytes = i + 1;
	}
}

static void test_array_reused(void)
{
	struct wg_snapshot s = { 0 };
	struct wg_device *d = wg_snapshot_add_device(&s, "wg0");
	fill(d, 1000);
	const struct wg_peer *arr = d->peers;
	size_t cap = d->cap;
	wg_snapshot_clear(&s);
	CHECK(s.ndevs == 0 && s.devs == NULL);
	d = wg_snapshot_add_device(&s, "wg0");
	CHECK(d->peers == NULL && d->npeers == 0); /* a new device owns no array yet */
	struct wg_peer *p = wg_device_add_peer(d);
	CHECK(p != NULL && d->peers == arr && d->cap == cap);
	CHECK_INT(p->rx_bytes, 0); /* zeroed, not last poll's peer */
	CHECK_INT(p->public_key[0], 0);
	/* a second new device has no spare left of that size: it grows its own */
	struct wg_device *e = wg_snapshot_add_device(&s, "wg1");
	fill(e, 3);
	CHECK(e->peers != arr && e->cap < cap);
	wg_snapshot_clear(&s);
}

static void test_largest_kept(void)
{
	struct wg_device d[6] = { 0 }, n[5] = { 0 };
	size_t cap[6];
	for (size_t i = 0; i < 6; i++) {
		fill(&d[i], 1100u << i); /* more than the test above left among the spares */
		cap[i] = d[i].cap;
	}
	for (size_t i = 0; i < 6; i++)
		wg_device_clear(&d[i]);
	/* the four largest were kept, handed out largest first to devices of other names;
	 * then a fresh array */
	for (size_t i = 0; i < 5; i++) {
		n[i].name[0] = 'n';
		fill(&n[i], 1);
		CHECK_INT(n[i].cap, i < 4 ? cap[5 - i] : 8);
	}
	for (size_t i = 0; i < 5; i++)
		wg_device_clear(&n[i]);
}

/* A small interface that answers first must not take the big one's array. */
static void test_namesake_first(void)
{
	struct wg_device big = { .name = "big" }, small = { .name = "small" };
	fill(&big, 5000);
	fill(&small, 2);
	const struct wg_peer *arr = big.peers, *arr_small = small.peers;
	wg_device_clear(&big);
	wg_device_clear(&small);
	struct wg_device small2 = { .name = "small" }, big2 = { .name = "big" };
	fill(&small2, 1);
	fill(&big2, 1);
	CHECK(small2.peers == arr_small);
	CHECK(big2.peers == arr);
	wg_device_clear(&small2);
	wg_device_clear(&big2);
}

TEST_MAIN(test_array_reused, test_largest_kept, test_namesake_first)
