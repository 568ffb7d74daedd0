// SPDX-License-Identifier: MIT
/* /metrics in the Prometheus text exposition format 0.0.4: the two exporters' families
 * that dashboards already query (mdlayher/wireguard_exporter, MindFlavor's
 * prometheus_wireguard_exporter), with their names and semantics, then wg-monitor's own. */
#include <inttypes.h>
#include <string.h>

#include "sink_hooks.h"
#include "sink_metrics.h"
#include "util.h"

#define AS_OF " As of wg-monitor's last poll; a scrape never polls."

enum { F_MDL = 1, F_MF = 2, F_OWN = 4 };

enum fam_labels { LB_DEVICE, LB_INTERFACE };
enum fam_value { FV_RX, FV_TX, FV_HANDSHAKE, FV_UP, FV_HEARD, FV_SINCE, FV_FAILING, FV_TRANS };

/* A family with one value series per peer. */
struct family {
	unsigned set;
	const char *name, *type, *help;
	enum fam_labels labels;
	enum fam_value value;
};

static const struct family peer_families[] = {
	{ F_MDL, "wireguard_peer_receive_bytes_total", "counter",
	  "Number of bytes received from a given peer.", LB_DEVICE, FV_RX },
	{ F_MDL, "wireguard_peer_transmit_bytes_total", "counter",
	  "Number of bytes transmitted to a given peer.", LB_DEVICE, FV_TX },
	{ F_MDL, "wireguard_peer_last_handshake_seconds", "gauge",
	  "UNIX timestamp for the last handshake with a given peer (0: never).", LB_DEVICE,
	  FV_HANDSHAKE },
	{ F_MF, "wireguard_sent_bytes_total", "counter", "Bytes sent to the peer.",
	  LB_INTERFACE, FV_TX },
	{ F_MF, "wireguard_received_bytes_total", "counter", "Bytes received from the peer.",
	  LB_INTERFACE, FV_RX },
	{ F_MF, "wireguard_latest_handshake_seconds", "gauge",
	  "Seconds from the last handshake: a UNIX timestamp (0: never).", LB_INTERFACE,
	  FV_HANDSHAKE },
	{ F_OWN, "wg_monitor_peer_up", "gauge",
	  "1 if the peer is online by wg-monitor's rule, else 0.", LB_DEVICE, FV_UP },
	{ F_OWN, "wg_monitor_peer_last_heard_seconds", "gauge",
	  "UNIX timestamp the peer was last heard from: a handshake or received data "
	  "(0: never).", LB_DEVICE, FV_HEARD },
	{ F_OWN, "wg_monitor_peer_state_since_seconds", "gauge",
	  "UNIX timestamp the peer entered its current state.", LB_DEVICE, FV_SINCE },
	{ F_OWN, "wg_monitor_peer_handshake_failing", "gauge",
	  "1 while the peer sends handshakes that get no answer (handshake_failing), else 0.",
	  LB_DEVICE, FV_FAILING },
	{ F_OWN, "wg_monitor_peer_transitions_total", "counter",
	  "Times the peer went online or offline since wg-monitor started.", LB_DEVICE,
	  FV_TRANS },
};

static unsigned families_of(enum metrics_compat c)
{
	static const unsigned sets[] = {
		[MC_BOTH] = F_MDL | F_MF | F_OWN, [MC_MDLAYHER] = F_MDL | F_OWN,
		[MC_MINDFLAVOR] = F_MF | F_OWN, [MC_NONE] = F_OWN,
	};
	return (unsigned)c < ARRAY_SIZE(sets) ? sets[c] : F_OWN;
}

static void header(struct http_buf *b, const char *name, const char *type, const char *help)
{
	http_printf(b, "# HELP %s %s" AS_OF "\n# TYPE %s %s\n", name, help, name, type);
}

/* Labels of a peer's series: 64 allowed IPs joined, a name escaped, and the rest. */
#define LABELS_SIZE (WG_ALLOWEDIPS_KEEP * ALLOWEDIP_TEXT_SIZE + 4 * PEER_NAME_SIZE + 256)

/* device="wg0",public_key="..." (or, for MindFlavor's, interface=, public_key=, then
 * allowed_ips= as wg(8) prints them, and friendly_name= when the peer has a name). */
