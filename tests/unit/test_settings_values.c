// SPDX-License-Identifier: MIT
/* Settings values that are not plain numbers: DEBUG, INTERFACES, LOG_PATH, byte suffixes,
 * keywords; then the check-config listing and --help text. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "settings_fixture.h"
#include "settings_spec.h"

static const char *const vars[] = { "LOG_PATH", "CHECK_INTERVAL", "OFFLINE_THRESHOLD",
	"STATS_INTERVAL", "DEBUG", "INTERFACES", "BACKEND", "LOG_FORMAT", "LOG_MAX_BYTES",
	"LOG_BACKUPS", "LIVENESS", "STATE_FILE", "POLL_TIMEOUT" };
static const char *const flags[] = { "--log-path", "--interval", "--threshold",
	"--stats-interval", "--debug", "--interface", "--backend", "--log-format",
	"--log-max-bytes", "--log-backups", "--liveness", "--state-file", "--poll-timeout" };

static void test_debug(void)
{
	static const char *const on[] = { "1", "true", "TRUE", "yes", "Yes", "on", "ON" };
	static const char *const off[] = { "0", "false", "False", "no", "NO", "off", "oFF" };
	struct settings s;
	char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		snprintf(buf, sizeof buf, "DEBUG=%s", on[i]);
		CHECK_INT(load(&s, no_args, ENV(buf)), 0);
		CHECK(s.debug);
		snprintf(buf, sizeof buf, "DEBUG=%s", off[i]);
		CHECK_INT(load(&s, no_args, ENV(buf)), 0);
		CHECK(!s.debug);
		CHECK_INT(s.origin[SET_DEBUG], ORIGIN_ENV);
		snprintf(buf, sizeof buf, "--debug=%s", on[i]);
		CHECK_INT(load(&s, ARGV(buf), ENV("DEBUG=off")), 0);
		CHECK(s.debug);
	}
	CHECK_INT(load(&s, ARGV("--debug"), ENV("DEBUG=0")), 0);
	CHECK(s.debug);
	CHECK_INT(s.origin[SET_DEBUG], ORIGIN_FLAG);
	CHECK_INT(load(&s, ARGV("--debug=off"), ENV("DEBUG=1")), 0);
	CHECK(!s.debug);
	/* an empty flag value is an error, as for every other flag; an empty variable is unset */
	CHECK_INT(load(&s, ARGV("--debug="), ENV("DEBUG=1")), -EINVAL);
	CHECK_CONTAINS(err, "invalid --debug \"\"");
	CHECK_INT(load(&s, no_args, ENV("DEBUG=")), 0);
	CHECK(!s.debug);
	CHECK_INT(s.origin[SET_DEBUG], ORIGIN_DEFAULT);
	/* --debug never takes the next argument: "--debug status" is the status command. */
	CHECK_INT(load(&s, ARGV("--debug", "status"), NULL), 0);
	CHECK(s.debug && s.command == CMD_STATUS);
	static const char *const bad[] = { "2", "y", "enable", " on", "on ", "truee" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof buf, "DEBUG=%s", bad[i]);
		CHECK_INT(load(&s, no_args, ENV(buf)), -EINVAL);
		CHECK_CONTAINS(err, "invalid DEBUG");
		CHECK_CONTAINS(err, "1, true, yes, on, 0, false, no or off");
	}
}

