// SPDX-License-Identifier: MIT
/* Snapshot containers: growable device and peer arrays with hard upper bounds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "wg.h"

struct wg_device *wg_snapshot_add_device(struct wg_snapshot *s, const char *name)
{
	void *arr = s->devs;
	if (!array_grow(&arr, &s->cap, s->ndevs, sizeof(*s->devs), WG_MAX_DEVICES))
		return NULL;
	s->devs = arr;
	struct wg_device *d = &s->devs[s->ndevs++];
	memset(d, 0, sizeof(*d));
	size_t n = strnlen(name, WG_IFNAME_SIZE - 1);
	memcpy(d->name, name, n);
	return d;
}

/* Peer arrays of cleared devices, kept for the next poll's devices: a steady poll then
 * fills the arrays the last one grew, instead of growing them from 8 again through the
 * allocator (which returned the memory to the kernel and faulted it in anew, every poll). */
static struct spare {
	struct wg_peer *peers;
	size_t cap;
	char name[WG_IFNAME_SIZE]; /* the device it came from */
} spares[4];

/* Keeps d's array among the spares, or frees it (or a smaller spare it replaces). */
static void spare_put(struct wg_device *d)
{
	struct spare *low = &spares[0];
	for (size_t i = 1; i < ARRAY_SIZE(spares); i++)
		if (spares[i].cap < low->cap)
			low = &spares[i];
	if (low->cap < d->cap) {
		free(low->peers);
		low->peers = d->peers;
		low->cap = d->cap;
		memcpy(low->name, d->name, sizeof low->name);
	} else {
		free(d->peers);
	}
}

/* Gives an empty device the array its namesake had, else the largest spare. */
static void spare_take(struct wg_device *d)
{
	struct spare *pick = &spares[0];
	for (size_t i = 0; i < ARRAY_SIZE(spares); i++) {
		if (spares[i].cap && strcmp(spares[i].name, d->name) == 0) {
			pick = &spares[i];
			break;
		}
		if (spares[i].cap > pick->cap)
			pick = &spares[i];
	}
	d->peers = pick->peers;
	d->cap = pick->cap;
	*pick = (struct spare){ 0 };
}

struct wg_peer *wg_device_add_peer(struct wg_device *d)
{
	if (!d->peers)
		spare_take(d);
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

struct wg_device *wg_snapshot_find(const struct wg_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (strcmp(s->devs[i].name, name) == 0)
			return &s->devs[i];
	return NULL;
}

void wg_device_clear(struct wg_device *d)
{
	if (d->peers)
		spare_put(d);
	d->peers = NULL;
	d->npeers = d->cap = 0;
	free(d->ips);
	d->ips = NULL;
	d->nips = d->ipcap = 0;
}

void wg_snapshot_remove(struct wg_snapshot *s, size_t i)
{
	wg_device_clear(&s->devs[i]);
	memmove(&s->devs[i], &s->devs[i + 1], (s->ndevs - i - 1) * sizeof(*s->devs));
	s->ndevs--;
}

void wg_snapshot_clear(struct wg_snapshot *s)
{
	for (size_t i = 0; i < s->ndevs; i++)
		wg_device_clear(&s->devs[i]);
	free(s->devs);
	s->devs = NULL;
	s->ndevs = s->cap = 0;
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
