// SPDX-License-Identifier: MIT
/* The UAPI reply parser and its endpoints: wireguard-go and boringtun replies in
 * the format captured from real daemons, then every malformed shape we refuse. */
#include <errno.h>
#include <stdlib.h>

#include "allowedips.h"
#include "endpoint.h"
#include "epfix.h"
#include "harness.h"
#include "uapi.h"
#include "util.h"

#define NOW_MS 1800000000000LL

static char *hexkey(char out[65], unsigned b)
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b & 0xff);
	return out;
}

static int parse(const char *s, struct wg_device *d, char *err)
{
	wg_device_clear(d);
	memset(d, 0, sizeof *d);
	return uapi_parse(s, strlen(s), d, NOW_MS, err, 200);
}

static int parse_fmt(struct wg_device *d, char *err, const char *body)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", body);
	return parse(buf, d, err);
}

/* The i-th allowed IP of p as text. */
static const char *ip_of(const struct wg_device *d, const struct wg_peer *p, uint32_t i)
{
	static char t[ALLOWEDIP_TEXT_SIZE];
	if (i >= p->nips)
		return "(missing)";
	allowedip_text(t, &d->ips[p->ips_at + i]);
	return t;
}

static void test_wireguard_go(void)
{
	char k[4][65], buf[4096], err[200];
	struct wg_device d = { 0 };
	/* key order and values as observed from wireguard-go 0.0.20220316 */
	snprintf(buf, sizeof buf,
	         "private_key=%s\nlisten_port=51901\nfwmark=0\n"
	         "public_key=%s\npreshared_key=%s\nprotocol_version=1\nendpoint=127.0.0.1:51902\n"
	         "last_handshake_time_sec=1795545671\nlast_handshake_time_nsec=123456789\n"
	         "tx_bytes=360\nrx_bytes=92\npersistent_keepalive_interval=5\n"
	         "allowed_ip=10.99.0.2/32\nallowed_ip=fd99::2/128\n"
	         "public_key=%s\npreshared_key=%s\nprotocol_version=1\n"
	         "last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n"
	         "persistent_keepalive_interval=0\nallowed_ip=10.99.0.3/32\nerrno=0\n\n",
	         hexkey(k[0], 0xa0), hexkey(k[1], 0x02), hexkey(k[2], 0x77), hexkey(k[3], 0x01),
	         "0000000000000000000000000000000000000000000000000000000000000000");
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK_STR(err, "");
	CHECK_INT(d.npeers, 2);
	CHECK(!d.has_public_key);
	CHECK_INT(d.listen_port, 51901);
	/* in the reply's order, not sorted: duplicates are found by a hash index */
	struct wg_peer *p = &d.peers[0], *never = &d.peers[1];
	CHECK_INT(never->public_key[0], 0x01);
	CHECK_INT(never->hs_kind, WG_HS_TIME);
	CHECK_INT(never->last_handshake_sec, 0);
	CHECK_INT(never->last_handshake_nsec, 0);
	CHECK_STR(ep_str(&never->endpoint), "");
	CHECK_INT(p->public_key[31], 0x02);
	CHECK_STR(ep_str(&p->endpoint), "127.0.0.1:51902");
	CHECK_INT(p->last_handshake_sec, 1795545671);
	CHECK_INT(p->last_handshake_nsec, 123456789);
	CHECK_INT(p->hs_kind, WG_HS_TIME);
	CHECK(!p->hs_approx);
	CHECK_INT(p->tx_bytes, 360);
	CHECK_INT(p->rx_bytes, 92);
	CHECK_INT(p->persistent_keepalive, 5);
	/* the allowed IPs followed their peers through the sort */
	CHECK_INT(p->nips, 2);
	CHECK_INT(p->ips_total, 2);
	CHECK_STR(ip_of(&d, p, 0), "10.99.0.2/32");
	CHECK_STR(ip_of(&d, p, 1), "fd99::2/128");
	CHECK_INT(never->nips, 1);
	CHECK_STR(ip_of(&d, never, 0), "10.99.0.3/32");
	wg_device_clear(&d);
}

