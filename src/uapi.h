/* SPDX-License-Identifier: MIT */
/* The UAPI `get=1` reply parser (wireguard-go, boringtun), separate from the socket I/O
 * so it can be unit-tested and fuzzed. It parses a reply as it arrives, in any pieces. */
#ifndef UAPI_H
#define UAPI_H

#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define UAPI_LINE_MAX  512          /* bytes per line without the '\n' */
#define UAPI_READ_MAX  (64u << 10)  /* one read of a reply; replies have no size limit */
#define UAPI_AGE_LIMIT 1000000000   /* a handshake "time" below this is an age (2001-09-09) */

/* The parse of one reply, fed piece by piece: only the line cut by the end of a piece is
 * kept (in carry), so a reply of any size costs this much and its peers. */
struct uapi_stream {
	struct wg_device *dev;
	struct wg_peer *peer;         /* current peer block, NULL while in the device part */
	unsigned dev_seen, peer_seen; /* bit per key: a scalar key may appear once */
	bool has_private, has_proto, has_own_pub, errno_seen;
	int64_t errno_val;
	size_t lineno;
	int rc;                       /* 0 while parsing, 1 once complete, or the -errno */
	char *err;
	size_t errlen;
	size_t carry_len;
	char carry[UAPI_LINE_MAX + 1];/* the start of a line cut by the end of a piece */
};

/* Starts parsing a reply into dev (zeroed by the caller, its name set); err (size errlen)
 * will say why it failed, never quoting a key. */
void uapi_stream_init(struct uapi_stream *s, struct wg_device *dev, char *err, size_t errlen);

/* Parses buf[0..len), the next bytes of the reply, and overwrites every private_key and
 * preshared_key value in buf with zero bytes as it passes it (a line cut at the end of buf
 * is moved out of buf, which then holds no secret). Returns 0 to wait for more, 1 once the
 * empty line ended the reply (*used: the bytes of buf up to it), or -errno: -EPROTO for a
 * malformed reply (an allowed_ip that is not a numeric addr/cidr included), -E2BIG past
 * WG_MAX_PEERS, -ENOMEM, the daemon's errno; dev then has no peers. Allowed IPs are kept
 * up to the bounds of wg.h and counted past them.
 * Handshake ages (boringtun) become wall-clock times relative to now_real_ms. */
int uapi_stream_feed(struct uapi_stream *s, char *buf, size_t len, size_t *used,
                     int64_t now_real_ms);

/* The daemon closed the connection: 1 if the reply was complete, else -EPROTO (or the
 * earlier error) with dev cleared. Zeroes the carried line. */
int uapi_stream_eof(struct uapi_stream *s);

/* Parses one whole reply buf[0..len) (copied piece by piece: buf is not written), which
 * must end with its empty line: 0 or -errno as uapi_stream_feed. */
int uapi_parse(const char *buf, size_t len, struct wg_device *dev, int64_t now_real_ms,
               char *err, size_t errlen);

/* Turns a handshake age into a wall-clock time; false if the age is before the epoch. */
bool uapi_age_to_time(struct wg_peer *p, int64_t age_sec, int64_t age_nsec,
                      int64_t now_real_ms);

#endif
