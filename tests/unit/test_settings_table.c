// SPDX-License-Identifier: MIT
/* Settings as data: every row of the table parses its default, round-trips its values
 * (parse, format, parse again), and touches only its own field; POLL_TIMEOUT's default
 * follows CHECK_INTERVAL and never exceeds it. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "settings_fixture.h"
#include "settings_spec.h"

#define VALUE_MAX (PATH_MAX * 4)

/* Canonical values for a row (as check-config prints them), NULL-terminated. */
static size_t samples(const struct setting_spec *sp, char out[][64], size_t max)
{
	size_t n = 0;
	switch (sp->kind) {
	case SK_PATH:
		snprintf(out[n++], 64, "/tmp/%s y", sp->var);
		snprintf(out[n++], 64, "%s", "");
		break;
	case SK_NUMBER:
	case SK_BYTES:
		snprintf(out[n++], 64, "%llu", (unsigned long long)sp->min);
		snprintf(out[n++], 64, "%llu", (unsigned long long)sp->max);
		if (sp->zero_ok)
			snprintf(out[n++], 64, "0");
		break;
	case SK_BOOL:
		snprintf(out[n++], 64, "on");
		snprintf(out[n++], 64, "off");
		break;
	case SK_WORD:
		for (size_t i = 0; sp->words[i] && n < max; i++)
			snprintf(out[n++], 64, "%s", sp->words[i]);
		break;
	case SK_LISTEN:
		snprintf(out[n++], 64, "127.0.0.1:9586,[::1]:9586");
		snprintf(out[n++], 64, "%s", "");
		break;
	case SK_EVENTS:
		snprintf(out[n++], 64, "peer_online,peer_offline");
		snprintf(out[n++], 64, "handshake_failing");
		break;
	default:
		snprintf(out[n++], 64, "wg0,wg-home");
		break;
	}
	return n;
}

static void format_all(const struct settings *s, char (*values)[VALUE_MAX])
{
	for (int id = 0; id < SET__COUNT; id++)
		settings_format_value(s, (enum setting_id)id, values[id], VALUE_MAX);
}

/* Loads VAR=value (and the capping setting at its maximum, so the value fits). */
static int load_one(struct settings *s, enum setting_id id, const char *value)
{
	const struct setting_spec *sp = &setting_specs[id];
	char env[128], cap[64] = "UNRELATED=1";
	snprintf(env, sizeof env, "%s=%s", sp->var, value);
	if (sp->capped)
		snprintf(cap, sizeof cap, "%s=%llu", setting_specs[sp->cap].var,
		         (unsigned long long)setting_specs[sp->cap].max);
	return load(s, no_args, ENV(env, cap));
}

/* Whether setting other is allowed to change when id is set (a cap ties the two). */
static bool tied(enum setting_id id, enum setting_id other)
{
	return other == id || (setting_specs[other].capped && setting_specs[other].cap == id) ||
	       (setting_specs[id].capped && setting_specs[id].cap == other);
}

static void check_row(enum setting_id id, const char *value,
                      char (*defaults)[VALUE_MAX], char (*values)[VALUE_MAX])
{
	struct settings s, again;
	CHECK_INT(load_one(&s, id, value), 0);
	format_all(&s, values);
	CHECK_STR(values[id], value);                       /* parse, then format back */
	CHECK_INT(s.origin[id], ORIGIN_ENV);
	CHECK_INT(load_one(&again, id, values[id]), 0);     /* and parse that again */
	CHECK(memcmp((char *)&s + setting_specs[id].offset,
	             (char *)&again + setting_specs[id].offset, setting_specs[id].size) == 0);
	for (int other = 0; other < SET__COUNT; other++) {  /* no other field moved */
		if (tied(id, (enum setting_id)other))
			continue;
		CHECK_STR(values[other], defaults[other]);
		if (strcmp(values[other], defaults[other]) != 0)
			fprintf(stderr, "  setting %s=%s changed %s\n", setting_specs[id].var, value,
			        setting_specs[other].var);
	}
}

