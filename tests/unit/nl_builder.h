/* SPDX-License-Identifier: MIT */
/* Test-only builder of netlink datagrams (nlmsghdr, attributes, WireGuard device and peer
 * messages) shared by the netlink unit tests. Host byte order, like the kernel's. */
#ifndef NL_BUILDER_H
#define NL_BUILDER_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "source_netlink.h"

#define FAM  0x1a
#define SEQ  7u
#define PID  1234u

struct mb {
	_Alignas(8) uint8_t buf[16384];
	size_t len, msg_at;
	bool nested_flag;   /* set NLA_F_NESTED on nests (kernels >= 5.2 do) */
};

static inline void mb_raw(struct mb *b, const void *p, size_t n)
{
	memset(b->buf + b->len, 0, NL_ALIGN(n));
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += NL_ALIGN(n);
}

static inline void mb_msg(struct mb *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid)
{
	uint32_t h[4] = { 0, (uint32_t)type | (uint32_t)flags << 16, seq, pid };
	b->msg_at = b->len;
	mb_raw(b, h, sizeof(h));
}

static inline void mb_end_msg(struct mb *b)
{
	uint32_t n = (uint32_t)(b->len - b->msg_at);
	memcpy(b->buf + b->msg_at, &n, 4);
}

static inline void mb_attr(struct mb *b, uint16_t type, const void *p, size_t n)
{
	uint16_t h[2] = { (uint16_t)(4 + n), type };
	memset(b->buf + b->len, 0, NL_ALIGN(4 + n));
	memcpy(b->buf + b->len, h, 4);
	if (n)
		memcpy(b->buf + b->len + 4, p, n);
	b->len += NL_ALIGN(4 + n);
}

static inline size_t mb_nest(struct mb *b, uint16_t type)
{
	size_t at = b->len;
	mb_attr(b, (uint16_t)(type | (b->nested_flag ? NL_ATTR_F_NESTED : 0)), NULL, 0);
	return at;
}

static inline void mb_end(struct mb *b, size_t at)
{
	uint16_t n = (uint16_t)(b->len - at);
	memcpy(b->buf + at, &n, 2);
}

static inline void mb_u16(struct mb *b, uint16_t t, uint16_t v) { mb_attr(b, t, &v, 2); }
static inline void mb_u64(struct mb *b, uint16_t t, uint64_t v) { mb_attr(b, t, &v, 8); }

static inline void mb_key(struct mb *b, uint16_t t, uint8_t fill)
{
	uint8_t k[32];
	memset(k, fill, sizeof(k));
	mb_attr(b, t, k, sizeof(k));
}

static inline void mb_dev_begin(struct mb *b, uint16_t flags)
{
	static const uint8_t genl[4] = { WGNL_CMD_GET_DEVICE, 1, 0, 0 };
	mb_msg(b, FAM, NL_F_MULTI | flags, SEQ, PID);
	mb_raw(b, genl, 4);
}

static inline void mb_dev_attrs(struct mb *b, uint16_t port)
{
	uint32_t zero = 0, idx = 5;
	mb_u16(b, WGDEVICE_A_LISTEN_PORT, port);
	mb_attr(b, WGDEVICE_A_FWMARK, &zero, 4);
	mb_attr(b, WGDEVICE_A_IFINDEX, &idx, 4);
	mb_attr(b, WGDEVICE_A_IFNAME, "wg0", 4);
	mb_key(b, WGDEVICE_A_PRIVATE_KEY, 0x5e);
	mb_key(b, WGDEVICE_A_PUBLIC_KEY, 0xd1);
}

static inline void mb_v4(struct mb *b, const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, ip, &a.sin_addr);
	mb_attr(b, WGPEER_A_ENDPOINT, &a, sizeof(a));
}

static inline void mb_v6(struct mb *b, const char *ip, uint16_t port, uint32_t scope)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
	                          .sin6_scope_id = scope };
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	mb_attr(b, WGPEER_A_ENDPOINT, &a, sizeof(a));
}

static inline void mb_allowedips(struct mb *b, int n)
{
	size_t ips = mb_nest(b, WGPEER_A_ALLOWEDIPS);
	for (int i = 0; i < n; i++) {
		size_t ip = mb_nest(b, 0);
		uint8_t mask = 32, addr[4] = { 10, 0, 0, (uint8_t)i };
		mb_attr(b, 3, &mask, 1);
		mb_u16(b, 1, AF_INET);
		mb_attr(b, 2, addr, 4);
		mb_end(b, ip);
	}
	mb_end(b, ips);
}

/* A peer as the kernel's first fragment orders it; key bytes = fill, PSK = 0xA5. */
static inline void mb_peer(struct mb *b, uint8_t fill, int64_t hs, uint64_t rx, uint64_t tx)
{
	int64_t ts[2] = { hs, hs ? 123456789 : 0 };
	uint32_t one = 1;
	size_t p = mb_nest(b, 0);
	mb_key(b, WGPEER_A_PUBLIC_KEY, fill);
	mb_key(b, WGPEER_A_PRESHARED_KEY, 0xa5);
	mb_attr(b, WGPEER_A_LAST_HANDSHAKE_TIME, ts, 16);
	mb_u16(b, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mb_u64(b, WGPEER_A_TX_BYTES, tx);
	mb_u64(b, WGPEER_A_RX_BYTES, rx);
	mb_attr(b, WGPEER_A_PROTOCOL_VERSION, &one, 4);
	mb_v4(b, "192.0.2.1", 51820);
	mb_allowedips(b, 2);
	mb_end(b, p);
}

/* The continuation fragment: only the key and the rest of the allowed IPs. */
static inline void mb_peer_cont(struct mb *b, uint8_t fill)
{
	size_t p = mb_nest(b, 0);
	mb_key(b, WGPEER_A_PUBLIC_KEY, fill);
	mb_allowedips(b, 3);
	mb_end(b, p);
}

/* An RTM_NEWLINK message of interface index 42; kind NULL: no link info. */
static inline void mb_link(struct mb *b, const char *name, size_t name_len, const char *kind,
                           uint16_t flags)
{
	uint8_t ifi[16] = { 0 };
	int32_t index = 42;
	uint32_t mtu = 1420;
	memcpy(ifi + 4, &index, 4);
	mb_msg(b, WGNL_RTM_NEWLINK, NL_F_MULTI | flags, SEQ, PID);
	mb_raw(b, ifi, sizeof(ifi));
	mb_attr(b, WGNL_IFLA_IFNAME, name, name_len);
	mb_attr(b, 4, &mtu, 4);
	if (kind) {
		size_t li = mb_nest(b, WGNL_IFLA_LINKINFO);
		mb_attr(b, WGNL_IFLA_INFO_KIND, kind, strlen(kind) + 1);
		mb_end(b, li);
	}
	mb_end_msg(b);
}

static inline void mb_done(struct mb *b, int32_t err, uint16_t flags)
{
	mb_msg(b, NL_MSG_DONE, NL_F_MULTI | flags, SEQ, PID);
	mb_raw(b, &err, 4);
	mb_end_msg(b);
}

static inline void dump_init(struct wgnl_dump *d, struct wg_device *dev)
{
	memset(d, 0, sizeof(*d));
	d->seq = SEQ;
	d->portid = PID;
	d->family = FAM;
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->name, "wg0", 4);
}

static inline int parse(struct mb *b, struct wgnl_dump *d, struct wg_device *dev)
{
	return wgnl_parse_device_msgs(b->buf, b->len, d, dev);
}

#endif
