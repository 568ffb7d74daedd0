// SPDX-License-Identifier: MIT
/* libFuzzer harness for the `wg show all dump` parser (whole, and streamed in pieces whose
 * size the first input byte picks) and wg's stderr reader:
 * clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_wgcli.c \
 *       src/wgcli_parse.c src/uapi_parse.c src/endpoint.c src/util.c src/text.c src/wg.c src/allowedips.c \
 *       -o fuzz_wgcli */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wgcli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void streamed(const uint8_t *data, size_t size, char *piece)
{
	struct wg_snapshot s = { 0 };
	struct wgcli_stream ps;
	char err[WG_ERRMSG_SIZE];
	size_t step = 1 + (size ? data[0] : 0);
	wgcli_stream_init(&ps, &s, err, sizeof err);
	for (size_t pos = 0; pos < size; pos += step) {
		size_t n = size - pos < step ? size - pos : step;
		memcpy(piece, data + pos, n);
		wgcli_stream_feed(&ps, piece, n);
	}
	wgcli_stream_end(&ps);
	wg_snapshot_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_snapshot s = { 0 };
	char err[WG_ERRMSG_SIZE], *buf = malloc(size + 1); /* the parser writes: copy */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	wgcli_parse(buf, size, &s, err, sizeof err);
	wgcli_parse_stderr((const char *)data, size, &s);
	wgcli_fix_ages(&s, 0, 1800000000000LL);
	wg_snapshot_clear(&s);
	streamed(data, size, buf);
	free(buf);
	return 0;
}
