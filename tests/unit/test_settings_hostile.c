// SPDX-License-Identifier: MIT
/* Every row of settings_table.h, by its variable and by its flag (--flag=V, and --flag V
 * where it takes one), given each hostile value below: refused with one line naming it
 * that text_complain prints as one line with control bytes escaped, or taken exactly as
 * given, as its kind's row of `expected` says and why. A row of a kind missing here
 * fails, so a new setting is covered as soon as it is in the table. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "settings_fixture.h"
#include "settings_spec.h"

enum hostile { H_EMPTY, H_NEGATIVE, H_OVERFLOW, H_GARBAGE, H_FULLWIDTH, H_ACCENT, H_SOH,
	H_NEWLINE, H_ESC, H_64K, H__COUNT };

#define BIG (64 * 1024)
static char big[BIG + 1];   /* H_64K: '5' repeated, a number, a name and a path at once */

static const char *const hostile_values[H__COUNT] = {
	[H_EMPTY] = "", [H_NEGATIVE] = "-1", [H_OVERFLOW] = "99999999999999999999",
	[H_GARBAGE] = "5x", [H_FULLWIDTH] = "\xef\xbc\x95" /* U+FF15, a fullwidth 5 */,
	[H_ACCENT] = "\xc3\xa9" /* é */, [H_SOH] = "\x01", [H_NEWLINE] = "5\n",
	[H_ESC] = "\x1b[2J", [H_64K] = big,
};

/* The escape a terminal must show for the control byte of a value (once: "\x01", never
 * "\x5cx01"), NULL when the value has none. */
static const char *const escaped[H__COUNT] = {
	[H_SOH] = "\"\\x01\"", [H_NEWLINE] = "\"5\\x0a\"", [H_ESC] = "\"\\x1b[2J\"",
};

#define B(h) (1u << (h))

/* What each kind takes as given (bit set) among the values; every other is refused. An
 * empty variable is unset wherever "" is not a value (SPEC §3), so it keeps the default;
 * an empty flag is refused unless "" is a value. */
static const struct {
	enum setting_kind kind;
	unsigned taken;
	const char *why;
} expected[] = {
	{ SK_NUMBER, 0, "plain decimal in the row's range: - and letters are not digits, "
	  "U+FF15 is not an ASCII digit, 20 nines overflow 64 bits, a trailing newline is "
	  "garbage too" },
	{ SK_BYTES, 0, "as SK_NUMBER plus one K/M/G suffix: no x, no other byte" },
	{ SK_BOOL, 0, "one of eight words, any ASCII case" },
	{ SK_WORD, 0, "one of the row's words, any ASCII case" },
	{ SK_EVENTS, 0, "peer event words only, checked when parsed (hook_events_parse)" },
	{ SK_LISTEN, B(H_EMPTY), "numeric ADDR:PORT or [ADDR6]:PORT, checked when parsed "
	  "(http_parse_listen); empty means off" },
	{ SK_IFLIST, B(H_NEGATIVE) | B(H_GARBAGE), "\"-1\" and \"5x\" are interface names "
	  "Linux accepts; the others have a byte outside A-Z a-z 0-9 _ = + . - or 16 or more "
	  "characters" },
	{ SK_PATH, B(H_EMPTY) | B(H_NEGATIVE) | B(H_OVERFLOW) | B(H_GARBAGE) | B(H_FULLWIDTH) |
	  B(H_ACCENT), "a file name is any bytes but / and NUL, UTF-8 included; empty means "
	  "none. Control bytes are refused (they would reach logs and terminals), and so is "
	  "more than the field holds. Whether the path may be used (its directories, owner, "
	  "absolute for ON_CHANGE) is checked at start, by run and check-config alike "
	  "(t_settings runs that part)" },
};

/* The expectation's index for kind, or -1. */
static int expected_of(enum setting_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		if (expected[i].kind == kind)
			return (int)i;
	return -1;
}

/* text_complain's output for err, as main() prints it: the terminal's view. */
static void complain_into(char *out, size_t size)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	if (!f || saved < 0 || dup2(fileno(f), STDERR_FILENO) < 0)
		abort();
	text_complain("%s", err);
	fflush(stderr);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	size_t n = (size_t)pread(fileno(f), out, size - 1, 0);
	out[n < size ? n : 0] = '\0';
	fclose(f);
}

/* One line, its only newline the last byte, nothing else below 0x20 or 0x7f. */
static bool one_clean_line(const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 || s[i] == 0x7f) && !(s[i] == '\n' && i == len - 1))
			return false;
	return len > 0 && s[len - 1] == '\n';
}

