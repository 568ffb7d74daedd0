// SPDX-License-Identifier: MIT
/* libFuzzer harness for the UAPI reply parser, whole and streamed in pieces whose size
 * the first input byte picks:
 * clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_uapi.c \
 *       src/uapi_parse.c src/endpoint.c src/util.c src/text.c src/wg.c src/allowedips.c \
 *       -o fuzz_uapi */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void streamed(const uint8_t *data, size_t size)
{
	struct wg_device d = { 0 };
	struct uapi_stream s;
	char err[WG_ERRMSG_SIZE], *piece = malloc(size ? size : 1);
	size_t step = 1 + (size ? data[0] : 0), used;
	int rc = 0;
	if (!piece)
		return;
	uapi_stream_init(&s, &d, err, sizeof err);
	for (size_t pos = 0; rc == 0 && pos < size; pos += step) {
		size_t n = size - pos < step ? size - pos : step;
		memcpy(piece, data + pos, n);
		rc = uapi_stream_feed(&s, piece, n, &used, 1800000000000LL);
	}
	if (rc == 0)
		uapi_stream_eof(&s);
	wg_device_clear(&d);
	free(piece);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device d = { 0 };
	char err[WG_ERRMSG_SIZE];
	uapi_parse((const char *)data, size, &d, 1800000000000LL, err, sizeof err);
	wg_device_clear(&d);
	streamed(data, size);
	return 0;
}
