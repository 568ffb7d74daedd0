// SPDX-License-Identifier: MIT
/* Netlink sockets and framing: every length is checked before a byte is read, and the
 * receive buffer is wiped after each datagram because dumps may carry secret keys. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netlink.h"
#include "util.h"

/* struct sockaddr_nl, spelled out so no kernel header is needed. */
struct nl_addr {
	sa_family_t family;
	unsigned short pad;
	uint32_t pid;
	uint32_t groups;
};

/* struct nlmsghdr, read with memcpy from possibly unaligned input. */
struct nl_hdr {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
};

int nl_open(struct nl_sock *s, int protocol)
{
	struct nl_addr a = { .family = AF_NETLINK };
	socklen_t alen = sizeof(a);
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (s->fd < 0) {
		err = -errno;
		goto fail;
	}
	if (bind(s->fd, (const struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen) < 0) {
		err = -errno;
		goto fail;
	}
	if (alen != sizeof(a) || a.family != AF_NETLINK) {
		err = -EPROTO;
		goto fail;
	}
	s->portid = a.pid;
	s->buf = malloc(NL_BUF_SIZE);   /* malloc alignment suits any header */
	if (!s->buf) {
		err = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	nl_close(s);
	return err;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->buf) {
		explicit_bzero(s->buf, NL_BUF_SIZE);
		free(s->buf);
	}
	s->fd = -1;
	s->buf = NULL;
}

static void req_hdr_len(struct nl_req *r)
{
	uint32_t len = (uint32_t)r->len;
	memcpy(r->buf, &len, sizeof(len));
}

void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags)
{
	struct nl_hdr h = { .len = NL_HDRLEN, .type = type, .flags = flags };
	memset(r, 0, sizeof(*r));
	memcpy(r->buf, &h, sizeof(h));
	r->len = NL_HDRLEN;
}

/* Reserves NL_ALIGN(len) zeroed bytes at the end; NULL (and overflow) if they don't fit. */
static uint8_t *req_reserve(struct nl_req *r, size_t len)
{
	if (r->overflow || len > NL_REQ_SIZE || NL_ALIGN(len) > NL_REQ_SIZE - r->len) {
		r->overflow = true;
		return NULL;
	}
	uint8_t *p = r->buf + r->len;
	memset(p, 0, NL_ALIGN(len));
	r->len += NL_ALIGN(len);
	req_hdr_len(r);
	return p;
}

void nl_req_put(struct nl_req *r, const void *data, size_t len)
{
	uint8_t *p = req_reserve(r, len);
	if (p && len)
		memcpy(p, data, len);
}

void nl_req_attr(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	if (len > UINT16_MAX - NL_ATTR_HDRLEN) {
		r->overflow = true;
		return;
	}
	uint8_t *p = req_reserve(r, NL_ATTR_HDRLEN + len);
	if (!p)
		return;
	uint16_t alen = (uint16_t)(NL_ATTR_HDRLEN + len);
	memcpy(p, &alen, 2);
	memcpy(p + 2, &type, 2);
	if (len)
		memcpy(p + NL_ATTR_HDRLEN, data, len);
}

size_t nl_req_nest_begin(struct nl_req *r, uint16_t type)
{
	size_t at = r->len;
	nl_req_attr(r, (uint16_t)(type | NL_ATTR_F_NESTED), NULL, 0);
	return at;
}

void nl_req_nest_end(struct nl_req *r, size_t at)
{
	if (r->overflow || at + NL_ATTR_HDRLEN > r->len || r->len - at > UINT16_MAX)
		return;
	uint16_t alen = (uint16_t)(r->len - at);
	memcpy(r->buf + at, &alen, 2);
}