/* 70 allowed IPs: 64 kept, 70 counted; the next peer's own list is whole. Then every
 * malformed allowed_ip fails the reply. */
static void test_allowed_ips(void)
{
	char k[65], buf[8192], err[200];
	struct wg_device d = { 0 };
	size_t o = (size_t)snprintf(buf, sizeof buf, "public_key=%s\n", hexkey(k, 0x01));
	for (int i = 0; i < 70; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "allowed_ip=10.0.%d.0/24\n", i);
	snprintf(buf + o, sizeof buf - o, "public_key=%s\nallowed_ip=::/0\nerrno=0\n\n",
	         hexkey(k, 0x02));
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK_INT(d.npeers, 2);
	if (d.npeers == 2) {
		CHECK_INT(d.peers[0].nips, WG_ALLOWEDIPS_KEEP);
		CHECK_INT(d.peers[0].ips_total, 70);
		CHECK_STR(ip_of(&d, &d.peers[0], 63), "10.0.63.0/24");
		CHECK_INT(d.peers[1].nips, 1);
		CHECK_STR(ip_of(&d, &d.peers[1], 0), "::/0");
	}
	static const char *const bad[] = { "10.0.0.1/33", "10.0.0.1", "host/32", "fd00::/129",
		"10.0.0.1/ 3", "10.0.0.1/", "/32", "10.0.0.256/32", "fd00::g/64", "" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof buf, "public_key=%s\nallowed_ip=%s\nerrno=0\n\n",
		         hexkey(k, 0x01), bad[i]);
		CHECK_INT(parse(buf, &d, err), -EPROTO);
		CHECK_CONTAINS(err, "allowed_ip");
		CHECK_INT(d.npeers, 0);
	}
	/* a NUL inside the value: inet_pton would take what came before it */
	struct wg_allowedip a;
	CHECK(!allowedip_parse(&a, "10.0.0.1\0x/32", 13));
	CHECK(!allowedip_parse(&a, "10.0.0.1/3\0", 12));
	CHECK(allowedip_parse(&a, "10.0.0.1/32", 11));
	wg_device_clear(&d);
}

/* The joined label: "(none)" only for a peer that has none, not one past the bound. */
static void test_allowed_ips_join(void)
{
	char out[64] = "x";
	struct wg_allowedip a;
	CHECK(allowedip_parse(&a, "10.0.0.1/32", 11));
	struct allowed_ips none = { .v = NULL }, dropped = { .total = 70 };
	struct allowed_ips one = { .v = &a, .n = 1, .total = 2 };
	CHECK_INT(allowed_ips_join(out, sizeof out, &none), 6);
	CHECK_STR(out, "(none)");
	CHECK_INT(allowed_ips_join(out, sizeof out, &dropped), 0);
	CHECK_STR(out, "");
	CHECK_INT(allowed_ips_join(out, sizeof out, &one), 11);
	CHECK_STR(out, "10.0.0.1/32");
}

