/* SPDX-License-Identifier: MIT */
/* For the fuzz harnesses that parse an input whole and streamed: whether two parses
 * read a peer alike (every field but the line it began on). */
#ifndef FUZZ_SAME_PEER_H
#define FUZZ_SAME_PEER_H
#include <stdbool.h>
#include <string.h>

#include "endpoint.h"
#include "wg.h"

/* p of device a and q of device b: the same key, numbers, endpoint and allowed IPs. */
static bool same_peer(const struct wg_device *a, const struct wg_peer *p,
                      const struct wg_device *b, const struct wg_peer *q)
{
	if (memcmp(p->public_key, q->public_key, WG_KEY_LEN) ||
	    !endpoint_same(&p->endpoint, &q->endpoint) ||
	    p->last_handshake_sec != q->last_handshake_sec ||
	    p->last_handshake_nsec != q->last_handshake_nsec || p->hs_kind != q->hs_kind ||
	    p->hs_approx != q->hs_approx || p->rx_bytes != q->rx_bytes ||
	    p->tx_bytes != q->tx_bytes || p->persistent_keepalive != q->persistent_keepalive ||
	    p->nips != q->nips || p->ips_total != q->ips_total)
		return false;
	return p->nips == 0 || !memcmp(&a->ips[p->ips_at], &b->ips[q->ips_at],
	                               p->nips * sizeof(*a->ips));
}
#endif
