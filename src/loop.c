// SPDX-License-Identifier: MIT
/* The scheduler: registered fds and timers, a pollfd array rebuilt every round, one
 * ppoll() that also takes the signals, then the due timers and the ready fds. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < LOOP_MAX_FDS; i++)
		l->fds[i].fd = -1;
	l->tfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	return l->tfd < 0 ? -errno : 0;
}

void loop_fini(struct loop *l)
{
	if (l->tfd >= 0)
		close(l->tfd);
	l->tfd = -1;
}

static struct loop_fd *find_fd(struct loop *l, int fd)
{
	for (size_t i = 0; i < LOOP_MAX_FDS; i++)
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb *cb, void *ctx)
{
	if (fd < 0)
		return -EBADF;
	if (find_fd(l, fd))
		return -EEXIST;
	struct loop_fd *f = find_fd(l, -1);
	if (!f)
		return -ENOSPC;
	*f = (struct loop_fd){ .fd = fd, .events = events, .seq = ++l->seq, .cb = cb, .ctx = ctx };
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, short events)
{
	struct loop_fd *f = fd < 0 ? NULL : find_fd(l, fd);
	if (!f)
		return -ENOENT;
	f->events = events;
	return 0;
}

int loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *f = fd < 0 ? NULL : find_fd(l, fd);
	if (!f)
		return -ENOENT;
	f->fd = -1;
	return 0;
}

/* id 0 finds a free slot. */
static struct loop_timer *find_timer(struct loop *l, int id)
{
	for (size_t i = 0; i < LOOP_MAX_TIMERS; i++)
		if (l->timers[i].id == id)
			return &l->timers[i];
	return NULL;
}

static int add_timer(struct loop *l, int64_t due, int64_t period, loop_cb *cb, void *ctx)
{
	struct loop_timer *t = find_timer(l, 0);
	if (!t)
		return -ENOSPC;
	/* Ids are not reused while their timer lives, so a stale id never cancels another. */
	do
		l->last_id = l->last_id == INT_MAX ? 1 : l->last_id + 1;
	while (find_timer(l, l->last_id));
	*t = (struct loop_timer){ .id = l->last_id, .seq = ++l->seq, .due = due,
	                          .period = period, .cb = cb, .ctx = ctx };
	return t->id;
}

int loop_add_timer(struct loop *l, int64_t when, loop_cb *cb, void *ctx)
{
	return add_timer(l, when, 0, cb, ctx);
}

int loop_add_periodic(struct loop *l, int64_t first, int64_t period_ms, loop_cb *cb, void *ctx)
{
	if (period_ms <= 0)
		return -EINVAL;
	return add_timer(l, first, period_ms, cb, ctx);
}

void loop_del_timer(struct loop *l, int id)
{
	struct loop_timer *t = id > 0 ? find_timer(l, id) : NULL;
	if (t)
		t->id = 0;
}

int loop_watch_flag(struct loop *l, volatile sig_atomic_t *flag, loop_cb *cb, void *ctx)
{
	for (size_t i = 0; i < LOOP_MAX_FLAGS; i++) {
		if (l->flags[i].flag)
			continue;
		l->flags[i] = (struct loop_flag){ .flag = flag, .cb = cb, .ctx = ctx };
		return 0;
	}
	return -ENOSPC;
}

void loop_stop(struct loop *l)
{
	l->stopped = true;
}

static bool flag_raised(const struct loop *l)
{
	for (size_t i = 0; i < LOOP_MAX_FLAGS; i++)
		if (l->flags[i].flag && *l->flags[i].flag)
			return true;
	return false;
}

/* Stop dispatching: the caller's flags come first, and a stopped loop runs nothing more. */
/* A signal held during the callbacks counts as soon as it is pending: the round ends, and
 * the next ppoll() lets it in at once. */
static bool signal_pending(const struct loop *l)
{
	sigset_t pending;
	if (!l->held || sigpending(&pending) < 0)
		return false;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(l->held, sig) == 1 && sigismember(&pending, sig) == 1)
			return true;
	return false;
}

static bool interrupted(const struct loop *l)
{
	return l->stopped || flag_raised(l) || signal_pending(l);
}

/* The one place of "keep the cadence, never burst after a stall": the next deadline is
 * a period after the one just served. A firing that began on time but ran long (a poll
 * that spent its whole budget) is followed at once by the one then due; one that began a
 * whole period or more late (the loop was held up by another callback, a suspend,
 * SIGSTOP) served the missed deadlines at once, and the cadence starts anew from when it
 * began. */
static int64_t next_due(int64_t due, int64_t period, int64_t began)
{
	int64_t next = due + period;
	return next > began ? next : began + period;
}

