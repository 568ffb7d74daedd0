/* SPDX-License-Identifier: MIT */
/* The service manager sink (SPEC §8): READY=1 after the first poll, a STATUS= line after
 * every poll, STOPPING=1 at stop; the reload bracket for SIGHUP and the watchdog ping as
 * a timer of the loop, never from inside a poll. */
#ifndef SINK_NOTIFY_H
#define SINK_NOTIFY_H

#include <stdbool.h>

#include "events.h"
#include "loop.h"
#include "sdnotify.h"

struct sink_notify {
	struct sdnotify n;
	bool ready;          /* READY=1 sent: the first poll is done */
};

/* An event_fn (ctx = struct sink_notify): EV_POLL, EV_MONITOR_STOP. */
void sink_notify_event(void *ctx, const struct event *ev);
/* SIGHUP: RELOADING=1 before the reload's work, READY=1 after it (once ready). */
void sink_notify_reload_begin(struct sink_notify *s);
void sink_notify_reload_end(struct sink_notify *s);
/* A loop_cb (ctx = struct sink_notify): WATCHDOG=1. Register it as a periodic timer of
 * s->n.watchdog_ms: the poll is another timer of the same loop, so a poll that hangs
 * holds the pings back and the service manager's watchdog fires. */
void sink_notify_watchdog(struct loop *l, void *ctx);

#endif
