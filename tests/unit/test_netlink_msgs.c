// SPDX-License-Identifier: MIT
/* Netlink framing and control messages (ERROR, DONE, DUMP_INTR, stale seq/port id),
 * endpoint text, the RTM_NEWLINK and family parsers, and the request builder. */
#include <errno.h>
#include <stdlib.h>

#include "endpoint.h"
#include "harness.h"
#include "nl_builder.h"

static int count_fn(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	(void)type; (void)flags; (void)p; (void)len;
	++*(int *)arg;
	return 0;
}

static int walk(const struct mb *b, struct nl_dump_state *st, int *n)
{
	memset(st, 0, sizeof(*st));
	*n = 0;
	return nl_parse_msgs(b->buf, b->len, SEQ, PID, count_fn, n, st);
}

static void test_malformed_framing(void)
{
	static struct mb b;
	struct nl_dump_state st;
	int n;
	uint32_t h[4] = { 15, FAM, SEQ, PID };           /* nlmsg_len < 16 */
	memset(&b, 0, sizeof(b));
	mb_raw(&b, h, 16);
	CHECK_INT(walk(&b, &st, &n), -EPROTO);
	h[0] = 64;                                       /* beyond the datagram */
	memset(&b, 0, sizeof(b));
	mb_raw(&b, h, 16);
	CHECK_INT(walk(&b, &st, &n), -EPROTO);
	h[0] = 16;                                       /* valid, then 8 stray bytes */
	memset(&b, 0, sizeof(b));
	mb_raw(&b, h, 16);
	mb_raw(&b, h, 8);
	CHECK_INT(walk(&b, &st, &n), -EPROTO);
	CHECK_INT(n, 1);
	CHECK_INT(nl_parse_msgs(b.buf, 0, SEQ, PID, count_fn, &n, &st), 0);   /* empty */
	/* a GET_DEVICE reply without the genl header, or another command */
	struct wgnl_dump d;
	struct wg_device dev;
	memset(&b, 0, sizeof(b));
	mb_msg(&b, FAM, NL_F_MULTI, SEQ, PID);
	mb_raw(&b, "\x00\x01", 2);
	b.len = 18;
	mb_end_msg(&b);
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), -EPROTO);
	memset(&b, 0, sizeof(b));
	mb_msg(&b, FAM, NL_F_MULTI, SEQ, PID);
	mb_raw(&b, "\x01\x01\x00\x00", 4);
	mb_end_msg(&b);
	CHECK_INT(parse(&b, &d, &dev), -EPROTO);
	wg_device_clear(&dev);
}

static void test_control_messages(void)
{
	static struct mb b;
	struct nl_dump_state st;
	int n;
	/* NLMSG_ERROR -EPERM: the dump never started; carries a copy of our request */
	uint32_t req[4] = { 28, FAM | (NL_F_REQUEST | NL_F_DUMP) << 16, SEQ, 0 };
	int32_t e = -EPERM;
	memset(&b, 0, sizeof(b));
	mb_msg(&b, NL_MSG_ERROR, 0, SEQ, PID);
	mb_raw(&b, &e, 4);
	mb_raw(&b, req, 16);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK(st.done);
	CHECK_INT(st.err, -EPERM);
	CHECK_INT(n, 0);
	/* an ack (error 0) also ends a request */
	e = 0;
	memcpy(b.buf + 16, &e, 4);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK(st.done && st.err == 0);
	/* a positive or absurd error code is malformed; so is a 16-byte NLMSG_ERROR */
	e = 5;
	memcpy(b.buf + 16, &e, 4);
	CHECK_INT(walk(&b, &st, &n), -EPROTO);
	memset(&b, 0, sizeof(b));
	mb_msg(&b, NL_MSG_ERROR, 0, SEQ, PID);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), -EPROTO);

	/* NLMSG_DONE carrying -ENODEV (error after the dump started) */
	memset(&b, 0, sizeof(b));
	mb_done(&b, -ENODEV, 0);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK(st.done);
	CHECK_INT(st.err, -ENODEV);
	/* DONE with extended-ack TLVs after the int: the int is still read */
	memset(&b, 0, sizeof(b));
	mb_msg(&b, NL_MSG_DONE, NL_F_MULTI | 0x200, SEQ, PID);
	e = -EBUSY;
	mb_raw(&b, &e, 4);
	mb_attr(&b, 1, "some text", 10);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK_INT(st.err, -EBUSY);
	/* a bare 16-byte DONE (very old kernels) is success */
	memset(&b, 0, sizeof(b));
	mb_msg(&b, NL_MSG_DONE, NL_F_MULTI, SEQ, PID);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK(st.done && st.err == 0);
	/* NOOP and OVERRUN ignored; messages after DONE are not looked at */
	memset(&b, 0, sizeof(b));
	mb_msg(&b, NL_MSG_NOOP, 0, SEQ, PID);
	mb_end_msg(&b);
	mb_msg(&b, NL_MSG_OVERRUN, 0, SEQ, PID);
	mb_end_msg(&b);
	mb_msg(&b, FAM, 0, SEQ, PID);
	mb_end_msg(&b);
	mb_done(&b, 0, 0);
	mb_msg(&b, FAM, 0, SEQ, PID);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK_INT(n, 1);
	CHECK(st.done);
}

