// SPDX-License-Identifier: MIT
/* The hooks sink: events into the queue, jobs onto free slots as children of the loop,
 * their ends (exit, failure, time limit) back as events; one loop timer for the grace
 * and the time limits, the children's stderr and pidfd as loop fds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "hook_exec.h"
#include "sink_hooks.h"
#include "text.h"
#include "util.h"

#define HOOK_ERR_READS 16  /* reads of one stderr per wake: a flood cannot hold the loop */

const char *const hook_result_names[HOOK_RESULTS] = { "ok", "failed", "timeout" };

static void service(struct sink_hooks *h);

void sink_hooks_init(struct sink_hooks *h, const struct hooks_config *cfg, event_fn emit,
                     void *emit_ctx)
{
	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
	h->emit = emit;
	h->emit_ctx = emit_ctx;
}

/* hook_failed, hook_timeout or hook_dropped for job j, counted. */
static void report(struct sink_hooks *h, const struct hook_job *j, enum event_type t,
                   int status, const char *detail)
{
	struct event ev = j->ev;
	ev.type = t;
	ev.real_ms = real_ms();
	ev.peer.hook = (struct ev_hook){ .of = j->ev.type, .seq = j->seq, .status = status };
	ev.peer.session_ended = false; /* the session keys belong to the event itself */
	snprintf(ev.peer.hook.detail, sizeof(ev.peer.hook.detail), "%s", detail);
	if (t == EV_HOOK_DROPPED)
		h->totals.dropped++;
	else
		h->totals.runs[t == EV_HOOK_TIMEOUT ? HOOK_TIMEOUT : HOOK_FAILED]++;
	h->emit(h->emit_ctx, &ev);
}

static void on_fd(struct loop *l, int fd, short revents, void *ctx)
{
	(void)l;
	(void)fd;
	(void)revents;
	service(ctx);
}

/* Puts the slot's stderr and pidfd into the loop, or takes them out. When the loop has
 * no room, the slot stays unwatched and the timer ticks for it instead. */
static void watch(struct sink_hooks *h, struct hook_slot *s, bool on)
{
	if (!h->loop || s->watched == on)
		return;
	int fds[2] = { s->c.err, s->c.pidfd };
	bool ok = on;
	for (int i = 0; i < 2 && ok; i++)
		ok = fds[i] < 0 || loop_add_fd(h->loop, fds[i], POLLIN, on_fd, h) == 0;
	s->watched = ok;
	for (int i = 0; i < 2 && !ok; i++)
		if (fds[i] >= 0)
			loop_del_fd(h->loop, fds[i]); /* -ENOENT for one never added */
}

/* Reads what stderr holds (bounded per wake); its fd leaves the loop at EOF. */
static void read_err(struct sink_hooks *h, struct hook_slot *s)
{
	int fd = s->c.err;
	for (int i = 0; i < HOOK_ERR_READS && s->c.err >= 0; i++)
		if (child_on_readable(&s->c, s->c.err) < 0)
			break;
	if (fd >= 0 && s->c.err < 0 && s->watched && h->loop)
		loop_del_fd(h->loop, fd);
}

/* The first line of the hook's stderr, bounded and raw (the sink that prints it
 * escapes it, once), into detail. */
static void first_line(const struct child *c, char *detail, size_t size)
{
	size_t len = 0;
	while (len < c->errlen && c->errbuf[len] != '\n')
		len++;
	if (len && c->errbuf[len - 1] == '\r')
		len--;
	text_raw(detail, size, c->errbuf, len);
}

/* The child was reaped: what became of it, then the slot is free. */
static void finish(struct sink_hooks *h, struct hook_slot *s)
{
	char detail[EV_HOOK_DETAIL_SIZE / 2], why[EV_HOOK_DETAIL_SIZE];
	read_err(h, s);
	watch(h, s, false);
	first_line(&s->c, detail, sizeof(detail));
	int st = s->c.status;
	if (s->c.fail == -ETIMEDOUT) {
		snprintf(why, sizeof(why), "still running after %lld s, killed%s%s",
		         (long long)(h->cfg.timeout_ms / 1000), detail[0] ? "; stderr: " : "", detail);
		report(h, &s->job, EV_HOOK_TIMEOUT, st, why);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		h->totals.runs[HOOK_OK]++;
	} else {
		report(h, &s->job, EV_HOOK_FAILED, st, detail);
	}
	child_free(&s->c);
	s->used = false;
}

/* Runs job j on slot s at `now`; a program that fails its check or cannot start is a
 * hook_failed at once. */
static void start(struct sink_hooks *h, struct hook_slot *s, const struct hook_job *j,
                  int64_t now)
{
	char err[512], in[CHILD_INPUT_MAX];
	struct hook_env env;
	s->job = *j;
	if (hook_check(h->cfg.path, err, sizeof(err)) < 0) {
		report(h, j, EV_HOOK_FAILED, -1, err);
		return;
	}
	hook_env_build(&env, &j->ev, j->seq);
	char *argv[] = { h->cfg.path, NULL };
	struct child_spec spec = {
		.path = h->cfg.path, .argv = argv, .envp = env.envp, .out_null = true,
		.input = h->cfg.json ? in : NULL, .inlen = h->cfg.json ? hook_json(in, sizeof(in),
		&j->ev) : 0, .pidfd = true, .deadline_ms = now + h->cfg.timeout_ms,
		.grace_ms = HOOK_KILL_GRACE_MS,
	};
	int rc = child_spawn(&s->c, &spec);
	if (rc < 0) {
		snprintf(err, sizeof(err), "cannot start: %s", strerror(-rc));
		report(h, j, EV_HOOK_FAILED, -1, err);
		child_free(&s->c);
		return;
	}
	s->used = true;
	s->watched = false;
	watch(h, s, true);
}

