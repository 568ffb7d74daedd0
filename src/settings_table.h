/* SPDX-License-Identifier: MIT */
/* Internal to settings.c and settings_text.c: the one table that names, limits and
 * documents every setting, so parsing, check-config and --help cannot drift apart. */
#ifndef SETTINGS_TABLE_H
#define SETTINGS_TABLE_H

#include "settings.h"

enum setting_kind { SK_PATH, SK_NUMBER, SK_BYTES, SK_BOOL, SK_WORD, SK_IFLIST };

struct setting_spec {
	const char *var;            /* environment variable */
	const char *flag;           /* long option, with the leading "--" */
	const char *metavar;        /* --help placeholder; NULL: value only as --flag=VALUE */
	enum setting_kind kind;
	uint64_t min, max;          /* SK_NUMBER, SK_BYTES */
	bool zero_ok;               /* 0 allowed below min (STATS_INTERVAL 0 = off) */
	const char *const *words;   /* SK_WORD: NULL-terminated, index = enum value */
	const char *allowed;        /* error text: what is allowed */
	const char *help;           /* --help text; '\n' starts another indented line */
};

extern const struct setting_spec setting_specs[SET__COUNT];

/* Built-in defaults, every origin ORIGIN_DEFAULT, command CMD_RUN. */
void settings_defaults(struct settings *s);

/* Writes setting id as it would appear in /etc/default/wg-monitor (sanitized, so safe on
 * a terminal): interfaces comma-joined, "" for all; DEBUG "on"/"off". */
void settings_format_value(const struct settings *s, enum setting_id id, char *buf,
                           size_t size);

#endif
