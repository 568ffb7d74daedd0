// SPDX-License-Identifier: MIT
/* Endpoints as addresses: IPv4 text parsed and rendered gives what inet_pton, inet_ntop and
 * printing the port give, for every mix of octets and ports that can trip the fast path;
 * text that is no endpoint is invalid as a whole, a NUL inside it included (issue 19). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>

#include "endpoint.h"
#include "harness.h"
#include "util.h"

/* The reference: the library's round trip, for well-formed IPv4 text only. */
static bool reference(char *out, size_t outsize, const char *s)
{
	const char *colon = strrchr(s, ':');
	char host[64], txt[INET_ADDRSTRLEN];
	struct in_addr a;
	if (!colon || (size_t)(colon - s) >= sizeof host)
		return false;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	const char *p = colon + 1;
	if (!*p || strlen(p) > 6 || strspn(p, "0123456789") != strlen(p))
		return false;
	long port = strtol(p, NULL, 10);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &a) != 1)
		return false;
	inet_ntop(AF_INET, &a, txt, sizeof txt);
	snprintf(out, outsize, "%s:%ld", txt, port);
	return true;
}

static void test_v4_against_reference(void)
{
	static const char *const oct[] = { "0", "00", "01", "1", "9", "10", "99", "100", "255",
	                                   "256", "0255", "999", "1000", "", "a" };
	static const char *const port[] = { "0", "1", "01", "80", "65535", "65536", "099",
	                                    "99999", "100000", "", "1x" };
	const size_t no = sizeof oct / sizeof oct[0], np = sizeof port / sizeof port[0];
	char in[64], want[WG_ENDPOINT_SIZE], got[WG_ENDPOINT_SIZE];
	int agreed = 0;
	for (size_t i = 0; i < no * no * np; i++) {
		/* the first two octets vary, the last two cover every value too, in turn */
		size_t a = i % no, b = i / no % no, p = i / no / no;
		snprintf(in, sizeof in, "%s.%s.%s.%s:%s", oct[a], oct[b], oct[(a + b) % no],
		         oct[(a * 3 + p) % no], port[p]);
		bool w = reference(want, sizeof want, in);
		struct wg_endpoint e;
		bool g = endpoint_parse(&e, in, strlen(in));
		CHECK(g == w);
		CHECK_STR(endpoint_format(got, &e), w ? want : ENDPOINT_INVALID_TEXT);
		agreed += g == w;
	}
	CHECK(agreed > 0);
	static const char *const odd[] = { "1.2.3:4", "1.2.3.4.5:6", "1.2.3.4:5:6", "1.2.3.4::5",
	                                   ".1.2.3:4", "1..2.3:4", "1.2.3.4:", "1.2.3.4" };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		struct wg_endpoint e;
		CHECK(!endpoint_parse(&e, odd[i], strlen(odd[i])));
		CHECK_INT(e.family, WG_EP_INVALID);
	}
}

/* Issue 19: a NUL inside an endpoint used to cut it there, leaving a valid-looking prefix
 * ("192.0.2.1:5" of "192.0.2.1:5\0junk"); now the whole text is invalid, wherever the NUL. */
static void test_nul_inside(void)
{
	static const char txt[] = "192.0.2.1:51820\0junk";
	static const char v6[] = "[2001:db8::1%wg0]:51820";
	char got[WG_ENDPOINT_SIZE], in[64];
	for (size_t at = 0; at < sizeof txt - 1; at++) {
		memcpy(in, txt, sizeof txt);
		in[at] = '\0';
		struct wg_endpoint e;
		CHECK(!endpoint_parse(&e, in, sizeof txt - 1));
		CHECK_STR(endpoint_format(got, &e), ENDPOINT_INVALID_TEXT);
	}
	for (size_t at = 0; at < sizeof v6 - 1; at++) {
		memcpy(in, v6, sizeof v6);
		in[at] = '\0';
		struct wg_endpoint e;
		CHECK(!endpoint_parse(&e, in, sizeof v6 - 1));
	}
}

/* IPv6 with and without a zone, canonicalised; the renderer is the only way back to text. */
static void test_v6_and_zones(void)
{
	static const char *const ok[][2] = {
		{ "[FE80:0:0::1%eth0]:65535", "[fe80::1%eth0]:65535" },
		{ "[::1]:1", "[::1]:1" },
		{ "[2001:db8::1%wg.0-x]:51820", "[2001:db8::1%wg.0-x]:51820" },
		{ "[fe80::1%3]:51820", "[fe80::1%3]:51820" },
		{ "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%abcdefghijklmno]:65535",
		  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%abcdefghijklmno]:65535" },
	};
	static const char *const bad[] = { "[::1]", "[::1]:0", "[::1%]:1", "[::1%a/b]:1",
	                                   "[::1%abcdefghijklmnop]:1", "::1:5", "[1.2.3.4]:5",
	                                   "host.example:51820", "" };
	char got[WG_ENDPOINT_SIZE];
	struct wg_endpoint e, f;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		CHECK(endpoint_parse(&e, ok[i][0], strlen(ok[i][0])));
		CHECK_STR(endpoint_format(got, &e), ok[i][1]);
		CHECK(endpoint_parse(&f, got, strlen(got)) && endpoint_same(&e, &f));
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(!endpoint_parse(&e, bad[i], strlen(bad[i])));
	CHECK(endpoint_parse(&e, "[fe80::1%eth0]:5", 16) && endpoint_parse(&f, "[fe80::1%eth1]:5", 16));
	CHECK(!endpoint_same(&e, &f));
	e = (struct wg_endpoint){ .family = WG_EP_NONE };
	CHECK_STR(endpoint_format(got, &e), "");
}

TEST_MAIN(test_v4_against_reference, test_nul_inside, test_v6_and_zones)