static void test_boringtun(void)
{
	char k[3][65], buf[4096], err[200];
	struct wg_device d = { 0 };
	snprintf(buf, sizeof buf,
	         "own_public_key=%s\nlisten_port=51820\n"
	         "public_key=%s\nendpoint=[::1]:51999\nlast_handshake_time_sec=55\n"
	         "last_handshake_time_nsec=500000000\nrx_bytes=92\ntx_bytes=360\n"
	         "persistent_keepalive_interval=25\nallowed_ip=10.0.0.2/32\n"
	         "public_key=%s\nrx_bytes=0\ntx_bytes=0\nallowed_ip=10.0.0.3/32\nerrno=0\n\n",
	         hexkey(k[0], 0xb0), hexkey(k[1], 0x01), hexkey(k[2], 0x02));
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK(d.has_public_key);
	CHECK_INT(d.public_key[5], 0xb0);
	CHECK_INT(d.npeers, 2);
	struct wg_peer *p = &d.peers[0], *q = &d.peers[1];
	CHECK_INT(p->hs_kind, WG_HS_TIME);
	CHECK(p->hs_approx);
	CHECK_INT(p->last_handshake_sec, 1799999944);   /* now - 55.5 s */
	CHECK_INT(p->last_handshake_nsec, 500000000);
	CHECK_STR(ep_str(&p->endpoint), "[::1]:51999");
	CHECK_INT(p->persistent_keepalive, 25);
	CHECK_INT(q->hs_kind, WG_HS_UNKNOWN);           /* no session: keep the old value */
	CHECK_INT(q->last_handshake_sec, 0);

	/* no own_public_key, but also no private_key nor protocol_version: still boringtun */
	snprintf(buf, sizeof buf, "public_key=%s\nlast_handshake_time_sec=1795545671\n"
	         "last_handshake_time_nsec=0\nerrno=0\n\n", k[1]);
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK(d.peers[0].hs_approx);
	CHECK_INT(d.peers[0].last_handshake_sec, 1800000000 - 1795545671);
	/* an age older than the epoch is nonsense */
	snprintf(buf, sizeof buf, "public_key=%s\nlast_handshake_time_sec=1900000000\n"
	         "errno=0\n\n", k[1]);
	CHECK_INT(parse(buf, &d, err), -EPROTO);
	CHECK_CONTAINS(err, "before the epoch");
	wg_device_clear(&d);
}

static void test_age_heuristic(void)
{
	char k[2][65], buf[4096], err[200];
	struct wg_device d = { 0 };
	snprintf(buf, sizeof buf, "private_key=%s\npublic_key=%s\nprotocol_version=1\n"
	         "last_handshake_time_sec=100\nlast_handshake_time_nsec=0\nerrno=0\n\n",
	         hexkey(k[0], 0xa0), hexkey(k[1], 0x01));
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK(d.peers[0].hs_approx);
	CHECK_INT(d.peers[0].last_handshake_sec, 1800000000 - 100);
	/* a wireguard-go peer without the keys at all: unknown, not never */
	snprintf(buf, sizeof buf, "private_key=%s\npublic_key=%s\nprotocol_version=1\n"
	         "errno=0\n\n", k[0], k[1]);
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK_INT(d.peers[0].hs_kind, WG_HS_UNKNOWN);
	wg_device_clear(&d);
}

/* The error names the line of the second public_key, not the end of the reply. */
static void test_duplicate_line(void)
{
	char k[3][65], buf[4096], err[200];
	struct wg_device d = { 0 };
	snprintf(buf, sizeof buf, "private_key=%s\npublic_key=%s\nrx_bytes=1\n"
	         "public_key=%s\nrx_bytes=2\npublic_key=%s\nrx_bytes=3\nerrno=0\n\n",
	         hexkey(k[0], 0xa0), hexkey(k[1], 0x05), hexkey(k[2], 0x01), k[1]);
	CHECK_INT(parse(buf, &d, err), -EPROTO);
	CHECK_STR(err, "line 6: the same public_key appears twice");
	CHECK_INT(d.npeers, 0);
	wg_device_clear(&d); /* a failed parse keeps the arrays for the next poll */
}

/* The reply's endpoint text becomes an address; text that is none is invalid as a whole
 * and shown as such, never a valid-looking prefix: a NUL inside it no longer cuts it
 * (issue 19: "192.0.2.1:5\0junk" was 192.0.2.1:5). */