static bool earlier(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

/* The earliest timer due by `now` and added before `limit`: a round serves only the
 * timers that existed when it began, so one that keeps adding due timers cannot hold it. */
static struct loop_timer *earliest(struct loop *l, int64_t now, uint64_t limit)
{
	struct loop_timer *best = NULL;
	for (size_t i = 0; i < LOOP_MAX_TIMERS; i++) {
		struct loop_timer *t = &l->timers[i];
		if (!t->id || t->due > now || t->seq >= limit)
			continue;
		if (!best || earlier(t, best))
			best = t;
	}
	return best;
}

static void run_timers(struct loop *l)
{
	int64_t now = mono_ms();
	uint64_t limit = l->seq + 1;
	struct loop_timer *t;
	while (!interrupted(l) && (t = earliest(l, now, limit))) {
		int id = t->id;
		int64_t period = t->period;
		loop_cb *cb = t->cb;
		void *ctx = t->ctx;
		if (!period)
			t->id = 0; /* freed first: its callback may add timers */
		int64_t began = mono_ms();
		cb(l, ctx);
		if (period && t->id == id) /* not deleted by its callback */
			t->due = next_due(t->due, t->period, began);
	}
}

static void run_flags(struct loop *l)
{
	for (size_t i = 0; i < LOOP_MAX_FLAGS && !l->stopped; i++)
		if (l->flags[i].flag && *l->flags[i].flag)
			l->flags[i].cb(l, l->flags[i].ctx);
}

/* The pollfd array from the registrations (OpenNTPD's way), the timerfd last. */
static void build_pollfds(struct loop *l)
{
	size_t n = 0;
	for (size_t i = 0; i < LOOP_MAX_FDS; i++) {
		const struct loop_fd *f = &l->fds[i];
		if (f->fd < 0 || !f->events)
			continue;
		l->pfd[n] = (struct pollfd){ .fd = f->fd, .events = f->events };
		l->polled[n].slot = i;
		l->polled[n].seq = f->seq;
		n++;
	}
	l->pfd[n] = (struct pollfd){ .fd = l->tfd, .events = POLLIN };
	l->npfd = n;
}

static void run_fds(struct loop *l)
{
	if (l->pfd[l->npfd].revents) {
		uint64_t expirations;
		(void)!read(l->tfd, &expirations, sizeof(expirations)); /* only rearms the wake */
		l->armed = 0;
	}
	for (size_t i = 0; i < l->npfd && !interrupted(l); i++) {
		short revents = l->pfd[i].revents;
		const struct loop_fd *f = &l->fds[l->polled[i].slot];
		/* Deleted, or its slot reused, by an earlier callback of this round. */
		if (!revents || f->fd < 0 || f->seq != l->polled[i].seq)
			continue;
		f->cb(l, f->fd, revents, f->ctx);
	}
}

/* Which clock a sleep runs on: deadlines are mono_ms() values, CLOCK_BOOTTIME, which keeps
 * counting while the host is suspended (a peer's silence includes the time the host
 * slept). ppoll()'s relative timeout runs on CLOCK_MONOTONIC, which stops during suspend:
 * a 30 s sleep begun just before a 10-minute suspend would end 30 s after the resume,
 * every deadline then late by up to the whole sleep. So ppoll() gets no timeout at all:
 * a timerfd on CLOCK_BOOTTIME, armed (absolute) to the earliest deadline, is one more fd
 * in the set and fires on the deadline's own clock, at the resume if that is later. One
 * timerfd for all timers, re-armed only when the earliest deadline changes. Timers are
 * dispatched by comparing deadlines with mono_ms(), never by the timerfd's expiry count,
 * which only wakes the loop. */

/* Arms the timerfd to the earliest deadline. 1: sleep until an event, 0: a timer is
 * already due (do not sleep), or -errno. */
static int arm(struct loop *l)
{
	const struct loop_timer *t = earliest(l, INT64_MAX, UINT64_MAX);
	int64_t due = t ? t->due : 0;
	if (t && due <= mono_ms())
		return 0;
	if (due == l->armed)
		return 1;
	/* it_value zero disarms: no timer, nothing to wake for but fds and signals. */
	struct itimerspec its = { .it_value = { due / 1000, (due % 1000) * 1000000 } };
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->armed = due;
	return 1;
}

/* With the signals blocked; `old` is the mask ppoll() sleeps with. */
static int wait_events(struct loop *l, const sigset_t *old)
{
	static const struct timespec no_wait = { 0, 0 };
	int sleep = arm(l);
	if (sleep < 0)
		return sleep;
	int n = ppoll(l->pfd, l->npfd + 1, sleep ? NULL : &no_wait, old);
	return n < 0 ? -errno : n;
}

int loop_run_once(struct loop *l, const sigset_t *blocked)
{
	sigset_t old;
	int rc = 0;
	build_pollfds(l);
	sigprocmask(SIG_BLOCK, blocked, &old);
	/* Checked with the signals held: one that comes after the check interrupts ppoll(). */
	if (!interrupted(l))
		rc = wait_events(l, &old);
	if (rc >= 0 || rc == -EINTR) {
		/* Callbacks run with the signals still held, and wait only through wait_poll(),
		 * which lets them in atomically: a stop that lands between a callback's check of
		 * its flag and its wait ends the wait at once. */
		wait_mask_set(&old);
		l->held = blocked;
		run_flags(l);
		run_timers(l);
		if (rc > 0)
			run_fds(l);
		l->held = NULL;
		wait_mask_set(NULL);
		rc = 0;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int loop_run(struct loop *l, const sigset_t *blocked)
{
	while (!l->stopped) {
		int rc = loop_run_once(l, blocked);
		if (rc < 0)
			return rc;
	}
	return 0;
}
