// SPDX-License-Identifier: MIT
/* Fallback backend: runs `wg show all dump` as an isolated child (absolute path, no shell,
 * fixed environment, no inherited fds), with a deadline and an output cap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "source.h"
#include "util.h"
#include "wgcli.h"

#define WG_SEARCH_PATH          "/usr/bin:/usr/sbin:/bin:/sbin"
#define WGCLI_DEFAULT_TIMEOUT_MS 10000
#define WGCLI_FIRST_BUF         65536

struct child {
	pid_t pid;
	int fd[2];                    /* stdout, stderr read ends; -1 once at EOF */
	int64_t deadline;
	size_t outmax;
	const volatile sig_atomic_t *stop;
};

/* Moves fd to target for the child; F_DUPFD first so no source is clobbered. */
static void child_fds(int in, int out, int err)
{
	int src[3] = { fcntl(in, F_DUPFD, 3), fcntl(out, F_DUPFD, 3), fcntl(err, F_DUPFD, 3) };
	for (int i = 0; i < 3; i++)
		if (src[i] < 0 || dup2(src[i], i) < 0)
			_exit(126);
	if (close_range(3, ~0u, 0) < 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
}

/* Only async-signal-safe calls between fork and execve. */
static void run_child(const char *path, char *const argv[], int out, int err)
{
	static char *const envp[] = { "PATH=" WG_SEARCH_PATH, "LC_ALL=C", NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		_exit(126);
	child_fds(in, out, err);
	/* our blocked mask and ignored SIGPIPE would survive execve */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	execve(path, argv, envp);
	_exit(127);
}

static void kill_and_reap(struct child *c, struct wgcli_output *o)
{
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &o->status, 0) < 0 && errno == EINTR)
		;
}

/* Copies into a bigger buffer and zeroes the old one: the dump holds private keys. */
static int grow_out(struct wgcli_output *o, size_t outmax)
{
	size_t ncap = o->outcap ? o->outcap * 2 : WGCLI_FIRST_BUF;
	if (ncap > outmax)
		ncap = outmax;
	char *nb = malloc(ncap);
	if (!nb)
		return -ENOMEM;
	if (o->out) {
		memcpy(nb, o->out, o->outlen);
		explicit_bzero(o->out, o->outcap);
		free(o->out);
	}
	o->out = nb;
	o->outcap = ncap;
	return 0;
}

static int read_out(struct child *c, struct wgcli_output *o)
{
	if (o->outlen == o->outcap) {
		if (o->outcap >= c->outmax) {
			char probe;
			ssize_t n = read(c->fd[0], &probe, 1);
			explicit_bzero(&probe, 1);
			return n > 0 ? -E2BIG : n == 0 ? 1 : -errno;
		}
		int rc = grow_out(o, c->outmax);
		if (rc < 0)
			return rc;
	}
	ssize_t n = read(c->fd[0], o->out + o->outlen, o->outcap - o->outlen);
	if (n > 0)
		o->outlen += (size_t)n;
	return n > 0 ? 0 : n == 0 ? 1 : -errno;
}

static int read_err(struct child *c, struct wgcli_output *o)
{
	char scratch[4096];
	bool room = o->errlen < sizeof o->err;
	ssize_t n = room ? read(c->fd[1], o->err + o->errlen, sizeof o->err - o->errlen)
	                 : read(c->fd[1], scratch, sizeof scratch);
	if (n > 0 && room)
		o->errlen += (size_t)n;
	return n > 0 ? 0 : n == 0 ? 1 : -errno;
}

/* One poll round: 0 to go on, -errno to give up. Closes a pipe at EOF. */
static int pump(struct child *c, struct wgcli_output *o)
{
	int64_t left = c->deadline - mono_ms();
	if (left <= 0)
		return -ETIMEDOUT;
	struct pollfd p[2] = { { .fd = c->fd[0], .events = POLLIN },
	                       { .fd = c->fd[1], .events = POLLIN } };
	int n = poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left);
	if (n < 0)
		return errno == EINTR ? (c->stop && *c->stop ? -EINTR : 0) : -errno;
	for (int i = 0; i < 2; i++) {
		if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		int rc = i == 0 ? read_out(c, o) : read_err(c, o);
		if (rc < 0 && rc != -EAGAIN && rc != -EINTR)
			return rc;
		if (rc == 1) {
			close(c->fd[i]);
			c->fd[i] = -1;
		}
	}
	return 0;
}

/* Both pipes are closed: the child is exiting. Waits for it, still bounded. */
static int reap(struct child *c, struct wgcli_output *o)
{
	for (;;) {
		pid_t r = waitpid(c->pid, &o->status, WNOHANG);
		if (r == c->pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (mono_ms() >= c->deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, 5);
	}
}

static int supervise(struct child *c, struct wgcli_output *o)
{
	int rc = 0;
	while (rc == 0 && (c->fd[0] >= 0 || c->fd[1] >= 0))
		rc = pump(c, o);
	if (rc == 0)
		rc = reap(c, o);
	if (rc < 0)
		kill_and_reap(c, o);
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	return rc;
}

static int spawn(struct child *c, const char *path, char *const argv[])
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		int e = -errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	c->pid = fork();
	if (c->pid == 0)
		run_child(path, argv, out[1], err[1]);
	int e = c->pid < 0 ? -errno : 0;
	close(out[1]);
	close(err[1]);
	c->fd[0] = out[0];
	c->fd[1] = err[0];
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (e < 0) {
		close(out[0]);
		close(err[0]);
	}
	return e;
}

