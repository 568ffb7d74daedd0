// SPDX-License-Identifier: MIT
/* The streaming UAPI reader: a reply in any pieces parses as in one, the secrets in each
 * piece are zeroed by the time the parser returns, and every limit fails by name. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "uapi.h"
#include "util.h"

#define NOW_MS 1800000000000LL

/* Two secrets and three peers, in wireguard-go's order; *n gets the length. */
static void sample(char *buf, size_t size, size_t *n)
{
	char k[5][65];
	for (unsigned i = 0; i < 5; i++)
		for (int j = 0; j < 32; j++)
			snprintf(k[i] + 2 * j, 3, "%02x", 0x30 + 0x11 * i);
	int len = snprintf(buf, size,
	         "private_key=%s\nlisten_port=51901\nfwmark=0\n"
	         "public_key=%s\npreshared_key=%s\nprotocol_version=1\nendpoint=127.0.0.1:51902\n"
	         "last_handshake_time_sec=1795545671\nlast_handshake_time_nsec=123456789\n"
	         "tx_bytes=360\nrx_bytes=92\npersistent_keepalive_interval=5\n"
	         "allowed_ip=10.99.0.2/32\nallowed_ip=fd99:1234:5678:9abc:def0:1234:5678:9abc/128\n"
	         "public_key=%s\nprotocol_version=1\nendpoint=[fe80::1%%wg0]:7\ntx_bytes=1\n"
	         "allowed_ip=0.0.0.0/0\n"
	         "public_key=%s\npreshared_key=%s\nrx_bytes=18446744073709551615\nerrno=0\n\n",
	         k[0], k[1], k[4], k[2], k[3], k[4]);
	*n = (size_t)len;
}

