// SPDX-License-Identifier: MIT
/* Settings: built-in default < environment < command-line flag. Every value is checked
 * against the table below; the first bad one yields -EINVAL and one line of explanation. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "settings_table.h"
#include "util.h"

#define QUOTE_MAX 64   /* a bad value is shown sanitized, at most this many characters */

static const char *const backend_words[] = { "auto", "netlink", "uapi", "wg", NULL };
static const char *const log_format_words[] = { "text", "json", NULL };
static const char *const liveness_words[] = { "activity", "handshake", NULL };
static const char *const true_words[] = { "1", "true", "yes", "on", NULL };
static const char *const false_words[] = { "0", "false", "no", "off", NULL };

const struct setting_spec setting_specs[SET__COUNT] = {
	[SET_LOG_PATH] = { "LOG_PATH", "--log-path", "PATH", SK_PATH, 0, PATH_MAX - 1, false,
		NULL, "expected a path of at most 4095 bytes without control characters, "
		"or empty for no log file",
		"log file, inside /var/log, /tmp or ./logs;\nempty: no file (stderr only)" },
	[SET_INTERVAL] = { "CHECK_INTERVAL", "--interval", "SECONDS", SK_NUMBER, 1, 86400,
		false, NULL, "expected whole seconds 1-86400", "seconds between polls, 1-86400" },
	[SET_THRESHOLD] = { "OFFLINE_THRESHOLD", "--threshold", "SECONDS", SK_NUMBER, 1, 604800,
		false, NULL, "expected whole seconds 1-604800",
		"a peer not heard from for longer is offline,\n1-604800 seconds" },
	[SET_STATS_INTERVAL] = { "STATS_INTERVAL", "--stats-interval", "SECONDS", SK_NUMBER,
		10, 604800, true, NULL, "expected whole seconds, 0 (off) or 10-604800",
		"seconds between stats lines, 0 (off) or\n10-604800" },
	[SET_DEBUG] = { "DEBUG", "--debug", NULL, SK_BOOL, 0, 0, false, NULL,
		"expected 1, true, yes, on, 0, false, no or off (any case)",
		"log per-poll details; --debug=BOOL sets it\nexplicitly: 1 true yes on / "
		"0 false no off" },
	[SET_INTERFACES] = { "INTERFACES", "--interface", "IF", SK_IFLIST, 0, 0, false, NULL,
		"expected interface names of 1-15 characters from A-Z a-z 0-9 _ = + . -",
		"watch only IF; repeatable; replaces INTERFACES\n(a list separated by spaces "
		"or commas)" },
	[SET_BACKEND] = { "BACKEND", "--backend", "NAME", SK_WORD, 0, 0, false, backend_words,
		"expected auto, netlink, uapi or wg",
		"auto, netlink (kernel), uapi (userspace\nsocket) or wg (runs `wg show`)" },
	[SET_LOG_FORMAT] = { "LOG_FORMAT", "--log-format", "FORMAT", SK_WORD, 0, 0, false,
		log_format_words, "expected text or json", "text or json (one object a line)" },
	[SET_LOG_MAX_BYTES] = { "LOG_MAX_BYTES", "--log-max-bytes", "BYTES", SK_BYTES, 4096,
		1073741824, false, NULL,
		"expected bytes 4096-1073741824, optionally with suffix K, M or G (KiB, MiB, GiB)",
		"rotate before the file grows past BYTES,\n4096-1073741824; suffix K, M, G "
		"= KiB, MiB, GiB" },
	[SET_LOG_BACKUPS] = { "LOG_BACKUPS", "--log-backups", "N", SK_NUMBER, 0, 100, false,
		NULL, "expected a count 0-100",
		"rotated files to keep, 0-100 (0: truncate)" },
	[SET_LIVENESS] = { "LIVENESS", "--liveness", "RULE", SK_WORD, 0, 0, false,
		liveness_words, "expected activity or handshake",
		"activity or handshake (see Liveness below)" },
	[SET_STATE_FILE] = { "STATE_FILE", "--state-file", "PATH", SK_PATH, 0, PATH_MAX - 1,
		false, NULL, "expected a path of at most 4095 bytes without control characters, "
		"or empty for none",
		"keep peer states across restarts here, in a\nprivate directory such as "
		"/var/lib/wg-monitor;\nempty: none. status reads it too (unset:\n"
		"/var/lib/wg-monitor/state if present)" },
};

const char *liveness_name(enum liveness l)
{
	return (unsigned)l < ARRAY_SIZE(liveness_words) - 1 ? liveness_words[l] : "?";
}

