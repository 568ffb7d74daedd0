// SPDX-License-Identifier: MIT
/* Cost model of the kernel path's user space (issue 16 item 5): a WG_CMD_GET_DEVICE dump of
 * N peers cut into messages as the kernel cuts them, parsed by the production code into a
 * kept snapshot and applied to the peer table, POLLS times. Run by bench/ir_cost.sh. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "peers.h"
#include "source_netlink.h"

#define FAMILY 0x1a
#define SEQ    7u
#define PORTID 4242u

/* The kernel sizes a dump skb from the largest recvmsg() buffer seen on the socket, capped
 * at SKB_WITH_OVERHEAD(32768) (net/netlink/af_netlink.c); 320 is x86-64's shared-info. */
#define SKB_OVERHEAD 320u

struct dump {
	uint8_t *buf;
	size_t len, cap;
	size_t msg_at;        /* start of the open message */
	size_t limit;         /* largest message */
	size_t nmsgs;
	size_t *ends;         /* end offset of each datagram (one message each) */
};

static void *put(struct dump *d, size_t n)
{
	size_t need = d->len + NL_ALIGN(n);
	if (need > d->cap) {
		d->cap = need * 2;
		if (!(d->buf = realloc(d->buf, d->cap)))
			exit(1);
	}
	uint8_t *p = d->buf + d->len;
	memset(p, 0, NL_ALIGN(n));
	d->len = need;
	return p;
}

static size_t attr(struct dump *d, uint16_t type, const void *v, size_t n)
{
	size_t at = d->len;
	uint16_t h[2] = { (uint16_t)(NL_ATTR_HDRLEN + n), type };
	uint8_t *p = put(d, NL_ATTR_HDRLEN + n);
	memcpy(p, h, sizeof(h));
	if (n)
		memcpy(p + NL_ATTR_HDRLEN, v, n);
	return at;
}

static void nest_end(struct dump *d, size_t at)
{
	uint16_t n = (uint16_t)(d->len - at);
	memcpy(d->buf + at, &n, 2);
}

static size_t room(const struct dump *d)
{
	size_t used = d->len - d->msg_at;
	return used < d->limit ? d->limit - used : 0;
}

static void msg_begin(struct dump *d, uint16_t type)
{
	static const uint8_t genl[4] = { WGNL_CMD_GET_DEVICE, WGNL_GENL_VERSION, 0, 0 };
	uint32_t h[4] = { 0, (uint32_t)type | (uint32_t)NL_F_MULTI << 16, SEQ, PORTID };
	d->msg_at = d->len;
	memcpy(put(d, sizeof(h)), h, sizeof(h));
	if (type == FAMILY)
		memcpy(put(d, sizeof(genl)), genl, sizeof(genl));
}

static void msg_end(struct dump *d)
{
	uint32_t n = (uint32_t)(d->len - d->msg_at);
	memcpy(d->buf + d->msg_at, &n, 4);
	if (!(d->ends = realloc(d->ends, (d->nmsgs + 1) * sizeof(*d->ends))))
		exit(1);
	d->ends[d->nmsgs++] = d->len;
}

static void key(uint8_t k[32], size_t i)
{
	for (int b = 0; b < 32; b++)
		k[b] = (uint8_t)((i * 2654435761u >> (b % 4 * 8)) ^ (unsigned)b * 37u);
}

