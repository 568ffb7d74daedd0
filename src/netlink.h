/* SPDX-License-Identifier: MIT */
/* Minimal netlink plumbing (libc only): sockets, request building, a bounded receive loop,
 * and length-checked walkers for messages and attributes. No protocol knowledge here. */
#ifndef NETLINK_H
#define NETLINK_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* Own copies of the stable netlink ABI constants (linux/netlink.h), so the build never
 * depends on installed kernel headers. */
#define NL_PROTO_ROUTE    0
#define NL_PROTO_GENERIC  16

#define NL_HDRLEN         16u      /* struct nlmsghdr */
#define NL_ATTR_HDRLEN    4u       /* struct nlattr */
#define NL_ALIGN(n)       (((n) + 3u) & ~(size_t)3u)

#define NL_MSG_NOOP       1
#define NL_MSG_ERROR      2
#define NL_MSG_DONE       3
#define NL_MSG_OVERRUN    4

#define NL_F_REQUEST      0x001
#define NL_F_MULTI        0x002
#define NL_F_ACK          0x004
#define NL_F_DUMP_INTR    0x010
#define NL_F_DUMP         0x300

#define NL_ATTR_F_NESTED  0x8000
#define NL_ATTR_TYPE_MASK 0x3fff   /* drops NESTED and NET_BYTEORDER */

#define NL_BUF_SIZE       32768u   /* the kernel's recommended dump buffer */
#define NL_REQ_SIZE       256u

struct nl_sock;
struct msghdr;

/* Test seam: a scripted kernel in place of sendto(2) and recvmsg(2) (MSG_DONTWAIT, the
 * sender's address in m->msg_name), so the receive path can be fed a dump cut anywhere.
 * Both return what the call would, -1 with errno on failure. */
struct nl_ops {
	ssize_t (*send)(struct nl_sock *s, const void *buf, size_t len);
	ssize_t (*recv)(struct nl_sock *s, struct msghdr *m);
};

struct nl_sock {
	int fd;             /* -1 when closed */
	uint32_t portid;    /* our port id, as assigned by the kernel */
	uint32_t seq;       /* last sequence number sent */
	uint8_t *buf;       /* NL_BUF_SIZE bytes, zeroed after every datagram */
	const struct nl_ops *ops;   /* NULL: the socket calls (always, outside tests) */
};

/* Limits for requests: a deadline and a flag that abandons them (a signal arrived). A
 * datagram already queued is still taken after the deadline: only waiting is bounded. */
struct nl_io {
	int64_t deadline_ms;                  /* mono_ms clock (the poll's budget) */
	const volatile sig_atomic_t *stop;    /* may be NULL */
};

/* A request under construction: nlmsghdr first; lengths are fixed up as data is added.
 * Adding past NL_REQ_SIZE sets overflow and nl_send refuses it (-EMSGSIZE). */
struct nl_req {
	_Alignas(4) uint8_t buf[NL_REQ_SIZE];
	size_t len;
	bool overflow;
};

/* What the messages of one request said so far. */
struct nl_dump_state {
	bool done;     /* NLMSG_DONE, or the NLMSG_ERROR (ack or error) that ends a request */
	bool intr;     /* NLM_F_DUMP_INTR seen on any message: the dump is inconsistent */
	int err;       /* 0, or the negative errno carried by NLMSG_ERROR / NLMSG_DONE */
};

/* Called for every non-control message: payload follows the nlmsghdr. <0 stops the walk. */
typedef int (*nl_msg_fn)(uint16_t type, uint16_t flags, const uint8_t *payload, size_t len,
                         void *arg);
/* Called for every attribute: type already masked with NL_ATTR_TYPE_MASK. <0 stops. */
typedef int (*nl_attr_fn)(uint16_t type, const uint8_t *payload, size_t len, void *arg);
/* Called with each received datagram; must set its nl_dump_state's done at the end. */
typedef int (*nl_dgram_fn)(const uint8_t *buf, size_t len, void *arg);

