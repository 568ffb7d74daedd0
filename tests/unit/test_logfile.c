// SPDX-License-Identifier: MIT
/* The log file sink on real files: rotation and its bounds, lines never split or lost to
 * rotation, deleted/renamed files re-created, health notices paced by an injected clock. */
#include <errno.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "harness.h"
#include "logfile.h"
#include "tmpdir.h"

static char T[PATH_MAX], F[PATH_MAX]; /* test directory; the log file in it */
static char err[512], msg[1024], p[PATH_MAX], buf[1 << 16];
static int64_t fake_now = 1000000;
static int first_free_fd = -1;  /* lowest free descriptor before the tests: leak check */

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd;
}

static int64_t fake_clock(void)
{
	return fake_now;
}

static enum logfile_notice put(struct logfile *lf, const char *s)
{
	msg[0] = '\0';
	return logfile_write(lf, s, strlen(s), msg, sizeof(msg));
}

static const char *content(const char *path)
{
	if (tread(path, buf, sizeof(buf)) < 0)
		return "(missing)";
	return buf;
}

static const char *backup(unsigned n)
{
	if (snprintf(p, sizeof(p), "%s.%u", F, n) >= (int)sizeof(p))
		p[0] = '\0';
	return p;
}

static void test_basic(void)
{
	struct stat st;
	struct logfile *lf = logfile_open(F, 4096, 2, err, sizeof(err));
	CHECK(lf != NULL);
	CHECK_INT(put(lf, "hello"), LOGFILE_NONE);
	CHECK_INT(logfile_write(lf, "abc", 2, NULL, 0), LOGFILE_NONE); /* len, not strlen */
	CHECK_INT(logfile_write(lf, NULL, 7, NULL, 0), LOGFILE_NONE);
	CHECK_STR(content(F), "hello\nab\n\n");
	CHECK(stat(F, &st) == 0 && (st.st_mode & 07777) == 0640);
	logfile_close(lf);
	lf = logfile_open(F, 4096, 2, err, sizeof(err)); /* appends, never truncates */
	CHECK_INT(put(lf, "again"), LOGFILE_NONE);
	CHECK_STR(content(F), "hello\nab\n\nagain\n");
	logfile_close(lf);
	CHECK_INT(logfile_write(NULL, "x", 1, msg, sizeof(msg)), LOGFILE_NONE);
	logfile_reopen(NULL);
	logfile_close(NULL);
}

static void test_open_refused(void)
{
	errno = 0;
	CHECK(logfile_open("/etc/wgm-x.log", 4096, 1, err, sizeof(err)) == NULL);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(err, "outside the allowed directories");
	CHECK(!texists("/etc/wgm-x.log"));
	CHECK(logfile_open(F, 4096, 101, err, sizeof(err)) == NULL);
	CHECK_INT(errno, EINVAL);
	CHECK(symlink("target", F) == 0);
	CHECK(logfile_open(F, 4096, 1, err, sizeof(err)) == NULL);
	CHECK_INT(errno, ELOOP);
	CHECK(!texists(tpath(p, T, "target")));
}

/* Every line is "seq=NNNNNN " plus seq%60 dots: its length proves it arrived whole. */
static size_t make_line(char *out, size_t size, int seq)
{
	int n = snprintf(out, size, "seq=%06d ", seq);
	for (int i = 0; i < seq % 60; i++)
		out[n++] = '.';
	out[n] = '\0';
	return (size_t)n;
}

/* Checks that the text holds whole lines with consecutive numbers from *next on. */
static int check_sequence(const char *text, int *next)
{
	char want[128];
	int lines = 0;
	for (const char *s = text; *s; lines++) {
		const char *nl = strchr(s, '\n');
		size_t len = make_line(want, sizeof(want), *next);
		if (!nl || (size_t)(nl - s) != len || memcmp(s, want, len) != 0)
			return -1;
		(*next)++;
		s = nl + 1;
	}
	return lines;
}

