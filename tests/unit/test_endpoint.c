// SPDX-License-Identifier: MIT
/* IPv4 endpoints: the copy of text already canonical gives what inet_pton, inet_ntop and
 * printing the port give, for every mix of octets and ports that can trip it. */
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
		bool g = endpoint_normalize(got, sizeof got, in, strlen(in));
		CHECK(g == w);
		if (w)
			CHECK_STR(got, want);
		else
			CHECK_STR(got, in);
		agreed += g == w;
	}
	CHECK(agreed > 0);
	static const char *const odd[] = { "1.2.3:4", "1.2.3.4.5:6", "1.2.3.4:5:6", "1.2.3.4::5",
	                                   ".1.2.3:4", "1..2.3:4", "1.2.3.4:", "1.2.3.4" };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		CHECK(!endpoint_normalize(got, sizeof got, odd[i], strlen(odd[i])));
		CHECK_STR(got, odd[i]);
	}
}

TEST_MAIN(test_v4_against_reference)
