// SPDX-License-Identifier: MIT
/* Fallback backend: runs `wg show all dump` as an isolated child (child.c) within what is
 * left of the poll's budget, and parses its output as it arrives through one fixed read
 * buffer (the output has no size limit); stderr is kept as child.c keeps it. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "source.h"
#include "util.h"
#include "wgcli.h"

#define WG_SEARCH_PATH CHILD_ENV_PATH

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

/* Records a failure of the whole backend (the poll goes on with the others). */
static int failed(struct source_result *res, int err)
{
	res->err = err;
	return err;
}

/* wg exits 1 when some interface could not be read; only a listing failure or an exit
 * without per-interface lines fails the whole poll. */
static int interpret(struct child *o, struct wg_snapshot *snap, size_t first, int parsed,
                     struct source_result *res)
{
	bool list_failed = memmem(o->errbuf, o->errlen, "Unable to list interfaces", 25) != NULL;
	if (!WIFEXITED(o->status)) {
		snprintf(res->msg, sizeof res->msg, "wg killed by signal %d", WTERMSIG(o->status));
		return failed(res, -EIO);
	}
	size_t naccess = wgcli_parse_stderr(o->errbuf, o->errlen, snap);
	if (WEXITSTATUS(o->status) != 0 && (list_failed || naccess == 0)) {
		while (snap->ndevs > first)
			wg_snapshot_remove(snap, snap->ndevs - 1);
		const char *nl = memchr(o->errbuf, '\n', o->errlen);
		int n = snprintf(res->msg, sizeof res->msg, "wg exited with status %d: ",
		                 WEXITSTATUS(o->status));
		size_t off = n > 0 && (size_t)n < sizeof res->msg ? (size_t)n : 0;
		if (o->errlen == 0)
			snprintf(res->msg + off, sizeof res->msg - off, "no message on stderr");
		else
			text_raw(res->msg + off, sizeof res->msg - off, o->errbuf,
			         nl ? (size_t)(nl - o->errbuf) : o->errlen);
		return failed(res, WEXITSTATUS(o->status) == 127 ? -ENOEXEC : -EIO);
	}
	if (parsed < 0) {
		while (snap->ndevs > first)
			wg_snapshot_remove(snap, snap->ndevs - 1);
		return failed(res, parsed); /* the parser's message is in res->msg */
	}
	res->msg[0] = '\0';
	wgcli_fix_ages(snap, first, real_ms());
	return 0;
}

/* Says why running wg failed. */
static int run_error(struct source_result *res, const char *path, int rc, int budget_ms)
{
	if (rc == -ETIMEDOUT)
		snprintf(res->msg, sizeof res->msg, "%s did not finish within %d ms (poll budget)",
		         path, budget_ms);
	else if (rc == -EINTR)
		snprintf(res->msg, sizeof res->msg, "interrupted while running %s", path);
	else
		snprintf(res->msg, sizeof res->msg, "cannot run %s: %s", path, strerror(-rc));
	return failed(res, rc);
}

/* One read of wg's output at a time, parsed at once: the parser zeroes the secrets in
 * it, so it never holds one between reads. */
static char read_buf[WGCLI_READ_MAX];

/* Parses what wg's stdout holds: 0 (more to come, or EOF: out closed), -errno. A parse
 * error only ends the parse: wg is still read to its end. */
static int read_out(struct child *c, struct wgcli_stream *ps)
{
	/* A few reads, then back to the poll and its deadline (as for a UAPI socket). */
	for (int reads = 0; reads < 16; reads++) {
		ssize_t n = read(c->out, read_buf, sizeof read_buf);
		if (n > 0) {
			wgcli_stream_feed(ps, read_buf, (size_t)n);
			continue;
		}
		if (n == 0) {
			close(c->out);
			c->out = -1;
			return 0;
		}
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	return 0;
}

/* One poll() over wg's pipes, until child_reap is next due. */
static int wait_pipes(struct child *c, struct wgcli_stream *ps)
{
	int64_t now = mono_ms(), left = child_next_ms(c, now) - now;
	struct pollfd p[2] = { { .fd = c->out, .events = POLLIN },
	                       { .fd = c->err, .events = POLLIN } };
	if (wait_poll(p, 2, left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left) < 0)
		return errno == EINTR ? 0 : -errno;
	int rc = p[0].revents ? read_out(c, ps) : 0;
	if (rc == 0 && p[1].revents && (rc = child_on_readable(c, c->err)) == -EAGAIN)
		rc = 0;
	return rc;
}

/* Runs wg to its exit, parsing its output on the way: 0 once it exited by itself (any
 * status), -ETIMEDOUT when the deadline ended it, -EINTR (stop), other -errno. */
static int run_wg(struct child *c, const struct child_spec *spec, struct wgcli_stream *ps,
                  const volatile sig_atomic_t *stop)
{
	int rc = child_spawn(c, spec);
	while (rc == 0) {
		if (stop && *stop)
			return -EINTR;
		rc = child_reap(c, mono_ms());
		if (rc == 0)
			rc = wait_pipes(c, ps);
	}
	if (rc < 0)
		return rc;
	/* exited: what the pipes still hold, then no more (a grandchild may keep them open) */
	rc = c->out >= 0 ? read_out(c, ps) : 0;
	while (c->err >= 0 && child_on_readable(c, c->err) == 0)
		;
	return rc < 0 ? rc : c->fail;
}

/* Runs wg and parses its output into snap; 0 or -errno with res->msg set. */
static int run_and_parse(const struct source_config *cfg, int64_t deadline, struct child *o,
                         const char *path, struct wg_snapshot *snap, struct source_result *res)
{
	static char *const argv[] = { "wg", "show", "all", "dump", NULL };
	struct child_spec spec = { .path = path, .argv = argv, .deadline_ms = deadline };
	struct wgcli_stream ps;
	size_t first = snap->ndevs;
	int n = snprintf(res->msg, sizeof res->msg, "bad `wg show all dump` output: ");
	wgcli_stream_init(&ps, snap, res->msg + n, sizeof res->msg - (size_t)n);
	int rc = run_wg(o, &spec, &ps, cfg->stop);
	int parsed = wgcli_stream_end(&ps);
	if (rc < 0) {
		while (snap->ndevs > first)
			wg_snapshot_remove(snap, snap->ndevs - 1);
		return run_error(res, path, rc, source_budget_ms(cfg));
	}
	return interpret(o, snap, first, parsed, res);
}

static int wgcli_collect(const struct source_config *cfg, struct wg_snapshot *snap,
                         struct source_result *res)
{
	char path[32];
	if (!find_wg(path, sizeof path)) {
		snprintf(res->msg, sizeof res->msg, "wg not found in " WG_SEARCH_PATH);
		return failed(res, -ENOENT);
	}
	int64_t deadline = source_deadline(cfg);
	if (deadline <= mono_ms()) { /* the backends before it used the budget up */
		snprintf(res->msg, sizeof res->msg, "%s not run: the poll budget of %d ms ran out",
		         path, source_budget_ms(cfg));
		return failed(res, -ETIMEDOUT);
	}
	struct child *o = calloc(1, sizeof *o);
	if (!o) {
		snprintf(res->msg, sizeof res->msg, "cannot run wg: out of memory");
		return failed(res, -ENOMEM);
	}
	int rc = run_and_parse(cfg, deadline, o, path, snap, res);
	child_free(o);
	explicit_bzero(o, sizeof *o);
	free(o);
	return rc;
}

const struct source_backend source_wgcli = { "wg", wgcli_collect };
