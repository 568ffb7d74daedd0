// SPDX-License-Identifier: MIT
/* Parsers for WireGuard generic-netlink dumps, rtnetlink link messages and the family
 * lookup reply. Pure functions of their input bytes: no I/O, fuzzable. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "source_netlink.h"

#define GENL_HDRLEN 4u   /* struct genlmsghdr: cmd, version, reserved */

struct peer_parse {
	struct wg_peer p;
	bool have_key;
	bool have_hs;
	const uint8_t *ips;   /* WGPEER_A_ALLOWEDIPS, read once the peer is known (the kernel
	                       * sends one per element; a second is refused) */
	size_t ips_len;
};

struct dev_ctx {
	struct wgnl_dump *d;
	struct wg_device *dev;
};

/* The kernel sends a 16-byte __kernel_timespec; an 8-byte pair of s32 is accepted too
 * (early 32-bit builds). Negative or out-of-range values are malformed. */
static int parse_timespec(struct wg_peer *p, const uint8_t *v, size_t len)
{
	int64_t sec, nsec;
	if (len == 16) {
		memcpy(&sec, v, 8);
		memcpy(&nsec, v + 8, 8);
	} else if (len == 8) {
		int32_t s32, n32;
		memcpy(&s32, v, 4);
		memcpy(&n32, v + 4, 4);
		sec = s32;
		nsec = n32;
	} else {
		return -EPROTO;
	}
	if (sec < 0 || nsec < 0 || nsec >= 1000000000)
		return -EPROTO;
	p->last_handshake_sec = sec;
	p->last_handshake_nsec = nsec;
	return 0;
}

int wgnl_parse_endpoint(struct wg_endpoint *e, const uint8_t *p, size_t len)
{
	uint16_t family, port;
	uint32_t scope;
	*e = (struct wg_endpoint){ .family = WG_EP_NONE };
	if (len < 4)
		return -EPROTO;
	memcpy(&family, p, 2);       /* host order */
	memcpy(&port, p + 2, 2);     /* network order */
	e->port = ntohs(port);
	if (family == AF_INET && len == sizeof(struct sockaddr_in)) {
		memcpy(e->addr, p + 4, 4);
		e->family = WG_EP_V4;
		return 0;
	}
	if (family != AF_INET6 || len != sizeof(struct sockaddr_in6))
		return -EPROTO;
	memcpy(e->addr, p + 8, 16);
	memcpy(&scope, p + 24, sizeof(scope));
	if (scope)
		snprintf(e->zone, sizeof(e->zone), "%u", scope);
	e->family = WG_EP_V6;
	return 0;
}

static int peer_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct peer_parse *pp = arg;
	struct wg_peer *p = &pp->p;
	switch (type) {
	case WGPEER_A_PUBLIC_KEY:
		if (len != WG_KEY_LEN)
			return -EPROTO;
		memcpy(p->public_key, v, WG_KEY_LEN);
		pp->have_key = true;
		return 0;
	case WGPEER_A_ENDPOINT:
		return wgnl_parse_endpoint(&p->endpoint, v, len);
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		return nl_get_u16(v, len, &p->persistent_keepalive) ? 0 : -EPROTO;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		pp->have_hs = true;
		return parse_timespec(p, v, len);
	case WGPEER_A_RX_BYTES:
		return nl_get_u64(v, len, &p->rx_bytes) ? 0 : -EPROTO;
	case WGPEER_A_TX_BYTES:
		return nl_get_u64(v, len, &p->tx_bytes) ? 0 : -EPROTO;
	case WGPEER_A_ALLOWEDIPS:
		if (pp->ips)
			return -EPROTO;   /* not the kernel's shape: never read only part of it */
		pp->ips = v;
		pp->ips_len = len;
		return 0;
	default:
		/* PRESHARED_KEY is a secret and stays unread; FLAGS, PROTOCOL_VERSION are not
		 * monitored; type 0 is the kernel's u64 alignment padding. */
		return 0;
	}
}

struct ip_parse {
	struct wg_allowedip a;
	bool have_family, have_addr, have_cidr;
	size_t addr_len;
};

static int allowedip_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct ip_parse *ip = arg;
	uint16_t family;
	switch (type) {
	case WGALLOWEDIP_A_FAMILY:
		if (!nl_get_u16(v, len, &family) || (family != AF_INET && family != AF_INET6))
			return -EPROTO;
		ip->a.family = family == AF_INET6 ? 6 : 4;
		ip->have_family = true;
		return 0;
	case WGALLOWEDIP_A_IPADDR:
		if (len != 4 && len != 16)
			return -EPROTO;
		memcpy(ip->a.addr, v, len);
		ip->addr_len = len;
		ip->have_addr = true;
		return 0;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (len != 1)
			return -EPROTO;
		ip->a.cidr = v[0];
		ip->have_cidr = true;
		return 0;
	default:
		return 0;   /* FLAGS: only meaningful in a SET */
	}
}

struct ips_ctx {
	struct wg_device *dev;
	struct wg_peer *peer;
};

/* One element of WGPEER_A_ALLOWEDIPS: every part present, the lengths agreeing. */
static int allowedip_elem(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct ips_ctx *c = arg;
	struct ip_parse ip = { .addr_len = 0 };
	(void)type;   /* array index */
	int err = nl_attr_walk(v, len, allowedip_attr, &ip);
	if (err < 0)
		return err;
	if (!ip.have_family || !ip.have_addr || !ip.have_cidr ||
	    ip.addr_len != (ip.a.family == 6 ? 16u : 4u) || ip.a.cidr > ip.addr_len * 8)
		return -EPROTO;
	return wg_peer_add_allowedip(c->dev, c->peer, &ip.a);
}

