// SPDX-License-Identifier: MIT
/* Netlink framing and the WireGuard dump parser on hand-built datagrams: merging split
 * peers, length checks, control messages, secrets never kept. No kernel needed. */
#include <errno.h>
#include <stdlib.h>

#include "allowedips.h"
#include "epfix.h"
#include "harness.h"
#include "util.h"
#include "nl_builder.h"

/* ---- tests ---- */

static void build_two_peers(struct mb *b, bool nested)
{
	memset(b, 0, sizeof(*b));
	b->nested_flag = nested;
	mb_dev_begin(b, 0);
	mb_dev_attrs(b, 51820);
	size_t peers = mb_nest(b, WGDEVICE_A_PEERS);
	mb_peer(b, 0x11, 1700000000, 1000, 2000);
	size_t p = mb_nest(b, 0);
	int64_t ts[2] = { 0, 0 };
	mb_key(b, WGPEER_A_PUBLIC_KEY, 0x22);
	mb_key(b, WGPEER_A_PRESHARED_KEY, 0xa5);
	mb_attr(b, WGPEER_A_LAST_HANDSHAKE_TIME, ts, 16);
	mb_v6(b, "2001:db8::1", 51821, 0);
	mb_end(b, p);
	mb_end(b, peers);
	mb_end_msg(b);
	mb_done(b, 0, 0);
}

static bool contains(const void *hay, size_t n, uint8_t fill)
{
	uint8_t k[32];
	memset(k, fill, sizeof(k));
	return memmem(hay, n, k, sizeof(k)) != NULL;
}

static void test_two_peers(void)
{
	static struct mb b;
	struct wgnl_dump d;
	struct wg_device dev;
	for (int nested = 0; nested < 2; nested++) {
		build_two_peers(&b, nested);
		dump_init(&d, &dev);
		CHECK_INT(parse(&b, &d, &dev), 0);
		CHECK(d.st.done && !d.st.intr);
		CHECK_INT(d.st.err, 0);
		CHECK_INT(dev.listen_port, 51820);
		CHECK(dev.has_public_key && dev.public_key[0] == 0xd1 && dev.public_key[31] == 0xd1);
		CHECK_INT(dev.npeers, 2);
		if (dev.npeers != 2)
			continue;
		struct wg_peer *a = &dev.peers[0], *c = &dev.peers[1];
		CHECK(a->public_key[0] == 0x11 && c->public_key[31] == 0x22);
		CHECK_STR(ep_str(&a->endpoint), "192.0.2.1:51820");
		CHECK_STR(ep_str(&c->endpoint), "[2001:db8::1]:51821");
		CHECK_INT(a->last_handshake_sec, 1700000000);
		CHECK_INT(a->last_handshake_nsec, 123456789);
		CHECK_INT(a->hs_kind, WG_HS_TIME);
		CHECK_INT(a->rx_bytes, 1000);
		CHECK_INT(a->tx_bytes, 2000);
		CHECK_INT(a->persistent_keepalive, 25);
		/* 0/0 = never, still a known (TIME) value */
		CHECK_INT(c->last_handshake_sec, 0);
		CHECK_INT(c->last_handshake_nsec, 0);
		CHECK_INT(c->hs_kind, WG_HS_TIME);
		CHECK_INT(c->rx_bytes, 0);
		/* neither the preshared (0xA5) nor the private key (0x5E) was kept anywhere */
		CHECK(!contains(&dev, sizeof(dev), 0xa5) && !contains(&dev, sizeof(dev), 0x5e));
		CHECK(!contains(dev.peers, dev.npeers * sizeof(*dev.peers), 0xa5));
		CHECK(!contains(dev.peers, dev.npeers * sizeof(*dev.peers), 0x5e));
		wg_device_clear(&dev);
	}
}

/* Message 1 ends with peer B's first fragment; message 2 repeats the device attributes
 * (first peer overflowed case) and starts with B's continuation, then peer C. */
static void build_split(struct mb *b, bool one_dgram, uint8_t third)
{
	memset(b, 0, sizeof(*b));
	mb_dev_begin(b, 0);
	mb_dev_attrs(b, 51820);
	size_t peers = mb_nest(b, WGDEVICE_A_PEERS);
	mb_peer(b, 0x11, 1700000000, 10, 20);
	mb_peer(b, 0x22, 1700000100, 555, 777);
	mb_end(b, peers);
	mb_end_msg(b);
	if (!one_dgram)
		return;
	mb_dev_begin(b, 0);
	mb_dev_attrs(b, 9999);   /* a repeat must not replace the first value */
	peers = mb_nest(b, WGDEVICE_A_PEERS);
	mb_peer_cont(b, 0x22);
	mb_peer_cont(b, 0x22);   /* split more than once */
	mb_peer(b, third, 0, 0, 0);
	mb_end(b, peers);
	mb_end_msg(b);
	mb_done(b, 0, 0);
}

