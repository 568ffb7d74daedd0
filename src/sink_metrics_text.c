// SPDX-License-Identifier: MIT
/* /metrics in the Prometheus text exposition format 0.0.4: the two exporters' families
 * that dashboards already query (mdlayher/wireguard_exporter, MindFlavor's
 * prometheus_wireguard_exporter), with their names and semantics, then wg-monitor's own;
 * written family by family, peer by peer, in parts (sink_metrics_order.c says how). */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sink_hooks.h"
#include "sink_metrics_impl.h"
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


#define NFAM 11
static_assert(ARRAY_SIZE(peer_families) == NFAM, "the sections below count them");

/* The sections of /metrics, in order; S_FAMILY + i is peer_families[i]. */
enum { S_DEVICES, S_MDL_INFO, S_ALLOWED, S_FAMILY, S_OWN_INFO = S_FAMILY + NFAM, S_STATE,
       S_BY_STATE, S_TRUNCATED, S_ERRORS, S_TAIL, S_END };

static unsigned section_set(unsigned s)
{
	if (s <= S_ALLOWED)
		return F_MDL;
	if (s < S_OWN_INFO)
		return peer_families[s - S_FAMILY].set;
	return F_OWN;
}

/* ------------------------------------------------------------------ a peer's lines */

/* One peer's lines of a section (arg: its family or its name). */
typedef void peer_lines(struct sink_metrics *m, const struct clocks *now,
                        const struct peer_view *v, size_t i, const void *arg,
                        struct http_buf *b);

static void value_lines(struct sink_metrics *m, const struct clocks *now,
                        const struct peer_view *v, size_t i, const void *arg,
                        struct http_buf *b)
{
	const struct family *f = arg;
	char labels[LABELS_SIZE], val[48];
	if (!peer_value(m, now, v, f->value, val, sizeof(val)))
		return;
	peer_labels(labels, sizeof(labels), v, peers_allowed_ips(m->peers, i), f->labels);
	http_printf(b, "%s{%s} %s\n", f->name, labels, val);
}

/* wireguard_peer_allowed_ips_info: one series per allowed IP kept (wg.h's bound). */
static void allowed_ips_lines(struct sink_metrics *m, const struct clocks *now,
                              const struct peer_view *v, size_t i, const void *arg,
                              struct http_buf *b)
{
	char labels[LABELS_SIZE], ip[ALLOWEDIP_TEXT_SIZE];
	const struct allowed_ips *ips = peers_allowed_ips(m->peers, i);
	(void)now;
	(void)arg;
	peer_labels(labels, sizeof(labels), v, NULL, LB_DEVICE);
	for (uint32_t j = 0; ips && j < ips->n; j++) {
		allowedip_text(ip, &ips->v[j]);
		http_printf(b, "wireguard_peer_allowed_ips_info{%s,allowed_ips=\"%s\","
		            "family=\"%s\"} 1\n", labels, ip, allowedip_family(&ips->v[j]));
	}
}

/* wireguard_peer_info / wg_monitor_peer_info: the names and endpoints, value 1. */
static void info_lines(struct sink_metrics *m, const struct clocks *now,
                       const struct peer_view *v, size_t i, const void *arg,
                       struct http_buf *b)
{
	char labels[LABELS_SIZE], ep[4 * WG_ENDPOINT_SIZE + 3], nm[4 * PEER_NAME_SIZE + 3];
	(void)m;
	(void)now;
	(void)i;
	peer_labels(labels, sizeof(labels), v, NULL, LB_DEVICE);
	text_label(ep, sizeof(ep), v->endpoint, strnlen(v->endpoint, sizeof(v->endpoint)));
	text_label(nm, sizeof(nm), v->name, strnlen(v->name, sizeof(v->name)));
	http_printf(b, "%s{%s,endpoint=%s,name=%s} 1\n", (const char *)arg, labels, ep, nm);
}

static void state_lines(struct sink_metrics *m, const struct clocks *now,
                        const struct peer_view *v, size_t i, const void *arg,
                        struct http_buf *b)
{
	char labels[LABELS_SIZE];
	(void)m;
	(void)now;
	(void)i;
	(void)arg;
	peer_labels(labels, sizeof(labels), v, NULL, LB_DEVICE);
	for (int s = 0; s < PEER_STATES; s++)
		http_printf(b, "wg_monitor_peer_state{%s,state=\"%s\"} %d\n", labels,
		            peer_state_words[s], (int)v->state == s);
}

