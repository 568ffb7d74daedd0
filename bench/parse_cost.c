// SPDX-License-Identifier: MIT
/* The steady poll's cost per peer, in instructions: a wireguard-go-shaped get=1 reply of N
 * peers fed to the UAPI parser in 64 KiB reads into a snapshot kept across polls, then
 * peers_update. `make bench-parse` runs it under callgrind for 1 and 4 polls, counting only
 * the counted_* functions (what the daemon's own code does with the reply). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"
#include "uapi.h"
#include "util.h"

#define NOW_MS 1795545700000LL

/* A fixed generator, so that every run parses the same reply. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void hex_key(char out[65], uint64_t *seed)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 64; i += 16) {
		uint64_t r = next_rand(seed);
		for (int j = 0; j < 16; j++)
			out[i + j] = digits[(r >> (4 * j)) & 15];
	}
	out[64] = '\0';
}

/* One peer as wireguard-go lists it: half with a handshake a minute ago and traffic. */
static int one_peer(char *o, size_t room, size_t i, uint64_t *seed)
{
	char pub[65], psk[65];
	hex_key(pub, seed);
	hex_key(psk, seed);
	bool live = i % 2 == 0;
	return snprintf(o, room,
	    "public_key=%s\npreshared_key=%s\nprotocol_version=1\n"
	    "endpoint=%u.%u.%u.%u:%u\nlast_handshake_time_sec=%lld\n"
	    "last_handshake_time_nsec=%u\ntx_bytes=%llu\nrx_bytes=%llu\n"
	    "persistent_keepalive_interval=%u\nallowed_ip=10.%u.%u.%u/32\n",
	    pub, psk, 198u, 51u, (unsigned)(i >> 8 & 255), (unsigned)(i & 255),
	    51820u + (unsigned)(i % 1000), live ? NOW_MS / 1000 - 60 : 0LL,
	    live ? 123456789u : 0u, live ? 1234567ull + i : 0ull, live ? 98765432ull + i : 0ull,
	    i % 3 == 0 ? 25u : 0u, (unsigned)(i >> 16 & 255), (unsigned)(i >> 8 & 255),
	    (unsigned)(i & 255));
}

static char *build_reply(size_t npeers, size_t *len)
{
	size_t cap = 512 + npeers * 400, n = 0;
	char *r = malloc(cap), key[65];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	if (!r)
		return NULL;
	hex_key(key, &seed);
	n += (size_t)snprintf(r, cap, "private_key=%s\nlisten_port=51820\n", key);
	for (size_t i = 0; i < npeers; i++)
		n += (size_t)one_peer(r + n, cap - n, i, &seed);
	n += (size_t)snprintf(r + n, cap - n, "errno=0\n\n");
	*len = n;
	return r;
}

static void count_event(void *ctx, const struct event *ev)
{
	(void)ev;
	(*(size_t *)ctx)++;
}

/* What is counted (callgrind --toggle-collect=counted_*): the parse of one read. The copy
 * into the read buffer stands for recv's, which the kernel makes, so it is left out. */
__attribute__((noinline)) static int counted_feed(struct uapi_stream *st, char *buf, size_t n)
{
	size_t used;
	return uapi_stream_feed(st, buf, n, &used, NOW_MS);
}

__attribute__((noinline)) static int counted_update(struct peer_table *t,
                                                    const struct wg_snapshot *s,
                                                    const struct clocks *now, size_t *events)
{
	return peers_update(t, s, now, count_event, events);
}

/* One poll as source_uapi.c reads it: the reply copied into the read buffer a piece at a
 * time, each parsed before the next read. */
static int parse_poll(struct wg_snapshot *s, const char *reply, size_t len, char *rbuf)
{
	char err[WG_ERRMSG_SIZE];
	struct uapi_stream st;
	wg_snapshot_reset(s);
	struct wg_device *d = wg_snapshot_add_device(s, "wg0");
	if (!d)
		return -1;
	d->source = WG_SRC_UAPI;
	uapi_stream_init(&st, d, err, sizeof err);
	int rc = 0;
	for (size_t pos = 0; rc == 0 && pos < len;) {
		size_t n = len - pos < UAPI_READ_MAX ? len - pos : UAPI_READ_MAX;
		memcpy(rbuf, reply + pos, n);
		rc = counted_feed(&st, rbuf, n);
		pos += n;
	}
	if (rc != 1)
		fprintf(stderr, "parse failed: %d %s\n", rc, err);
	return rc == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PEERS POLLS\n", argv[0]);
		return 2;
	}
	size_t npeers = strtoul(argv[1], NULL, 10), len, events = 0;
	int polls = atoi(argv[2]);
	char *reply = build_reply(npeers, &len), *rbuf = malloc(UAPI_READ_MAX);
	const struct peers_config cfg = { 135000, 10000, LIVENESS_HANDSHAKE };
	struct peer_table *t = peers_new(&cfg);
	struct wg_snapshot s = { 0 };
	int rc = reply && rbuf && t ? 0 : 1;
	for (int i = 0; rc == 0 && i < polls; i++) {
		const struct clocks now = { NOW_MS + i * 10000LL, 1000000 + i * 10000LL };
		rc = parse_poll(&s, reply, len, rbuf) < 0 ||
		     counted_update(t, &s, &now, &events) < 0;
	}
	if (rc == 0)
		printf("%zu peers, %d polls, %zu bytes a reply, %zu events\n", npeers, polls, len,
		       events);
	wg_snapshot_clear(&s);
	peers_free(t);
	free(rbuf);
	free(reply);
	return rc;
}