static void check_split_result(const struct wg_device *dev)
{
	CHECK_INT(dev->npeers, 3);
	CHECK_INT(dev->listen_port, 51820);
	if (dev->npeers < 2)
		return;
	const struct wg_peer *p = &dev->peers[1];
	CHECK(p->public_key[0] == 0x22);
	CHECK_INT(p->rx_bytes, 555);
	CHECK_INT(p->tx_bytes, 777);
	CHECK_INT(p->last_handshake_sec, 1700000100);
	CHECK_STR(ep_str(&p->endpoint), "192.0.2.1:51820");
	/* its allowed IPs: 2 in the first fragment, 3 in each continuation, in order */
	static const char *const want[] = { "10.0.0.0/32", "10.0.0.1/32", "10.0.0.0/32",
		"10.0.0.1/32", "10.0.0.2/32", "10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32" };
	CHECK_INT(p->nips, 8);
	CHECK_INT(p->ips_total, 8);
	CHECK_INT(dev->nips, 12);
	for (uint32_t i = 0; i < p->nips && i < ARRAY_SIZE(want); i++) {
		char t[ALLOWEDIP_TEXT_SIZE];
		allowedip_text(t, &dev->ips[p->ips_at + i]);
		CHECK_STR(t, want[i]);
	}
	if (dev->npeers == 3)
		CHECK(dev->peers[2].nips == 2 && dev->peers[2].ips_at == 10);
}

static void test_split_peer(void)
{
	static struct mb b, b2;
	struct wgnl_dump d;
	struct wg_device dev;

	build_split(&b, true, 0x33);            /* both messages in one datagram */
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), 0);
	CHECK(d.st.done);
	check_split_result(&dev);
	wg_device_clear(&dev);

	build_split(&b, false, 0x33);           /* message 1 alone in datagram 1 */
	build_split(&b2, true, 0x33);
	size_t second = b.len;                  /* datagram 2 = b2 minus message 1 */
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), 0);
	CHECK(!d.st.done);
	CHECK_INT(dev.npeers, 2);
	CHECK_INT(wgnl_parse_device_msgs(b2.buf + second, b2.len - second, &d, &dev), 0);
	CHECK(d.st.done);
	check_split_result(&dev);
	wg_device_clear(&dev);
}

static void test_nonadjacent_duplicate(void)
{
	static struct mb b;
	struct wgnl_dump d;
	struct wg_device dev;
	build_split(&b, true, 0x11);            /* peer C repeats peer A's key */
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), -EPROTO);
	wg_device_clear(&dev);
}

/* Two WGPEER_A_ALLOWEDIPS in one peer element (the kernel sends one): refused, not one
 * of them read. */
static void test_two_allowedips(void)
{
	static struct mb b;
	struct wgnl_dump d;
	struct wg_device dev;
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, 0);
	size_t peers = mb_nest(&b, WGDEVICE_A_PEERS);
	size_t p = mb_nest(&b, 0);
	mb_key(&b, WGPEER_A_PUBLIC_KEY, 0x44);
	mb_allowedips(&b, 2);
	mb_allowedips(&b, 1);
	mb_end(&b, p);
	mb_end(&b, peers);
	mb_end_msg(&b);
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), -EPROTO);
	wg_device_clear(&dev);
}

/* A device message whose only peer carries `attr` (type t, n bytes of v). */
static int parse_peer_attr(uint16_t t, const void *v, size_t n, struct wg_device *dev)
{
	static struct mb b;
	struct wgnl_dump d;
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, 0);
	size_t peers = mb_nest(&b, WGDEVICE_A_PEERS);
	size_t p = mb_nest(&b, 0);
	mb_key(&b, WGPEER_A_PUBLIC_KEY, 0x44);
	mb_attr(&b, t, v, n);
	mb_end(&b, p);
	mb_end(&b, peers);
	mb_end_msg(&b);
	dump_init(&d, dev);
	return parse(&b, &d, dev);
}