/* A section of one header and each shown peer's lines, in (interface, key) order. */
static int peer_section(struct sink_metrics *m, struct metrics_cursor *cur,
                        const struct clocks *now, struct http_buf *b, const struct family *f,
                        peer_lines *lines, const void *arg)
{
	struct peer_view v;
	size_t i, mark = b->len;
	int rc;
	if (cur->stage == 0) {
		header(b, f->name, f->type, f->help);
		if (!unit_end(b, mark))
			return SEC_FULL;
		cur->stage = 1;
	}
	while ((rc = order_next(m, cur, MO_KEY, now, &v, &i)) > 0) {
		mark = b->len;
		lines(m, now, &v, i, arg, b);
		if (!unit_end(b, mark))
			return SEC_FULL;
		order_passed(cur, MO_KEY, &v);
	}
	return rc < 0 ? rc : SEC_DONE;
}

static const struct family info_mdl = { F_MDL, "wireguard_peer_info", "gauge",
	"Metadata about a peer. The public_key label on peer metrics refers to the peer's "
	"public key; not the device's public key.", LB_DEVICE, FV_UP };
static const struct family info_own = { F_OWN, "wg_monitor_peer_info", "gauge",
	"The peer's name and endpoint, value 1: join on device and public_key.", LB_DEVICE,
	FV_UP };
static const struct family allowed_fam = { F_MDL, "wireguard_peer_allowed_ips_info",
	"gauge", "Metadata about each of a peer's allowed IP subnets for a given device (the "
	"first 64 of a peer).", LB_DEVICE, FV_UP };
static const struct family state_fam = { F_OWN, "wg_monitor_peer_state", "gauge",
	"1 for the peer's state (never, online, offline), 0 for the others.", LB_DEVICE, FV_UP };

/* ------------------------------------------------------------------ by interface */

/* An interface-named list: the name of item i, NULL past the end, "" to skip it. */
typedef const char *name_at(const struct sink_metrics *m, size_t i);

/* The item after the cursor's in name order (interfaces come and go between parts, so
 * their position is not a place): its index, or -1. A scan per item; they are few. */
static long next_named(const struct sink_metrics *m, const struct metrics_cursor *cur,
                       name_at *at)
{
	const char *best = NULL, *s;
	long bi = -1;
	for (size_t i = 0; (s = at(m, i)); i++) {
		if (!s[0] || (cur->any && strncmp(s, cur->last.ifname, WG_IFNAME_SIZE) <= 0))
			continue;
		if (!best || strncmp(s, best, WG_IFNAME_SIZE) < 0) {
			best = s;
			bi = (long)i;
		}
	}
	return bi;
}

static void named_passed(struct metrics_cursor *cur, const char *name)
{
	memset(cur->last.ifname, 0, sizeof(cur->last.ifname));
	memcpy(cur->last.ifname, name, strnlen(name, sizeof(cur->last.ifname) - 1));
	cur->any = true;
}

static const char *device_at(const struct sink_metrics *m, size_t i)
{
	if (!m->snap || i >= m->snap->ndevs)
		return NULL;
	return m->snap->devs[i].has_public_key ? m->snap->devs[i].name : "";
}

static const char *interface_at(const struct sink_metrics *m, size_t i)
{
	return peers_interface(m->peers, i);
}

static const char *errdev_at(const struct sink_metrics *m, size_t i)
{
	return i < m->nerrs ? m->errs[i].ifname : NULL;
}

static void device_line(const struct sink_metrics *m, size_t i, struct http_buf *b)
{
	const struct wg_device *d = &m->snap->devs[i];
	char key[WG_KEY_B64_LEN], dev[2 * WG_IFNAME_SIZE + 3];
	key_to_base64(key, d->public_key);
	text_label(dev, sizeof(dev), d->name, strnlen(d->name, sizeof(d->name)));
	http_printf(b, "wireguard_device_info{device=%s,public_key=\"%s\"} 1\n", dev, key);
}