static void test_seq_and_intr(void)
{
	static struct mb b;
	struct nl_dump_state st;
	int n;
	/* stale messages (other seq or port id) are dropped, including a stale DONE */
	memset(&b, 0, sizeof(b));
	mb_msg(&b, FAM, NL_F_MULTI, SEQ + 1, PID);
	mb_end_msg(&b);
	mb_msg(&b, FAM, NL_F_MULTI, SEQ, PID + 1);
	mb_end_msg(&b);
	mb_msg(&b, NL_MSG_DONE, NL_F_MULTI, SEQ - 1, PID);
	mb_raw(&b, "\0\0\0\0", 4);
	mb_end_msg(&b);
	CHECK_INT(walk(&b, &st, &n), 0);
	CHECK_INT(n, 0);
	CHECK(!st.done);
	/* a stale peer never reaches the device */
	struct wgnl_dump d;
	struct wg_device dev;
	memset(&b, 0, sizeof(b));
	mb_msg(&b, FAM, NL_F_MULTI, SEQ + 9, PID);
	mb_raw(&b, "\0\1\0\0", 4);
	size_t peers = mb_nest(&b, WGDEVICE_A_PEERS);
	mb_peer(&b, 0x77, 1, 2, 3);
	mb_end(&b, peers);
	mb_end_msg(&b);
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), 0);
	CHECK_INT(dev.npeers, 0);
	/* DUMP_INTR on a data message, then on DONE only */
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, NL_F_DUMP_INTR);
	mb_end_msg(&b);
	mb_done(&b, 0, 0);
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), 0);
	CHECK(d.st.done && d.st.intr);
	memset(&b, 0, sizeof(b));
	mb_dev_begin(&b, 0);
	mb_end_msg(&b);
	mb_done(&b, 0, NL_F_DUMP_INTR);
	dump_init(&d, &dev);
	CHECK_INT(parse(&b, &d, &dev), 0);
	CHECK(d.st.done && d.st.intr);
	wg_device_clear(&dev);
}

static void test_endpoints(void)
{
	char out[WG_ENDPOINT_SIZE];
	struct wg_endpoint e;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(51820),
	                           .sin6_scope_id = 3 };
	inet_pton(AF_INET6, "fe80::1", &a6.sin6_addr);
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a6, sizeof(a6)), 0);
	CHECK_STR(endpoint_format(out, &e), "[fe80::1%3]:51820");
	inet_pton(AF_INET6, "::ffff:192.0.2.9", &a6.sin6_addr);
	a6.sin6_scope_id = 0;
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a6, sizeof(a6)), 0);
	CHECK_STR(endpoint_format(out, &e), "[::ffff:192.0.2.9]:51820");
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(1) };
	inet_pton(AF_INET, "203.0.113.7", &a4.sin_addr);
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a4, sizeof(a4)), 0);
	CHECK_STR(endpoint_format(out, &e), "203.0.113.7:1");
	/* the length has to match the family */
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a4, 28), -EPROTO);
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a6, 16), -EPROTO);
	CHECK_INT(wgnl_parse_endpoint(&e, (const uint8_t *)&a4, 2), -EPROTO);
	CHECK_STR(endpoint_format(out, &e), "");
}

static void test_link_parser(void)
{
	static struct mb b;
	struct wgnl_link l;
	const uint8_t *p = b.buf + NL_HDRLEN;
	for (int nested = 0; nested < 2; nested++) {
		memset(&b, 0, sizeof(b));
		b.nested_flag = nested;
		mb_link(&b, "wg0", 4, "wireguard", 0);
		CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
		CHECK(l.is_wireguard && l.name_ok);
		CHECK_STR(l.name, "wg0");
		CHECK_INT(l.index, 42);
	}
	memset(&b, 0, sizeof(b));
	mb_link(&b, "wg-go0", 7, "tun", 0);            /* wireguard-go: kind tun */
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
	CHECK(!l.is_wireguard && l.name_ok);
	memset(&b, 0, sizeof(b));
	mb_link(&b, "eth0", 5, NULL, 0);               /* no link info at all */
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
	CHECK(!l.is_wireguard);
	memset(&b, 0, sizeof(b));
	mb_link(&b, "wg0", 4, "wireguardx", 0);
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
	CHECK(!l.is_wireguard);
	memset(&b, 0, sizeof(b));
	mb_link(&b, "wg\x1b[0", 6, "wireguard", 0);    /* a name SPEC §3 cannot watch */
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
	CHECK(l.is_wireguard && !l.name_ok);
	memset(&b, 0, sizeof(b));
	mb_link(&b, "abcdefghijklmnop", 17, "wireguard", 0);   /* 16 characters: too long */
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), 0);
	CHECK(!l.name_ok);
	CHECK_INT(wgnl_parse_link(p, 12, &l), -EPROTO);     /* shorter than ifinfomsg */
	memset(&b, 0, sizeof(b));
	mb_link(&b, "wg0", 4, "wireguard", 0);
	uint16_t bad = 200;                                 /* IFLA_IFNAME overruns */
	memcpy(b.buf + NL_HDRLEN + 16, &bad, 2);
	CHECK_INT(wgnl_parse_link(p, b.len - NL_HDRLEN, &l), -EPROTO);
}