static void test_wrong_lengths(void)
{
	/* Policy: a known attribute with the wrong payload length is -EPROTO (the device
	 * read fails visibly instead of showing a made-up "never" or 0 bytes). */
	struct wg_device dev;
	uint8_t z[32] = { 0 };
	uint32_t ts8[2] = { 1700000000, 5 };
	CHECK_INT(parse_peer_attr(WGPEER_A_RX_BYTES, z, 4, &dev), -EPROTO);
	wg_device_clear(&dev);
	CHECK_INT(parse_peer_attr(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, z, 4, &dev), -EPROTO);
	wg_device_clear(&dev);
	CHECK_INT(parse_peer_attr(WGPEER_A_LAST_HANDSHAKE_TIME, z, 12, &dev), -EPROTO);
	wg_device_clear(&dev);
	CHECK_INT(parse_peer_attr(WGPEER_A_ENDPOINT, z, 16, &dev), -EPROTO); /* family 0 */
	wg_device_clear(&dev);
	/* an 8-byte timespec (two s32) is accepted */
	CHECK_INT(parse_peer_attr(WGPEER_A_LAST_HANDSHAKE_TIME, ts8, 8, &dev), 0);
	CHECK_INT(dev.npeers, 1);
	if (dev.npeers == 1) {
		CHECK_INT(dev.peers[0].last_handshake_sec, 1700000000);
		CHECK_INT(dev.peers[0].last_handshake_nsec, 5);
	}
	wg_device_clear(&dev);
	/* unknown peer attribute and padding (type 0) are skipped */
	CHECK_INT(parse_peer_attr(40, z, 7, &dev), 0);
	CHECK_INT(dev.npeers, 1);
	wg_device_clear(&dev);
	CHECK_INT(parse_peer_attr(WGPEER_A_UNSPEC, NULL, 0, &dev), 0);
	CHECK_INT(dev.npeers, 1);
	if (dev.npeers == 1)   /* no handshake attribute at all: unknown, not "never" */
		CHECK_INT(dev.peers[0].hs_kind, WG_HS_UNKNOWN);
	wg_device_clear(&dev);
}

/* Device message with a peers nest whose bytes are given raw (to corrupt them). */
static int parse_raw_peers(const void *raw, size_t n, uint16_t nest_len)
{
	static struct mb b;
	struct wgnl_dump d;
	struct wg_device dev;
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, 0);
	uint16_t h[2] = { nest_len, WGDEVICE_A_PEERS };
	mb_raw(&b, h, 4);
	mb_raw(&b, raw, n);
	mb_end_msg(&b);
	mb_done(&b, 0, 0);
	dump_init(&d, &dev);
	int err = parse(&b, &d, &dev);
	wg_device_clear(&dev);
	return err;
}

static void test_malformed_attrs(void)
{
	/* peer element: nla_len 36 with key, inside a nest of 4 + 40 bytes */
	uint8_t raw[40] = { 0 };
	uint16_t elem[2] = { 36, 0 }, key[2] = { 36, WGPEER_A_PUBLIC_KEY };
	memcpy(raw, elem, 4);
	memcpy(raw + 4, key, 4);
	memset(raw + 8, 0x66, 28);   /* key is 32 bytes: 4 of them past the element */
	CHECK_INT(parse_raw_peers(raw, 36, 4 + 36), -EPROTO);   /* key beyond its container */
	uint16_t tiny[2] = { 2, 0 };
	CHECK_INT(parse_raw_peers(tiny, 4, 8), -EPROTO);         /* nla_len < 4 */
	CHECK_INT(parse_raw_peers(tiny, 2, 6), -EPROTO);         /* truncated attribute header */
	uint16_t big[2] = { 200, 0 };
	CHECK_INT(parse_raw_peers(big, 4, 8), -EPROTO);          /* nla_len beyond nest */
	uint16_t empty[2] = { 4, 0 };
	CHECK_INT(parse_raw_peers(empty, 4, 8), -EPROTO);        /* peer without public key */
	CHECK_INT(parse_raw_peers(NULL, 0, 4), 0);               /* empty peers nest is fine */

	/* device level: unknown attribute ignored, wrong-length port and key rejected,
	 * IFNAME of another device rejected */
	static struct mb b;
	struct wgnl_dump d;
	struct wg_device dev;
	uint32_t four = 4;
	const struct { uint16_t t; const void *v; size_t n; int want; } cases[] = {
		{ 50, &four, 4, 0 },
		{ WGDEVICE_A_LISTEN_PORT, &four, 4, -EPROTO },
		{ WGDEVICE_A_PUBLIC_KEY, &four, 4, -EPROTO },
		{ WGDEVICE_A_IFNAME, "wg1", 4, -EPROTO },
		{ WGDEVICE_A_IFNAME, "wg0", 3, -EPROTO },   /* not NUL-terminated */
		{ WGDEVICE_A_PRIVATE_KEY, &four, 4, 0 },     /* never read, so never checked */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&b, 0, sizeof(b));
		mb_dev_begin(&b, 0);
		mb_attr(&b, cases[i].t, cases[i].v, cases[i].n);
		mb_end_msg(&b);
		dump_init(&d, &dev);
		CHECK_INT(parse(&b, &d, &dev), cases[i].want);
		wg_device_clear(&dev);
	}
}

