/* SPDX-License-Identifier: MIT */
/* Shared by the settings tests: argv/envp literals and a loader that keeps the error. */
#ifndef SETTINGS_FIXTURE_H
#define SETTINGS_FIXTURE_H

#include <errno.h>
#include <string.h>

#include "settings.h"
#include "text.h"
#include "util.h"

#define ARGV(...) ((char *const[]){ "wg-monitor", __VA_ARGS__, NULL })
#define ENV(...) ((char *const[]){ __VA_ARGS__, NULL })
static char *const no_args[] = { "wg-monitor", NULL };

static char err[256];

/* settings_load with argc counted; err is poisoned first so a stale line cannot pass. */
/* err as a terminal shows it: messages hold raw bytes, text_complain escapes them once. */
static inline const char *shown(void)
{
	static char buf[4 * sizeof(err)];
	sanitize(buf, sizeof(buf), err, strlen(err));
	return buf;
}

static int load(struct settings *s, char *const argv[], char *const envp[])
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(err, 'X', sizeof err);
	return settings_load(s, argc, argv, envp, err, sizeof err);
}

#endif
