/* SPDX-License-Identifier: MIT */
/* The hooks' waiting line (SPEC §11): bounded, in arrival order, one peer's jobs one at a
 * time and in order, and the grace in which a change that flips back cancels both. Pure:
 * no processes, times given. */
#ifndef HOOK_QUEUE_H
#define HOOK_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

#define HOOK_QUEUE_MAX 64

struct hook_job {
	struct event ev;     /* the event, as it was */
	uint64_t seq;        /* WG_MONITOR_SEQ: 1, 2, ... in arrival order */
	int64_t due;         /* mono_ms: not before (the grace) */
};

struct hook_queue {
	struct hook_job jobs[HOOK_QUEUE_MAX];
	size_t n;
};

enum hook_push { HQ_QUEUED, HQ_CANCELLED, HQ_FULL };

/* Whether events of type t wait out the grace (peer_online, peer_offline). */
bool hook_graced(enum event_type t);

/* Whether a and b are events about the same peer (interface and key). */
bool hook_same_peer(const struct event *a, const struct event *b);

/* Queues j at `now`. HQ_CANCELLED: j is a peer_online/peer_offline whose peer has the
 * opposite change still waiting out its grace (due > now): that job is removed and j not
 * queued (the flap notifies nothing). HQ_FULL: the queue is full, j not queued. */
enum hook_push hook_queue_push(struct hook_queue *q, const struct hook_job *j, int64_t now);

/* The index of the first job that may start at `now`: due, and no earlier job of its
 * peer queued or running (`running` holds nrunning events). SIZE_MAX: none. */
size_t hook_queue_pick(const struct hook_queue *q, int64_t now,
                       const struct event *const *running, size_t nrunning);

/* Removes job i into *out, keeping the others' order. */
void hook_queue_take(struct hook_queue *q, size_t i, struct hook_job *out);

/* The earliest due time after `now` among the jobs; INT64_MAX when none waits on time. */
int64_t hook_queue_next_due(const struct hook_queue *q, int64_t now);

#endif