/* One allowed IP element: family, address (alen bytes), cidr; a negative part is left out. */
static void mb_ip(struct mb *b, int family, const char *addr, size_t alen, int cidr)
{
	uint8_t a[16] = { 0 }, m = (uint8_t)cidr;
	inet_pton(family == AF_INET6 || alen == 16 ? AF_INET6 : AF_INET, addr, a);
	size_t ip = mb_nest(b, 0);
	if (cidr >= 0)
		mb_attr(b, WGALLOWEDIP_A_CIDR_MASK, &m, 1);
	if (family >= 0)
		mb_u16(b, WGALLOWEDIP_A_FAMILY, (uint16_t)family);
	if (alen)
		mb_attr(b, WGALLOWEDIP_A_IPADDR, a, alen);
	mb_end(b, ip);
}

/* A device with one peer whose allowed IPs are made by fn; the parse's result. */
static int parse_ips(struct wg_device *dev, void (*fn)(struct mb *b))
{
	static struct mb b;
	struct wgnl_dump d;
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, 0);
	size_t peers = mb_nest(&b, WGDEVICE_A_PEERS), p = mb_nest(&b, 0);
	mb_key(&b, WGPEER_A_PUBLIC_KEY, 0x44);
	size_t ips = mb_nest(&b, WGPEER_A_ALLOWEDIPS);
	fn(&b);
	mb_end(&b, ips);
	mb_end(&b, p);
	mb_end(&b, peers);
	mb_end_msg(&b);
	mb_done(&b, 0, 0);
	dump_init(&d, dev);
	return parse(&b, &d, dev);
}

static void ips_v4_v6(struct mb *b)
{
	mb_ip(b, AF_INET, "10.9.0.0", 4, 24);
	mb_ip(b, AF_INET6, "fd00:9::", 16, 64);
	mb_ip(b, AF_INET6, "::", 16, 0);
}
static void ips_many(struct mb *b)
{
	for (int i = 0; i < 70; i++)
		mb_ip(b, AF_INET, "10.1.2.3", 4, 32);
}
static void ips_v4_cidr33(struct mb *b) { mb_ip(b, AF_INET, "10.0.0.1", 4, 33); }
static void ips_v6_cidr129(struct mb *b) { mb_ip(b, AF_INET6, "fd00::", 16, 129); }
static void ips_v4_len16(struct mb *b) { mb_ip(b, AF_INET, "fd00::", 16, 32); }
static void ips_no_family(struct mb *b) { mb_ip(b, -1, "10.0.0.1", 4, 32); }
static void ips_no_addr(struct mb *b) { mb_ip(b, AF_INET, "", 0, 32); }
static void ips_no_cidr(struct mb *b) { mb_ip(b, AF_INET, "10.0.0.1", 4, -1); }
static void ips_bad_family(struct mb *b) { mb_ip(b, 7, "10.0.0.1", 4, 32); }

static void test_allowed_ips(void)
{
	struct wg_device dev;
	char t[ALLOWEDIP_TEXT_SIZE];
	CHECK_INT(parse_ips(&dev, ips_v4_v6), 0);
	CHECK(dev.npeers == 1 && dev.peers[0].nips == 3 && dev.peers[0].ips_total == 3);
	if (dev.nips == 3) {
		allowedip_text(t, &dev.ips[0]);
		CHECK_STR(t, "10.9.0.0/24");
		CHECK_STR(allowedip_family(&dev.ips[0]), "IPv4");
		allowedip_text(t, &dev.ips[1]);
		CHECK_STR(t, "fd00:9::/64");
		CHECK_STR(allowedip_family(&dev.ips[1]), "IPv6");
		allowedip_text(t, &dev.ips[2]);
		CHECK_STR(t, "::/0");
	}
	wg_device_clear(&dev);
	/* past the bound: kept up to it, all counted */
	CHECK_INT(parse_ips(&dev, ips_many), 0);
	CHECK(dev.npeers == 1 && dev.peers[0].nips == WG_ALLOWEDIPS_KEEP);
	CHECK(dev.npeers == 1 && dev.peers[0].ips_total == 70);
	CHECK_INT(dev.nips, WG_ALLOWEDIPS_KEEP);
	wg_device_clear(&dev);
	void (*const bad[])(struct mb *) = { ips_v4_cidr33, ips_v6_cidr129, ips_v4_len16,
		ips_no_family, ips_no_addr, ips_no_cidr, ips_bad_family };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(parse_ips(&dev, bad[i]), -EPROTO);
		wg_device_clear(&dev);
	}
}

TEST_MAIN(test_allowed_ips, test_two_allowedips, test_two_peers, test_split_peer, test_nonadjacent_duplicate, test_wrong_lengths,
          test_malformed_attrs)
