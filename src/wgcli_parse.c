// SPDX-License-Identifier: MIT
/* Parser for `wg show all dump`: tab-separated lines, 5 fields for an interface and 9 for
 * a peer. The dump prints private and preshared keys in clear: they are zeroed in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "uapi.h"
#include "util.h"
#include "wgcli.h"

#define MAX_FIELDS 9

struct dump_state {
	struct wg_snapshot *snap;
	size_t first;              /* devices from index first on come from this dump */
	size_t cur;                /* index of the current interface, or SIZE_MAX */
	bool skip;                 /* current interface is owned by an earlier backend */
	char cur_name[WG_IFNAME_SIZE];
	size_t lineno;
	char *err;
	size_t errlen;
};

#define fail(st, rc, ...) fail_at((st)->err, (st)->errlen, (st)->lineno, rc, __VA_ARGS__)

static void wipe(struct field *f)
{
	explicit_bzero(f->s, f->len);
}

/* "off" or 0x followed by 1-8 hex digits, as wg prints a u32 with %x. */
static bool parse_fwmark(const struct field *f)
{
	if (field_is(f, "off"))
		return true;
	if (f->len < 3 || f->len > 10 || f->s[0] != '0' || f->s[1] != 'x')
		return false;
	for (size_t i = 2; i < f->len; i++)
		if (!strchr("0123456789abcdefABCDEF", f->s[i]) || f->s[i] == '\0')
			return false;
	return true;
}

static int iface_line(struct dump_state *st, struct field *f)
{
	uint64_t port;
	wipe(&f[1]); /* private key */
	if (!wg_ifname_valid(f[0].s, f[0].len))
		return fail(st, -EPROTO, "bad interface name");
	memcpy(st->cur_name, f[0].s, f[0].len);
	st->cur_name[f[0].len] = '\0';
	for (size_t i = 0; i < st->snap->ndevs; i++)
		if (strcmp(st->snap->devs[i].name, st->cur_name) == 0) {
			if (i >= st->first)
				return fail(st, -EPROTO, "interface %s listed twice", st->cur_name);
			st->skip = true; /* an earlier backend already reported it */
			return 0;
		}
	st->skip = false;
	uint8_t key[WG_KEY_LEN];
	bool has_key = !field_is(&f[2], "(none)");
	if (has_key && !key_from_base64(key, f[2].s, f[2].len))
		return fail(st, -EPROTO, "bad public key for %s", st->cur_name);
	if (!parse_u64(f[3].s, f[3].len, UINT16_MAX, &port))
		return fail(st, -EPROTO, "bad listen port for %s", st->cur_name);
	if (!parse_fwmark(&f[4]))
		return fail(st, -EPROTO, "bad fwmark for %s", st->cur_name);
	struct wg_device *d = wg_snapshot_add_device(st->snap, st->cur_name);
	if (!d)
		return fail(st, -errno, "cannot add interface: %s", strerror(errno));
	st->cur = st->snap->ndevs - 1;
	d->source = WG_SRC_WGCLI;
	d->has_public_key = has_key;
	if (has_key)
		memcpy(d->public_key, key, WG_KEY_LEN);
	d->listen_port = (uint16_t)port;
	return 0;
}

static int peer_numbers(struct dump_state *st, struct wg_peer *p, const struct field *f)
{
	uint64_t hs, ka = 0;
	if (!parse_u64(f[5].s, f[5].len, INT64_MAX, &hs))
		return fail(st, -EPROTO, "bad latest-handshake");
	if (!parse_u64(f[6].s, f[6].len, UINT64_MAX, &p->rx_bytes))
		return fail(st, -EPROTO, "bad rx-bytes");
	if (!parse_u64(f[7].s, f[7].len, UINT64_MAX, &p->tx_bytes))
		return fail(st, -EPROTO, "bad tx-bytes");
	if (!field_is(&f[8], "off") && !parse_u64(f[8].s, f[8].len, UINT16_MAX, &ka))
		return fail(st, -EPROTO, "bad persistent-keepalive");
	p->last_handshake_sec = (int64_t)hs; /* whole seconds; 0 = never */
	p->hs_kind = WG_HS_TIME;
	p->persistent_keepalive = (uint16_t)ka;
	return 0;
}

static int peer_line(struct dump_state *st, struct field *f)
{
	wipe(&f[2]); /* preshared key */
	if (st->cur == SIZE_MAX && !st->skip)
		return fail(st, -EPROTO, "peer line before any interface line");
	if (f[0].len != strlen(st->cur_name) || memcmp(f[0].s, st->cur_name, f[0].len) != 0)
		return fail(st, -EPROTO, "peer line does not follow its interface line");
	if (st->skip)
		return 0;
	uint8_t key[WG_KEY_LEN];
	if (!key_from_base64(key, f[1].s, f[1].len))
		return fail(st, -EPROTO, "bad peer public key");
	struct wg_peer *p = wg_device_add_peer(&st->snap->devs[st->cur]);
	if (!p)
		return fail(st, -errno, "cannot add peer: %s", errno == E2BIG ? "too many peers" :
		            strerror(errno));
	memcpy(p->public_key, key, WG_KEY_LEN);
	if (!field_is(&f[3], "(none)"))
		endpoint_normalize(p->endpoint, sizeof p->endpoint, f[3].s, f[3].len);
	return peer_numbers(st, p, f);
}

