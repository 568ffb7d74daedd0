/* SPDX-License-Identifier: MIT */
/* For the fuzz harnesses that need a file system: one private scratch directory per
 * process, named for its pid and a random suffix, and a sweep of those whose process is gone. libFuzzer ends
 * a run that finds a crash, a timeout or a leak with _Exit or a signal (and SIGKILL needs
 * no reason), so no atexit handler runs: the next run of the target removes what such a
 * run left. A pid reused by an unrelated live process keeps its leftover until then. */
#ifndef FUZZ_SCRATCH_H
#define FUZZ_SCRATCH_H
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int scratch_unlock(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D)
		(void)chmod(p, (st->st_mode & 07777) | 0700);
	return 0;
}

static int scratch_remove_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return (type == FTW_DP ? rmdir(p) : unlink(p)) != 0;
}

/* Removes path and all below it, never following a symlink; directories made
 * unreadable are opened up first. 0, or nonzero if something stayed. */
static int scratch_rm_tree(const char *path)
{
	(void)nftw(path, scratch_unlock, 16, FTW_PHYS);
	if (access(path, F_OK) != 0)
		return 0;
	return nftw(path, scratch_remove_one, 16, FTW_PHYS | FTW_DEPTH);
}

/* Where scratch directories go: /dev/shm (memory) when writable, else /tmp. */
static const char *scratch_base(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Removes every base/wgm-fuzz-TAG-PID-XXXXXX directory of ours whose PID is no running
 * process (or is this one: a leftover of an earlier process with our pid). */
static void scratch_sweep(const char *tag)
{
	char prefix[64], path[PATH_MAX];
	snprintf(prefix, sizeof prefix, "wgm-fuzz-%s-", tag);
	DIR *d = opendir(scratch_base());
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		struct stat st;
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		long pid = strtol(e->d_name + strlen(prefix), &end, 10);
		snprintf(path, sizeof path, "%s/%s", scratch_base(), e->d_name);
		if (*end != '-' || strlen(end) != 7 || pid <= 0 ||   /* "-XXXXXX" of mkdtemp */ lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		if (pid == getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
			(void)scratch_rm_tree(path);
	}
	if (d)
		closedir(d);
}

/* Sweeps the leftovers of TAG, then makes this process's directory (0700) into out; its
 * name is unguessable (mkdtemp), as the base may be a world-writable /dev/shm. */
static void scratch_make(char out[PATH_MAX], const char *tag)
{
	scratch_sweep(tag);
	snprintf(out, PATH_MAX, "%s/wgm-fuzz-%s-%ld-XXXXXX", scratch_base(), tag,
	         (long)getpid());
	if (!mkdtemp(out)) {
		perror(out);
		abort();
	}
}
#endif
