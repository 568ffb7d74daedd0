// SPDX-License-Identifier: MIT
/* libFuzzer harness for the names file parser and the wg-quick config-comment parser
 * (make fuzz builds it with the FUZZ_SRCS of the Makefile). Every name found must be
 * at most 64 bytes without a control byte. */
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

static void check(const struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++) {
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
	if (names_parse_file(&nm, (const char *)data, size, no_warn, NULL) == 0)
		check(&nm);
	if (names_parse_config(&nm, (const char *)data, size, no_warn, NULL) == 0)
		check(&nm);
	names_free(&nm);
	return 0;
}
