// SPDX-License-Identifier: MIT
/* The run command: poll and stats as timers of the loop (loop.c), feed the state machine,
 * save the state. Signal handlers only set flags, which the loop checks after each wake. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "logfile.h"
#include "loop.h"
#include "names_book.h"
#include "peers.h"
#include "poll_apply.h"
#include "safepath.h"
#include "settings_apply.h"
#include "sink_debug.h"
#include "sink_hooks.h"
#include "sink_log.h"
#include "sink_metrics.h"
#include "sink_notify.h"
#include "sink_state.h"
#include "source.h"
#include "statefile.h"
#include "util.h"

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = sig;
}

/* No SA_RESTART: a signal interrupts a blocked read so a poll can be abandoned. The loop
 * holds `blocked` only from its check of the flags until ppoll() releases them. */
static void install_signals(sigset_t *blocked)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (LimitFSIZE=, ulimit -f) must fail the write with EFBIG, which
	 * the log file handles, rather than kill the daemon. */
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(blocked);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGHUP);
}

struct daemon {
	const struct settings *s;
	struct source_config src;
	struct peer_table *peers;
	struct wg_snapshot snap;      /* kept across polls: the sources refill it in place */
	struct poll_book book;        /* poll errors and counters */
	struct event_bus bus;
	struct sink_log log;
	struct sink_debug debug;
	struct sink_state state;
	struct sink_notify notify;
	struct sink_metrics metrics;
	struct sink_hooks hooks;      /* used when hooks.cfg.path is set */
	struct http_server http;      /* listening when metrics are on */
	struct monitor_info info;
	struct logfile *lf;           /* NULL: no log file */
	struct names_book names;
	char interfaces[SETTINGS_MAX_INTERFACES * WG_IFNAME_SIZE];
};

static void emit(struct daemon *d, const struct event *ev)
{
	events_emit(&d->bus, ev);
}

/* The log file's health, as an event like any other fact. */
static void log_notice(void *ctx, bool failed, const char *msg)
{
	struct event ev = event_message(failed ? EV_LOG_FILE_ERROR : EV_LOG_FILE_RECOVERED,
	                                real_ms(), NULL, failed ? -EIO : 0, msg);
	emit(ctx, &ev);
}

/* A names file or config problem, as an event like any other fact. */
static void names_notice(void *ctx, const char *ifname, const char *msg)
{
	struct event ev = event_message(EV_NAMES_WARNING, real_ms(), ifname, 0, msg);
	emit(ctx, &ev);
}

static void monitor_start(struct daemon *d)
{
	const struct settings *s = d->s;
	snprintf(d->interfaces, sizeof(d->interfaces), "all");
	for (size_t i = 0, o = 0; i < s->n_interfaces; i++)
		o += (size_t)snprintf(d->interfaces + o, sizeof(d->interfaces) - o, "%s%s",
		                      i ? "," : "", s->interfaces[i]);
	d->info = (struct monitor_info){
		.version = WG_MONITOR_VERSION, .pid = getpid(), .backend = backend_name(s->backend),
		.interfaces = d->interfaces, .interval = s->interval, .threshold = s->threshold,
		.stats_interval = s->stats_interval, .poll_timeout = s->poll_timeout,
		.liveness = liveness_name(s->liveness), .log_path = s->log_path[0] ? s->log_path
		: "(none)", .log_format = log_format_name(s->log_format),
		.state_file = s->state_file[0] ? s->state_file : "(none)",
	};
	struct event ev = event_new(EV_MONITOR_START, real_ms(), NULL);
	ev.start = &d->info;
	emit(d, &ev);
	/* Once, after what it runs with: a poll budget the watchdog leaves no room for. */
	char msg[EVENT_MESSAGE_SIZE];
	if (sdnotify_watchdog_too_short(&d->notify.n, settings_name(s, SET_POLL_TIMEOUT),
	                                (int64_t)s->poll_timeout * 1000, msg, sizeof(msg))) {
		ev = event_message(EV_WATCHDOG_WARNING, real_ms(), NULL, 0, msg);
		emit(d, &ev);
	}
}

static void stats(struct daemon *d, bool stopping)
{
	struct event ev = event_new(EV_STATS, real_ms(), NULL);
	ev.stats.counts = peers_count(d->peers, NULL);
	ev.stats.totals = d->book.totals;
	ev.stats.totals.transitions = peers_transitions(d->peers);
	ev.stats.stopping = stopping;
	emit(d, &ev);
	for (size_t i = 0; peers_interface(d->peers, i); i++) {
		const char *ifname = peers_interface(d->peers, i);
		ev = event_new(EV_STATS, ev.real_ms, ifname);
		ev.stats.counts = peers_count(d->peers, ifname);
		emit(d, &ev);
	}
}

