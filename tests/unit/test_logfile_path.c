// SPDX-License-Identifier: MIT
/* The log path policy (SPEC §6) on real files: allowed roots on component boundaries,
 * resolved directories, symlinks, non-files, ownership in world-writable directories. */
#include <errno.h>

#include "harness.h"
#include "logfile.h"
#include "tmpdir.h"

static char T[PATH_MAX]; /* private directory under /tmp, resolved */
static char err[512], res[PATH_MAX], p[PATH_MAX], q[PATH_MAX];

static int check(const char *path)
{
	err[0] = res[0] = '\0';
	return logfile_check_path(path, res, sizeof(res), err, sizeof(err));
}

static void test_accepts(void)
{
	char want[PATH_MAX];
	CHECK_INT(check("/tmp/wgm-never-created.log"), 0);
	CHECK_STR(res, "/tmp/wgm-never-created.log");
	CHECK(!texists("/tmp/wgm-never-created.log")); /* checking creates nothing */
	CHECK_INT(check(tpath(p, T, "a.log")), 0);
	CHECK_STR(res, p);
	CHECK_INT(check(tpath(p, T, "nosuch/../a.log")), -ENOENT); /* realpath needs each part */
	mkdir(tpath(p, T, "sub"), 0755);
	CHECK_INT(check(tpath(q, T, "sub/../sub/./b.log")), 0);
	CHECK_STR(res, tpath(want, T, "sub/b.log"));
	struct stat st;
	if (stat("/var/log", &st) == 0) {
		CHECK_INT(check("/var/log/wgm-never-created.log"), 0);
		CHECK_CONTAINS(res, "/wgm-never-created.log");
		CHECK(!texists("/var/log/wgm-never-created.log"));
	}
}

static void test_outside(void)
{
	CHECK_INT(check("/etc/x.log"), -EACCES);
	CHECK_CONTAINS(err, "\"/etc/x.log\" is outside the allowed directories (/var/log, /tmp, ./logs)");
	CHECK_STR(res, "");
	CHECK(!strstr(err, "resolves")); /* nothing to add when the path says it all */
	CHECK_INT(check("/tmp/../etc/x.log"), -EACCES);
	CHECK_CONTAINS(err, "its directory resolves to \"/etc\"");
	CHECK(check("/var/logx/a") < 0);
	CHECK(check("/tmpx/a.log") < 0);
	CHECK_INT(check("/tmp"), -EACCES); /* the root itself is not a file inside it */
	CHECK_INT(check("/x.log"), -EACCES);
	CHECK_INT(check("/var/x.log"), -EACCES);
}

static void test_symlinks(void)
{
	twrite(tpath(p, T, "real.log"), "x\n");
	CHECK_INT(symlink("real.log", tpath(p, T, "link.log")), 0);
	CHECK_INT(check(p), -ELOOP);
	CHECK_CONTAINS(err, "is a symbolic link");
	CHECK_CONTAINS(err, p);
	CHECK_INT(symlink("nowhere", tpath(p, T, "dangling.log")), 0);
	CHECK_INT(check(p), -ELOOP);
	CHECK_INT(symlink("/etc", tpath(p, T, "dirlink")), 0);
	CHECK_INT(check(tpath(p, T, "dirlink/x.log")), -EACCES);
	CHECK_CONTAINS(err, "its directory resolves to \"/etc\"");
	mkdir(tpath(p, T, "in"), 0755);
	CHECK_INT(symlink(p, tpath(q, T, "inlink")), 0);
	CHECK_INT(check(tpath(p, T, "inlink/x.log")), 0);
	CHECK_STR(res, tpath(q, T, "in/x.log"));
}

static void test_not_files(void)
{
	mkdir(tpath(p, T, "adir"), 0755);
	CHECK_INT(check(p), -EISDIR);
	CHECK_CONTAINS(err, "is a directory");
	strcat(p, "/");
	CHECK_INT(check(p), -EISDIR);
	CHECK_INT(check("/tmp/"), -EISDIR);
	CHECK_INT(check("/tmp/."), -EISDIR);
	CHECK_INT(check("/tmp/.."), -EISDIR);
	CHECK_INT(check("/"), -EISDIR);
	CHECK_INT(check("."), -EISDIR);
	CHECK_INT(check(".."), -EISDIR);
	mkfifo(tpath(p, T, "fifo"), 0600);
	CHECK_INT(check(p), -EINVAL);
	CHECK_CONTAINS(err, "is not a regular file");
}