static void test_round_trip(void)
{
	static char defaults[SET__COUNT][VALUE_MAX], values[SET__COUNT][VALUE_MAX];
	struct settings s;
	char sample[8][64];
	CHECK_INT(load(&s, no_args, NULL), 0);
	format_all(&s, defaults);
	for (int id = 0; id < SET__COUNT; id++) {
		const struct setting_spec *sp = &setting_specs[id];
		if (sp->dflt)   /* every default is a value its kind accepts, printed as written */
			CHECK_STR(defaults[id], sp->dflt);
		size_t n = samples(sp, sample, ARRAY_SIZE(sample));
		CHECK(n >= 1);
		for (size_t i = 0; i < n; i++)
			check_row((enum setting_id)id, sample[i], defaults, values);
	}
}

/* Each row's field is one the kind can hold, and the names are unique. */
static void test_rows(void)
{
	for (int id = 0; id < SET__COUNT; id++) {
		const struct setting_spec *sp = &setting_specs[id];
		CHECK(sp->var && sp->flag && sp->allowed && sp->help && sp->kind < SK__COUNT);
		CHECK(strncmp(sp->flag, "--", 2) == 0);
		CHECK(sp->offset + sp->size <= offsetof(struct settings, origin));
		if (sp->kind == SK_NUMBER || sp->kind == SK_BOOL || sp->kind == SK_WORD ||
		    sp->kind == SK_BYTES)
			CHECK(sp->size == 1 || sp->size == 4 || sp->size == 8);
		if (sp->kind == SK_WORD)
			CHECK(sp->words != NULL && sp->size == sizeof(enum backend));
		if (sp->kind == SK_IFLIST)
			CHECK(sp->size % WG_IFNAME_SIZE == 0 && sp->count_offset != 0);
		if (sp->capped)
			CHECK(sp->kind == SK_NUMBER && setting_specs[sp->cap].kind == SK_NUMBER);
		for (int other = 0; other < id; other++) {
			CHECK(strcmp(sp->var, setting_specs[other].var) != 0);
			CHECK(strcmp(sp->flag, setting_specs[other].flag) != 0);
			CHECK(sp->offset != setting_specs[other].offset);
		}
	}
}

/* The bug this table replaced: every path setting was stored into one of two fields. */
static void test_paths_independent(void)
{
	struct settings s;
	CHECK_INT(load(&s, ARGV("--state-file", "/var/lib/wg-monitor/state"),
	          ENV("LOG_PATH=/tmp/wg.log")), 0);
	CHECK_STR(s.log_path, "/tmp/wg.log");
	CHECK_STR(s.state_file, "/var/lib/wg-monitor/state");
	CHECK_INT(load(&s, ARGV("--log-path=/tmp/other.log"),
	          ENV("STATE_FILE=/var/lib/wg-monitor/s2")), 0);
	CHECK_STR(s.log_path, "/tmp/other.log");
	CHECK_STR(s.state_file, "/var/lib/wg-monitor/s2");
	CHECK_INT(load(&s, ARGV("--state-file="), NULL), 0);
	CHECK_STR(s.state_file, "");
	CHECK_STR(s.log_path, "/var/log/wg_monitor.log");
}

static void test_poll_timeout_default(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, NULL), 0);
	CHECK_INT(s.poll_timeout, 10);
	CHECK_INT(s.origin[SET_POLL_TIMEOUT], ORIGIN_DEFAULT);
	CHECK_INT(load(&s, no_args, ENV("CHECK_INTERVAL=4")), 0);   /* the smaller one */
	CHECK_INT(s.poll_timeout, 4);
	CHECK_INT(s.origin[SET_POLL_TIMEOUT], ORIGIN_DEFAULT);
	CHECK_INT(load(&s, ARGV("--interval", "9"), ENV("CHECK_INTERVAL=60")), 0);
	CHECK_INT(s.poll_timeout, 9);
	CHECK_INT(load(&s, ARGV("--interval", "10"), NULL), 0);
	CHECK_INT(s.poll_timeout, 10);
	CHECK_INT(load(&s, ARGV("--interval", "3600"), ENV("CHECK_INTERVAL=1")), 0);
	CHECK_INT(s.poll_timeout, 10);   /* the interval's last word counts, not its first */
	struct settings def;
	settings_defaults(&def);
	CHECK_INT(def.poll_timeout, 10);
}

