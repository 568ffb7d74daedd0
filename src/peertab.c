// SPDX-License-Identifier: MIT
/* Hash index for the peer table: linear probing with backward-shift deletion, so lookups
 * stay O(1) at 100,000 peers and no tombstones accumulate as peers come and go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peertab.h"
#include "util.h"

/* Keys come from outside (a socket, wg's output), so they may be chosen to collide: the
 * hash covers all 32 bytes and the name, seeded at random (wg_key_hash). */
static uint32_t hash(const char *ifname, const uint8_t *key)
{
	return (uint32_t)wg_key_hash(key, ifname);
}

static bool same(const struct peer *p, const char *ifname, const uint8_t *key)
{
	return memcmp(p->key, key, WG_KEY_LEN) == 0 && strcmp(p->ifname, ifname) == 0;
}

static size_t slot_of(const struct peertab *t, const char *ifname, const uint8_t *key)
{
	size_t mask = t->nslots - 1, i = hash(ifname, key) & mask;
	while (t->slots[i] && !same(&t->recs[t->slots[i] - 1], ifname, key))
		i = (i + 1) & mask;
	return i;
}

struct peer *peertab_find(const struct peertab *t, const char *ifname, const uint8_t *key)
{
	if (!t->nslots)
		return NULL;
	uint32_t s = t->slots[slot_of(t, ifname, key)];
	return s ? &t->recs[s - 1] : NULL;
}

static int rehash(struct peertab *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	for (size_t r = 0; r < t->n; r++)
		t->slots[slot_of(t, t->recs[r].ifname, t->recs[r].key)] = (uint32_t)r + 1;
	return 0;
}

struct peer *peertab_insert(struct peertab *t, const char *ifname, const uint8_t *key)
{
	void *arr = t->recs;
	if (!array_grow(&arr, &t->cap, t->n, sizeof(*t->recs), UINT32_MAX - 1))
		return NULL; /* slots hold index + 1 in 32 bits */
	t->recs = arr;
	if (2 * (t->n + 1) > t->nslots && rehash(t, t->nslots ? 2 * t->nslots : 128) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	struct peer *p = &t->recs[t->n];
	memset(p, 0, sizeof(*p));
	memcpy(p->ifname, ifname, strnlen(ifname, WG_IFNAME_SIZE - 1));
	memcpy(p->key, key, WG_KEY_LEN);
	t->slots[slot_of(t, ifname, key)] = (uint32_t)++t->n;
	return p;
}

static void unlink_slot(struct peertab *t, size_t i)
{
	size_t mask = t->nslots - 1;
	t->slots[i] = 0;
	for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		const struct peer *p = &t->recs[t->slots[j] - 1];
		size_t home = hash(p->ifname, p->key) & mask;
		/* Move j back into the hole unless its home lies cyclically in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j] = 0;
			i = j;
		}
	}
}

void peertab_remove(struct peertab *t, size_t i)
{
	unlink_slot(t, slot_of(t, t->recs[i].ifname, t->recs[i].key));
	size_t last = t->n - 1;
	if (i != last) {
		t->slots[slot_of(t, t->recs[last].ifname, t->recs[last].key)] = (uint32_t)i + 1;
		t->recs[i] = t->recs[last];
	}
	t->n--;
}

void peertab_fini(struct peertab *t)
{
	free(t->recs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