/* A peer's fixed attributes, in the kernel's order (get_peer). */
static void peer_fixed(struct dump *d, size_t i)
{
	uint8_t k[32], psk[32] = { 0 };
	int64_t ts[2] = { i % 3 ? 0 : 1764680000 + (int64_t)i, 0 };
	uint16_t keepalive = i % 2 ? 25 : 0;
	uint64_t tx = i % 3 ? 0 : 148 * i, rx = i % 3 ? 0 : 92 * i;
	uint32_t version = 1;
	key(k, i);
	attr(d, WGPEER_A_PUBLIC_KEY, k, 32);
	attr(d, WGPEER_A_PRESHARED_KEY, psk, 32);
	attr(d, WGPEER_A_LAST_HANDSHAKE_TIME, ts, sizeof(ts));
	attr(d, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, &keepalive, 2);
	attr(d, WGPEER_A_TX_BYTES, &tx, 8);
	attr(d, WGPEER_A_RX_BYTES, &rx, 8);
	attr(d, WGPEER_A_PROTOCOL_VERSION, &version, 4);
	if (i % 10 == 9) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(51820) };
		a.sin6_addr.s6_addr[0] = 0x20;
		a.sin6_addr.s6_addr[1] = 0x01;
		memcpy(&a.sin6_addr.s6_addr[12], &i, 4);
		attr(d, WGPEER_A_ENDPOINT, &a, sizeof(a));
	} else if (i % 3 == 0) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(51820),
		                         .sin_addr.s_addr = htonl(0xc6120000u + (uint32_t)i) };
		attr(d, WGPEER_A_ENDPOINT, &a, sizeof(a));
	}
}

/* Allowed IP number ip of peer i: a /32 in 10/8, every tenth peer also an IPv6 /128. */
static void allowedip(struct dump *d, size_t i, int ip)
{
	uint16_t family = ip ? AF_INET6 : AF_INET;
	uint8_t addr[16] = { 0xfd }, cidr = ip ? 128 : 32;
	uint32_t v4 = htonl(0x0a000000u + (uint32_t)i);
	if (!ip)
		memcpy(addr, &v4, 4);
	else
		memcpy(addr + 12, &i, 4);
	size_t at = attr(d, 0 | NL_ATTR_F_NESTED, NULL, 0);
	attr(d, WGALLOWEDIP_A_CIDR_MASK, &cidr, 1);
	attr(d, WGALLOWEDIP_A_FAMILY, &family, 2);
	attr(d, WGALLOWEDIP_A_IPADDR, addr, ip ? 16 : 4);
	nest_end(d, at);
}

#define IP_BYTES(ip) ((ip) ? 48u : 36u)   /* one allowed-IP element, as allowedip() */

/* Puts peer i from allowed IP *ip on; returns true when it is whole. Like the kernel: a
 * peer whose fixed part does not fit waits for the next message, one whose allowed IPs
 * do not all fit is closed early and continued (key + the rest) in the next. */
static bool peer(struct dump *d, size_t i, int *ip, size_t nips)
{
	size_t save = d->len;
	size_t p = attr(d, 0 | NL_ATTR_F_NESTED, NULL, 0);
	if (*ip == 0) {
		peer_fixed(d, i);
	} else {
		uint8_t k[32];
		key(k, i);
		attr(d, WGPEER_A_PUBLIC_KEY, k, 32);
	}
	if (room(d) < 8 + IP_BYTES(*ip) + 20) {   /* 8: ALLOWEDIPS + PEERS nests; 20: DONE */
		if (*ip == 0) {
			d->len = save;
			return false;
		}
	}
	size_t ips = attr(d, WGPEER_A_ALLOWEDIPS | NL_ATTR_F_NESTED, NULL, 0);
	while ((size_t)*ip < nips && room(d) >= IP_BYTES(*ip) + 20)
		allowedip(d, i, (*ip)++);
	nest_end(d, ips);
	nest_end(d, p);
	return (size_t)*ip == nips;
}

static void device_attrs(struct dump *d)
{
	uint16_t port = 51820;
	uint32_t zero = 0, index = 5;
	uint8_t k[32];
	attr(d, WGDEVICE_A_LISTEN_PORT, &port, 2);
	attr(d, WGDEVICE_A_FWMARK, &zero, 4);
	attr(d, WGDEVICE_A_IFINDEX, &index, 4);
	attr(d, WGDEVICE_A_IFNAME, "wg0", 4);
	memset(k, 0x5e, sizeof(k));
	attr(d, WGDEVICE_A_PRIVATE_KEY, k, 32);
	memset(k, 0xd1, sizeof(k));
	attr(d, WGDEVICE_A_PUBLIC_KEY, k, 32);
}