static void check_refused(int rc, const char *name, enum hostile h, const char *how)
{
	char shown_line[sizeof(err) * 4 + 64], head[64];
	CHECK_INT(rc, -EINVAL);
	snprintf(head, sizeof head, "invalid %s \"", name);
	CHECK(strncmp(err, head, strlen(head)) == 0);   /* names it, then quotes the value */
	CHECK_CONTAINS(err, "\": ");                    /* and then says what is wrong */
	complain_into(shown_line, sizeof shown_line);
	CHECK(one_clean_line(shown_line));
	if (escaped[h])
		CHECK_CONTAINS(shown_line, escaped[h]);
	if (h == H_64K)
		CHECK_CONTAINS(err, "555...\": ");      /* cut, not the whole 64 KiB */
	if (rc != -EINVAL || strncmp(err, head, strlen(head)) != 0)
		fprintf(stderr, "  %s %s: %s\n", how, name, shown());
}

/* Taken: stored as given (formatted back, it reads as the value, escaped); unset: the
 * default stays. */
static void check_taken(const struct settings *s, enum setting_id id, int rc,
                        enum origin origin, const char *v, const char *dflt)
{
	static char value[BIG * 4 + 1], want[BIG * 4 + 1];
	CHECK_INT(rc, 0);
	if (rc != 0)
		fprintf(stderr, "  %s refused: %s\n", setting_specs[id].var, shown());
	CHECK_INT(s->origin[id], origin);
	settings_format_value(s, id, value, sizeof value);
	if (origin == ORIGIN_DEFAULT)
		snprintf(want, sizeof want, "%s", dflt);
	else
		sanitize(want, sizeof want, v, strlen(v));
	CHECK_STR(value, want);
}

/* One row with one value, by its variable and by its flag's forms. */
static void check_row(enum setting_id id, enum hostile h, unsigned taken, const char *dflt)
{
	static char env[BIG + 64], flag[BIG + 64], name[64], arg[BIG + 1];
	const struct setting_spec *sp = &setting_specs[id];
	const char *v = hostile_values[h];
	bool ok = taken & B(h);
	bool unset = h == H_EMPTY && !setting_kinds[sp->kind].empty_is_value;
	struct settings s;
	snprintf(env, sizeof env, "%s=%s", sp->var, v);
	int rc = load(&s, no_args, ENV(env));
	if (ok || unset)
		check_taken(&s, id, rc, unset ? ORIGIN_DEFAULT : ORIGIN_ENV, v, dflt);
	else
		check_refused(rc, sp->var, h, "variable");
	snprintf(flag, sizeof flag, "%s=%s", sp->flag, v);
	rc = load(&s, ARGV(flag), NULL);
	if (ok)
		check_taken(&s, id, rc, ORIGIN_FLAG, v, dflt);
	else
		check_refused(rc, sp->flag, h, "flag");
	if (!sp->metavar)
		return;   /* --debug V would be --debug and a command */
	snprintf(name, sizeof name, "%s", sp->flag);
	snprintf(arg, sizeof arg, "%s", v);
	rc = load(&s, ARGV(name, arg), NULL);
	if (ok)
		check_taken(&s, id, rc, ORIGIN_FLAG, v, dflt);
	else
		check_refused(rc, sp->flag, h, "flag and argument");
}

static void test_every_row(void)
{
	static char dflt[PATH_MAX * 4];
	struct settings def;
	size_t rows = 0, cases = 0;
	memset(big, '5', BIG);
	settings_defaults(&def);
	for (int id = 0; id < SET__COUNT; id++) {
		int e = expected_of(setting_specs[id].kind);
		CHECK(e >= 0);   /* a new kind needs its line in `expected` */
		if (e < 0) {
			fprintf(stderr, "  %s: no expectation for its kind\n", setting_specs[id].var);
			continue;
		}
		settings_format_value(&def, (enum setting_id)id, dflt, sizeof dflt);
		for (int h = 0; h < H__COUNT; h++, cases++)
			check_row((enum setting_id)id, (enum hostile)h, expected[e].taken, dflt);
		rows++;
	}
	CHECK_INT(rows, SET__COUNT);
	CHECK_INT(cases, (size_t)SET__COUNT * H__COUNT);
}

/* Each expectation has its reason, and no kind is listed twice. */
static void test_expectations(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		CHECK(expected[i].why && strlen(expected[i].why) > 20);
		CHECK_INT(expected_of(expected[i].kind), (int)i);
	}
}

TEST_MAIN(test_expectations, test_every_row)
