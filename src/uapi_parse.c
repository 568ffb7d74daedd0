// SPDX-License-Identifier: MIT
/* Strict, bounded parser for the UAPI `get=1` reply: key=value lines, a peer block per
 * public_key, errno=N and an empty line at the end. Secrets are skipped, never copied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "uapi.h"
#include "util.h"

enum key_id {
	K_PRIVATE, K_OWN_PUB, K_LISTEN_PORT, K_FWMARK, K_PUBLIC, K_PSK, K_PROTO, K_ENDPOINT,
	K_HS_SEC, K_HS_NSEC, K_TX, K_RX, K_KEEPALIVE, K_ALLOWED_IP, K_ERRNO, K_UNKNOWN,
};

static const struct {
	const char *name;
	bool peer; /* only valid inside a peer block */
} keys[] = {
	[K_PRIVATE] = { "private_key", false },
	[K_OWN_PUB] = { "own_public_key", false },
	[K_LISTEN_PORT] = { "listen_port", false },
	[K_FWMARK] = { "fwmark", false },
	[K_PUBLIC] = { "public_key", false },
	[K_PSK] = { "preshared_key", true },
	[K_PROTO] = { "protocol_version", true },
	[K_ENDPOINT] = { "endpoint", true },
	[K_HS_SEC] = { "last_handshake_time_sec", true },
	[K_HS_NSEC] = { "last_handshake_time_nsec", true },
	[K_TX] = { "tx_bytes", true },
	[K_RX] = { "rx_bytes", true },
	[K_KEEPALIVE] = { "persistent_keepalive_interval", true },
	[K_ALLOWED_IP] = { "allowed_ip", true },
	[K_ERRNO] = { "errno", false },
};

struct uapi_state {
	struct wg_device *dev;
	struct wg_peer *peer;       /* current peer block, NULL while in the device part */
	unsigned dev_seen, peer_seen; /* bit per key_id: a scalar key may appear once */
	bool has_private, has_proto, has_own_pub, errno_seen;
	int64_t errno_val;
	size_t lineno;
	char *err;
	size_t errlen;
};

#define fail(st, rc, ...) fail_at((st)->err, (st)->errlen, (st)->lineno, rc, __VA_ARGS__)

static enum key_id key_lookup(const char *k, size_t klen)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].name && strlen(keys[i].name) == klen && memcmp(keys[i].name, k, klen) == 0)
			return (enum key_id)i;
	return K_UNKNOWN;
}

static int parse_num(struct uapi_state *st, enum key_id id, const char *v, size_t vlen,
                     uint64_t max, uint64_t *out)
{
	if (!parse_u64(v, vlen, max, out))
		return fail(st, -EPROTO, "%s is not a number in 0..%llu", keys[id].name,
		            (unsigned long long)max);
	return 0;
}

static int new_peer(struct uapi_state *st, const char *v, size_t vlen)
{
	uint8_t key[WG_KEY_LEN];
	if (!key_from_hex(key, v, vlen))
		return fail(st, -EPROTO, "public_key is not 64 hex digits");
	st->peer = wg_device_add_peer(st->dev);
	if (!st->peer)
		return fail(st, -errno, "cannot add peer: %s", errno == E2BIG ? "too many peers" :
		            strerror(errno));
	memcpy(st->peer->public_key, key, WG_KEY_LEN);
	st->peer->hs_kind = WG_HS_UNKNOWN; /* until last_handshake_time_sec says otherwise */
	st->peer_seen = 1u << K_PUBLIC;
	return 0;
}

static int device_key(struct uapi_state *st, enum key_id id, const char *v, size_t vlen)
{
	uint64_t n;
	int rc = 0;
	switch (id) {
	case K_PRIVATE:
		st->has_private = true; /* the value is a secret: not even validated */
		break;
	case K_OWN_PUB:
		if (!key_from_hex(st->dev->public_key, v, vlen))
			return fail(st, -EPROTO, "own_public_key is not 64 hex digits");
		st->dev->has_public_key = st->has_own_pub = true;
		break;
	case K_LISTEN_PORT:
		rc = parse_num(st, id, v, vlen, UINT16_MAX, &n);
		st->dev->listen_port = (uint16_t)n;
		break;
	case K_FWMARK:
		rc = parse_num(st, id, v, vlen, UINT32_MAX, &n);
		break;
	default:
		break;
	}
	return rc;
}

