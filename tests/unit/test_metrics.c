// SPDX-License-Identifier: MIT
/* The metrics sink and its renderers on a real peer table: every line well-formed text
 * format 0.0.4 (hostile endpoints included), the families METRICS_COMPAT picks, the values'
 * semantics (handshake as a Unix time, 0 = never), transitions counted from events, a
 * removed peer's series gone at the next scrape, and the status page escaped and sorted. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "epfix.h"
#include "harness.h"
#include "peerfix.h"
#include "sink_metrics.h"
#include "util.h"

#define T0 1795643712000LL   /* real ms of the first poll */

/* One label list {a="x",b="y"}: names, '=', quoted values with only \\ \" \n escapes. */
static bool labels_ok(const char **p)
{
	const char *s = *p + 1;
	while (*s != '}') {
		if (!(isalpha((unsigned char)*s) || *s == '_'))
			return false;
		while (isalnum((unsigned char)*s) || *s == '_')
			s++;
		if (*s++ != '=' || *s++ != '"')
			return false;
		for (; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return false;
			if (*s == '\\' && !strchr("\\\"n", *++s))
				return false;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return false;
	}
	*p = s + 1;
	return true;
}

/* Every line a comment, or NAME[{labels}] VALUE. */
static bool exposition_ok(const char *text)
{
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		if (!nl)
			return false;   /* the last line ends with a newline too */
		if (strncmp(s, "# HELP ", 7) && strncmp(s, "# TYPE ", 7)) {
			const char *p = s;
			if (!(isalpha((unsigned char)*p) || *p == '_'))
				return false;
			while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
				p++;
			if (*p == '{' && !labels_ok(&p))
				return false;
			if (*p++ != ' ' || p >= nl || strspn(p, "0123456789.-e") != (size_t)(nl - p))
				return false;
		}
		s = nl + 1;
	}
	return true;
}

/* Whether every line that holds needle is a series of an _info family. */
static bool only_on_info(const char *text, const char *needle)
{
	size_t lines = 0;
	for (const char *s = text; (s = strstr(s, needle)); s++) {
		const char *bol = s;
		while (bol > text && bol[-1] != '\n')
			bol--;
		const char *brace = strchr(bol, '{');
		if (!brace || brace - bol < 5 || memcmp(brace - 5, "_info", 5) != 0)
			return false;
		lines++;
	}
	return lines > 0;
}

struct fixture {
	struct peer_table *t;
	struct wg_snapshot snap;
	struct ev_totals totals;
	struct sink_metrics m;
	struct clocks now;
	char k1[WG_KEY_B64_LEN], k2[WG_KEY_B64_LEN], k3[WG_KEY_B64_LEN];
};

static const char hostile[] = "\"}\n# HELP x\\";

/* wg0: peer 1 handshake 10 s ago (two allowed IPs), peer 2 never (a hostile endpoint, no
 * allowed IPs), peer 3 on wg1. */
static void fixture_snapshot(struct fixture *f, int64_t hs1_ago_s, bool with2)
{
	wg_snapshot_clear(&f->snap);
	struct wg_peer *p = fix_peer(&f->snap, "wg0", 1);
	p->last_handshake_sec = T0 / 1000 - hs1_ago_s;
	p->rx_bytes = 1234;
	p->tx_bytes = 5678;
	ep_set(&p->endpoint, "192.0.2.1:51820");
	fix_allowed(&f->snap, "wg0", p, "10.0.0.1/32");
	fix_allowed(&f->snap, "wg0", p, "fd00:0:0:0::/64");
	struct wg_device *d = wg_snapshot_find(&f->snap, "wg0");
	d->has_public_key = true;
	memset(d->public_key, 9, WG_KEY_LEN);
	if (with2) {
		p = fix_peer(&f->snap, "wg0", 2);
		ep_set(&p->endpoint, hostile); /* no endpoint: invalid */
	}
	p = fix_peer(&f->snap, "wg1", 3);
	p->last_handshake_sec = f->now.real_ms / 1000 - 5;
}

/* One poll: the table updated, its events and the poll event to the sink. */
static void fixture_poll(struct fixture *f, int64_t hs1_ago_s, bool with2)
{
	fixture_snapshot(f, hs1_ago_s, with2);
	CHECK_INT(peers_update(f->t, &f->snap, &f->now, sink_metrics_event, &f->m), 0);
	f->totals.polls++;
	struct event ev = event_new(EV_POLL, f->now.real_ms, NULL);
	ev.poll.poll_ms = 12;
	ev.poll.mono_ms = f->now.mono_ms;
	sink_metrics_event(&f->m, &ev);
}

