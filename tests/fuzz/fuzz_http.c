// SPDX-License-Identifier: MIT
/* libFuzzer harness for the HTTP request-head parser, as the server calls it: the input cut
 * into a fixed 4 KiB buffer, parsed, and the heads that follow parsed in turn (pipelining);
 * plus the METRICS_LISTEN address list.
 * clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_http.c \
 *       src/http_parse.c src/util.c src/text.c src/wg.c -o fuzz_http */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a request says must lie inside the bytes it was parsed from. */
static void check_within(const struct http_request *r, const char *buf, size_t len)
{
	if (r->head_len > len || (r->path && (r->path < buf || r->path + r->path_len > buf + len)) ||
	    (r->token && (r->token < buf || r->token + r->token_len > buf + len)))
		abort();
	if (r->status && (r->token || r->keep_alive))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[HTTP_REQ_MAX];
	size_t len = size < sizeof(buf) ? size : sizeof(buf);
	memcpy(buf, data, len);
	struct http_request r;
	size_t off = 0;
	while (off < len && http_parse(buf + off, len - off, sizeof(buf) - off, &r) == 1) {
		check_within(&r, buf + off, len - off);
		if (r.head_len == 0)
			abort();   /* a complete head always moves on */
		off += r.head_len;
	}
	char spec[256];
	size_t slen = size < sizeof(spec) - 1 ? size : sizeof(spec) - 1;
	memcpy(spec, data, slen);
	spec[slen] = '\0';
	struct http_addr addrs[HTTP_MAX_LISTEN];
	size_t n;
	char err[200];
	http_parse_listen(spec, addrs, HTTP_MAX_LISTEN, &n, err, sizeof(err));
	return 0;
}
