/* SPDX-License-Identifier: MIT */
/* A state file in a private directory of its own, opened by setup() and closed and removed
 * by teardown(): the fixture of the tests that save and load state files. */
#ifndef STATEFILE_FIXTURE_H
#define STATEFILE_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "statefile.h"
#include "tmpdir.h"

static char dir[PATH_MAX], path[PATH_MAX];
static struct statefile sf;

static void setup(void)
{
	char err[512];
	if (!tdir_make(dir, "/tmp") || statefile_open(&sf, tpath(path, dir, "state"), err,
	                                              sizeof(err)) < 0) {
		fprintf(stderr, "FAIL: cannot make a state file directory: %s\n", err);
		exit(1);
	}
}

static void teardown(void)
{
	statefile_close(&sf);
	tdir_remove(dir);
}

#endif