static void test_interfaces(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("INTERFACES= wg0,wg1  wg0 ,, wg-home\twg_2 ")), 0);
	CHECK_INT(s.n_interfaces, 4);
	CHECK_STR(s.interfaces[0], "wg0");
	CHECK_STR(s.interfaces[1], "wg1");
	CHECK_STR(s.interfaces[2], "wg-home");
	CHECK_STR(s.interfaces[3], "wg_2");
	CHECK_INT(load(&s, no_args, ENV("INTERFACES= , ")), 0);   /* only separators: all */
	CHECK_INT(s.n_interfaces, 0);
	/* Flags replace the environment's list, and add up among themselves. */
	CHECK_INT(load(&s, ARGV("--interface", "wg5", "--interface=wg6,wg5"),
	          ENV("INTERFACES=wg0 wg1")), 0);
	CHECK_INT(s.n_interfaces, 2);
	CHECK_STR(s.interfaces[0], "wg5");
	CHECK_STR(s.interfaces[1], "wg6");
	CHECK_INT(s.origin[SET_INTERFACES], ORIGIN_FLAG);
	CHECK_INT(load(&s, ARGV("--interface="), NULL), -EINVAL);
	CHECK_INT(load(&s, no_args, ENV("INTERFACES=wg0 0123456789abcdef")), -EINVAL);
	CHECK_STR(err, "invalid INTERFACES \"0123456789abcdef\": expected interface names of "
	          "1-15 characters from A-Z a-z 0-9 _ = + . -");
	CHECK_INT(load(&s, no_args, ENV("INTERFACES=wg0 ..")), -EINVAL);
	CHECK_INT(load(&s, no_args, ENV("INTERFACES=wg/0")), -EINVAL);
	CHECK_INT(load(&s, no_args, ENV("INTERFACES=wg0\x1b[31m\n")), -EINVAL);
	CHECK_CONTAINS(shown(), "\"wg0\\x1b[31m\\x0a\""); /* raw in err, escaped once shown */
	CHECK_INT(load(&s, ARGV("--interface", "wg\r1"), NULL), -EINVAL);
	CHECK_CONTAINS(shown(), "invalid --interface \"wg\\x0d1\"");
}

static void test_too_many_interfaces(void)
{
	static char list[SETTINGS_MAX_INTERFACES * 16 + 64];
	struct settings s;
	int o = snprintf(list, sizeof list, "INTERFACES=");
	for (int i = 0; i < SETTINGS_MAX_INTERFACES; i++)
		o += snprintf(list + o, sizeof list - (size_t)o, "wg%d,wg%d ", i, i);
	CHECK_INT(load(&s, no_args, ENV(list)), 0);   /* duplicates do not count */
	CHECK_INT(s.n_interfaces, SETTINGS_MAX_INTERFACES);
	CHECK_STR(s.interfaces[SETTINGS_MAX_INTERFACES - 1], "wg63");
	snprintf(list + o, sizeof list - (size_t)o, "extra");
	CHECK_INT(load(&s, no_args, ENV(list)), -EINVAL);
	CHECK_STR(err, "too many interfaces in INTERFACES (\"extra\" would be number 65): "
	          "at most 64");
}

static void test_log_path(void)
{
	static char path[PATH_MAX + 16];
	struct settings s;
	int o = snprintf(path, sizeof path, "--log-path=/");
	memset(path + o, 'a', PATH_MAX - 2);
	path[o + PATH_MAX - 2] = '\0';                /* PATH_MAX - 1 bytes: fits */
	CHECK_INT(load(&s, ARGV(path), NULL), 0);
	CHECK_INT(strlen(s.log_path), PATH_MAX - 1);
	strcat(path, "a");
	CHECK_INT(load(&s, ARGV(path), NULL), -EINVAL);
	CHECK_CONTAINS(err, "invalid --log-path \"/aaa");
	CHECK_CONTAINS(err, "...\": expected a path of at most 4095 bytes");
	CHECK_INT(load(&s, no_args, ENV("LOG_PATH=/tmp/a\nb")), -EINVAL);
	CHECK_CONTAINS(shown(), "invalid LOG_PATH \"/tmp/a\\x0ab\"");
	CHECK_INT(load(&s, no_args, ENV("LOG_PATH=/tmp/\x7f")), -EINVAL);
	/* Policy (which directories) is logfile.c's; here any clean path is taken. */
	CHECK_INT(load(&s, no_args, ENV("LOG_PATH=relative/x y.log")), 0);
	CHECK_STR(s.log_path, "relative/x y.log");
}