static void poll_once(struct daemon *d)
{
	struct source_result res;
	int64_t t0 = mono_ms();
	source_poll(&d->src, &d->snap, &res);
	int64_t t1 = mono_ms();
	if (got_stop)
		return; /* abandoned: the snapshot may be partial */
	names_book_prepare(&d->names, &d->snap); /* configs of interfaces new to it */
	struct clocks now = { real_ms(), mono_ms() };
	poll_apply(&d->book, d->peers, &d->snap, &res, t1 - t0, &now, events_emit, &d->bus);
}

/* SIGHUP: the token file again; a bad one keeps the old token, which is never shown. */
static void reload_token(struct daemon *d)
{
	char tok[HTTP_TOKEN_MAX + 1], err[SAFEPATH_WHY_SIZE + 32],
	     msg[SAFEPATH_WHY_SIZE + 64];
	size_t len;
	if (!d->s->metrics_listen[0] || !d->s->metrics_token_file[0])
		return;
	int rc = http_read_token(d->s->metrics_token_file, tok, &len, err, sizeof(err));
	if (rc == 0)
		http_set_token(&d->http, tok, len);
	explicit_bzero(tok, sizeof(tok));
	if (rc == 0)
		return;
	snprintf(msg, sizeof(msg), "%s; the previous token stays", err);
	struct event ev = event_message(EV_METRICS_TOKEN_ERROR, real_ms(), NULL, rc, msg);
	emit(d, &ev);
}

static void handle_hup(struct loop *l, void *ctx)
{
	struct daemon *d = ctx;
	(void)l;
	got_hup = 0;
	sink_notify_reload_begin(&d->notify);
	reload_token(d);
	/* The log file first, so that what the names say goes to the new one. A failed
	 * reopen is reported by the log file itself (log_file_error). */
	if (d->lf && logfile_reopen(d->lf) == 0) {
		struct event ev = event_message(EV_LOG_REOPENED, real_ms(), NULL, 0,
		                                "SIGHUP: log file reopened");
		emit(d, &ev);
	}
	names_book_reload(&d->names);
	struct clocks now = { real_ms(), mono_ms() };
	peers_rename(d->peers, &now, events_emit, &d->bus);
	sink_notify_reload_end(&d->notify);
}

static void handle_stop(struct loop *l, void *ctx)
{
	(void)ctx;
	loop_stop(l);
}

static void poll_tick(struct loop *l, void *ctx)
{
	(void)l;
	poll_once(ctx);
}

static void stats_tick(struct loop *l, void *ctx)
{
	(void)l;
	stats(ctx, false);
}

/* The first poll at once, then poll and stats on their cadence (the loop keeps it);
 * signals are flags the loop checks after each wake. 0, or -errno when the loop fails. */
static int loop(struct daemon *d, const sigset_t *blocked)
{
	const int64_t interval = (int64_t)d->s->interval * 1000;
	const int64_t stats_every = (int64_t)d->s->stats_interval * 1000;
	struct loop l;
	int rc = loop_init(&l);
	if (rc < 0)
		return rc;
	int64_t t0 = mono_ms();
	/* Within the loop's fixed capacity, so none of these fails. Poll is added first: at
	 * the instant both are due it runs before stats, which then count it. */
	loop_add_periodic(&l, t0, interval, poll_tick, d);
	if (stats_every)
		loop_add_periodic(&l, t0 + stats_every, stats_every, stats_tick, d);
	/* A timer like the poll, so a poll that hangs holds the pings back. */
	if (d->notify.n.watchdog_ms)
		loop_add_periodic(&l, t0 + d->notify.n.watchdog_ms, d->notify.n.watchdog_ms,
		                  sink_notify_watchdog, &d->notify);
	loop_watch_flag(&l, &got_stop, handle_stop, NULL);
	loop_watch_flag(&l, &got_hup, handle_hup, d);
	rc = d->s->metrics_listen[0] ? http_attach(&d->http, &l) : 0;
	if (d->hooks.cfg.path[0])
		sink_hooks_attach(&d->hooks, &l);
	if (rc == 0)
		rc = loop_run(&l, blocked);
	sink_hooks_stop(&d->hooks); /* at most HOOK_STOP_WAIT_MS */
	http_detach(&d->http);
	loop_fini(&l);
	return rc;
}

