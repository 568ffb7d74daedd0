// SPDX-License-Identifier: MIT
/* The log file path policy (SPEC §6): where the daemon may write, decided on the resolved
 * directory so that `..` or a symlinked directory cannot lead it outside. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"
#include "logfile_path.h"
#include "util.h"

#define SHOWN_MAX 256 /* a path quoted in a message: sanitized, bounded */

static const char *const fixed_roots[] = { "/var/log", "/tmp" };

__attribute__((format(printf, 4, 5)))
static int fail(int err_no, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -err_no;
}

static void shown(char out[SHOWN_MAX], const char *s)
{
	sanitize(out, SHOWN_MAX, s, strlen(s));
}

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

/* Refuses what cannot name a file before touching the file system. */
static int check_syntax(const char *path, char *err, size_t errlen)
{
	char s[SHOWN_MAX];
	size_t len = path ? strlen(path) : 0;
	if (len == 0)
		return fail(EINVAL, err, errlen, "the path is empty");
	shown(s, path);
	if (len >= PATH_MAX)
		return fail(ENAMETOOLONG, err, errlen, "\"%s\" is too long (%zu bytes, limit %d)",
		            s, len, PATH_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7f)
			return fail(EINVAL, err, errlen, "\"%s\" contains control characters", s);
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return fail(EISDIR, err, errlen, "\"%s\" names a directory, not a file", s);
	return 0;
}

/* Splits path into its directory (as written) and its last component. */
static void split(const char *path, char dir[PATH_MAX], const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		strcpy(dir, ".");
		*base = path;
	} else if (slash == path) {
		strcpy(dir, "/");
		*base = slash + 1;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		*base = slash + 1;
	}
}

/* realpath of the directory part, which must exist and be a directory. */
static int resolve_dir(const char *path, const char *dir, char real[PATH_MAX],
                       struct stat *st, char *err, size_t errlen)
{
	char s[SHOWN_MAX], d[SHOWN_MAX];
	int e = 0;
	if (!realpath(dir, real) || stat(real, st) < 0)
		e = errno;
	else if (!S_ISDIR(st->st_mode))
		e = ENOTDIR;
	if (e == 0)
		return 0;
	shown(s, path);
	shown(d, dir);
	if (e == ENOENT)
		return fail(e, err, errlen, "\"%s\": directory \"%s\" does not exist", s, d);
	if (e == ENOTDIR)
		return fail(e, err, errlen, "\"%s\": \"%s\" is not a directory", s, d);
	return fail(e, err, errlen, "\"%s\": cannot resolve directory \"%s\": %s", s, d, strerror(e));
}

int logfile_check_file(const char *shown_path, const struct stat *st, bool world_writable,
                       const char *dir, char *err, size_t errlen)
{
	char s[SHOWN_MAX], d[SHOWN_MAX];
	shown(s, shown_path);
	if (S_ISLNK(st->st_mode))
		return fail(ELOOP, err, errlen, "\"%s\" is a symbolic link (not allowed for the log file)", s);
	if (S_ISDIR(st->st_mode))
		return fail(EISDIR, err, errlen, "\"%s\" is a directory, not a file", s);
	if (!S_ISREG(st->st_mode))
		return fail(EINVAL, err, errlen, "\"%s\" is not a regular file", s);
	if (!world_writable)
		return 0;
	/* In /tmp anyone may plant the file first and read or redirect what we log. */
	shown(d, dir);
	if (st->st_uid != geteuid())
		return fail(EPERM, err, errlen, "\"%s\" is owned by uid %u, not by the running user "
		            "(uid %u), in the world-writable directory \"%s\"", s,
		            (unsigned)st->st_uid, (unsigned)geteuid(), d);
	if (st->st_nlink > 1)
		return fail(EPERM, err, errlen, "\"%s\" has %lu hard links, in the world-writable "
		            "directory \"%s\"", s, (unsigned long)st->st_nlink, d);
	return 0;
}

/* Checks the last component: may be absent; else a regular file, ours if the dir is o+w. */
static int check_last(const char *path, const struct logfile_verdict *v, char *err, size_t errlen)
{
	struct stat st;
	char s[SHOWN_MAX];
	if (lstat(v->path, &st) == 0)
		return logfile_check_file(path, &st, v->world_writable, v->dir, err, errlen);
	if (errno == ENOENT)
		return 0; /* created at open */
	shown(s, path);
	return fail(errno, err, errlen, "\"%s\": %s", s, strerror(errno));
}

static int outside(const char *path, const char *dir, const char *real, char *err, size_t errlen)
{
	char s[SHOWN_MAX], d[SHOWN_MAX], why[SHOWN_MAX + 32] = "";
	shown(s, path);
	/* Name the resolved directory when .. or a symlink made the difference. */
	if (strcmp(dir, real) != 0) {
		shown(d, real);
		snprintf(why, sizeof(why), ": its directory resolves to \"%s\"", d);
	}
	return fail(EACCES, err, errlen, "\"%s\" is outside the allowed directories "
	            "(/var/log, /tmp, ./logs)%s", s, why);
}

int path_split(const char *path, char dir[PATH_MAX], const char **base, char *err,
               size_t errlen)
{
	int rc = check_syntax(path, err, errlen);
	if (rc == 0)
		split(path, dir, base);
	return rc;
}

int logfile_policy(const char *path, const struct logfile_roots *roots,
                   struct logfile_verdict *v, char *err, size_t errlen)
{
	char dir[PATH_MAX], s[SHOWN_MAX];
	const char *base;
	struct stat dst;
	int rc = path_split(path, dir, &base, err, errlen);
	if (rc < 0)
		return rc;
	rc = resolve_dir(path, dir, v->dir, &dst, err, errlen);
	if (rc < 0)
		return rc;
	v->world_writable = (dst.st_mode & S_IWOTH) != 0;
	shown(s, path);
	if (!inside_roots(v->dir, roots))
		return outside(path, dir, v->dir, err, errlen);
	int n = snprintf(v->path, sizeof(v->path), "%s/%s", strcmp(v->dir, "/") ? v->dir : "", base);
	if (n < 0 || (size_t)n >= sizeof(v->path))
		return fail(ENAMETOOLONG, err, errlen, "\"%s\" is too long once resolved", s);
	return check_last(path, v, err, errlen);
}

int logfile_check_path(const char *path, char *resolved, size_t rsize, char *err, size_t errlen)
{
	struct logfile_roots roots;
	struct logfile_verdict v;
	logfile_roots_init(&roots);
	int rc = logfile_policy(path, &roots, &v, err, errlen);
	if (rc < 0)
		return rc;
	if (!resolved)
		return 0;
	if (strlen(v.path) >= rsize) {
		char s[SHOWN_MAX];
		shown(s, path);
		return fail(ENAMETOOLONG, err, errlen, "\"%s\": resolved path too long for its buffer", s);
	}
	strcpy(resolved, v.path);
	return 0;
}
