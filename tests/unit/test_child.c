// SPDX-License-Identifier: MIT
/* The isolated child: environment, fds, stdin, time limit (SIGTERM, grace, SIGKILL),
 * output cap, exit codes and signals, a failed execve, and the non-blocking interface
 * driven by a poll loop as a hook runner would. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "harness.h"
#include "util.h"

static struct child c;

/* The time limit of children whose limit is not under test: only a bound on a hang. A
 * descheduled test (2 cores, the ASan build, other work) can take seconds to fork and exec,
 * which a limit of 2 s would turn into a false -ETIMEDOUT. */
#define SLOW_MS 30000

static int sh(const char *script, int timeout_ms, int grace_ms, size_t outmax)
{
	char *const argv[] = { "sh", "-c", (char *)(uintptr_t)script, NULL };
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .outmax = outmax,
	                        .deadline_ms = mono_ms() + timeout_ms, .grace_ms = grace_ms };
	return child_run(&c, &s, NULL);
}

static const char *out_str(void)
{
	static char buf[4096];
	size_t n = c.outlen < sizeof buf - 1 ? c.outlen : sizeof buf - 1;
	memcpy(buf, c.outbuf ? c.outbuf : "", n);
	buf[n] = '\0';
	return buf;
}

/* Runs a script that never ends to its time limit, which starts at 300 ms and doubles
 * until the script printed `ready` before it: a loaded machine may take longer than that
 * just to start sh, and a limit that hit first proves nothing. Returns the limit used
 * (c holds that run), 0 if none. *t0: when that run began. */
static int sh_until_ready(const char *script, const char *ready, int grace_ms, int64_t *t0)
{
	for (int limit = 300; limit <= 9600; limit *= 2) {
		*t0 = mono_ms();
		CHECK_INT(sh(script, limit, grace_ms, 100), -ETIMEDOUT);
		if (strstr(out_str(), ready))
			return limit;
		child_free(&c);
	}
	return 0;
}

static void test_isolation(void)
{
	int leak = open("/dev/null", O_RDONLY); /* not O_CLOEXEC: must still be closed */
	CHECK_INT(sh("tr '\\0' '\\n' < /proc/$$/environ; ls /proc/self/fd | wc -l; "
	             "echo oops >&2; exit 3", SLOW_MS, 0, 1 << 20), 0);
	/* exactly two variables; fds 0-2 only (ls holds one more for the directory) */
	CHECK_STR(out_str(), "PATH=/usr/bin:/usr/sbin:/bin:/sbin\nLC_ALL=C\n4\n");
	CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3);
	CHECK_INT(c.errlen, 5);
	CHECK(memcmp(c.errbuf, "oops\n", 5) == 0);
	child_free(&c);
	close(leak);
	/* stdin is /dev/null: cat ends at once */
	CHECK_INT(sh("cat; echo done", SLOW_MS, 0, 1 << 20), 0);
	CHECK_STR(out_str(), "done\n");
	child_free(&c);
}

/* The service manager's variables (SPEC §8) stay with the daemon, even if still set. */
static void test_no_notify_env(void)
{
	setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
	setenv("WATCHDOG_USEC", "60000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	CHECK_INT(sh("tr '\\0' '\\n' < /proc/$$/environ", SLOW_MS, 0, 1 << 20), 0);
	CHECK_STR(out_str(), "PATH=/usr/bin:/usr/sbin:/bin:/sbin\nLC_ALL=C\n");
	child_free(&c);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void test_keep_and_env(void)
{
	int p[2];
	CHECK_INT(pipe2(p, O_CLOEXEC), 0);
	char script[64];
	snprintf(script, sizeof script, "echo kept >&%d; echo \"$WGM_X\"", p[1]);
	char *const argv[] = { "sh", "-c", script, NULL };
	char *const env[] = { "WGM_X=fixed", NULL };
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .envp = env, .keep = &p[1],
	                        .nkeep = 1, .outmax = 100, .deadline_ms = mono_ms() + SLOW_MS };
	CHECK_INT(child_run(&c, &s, NULL), 0);
	CHECK_STR(out_str(), "fixed\n");
	child_free(&c);
	char got[8] = "";
	CHECK_INT(read(p[0], got, 5), 5);
	CHECK(memcmp(got, "kept\n", 5) == 0);
	close(p[0]);
	close(p[1]);
	int bad = 2; /* stdio cannot be "kept": it is replaced */
	s.keep = &bad;
	CHECK_INT(child_run(&c, &s, NULL), -EINVAL);
	child_free(&c);
	s.keep = NULL;
	s.nkeep = 0;
	s.path = "sh"; /* no PATH search */
	CHECK_INT(child_run(&c, &s, NULL), -EINVAL);
	child_free(&c);
}

static void test_status(void)
{
	char *const argv[] = { "true", NULL };
	struct child_spec s = { .path = "/bin/true", .argv = argv, .outmax = 10,
	                        .deadline_ms = mono_ms() + SLOW_MS };
	CHECK_INT(child_run(&c, &s, NULL), 0);
	CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
	CHECK_INT(c.outlen, 0);
	child_free(&c);
	CHECK_INT(sh("kill -USR1 $$", SLOW_MS, 0, 10), 0); /* a signal is a status, not an error */
	CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGUSR1);
	child_free(&c);
}

