// SPDX-License-Identifier: MIT
/* The path walk shared by every configured file: component by component with
 * O_PATH|O_NOFOLLOW descriptors, each directory and symlink checked before it is used,
 * ending in a held descriptor of the file's directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"
#include "text.h"
#include "util.h"

#define MAX_LINKS 16  /* symlinks followed while walking the path */

/* ---- syntax ---------------------------------------------------------------------- */

void safepath_shown(char out[SAFEPATH_SHOWN_MAX], const char *path)
{
	text_raw(out, SAFEPATH_SHOWN_MAX, path, strlen(path));
}

/* Refuses what cannot name a file before touching the file system. */
static int check_syntax(const char *path, char *err, size_t errlen)
{
	char s[SAFEPATH_SHOWN_MAX];
	size_t len = path ? strlen(path) : 0;
	if (len == 0)
		return fail_at(err, errlen, 0, -EINVAL, "the path is empty");
	safepath_shown(s, path);
	if (len >= PATH_MAX)
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s\" is too long (%zu bytes, "
		               "limit %d)", s, len, PATH_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7f)
			return fail_at(err, errlen, 0, -EINVAL, "\"%s\" contains control characters",
			               s);
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return fail_at(err, errlen, 0, -EISDIR, "\"%s\" names a directory, not a file", s);
	return 0;
}

int path_split(const char *path, char dir[PATH_MAX], const char **base, char *err,
               size_t errlen)
{
	int rc = check_syntax(path, err, errlen);
	if (rc < 0)
		return rc;
	const char *slash = strrchr(path, '/');
	if (!slash) {
		strcpy(dir, "."); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): dir is PATH_MAX */
		*base = path;
		return 0;
	}
	size_t n = slash == path ? 1 : (size_t)(slash - path); /* "/x": the root */
	memcpy(dir, path, n);
	dir[n] = '\0';
	*base = slash + 1;
	return 0;
}

/* ---- the walk -------------------------------------------------------------------- */

bool safepath_trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* The current directory's O_PATH descriptor, the path walked so far (physical: what
 * the checks and the log file's roots judge), and what messages need. */
struct walk {
	int fd;
	int links;
	char where[PATH_MAX];
	const char *shown;
	const struct safepath_policy *pol;
	char *err;
	size_t errlen;
};

enum dir_rule {
	ON_THE_WAY,    /* others may write only when sticky: our entries stay ours */
	FINAL_PRIVATE,
	OWNER_ONLY,    /* the file's own directory when shared, or before open_final */
};