static void test_rotation(void)
{
	char line[128];
	const int total = 2000;
	struct logfile *lf = logfile_open(F, 4096, 3, err, sizeof(err));
	for (int i = 0; i < total; i++) {
		size_t n = make_line(line, sizeof(line), i);
		CHECK_INT(logfile_write(lf, line, n, msg, sizeof(msg)), LOGFILE_NONE);
	}
	logfile_close(lf);
	CHECK_INT(tcount(T), 4);
	CHECK(!texists(backup(4)));
	/* The oldest retained line starts .3; all later ones follow without gaps. */
	tread(backup(3), buf, sizeof(buf));
	int first = -1, next, lines = 0;
	CHECK(sscanf(buf, "seq=%d", &first) == 1 && first > 0);
	next = first;
	for (unsigned k = 3; k > 0; k--) {
		CHECK(tsize(backup(k)) <= 4096);
		CHECK(tsize(backup(k)) > 4096 - 72); /* rotated only when the next line did not fit */
		int n = check_sequence(content(backup(k)), &next);
		CHECK(n > 0);
		lines += n;
	}
	CHECK(tsize(F) <= 4096);
	lines += check_sequence(content(F), &next);
	CHECK_INT(next, total);
	CHECK_INT(lines, total - first);
}

static void test_no_backups(void)
{
	char line[128];
	struct logfile *lf = logfile_open(F, 4096, 0, err, sizeof(err));
	for (int i = 0; i < 500; i++)
		logfile_write(lf, line, make_line(line, sizeof(line), i), msg, sizeof(msg));
	logfile_close(lf);
	CHECK_INT(tcount(T), 1);
	CHECK(tsize(F) <= 4096 && tsize(F) > 4096 - 72);
	tread(F, buf, sizeof(buf));
	int first = -1, next;
	CHECK(sscanf(buf, "seq=%d", &first) == 1 && first > 0);
	next = first;
	CHECK_INT(check_sequence(buf, &next), 500 - first);
	CHECK_INT(next, 500);
}

static void test_oversize_line(void)
{
	static char big[6000];
	memset(big, 'x', sizeof(big));
	struct logfile *lf = logfile_open(F, 4096, 2, err, sizeof(err));
	CHECK_INT(logfile_write(lf, big, sizeof(big), msg, sizeof(msg)), LOGFILE_NONE);
	CHECK_INT(tsize(F), 6001);                  /* alone in the empty file, not rotated */
	CHECK(!texists(backup(1)));
	CHECK_INT(put(lf, "small1"), LOGFILE_NONE); /* the oversize file rotates away */
	CHECK_STR(content(F), "small1\n");
	CHECK_INT(tsize(backup(1)), 6001);
	CHECK_INT(logfile_write(lf, big, 5000, msg, sizeof(msg)), LOGFILE_NONE);
	CHECK_INT(tsize(F), 5001);
	CHECK_STR(content(backup(1)), "small1\n");
	CHECK_INT(tsize(backup(2)), 6001);
	logfile_close(lf);
}

static void test_deleted_and_renamed(void)
{
	char moved[PATH_MAX];
	struct logfile *lf = logfile_open(F, 4096, 1, err, sizeof(err));
	CHECK_INT(put(lf, "one"), LOGFILE_NONE);
	CHECK_INT(unlink(F), 0);
	CHECK_INT(put(lf, "two"), LOGFILE_NONE);    /* no notice: it simply carries on */
	CHECK_STR(content(F), "two\n");
	CHECK_INT(rename(F, tpath(moved, T, "moved.log")), 0);
	CHECK_INT(put(lf, "three"), LOGFILE_NONE);
	CHECK_STR(content(F), "three\n");
	CHECK_STR(content(moved), "two\n");
	logfile_close(lf);
}

