// SPDX-License-Identifier: MIT
/* The scheduler on the real clock: timers in deadline order, one firing after a stall then
 * the cadence again, fds dispatched, signals waking ppoll() at once, safe deletion from
 * callbacks, and no round without something due. Periods of 100 ms keep it under 5 s.
 * No check bounds how soon a callback runs after its deadline: the test process may be
 * descheduled for any time (a loaded 2-core CI machine, the ASan build). Cadence is checked
 * on the deadlines the loop itself set, lateness only from below, and rounds by count. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "loop.h"
#include "util.h"

#define P 100 /* ms, the period of the periodic tests */

static volatile sig_atomic_t got_usr1;
static sigset_t blocked;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* What the callbacks saw: who fired, when, and the deadline being served. */
static struct {
	int who[64];
	int64_t at[64];
	int64_t due[64];     /* of timer `watch`, read from the loop's table during its callback */
	size_t n;
	struct loop *l;
	int watch;           /* the periodic timer whose deadlines are recorded */
	int del_id[4];       /* timers a callback deletes */
	int flag_calls;
} seen;

/* The deadline the loop holds for timer id, 0 if none. The struct's members are loop.c's,
 * but its deadlines are what "keeps the cadence" means, and unlike the callbacks' clock
 * readings they do not move when the scheduler runs the process late. */
static int64_t due_of(const struct loop *l, int id)
{
	for (size_t i = 0; i < LOOP_MAX_TIMERS; i++)
		if (id > 0 && l->timers[i].id == id)
			return l->timers[i].due;
	return 0;
}

static void reset(struct loop *l)
{
	memset(&seen, 0, sizeof(seen));
	seen.l = l;
	got_usr1 = 0;
}

static void record(struct loop *l, void *ctx)
{
	if (seen.n < ARRAY_SIZE(seen.who)) {
		seen.who[seen.n] = (int)(intptr_t)ctx;
		seen.due[seen.n] = due_of(l, seen.watch); /* updated only after the callback */
		seen.at[seen.n++] = mono_ms();
	}
}

static int who(size_t i)
{
	return i < seen.n ? seen.who[i] : -1;
}

#define TAG(n) ((void *)(intptr_t)(n))

/* Runs rounds until `n` callbacks were seen or max_rounds ran; returns the rounds. A guard
 * in rounds, not in time: a correct loop fires something every round here (nothing else
 * wakes it), and a time limit is what a descheduled process overruns. */
static int run_until(struct loop *l, size_t n, int max_rounds)
{
	int rounds = 0;
	while (seen.n < n && rounds < max_rounds) {
		CHECK_INT(loop_run_once(l, &blocked), 0);
		rounds++;
	}
	return rounds;
}

static void test_deadline_order(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	int64_t now = mono_ms();
	/* All due already: one round serves them earliest first, ties in the order added. */
	loop_add_timer(&l, now - 10, record, TAG(3));
	loop_add_timer(&l, now - 30, record, TAG(1));
	loop_add_timer(&l, now - 20, record, TAG(2));
	loop_add_timer(&l, now - 10, record, TAG(4));
	CHECK_INT(run_until(&l, 4, 1), 1);
	CHECK_INT(seen.n, 4);
	for (int i = 0; i < 4; i++)
		CHECK_INT(who((size_t)i), i + 1);
	/* In the future: each fires on its own deadline, never before. */
	reset(&l);
	now = mono_ms();
	loop_add_timer(&l, now + 60, record, TAG(3));
	loop_add_timer(&l, now + 20, record, TAG(1));
	loop_add_timer(&l, now + 40, record, TAG(2));
	run_until(&l, 3, 3); /* a round each at most: late rounds may serve two at once */
	CHECK_INT(seen.n, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(who((size_t)i), i + 1);
		CHECK(seen.at[i] >= now + 20 * (i + 1));
	}
	loop_fini(&l);
}

