// SPDX-License-Identifier: MIT
/* Event -> log line: the event's word and level, then its fields in a fixed order. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sink_log.h"
#include "util.h"

_Static_assert((int)EVL_DEBUG == (int)LVL_DEBUG && (int)EVL_ERROR == (int)LVL_ERROR,
               "event levels are log levels");

void sink_log_init(struct sink_log *s, enum log_format fmt)
{
	memset(s, 0, sizeof(*s));
	s->fmt = fmt;
}

/* hook_*: which event's hook, and what became of it. */
static void hook_fields(struct logline *l, const struct event *ev)
{
	const struct ev_hook *h = &ev->peer.hook;
	logline_str(l, "hook_event", event_name(h->of));
	logline_uint(l, "seq", h->seq);
	if (ev->type == EV_HOOK_FAILED && h->status >= 0 && WIFEXITED(h->status))
		logline_int(l, "exit_status", WEXITSTATUS(h->status));
	else if (h->status >= 0 && WIFSIGNALED(h->status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(h->status));
		char sig[24];
		snprintf(sig, sizeof(sig), "SIG%s", abbrev ? abbrev : "?");
		logline_str(l, "signal", sig);
	}
	logline_str(l, "detail", h->detail);
}

/* Who the peer is and where: key, name, state, endpoint (with the old ones it changed from). */
static void peer_identity(struct logline *l, const struct event *ev)
{
	const struct ev_peer *e = &ev->peer;
	const struct peer_view *v = &e->v;
	char key[WG_KEY_B64_LEN];
	key_to_base64(key, v->key);
	logline_str(l, "peer", key);
	logline_str(l, "name", v->name);
	if (ev->type == EV_PEER_RENAMED)
		logline_str(l, "old_name", e->old_name);
	logline_str(l, "state", peer_state_name(v->state));
	logline_str(l, "endpoint", v->endpoint[0] ? v->endpoint : "(none)");
	if (ev->type == EV_ENDPOINT_CHANGED)
		logline_str(l, "old_endpoint", e->old_endpoint[0] ? e->old_endpoint : "(none)");
}

static void peer_fields(struct logline *l, const struct event *ev)
{
	const struct ev_peer *e = &ev->peer;
	const struct peer_view *v = &e->v;
	char ts[32];
	peer_identity(l, ev);
	if (v->handshake_ms) {
		format_utc(ts, sizeof(ts), v->handshake_ms, false);
		logline_str(l, "last_handshake", ts);
		logline_int(l, "handshake_age", v->handshake_age_ms / 1000);
	} else {
		logline_str(l, "last_handshake", "never");
	}
	logline_int(l, "last_heard", v->heard_ms / 1000);
	if (e->offline_for >= 0)
		logline_int(l, "offline_for", e->offline_for);
	if (e->state_for >= 0)
		logline_int(l, "state_for", e->state_for);
	/* the session that ended (at a peer_initial: at a restart's re-judgement) */
	if ((ev->type == EV_PEER_OFFLINE || e->session_ended) && v->session_ms >= 0) {
		logline_int(l, "session_seconds", v->session_ms / 1000);
		logline_uint(l, "session_rx_bytes", v->session_rx_bytes);
		logline_uint(l, "session_tx_bytes", v->session_tx_bytes);
	}
	if (e->failing_for >= 0)
		logline_int(l, "failing_for", e->failing_for);
	if (e->gap >= 0) {
		logline_int(l, "observed_gap", e->gap);
		logline_int(l, "suggested_threshold", e->suggested_threshold);
	}
	if (ev->type == EV_PEER_REMOVED)
		logline_str(l, "reason", removal_name(e->removal));
	if (ev->type == EV_PEER_STATUS) {
		logline_uint(l, "rx_bytes", v->rx_bytes);
		logline_uint(l, "tx_bytes", v->tx_bytes);
		logline_uint(l, "persistent_keepalive", v->keepalive);
		logline_str(l, "reason", v->failing_age_ms >= 0 ? "handshake_failing" : "");
	}
	if (ev->type >= EV_HOOK_FAILED && ev->type <= EV_HOOK_DROPPED)
		hook_fields(l, ev);
}

static void counts(struct logline *l, const struct peer_counts *c)
{
	logline_uint(l, "peers", c->peers);
	logline_uint(l, "online", c->online);
	logline_uint(l, "offline", c->offline);
	logline_uint(l, "never", c->never);
}