static int handshake_key(struct uapi_state *st, enum key_id id, const char *v, size_t vlen)
{
	uint64_t n;
	int rc = parse_num(st, id, v, vlen, id == K_HS_SEC ? INT64_MAX : 999999999, &n);
	if (rc < 0)
		return rc;
	if (id == K_HS_SEC) {
		st->peer->last_handshake_sec = (int64_t)n;
		st->peer->hs_kind = WG_HS_TIME;
	} else {
		st->peer->last_handshake_nsec = (int64_t)n;
	}
	return 0;
}

static int peer_key(struct uapi_state *st, enum key_id id, const char *v, size_t vlen)
{
	struct wg_peer *p = st->peer;
	uint64_t n = 0;
	int rc = 0;
	switch (id) {
	case K_PROTO:
		st->has_proto = true;
		rc = parse_num(st, id, v, vlen, UINT32_MAX, &n);
		break;
	case K_ENDPOINT:
		endpoint_normalize(p->endpoint, sizeof p->endpoint, v, vlen);
		break;
	case K_HS_SEC:
	case K_HS_NSEC:
		rc = handshake_key(st, id, v, vlen);
		break;
	case K_TX:
		rc = parse_num(st, id, v, vlen, UINT64_MAX, &p->tx_bytes);
		break;
	case K_RX:
		rc = parse_num(st, id, v, vlen, UINT64_MAX, &p->rx_bytes);
		break;
	case K_KEEPALIVE:
		rc = parse_num(st, id, v, vlen, UINT16_MAX, &n);
		p->persistent_keepalive = (uint16_t)n;
		break;
	default: /* preshared_key (secret, skipped), allowed_ip (not monitored) */
		break;
	}
	return rc;
}

/* A scalar key twice in one scope is malformed; allowed_ip repeats by design. */
static int check_repeat(struct uapi_state *st, enum key_id id)
{
	unsigned *seen = st->peer ? &st->peer_seen : &st->dev_seen;
	if (id == K_ALLOWED_IP || id == K_PUBLIC)
		return 0;
	if (*seen & (1u << id))
		return fail(st, -EPROTO, "duplicate %s", keys[id].name);
	*seen |= 1u << id;
	return 0;
}

static int handle_errno(struct uapi_state *st, const char *v, size_t vlen)
{
	if (!parse_i64(v, vlen, &st->errno_val))
		return fail(st, -EPROTO, "errno is not a number");
	st->errno_seen = true;
	return 0;
}

static int handle_line(struct uapi_state *st, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	if (!eq)
		return fail(st, -EPROTO, "line without '='");
	if (st->errno_seen)
		return fail(st, -EPROTO, "data after the errno line");
	size_t klen = (size_t)(eq - line), vlen = len - klen - 1;
	enum key_id id = key_lookup(line, klen);
	if (id == K_UNKNOWN)
		return 0; /* forward compatibility, as wg(8) does */
	if (id == K_ERRNO)
		return handle_errno(st, eq + 1, vlen);
	if (id == K_PUBLIC)
		return new_peer(st, eq + 1, vlen);
	if (keys[id].peer != (st->peer != NULL))
		return fail(st, -EPROTO, "%s %s", keys[id].name,
		            st->peer ? "after the first peer" : "before any public_key");
	int rc = check_repeat(st, id);
	if (rc < 0)
		return rc;
	return st->peer ? peer_key(st, id, eq + 1, vlen) : device_key(st, id, eq + 1, vlen);
}

/* wireguard-go sends negative errno values, boringtun positive ones. */
static int daemon_errno(struct uapi_state *st)
{
	int64_t e = st->errno_val < 0 ? -st->errno_val : st->errno_val;
	if (st->errno_val < -4095 || e > 4095)
		return fail(st, -EPROTO, "daemon answered errno=%lld", (long long)st->errno_val);
	return fail(st, (int)-e, "daemon answered errno=%lld (%s)", (long long)st->errno_val,
	            strerror((int)e));
}

