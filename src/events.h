/* SPDX-License-Identifier: MIT */
/* Renders state-machine events as log lines (SPEC §5, §13). */
#ifndef EVENTS_H
#define EVENTS_H

#include "log.h"
#include "peers.h"

/* An event_fn: formats ev into a log line and emits it (ctx unused). */
void events_log(void *ctx, const struct event *ev);
/* Fills l with ev's line without emitting it (tests, and the debug poll summary). */
void events_format(struct logline *l, const struct event *ev, enum log_format fmt);
const char *event_name(enum event_type t);

#endif