static void peer_labels(char *out, size_t size, const struct peer_view *v,
                        const struct allowed_ips *ips, enum fam_labels lb)
{
	char key[WG_KEY_B64_LEN], dev[2 * WG_IFNAME_SIZE + 3];
	key_to_base64(key, v->key);
	text_label(dev, sizeof(dev), v->ifname, strnlen(v->ifname, sizeof(v->ifname)));
	int n = snprintf(out, size, "%s=%s,public_key=\"%s\"",
	                 lb == LB_DEVICE ? "device" : "interface", dev, key);
	if (lb == LB_INTERFACE && n > 0 && (size_t)n + 16 < size) {
		/* addresses need no escaping: digits, hex letters, '.', ':', '/' and ',' */
		memcpy(out + n, ",allowed_ips=\"", 14);
		n += 14;
		if (ips) /* none given: an empty label rather than a NULL dereference */
			n += (int)allowed_ips_join(out + n, size - (size_t)n - 1, ips);
		out[n++] = '"';
		out[n] = '\0';
	}
	if (lb == LB_INTERFACE && v->name[0] && n > 0 && (size_t)n < size) {
		char name[4 * PEER_NAME_SIZE + 3];
		text_label(name, sizeof(name), v->name, strnlen(v->name, sizeof(v->name)));
		snprintf(out + n, size - (size_t)n, ",friendly_name=%s", name);
	}
}

/* The value of f for v as text; false when it has none (a state since an unknown time). */
static bool peer_value(const struct sink_metrics *m, const struct clocks *now,
                       const struct peer_view *v, enum fam_value f, char *out, size_t size)
{
	switch (f) {
	case FV_RX: snprintf(out, size, "%" PRIu64, v->rx_bytes); return true;
	case FV_TX: snprintf(out, size, "%" PRIu64, v->tx_bytes); return true;
	case FV_HANDSHAKE: snprintf(out, size, "%" PRId64, v->handshake_ms / 1000); return true;
	case FV_UP: snprintf(out, size, "%d", v->state == PEER_ONLINE); return true;
	case FV_HEARD:
		snprintf(out, size, "%" PRId64 ".%03d", v->heard_ms / 1000, (int)(v->heard_ms % 1000));
		return true;
	case FV_SINCE: {
		int64_t t = now->real_ms - v->since_age_ms;
		snprintf(out, size, "%" PRId64 ".%03d", t / 1000, (int)(t % 1000));
		return v->since_age_ms >= 0 && t >= 0;
	}
	case FV_FAILING: snprintf(out, size, "%d", v->failing_age_ms >= 0); return true;
	case FV_TRANS:
		snprintf(out, size, "%" PRIu64, sink_metrics_transitions(m, v->ifname, v->key));
		return true;
	}
	return false;
}

/* The i-th peer a scrape shows: restored ones not yet polled are not shown. */
static bool shown(const struct sink_metrics *m, size_t i, const struct clocks *now,
                  struct peer_view *v, bool *more)
{
	*more = peers_view(m->peers, i, now, v);
	return *more && !v->restored;
}

static void peer_family(const struct sink_metrics *m, const struct clocks *now,
                        const struct family *f, struct http_buf *b)
{
	struct peer_view v;
	char labels[LABELS_SIZE], val[48];
	bool more = true;
	header(b, f->name, f->type, f->help);
	for (size_t i = 0; more; i++) {
		if (!shown(m, i, now, &v, &more) || !peer_value(m, now, &v, f->value, val, sizeof(val)))
			continue;
		peer_labels(labels, sizeof(labels), &v, peers_allowed_ips(m->peers, i), f->labels);
		http_printf(b, "%s{%s} %s\n", f->name, labels, val);
	}
}

