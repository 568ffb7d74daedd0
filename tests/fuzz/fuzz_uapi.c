// SPDX-License-Identifier: MIT
/* libFuzzer harness for the UAPI reply parser:
 * clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_uapi.c \
 *       src/uapi_parse.c src/endpoint.c src/util.c src/wg.c -o fuzz_uapi */
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device d = { 0 };
	char err[WG_ERRMSG_SIZE];
	uapi_parse((const char *)data, size, &d, 1800000000000LL, err, sizeof err);
	wg_device_clear(&d);
	return 0;
}
