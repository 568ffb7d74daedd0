// SPDX-License-Identifier: MIT
/* Events to sd_notify messages. Every send is best effort: the daemon never waits on,
 * or stops for, its service manager. */
#include <inttypes.h>
#include <stdio.h>

#include "sink_notify.h"

/* One line: "12/14 peers online, last poll 3 ms", with READY=1 in front the first time. */
static void after_poll(struct sink_notify *s, const struct event *ev)
{
	char msg[160];
	snprintf(msg, sizeof(msg), "%sSTATUS=%zu/%zu peers online, last poll %" PRId64 " ms",
	         s->ready ? "" : "READY=1\n", ev->poll.counts.online, ev->poll.counts.peers,
	         ev->poll.poll_ms);
	sdnotify_send(&s->n, msg);
	s->ready = true;
}

void sink_notify_event(void *ctx, const struct event *ev)
{
	struct sink_notify *s = ctx;
	if (ev->type == EV_POLL)
		after_poll(s, ev);
	else if (ev->type == EV_MONITOR_STOP)
		sdnotify_send(&s->n, "STOPPING=1");
}

void sink_notify_reload_begin(struct sink_notify *s)
{
	sdnotify_reloading(&s->n);
}

void sink_notify_reload_end(struct sink_notify *s)
{
	/* Before the first poll, readiness is still that poll's to declare. */
	if (s->ready)
		sdnotify_send(&s->n, "READY=1");
}

void sink_notify_watchdog(struct loop *l, void *ctx)
{
	struct sink_notify *s = ctx;
	(void)l;
	sdnotify_send(&s->n, "WATCHDOG=1");
}