static void test_bytes_and_words(void)
{
	static const struct { const char *v; unsigned long long want; } ok[] = {
		{ "4K", 4096 }, { "4k", 4096 }, { "10M", 10485760 }, { "1G", 1073741824 },
		{ "1g", 1073741824 }, { "1048576K", 1073741824 }, { "4096", 4096 } };
	static const char *const bad[] = { "3K", "2G", "1025M", "10MB", "K", "1KiB", "1T", "1 K",
		"-1K", "18446744073709551615K", "1073741825" };
	struct settings s;
	char buf[64];
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(buf, sizeof buf, "LOG_MAX_BYTES=%s", ok[i].v);
		CHECK_INT(load(&s, no_args, ENV(buf)), 0);
		CHECK_INT(s.log_max_bytes, ok[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof buf, "--log-max-bytes=%s", bad[i]);
		CHECK_INT(load(&s, ARGV(buf), NULL), -EINVAL);
		CHECK_CONTAINS(err, "4096-1073741824");
	}
	CHECK_INT(load(&s, ARGV("--backend", "NetLink", "--log-format", "Text"), NULL), 0);
	CHECK_INT(s.backend, BACKEND_NETLINK);
	CHECK_INT(s.log_format, LOG_FORMAT_TEXT);
	CHECK_INT(load(&s, no_args, ENV("BACKEND=kernel")), -EINVAL);
	CHECK_STR(err, "invalid BACKEND \"kernel\": expected auto, netlink, uapi or wg");
	CHECK_INT(load(&s, no_args, ENV("LOG_FORMAT=xml")), -EINVAL);
	CHECK_STR(err, "invalid LOG_FORMAT \"xml\": expected text or json");
	CHECK_INT(load(&s, ARGV("--liveness=rx"), NULL), -EINVAL);
	CHECK_STR(err, "invalid --liveness \"rx\": expected activity or handshake");
	CHECK_INT(load(&s, ARGV("--backend="), NULL), -EINVAL);
	CHECK_STR(liveness_name(LIVENESS_ACTIVITY), "activity");
	CHECK_STR(liveness_name(LIVENESS_HANDSHAKE), "handshake");
	CHECK_STR(log_format_name(LOG_FORMAT_TEXT), "text");
	CHECK_STR(log_format_name(LOG_FORMAT_JSON), "json");
	CHECK_STR(liveness_name((enum liveness)7), "?");
	CHECK_STR(log_format_name((enum log_format)-1), "?");
}

/* ON_CHANGE_EVENTS and METRICS_LISTEN are refused when parsed, like every other setting,
 * not only at start (status, which starts neither, refuses them too); an empty
 * ON_CHANGE_EVENTS variable is unset, as for every non-path, an empty METRICS_LISTEN off. */
