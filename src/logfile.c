// SPDX-License-Identifier: MIT
/* The log file sink (SPEC §6): appends whole lines, rotates before the size limit, notices
 * a file deleted or renamed under it, and survives an unwritable file by retrying; all of
 * it relative to the directory held open from the checked walk at start. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "logfile.h"
#include "logfile_path.h"
#include "safepath.h"
#include "util.h"

#define RETRY_MS 1000
#define BACKUPS_MAX 100  /* SPEC §3 allows 0-100; bounds the renames per rotation */
#define BACKUP_NAME (NAME_MAX + 16) /* base + "." + any unsigned: the compiler can tell */

int64_t (*logfile_clock)(void) = mono_ms;

struct logfile {
	int fd;                   /* -1 while the file is unusable */
	bool failing;             /* LOGFILE_FAILED reported, RECOVERED not yet */
	unsigned backups;
	uint64_t max_bytes;       /* 0: never rotate */
	uint64_t size;            /* fstat at open + bytes written since */
	uint64_t lost;            /* lines not written while failing */
	bool torn;                /* a failed write left part of a line that could not be
	                           * taken back: the next line into that file ends it first */
	dev_t torn_dev;
	ino_t torn_ino;
	int64_t retry_at;         /* logfile_clock() time of the next reopen attempt */
	dev_t dev;                /* identity of the open file, to notice a rename or unlink */
	ino_t ino;
	int dirfd;                /* the directory, walked and checked once at open: every
	                           * open, stat and rename is relative to it, so a directory
	                           * swapped in the path later cannot redirect them */
	struct logfile_roots roots; /* fixed at open, for a walk after the directory is gone */
	char base[NAME_MAX + 1];  /* the file's name in dirfd */
	char dir[PATH_MAX];       /* the directory as resolved at open, for messages */
	char path[PATH_MAX];      /* dir/base, for messages */
	char shown[SAFEPATH_SHOWN_MAX]; /* path, for messages */
	char why[640];            /* the latest failure, reported with LOGFILE_FAILED */
};