/* A failed execve is an error of the spawn, and the forked copy never runs on. */
static void test_exec_fails(void)
{
	int marks[2];
	CHECK_INT(pipe2(marks, O_CLOEXEC | O_NONBLOCK), 0);
	pid_t me = getpid();
	char *const argv[] = { "nope", NULL };
	struct child_spec s = { .path = "/nonexistent/wg", .argv = argv, .outmax = 10,
	                        .deadline_ms = mono_ms() + SLOW_MS };
	int rc = child_spawn(&c, &s);
	if (getpid() != me) { /* only a child that survived its failed execve gets here */
		(void)!write(marks[1], "x", 1);
		_exit(0);
	}
	CHECK_INT(rc, -ENOENT);
	CHECK_INT(c.pid, 0);
	CHECK(c.out < 0 && c.err < 0);
	child_free(&c);
	char x;
	CHECK_INT(read(marks[0], &x, 1), -1);          /* nobody wrote a mark */
	CHECK_INT(waitpid(-1, NULL, WNOHANG), -1);     /* and no child is left */
	CHECK_INT(errno, ECHILD);
	close(marks[0]);
	close(marks[1]);
}

static void test_time_limit(void)
{
	int64_t t0 = mono_ms();
	char *const argv[] = { "sleep", "10", NULL };
	struct child_spec s = { .path = "/bin/sleep", .argv = argv, .outmax = 10,
	                        .deadline_ms = t0 + 300, .grace_ms = 2000 };
	CHECK_INT(child_run(&c, &s, NULL), -ETIMEDOUT);
	int64_t took = mono_ms() - t0;
	/* Ended by the time limit, not by its own 10 s (however late the test ran), and the
	 * SIGTERM ended it: the grace's SIGKILL never went (killed, SIGKILL, had it been). */
	CHECK(took >= 290 && took < 10000);
	CHECK(c.term_ms >= t0 + 300);
	CHECK(!c.killed);
	CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGTERM);
	child_free(&c);
	/* one that ignores SIGTERM gets SIGKILL after the grace */
	int limit = sh_until_ready("trap '' TERM; echo ready; while :; do sleep 0.05; done",
	                           "ready", 400, &t0);
	CHECK(limit > 0);
	took = mono_ms() - t0;
	/* SIGKILL not before the grace from the SIGTERM; that it comes exactly at the grace,
	 * not later, is test_grace_exact's (here it would bound the scheduler, not the code). */
	CHECK(took >= limit + 390 && took >= c.term_ms - t0 + 400);
	CHECK(c.killed);
	CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL);
	CHECK_STR(out_str(), "ready\n");
	child_free(&c);
	/* one that closed its pipes is still ended at the deadline */
	t0 = mono_ms();
	CHECK_INT(sh("exec >&- 2>&-; sleep 10", 300, 0, 100), -ETIMEDOUT);
	CHECK(mono_ms() - t0 < 10000); /* not when sleep ended by itself */
	CHECK(c.term_ms >= t0 + 300);
	child_free(&c);
}

/* The SIGKILL comes exactly the grace after the SIGTERM, on the caller's clock: reaped at
 * chosen times, so how late the scheduler runs this process cannot move it. A grace
 * counted too long or from the deadline's clock would fail the checks at +399 and +400. */
static void test_grace_exact(void)
{
	char *const argv[] = { "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done",
	                       NULL };
	int64_t end = mono_ms() + SLOW_MS;
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .outmax = 100,
	                        .deadline_ms = end, .grace_ms = 400 };
	CHECK_INT(child_spawn(&c, &s), 0);
	while (c.outlen < 6 && c.out >= 0) { /* the trap is set once it said ready */
		struct pollfd p = { .fd = c.out, .events = POLLIN };
		poll(&p, 1, SLOW_MS);
		child_on_readable(&c, c.out);
	}
	CHECK_STR(out_str(), "ready\n");
	CHECK_INT(child_reap(&c, end), 0);           /* the SIGTERM, ignored */
	CHECK(c.term_ms == end && !c.killed);
	/* the grace's end; without a pidfd (none asked for here) the reap tick comes first */
	CHECK(child_next_ms(&c, end) == end + CHILD_REAP_TICK_MS);
	CHECK(child_next_ms(&c, end + 390) == end + 400);
	CHECK_INT(child_reap(&c, end + 399), 0);
	CHECK(!c.killed);
	CHECK_INT(child_reap(&c, end + 400), 0);
	CHECK(c.killed);
	int done = 0;
	for (int i = 0; i < 1000 && !(done = child_reap(&c, end + 400)); i++)
		usleep(10000);
	CHECK_INT(done, 1);
	CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL);
	child_free(&c);
}

