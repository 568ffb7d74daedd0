/* SPDX-License-Identifier: MIT */
/* The state file (SPEC §12): each peer's state, when it began, its last handshake, last
 * heard, counters and endpoint, so that a restart or reboot logs no false transition and
 * `status` can show the running daemon's view. A line-based text file, written to a
 * temporary file, fsync'd and renamed over the old one; read back with every field
 * checked, and ignored whole when any line is wrong. */
#ifndef STATEFILE_H
#define STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "peers.h"

/* A bigger file is refused unread: 100,000 peers take about 20 MiB. */
#define STATEFILE_MAX_BYTES (64u << 20)

struct saved_state {
	int64_t written_ms;        /* Unix ms of the save */
	struct saved_peer *peers;
	size_t n, cap;
};

/* The path policy: a file name in an existing directory that is not world-writable
 * (the state is trusted at start, so only root or the directory's owner may plant it);
 * the last component, when it exists, a regular file and not a symlink. Writes the
 * resolved path into resolved. 0 or -errno with a one-line reason in err. */
int statefile_check_path(const char *path, char *resolved, size_t rsize, char *err,
                         size_t errlen);

/* Parses a whole file's bytes (split in place, left as they were). 0, or -EBADMSG (-ENOMEM, -E2BIG) with the first problem
 * and its line number in err; st is then empty. */
int statefile_parse(char *buf, size_t len, struct saved_state *st, char *err,
                    size_t errlen);

/* Reads and parses path (opened O_NOFOLLOW). 0, -ENOENT when there is no file yet, or
 * -errno with the reason in err. */
int statefile_load(const char *path, struct saved_state *st, char *err, size_t errlen);

void saved_state_free(struct saved_state *st);

/* Writes every peer of t atomically: path.tmp (0600), fsync, rename over path, fsync
 * of the directory. 0 or -errno with the reason in err; path is then unchanged. */
int statefile_save(const char *path, const struct peer_table *t, const struct clocks *now,
                   char *err, size_t errlen);

/* Takes an exclusive lock on path.lock (created 0600) so that two daemons never share
 * one state file. Returns the descriptor to keep open, or -errno with the reason in err
 * (-EWOULDBLOCK: another wg-monitor holds it). */
int statefile_lock(const char *path, char *err, size_t errlen);

#endif
