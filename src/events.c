// SPDX-License-Identifier: MIT
/* Each event's word and level, defined once, and the fan-out to the sinks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "util.h"

static const struct {
	const char *name;
	enum event_level level;
} kinds[EV__COUNT] = {
	[EV_PEER_INITIAL] = { "peer_initial", EVL_INFO },
	[EV_PEER_ONLINE] = { "peer_online", EVL_INFO },
	[EV_PEER_OFFLINE] = { "peer_offline", EVL_WARNING },
	[EV_PEER_ADDED] = { "peer_added", EVL_INFO },
	[EV_PEER_REMOVED] = { "peer_removed", EVL_INFO },
	[EV_ENDPOINT_CHANGED] = { "endpoint_changed", EVL_INFO },
	[EV_HANDSHAKE_FAILING] = { "handshake_failing", EVL_WARNING },
	[EV_THRESHOLD_HINT] = { "threshold_hint", EVL_INFO },
	[EV_PEER_STATUS] = { "peer_status", EVL_DEBUG },
	[EV_INTERFACE_ADDED] = { "interface_added", EVL_INFO },
	[EV_INTERFACE_REMOVED] = { "interface_removed", EVL_WARNING },
	[EV_MONITOR_START] = { "monitor_start", EVL_INFO },
	[EV_MONITOR_STOP] = { "monitor_stop", EVL_INFO },
	[EV_POLL] = { "poll", EVL_DEBUG },
	[EV_POLL_ERROR] = { "poll_error", EVL_ERROR },
	[EV_POLL_RECOVERED] = { "poll_recovered", EVL_INFO },
	[EV_STATS] = { "stats", EVL_INFO },
	[EV_STATE_RESTORED] = { "state_restored", EVL_INFO },
	[EV_STATE_IGNORED] = { "state_ignored", EVL_WARNING },
	[EV_STATE_WRITE_FAILED] = { "state_write_failed", EVL_WARNING },
	[EV_STATE_WRITE_RECOVERED] = { "state_write_recovered", EVL_INFO },
	[EV_LOG_REOPENED] = { "log_reopened", EVL_INFO },
	[EV_LOG_FILE_ERROR] = { "log_file_error", EVL_ERROR },
	[EV_LOG_FILE_RECOVERED] = { "log_file_recovered", EVL_INFO },
	[EV_LOOP_ERROR] = { "loop_error", EVL_ERROR },
	[EV_PEER_RENAMED] = { "peer_renamed", EVL_INFO },
	[EV_NAMES_WARNING] = { "names_warning", EVL_WARNING },
	[EV_METRICS_TOKEN_ERROR] = { "metrics_token_error", EVL_WARNING },
	[EV_WATCHDOG_WARNING] = { "watchdog_warning", EVL_WARNING },
	[EV_HOOK_FAILED] = { "hook_failed", EVL_WARNING },
	[EV_HOOK_TIMEOUT] = { "hook_timeout", EVL_WARNING },
	[EV_HOOK_DROPPED] = { "hook_dropped", EVL_WARNING },
};

static const char *const removal_words[] = {
	[RM_REMOVED] = "removed",
	[RM_RECREATED] = "recreated",
	[RM_INTERFACE_REMOVED] = "interface_removed",
	[RM_FORGOTTEN] = "forgotten",
};

const char *event_name(enum event_type t)
{
	return (unsigned)t < EV__COUNT ? kinds[t].name : "?";
}

enum event_level event_level(enum event_type t)
{
	return (unsigned)t < EV__COUNT ? kinds[t].level : EVL_ERROR;
}

bool event_about_peer(enum event_type t)
{
	return t <= EV_PEER_STATUS || t == EV_PEER_RENAMED ||
	       (t >= EV_HOOK_FAILED && t <= EV_HOOK_DROPPED);
}

const char *removal_name(enum removal r)
{
	return (unsigned)r < ARRAY_SIZE(removal_words) ? removal_words[r] : "?";
}

struct event event_new(enum event_type type, int64_t real_ms, const char *ifname)
{
	struct event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.real_ms = real_ms;
	if (ifname)
		snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	if (event_about_peer(type)) {
		ev.peer.offline_for = ev.peer.state_for = ev.peer.failing_for = -1;
		ev.peer.gap = ev.peer.suggested_threshold = -1;
		ev.peer.v.session_ms = ev.peer.v.session_age_ms = -1; /* no session known */
	}
	return ev;
}

struct event event_message(enum event_type type, int64_t real_ms, const char *ifname, int err,
                           const char *message)
{
	struct event ev = event_new(type, real_ms, ifname);
	ev.error.err = err;
	snprintf(ev.error.message, sizeof(ev.error.message), "%s", message);
	return ev;
}

int events_add_sink(struct event_bus *b, event_fn fn, void *ctx)
{
	if (b->nsinks == EVENTS_MAX_SINKS)
		return -ENOSPC;
	b->sinks[b->nsinks++] = (struct sink){ fn, ctx };
	return 0;
}

void events_fini(struct event_bus *b)
{
	free(b->queue);
	b->queue = NULL;
	b->qhead = b->qlen = b->qcap = 0;
}

/* Doubles the ring, keeping its order; false at the bound or without memory. */
static bool grow(struct event_bus *b)
{
	size_t cap = b->qcap ? 2 * b->qcap : 16;
	if (cap > EVENTS_QUEUE_MAX)
		return false;
	struct event *q = malloc(cap * sizeof(*q));
	if (!q)
		return false;
	for (size_t i = 0; i < b->qlen; i++)
		/* NOLINTNEXTLINE(clang-analyzer-core.DivideZero): qlen > 0 implies qcap > 0 */
		q[i] = b->queue[(b->qhead + i) % b->qcap];
	free(b->queue);
	b->queue = q;
	b->qhead = 0;
	b->qcap = cap;
	return true;
}

static void deliver(struct event_bus *b, const struct event *ev)
{
	for (size_t i = 0; i < b->nsinks; i++)
		b->sinks[i].fn(b->sinks[i].ctx, ev);
}

void events_emit(void *bus, const struct event *ev)
{
	struct event_bus *b = bus;
	if (b->busy && (b->qlen < b->qcap || grow(b))) {
		b->queue[(b->qhead + b->qlen++) % b->qcap] = *ev;
		return;
	}
	if (b->busy) { /* no room: out of order beats lost */
		b->unqueued++;
		deliver(b, ev);
		return;
	}
	b->busy = true;
	deliver(b, ev);
	while (b->qlen) {
		struct event next = b->queue[b->qhead];
		b->qhead = (b->qhead + 1) % b->qcap;
		b->qlen--;
		deliver(b, &next);
	}
	b->busy = false;
}