static void test_poll_timeout_values(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("POLL_TIMEOUT=5")), 0);
	CHECK_INT(s.poll_timeout, 5);
	CHECK_INT(s.origin[SET_POLL_TIMEOUT], ORIGIN_ENV);
	CHECK_INT(load(&s, ARGV("--poll-timeout", "7"), ENV("POLL_TIMEOUT=5")), 0);
	CHECK_INT(s.poll_timeout, 7);
	CHECK_INT(s.origin[SET_POLL_TIMEOUT], ORIGIN_FLAG);
	CHECK_INT(load(&s, ARGV("--poll-timeout=1"), NULL), 0);
	CHECK_INT(s.poll_timeout, 1);
	CHECK_INT(load(&s, ARGV("--poll-timeout=86400", "--interval=86400"), NULL), 0);
	CHECK_INT(s.poll_timeout, 86400);
	CHECK_INT(load(&s, no_args, ENV("POLL_TIMEOUT=30")), 0);   /* equal is allowed */
	CHECK_INT(s.poll_timeout, 30);
	static const char *const bad[] = { "0", "86401", "abc", "-1", "5s", "1.5", "" };
	char buf[64];
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof buf, "--poll-timeout=%s", bad[i]);
		CHECK_INT(load(&s, ARGV(buf, "--interval=86400"), NULL), -EINVAL);
		snprintf(buf, sizeof buf, "invalid --poll-timeout \"%s\": expected whole seconds "
		         "1-86400", bad[i]);
		CHECK_STR(err, buf);
	}
	CHECK_INT(load(&s, no_args, ENV("POLL_TIMEOUT=0")), -EINVAL);
	CHECK_STR(err, "invalid POLL_TIMEOUT \"0\": expected whole seconds 1-86400");
	CHECK_INT(load(&s, ARGV("--poll-timeout"), NULL), -EINVAL);
	CHECK_STR(err, "--poll-timeout requires a value");
}

/* Given above the interval, it is kept (a slow poll then overruns: the next one follows
 * at once); only the default follows the interval, whichever order they come in. */
static void test_poll_timeout_above_interval(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("POLL_TIMEOUT=31")), 0);
	CHECK_INT(s.poll_timeout, 31);
	CHECK_INT(load(&s, ARGV("--poll-timeout", "21"), ENV("CHECK_INTERVAL=5")), 0);
	CHECK_INT(s.poll_timeout, 21);
	CHECK_INT(load(&s, ARGV("--interval", "5"), NULL), 0);
	CHECK_INT(s.poll_timeout, 5);
	CHECK_INT(load(&s, ARGV("--poll-timeout", "40", "--interval", "40"), NULL), 0);
	CHECK_INT(s.poll_timeout, 40);
}

static char *print_text(const struct settings *s)
{
	FILE *f = tmpfile();
	if (!f)
		abort();
	settings_print(s, f);
	long len = ftell(f);
	char *text = calloc(1, len > 0 ? (size_t)len + 1 : 1);
	rewind(f);
	if (!text || len < 0 || fread(text, 1, (size_t)len, f) != (size_t)len)
		abort();
	fclose(f);
	return text;
}

static void test_poll_timeout_shown(void)
{
	struct settings s;
	CHECK_INT(load(&s, no_args, ENV("CHECK_INTERVAL=5", "LOG_PATH=")), 0);
	char *out = print_text(&s);
	CHECK_CONTAINS(out, "\nCHECK_INTERVAL=5 ");
	CHECK_CONTAINS(out, "\nPOLL_TIMEOUT=5 ");
	CHECK_CONTAINS(out, "\nPOLL_TIMEOUT=5                      (origin: default)\n");
	free(out);
	CHECK_INT(load(&s, ARGV("--poll-timeout=3"), ENV("CHECK_INTERVAL=5", "LOG_PATH=")), 0);
	out = print_text(&s);
	CHECK_CONTAINS(out, "\nPOLL_TIMEOUT=3                      (origin: flag --poll-timeout)\n");
	free(out);
}

TEST_MAIN(test_rows, test_round_trip, test_paths_independent, test_poll_timeout_default,
          test_poll_timeout_values, test_poll_timeout_above_interval, test_poll_timeout_shown)
