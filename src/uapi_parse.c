// SPDX-License-Identifier: MIT
/* Strict, bounded streaming parser for the UAPI `get=1` reply: key=value lines, a peer
 * block per public_key, errno=N and an empty line at the end. Secrets are zeroed where
 * they lie as soon as they are passed, never copied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allowedips.h"
#include "endpoint.h"
#include "uapi.h"
#include "util.h"

enum key_id {
	K_PRIVATE, K_OWN_PUB, K_LISTEN_PORT, K_FWMARK, K_PUBLIC, K_PSK, K_PROTO, K_ENDPOINT,
	K_HS_SEC, K_HS_NSEC, K_TX, K_RX, K_KEEPALIVE, K_ALLOWED_IP, K_ERRNO, K_UNKNOWN,
};

/* Names with their lengths, so a line's key is found without a strlen per name. */
#define KEY(name, in_peer, max) { name, sizeof(name) - 1, in_peer, max }
static const struct {
	const char *name;
	size_t len;
	bool peer;    /* only valid inside a peer block */
	uint64_t max; /* a peer's number: its largest value; else 0 */
} keys[] = {
	[K_PRIVATE] = KEY("private_key", false, 0),
	[K_OWN_PUB] = KEY("own_public_key", false, 0),
	[K_LISTEN_PORT] = KEY("listen_port", false, 0),
	[K_FWMARK] = KEY("fwmark", false, 0),
	[K_PUBLIC] = KEY("public_key", false, 0),
	[K_PSK] = KEY("preshared_key", true, 0),
	[K_PROTO] = KEY("protocol_version", true, UINT32_MAX),
	[K_ENDPOINT] = KEY("endpoint", true, 0),
	[K_HS_SEC] = KEY("last_handshake_time_sec", true, INT64_MAX),
	[K_HS_NSEC] = KEY("last_handshake_time_nsec", true, 999999999),
	[K_TX] = KEY("tx_bytes", true, UINT64_MAX),
	[K_RX] = KEY("rx_bytes", true, UINT64_MAX),
	[K_KEEPALIVE] = KEY("persistent_keepalive_interval", true, UINT16_MAX),
	[K_ALLOWED_IP] = KEY("allowed_ip", true, 0),
	[K_ERRNO] = KEY("errno", false, 0),
};

#define fail(st, rc, ...) fail_at((st)->err, (st)->errlen, (st)->lineno, rc, __VA_ARGS__)

/* The one candidate a name's length and a distinguishing character leave (every line of
 * every peer passes here: a scan of the table cost a tenth of a steady poll). */
static enum key_id key_candidate(const char *k, size_t klen)
{
	switch (klen) {
	case 5: return K_ERRNO;
	case 6: return K_FWMARK;
	case 8: return k[0] == 'e' ? K_ENDPOINT : k[0] == 't' ? K_TX : K_RX;
	case 10: return k[0] == 'p' ? K_PUBLIC : K_ALLOWED_IP;
	case 11: return k[0] == 'p' ? K_PRIVATE : K_LISTEN_PORT;
	case 13: return K_PSK;
	case 14: return K_OWN_PUB;
	case 16: return K_PROTO;
	case 23: return K_HS_SEC;
	case 24: return K_HS_NSEC;
	case 29: return K_KEEPALIVE;
	default: return K_UNKNOWN;
	}
}

static enum key_id key_lookup(const char *k, size_t klen)
{
	enum key_id id = key_candidate(k, klen);
	if (id != K_UNKNOWN && (keys[id].len != klen || memcmp(keys[id].name, k, klen) != 0))
		return K_UNKNOWN;
	return id;
}

static int parse_num(struct uapi_stream *st, enum key_id id, const char *v, size_t vlen,
                     uint64_t max, uint64_t *out)
{
	if (!parse_u64(v, vlen, max, out))
		return fail(st, -EPROTO, "%s is not a number in 0..%llu", keys[id].name,
		            (unsigned long long)max);
	return 0;
}

