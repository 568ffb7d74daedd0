// SPDX-License-Identifier: MIT
/* Settings: built-in default < environment < command-line flag. Every value is checked by
 * its row's kind (settings_table.h); the first bad one yields -EINVAL and one line of
 * explanation. */
#include <errno.h>
#include <string.h>

#include "settings_spec.h"
#include "util.h"

const struct setting_spec setting_specs[SET__COUNT] = {
#define SETTING(id, ...) [SET_##id] = { __VA_ARGS__ },
#include "settings_table.h"
#undef SETTING
};

/* The words of enum command that are typed as a command (help and version are options). */
static const char *const command_words[] = {
	[CMD_RUN] = "run", [CMD_STATUS] = "status", [CMD_CHECK_CONFIG] = "check-config",
};

const char *settings_command_name(enum command c)
{
	return (unsigned)c < ARRAY_SIZE(command_words) ? command_words[c] : NULL;
}

const char *settings_name(const struct settings *s, enum setting_id id)
{
	return s->origin[id] == ORIGIN_FLAG ? setting_specs[id].flag : setting_specs[id].var;
}

/* Validates v for setting id and stores it. name is the variable or flag as given. */
static int apply(struct settings *s, enum setting_id id, const char *name, const char *v,
                 char *err, size_t errlen)
{
	const struct setting_spec *sp = &setting_specs[id];
	struct setting_input in = { name, v, strlen(v), err, errlen };
	return setting_kinds[sp->kind].parse(s, sp, &in);
}

/* A default capped by another setting is lowered to it; a value given is kept as given. */
static void apply_caps(struct settings *s)
{
	for (int id = 0; id < SET__COUNT; id++) {
		const struct setting_spec *sp = &setting_specs[id];
		if (!sp->capped || s->origin[id] != ORIGIN_DEFAULT)
			continue;
		uint64_t cap = setting_uint(s, &setting_specs[sp->cap]);
		if (setting_uint(s, sp) > cap)
			setting_set_uint(s, sp, cap);
	}
}

/* Every row's default, not yet capped: a cap may come from the environment or a flag. */
static void set_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->command = CMD_RUN;
	for (int id = 0; id < SET__COUNT; id++)
		if (setting_specs[id].dflt)   /* the round-trip unit test proves each one parses */
			apply(s, (enum setting_id)id, setting_specs[id].var, setting_specs[id].dflt,
			      NULL, 0);
}

void settings_defaults(struct settings *s)
{
	set_defaults(s);
	apply_caps(s);
}

/* The first "NAME=value" for var in envp, like getenv() but on the given list. */
static const char *env_lookup(char *const envp[], const char *var)
{
	size_t n = strlen(var);
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], var, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* A variable set to "" counts as unset (a bare `CHECK_INTERVAL=` line in
 * /etc/default/wg-monitor), except where empty is a value (a path: "no such file"). */
static int load_env(struct settings *s, char *const envp[], char *err, size_t errlen)
{
	for (int id = 0; id < SET__COUNT; id++) {
		const struct setting_spec *sp = &setting_specs[id];
		const char *v = env_lookup(envp, sp->var);
		if (!v || (*v == '\0' && !setting_kinds[sp->kind].empty_is_value))
			continue;
		int rc = apply(s, (enum setting_id)id, sp->var, v, err, errlen);
		if (rc < 0)
			return rc;
		s->origin[id] = ORIGIN_ENV;
	}
	return 0;
}

/* The setting whose flag is a[0..len), or -1. */
static int find_flag(const char *a, size_t len)
{
	for (int id = 0; id < SET__COUNT; id++)
		if (strlen(setting_specs[id].flag) == len && memcmp(setting_specs[id].flag, a, len) == 0)
			return id;
	return -1;
}

static bool is_arg(const char *a, const char *long_name, const char *short_name)
{
	return strcmp(a, long_name) == 0 || (short_name && strcmp(a, short_name) == 0);
}

/* True for "--interval" (not "--interval=5"): the next argument is its value. */
static bool takes_next_arg(const char *a)
{
	int id = strchr(a, '=') ? -1 : find_flag(a, strlen(a));
	return id >= 0 && setting_specs[id].metavar != NULL;
}