/* Whether pid is gone (or a zombie nobody reaped yet: it runs no more). */
static bool gone(pid_t pid)
{
	char path[64], stat[256] = "";
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	size_t n = fread(stat, 1, sizeof stat - 1, f);
	fclose(f);
	stat[n] = '\0';
	const char *end = strrchr(stat, ')');
	return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

/* What the child started in the background ends with it at the deadline. */
static void test_time_limit_group(void)
{
	int64_t t0;
	CHECK(sh_until_ready("sleep 37 >/dev/null 2>&1 & echo $!; sleep 30", "\n", 0, &t0) > 0);
	pid_t grand = (pid_t)atoi(out_str());
	CHECK(grand > 1);
	bool ended = false;
	/* Waits until it is gone: up to 10 s for a loaded machine to run its exit, far short
	 * of the 37 s it would live had the kill missed it. */
	for (int i = 0; i < 1000 && grand > 1 && !(ended = gone(grand)); i++)
		usleep(10000);
	CHECK(ended);
	child_free(&c);
}

static void test_output_cap(void)
{
	CHECK_INT(sh("while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyy; done", SLOW_MS, 0, 100000),
	          -E2BIG);
	CHECK_INT(c.outlen, 100000);
	child_free(&c);
	CHECK_INT(sh("head -c 65536 /dev/zero", SLOW_MS, 0, 65536), 0); /* exactly the cap */
	CHECK_INT(c.outlen, 65536);
	child_free(&c);
	/* stderr is kept up to its cap and the rest is drained, so the child never blocks */
	CHECK_INT(sh("head -c 100000 /dev/zero >&2; echo end", SLOW_MS, 0, 100), 0);
	CHECK_INT(c.errlen, CHILD_ERR_MAX);
	CHECK_STR(out_str(), "end\n");
	child_free(&c);
}

static volatile sig_atomic_t stop;

static void test_stop(void)
{
	char *const argv[] = { "sleep", "10", NULL };
	struct child_spec s = { .path = "/bin/sleep", .argv = argv, .outmax = 10,
	                        .deadline_ms = mono_ms() + 5000, .grace_ms = 5000 };
	stop = 1;
	int64_t t0 = mono_ms();
	CHECK_INT(child_run(&c, &s, &stop), -EINTR);
	CHECK(mono_ms() - t0 < 5000);  /* before the deadline: stopped, not timed out */
	CHECK_INT(c.pid, 0);
	child_free(&c);
	CHECK_INT(waitpid(-1, NULL, WNOHANG), -1); /* killed and reaped */
	stop = 0;
}

/* The loop side: poll the pipes, reap by child_next_ms, as a hook queue would. */
static void test_nonblocking(void)
{
	char *const argv[] = { "sh", "-c", "echo one; sleep 0.2; echo two; exit 7", NULL };
	int64_t t0 = mono_ms();
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .outmax = 100,
	                        .deadline_ms = t0 + SLOW_MS };
	CHECK_INT(child_spawn(&c, &s), 0);
	CHECK(c.pid > 0 && c.out >= 0 && c.err >= 0);
	CHECK(child_next_ms(&c, t0) == t0 + CHILD_REAP_TICK_MS); /* no pidfd: the tick */
	CHECK_INT(child_on_readable(&c, c.err), -EAGAIN); /* nothing there: never blocks */
	int rounds = 0, done = 0;
	while (!done && rounds++ < 1000) {
		int64_t now = mono_ms(), left = child_next_ms(&c, now) - now;
		struct pollfd p[2] = { { .fd = c.out, .events = POLLIN },
		                       { .fd = c.err, .events = POLLIN } };
		poll(p, 2, left < 0 ? 0 : (int)left);
		for (int i = 0; i < 2; i++)
			if (p[i].fd >= 0 && p[i].revents)
				child_on_readable(&c, p[i].fd);
		done = child_reap(&c, mono_ms());
	}
	CHECK_INT(done, 1);
	CHECK(rounds < 100); /* woken by output, exit and the tick, not by spinning */
	CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
	while (c.out >= 0 && child_on_readable(&c, c.out) == 0)
		;
	CHECK_STR(out_str(), "one\ntwo\n");
	CHECK_INT(c.fail, 0);
	CHECK_INT(child_on_readable(&c, 12345), -EBADF);
	child_free(&c);
	child_free(&c); /* twice is harmless */
}