/* A peer block begins with its public key. */
static int add_peer(struct uapi_stream *st, const uint8_t key[WG_KEY_LEN])
{
	st->peer = wg_device_add_peer(st->dev);
	if (!st->peer && errno == E2BIG)
		return fail(st, -E2BIG, "more than %u peers", WG_MAX_PEERS);
	if (!st->peer)
		return fail(st, -errno, "cannot add peer: %s", strerror(errno));
	memcpy(st->peer->public_key, key, WG_KEY_LEN);
	st->peer->line = st->lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)st->lineno;
	st->peer->hs_kind = WG_HS_UNKNOWN; /* until last_handshake_time_sec says otherwise */
	st->peer_seen = 1u << K_PUBLIC;
	return 0;
}

static int new_peer(struct uapi_stream *st, const char *v, size_t vlen)
{
	uint8_t key[WG_KEY_LEN];
	if (!key_from_hex(key, v, vlen))
		return fail(st, -EPROTO, "public_key is not 64 hex digits");
	return add_peer(st, key);
}

static int device_key(struct uapi_stream *st, enum key_id id, const char *v, size_t vlen)
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
		if (rc == 0)
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

/* A peer's number, parsed. */
static void set_number(struct uapi_stream *st, enum key_id id, uint64_t n)
{
	struct wg_peer *p = st->peer;
	switch (id) {
	case K_PROTO:
		st->has_proto = true;
		break;
	case K_HS_SEC:
		p->last_handshake_sec = (int64_t)n;
		p->hs_kind = WG_HS_TIME;
		break;
	case K_HS_NSEC:
		p->last_handshake_nsec = (int64_t)n;
		break;
	case K_TX:
		p->tx_bytes = n;
		break;
	case K_RX:
		p->rx_bytes = n;
		break;
	case K_KEEPALIVE:
		p->persistent_keepalive = (uint16_t)n;
		break;
	default:
		break;
	}
}

/* One allowed_ip line: kept in the device's bounded list, or only counted. */
static int allowed_ip(struct uapi_stream *st, const char *v, size_t vlen)
{
	struct wg_allowedip a;
	if (!allowedip_parse(&a, v, vlen))
		return fail(st, -EPROTO, "allowed_ip is not a numeric addr/cidr");
	if (wg_peer_add_allowedip(st->dev, st->peer, &a) < 0)
		return fail(st, -ENOMEM, "cannot keep an allowed IP: out of memory");
	return 0;
}

static int peer_key(struct uapi_stream *st, enum key_id id, const char *v, size_t vlen)
{
	uint64_t n;
	if (keys[id].max) {
		int rc = parse_num(st, id, v, vlen, keys[id].max, &n);
		if (rc == 0)
			set_number(st, id, n);
		return rc;
	}
	if (id == K_ENDPOINT)
		endpoint_parse(&st->peer->endpoint, v, vlen); /* else WG_EP_INVALID, shown as such */
	else if (id == K_ALLOWED_IP)
		return allowed_ip(st, v, vlen);
	return 0; /* preshared_key: a secret, skipped */
}

/* A scalar key twice in one scope is malformed; allowed_ip repeats by design. */
static int check_repeat(struct uapi_stream *st, enum key_id id)
{
	unsigned *seen = st->peer ? &st->peer_seen : &st->dev_seen;
	if (id == K_ALLOWED_IP || id == K_PUBLIC)
		return 0;
	if (*seen & (1u << id))
		return fail(st, -EPROTO, "duplicate %s", keys[id].name);
	*seen |= 1u << id;
	return 0;
}

static int handle_errno(struct uapi_stream *st, const char *v, size_t vlen)
{
	if (!parse_i64(v, vlen, &st->errno_val))
		return fail(st, -EPROTO, "errno is not a number");
	st->errno_seen = true;
	return 0;
}

