// SPDX-License-Identifier: MIT
/* The bookkeeping of one poll, out of the daemon so that a test can drive it. */
#include <errno.h>

#include "poll_apply.h"

static void report_errors(struct poll_book *pb, const struct wg_snapshot *snap,
                          const struct source_result *res, int64_t now)
{
	pollerr_begin(&pb->errs);
	if (res->err < 0 || res->note < 0) {
		pb->totals.poll_errors++;
		pollerr_report(&pb->errs, NULL, res->err ? res->err : res->note, res->msg, now);
	}
	for (size_t i = 0; i < snap->ndevs; i++) {
		const struct wg_device *dev = &snap->devs[i];
		if (!dev->error)
			continue;
		pb->totals.poll_errors++;
		pollerr_report(&pb->errs, dev->name, dev->error, dev->errmsg, now);
	}
}

void poll_apply(struct poll_book *pb, struct peer_table *t, const struct wg_snapshot *snap,
                const struct source_result *res, int64_t poll_ms, const struct clocks *now,
                event_fn fn, void *ctx)
{
	pb->errs.fn = fn;
	pb->errs.ctx = ctx;
	pb->totals.polls++;
	pb->totals.poll_ms += poll_ms;
	report_errors(pb, snap, res, now->mono_ms);
	pollerr_end(&pb->errs, snap);
	if (peers_update(t, snap, now, fn, ctx) < 0) {
		/* said after this poll's recoveries; it ends like any error, 3 polls later */
		pb->totals.poll_errors++;
		pollerr_report(&pb->errs, NULL, -ENOMEM, "out of memory updating the peer table",
		               now->mono_ms);
	}
	struct event ev = event_new(EV_POLL, now->real_ms, NULL);
	ev.poll.mono_ms = now->mono_ms;
	ev.poll.interfaces = snap->ndevs;
	ev.poll.counts = peers_count(t, NULL);
	ev.poll.poll_ms = poll_ms;
	fn(ctx, &ev);
}

void poll_book_fini(struct poll_book *pb)
{
	pollerr_fini(&pb->errs);
}
