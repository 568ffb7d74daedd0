// SPDX-License-Identifier: MIT
/* METRICS_TOKEN_FILE goes through the path walk (safepath.c) like the log and state
 * files: a directory others may write, a symlink at the end or on the way that is not
 * ours, a file another user owns or may write are refused; a plain open() took them all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "http.h"
#include "settings_spec.h"
#include "sink_metrics.h"
#include "tmpdir.h"

static char dir[PATH_MAX], tok[HTTP_TOKEN_MAX + 1], err[600];
static size_t len;

static void write_token(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "s3cret\n", 7) != 7 || fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

/* Reads path; the result, and err never holds the token. */
static int read_token(const char *path)
{
	memset(err, 0, sizeof(err));
	int rc = http_read_token(path, tok, &len, err, sizeof(err));
	CHECK(!strstr(err, "s3cret"));
	return rc;
}

static void test_good_file(void)
{
	char p[PATH_MAX];
	write_token(tpath(p, dir, "token"), 0600);
	CHECK_INT(read_token(p), 0);
	CHECK_STR(tok, "s3cret");
	write_token(p, 0640);   /* its group may read it: 0640 root:wg-monitor is usual */
	CHECK_INT(read_token(p), 0);
	write_token(p, 0400);   /* systemd's copy of a credential */
	CHECK_INT(read_token(p), 0);
	CHECK_STR(tok, "s3cret");
}

/* The token is a secret: a file others may read or write is refused, naming its mode. */
static void test_others_refused(void)
{
	char p[PATH_MAX], want[PATH_MAX + 64];
	static const mode_t modes[] = { 0644, 0604, 0444, 0606, 0602 };
	write_token(tpath(p, dir, "token"), 0600);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_token(p, modes[i]);
		CHECK_INT(read_token(p), -EPERM);
		snprintf(want, sizeof(want), "%04o", (unsigned)modes[i]);
		CHECK_CONTAINS(err, want);
		snprintf(want, sizeof(want), "\"%s\"", p);
		CHECK_CONTAINS(err, want);
		CHECK(!strchr(err, '\n'));
	}
	CHECK_CONTAINS(err, "writable by group or others (mode 0602");
	write_token(p, 0644);
	CHECK_INT(read_token(p), -EPERM);
	CHECK_CONTAINS(err, "has mode 0644: others may read the secret");
	struct settings s;   /* run and check-config: exit 2 with this one line */
	settings_defaults(&s);
	snprintf(s.metrics_token_file, sizeof(s.metrics_token_file), "%s", p);
	CHECK_INT(metrics_check(&s, NULL, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "invalid METRICS_TOKEN_FILE: the token file \"");
	CHECK_CONTAINS(err, "has mode 0644");
}

static void test_unsafe_places(void)
{
	char sub[PATH_MAX], p[PATH_MAX], link[PATH_MAX];
	CHECK(mkdir(tpath(sub, dir, "open"), 0777) == 0 && chmod(sub, 0777) == 0);
	write_token(tpath(p, sub, "token"), 0600);
	CHECK_INT(read_token(p), -EPERM);   /* anyone could swap it */
	CHECK_CONTAINS(err, "cannot open the token file: \"");
	CHECK_CONTAINS(err, "is writable by others (anyone could plant or swap the token file)");
	CHECK(chmod(sub, 0700) == 0);
	CHECK_INT(read_token(p), 0);
	CHECK(symlink(p, tpath(link, dir, "link")) == 0);
	CHECK_INT(read_token(link), -ELOOP);   /* the link's target was never walked */
	CHECK_CONTAINS(err, "a symlink");
	write_token(p, 0620);
	CHECK_INT(read_token(p), -EPERM);
	CHECK_CONTAINS(err, "writable by group or others");
	CHECK(mkfifo(tpath(p, dir, "fifo"), 0600) == 0);
	CHECK_INT(read_token(p), -EINVAL);   /* and no reader blocked on a FIFO */
	CHECK_CONTAINS(err, "not a regular file");
}

/* Files and links of another user: only root can make them. */
static void test_foreign_owner(void)
{
	char sub[PATH_MAX], p[PATH_MAX], link[PATH_MAX], via[PATH_MAX];
	if (geteuid() != 0) {
		printf("SKIPPED test_foreign_owner: needs root to chown\n");
		return;
	}
	write_token(tpath(p, dir, "theirs"), 0600);
	CHECK(chown(p, 65534, 65534) == 0);
	CHECK_INT(read_token(p), -EPERM);
	CHECK_CONTAINS(err, "owned by uid 65534");
	CHECK(mkdir(tpath(sub, dir, "sub"), 0700) == 0);
	write_token(tpath(p, sub, "token"), 0600);
	CHECK(symlink(sub, tpath(link, dir, "hop")) == 0 && lchown(link, 65534, 65534) == 0);
	CHECK_INT(read_token(tpath(via, link, "token")), -EPERM);   /* a link on the way */
	CHECK_CONTAINS(err, "symlink");
	CHECK(lchown(link, 0, 0) == 0);
	CHECK_INT(read_token(via), 0);
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

/* A path of ~240 bytes in a directory others may write: the message quotes both, and its
 * reason, at the end, must survive every buffer on the way (start-up and check-config). */
static void test_long_path_reason(void)
{
	char sub[PATH_MAX], p[PATH_MAX], name[240], big[1024];
	size_t room = 240 - strlen(dir) - strlen("//token");
	memset(name, 'd', room);
	name[room] = '\0';
	CHECK(mkdir(tpath(sub, dir, name), 0777) == 0 && chmod(sub, 0777) == 0);
	write_token(tpath(p, sub, "token"), 0600);
	CHECK_INT((int)strlen(p), 240);
	static const char reason[] = "writable by others (anyone could plant or swap the token file)"
	                             "; keep it in a directory only root or this user may write";
	CHECK_INT(http_read_token(p, tok, &len, big, sizeof(big)), -EPERM);
	CHECK(ends_with(big, reason));
	struct settings s;
	settings_defaults(&s);
	snprintf(s.metrics_token_file, sizeof(s.metrics_token_file), "%s", p);
	CHECK_INT(metrics_check(&s, NULL, NULL, NULL, NULL, big, sizeof(big)), -EINVAL);
	CHECK_CONTAINS(big, "METRICS_TOKEN_FILE");
	CHECK(ends_with(big, reason));
}

static void setup(void)
{
	if (!tdir_make(dir, "/tmp"))
		abort();
}

static void teardown(void)
{
	tdir_remove(dir);
}

TEST_MAIN(setup, test_good_file, test_others_refused, test_unsafe_places, test_foreign_owner,
          test_long_path_reason, teardown)
