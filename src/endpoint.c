// SPDX-License-Identifier: MIT
/* Numeric endpoint parsing (numeric only: its own IPv4 reader, inet_pton for IPv6, so a
 * hostile value can never cause DNS) and the one renderer of endpoint text. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "util.h"

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	uint64_t v;
	if (!parse_u64(s, len, 65535, &v) || v == 0)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Copies s[0..len) to a NUL-terminated buffer; false if it does not fit or holds a NUL. */
static bool copy_str(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size || memchr(s, '\0', len))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* "a.b.c.d:port", the dotted quad as inet_pton reads it, parsed without a copy. */
static bool parse_v4(struct wg_endpoint *e, const char *s, size_t len)
{
	size_t n = parse_ipv4_prefix(s, len, e->addr);
	return n && n < len && s[n] == ':' && parse_port(s + n + 1, len - n - 1, &e->port);
}

/* A zone: an interface name, or a scope id in decimal (both are ifname characters). */
static bool parse_zone(struct wg_endpoint *e, const char *z, size_t len)
{
	return wg_ifname_valid(z, len) && copy_str(e->zone, sizeof e->zone, z, len);
}

static bool parse_v6(struct wg_endpoint *e, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len);
	char host[INET6_ADDRSTRLEN];
	if (len < 2 || s[0] != '[' || !close || close + 1 >= s + len || close[1] != ':')
		return false;
	const char *h = s + 1;
	size_t hlen = (size_t)(close - h);
	const char *pct = memchr(h, '%', hlen);
	if (pct) {
		if (!parse_zone(e, pct + 1, hlen - (size_t)(pct - h) - 1))
			return false;
		hlen = (size_t)(pct - h);
	}
	return copy_str(host, sizeof host, h, hlen) && inet_pton(AF_INET6, host, e->addr) == 1 &&
	       parse_port(close + 2, len - (size_t)(close - s) - 2, &e->port);
}

bool endpoint_parse(struct wg_endpoint *e, const char *s, size_t len)
{
	*e = (struct wg_endpoint){ .family = WG_EP_V4 };
	bool v6 = len > 0 && s[0] == '[';
	if (v6 ? parse_v6(e, s, len) : parse_v4(e, s, len)) {
		e->family = v6 ? WG_EP_V6 : WG_EP_V4;
		return true;
	}
	*e = (struct wg_endpoint){ .family = WG_EP_INVALID };
	return false;
}

/* "a.b.c.d:port" without printf: the state file and /metrics render every peer's. */
static void format_v4(char *out, const uint8_t *a, unsigned port)
{
	char *o = out;
	for (int i = 0; i < 5; i++) {
		unsigned v = i < 4 ? a[i] : port;
		char d[5];
		int n = 0;
		do
			d[n++] = (char)('0' + v % 10);
		while ((v /= 10) > 0);
		while (n > 0)
			*o++ = d[--n];
		static const char after[5] = { '.', '.', '.', ':', '\0' };
		*o++ = after[i];
	}
}

const char *endpoint_format(char out[WG_ENDPOINT_SIZE], const struct wg_endpoint *e)
{
	char host[INET6_ADDRSTRLEN];
	out[0] = '\0';
	if (e->family == WG_EP_V4)
		format_v4(out, e->addr, e->port);
	else if (e->family == WG_EP_INVALID)
		snprintf(out, WG_ENDPOINT_SIZE, "%s", ENDPOINT_INVALID_TEXT);
	else if (e->family == WG_EP_V6 && inet_ntop(AF_INET6, e->addr, host, sizeof host))
		snprintf(out, WG_ENDPOINT_SIZE, "[%s%s%.*s]:%u", host, e->zone[0] ? "%" : "",
		         (int)strnlen(e->zone, sizeof e->zone), e->zone, (unsigned)e->port);
	return out;
}

bool endpoint_same(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (a->family != b->family || a->port != b->port ||
	    memcmp(a->addr, b->addr, sizeof a->addr) != 0)
		return false;
	/* the usual answer (same IPv4 address): no scan of the zone, which is empty unless
	 * either has one */
	return (a->zone[0] == '\0' && b->zone[0] == '\0') ||
	       strncmp(a->zone, b->zone, sizeof a->zone) == 0;
}
