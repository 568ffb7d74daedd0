/* SPDX-License-Identifier: MIT */
/* The metrics sink (SPEC §10): what the events tell (transitions per peer, the last poll,
 * poll errors per interface) kept for /metrics and the status page, both rendered at a
 * request from the last poll's view; a request never triggers a poll. */
#ifndef SINK_METRICS_H
#define SINK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "http.h"
#include "peers.h"
#include "settings.h"
#include "wg.h"

struct hook_totals;

#define METRICS_MAX_ERRDEVS 64   /* interfaces whose poll errors are counted apart */

/* A peer that changed state at least once since the start: its transitions. */
struct metrics_peer {
	char ifname[WG_IFNAME_SIZE];     /* zero-padded: the pair is compared with memcmp */
	uint8_t key[WG_KEY_LEN];
	uint64_t transitions;
};

struct sink_metrics {
	const struct peer_table *peers;
	const struct wg_snapshot *snap;   /* the last poll's: device keys, interface errors */
	const struct ev_totals *totals;   /* the daemon's, only going up */
	enum metrics_compat compat;
	unsigned interval;                /* seconds: the status page refreshes as often */
	int64_t poll_real_ms, poll_ms;    /* the last poll: when it ended, what it took */
	bool polled;
	struct metrics_peer *trans;       /* sorted by (ifname, key), bsearch */
	size_t ntrans, cap;
	struct { char ifname[WG_IFNAME_SIZE]; uint64_t n; } errs[METRICS_MAX_ERRDEVS];
	size_t nerrs;
	char host[256];
	const struct hook_totals *hooks;  /* the hooks sink's counters; NULL: no hooks */
};

void sink_metrics_init(struct sink_metrics *m, const struct peer_table *peers,
                       const struct wg_snapshot *snap, const struct ev_totals *totals,
                       enum metrics_compat compat, unsigned interval);
void sink_metrics_fini(struct sink_metrics *m);
/* An event_fn (ctx = struct sink_metrics). */
void sink_metrics_event(void *ctx, const struct event *ev);
/* The transitions counted for a peer; 0 if none. */
uint64_t sink_metrics_transitions(const struct sink_metrics *m, const char *ifname,
                                  const uint8_t key[WG_KEY_LEN]);

/* /metrics in the text exposition format 0.0.4, as of now. Errors show in b->failed. */
void metrics_render(const struct sink_metrics *m, const struct clocks *now, struct http_buf *b);
/* The status page at /: HTML, no script, every value escaped, offline peers first. */
void metrics_page(const struct sink_metrics *m, const struct clocks *now, struct http_buf *b);
/* An http_handler (ctx = struct sink_metrics): / and /metrics, else 404. */
int metrics_http(void *ctx, const char *path, size_t path_len, struct http_buf *body,
                 const char **ctype);

/* Start-up validation of METRICS_LISTEN and METRICS_TOKEN_FILE (check-config and run):
 * 0, or -EINVAL with one line in err naming the setting. Fills addrs (HTTP_MAX_LISTEN
 * room) and the token (HTTP_TOKEN_MAX + 1 room, "" for none) when they are not NULL. */
int metrics_check(const struct settings *s, struct http_addr *addrs, size_t *naddrs,
                  char *tok, size_t *toklen, char *err, size_t errlen);

#endif