/* The deadline the loop set after firing i of the watched timer (period P), from the one it
 * served and when the callback began (at most at[i]): a period after the served one when
 * it began less than a period late (always so for at[i] < due + P), else a period after it
 * began. Never pushed by how long the callback ran, never the missed deadlines in a burst,
 * and never early. Exact on the loop's own deadlines, so scheduling delays cannot fail it;
 * a loop that timed the next firing from the callback's end fails the upper bound. */
static void check_next_due(size_t i)
{
	int64_t due = seen.due[i], next = seen.due[i + 1];
	CHECK(due > 0 && seen.at[i] >= due);
	CHECK(seen.at[i + 1] >= next);
	if (seen.at[i] < due + P)
		CHECK_INT(next, due + P);
	else
		CHECK(next == due + P || (next >= due + 2 * P && next <= seen.at[i] + P));
}

static int64_t stall_end;

static void stall(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	sleep_ms(3 * P + P / 2);
	stall_end = mono_ms();
}

/* Another callback holds the loop for 3.5 periods: the periodic timer then fires once (not
 * once per missed period) and next a full period later. */
static void test_stall_no_burst(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	int64_t t0 = mono_ms(), stall_due = t0 + P + P / 2;
	seen.watch = loop_add_periodic(&l, t0, P, record, TAG(1));
	CHECK(seen.watch > 0);
	CHECK(loop_add_timer(&l, stall_due, stall, NULL) > 0);
	run_until(&l, 5, 10);
	CHECK_INT(seen.n, 5);
	/* Deadline order: the firings due before the stall ran before it (at 0 and P, or only
	 * at 0 when the process ran so late that the next was rescheduled past the stall). */
	size_t first = 0, held = 0;
	while (first < seen.n && seen.due[first] <= stall_due)
		CHECK(seen.at[first++] < stall_end);
	CHECK(first == 2 || (first == 1 && seen.at[0] >= t0 + P));
	/* After the stall: the missed deadlines are served once, not three times (a burst
	 * would serve the next one a period after the missed one, before the stall ended). */
	for (size_t i = first; i < seen.n; i++) {
		CHECK(seen.at[i] >= stall_end);
		held += seen.due[i] < stall_end;
	}
	CHECK_INT(held, 1);
	CHECK(seen.due[first + 1] >= stall_end + P); /* a full period after it began */
	for (size_t i = first; i + 1 < seen.n; i++)  /* and on the cadence from there */
		check_next_due(i);
	loop_fini(&l);
}

static void busy(struct loop *l, void *ctx)
{
	record(l, ctx);
	sleep_ms(P * 3 / 5);
}

/* A callback that takes 60% of the period does not push the next deadline: six firings
 * span five periods (500 ms), not five periods plus five callbacks (800 ms). Checked on the
 * deadlines the loop set: a firing the scheduler ran late moves when it ran, not them. */
static void test_cadence(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	seen.watch = loop_add_periodic(&l, mono_ms(), P, busy, TAG(1));
	CHECK(seen.watch > 0);
	run_until(&l, 6, 12);
	CHECK_INT(seen.n, 6);
	CHECK(seen.due[5] - seen.due[0] >= 5 * P);
	for (size_t i = 0; i < 5; i++) /* each next deadline before the callback's end + P */
		check_next_due(i);
	CHECK_INT(loop_add_periodic(&l, mono_ms(), 0, busy, NULL), -EINVAL);
	loop_fini(&l);
}

static void overrun(struct loop *l, void *ctx)
{
	record(l, ctx);
	sleep_ms(P * 6 / 5);
}

/* A callback that begins on time but runs past its period (a poll that spends its whole
 * budget) is followed at once by the one then due: back to back, not a period apart. */
