// SPDX-License-Identifier: MIT
/* The escapers with hostile input: quotes, backslashes, newlines, NUL, ESC, invalid
 * UTF-8, bidi overrides; exact-fit buffers and truncation of whole escapes. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "harness.h"
#include "text.h"

static char out[TEXT_ESCAPED_MAX + 16];

static void test_sanitize(void)
{
	char small[6];
	CHECK_INT(sanitize(out, sizeof out, "wg0", 3), 3);
	CHECK_STR(out, "wg0");
	sanitize(out, sizeof out, "a\nb\x1b[31m\\", 9);
	CHECK_STR(out, "a\\x0ab\\x1b[31m\\x5c");
	sanitize(out, sizeof out, "x\0y", 3); /* a NUL inside is escaped, not an end */
	CHECK_STR(out, "x\\x00y");
	sanitize(out, sizeof out, "\xc3\xa9\xff\xc3", 4); /* UTF-8 and invalid UTF-8 alike */
	CHECK_STR(out, "\\xc3\\xa9\\xff\\xc3");
	sanitize(out, sizeof out, "a\xe2\x80\xae" "b", 5); /* U+202E, right-to-left override */
	CHECK_STR(out, "a\\xe2\\x80\\xaeb");
	sanitize(out, sizeof out, "\x7f\t\r", 3);
	CHECK_STR(out, "\\x7f\\x09\\x0d");
	CHECK_INT(sanitize(small, sizeof small, "ab\ncd", 5), 2); /* never half an escape */
	CHECK_STR(small, "ab");
	CHECK_INT(sanitize(small, sizeof small, "abcdef", 6), 5);
	CHECK_STR(small, "abcde");
	CHECK_INT(sanitize(small, sizeof small, "a\n", 2), 5);    /* exact fit */
	CHECK_STR(small, "a\\x0a");
	CHECK_INT(sanitize(small, 1, "abc", 3), 0);
	CHECK_STR(small, "");
}

static void test_json(void)
{
	char fit[sizeof("\"a\\\\x0a\"")];
	CHECK_INT(text_json(out, sizeof out, "wg0", 3), 5);
	CHECK_STR(out, "\"wg0\"");
	text_json(out, sizeof out, "say \"hi\" \\", 10);
	CHECK_STR(out, "\"say \\\"hi\\\" \\\\x5c\"");
	text_json(out, sizeof out, "x\n\0\x1b[2J", 7);
	CHECK_STR(out, "\"x\\\\x0a\\\\x00\\\\x1b[2J\"");
	CHECK_INT(text_json(out, sizeof out, "", 0), 2);
	CHECK_STR(out, "\"\"");
	CHECK_INT(text_json(fit, sizeof fit, "a\n", 2), (long long)sizeof(fit) - 1); /* exact */
	CHECK_STR(fit, "\"a\\\\x0a\"");
	CHECK_INT(text_json(fit, sizeof fit - 1, "a\n", 2), 3); /* one short: the escape goes */
	CHECK_STR(fit, "\"a\"");
	CHECK_INT(text_json(fit, 3, "abc", 3), 2);
	CHECK_STR(fit, "\"\"");
}

static void test_kv(void)
{
	CHECK_INT(text_kv(out, sizeof out, "wg0", 3), 3);
	CHECK_STR(out, "wg0");
	text_kv(out, sizeof out, "alice smith", 11);
	CHECK_STR(out, "\"alice smith\"");
	text_kv(out, sizeof out, "say \"hi\"", 8);
	CHECK_STR(out, "\"say \\\"hi\\\"\"");
	text_kv(out, sizeof out, "a\"b", 3); /* a quote alone quotes too */
	CHECK_STR(out, "\"a\\\"b\"");
	text_kv(out, sizeof out, "a\\b\n", 4); /* no space: the escapes stand bare */
	CHECK_STR(out, "a\\x5cb\\x0a");
	/* log injection: a newline and a fake record stay inside one quoted value */
	text_kv(out, sizeof out, "x\n2026 ERROR event=fake", 23);
	CHECK_STR(out, "\"x\\\\x0a2026 ERROR event=fake\"");
	CHECK_INT(text_kv(out, sizeof out, "", 0), 0);
	CHECK_STR(out, "");
}

static void test_label(void)
{
	text_label(out, sizeof out, "wg0", 3);
	CHECK_STR(out, "\"wg0\"");
	text_label(out, sizeof out, "a\"b\\c\nd", 7);
	CHECK_STR(out, "\"a\\\"b\\\\x5cc\\\\x0ad\"");
	text_label(out, sizeof out, "\x1b]0;pwned\x07", 10);
	CHECK_STR(out, "\"\\\\x1b]0;pwned\\\\x07\"");
}

/* A value is bounded in sanitized characters, whole escapes only, before escaping. */
static void test_bound(void)
{
	static char big[3000], nasty[400];
	memset(big, 'v', sizeof big);
	memset(nasty, '\x1b', sizeof nasty);
	CHECK_INT(text_json(out, sizeof out, big, sizeof big), TEXT_VALUE_MAX + 2);
	CHECK_INT(text_kv(out, sizeof out, big, sizeof big), TEXT_VALUE_MAX);
	CHECK_INT(text_kv(out, sizeof out, nasty, sizeof nasty), TEXT_VALUE_MAX / 4 * 4);
	CHECK_INT(text_json(out, sizeof out, nasty, sizeof nasty), TEXT_VALUE_MAX / 4 * 5 + 2);
	CHECK(strlen(out) < sizeof out);
	big[TEXT_VALUE_MAX + 5] = ' '; /* beyond the bound: does not make it quoted */
	CHECK_INT(text_kv(out, sizeof out, big, sizeof big), TEXT_VALUE_MAX);
}

/* Every byte value, alone and between quotes: the output is printable ASCII and every
 * backslash or quote inside a JSON string is escaped. */
static void test_every_byte(void)
{
	for (int c = 0; c < 256; c++) {
		char in[3] = { '"', (char)c, '\\' };
		size_t n = text_json(out, sizeof out, in, sizeof in);
		bool ok = n >= 2 && out[0] == '"' && out[n - 1] == '"';
		for (size_t i = 1; ok && i + 1 < n; i++) {
			unsigned char o = (unsigned char)out[i];
			ok = o >= 0x20 && o < 0x7f && o != '"';
			if (ok && o == '\\') {
				ok = out[i + 1] == '\\' || out[i + 1] == '"';
				i++;
			}
		}
		CHECK(ok);
		n = text_kv(out, sizeof out, in, sizeof in);
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] < 0x7f);
	}
}

/* A raw part stays raw (to a NUL, within the buffer); the one print escapes it once. */
static void test_raw_then_complain(void)
{
	char part[8], got[256] = "";
	CHECK_INT(text_raw(part, sizeof part, "a\\\x1b\0zz", 5), 3);
	CHECK_STR(part, "a\\\x1b");
	CHECK_INT(text_raw(part, sizeof part, "0123456789", 10), 7);
	FILE *f = tmpfile();
	int saved = dup(2);
	fflush(stderr);
	CHECK(f && saved >= 0 && dup2(fileno(f), 2) == 2);
	text_complain("invalid X: \"%s\"", "a\\\x1b\n");
	fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	rewind(f);
	CHECK(fgets(got, sizeof got, f) != NULL);
	fclose(f);
	CHECK_STR(got, "wg-monitor: invalid X: \"a\\x5c\\x1b\\x0a\"\n");
}

TEST_MAIN(test_sanitize, test_json, test_kv, test_label, test_bound, test_every_byte,
          test_raw_then_complain)
