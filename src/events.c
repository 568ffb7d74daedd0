// SPDX-License-Identifier: MIT
/* Event -> log line: the event's name and level, then its fields in a fixed order. */
#include "events.h"
#include "util.h"

static const struct {
	const char *name;
	enum log_level level;
} kinds[] = {
	[EV_PEER_INITIAL] = { "peer_initial", LVL_INFO },
	[EV_PEER_ONLINE] = { "peer_online", LVL_INFO },
	[EV_PEER_OFFLINE] = { "peer_offline", LVL_WARNING },
	[EV_PEER_ADDED] = { "peer_added", LVL_INFO },
	[EV_PEER_REMOVED] = { "peer_removed", LVL_INFO },
	[EV_ENDPOINT_CHANGED] = { "endpoint_changed", LVL_INFO },
	[EV_INTERFACE_ADDED] = { "interface_added", LVL_INFO },
	[EV_INTERFACE_REMOVED] = { "interface_removed", LVL_WARNING },
	[EV_HANDSHAKE_FAILING] = { "handshake_failing", LVL_WARNING },
	[EV_THRESHOLD_HINT] = { "threshold_hint", LVL_INFO },
	[EV_PEER_DEBUG] = { "peer_status", LVL_DEBUG },
};

const char *event_name(enum event_type t)
{
	return kinds[t].name;
}

static void peer_fields(struct logline *l, const struct event *ev)
{
	const struct peer *p = ev->peer;
	char key[WG_KEY_B64_LEN], ts[32];
	key_to_base64(key, p->key);
	logline_str(l, "peer", key);
	logline_str(l, "name", p->name);
	logline_str(l, "state", peer_state_name(p->state));
	logline_str(l, "endpoint", p->endpoint[0] ? p->endpoint : "(none)");
	if (ev->old_endpoint)
		logline_str(l, "old_endpoint", ev->old_endpoint[0] ? ev->old_endpoint : "(none)");
	if (p->hs_real_ms) {
		format_utc(ts, sizeof(ts), p->hs_real_ms, false);
		logline_str(l, "last_handshake", ts);
		logline_int(l, "handshake_age", ev->handshake_age);
	} else {
		logline_str(l, "last_handshake", "never");
	}
	logline_int(l, "last_heard", ev->last_heard);
	if (ev->offline_for >= 0)
		logline_int(l, "offline_for", ev->offline_for);
	if (ev->state_for >= 0)
		logline_int(l, "state_for", ev->state_for);
	if (ev->failing_for >= 0)
		logline_int(l, "failing_for", ev->failing_for);
	if (ev->gap >= 0) {
		logline_int(l, "observed_gap", ev->gap);
		logline_int(l, "suggested_threshold", ev->suggested_threshold);
	}
	if (ev->type == EV_PEER_DEBUG) {
		logline_uint(l, "rx_bytes", p->rx_bytes);
		logline_uint(l, "tx_bytes", p->tx_bytes);
		logline_uint(l, "persistent_keepalive", p->keepalive);
		logline_str(l, "reason", p->failing_reported ? "handshake_failing" : "");
	}
}

void events_format(struct logline *l, const struct event *ev, enum log_format fmt)
{
	logline_begin_at(l, kinds[ev->type].level, kinds[ev->type].name, ev->now_real_ms, fmt);
	logline_str(l, "interface", ev->ifname);
	if (ev->peer)
		peer_fields(l, ev);
	else
		logline_uint(l, "peers", ev->npeers);
}

void events_log(void *ctx, const struct event *ev)
{
	struct logline l;
	(void)ctx;
	if (kinds[ev->type].level == LVL_DEBUG && !log_debug_enabled())
		return;
	events_format(&l, ev, log_format_get());
	log_emit(&l);
}
