// SPDX-License-Identifier: MIT
/* libFuzzer harness for the names file parser and the wg-quick config-comment parser
 * (WG_CONFIG_DIR/<if>.conf; built by `make fuzz` / `make fuzz-regress`). Every name
 * found must be 1-64 bytes without a control byte, and hold no PrivateKey or
 * PresharedKey value of the input (one given nowhere else). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_warn(void *ctx, size_t lineno, const char *why)
{
	(void)ctx;
	(void)lineno;
	(void)why;
}

#define SECRETS_MAX 8

struct secrets {
	char v[SECRETS_MAX][WG_KEY_B64_LEN];
	size_t n;
};

static size_t occurrences(const char *in, size_t size, const char *v, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i + len <= size; i++)
		n += memcmp(in + i, v, len) == 0;
	return n;
}

/* The 44-character values of "PrivateKey = " and "PresharedKey = " lines. */
static void find_secrets(const char *in, size_t size, struct secrets *s)
{
	static const char *const keys[] = { "PrivateKey = ", "PresharedKey = " };
	const size_t vlen = WG_KEY_B64_LEN - 1;
	s->n = 0;
	for (size_t i = 0; i < size && s->n < SECRETS_MAX; i++) {
		for (size_t k = 0; k < 2; k++) {
			size_t kl = strlen(keys[k]);
			if ((i == 0 || in[i - 1] == '\n') && size - i >= kl + vlen &&
			    memcmp(in + i, keys[k], kl) == 0 &&
			    occurrences(in, size, in + i + kl, vlen) == 1 &&
			    !memchr(in + i + kl, '\0', vlen)) {
				memcpy(s->v[s->n], in + i + kl, vlen);
				s->v[s->n++][vlen] = '\0';
			}
		}
	}
}

static void check(const struct names *nm, const struct secrets *sec)
{
	for (size_t i = 0; i < nm->n; i++) {
		for (size_t k = 0; k < sec->n; k++)
			if (strstr(nm->e[i].name, sec->v[k]))
				abort();
		size_t n = strlen(nm->e[i].name);
		if (n == 0 || n > NAMES_NAME_MAX)
			abort();
		for (size_t j = 0; j < n; j++)
			if ((unsigned char)nm->e[i].name[j] < 0x20 || nm->e[i].name[j] == 0x7f)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names nm = { 0 };
	struct secrets sec;
	find_secrets((const char *)data, size, &sec);
	if (names_parse_file(&nm, (const char *)data, size, no_warn, NULL) == 0)
		check(&nm, &sec);
	if (names_parse_config(&nm, (const char *)data, size, no_warn, NULL) == 0)
		check(&nm, &sec);
	names_free(&nm);
	return 0;
}
