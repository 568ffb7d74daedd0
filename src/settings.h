/* SPDX-License-Identifier: MIT */
/* Settings: built-in default < environment < command-line flag, every value validated. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "source.h"
#include "wg.h"

#define SETTINGS_MAX_INTERFACES 64

enum command { CMD_RUN = 0, CMD_STATUS, CMD_CHECK_CONFIG, CMD_HELP, CMD_VERSION };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };
enum liveness { LIVENESS_ACTIVITY = 0, LIVENESS_HANDSHAKE };
enum origin { ORIGIN_DEFAULT = 0, ORIGIN_ENV, ORIGIN_FLAG };

/* One index per setting, for `origin[]` and check-config output. */
enum setting_id {
	SET_LOG_PATH = 0, SET_INTERVAL, SET_THRESHOLD, SET_STATS_INTERVAL, SET_DEBUG,
	SET_INTERFACES, SET_BACKEND, SET_LOG_FORMAT, SET_LOG_MAX_BYTES, SET_LOG_BACKUPS,
	SET_LIVENESS, SET_STATE_FILE, SET__COUNT
};

struct settings {
	enum command command;
	bool status_json;                /* status --json */
	char log_path[PATH_MAX];         /* "" = stderr only */
	unsigned interval;               /* seconds 1..86400 */
	unsigned threshold;              /* seconds 1..604800 */
	unsigned stats_interval;         /* 0 or 10..604800 */
	bool debug;
	char interfaces[SETTINGS_MAX_INTERFACES][WG_IFNAME_SIZE];
	size_t n_interfaces;             /* 0 = all */
	enum backend backend;
	enum log_format log_format;
	uint64_t log_max_bytes;          /* 4096..1 GiB */
	unsigned log_backups;            /* 0..100 */
	enum liveness liveness;
	char state_file[PATH_MAX];       /* "" = no state file */
	enum origin origin[SET__COUNT];
};

/* Fills s from defaults, then envp (NULL-terminated "NAME=value" list), then argv.
 * Returns 0, or -EINVAL with one line in err naming the flag or variable, the
 * sanitized value and what is allowed (the caller prints it and exits 2). */
int settings_load(struct settings *s, int argc, char *const argv[], char *const envp[],
                  char *err, size_t errlen);

/* check-config: every effective setting, one per line, with its origin. */
void settings_print(const struct settings *s, FILE *out);
void settings_usage(FILE *out);

const char *liveness_name(enum liveness l);
const char *log_format_name(enum log_format f);

#endif
