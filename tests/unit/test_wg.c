// SPDX-License-Identifier: MIT
/* Snapshot containers: the owner's snapshot is refilled in place; a device of the last poll
 * gives its arrays to this poll's device of that name (else to the next new one), its
 * peers zeroed as if new; what no device took for a whole poll is freed. */
#include <errno.h>

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
	d->error = -EIO;
	const struct wg_peer *arr = d->peers;
	size_t cap = d->cap;
	wg_snapshot_reset(&s);
	CHECK(s.ndevs == 0 && s.nspare == 1);
	d = wg_snapshot_add_device(&s, "wg0");
	CHECK(d->npeers == 0 && d->error == 0 && d->peers == arr && d->cap == cap);
	struct wg_peer *p = wg_device_add_peer(d);
	CHECK(p == arr);
	CHECK_INT(p->rx_bytes, 0); /* zeroed, not last poll's peer */
	CHECK_INT(p->public_key[0], 0);
	/* a second device has no spare left: it grows its own */
	struct wg_device *e = wg_snapshot_add_device(&s, "wg1");
	fill(e, 3);
	CHECK(s.devs[0].peers == arr && e->peers != arr && e->cap < cap);
	wg_snapshot_clear(&s);
	CHECK(s.devs == NULL && s.ndevs == 0 && s.nspare == 0);
}

/* A small interface listed first must not take the big one's array. */
static void test_namesake_first(void)
{
	struct wg_snapshot s = { 0 };
	fill(wg_snapshot_add_device(&s, "big"), 5000);
	fill(wg_snapshot_add_device(&s, "small"), 2);
	const struct wg_peer *arr = s.devs[0].peers, *arr_small = s.devs[1].peers;
	wg_snapshot_reset(&s);
	struct wg_device *small = wg_snapshot_add_device(&s, "small");
	fill(small, 1);
	CHECK(small->peers == arr_small);
	struct wg_device *big = wg_snapshot_add_device(&s, "big");
	fill(big, 1);
	CHECK(big->peers == arr);
	CHECK_STR(s.devs[0].name, "small");
	CHECK_STR(s.devs[1].name, "big");
	wg_snapshot_clear(&s);
}

/* A removed device is a spare until the next reset; a spare no device took back is freed
 * by the next reset (LeakSanitizer would see it otherwise). */
static void test_spares_expire(void)
{
	struct wg_snapshot s = { 0 };
	fill(wg_snapshot_add_device(&s, "a"), 10);
	fill(wg_snapshot_add_device(&s, "b"), 20);
	fill(wg_snapshot_add_device(&s, "c"), 30);
	wg_snapshot_remove(&s, 1);
	CHECK(s.ndevs == 2 && s.nspare == 1);
	CHECK_STR(s.devs[1].name, "c");
	CHECK_STR(s.devs[2].name, "b");
	CHECK_INT(s.devs[2].npeers, 0);
	wg_snapshot_reset(&s);           /* a and c spare; b, removed this poll, freed */
	CHECK(s.ndevs == 0 && s.nspare == 2);
	fill(wg_snapshot_add_device(&s, "c"), 1);
	wg_snapshot_reset(&s);           /* a was not taken: freed */
	CHECK(s.ndevs == 0 && s.nspare == 1);
	CHECK_STR(s.devs[0].name, "c");
	CHECK(s.devs[0].peers != NULL);
	wg_snapshot_clear(&s);
}

/* An unreadable device keeps its arrays for the next poll but lists nothing. */
static void test_empty_keeps_arrays(void)
{
	struct wg_device d = { .name = "wg0" };
	fill(&d, 100);
	const struct wg_peer *arr = d.peers;
	wg_device_empty(&d);
	CHECK(d.npeers == 0 && d.nips == 0 && d.peers == arr);
	wg_device_clear(&d);
	CHECK(d.peers == NULL && d.cap == 0);
}

/* The duplicate check: keys differing in one byte anywhere are distinct; a repeat is found
 * wherever it is, as the later index; the index array is reused by the next poll. */
static void test_find_duplicate(void)
{
	struct wg_device d = { .name = "wg0" };
	size_t dup = 0;
	CHECK_INT(wg_device_find_duplicate(&d, &dup), 0);
	for (size_t i = 0; i < 3000; i++) {
		struct wg_peer *p = wg_device_add_peer(&d);
		if (!p)
			return;
		p->public_key[i % WG_KEY_LEN] = (uint8_t)(1 + i / WG_KEY_LEN);
	}
	CHECK_INT(wg_device_find_duplicate(&d, &dup), 0);
	const uint32_t *slots = d.keyslots;
	memcpy(d.peers[2999].public_key, d.peers[17].public_key, WG_KEY_LEN);
	CHECK_INT(wg_device_find_duplicate(&d, &dup), -EEXIST);
	CHECK_INT(dup, 2999);
	CHECK(d.keyslots == slots);
	wg_device_empty(&d);
	CHECK_INT(wg_device_find_duplicate(&d, &dup), 0);
	wg_device_clear(&d);
	CHECK(d.keyslots == NULL);
}

TEST_MAIN(test_array_reused, test_namesake_first, test_spares_expire, test_empty_keeps_arrays,
          test_find_duplicate)
