/* SPDX-License-Identifier: MIT */
/* The path checks of the files wg-monitor writes: path_split, shared with the state
 * file; and the log file's policy with its roots fixed at open, so a reopen long after
 * start still judges ./logs against the working directory at start. */
#ifndef LOGFILE_PATH_H
#define LOGFILE_PATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* realpath of ./logs when it existed at start, else "". /var/log and /tmp are fixed. */
struct logfile_roots {
	char logs[PATH_MAX];
};

struct logfile_verdict {
	char path[PATH_MAX];  /* resolved directory + "/" + last component */
	char dir[PATH_MAX];   /* resolved directory */
	bool world_writable;  /* directory has o+w: the file must be ours */
};

/* What every file wg-monitor writes shares: the path's syntax (not empty, no control
 * characters, names a file), split into its directory as written ("." when none) and its
 * last component. 0 or -errno with a one-line reason in err. */
int path_split(const char *path, char dir[PATH_MAX], const char **base, char *err,
               size_t errlen);
/* Fills roots from the current working directory. */
void logfile_roots_init(struct logfile_roots *r);
/* The whole policy against given roots. 0 or -errno with a one-line reason in err. */
int logfile_policy(const char *path, const struct logfile_roots *roots,
                   struct logfile_verdict *v, char *err, size_t errlen);
/* The rules for an existing file (from lstat or fstat): regular, and in a world-writable
 * directory owned by us with one link. 0 or -errno with a reason naming shown_path. */
int logfile_check_file(const char *shown_path, const struct stat *st, bool world_writable,
                       const char *dir, char *err, size_t errlen);

#endif
