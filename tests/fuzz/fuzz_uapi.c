// SPDX-License-Identifier: MIT
/* libFuzzer harness for the UAPI reply parser, whole and streamed in pieces whose size
 * the first two input bytes pick (built by `make fuzz` / `make fuzz-regress`). Both must
 * agree on the outcome, the error text and every field; no secret (a private_key or preshared_key value of
 * 64 hex digits given nowhere else) may land in a key field or an error message, nor stay
 * in a piece the parser has passed. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "same_peer.h"
#include "uapi.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1800000000000LL
#define HEX_LEN (2 * WG_KEY_LEN)

struct secrets {
	const char *hex[8];   /* into the input: each a secret's 64 digits */
	uint8_t key[8][WG_KEY_LEN];
	size_t n;
};

/* How many 64-digit runs of the input (any offset) decode to key. */
static size_t key_count(const char *in, size_t size, const uint8_t key[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN];
	size_t n = 0;
	for (size_t i = 0; i + HEX_LEN <= size; i++)
		n += key_from_hex(k, in + i, HEX_LEN) && memcmp(k, key, WG_KEY_LEN) == 0;
	return n;
}

static void find_secrets(const char *in, size_t size, struct secrets *s)
{
	static const char *const names[] = { "private_key=", "preshared_key=" };
	s->n = 0;
	for (size_t i = 0; i < size && s->n < 8; i++) {
		for (size_t w = 0; w < 2; w++) {
			size_t nl = strlen(names[w]), at = i + nl;
			if ((i == 0 || in[i - 1] == '\n') && size - i >= nl + HEX_LEN &&
			    memcmp(in + i, names[w], nl) == 0 && key_from_hex(s->key[s->n], in + at, HEX_LEN) &&
			    key_count(in, size, s->key[s->n]) == 1)
				s->hex[s->n++] = in + at;
		}
	}
}

static bool holds(const char *buf, size_t len, const char *hex)
{
	for (size_t i = 0; i + HEX_LEN <= len; i++)
		if (strncasecmp(buf + i, hex, HEX_LEN) == 0)
			return true;
	return false;
}

static void no_secret(const struct secrets *s, const struct wg_device *d, const char *err,
                      const char *buf, size_t len)
{
	for (size_t i = 0; i < s->n; i++) {
		if (holds(err, strlen(err), s->hex[i]) || (buf && holds(buf, len, s->hex[i])) ||
		    (d->has_public_key && !memcmp(d->public_key, s->key[i], WG_KEY_LEN)))
			abort();
		for (size_t p = 0; p < d->npeers; p++)
			if (!memcmp(d->peers[p].public_key, s->key[i], WG_KEY_LEN))
				abort();
	}
}

static void same(const struct wg_device *a, const struct wg_device *b)
{
	if (a->npeers != b->npeers || a->has_public_key != b->has_public_key ||
	    memcmp(a->public_key, b->public_key, WG_KEY_LEN) || a->listen_port != b->listen_port)
		abort();
	for (size_t i = 0; i < a->npeers; i++)
		if (!same_peer(a, &a->peers[i], b, &b->peers[i]))
			abort();
}

/* Fed in pieces of one size (1 to 2048 bytes, from the first two input bytes, so the one
 * pass, which needs 513 bytes left in a piece, runs too), each in an allocation of its own
 * size so that ASan sees a read past it; returns the outcome as uapi_parse's: 0 or -errno,
 * err its message unless *trailing (bytes after the reply, which uapi_parse refuses). */
static int streamed(const uint8_t *data, size_t size, struct wg_device *d,
                    const struct secrets *sec, char *err, bool *trailing)
{
	struct uapi_stream s;
	size_t step = 1 + (size > 1 ? (data[0] | (size_t)data[1] << 8) % 2048 : 0);
	size_t used = 0, pos = 0;
	int rc = 0;
	uapi_stream_init(&s, d, err, WG_ERRMSG_SIZE);
	for (; rc == 0 && pos < size; pos += step) {
		size_t n = size - pos < step ? size - pos : step;
		char *piece = malloc(n);
		if (!piece)
			abort();
		memcpy(piece, data + pos, n);
		rc = uapi_stream_feed(&s, piece, n, &used, NOW_MS);
		no_secret(sec, d, rc < 0 ? err : "", piece, rc == 1 ? used : n);
		free(piece);
	}
	if (rc == 0)
		rc = uapi_stream_eof(&s);
	no_secret(sec, d, rc < 0 ? err : "", NULL, 0);
	*trailing = rc == 1 && pos - step + used != size;
	return rc == 1 && !*trailing ? 0 : rc == 1 ? -EPROTO : rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device whole = { 0 }, parts = { 0 };
	struct secrets sec;
	char err[WG_ERRMSG_SIZE] = "";
	find_secrets((const char *)data, size, &sec);
	int rc = uapi_parse((const char *)data, size, &whole, NOW_MS, err, sizeof err);
	no_secret(&sec, &whole, rc < 0 ? err : "", NULL, 0);
	char serr[WG_ERRMSG_SIZE] = "";
	bool trailing;
	int rs = streamed(data, size, &parts, &sec, serr, &trailing);
	if (rc != rs || (rc < 0 && !trailing && strcmp(err, serr) != 0))
		abort();
	if (rc == 0)
		same(&whole, &parts);
	wg_device_clear(&whole);
	wg_device_clear(&parts);
	return 0;
}
