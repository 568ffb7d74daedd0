/* SPDX-License-Identifier: MIT */
/* The hooks sink (SPEC §11): the program ON_CHANGE run for chosen peer events on the
 * non-blocking child module, from the daemon's loop: a time limit, a cap on how many at
 * once, one peer's in order, a bounded queue, the grace; every failure, timeout and drop
 * an event. Polling never waits for a hook. */
#ifndef SINK_HOOKS_H
#define SINK_HOOKS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "child.h"
#include "events.h"
#include "hook_queue.h"
#include "loop.h"

#define HOOKS_MAX            8     /* ON_CHANGE_MAX's bound: 2 loop fds each */
#define HOOK_KILL_GRACE_MS   2000  /* SIGTERM, then SIGKILL this much later */
#define HOOK_STOP_WAIT_MS    2000  /* at stop, running hooks get this long */

struct hooks_config {
	char path[PATH_MAX];            /* absolute; checked by hook_check() */
	uint64_t events;                /* bit (1 << type) per event that runs it */
	bool json;                      /* stdin: the event as JSON, else /dev/null */
	int64_t timeout_ms, grace_ms;
	unsigned max;                   /* 1..HOOKS_MAX at once */
};

enum hook_result { HOOK_OK = 0, HOOK_FAILED, HOOK_TIMEOUT, HOOK_RESULTS };
extern const char *const hook_result_names[HOOK_RESULTS];

/* Counters that only go up, for /metrics. */
struct hook_totals {
	uint64_t runs[HOOK_RESULTS];
	uint64_t dropped;
};

struct hook_slot {
	bool used, watched;             /* watched: its fds are in the loop */
	struct child c;
	struct hook_job job;
};

struct sink_hooks {
	struct hooks_config cfg;
	event_fn emit;                  /* where hook_* events go (the bus) */
	void *emit_ctx;
	struct hook_queue q;
	struct hook_slot slots[HOOKS_MAX];
	struct loop *loop;              /* NULL: not attached, nothing starts */
	int timer;                      /* the loop timer's id, 0 = none */
	bool stopping;
	uint64_t seq;
	struct hook_totals totals;
};

void sink_hooks_init(struct sink_hooks *h, const struct hooks_config *cfg, event_fn emit,
                     void *emit_ctx);
/* An event_fn (ctx = struct sink_hooks): queues the events of cfg.events. */
void sink_hooks_event(void *ctx, const struct event *ev);
/* Starts hooks from loop l from now on (fds and one timer). */
void sink_hooks_attach(struct sink_hooks *h, struct loop *l);
/* Leaves the loop, waits at most HOOK_STOP_WAIT_MS for running hooks, kills the rest
 * (hook_failed) and reports what still waited as hook_dropped. */
void sink_hooks_stop(struct sink_hooks *h);

#endif