/* The whole dump of n peers, messages of at most limit bytes, then NLMSG_DONE. */
static void build(struct dump *d, size_t n, size_t limit)
{
	size_t i = 0;
	int ip = 0;
	d->limit = limit;
	while (i < n) {
		msg_begin(d, FAMILY);
		if (i == 0 && ip == 0)
			device_attrs(d);
		size_t peers = attr(d, WGDEVICE_A_PEERS | NL_ATTR_F_NESTED, NULL, 0);
		while (i < n) {
			size_t nips = i % 10 == 9 ? 2 : 1;
			if (!peer(d, i, &ip, nips))
				break;
			i++;
			ip = 0;
		}
		nest_end(d, peers);
		msg_end(d);
	}
	int32_t zero = 0;
	msg_begin(d, NL_MSG_DONE);
	memcpy(put(d, 4), &zero, 4);
	msg_end(d);
}

static void no_event(void *ctx, const struct event *ev)
{
	(void)ctx;
	(void)ev;
}

/* One poll as source_netlink makes it: each datagram parsed, then wiped (nl_recv_all). */
static int poll_once(const struct dump *d, struct wg_snapshot *snap, uint8_t *wipe)
{
	wg_snapshot_reset(snap);
	struct wg_device *dev = wg_snapshot_add_device(snap, "wg0");
	struct wgnl_dump st = { .seq = SEQ, .portid = PORTID, .family = FAMILY };
	if (!dev)
		return -1;
	dev->source = WG_SRC_KERNEL;
	size_t at = 0;
	for (size_t m = 0; m < d->nmsgs; m++) {
		size_t len = d->ends[m] - at;
		int err = wgnl_parse_device_msgs(d->buf + at, len, &st, dev);
		explicit_bzero(wipe, len);
		if (err < 0)
			return err;
		at = d->ends[m];
	}
	return st.st.done && st.st.err == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	int polls = argc > 2 ? atoi(argv[2]) : 1;
	struct dump ours = { 0 }, wgs = { 0 };
	build(&ours, n, 32768 - SKB_OVERHEAD);
	build(&wgs, n, 4096 - SKB_OVERHEAD);   /* wg's buffer: min(page size, 8192) */
	struct peers_config cfg = { .threshold_ms = 180000, .interval_ms = 10000 };
	struct peer_table *t = peers_new(&cfg);
	struct wg_snapshot snap = { 0 };
	uint8_t *wipe = malloc(NL_BUF_SIZE);
	if (!t || !wipe)
		return 1;
	for (int k = 0; k < polls; k++) {
		struct clocks now = { 1764680000000 + k * 10000, 1000000 + k * 10000 };
		if (poll_once(&ours, &snap, wipe) < 0 || peers_update(t, &snap, &now, no_event, NULL))
			return fprintf(stderr, "poll %d failed\n", k), 1;
	}
	size_t ips = 0, npeers = snap.ndevs ? snap.devs[0].npeers : 0;
	for (size_t i = 0; i < npeers; i++)
		ips += snap.devs[0].peers[i].ips_total;
	printf("peers %zu read %zu with %zu allowed IPs, dump %zu bytes (%.0f a peer), "
	       "datagrams a dump: %zu at a 32 KiB buffer (wg-monitor), %zu at 4 KiB (wg)\n", n,
	       npeers, ips, ours.len, (double)ours.len / (double)n, ours.nmsgs, wgs.nmsgs);
	peers_free(t);
	wg_snapshot_clear(&snap);
	free(wipe);
	free(ours.buf);
	free(ours.ends);
	free(wgs.buf);
	free(wgs.ends);
	return 0;
}
