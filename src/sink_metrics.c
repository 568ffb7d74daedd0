// SPDX-License-Identifier: MIT
/* The metrics sink: counts from the events, then /metrics rendered from the peer view at
 * each scrape. Names and endpoints only on _info series, so a roam or a rename starts no
 * new value series; a removed peer is not in the view, so its series end at once. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safepath.h"
#include "sink_metrics_impl.h"
#include "util.h"

const char *const metrics_compat_names[] = {
	[MC_BOTH] = "mdlayher,mindflavor", [MC_MDLAYHER] = "mdlayher",
	[MC_MINDFLAVOR] = "mindflavor", [MC_NONE] = "none", NULL,
};

void sink_metrics_init(struct sink_metrics *m, const struct peer_table *peers,
                       const struct wg_snapshot *snap, const struct ev_totals *totals,
                       enum metrics_compat compat, unsigned interval)
{
	memset(m, 0, sizeof(*m));
	m->peers = peers;
	m->snap = snap;
	m->totals = totals;
	m->compat = compat;
	m->interval = interval;
	if (gethostname(m->host, sizeof(m->host) - 1) < 0)
		m->host[0] = '\0';
}

void sink_metrics_fini(struct sink_metrics *m)
{
	free(m->trans);
	m->trans = NULL;
	m->ntrans = m->cap = 0;
	orders_drop(m);
}

/* ------------------------------------------------------------------ from the events */

static struct metrics_peer peer_id(const char *ifname, const uint8_t key[WG_KEY_LEN])
{
	struct metrics_peer p = { .transitions = 0 };
	memcpy(p.ifname, ifname, strnlen(ifname, sizeof(p.ifname) - 1));
	memcpy(p.key, key, WG_KEY_LEN);
	return p;
}

static int cmp_peer(const void *a, const void *b)
{
	return memcmp(a, b, offsetof(struct metrics_peer, transitions));
}

