// SPDX-License-Identifier: MIT
/* Snapshot containers: growable device and peer arrays with hard upper bounds, refilled in
 * place poll after poll by the snapshot's owner. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util.h"
#include "wg.h"

/* The spare to refill for a device named `name`: its namesake, else the one with the
 * largest peer array; nspare must be > 0. */
static size_t spare_for(const struct wg_snapshot *s, const char *name)
{
	size_t pick = s->ndevs;
	for (size_t i = s->ndevs; i < s->ndevs + s->nspare; i++) {
		if (strcmp(s->devs[i].name, name) == 0)
			return i;
		if (s->devs[i].cap > s->devs[pick].cap)
			pick = i;
	}
	return pick;
}

struct wg_device *wg_snapshot_add_device(struct wg_snapshot *s, const char *name)
{
	if (s->nspare == 0) {
		void *arr = s->devs;
		if (!array_grow(&arr, &s->cap, s->ndevs, sizeof(*s->devs), WG_MAX_DEVICES))
			return NULL;
		s->devs = arr;
		memset(&s->devs[s->ndevs], 0, sizeof(*s->devs));
		s->nspare = 1;
	}
	size_t i = spare_for(s, name);
	struct wg_device spare = s->devs[i];
	s->devs[i] = s->devs[s->ndevs];
	struct wg_device *d = &s->devs[s->ndevs++];
	*d = spare;
	s->nspare--;
	memset(d->name, 0, sizeof(d->name));
	memcpy(d->name, name, strnlen(name, WG_IFNAME_SIZE - 1));
	wg_device_reset(d);
	return d;
}

struct wg_peer *wg_device_add_peer(struct wg_device *d)
{
	void *arr = d->peers;
	if (!array_grow(&arr, &d->cap, d->npeers, sizeof(*d->peers), WG_MAX_PEERS))
		return NULL;
	d->peers = arr;
	struct wg_peer *p = &d->peers[d->npeers++];
	memset(p, 0, sizeof(*p));
	return p;
}

int wg_peer_add_allowedip(struct wg_device *d, struct wg_peer *p, const struct wg_allowedip *a)
{
	if (p->ips_total < UINT32_MAX)
		p->ips_total++;
	if (p->nips == 0)
		p->ips_at = (uint32_t)d->nips;
	if (p->nips >= WG_ALLOWEDIPS_KEEP || p->ips_at + p->nips != d->nips)
		return 0;   /* over the bound, or not the last peer: counted only */
	void *arr = d->ips;
	if (!array_grow(&arr, &d->ipcap, d->nips, sizeof(*d->ips), WG_DEV_ALLOWEDIPS_KEEP))
		return errno == E2BIG ? 0 : -ENOMEM;
	d->ips = arr;
	d->ips[d->nips++] = *a;
	p->nips++;
	return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

uint64_t wg_key_hash(const uint8_t key[WG_KEY_LEN], const char *salt)
{
	static uint64_t seed;
	static bool seeded;
	if (!seeded) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
		seeded = true;
	}
	uint64_t h = seed, w;
	for (size_t i = 0; i < WG_KEY_LEN; i += sizeof(w)) {
		memcpy(&w, key + i, sizeof(w));
		h = mix(h, w);
	}
	for (const char *c = salt; c && *c; c++)
		h = mix(h, (uint8_t)*c);
	return h ^ (h >> 32);
}

/* Makes d->keyslots at least 2 * npeers zeroed slots (a power of two); the used count. */
static size_t keyslots_ready(struct wg_device *d)
{
	size_t want = 16;
	while (want < 2 * d->npeers)
		want *= 2;
	if (d->nkeyslots < want) {
		free(d->keyslots);
		d->nkeyslots = 0;
		if (!(d->keyslots = calloc(want, sizeof(*d->keyslots))))
			return 0;
		d->nkeyslots = want;
	}
	memset(d->keyslots, 0, want * sizeof(*d->keyslots));
	return want;
}

int wg_device_find_duplicate(struct wg_device *d, size_t *dup)
{
	size_t n = d->npeers < 2 ? 0 : keyslots_ready(d);
	if (d->npeers >= 2 && n == 0)
		return -ENOMEM;
	for (size_t i = 0; n && i < d->npeers; i++) {
		const uint8_t *key = d->peers[i].public_key;
		size_t s = wg_key_hash(key, NULL) & (n - 1);
		for (; d->keyslots[s]; s = (s + 1) & (n - 1)) {
			if (memcmp(d->peers[d->keyslots[s] - 1].public_key, key, WG_KEY_LEN) == 0) {
				*dup = i;
				return -EEXIST;
			}
		}
		d->keyslots[s] = (uint32_t)i + 1;
	}
	return 0;
}

struct wg_device *wg_snapshot_find(const struct wg_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (strcmp(s->devs[i].name, name) == 0)
			return &s->devs[i];
	return NULL;
}

void wg_device_empty(struct wg_device *d)
{
	d->npeers = 0;
	d->nips = 0;
}

void wg_device_reset(struct wg_device *d)
{
	struct wg_device keep = { .peers = d->peers, .cap = d->cap, .ips = d->ips,
	                          .ipcap = d->ipcap, .keyslots = d->keyslots,
	                          .nkeyslots = d->nkeyslots };
	memcpy(keep.name, d->name, sizeof(keep.name));
	*d = keep;
}

void wg_device_clear(struct wg_device *d)
{
	free(d->peers);
	d->peers = NULL;
	d->npeers = d->cap = 0;
	free(d->ips);
	d->ips = NULL;
	d->nips = d->ipcap = 0;
	free(d->keyslots);
	d->keyslots = NULL;
	d->nkeyslots = 0;
}

void wg_snapshot_remove(struct wg_snapshot *s, size_t i)
{
	struct wg_device gone = s->devs[i];
	memmove(&s->devs[i], &s->devs[i + 1], (s->ndevs - i - 1) * sizeof(*s->devs));
	s->devs[--s->ndevs] = gone;
	wg_device_empty(&s->devs[s->ndevs]);
	s->nspare++;
}

void wg_snapshot_reset(struct wg_snapshot *s)
{
	for (size_t i = s->ndevs; i < s->ndevs + s->nspare; i++)
		wg_device_clear(&s->devs[i]);
	for (size_t i = 0; i < s->ndevs; i++)
		wg_device_empty(&s->devs[i]);
	s->nspare = s->ndevs;
	s->ndevs = 0;
	s->incomplete = false;
}

void wg_snapshot_clear(struct wg_snapshot *s)
{
	for (size_t i = 0; i < s->ndevs + s->nspare; i++)
		wg_device_clear(&s->devs[i]);
	free(s->devs);
	memset(s, 0, sizeof(*s));
}

bool wg_ifname_valid(const char *s, size_t len)
{
	if (len == 0 || len >= WG_IFNAME_SIZE)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '=' || c == '+' || c == '.' || c == '-'))
			return false;
	}
	/* "." and ".." are not interface names and would be path components. */
	return !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}