static void by_state_lines(const struct sink_metrics *m, size_t i, struct http_buf *b)
{
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

static void errors_line(const struct sink_metrics *m, size_t i, struct http_buf *b)
{
	char dev[2 * WG_IFNAME_SIZE + 3];
	text_label(dev, sizeof(dev), m->errs[i].ifname, strnlen(m->errs[i].ifname,
	           WG_IFNAME_SIZE));
	http_printf(b, "wg_monitor_poll_errors_total{device=%s} %" PRIu64 "\n", dev,
	            m->errs[i].n);
}

/* A section of one header and a unit per named item, in name order. */
static int named_section(const struct sink_metrics *m, struct metrics_cursor *cur,
                         struct http_buf *b, const char *const hdr[3], name_at *at,
                         void (*unit)(const struct sink_metrics *, size_t, struct http_buf *))
{
	size_t mark = b->len;
	long i;
	if (cur->stage == 0) {
		header(b, hdr[0], hdr[1], hdr[2]);
		if (!unit_end(b, mark))
			return SEC_FULL;
		cur->stage = 1;
	}
	while ((i = next_named(m, cur, at)) >= 0) {
		mark = b->len;
		unit(m, (size_t)i, b);
		if (!unit_end(b, mark))
			return SEC_FULL;
		named_passed(cur, at(m, (size_t)i));
	}
	return SEC_DONE;
}

static const char *const devices_hdr[3] = { "wireguard_device_info", "gauge",
	"Metadata about a device." };
static const char *const by_state_hdr[3] = { "wg_monitor_peers", "gauge",
	"Peers of an interface in each state." };
static const char *const errors_hdr[3] = { "wg_monitor_poll_errors_total", "counter",
	("Polls that failed, by interface; device=\"\": the poll as a whole, or an interface "
	 "past the first 64.") };

/* ------------------------------------------------------------------ the daemon's own */

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

/* The poll errors not counted by interface above. */
static void errors_rest(const struct sink_metrics *m, struct http_buf *b)
{
	uint64_t apart = 0;
	for (size_t i = 0; i < m->nerrs; i++)
		apart += m->errs[i].n;
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

static void daemon_tail(const struct sink_metrics *m, struct http_buf *b)
{
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

/* A section that is one unit. */
static int single(const struct sink_metrics *m, struct http_buf *b,
                  void (*unit)(const struct sink_metrics *, struct http_buf *))
{
	size_t mark = b->len;
	unit(m, b);
	return unit_end(b, mark) ? SEC_DONE : SEC_FULL;
}

/* ------------------------------------------------------------------ the sections */

/* A section_fn: a section of /metrics; one METRICS_COMPAT leaves out is done at once. */
static int section(struct sink_metrics *m, struct metrics_cursor *cur,
                   const struct clocks *now, struct http_buf *b)
{
	unsigned s = cur->section;
	if (!(section_set(s) & families_of(m->compat)))
		return SEC_DONE;
	if (s >= S_FAMILY && s < S_OWN_INFO)
		return peer_section(m, cur, now, b, &peer_families[s - S_FAMILY], value_lines,
		                    &peer_families[s - S_FAMILY]);
	switch (s) {
	case S_DEVICES: return named_section(m, cur, b, devices_hdr, device_at, device_line);
	case S_MDL_INFO: return peer_section(m, cur, now, b, &info_mdl, info_lines, info_mdl.name);
	case S_ALLOWED: return peer_section(m, cur, now, b, &allowed_fam, allowed_ips_lines, NULL);
	case S_OWN_INFO: return peer_section(m, cur, now, b, &info_own, info_lines, info_own.name);
	case S_STATE: return peer_section(m, cur, now, b, &state_fam, state_lines, NULL);
	case S_BY_STATE: return named_section(m, cur, b, by_state_hdr, interface_at, by_state_lines);
	case S_TRUNCATED: return single(m, b, allowed_ips_truncated);
	case S_ERRORS:
		if (cur->stage < 2 && named_section(m, cur, b, errors_hdr, errdev_at,
		                                    errors_line) == SEC_FULL)
			return SEC_FULL;
		cur->stage = 2;
		return single(m, b, errors_rest);
	default: return single(m, b, daemon_tail);
	}
}

int metrics_render_part(struct sink_metrics *m, struct metrics_cursor *cur,
                        const struct clocks *now, struct http_buf *b)
{
	return sections_write(m, cur, now, b, S_END, section);
}

void metrics_render(struct sink_metrics *m, const struct clocks *now, struct http_buf *b)
{
	render_whole(m, false, now, b);
}