/* Where (ifname, key) is, or would be inserted; *found says which. */
static size_t locate(const struct sink_metrics *m, const struct metrics_peer *id, bool *found)
{
	size_t lo = 0, hi = m->ntrans;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_peer(&m->trans[mid], id);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

uint64_t sink_metrics_transitions(const struct sink_metrics *m, const char *ifname,
                                  const uint8_t key[WG_KEY_LEN])
{
	struct metrics_peer id = peer_id(ifname, key);
	bool found;
	size_t i = locate(m, &id, &found);
	return found ? m->trans[i].transitions : 0;
}

/* Transitions are rare next to scrapes: a sorted array, an insert moves the tail. */
static void count_transition(struct sink_metrics *m, const struct peer_view *v)
{
	struct metrics_peer id = peer_id(v->ifname, v->key);
	bool found;
	size_t i = locate(m, &id, &found);
	if (!found) {
		void *arr = m->trans;
		if (!array_grow(&arr, &m->cap, m->ntrans, sizeof(*m->trans), WG_MAX_PEERS))
			return;   /* the counter stays at 0: metrics never stop the daemon */
		m->trans = arr;
		memmove(&m->trans[i + 1], &m->trans[i], (m->ntrans - i) * sizeof(*m->trans));
		m->trans[i] = id;
		m->ntrans++;
	}
	m->trans[i].transitions++;
}

static void forget(struct sink_metrics *m, const struct peer_view *v)
{
	struct metrics_peer id = peer_id(v->ifname, v->key);
	bool found;
	size_t i = locate(m, &id, &found);
	if (!found)
		return;
	memmove(&m->trans[i], &m->trans[i + 1], (m->ntrans - i - 1) * sizeof(*m->trans));
	m->ntrans--;
}

/* An interface the last poll could not read: one more error for it. */
static void count_errors(struct sink_metrics *m)
{
	for (size_t d = 0; m->snap && d < m->snap->ndevs; d++) {
		const struct wg_device *dev = &m->snap->devs[d];
		size_t i = 0;
		if (!dev->error)
			continue;
		while (i < m->nerrs && strcmp(m->errs[i].ifname, dev->name) != 0)
			i++;
		if (i == m->nerrs && m->nerrs == METRICS_MAX_ERRDEVS)
			continue;   /* counted only in the total */
		if (i == m->nerrs)
			memcpy(m->errs[m->nerrs++].ifname, dev->name, WG_IFNAME_SIZE);
		m->errs[i].n++;
	}
}

void sink_metrics_event(void *ctx, const struct event *ev)
{
	struct sink_metrics *m = ctx;
	if (ev->type == EV_POLL || ev->type == EV_PEER_ADDED || ev->type == EV_PEER_REMOVED ||
	    ev->type == EV_PEER_RENAMED) {
		m->gen++;   /* positions or the page's order may have changed */
		orders_drop(m);
	}
	switch (ev->type) {
	case EV_PEER_ONLINE:
	case EV_PEER_OFFLINE:
		count_transition(m, &ev->peer.v);
		break;
	case EV_PEER_REMOVED:
		forget(m, &ev->peer.v);
		break;
	case EV_POLL:
		m->polled = true;
		m->poll_real_ms = ev->real_ms;
		m->poll_ms = ev->poll.poll_ms;
		count_errors(m);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ the HTTP routes */

static_assert(sizeof(struct metrics_cursor) <= HTTP_CURSOR_SIZE, "the connection keeps it");

/* An http_body_fn: the next part, its ages as of now (the table may have moved on since
 * the response began). */
static ssize_t body_part(void *ctx, void *cursor, char *buf, size_t size)
{
	struct sink_metrics *m = ctx;
	struct metrics_cursor *cur = cursor;
	struct clocks now = { real_ms(), mono_ms() };
	struct http_buf b = { .p = buf, .cap = size, .fixed = true };
	int rc = cur->page ? metrics_page_part(m, cur, &now, &b)
	                   : metrics_render_part(m, cur, &now, &b);
	return rc < 0 ? rc : (ssize_t)b.len;
}

int metrics_http(void *ctx, const char *path, size_t path_len, void *cursor,
                 const char **ctype, http_body_fn **body)
{
	struct metrics_cursor *cur = cursor;
	(void)ctx;
	if (path_len == 8 && memcmp(path, "/metrics", 8) == 0)
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
	else if (path_len == 1 && path[0] == '/')
		*ctype = "text/html; charset=utf-8";
	else
		return 404;
	cur->page = path_len == 1;
	*body = body_part;
	return 200;
}

/* ------------------------------------------------------------------ start-up checks */

int metrics_check(const struct settings *s, struct http_addr *addrs, size_t *naddrs,
                  char *tok, size_t *toklen, char *err, size_t errlen)
{
	struct http_addr tmp[HTTP_MAX_LISTEN];
	char why[SAFEPATH_WHY_SIZE + 32], mine[HTTP_TOKEN_MAX + 1];
	size_t n = 0, len = 0;
	int rc = 0;
	/* tmp and mine are outputs; cppcheck reads passing them as a use. */
	// cppcheck-suppress legacyUninitvar
	if (s->metrics_listen[0] && http_parse_listen(s->metrics_listen, addrs ? addrs : tmp,
	                                              HTTP_MAX_LISTEN, &n, why, sizeof(why)) < 0)
		rc = fail_at(err, errlen, 0, -EINVAL, "invalid %s: %s",
		             settings_name(s, SET_METRICS_LISTEN), why);
	else if (s->metrics_token_file[0] && http_read_token(s->metrics_token_file,
	                                                     tok ? tok : mine, // cppcheck-suppress legacyUninitvar
	                                                     &len, why, sizeof(why)) < 0)
		rc = fail_at(err, errlen, 0, -EINVAL, "invalid %s: %s",
		             settings_name(s, SET_METRICS_TOKEN_FILE), why);
	explicit_bzero(mine, sizeof(mine));
	if (naddrs)
		*naddrs = n;
	if (toklen)
		*toklen = rc ? 0 : len;
	return rc;
}
