// SPDX-License-Identifier: MIT
/* The status page at /: one server-rendered HTML page, no script and nothing fetched from
 * elsewhere, every value sanitized then HTML-escaped; offline peers first. Written in parts
 * in the page's order (sink_metrics_order.c): a peer whose state or name changes while a
 * page is being sent may be listed twice or not at all on that page, never read freed. */
#include <inttypes.h>
#include <string.h>

#include "sink_metrics_impl.h"
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

/* The page's parts: its head, the rows, its end. */
enum { P_HEAD, P_ROWS, P_FOOT, P_END };

/* A section_fn: a part of the page. */
static int page_section(struct sink_metrics *m, struct metrics_cursor *cur,
                        const struct clocks *now, struct http_buf *b)
{
	size_t mark = b->len, i;
	struct peer_view v;
	int rc;
	switch (cur->section) {
	case P_HEAD:
		head(m, b);
		http_printf(b, "<div class=\"wrap\"><table><tr><th>Interface</th><th>Peer</th>"
		            "<th>State</th><th>Last heard</th><th>Handshake</th><th>Endpoint</th>"
		            "<th>Bytes rx / tx</th></tr>\n");
		return unit_end(b, mark) ? SEC_DONE : SEC_FULL;
	case P_ROWS:
		while ((rc = order_next(m, cur, MO_PAGE, now, &v, &i)) > 0) {
			mark = b->len;
			row(b, &v);
			if (!unit_end(b, mark))
				return SEC_FULL;
			order_passed(cur, MO_PAGE, &v);
			cur->rows++;
		}
		return rc < 0 ? rc : SEC_DONE;
	default:
		http_printf(b, "</table></div><p>%zu peers.</p></body></html>\n", cur->rows);
		return unit_end(b, mark) ? SEC_DONE : SEC_FULL;
	}
}

int metrics_page_part(struct sink_metrics *m, struct metrics_cursor *cur,
                      const struct clocks *now, struct http_buf *b)
{
	return sections_write(m, cur, now, b, P_END, page_section);
}

void metrics_page(struct sink_metrics *m, const struct clocks *now, struct http_buf *b)
{
	render_whole(m, true, now, b);
}
