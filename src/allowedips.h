/* SPDX-License-Identifier: MIT */
/* A peer's allowed IPs: "addr/cidr" text to and from struct wg_allowedip, and the copy
 * a peer record keeps of the last poll's (bounded as the snapshot is: wg.h). */
#ifndef ALLOWEDIPS_H
#define ALLOWEDIPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define ALLOWEDIP_TEXT_SIZE 50   /* "ffff:...:255.255.255.255/128" + NUL */

/* Parses "10.0.0.2/32" or "fd00::/64" (numeric, cidr in range); false if malformed. */
bool allowedip_parse(struct wg_allowedip *a, const char *s, size_t len);
/* Writes "addr/cidr" (inet_ntop's form) to out; returns its length. */
size_t allowedip_text(char out[ALLOWEDIP_TEXT_SIZE], const struct wg_allowedip *a);
/* "IPv4" or "IPv6", as mdlayher/wireguard_exporter labels the family. */
const char *allowedip_family(const struct wg_allowedip *a);

/* What a peer record keeps: its own heap copy, replaced only when the list changes. */
struct allowed_ips {
	struct wg_allowedip *v;
	uint32_t n;       /* kept */
	uint32_t total;   /* listed by the source; > n when a bound was reached */
};

/* Makes r a copy of w's allowed IPs in d. 0, or -ENOMEM (-EINVAL: d has no IP array) with r unchanged. */
int allowed_ips_copy(struct allowed_ips *r, const struct wg_device *d, const struct wg_peer *w);
/* Frees the copy and leaves r empty (no IPs, count 0), ready for reuse. */
void allowed_ips_free(struct allowed_ips *r);
/* Joins the kept ones with ',' as wg(8) prints them into out ("(none)" only when the source
 * listed none; "" when it listed some but none were kept); the length, or 0 if out (size)
 * is too small. */
size_t allowed_ips_join(char *out, size_t size, const struct allowed_ips *r);

#endif
