// SPDX-License-Identifier: MIT
/* Numeric endpoint parsing: inet_pton only, so a hostile value can never cause DNS. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "util.h"

static bool parse_port(const char *s, size_t len, unsigned *port)
{
	uint64_t v;
	if (!parse_u64(s, len, 65535, &v) || v == 0)
		return false;
	*port = (unsigned)v;
	return true;
}

/* Copies s[0..len) to a NUL-terminated buffer; false if it does not fit. */
static bool copy_str(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size || memchr(s, '\0', len))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* "a.b.c.d:port" already canonical (octets <= 255 and a port 1-65535, neither with a
 * leading zero), as WireGuard writes every IPv4 endpoint: what inet_pton, inet_ntop and the
 * port's printing would give back is the text itself, so a poll copies it instead. */
static bool canonical_v4(const char *s, size_t len)
{
	size_t i = 0;
	for (int part = 0; part < 5; part++) {
		size_t start = i;
		unsigned v = 0;
		while (i < len && i - start < 5 && (unsigned)(s[i] - '0') < 10)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || (i - start > 1 && s[start] == '0'))
			return false;
		if (part == 4)
			return i == len && v >= 1 && v <= 65535;
		if (v > 255 || i == len || s[i] != (part == 3 ? ':' : '.'))
			return false;
		i++;
	}
	return false;
}

static bool parse_v4(char *out, size_t outsize, const char *s, size_t len)
{
	if (canonical_v4(s, len))
		return copy_str(out, outsize, s, len);
	const char *colon = memrchr(s, ':', len);
	char host[INET_ADDRSTRLEN], txt[INET_ADDRSTRLEN];
	struct in_addr a;
	unsigned port;
	if (!colon || !copy_str(host, sizeof host, s, (size_t)(colon - s)))
		return false;
	if (inet_pton(AF_INET, host, &a) != 1 || !inet_ntop(AF_INET, &a, txt, sizeof txt))
		return false;
	if (!parse_port(colon + 1, len - (size_t)(colon - s) - 1, &port))
		return false;
	int n = snprintf(out, outsize, "%s:%u", txt, port);
	return n > 0 && (size_t)n < outsize;
}

static bool parse_v6(char *out, size_t outsize, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len);
	char host[INET6_ADDRSTRLEN], txt[INET6_ADDRSTRLEN], zone[WG_IFNAME_SIZE] = "";
	struct in6_addr a;
	unsigned port;
	if (len < 2 || s[0] != '[' || !close || close + 1 >= s + len || close[1] != ':')
		return false;
	const char *h = s + 1;
	size_t hlen = (size_t)(close - h);
	const char *pct = memchr(h, '%', hlen);
	if (pct) {
		size_t zlen = hlen - (size_t)(pct - h) - 1;
		if (!wg_ifname_valid(pct + 1, zlen) || !copy_str(zone, sizeof zone, pct + 1, zlen))
			return false;
		hlen = (size_t)(pct - h);
	}
	if (!copy_str(host, sizeof host, h, hlen) || inet_pton(AF_INET6, host, &a) != 1 ||
	    !inet_ntop(AF_INET6, &a, txt, sizeof txt))
		return false;
	if (!parse_port(close + 2, len - (size_t)(close - s) - 2, &port))
		return false;
	int n = snprintf(out, outsize, "[%s%s%s]:%u", txt, pct ? "%" : "", zone, port);
	return n > 0 && (size_t)n < outsize;
}

bool endpoint_normalize(char *out, size_t outsize, const char *s, size_t len)
{
	if (len > 0 && s[0] == '[' ? parse_v6(out, outsize, s, len) : parse_v4(out, outsize, s, len))
		return true;
	/* Kept as received: every sink escapes what it prints (text.h), so escaping here
	 * too would show a NUL as \x5cx00. */
	text_raw(out, outsize, s, len);
	return false;
}
