// SPDX-License-Identifier: MIT
/* The log file path policy (SPEC §6): where the daemon may write, decided on the directory
 * as the checked walk resolved it, so that `..` or a symlinked directory cannot lead it
 * outside; the walk's descriptor is what the log file then lives in. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"
#include "logfile_path.h"
#include "safepath.h"
#include "util.h"

static const char *const fixed_roots[] = { "/var/log", "/tmp" };

void logfile_roots_init(struct logfile_roots *r)
{
	char cwd[PATH_MAX], logs[PATH_MAX + 8];
	r->logs[0] = '\0';
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	snprintf(logs, sizeof(logs), "%s/logs", cwd);
	/* No ./logs at start means that root simply is not offered. */
	if (!realpath(logs, r->logs))
		r->logs[0] = '\0';
}

/* True when dir is root or lies below it, on a path-component boundary. */
static bool within(const char *dir, const char *root)
{
	size_t n = strlen(root);
	if (n <= 1) /* "" or "/": never a meaningful root */
		return false;
	return strncmp(dir, root, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

static bool inside_roots(const char *dir, const struct logfile_roots *r)
{
	char real[PATH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(fixed_roots); i++) {
		/* /var/log may itself be a symlink (to a bigger disk): compare resolved. */
		const char *root = realpath(fixed_roots[i], real) ? real : fixed_roots[i];
		if (within(dir, root))
			return true;
	}
	return r->logs[0] && within(dir, r->logs);
}

int logfile_check_file(const char *shown_path, const struct stat *st, bool world_writable,
                       const char *dir, char *err, size_t errlen)
{
	char s[SAFEPATH_SHOWN_MAX], d[SAFEPATH_SHOWN_MAX];
	safepath_shown(s, shown_path);
	if (S_ISLNK(st->st_mode))
		return fail_at(err, errlen, 0, -ELOOP, "\"%s\" is a symbolic link (not allowed for the log file)", s);
	if (S_ISDIR(st->st_mode))
		return fail_at(err, errlen, 0, -EISDIR, "\"%s\" is a directory, not a file", s);
	if (!S_ISREG(st->st_mode))
		return fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not a regular file", s);
	/* Another name of the file could lie anywhere on the file system, outside the
	 * allowed directories too: appending to it would write there. */
	if (st->st_nlink > 1)
		return fail_at(err, errlen, 0, -EPERM, "\"%s\" has %lu hard links (a log file must have "
		            "exactly one)", s, (unsigned long)st->st_nlink);
	if (!world_writable)
		return 0;
	/* In /tmp anyone may plant the file first and read or redirect what we log. */
	safepath_shown(d, dir);
	if (st->st_uid != geteuid())
		return fail_at(err, errlen, 0, -EPERM, "\"%s\" is owned by uid %u, not by the running user "
		            "(uid %u), in the world-writable directory \"%s\"", s,
		            (unsigned)st->st_uid, (unsigned)geteuid(), d);
	return 0;
}

static int outside(const char *path, const char *real, char *err, size_t errlen)
{
	char s[SAFEPATH_SHOWN_MAX], d[SAFEPATH_SHOWN_MAX], why[SAFEPATH_SHOWN_MAX + 32] = "", dir[PATH_MAX];
	const char *base;
	safepath_shown(s, path);
	/* Name the resolved directory when .. or a symlink made the difference. */
	if (path_split(path, dir, &base, NULL, 0) == 0 && strcmp(dir, real) != 0) {
		safepath_shown(d, real);
		snprintf(why, sizeof(why), ": its directory resolves to \"%s\"", d);
	}
	return fail_at(err, errlen, 0, -EACCES, "\"%s\" is outside the allowed directories "
	            "(/var/log, /tmp, ./logs)%s", s, why);
}

static const struct safepath_policy log_policy = {
	.shared_dir = true, /* /tmp: logfile_check_file demands the file be ours there */
	.what = "log file",
	.hint = "; use a directory such as /var/log/wg-monitor",
};

int logfile_check_last(int dirfd, const char *base, const char *shown_path, const char *dir,
                       bool *world_writable, char *err, size_t errlen)
{
	struct stat st;
	char s[SAFEPATH_SHOWN_MAX];
	if (fstat(dirfd, &st) == 0) {
		*world_writable = (st.st_mode & S_IWOTH) != 0;
		if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return logfile_check_file(shown_path, &st, *world_writable, dir, err, errlen);
		if (errno == ENOENT)
			return 0; /* created at open */
	}
	safepath_shown(s, shown_path);
	return fail_at(err, errlen, 0, -errno, "\"%s\": %s", s, strerror(errno));
}

int logfile_policy(const char *path, const struct logfile_roots *roots,
                   struct logfile_verdict *v, char *err, size_t errlen)
{
	char s[SAFEPATH_SHOWN_MAX];
	int rc = safepath_open_dir(path, &log_policy, &v->dirfd, v->base,
	                           sizeof(v->base) - LOGFILE_SUFFIX_MAX, v->dir, err, errlen);
	if (rc < 0)
		return rc;
	safepath_shown(s, path);
	int n = snprintf(v->path, sizeof(v->path), "%s/%s", strcmp(v->dir, "/") ? v->dir : "",
	                 v->base);
	if (!inside_roots(v->dir, roots))
		rc = outside(path, v->dir, err, errlen);
	else if (n < 0 || (size_t)n >= sizeof(v->path))
		rc = fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s\" is too long once resolved", s);
	else
		rc = logfile_check_last(v->dirfd, v->base, path, v->dir, &v->world_writable, err,
		                        errlen);
	if (rc < 0) {
		close(v->dirfd);
		v->dirfd = -1;
	}
	return rc;
}

int logfile_check_path(const char *path, char *resolved, size_t rsize, char *err, size_t errlen)
{
	struct logfile_roots roots;
	struct logfile_verdict v;
	logfile_roots_init(&roots);
	int rc = logfile_policy(path, &roots, &v, err, errlen);
	if (rc < 0)
		return rc;
	close(v.dirfd); /* a check: nothing is opened for long, nothing created */
	if (!resolved)
		return 0;
	if (strlen(v.path) >= rsize) {
		char s[SAFEPATH_SHOWN_MAX];
		safepath_shown(s, path);
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s\": resolved path too long for its buffer", s);
	}
	strcpy(resolved, v.path); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): length checked above */
	return 0;
}