/* One directory: owned by root or us, and writable by group or others as rule allows. */
static int check_dir(const struct walk *w, const char *dir, const struct stat *st,
                     enum dir_rule rule)
{
	char d[SAFEPATH_SHOWN_MAX];
	safepath_shown(d, dir);
	bool owner_free = w->pol->any_owner && rule != ON_THE_WAY;
	if (!owner_free && !safepath_trusted_owner(st->st_uid))
		return fail_at(w->err, w->errlen, 0, -EPERM, "\"%s\": directory \"%s\" is owned "
		               "by uid %u, not by root or the running user", w->shown, d,
		               (unsigned)st->st_uid);
	bool shared = (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
	if (shared && (rule == FINAL_PRIVATE || (rule == ON_THE_WAY && !(st->st_mode & S_ISVTX))))
		return fail_at(w->err, w->errlen, 0, -EPERM, "\"%s\": directory \"%s\" is writable "
		               "by others (anyone could plant or swap the %s)%s", w->shown, d,
		               w->pol->what, w->pol->hint);
	return 0;
}

/* Moves the walk to "/" (an absolute path or symlink target). */
static int walk_root(struct walk *w)
{
	struct stat st;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	strcpy(w->where, "/");
	if (w->fd < 0 || fstat(w->fd, &st) < 0)
		return fail_at(w->err, w->errlen, 0, -errno, "\"%s\": /: %s", w->shown,
		               strerror(errno));
	return check_dir(w, "/", &st, ON_THE_WAY);
}

/* Drops the last component of where ("/" stays "/"). */
static void walk_up(struct walk *w)
{
	char *slash = strrchr(w->where, '/');
	*(slash == w->where ? slash + 1 : slash) = '\0';
}

/* Adds name to where, or for ".." removes the last component. */
static int walk_note(struct walk *w, const char *name)
{
	size_t n = strlen(w->where);
	if (strcmp(name, "..") == 0) {
		walk_up(w);
		return 0;
	}
	int m = snprintf(w->where + n, sizeof(w->where) - n, "%s%s", n > 1 ? "/" : "", name);
	if (m < 0 || (size_t)m >= sizeof(w->where) - n)
		return fail_at(w->err, w->errlen, 0, -ENAMETOOLONG, "\"%s\": path too long",
		               w->shown);
	return 0;
}

/* A checked symlink at name: its target is put in front of the rest (in place); the
 * walk stays where the link is, or starts again at "/" for an absolute target. */
static int walk_link(struct walk *w, const char *name, const struct stat *st, char *rest,
                     size_t restsize, const char *d)
{
	char target[PATH_MAX], joined[PATH_MAX];
	if (!safepath_trusted_owner(st->st_uid))
		return fail_at(w->err, w->errlen, 0, -EPERM, "\"%s\": symlink \"%s\" is owned by "
		               "uid %u, not by root or the running user", w->shown, d,
		               (unsigned)st->st_uid);
	ssize_t n = readlinkat(w->fd, name, target, sizeof(target) - 1);
	if (n <= 0 || ++w->links > MAX_LINKS)
		return fail_at(w->err, w->errlen, 0, -ELOOP, "\"%s\": cannot follow \"%s\"",
		               w->shown, d);
	target[n] = '\0';
	int m = snprintf(joined, sizeof(joined), "%s/%s", target, rest);
	if (m < 0 || (size_t)m >= sizeof(joined) || (size_t)m >= restsize)
		return fail_at(w->err, w->errlen, 0, -ENAMETOOLONG, "\"%s\": path too long",
		               w->shown);
	memcpy(rest, joined, (size_t)m + 1);
	walk_up(w);
	return target[0] == '/' ? walk_root(w) : 0;
}

/* Whether nothing but "/" and "." is left: the component before was the last one. */
static bool only_dots(const char *rest)
{
	for (; *rest; rest++)
		if (*rest != '/' && !(*rest == '.' && (rest[1] == '/' || rest[1] == '\0')))
			return false;
	return true;
}

/* One component: a checked directory to step into, or a checked symlink to follow. The
 * last directory's modes are left to open_final, which knows the caller's policy. */
static int walk_step(struct walk *w, const char *name, char *rest, size_t restsize)
{
	struct stat st;
	char d[SAFEPATH_SHOWN_MAX];
	int rc = walk_note(w, name);
	if (rc < 0)
		return rc;
	safepath_shown(d, w->where);
	if (fstatat(w->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_at(w->err, w->errlen, 0, -errno, "\"%s\": \"%s\": %s%s", w->shown, d,
		               strerror(errno), errno == ENOENT ? " (the directory must exist)" : "");
	if (S_ISLNK(st.st_mode))
		return walk_link(w, name, &st, rest, restsize, d);
	if (!S_ISDIR(st.st_mode))
		return fail_at(w->err, w->errlen, 0, -ENOTDIR, "\"%s\": \"%s\" is not a directory",
		               w->shown, d);
	int fd = openat(w->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail_at(w->err, w->errlen, 0, -e, "\"%s\": \"%s\": %s", w->shown, d,
		               strerror(e));
	}
	close(w->fd);
	w->fd = fd;
	return check_dir(w, w->where, &st, only_dots(rest) ? OWNER_ONLY : ON_THE_WAY);
}

/* Walks dir (absolute, or relative to the working directory); w->fd is then an O_PATH
 * descriptor of it. */
static int walk_dir(struct walk *w, const char *dir)
{
	char path[PATH_MAX * 2], cwd[PATH_MAX];
	if (dir[0] == '/')
		snprintf(path, sizeof(path), "%s", dir);
	else if (getcwd(cwd, sizeof(cwd)))
		snprintf(path, sizeof(path), "%s/%s", cwd, dir);
	else
		return fail_at(w->err, w->errlen, 0, -errno, "\"%s\": %s", w->shown,
		               strerror(errno));
	int rc = walk_root(w);
	char *rest = path;
	while (rc == 0 && *rest) {
		char name[PATH_MAX];
		size_t n = strcspn(rest, "/");
		if (n >= sizeof(name))
			return fail_at(w->err, w->errlen, 0, -ENAMETOOLONG, "\"%s\": path too long",
			               w->shown);
		memcpy(name, rest, n);
		name[n] = '\0';
		rest += n + (rest[n] == '/');
		if (n == 0 || strcmp(name, ".") == 0)
			continue;
		rc = walk_step(w, name, rest, sizeof(path) - (size_t)(rest - path));
	}
	return rc;
}

/* A real descriptor (O_PATH ones cannot be fsync'd) of the directory walked to. */
static int open_final(struct walk *w, int *dirfd)
{
	struct stat st;
	*dirfd = openat(w->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0 || fstat(*dirfd, &st) < 0)
		return fail_at(w->err, w->errlen, 0, -errno, "\"%s\": cannot open its directory: %s",
		               w->shown, strerror(errno));
	return check_dir(w, w->where, &st, w->pol->shared_dir ? OWNER_ONLY : FINAL_PRIVATE);
}

int safepath_open_dir(const char *path, const struct safepath_policy *pol, int *dirfd,
                      char *base, size_t basesize, char resolved[PATH_MAX], char *err,
                      size_t errlen)
{
	char dir[PATH_MAX], shown[SAFEPATH_SHOWN_MAX];
	const char *b;
	struct walk w = { .fd = -1, .shown = shown, .pol = pol, .err = err, .errlen = errlen };
	*dirfd = -1;
	int rc = path_split(path, dir, &b, err, errlen);
	if (rc < 0)
		return rc;
	safepath_shown(shown, path);
	if (strlen(b) >= basesize)
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s\": file name too long", shown);
	rc = walk_dir(&w, dir);
	if (rc == 0)
		rc = open_final(&w, dirfd);
	if (w.fd >= 0)
		close(w.fd);
	if (rc < 0) {
		if (*dirfd >= 0)
			close(*dirfd);
		*dirfd = -1;
		return rc;
	}
	strcpy(base, b); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): length checked above */
	if (resolved)
		strcpy(resolved, w.where); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): both PATH_MAX */
	return 0;
}