static void test_missing_dir(void)
{
	CHECK_INT(check(tpath(p, T, "nodir/x.log")), -ENOENT);
	CHECK_CONTAINS(err, "nodir\": No such file or directory (the directory must exist)");
	twrite(tpath(p, T, "plain"), "");
	CHECK_INT(check(tpath(p, T, "plain/x.log")), -ENOTDIR);
	CHECK_CONTAINS(err, "is not a directory");
}

static void test_odd(void)
{
	char big[PATH_MAX + 100], small[8];
	CHECK_INT(check(""), -EINVAL);
	CHECK_STR(err, "the path is empty");
	CHECK_INT(logfile_check_path(NULL, res, sizeof(res), err, sizeof(err)), -EINVAL);
	CHECK_INT(check(tpath(p, T, "a\nb.log")), -EINVAL);
	CHECK_CONTAINS(err, "a\nb.log"); /* raw: escaped once, where it is printed */
	CHECK_INT(check("/tmp/\x1b[31mred.log"), -EINVAL);
	CHECK_CONTAINS(err, "/tmp/\x1b[31mred.log");
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(check(big), -ENAMETOOLONG);
	CHECK_CONTAINS(err, "is too long");
	CHECK(strlen(err) < 400); /* the quoted path is bounded */
	CHECK_INT(logfile_check_path("/etc/x.log", res, sizeof(res), small, sizeof(small)), -EACCES);
	CHECK_INT(strlen(small), sizeof(small) - 1); /* truncated, terminated */
	CHECK_INT(logfile_check_path(tpath(p, T, "a.log"), small, sizeof(small), err, sizeof(err)),
	          -ENAMETOOLONG);
	CHECK_INT(logfile_check_path("/tmp/x.log", NULL, 0, NULL, 0), 0);
	CHECK_INT(logfile_check_path("/etc/x.log", NULL, 0, NULL, 0), -EACCES);
}

/* ./logs counts only from a working directory outside /tmp, so use /var/tmp for it. */
static void test_logs_dir(void)
{
	char base[PATH_MAX], old[PATH_MAX], want[PATH_MAX];
	if (!getcwd(old, sizeof(old)) || !tdir_make(base, "/var/tmp")) {
		printf("SKIPPED %s: no writable /var/tmp\n", __func__);
		return;
	}
	mkdir(tpath(p, base, "logs"), 0755);
	mkdir(tpath(p, base, "logsx"), 0755);
	CHECK_INT(chdir(base), 0);
	CHECK_INT(check("logs/x.log"), 0);
	CHECK_STR(res, tpath(want, base, "logs/x.log"));
	CHECK_INT(check("./logs/../logs/y.log"), 0);
	CHECK_INT(check("x.log"), -EACCES);              /* the cwd itself is not allowed */
	CHECK_INT(check("logs/../x.log"), -EACCES);
	CHECK_INT(check("logsx/a.log"), -EACCES);        /* component boundary */
	CHECK_CONTAINS(err, "logsx");
	/* ./logs may be a symlink: its target becomes the root. */
	mkdir(tpath(p, base, "real"), 0755);
	rmdir(tpath(p, base, "logs"));
	CHECK_INT(symlink("real", p), 0);
	CHECK_INT(check("logs/x.log"), 0);
	CHECK_STR(res, tpath(want, base, "real/x.log"));
	CHECK_INT(check("real/x.log"), 0);               /* same directory, reached directly */
	CHECK_INT(chdir(old), 0);
	CHECK_INT(check(tpath(p, base, "logs/x.log")), -EACCES); /* ./logs of the new cwd */
	tdir_remove(base);
}

