// SPDX-License-Identifier: MIT
/* The native sd_notify client and its sink against datagram sockets this test binds (a
 * path and an abstract name): the environment read and removed, each message as sent,
 * WATCHDOG_PID of another process (no watchdog), an unreachable or full socket (no
 * error that stops anything, never a stall), no ping while a poll is running, and the
 * warning when a whole poll budget does not fit in a ping period. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "loop.h"
#include "sdnotify.h"
#include "sink_notify.h"
#include "tmpdir.h"
#include "util.h"

static char dir[PATH_MAX];

/* A bound receiving socket; name is "/path" or "@abstract" as NOTIFY_SOCKET says it. */
static int bind_receiver(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	memcpy(a.sun_path, name, len);
	if (name[0] == '@')
		a.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a,
	                     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The next datagram, or "" when none is waiting. */
static const char *next_msg(int fd)
{
	static char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void set_env(const char *sock, const char *usec, const char *pid)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (sock)
		setenv("NOTIFY_SOCKET", sock, 1);
	if (usec)
		setenv("WATCHDOG_USEC", usec, 1);
	if (pid)
		setenv("WATCHDOG_PID", pid, 1);
}

static void check_roundtrip(const char *name)
{
	int rx = bind_receiver(name);
	CHECK(rx >= 0);
	struct sdnotify n;
	set_env(name, "3000000", NULL);
	CHECK_INT(sdnotify_init(&n), 0);
	CHECK(getenv("NOTIFY_SOCKET") == NULL); /* never passed on to a child */
	CHECK(getenv("WATCHDOG_USEC") == NULL);
	CHECK_INT(n.watchdog_ms, 1500);
	CHECK_INT(sdnotify_send(&n, "READY=1\nSTATUS=x"), 0);
	CHECK_STR(next_msg(rx), "READY=1\nSTATUS=x");
	CHECK_STR(next_msg(rx), "");
	sdnotify_fini(&n);
	close(rx);
}

static void test_path_and_abstract(void)
{
	char path[PATH_MAX + 16], abstract[64];
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(abstract, sizeof(abstract), "@wgm-test-notify-%d", (int)getpid());
	check_roundtrip(path);
	check_roundtrip(abstract);
}

static void test_environment(void)
{
	struct sdnotify n;
	char me[16], other[16];
	snprintf(me, sizeof(me), "%d", (int)getpid());
	snprintf(other, sizeof(other), "%d", (int)getppid());
	set_env("@x-wgm", "1000000", me);
	sdnotify_init(&n);
	CHECK_INT(n.watchdog_ms, 500);
	CHECK(getenv("WATCHDOG_PID") == NULL);
	sdnotify_fini(&n);
	set_env("@x-wgm", "1000000", other); /* meant for another process: no pings */
	sdnotify_init(&n);
	CHECK_INT(n.watchdog_ms, 0);
	CHECK(getenv("WATCHDOG_PID") == NULL && getenv("WATCHDOG_USEC") == NULL);
	sdnotify_fini(&n);
	set_env("@x-wgm", "soon", NULL);
	sdnotify_init(&n);
	CHECK_INT(n.watchdog_ms, 0);
	sdnotify_fini(&n);
	set_env(NULL, "1000000", NULL); /* a watchdog without a socket to ping */
	sdnotify_init(&n);
	CHECK_INT(n.fd, -1);
	CHECK_INT(n.watchdog_ms, 0);
	CHECK_INT(sdnotify_send(&n, "READY=1"), 0);
	CHECK(getenv("WATCHDOG_USEC") == NULL);
	set_env("relative/sock", NULL, NULL); /* neither a path nor @name: ignored */
	sdnotify_init(&n);
	CHECK_INT(n.fd, -1);
	sdnotify_fini(&n);
}

/* WatchdogSec=60 s pings every 30 s: a 28 s poll budget leaves the 1 s margin, 29 s does
 * not; no watchdog (or another process's) never warns. */
static void test_watchdog_budget(void)
{
	struct sdnotify n;
	char msg[640];
	set_env("@x-wgm", "60000000", NULL);
	sdnotify_init(&n);
	CHECK(!sdnotify_watchdog_too_short(&n, "POLL_TIMEOUT", 28000, msg, sizeof(msg)));
	CHECK(sdnotify_watchdog_too_short(&n, "POLL_TIMEOUT", 29000, msg, sizeof(msg)));
	CHECK_STR(msg, "POLL_TIMEOUT=29 s is too long for the watchdog: WATCHDOG_USEC=60000000 "
	          "(WatchdogSec=60 s) wants a ping every 30000 ms, and a poll that takes its "
	          "whole budget holds a ping back; keep POLL_TIMEOUT + 1 s below half of "
	          "WatchdogSec, or raise WatchdogSec");
	sdnotify_fini(&n);
	set_env("@x-wgm", "2500000", NULL); /* not whole seconds */
	sdnotify_init(&n);
	CHECK(sdnotify_watchdog_too_short(&n, "--poll-timeout", 1000, msg, sizeof(msg)));
	CHECK(strstr(msg, "--poll-timeout=1 s ") && strstr(msg, "(WatchdogSec=2.5 s)"));
	sdnotify_fini(&n);
	set_env("@x-wgm", "1230000000", NULL); /* %g wrote 1.23e+03 */
	sdnotify_init(&n);
	CHECK(sdnotify_watchdog_too_short(&n, "--poll-timeout", 615000, msg, sizeof(msg)));
	CHECK_CONTAINS(msg, "(WatchdogSec=1230 s)");
	sdnotify_fini(&n);
	char other[16];
	snprintf(other, sizeof(other), "%d", (int)getppid());
	set_env("@x-wgm", "2000000", other);
	sdnotify_init(&n);
	CHECK(!sdnotify_watchdog_too_short(&n, "POLL_TIMEOUT", 86400000, msg, sizeof(msg)));
	sdnotify_fini(&n);
	set_env(NULL, NULL, NULL);
	sdnotify_init(&n);
	CHECK(!sdnotify_watchdog_too_short(&n, "POLL_TIMEOUT", 86400000, msg, sizeof(msg)));
	sdnotify_fini(&n);
}

static void test_unreachable_and_full(void)
{
	struct sdnotify n;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/nobody-listens", dir);
	set_env(path, NULL, NULL);
	CHECK_INT(sdnotify_init(&n), 0);
	CHECK_INT(sdnotify_send(&n, "READY=1"), -ENOENT);
	CHECK_INT(n.failed, 1);
	sdnotify_fini(&n);
	/* a receiver that never reads: sends fail fast with EAGAIN, none blocks */
	snprintf(path, sizeof(path), "%s/full", dir);
	int rx = bind_receiver(path);
	set_env(path, NULL, NULL);
	sdnotify_init(&n);
	int64_t t0 = mono_ms();
	int rc = 0;
	for (int i = 0; i < 100000 && rc == 0; i++)
		rc = sdnotify_send(&n, "WATCHDOG=1");
	CHECK_INT(rc, -EAGAIN);
	CHECK(mono_ms() - t0 < 2000);
	CHECK(n.sent > 0);
	close(rx); /* gone now: refused, still only counted */
	CHECK(sdnotify_send(&n, "STOPPING=1") < 0);
	sdnotify_fini(&n);
}

static struct event poll_event(size_t online, size_t peers, int64_t ms)
{
	struct event ev = event_new(EV_POLL, real_ms(), NULL);
	ev.poll.counts.online = online;
	ev.poll.counts.peers = peers;
	ev.poll.poll_ms = ms;
	return ev;
}

static uint64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void test_sink_messages(void)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/sink", dir);
	int rx = bind_receiver(path);
	struct sink_notify s = { 0 };
	set_env(path, NULL, NULL);
	sdnotify_init(&s.n);
	sink_notify_reload_begin(&s); /* a SIGHUP before the first poll */
	uint64_t before = mono_usec();
	unsigned long long usec = 0;
	CHECK(sscanf(next_msg(rx), "RELOADING=1\nMONOTONIC_USEC=%llu", &usec) == 1);
	CHECK(usec > 0 && usec <= before);
	sink_notify_reload_end(&s);
	CHECK_STR(next_msg(rx), ""); /* readiness waits for the first poll */
	struct event ev = poll_event(12, 14, 3);
	sink_notify_event(&s, &ev);
	CHECK_STR(next_msg(rx), "READY=1\nSTATUS=12/14 peers online, last poll 3 ms");
	ev = poll_event(0, 0, 1250);
	sink_notify_event(&s, &ev);
	CHECK_STR(next_msg(rx), "STATUS=0/0 peers online, last poll 1250 ms");
	sink_notify_reload_begin(&s);
	CHECK_CONTAINS(next_msg(rx), "RELOADING=1\nMONOTONIC_USEC=");
	sink_notify_reload_end(&s);
	CHECK_STR(next_msg(rx), "READY=1");
	ev = event_new(EV_STATS, real_ms(), NULL);
	sink_notify_event(&s, &ev);
	CHECK_STR(next_msg(rx), "");
	ev = event_new(EV_MONITOR_STOP, real_ms(), NULL);
	sink_notify_event(&s, &ev);
	CHECK_STR(next_msg(rx), "STOPPING=1");
	sdnotify_fini(&s.n);
	close(rx);
}