static void test_endpoints(void)
{
	static const char *const cases[][2] = {
		{ "192.0.2.1:51820", "192.0.2.1:51820" },
		{ "[::1]:1", "[::1]:1" },
		{ "[FE80:0:0::1%eth0]:65535", "[fe80::1%eth0]:65535" },
		{ "[::ffff:192.0.2.1]:9", "[::ffff:192.0.2.1]:9" },
		{ "[2001:db8::1%wg.0-x]:51820", "[2001:db8::1%wg.0-x]:51820" },
		{ "host.example:51820", ENDPOINT_INVALID_TEXT },
		{ "192.0.2.1:0", ENDPOINT_INVALID_TEXT }, { "192.0.2.1:65536", ENDPOINT_INVALID_TEXT },
		{ "192.0.2.1", ENDPOINT_INVALID_TEXT }, { "[::1]51820", ENDPOINT_INVALID_TEXT },
		{ "1.2.3.4:+5", ENDPOINT_INVALID_TEXT }, { "[]:1", ENDPOINT_INVALID_TEXT },
		{ "256.1.1.1:5", ENDPOINT_INVALID_TEXT }, { "a\x01" "b\x1b[31m", ENDPOINT_INVALID_TEXT },
		{ "192.0.2.1:5@junk", ENDPOINT_INVALID_TEXT }, /* '@' becomes the NUL below */
	};
	char k[65], buf[512], err[200], out[WG_ENDPOINT_SIZE];
	struct wg_device d = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = snprintf(buf, sizeof buf, "public_key=%s\nendpoint=%s\nerrno=0\n\n",
		                 hexkey(k, 1), cases[i][0]);
		char *at = memchr(buf, '@', (size_t)n);
		if (at)
			*at = '\0';
		wg_device_clear(&d);
		memset(&d, 0, sizeof d);
		CHECK_INT(uapi_parse(buf, (size_t)n, &d, NOW_MS, err, sizeof err), 0);
		CHECK_INT(d.npeers, 1);
		if (d.npeers == 1)
			CHECK_STR(endpoint_format(out, &d.peers[0].endpoint), cases[i][1]);
	}
	wg_device_clear(&d);
}

static void test_daemon_errno(void)
{
	struct wg_device d = { 0 };
	char err[200];
	CHECK_INT(parse("errno=-22\n\n", &d, err), -EINVAL);
	CHECK_CONTAINS(err, "errno=-22");
	CHECK_CONTAINS(err, "Invalid argument");
	CHECK_INT(parse("listen_port=5\nerrno=5\n\n", &d, err), -EIO);
	CHECK_CONTAINS(err, "errno=5");
	CHECK_INT(parse("errno=99999\n\n", &d, err), -EPROTO);
	/* the extremes of int64: INT64_MIN has no negation (UBSan aborted here) */
	CHECK_INT(parse("errno=-9223372036854775808\n\n", &d, err), -EPROTO);
	CHECK_CONTAINS(err, "errno=-9223372036854775808");
	CHECK_INT(parse("errno=9223372036854775807\n\n", &d, err), -EPROTO);
	CHECK_INT(parse("errno=-4095\n\n", &d, err), -4095);
	CHECK_INT(parse("errno=-4096\n\n", &d, err), -EPROTO);
	CHECK_INT(parse("errno=x\n\n", &d, err), -EPROTO);
	CHECK_INT(parse("errno=0\n\n", &d, err), 0);
	CHECK_INT(d.npeers, 0);
}

