// SPDX-License-Identifier: MIT
/* libFuzzer harness for the settings (argv and environment): the input is NUL-separated
 * strings, the argv after "wg-monitor" up to the first empty one, the environment after
 * it. A refusal must say why (a terminated message); an accepted configuration must
 * format printably and load back from the formatted values (as /etc/default/wg-monitor
 * would hold them) to the same values. Built by `make fuzz` / `make fuzz-regress`. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STRINGS 64
#define FORMATTED_SIZE (4 * PATH_MAX + 1)   /* every byte of a path escaped */

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Splits buf (NUL-terminated by the caller) at NUL bytes into argv and envp. */
static void split(char *buf, size_t size, char *argv[], int *argc, char *envp[])
{
	size_t ne = 0;
	bool in_env = false;
	*argc = 1;
	for (size_t pos = 0; pos < size;) {
		char *s = buf + pos;
		pos += strlen(s) + 1;
		if (!in_env && *s == '\0')
			in_env = true;
		else if (!in_env && *argc < MAX_STRINGS)
			argv[(*argc)++] = s;
		else if (in_env && ne < MAX_STRINGS)
			envp[ne++] = s;
	}
	argv[*argc] = NULL;
	envp[ne] = NULL;
}

/* Every value formatted, and loaded back from "VAR=value" lines: the same values. */
static void round_trip(const struct settings *s)
{
	static char vals[SET__COUNT][FORMATTED_SIZE], lines[SET__COUNT][FORMATTED_SIZE + 64];
	static char again[FORMATTED_SIZE];
	char *envp[SET__COUNT + 1], *argv[] = { (char *)"wg-monitor", NULL }, err[512];
	bool escaped = false;
	for (int id = 0; id < SET__COUNT; id++) {
		settings_format_value(s, (enum setting_id)id, vals[id], FORMATTED_SIZE);
		if (!printable(vals[id]))
			abort();
		escaped = escaped || strchr(vals[id], '\\');
		snprintf(lines[id], sizeof lines[id], "%s=%s", setting_specs[id].var, vals[id]);
		envp[id] = lines[id];
	}
	envp[SET__COUNT] = NULL;
	if (escaped)   /* a sanitized value is for reading, not a value to load back */
		return;
	static struct settings s2;
	if (settings_load(&s2, 1, argv, envp, err, sizeof err) != 0)
		abort();
	for (int id = 0; id < SET__COUNT; id++) {
		settings_format_value(&s2, (enum setting_id)id, again, sizeof again);
		if (strcmp(again, vals[id]) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct settings s;
	char *argv[MAX_STRINGS + 1], *envp[MAX_STRINGS + 1], err[512];
	char *buf = malloc(size + 1);
	int argc;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"wg-monitor";
	split(buf, size, argv, &argc, envp);
	memset(err, 'x', sizeof err);
	int rc = settings_load(&s, argc, argv, envp, err, sizeof err);
	/* The message is raw (text_complain escapes it once): said, and terminated. */
	if (rc != 0 && (rc != -EINVAL || err[0] == '\0' || strnlen(err, sizeof err) == sizeof err))
		abort();
	if (rc == 0 && s.command != CMD_HELP && s.command != CMD_VERSION)
		round_trip(&s);
	free(buf);
	return 0;
}
