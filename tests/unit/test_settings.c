// SPDX-License-Identifier: MIT
/* Settings: defaults, environment, flags, every range boundary, garbage, error lines,
 * the check-config listing and --help. The environment is passed in, never getenv(). */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "settings_fixture.h"

/* Every numeric setting, its names and limits, to drive the boundary tests. */
static const struct num {
	const char *var, *flag;
	unsigned long long min, max;
	int zero_ok;
} nums[] = {
	{ "CHECK_INTERVAL", "--interval", 1, 86400, 0 },
	{ "OFFLINE_THRESHOLD", "--threshold", 1, 604800, 0 },
	{ "STATS_INTERVAL", "--stats-interval", 10, 604800, 1 },
	{ "LOG_MAX_BYTES", "--log-max-bytes", 4096, 1073741824, 0 },
	{ "LOG_BACKUPS", "--log-backups", 0, 100, 0 },
};

static unsigned long long num_value(const struct settings *s, size_t i)
{
	switch (i) {
	case 0: return s->interval;
	case 1: return s->threshold;
	case 2: return s->stats_interval;
	case 3: return s->log_max_bytes;
	default: return s->log_backups;
	}
}

static const enum setting_id num_ids[] = {
	SET_INTERVAL, SET_THRESHOLD, SET_STATS_INTERVAL, SET_LOG_MAX_BYTES, SET_LOG_BACKUPS,
};

static void test_defaults(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, NULL), 0);
	CHECK_STR(err, "");
	CHECK_INT(s.command, CMD_RUN);
	CHECK(!s.status_json);
	CHECK_STR(s.log_path, "/var/log/wg_monitor.log");
	CHECK_INT(s.interval, 30);
	CHECK_INT(s.threshold, 180);
	CHECK_INT(s.stats_interval, 3600);
	CHECK(!s.debug);
	CHECK_INT(s.n_interfaces, 0);
	CHECK_INT(s.backend, BACKEND_AUTO);
	CHECK_INT(s.log_format, LOG_FORMAT_TEXT);
	CHECK_INT(s.log_max_bytes, 10485760);
	CHECK_INT(s.log_backups, 5);
	CHECK_INT(s.liveness, LIVENESS_ACTIVITY);
	for (int i = 0; i < SET__COUNT; i++)
		CHECK_INT(s.origin[i], ORIGIN_DEFAULT);
	CHECK_INT(load(&s, no_args, ENV("PATH=/bin", "HOME=/root")), 0);
	CHECK_INT(s.interval, 30);
}