__attribute__((format(printf, 3, 4)))
static int set_why(struct logfile *lf, int err_no, const char *fmt, ...)
{
	char what[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(lf->why, sizeof(lf->why), "cannot %s log file \"%s\": %s", what, lf->shown,
	         strerror(err_no));
	return -err_no;
}

static void close_fd(struct logfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
}

/* Takes the walked directory of v as the log file's. */
static void adopt(struct logfile *lf, const struct logfile_verdict *v)
{
	if (lf->dirfd >= 0)
		close(lf->dirfd);
	lf->dirfd = v->dirfd;
	memcpy(lf->base, v->base, sizeof(lf->base));
	memcpy(lf->dir, v->dir, sizeof(lf->dir));
	memcpy(lf->path, v->path, sizeof(lf->path));
	safepath_shown(lf->shown, v->path);
}

/* A held directory that was removed (rm -r, then made again) would fail every open
 * until a restart: walk the resolved path again, with every check of the start. One
 * merely renamed or swapped for a symlink still has a link, and is kept. */
static int follow_removed_dir(struct logfile *lf)
{
	struct logfile_verdict v;
	struct stat st;
	char reason[512];
	if (fstat(lf->dirfd, &st) < 0 || st.st_nlink > 0)
		return 0;
	int rc = logfile_policy(lf->path, &lf->roots, &v, reason, sizeof(reason));
	if (rc < 0) {
		snprintf(lf->why, sizeof(lf->why), "cannot reopen log file: %s", reason);
		return rc;
	}
	adopt(lf, &v);
	return 0;
}

/* Checks the file again (it or the directory's mode may have changed since start),
 * opens it in the held directory without following a symlink or blocking on a FIFO,
 * then re-checks what was opened. */
static int open_file(struct logfile *lf)
{
	struct stat st;
	char reason[512];
	bool ww;
	int rc = follow_removed_dir(lf);
	if (rc < 0)
		return rc;
	rc = logfile_check_last(lf->dirfd, lf->base, lf->path, lf->dir, &ww, reason,
	                        sizeof(reason));
	if (rc < 0) {
		snprintf(lf->why, sizeof(lf->why), "cannot reopen log file: %s", reason);
		return rc;
	}
	int fd = openat(lf->dirfd, lf->base,
	                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
	if (fd < 0)
		return set_why(lf, errno, "open");
	if (fstat(fd, &st) < 0) {
		rc = set_why(lf, errno, "stat");
	} else {
		rc = logfile_check_file(lf->path, &st, ww, lf->dir, reason, sizeof(reason));
		if (rc < 0)
			snprintf(lf->why, sizeof(lf->why), "cannot use log file: %s", reason);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	lf->fd = fd;
	lf->dev = st.st_dev;
	lf->ino = st.st_ino;
	lf->size = (uint64_t)st.st_size;
	return 0;
}

/* One lstat per line (about as cheap as the write itself, measured ~0.4 us), so a file
 * deleted or renamed by someone else is replaced by the very next line. */
static bool still_ours(const struct logfile *lf)
{
	struct stat st;
	return fstatat(lf->dirfd, lf->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       st.st_dev == lf->dev && st.st_ino == lf->ino;
}

/* 0 with an open fd; -EAGAIN while waiting for the next retry; else -errno and why. */
static int ensure_open(struct logfile *lf)
{
	if (lf->fd >= 0) {
		if (still_ours(lf))
			return 0;
		close_fd(lf);
		return open_file(lf);
	}
	if (logfile_clock() < lf->retry_at)
		return -EAGAIN;
	return open_file(lf);
}

static void backup_name(const struct logfile *lf, char out[BACKUP_NAME], unsigned n)
{
	snprintf(out, BACKUP_NAME, "%s.%u", lf->base, n);
}

/* The lowest backup number not in use, or the oldest kept (backups) if all are. */
static unsigned first_gap(const struct logfile *lf)
{
	char name[BACKUP_NAME];
	struct stat st;
	unsigned n = 1;
	for (; n < lf->backups; n++) {
		backup_name(lf, name, n);
		if (fstatat(lf->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			break;
	}
	return n;
}

/* .N-1 -> .N ... file -> .1 (rename replaces the oldest), then a fresh file. With no
 * backups the file is emptied in place: O_APPEND writes follow the new end. */
static int rotate(struct logfile *lf)
{
	char from[BACKUP_NAME], to[BACKUP_NAME];
	if (lf->backups == 0) {
		if (ftruncate(lf->fd, 0) < 0)
			return set_why(lf, errno, "truncate");
		lf->size = 0;
		return 0;
	}
	/* Only up to the first gap: a rotation refused after the shift (an append-only file)
	 * is retried every second, and shifting again each time would overwrite a backup
	 * per retry. Other failures only cost that one backup. */
	for (unsigned i = first_gap(lf); i > 1; i--) {
		backup_name(lf, from, i - 1);
		backup_name(lf, to, i);
		(void)renameat(lf->dirfd, from, lf->dirfd, to);
	}
	backup_name(lf, to, 1);
	if (renameat(lf->dirfd, lf->base, lf->dirfd, to) < 0)
		return set_why(lf, errno, "rotate (rename to .1)");
	close_fd(lf);
	return open_file(lf);
}

static int maybe_rotate(struct logfile *lf, uint64_t need)
{
	/* An oversize line still goes out whole, alone in a fresh file. */
	if (lf->max_bytes == 0 || lf->size == 0 || lf->size + need <= lf->max_bytes)
		return 0;
	return rotate(lf);
}

/* A write that failed after part of a line (ENOSPC, EFBIG) left its start: cut the file
 * back to the last whole line, so a line is whole or absent. Where that is refused too
 * (an append-only file), the next line first ends the fragment. */
static void take_back(struct logfile *lf, uint64_t done)
{
	struct stat st;
	if (done == 0)
		return;
	if (fstat(lf->fd, &st) == 0 && (uint64_t)st.st_size >= done &&
	    ftruncate(lf->fd, st.st_size - (off_t)done) == 0) {
		lf->size -= done;
		return;
	}
	lf->torn = true;
	lf->torn_dev = lf->dev;
	lf->torn_ino = lf->ino;
}

/* line + '\n' in one writev (after a '\n' ending a torn line); short writes continue,
 * EINTR is retried, a failure takes back what it wrote of the line. */
static int write_line(struct logfile *lf, const char *line, size_t len)
{
	bool mend = lf->torn && lf->torn_dev == lf->dev && lf->torn_ino == lf->ino;
	struct iovec iov[3] = {
		{ .iov_base = (void *)(uintptr_t)"\n", .iov_len = mend },
		{ .iov_base = (void *)(uintptr_t)line, .iov_len = len },
		{ .iov_base = (void *)(uintptr_t)"\n", .iov_len = 1 },
	};
	uint64_t done = 0;
	int i = 0;
	while (i < 3) {
		ssize_t n = writev(lf->fd, iov + i, 3 - i);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			take_back(lf, done);
			return set_why(lf, e, "write");
		}
		lf->size += (uint64_t)n;
		done += (uint64_t)n;
		size_t left = (size_t)n;
		while (i < 3 && left >= iov[i].iov_len)
			left -= iov[i++].iov_len;
		if (i < 3) {
			iov[i].iov_base = (char *)iov[i].iov_base + left;
			iov[i].iov_len -= left;
		}
	}
	lf->torn = false;
	return 0;
}

static enum logfile_notice failed(struct logfile *lf, int rc, char *msg, size_t msglen)
{
	lf->lost++;
	if (rc != -EAGAIN) {
		close_fd(lf);
		lf->retry_at = logfile_clock() + RETRY_MS;
	}
	if (lf->failing)
		return LOGFILE_NONE;
	lf->failing = true;
	if (msg && msglen)
		snprintf(msg, msglen, "%s; lines go to stderr only, retrying every second", lf->why);
	return LOGFILE_FAILED;
}

static enum logfile_notice succeeded(struct logfile *lf, char *msg, size_t msglen)
{
	if (!lf->failing)
		return LOGFILE_NONE;
	lf->failing = false;
	if (msg && msglen)
		snprintf(msg, msglen, "log file \"%s\" is writable again; %llu %s not written "
		         "to it", lf->shown, (unsigned long long)lf->lost,
		         lf->lost == 1 ? "line was" : "lines were");
	lf->lost = 0;
	return LOGFILE_RECOVERED;
}

enum logfile_notice logfile_write(struct logfile *lf, const char *line, size_t len,
                                  char *msg, size_t msglen)
{
	if (!lf)
		return LOGFILE_NONE;
	if (!line)
		len = 0;
	int rc = ensure_open(lf);
	if (rc == 0)
		rc = maybe_rotate(lf, (uint64_t)len + 1);
	if (rc == 0)
		rc = write_line(lf, line ? line : "", len);
	if (rc < 0)
		return failed(lf, rc, msg, msglen);
	return succeeded(lf, msg, msglen);
}

__attribute__((format(printf, 5, 6)))
static struct logfile *open_failed(struct logfile *lf, int err_no, char *err, size_t errlen,
                                   const char *fmt, ...)
{
	va_list ap;
	if (err && errlen && fmt) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	logfile_close(lf);
	errno = err_no;
	return NULL;
}

/* logfile_open; *created: the file was not there before. */
static struct logfile *open_log(const char *path, uint64_t max_bytes, unsigned backups,
                                bool *created, char *err, size_t errlen)
{
	struct logfile_verdict v;
	struct stat st;
	if (backups > BACKUPS_MAX)
		return open_failed(NULL, EINVAL, err, errlen, "%u backups (allowed 0-%d)",
		                   backups, BACKUPS_MAX);
	struct logfile *lf = calloc(1, sizeof(*lf));
	if (!lf)
		return open_failed(NULL, ENOMEM, err, errlen, "out of memory");
	lf->fd = lf->dirfd = -1;
	lf->max_bytes = max_bytes;
	lf->backups = backups;
	logfile_roots_init(&lf->roots);
	int rc = logfile_policy(path, &lf->roots, &v, err, errlen);
	if (rc < 0)
		return open_failed(lf, -rc, NULL, 0, NULL);
	adopt(lf, &v);
	*created = fstatat(lf->dirfd, lf->base, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
	rc = open_file(lf);
	if (rc < 0)
		return open_failed(lf, -rc, err, errlen, "%s", lf->why);
	return lf;
}

struct logfile *logfile_open(const char *path, uint64_t max_bytes, unsigned backups,
                             char *err, size_t errlen)
{
	bool created;
	return open_log(path, max_bytes, backups, &created, err, errlen);
}

int logfile_try(const char *path, char *err, size_t errlen)
{
	bool created = false;
	struct logfile *lf = open_log(path, 0, 0, &created, err, errlen);
	if (!lf)
		return -errno;
	if (created && still_ours(lf))
		unlinkat(lf->dirfd, lf->base, 0);
	logfile_close(lf);
	return 0;
}

int logfile_reopen(struct logfile *lf)
{
	if (!lf)
		return 0;
	close_fd(lf);
	/* A failure is reported by the next write, which finds no fd and the reason in why. */
	int rc = open_file(lf);
	if (rc < 0)
		lf->retry_at = logfile_clock() + RETRY_MS;
	return rc;
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	close_fd(lf);
	if (lf->dirfd >= 0)
		close(lf->dirfd);
	free(lf);
}