/* The hook's shape: stdin given as bytes, stdout to /dev/null, the exit seen on a pidfd
 * (without the reap tick), a SIGTERM at the deadline that the pidfd reports too. */
static void test_pidfd_input(void)
{
	char *const argv[] = { "sh", "-c", "read a; echo \"got $a\" >&2; echo out", NULL };
	int64_t t0 = mono_ms();
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .out_null = true,
	                        .input = "hello\n", .inlen = 6, .pidfd = true,
	                        .deadline_ms = t0 + 3000, .grace_ms = 100 };
	CHECK_INT(child_spawn(&c, &s), 0);
	CHECK(c.out < 0 && c.err >= 0);
	if (c.pidfd < 0) { /* a kernel before 5.3: the tick does it; nothing more to see */
		child_free(&c);
		return;
	}
	struct pollfd p = { .fd = c.pidfd, .events = POLLIN };
	CHECK_INT(poll(&p, 1, 3000), 1);
	CHECK_INT(child_reap(&c, mono_ms()), 1);
	while (c.err >= 0 && child_on_readable(&c, c.err) == 0)
		;
	CHECK_INT(c.errlen, 10);
	CHECK(memcmp(c.errbuf, "got hello\n", 10) == 0);
	child_free(&c);
	CHECK_INT(c.pidfd, -1);
	char *const hang[] = { "sleep", "30", NULL };
	struct child_spec h = { .path = "/bin/sleep", .argv = hang, .out_null = true,
	                        .pidfd = true, .deadline_ms = mono_ms() + 100, .grace_ms = 1000 };
	CHECK_INT(child_spawn(&c, &h), 0);
	close(c.err);
	c.err = -1;  /* no pipes left: only the pidfd tells of the exit */
	CHECK(child_next_ms(&c, mono_ms()) == h.deadline_ms);
	usleep(150000);
	CHECK_INT(child_reap(&c, mono_ms()), 0);      /* SIGTERM sent */
	CHECK_INT(c.fail, -ETIMEDOUT);
	p.fd = c.pidfd;
	CHECK_INT(poll(&p, 1, 2000), 1);
	CHECK_INT(child_reap(&c, mono_ms()), 1);
	CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGTERM);
	child_free(&c);
	struct child_spec big = { .path = "/bin/true", .argv = hang, .input = "x",
	                          .inlen = CHILD_INPUT_MAX + 1, .deadline_ms = mono_ms() + 100 };
	CHECK_INT(child_spawn(&c, &big), -EINVAL);
	child_free(&c);
}

/* A signal the daemon was started with ignored is not the hook's: every disposition is
 * reset before execve (1-31: libc keeps 32 and 33 to itself, refusing them). */
static void test_signals_reset(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	CHECK_INT(sigaction(SIGQUIT, &ign, &old), 0);
	int rc = sh("v=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status); "
	            "echo $((0x$v & 0x7fffffff))", 3000, 100, 4096);
	CHECK_INT(sigaction(SIGQUIT, &old, NULL), 0);
	CHECK_INT(rc, 0);
	CHECK_STR(out_str(), "0\n");
	child_free(&c);
}

/* Without a pidfd (not asked for, or a kernel without pidfd_open) an open stderr proves
 * nothing (a background process may hold it): the exit is looked for on the tick. */
static void test_no_pidfd_tick(void)
{
	char *const argv[] = { "sh", "-c", "sleep 30 & exit 0", NULL };
	int64_t t0 = mono_ms();
	struct child_spec s = { .path = "/bin/sh", .argv = argv, .out_null = true,
	                        .deadline_ms = t0 + 10000, .grace_ms = 100 };
	CHECK_INT(child_spawn(&c, &s), 0);
	CHECK(c.pidfd < 0 && c.err >= 0);
	pid_t group = c.pid;
	int64_t now = mono_ms();
	CHECK(child_next_ms(&c, now) <= now + CHILD_REAP_TICK_MS);
	int r = 0;
	while ((r = child_reap(&c, mono_ms())) == 0 && mono_ms() < t0 + 5000)
		usleep(CHILD_REAP_TICK_MS * 1000);
	CHECK_INT(r, 1);
	CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
	kill(-group, SIGKILL);  /* the background sleep */
	child_free(&c);
}

TEST_MAIN(test_isolation, test_no_notify_env, test_keep_and_env, test_status, test_exec_fails,
          test_time_limit, test_grace_exact, test_time_limit_group, test_output_cap, test_stop,
          test_nonblocking, test_pidfd_input, test_signals_reset, test_no_pidfd_tick)
