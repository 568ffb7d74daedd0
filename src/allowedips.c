// SPDX-License-Identifier: MIT
/* Allowed IPs as text, and a peer record's bounded copy of them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "allowedips.h"
#include "util.h"

/* The cidr after the address (s[0..len) from the '/' on). */
static bool parse_cidr(struct wg_allowedip *a, const char *s, size_t len)
{
	uint64_t cidr;
	if (len == 0 || s[0] != '/' || !parse_u64(s + 1, len - 1, a->family == 6 ? 128 : 32, &cidr))
		return false;
	a->cidr = (uint8_t)cidr;
	return true;
}

/* IPv6 through inet_pton, which needs a NUL-terminated copy of the address. */
static bool parse_v6(struct wg_allowedip *a, const char *s, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = memchr(s, '/', len);
	/* inet_pton would stop at a NUL and take what came before it for the address */
	if (!slash || (size_t)(slash - s) >= sizeof(host) || memchr(s, '\0', len))
		return false;
	size_t hlen = (size_t)(slash - s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	return inet_pton(AF_INET6, host, a->addr) == 1 && parse_cidr(a, slash, len - hlen);
}

bool allowedip_parse(struct wg_allowedip *a, const char *s, size_t len)
{
	memset(a, 0, sizeof(*a));
	/* IPv4, every peer's usual one, without inet_pton and its copy; a quad followed by
	 * '/' has no ':' before the '/', so it is no IPv6 address */
	a->family = 4;
	size_t n = parse_ipv4_prefix(s, len, a->addr);
	if (n && n < len && s[n] == '/')
		return parse_cidr(a, s + n, len - n);
	const char *slash = memchr(s, '/', len);
	a->family = memchr(s, ':', slash ? (size_t)(slash - s) : len) ? 6 : 4;
	return a->family == 6 && parse_v6(a, s, len);
}

size_t allowedip_text(char out[ALLOWEDIP_TEXT_SIZE], const struct wg_allowedip *a)
{
	char host[INET6_ADDRSTRLEN];
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->addr, host, sizeof(host)))
		host[0] = '\0';
	int n = snprintf(out, ALLOWEDIP_TEXT_SIZE, "%s/%u", host, (unsigned)a->cidr);
	return n > 0 ? (size_t)n : 0;
}

const char *allowedip_family(const struct wg_allowedip *a)
{
	return a->family == 6 ? "IPv6" : "IPv4";
}

int allowed_ips_copy(struct allowed_ips *r, const struct wg_device *d, const struct wg_peer *w)
{
	const struct wg_allowedip *src = d->ips ? d->ips + w->ips_at : NULL;
	if (w->nips && !src)
		return -EINVAL; /* a peer's addresses without its device's array: never built */
	size_t bytes = src ? (size_t)w->nips * sizeof(*src) : 0;
	if (w->nips == r->n && (bytes == 0 || memcmp(r->v, src, bytes) == 0)) {
		r->total = w->ips_total;
		return 0;   /* the usual poll: nothing changed, nothing allocated */
	}
	struct wg_allowedip *v = NULL;
	if (bytes && !(v = malloc(bytes)))
		return -ENOMEM; /* the old list stays, with the count it came with */
	allowed_ips_free(r);
	if (bytes)
		memcpy(v, src, bytes);
	*r = (struct allowed_ips){ .v = v, .n = w->nips, .total = w->ips_total };
	return 0;
}

void allowed_ips_free(struct allowed_ips *r)
{
	free(r->v);
	*r = (struct allowed_ips){ .v = NULL };
}

size_t allowed_ips_join(char *out, size_t size, const struct allowed_ips *r)
{
	size_t len = 0;
	if (r->n == 0 && r->total == 0)
		return snprintf(out, size, "(none)") < (int)size ? 6 : 0;
	if (size > 0)
		out[0] = '\0'; /* some listed, none kept (past a bound): not "(none)" */
	for (uint32_t i = 0; i < r->n; i++) {
		char one[ALLOWEDIP_TEXT_SIZE];
		size_t n = allowedip_text(one, &r->v[i]);
		if (len + n + (i > 0) + 1 > size)
			return 0;
		if (i > 0)
			out[len++] = ',';
		memcpy(out + len, one, n + 1);
		len += n;
	}
	return len;
}