const char *log_format_name(enum log_format f)
{
	return (unsigned)f < ARRAY_SIZE(log_format_words) - 1 ? log_format_words[f] : "?";
}

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->command = CMD_RUN;
	strcpy(s->log_path, "/var/log/wg_monitor.log");
	s->interval = 30;
	s->threshold = 180;
	s->stats_interval = 3600;
	s->backend = BACKEND_AUTO;
	s->log_format = LOG_FORMAT_TEXT;
	s->log_max_bytes = 10485760;
	s->log_backups = 5;
	s->liveness = LIVENESS_ACTIVITY;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Sanitized, cut to QUOTE_MAX characters with "..." when longer: safe on any terminal. */
static void quote(char out[QUOTE_MAX + 4], const char *v, size_t len)
{
	size_t full = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		full += (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;
	}
	size_t n = sanitize(out, QUOTE_MAX + 1, v, len);
	if (n < full)
		strcpy(out + n, "...");
}

static int invalid(const char *name, const char *v, size_t len, const char *allowed,
                   char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4];
	quote(q, v, len);
	return fail(err, errlen, "invalid %s \"%s\": %s", name, q, allowed);
}

/* Index of v in a NULL-terminated word list, any case; -1 if absent. */
static int word_index(const char *const *words, const char *v, size_t len)
{
	for (int i = 0; words[i]; i++)
		if (strlen(words[i]) == len && strncasecmp(words[i], v, len) == 0)
			return i;
	return -1;
}

/* Decimal bytes, or a K, M or G suffix (either case) for KiB, MiB, GiB. */
static bool parse_bytes(const char *v, size_t len, uint64_t *out)
{
	static const char suffixes[] = "KkMmGg";
	uint64_t mult = 1;
	const char *p = len > 0 && v[len - 1] ? strchr(suffixes, v[len - 1]) : NULL;
	if (p) {
		mult = (uint64_t)1 << (10 * (1 + (p - suffixes) / 2));
		len--;
	}
	if (!parse_u64(v, len, UINT64_MAX / mult, out))
		return false;
	*out *= mult;
	return true;
}

static void store_number(struct settings *s, enum setting_id id, uint64_t n)
{
	switch (id) {
	case SET_INTERVAL: s->interval = (unsigned)n; break;
	case SET_THRESHOLD: s->threshold = (unsigned)n; break;
	case SET_STATS_INTERVAL: s->stats_interval = (unsigned)n; break;
	case SET_LOG_MAX_BYTES: s->log_max_bytes = n; break;
	case SET_LOG_BACKUPS: s->log_backups = (unsigned)n; break;
	case SET_DEBUG: s->debug = n != 0; break;
	case SET_BACKEND: s->backend = (enum backend)n; break;
	case SET_LOG_FORMAT: s->log_format = (enum log_format)n; break;
	case SET_LIVENESS: s->liveness = (enum liveness)n; break;
	default: break;
	}
}

static bool number_ok(const struct setting_spec *sp, const char *v, size_t len, uint64_t *n)
{
	bool ok = sp->kind == SK_BYTES ? parse_bytes(v, len, n) : parse_u64(v, len, sp->max, n);
	return ok && *n <= sp->max && (*n >= sp->min || (sp->zero_ok && *n == 0));
}

/* SK_BOOL: 1 or 0 (empty counts as off, as SPEC §3 allows); SK_WORD: the enum value. */
static bool word_ok(const struct setting_spec *sp, const char *v, size_t len, uint64_t *n)
{
	int i;
	if (sp->kind == SK_WORD)
		i = word_index(sp->words, v, len);
	else if (len == 0 || word_index(false_words, v, len) >= 0)
		i = 0;
	else
		i = word_index(true_words, v, len) >= 0 ? 1 : -1;
	*n = i < 0 ? 0 : (uint64_t)i;
	return i >= 0;
}

