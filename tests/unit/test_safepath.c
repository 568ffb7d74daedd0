// SPDX-License-Identifier: MIT
/* The shared path walk on real directories: what it resolves to, the descriptor it
 * leaves, the policy knobs, symlink loops, and the bounds of its buffers. */
#include <errno.h>

#include "harness.h"
#include "safepath.h"
#include "tmpdir.h"

static char T[PATH_MAX]; /* private directory under /tmp, resolved */
static char err[512], base[NAME_MAX + 1], res[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
static int held = -1; /* the descriptor of the latest walk */

static const struct safepath_policy private_dir = { false, "test file", "; hint", false };
static const struct safepath_policy shared_dir = { true, "test file", "", false };

static int walk(const char *path, const struct safepath_policy *pol)
{
	if (held >= 0)
		close(held);
	err[0] = base[0] = res[0] = '\0';
	return safepath_open_dir(path, pol, &held, base, sizeof(base), res, err, sizeof(err));
}

static void test_resolves(void)
{
	char want[PATH_MAX];
	mkdir(tpath(p, T, "a"), 0755);
	mkdir(tpath(p, T, "b"), 0755);
	CHECK_INT(walk(tpath(p, T, "a/../b/./x.log"), &private_dir), 0);
	CHECK_STR(res, tpath(want, T, "b"));
	CHECK_STR(base, "x.log");
	CHECK_INT(walk("/../tmp/x", &shared_dir), 0);  /* ".." at "/" stays there */
	CHECK_STR(res, "/tmp");
	CHECK_INT(walk("/x", &private_dir), 0);
	CHECK_STR(res, "/");
	CHECK_INT(symlink("a", tpath(p, T, "rel")), 0);
	CHECK_INT(walk(tpath(p, T, "rel/x"), &private_dir), 0);
	CHECK_STR(res, tpath(want, T, "a"));
	CHECK_INT(symlink(tpath(q, T, "b"), tpath(p, T, "abs")), 0);
	CHECK_INT(walk(tpath(p, T, "abs/../a/x"), &private_dir), 0); /* ".." of the target */
	CHECK_STR(res, tpath(want, T, "a"));
	char old[PATH_MAX];
	CHECK(getcwd(old, sizeof old) != NULL);
	CHECK_INT(chdir(tpath(p, T, "a")), 0);
	CHECK_INT(walk("../b/y", &private_dir), 0);   /* relative: from the working directory */
	CHECK_STR(res, tpath(want, T, "b"));
	CHECK_INT(walk("y", &private_dir), 0);
	CHECK_STR(res, tpath(want, T, "a"));
	CHECK_INT(chdir(old), 0);
}

/* The descriptor is the directory walked, whatever later happens to its path. */
static void test_descriptor(void)
{
	struct stat st;
	mkdir(tpath(p, T, "held"), 0755);
	CHECK_INT(walk(tpath(q, p, "f"), &private_dir), 0);
	CHECK_INT(rename(p, tpath(q, T, "moved")), 0);
	mkdir(p, 0755);
	int fd = openat(held, base, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(texists(tpath(q, T, "moved/f")));
	CHECK(!texists(tpath(q, T, "held/f")));
	CHECK(fstat(held, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(fcntl(held, F_GETFD) & FD_CLOEXEC);
}

static void test_refusals(void)
{
	CHECK_INT(walk(tpath(p, T, "nodir/x"), &private_dir), -ENOENT);
	CHECK_CONTAINS(err, "nodir\": No such file or directory (the directory must exist)");
	CHECK_INT(held, -1);
	twrite(tpath(q, T, "plain"), "");
	CHECK_INT(walk(tpath(p, T, "plain/x"), &private_dir), -ENOTDIR);
	CHECK_CONTAINS(err, "plain\" is not a directory");
	CHECK_INT(walk("", &private_dir), -EINVAL);
	CHECK_STR(err, "the path is empty");
	CHECK_INT(walk(tpath(p, T, "a\x1b/x"), &private_dir), -EINVAL);
	CHECK_CONTAINS(err, "a\x1b/x\" contains control characters"); /* raw until printed */
	CHECK_INT(walk(tpath(p, T, ".."), &private_dir), -EISDIR);
	CHECK_INT(symlink("loop2", tpath(p, T, "loop1")), 0);
	CHECK_INT(symlink("loop1", tpath(p, T, "loop2")), 0);
	CHECK_INT(walk(tpath(p, T, "loop1/x"), &private_dir), -ELOOP);
	CHECK_CONTAINS(err, "cannot follow");
}

/* The knobs: the file's own directory private or shared; on the way, sticky or not. */
static void test_policy(void)
{
	char d[PATH_MAX];
	mkdir(tpath(d, T, "ww"), 0755);
	chmod(d, 01777);
	CHECK_INT(walk(tpath(p, d, "x"), &private_dir), -EPERM);
	CHECK_CONTAINS(err, "ww\" is writable by others (anyone could plant or swap the test "
	               "file); hint");
	CHECK_INT(walk(tpath(p, d, "x"), &shared_dir), 0);
	mkdir(tpath(p, d, "sub"), 0700);
	CHECK_INT(walk(tpath(q, p, "x"), &private_dir), 0); /* sticky on the way: fine */
	chmod(d, 0777);
	CHECK_INT(walk(tpath(q, p, "x"), &shared_dir), -EPERM);
	CHECK_CONTAINS(err, "ww\" is writable by others");
	CHECK_INT(walk(tpath(p, d, "./x"), &shared_dir), 0); /* "./" leaves it the last one */
	chmod(d, 0755);
}

/* Level i of the deep chain: 250 characters, the 17th 70. */
static void nested_name(char name[NAME_MAX + 1], int i)
{
	size_t n = i < 16 ? 250 : 70;
	memset(name, 'a' + i, n);
	name[n] = '\0';
}

/* A name that does not fit base, and a walked path that outgrows PATH_MAX through a
 * symlink, are refused rather than cut. */
static void test_bounds(void)
{
	char name[NAME_MAX + 1], small[4];
	int fd;
	CHECK_INT(safepath_open_dir(tpath(p, T, "abc"), &private_dir, &fd, small, sizeof small,
	                            NULL, err, sizeof err), 0);
	CHECK_STR(small, "abc");
	close(fd);
	CHECK_INT(safepath_open_dir(tpath(p, T, "abcd"), &private_dir, &fd, small, sizeof small,
	                            NULL, err, sizeof err), -ENAMETOOLONG);
	CHECK_CONTAINS(err, "file name too long");
	CHECK_INT(fd, -1);
	/* 16 nested directories of 250 characters and one of 70, reached by symlinks */
	char target[PATH_MAX] = "", longer[PATH_MAX + 600];
	int at = open(T, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 17; i++) {
		nested_name(name, i);
		mkdirat(at, name, 0755);
		int next = openat(at, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(at);
		at = next;
		snprintf(target + strlen(target), sizeof target - strlen(target), "%s%s",
		         i ? "/" : "", name);
		if (i == 15)
			CHECK_INT(symlink(target, tpath(p, T, "deep16")), 0);
	}
	close(at);
	CHECK_INT(symlink(target, tpath(p, T, "deep17")), 0); /* 4086 characters */
	CHECK_INT(walk(tpath(p, T, "deep16/dd/x"), &private_dir), -ENOENT); /* walkable */
	CHECK_CONTAINS(err, "No such file");
	/* the target and the rest: too long to join */
	nested_name(name, 0);
	snprintf(longer, sizeof longer, "%s/deep16/%s/x", T, name);
	CHECK_INT(walk(longer, &private_dir), -ENAMETOOLONG);
	CHECK_CONTAINS(err, "path too long");
	/* joined they fit, but the walked path outgrows PATH_MAX */
	CHECK_INT(walk(tpath(p, T, "deep17/x"), &private_dir), -ENAMETOOLONG);
	CHECK_CONTAINS(err, "path too long");
	/* tdir_remove cannot reach that deep: take the chain down from the inside */
	for (int i = 17; i > 0; i--) {
		at = open(T, O_PATH | O_DIRECTORY | O_CLOEXEC);
		for (int k = 0; k < i - 1; k++) {
			nested_name(name, k);
			int next = openat(at, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
			close(at);
			at = next;
		}
		nested_name(name, i - 1);
		CHECK_INT(unlinkat(at, name, AT_REMOVEDIR), 0);
		close(at);
	}
}

static void test_owners(void)
{
	char d[PATH_MAX];
	if (geteuid() != 0) {
		printf("SKIPPED %s: needs root to chown to another uid\n", __func__);
		return;
	}
	CHECK(safepath_trusted_owner(0) && safepath_trusted_owner(geteuid()));
	CHECK(!safepath_trusted_owner(65534));
	mkdir(tpath(d, T, "nobody"), 0755);
	CHECK_INT(chown(d, 65534, 65534), 0);
	CHECK_INT(walk(tpath(p, d, "x"), &shared_dir), -EPERM);
	CHECK_CONTAINS(err, "directory \"");
	CHECK_CONTAINS(err, "nobody\" is owned by uid 65534, not by root or the running user");
	CHECK_INT(symlink(T, tpath(p, T, "theirs")), 0);
	CHECK_INT(lchown(p, 65534, 65534), 0);
	CHECK_INT(walk(tpath(q, p, "x"), &shared_dir), -EPERM);
	CHECK_CONTAINS(err, "symlink \"");
	CHECK_CONTAINS(err, "theirs\" is owned by uid 65534");
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
	if (held >= 0)
		close(held);
	tdir_remove(T);
	CHECK(!texists(T));
}

TEST_MAIN(setup, test_resolves, test_descriptor, test_refusals, test_policy, test_bounds,
          test_owners, teardown)