static void stats_fields(const struct sink_log *s, struct logline *l, const struct event *ev)
{
	counts(l, &ev->stats.counts);
	if (ev->ifname[0])
		return; /* an interface's line: counts only */
	const struct ev_totals *t = &ev->stats.totals, *last = &s->last;
	uint64_t polls = t->polls - last->polls;
	logline_uint(l, "transitions", t->transitions - last->transitions);
	logline_uint(l, "polls", polls);
	logline_uint(l, "poll_errors", t->poll_errors - last->poll_errors);
	logline_int(l, "poll_ms_avg", polls ? (t->poll_ms - last->poll_ms) / (int64_t)polls : 0);
	logline_int(l, "poll_ms_max", s->poll_ms_max);
}

static void start_fields(struct logline *l, const struct monitor_info *m)
{
	logline_str(l, "version", m->version);
	logline_int(l, "pid", m->pid);
	logline_str(l, "backend", m->backend);
	logline_str(l, "interfaces", m->interfaces);
	logline_uint(l, "interval", m->interval);
	logline_uint(l, "threshold", m->threshold);
	logline_uint(l, "stats_interval", m->stats_interval);
	logline_uint(l, "poll_timeout", m->poll_timeout);
	logline_str(l, "liveness", m->liveness);
	logline_str(l, "log_path", m->log_path);
	logline_str(l, "log_format", m->log_format);
	logline_str(l, "state_file", m->state_file);
}

static void restored_fields(struct logline *l, const struct event *ev)
{
	char when[32];
	format_utc(when, sizeof(when), ev->restored.saved_ms, false);
	logline_str(l, "state_file", ev->restored.path);
	logline_int(l, "peers", ev->restored.peers);
	logline_str(l, "saved", when);
	if (ev->restored.rule_changed) /* the first poll re-judges every peer quietly */
		logline_str(l, "rule_changed", "yes");
}

static void error_fields(struct logline *l, const struct event *ev)
{
	if (ev->type == EV_POLL_ERROR)
		logline_str(l, "error", strerror(-ev->error.err));
	logline_str(l, "message", ev->error.message);
	if (ev->error.repeats)
		logline_uint(l, "repeats", ev->error.repeats);
}

static void daemon_fields(const struct sink_log *s, struct logline *l, const struct event *ev)
{
	switch (ev->type) {
	case EV_MONITOR_START:
		start_fields(l, ev->start);
		break;
	case EV_MONITOR_STOP:
		logline_str(l, "signal", ev->stop.signal == SIGINT ? "SIGINT"
		                         : ev->stop.signal == SIGTERM ? "SIGTERM" : "");
		break;
	case EV_POLL:
		logline_uint(l, "interfaces", ev->poll.interfaces);
		logline_uint(l, "peers", ev->poll.counts.peers);
		logline_uint(l, "online", ev->poll.counts.online);
		logline_int(l, "poll_ms", ev->poll.poll_ms);
		break;
	case EV_STATS:
		stats_fields(s, l, ev);
		break;
	case EV_STATE_RESTORED:
		restored_fields(l, ev);
		break;
	default:
		error_fields(l, ev);
		break;
	}
}

void sink_log_format(const struct sink_log *s, struct logline *l, const struct event *ev)
{
	logline_begin_at(l, (enum log_level)event_level(ev->type), event_name(ev->type),
	                 ev->real_ms, s->fmt);
	logline_str(l, "interface", ev->ifname);
	if (event_about_peer(ev->type))
		peer_fields(l, ev);
	else if (ev->type <= EV_INTERFACE_REMOVED)
		logline_uint(l, "peers", ev->iface.npeers);
	else
		daemon_fields(s, l, ev);
}

void sink_log_event(void *ctx, const struct event *ev)
{
	struct sink_log *s = ctx;
	struct logline l;
	if (ev->type == EV_POLL && ev->poll.poll_ms > s->poll_ms_max)
		s->poll_ms_max = ev->poll.poll_ms;
	if (event_level(ev->type) == EVL_DEBUG && !log_debug_enabled())
		return;
	sink_log_format(s, &l, ev);
	if (ev->type == EV_STATS && !ev->ifname[0]) {
		s->last = ev->stats.totals;
		s->poll_ms_max = 0;
	}
	if (ev->type == EV_LOG_FILE_ERROR || ev->type == EV_LOG_FILE_RECOVERED)
		log_emit_stderr(&l); /* about the file: never into it */
	else
		log_emit(&l);
}
