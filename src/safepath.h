/* SPDX-License-Identifier: MIT */
/* One path-safety walk for every file the daemon writes or reads from a configured path:
 * the directory is reached one checked component at a time and held open, so that
 * every later operation is relative to it and no rename of the path can redirect it. */
#ifndef SAFEPATH_H
#define SAFEPATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What differs between the callers; every other rule is the same for all. */
struct safepath_policy {
	bool shared_dir;  /* the file's own directory may be writable by group or others
	                   * (/tmp for the log file); false: not at all, sticky or not */
	const char *what; /* the file in messages, e.g. "state file" */
	const char *hint; /* ends the message about a directory writable by others */
	bool any_owner;   /* reading only: the file's own directory may belong to any one
	                   * user (root reading a service's files: DynamicUser's uid) */
};

/* The syntax every configured file path shares: not empty, shorter than PATH_MAX, no
 * control characters, names a file; split into its directory as written ("." when
 * none) and its last component (*base points into path). 0 or -errno with a one-line
 * reason in err. */
int path_split(const char *path, char dir[PATH_MAX], const char **base, char *err,
               size_t errlen);

/* A path quoted in a message: its first SAFEPATH_SHOWN_MAX - 1 bytes, raw (text_raw),
 * so that the printer's escape is the only one. */
#define SAFEPATH_SHOWN_MAX 256
void safepath_shown(char out[SAFEPATH_SHOWN_MAX], const char *path);
/* Room for a refusal of the walk, whole: two quoted paths (the file and a directory on
 * the way) and the reason with the policy's hint. */
#define SAFEPATH_WHY_SIZE (2 * SAFEPATH_SHOWN_MAX + 200)

/* Whether a file or directory owned by uid may be trusted: root's or ours. */
bool safepath_trusted_owner(uid_t uid);

/* Splits path (path_split) and walks its directory from "/" (a relative path from the
 * working directory): every directory on the way owned by root or the running user and
 * not writable by group or others unless sticky; a symlink on the way owned by root or
 * the running user, its target walked the same way; "." and ".." taken as they come.
 * The directory itself is owned by root or us, and writable by others only as pol
 * allows. On success *dirfd is an O_RDONLY descriptor of it (the caller closes it), base
 * (basesize bytes; a longer name is refused) its last component, and resolved (may be
 * NULL) the directory's absolute path as walked, symlinks and ".." resolved. 0 or -errno
 * with a one-line reason naming the path in err. */
int safepath_open_dir(const char *path, const struct safepath_policy *pol, int *dirfd,
                      char *base, size_t basesize, char resolved[PATH_MAX], char *err,
                      size_t errlen);

struct stat;

/* A file found by the walk: regular, owned by root or the running user, writable by no
 * one else. 0 or -errno with a one-line reason naming shown in err. */
int safepath_check_file(const struct stat *st, const char *shown, char *err, size_t errlen);

/* Opens path for reading through safepath_open_dir's walk under pol, without following
 * a symlink at its end, and checks the file (safepath_check_file). A descriptor
 * (O_RDONLY, O_NONBLOCK, O_CLOEXEC; the caller closes it), or -errno with a one-line
 * reason naming the path in err. */
int safepath_open_read(const char *path, const struct safepath_policy *pol, char *err,
                       size_t errlen);

#endif