static int cmp_peer(const void *a, const void *b)
{
	return memcmp(((const struct wg_peer *)a)->public_key,
	              ((const struct wg_peer *)b)->public_key, WG_KEY_LEN);
}

/* Peers come unsorted (wireguard-go: random); sorting finds duplicates in n log n. */
static int check_duplicates(struct dump_state *st)
{
	for (size_t i = st->first; i < st->snap->ndevs; i++) {
		struct wg_device *d = &st->snap->devs[i];
		if (d->npeers > 1)
			qsort(d->peers, d->npeers, sizeof(*d->peers), cmp_peer);
		for (size_t j = 1; j < d->npeers; j++)
			if (cmp_peer(&d->peers[j - 1], &d->peers[j]) == 0)
				return fail(st, -EPROTO, "%s lists a peer twice", d->name);
	}
	return 0;
}

static int parse_all(struct dump_state *st, char *buf, size_t len)
{
	struct field f[MAX_FIELDS];
	size_t pos = 0;
	while (pos < len) {
		st->lineno++;
		char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			return fail(st, -EPROTO, "last line has no newline");
		size_t llen = (size_t)(nl - (buf + pos));
		size_t n = split_fields(buf + pos, llen, '\t', f, MAX_FIELDS);
		int rc = n == 5 ? iface_line(st, f) : n == 9 ? peer_line(st, f) :
		         fail(st, -EPROTO, "%s%zu fields, expected 5 or 9", n > MAX_FIELDS ?
		              "more than " : "", n > MAX_FIELDS ? (size_t)MAX_FIELDS : n);
		if (rc < 0)
			return rc;
		pos += llen + 1;
	}
	st->lineno = 0;
	return check_duplicates(st);
}

int wgcli_parse(char *buf, size_t len, struct wg_snapshot *snap, char *err, size_t errlen)
{
	struct dump_state st = { .snap = snap, .first = snap->ndevs, .cur = SIZE_MAX,
	                         .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
	int rc = parse_all(&st, buf, len);
	if (rc < 0)
		while (snap->ndevs > st.first)
			wg_snapshot_remove(snap, snap->ndevs - 1);
	return rc;
}

void wgcli_fix_ages(struct wg_snapshot *snap, size_t first, int64_t now_real_ms)
{
	for (size_t i = first; i < snap->ndevs; i++)
		for (size_t j = 0; j < snap->devs[i].npeers; j++) {
			struct wg_peer *p = &snap->devs[i].peers[j];
			int64_t s = p->last_handshake_sec;
			if (p->hs_kind == WG_HS_TIME && s > 0 && s < UAPI_AGE_LIMIT)
				uapi_age_to_time(p, s, p->last_handshake_nsec, now_real_ms);
		}
}

static const char access_prefix[] = "Unable to access interface ";

/* wg's strerror text back to an errno; the message keeps the words anyway. */
static int reason_errno(const char *why, size_t len)
{
	static const struct { const char *text; int err; } map[] = {
		{ "Permission denied", EACCES }, { "Operation not permitted", EPERM },
		{ "Protocol not supported", EPROTONOSUPPORT }, { "Connection refused", ECONNREFUSED },
		{ "No such device", ENODEV }, { "No such file or directory", ENOENT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (len == strlen(map[i].text) && memcmp(why, map[i].text, len) == 0)
			return -map[i].err;
	return -EIO;
}

static bool access_line(const char *line, size_t len, struct wg_snapshot *snap)
{
	size_t plen = sizeof access_prefix - 1;
	if (len <= plen || memcmp(line, access_prefix, plen) != 0)
		return false;
	const char *name = line + plen, *colon = memchr(name, ':', len - plen);
	size_t nlen = colon ? (size_t)(colon - name) : 0;
	if (!colon || !wg_ifname_valid(name, nlen) || colon + 2 > line + len || colon[1] != ' ')
		return true; /* counted: wg said something per-interface, even if garbled */
	char ifname[WG_IFNAME_SIZE];
	memcpy(ifname, name, nlen);
	ifname[nlen] = '\0';
	int err = reason_errno(colon + 2, len - (size_t)(colon + 2 - line));
	/* gone between listing and reading: like wg(8) and netlink, not an interface */
	if (err == -ENODEV || err == -ENOENT || err == -ECONNREFUSED || wg_snapshot_find(snap, ifname))
		return true;
	struct wg_device *d = wg_snapshot_add_device(snap, ifname);
	if (d) {
		d->source = WG_SRC_WGCLI;
		d->error = err;
		memcpy(d->errmsg, "wg: ", 4);
		sanitize(d->errmsg + 4, sizeof d->errmsg - 4, line, len);
	}
	return true;
}

size_t wgcli_parse_stderr(const char *buf, size_t len, struct wg_snapshot *snap)
{
	size_t n = 0, pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		n += access_line(buf + pos, llen, snap);
		pos += llen + 1;
	}
	return n;
}
