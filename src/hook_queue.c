// SPDX-License-Identifier: MIT
/* The hooks' waiting line: order per peer, the bound, and the grace's cancellation. */
#include <string.h>

#include "hook_queue.h"

bool hook_same_peer(const struct event *a, const struct event *b)
{
	return strcmp(a->ifname, b->ifname) == 0 &&
	       memcmp(a->peer.v.key, b->peer.v.key, WG_KEY_LEN) == 0;
}

bool hook_graced(enum event_type t)
{
	return t == EV_PEER_ONLINE || t == EV_PEER_OFFLINE;
}

/* The peer's latest online/offline job, if it still waits out its grace; else SIZE_MAX. */
static size_t pending_change(const struct hook_queue *q, const struct event *ev, int64_t now)
{
	for (size_t i = q->n; i-- > 0;) {
		const struct hook_job *j = &q->jobs[i];
		if (!hook_same_peer(&j->ev, ev) || !hook_graced(j->ev.type))
			continue;
		return j->due > now ? i : SIZE_MAX;
	}
	return SIZE_MAX;
}

enum hook_push hook_queue_push(struct hook_queue *q, const struct hook_job *j, int64_t now)
{
	if (hook_graced(j->ev.type)) {
		size_t i = pending_change(q, &j->ev, now);
		if (i != SIZE_MAX && q->jobs[i].ev.type != j->ev.type) {
			struct hook_job gone;
			hook_queue_take(q, i, &gone);
			return HQ_CANCELLED;
		}
	}
	if (q->n == HOOK_QUEUE_MAX)
		return HQ_FULL;
	q->jobs[q->n++] = *j;
	return HQ_QUEUED;
}

static bool busy(const struct event *ev, const struct event *const *running, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (hook_same_peer(ev, running[i]))
			return true;
	return false;
}

static bool earlier_of_peer(const struct hook_queue *q, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (hook_same_peer(&q->jobs[k].ev, &q->jobs[i].ev))
			return true;
	return false;
}

size_t hook_queue_pick(const struct hook_queue *q, int64_t now,
                       const struct event *const *running, size_t nrunning)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct hook_job *j = &q->jobs[i];
		if (j->due <= now && !busy(&j->ev, running, nrunning) && !earlier_of_peer(q, i))
			return i;
	}
	return SIZE_MAX;
}

void hook_queue_take(struct hook_queue *q, size_t i, struct hook_job *out)
{
	*out = q->jobs[i];
	memmove(&q->jobs[i], &q->jobs[i + 1], (q->n - i - 1) * sizeof(q->jobs[0]));
	q->n--;
}

int64_t hook_queue_next_due(const struct hook_queue *q, int64_t now)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < q->n; i++)
		if (q->jobs[i].due > now && q->jobs[i].due < next)
			next = q->jobs[i].due;
	return next;
}
