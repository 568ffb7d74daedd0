// SPDX-License-Identifier: MIT
/* Streaming parser for `wg show all dump`: tab-separated lines, 5 fields for an interface
 * and 9 for a peer. The dump prints private and preshared keys in clear: they are zeroed
 * where they lie as soon as their line is passed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allowedips.h"
#include "endpoint.h"
#include "uapi.h"
#include "util.h"
#include "wgcli.h"

#define MAX_FIELDS 9

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

static int iface_line(struct wgcli_stream *st, struct field *f)
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

static int peer_numbers(struct wgcli_stream *st, struct wg_peer *p, const struct field *f)
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

/* ---- the allowed-IPs field: "a/n,b/m" or "(none)", read a byte at a time ---------- */

static void ips_reset(struct wgcli_ips *ips)
{
	ips->n = ips->total = 0;
	ips->entries = ips->len = 0;
	ips->none = ips->bad = false;
}

static void ips_entry(struct wgcli_ips *ips)
{
	struct wg_allowedip a;
	ips->entries++;
	if (ips->len == 6 && memcmp(ips->ent, "(none)", 6) == 0)
		ips->none = true;
	else if (!allowedip_parse(&a, ips->ent, ips->len))
		ips->bad = true;
	else if (ips->n < WG_ALLOWEDIPS_KEEP)
		ips->v[ips->n++] = a;
	if (!ips->none && !ips->bad && ips->total < UINT32_MAX)
		ips->total++;
	ips->len = 0;
}

static void ips_feed(struct wgcli_ips *ips, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ',')
			ips_entry(ips);
		else if (ips->len < sizeof ips->ent)
			ips->ent[ips->len++] = p[i];
		else
			ips->bad = true;
	}
}

/* The field is complete: "(none)" alone, or entries that all parsed. */
static bool ips_end(struct wgcli_ips *ips)
{
	ips_entry(ips);
	return !ips->bad && !(ips->none && ips->entries != 1);
}

static int attach_ips(struct wgcli_stream *st, struct wg_peer *p)
{
	struct wg_device *d = &st->snap->devs[st->cur];
	for (uint32_t i = 0; i < st->ips.n; i++)
		if (wg_peer_add_allowedip(d, p, &st->ips.v[i]) < 0)
			return fail(st, -ENOMEM, "cannot keep an allowed IP: out of memory");
	p->ips_total = st->ips.total;
	return 0;
}

static int peer_line(struct wgcli_stream *st, struct field *f)
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
	if (!ips_end(&st->ips))
		return fail(st, -EPROTO, "bad allowed IPs");
	struct wg_peer *p = wg_device_add_peer(&st->snap->devs[st->cur]);
	if (!p && errno == E2BIG)
		return fail(st, -E2BIG, "%s has more than %u peers", st->cur_name, WG_MAX_PEERS);
	if (!p)
		return fail(st, -errno, "cannot add peer: %s", strerror(errno));
	memcpy(p->public_key, key, WG_KEY_LEN);
	if (!field_is(&f[3], "(none)"))
		endpoint_parse(&p->endpoint, f[3].s, f[3].len); /* else WG_EP_INVALID */
	int rc = peer_numbers(st, p, f);
	return rc < 0 ? rc : attach_ips(st, p);
}

/* Peers come unsorted (wireguard-go: its map's order): a hash index finds duplicates. */
static int check_duplicates(struct wgcli_stream *st)
{
	for (size_t i = st->first; i < st->snap->ndevs; i++) {
		struct wg_device *d = &st->snap->devs[i];
		size_t dup;
		int rc = wg_device_find_duplicate(d, &dup);
		if (rc == -EEXIST)
			return fail(st, -EPROTO, "%s lists a peer twice", d->name);
		if (rc < 0)
			return fail(st, rc, "cannot index the peers of %s: out of memory", d->name);
	}
	return 0;
}

/* One whole line (no '\n'); the bound leaves out field 5, a peer's allowed IPs, which
 * the carry parsed already when the line was cut (carried). */