static void fixture_init(struct fixture *f, enum metrics_compat compat)
{
	memset(f, 0, sizeof(*f));
	struct peers_config cfg = { 180000, 30000, LIVENESS_HANDSHAKE };
	f->t = peers_new(&cfg);
	f->now = (struct clocks){ T0, 5000000 };
	sink_metrics_init(&f->m, f->t, &f->snap, &f->totals, compat, 30);
	uint8_t k[WG_KEY_LEN];
	memset(k, 1, sizeof(k));
	key_to_base64(f->k1, k);
	memset(k, 2, sizeof(k));
	key_to_base64(f->k2, k);
	memset(k, 3, sizeof(k));
	key_to_base64(f->k3, k);
	fixture_poll(f, 10, true);
}

static void fixture_fini(struct fixture *f)
{
	sink_metrics_fini(&f->m);
	wg_snapshot_clear(&f->snap);
	peers_free(f->t);
}

static char *render(struct fixture *f)
{
	struct http_buf b = { 0 };
	metrics_render(&f->m, &f->now, &b);
	CHECK(!b.failed);
	return b.p;
}

/* Whether text holds the line NAME{LABELS} VALUE with public_key KEY. */
static bool has(const char *text, const char *name, const char *pre, const char *key,
                const char *post)
{
	char line[512];
	snprintf(line, sizeof(line), "\n%s{%spublic_key=\"%s\"%s\n", name, pre, key, post);
	return strstr(text, line) != NULL;
}

static void test_both_families(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	char *out = render(&f);
	CHECK(exposition_ok(out));
	CHECK(has(out, "wireguard_peer_receive_bytes_total", "device=\"wg0\",", f.k1, "} 1234"));
	CHECK(has(out, "wireguard_peer_transmit_bytes_total", "device=\"wg0\",", f.k1, "} 5678"));
	CHECK(has(out, "wireguard_sent_bytes_total", "interface=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32,fd00::/64\"} 5678"));
	CHECK(has(out, "wireguard_received_bytes_total", "interface=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32,fd00::/64\"} 1234"));
	CHECK(has(out, "wireguard_peer_last_handshake_seconds", "device=\"wg0\",", f.k1,
	          "} 1795643702"));
	CHECK(has(out, "wireguard_latest_handshake_seconds", "interface=\"wg0\",", f.k2,
	          ",allowed_ips=\"(none)\"} 0"));
	CHECK(has(out, "wireguard_peer_allowed_ips_info", "device=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32\",family=\"IPv4\"} 1"));
	CHECK(has(out, "wireguard_peer_allowed_ips_info", "device=\"wg0\",", f.k1,
	          ",allowed_ips=\"fd00::/64\",family=\"IPv6\"} 1"));
	CHECK(!has(out, "wireguard_peer_allowed_ips_info", "device=\"wg0\",", f.k2, ""));
	CHECK(!strstr(out, "wireguard_peer_allowed_ips_info{device=\"wg0\",public_key=\"AgIC"));
	CHECK_CONTAINS(out, "\nwg_monitor_peers_allowed_ips_truncated 0\n");
	CHECK(has(out, "wg_monitor_peer_up", "device=\"wg0\",", f.k1, "} 1"));
	CHECK(has(out, "wg_monitor_peer_up", "device=\"wg0\",", f.k2, "} 0"));
	CHECK(has(out, "wg_monitor_peer_state", "device=\"wg0\",", f.k2, ",state=\"never\"} 1"));
	CHECK(has(out, "wg_monitor_peer_state", "device=\"wg0\",", f.k2, ",state=\"online\"} 0"));
	CHECK(has(out, "wg_monitor_peer_last_heard_seconds", "device=\"wg0\",", f.k2, "} 0.000"));
	CHECK(has(out, "wg_monitor_peer_handshake_failing", "device=\"wg0\",", f.k1, "} 0"));
	CHECK(has(out, "wg_monitor_peer_transitions_total", "device=\"wg0\",", f.k1, "} 0"));
	CHECK_CONTAINS(out, "\nwg_monitor_peers{device=\"wg0\",state=\"online\"} 1\n");
	CHECK_CONTAINS(out, "\nwg_monitor_peers{device=\"wg0\",state=\"never\"} 1\n");
	CHECK_CONTAINS(out, "\nwg_monitor_peers{device=\"wg1\",state=\"online\"} 1\n");
	CHECK_CONTAINS(out, "\nwg_monitor_poll_duration_seconds 0.012\n");
	CHECK_CONTAINS(out, "\nwg_monitor_last_poll_timestamp_seconds 1795643712.000\n");
	CHECK_CONTAINS(out, "\nwg_monitor_polls_total 1\n");
	CHECK_CONTAINS(out, "wg_monitor_build_info{version=\"" WG_MONITOR_VERSION "\"} 1\n");
	CHECK_CONTAINS(out, "wireguard_device_info{device=\"wg0\",public_key=\"CQkJ");
	CHECK_CONTAINS(out, "# TYPE wireguard_peer_receive_bytes_total counter\n");
	CHECK_CONTAINS(out, "# HELP wg_monitor_peer_up 1 if the peer is online");
	CHECK_CONTAINS(out, "a scrape never polls.\n");
	/* The endpoint only on the _info series, escaped: the label cannot end early. */
	CHECK(has(out, "wireguard_peer_info", "device=\"wg0\",", f.k2,
	          ",endpoint=\"(invalid)\",name=\"\"} 1"));
	CHECK(has(out, "wg_monitor_peer_info", "device=\"wg0\",", f.k1,
	          ",endpoint=\"192.0.2.1:51820\",name=\"\"} 1"));
	CHECK(only_on_info(out, "192.0.2.1"));
	CHECK(only_on_info(out, "(invalid)"));
	free(out);
	fixture_fini(&f);
}