/* Opens and binds a socket of `protocol`; 0 or -errno. s is closed (fd -1) on failure. */
int nl_open(struct nl_sock *s, int protocol);
/* Closes, zeroes and frees the buffer; safe to call twice. */
void nl_close(struct nl_sock *s);

/* Starts a request with an nlmsghdr of `type` and `flags` (seq and pid set by nl_send). */
void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags);
/* Appends a fixed header (genlmsghdr, ifinfomsg), padded to 4 bytes. */
void nl_req_put(struct nl_req *r, const void *data, size_t len);
/* Appends one attribute; data may be NULL when len is 0. */
void nl_req_attr(struct nl_req *r, uint16_t type, const void *data, size_t len);
/* Opens a nested attribute; pass the returned offset to nl_req_nest_end. */
size_t nl_req_nest_begin(struct nl_req *r, uint16_t type);
void nl_req_nest_end(struct nl_req *r, size_t at);

/* Sends r with the next sequence number, stored in *seq. 0 or -errno. */
int nl_send(struct nl_sock *s, struct nl_req *r, uint32_t *seq);
/* Receives datagrams into s->buf and hands each to fn until st->done; the buffer is
 * explicit_bzero'd after each one. Returns fn's error, -ETIMEDOUT, -EINTR (io->stop),
 * -EMSGSIZE (MSG_TRUNC), -ENODATA (an empty read), -ENOBUFS or another -errno; else
 * st->err. When this returns without st->done the dump is still running: close the
 * socket. */
int nl_recv_all(struct nl_sock *s, const struct nl_io *io, nl_dgram_fn fn, void *arg,
                const struct nl_dump_state *st);
/* nl_send + nl_recv_all, handing every non-control message to fn. */
int nl_transact(struct nl_sock *s, struct nl_req *r, const struct nl_io *io, nl_msg_fn fn,
                void *arg, struct nl_dump_state *st);

/* Walks the messages of one datagram: framing checked (-EPROTO), messages whose seq or
 * port id differ are dropped, NOOP/OVERRUN ignored, ERROR/DONE recorded in st (and end
 * the walk), DUMP_INTR recorded; other messages go to fn. 0 or the first error. */
int nl_parse_msgs(const uint8_t *buf, size_t len, uint32_t seq, uint32_t portid,
                  nl_msg_fn fn, void *arg, struct nl_dump_state *st);
/* Walks the attributes in buf[0..len): -EPROTO on a truncated header, nla_len < 4 or
 * nla_len beyond len; else 0 or the callback's first error. Inline so that the compiler
 * can call a constant fn directly (a dump walks some 15 attributes a peer). */
static inline int nl_attr_walk(const uint8_t *buf, size_t len, nl_attr_fn fn, void *arg)
{
	size_t off = 0;
	while (off < len) {
		uint16_t alen, type;
		if (len - off < NL_ATTR_HDRLEN)
			return -EPROTO;
		memcpy(&alen, buf + off, 2);
		memcpy(&type, buf + off + 2, 2);
		if (alen < NL_ATTR_HDRLEN || alen > len - off)
			return -EPROTO;
		int err = fn(type & NL_ATTR_TYPE_MASK, buf + off + NL_ATTR_HDRLEN,
		             alen - NL_ATTR_HDRLEN, arg);
		if (err < 0)
			return err;
		off += NL_ALIGN((size_t)alen) < len - off ? NL_ALIGN((size_t)alen) : len - off;
	}
	return 0;
}

/* Exact-length readers for attribute payloads (memcpy: no alignment assumed). */
bool nl_get_u16(const uint8_t *p, size_t len, uint16_t *out);
bool nl_get_u32(const uint8_t *p, size_t len, uint32_t *out);
bool nl_get_u64(const uint8_t *p, size_t len, uint64_t *out);
/* True iff p[0..len) is a NUL-terminated string of 1..max-1 characters. */
bool nl_get_str(const uint8_t *p, size_t len, size_t max);

#endif
