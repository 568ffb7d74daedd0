/* SPDX-License-Identifier: MIT */
/* Test fixtures for the state machine: build snapshots, record emitted events. */
#ifndef PEERFIX_H
#define PEERFIX_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	int64_t mono_now;                /* set by the test before each update */
};

static inline void rec_event(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;
	if (r->n >= REC_MAX)
		return;
	size_t i = r->n++;
	r->type[i] = ev->type;
	strncpy(r->ifname[i], ev->ifname ? ev->ifname : "", WG_IFNAME_SIZE - 1);
	r->key0[i] = ev->peer ? ev->peer->key[0] : 0;
	r->state[i] = ev->peer ? ev->peer->state : PEER_NEVER;
	r->offline_for[i] = ev->offline_for;
	r->handshake_age[i] = ev->handshake_age;
	r->gap[i] = ev->gap;
	r->suggested[i] = ev->suggested_threshold;
	r->failing_for[i] = ev->failing_for;
	r->state_for[i] = ev->state_for;
	r->at_mono[i] = r->mono_now;
	strncpy(r->old_endpoint[i], ev->old_endpoint ? ev->old_endpoint : "", WG_ENDPOINT_SIZE - 1);
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

#endif
