// SPDX-License-Identifier: MIT
/* --debug: the whole table after each poll, one peer_status event a peer. */
#include <string.h>

#include "sink_debug.h"
#include "util.h"

void sink_debug_event(void *ctx, const struct event *ev)
{
	const struct sink_debug *d = ctx;
	if (ev->type != EV_POLL)
		return;
	struct clocks now = { ev->real_ms, ev->poll.mono_ms };
	struct event st = event_new(EV_PEER_STATUS, ev->real_ms, NULL);
	for (size_t i = 0; peers_view(d->peers, i, &now, &st.peer.v); i++) {
		if (!st.peer.v.read)
			continue; /* not in this poll's reading: nothing new to show */
		memcpy(st.ifname, st.peer.v.ifname, sizeof(st.ifname));
		d->fn(d->ctx, &st);
	}
}
