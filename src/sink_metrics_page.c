// SPDX-License-Identifier: MIT
/* The status page at /: one server-rendered HTML page, no script and nothing fetched from
 * elsewhere, every value sanitized then HTML-escaped; offline peers first. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sink_metrics.h"
#include "util.h"

/* s sanitized, then the five HTML specials as entities. */
static void html(struct http_buf *b, const char *s, size_t len)
{
	char clean[TEXT_VALUE_MAX + 1];
	size_t n = sanitize(clean, sizeof(clean), s, len);
	for (size_t i = 0; i < n; i++) {
		const char *e = clean[i] == '&' ? "&amp;" : clean[i] == '<' ? "&lt;"
		              : clean[i] == '>' ? "&gt;" : clean[i] == '"' ? "&quot;"
		              : clean[i] == '\'' ? "&#39;" : NULL;
		if (e)
			http_append(b, e, strlen(e));
		else
			http_append(b, &clean[i], 1);
	}
}

static void html_str(struct http_buf *b, const char *s, size_t size)
{
	html(b, s, strnlen(s, size));
}

/* An age as "3d 4h ago", "5m 2s ago", "12s ago"; "never" when unknown. */
static void age(struct http_buf *b, int64_t ms)
{
	int64_t s = ms / 1000;
	if (ms < 0)
		http_printf(b, "never");
	else if (s >= 86400)
		http_printf(b, "%" PRId64 "d %" PRId64 "h ago", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		http_printf(b, "%" PRId64 "h %" PRId64 "m ago", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		http_printf(b, "%" PRId64 "m %" PRId64 "s ago", s / 60, s % 60);
	else
		http_printf(b, "%" PRId64 "s ago", s);
}

static int rank(enum peer_state s)
{
	return s == PEER_OFFLINE ? 0 : s == PEER_NEVER ? 1 : 2;
}

/* Offline, then never seen, then online; by interface and name within. */
static int cmp_view(const void *a, const void *b)
{
	const struct peer_view *x = a, *y = b;
	int c = rank(x->state) - rank(y->state);
	if (!c)
		c = strcmp(x->ifname, y->ifname);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : memcmp(x->key, y->key, sizeof(x->key));
}

static void row(struct http_buf *b, const struct peer_view *v)
{
	char key[WG_KEY_B64_LEN];
	key_to_base64(key, v->key);
	http_printf(b, "<tr class=\"%s\"><td>", peer_state_name(v->state));
	html_str(b, v->ifname, sizeof(v->ifname));
	http_printf(b, "</td><td>");
	if (v->name[0])
		html_str(b, v->name, sizeof(v->name));
	else
		http_printf(b, "<code>%.8s&hellip;</code>", key);   /* base64: nothing to escape */
	http_printf(b, "</td><td>%s</td><td>", peer_state_name(v->state));
	age(b, v->heard_age_ms);
	http_printf(b, "</td><td>");
	age(b, v->handshake_age_ms);
	http_printf(b, "</td><td>");
	html_str(b, v->endpoint, sizeof(v->endpoint));
	http_printf(b, "</td><td>%" PRIu64 " / %" PRIu64 "</td></tr>\n", v->rx_bytes, v->tx_bytes);
}

static void head(const struct sink_metrics *m, struct http_buf *b)
{
	char when[40] = "none yet";
	if (m->polled)
		format_utc(when, sizeof(when), m->poll_real_ms, false);
	http_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	            "<meta http-equiv=\"refresh\" content=\"%u\"><title>wg-monitor: ",
	            m->interval < 5 ? 5 : m->interval);
	html_str(b, m->host, sizeof(m->host));
	http_printf(b, "</title><style>body{font-family:sans-serif;margin:1em}"
	            "table{border-collapse:collapse;width:100%%}td,th{padding:.3em .5em;"
	            "border-bottom:1px solid #ccc;text-align:left}.offline td{background:#fdd}"
	            ".never td{color:#777}.wrap{overflow-x:auto}</style></head><body><h1>");
	html_str(b, m->host, sizeof(m->host));
	http_printf(b, "</h1><p>Last poll: %s. <a href=\"/metrics\">Metrics</a></p>\n", when);
}

void metrics_page(const struct sink_metrics *m, const struct clocks *now, struct http_buf *b)
{
	struct peer_view *all = NULL;
	size_t n = 0, cap = 0;
	struct peer_view v;
	for (size_t i = 0; peers_view(m->peers, i, now, &v); i++) {
		if (v.restored)
			continue;
		void *arr = all;
		if (!array_grow(&arr, &cap, n, sizeof(*all), WG_MAX_PEERS)) {
			b->failed = true;
			break;
		}
		all = arr;
		all[n++] = v;
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_view);
	head(m, b);
	http_printf(b, "<div class=\"wrap\"><table><tr><th>Interface</th><th>Peer</th>"
	            "<th>State</th><th>Last heard</th><th>Handshake</th><th>Endpoint</th>"
	            "<th>Bytes rx / tx</th></tr>\n");
	for (size_t i = 0; i < n; i++)
		row(b, &all[i]);
	http_printf(b, "</table></div><p>%zu peers.</p></body></html>\n", n);
	free(all);
}