static void test_overrun_keeps_pace(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	seen.watch = loop_add_periodic(&l, mono_ms(), P, overrun, TAG(1));
	CHECK(seen.watch > 0);
	CHECK_INT(run_until(&l, 4, 4), 4); /* one firing per round */
	CHECK_INT(seen.n, 4);
	CHECK(seen.at[3] - seen.at[0] >= 3 * P * 6 / 5);
	for (size_t i = 0; i < 3; i++) {
		check_next_due(i);
		/* due before the callback ended (a loop that counted the period from the end
		 * would set at[i] + 1.2 P + P), so the next round does not sleep */
		CHECK(seen.due[i + 1] < seen.at[i] + P * 6 / 5);
	}
	loop_fini(&l);
}

static int fd_calls[2];
static short fd_revents[2];
static int pipes[2][2];

static void on_fd(struct loop *l, int fd, short revents, void *ctx)
{
	int i = (int)(intptr_t)ctx;
	char c;
	fd_calls[i]++;
	fd_revents[i] = revents;
	if (revents & POLLIN)
		(void)!read(fd, &c, 1);
	if (i == 0 && (revents & POLLHUP))
		loop_del_fd(l, fd);
	if (i == 0 && seen.del_id[0] < 0) /* asked to drop the other pipe */
		loop_del_fd(l, pipes[1][0]);
}

static void test_fds(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(pipe2(pipes[i], O_CLOEXEC), 0);
		CHECK_INT(loop_add_fd(&l, pipes[i][0], POLLIN, on_fd, TAG(i)), 0);
	}
	CHECK_INT(loop_add_fd(&l, pipes[0][0], POLLIN, on_fd, TAG(0)), -EEXIST);
	CHECK_INT(loop_add_fd(&l, -1, POLLIN, on_fd, TAG(0)), -EBADF);
	CHECK_INT(write(pipes[0][1], "x", 1), 1);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(fd_calls[0], 1);
	CHECK_INT(fd_revents[0], POLLIN);
	CHECK_INT(fd_calls[1], 0);
	/* Paused: left out of ppoll(); the timer ends the round instead. */
	CHECK_INT(loop_mod_fd(&l, pipes[0][0], 0), 0);
	CHECK_INT(write(pipes[0][1], "y", 1), 1);
	loop_add_timer(&l, mono_ms() + 30, record, TAG(1));
	CHECK_INT(run_until(&l, 1, 1), 1);
	CHECK_INT(seen.n, 1); /* the one round ended by the timer, not by the paused fd */
	CHECK_INT(fd_calls[0], 1);
	CHECK_INT(loop_mod_fd(&l, pipes[0][0], POLLIN), 0);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(fd_calls[0], 2);
	/* Both ready; the first callback deletes the second fd: its revents are dropped. */
	seen.del_id[0] = -1;
	CHECK_INT(write(pipes[0][1], "z", 1), 1);
	CHECK_INT(write(pipes[1][1], "z", 1), 1);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(fd_calls[0], 3);
	CHECK_INT(fd_calls[1], 0);
	CHECK_INT(loop_del_fd(&l, pipes[1][0]), -ENOENT);
	CHECK_INT(loop_mod_fd(&l, pipes[1][0], POLLIN), -ENOENT);
	seen.del_id[0] = 0;
	/* The writer gone: POLLHUP, and the callback's own deletion sticks. */
	close(pipes[0][1]);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(fd_calls[0], 4);
	CHECK(fd_revents[0] & POLLHUP);
	seen.n = 0;
	loop_add_timer(&l, mono_ms() + 30, record, TAG(1));
	CHECK_INT(run_until(&l, 1, 1), 1);
	CHECK_INT(seen.n, 1);
	CHECK_INT(fd_calls[0], 4);
	close(pipes[0][0]);
	close(pipes[1][0]);
	close(pipes[1][1]);
	loop_fini(&l);
}

static void on_flag(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	seen.flag_calls++;
	got_usr1 = 0;
}