struct bad_case {
	const char *text;
	const char *why;
};

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
		{ "", "connection closed without a reply" },
		{ "listen_port=1\n\n", "without an errno line" },
		{ "errno=0\n", "without the empty line" },
		{ "listen_port=1", "no newline" },
		{ "errno=0\n\nlisten_port=1\n", "data after the end" },
		{ "errno=0\nlisten_port=1\n\n", "after the errno line" },
		{ "garbage\nerrno=0\n\n", "without '='" },
		{ "listen_port=65536\nerrno=0\n\n", "listen_port is not a number" },
		{ "listen_port=+1\nerrno=0\n\n", "listen_port" },
		{ "listen_port=\nerrno=0\n\n", "listen_port" },
		{ "listen_port= 1\nerrno=0\n\n", "listen_port" },
		{ "fwmark=4294967296\nerrno=0\n\n", "fwmark" },
		{ "listen_port=1\nlisten_port=2\nerrno=0\n\n", "duplicate listen_port" },
		{ "rx_bytes=1\nerrno=0\n\n", "before any public_key" },
		{ "preshared_key=00\nerrno=0\n\n", "before any public_key" },
		{ "public_key=zz\nerrno=0\n\n", "64 hex" },
		{ "own_public_key=1234\nerrno=0\n\n", "64 hex" },
	};
	struct wg_device d = { 0 };
	char err[200];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_INT(parse_fmt(&d, err, cases[i].text), -EPROTO);
		CHECK_CONTAINS(err, cases[i].why);
	}
	CHECK_INT(parse_fmt(&d, err, "garbage\nerrno=0\n\n"), -EPROTO);
	CHECK_CONTAINS(err, "line 1:");
	wg_device_clear(&d);
}

static void test_peer_values(void)
{
	static const struct bad_case cases[] = {
		{ "rx_bytes=18446744073709551616\n", "rx_bytes" },
		{ "tx_bytes=-1\n", "tx_bytes" },
		{ "persistent_keepalive_interval=65536\n", "persistent_keepalive_interval" },
		{ "last_handshake_time_nsec=1000000000\n", "last_handshake_time_nsec" },
		{ "last_handshake_time_sec=9223372036854775808\n", "last_handshake_time_sec" },
		{ "last_handshake_time_sec=-1\n", "last_handshake_time_sec" },
		{ "rx_bytes=1\nrx_bytes=2\n", "duplicate rx_bytes" },
		{ "listen_port=1\n", "after the first peer" },
		{ "protocol_version=x\n", "protocol_version" },
	};
	struct wg_device d = { 0 };
	char k[65], buf[1024], err[200];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(buf, sizeof buf, "public_key=%s\n%serrno=0\n\n", hexkey(k, 1), cases[i].text);
		CHECK_INT(parse(buf, &d, err), -EPROTO);
		CHECK_CONTAINS(err, cases[i].why);
		CHECK_INT(d.npeers, 0); /* a failed parse leaves no half-read peers */
	}
	/* the same peer twice, even far apart, is refused */
	char k2[65];
	snprintf(buf, sizeof buf, "public_key=%s\npublic_key=%s\npublic_key=%s\nerrno=0\n\n",
	         k, hexkey(k2, 2), k);
	CHECK_INT(parse(buf, &d, err), -EPROTO);
	CHECK_CONTAINS(err, "twice");
	/* unknown keys, repeated allowed_ip, upper-case hex: fine */
	snprintf(buf, sizeof buf, "future_key=1\nfuture_key=2\n=\npublic_key=%s\n"
	         "allowed_ip=1.2.3.4/32\nallowed_ip=::/0\nnew_thing=x=y\nerrno=0\n\n",
	         "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
	CHECK_INT(parse(buf, &d, err), 0);
	CHECK_INT(d.npeers, 1);
	CHECK_INT(d.peers[0].public_key[0], 0xff);
	wg_device_clear(&d);
}

static void test_line_limit(void)
{
	char buf[2048], err[200];
	struct wg_device d = { 0 };
	/* 512 bytes is the limit: "x=" + 510 is fine, one more byte is not */
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "x=", 2);
	memcpy(buf + 512, "\nerrno=0\n\n", 11);
	CHECK_INT(parse(buf, &d, err), 0);
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "x=", 2);
	memcpy(buf + 513, "\nerrno=0\n\n", 11);
	CHECK_INT(parse(buf, &d, err), -EPROTO);
	CHECK_CONTAINS(err, "longer than 512");
	/* a value that names a secret is never echoed */
	snprintf(buf, sizeof buf, "private_key=SECRETSECRET\npublic_key=SECRETSECRET\n\n");
	CHECK_INT(parse(buf, &d, err), -EPROTO);
	CHECK(strstr(err, "SECRET") == NULL);
}

