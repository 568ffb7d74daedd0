/* SPDX-License-Identifier: MIT */
/* The metrics sink (SPEC §10): what the events tell (transitions per peer, the last poll,
 * poll errors per interface) kept for /metrics and the status page, both rendered at a
 * request from the last poll's view, part by part as the client reads; a request never
 * triggers a poll. */
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

/* Where a response stands in an order of the peers: the last one written, by identity
 * (and, in the page's order, by state and name), so that a table change between two parts
 * neither repeats a peer nor skips one that is still there. */
struct metrics_key {
	uint8_t rank;                     /* the page's order: offline, never, online */
	char ifname[WG_IFNAME_SIZE];
	char name[PEER_NAME_SIZE];        /* the page's order only */
	uint8_t key[WG_KEY_LEN];
};

/* A response's place, kept by the HTTP connection (HTTP_CURSOR_SIZE); zeroed: the start. */
struct metrics_cursor {
	unsigned section;                 /* the family (or part of the page) being written */
	unsigned stage;                   /* within it: 0 before its header */
	bool any;                         /* last is the last item written in the section */
	bool page;                        /* the status page, not /metrics */
	struct metrics_key last;          /* for interfaces: last.ifname */
	uint64_t gen;                     /* the table generation pos is a place in */
	size_t pos;
	size_t rows;                      /* the page: peers listed so far */
};

/* The shown peers' positions in the table in one order, built at the first response part
 * after a table change (then shared by every response) and dropped at the next change. */
struct metrics_order {
	uint32_t *idx;
	size_t n;
	bool built;
};

enum { MO_KEY, MO_PAGE, MO__COUNT };   /* by (interface, key); the page's: offline first */

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
	uint64_t gen;                     /* table changes seen: polls, peers added, removed, renamed */
	struct metrics_order order[MO__COUNT];
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

/* The next part of /metrics (text exposition format 0.0.4) after cur into b, a fixed
 * buffer of at least HTTP_PART_MIN bytes, whole lines only: 1 more to come, 0 the end,
 * -ENOMEM, or -E2BIG (a peer's lines larger than b). */
int metrics_render_part(struct sink_metrics *m, struct metrics_cursor *cur,
                        const struct clocks *now, struct http_buf *b);
/* The next part of the status page at / (HTML, no script, every value escaped, offline
 * peers first), as metrics_render_part. */
int metrics_page_part(struct sink_metrics *m, struct metrics_cursor *cur,
                      const struct clocks *now, struct http_buf *b);
/* All of /metrics, or of the page, as of now into a growing b (tests, bench). Errors show
 * in b->failed. */
void metrics_render(struct sink_metrics *m, const struct clocks *now, struct http_buf *b);
void metrics_page(struct sink_metrics *m, const struct clocks *now, struct http_buf *b);
/* An http_handler (ctx = struct sink_metrics): / and /metrics, else 404. */
int metrics_http(void *ctx, const char *path, size_t path_len, void *cursor,
                 const char **ctype, http_body_fn **body);

/* Start-up validation of METRICS_LISTEN and METRICS_TOKEN_FILE (check-config and run):
 * 0, or -EINVAL with one line in err naming the setting (whole in SAFEPATH_WHY_SIZE + 64).
 * Fills addrs (HTTP_MAX_LISTEN room) and the token (HTTP_TOKEN_MAX + 1 room, "" for none)
 * when they are not NULL. */
int metrics_check(const struct settings *s, struct http_addr *addrs, size_t *naddrs,
                  char *tok, size_t *toklen, char *err, size_t errlen);

#endif