/* CMD_HELP or CMD_VERSION if asked for anywhere before "--", else CMD_RUN. */
static enum command find_info_option(int argc, char *const argv[])
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (is_arg(argv[i], "--help", "-h"))
			return CMD_HELP;
		if (is_arg(argv[i], "--version", "-V"))
			return CMD_VERSION;
		if (takes_next_arg(argv[i]))
			i++;
	}
	return CMD_RUN;
}

struct args {
	bool have_command, json, options_done;
};

/* Options that are not settings: --json; --help and --version given a value. */
static int plain_option(const char *a, size_t nlen, bool has_value, struct args *st,
                        char *err, size_t errlen)
{
	static const char *const names[] = { "--json", "--help", "-h", "--version", "-V" };
	char q[SETTING_QUOTE_SIZE];
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) != nlen || memcmp(names[i], a, nlen) != 0)
			continue;
		if (has_value)
			return fail_at(err, errlen, 0, -EINVAL, "%s takes no value", names[i]);
		st->json = st->json || i == 0;
		return 0;
	}
	setting_quote(q, a, strlen(a));
	return fail_at(err, errlen, 0, -EINVAL, "unknown option \"%s\" (see --help)", q);
}

/* argv[*i] starts with '-': a setting flag (value after '=' or in the next argument). */
static int parse_option(struct settings *s, int argc, char *const argv[], int *i,
                        struct args *st, char *err, size_t errlen)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
	int id = find_flag(a, nlen);
	if (id < 0)
		return plain_option(a, nlen, eq != NULL, st, err, errlen);
	const struct setting_spec *sp = &setting_specs[id];
	const char *v = eq ? eq + 1 : NULL;
	if (!v && sp->metavar) {
		if (*i + 1 >= argc)
			return fail_at(err, errlen, 0, -EINVAL, "%s requires a value", sp->flag);
		v = argv[++*i];
	}
	if (setting_kinds[sp->kind].clear && s->origin[id] != ORIGIN_FLAG)
		setting_kinds[sp->kind].clear(s, sp);   /* flags replace the environment's list */
	int rc = apply(s, (enum setting_id)id, sp->flag, v ? v : "1", err, errlen);
	if (rc == 0)
		s->origin[id] = ORIGIN_FLAG;
	return rc;
}

/* The first positional argument is the command; there is no second one. */
static int parse_command(struct settings *s, const char *a, struct args *st, char *err,
                         size_t errlen)
{
	char q[SETTING_QUOTE_SIZE];
	setting_quote(q, a, strlen(a));
	if (st->have_command)
		return fail_at(err, errlen, 0, -EINVAL, "unexpected argument \"%s\" after the command",
		               q);
	for (size_t i = 0; i < ARRAY_SIZE(command_words); i++) {
		if (strcmp(a, command_words[i]) == 0) {
			s->command = (enum command)i;
			st->have_command = true;
			return 0;
		}
	}
	return fail_at(err, errlen, 0, -EINVAL, "unknown command \"%s\" (expected run, status or "
	               "check-config; see --help)", q);
}

/* Options may come before or after the command; "--" ends the options. */
static int load_args(struct settings *s, int argc, char *const argv[], char *err,
                     size_t errlen)
{
	struct args st = { false, false, false };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc;
		if (!st.options_done && strcmp(a, "--") == 0) {
			st.options_done = true;
			continue;
		}
		if (!st.options_done && a[0] == '-' && a[1] != '\0')
			rc = parse_option(s, argc, argv, &i, &st, err, errlen);
		else
			rc = parse_command(s, a, &st, err, errlen);
		if (rc < 0)
			return rc;
	}
	if (st.json && s->command != CMD_STATUS)
		return fail_at(err, errlen, 0, -EINVAL,
		               "--json is only valid with the status command");
	s->status_json = st.json;
	return 0;
}

int settings_load(struct settings *s, int argc, char *const argv[], char *const envp[],
                  char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	set_defaults(s);
	/* --help and --version win over everything, so a broken configuration never hides
	 * the help that would explain it. */
	enum command info = find_info_option(argc, argv);
	if (info != CMD_RUN) {
		s->command = info;
		return 0;
	}
	int rc = load_env(s, envp, err, errlen);
	if (rc == 0)
		rc = load_args(s, argc, argv, err, errlen);
	if (rc == 0)
		apply_caps(s);
	return rc;
}