/* Occurrences of needle in text. */
static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *s = text; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* A peer with 70 allowed IPs: 64 series and 64 in the label, the truncation counted; an
 * interface unreadable at the next poll keeps its peers' allowed IPs. */
static void test_allowed_ips_bound(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	struct wg_peer *p = fix_peer(&f.snap, "wg2", 4);
	for (int i = 0; i < 70; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.4.%d.0/24", i);
		fix_allowed(&f.snap, "wg2", p, ip);
	}
	CHECK_INT(peers_update(f.t, &f.snap, &f.now, sink_metrics_event, &f.m), 0);
	char *out = render(&f);
	CHECK(exposition_ok(out));
	CHECK_INT(count_of(out, "wireguard_peer_allowed_ips_info{device=\"wg2\""), 64);
	CHECK_CONTAINS(out, ",allowed_ips=\"10.4.63.0/24\",family=\"IPv4\"} 1\n");
	CHECK(!strstr(out, "10.4.64.0/24"));
	CHECK_CONTAINS(out, "\nwg_monitor_peers_allowed_ips_truncated 1\n");
	const char *sent = strstr(out, "\nwireguard_sent_bytes_total{interface=\"wg2\"");
	const char *eol = sent ? strchr(sent + 1, '\n') : NULL;
	CHECK(sent && eol && memmem(sent, (size_t)(eol - sent), "10.4.0.0/24,10.4.1.0/24,", 24));
	CHECK(sent && eol && memmem(sent, (size_t)(eol - sent), ",10.4.63.0/24\"} 0", 17));
	free(out);
	/* wg0 unreadable: its peers and their allowed IPs stay as they were */
	struct wg_device *d = wg_snapshot_find(&f.snap, "wg0");
	wg_device_clear(d);
	d->error = -EACCES;
	CHECK_INT(peers_update(f.t, &f.snap, &f.now, sink_metrics_event, &f.m), 0);
	out = render(&f);
	CHECK(has(out, "wireguard_sent_bytes_total", "interface=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32,fd00::/64\"} 5678"));
	CHECK(has(out, "wireguard_peer_allowed_ips_info", "device=\"wg0\",", f.k1,
	          ",allowed_ips=\"fd00::/64\",family=\"IPv6\"} 1"));
	free(out);
	/* read again with one allowed IP less: the label follows */
	fixture_snapshot(&f, 10, true);
	d = wg_snapshot_find(&f.snap, "wg0");
	d->nips = 1;
	d->peers[0].nips = d->peers[0].ips_total = 1;
	CHECK_INT(peers_update(f.t, &f.snap, &f.now, sink_metrics_event, &f.m), 0);
	out = render(&f);
	CHECK(has(out, "wireguard_sent_bytes_total", "interface=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32\"} 5678"));
	CHECK_CONTAINS(out, "\nwg_monitor_peers_allowed_ips_truncated 0\n");
	free(out);
	/* peer 1 removed and added again (handshake back to 0): its history goes, its
	 * allowed IPs are this reading's (no leak of the old copy: ASan) */
	fixture_snapshot(&f, T0 / 1000, true);
	CHECK_INT(peers_update(f.t, &f.snap, &f.now, sink_metrics_event, &f.m), 0);
	out = render(&f);
	CHECK(has(out, "wireguard_latest_handshake_seconds", "interface=\"wg0\",", f.k1,
	          ",allowed_ips=\"10.0.0.1/32,fd00::/64\"} 0"));
	free(out);
	fixture_fini(&f);
}