static void test_sighup_reopen(void)
{
	struct logfile *lf = logfile_open(F, 4096, 1, err, sizeof(err));
	put(lf, "a");
	put(lf, "b");
	CHECK_INT(rename(F, backup(1)), 0);         /* logrotate's rename */
	logfile_reopen(lf);
	CHECK_STR(content(F), "");                  /* re-created at once */
	CHECK_INT(put(lf, "c"), LOGFILE_NONE);
	CHECK_STR(content(F), "c\n");
	CHECK_STR(content(backup(1)), "a\nb\n");
	/* A reopen that fails is reported by the next write. */
	CHECK_INT(unlink(F), 0);
	CHECK_INT(mkdir(F, 0755), 0);
	logfile_reopen(lf);
	CHECK_INT(put(lf, "d"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "is a directory");
	CHECK_INT(rmdir(F), 0);
	fake_now += 1000;
	CHECK_INT(put(lf, "e"), LOGFILE_RECOVERED);
	CHECK_CONTAINS(msg, "1 line was not written");
	CHECK_STR(content(F), "e\n");
	logfile_close(lf);
}

/* A symlink planted where the file was: refused (O_NOFOLLOW), retried once a second. */
static void test_failed_then_recovered(void)
{
	char target[PATH_MAX];
	struct logfile *lf = logfile_open(F, 4096, 1, err, sizeof(err));
	CHECK_INT(put(lf, "1"), LOGFILE_NONE);
	CHECK_INT(unlink(F), 0);
	CHECK_INT(symlink(tpath(target, T, "target"), F), 0);
	CHECK_INT(put(lf, "2"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "symbolic link");
	CHECK_CONTAINS(msg, F);
	CHECK_CONTAINS(msg, "stderr");
	CHECK_INT(put(lf, "3"), LOGFILE_NONE);      /* reported once */
	CHECK_INT(unlink(F), 0);
	fake_now += 999;
	CHECK_INT(put(lf, "4"), LOGFILE_NONE);      /* not retried within the second */
	CHECK(!texists(F));
	fake_now += 1;
	CHECK_INT(put(lf, "5"), LOGFILE_RECOVERED);
	CHECK_CONTAINS(msg, "is writable again; 3 lines were not written");
	CHECK_INT(put(lf, "6"), LOGFILE_NONE);
	CHECK_STR(content(F), "5\n6\n");
	CHECK(!texists(target));
	logfile_close(lf);
}

/* Without root, a file we may not write: EACCES. Root passes that check, so see tmpfs. */
static void test_permission(void)
{
	if (geteuid() == 0) {
		printf("SKIPPED %s: root ignores file modes (test_disk_full covers it)\n", __func__);
		return;
	}
	struct logfile *lf = logfile_open(F, 4096, 1, err, sizeof(err));
	CHECK_INT(unlink(F), 0);
	CHECK(twrite(F, "") && chmod(F, 0) == 0);
	CHECK_INT(put(lf, "x"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "Permission denied");
	CHECK_INT(chmod(F, 0640), 0);
	fake_now += 1000;
	CHECK_INT(put(lf, "y"), LOGFILE_RECOVERED);
	CHECK_STR(content(F), "y\n");
	logfile_close(lf);
}

static bool fill(const char *path)
{
	static const char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n = 0;
	for (int i = 0; fd >= 0 && i < 1000 && n >= 0; i++)
		n = write(fd, block, sizeof(block)); /* short writes too, until ENOSPC */
	int e = errno;
	if (fd >= 0)
		close(fd);
	return n < 0 && e == ENOSPC;
}

static void test_disk_full(void)
{
	char mnt[PATH_MAX], log[PATH_MAX], filler[PATH_MAX];
	if (geteuid() != 0 || mkdir(tpath(mnt, T, "mnt"), 0755) < 0 ||
	    mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") < 0) {
		printf("SKIPPED %s: needs root and a tmpfs mount\n", __func__);
		return;
	}
	struct logfile *lf = logfile_open(tpath(log, mnt, "a.log"), 1 << 20, 1, err, sizeof(err));
	CHECK(lf != NULL);
	CHECK(fill(tpath(filler, mnt, "filler")));
	CHECK_INT(put(lf, "lost 1"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "No space left on device");
	CHECK_INT(put(lf, "lost 2"), LOGFILE_NONE);
	CHECK_INT(unlink(filler), 0);
	CHECK_INT(put(lf, "lost 3"), LOGFILE_NONE); /* space is back, but the retry waits */
	fake_now += 1000;
	CHECK_INT(put(lf, "back"), LOGFILE_RECOVERED);
	CHECK_CONTAINS(msg, "3 lines were not written");
	CHECK_STR(content(log), "back\n");
	logfile_close(lf);
	CHECK_INT(umount2(mnt, MNT_DETACH), 0);
}

/* A write cut short by the file size limit (as by a full disk): the start of the line it
 * wrote is taken back, so the next line does not continue it. */
static void test_partial_write_taken_back(void)
{
	struct rlimit old, lim;
	char line[200];
	struct logfile *lf = logfile_open(F, 1 << 20, 1, err, sizeof(err));
	CHECK_INT(put(lf, "first"), LOGFILE_NONE);
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 6 + 50; /* "first\n" and 50 bytes of the line: writev writes them */
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_INT(put(lf, line), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "File too large");
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	CHECK_STR(content(F), "first\n");
	fake_now += 1000;
	CHECK_INT(put(lf, "back"), LOGFILE_RECOVERED);
	CHECK_STR(content(F), "first\nback\n");
	logfile_close(lf);
}

static bool set_append_only(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags = 0;
	bool ok = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
	flags = on ? flags | FS_APPEND_FL : flags & ~FS_APPEND_FL;
	ok = ok && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The same in an append-only file (chattr +a), which refuses the cut: the fragment is
 * ended before the next line, never continued by it. */
static void test_partial_write_ended(void)
{
	struct rlimit old, lim;
	struct logfile *lf = logfile_open(F, 1 << 20, 1, err, sizeof(err));
	CHECK_INT(put(lf, "first"), LOGFILE_NONE);
	if (!set_append_only(F, true)) {
		printf("SKIPPED %s: needs root and chattr +a\n", __func__);
		logfile_close(lf);
		return;
	}
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 6 + 3;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_INT(put(lf, "torn line"), LOGFILE_FAILED);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	fake_now += 1000;
	CHECK_INT(put(lf, "back"), LOGFILE_RECOVERED);
	CHECK_INT(put(lf, "next"), LOGFILE_NONE);
	CHECK(set_append_only(F, false));
	CHECK_STR(content(F), "first\ntor\nback\nnext\n");
	logfile_close(lf);
}

/* A rotation refused after the shift (an append-only file cannot be renamed) is retried
 * every second. The shift goes only up to the first free number (first_gap), so the
 * retries move no backup further: none is overwritten. (Shifting from the oldest each
 * time lost one backup per retry.) */
static void test_refused_rotation_keeps_backups(void)
{
	char line[101];
	struct logfile *lf = logfile_open(F, 4096, 3, err, sizeof(err));
	CHECK(twrite(backup(1), "b1\n") && twrite(backup(2), "b2\n"));
	CHECK_INT(put(lf, "first"), LOGFILE_NONE);
	if (!set_append_only(F, true)) {
		printf("SKIPPED %s: needs root and chattr +a\n", __func__);
		logfile_close(lf);
		return;
	}
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	enum logfile_notice n = LOGFILE_NONE;
	for (int i = 0; i < 100 && n == LOGFILE_NONE; i++)
		n = put(lf, line);   /* until the rotation the file needs is refused */
	CHECK_INT(n, LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "cannot rotate (rename to .1) log file");
	for (int i = 0; i < 2 * 3; i++) {   /* more retries than there are backups */
		fake_now += 1000;
		CHECK_INT(put(lf, line), LOGFILE_NONE);   /* does not fit: rotation again */
	}
	CHECK(!texists(backup(1)));   /* the first attempt shifted both once */
	CHECK_STR(content(backup(2)), "b1\n");
	CHECK_STR(content(backup(3)), "b2\n");
	CHECK(set_append_only(F, false));
	fake_now += 1000;
	CHECK_INT(put(lf, line), LOGFILE_RECOVERED);
	CHECK_CONTAINS(msg, "7 lines were not written");
	CHECK(strncmp(content(backup(1)), "first\n", 6) == 0);
	CHECK_STR(content(backup(2)), "b1\n");
	CHECK_STR(content(backup(3)), "b2\n");
	CHECK(strncmp(content(F), line, sizeof line - 1) == 0);
	logfile_close(lf);
}

/* check-config's try: what run's open would say, with nothing written or left behind.
 * A directory run cannot create the file in passes the path policy alone (the check
 * check-config used to make) but not the try: read-only as root, 0500 for anyone else. */
static void test_try(void)
{
	char ro[PATH_MAX], log[PATH_MAX];
	CHECK_INT(logfile_try(F, err, sizeof(err)), 0);
	CHECK(!texists(F));
	CHECK(twrite(F, "kept\n"));
	CHECK_INT(logfile_try(F, err, sizeof(err)), 0);
	CHECK_STR(content(F), "kept\n");
	CHECK_INT(logfile_try("/etc/wg-monitor-test.log", err, sizeof(err)), -EACCES);
	CHECK_CONTAINS(err, "outside the allowed directories");
	CHECK(mkdir(tpath(ro, T, "ro"), 0500) == 0);
	bool root = geteuid() == 0;
	if (root && mount("tmpfs", ro, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		printf("SKIPPED %s: needs a tmpfs mount as root\n", __func__);
		return;
	}
	tpath(log, ro, "a.log");
	CHECK_INT(logfile_check_path(log, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(logfile_try(log, err, sizeof(err)), root ? -EROFS : -EACCES);
	CHECK_CONTAINS(err, root ? "Read-only file system" : "Permission denied");
	CHECK_CONTAINS(err, log);
	if (root)
		CHECK_INT(umount2(ro, MNT_DETACH), 0);
}

/* In a world-writable directory a file re-created by another user is refused. */
static void test_planted_in_world_writable(void)
{
	char ww[PATH_MAX], log[PATH_MAX];
	if (geteuid() != 0) {
		printf("SKIPPED %s: needs root to chown a file to another uid\n", __func__);
		return;
	}
	CHECK_INT(mkdir(tpath(ww, T, "ww"), 0755), 0);
	CHECK_INT(chmod(ww, 01777), 0);
	struct logfile *lf = logfile_open(tpath(log, ww, "a.log"), 4096, 1, err, sizeof(err));
	CHECK_INT(put(lf, "ours"), LOGFILE_NONE);
	CHECK_INT(unlink(log), 0);
	CHECK(twrite(log, "") && chown(log, 65534, 65534) == 0);
	CHECK_INT(put(lf, "x"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "owned by uid 65534");
	CHECK_STR(content(log), "");
	logfile_close(lf);
}

/* Issue 19 item 1: the log's directory swapped, after open, for a symlink to another
 * directory. Rotation, a file deleted under the daemon and SIGHUP's reopen keep to the
 * directory walked at open; nothing is created or renamed in the other one. */
static void test_directory_swapped(void)
{
	char dir[PATH_MAX], moved[PATH_MAX], other[PATH_MAX], log[PATH_MAX], q[PATH_MAX];
	char line[128];
	CHECK_INT(mkdir(tpath(dir, T, "logs"), 0755), 0);
	CHECK_INT(mkdir(tpath(other, T, "other"), 0755), 0);
	struct logfile *lf = logfile_open(tpath(log, dir, "a.log"), 4096, 2, err, sizeof(err));
	CHECK(lf != NULL);
	CHECK_INT(put(lf, "before"), LOGFILE_NONE);
	CHECK_INT(rename(dir, tpath(moved, T, "moved")), 0);
	CHECK_INT(symlink(other, dir), 0);
	CHECK_INT(put(lf, "after the swap"), LOGFILE_NONE);
	for (int i = 0; i < 400; i++) /* about four rotations */
		CHECK_INT(logfile_write(lf, line, make_line(line, sizeof(line), i), msg, sizeof(msg)),
		          LOGFILE_NONE);
	CHECK_INT(unlink(tpath(q, moved, "a.log")), 0); /* deleted: re-created, but where? */
	CHECK_INT(put(lf, "re-created"), LOGFILE_NONE);
	logfile_reopen(lf);                             /* SIGHUP */
	CHECK_INT(put(lf, "reopened"), LOGFILE_NONE);
	logfile_close(lf);
	CHECK_INT(tcount(other), 0);
	CHECK_INT(tcount(moved), 3);                    /* a.log, a.log.1, a.log.2 */
	CHECK_STR(content(tpath(q, moved, "a.log")), "re-created\nreopened\n");
	CHECK(tsize(tpath(q, moved, "a.log.2")) > 0);
}

/* The directory removed and made again (not renamed): walked afresh, not lost until a
 * restart; a directory that does not come back is a failure, reported once. */
static void test_directory_removed(void)
{
	char dir[PATH_MAX], log[PATH_MAX];
	CHECK_INT(mkdir(tpath(dir, T, "logs"), 0755), 0);
	struct logfile *lf = logfile_open(tpath(log, dir, "a.log"), 4096, 1, err, sizeof(err));
	CHECK_INT(put(lf, "one"), LOGFILE_NONE);
	CHECK_INT(unlink(log), 0);
	CHECK_INT(rmdir(dir), 0);
	CHECK_INT(put(lf, "lost"), LOGFILE_FAILED);
	CHECK_CONTAINS(msg, "logs\": No such file or directory (the directory must exist)");
	CHECK_INT(mkdir(dir, 0755), 0);
	fake_now += 1000;
	CHECK_INT(put(lf, "two"), LOGFILE_RECOVERED);
	CHECK_STR(content(log), "two\n");
	CHECK_INT(unlink(log), 0);
	CHECK_INT(rmdir(dir), 0);
	CHECK_INT(mkdir(dir, 0755), 0);
	logfile_reopen(lf);                         /* SIGHUP finds the new one too */
	CHECK_INT(put(lf, "three"), LOGFILE_NONE);
	CHECK_STR(content(log), "three\n");
	logfile_close(lf);
}

/* Each test starts from an empty directory. */
static void fresh(void)
{
	if (first_free_fd < 0)
		first_free_fd = lowest_free_fd();
	if (T[0])
		tdir_remove(T);
	if (!tdir_make(T, "/tmp")) {
		fprintf(stderr, "cannot create a test directory under /tmp\n");
		exit(1);
	}
	tpath(F, T, "test.log");
	logfile_clock = fake_clock;
	umask(022);
}

#define T_(fn) fresh, fn
static void teardown(void)
{
	CHECK_INT(lowest_free_fd(), first_free_fd); /* every test closed what it opened */
	tdir_remove(T);
	CHECK(!texists(T));
}

TEST_MAIN(T_(test_basic), T_(test_open_refused), T_(test_rotation), T_(test_no_backups),
          T_(test_oversize_line), T_(test_deleted_and_renamed), T_(test_sighup_reopen),
          T_(test_failed_then_recovered), T_(test_permission), T_(test_disk_full), T_(test_partial_write_taken_back),
          T_(test_partial_write_ended), T_(test_refused_rotation_keeps_backups), T_(test_try),
          T_(test_planted_in_world_writable), T_(test_directory_swapped),
          T_(test_directory_removed), teardown)