/* Sinks in the order they see each event: the debug lines come before the poll summary. */
static int add_sinks(struct daemon *d, struct statefile *state)
{
	const struct settings *s = d->s;
	sink_log_init(&d->log, s->log_format);
	int rc = 0;
	if (state) {
		struct saved_rule rule = { s->threshold, s->liveness };
		sink_state_init(&d->state, state, d->peers, &rule, s->state_file, events_emit,
		                &d->bus);
		rc |= events_add_sink(&d->bus, sink_state_event, &d->state);
	}
	if (s->debug) {
		d->debug = (struct sink_debug){ d->peers, sink_log_event, &d->log };
		rc |= events_add_sink(&d->bus, sink_debug_event, &d->debug);
	}
	if (s->metrics_listen[0]) {
		sink_metrics_init(&d->metrics, d->peers, &d->snap, &d->book.totals, s->metrics_compat,
		                  s->interval);
		d->metrics.hooks = d->hooks.cfg.path[0] ? &d->hooks.totals : NULL;
		rc |= events_add_sink(&d->bus, sink_metrics_event, &d->metrics);
	}
	rc |= events_add_sink(&d->bus, sink_log_event, &d->log);
	/* After the log: an event's line is written before its hook can fail. */
	if (d->hooks.cfg.path[0])
		rc |= events_add_sink(&d->bus, sink_hooks_event, &d->hooks);
	/* Last: READY=1 and STATUS= once the poll's lines are written. */
	rc |= events_add_sink(&d->bus, sink_notify_event, &d->notify);
	return rc;
}

/* The listeners and the token, before anything starts: a port in use or a bad token
 * file stops the start with a message (exit 2). */
static int metrics_open(struct daemon *d)
{
	const struct settings *s = d->s;
	struct http_addr addrs[HTTP_MAX_LISTEN];
	char err[SAFEPATH_WHY_SIZE + 64], tok[HTTP_TOKEN_MAX + 1];
	size_t n, len = 0;
	int rc = metrics_check(s, addrs, &n, tok, &len, err, sizeof(err));
	if (rc < 0) {
		text_complain("%s", err);
	} else if ((rc = http_open(&d->http, addrs, n, metrics_http, &d->metrics, err,
	                           sizeof(err))) < 0) {
		text_complain("%s: %s", settings_name(s, SET_METRICS_LISTEN), err);
	} else {
		http_set_token(&d->http, tok, len);
	}
	explicit_bzero(tok, sizeof(tok));
	return rc;
}

/* The hook's program and events, checked before anything starts (exit 2). */
static int hooks_open(struct daemon *d)
{
	struct hooks_config hc;
	char err[600];
	if (!d->s->on_change[0])
		return 0;
	int rc = settings_hooks_config(d->s, &hc, err, sizeof(err));
	if (rc < 0)
		text_complain("%s", err);
	else
		sink_hooks_init(&d->hooks, &hc, events_emit, &d->bus);
	return rc;
}

int daemon_run(const struct settings *s, struct logfile *lf, struct statefile *state)
{
	sigset_t blocked;
	install_signals(&blocked);
	static struct daemon d;
	memset(&d, 0, sizeof(d));
	struct peers_config pc;
	settings_peers_config(s, &pc);
	d.s = s;
	d.lf = lf;
	settings_source_config(s, &d.src);
	d.src.stop = &got_stop;
	d.peers = peers_new(&pc);
	if (!d.peers) {
		fprintf(stderr, "wg-monitor: out of memory\n");
		return 1;
	}
	if (s->metrics_listen[0] && metrics_open(&d) < 0) {
		peers_free(d.peers);
		return 2;
	}
	if (hooks_open(&d) < 0) {
		http_close(&d.http);
		peers_free(d.peers);
		return 2;
	}
	if (add_sinks(&d, state) < 0) {
		http_close(&d.http);
		peers_free(d.peers);
		return 1;
	}
	log_set_notice(log_notice, &d);
	sdnotify_init(&d.notify.n); /* inert when it fails: the daemon runs unsupervised */
	monitor_start(&d);
	names_book_open(&d.names, s, d.peers, names_notice, &d);
	if (state)
		sink_state_restore(&d.state, d.peers);
	int rc = loop(&d, &blocked);
	if (rc < 0) {
		struct event err = event_message(EV_LOOP_ERROR, real_ms(), NULL, rc, strerror(-rc));
		emit(&d, &err);
	}
	stats(&d, true);
	struct event ev = event_new(EV_MONITOR_STOP, real_ms(), NULL);
	ev.stop.signal = got_stop;
	emit(&d, &ev);
	log_set_notice(NULL, NULL);
	http_close(&d.http);
	sink_metrics_fini(&d.metrics);
	events_fini(&d.bus);
	wg_snapshot_clear(&d.snap);
	peers_free(d.peers);
	names_book_fini(&d.names);
	poll_book_fini(&d.book);
	sdnotify_fini(&d.notify.n);
	return rc < 0 ? 1 : 0;
}
