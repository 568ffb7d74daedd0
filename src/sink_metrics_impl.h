/* SPDX-License-Identifier: MIT */
/* Private to sink_metrics*.c: how a response is written part by part. A part is a run of
 * units (a family's header, one peer's lines) each written whole or not at all; between
 * parts a response keeps only its cursor, never a pointer into the table. */
#ifndef SINK_METRICS_IMPL_H
#define SINK_METRICS_IMPL_H

#include "sink_metrics.h"

/* A section's answer: its end reached, b full (the unit that did not fit undone), or an
 * error. */
enum { SEC_FULL = 0, SEC_DONE = 1 };

/* Ends a unit begun at mark in b: true when it fit; else false, and a fixed b is back at
 * mark (a growing one keeps failed: out of memory). */
bool unit_end(struct http_buf *b, size_t mark);
/* The next peer after cur in order o (built if need be, found again by identity after a
 * table change): 1 with *v and its table position *i, 0 at the end, -ENOMEM. */
int order_next(struct sink_metrics *m, struct metrics_cursor *cur, int o,
               const struct clocks *now, struct peer_view *v, size_t *i);
/* The peer v written: the cursor moves past it. */
void order_passed(struct metrics_cursor *cur, int o, const struct peer_view *v);
/* Drops the orders: the table changed. */
void orders_drop(struct sink_metrics *m);
/* Writes one section from cur into b: SEC_DONE, SEC_FULL or an error. */
typedef int section_fn(struct sink_metrics *m, struct metrics_cursor *cur,
                       const struct clocks *now, struct http_buf *b);
/* Writes sections from cur's on, up to end, into b: a metrics_render_part answer. */
int sections_write(struct sink_metrics *m, struct metrics_cursor *cur,
                   const struct clocks *now, struct http_buf *b, unsigned end,
                   section_fn *fn);
/* All of a response into a growing b, part by part. */
void render_whole(struct sink_metrics *m, bool page, const struct clocks *now,
                  struct http_buf *b);

#endif