/* ---- the file -------------------------------------------------------------------- */

int safepath_check_file(const struct stat *st, const char *shown, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode))
		return fail_at(err, errlen, 0, -EINVAL, "\"%s\": not a regular file", shown);
	if (!safepath_trusted_owner(st->st_uid))
		return fail_at(err, errlen, 0, -EPERM, "\"%s\": owned by uid %u, neither root "
		               "nor the running user", shown, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fail_at(err, errlen, 0, -EPERM, "\"%s\": writable by group or others "
		               "(mode %04o; chmod go-w)", shown, (unsigned)(st->st_mode & 07777));
	return 0;
}

int safepath_open_read(const char *path, const struct safepath_policy *pol, char *err,
                       size_t errlen)
{
	char base[NAME_MAX + 1], shown[SAFEPATH_SHOWN_MAX];
	struct stat st;
	int dirfd;
	int rc = safepath_open_dir(path, pol, &dirfd, base, sizeof(base), NULL, err, errlen);
	if (rc < 0)
		return rc;
	safepath_shown(shown, path);
	/* O_NOFOLLOW: the walk checked the directories, not where a link at the end points */
	int fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	int e = errno;
	close(dirfd);
	if (fd < 0)
		return fail_at(err, errlen, 0, -e, "\"%s\": %s", shown,
		               e == ELOOP ? "a symlink; give the file's real path" : strerror(e));
	if (fstat(fd, &st) < 0)
		rc = fail_at(err, errlen, 0, -errno, "\"%s\": %s", shown, strerror(errno));
	else
		rc = safepath_check_file(&st, shown, err, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}