static int one_line(struct wgcli_stream *st, char *line, size_t len, bool carried)
{
	struct field f[MAX_FIELDS];
	st->lineno++;
	size_t n = split_fields(line, len, '\t', f, MAX_FIELDS);
	if (!carried) {
		ips_reset(&st->ips);
		if (n == 9)
			ips_feed(&st->ips, f[4].s, f[4].len);
	}
	if (len - (n >= 5 ? f[4].len : 0) > WGCLI_LINE_MAX)
		return fail(st, -EPROTO, "line longer than %d bytes (not counting allowed IPs)",
		            WGCLI_LINE_MAX);
	return n == 5 ? iface_line(st, f) : n == 9 ? peer_line(st, f) :
	       fail(st, -EPROTO, "%s%zu fields, expected 5 or 9", n > MAX_FIELDS ?
	            "more than " : "", n > MAX_FIELDS ? (size_t)MAX_FIELDS : n);
}

/* Appends the start of a cut line to carry; field 5 is parsed as allowed IPs on the way,
 * and of its text only what tells a fwmark apart is kept. */
static int carry_append(struct wgcli_stream *st, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\t') {
			st->carry_tabs++;
		} else if (st->carry_tabs == 4) {
			ips_feed(&st->ips, &p[i], 1);
			if (st->carry_f4++ >= WGCLI_FIELD4_KEEP)
				continue;
		}
		if (st->carry_len == sizeof st->carry) {
			st->lineno++;
			return fail(st, -EPROTO, "line longer than %d bytes (not counting allowed "
			            "IPs)", WGCLI_LINE_MAX);
		}
		st->carry[st->carry_len++] = p[i];
	}
	return 0;
}

static void carry_clear(struct wgcli_stream *st)
{
	explicit_bzero(st->carry, st->carry_len);
	st->carry_len = st->carry_tabs = st->carry_f4 = 0;
	ips_reset(&st->ips);
}

/* Completes the carried line with buf up to its newline (*pos: the bytes taken). */
static int finish_cut(struct wgcli_stream *st, char *buf, size_t len, size_t *pos)
{
	char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;
	int rc = carry_append(st, buf, n);
	explicit_bzero(buf, n);
	*pos = nl ? n + 1 : len;
	if (rc < 0 || !nl)
		return rc;
	rc = one_line(st, st->carry, st->carry_len, true);
	carry_clear(st);
	return rc;
}

/* The whole lines of buf from pos on; a line cut by the end of buf is carried. */
static int feed_lines(struct wgcli_stream *st, char *buf, size_t len, size_t pos)
{
	while (pos < len) {
		char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		if (!nl) {
			ips_reset(&st->ips); /* a cut line starts: its allowed IPs are read as they come */
			int rc = carry_append(st, line, len - pos);
			explicit_bzero(line, len - pos);
			return rc;
		}
		pos += (size_t)(nl - line) + 1;
		int rc = one_line(st, line, (size_t)(nl - line), false);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A failed parse keeps no device of this output and no text. */
static int settle(struct wgcli_stream *st, int rc)
{
	if (rc < 0) {
		carry_clear(st);
		while (st->snap->ndevs > st->first)
			wg_snapshot_remove(st->snap, st->snap->ndevs - 1);
		st->rc = rc;
	}
	return rc;
}

void wgcli_stream_init(struct wgcli_stream *s, struct wg_snapshot *snap, char *err,
                       size_t errlen)
{
	*s = (struct wgcli_stream){ .snap = snap, .first = snap->ndevs, .cur = SIZE_MAX,
	                            .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
}

int wgcli_stream_feed(struct wgcli_stream *s, char *buf, size_t len)
{
	size_t pos = 0;
	int rc = s->rc;
	if (rc == 0 && s->carry_len > 0)
		rc = finish_cut(s, buf, len, &pos);
	if (rc == 0)
		rc = feed_lines(s, buf, len, pos);
	if (rc < 0)
		explicit_bzero(buf, len); /* the lines not parsed may hold secrets */
	return rc == s->rc ? rc : settle(s, rc);
}

int wgcli_stream_end(struct wgcli_stream *s)
{
	int rc = s->rc;
	if (rc == 0 && s->carry_len > 0) {
		s->lineno++;
		rc = fail(s, -EPROTO, "last line has no newline");
	}
	if (rc == 0) {
		s->lineno = 0;
		rc = check_duplicates(s);
	}
	carry_clear(s);
	return rc == s->rc ? rc : settle(s, rc);
}

int wgcli_parse(char *buf, size_t len, struct wg_snapshot *snap, char *err, size_t errlen)
{
	struct wgcli_stream s;
	wgcli_stream_init(&s, snap, err, errlen);
	wgcli_stream_feed(&s, buf, len);
	return wgcli_stream_end(&s);
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
		text_raw(d->errmsg + 4, sizeof d->errmsg - 4, line, len); /* escaped where printed */
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