/* The events of the running hooks, for the queue's one-per-peer rule. */
static size_t running(const struct sink_hooks *h, const struct event **out)
{
	size_t n = 0;
	for (size_t i = 0; i < HOOKS_MAX; i++)
		if (h->slots[i].used)
			out[n++] = &h->slots[i].job.ev;
	return n;
}

static struct hook_slot *free_slot(struct sink_hooks *h)
{
	for (size_t i = 0; i < h->cfg.max && i < HOOKS_MAX; i++)
		if (!h->slots[i].used)
			return &h->slots[i];
	return NULL;
}

/* Starts what may start now. */
static void pump(struct sink_hooks *h, int64_t now)
{
	const struct event *run[HOOKS_MAX];
	struct hook_slot *s;
	size_t i;
	while (h->loop && !h->stopping && (s = free_slot(h)) &&
	       (i = hook_queue_pick(&h->q, now, run, running(h, run))) != SIZE_MAX) {
		struct hook_job j;
		hook_queue_take(&h->q, i, &j);
		start(h, s, &j, now);
	}
}

static void on_timer(struct loop *l, void *ctx)
{
	struct sink_hooks *h = ctx;
	(void)l;
	h->timer = 0;
	service(h);
}

/* One timer at the earliest of: a time limit, a job's grace, a tick for a slot the loop
 * cannot watch. */
static void rearm(struct sink_hooks *h, int64_t now)
{
	int64_t next = hook_queue_next_due(&h->q, now);
	for (size_t i = 0; i < HOOKS_MAX; i++) {
		const struct hook_slot *s = &h->slots[i];
		int64_t due = !s->used ? INT64_MAX : s->watched ? child_next_ms(&s->c, now)
		            : now + CHILD_REAP_TICK_MS;
		next = due < next ? due : next;
	}
	if (h->timer)
		loop_del_timer(h->loop, h->timer);
	h->timer = 0;
	if (next != INT64_MAX) {
		int id = loop_add_timer(h->loop, next, on_timer, h);
		h->timer = id > 0 ? id : 0;
	}
}

/* Reads, reaps and enforces limits on every running hook, then starts what may start. */
static void service(struct sink_hooks *h)
{
	int64_t now = mono_ms();
	for (size_t i = 0; i < HOOKS_MAX; i++) {
		struct hook_slot *s = &h->slots[i];
		if (!s->used)
			continue;
		read_err(h, s);
		if (child_reap(&s->c, now) != 0)
			finish(h, s);
	}
	pump(h, now);
	if (h->loop)
		rearm(h, now);
}

void sink_hooks_event(void *ctx, const struct event *ev)
{
	struct sink_hooks *h = ctx;
	if ((unsigned)ev->type >= EV__COUNT || !(h->cfg.events & (UINT64_C(1) << ev->type)) ||
	    h->stopping)
		return;
	int64_t now = mono_ms();
	struct hook_job j = { .ev = *ev, .seq = ++h->seq,
	                      .due = now + (hook_graced(ev->type) ? h->cfg.grace_ms : 0) };
	if (hook_queue_push(&h->q, &j, now) == HQ_FULL) {
		char why[64];
		snprintf(why, sizeof(why), "queue full (%d waiting)", HOOK_QUEUE_MAX);
		report(h, &j, EV_HOOK_DROPPED, -1, why);
	}
	if (h->loop) {
		pump(h, now);
		rearm(h, now);
	}
}

void sink_hooks_attach(struct sink_hooks *h, struct loop *l)
{
	h->loop = l;
	service(h);
}

/* Waits for the running hooks until `end` (mono_ms), on their stderr and pidfds. */
static void wait_running(struct sink_hooks *h, int64_t end)
{
	for (int64_t now = mono_ms(); now < end; now = mono_ms()) {
		struct pollfd p[2 * HOOKS_MAX];
		int64_t next = end;
		nfds_t n = 0;
		for (size_t i = 0; i < HOOKS_MAX; i++) {
			struct hook_slot *s = &h->slots[i];
			if (!s->used)
				continue;
			int64_t due = child_next_ms(&s->c, now);
			next = due < next ? due : next;
			p[n++] = (struct pollfd){ .fd = s->c.err, .events = POLLIN };
			p[n++] = (struct pollfd){ .fd = s->c.pidfd, .events = POLLIN };
		}
		if (n == 0)
			return;
		poll(p, n, next > now ? (int)(next - now) : 0);
		service(h);
	}
}

void sink_hooks_stop(struct sink_hooks *h)
{
	if (h->loop) {
		for (size_t i = 0; i < HOOKS_MAX; i++)
			if (h->slots[i].used)
				watch(h, &h->slots[i], false);
		if (h->timer)
			loop_del_timer(h->loop, h->timer);
	}
	h->loop = NULL;
	h->timer = 0;
	h->stopping = true;
	wait_running(h, mono_ms() + HOOK_STOP_WAIT_MS);
	for (size_t i = 0; i < HOOKS_MAX; i++) {
		struct hook_slot *s = &h->slots[i];
		if (!s->used)
			continue;
		child_free(&s->c); /* SIGKILL to its group, reaped */
		s->used = false;
		report(h, &s->job, EV_HOOK_FAILED, s->c.status, "killed: the daemon stopped");
	}
	while (h->q.n) {
		struct hook_job j;
		hook_queue_take(&h->q, 0, &j);
		report(h, &j, EV_HOOK_DROPPED, -1, "not run: the daemon stopped");
	}
}
