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

struct wg_device *wg_snapshot_find(const struct wg_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (strcmp(s->devs[i].name, name) == 0)
			return &s->devs[i];
	return NULL;
}

void wg_device_clear(struct wg_device *d)
{
	free(d->peers);
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