static void test_checked_when_parsed(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("ON_CHANGE_EVENTS=peer_online,stats")), -EINVAL);
	CHECK_STR(err, "invalid ON_CHANGE_EVENTS \"peer_online,stats\": \"stats\" is not a peer "
	          "event (peer_online, peer_offline, peer_added, peer_removed, endpoint_changed, "
	          "handshake_failing, ...)");
	CHECK_INT(load(&s, ARGV("--on-change-events", "hook_failed"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "invalid --on-change-events \"hook_failed\": ");
	CHECK_INT(load(&s, ARGV("--on-change-events="), NULL), -EINVAL);
	CHECK_STR(err, "invalid --on-change-events \"\": no event given");
	CHECK_INT(load(&s, no_args, ENV("ON_CHANGE_EVENTS=")), 0);
	CHECK_STR(s.on_change_events, "peer_online,peer_offline");
	CHECK_INT(s.origin[SET_ON_CHANGE_EVENTS], ORIGIN_DEFAULT);
	CHECK_INT(load(&s, ARGV("--on-change-events=handshake_failing, peer_added"), NULL), 0);
	CHECK_STR(s.on_change_events, "handshake_failing, peer_added");
	CHECK_INT(load(&s, ARGV("status"), ENV("METRICS_LISTEN=localhost:9586")), -EINVAL);
	CHECK_CONTAINS(err, "invalid METRICS_LISTEN \"localhost:9586\": \"localhost:9586\" is not "
	               "ADDR:PORT");
	CHECK_INT(load(&s, ARGV("--metrics-listen=127.0.0.1:0"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "invalid --metrics-listen \"127.0.0.1:0\": ");
	CHECK_INT(load(&s, ARGV("--metrics-listen="), ENV("METRICS_LISTEN=[::1]:1")), 0);
	CHECK_STR(s.metrics_listen, "");
	CHECK_INT(load(&s, no_args, ENV("METRICS_LISTEN=127.0.0.1:9586, [::1]:9586")), 0);
	CHECK_STR(s.metrics_listen, "127.0.0.1:9586, [::1]:9586");
}

/* The Commands section as main.c lists it: each command's word and a line of help. */
static void list_commands(FILE *out)
{
	for (enum command c = CMD_RUN; settings_command_name(c); c++)
		settings_usage_item(out, settings_command_name(c), "does it\non two lines");
}

/* Runs print (or settings_usage when NULL) into a temporary file; returns the text. */
static char *capture(void (*print)(const struct settings *, FILE *), const struct settings *s)
{
	FILE *f = tmpfile();
	if (!f)
		abort();
	if (print)
		print(s, f);
	else
		settings_usage(f, list_commands);
	long len = ftell(f);
	char *text = malloc(len > 0 ? (size_t)len + 1 : 1);
	rewind(f);
	if (!text || len < 0 || fread(text, 1, (size_t)len, f) != (size_t)len)
		abort();
	text[len] = '\0';
	fclose(f);
	return text;
}

static void test_print(void)
{
	struct settings s;
	CHECK_INT(load(&s, ARGV("--interval=9", "--interface", "wg0", "--interface", "wg1"),
	          ENV("LOG_FORMAT=json", "LOG_PATH=")), 0);
	char *out = capture(settings_print, &s);
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		char line[64];   /* every variable starts a line */
		snprintf(line, sizeof line, "\n%s=", vars[i]);
		CHECK(i == 0 ? strncmp(out, line + 1, strlen(line + 1)) == 0 : !!strstr(out, line));
	}
	CHECK(strncmp(out, "LOG_PATH=  ", 11) == 0);
	CHECK_CONTAINS(out, "(no log file; origin: environment)\n");
	CHECK_CONTAINS(out, "CHECK_INTERVAL=9 ");
	CHECK_CONTAINS(out, "(origin: flag --interval)\n");
	CHECK_CONTAINS(out, "INTERFACES=wg0,wg1 ");
	CHECK_CONTAINS(out, "(origin: flag --interface)\n");
	CHECK_CONTAINS(out, "LOG_FORMAT=json ");
	CHECK_CONTAINS(out, "OFFLINE_THRESHOLD=180 ");
	CHECK_CONTAINS(out, "DEBUG=off ");
	CHECK_CONTAINS(out, "LOG_MAX_BYTES=10485760 ");
	CHECK_CONTAINS(out, "LIVENESS=activity ");
	CHECK_CONTAINS(out, "BACKEND=auto ");
	/* Origins line up in one column. */
	const char *a = strstr(out, "CHECK_INTERVAL="), *b = strstr(out, "LOG_MAX_BYTES=");
	CHECK(a && b && strchr(a, '(') - a == strchr(b, '(') - b);
	/* One line per setting, then a comment explaining the liveness rule in force. */
	size_t lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n' && p[1] != '#' && p[1] != '\0';
	CHECK_INT(lines + 1, SET__COUNT);
	CHECK_CONTAINS(out, "\n# LIVENESS=activity: a peer is online while it was heard from");
	free(out);
	CHECK_INT(load(&s, no_args, NULL), 0);
	out = capture(settings_print, &s);
	CHECK_CONTAINS(out, "LOG_PATH=/var/log/wg_monitor.log    (origin: default)\n");
	CHECK_CONTAINS(out, "(all interfaces; origin: default)\n");
	CHECK_CONTAINS(out, "\nCHECK_INTERVAL=30                   (origin: default)\n");
	free(out);
	/* One very long value does not push every other origin far to the right. */
	char path[128] = "LOG_PATH=/tmp/";
	memset(path + 14, 'p', 100);
	path[114] = '\0';
	CHECK_INT(load(&s, no_args, ENV(path)), 0);
	out = capture(settings_print, &s);
	CHECK_CONTAINS(out, "ppp  (origin: environment)\n");
	CHECK_CONTAINS(out, "\nCHECK_INTERVAL=30                   (origin: default)\n");
	free(out);
}

static void test_usage(void)
{
	char *out = capture(NULL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		CHECK_CONTAINS(out, vars[i]);
		CHECK_CONTAINS(out, flags[i]);
	}
	static const char *const more[] = { "Usage: wg-monitor",
		"\n  status                    does it\n                            on two lines\n",
		"\n  check-config              does it\n", "\n  run ", "--help", "--version", "-h,", "-V,", "1-86400", "1-604800",
		"10-604800", "4096-1073741824", "0-100", "default 30", "default 180",
		"default 3600", "default 10485760", "default 5", "default activity",
		"default /var/log/wg_monitor.log", "handshake", "keepalive", "Exit status: 0",
		" 2 " };
	for (size_t i = 0; i < ARRAY_SIZE(more); i++)
		CHECK_CONTAINS(out, more[i]);
	size_t col = 0, widest = 0;
	bool printable = true;
	for (const char *p = out; *p; p++) {
		col = *p == '\n' ? 0 : col + 1;
		widest = col > widest ? col : widest;
		printable = printable && (*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	}
	CHECK(printable);
	CHECK_INT(widest, widest <= 79 ? widest : 79);
	free(out);
}

/* Whether var is named as a whole word in [from, to). */
static bool names_var(const char *from, const char *to, const char *var)
{
	size_t n = strlen(var);
	for (const char *p = from; (p = strstr(p, var)) && p + n <= to; p += n) {
		bool word_start = p == from || !(p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z'));
		if (word_start && !(p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z')))
			return true;
	}
	return false;
}

/* --help's note on empty variables names exactly the settings whose kind takes an empty
 * value as one (none), and each of them given empty by the environment is that. */
static void test_usage_empty_note(void)
{
	char *out = capture(NULL, NULL);
	const char *from = strstr(out, "counts as\nunset, except ");
	const char *to = from ? strstr(from, "where empty means none") : NULL;
	CHECK(from && to);
	for (int id = 0; from && to && id < SET__COUNT; id++) {
		const struct setting_spec *sp = &setting_specs[id];
		bool named = names_var(from, to, sp->var);
		if (named != setting_kinds[sp->kind].empty_is_value)
			printf("  %s: named %d, empty is a value %d\n", sp->var, named, !named);
		CHECK(named == setting_kinds[sp->kind].empty_is_value);
		char env[64];
		struct settings st;
		snprintf(env, sizeof env, "%s=", sp->var);
		CHECK_INT(load(&st, no_args, ENV(env)), 0);
		CHECK_INT(st.origin[id], named ? ORIGIN_ENV : ORIGIN_DEFAULT);
	}
	free(out);
}

TEST_MAIN(test_debug, test_interfaces, test_too_many_interfaces, test_log_path,
          test_bytes_and_words, test_checked_when_parsed, test_print, test_usage,
          test_usage_empty_note)
