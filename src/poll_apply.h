/* SPDX-License-Identifier: MIT */
/* One finished poll applied: its errors (rate-limited), the state machine, the summary.
 * What the daemon keeps between polls besides the peer table lives here too. */
#ifndef POLL_APPLY_H
#define POLL_APPLY_H

#include "events.h"
#include "peers.h"
#include "pollerr.h"
#include "source.h"

struct poll_book {
	struct pollerr errs;          /* the poll_error rate limit */
	struct ev_totals totals;      /* only go up */
};

/* Applies a poll that took poll_ms and ended at now: poll_error / poll_recovered for its
 * errors (a peer's handshake more than a day ahead of the clock is one, and that time is
 * taken as unknown in snap), the state machine's events (an out-of-memory update is a
 * poll_error like any other, rate-limited), then EV_POLL; all to fn(ctx, ...). */
void poll_apply(struct poll_book *pb, struct peer_table *t, struct wg_snapshot *snap,
                const struct source_result *res, int64_t poll_ms, const struct clocks *now,
                event_fn fn, void *ctx);
void poll_book_fini(struct poll_book *pb);

/* Takes as unknown (what was known is kept) every handshake of dev more than a day ahead
 * of the clock: no one had it, and it would read "online" for ever. Returns how many,
 * with msg (msglen) naming the first. */
size_t poll_future_handshakes(struct wg_device *dev, int64_t now_real_ms, char *msg,
                              size_t msglen);

#endif
