// SPDX-License-Identifier: MIT
/* The bookkeeping of one poll, out of the daemon so that a test can drive it. */
#include <errno.h>
#include <stdio.h>

#include "poll_apply.h"
#include "util.h"

/* A handshake this far ahead of the clock is no handshake anyone had (a year-9999 time
 * would read "online" forever); less is a clock that is merely off. */
#define FUTURE_MS (24 * 3600 * 1000LL)

size_t poll_future_handshakes(struct wg_device *dev, int64_t now_real_ms, char *msg,
                              size_t msglen)
{
	const struct wg_peer *first = NULL;
	size_t n = 0;
	int64_t limit_sec = (now_real_ms + FUTURE_MS) / 1000;
	for (size_t i = 0; i < dev->npeers; i++) {
		struct wg_peer *p = &dev->peers[i];
		if (p->hs_kind != WG_HS_TIME || p->last_handshake_sec <= limit_sec)
			continue;
		p->hs_kind = WG_HS_UNKNOWN;
		if (n++ == 0)
			first = p;
	}
	if (!first)
		return 0;
	char key[WG_KEY_B64_LEN];
	key_to_base64(key, first->public_key);
	int len = snprintf(msg, msglen, "peer %s reported a handshake %lld s ahead of the clock",
	                   key, (long long)(first->last_handshake_sec - now_real_ms / 1000));
	if (n > 1 && len > 0 && (size_t)len < msglen)
		snprintf(msg + len, msglen - (size_t)len, " (and %zu more peers)", n - 1);
	return n;
}

/* Such peers make a poll_error for their interface. */
static void check_future(struct poll_book *pb, struct wg_device *dev, const struct clocks *now)
{
	char msg[WG_ERRMSG_SIZE];
	if (!poll_future_handshakes(dev, now->real_ms, msg, sizeof(msg)))
		return;
	pb->totals.poll_errors++;
	pollerr_report(&pb->errs, dev->name, -ERANGE, msg, now->mono_ms);
}

static void report_errors(struct poll_book *pb, struct wg_snapshot *snap,
                          const struct source_result *res, const struct clocks *now)
{
	pollerr_begin(&pb->errs);
	if (res->err < 0 || res->note < 0) {
		pb->totals.poll_errors++;
		pollerr_report(&pb->errs, NULL, res->err ? res->err : res->note, res->msg,
		               now->mono_ms);
	}
	for (size_t i = 0; i < snap->ndevs; i++) {
		struct wg_device *dev = &snap->devs[i];
		if (!dev->error) {
			check_future(pb, dev, now);
			continue;
		}
		pb->totals.poll_errors++;
		pollerr_report(&pb->errs, dev->name, dev->error, dev->errmsg, now->mono_ms);
	}
}

void poll_apply(struct poll_book *pb, struct peer_table *t, struct wg_snapshot *snap,
                const struct source_result *res, int64_t poll_ms, const struct clocks *now,
                event_fn fn, void *ctx)
{
	pb->errs.fn = fn;
	pb->errs.ctx = ctx;
	pb->totals.polls++;
	pb->totals.poll_ms += poll_ms;
	report_errors(pb, snap, res, now);
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