static int cmp_peer(const void *a, const void *b)
{
	return memcmp(((const struct wg_peer *)a)->public_key,
	              ((const struct wg_peer *)b)->public_key, WG_KEY_LEN);
}

bool uapi_age_to_time(struct wg_peer *p, int64_t age_sec, int64_t age_nsec,
                      int64_t now_real_ms)
{
	if (age_sec < 0 || age_nsec < 0 || age_sec > now_real_ms / 1000)
		return false;
	int64_t ms = now_real_ms - age_sec * 1000 - age_nsec / 1000000;
	if (ms <= 0)
		return false;
	p->last_handshake_sec = ms / 1000;
	p->last_handshake_nsec = ms % 1000 * 1000000;
	p->hs_kind = WG_HS_TIME;
	p->hs_approx = true;
	return true;
}

/* boringtun reports handshake ages; it sends own_public_key and never private_key or
 * protocol_version. Ages also get caught by the "before 2001" heuristic. */
static int finish(struct uapi_state *st, int64_t now_real_ms)
{
	bool boringtun = st->has_own_pub || (!st->has_private && !st->has_proto);
	struct wg_device *d = st->dev;
	for (size_t i = 0; i < d->npeers; i++) {
		struct wg_peer *p = &d->peers[i];
		int64_t s = p->last_handshake_sec, ns = p->last_handshake_nsec;
		if (p->hs_kind != WG_HS_TIME || !(boringtun || (s > 0 && s < UAPI_AGE_LIMIT)))
			continue;
		if (!uapi_age_to_time(p, s, ns, now_real_ms))
			return fail(st, -EPROTO, "handshake age %lld s is before the epoch", (long long)s);
	}
	if (d->npeers > 1)
		qsort(d->peers, d->npeers, sizeof(*d->peers), cmp_peer);
	for (size_t i = 1; i < d->npeers; i++)
		if (cmp_peer(&d->peers[i - 1], &d->peers[i]) == 0)
			return fail(st, -EPROTO, "the same public_key appears twice");
	return st->errno_val ? daemon_errno(st) : 0;
}

static int parse_lines(struct uapi_state *st, const char *buf, size_t len, int64_t now)
{
	size_t pos = 0;
	while (pos < len) {
		st->lineno++;
		size_t left = len - pos;
		const char *nl = memchr(buf + pos, '\n', left < UAPI_LINE_MAX + 1 ? left : UAPI_LINE_MAX + 1);
		if (!nl)
			return fail(st, -EPROTO, left > UAPI_LINE_MAX ? "line longer than %d bytes" :
			            "last line has no newline", UAPI_LINE_MAX);
		size_t llen = (size_t)(nl - (buf + pos));
		if (llen == 0) {
			if (!st->errno_seen)
				return fail(st, -EPROTO, "reply ended without an errno line");
			if (pos + 1 != len)
				return fail(st, -EPROTO, "data after the end of the reply");
			return finish(st, now);
		}
		int rc = handle_line(st, buf + pos, llen);
		if (rc < 0)
			return rc;
		pos += llen + 1;
	}
	st->lineno++;
	return fail(st, -EPROTO, st->errno_seen ? "reply ends without the empty line" :
	            "reply ends without errno and empty line");
}

int uapi_parse(const char *buf, size_t len, struct wg_device *dev, int64_t now_real_ms,
               char *err, size_t errlen)
{
	struct uapi_state st = { .dev = dev, .err = err, .errlen = errlen };
	int rc;
	if (errlen)
		err[0] = '\0';
	if (len > UAPI_REPLY_MAX)
		rc = fail(&st, -E2BIG, "reply larger than %u bytes", UAPI_REPLY_MAX);
	else
		rc = parse_lines(&st, buf, len, now_real_ms);
	if (rc < 0)
		wg_device_clear(dev);
	return rc;
}