/* A "poll" that runs long: while it runs, no ping may arrive. */
static struct { int rx, polls, pings_in_poll, pings_after; bool guard_hit; } wd;

static void slow_poll(struct loop *l, void *ctx)
{
	(void)ctx;
	while (next_msg(wd.rx)[0])
		;
	struct timespec ts = { 0, 120 * 1000000 }; /* six watchdog periods */
	nanosleep(&ts, NULL);
	wd.pings_in_poll += next_msg(wd.rx)[0] != '\0';
	wd.polls++;
	(void)l;
}

/* The pings go on between the polls: the loop ends at the first ping after the third
 * poll. Not a count of pings by the clock: a poll the scheduler ran late may come before
 * the ping that was due after it, by deadline order, so only "there is a next ping"
 * holds however the process is run. */
static void ping_then_stop(struct loop *l, void *ctx)
{
	sink_notify_watchdog(l, ctx);
	if (wd.polls >= 3 && ++wd.pings_after == 1)
		loop_stop(l);
}

/* Bounds a loop that never pings again: 60 polls' time, no scheduling comes near it. */
static void guard(struct loop *l, void *ctx)
{
	(void)ctx;
	wd.guard_hit = true;
	loop_stop(l);
}

static void test_no_ping_inside_a_poll(void)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/watchdog", dir);
	wd.rx = bind_receiver(path);
	struct sink_notify s = { 0 };
	set_env(path, "40000", NULL); /* 40 ms: a ping every 20 ms */
	sdnotify_init(&s.n);
	CHECK_INT(s.n.watchdog_ms, 20);
	struct loop l;
	sigset_t none;
	sigemptyset(&none);
	CHECK_INT(loop_init(&l), 0);
	int64_t t0 = mono_ms();
	loop_add_periodic(&l, t0 + 50, 150, slow_poll, NULL);
	loop_add_periodic(&l, t0 + s.n.watchdog_ms, s.n.watchdog_ms, ping_then_stop, &s);
	loop_add_timer(&l, t0 + 10000, guard, NULL);
	CHECK_INT(loop_run(&l, &none), 0);
	loop_fini(&l);
	CHECK(!wd.guard_hit);
	CHECK(wd.polls >= 3);
	CHECK_INT(wd.pings_in_poll, 0);
	CHECK_INT(wd.pings_after, 1);
	CHECK(s.n.sent >= 2); /* the one due before the first poll, and the one after */
	sdnotify_fini(&s.n);
	close(wd.rx);
}

static void setup(void)
{
	if (!tdir_make(dir, "/tmp"))
		abort();
}

static void teardown(void)
{
	tdir_remove(dir);
}

TEST_MAIN(setup, test_path_and_abstract, test_environment, test_watchdog_budget,
          test_unreachable_and_full,
          test_sink_messages, test_no_ping_inside_a_poll, teardown)
