// SPDX-License-Identifier: MIT
/* wg-monitor: argv and environment -> settings -> the daemon, status or check-config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "log.h"
#include "logfile.h"
#include "settings.h"
#include "statefile.h"
#include "status.h"

extern char **environ;

#define EXIT_SETTINGS 2

static void log_path_error(const struct settings *s, const char *err)
{
	fprintf(stderr, "wg-monitor: invalid %s: %s\n",
	        s->origin[SET_LOG_PATH] == ORIGIN_FLAG ? "--log-path" : "LOG_PATH", err);
}

/* Opens the state file, its path policy included; sf->dirfd stays -1 for none. */
static int open_state_file(const struct settings *s, struct statefile *sf)
{
	char err[600];
	sf->dirfd = sf->lockfd = -1;
	if (!s->state_file[0])
		return 0;
	if (statefile_open(sf, s->state_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "wg-monitor: invalid %s: %s\n",
		        s->origin[SET_STATE_FILE] == ORIGIN_FLAG ? "--state-file" : "STATE_FILE", err);
		return -1;
	}
	return 0;
}

static int check_paths(const struct settings *s)
{
	char resolved[PATH_MAX], err[512];
	struct statefile sf;
	if (s->log_path[0] &&
	    logfile_check_path(s->log_path, resolved, sizeof(resolved), err, sizeof(err)) < 0) {
		log_path_error(s, err);
		return -1;
	}
	if (open_state_file(s, &sf) < 0)
		return -1;
	statefile_close(&sf);
	return 0;
}

static int run(const struct settings *s)
{
	struct logfile *lf = NULL;
	struct statefile sf;
	char err[600];
	if (open_state_file(s, &sf) < 0)
		return EXIT_SETTINGS;
	if (sf.dirfd >= 0 && statefile_lock(&sf, err, sizeof(err)) < 0) {
		fprintf(stderr, "wg-monitor: %s\n", err);
		statefile_close(&sf);
		return EXIT_SETTINGS;
	}
	if (s->log_path[0]) {
		lf = logfile_open(s->log_path, s->log_max_bytes, s->log_backups, err, sizeof(err));
		if (!lf) {
			log_path_error(s, err);
			statefile_close(&sf);
			return EXIT_SETTINGS;
		}
	}
	log_setup(s->log_format, s->debug, lf);
	int rc = daemon_run(s, lf, sf.dirfd >= 0 ? &sf : NULL);
	logfile_close(lf);
	statefile_close(&sf);
	return rc;
}

int main(int argc, char *argv[])
{
	static struct settings s;
	char err[512];
	if (settings_load(&s, argc, argv, environ, err, sizeof(err)) < 0) {
		fprintf(stderr, "wg-monitor: %s\n", err);
		return EXIT_SETTINGS;
	}
	switch (s.command) {
	case CMD_HELP:
		settings_usage(stdout);
		return 0;
	case CMD_VERSION:
		printf("wg-monitor %s\n", WG_MONITOR_VERSION);
		return 0;
	case CMD_CHECK_CONFIG:
		settings_print(&s, stdout);
		return check_paths(&s) < 0 ? EXIT_SETTINGS : 0;
	case CMD_STATUS:
		return status_run(&s);
	case CMD_RUN:
		break;
	}
	return run(&s);
}
