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
#include "log.h"
#include "logfile.h"
#include "loop.h"
#include "peers.h"
#include "pollerr.h"
#include "source.h"
#include "statefile.h"
#include "util.h"

/* Without a change of state the state file is refreshed (counters, last heard,
 * endpoints) this often. After a crash the restore starts from up to this old a view:
 * rx that rose since then is credited no later than the saved session's expiry, so a
 * peer's last heard can be off by at most one session (180 s), never invented. */
#define STATE_REFRESH_MS (300 * 1000)

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
	sigemptyset(blocked);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGHUP);
}

struct stats {
	uint64_t polls, poll_errors;
	int64_t poll_ms_total, poll_ms_max;
};

struct daemon {
	const struct settings *s;
	struct source_config src;
	struct peer_table *peers;
	struct wg_snapshot snap;
	struct pollerr errs;
	struct stats st;
	const struct statefile *state; /* NULL = no state file */
	struct saved_rule rule;
	char boot_id[BOOT_ID_SIZE];   /* this boot's, for the state file */
	int64_t state_saved_ms;       /* monotonic, of the last good save */
	bool state_failing;           /* state_write_failed said; retry every poll */
};

static void log_start(const struct daemon *d)
{
	const struct settings *s = d->s;
	char ifs[SETTINGS_MAX_INTERFACES * WG_IFNAME_SIZE] = "all";
	for (size_t i = 0, o = 0; i < s->n_interfaces; i++)
		o += (size_t)snprintf(ifs + o, sizeof(ifs) - o, "%s%s", i ? "," : "",
		                      s->interfaces[i]);
	struct logline l;
	logline_begin(&l, LVL_INFO, "monitor_start");
	logline_str(&l, "version", WG_MONITOR_VERSION);
	logline_int(&l, "pid", getpid());
	logline_str(&l, "backend", backend_name(s->backend));
	logline_str(&l, "interfaces", ifs);
	logline_uint(&l, "interval", s->interval);
	logline_uint(&l, "threshold", s->threshold);
	logline_uint(&l, "stats_interval", s->stats_interval);
	logline_str(&l, "liveness", liveness_name(s->liveness));
	logline_str(&l, "log_path", s->log_path[0] ? s->log_path : "(none)");
	logline_str(&l, "log_format", log_format_name(s->log_format));
	logline_str(&l, "state_file", d->state ? s->state_file : "(none)");
	log_emit(&l);
}

static void log_stats(struct daemon *d)
{
	struct peer_counts c = peers_count(d->peers, NULL);
	struct logline l;
	logline_begin(&l, LVL_INFO, "stats");
	logline_uint(&l, "peers", c.peers);
	logline_uint(&l, "online", c.online);
	logline_uint(&l, "offline", c.offline);
	logline_uint(&l, "never", c.never);
	logline_uint(&l, "transitions", peers_take_transitions(d->peers));
	logline_uint(&l, "polls", d->st.polls);
	logline_uint(&l, "poll_errors", d->st.poll_errors);
	logline_int(&l, "poll_ms_avg", d->st.polls ? d->st.poll_ms_total / (int64_t)d->st.polls : 0);
	logline_int(&l, "poll_ms_max", d->st.poll_ms_max);
	log_emit(&l);
	for (size_t i = 0; peers_interface(d->peers, i); i++) {
		const char *ifname = peers_interface(d->peers, i);
		c = peers_count(d->peers, ifname);
		logline_begin(&l, LVL_INFO, "stats");
		logline_str(&l, "interface", ifname);
		logline_uint(&l, "peers", c.peers);
		logline_uint(&l, "online", c.online);
		logline_uint(&l, "offline", c.offline);
		logline_uint(&l, "never", c.never);
		log_emit(&l);
	}
	memset(&d->st, 0, sizeof(d->st));
}

static void report_errors(struct daemon *d, const struct source_result *res, int64_t now)
{
	pollerr_begin(&d->errs);
	if (res->err < 0 || res->note < 0) {
		d->st.poll_errors++;
		pollerr_report(&d->errs, NULL, res->err ? res->err : res->note, res->msg, now);
	}
	for (size_t i = 0; i < d->snap.ndevs; i++) {
		const struct wg_device *dev = &d->snap.devs[i];
		if (!dev->error)
			continue;
		d->st.poll_errors++;
		pollerr_report(&d->errs, dev->name, dev->error, dev->errmsg, now);
	}
	pollerr_end(&d->errs, &d->snap);
}

/* Takes up where the saved table left off; a bad file is reported and ignored. */
static void state_restore(struct daemon *d)
{
	struct saved_state st;
	char err[600], when[32];
	int rc = statefile_load(d->state, &st, err, sizeof(err));
	if (rc == -ENOENT)
		return; /* the first start with this file */
	if (rc < 0) {
		log_msg(LVL_WARNING, "state_ignored", err);
		return;
	}
	struct clocks now = { real_ms(), mono_ms() };
	bool same = st.rule.threshold == d->rule.threshold && st.rule.liveness == d->rule.liveness;
	int n = peers_restore(d->peers, st.peers, st.n, statefile_elapsed_ms(&st, &now, d->boot_id),
	                      same, &now);
	if (n < 0) {
		log_msg(LVL_ERROR, "state_ignored", "out of memory restoring the state file");
		saved_state_free(&st);
		return;
	}
	format_utc(when, sizeof(when), st.written_ms, false);
	struct logline l;
	logline_begin(&l, LVL_INFO, "state_restored");
	logline_str(&l, "state_file", d->s->state_file);
	logline_int(&l, "peers", n);
	logline_str(&l, "saved", when);
	if (!same) /* the first poll re-judges every peer quietly under the new rule */
		logline_str(&l, "rule_changed", "yes");
	log_emit(&l);
	saved_state_free(&st);
}

