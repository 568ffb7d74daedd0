// SPDX-License-Identifier: MIT
/* Fallback backend: runs `wg show all dump` as an isolated child (child.c) within what is
 * left of the poll's budget, and reads its output and stderr. */
#include <errno.h>
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
static int interpret(struct child *o, struct wg_snapshot *snap, struct source_result *res)
{
	size_t first = snap->ndevs;
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
			sanitize(res->msg + off, sizeof res->msg - off, o->errbuf,
			         nl ? (size_t)(nl - o->errbuf) : o->errlen);
		return failed(res, WEXITSTATUS(o->status) == 127 ? -ENOEXEC : -EIO);
	}
	int n = snprintf(res->msg, sizeof res->msg, "bad `wg show all dump` output: ");
	int rc = wgcli_parse(o->outbuf, o->outlen, snap, res->msg + n, sizeof res->msg - (size_t)n);
	if (rc < 0)
		return failed(res, rc);
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
	else if (rc == -E2BIG)
		snprintf(res->msg, sizeof res->msg, "%s printed more than %u bytes", path,
		         WGCLI_OUT_MAX);
	else if (rc == -EINTR)
		snprintf(res->msg, sizeof res->msg, "interrupted while running %s", path);
	else
		snprintf(res->msg, sizeof res->msg, "cannot run %s: %s", path, strerror(-rc));
	return failed(res, rc);
}

static int wgcli_collect(const struct source_config *cfg, struct wg_snapshot *snap,
                         struct source_result *res)
{
	static char *const argv[] = { "wg", "show", "all", "dump", NULL };
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
	struct child *o = malloc(sizeof *o);
	if (!o) {
		snprintf(res->msg, sizeof res->msg, "cannot run wg: out of memory");
		return failed(res, -ENOMEM);
	}
	struct child_spec spec = { .path = path, .argv = argv, .outmax = WGCLI_OUT_MAX,
	                           .deadline_ms = deadline };
	int rc = child_run(o, &spec, cfg->stop);
	rc = rc < 0 ? run_error(res, path, rc, source_budget_ms(cfg)) : interpret(o, snap, res);
	child_free(o);
	explicit_bzero(o, sizeof *o);
	free(o);
	return rc;
}

const struct source_backend source_wgcli = { "wg", wgcli_collect };
