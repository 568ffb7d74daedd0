// SPDX-License-Identifier: MIT
/* wg-monitor: argv and environment -> settings -> a command from the table below. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "log.h"
#include "logfile.h"
#include "safepath.h"
#include "settings.h"
#include "settings_apply.h"
#include "sink_metrics.h"
#include "statefile.h"
#include "status.h"
#include "util.h"

extern char **environ;

#define EXIT_SETTINGS 2

static void log_path_error(const struct settings *s, const char *err)
{
	text_complain("invalid %s: %s", settings_name(s, SET_LOG_PATH), err);
}

/* Opens the state file, its path policy included; sf->dirfd stays -1 for none. */
static int open_state_file(const struct settings *s, struct statefile *sf)
{
	char err[600];
	sf->dirfd = sf->lockfd = -1;
	if (!s->state_file[0])
		return 0;
	if (statefile_open(sf, s->state_file, err, sizeof(err)) < 0) {
		text_complain("invalid %s: %s", settings_name(s, SET_STATE_FILE), err);
		return -1;
	}
	return 0;
}

static int check_paths(const struct settings *s)
{
	char err[SAFEPATH_WHY_SIZE + 64];
	struct statefile sf;
	/* In run's order (cmd_run, then daemon_run): of two bad settings, the same one is
	 * named. */
	if (open_state_file(s, &sf) < 0)
		return -1;
	statefile_close(&sf);
	if (s->log_path[0] && logfile_try(s->log_path, err, sizeof(err)) < 0) {
		log_path_error(s, err);
		return -1;
	}
	/* as daemon_run: the listener and its token only when there is one to open */
	if (s->metrics_listen[0] &&
	    metrics_check(s, NULL, NULL, NULL, NULL, err, sizeof(err)) < 0) {
		text_complain("%s", err);
		return -1;
	}
	struct hooks_config hc;
	if (settings_hooks_config(s, &hc, err, sizeof(err)) < 0) {
		text_complain("%s", err);
		return -1;
	}
	return 0;
}

static int cmd_run(const struct settings *s)
{
	struct logfile *lf = NULL;
	struct statefile sf;
	char err[600];
	if (open_state_file(s, &sf) < 0)
		return EXIT_SETTINGS;
	if (sf.dirfd >= 0 && statefile_lock(&sf, err, sizeof(err)) < 0) {
		text_complain("%s", err);
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

static int cmd_check_config(const struct settings *s)
{
	settings_print(s, stdout);
	return check_paths(s) < 0 ? EXIT_SETTINGS : 0;
}

static int cmd_version(const struct settings *s)
{
	(void)s;
	printf("wg-monitor %s\n", WG_MONITOR_VERSION);
	return 0;
}

static int cmd_help(const struct settings *s);

/* What each command runs, and what --help says of it. settings_load() parses the word
 * (settings_command_name) and picks the row; --help and --version are options, listed
 * under "Other options". wireguard-tools' wg.c keeps its subcommands the same way. */
static const struct command_row {
	const char *args;                     /* after the word in --help; NULL: not listed */
	int (*fn)(const struct settings *s);  /* returns the exit status */
	const char *help;                     /* '\n' starts another indented line */
} commands[] = {
	[CMD_RUN] = { "", cmd_run, "run the monitor in the foreground (the default)" },
	[CMD_STATUS] = { " [--json]", status_run,
		"poll once, print every peer as a table (or JSON)" },
	[CMD_CHECK_CONFIG] = { "", cmd_check_config,
		"validate the environment and options exactly as\nrun would, print the effective "
		"settings" },
	[CMD_HELP] = { NULL, cmd_help, NULL },
	[CMD_VERSION] = { NULL, cmd_version, NULL },
};

static void list_commands(FILE *out)
{
	char left[64];
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!commands[i].args)
			continue;
		snprintf(left, sizeof(left), "%s%s", settings_command_name((enum command)i),
		         commands[i].args);
		settings_usage_item(out, left, commands[i].help);
	}
}

static int cmd_help(const struct settings *s)
{
	(void)s;
	settings_usage(stdout, list_commands);
	return 0;
}

int main(int argc, char *argv[])
{
	static struct settings s;
	char err[512];
	if (settings_load(&s, argc, argv, environ, err, sizeof(err)) < 0) {
		text_complain("%s", err);
		return EXIT_SETTINGS;
	}
	return commands[s.command].fn(&s);
}
