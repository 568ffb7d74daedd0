/* SPDX-License-Identifier: MIT */
/* Test helpers for file-system tests: a private directory under /tmp (or another base),
 * removed with everything in it; whole-file reads; small path helpers. */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdtemp under base ("/tmp"); the resolved name goes to out. false if it failed. */
static inline bool tdir_make(char out[PATH_MAX], const char *base)
{
	char tmpl[PATH_MAX];
	int n = snprintf(tmpl, sizeof(tmpl), "%s/wgm-test-XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(tmpl) || !mkdtemp(tmpl))
		return false;
	return realpath(tmpl, out) != NULL;
}

static inline int tdir_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Removes dir and all it holds without following symlinks. */
static inline void tdir_remove(const char *dir)
{
	nftw(dir, tdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir + "/" + name into out (PATH_MAX). */
static inline const char *tpath(char out[PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX)
		out[0] = '\0'; /* too long: an empty path fails loudly in the test */
	return out;
}

/* Reads the whole file into buf (NUL-terminated); length, or -1. */
static inline long tread(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	if (fd < 0)
		return -1;
	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

static inline bool texists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static inline long tsize(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? (long)st.st_size : -1;
}

static inline bool twrite(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

/* Entries in dir, without . and .. */
static inline int tcount(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#endif