/* wireguard_peer_allowed_ips_info: one series per allowed IP kept (wg.h's bound). */
static void allowed_ips_family(const struct sink_metrics *m, const struct clocks *now,
                               struct http_buf *b)
{
	struct peer_view v;
	char labels[LABELS_SIZE], ip[ALLOWEDIP_TEXT_SIZE];
	bool more = true;
	header(b, "wireguard_peer_allowed_ips_info", "gauge", "Metadata about each of a peer's "
	       "allowed IP subnets for a given device (the first 64 of a peer).");
	for (size_t i = 0; more; i++) {
		if (!shown(m, i, now, &v, &more))
			continue;
		const struct allowed_ips *ips = peers_allowed_ips(m->peers, i);
		peer_labels(labels, sizeof(labels), &v, NULL, LB_DEVICE);
		for (uint32_t j = 0; j < ips->n; j++) {
			allowedip_text(ip, &ips->v[j]);
			http_printf(b, "wireguard_peer_allowed_ips_info{%s,allowed_ips=\"%s\","
			            "family=\"%s\"} 1\n", labels, ip, allowedip_family(&ips->v[j]));
		}
	}
}

/* Peers whose allowed IPs were more than the series above list. */
static void allowed_ips_truncated(const struct sink_metrics *m, struct http_buf *b)
{
	const struct allowed_ips *ips;
	size_t n = 0;
	for (size_t i = 0; (ips = peers_allowed_ips(m->peers, i)); i++)
		n += ips->total > ips->n;
	header(b, "wg_monitor_peers_allowed_ips_truncated", "gauge",
	       "Peers with more allowed IPs than the 64 that allowed_ips labels list.");
	http_printf(b, "wg_monitor_peers_allowed_ips_truncated %zu\n", n);
}

/* wireguard_peer_info / wg_monitor_peer_info: the names and endpoints, value 1. */
static void info_family(const struct sink_metrics *m, const struct clocks *now,
                        const char *name, const char *help, struct http_buf *b)
{
	struct peer_view v;
	char labels[LABELS_SIZE], ep[4 * WG_ENDPOINT_SIZE + 3], nm[4 * PEER_NAME_SIZE + 3];
	bool more = true;
	header(b, name, "gauge", help);
	for (size_t i = 0; more; i++) {
		if (!shown(m, i, now, &v, &more))
			continue;
		peer_labels(labels, sizeof(labels), &v, NULL, LB_DEVICE);
		text_label(ep, sizeof(ep), v.endpoint, strnlen(v.endpoint, sizeof(v.endpoint)));
		text_label(nm, sizeof(nm), v.name, strnlen(v.name, sizeof(v.name)));
		http_printf(b, "%s{%s,endpoint=%s,name=%s} 1\n", name, labels, ep, nm);
	}
}

static void state_family(const struct sink_metrics *m, const struct clocks *now,
                         struct http_buf *b)
{
	struct peer_view v;
	char labels[LABELS_SIZE];
	bool more = true;
	header(b, "wg_monitor_peer_state", "gauge",
	       "1 for the peer's state (never, online, offline), 0 for the others.");
	for (size_t i = 0; more; i++) {
		if (!shown(m, i, now, &v, &more))
			continue;
		peer_labels(labels, sizeof(labels), &v, NULL, LB_DEVICE);
		for (int s = 0; s < PEER_STATES; s++)
			http_printf(b, "wg_monitor_peer_state{%s,state=\"%s\"} %d\n", labels,
			            peer_state_words[s], (int)v.state == s);
	}
}

static void device_info(const struct sink_metrics *m, struct http_buf *b)
{
	header(b, "wireguard_device_info", "gauge", "Metadata about a device.");
	for (size_t i = 0; m->snap && i < m->snap->ndevs; i++) {
		const struct wg_device *d = &m->snap->devs[i];
		char key[WG_KEY_B64_LEN], dev[2 * WG_IFNAME_SIZE + 3];
		if (!d->has_public_key)
			continue;
		key_to_base64(key, d->public_key);
		text_label(dev, sizeof(dev), d->name, strnlen(d->name, sizeof(d->name)));
		http_printf(b, "wireguard_device_info{device=%s,public_key=\"%s\"} 1\n", dev, key);
	}
}

static void peers_by_state(const struct sink_metrics *m, struct http_buf *b)
{
	header(b, "wg_monitor_peers", "gauge", "Peers of an interface in each state.");
	for (size_t i = 0; peers_interface(m->peers, i); i++) {
		const char *ifname = peers_interface(m->peers, i);
		char dev[2 * WG_IFNAME_SIZE + 3];
		struct peer_counts c = peers_count(m->peers, ifname);
		size_t n[PEER_STATES] = { [PEER_NEVER] = c.never, [PEER_ONLINE] = c.online,
		                          [PEER_OFFLINE] = c.offline };
		text_label(dev, sizeof(dev), ifname, strnlen(ifname, WG_IFNAME_SIZE));
		for (int s = 0; s < PEER_STATES; s++)
			http_printf(b, "wg_monitor_peers{device=%s,state=\"%s\"} %zu\n", dev,
			            peer_state_words[s], n[s]);
	}
}