static void test_env(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("LOG_PATH=/tmp/x.log", "CHECK_INTERVAL=7",
	          "OFFLINE_THRESHOLD=60", "STATS_INTERVAL=0", "DEBUG=Yes", "INTERFACES=wg1",
	          "BACKEND=UAPI", "LOG_FORMAT=json", "LOG_MAX_BYTES=8192", "LOG_BACKUPS=0",
	          "LIVENESS=handshake", "STATE_FILE=/var/lib/wg-monitor/state",
	          "POLL_TIMEOUT=6", "PEER_NAMES=/etc/wg-monitor/names",
	          "WG_CONFIG_DIR=/etc/wg", "METRICS_LISTEN=127.0.0.1:9586", "METRICS_COMPAT=None",
	          "METRICS_TOKEN_FILE=/etc/wg-monitor/token", "ON_CHANGE=/usr/local/bin/hook",
	          "ON_CHANGE_EVENTS=peer_offline", "ON_CHANGE_STDIN=json", "ON_CHANGE_TIMEOUT=5",
	          "ON_CHANGE_MAX=2", "ON_CHANGE_GRACE=30")), 0);
	CHECK_STR(s.log_path, "/tmp/x.log");
	CHECK_INT(s.interval, 7);
	CHECK_INT(s.poll_timeout, 6);
	CHECK_INT(s.threshold, 60);
	CHECK_INT(s.stats_interval, 0);
	CHECK(s.debug);
	CHECK_INT(s.n_interfaces, 1);
	CHECK_STR(s.interfaces[0], "wg1");
	CHECK_INT(s.backend, BACKEND_UAPI);
	CHECK_INT(s.log_format, LOG_FORMAT_JSON);
	CHECK_INT(s.log_max_bytes, 8192);
	CHECK_INT(s.log_backups, 0);
	CHECK_INT(s.liveness, LIVENESS_HANDSHAKE);
	CHECK_STR(s.state_file, "/var/lib/wg-monitor/state");
	CHECK_STR(s.metrics_listen, "127.0.0.1:9586");
	CHECK_INT(s.metrics_compat, MC_NONE);
	CHECK_STR(s.metrics_token_file, "/etc/wg-monitor/token");
	CHECK_STR(s.on_change, "/usr/local/bin/hook");
	CHECK_STR(s.on_change_events, "peer_offline");
	CHECK_INT(s.on_change_stdin, HOOK_STDIN_JSON);
	CHECK_INT(s.on_change_timeout, 5);
	CHECK_INT(s.on_change_max, 2);
	CHECK_INT(s.on_change_grace, 30);
	for (int i = 0; i < SET__COUNT; i++)
		CHECK_INT(s.origin[i], ORIGIN_ENV);
	/* An empty variable counts as unset, except the paths ("no such file"). */
	CHECK_INT(load(&s, no_args, ENV("CHECK_INTERVAL=", "BACKEND=", "DEBUG=", "LOG_PATH=",
	          "INTERFACES=", "STATE_FILE=")), 0);
	CHECK_STR(s.state_file, "");
	CHECK_INT(s.origin[SET_STATE_FILE], ORIGIN_ENV);
	CHECK_INT(s.interval, 30);
	CHECK_INT(s.origin[SET_INTERVAL], ORIGIN_DEFAULT);
	CHECK_INT(s.origin[SET_BACKEND], ORIGIN_DEFAULT);
	CHECK_INT(s.n_interfaces, 0);
	CHECK_STR(s.log_path, "");
	CHECK_INT(s.origin[SET_LOG_PATH], ORIGIN_ENV);
	/* The first of two entries wins, as with getenv(); a longer name is another variable. */
	CHECK_INT(load(&s, no_args, ENV("CHECK_INTERVALS=9", "CHECK_INTERVAL=11",
	          "CHECK_INTERVAL=12")), 0);
	CHECK_INT(s.interval, 11);
}

static void test_flags(void)
{
	struct settings s;
	CHECK_INT(load(&s, ARGV("--interval", "20", "--threshold=90"),
	          ENV("CHECK_INTERVAL=10", "OFFLINE_THRESHOLD=50", "STATS_INTERVAL=60")), 0);
	CHECK_INT(s.interval, 20);
	CHECK_INT(s.threshold, 90);
	CHECK_INT(s.stats_interval, 60);
	CHECK_INT(s.origin[SET_INTERVAL], ORIGIN_FLAG);
	CHECK_INT(s.origin[SET_THRESHOLD], ORIGIN_FLAG);
	CHECK_INT(s.origin[SET_STATS_INTERVAL], ORIGIN_ENV);
	CHECK_INT(s.origin[SET_BACKEND], ORIGIN_DEFAULT);
	CHECK_INT(load(&s, ARGV("--log-path", "", "--backend=wg", "--log-format", "JSON",
	          "--liveness=Handshake", "--log-backups", "100", "--interval=1",
	          "--interval", "2"), NULL), 0);
	CHECK_STR(s.log_path, "");
	CHECK_INT(s.origin[SET_LOG_PATH], ORIGIN_FLAG);
	CHECK_INT(s.backend, BACKEND_WG);
	CHECK_INT(s.log_format, LOG_FORMAT_JSON);
	CHECK_INT(s.liveness, LIVENESS_HANDSHAKE);
	CHECK_INT(s.log_backups, 100);
	CHECK_INT(s.interval, 2);   /* the last one wins */
	CHECK_INT(load(&s, ARGV("--backend", "netlink"), NULL), 0);
	CHECK_INT(s.backend, BACKEND_NETLINK);
}

