// SPDX-License-Identifier: MIT
/* The isolated child: fork + execve with a fixed environment and fd set, then bounded
 * reading of its stdout/stderr and a time limit, synchronously or from a caller's loop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "util.h"

#define CHILD_FIRST_BUF 65536
#define CHILD_FD_SCAN   65536   /* the close loop's end when close_range is missing */

/* fds that survive in the child besides 0-2, ascending: the kept ones and the pipe
 * that reports a failed execve (close-on-exec, so a successful one closes it). */
struct survivors {
	int fd[CHILD_KEEP_MAX + 1];
	size_t n;
};

static void close_gap(int lo, int hi)
{
	if (lo > hi)
		return;
	if (close_range((unsigned)lo, (unsigned)hi, 0) < 0)
		for (int fd = lo; fd <= hi && fd < CHILD_FD_SCAN; fd++)
			close(fd);
}

/* In the child: reports errno on the report pipe and exits; never returns. */
static _Noreturn void child_fail(int report, int err)
{
	(void)!write(report, &err, sizeof err);
	_exit(127);
}

/* In the child, async-signal-safe calls only: stdio onto 0-2 (F_DUPFD first so no source
 * is clobbered), kept fds inheritable, every other fd closed, signals as at boot. */
static _Noreturn void child_exec(const struct child_spec *s, const struct survivors *sv,
                                 const int std[3], int report)
{
	static char *const base_env[] = { "PATH=" CHILD_ENV_PATH, "LC_ALL=C", NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int tmp[3];
	for (int i = 0; i < 3; i++)
		if ((tmp[i] = fcntl(std[i], F_DUPFD_CLOEXEC, 3)) < 0)
			child_fail(report, errno);
	for (int i = 0; i < 3; i++)
		if (dup2(tmp[i], i) < 0)
			child_fail(report, errno);
	for (size_t i = 0; i < s->nkeep; i++)
		if (fcntl(s->keep[i], F_SETFD, 0) < 0)
			child_fail(report, errno);
	int lo = 3;
	for (size_t i = 0; i < sv->n; lo = sv->fd[i++] + 1)
		close_gap(lo, sv->fd[i] - 1);
	close_gap(lo, INT_MAX);
	/* A group of its own, so that its end takes whatever it started along. */
	setpgid(0, 0);
	/* ignored signals (ours, or those we were started with) and our blocked mask would
	 * survive execve; SIGKILL, SIGSTOP and libc's own refuse with EINVAL, harmlessly */
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(s->path, s->argv, s->envp ? s->envp : base_env);
	child_fail(report, errno);
}

static bool spec_valid(const struct child_spec *s)
{
	if (!s->path || s->path[0] != '/' || !s->argv || s->nkeep > CHILD_KEEP_MAX)
		return false;
	if (s->inlen > CHILD_INPUT_MAX || (s->inlen && !s->input))
		return false;
	for (size_t i = 0; i < s->nkeep; i++)
		if (s->keep[i] < 3)
			return false;
	return true;
}

static void survivors_add(struct survivors *sv, int fd)
{
	size_t i = sv->n++;
	for (; i > 0 && sv->fd[i - 1] > fd; i--)
		sv->fd[i] = sv->fd[i - 1];
	sv->fd[i] = fd;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

/* Waits for the report pipe: EOF means execve succeeded, an int is its errno. */
static int exec_result(int report)
{
	int err = 0;
	ssize_t n;
	while ((n = read(report, &err, sizeof err)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof err ? -err : 0;
}

static void child_wait(struct child *c)
{
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

/* The exit as an fd; -1 where the kernel lacks pidfd_open (reaping falls back to a tick). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by definition */
#else
	(void)pid;
	return -1;
#endif
}

/* Forks; in the parent keeps the read ends and learns whether execve worked. std[0] is
 * the child's stdin, std[1] its stdout when there is no stdout pipe. */
static int fork_exec(struct child *c, const struct child_spec *s, int p[3][2], int std[3])
{
	struct survivors sv = { .n = 0 };
	for (size_t i = 0; i < s->nkeep; i++)
		survivors_add(&sv, s->keep[i]);
	survivors_add(&sv, p[2][1]);
	std[1] = p[0][1] >= 0 ? p[0][1] : std[1];
	std[2] = p[1][1];
	c->pid = fork();
	if (c->pid == 0)
		child_exec(s, &sv, std, p[2][1]);
	if (c->pid > 0)
		setpgid(c->pid, c->pid); /* as the child does: no race over which runs first */
	int rc = c->pid < 0 ? -errno : 0;
	for (int i = 0; i < 3; i++)
		if (p[i][1] >= 0) {
			close(p[i][1]);
			p[i][1] = -1;
		}
	if (rc == 0 && (rc = exec_result(p[2][0])) < 0)
		child_wait(c);
	c->pid = rc < 0 ? 0 : c->pid;
	if (rc == 0 && s->pidfd)
		c->pidfd = open_pidfd(c->pid);
	return rc;
}

/* The child's stdin: /dev/null, or a pipe already holding s->input and closed for
 * writing (it fits: a pipe holds at least CHILD_INPUT_MAX bytes). An fd or -errno. */
static int input_fd(const struct child_spec *s, int devnull)
{
	int p[2];
	if (!s->input)
		return devnull;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	ssize_t n = write(p[1], s->input, s->inlen);
	int rc = n == (ssize_t)s->inlen ? p[0] : n < 0 ? -errno : -EIO;
	close(p[1]);
	if (rc < 0)
		close(p[0]);
	return rc;
}

/* Opens /dev/null, stdin and the pipes, then forks: 0 or -errno, the rest closed. */
static int spawn_io(struct child *c, const struct child_spec *s, int p[3][2])
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), rc = devnull < 0 ? -errno : 0;
	int in = rc == 0 ? input_fd(s, devnull) : rc;
	rc = in < 0 ? in : 0;
	for (int i = 0; i < 3 && rc == 0; i++)
		if (i != 0 || !s->out_null)
			rc = pipe2(p[i], O_CLOEXEC) < 0 ? -errno : 0;
	int std[3] = { in, devnull, -1 };
	if (rc == 0)
		rc = fork_exec(c, s, p, std);
	if (in >= 0 && in != devnull)
		close(in);
	if (devnull >= 0)
		close(devnull);
	return rc;
}

int child_spawn(struct child *c, const struct child_spec *s)
{
	memset(c, 0, sizeof *c);
	c->out = c->err = c->pidfd = -1;
	if (!spec_valid(s))
		return -EINVAL;
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int rc = spawn_io(c, s, p);
	close_pair(p[2]);
	if (rc < 0) {
		close_pair(p[0]);
		close_pair(p[1]);
		return rc;
	}
	c->out = p[0][0];
	c->err = p[1][0];
	if (c->out >= 0)
		fcntl(c->out, F_SETFL, O_NONBLOCK);
	fcntl(c->err, F_SETFL, O_NONBLOCK);
	c->deadline_ms = s->deadline_ms;
	c->grace_ms = s->grace_ms > 0 ? s->grace_ms : 0;
	c->outmax = s->outmax;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* sig to the child's process group, so that what it started goes too; to the child alone
 * should the group be gone already. */
static void kill_child(const struct child *c, int sig)
{
	if (c->pid <= 0)
		return;
	if (kill(-c->pid, sig) < 0)
		kill(c->pid, sig);
}

/* Ends the child for `why` (the first reason is kept): SIGTERM and a grace, or SIGKILL. */
static void terminate(struct child *c, int why, int64_t now)
{
	if (!c->fail)
		c->fail = why;
	if (c->pid <= 0 || c->term_ms)
		return;
	c->term_ms = now > 0 ? now : 1;
	c->killed = c->grace_ms == 0;
	kill_child(c, c->killed ? SIGKILL : SIGTERM);
}

/* Copies into a bigger buffer and zeroes the old one: the output may hold secrets. */
static int grow_out(struct child *c)
{
	size_t ncap = c->outcap ? c->outcap * 2 : CHILD_FIRST_BUF;
	if (ncap > c->outmax)
		ncap = c->outmax;
	char *nb = malloc(ncap ? ncap : 1);
	if (!nb)
		return -ENOMEM;
	if (c->outbuf) {
		memcpy(nb, c->outbuf, c->outlen);
		explicit_bzero(c->outbuf, c->outcap);
		free(c->outbuf);
	}
	c->outbuf = nb;
	c->outcap = ncap;
	return 0;
}

/* One read of stdout into the buffer; a full buffer at the cap probes for one more byte. */
static ssize_t read_out(struct child *c)
{
	if (c->outlen == c->outcap && c->outcap < c->outmax) {
		int rc = grow_out(c);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
	}
	if (c->outlen < c->outcap)
		return read(c->out, c->outbuf + c->outlen, c->outcap - c->outlen);
	char probe;
	ssize_t n = read(c->out, &probe, 1);
	explicit_bzero(&probe, 1);
	if (n > 0) {
		errno = E2BIG;
		return -1;
	}
	return n;
}

static ssize_t read_err(struct child *c)
{
	char scratch[4096];
	bool room = c->errlen < sizeof c->errbuf;
	return room ? read(c->err, c->errbuf + c->errlen, sizeof c->errbuf - c->errlen)
	            : read(c->err, scratch, sizeof scratch);
}

int child_on_readable(struct child *c, int fd)
{
	bool is_out = fd == c->out;
	if (fd < 0 || (!is_out && fd != c->err))
		return -EBADF;
	ssize_t n = is_out ? read_out(c) : read_err(c);
	if (n > 0) {
		size_t *len = is_out ? &c->outlen : &c->errlen;
		*len += is_out || *len < sizeof c->errbuf ? (size_t)n : 0;
		return 0;
	}
	if (n == 0) {
		close_fd(is_out ? &c->out : &c->err);
		return 0;
	}
	int rc = errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	if (rc == -E2BIG || rc == -ENOMEM) {
		close_fd(&c->out);
		terminate(c, rc, mono_ms());
	}
	return rc;
}

int child_reap(struct child *c, int64_t now)
{
	if (c->pid <= 0)
		return 1;
	pid_t r = waitpid(c->pid, &c->status, WNOHANG);
	if (r == c->pid) {
		c->pid = 0;
		return 1;
	}
	if (r < 0 && errno != EINTR)
		return -errno;
	if (now >= c->deadline_ms)
		terminate(c, -ETIMEDOUT, now);
	if (c->term_ms && !c->killed && now >= c->term_ms + c->grace_ms) {
		c->killed = true;
		kill_child(c, SIGKILL);
	}
	return 0;
}

int64_t child_next_ms(const struct child *c, int64_t now)
{
	int64_t due = c->killed ? INT64_MAX : c->term_ms ? c->term_ms + c->grace_ms
	            : c->deadline_ms;
	/* Without a pidfd nothing says it exited: an open pipe proves nothing (something it
	 * started may hold it), so look on a tick. */
	if (c->pidfd < 0 && due > now + CHILD_REAP_TICK_MS)
		due = now + CHILD_REAP_TICK_MS;
	return due;
}

/* One poll() over the pipes until the next time child_reap is due. */
static int wait_io(struct child *c)
{
	int64_t now = mono_ms(), left = child_next_ms(c, now) - now;
	struct pollfd p[2] = { { .fd = c->out, .events = POLLIN },
	                       { .fd = c->err, .events = POLLIN } };
	int n = wait_poll(p, 2, left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < 2; i++) {
		if (p[i].fd < 0 || !p[i].revents)
			continue;
		int rc = child_on_readable(c, p[i].fd);
		if (rc < 0 && rc != -EAGAIN && rc != -E2BIG && rc != -ENOMEM)
			return rc;
	}
	return 0;
}

/* After the exit: takes what the pipes still hold, then stops listening (a grandchild
 * may keep them open). */
static void drain(struct child *c)
{
	while (c->out >= 0 && child_on_readable(c, c->out) == 0)
		;
	while (c->err >= 0 && child_on_readable(c, c->err) == 0)
		;
	close_fd(&c->out);
	close_fd(&c->err);
}

int child_run(struct child *c, const struct child_spec *s, const volatile sig_atomic_t *stop)
{
	int rc = child_spawn(c, s);
	while (rc == 0) {
		if (stop && *stop) {
			child_free(c);
			return -EINTR;
		}
		rc = child_reap(c, mono_ms());
		if (rc == 0)
			rc = wait_io(c);
		else if (rc == 1)
			break;
	}
	if (rc < 0) {
		child_free(c);
		return rc;
	}
	drain(c);
	return c->fail;
}

/* After SIGKILL: waits at most CHILD_KILL_WAIT_MS. A child in uninterruptible sleep
 * may not die for long; it is left then (our exit hands it to init) rather than hold
 * the caller, which may be the daemon stopping. */
static void wait_killed(struct child *c)
{
	int64_t end = mono_ms() + CHILD_KILL_WAIT_MS;
	for (;;) {
		pid_t r = waitpid(c->pid, &c->status, WNOHANG);
		int64_t left = end - mono_ms();
		if (r == c->pid)
			break;
		if ((r < 0 && errno != EINTR) || left <= 0) {
			c->status = -1; /* not reaped: no status to report */
			break;
		}
		struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
		poll(&p, 1, left < CHILD_REAP_TICK_MS ? (int)left : CHILD_REAP_TICK_MS);
	}
	c->pid = 0;
}

void child_free(struct child *c)
{
	if (c->pid > 0) {
		kill_child(c, SIGKILL);
		wait_killed(c);
	}
	close_fd(&c->out);
	close_fd(&c->err);
	close_fd(&c->pidfd);
	if (c->outbuf)
		explicit_bzero(c->outbuf, c->outcap);
	free(c->outbuf);
	c->outbuf = NULL;
	c->outlen = c->outcap = 0;
}