static void test_compat(void)
{
	static const struct { enum metrics_compat c; bool mdl, mf; } cases[] = {
		{ MC_MDLAYHER, true, false }, { MC_MINDFLAVOR, false, true }, { MC_NONE, false, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;
		fixture_init(&f, cases[i].c);
		char *out = render(&f);
		CHECK(exposition_ok(out));
		CHECK(!!strstr(out, "\nwireguard_peer_info{") == cases[i].mdl);
		CHECK(!!strstr(out, "\nwireguard_device_info{") == cases[i].mdl);
		CHECK(!!strstr(out, "\nwireguard_peer_last_handshake_seconds{") == cases[i].mdl);
		CHECK(!!strstr(out, "\nwireguard_sent_bytes_total{") == cases[i].mf);
		CHECK(!!strstr(out, "\nwireguard_latest_handshake_seconds{") == cases[i].mf);
		CHECK_CONTAINS(out, "\nwg_monitor_peer_up{");
		free(out);
		fixture_fini(&f);
	}
}

/* Peer 1 goes offline, then peer 2 leaves its interface: a transition counted from the
 * event, and peer 2's every series gone at the next scrape. */
static void test_transition_and_removal(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	f.now.real_ms += 300000;
	f.now.mono_ms += 300000;
	fixture_poll(&f, 300, true);
	char *out = render(&f);
	CHECK(has(out, "wg_monitor_peer_up", "device=\"wg0\",", f.k1, "} 0"));
	CHECK(has(out, "wg_monitor_peer_transitions_total", "device=\"wg0\",", f.k1, "} 1"));
	CHECK(has(out, "wg_monitor_peer_state_since_seconds", "device=\"wg0\",", f.k1,
	          "} 1795643592.000"));   /* offline since its handshake (T0 - 300 s) + 180 s */
	uint8_t key[WG_KEY_LEN];
	memset(key, 1, sizeof(key));
	CHECK_INT(sink_metrics_transitions(&f.m, "wg0", key), 1);
	CHECK_INT(sink_metrics_transitions(&f.m, "wg1", key), 0);
	CHECK(strstr(out, f.k2) != NULL);
	free(out);
	f.now.real_ms += 30000;
	f.now.mono_ms += 30000;
	fixture_poll(&f, 330, false);
	out = render(&f);
	CHECK(exposition_ok(out));
	CHECK(strstr(out, f.k2) == NULL);
	CHECK(strstr(out, f.k1) != NULL);
	CHECK_CONTAINS(out, "\nwg_monitor_peers{device=\"wg0\",state=\"never\"} 0\n");
	free(out);
	fixture_fini(&f);
}

static void test_page(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	f.now.real_ms += 300000;
	f.now.mono_ms += 300000;
	fixture_poll(&f, 300, true);
	struct http_buf b = { 0 };
	metrics_page(&f.m, &f.now, &b);
	CHECK(!b.failed);
	CHECK(b.p && !strstr(b.p, "<script"));
	CHECK_CONTAINS(b.p, "<meta http-equiv=\"refresh\" content=\"30\">");
	CHECK_CONTAINS(b.p, "<a href=\"/metrics\">");
	CHECK_CONTAINS(b.p, "<td>(invalid)</td>");
	const char *off = strstr(b.p, "<tr class=\"offline\">");
	const char *never = strstr(b.p, "<tr class=\"never\">");
	const char *on = strstr(b.p, "<tr class=\"online\">");
	CHECK(off && never && on && off < never && never < on);
	CHECK_CONTAINS(b.p, "<p>3 peers.</p>");
	CHECK_CONTAINS(b.p, "<td>offline</td><td>5m 10s ago</td><td>10m 0s ago</td>");
	CHECK_CONTAINS(b.p, "<td>online</td><td>5s ago</td><td>5s ago</td>");
	CHECK_CONTAINS(b.p, "<td>never</td><td>never</td><td>never</td>");
	http_buf_free(&b);
	const char *ctype = NULL;
	http_body_fn *body = NULL;
	struct metrics_cursor cur = { 0 };
	CHECK_INT(metrics_http(&f.m, "/metrics", 8, &cur, &ctype, &body), 200);
	CHECK_STR(ctype, "text/plain; version=0.0.4; charset=utf-8");
	CHECK(body != NULL && !cur.page);
	CHECK_INT(metrics_http(&f.m, "/", 1, &cur, &ctype, &body), 200);
	CHECK_STR(ctype, "text/html; charset=utf-8");
	CHECK(cur.page);
	body = NULL;
	CHECK_INT(metrics_http(&f.m, "/metrics/", 9, &cur, &ctype, &body), 404);
	CHECK(body == NULL);
	fixture_fini(&f);
}

/* ------------------------------------------------------------------ streamed in parts */

/* One poll of the fixture's peers and peers [from, to) but [gap, gap_end) (wg0, or wg1
 * for every third; each with an allowed IP and a handshake for odd ones). */
static void poll_many(struct fixture *f, unsigned from, unsigned to, unsigned gap,
                      unsigned gap_end)
{
	fixture_snapshot(f, 10, true);
	for (unsigned i = from; i < to; i++) {
		if (i >= gap && i < gap_end)
			continue;
		const char *dev = i % 3 ? "wg0" : "wg1";
		struct wg_peer *p = fix_peer(&f->snap, dev, 0x40);
		p->public_key[0] = (uint8_t)(i >> 8);
		p->public_key[1] = (uint8_t)i;
		p->last_handshake_sec = i % 2 ? f->now.real_ms / 1000 - 20 : 0;
		char ip[32];
		snprintf(ip, sizeof(ip), "10.1.%u.%u/32", i >> 8, i & 255);
		fix_allowed(&f->snap, dev, p, ip);
	}
	CHECK_INT(peers_update(f->t, &f->snap, &f->now, sink_metrics_event, &f->m), 0);
	struct event ev = event_new(EV_POLL, f->now.real_ms, NULL);
	sink_metrics_event(&f->m, &ev);
}

/* The next part into a fresh buffer of size bytes, appended to all; the part's answer. */
static int part(struct fixture *f, struct metrics_cursor *cur, size_t size, struct http_buf *all)
{
	char *buf = malloc(size);
	struct http_buf b = { .p = buf, .cap = size, .fixed = true };
	int rc = cur->page ? metrics_page_part(&f->m, cur, &f->now, &b)
	                   : metrics_render_part(&f->m, cur, &f->now, &b);
	CHECK(b.len < size);
	http_append(all, buf, b.len);
	free(buf);
	return rc;
}

/* Every part size gives the text written whole, /metrics and the page. */
static void test_parts_equal_whole(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	poll_many(&f, 0, 700, 0, 0);
	for (int page = 0; page <= 1; page++) {
		struct http_buf whole = { 0 };
		if (page)
			metrics_page(&f.m, &f.now, &whole);
		else
			metrics_render(&f.m, &f.now, &whole);
		CHECK(!whole.failed && whole.len > 100000);
		for (size_t size = 2048; size <= HTTP_PART_MIN; size *= 4) {
			struct metrics_cursor cur = { .page = page };
			struct http_buf all = { 0 };
			int rc, parts = 0;
			while ((rc = part(&f, &cur, size, &all)) > 0)
				parts++;
			CHECK_INT(rc, 0);
			CHECK(parts >= (int)(whole.len / size));
			CHECK(all.len == whole.len && memcmp(all.p, whole.p, whole.len) == 0);
			http_buf_free(&all);
		}
		http_buf_free(&whole);
	}
	struct metrics_cursor cur = { 0 };
	struct http_buf all = { 0 };
	CHECK_INT(part(&f, &cur, 64, &all), -E2BIG);   /* no unit fits: an error, not a loop */
	http_buf_free(&all);
	fixture_fini(&f);
}

/* Lines of text that begin with prefix. */
static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	for (const char *s = text; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		n += strncmp(s, prefix, len) == 0;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Series lines of text (NAME{LABELS}, the value cut off) that appear more than once. */
static size_t duplicate_series(char *text)
{
	size_t n = 0, cap = 0, dups = 0;
	char **lines = NULL;
	for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
		if (s[0] == '#')
			continue;
		char *sp = strrchr(s, ' ');
		if (sp)
			*sp = '\0';
		if (n == cap)
			lines = realloc(lines, (cap = cap ? 2 * cap : 1024) * sizeof(*lines));
		lines[n++] = s;
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 1; i < n; i++)
		dups += strcmp(lines[i - 1], lines[i]) == 0;
	free(lines);
	return dups;
}

/* Whether promtool accepts text (SKIPPED, said loudly, when it is not installed). */
static bool promtool_ok(const char *text, size_t len)
{
	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		printf("# SKIPPED: promtool not installed (Debian package prometheus): not run\n");
		return true;
	}
	char path[] = "/tmp/wgm-test-metrics-XXXXXX";
	int fd = mkstemp(path);
	bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "promtool check metrics <%s >/dev/null 2>&1", path);
	ok = ok && system(cmd) == 0;
	unlink(path);
	return ok;
}

