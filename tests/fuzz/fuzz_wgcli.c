// SPDX-License-Identifier: MIT
/* libFuzzer harness for the `wg show all dump` parser (whole, and streamed in pieces whose
 * size the first input byte picks, which must parse alike) and wg's stderr reader:
 * clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_wgcli.c \
 *       src/wgcli_parse.c src/uapi_parse.c src/endpoint.c src/util.c src/text.c src/wg.c src/allowedips.c \
 *       -o fuzz_wgcli */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "same_peer.h"
#include "wgcli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parse fed in pieces equals the whole one. The one documented difference, a cut line
 * keeping only WGCLI_FIELD4_KEEP bytes of its 5th field's text (its allowed IPs parsed as
 * they pass), cannot show in a successful parse: a fwmark that long is refused either way. */
static void same(const struct wg_snapshot *a, const struct wg_snapshot *b)
{
	if (a->ndevs != b->ndevs)
		abort();
	for (size_t i = 0; i < a->ndevs; i++) {
		const struct wg_device *d = &a->devs[i], *e = &b->devs[i];
		if (strcmp(d->name, e->name) || d->error != e->error || d->npeers != e->npeers ||
		    d->has_public_key != e->has_public_key || d->listen_port != e->listen_port ||
		    memcmp(d->public_key, e->public_key, WG_KEY_LEN))
			abort();
		for (size_t j = 0; j < d->npeers; j++)
			if (!same_peer(d, &d->peers[j], e, &e->peers[j]) ||
			    d->peers[j].line != e->peers[j].line)
				abort();
	}
}

/* Parses data in pieces of one size, and checks the outcome is the whole parse's (success
 * or failure, and on success the snapshot). */
static void streamed(const uint8_t *data, size_t size, char *piece,
                     const struct wg_snapshot *whole, int rc_whole)
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
	int rc = wgcli_stream_end(&ps);
	if ((rc == 0) != (rc_whole == 0))
		abort();
	if (rc == 0)
		same(whole, &s);
	wg_snapshot_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_snapshot s = { 0 };
	char err[WG_ERRMSG_SIZE], *buf = malloc(size + 1); /* the parser writes: copy */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int rc = wgcli_parse(buf, size, &s, err, sizeof err);
	streamed(data, size, buf, &s, rc);
	wgcli_parse_stderr((const char *)data, size, &s);
	wgcli_fix_ages(&s, 0, 1800000000000LL);
	wg_snapshot_clear(&s);
	free(buf);
	return 0;
}
