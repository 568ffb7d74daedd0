/* SPDX-License-Identifier: MIT */
/* The daemon's scheduler: file descriptors, timers and signal flags, one ppoll() per round.
 * Times are mono_ms() milliseconds (CLOCK_BOOTTIME). Fixed capacity, no allocation. */
#ifndef LOOP_H
#define LOOP_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Room for everything at its bound at once: 4 metrics listeners + 16 connections (http.h)
 * + 8 hooks x (stderr, pidfd) = 36. */
#define LOOP_MAX_FDS    48
#define LOOP_MAX_TIMERS 32
#define LOOP_MAX_FLAGS  4

struct loop;
typedef void loop_fd_cb(struct loop *l, int fd, short revents, void *ctx);
typedef void loop_cb(struct loop *l, void *ctx);

struct loop_fd {
	int fd;              /* -1: free slot */
	short events;
	uint64_t seq;        /* registration, so a reused slot is never handed stale revents */
	loop_fd_cb *cb;
	void *ctx;
};

struct loop_timer {
	int id;              /* 0: free slot */
	uint64_t seq;        /* registration order, breaks ties between equal deadlines */
	int64_t due, period; /* period 0: one-shot */
	loop_cb *cb;
	void *ctx;
};

struct loop_flag {
	volatile sig_atomic_t *flag;
	loop_cb *cb;
	void *ctx;
};

/* Members are private to loop.c; the struct is public only so it can live on the stack. */
struct loop {
	int tfd;             /* timerfd on CLOCK_BOOTTIME, armed to the earliest deadline */
	int64_t armed;       /* deadline tfd is armed to, 0 = disarmed */
	bool stopped;
	const sigset_t *held;    /* during callbacks: the signals held (see loop_run_once) */
	int last_id;
	uint64_t seq;
	size_t npfd;
	struct loop_fd fds[LOOP_MAX_FDS];
	struct loop_timer timers[LOOP_MAX_TIMERS];
	struct loop_flag flags[LOOP_MAX_FLAGS];
	struct pollfd pfd[LOOP_MAX_FDS + 1];    /* rebuilt every round; the last is tfd */
	struct { size_t slot; uint64_t seq; } polled[LOOP_MAX_FDS];
};

/* An empty loop. 0 or -errno (timerfd_create); loop_fini releases it. */
int loop_init(struct loop *l);
void loop_fini(struct loop *l);

/* Calls cb(l, fd, revents, ctx) when fd is ready for events (POLLIN, ...) or has
 * POLLERR/POLLHUP/POLLNVAL; events 0 leaves it out of ppoll() until loop_mod_fd. The fd
 * stays the caller's. 0, -EBADF, -EEXIST or -ENOSPC. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb *cb, void *ctx);
/* Changes the events fd waits for. 0 or -ENOENT. */
int loop_mod_fd(struct loop *l, int fd, short events);
/* Forgets fd; safe from any callback, its pending revents are dropped. 0 or -ENOENT. */
int loop_del_fd(struct loop *l, int fd);

/* Calls cb(l, ctx) once at mono_ms() time `when` (at once if already past). Returns the
 * timer's id (> 0) or -ENOSPC. Equal deadlines fire in the order they were added. */
int loop_add_timer(struct loop *l, int64_t when, loop_cb *cb, void *ctx);
/* Calls cb at `first`, then every period_ms (> 0) keeping the cadence; after a stall it
 * fires once, never in a burst, and resumes period_ms later. Id > 0, -EINVAL or -ENOSPC. */
int loop_add_periodic(struct loop *l, int64_t first, int64_t period_ms, loop_cb *cb, void *ctx);
/* Cancels a timer (also one whose callback is running); an unknown id is ignored. */
void loop_del_timer(struct loop *l, int id);

/* Calls cb(l, ctx) after a wake while *flag is non-zero, for flags set by handlers of the
 * signals given to loop_run. While a flag is raised the loop does not sleep, so its
 * callback clears it or calls loop_stop. 0 or -ENOSPC. */
int loop_watch_flag(struct loop *l, volatile sig_atomic_t *flag, loop_cb *cb, void *ctx);

/* One round: sleeps in one ppoll() until an fd is ready, a timer is due or a signal
 * arrives, then calls the flag callbacks, the due timers in deadline order and the ready
 * fds' callbacks. The signals in `blocked` are held from the check of the flags until
 * ppoll() unblocks them, so none is lost in between, and they stay held during the
 * callbacks: a callback waits only through wait_poll() (util.h), which lets them in
 * atomically, so a stop that lands after the callback checked its flag still ends its
 * wait at once. A flag raised during a callback ends the round early. 0, or -errno when
 * ppoll() fails. */
int loop_run_once(struct loop *l, const sigset_t *blocked);
/* Runs rounds until loop_stop(). 0, or the first error of loop_run_once. */
int loop_run(struct loop *l, const sigset_t *blocked);
/* Ends loop_run after the current callback; the rest of the round is not dispatched. */
void loop_stop(struct loop *l);

#endif