static void test_commands(void)
{
	struct settings s;
	CHECK_INT(load(&s, ARGV("run"), NULL), 0);
	CHECK_INT(s.command, CMD_RUN);
	CHECK_INT(load(&s, ARGV("--interval", "5", "check-config", "--debug"), NULL), 0);
	CHECK_INT(s.command, CMD_CHECK_CONFIG);
	CHECK(s.debug);
	CHECK_INT(s.interval, 5);
	CHECK_INT(load(&s, ARGV("status"), NULL), 0);
	CHECK(s.command == CMD_STATUS && !s.status_json);
	CHECK_INT(load(&s, ARGV("status", "--json"), NULL), 0);
	CHECK(s.command == CMD_STATUS && s.status_json);
	CHECK_INT(load(&s, ARGV("--json", "status"), NULL), 0);
	CHECK(s.status_json);
	CHECK_INT(load(&s, ARGV("--json"), NULL), -EINVAL);
	CHECK_STR(err, "--json is only valid with the status command");
	CHECK_INT(load(&s, ARGV("check-config", "--json"), NULL), -EINVAL);
	CHECK_INT(load(&s, ARGV("status", "--json=1"), NULL), -EINVAL);
	CHECK_STR(err, "--json takes no value");
	CHECK_INT(load(&s, ARGV("stauts"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "unknown command \"stauts\"");
	CHECK_INT(load(&s, ARGV("status", "run"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "unexpected argument \"run\"");
	CHECK_INT(load(&s, ARGV("-"), NULL), -EINVAL);
	CHECK_INT(load(&s, ARGV(""), NULL), -EINVAL);
	/* "--" ends the options: what follows is positional. */
	CHECK_INT(load(&s, ARGV("--", "status"), NULL), 0);
	CHECK_INT(s.command, CMD_STATUS);
	CHECK_INT(load(&s, ARGV("--", "--debug"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "unknown command \"--debug\"");
}

static void test_help_version(void)
{
	struct settings s;
	CHECK_INT(load(&s, ARGV("--help"), NULL), 0);
	CHECK_INT(s.command, CMD_HELP);
	CHECK_INT(load(&s, ARGV("-h"), NULL), 0);
	CHECK_INT(s.command, CMD_HELP);
	CHECK_INT(load(&s, ARGV("--version"), NULL), 0);
	CHECK_INT(s.command, CMD_VERSION);
	CHECK_INT(load(&s, ARGV("status", "-V"), NULL), 0);
	CHECK_INT(s.command, CMD_VERSION);
	/* Help wins over broken settings, so it can explain them. */
	CHECK_INT(load(&s, ARGV("--interval", "abc", "--frob", "--help"), ENV("DEBUG=maybe")), 0);
	CHECK_INT(s.command, CMD_HELP);
	/* ...but not when it is another option's value or follows "--". */
	CHECK_INT(load(&s, ARGV("--log-path", "--help"), NULL), 0);
	CHECK_INT(s.command, CMD_RUN);
	CHECK_STR(s.log_path, "--help");
	CHECK_INT(load(&s, ARGV("--", "--help"), NULL), -EINVAL);
	CHECK_INT(load(&s, ARGV("--help=x"), NULL), -EINVAL);
	CHECK_STR(err, "--help takes no value");
}

static void check_bad_num(size_t i, const char *value, int by_env)
{
	struct settings s;
	char buf[96];
	int rc;
	snprintf(buf, sizeof buf, "%s=%s", by_env ? nums[i].var : nums[i].flag, value);
	rc = by_env ? load(&s, no_args, ENV(buf)) : load(&s, ARGV(buf), NULL);
	CHECK_INT(rc, -EINVAL);
	if (rc != -EINVAL)
		fprintf(stderr, "  accepted %s\n", buf);
	CHECK_CONTAINS(err, by_env ? nums[i].var : nums[i].flag);
	snprintf(buf, sizeof buf, "-%llu", nums[i].max);   /* the allowed range is named */
	CHECK_CONTAINS(err, buf);
}

static void check_good_num(size_t i, unsigned long long v, int by_env)
{
	struct settings s;
	char buf[96];
	snprintf(buf, sizeof buf, "%s=%llu", by_env ? nums[i].var : nums[i].flag, v);
	int rc = by_env ? load(&s, no_args, ENV(buf)) : load(&s, ARGV(buf), NULL);
	CHECK_INT(rc, 0);
	CHECK_INT(num_value(&s, i), v);
	CHECK_INT(s.origin[num_ids[i]], by_env ? ORIGIN_ENV : ORIGIN_FLAG);
}

static void test_boundaries(void)
{
	char v[32];
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		for (int by_env = 0; by_env < 2; by_env++) {
			check_good_num(i, nums[i].min, by_env);
			check_good_num(i, nums[i].max, by_env);
			snprintf(v, sizeof v, "%llu", nums[i].max + 1);
			check_bad_num(i, v, by_env);
			if (nums[i].min > 0) {
				snprintf(v, sizeof v, "%llu", nums[i].min - 1);
				if (nums[i].zero_ok) {
					check_good_num(i, 0, by_env);
					check_bad_num(i, "1", by_env);
				}
				check_bad_num(i, nums[i].zero_ok ? "9" : v, by_env);
			}
		}
	}
}

static void test_garbage(void)
{
	static const char *const bad[] = { "abc", "-1", "+5", " 5", "5 ", "0x10", "5s", "1.5",
		"99999999999999999999999", "18446744073709551616", "\t5" };
	struct settings s;
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(bad); j++) {
			check_bad_num(i, bad[j], 1);
			check_bad_num(i, bad[j], 0);
		}
		check_bad_num(i, "", 0);   /* an explicit empty flag value is an error */
		char buf[64];
		snprintf(buf, sizeof buf, "%s", nums[i].flag);
		CHECK_INT(load(&s, ARGV(buf), NULL), -EINVAL);
		snprintf(buf, sizeof buf, "%s requires a value", nums[i].flag);
		CHECK_STR(err, buf);
	}
}

static void test_messages(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("CHECK_INTERVAL=abc")), -EINVAL);
	CHECK_STR(err, "invalid CHECK_INTERVAL \"abc\": expected whole seconds 1-86400");
	CHECK_INT(load(&s, ARGV("--threshold", "0"), NULL), -EINVAL);
	CHECK_STR(err, "invalid --threshold \"0\": expected whole seconds 1-604800");
	CHECK_INT(load(&s, ARGV("--frobnicate"), NULL), -EINVAL);
	CHECK_STR(err, "unknown option \"--frobnicate\" (see --help)");
	CHECK_INT(load(&s, ARGV("-x"), NULL), -EINVAL);
	CHECK_CONTAINS(err, "unknown option \"-x\"");
	CHECK_INT(load(&s, ARGV("--interval"), NULL), -EINVAL);
	CHECK_STR(err, "--interval requires a value");
	/* Long values are cut; control bytes never reach the message raw. */
	char big[1100] = "--backend=";
	memset(big + 10, 'a', 1000);
	big[1010] = '\0';
	CHECK_INT(load(&s, ARGV(big), NULL), -EINVAL);
	CHECK_CONTAINS(err, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
	CHECK_CONTAINS(err, "expected auto, netlink, uapi or wg");
	CHECK(strlen(err) < 160);
	CHECK_INT(load(&s, ARGV("--frob\x1b[2J\n"), NULL), -EINVAL);
	CHECK_CONTAINS(shown(), "--frob\\x1b[2J\\x0a"); /* raw in err, escaped once shown */
	/* A small buffer is filled, never overrun. */
	char tiny[8];
	memset(tiny, 'Z', sizeof tiny);
	CHECK_INT(settings_load(&s, 2, ARGV("--interval=0"), NULL, tiny, sizeof tiny), -EINVAL);
	CHECK_STR(tiny, "invalid");
	CHECK_INT(settings_load(&s, 2, ARGV("--interval=0"), NULL, NULL, 0), -EINVAL);
}

TEST_MAIN(test_defaults, test_env, test_flags, test_commands, test_help_version,
          test_boundaries, test_garbage, test_messages)