static bool path_ok(const char *v, size_t len)
{
	if (len >= PATH_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

/* Adds one interface name unless already listed; interfaces[] keeps the first order. */
static int add_interface(struct settings *s, const char *name, const char *v, size_t len,
                         char *err, size_t errlen)
{
	const struct setting_spec *sp = &setting_specs[SET_INTERFACES];
	if (!wg_ifname_valid(v, len))
		return invalid(name, v, len, sp->allowed, err, errlen);
	for (size_t i = 0; i < s->n_interfaces; i++)
		if (strlen(s->interfaces[i]) == len && memcmp(s->interfaces[i], v, len) == 0)
			return 0;
	if (s->n_interfaces == SETTINGS_MAX_INTERFACES) {
		char q[QUOTE_MAX + 4];
		quote(q, v, len);
		return fail(err, errlen, "too many interfaces in %s (\"%s\" would be number %d): "
		            "at most %d", name, q, SETTINGS_MAX_INTERFACES + 1,
		            SETTINGS_MAX_INTERFACES);
	}
	memcpy(s->interfaces[s->n_interfaces], v, len);
	s->interfaces[s->n_interfaces++][len] = '\0';
	return 0;
}

/* Names separated by spaces, tabs and/or commas; appended to the current list. */
static int add_interface_list(struct settings *s, const char *name, const char *v,
                              size_t len, char *err, size_t errlen)
{
	static const char sep[] = " \t,";
	size_t i = 0;
	while (i < len) {
		if (memchr(sep, v[i], sizeof sep - 1)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < len && !memchr(sep, v[j], sizeof sep - 1))
			j++;
		int rc = add_interface(s, name, v + i, j - i, err, errlen);
		if (rc < 0)
			return rc;
		i = j;
	}
	return 0;
}

/* Validates v for setting id and stores it. name is the variable or flag as given. */
static int apply(struct settings *s, enum setting_id id, const char *name, const char *v,
                 char *err, size_t errlen)
{
	const struct setting_spec *sp = &setting_specs[id];
	size_t len = strlen(v);
	uint64_t n = 0;
	switch (sp->kind) {
	case SK_PATH:
		if (!path_ok(v, len))
			return invalid(name, v, len, sp->allowed, err, errlen);
		memcpy(id == SET_LOG_PATH ? s->log_path : s->state_file, v, len + 1);
		return 0;
	case SK_IFLIST:
		if (len == 0)
			return invalid(name, v, len, sp->allowed, err, errlen);
		return add_interface_list(s, name, v, len, err, errlen);
	case SK_NUMBER:
	case SK_BYTES:
		if (!number_ok(sp, v, len, &n))
			return invalid(name, v, len, sp->allowed, err, errlen);
		break;
	case SK_BOOL:
	case SK_WORD:
		if (!word_ok(sp, v, len, &n))
			return invalid(name, v, len, sp->allowed, err, errlen);
		break;
	}
	store_number(s, id, n);
	return 0;
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
 * /etc/default/wg-monitor), except the paths, where empty means "no such file". */
static int load_env(struct settings *s, char *const envp[], char *err, size_t errlen)
{
	for (int id = 0; id < SET__COUNT; id++) {
		const char *v = env_lookup(envp, setting_specs[id].var);
		if (!v || (*v == '\0' && setting_specs[id].kind != SK_PATH))
			continue;
		int rc = apply(s, (enum setting_id)id, setting_specs[id].var, v, err, errlen);
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
	char q[QUOTE_MAX + 4];
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) != nlen || memcmp(names[i], a, nlen) != 0)
			continue;
		if (has_value)
			return fail(err, errlen, "%s takes no value", names[i]);
		st->json = st->json || i == 0;
		return 0;
	}
	quote(q, a, strlen(a));
	return fail(err, errlen, "unknown option \"%s\" (see --help)", q);
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
			return fail(err, errlen, "%s requires a value", sp->flag);
		v = argv[++*i];
	}
	if (id == SET_INTERFACES && s->origin[id] != ORIGIN_FLAG)
		s->n_interfaces = 0;   /* flags replace the environment's list */
	int rc = apply(s, (enum setting_id)id, sp->flag, v ? v : "1", err, errlen);
	if (rc == 0)
		s->origin[id] = ORIGIN_FLAG;
	return rc;
}

/* The first positional argument is the command; there is no second one. */
static int parse_command(struct settings *s, const char *a, struct args *st, char *err,
                         size_t errlen)
{
	static const struct { const char *word; enum command cmd; } cmds[] = {
		{ "run", CMD_RUN }, { "status", CMD_STATUS }, { "check-config", CMD_CHECK_CONFIG },
	};
	char q[QUOTE_MAX + 4];
	quote(q, a, strlen(a));
	if (st->have_command)
		return fail(err, errlen, "unexpected argument \"%s\" after the command", q);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(a, cmds[i].word) == 0) {
			s->command = cmds[i].cmd;
			st->have_command = true;
			return 0;
		}
	}
	return fail(err, errlen, "unknown command \"%s\" (expected run, status or "
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
		return fail(err, errlen, "--json is only valid with the status command");
	s->status_json = st.json;
	return 0;
}

int settings_load(struct settings *s, int argc, char *const argv[], char *const envp[],
                  char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	settings_defaults(s);
	/* --help and --version win over everything, so a broken configuration never hides
	 * the help that would explain it. */
	enum command info = find_info_option(argc, argv);
	if (info != CMD_RUN) {
		s->command = info;
		return 0;
	}
	int rc = load_env(s, envp, err, errlen);
	return rc < 0 ? rc : load_args(s, argc, argv, err, errlen);
}