/* After a poll that changed something, every STATE_REFRESH_MS, and at stop (force). */
static void state_save(struct daemon *d, bool force)
{
	bool changed = peers_take_changed(d->peers);
	int64_t mono = mono_ms();
	if (!d->state || (!force && !changed && !d->state_failing &&
	                  mono - d->state_saved_ms < STATE_REFRESH_MS))
		return;
	char err[600];
	struct clocks now = { real_ms(), mono };
	if (statefile_save(d->state, d->peers, &d->rule, &now, d->boot_id, err, sizeof(err)) < 0) {
		if (!d->state_failing)
			log_msg(LVL_WARNING, "state_write_failed", err);
		d->state_failing = true;
		return;
	}
	if (d->state_failing)
		log_msg(LVL_INFO, "state_write_recovered", "the state file is written again");
	d->state_failing = false;
	d->state_saved_ms = mono;
}

static void poll_once(struct daemon *d)
{
	struct source_result res;
	int64_t t0 = mono_ms();
	source_poll(&d->src, &d->snap, &res);
	int64_t t1 = mono_ms();
	if (got_stop)
		return; /* abandoned: the snapshot may be partial */
	d->st.polls++;
	d->st.poll_ms_total += t1 - t0;
	if (t1 - t0 > d->st.poll_ms_max)
		d->st.poll_ms_max = t1 - t0;
	report_errors(d, &res, t1);
	struct clocks now = { real_ms(), mono_ms() };
	if (peers_update(d->peers, &d->snap, &now, events_log, NULL) < 0)
		log_msg(LVL_ERROR, "poll_error", "out of memory updating the peer table");
	if (log_debug_enabled()) {
		struct peer_counts c = peers_count(d->peers, NULL);
		struct logline l;
		logline_begin(&l, LVL_DEBUG, "poll");
		logline_uint(&l, "interfaces", d->snap.ndevs);
		logline_uint(&l, "peers", c.peers);
		logline_uint(&l, "online", c.online);
		logline_int(&l, "poll_ms", t1 - t0);
		log_emit(&l);
	}
	state_save(d, false);
}

static void handle_hup(struct loop *l, void *ctx)
{
	struct logfile *lf = ctx;
	(void)l;
	got_hup = 0;
	/* A failed reopen is reported by the logfile sink with the next line written. */
	if (lf && logfile_reopen(lf) == 0)
		log_msg(LVL_INFO, "log_reopened", "SIGHUP: log file reopened");
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
	log_stats(ctx);
}

/* The first poll at once, then poll and stats on their cadence (the loop keeps it);
 * signals are flags the loop checks after each wake. 0, or -errno when the loop fails. */
static int loop(struct daemon *d, struct logfile *lf, const sigset_t *blocked)
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
	loop_watch_flag(&l, &got_stop, handle_stop, NULL);
	loop_watch_flag(&l, &got_hup, handle_hup, lf);
	rc = loop_run(&l, blocked);
	loop_fini(&l);
	return rc;
}

int daemon_run(const struct settings *s, struct logfile *lf, const struct statefile *state)
{
	sigset_t blocked;
	install_signals(&blocked);
	struct peers_config pc = {
		.threshold_ms = (int64_t)s->threshold * 1000,
		.interval_ms = (int64_t)s->interval * 1000,
		.liveness = s->liveness,
		.debug = s->debug,
	};
	struct daemon d = {
		.s = s,
		.src = { .backend = s->backend, .ifnames = s->interfaces,
		         .n_ifnames = s->n_interfaces, .stop = &got_stop },
		.peers = peers_new(&pc),
		.state = state,
		.rule = { s->threshold, s->liveness },
	};
	if (!d.peers) {
		fprintf(stderr, "wg-monitor: out of memory\n");
		return 1;
	}
	log_start(&d);
	statefile_boot_id(d.boot_id);
	if (state)
		state_restore(&d);
	d.state_saved_ms = mono_ms();
	int rc = loop(&d, lf, &blocked);
	if (rc < 0)
		log_msg(LVL_ERROR, "loop_error", strerror(-rc));
	log_stats(&d);
	state_save(&d, true);
	struct logline l;
	logline_begin(&l, LVL_INFO, "monitor_stop");
	logline_str(&l, "signal", got_stop == SIGINT ? "SIGINT" : "SIGTERM");
	log_emit(&l);
	wg_snapshot_clear(&d.snap);
	peers_free(d.peers);
	pollerr_fini(&d.errs);
	return rc < 0 ? 1 : 0;
}