/* One element of WGDEVICE_A_PEERS. A fragment repeating the previous peer's key is the
 * rest of that peer's allowed IPs: it must neither add a peer nor touch its counters.
 * The allowed IPs are read after the walk, once the peer they belong to is known. */
static int peer_elem(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct ips_ctx c = { .dev = arg };
	struct wg_device *dev = c.dev;
	struct peer_parse pp = { .p.hs_kind = WG_HS_TIME };
	(void)type;   /* array index: always 0 from the kernel, not meaningful */
	int err = nl_attr_walk(v, len, peer_attr, &pp);
	if (err < 0)
		return err;
	if (!pp.have_key)
		return -EPROTO;
	if (dev->npeers > 0 &&
	    memcmp(dev->peers[dev->npeers - 1].public_key, pp.p.public_key, WG_KEY_LEN) == 0) {
		c.peer = &dev->peers[dev->npeers - 1];
		return nl_attr_walk(pp.ips, pp.ips_len, allowedip_elem, &c);
	}
	if (!pp.have_hs)
		pp.p.hs_kind = WG_HS_UNKNOWN;
	if (!(c.peer = wg_device_add_peer(dev)))
		return errno == E2BIG ? -E2BIG : -ENOMEM;
	*c.peer = pp.p;
	return nl_attr_walk(pp.ips, pp.ips_len, allowedip_elem, &c);
}

static int dev_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct dev_ctx *c = arg;
	uint16_t port;
	switch (type) {
	case WGDEVICE_A_IFNAME:
		if (!nl_get_str(v, len, WG_IFNAME_SIZE) || strcmp((const char *)v, c->dev->name) != 0)
			return -EPROTO;
		return 0;
	case WGDEVICE_A_PUBLIC_KEY:
		if (len != WG_KEY_LEN)
			return -EPROTO;
		if (!c->dev->has_public_key)
			memcpy(c->dev->public_key, v, WG_KEY_LEN);
		c->dev->has_public_key = true;
		return 0;
	case WGDEVICE_A_LISTEN_PORT:
		if (!nl_get_u16(v, len, &port))
			return -EPROTO;
		if (!c->d->have_port)
			c->dev->listen_port = port;
		c->d->have_port = true;
		return 0;
	case WGDEVICE_A_PEERS:
		return nl_attr_walk(v, len, peer_elem, c->dev);
	default:
		return 0;   /* PRIVATE_KEY stays unread; IFINDEX, FWMARK, FLAGS not needed */
	}
}

static int dev_msg(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	struct dev_ctx *c = arg;
	(void)flags;
	if (type != c->d->family || len < GENL_HDRLEN || p[0] != WGNL_CMD_GET_DEVICE)
		return -EPROTO;
	c->d->msgs++;
	return nl_attr_walk(p + GENL_HDRLEN, len - GENL_HDRLEN, dev_attr, c);
}

/* Adjacent repeats were merged while parsing, so any key still present twice came from
 * a non-adjacent duplicate, which the kernel never sends. */
static int check_duplicates(struct wg_device *dev)
{
	size_t dup;
	int err = wg_device_find_duplicate(dev, &dup);
	return err == -EEXIST ? -EPROTO : err;
}

int wgnl_parse_device_msgs(const uint8_t *buf, size_t len, struct wgnl_dump *d,
                           struct wg_device *dev)
{
	struct dev_ctx c = { .d = d, .dev = dev };
	bool was_done = d->st.done;
	int err = nl_parse_msgs(buf, len, d->seq, d->portid, dev_msg, &c, &d->st);
	if (err < 0)
		return err;
	if (d->st.done && !was_done && d->st.err == 0)
		return check_duplicates(dev);
	return 0;
}

static int linkinfo_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct wgnl_link *l = arg;
	static const char kind[] = "wireguard";
	if (type == WGNL_IFLA_INFO_KIND)
		l->is_wireguard = strnlen((const char *)v, len) == sizeof(kind) - 1 &&
		                  memcmp(v, kind, sizeof(kind) - 1) == 0;
	return 0;
}

static int link_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct wgnl_link *l = arg;
	if (type == WGNL_IFLA_LINKINFO)
		return nl_attr_walk(v, len, linkinfo_attr, l);
	if (type != WGNL_IFLA_IFNAME)
		return 0;
	/* A name outside SPEC §3's characters cannot be watched or logged as is: skip it. */
	l->name_ok = nl_get_str(v, len, WG_IFNAME_SIZE) &&
	             wg_ifname_valid((const char *)v, strlen((const char *)v));
	if (l->name_ok)
		memcpy(l->name, v, strlen((const char *)v) + 1);
	return 0;
}

int wgnl_parse_link(const uint8_t *payload, size_t len, struct wgnl_link *out)
{
	memset(out, 0, sizeof(*out));
	if (len < WGNL_IFINFOMSG_LEN)
		return -EPROTO;
	memcpy(&out->index, payload + 4, sizeof(out->index));
	return nl_attr_walk(payload + WGNL_IFINFOMSG_LEN, len - WGNL_IFINFOMSG_LEN, link_attr, out);
}

static int family_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	if (type != WGNL_CTRL_ATTR_FAMILY_ID)
		return 0;   /* version, hdrsize, ops, groups, policies: not needed */
	return nl_get_u16(v, len, arg) ? 0 : -EPROTO;
}

int wgnl_parse_family(const uint8_t *payload, size_t len, uint16_t *family)
{
	if (len < GENL_HDRLEN || payload[0] != WGNL_CTRL_CMD_NEWFAMILY)
		return -EPROTO;
	return nl_attr_walk(payload + GENL_HDRLEN, len - GENL_HDRLEN, family_attr, family);
}
