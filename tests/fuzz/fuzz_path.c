// SPDX-License-Identifier: MIT
/* libFuzzer harness for the path policy (safepath.c, logfile_path.c): each input builds a
 * scratch tree in a private directory and names a path, one command a line:
 *   d NAME MODE   a directory (octal mode; u+rwx always, so that cleaning works)
 *   f NAME MODE   a regular file          h NAME OLD   a hard link to OLD
 *   l NAME TARGET a symlink (any target)  o NAME      NAME owned by nobody (as root)
 *   p PATH        the path to judge, relative to the tree or absolute
 *   s             the policy's shared_dir  a   its any_owner
 * NAMEs are created only below the tree, never through a symlink. The walk and the log
 * file's policy (with the tree's "logs" as the ./logs root) are checked: an fd only for
 * a directory the checks allow, the log file's inside its roots, no fd leaked. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile_path.h"
#include "safepath.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOBODY 65534

static char scratch[PATH_MAX];   /* private, made once; the tree is scratch/t */
static char tree[PATH_MAX];

static void clean(void);

static void drop_scratch(void)
{
	clean();
	(void)rmdir(scratch);
}

/* One directory per process (scratch.h: a run killed mid-way leaves it to the next run's
 * sweep); an ordinary exit removes it here. */
static void make_scratch(void)
{
	scratch_make(scratch, "path");
	snprintf(tree, sizeof tree, "%s/t", scratch);
	atexit(drop_scratch);
}

/* The directory fd of NAME's parent, reached without following anything; *last: its
 * final component. -1 when a component is missing, a symlink or "..". */
static int parent_of(int root, char *name, const char **last)
{
	int fd = dup(root);
	char *save, *tok = strtok_r(name, "/", &save), *next;
	for (; tok && (next = strtok_r(NULL, "/", &save)); tok = next) {
		int sub = strcmp(tok, "..") ? openat(fd, tok, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) : -1;
		close(fd);
		if (sub < 0)
			return -1;
		fd = sub;
	}
	if (!tok || strcmp(tok, "..") == 0 || strcmp(tok, ".") == 0) {
		close(fd);
		return -1;
	}
	*last = tok;
	return fd;
}

static void command(int root, char op, char *name, char *arg)
{
	const char *last;
	unsigned mode = (unsigned)strtoul(arg, NULL, 8) & 07777;
	int fd = parent_of(root, name, &last), f;
	if (fd < 0)
		return;
	if (op == 'd' && mkdirat(fd, last, 0700) == 0)
		(void)fchmodat(fd, last, mode | 0700, 0);
	if (op == 'f' && (f = openat(fd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) >= 0) {
		(void)fchmod(f, mode | 0600);
		close(f);
	}
	if (op == 'l')
		(void)symlinkat(arg, fd, last);
	if (op == 'o')
		(void)fchownat(fd, last, NOBODY, NOBODY, AT_SYMLINK_NOFOLLOW);
	if (op == 'h') {
		const char *old;
		int ofd = parent_of(root, arg, &old);
		if (ofd >= 0 && linkat(ofd, old, fd, last, 0) == 0)
			(void)0;
		if (ofd >= 0)
			close(ofd);
	}
	close(fd);
}

struct job {
	char path[PATH_MAX];
	struct safepath_policy pol;
};

/* Builds the tree from the input's lines (buf is NUL-terminated and split in place). */
static void build(int root, char *buf, struct job *j)
{
	char *save, *line;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char op = line[0], *rest = line[0] && line[1] == ' ' ? line + 2 : NULL;
		if (op == 's')
			j->pol.shared_dir = true;
		else if (op == 'a')
			j->pol.any_owner = true;
		else if (op == 'p' && rest)
			snprintf(j->path, sizeof j->path, "%s", rest);
		else if (rest && strchr("dflho", op)) {
			char *sp = strchr(rest, ' ');
			if (sp)
				*sp = '\0';
			command(root, op, rest, sp ? sp + 1 : (char *)"0");
		}
	}
}

static void clean(void)
{
	if (scratch_rm_tree(tree) != 0)
		abort();
}

/* The lowest free descriptor: a leaked one would take it. */
static int free_fd(void)
{
	int fd = dup(0);
	close(fd);
	return fd;
}

/* fd is the directory at path (absolute, symlink-free), of a trusted owner, and every
 * directory above it is trusted and writable by others only when sticky. */
static void check_dir(int fd, const char *path, bool shared, bool any_owner)
{
	struct stat a, b;
	char real[PATH_MAX], up[PATH_MAX];
	if (fstat(fd, &a) || stat(path, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino ||
	    !S_ISDIR(a.st_mode) || !realpath(path, real) || strcmp(real, path) != 0)
		abort();
	if ((!any_owner && !safepath_trusted_owner(a.st_uid)) ||
	    (!shared && (a.st_mode & (S_IWGRP | S_IWOTH))))
		abort();
	snprintf(up, sizeof up, "%s", path);
	for (char *s = strrchr(up, '/'); s; s = strrchr(up, '/')) {
		s[s == up] = '\0';
		if (stat(up, &b) || !safepath_trusted_owner(b.st_uid) ||
		    ((b.st_mode & (S_IWGRP | S_IWOTH)) && !(b.st_mode & S_ISVTX)))
			abort();
		if (s == up)
			break;
	}
}

static bool under(const char *dir, const char *root)
{
	size_t n = strlen(root);
	return n && strncmp(dir, root, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

static void check_log(const char *path, const struct logfile_roots *roots)
{
	struct logfile_verdict v;
	struct stat st;
	char err[512];
	int lowest = free_fd();
	if (logfile_policy(path, roots, &v, err, sizeof err) < 0) {
		if (!err[0] || v.dirfd != -1 || fcntl(lowest, F_GETFD) != -1)
			abort();
		return;
	}
	check_dir(v.dirfd, v.dir, true, false);
	if (!under(v.dir, "/var/log") && !under(v.dir, "/tmp") && !under(v.dir, roots->logs))
		abort();
	if (fstatat(v.dirfd, v.base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	     (v.world_writable && st.st_uid != geteuid())))
		abort();
	close(v.dirfd);
}

static void check_walk(const struct job *j)
{
	char base[NAME_MAX + 1], resolved[PATH_MAX], err[512];
	int fd = -1, lowest = free_fd();
	if (safepath_open_dir(j->path, &j->pol, &fd, base, sizeof base, resolved, err,
	                      sizeof err) < 0) {
		if (!err[0] || fcntl(lowest, F_GETFD) != -1)
			abort();
		return;
	}
	if (!base[0] || strchr(base, '/') || !strcmp(base, ".") || !strcmp(base, ".."))
		abort();
	check_dir(fd, resolved, j->pol.shared_dir, j->pol.any_owner);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct job j;
	struct logfile_roots roots = { "" };
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	if (!scratch[0])
		make_scratch();
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&j, 0, sizeof j);
	j.pol.what = "fuzzed file";
	j.pol.hint = "hint";
	int home = open(".", O_RDONLY | O_DIRECTORY);   /* libFuzzer's paths are relative */
	if (home < 0 || mkdir(tree, 0755) != 0 || chdir(tree) != 0)
		abort();
	int root = open(".", O_RDONLY | O_DIRECTORY);
	build(root, buf, &j);
	close(root);
	if (!realpath("logs", roots.logs))
		roots.logs[0] = '\0';
	if (j.path[0]) {
		check_walk(&j);
		check_log(j.path, &roots);
	}
	if (fchdir(home) != 0)
		abort();
	close(home);
	clean();
	free(buf);
	return 0;
}
