/* SPDX-License-Identifier: MIT */
/* The UAPI `get=1` reply parser (wireguard-go, boringtun), separate from the socket I/O
 * so it can be unit-tested and fuzzed. */
#ifndef UAPI_H
#define UAPI_H

#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define UAPI_LINE_MAX  512          /* bytes per line without the '\n' */
#define UAPI_REPLY_MAX (8u << 20)   /* a whole reply; larger is hostile */
#define UAPI_AGE_LIMIT 1000000000   /* a handshake "time" below this is an age (2001-09-09) */

/* Parses one complete reply buf[0..len) ending in "errno=N\n\n" into dev: peers,
 * listen_port, and the public key when the daemon sends own_public_key. Never stores
 * private or preshared keys (the caller must zero buf afterwards). Handshake ages
 * (boringtun) become wall-clock times relative to now_real_ms. Returns 0; -EPROTO for a
 * malformed reply; the daemon's errno as -errno; -E2BIG/-ENOMEM when over limits. On
 * error dev has no peers and err (size errlen) says why; it never quotes key values. */
int uapi_parse(const char *buf, size_t len, struct wg_device *dev, int64_t now_real_ms,
               char *err, size_t errlen);

/* Turns a handshake age into a wall-clock time; false if the age is before the epoch. */
bool uapi_age_to_time(struct wg_peer *p, int64_t age_sec, int64_t age_nsec,
                      int64_t now_real_ms);

#endif