static void test_world_writable(void)
{
	char ww[PATH_MAX];
	if (geteuid() != 0) {
		printf("SKIPPED %s: needs root to chown a file to another uid\n", __func__);
		return;
	}
	mkdir(tpath(ww, T, "ww"), 0755);
	chmod(ww, 01777);
	twrite(tpath(p, ww, "other.log"), "");
	CHECK_INT(chown(p, 65534, 65534), 0);
	CHECK_INT(check(p), -EPERM);
	CHECK_CONTAINS(err, "owned by uid 65534, not by the running user (uid 0)");
	CHECK_CONTAINS(err, "world-writable");
	CHECK(logfile_open(p, 4096, 1, err, sizeof(err)) == NULL && errno == EPERM);
	CHECK_INT(check(tpath(p, ww, "new.log")), 0);    /* absent: we create it */
	twrite(tpath(p, ww, "mine.log"), "");
	CHECK_INT(check(p), 0);
	CHECK_INT(link(p, tpath(q, ww, "hard.log")), 0);
	CHECK_INT(check(q), -EPERM);
	CHECK_CONTAINS(err, "has 2 hard links (a log file must have exactly one)");
	/* Only world-writable directories demand ownership. */
	mkdir(tpath(q, T, "private"), 0755);
	twrite(tpath(p, q, "other.log"), "");
	CHECK_INT(chown(p, 65534, 65534), 0);
	CHECK_INT(check(p), 0);
}

/* A second name of the file could be anywhere: refused in a private directory too. */
static void test_hard_link(void)
{
	char priv[PATH_MAX], outside_file[PATH_MAX];
	mkdir(tpath(priv, T, "hl"), 0700);
	twrite(tpath(outside_file, T, "elsewhere"), "");
	CHECK_INT(link(outside_file, tpath(p, priv, "a.log")), 0);
	CHECK_INT(check(p), -EPERM);
	CHECK_CONTAINS(err, "a.log\" has 2 hard links (a log file must have exactly one)");
	CHECK(logfile_open(p, 4096, 1, err, sizeof(err)) == NULL && errno == EPERM);
	CHECK_INT(unlink(outside_file), 0);
	CHECK_INT(check(p), 0); /* one name again */
}

/* Every directory on the way is checked as the state file's are: owned by root or us,
 * not writable by others unless sticky; the file's own directory may be shared. */
static void test_walk_owners(void)
{
	char d[PATH_MAX];
	if (geteuid() != 0) {
		printf("SKIPPED %s: needs root to chown a directory to another uid\n", __func__);
		return;
	}
	mkdir(tpath(d, T, "theirs"), 0755);
	CHECK_INT(chown(d, 65534, 65534), 0);
	CHECK_INT(check(tpath(p, d, "x.log")), -EPERM);
	CHECK_CONTAINS(err, "theirs\" is owned by uid 65534, not by root or the running user");
	CHECK_INT(symlink(tpath(q, T, "in"), tpath(d, T, "theirlink")), 0);
	CHECK_INT(lchown(d, 65534, 65534), 0);
	CHECK_INT(check(tpath(p, d, "x.log")), -EPERM);
	CHECK_CONTAINS(err, "symlink");
	mkdir(tpath(d, T, "gw"), 0755);
	chmod(d, 0775);
	mkdir(tpath(p, d, "sub"), 0755);
	CHECK_INT(check(tpath(q, p, "x.log")), -EPERM);   /* gw on the way: anyone in the group
	                                                 * could swap sub */
	CHECK_CONTAINS(err, "gw\" is writable by others (anyone could plant or swap the log file)");
	CHECK_INT(check(tpath(p, d, "x.log")), 0);        /* gw as the file's own directory */
}

static void setup(void)
{
	if (!tdir_make(T, "/tmp")) {
		fprintf(stderr, "cannot create a test directory under /tmp\n");
		exit(1);
	}
}

static void teardown(void)
{
	tdir_remove(T);
	CHECK(!texists(T));
}

TEST_MAIN(setup, test_accepts, test_outside, test_symlinks, test_not_files, test_missing_dir,
          test_odd, test_logs_dir, test_world_writable, test_hard_link, test_walk_owners,
          teardown)