static void raise_usr1(struct loop *l, void *ctx)
{
	record(l, ctx);
	raise(SIGUSR1); /* not blocked during callbacks: the handler runs now */
}

/* The far timer of the signal tests: the only other end of their sleeps. A round that ends
 * before it ended on the signal (or did not sleep); the bound is the timer's, not a guess of
 * how late the scheduler may run the process, which only a stall of 10 s could pass. */
#define FAR 10000

/* A signal from another process wakes a sleep of seconds at once. */
static void test_signal_wakes(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	CHECK_INT(loop_watch_flag(&l, &got_usr1, on_flag, NULL), 0);
	loop_add_timer(&l, mono_ms() + FAR, record, TAG(9));
	pid_t child = fork();
	if (child == 0) {
		sleep_ms(P);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	int64_t t0 = mono_ms();
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	int64_t took = mono_ms() - t0;
	CHECK(took < FAR);             /* a loop deaf to the signal sleeps until the timer */
	CHECK_INT(seen.flag_calls, 1);
	CHECK_INT(seen.n, 0);
	CHECK_INT(waitpid(child, NULL, 0), child);
	loop_fini(&l);
}

/* A signal during a callback ends the round: the next one does not sleep, calls the flag's
 * callback first, then the timer that was left. */
static void test_signal_in_callback(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	CHECK_INT(loop_watch_flag(&l, &got_usr1, on_flag, NULL), 0);
	int64_t now = mono_ms();
	loop_add_timer(&l, now - 2, raise_usr1, TAG(1));
	loop_add_timer(&l, now - 1, record, TAG(2));
	loop_add_timer(&l, now + FAR, record, TAG(9));
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(seen.n, 1);
	CHECK_INT(seen.flag_calls, 0);
	CHECK_INT(got_usr1, 1);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK(mono_ms() - now < FAR);  /* it did not sleep: TAG(9) is all there is to wait for */
	CHECK_INT(seen.flag_calls, 1);
	CHECK_INT(seen.n, 2);
	CHECK_INT(who(1), 2);
	/* Nothing else due: the flag raised before the sleep must still keep it from sleeping
	 * (as a signal between the check and ppoll() would, were it not held). */
	now = mono_ms();
	loop_add_timer(&l, now - 1, raise_usr1, TAG(3));
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(got_usr1, 1);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK(mono_ms() - now < FAR);
	CHECK_INT(seen.flag_calls, 2);
	CHECK_INT(seen.n, 3);
	loop_fini(&l);
}

static void deleter(struct loop *l, void *ctx)
{
	record(l, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(seen.del_id); i++)
		loop_del_timer(l, seen.del_id[i]);
}

static void readd(struct loop *l, void *ctx)
{
	record(l, ctx);
	loop_add_timer(l, mono_ms() - 1, readd, ctx); /* due at once, but in the next round */
}

static void test_delete_in_callback(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	int64_t now = mono_ms();
	int a = loop_add_timer(&l, now - 3, deleter, TAG(1));
	seen.del_id[0] = loop_add_timer(&l, now - 2, record, TAG(2));
	seen.del_id[1] = loop_add_periodic(&l, now - 1, 10, record, TAG(3));
	seen.del_id[2] = a; /* itself, already spent */
	seen.del_id[3] = 12345;
	CHECK(a > 0 && seen.del_id[0] > 0 && seen.del_id[1] > 0);
	CHECK(a != seen.del_id[0] && seen.del_id[0] != seen.del_id[1]);
	loop_add_timer(&l, now + 50, record, TAG(4));
	run_until(&l, 2, 2); /* one round, or two: TAG(4) may be due by the first */
	CHECK_INT(seen.n, 2);
	CHECK_INT(who(0), 1);
	CHECK_INT(who(1), 4);
	/* A periodic timer that deletes itself is not re-armed. */
	reset(&l);
	seen.del_id[0] = loop_add_periodic(&l, mono_ms() - 1, 10, deleter, TAG(5));
	loop_add_timer(&l, mono_ms() + 60, record, TAG(6));
	run_until(&l, 2, 2);
	CHECK_INT(seen.n, 2);
	CHECK_INT(who(1), 6);
	/* A callback adding a due timer: served by the next round, not this one, forever. */
	reset(&l);
	loop_add_timer(&l, mono_ms() - 1, readd, TAG(7));
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(seen.n, 1);
	CHECK_INT(loop_run_once(&l, &blocked), 0);
	CHECK_INT(seen.n, 2);
	loop_fini(&l);
}

static void idle_fd(struct loop *l, int fd, short revents, void *ctx)
{
	(void)l;
	(void)fd;
	(void)revents;
	(void)ctx;
	fd_calls[0]++;
}

/* An idle loop wakes only when something is due: a round per firing, none in between,
 * and never early (an idle fd in the set changes nothing). */
static void test_no_idle_wakeups(void)
{
	struct loop l;
	int p[2];
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	fd_calls[0] = 0;
	CHECK_INT(pipe2(p, O_CLOEXEC), 0);
	CHECK_INT(loop_add_fd(&l, p[0], POLLIN, idle_fd, NULL), 0);
	int64_t t0 = mono_ms();
	loop_add_timer(&l, t0 + 3 * P, record, TAG(1));
	CHECK_INT(run_until(&l, 1, 3), 1);
	CHECK(seen.at[0] >= t0 + 3 * P);
	reset(&l);
	t0 = mono_ms();
	CHECK(loop_add_periodic(&l, t0 + P, P, record, TAG(2)) > 0);
	CHECK_INT(run_until(&l, 4, 8), 4); /* one per firing even if late: never two at once */
	CHECK(seen.at[3] >= t0 + 4 * P);
	CHECK_INT(fd_calls[0], 0);
	close(p[0]);
	close(p[1]);
	loop_fini(&l);
}

static void stopper(struct loop *l, void *ctx)
{
	record(l, ctx);
	loop_stop(l);
}

static void test_stop_and_capacity(void)
{
	struct loop l;
	CHECK_INT(loop_init(&l), 0);
	reset(&l);
	int64_t now = mono_ms();
	loop_add_timer(&l, now + 20, stopper, TAG(1));
	loop_add_timer(&l, now + 20, record, TAG(2)); /* same round, after the stop */
	CHECK_INT(loop_run(&l, &blocked), 0);
	CHECK_INT(seen.n, 1);
	loop_fini(&l);

	CHECK_INT(loop_init(&l), 0);
	for (int i = 0; i < LOOP_MAX_TIMERS; i++)
		CHECK(loop_add_timer(&l, now + 1000, record, NULL) > 0);
	CHECK_INT(loop_add_timer(&l, now, record, NULL), -ENOSPC);
	CHECK_INT(loop_add_periodic(&l, now, 10, record, NULL), -ENOSPC);
	for (int i = 0; i < LOOP_MAX_FDS; i++)
		CHECK_INT(loop_add_fd(&l, 1000 + i, POLLIN, idle_fd, NULL), 0);
	CHECK_INT(loop_add_fd(&l, 999, POLLIN, idle_fd, NULL), -ENOSPC);
	for (int i = 0; i < LOOP_MAX_FLAGS; i++)
		CHECK_INT(loop_watch_flag(&l, &got_usr1, on_flag, NULL), 0);
	CHECK_INT(loop_watch_flag(&l, &got_usr1, on_flag, NULL), -ENOSPC);
	loop_fini(&l);
}

static void setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART, as the daemon's */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
}

TEST_MAIN(setup, test_deadline_order, test_stall_no_burst, test_cadence, test_overrun_keeps_pace,
          test_fds,
          test_signal_wakes, test_signal_in_callback, test_delete_in_callback,
          test_no_idle_wakeups, test_stop_and_capacity)