static void poll_errors(const struct sink_metrics *m, struct http_buf *b)
{
	uint64_t apart = 0;
	header(b, "wg_monitor_poll_errors_total", "counter",
	       "Polls that failed, by interface; device=\"\": the poll as a whole, or an "
	       "interface past the first 64.");
	for (size_t i = 0; i < m->nerrs; i++) {
		char dev[2 * WG_IFNAME_SIZE + 3];
		text_label(dev, sizeof(dev), m->errs[i].ifname, strnlen(m->errs[i].ifname,
		           WG_IFNAME_SIZE));
		http_printf(b, "wg_monitor_poll_errors_total{device=%s} %" PRIu64 "\n", dev,
		            m->errs[i].n);
		apart += m->errs[i].n;
	}
	uint64_t all = m->totals ? m->totals->poll_errors : apart;
	http_printf(b, "wg_monitor_poll_errors_total{device=\"\"} %" PRIu64 "\n",
	            all > apart ? all - apart : 0);
}

/* The hooks' runs by result and the events they dropped (SPEC §11), when hooks are on. */
static void hook_families(const struct hook_totals *t, struct http_buf *b)
{
	header(b, "wg_monitor_hook_runs_total", "counter",
	       "Runs of the ON_CHANGE hook by result: ok, failed (non-zero exit, signal, not "
	       "started), timeout (killed at its limit).");
	for (int r = 0; r < HOOK_RESULTS; r++)
		http_printf(b, "wg_monitor_hook_runs_total{result=\"%s\"} %" PRIu64 "\n",
		            hook_result_names[r], t->runs[r]);
	header(b, "wg_monitor_hooks_dropped_total", "counter",
	       "Events whose hook was not run (queue full, or the daemon stopped).");
	http_printf(b, "wg_monitor_hooks_dropped_total %" PRIu64 "\n", t->dropped);
}

static void daemon_families(const struct sink_metrics *m, struct http_buf *b)
{
	peers_by_state(m, b);
	allowed_ips_truncated(m, b);
	poll_errors(m, b);
	header(b, "wg_monitor_polls_total", "counter", "Polls since wg-monitor started.");
	http_printf(b, "wg_monitor_polls_total %" PRIu64 "\n", m->totals ? m->totals->polls : 0);
	header(b, "wg_monitor_poll_duration_seconds", "gauge", "How long the last poll took.");
	http_printf(b, "wg_monitor_poll_duration_seconds %" PRId64 ".%03d\n", m->poll_ms / 1000,
	            (int)(m->poll_ms % 1000));
	header(b, "wg_monitor_last_poll_timestamp_seconds", "gauge",
	       "UNIX timestamp the last poll ended (0: none yet).");
	http_printf(b, "wg_monitor_last_poll_timestamp_seconds %" PRId64 ".%03d\n",
	            m->poll_real_ms / 1000, (int)(m->poll_real_ms % 1000));
	header(b, "wg_monitor_build_info", "gauge", "wg-monitor's version, value 1.");
	http_printf(b, "wg_monitor_build_info{version=\"%s\"} 1\n", WG_MONITOR_VERSION);
	if (m->hooks)
		hook_families(m->hooks, b);
}

void metrics_render(const struct sink_metrics *m, const struct clocks *now, struct http_buf *b)
{
	unsigned set = families_of(m->compat);
	if (set & F_MDL) {
		device_info(m, b);
		info_family(m, now, "wireguard_peer_info", "Metadata about a peer. The public_key "
		            "label on peer metrics refers to the peer's public key; not the "
		            "device's public key.", b);
		allowed_ips_family(m, now, b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(peer_families); i++)
		if (set & peer_families[i].set)
			peer_family(m, now, &peer_families[i], b);
	info_family(m, now, "wg_monitor_peer_info", "The peer's name and endpoint, value 1: "
	            "join on device and public_key.", b);
	state_family(m, now, b);
	daemon_families(m, b);
}