/* Whether buf[from..to) (bytes from..to of the reply) still holds a byte of a secret. */
static bool secret_left(const char *reply, size_t len, const char *buf, size_t from, size_t to)
{
	static const char *const names[] = { "private_key=", "preshared_key=" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		for (const char *p = reply; (p = memmem(p, len - (size_t)(p - reply), names[i],
		                                        strlen(names[i]))) != NULL; p++) {
			size_t v = (size_t)(p - reply) + strlen(names[i]);
			for (size_t b = v; b < v + 64; b++)
				if (b >= from && b < to && buf[b - from] != '\0')
					return true;
		}
	return false;
}

static bool same_device(const struct wg_device *a, const struct wg_device *b)
{
	return a->npeers == b->npeers && a->listen_port == b->listen_port &&
	       (!a->npeers || memcmp(a->peers, b->peers, a->npeers * sizeof *a->peers) == 0) &&
	       a->nips == b->nips && (!a->nips || memcmp(a->ips, b->ips, a->nips * sizeof *a->ips) == 0);
}

/* Feeds reply[0..len) in pieces ending at cuts[]; checks each piece after its parse. */
static int feed_cut(const char *reply, size_t len, const size_t *cuts, size_t ncuts,
                    struct wg_device *d, unsigned *leaks)
{
	struct uapi_stream s;
	char err[200], piece[4096];
	size_t from = 0, used = 0;
	int rc = 0;
	memset(d, 0, sizeof *d);
	uapi_stream_init(&s, d, err, sizeof err);
	for (size_t i = 0; i <= ncuts && rc == 0; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		memcpy(piece, reply + from, to - from);
		rc = uapi_stream_feed(&s, piece, to - from, &used, NOW_MS);
		*leaks += secret_left(reply, len, piece, from, to);
		from = to;
	}
	if (rc == 0)
		rc = uapi_stream_eof(&s);
	for (size_t i = 0; i < sizeof s.carry; i++)
		*leaks += s.carry[i] != '\0';
	return rc;
}

static void test_every_cut(void)
{
	char reply[4096], err[200];
	size_t len;
	struct wg_device whole = { 0 }, d;
	unsigned leaks = 0, differ = 0, failed = 0;
	sample(reply, sizeof reply, &len);
	CHECK_INT(uapi_parse(reply, len, &whole, NOW_MS, err, sizeof err), 0);
	CHECK_INT(whole.npeers, 3);
	CHECK_INT(whole.nips, 3);   /* allowed IPs too must come out the same at every cut */
	for (size_t cut = 0; cut <= len; cut++) {
		failed += feed_cut(reply, len, &cut, 1, &d, &leaks) != 1;
		differ += !same_device(&whole, &d);
		wg_device_clear(&d);
	}
	/* and one byte at a time: every line, secret and peer split everywhere at once */
	size_t cuts[4096];
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	CHECK_INT(feed_cut(reply, len, cuts, len - 1, &d, &leaks), 1);
	CHECK(same_device(&whole, &d));
	CHECK_INT(failed, 0);
	CHECK_INT(differ, 0);
	CHECK_INT(leaks, 0);
	wg_device_clear(&d);
	wg_device_clear(&whole);
}

/* A peer whose lines arrive over three reads exists only once it is complete, and is
 * whole at the end. */
static void test_peer_split(void)
{
	const char *parts[] = { "listen_port=1\npublic_key=", "0101010101010101010101010101"
	                        "010101010101010101010101010101010101\nrx_b", "ytes=77\ntx_bytes=5\n"
	                        "errno=0\n\ntrailing" };
	struct wg_device d = { 0 };
	struct uapi_stream s;
	char err[200], buf[256];
	size_t used;
	uapi_stream_init(&s, &d, err, sizeof err);
	for (size_t i = 0; i < 2; i++) {
		snprintf(buf, sizeof buf, "%s", parts[i]);
		CHECK_INT(uapi_stream_feed(&s, buf, strlen(buf), &used, NOW_MS), 0);
		CHECK_INT(used, strlen(parts[i]));
		CHECK_INT(d.npeers, i);
	}
	snprintf(buf, sizeof buf, "%s", parts[2]);
	CHECK_INT(uapi_stream_feed(&s, buf, strlen(buf), &used, NOW_MS), 1);
	CHECK_INT(used, strlen(parts[2]) - strlen("trailing"));
	CHECK_INT(d.npeers, 1);
	CHECK_INT(d.peers[0].rx_bytes, 77);
	CHECK_INT(d.peers[0].tx_bytes, 5);
	CHECK_INT(d.peers[0].public_key[31], 1);
	CHECK_INT(uapi_stream_eof(&s), 1);   /* complete: the daemon closing is no error */
	wg_device_clear(&d);
}

/* A line over UAPI_LINE_MAX fails by name wherever the reads cut it. */
static void test_line_limit_cut(void)
{
	char reply[1024];
	struct wg_device d;
	unsigned leaks = 0, wrong = 0;
	memset(reply, 'a', sizeof reply);
	memcpy(reply, "x=", 2);
	memcpy(reply + 513, "\nerrno=0\n\n", 10);
	for (size_t cut = 0; cut <= 523; cut++) {
		wrong += feed_cut(reply, 523, &cut, 1, &d, &leaks) != -EPROTO;
		wg_device_clear(&d);
	}
	CHECK_INT(wrong, 0);
	/* 512 bytes is still fine, cut anywhere */
	memcpy(reply + 512, "\nerrno=0\n\n", 10);
	for (size_t cut = 0; cut <= 522; cut++) {
		wrong += feed_cut(reply, 522, &cut, 1, &d, &leaks) != 1;
		wg_device_clear(&d);
	}
	CHECK_INT(wrong, 0);
	struct uapi_stream s;
	char err[200], buf[600];
	size_t used;
	memset(&d, 0, sizeof d);
	uapi_stream_init(&s, &d, err, sizeof err);
	memset(buf, 'b', sizeof buf);
	CHECK_INT(uapi_stream_feed(&s, buf, 300, &used, NOW_MS), 0);
	CHECK_INT(uapi_stream_feed(&s, buf, 300, &used, NOW_MS), -EPROTO);
	CHECK_CONTAINS(err, "line 1: line longer than 512 bytes");
	CHECK_INT(uapi_stream_feed(&s, buf, 3, &used, NOW_MS), -EPROTO); /* it stays failed */
	CHECK_INT(uapi_stream_eof(&s), -EPROTO);
}

/* WG_MAX_PEERS peers are read; one more fails naming the limit, keeping no peer. */
static void test_peer_limit(void)
{
	struct wg_device d = { 0 };
	struct uapi_stream s;
	char err[200], *buf = malloc(UAPI_READ_MAX);
	size_t used, len = 0;
	int rc = 0;
	uapi_stream_init(&s, &d, err, sizeof err);
	for (size_t i = 0; i <= WG_MAX_PEERS && rc == 0; i++) {
		len += (size_t)sprintf(buf + len, "public_key=%056x%08zx\n", 0, i);
		if (len + 80 > UAPI_READ_MAX || i == WG_MAX_PEERS) {
			rc = uapi_stream_feed(&s, buf, len, &used, NOW_MS);
			len = 0;
		}
		if (i + 1 == WG_MAX_PEERS)
			CHECK_INT(rc, 0);
	}
	CHECK_INT(rc, -E2BIG);
	CHECK_CONTAINS(err, "line 1000001: more than 1000000 peers");
	CHECK_INT(d.npeers, 0);
	wg_device_clear(&d); /* a failed parse keeps the arrays for the next poll */
	free(buf);
}

/* The errors a complete stream can still end with, by name. */
static void test_stream_errors(void)
{
	static const struct { const char *text; int rc; const char *why; } cases[] = {
		{ "errno=0\n", -EPROTO, "line 2: reply ends without the empty line" },
		{ "listen_port=1", -EPROTO, "last line has no newline" },
		{ "", -EPROTO, "connection closed without a reply" },
		{ "\n", -EPROTO, "line 1: reply ended without an errno line" },
		{ "listen_port=1\n", -EPROTO, "line 2: reply ends without errno and empty line" },
		{ "errno=-24\n\n", -EMFILE, "errno=-24" },
		{ "private_key=secret\nerrno=1\n\n", -EPERM, "errno=1" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct wg_device d = { 0 };
		struct uapi_stream s;
		char err[200], buf[64];
		size_t used, n = (size_t)snprintf(buf, sizeof buf, "%s", cases[i].text);
		uapi_stream_init(&s, &d, err, sizeof err);
		int rc = uapi_stream_feed(&s, buf, n, &used, NOW_MS);
		CHECK_INT(rc == 0 ? uapi_stream_eof(&s) : rc, cases[i].rc);
		CHECK_CONTAINS(err, cases[i].why);
		CHECK(memmem(buf, n, "secret", 6) == NULL);
	}
}

/* ---- the one-pass lines against the line-at-a-time path ----------------------------- */

/* Hostile forms of a peer's lines: the one pass must hand each to the slow path or read
 * it exactly as that would. */
static const char *const odd_lines[] = {
	"tx_bytes=01\n", "tx_bytes=18446744073709551615\n", "tx_bytes=18446744073709551616\n",
	"tx_bytes=000000000000000000001\n", "tx_bytes=\n", "tx_bytes=1x\n", "tx_bytes=1 \n",
	"rx_bytes=-1\n", "last_handshake_time_nsec=1000000000\n", "last_handshake_time_sec=0\n",
	"last_handshake_time_sec=9223372036854775808\n", "protocol_version=4294967296\n",
	"persistent_keepalive_interval=65536\n", "persistent_keepalive_interval=0\n",
	"endpoint=1.2.3.4:5\n", "endpoint=01.2.3.4:5\n", "endpoint=\n", "endpoint=[::1]:7\n",
	"endpoint=1.2.3.4\n", "allowed_ip=10.0.0.1/32\n", "allowed_ip=10.0.0.256/32\n",
	"allowed_ip=\n", "allowed_ip=::/0\n", "allowed_ip=1.2.3.4/33\n", "preshared_key=abc\n",
	"preshared_key=\n", "public_key=00\n", "tx_bytes\n", "tx_bytesx=1\n", "errno=0\n",
	"listen_port=1\n", "private_key=ab\n", "\n", "tx_bytes=1\r\n", "public_key\n",
};

/* A reply of 4 peers, one line of it replaced, doubled, dropped or given a stray byte,
 * then padded (unknown keys, ignored) so that every peer line has a full line's room
 * after it in one piece: *len gets the length. */
static void mutated_reply(char *r, size_t size, size_t *len, unsigned *seed)
{
	char k[65], lines[64][600];
	size_t nl = 0, o = 0;
	for (unsigned p = 0; p < 4; p++) {
		for (int j = 0; j < 32; j++)
			snprintf(k + 2 * j, 3, "%02x", (unsigned)(rand_r(seed) & 255));
		snprintf(lines[nl++], 600, "public_key=%s\n", k);
		snprintf(lines[nl++], 600, "preshared_key=%s\n", k);
		snprintf(lines[nl++], 600, "protocol_version=1\nendpoint=10.%u.0.1:%u\n", p,
		         51820 + p);
		snprintf(lines[nl++], 600, "last_handshake_time_sec=%u\n", 1795545600 + p);
		snprintf(lines[nl++], 600, "last_handshake_time_nsec=%u\ntx_bytes=%u\n", p * 7, p);
		snprintf(lines[nl++], 600, "rx_bytes=%u\npersistent_keepalive_interval=%u\n", p, p);
		snprintf(lines[nl++], 600, "allowed_ip=10.%u.0.0/16\n", p);
	}
	size_t at = (size_t)rand_r(seed) % nl;
	int how = rand_r(seed) % 4;
	if (how == 0)
		snprintf(lines[at], 600, "%s", odd_lines[(size_t)rand_r(seed) % ARRAY_SIZE(odd_lines)]);
	o += (size_t)snprintf(r, size, "private_key=%s\nlisten_port=1\n", k);
	for (size_t i = 0; i < nl; i++) {
		if (how == 1 && i == at)
			continue;
		size_t n = strlen(lines[i]);
		memcpy(r + o, lines[i], n);
		if (how == 2 && i == at)
			r[o + (size_t)rand_r(seed) % n] = "0x\n=\0 "[rand_r(seed) % 6];
		o += n;
		if (how == 3 && i == at)
			o += (size_t)snprintf(r + o, size - o, "%s", lines[i]);
	}
	o += (size_t)snprintf(r + o, size - o, "pad=%0400d\npad=%0400d\nerrno=0\n\n", 0, 0);
	*len = o;
}

/* Parses reply[0..len) fed `step` bytes at a time (0: in one piece); buf keeps what the
 * parser left of the last piece fed (all of it in one piece). */
static int feed_step(const char *reply, size_t len, size_t step, char *buf,
                     struct wg_device *d, char *err, size_t errlen)
{
	struct uapi_stream s;
	size_t used, n = step ? step : len;
	int rc = 0;
	memset(d, 0, sizeof *d);
	uapi_stream_init(&s, d, err, errlen);
	for (size_t from = 0; from < len && rc == 0; from += n) {
		size_t m = len - from < n ? len - from : n;
		memcpy(buf, reply + from, m);
		rc = uapi_stream_feed(&s, buf, m, &used, NOW_MS);
	}
	return rc == 0 ? uapi_stream_eof(&s) : rc;
}

/* Whether a secret's value (to the end of its line) of the reply is left in buf. */
static bool secret_in(const char *reply, size_t len, const char *buf)
{
	for (size_t i = 0; i < len; i = (size_t)((const char *)memchr(reply + i, '\n', len - i) -
	                                          reply) + 1) {
		size_t v = !strncmp(reply + i, "private_key=", 12) ? i + 12 :
		           !strncmp(reply + i, "preshared_key=", 14) ? i + 14 : 0;
		for (; v && reply[v] != '\n'; v++)
			if (buf[v] != '\0')
				return true;
	}
	return false;
}

/* Thousands of mutated replies: in one piece (the one pass reads most lines) and a byte at
 * a time (the slow path reads all) they give the same result, error text included. */
static void test_one_pass_same(void)
{
	static char reply[8192], one[8192], bytes[8192];
	char err1[200], err2[200];
	unsigned seed = 1, differ = 0, leaks = 0, ok = 0;
	for (int i = 0; i < 10000; i++) {
		size_t len;
		struct wg_device a, b;
		mutated_reply(reply, sizeof reply, &len, &seed);
		int ra = feed_step(reply, len, 0, one, &a, err1, sizeof err1);
		int rb = feed_step(reply, len, 1, bytes, &b, err2, sizeof err2);
		differ += ra != rb || strcmp(err1, err2) != 0 || !same_device(&a, &b);
		leaks += ra == 1 && secret_in(reply, len, one);
		ok += ra == 1;
		wg_device_clear(&a);
		wg_device_clear(&b);
	}
	CHECK_INT(differ, 0);
	CHECK_INT(leaks, 0);
	CHECK(ok > 2500 && ok < 10000);
}

/* A too-long line of each key the one pass reads, its first P bytes (P around the one
 * pass's bound of UAPI_LINE_MAX + 1 bytes left) in a piece of their own followed in memory
 * by a '\n' the parser must not read: the result is the byte-at-a-time one, "line longer"
 * (a read past the piece would see a line of 512 bytes and blame its value instead). */
static void test_fast_path_bound(void)
{
	static const char *const keys[] = { "public_key", "preshared_key", "protocol_version",
		"endpoint", "last_handshake_time_sec", "last_handshake_time_nsec", "tx_bytes",
		"rx_bytes", "persistent_keepalive_interval", "allowed_ip" };
	static char reply[2048], bytes[2048];
	char pfx[200], err1[200], err2[200];
	unsigned differ = 0, runs = 0;
	int plen = snprintf(pfx, sizeof pfx, "listen_port=1\npublic_key=%064d\n", 0);
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		for (size_t cut = UAPI_LINE_MAX - 8; cut <= UAPI_LINE_MAX + 8; cut++) {
			int len = snprintf(reply, sizeof reply, "%s%s=%0600d\nerrno=0\n\n", pfx,
			                   keys[k], 1);
			struct wg_device a, b;
			int rb = feed_step(reply, (size_t)len, 1, bytes, &b, err2, sizeof err2);
			struct uapi_stream s;
			size_t used;
			char *piece = malloc(cut + 1);
			CHECK(piece != NULL);
			memset(&a, 0, sizeof a);
			uapi_stream_init(&s, &a, err1, sizeof err1);
			memcpy(bytes, reply, (size_t)plen);
			int ra = uapi_stream_feed(&s, bytes, (size_t)plen, &used, NOW_MS);
			memcpy(piece, reply + plen, cut);
			piece[cut] = '\n';
			if (ra == 0)
				ra = uapi_stream_feed(&s, piece, cut, &used, NOW_MS);
			if (ra == 0) {
				size_t rest = (size_t)len - (size_t)plen - cut;
				memcpy(bytes, reply + plen + cut, rest);
				ra = uapi_stream_feed(&s, bytes, rest, &used, NOW_MS);
			}
			differ += ra != rb || strcmp(err1, err2) != 0 || !same_device(&a, &b);
			runs += rb == -EPROTO && strstr(err2, "longer") != NULL;
			free(piece);
			wg_device_clear(&a);
			wg_device_clear(&b);
		}
	CHECK_INT(differ, 0);
	CHECK_INT(runs, (int)(ARRAY_SIZE(keys) * 17));
}

TEST_MAIN(test_every_cut, test_peer_split, test_line_limit_cut, test_peer_limit,
          test_stream_errors, test_one_pass_same, test_fast_path_bound)