/* Parses one line (no '\n'); a secret value in it is zeroed first, whatever follows. */
static int handle_line(struct uapi_stream *st, char *line, size_t len)
{
	char *eq = memchr(line, '=', len);
	if (!eq)
		return fail(st, -EPROTO, "line without '='");
	size_t klen = (size_t)(eq - line), vlen = len - klen - 1;
	enum key_id id = key_lookup(line, klen);
	if (id == K_PRIVATE || id == K_PSK)
		explicit_bzero(eq + 1, vlen);
	if (st->errno_seen)
		return fail(st, -EPROTO, "data after the errno line");
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
static int daemon_errno(struct uapi_stream *st)
{
	int64_t v = st->errno_val;
	if (v < -4095 || v > 4095) /* bounded before negating: -INT64_MIN does not exist */
		return fail(st, -EPROTO, "daemon answered errno=%lld", (long long)v);
	int e = (int)(v < 0 ? -v : v);
	return fail(st, -e, "daemon answered errno=%lld (%s)", (long long)v, strerror(e));
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
static int finish(struct uapi_stream *st, int64_t now_real_ms)
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
	size_t dup;
	int rc = wg_device_find_duplicate(d, &dup);
	if (rc == -EEXIST)
		return fail_at(st->err, st->errlen, d->peers[dup].line, -EPROTO,
		               "the same public_key appears twice");
	if (rc < 0)
		return fail(st, rc, "cannot index the peers: out of memory");
	return st->errno_val ? daemon_errno(st) : 0;
}

/* An empty line ends the reply. */
static int end_line(struct uapi_stream *st, int64_t now)
{
	if (!st->errno_seen)
		return fail(st, -EPROTO, "reply ended without an errno line");
	int rc = finish(st, now);
	return rc < 0 ? rc : 1;
}

static int one_line(struct uapi_stream *st, char *line, size_t len, int64_t now)
{
	st->lineno++;
	return len == 0 ? end_line(st, now) : handle_line(st, line, len);
}

/* Moves the start of a line cut by the end of a piece out of the piece. */
static int keep_cut(struct uapi_stream *st, char *p, size_t n)
{
	if (st->carry_len + n > UAPI_LINE_MAX) {
		st->lineno++;
		explicit_bzero(p, n);
		return fail(st, -EPROTO, "line longer than %d bytes", UAPI_LINE_MAX);
	}
	memcpy(st->carry + st->carry_len, p, n);
	st->carry_len += n;
	explicit_bzero(p, n);
	return 0;
}

/* Completes the carried line with buf up to its newline (*pos: the bytes taken). */
static int finish_cut(struct uapi_stream *st, char *buf, size_t len, size_t *pos, int64_t now)
{
	size_t room = UAPI_LINE_MAX + 1 - st->carry_len;
	char *nl = memchr(buf, '\n', len < room ? len : room);
	size_t n = nl ? (size_t)(nl - buf) : len;
	int rc = keep_cut(st, buf, n);
	*pos = nl ? n + 1 : len;
	if (rc < 0 || !nl)
		return rc;
	rc = one_line(st, st->carry, st->carry_len, now);
	explicit_bzero(st->carry, st->carry_len);
	st->carry_len = 0;
	return rc;
}

/* ---- the one pass: a peer's usual lines, read where they lie ----------------------- */

/* fast_key and fast_value read up to a preshared key's last digit without a bound check. */
_Static_assert(UAPI_LINE_MAX >= sizeof("preshared_key=") - 1 + 2 * WG_KEY_LEN,
               "the one pass needs a whole key line within UAPI_LINE_MAX");

/* Whether l begins with the name lit and its '=': a compare of constant size, inlined. */
#define BEGINS(l, lit) (memcmp(l, lit "=", sizeof(lit)) == 0)

/* The key a line begins with, told by a character or two and checked with one compare
 * that includes its '='; K_UNKNOWN for any other (l has UAPI_LINE_MAX + 1 bytes). */
static enum key_id fast_key(const char *l)
{
	switch (l[0]) {
	case 'p':
		if (l[1] == 'u')
			return BEGINS(l, "public_key") ? K_PUBLIC : K_UNKNOWN;
		if (l[1] == 'e')
			return BEGINS(l, "persistent_keepalive_interval") ? K_KEEPALIVE : K_UNKNOWN;
		if (l[2] == 'e')
			return BEGINS(l, "preshared_key") ? K_PSK : K_UNKNOWN;
		return BEGINS(l, "protocol_version") ? K_PROTO : K_UNKNOWN;
	case 'l':
		if (l[20] == 's')
			return BEGINS(l, "last_handshake_time_sec") ? K_HS_SEC : K_UNKNOWN;
		return BEGINS(l, "last_handshake_time_nsec") ? K_HS_NSEC : K_UNKNOWN;
	case 'e': return BEGINS(l, "endpoint") ? K_ENDPOINT : K_UNKNOWN;
	case 't': return BEGINS(l, "tx_bytes") ? K_TX : K_UNKNOWN;
	case 'r': return BEGINS(l, "rx_bytes") ? K_RX : K_UNKNOWN;
	case 'a': return BEGINS(l, "allowed_ip") ? K_ALLOWED_IP : K_UNKNOWN;
	default: return K_UNKNOWN;
	}
}

/* The length of the value at v that fast_line can take, ending at its '\n' (found by
 * parsing it, or by a bounded search for the two texts); 0 when it is not in its usual
 * form: the line is then the slow path's, which says what is wrong with it. */
static size_t fast_value(enum key_id id, char *v, uint8_t key[WG_KEY_LEN], uint64_t *n)
{
	const char *end;
	size_t vlen;
	switch (id) {
	case K_PUBLIC:
		return v[64] == '\n' && key_from_hex(key, v, 64) ? 64 : 0;
	case K_PSK: /* a secret of any form is skipped: only its line's end is needed */
		return memchr(v, '\n', 65) == v + 64 ? 64 : 0;
	case K_ENDPOINT:
	case K_ALLOWED_IP:
		/* the whole line, without its '\n', within UAPI_LINE_MAX */
		end = memchr(v, '\n', UAPI_LINE_MAX - keys[id].len);
		return end && end > v ? (size_t)(end - v) : 0;
	default:
		vlen = parse_u64_prefix(v, 21, keys[id].max, n);
		return vlen && v[vlen] == '\n' ? vlen : 0;
	}
}

/* Reads the line at l (with at least UAPI_LINE_MAX + 1 bytes from l in the buffer) in one
 * pass when it is a usual line of a peer block: *took is then its length with the '\n',
 * else 0 and the slow path reads it. The same checks as handle_line's, in the same order,
 * so both reach the same result; 0 or -errno. */
static int fast_line(struct uapi_stream *st, char *l, size_t *took)
{
	enum key_id id = st->errno_seen ? K_UNKNOWN : fast_key(l);
	bool repeats = id == K_ALLOWED_IP || id == K_PUBLIC;
	uint8_t key[WG_KEY_LEN];
	uint64_t n = 0;
	*took = 0;
	if (id == K_UNKNOWN || (id != K_PUBLIC && !st->peer) ||
	    (!repeats && (st->peer_seen & (1u << id))))
		return 0;
	char *v = l + keys[id].len + 1;
	size_t vlen = fast_value(id, v, key, &n);
	if (!vlen)
		return 0;
	st->lineno++;
	*took = keys[id].len + 1 + vlen + 1;
	if (!repeats)
		st->peer_seen |= 1u << id;
	switch (id) {
	case K_PUBLIC:
		return add_peer(st, key);
	case K_PSK:
		explicit_bzero(v, vlen);
		return 0;
	case K_ENDPOINT:
		endpoint_parse(&st->peer->endpoint, v, vlen); /* else WG_EP_INVALID */
		return 0;
	case K_ALLOWED_IP:
		return allowed_ip(st, v, vlen);
	default:
		set_number(st, id, n);
		return 0;
	}
}

/* The whole lines of buf from *pos on; a line cut by the end of buf is carried. */
static int feed_lines(struct uapi_stream *st, char *buf, size_t len, size_t *pos, int64_t now)
{
	while (*pos < len) {
		size_t left = len - *pos, took = 0;
		char *line = buf + *pos;
		if (left > UAPI_LINE_MAX) {
			int rc = fast_line(st, line, &took);
			*pos += took;
			if (rc != 0)
				return rc;
			if (took)
				continue;
		}
		char *nl = memchr(line, '\n', left < UAPI_LINE_MAX + 1 ? left : UAPI_LINE_MAX + 1);
		if (!nl) {
			*pos = len;
			return keep_cut(st, line, left);
		}
		*pos += (size_t)(nl - line) + 1;
		int rc = one_line(st, line, (size_t)(nl - line), now);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Records the end of the parse (1 or -errno); a failed one keeps no peers, no text and
 * none of the device's own fields read before the failure (its key, its port). */
static int settle(struct uapi_stream *st, int rc)
{
	if (rc < 0) {
		explicit_bzero(st->carry, sizeof st->carry);
		st->carry_len = 0;
		enum wg_source_kind src = st->dev->source;
		wg_device_reset(st->dev);
		st->dev->source = src;
		st->peer = NULL;
	}
	st->rc = rc;
	return rc;
}

void uapi_stream_init(struct uapi_stream *s, struct wg_device *dev, char *err, size_t errlen)
{
	*s = (struct uapi_stream){ .dev = dev, .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
}

int uapi_stream_feed(struct uapi_stream *s, char *buf, size_t len, size_t *used,
                     int64_t now_real_ms)
{
	size_t pos = 0;
	int rc = s->rc;
	if (rc == 0 && s->carry_len > 0)
		rc = finish_cut(s, buf, len, &pos, now_real_ms);
	if (rc == 0)
		rc = feed_lines(s, buf, len, &pos, now_real_ms);
	*used = pos;
	explicit_bzero(buf + pos, len - pos); /* past the end or an error: unread, maybe secret */
	return rc == 0 || rc == s->rc ? rc : settle(s, rc);
}

int uapi_stream_eof(struct uapi_stream *s)
{
	if (s->rc != 0)
		return s->rc;
	s->lineno++;
	if (s->lineno == 1 && !s->carry_len) /* not a byte came */
		return settle(s, fail_at(s->err, s->errlen, 0, -EPROTO,
		                         "connection closed without a reply"));
	return settle(s, fail(s, -EPROTO, s->carry_len ? "last line has no newline" :
	                      s->errno_seen ? "reply ends without the empty line" :
	                      "reply ends without errno and empty line"));
}

int uapi_parse(const char *buf, size_t len, struct wg_device *dev, int64_t now_real_ms,
               char *err, size_t errlen)
{
	struct uapi_stream s;
	char piece[4096];
	size_t pos = 0, n = 0, used = 0;
	int rc = 0;
	uapi_stream_init(&s, dev, err, errlen);
	for (; rc == 0 && pos < len; pos += n) {
		n = len - pos < sizeof piece ? len - pos : sizeof piece;
		memcpy(piece, buf + pos, n);
		rc = uapi_stream_feed(&s, piece, n, &used, now_real_ms);
	}
	explicit_bzero(piece, sizeof piece);
	if (rc == 1 && pos - n + used != len)
		rc = settle(&s, fail(&s, -EPROTO, "data after the end of the reply"));
	else if (rc == 0)
		rc = uapi_stream_eof(&s);
	return rc < 0 ? rc : 0;
}