static void test_many_peers(void)
{
	const size_t n = 120000; /* 76 bytes each: 9.1 MB, above the old 8 MiB reply cap */
	char *buf = malloc(n * 76 + 16), err[200];
	struct wg_device d = { 0 };
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		o += (size_t)sprintf(buf + o, "public_key=%056x%08zx\n", 0, i);
	}
	o += (size_t)sprintf(buf + o, "errno=0\n\n");
	CHECK_INT(uapi_parse(buf, o, &d, NOW_MS, err, sizeof err), 0);
	CHECK_INT(d.npeers, n);
	CHECK_INT(d.peers[n - 1].public_key[31], (n - 1) & 0xff);
	wg_device_clear(&d);
	free(buf);
}

/* Random damage to a valid reply: never a crash (run under ASan/UBSan), always either
 * a clean result or an error with a message and no peers left behind. */
static void test_mutations(void)
{
	char k[3][65], base[1024], buf[1024], err[200];
	struct wg_device d = { 0 };
	int n = snprintf(base, sizeof base, "private_key=%s\nlisten_port=1\npublic_key=%s\n"
	                 "protocol_version=1\nendpoint=[::1]:2\nlast_handshake_time_sec=3\n"
	                 "rx_bytes=4\npublic_key=%s\nerrno=0\n\n", hexkey(k[0], 9),
	                 hexkey(k[1], 1), hexkey(k[2], 2));
	unsigned seed = 12345, bad = 0, broken = 0;
	for (int it = 0; it < 20000; it++) {
		memcpy(buf, base, (size_t)n);
		size_t len = (size_t)n;
		for (int m = 0; m < 1 + it % 4; m++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			if (seed & 1)
				buf[at] = "=\n-0a%[]:\x00\xff"[(seed >> 4) % 12];
			else
				len = at + 1;
		}
		memset(&d, 0, sizeof d);
		int rc = uapi_parse(buf, len, &d, NOW_MS, err, sizeof err);
		if (rc < 0) {
			bad++;
			broken += !(d.npeers == 0 && err[0] != '\0');
		} else {
			broken += !(rc == 0 && d.npeers <= 2);
		}
		wg_device_clear(&d);
	}
	CHECK_INT(broken, 0);
	CHECK(bad > 1000 && bad < 20000);
}

/* A failed parse keeps none of the device's own fields: not the port or key read before
 * the failure, nor a port that did not parse (it was an uninitialised number). */
static void test_failed_keeps_nothing(void)
{
	char k[65], buf[512], err[200];
	static const char *const tails[] = { "public_key=zz\n", "errno=5\n\n", "listen_port=x\n" };
	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		struct wg_device d = { 0 };
		snprintf(buf, sizeof buf, "own_public_key=%s\nlisten_port=51820\n%s", hexkey(k, 0x42),
		         tails[i]);
		CHECK(parse(buf, &d, err) < 0);
		CHECK(!d.has_public_key);
		CHECK_INT(d.listen_port, 0);
		CHECK_INT(d.npeers, 0);
		wg_device_clear(&d);
	}
	struct wg_device d = { 0 };
	CHECK(parse("listen_port=70000\nerrno=0\n\n", &d, err) < 0);
	CHECK_INT(d.listen_port, 0);
	wg_device_clear(&d);
}

TEST_MAIN(test_duplicate_line, test_wireguard_go, test_allowed_ips, test_allowed_ips_join, test_mutations, test_boringtun, test_age_heuristic, test_endpoints,
          test_daemon_errno, test_malformed, test_peer_values, test_line_limit, test_many_peers,
          test_failed_keeps_nothing)
