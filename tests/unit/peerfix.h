/* SPDX-License-Identifier: MIT */
/* Test fixtures for the state machine: build snapshots, record emitted events. */
#ifndef PEERFIX_H
#define PEERFIX_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allowedips.h"
#include "peers.h"
#include "wg.h"

#define REC_MAX 4096

struct rec {
	size_t n;
	enum event_type type[REC_MAX];
	char ifname[REC_MAX][WG_IFNAME_SIZE];
	uint8_t key0[REC_MAX];          /* first key byte identifies the test peer */
	enum peer_state state[REC_MAX];
	int64_t offline_for[REC_MAX];
	int64_t handshake_age[REC_MAX];
	int64_t at_mono[REC_MAX];
	int64_t gap[REC_MAX], suggested[REC_MAX], failing_for[REC_MAX], state_for[REC_MAX];
	char old_endpoint[REC_MAX][WG_ENDPOINT_SIZE];
	enum removal removal[REC_MAX];
	int64_t mono_now;                /* set by the test before each update */
};

static inline void rec_event(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;
	if (r->n >= REC_MAX)
		return;
	size_t i = r->n++;
	bool peer = ev->type <= EV_PEER_STATUS;
	r->type[i] = ev->type;
	memcpy(r->ifname[i], ev->ifname, WG_IFNAME_SIZE);
	r->key0[i] = peer ? ev->peer.v.key[0] : 0;
	r->state[i] = peer ? ev->peer.v.state : PEER_NEVER;
	r->offline_for[i] = peer ? ev->peer.offline_for : -1;
	r->handshake_age[i] = peer && ev->peer.v.handshake_age_ms >= 0
	                      ? ev->peer.v.handshake_age_ms / 1000 : -1;
	r->gap[i] = peer ? ev->peer.gap : -1;
	r->suggested[i] = peer ? ev->peer.suggested_threshold : -1;
	r->failing_for[i] = peer ? ev->peer.failing_for : -1;
	r->state_for[i] = peer ? ev->peer.state_for : -1;
	r->removal[i] = peer ? ev->peer.removal : RM_REMOVED;
	r->at_mono[i] = r->mono_now;
	memcpy(r->old_endpoint[i], peer ? ev->peer.old_endpoint : "", peer ? WG_ENDPOINT_SIZE : 1);
}

/* The first peer whose key starts with id, as of now; false if there is none. */
static inline bool view_of_id(const struct peer_table *t, uint8_t id, const struct clocks *now,
                              struct peer_view *v)
{
	for (size_t i = 0; peers_view(t, i, now, v); i++)
		if (v->key[0] == id)
			return true;
	return false;
}

static inline size_t rec_count(const struct rec *r, enum event_type t)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->type[i] == t;
	return n;
}

static inline struct wg_peer *fix_peer(struct wg_snapshot *s, const char *ifname, uint8_t id)
{
	struct wg_device *d = wg_snapshot_find(s, ifname);
	if (!d)
		d = wg_snapshot_add_device(s, ifname);
	struct wg_peer *p = wg_device_add_peer(d);
	memset(p->public_key, id, WG_KEY_LEN);
	return p;
}

/* Gives p (the last peer of ifname with allowed IPs) the allowed IP "addr/cidr". */
static inline void fix_allowed(struct wg_snapshot *s, const char *ifname, struct wg_peer *p,
                               const char *text)
{
	struct wg_allowedip a;
	if (allowedip_parse(&a, text, strlen(text)))
		wg_peer_add_allowedip(wg_snapshot_find(s, ifname), p, &a);
}

#endif
