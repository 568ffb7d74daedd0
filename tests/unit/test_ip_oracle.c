// SPDX-License-Identifier: MIT
/* The copy-free address parsers (parse_ipv4_prefix, allowedip_parse, endpoint_parse's IPv4)
 * against inet_pton and strtoull as the oracle, over many random hostile inputs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "allowedips.h"
#include "endpoint.h"
#include "harness.h"
#include "util.h"

/* One piece of an address: octets that trip a parser, IPv6 forms, and stray bytes. */
static const char *const pieces[] = {
	"0", "00", "01", "1", "9", "10", "99", "100", "199", "255", "256", "0255", "999", "1000",
	"4294967296", ".", ".", ".", ".", ":", "::", "/", "/0", "/32", "/032", "/33", "/128",
	"/129", "/", "fe80", "ffff", "g", "1:2:3:4:5:6:7:8", "::ffff:", "%", " ", "-", "+",
	"\n", "x", "18446744073709551616", "12345",
};

static void put(char *b, size_t size, size_t *len, const char *p)
{
	size_t pl = strlen(p);
	if (*len + pl + 1 < size) {
		memcpy(b + *len, p, pl);
		*len += pl;
	}
}

/* Half the time an address-shaped string (3-5 parts of octets, an IPv6 form, a suffix),
 * else up to 9 random pieces; sometimes a NUL. Returns the length, NULs counted. */
static size_t random_ip(char *b, size_t size, unsigned *seed)
{
	static const char *const v6[] = { "::", "::1", "fe80::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4",
		"1::2::3", ":::", "fd00::1:2", "1:2:3:4:5:6:7:8:9", "::g" };
	size_t len = 0, n = (size_t)rand_r(seed) % 10;
	if (rand_r(seed) % 2 == 0) {
		size_t parts = 3 + (size_t)(rand_r(seed) % 8 == 0) + (rand_r(seed) % 8 != 0);
		for (size_t i = 0; i < parts && rand_r(seed) % 8; i++) {
			if (i > 0)
				put(b, size, &len, ".");
			put(b, size, &len, pieces[(size_t)rand_r(seed) % 14]);
		}
		if (rand_r(seed) % 6 == 0)
			put(b, size, &len, v6[(size_t)rand_r(seed) % ARRAY_SIZE(v6)]);
		n = (size_t)rand_r(seed) % 3;
	}
	for (size_t i = 0; i < n; i++) {
		put(b, size, &len, pieces[(size_t)rand_r(seed) % ARRAY_SIZE(pieces)]);
		if (rand_r(seed) % 50 == 0 && len + 1 < size)
			b[len++] = '\0';
	}
	return len;
}

/* The dotted quad the old way: a NUL-terminated copy to inet_pton. */
static bool ref_v4(const char *s, size_t len, uint8_t out[4])
{
	char host[64];
	if (len >= sizeof host || memchr(s, '\0', len))
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	return inet_pton(AF_INET, host, out) == 1;
}

/* The oracle: the address before '/' through inet_pton, the cidr through strtoull. */
static bool ref_allowedip(struct wg_allowedip *a, const char *s, size_t len)
{
	char host[64], num[32];
	const char *slash = memchr(s, '/', len);
	memset(a, 0, sizeof *a);
	if (!slash || memchr(s, '\0', len) || (size_t)(slash - s) >= sizeof host)
		return false;
	size_t hlen = (size_t)(slash - s), clen = len - hlen - 1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	a->family = strchr(host, ':') ? 6 : 4;
	if (inet_pton(a->family == 6 ? AF_INET6 : AF_INET, host, a->addr) != 1)
		return false;
	if (clen == 0 || clen > 20 || strspn(slash + 1, "0123456789") < clen)
		return false;
	memcpy(num, slash + 1, clen);
	num[clen] = '\0';
	errno = 0;
	unsigned long long c = strtoull(num, NULL, 10);
	if (errno == ERANGE || c > (a->family == 6 ? 128u : 32u))
		return false;
	a->cidr = (uint8_t)c;
	return true;
}

static void test_ipv4_prefix(void)
{
	unsigned seed = 4, bad = 0, accepted = 0;
	for (int i = 0; i < 300000; i++) {
		char b[128];
		uint8_t got[4] = { 7, 7, 7, 7 }, want[4];
		size_t len = random_ip(b, sizeof b, &seed), run = 0;
		while (run < len && ((unsigned)(b[run] - '0') < 10 || b[run] == '.'))
			run++;
		size_t n = parse_ipv4_prefix(b, len, got);
		/* what it took is an address, not followed by a digit; a whole run of digits and
		 * dots that is one is taken whole */
		if (n)
			bad += !ref_v4(b, n, want) || memcmp(got, want, 4) != 0 ||
			       (n < len && (unsigned)(b[n] - '0') < 10);
		else
			bad += memcmp(got, "\7\7\7\7", 4) != 0;
		bad += ref_v4(b, run, want) && n != run;
		accepted += n > 0;
	}
	CHECK_INT(bad, 0);
	CHECK(accepted > 1000);
}

static void test_allowedip_oracle(void)
{
	unsigned seed = 6, bad = 0, v4 = 0, v6 = 0;
	for (int i = 0; i < 300000; i++) {
		char b[128];
		struct wg_allowedip got, want;
		size_t len = random_ip(b, sizeof b, &seed);
		bool g = allowedip_parse(&got, b, len), w = ref_allowedip(&want, b, len);
		bad += g != w || (g && memcmp(&got, &want, sizeof got) != 0);
		v4 += g && got.family == 4;
		v6 += g && got.family == 6;
	}
	CHECK_INT(bad, 0);
	CHECK(v4 > 100);
	CHECK(v6 > 100);
	static const char *const fixed[] = { "10.0.0.1/32", "0.0.0.0/0", "255.255.255.255/032",
		"1.2.3.4/33", "01.2.3.4/8", "1.2.3.4 /8", "1.2.3/8", "1.2.3.4.5/8", "::/0",
		"::ffff:1.2.3.4/128", "fe80::1%1/64", "1.2.3.4/", "/8", "" };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		struct wg_allowedip got, want;
		size_t len = strlen(fixed[i]);
		bool g = allowedip_parse(&got, fixed[i], len), w = ref_allowedip(&want, fixed[i], len);
		CHECK(g == w && (!g || memcmp(&got, &want, sizeof got) == 0));
	}
}

/* IPv4 endpoints: the address as inet_pton reads it, the port 1-65535 as strtoull does. */
static void test_endpoint_v4_oracle(void)
{
	unsigned seed = 8, bad = 0, valid = 0;
	for (int i = 0; i < 300000; i++) {
		char b[128];
		size_t len = random_ip(b, sizeof b, &seed);
		for (size_t j = 0; j < len; j++)
			b[j] = b[j] == '/' ? ':' : b[j]; /* "/32" pieces become ports */
		if (len && b[0] == '[')
			continue;
		const char *colon = memrchr(b, ':', len);
		uint8_t addr[4];
		uint64_t port = 0;
		bool w = colon && ref_v4(b, (size_t)(colon - b), addr) &&
		         parse_u64(colon + 1, len - (size_t)(colon - b) - 1, 65535, &port) && port;
		struct wg_endpoint e;
		bool g = endpoint_parse(&e, b, len);
		bad += g != w || (g && (memcmp(e.addr, addr, 4) != 0 || e.port != port));
		valid += g;
	}
	CHECK_INT(bad, 0);
	CHECK(valid > 100);
}

TEST_MAIN(test_ipv4_prefix, test_allowedip_oracle, test_endpoint_v4_oracle)