int nl_send(struct nl_sock *s, struct nl_req *r, uint32_t *seq)
{
	struct nl_addr kernel = { .family = AF_NETLINK };
	if (r->overflow)
		return -EMSGSIZE;
	*seq = ++s->seq;
	memcpy(r->buf + 8, seq, 4);          /* nlmsg_seq; nlmsg_pid stays 0 */
	ssize_t n;
	do
		n = s->ops ? s->ops->send(s, r->buf, r->len)
		    : sendto(s->fd, r->buf, r->len, 0, (const struct sockaddr *)&kernel,
		             sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == r->len ? 0 : -EIO;
}

/* One datagram from the kernel into s->buf; datagrams from other senders are dropped.
 * Reads first and waits only when nothing is queued, so a reply the kernel already
 * wrote is taken even when the poll's deadline has passed. */
static int recv_one(struct nl_sock *s, const struct nl_io *io, size_t *len)
{
	for (;;) {
		if (io->stop && *io->stop)
			return -EINTR;
		struct nl_addr from = { 0 };
		struct iovec iov = { .iov_base = s->buf, .iov_len = NL_BUF_SIZE };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
		                    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = s->ops ? s->ops->recv(s, &m) : recvmsg(s->fd, &m, MSG_DONTWAIT);
		if (n < 0) {
			int err = errno == EAGAIN ? fd_wait(s->fd, POLLIN, io->deadline_ms, io->stop)
			        : errno == EINTR ? 0 : -errno;
			if (err < 0)
				return err;
			continue;
		}
		/* The sender first: a foreign datagram, empty or too big, is only dropped. */
		bool trunc = (m.msg_flags & MSG_TRUNC) != 0;
		if (m.msg_namelen < sizeof(from) || from.family != AF_NETLINK || from.pid != 0) {
			explicit_bzero(s->buf, trunc ? NL_BUF_SIZE : (size_t)n);
			continue;
		}
		if (n == 0)
			return -ENODATA;   /* the kernel never sends an empty datagram */
		if (trunc) {
			explicit_bzero(s->buf, NL_BUF_SIZE);
			return -EMSGSIZE;
		}
		*len = (size_t)n;
		return 0;
	}
}

int nl_recv_all(struct nl_sock *s, const struct nl_io *io, nl_dgram_fn fn, void *arg,
                const struct nl_dump_state *st)
{
	while (!st->done) {
		size_t len = 0;
		int err = recv_one(s, io, &len);
		if (err < 0)
			return err;
		err = fn(s->buf, len, arg);
		explicit_bzero(s->buf, len);
		if (err < 0)
			return err;
	}
	return st->err;
}

struct transact_ctx {
	uint32_t seq, portid;
	nl_msg_fn fn;
	void *arg;
	struct nl_dump_state *st;
};

static int transact_dgram(const uint8_t *buf, size_t len, void *arg)
{
	struct transact_ctx *c = arg;
	return nl_parse_msgs(buf, len, c->seq, c->portid, c->fn, c->arg, c->st);
}

int nl_transact(struct nl_sock *s, struct nl_req *r, const struct nl_io *io, nl_msg_fn fn,
                void *arg, struct nl_dump_state *st)
{
	struct transact_ctx c = { .portid = s->portid, .fn = fn, .arg = arg, .st = st };
	memset(st, 0, sizeof(*st));
	int err = nl_send(s, r, &c.seq);
	if (err < 0)
		return err;
	return nl_recv_all(s, io, transact_dgram, &c, st);
}

/* NLMSG_ERROR and NLMSG_DONE: both end the request and may carry a negative errno. */
static int control_msg(const struct nl_hdr *h, const uint8_t *payload,
                       struct nl_dump_state *st)
{
	int32_t code = 0;
	size_t plen = h->len - NL_HDRLEN;
	if (h->type == NL_MSG_ERROR && plen < sizeof(code))
		return -EPROTO;
	if (plen >= sizeof(code))       /* DONE: extended-ack TLVs may follow the int */
		memcpy(&code, payload, sizeof(code));
	if (code > 0 || code < -4095)
		return -EPROTO;
	st->err = code;
	st->done = true;
	return 0;
}

static int one_msg(const struct nl_hdr *h, const uint8_t *payload, uint32_t seq,
                   uint32_t portid, nl_msg_fn fn, void *arg, struct nl_dump_state *st)
{
	if (h->seq != seq || h->pid != portid)
		return 0;   /* stale: left over from an earlier request */
	if (h->flags & NL_F_DUMP_INTR)
		st->intr = true;
	switch (h->type) {
	case NL_MSG_NOOP:
	case NL_MSG_OVERRUN:
		return 0;
	case NL_MSG_ERROR:
	case NL_MSG_DONE:
		return control_msg(h, payload, st);
	default:
		return fn(h->type, h->flags, payload, h->len - NL_HDRLEN, arg);
	}
}

int nl_parse_msgs(const uint8_t *buf, size_t len, uint32_t seq, uint32_t portid,
                  nl_msg_fn fn, void *arg, struct nl_dump_state *st)
{
	size_t off = 0;
	while (off < len && !st->done) {
		struct nl_hdr h;
		if (len - off < NL_HDRLEN)
			return -EPROTO;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < NL_HDRLEN || h.len > len - off)
			return -EPROTO;
		int err = one_msg(&h, buf + off + NL_HDRLEN, seq, portid, fn, arg, st);
		if (err < 0)
			return err;
		off += NL_ALIGN((size_t)h.len) < len - off ? NL_ALIGN((size_t)h.len) : len - off;
	}
	return 0;
}

bool nl_get_u16(const uint8_t *p, size_t len, uint16_t *out)
{
	if (len != sizeof(*out))
		return false;
	memcpy(out, p, sizeof(*out));
	return true;
}

bool nl_get_u32(const uint8_t *p, size_t len, uint32_t *out)
{
	if (len != sizeof(*out))
		return false;
	memcpy(out, p, sizeof(*out));
	return true;
}

bool nl_get_u64(const uint8_t *p, size_t len, uint64_t *out)
{
	if (len != sizeof(*out))
		return false;
	memcpy(out, p, sizeof(*out));
	return true;
}

bool nl_get_str(const uint8_t *p, size_t len, size_t max)
{
	if (len == 0)
		return false;
	size_t n = strnlen((const char *)p, len);
	return n > 0 && n < len && n < max;
}
