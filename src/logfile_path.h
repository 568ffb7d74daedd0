/* SPDX-License-Identifier: MIT */
/* The log file's path policy (SPEC §6) on top of the shared walk (safepath.h): the
 * allowed roots, fixed at open so that a reopen long after start still judges ./logs
 * against the working directory at start, and the rules for the file itself. */
#ifndef LOGFILE_PATH_H
#define LOGFILE_PATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* A backup's suffix: ".100" at most (LOG_BACKUPS is 0-100). */
#define LOGFILE_SUFFIX_MAX 4

/* realpath of ./logs when it existed at start, else "". /var/log and /tmp are fixed. */
struct logfile_roots {
	char logs[PATH_MAX];
};

struct logfile_verdict {
	int dirfd;                 /* the walked directory, held open; the caller closes it */
	char base[NAME_MAX + 1];   /* the file's name in it (room left for ".100") */
	char dir[PATH_MAX];        /* resolved directory */
	char path[PATH_MAX];       /* resolved directory + "/" + base, for messages */
	bool world_writable;       /* directory has o+w: the file must be ours */
};

/* Fills roots from the current working directory. */
void logfile_roots_init(struct logfile_roots *r);
/* The whole policy against given roots: the walk, the roots, and the file if it exists
 * (logfile_check_last). On success v->dirfd is open. 0 or -errno with a one-line reason
 * in err (v->dirfd is then -1). */
int logfile_policy(const char *path, const struct logfile_roots *roots,
                   struct logfile_verdict *v, char *err, size_t errlen);
/* The rules for an existing file (from fstatat or fstat): regular, one link, and in a
 * world-writable directory owned by us. 0 or -errno with a reason naming shown_path. */
int logfile_check_file(const char *shown_path, const struct stat *st, bool world_writable,
                       const char *dir, char *err, size_t errlen);
/* base in dirfd, without following it: absent (0), or passes logfile_check_file. Sets
 * *world_writable from the directory's mode now. 0 or -errno with a reason in err. */
int logfile_check_last(int dirfd, const char *base, const char *shown_path, const char *dir,
                       bool *world_writable, char *err, size_t errlen);

#endif