static void test_family_parser(void)
{
	static struct mb b;
	uint16_t id = 0;
	uint32_t ver = 1;
	memset(&b, 0, sizeof(b));
	mb_raw(&b, "\x01\x02\x00\x00", 4);                 /* CTRL_CMD_NEWFAMILY */
	mb_attr(&b, WGNL_CTRL_ATTR_FAMILY_NAME, "wireguard", 10);
	mb_u16(&b, WGNL_CTRL_ATTR_FAMILY_ID, 0x1b);
	mb_attr(&b, 3, &ver, 4);
	mb_attr(&b, 99, NULL, 0);                           /* newer attribute: skipped */
	CHECK_INT(wgnl_parse_family(b.buf, b.len, &id), 0);
	CHECK_INT(id, 0x1b);
	b.buf[0] = 3;                                       /* not NEWFAMILY */
	CHECK_INT(wgnl_parse_family(b.buf, b.len, &id), -EPROTO);
	memset(&b, 0, sizeof(b));
	mb_raw(&b, "\x01\x02\x00\x00", 4);
	mb_attr(&b, WGNL_CTRL_ATTR_FAMILY_ID, &ver, 4);     /* 4 bytes: wrong */
	CHECK_INT(wgnl_parse_family(b.buf, b.len, &id), -EPROTO);
}

static void test_request_builder(void)
{
	/* The 36-byte GETFAMILY request of wireguard-state-sources.md §1.2. */
	static const uint8_t want[36] = {
		36, 0, 0, 0, 0x10, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		3, 1, 0, 0, 14, 0, 2, 0, 'w', 'i', 'r', 'e', 'g', 'u', 'a', 'r', 'd', 0, 0, 0,
	};
	struct nl_req r;
	nl_req_init(&r, 0x10, NL_F_REQUEST | NL_F_ACK);
	nl_req_put(&r, "\x03\x01\x00\x00", 4);
	nl_req_attr(&r, 2, "wireguard", 10);
	CHECK(!r.overflow);
	CHECK_INT(r.len, 36);
	CHECK(memcmp(r.buf, want, 36) == 0);
	/* nests get NLA_F_NESTED and their full length */
	nl_req_init(&r, 18, NL_F_REQUEST | NL_F_DUMP);
	size_t at = nl_req_nest_begin(&r, 18);
	nl_req_attr(&r, 1, "wireguard", 10);
	nl_req_nest_end(&r, at);
	uint16_t nlen, ntype;
	memcpy(&nlen, r.buf + at, 2);
	memcpy(&ntype, r.buf + at + 2, 2);
	CHECK_INT(nlen, 4 + 16);
	CHECK_INT(ntype, 18 | NL_ATTR_F_NESTED);
	/* overflow is sticky and refused */
	static uint8_t big[NL_REQ_SIZE];
	nl_req_attr(&r, 1, big, sizeof(big));
	CHECK(r.overflow);
	struct nl_sock s = { .fd = -1 };
	uint32_t seq;
	CHECK_INT(nl_send(&s, &r, &seq), -EMSGSIZE);
	/* exact-length readers */
	uint8_t raw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	CHECK(nl_get_u16(raw, 2, &u16) && !nl_get_u16(raw, 3, &u16));
	CHECK(nl_get_u32(raw, 4, &u32) && !nl_get_u32(raw, 8, &u32));
	CHECK(nl_get_u64(raw, 8, &u64) && !nl_get_u64(raw, 4, &u64));
	CHECK(nl_get_str((const uint8_t *)"ab", 3, 16));
	CHECK(!nl_get_str((const uint8_t *)"ab", 2, 16));   /* no NUL */
	CHECK(!nl_get_str((const uint8_t *)"", 1, 16));     /* empty */
	CHECK(!nl_get_str((const uint8_t *)"abcd", 5, 4));  /* too long */
}

TEST_MAIN(test_malformed_framing, test_control_messages, test_seq_and_intr, test_endpoints,
          test_link_parser, test_family_parser, test_request_builder)
