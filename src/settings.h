/* SPDX-License-Identifier: MIT */
/* Settings: built-in default < environment < command-line flag, every value validated. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kinds.h"
#include "wg.h"

#define SETTINGS_MAX_INTERFACES 64

/* METRICS_COMPAT: which exporters' families /metrics serves besides its own. */
enum metrics_compat { MC_BOTH = 0, MC_MDLAYHER, MC_MINDFLAVOR, MC_NONE };
extern const char *const metrics_compat_names[];   /* in sink_metrics.c */

enum command { CMD_RUN = 0, CMD_STATUS, CMD_CHECK_CONFIG, CMD_HELP, CMD_VERSION };
enum origin { ORIGIN_DEFAULT = 0, ORIGIN_ENV, ORIGIN_FLAG };

/* One index per row of settings_table.h, in its order (check-config's, --help's). */
enum setting_id {
#define SETTING(id, ...) SET_##id,
#include "settings_table.h"
#undef SETTING
	SET__COUNT
};

struct settings {
	enum command command;
	bool status_json;                /* status --json */
	char log_path[PATH_MAX];         /* "" = stderr only */
	unsigned interval;               /* seconds 1..86400 */
	unsigned poll_timeout;           /* seconds 1..interval: one whole poll */
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
	char peer_names[PATH_MAX];       /* the names file; "" = none */
	char wg_config_dir[PATH_MAX];    /* configs read for names; "" = none */
	char metrics_listen[256];        /* "" = off; bound by the metrics sink */
	enum metrics_compat metrics_compat;
	char metrics_token_file[PATH_MAX]; /* "" = no token */
	char on_change[PATH_MAX];        /* the hook; "" = none */
	char on_change_events[256];      /* peer event words, comma-separated */
	enum hook_stdin on_change_stdin;
	unsigned on_change_timeout;      /* seconds 1..3600 */
	unsigned on_change_max;          /* 1..8 */
	unsigned on_change_grace;        /* seconds 0..86400 */
	enum origin origin[SET__COUNT];
};

/* Fills s from defaults, then envp (NULL-terminated "NAME=value" list), then argv.
 * Returns 0, or -EINVAL with one line in err naming the flag or variable, the
 * sanitized value and what is allowed (the caller prints it and exits 2). */
int settings_load(struct settings *s, int argc, char *const argv[], char *const envp[],
                  char *err, size_t errlen);

/* The name setting id was given by: its flag when it came from one, else its variable. */
const char *settings_name(const struct settings *s, enum setting_id id);
/* The word of a command given on the command line; NULL for CMD_HELP and CMD_VERSION. */
const char *settings_command_name(enum command c);

/* check-config: every effective setting, one per line, with its origin. */
void settings_print(const struct settings *s, FILE *out);
/* --help; list_commands prints the Commands section with settings_usage_item(). */
void settings_usage(FILE *out, void (*list_commands)(FILE *out));
/* One --help entry: "  left" padded to the help column, then text ('\n': next line). */
void settings_usage_item(FILE *out, const char *left, const char *text);

#endif
