/* SPDX-License-Identifier: MIT */
/* The log sink: every event as one line, text or JSON (SPEC §5), on stderr and in the
 * log file. It keeps its own copy of the counters so that stats lines show deltas. */
#ifndef SINK_LOG_H
#define SINK_LOG_H

#include "events.h"
#include "log.h"

struct sink_log {
	enum log_format fmt;
	struct ev_totals last;      /* the totals at the last stats line */
	int64_t poll_ms_max;        /* the longest poll since then */
};

void sink_log_init(struct sink_log *s, enum log_format fmt);
/* An event_fn (ctx = struct sink_log): renders ev and emits it. */
void sink_log_event(void *ctx, const struct event *ev);
/* Fills l with ev's line without emitting it or updating s (tests). */
void sink_log_format(const struct sink_log *s, struct logline *l, const struct event *ev);

#endif