/* Polls while responses are half written: peers removed after each cursor, others added
 * on both sides, those already written kept, the table's positions all moved. The pages
 * stay well-formed, no series twice (Prometheus would reject the scrape), every peer that
 * stayed listed once in every family, and the orders are rebuilt once per change, not per
 * response. */
static void test_poll_mid_response(void)
{
	struct fixture f;
	fixture_init(&f, MC_BOTH);
	poll_many(&f, 200, 800, 0, 0);
	struct metrics_cursor cur[3] = { { 0 }, { 0 }, { .page = true } };
	struct http_buf out[3] = { { 0 }, { 0 }, { 0 } };
	int rc[3] = { 1, 1, 1 }, first[3] = { 4, 40, 10 };   /* each in a family of peers */
	for (int k = 0; k < 3; k++)
		for (int p = 0; p < first[k] && rc[k] > 0; p++)
			rc[k] = part(&f, &cur[k], 4096, &out[k]);
	for (int k = 0; k < 3; k++)
		CHECK(rc[k] > 0 && cur[k].any);
	poll_many(&f, 100, 900, 450, 550);   /* 100..199 and 800..899 new, 450..549 gone */
	CHECK(!f.m.order[MO_KEY].built);
	for (int k = 0; k < 3; k++)
		for (int p = 0; p < 30 && rc[k] > 0; p++)
			rc[k] = part(&f, &cur[k], 4096, &out[k]);
	CHECK(f.m.order[MO_KEY].built && f.m.order[MO_KEY].n == 703);
	poll_many(&f, 150, 900, 500, 600);
	for (int k = 0; k < 3; k++) {
		while (rc[k] > 0)
			rc[k] = part(&f, &cur[k], 4096, &out[k]);
		CHECK_INT(rc[k], 0);
	}
	for (int k = 0; k < 2; k++) {
		CHECK(exposition_ok(out[k].p));
		CHECK(promtool_ok(out[k].p, out[k].len));
		/* peer 400 (its key starts AZBA) was in every poll */
		CHECK_INT(count_lines(out[k].p, "wg_monitor_peer_up{device=\"wg0\",public_key=\"AZBA"), 1);
		CHECK_INT(count_lines(out[k].p, "wireguard_peer_info{device=\"wg0\",public_key=\"AZBA"), 1);
		CHECK_INT(count_lines(out[k].p, "# TYPE wg_monitor_peer_up "), 1);
		CHECK_INT(duplicate_series(out[k].p), 0);
	}
	CHECK_CONTAINS(out[2].p, "</html>\n");
	CHECK_INT(count_lines(out[2].p, "<tr class=\"offline\"><td>wg0</td><td><code>AZBA"), 0);
	CHECK_INT(count_lines(out[2].p, "<tr class=\"never\"><td>wg0</td><td><code>AZBA"), 1);
	for (int k = 0; k < 3; k++)
		http_buf_free(&out[k]);
	fixture_fini(&f);
}

TEST_MAIN(test_both_families, test_allowed_ips_bound, test_compat, test_transition_and_removal,
          test_page, test_parts_equal_whole, test_poll_mid_response)
