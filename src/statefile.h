/* SPDX-License-Identifier: MIT */
/* The state file (SPEC §12): each peer's state, when it began, its last handshake, last
 * heard, counters and endpoint, so that a restart or reboot logs no false transition and
 * `status` can continue the running daemon's view. A line-based text file in a directory
 * held open from the start, written to a temporary file, fsync'd and renamed over the old
 * one; read back with every field checked, and ignored whole when any line is wrong. */
#ifndef STATEFILE_H
#define STATEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peers.h"
#include "safepath.h"

/* A bigger file is refused unread, and so is a file of more peers: 100,000 peers take
 * about 18 MiB on disk and the same again in memory while being read. */
#define STATEFILE_MAX_BYTES (32u << 20)
#define STATEFILE_MAX_PEERS 200000u

/* The rule the daemon judged by; a restart under another rule re-judges quietly. */
struct saved_rule {
	unsigned threshold;          /* seconds */
	enum liveness liveness;
};

#define BOOT_ID_SIZE 40               /* a UUID, 36 characters, and NUL */

struct saved_state {
	int version;                 /* of the file read: 1 (no sessions) or 2 */
	int64_t written_ms;          /* Unix ms of the save */
	char boot_id[BOOT_ID_SIZE];  /* the kernel's boot_id at the save; "" unknown */
	int64_t written_mono_ms;     /* CLOCK_BOOTTIME of the save, in that boot */
	struct saved_rule rule;
	struct peer_view *peers;     /* ages as at the save */
	size_t n, cap;
};

struct statefile {
	int dirfd;                   /* the directory, opened once: later renames of its
	                              * path cannot redirect a save */
	int lockfd;                  /* -1 until statefile_lock */
	char base[NAME_MAX + 1];     /* the file's name in it */
	char shown[SAFEPATH_SHOWN_MAX]; /* the path as given, raw: escaped where printed */
	bool any_owner;              /* opened for reading only (statefile_open_read) */
};

/* The path policy, then opens the directory. The path is walked one component at a
 * time without following anything unchecked: every directory on the way must be owned by
 * root or the running user and not writable by group or others unless sticky (like
 * /tmp); a symlink on the way must be owned by root or the running user, and its target
 * is walked the same way; the directory itself must not be writable by group or others
 * at all. The file, when it exists, must be a regular file owned by root or the running
 * user, and either empty or a wg-monitor state file (whatever else is there is never
 * replaced). 0, or -errno with a one-line reason in err. */
int statefile_open(struct statefile *sf, const char *path, char *err, size_t errlen);
/* The same for reading only (status): the file and its own directory may belong to any
 * one user, so that root reads the files of a service running as a dynamic user. Never
 * lock or save through it. */
int statefile_open_read(struct statefile *sf, const char *path, char *err, size_t errlen);
void statefile_close(struct statefile *sf);

/* After a failed save: when sf's directory has been removed (no link left), walks path
 * again as statefile_open does and takes the lock there if sf held one. 1 when sf now
 * holds the new directory, 0 when its own is still there, -errno with err filled. */
int statefile_follow(struct statefile *sf, const char *path, char *err, size_t errlen);

/* Takes an exclusive lock on <file>.lock (created 0600) for as long as sf is open, so
 * that two daemons never share one state file. 0, or -errno with the reason in err
 * (-EWOULDBLOCK: another wg-monitor holds it). */
int statefile_lock(struct statefile *sf, char *err, size_t errlen);
/* Whether a wg-monitor holds the lock now (without taking it): 1, 0, or -errno. */
int statefile_in_use(const struct statefile *sf);

/* Parses a whole file's bytes (split in place). 0, or -EBADMSG (-ENOMEM, -E2BIG) with
 * the first problem and its line number in err; st is then empty. */
int statefile_parse(char *buf, size_t len, struct saved_state *st, char *err,
                    size_t errlen);

/* The kernel's id of this boot (/proc/sys/kernel/random/boot_id), "" if unreadable. */
void statefile_boot_id(char out[BOOT_ID_SIZE]);
/* How long ago the save was: on CLOCK_BOOTTIME when it was made in this boot (boot_id),
 * so that no wall-clock step counts; else by the wall clock. Never negative. */
int64_t statefile_elapsed_ms(const struct saved_state *st, const struct clocks *now,
                             const char *boot_id);

/* Reads and parses the file. 0, -ENOENT when there is none yet, or -errno with the
 * reason in err. */
int statefile_load(const struct statefile *sf, struct saved_state *st, char *err,
                   size_t errlen);
void saved_state_free(struct saved_state *st);

/* Writes every peer of t whose state has been logged: <file>.tmp (0600), fsync, rename
 * over the file, fsync of the directory. 0 or -errno with the reason in err; on an
 * error before the rename the old file is untouched. */
int statefile_save(const struct statefile *sf, const struct peer_table *t,
                   const struct saved_rule *rule, const struct clocks *now,
                   const char *boot_id, char *err, size_t errlen);

#endif
