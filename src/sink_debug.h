/* SPDX-License-Identifier: MIT */
/* The debug sink (--debug): after each poll, every peer the poll read as a peer_status
 * line, from the read-only view. The state machine knows nothing of debugging. */
#ifndef SINK_DEBUG_H
#define SINK_DEBUG_H

#include "events.h"
#include "peers.h"

struct sink_debug {
	const struct peer_table *peers;
	event_fn fn;     /* where the peer_status events go (the log sink) */
	void *ctx;
};

/* An event_fn (ctx = struct sink_debug): on EV_POLL, one EV_PEER_STATUS per peer seen. */
void sink_debug_event(void *ctx, const struct event *ev);

#endif
