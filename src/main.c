// SPDX-License-Identifier: MIT
/* wg-monitor: argv and environment -> settings -> the daemon, status or check-config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* The state file's path policy; resolved gets the path to use ("" for none). */
static int check_state_file(const struct settings *s, char resolved[PATH_MAX])
{
	char err[512];
	resolved[0] = '\0';
	if (!s->state_file[0])
		return 0;
	if (statefile_check_path(s->state_file, resolved, PATH_MAX, err, sizeof(err)) < 0) {
		fprintf(stderr, "wg-monitor: invalid %s: %s\n",
		        s->origin[SET_STATE_FILE] == ORIGIN_FLAG ? "--state-file" : "STATE_FILE", err);
		return -1;
	}
	return 0;
}

static int check_paths(const struct settings *s)
{
	char resolved[PATH_MAX], err[512];
	if (s->log_path[0] &&
	    logfile_check_path(s->log_path, resolved, sizeof(resolved), err, sizeof(err)) < 0) {
		log_path_error(s, err);
		return -1;
	}
	return check_state_file(s, resolved);
}

static int run(const struct settings *s)
{
	struct logfile *lf = NULL;
	char state[PATH_MAX], err[512];
	int lock = -1;
	if (check_state_file(s, state) < 0)
		return EXIT_SETTINGS;
	if (state[0] && (lock = statefile_lock(state, err, sizeof(err))) < 0) {
		fprintf(stderr, "wg-monitor: %s\n", err);
		return EXIT_SETTINGS;
	}
	if (s->log_path[0]) {
		lf = logfile_open(s->log_path, s->log_max_bytes, s->log_backups, err, sizeof(err));
		if (!lf) {
			log_path_error(s, err);
			if (lock >= 0)
				close(lock);
			return EXIT_SETTINGS;
		}
	}
	log_setup(s->log_format, s->debug, lf);
	int rc = daemon_run(s, lf, state);
	logfile_close(lf);
	if (lock >= 0)
		close(lock);
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
