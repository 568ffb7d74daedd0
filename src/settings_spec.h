/* SPDX-License-Identifier: MIT */
/* Internal to the settings files: what a row of settings_table.h holds, and the one
 * parse and format function per kind of value, so that parsing, check-config and --help
 * cannot drift apart. */
#ifndef SETTINGS_SPEC_H
#define SETTINGS_SPEC_H

#include "settings.h"

enum setting_kind { SK_PATH, SK_NUMBER, SK_BYTES, SK_BOOL, SK_WORD, SK_IFLIST, SK_EVENTS,
	SK_LISTEN, SK__COUNT };

/* A row's field in struct settings: where it is and how big. */
#define FIELD(f) .offset = offsetof(struct settings, f), \
	.size = sizeof(((struct settings *)0)->f)

struct setting_spec {
	const char *var;            /* environment variable */
	const char *flag;           /* long option, with the leading "--" */
	const char *metavar;        /* --help placeholder; NULL: value only as --flag=VALUE */
	enum setting_kind kind;
	size_t offset, size;        /* the field (FIELD) */
	size_t count_offset;        /* SK_IFLIST: its size_t count of names */
	uint64_t min, max;          /* SK_NUMBER, SK_BYTES */
	bool zero_ok;               /* 0 allowed below min (STATS_INTERVAL 0 = off) */
	bool capped;                /* SK_NUMBER: a default above setting `cap` is lowered */
	enum setting_id cap;        /* to it once every setting is read */
	const char *const *words;   /* SK_WORD: NULL-terminated, index = enum value */
	const char *dflt;           /* parsed as a value; NULL: the field's zero */
	const char *empty_note;     /* check-config, when the value is empty */
	const char *empty_word;     /* --help's default when empty; NULL: "none" */
	const char *allowed;        /* error text: what is allowed */
	const char *help;           /* --help text; '\n' starts another indented line */
};

extern const struct setting_spec setting_specs[SET__COUNT];

/* A value to parse, and where to explain why it is refused. */
struct setting_input {
	const char *name;           /* the variable or flag, as given */
	const char *v;
	size_t len;
	char *err;
	size_t errlen;
};

struct setting_kind_ops {
	/* Validates in and stores it in the row's field: 0, or -EINVAL with err written. */
	int (*parse)(struct settings *s, const struct setting_spec *sp,
	             const struct setting_input *in);
	/* The value as /etc/default/wg-monitor would spell it, sanitized. */
	void (*format)(const struct settings *s, const struct setting_spec *sp, char *buf,
	               size_t size);
	/* Lists only: empties it, as the first flag replaces the environment's list. */
	void (*clear)(struct settings *s, const struct setting_spec *sp);
	bool empty_is_value;        /* "" in the environment is a value, not unset */
};

extern const struct setting_kind_ops setting_kinds[SK__COUNT];

/* A number, bool or enum field of 1, 4 or 8 bytes, read or written as a uint64_t. */
uint64_t setting_uint(const struct settings *s, const struct setting_spec *sp);
void setting_set_uint(struct settings *s, const struct setting_spec *sp, uint64_t v);

#define SETTING_QUOTE_SIZE 68   /* 64 sanitized characters, "..." and NUL */

/* v sanitized, cut to 64 characters with "..." when longer: safe on any terminal. */
void setting_quote(char out[SETTING_QUOTE_SIZE], const char *v, size_t len);
/* "invalid NAME "value": allowed" into in->err; returns -EINVAL. */
int setting_invalid(const struct setting_input *in, const char *allowed);

/* Built-in defaults, every origin ORIGIN_DEFAULT, command CMD_RUN. */
void settings_defaults(struct settings *s);

/* Writes setting id through its kind's format function. */
void settings_format_value(const struct settings *s, enum setting_id id, char *buf,
                           size_t size);

#endif