int wgcli_exec(const char *path, char *const argv[], int timeout_ms, size_t outmax,
               const volatile sig_atomic_t *stop, struct wgcli_output *o, char *msg)
{
	struct child c = { .outmax = outmax, .stop = stop };
	c.deadline = mono_ms() + timeout_ms;
	int rc = spawn(&c, path, argv);
	if (rc == 0)
		rc = supervise(&c, o);
	if (rc == -ETIMEDOUT)
		snprintf(msg, WG_ERRMSG_SIZE, "%s did not finish within %d ms", path, timeout_ms);
	else if (rc == -E2BIG)
		snprintf(msg, WG_ERRMSG_SIZE, "%s printed more than %zu bytes", path, outmax);
	else if (rc == -EINTR)
		snprintf(msg, WG_ERRMSG_SIZE, "interrupted while running %s", path);
	else if (rc < 0)
		snprintf(msg, WG_ERRMSG_SIZE, "cannot run %s: %s", path, strerror(-rc));
	return rc;
}

void wgcli_output_free(struct wgcli_output *o)
{
	if (o->out)
		explicit_bzero(o->out, o->outcap);
	free(o->out);
	o->out = NULL;
	o->outlen = o->outcap = 0;
}

static bool find_wg(char *path, size_t size)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin" };
	struct stat st;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, size, "%s/wg", dirs[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return true;
	}
	return false;
}

static int fatal(struct source_result *res, int err)
{
	res->err = err;
	return err;
}

/* wg exits 1 when some interface could not be read; only a listing failure or an exit
 * without per-interface lines fails the whole poll. */
static int interpret(struct wgcli_output *o, struct wg_snapshot *snap, struct source_result *res)
{
	size_t first = snap->ndevs;
	bool list_failed = memmem(o->err, o->errlen, "Unable to list interfaces", 25) != NULL;
	if (!WIFEXITED(o->status)) {
		snprintf(res->msg, sizeof res->msg, "wg killed by signal %d", WTERMSIG(o->status));
		return fatal(res, -EIO);
	}
	size_t naccess = wgcli_parse_stderr(o->err, o->errlen, snap);
	if (WEXITSTATUS(o->status) != 0 && (list_failed || naccess == 0)) {
		while (snap->ndevs > first)
			wg_snapshot_remove(snap, snap->ndevs - 1);
		const char *nl = memchr(o->err, '\n', o->errlen);
		int n = snprintf(res->msg, sizeof res->msg, "wg exited with status %d: ",
		                 WEXITSTATUS(o->status));
		size_t off = n > 0 && (size_t)n < sizeof res->msg ? (size_t)n : 0;
		if (o->errlen == 0)
			snprintf(res->msg + off, sizeof res->msg - off, "no message on stderr");
		else
			sanitize(res->msg + off, sizeof res->msg - off, o->err,
			         nl ? (size_t)(nl - o->err) : o->errlen);
		return fatal(res, WEXITSTATUS(o->status) == 127 ? -ENOEXEC : -EIO);
	}
	int n = snprintf(res->msg, sizeof res->msg, "bad `wg show all dump` output: ");
	int rc = wgcli_parse(o->out, o->outlen, snap, res->msg + n, sizeof res->msg - (size_t)n);
	if (rc < 0)
		return fatal(res, rc);
	res->msg[0] = '\0';
	wgcli_fix_ages(snap, first, real_ms());
	return 0;
}

static int wgcli_collect(const struct source_config *cfg, struct wg_snapshot *snap,
                         struct source_result *res)
{
	static char *const argv[] = { "wg", "show", "all", "dump", NULL };
	char path[32];
	if (!find_wg(path, sizeof path)) {
		snprintf(res->msg, sizeof res->msg, "wg not found in " WG_SEARCH_PATH);
		return fatal(res, -ENOENT);
	}
	struct wgcli_output *o = calloc(1, sizeof *o);
	if (!o) {
		snprintf(res->msg, sizeof res->msg, "cannot run wg: out of memory");
		return fatal(res, -ENOMEM);
	}
	int timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : WGCLI_DEFAULT_TIMEOUT_MS;
	int rc = wgcli_exec(path, argv, timeout, WGCLI_OUT_MAX, cfg->stop, o, res->msg);
	rc = rc < 0 ? fatal(res, rc) : interpret(o, snap, res);
	wgcli_output_free(o);
	explicit_bzero(o, sizeof *o);
	free(o);
	return rc;
}

const struct source_backend source_wgcli = { "wg", wgcli_collect };
