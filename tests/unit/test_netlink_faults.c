// SPDX-License-Identifier: MIT
/* Issue 19 item 3, the kernel side: a GET_DEVICE dump that dies mid-way, through the real
 * receive path (nl_send, nl_recv_all, source_netlink's retries and error texts) fed by a
 * scripted kernel on a socketpair. Each fault must be a poll_error for its interface that
 * names it, must never be applied as a whole reading (no peer gone, offline or removed
 * because of it), and the next whole dump must read normally. The rtnetlink link listing
 * has its own scripted kernel: an interrupted listing must never sweep an interface. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "nl_builder.h"
#include "poll_apply.h"
#include "source.h"
#include "util.h"

#define T0 1795643712000LL
#define MAX_DGRAMS 4
#define MAX_DUMPS 5

enum dump_end { END_SILENT, END_EOF };

/* What the scripted kernel answers to the k-th request: datagrams, then silence or EOF. */
struct dump_script {
	const struct mb *dgrams[MAX_DGRAMS];
	size_t ndgrams;
	enum dump_end end;
	uint8_t *raw;      /* then this datagram, if any (its first header gets the seq) */
	size_t rawlen;
	const uint8_t *foreign;   /* first this datagram from another sender, if any */
	size_t foreignlen;
};

struct kernel {
	int fd;                             /* the kernel's end of the socketpair */
	int local;                          /* the daemon's end */
	uint16_t type;                      /* of the requests it answers */
	struct dump_script dumps[MAX_DUMPS];
	size_t ndumps, requests;
	size_t foreign;                     /* datagrams queued from another sender */
	bool bad_request;
};

static struct kernel k, kr;   /* generic netlink; rtnetlink (the link listing) */

/* Every message of a datagram gets the request's sequence number. */
static void send_dgram(const struct kernel *kk, const struct mb *b, uint32_t seq)
{
	static uint8_t buf[sizeof(b->buf)];
	memcpy(buf, b->buf, b->len);
	for (size_t off = 0; off + NL_HDRLEN <= b->len;) {
		uint32_t len;
		memcpy(&len, buf + off, 4);
		memcpy(buf + off + 8, &seq, 4);
		off += NL_ALIGN((size_t)len);
	}
	CHECK_INT(send(kk->fd, buf, b->len, 0), b->len);
}

static ssize_t fake_send(struct nl_sock *s, const void *buf, size_t len)
{
	struct kernel *kk = s->fd == kr.local ? &kr : &k;
	uint32_t seq;
	uint16_t type;
	memcpy(&type, (const uint8_t *)buf + 4, 2);
	memcpy(&seq, (const uint8_t *)buf + 8, 4);
	if (type != kk->type || len < NL_HDRLEN + 4 || kk->requests >= kk->ndumps) {
		kk->bad_request = true;
		errno = EIO;
		return -1;
	}
	const struct dump_script *d = &kk->dumps[kk->requests++];
	if (d->foreign) {
		CHECK_INT(send(kk->fd, d->foreign, d->foreignlen, 0), d->foreignlen);
		kk->foreign++;
	}
	for (size_t i = 0; i < d->ndgrams; i++)
		send_dgram(kk, d->dgrams[i], seq);
	if (d->raw) {
		memcpy(d->raw + 8, &seq, 4);
		CHECK_INT(send(kk->fd, d->raw, d->rawlen, 0), d->rawlen);
	}
	if (d->end == END_EOF)
		shutdown(kk->fd, SHUT_WR);
	return (ssize_t)len;
}

/* struct sockaddr_nl of the kernel (port id 0). */
struct nl_from {
	sa_family_t family;
	unsigned short pad;
	uint32_t pid, groups;
};

static ssize_t fake_recv(struct nl_sock *s, struct msghdr *m)
{
	socklen_t room = m->msg_namelen;   /* recvmsg sets 0: the socketpair has no name */
	ssize_t n = recvmsg(s->fd, m, MSG_DONTWAIT);
	struct nl_from kernel = { .family = AF_NETLINK };
	struct kernel *kk = s->fd == kr.local ? &kr : &k;
	if (n >= 0 && kk->foreign > 0) {
		kk->foreign--;
		kernel.pid = 4321;   /* another process's netlink socket */
	}
	if (n >= 0 && m->msg_name && room >= sizeof(kernel)) {
		memcpy(m->msg_name, &kernel, sizeof(kernel));
		m->msg_namelen = sizeof(kernel);
	}
	return n;
}

static const struct nl_ops fake_ops = { fake_send, fake_recv };

/* A fresh socket s whose kernel kk answers the given dumps to requests of type. */
static void arm_sock(struct kernel *kk, struct nl_sock *s, uint16_t type,
                     const struct dump_script *dumps, size_t n)
{
	int sv[2];
	CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	if (kk->fd > 0)
		close(kk->fd);
	memset(kk, 0, sizeof(*kk));
	kk->fd = sv[1];
	kk->local = sv[0];
	kk->type = type;
	memcpy(kk->dumps, dumps, n * sizeof(*dumps));
	kk->ndumps = n;
	nl_close(s);
	*s = (struct nl_sock){ .fd = sv[0], .portid = PID, .seq = 100, .ops = &fake_ops,
	                       .buf = malloc(NL_BUF_SIZE) };
}

/* The generic socket as genl_ready leaves it, answering the given dumps. */
static void arm(struct wgnl_ctx *c, const struct dump_script *dumps, size_t n)
{
	arm_sock(&k, &c->gs, FAM, dumps, n);
	c->family = FAM;
	c->io = (struct nl_io){ .deadline_ms = mono_ms() + 300 };
}

/* The first message of wg0's dump: device attributes, 0x11 (online) whole, then 0x22
 * with the first of its allowed IPs; flags on the message (DUMP_INTR). */
static void first_part(struct mb *b, uint16_t flags, int64_t hs)
{
	memset(b, 0, sizeof(*b));
	mb_dev_begin(b, flags);
	mb_dev_attrs(b, 51820);
	size_t peers = mb_nest(b, WGDEVICE_A_PEERS);
	mb_peer(b, 0x11, hs, 1000, 2000);
	mb_peer(b, 0x22, 0, 0, 0);
	mb_end(b, peers);
	mb_end_msg(b);
}

/* The rest: 0x22 continued (its remaining allowed IPs), 0x33, then DONE. */
static void second_part(struct mb *b, uint16_t flags)
{
	memset(b, 0, sizeof(*b));
	mb_dev_begin(b, flags);
	size_t peers = mb_nest(b, WGDEVICE_A_PEERS);
	mb_peer_cont(b, 0x22);
	mb_peer(b, 0x33, 0, 0, 0);
	mb_end(b, peers);
	mb_end_msg(b);
	mb_done(b, 0, flags);
}

static void control(struct mb *b, uint16_t type, int32_t err)
{
	memset(b, 0, sizeof(*b));
	mb_msg(b, type, type == NL_MSG_DONE ? NL_F_MULTI : 0, SEQ, PID);
	mb_raw(b, &err, 4);
	if (type == NL_MSG_ERROR)
		mb_raw(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);   /* the request's header */
	mb_end_msg(b);
}

struct world {
	struct wgnl_ctx c;
	struct source_config cfg;
	struct peer_table *t;
	struct poll_book pb;
	struct wg_snapshot snap;
	int poll;
	size_t errors, bad_events;
	char errmsg[700];
};

/* Every event a cut dump could cause if it were read as whole, or the interface as gone. */
static void on_event(void *ctx, const struct event *ev)
{
	struct world *w = ctx;
	switch (ev->type) {
	case EV_POLL_ERROR:
		w->errors++;
		snprintf(w->errmsg, sizeof(w->errmsg), "%s: %s", ev->ifname[0] ? ev->ifname : "-",
		         ev->error.message);
		break;
	case EV_PEER_OFFLINE:
	case EV_PEER_REMOVED:
	case EV_PEER_ADDED:
	case EV_PEER_ONLINE:
	case EV_INTERFACE_REMOVED:
	case EV_INTERFACE_ADDED:
		w->bad_events++;
		break;
	default:
		break;
	}
}

/* One poll of wg0 through wgnl_add_device and poll_apply; the collect's return value. */
static int poll_wg0(struct world *w)
{
	struct source_result res = { 0 };
	struct clocks now = { T0 + w->poll * 10000LL, 100000 + w->poll * 10000LL };
	w->poll++;
	wg_snapshot_reset(&w->snap);
	int err = wgnl_add_device(&w->c, &w->snap, "wg0", &res);
	poll_apply(&w->pb, w->t, &w->snap, &res, 1, &now, on_event, w);
	return err;
}

static struct mb whole1, whole2, ctl;

static void world_init(struct world *w)
{
	static const struct peers_config pc = { .threshold_ms = 180000, .interval_ms = 10000 };
	memset(w, 0, sizeof(*w));
	w->cfg.timeout_ms = 300;
	w->c.cfg = &w->cfg;
	w->c.gs.fd = w->c.rs.fd = -1;
	kr.local = -1;
	w->t = peers_new(&pc);
	CHECK(w->t != NULL);
	first_part(&whole1, 0, T0 / 1000 - 5);
	second_part(&whole2, 0);
}

static void world_fini(struct world *w)
{
	nl_close(&w->c.gs);
	nl_close(&w->c.rs);
	if (k.fd > 0)
		close(k.fd);
	if (kr.fd > 0)
		close(kr.fd);
	k.fd = kr.fd = 0;
	kr.local = -1;
	poll_book_fini(&w->pb);
	wg_snapshot_clear(&w->snap);
	peers_free(w->t);
}

/* wg0 read whole: three peers, 0x22 merged from its two fragments. */
static void check_whole(struct world *w, size_t errors_before)
{
	const struct wg_device *d = w->snap.ndevs == 1 ? &w->snap.devs[0] : NULL;
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_INT(d->error, 0);
	CHECK_INT(d->npeers, 3);
	CHECK_INT(d->npeers == 3 ? d->peers[1].ips_total : 0, 5);
	CHECK_INT(w->errors, errors_before);
	CHECK_INT(w->bad_events, 0);
	CHECK_INT(peers_count(w->t, "wg0").peers, 3);
}

/* Reads the whole dump once (the first poll: three peer_initial), then the faulty
 * script, then the whole dump again on a fresh socket. */
static void run_fault(const char *what, const struct dump_script *fault, size_t nfault,
                      int want_err, const char *want_msg)
{
	struct world w;
	struct dump_script good = { .dgrams = { &whole1, &whole2 }, .ndgrams = 2 };
	printf("  %s\n", what);
	world_init(&w);
	arm(&w.c, &good, 1);
	CHECK_INT(poll_wg0(&w), 0);
	check_whole(&w, 0);
	arm(&w.c, fault, nfault);
	CHECK_INT(poll_wg0(&w), 0);
	CHECK(!k.bad_request);
	CHECK_INT(w.snap.ndevs, 1);
	if (w.snap.ndevs == 1) {
		CHECK_INT(w.snap.devs[0].error, want_err);
		CHECK_INT(w.snap.devs[0].npeers, 0);   /* nothing of the cut dump is kept */
	}
	CHECK_INT(w.errors, 1);
	CHECK_STR(w.errmsg, want_msg);
	CHECK_INT(w.bad_events, 0);                 /* no peer gone, offline or removed */
	CHECK_INT(peers_count(w.t, "wg0").peers, 3);
	arm(&w.c, &good, 1);
	CHECK_INT(poll_wg0(&w), 0);
	check_whole(&w, 1);
	world_fini(&w);
}

/* (a) The dump stops with 0x22 in flight (its continuation never comes): no DONE, then
 * silence until the budget, or an empty read. The socket is not reused. */
static void test_cut_midway(void)
{
	struct dump_script silent = { .dgrams = { &whole1 }, .ndgrams = 1 };
	struct dump_script eof = { .dgrams = { &whole1 }, .ndgrams = 1, .end = END_EOF };
	run_fault("silence", &silent, 1, -ETIMEDOUT, "wg0: the netlink dump of wg0 was cut after "
	          "1 messages: no NLMSG_DONE within the poll budget; not read this poll");
	run_fault("eof", &eof, 1, -ENODATA, "wg0: the netlink dump of wg0 was cut after 1 "
	          "messages: an empty read before NLMSG_DONE; not read this poll");
}

/* (b) NLM_F_DUMP_INTR: once, then a consistent dump (read as whole, no error); on every
 * one of the 1 + 3 attempts: the interface is an error for this poll. */
static void test_dump_intr(void)
{
	static struct mb intr1, intr2;
	first_part(&intr1, NL_F_DUMP_INTR, T0 / 1000 - 5);
	second_part(&intr2, NL_F_DUMP_INTR);
	struct dump_script intr = { .dgrams = { &intr1, &intr2 }, .ndgrams = 2 };
	struct dump_script good = { .dgrams = { &whole1, &whole2 }, .ndgrams = 2 };
	struct dump_script all[MAX_DUMPS] = { intr, intr, intr, intr };
	run_fault("intr x4", all, 4, -EAGAIN, "wg0: wg0 kept changing during the netlink dump "
	          "(NLM_F_DUMP_INTR 4 times)");

	struct world w;
	struct dump_script once[2] = { intr, good };
	world_init(&w);
	arm(&w.c, once, 2);
	CHECK_INT(poll_wg0(&w), 0);
	CHECK_INT(k.requests, 2);
	check_whole(&w, 0);
	CHECK(w.c.gs.fd >= 0);     /* a dump read to DONE leaves the socket usable */
	world_fini(&w);
}

/* (c) The interface deleted during the dump: NLMSG_ERROR, or DONE (what the kernel sends
 * once a dump has started), carrying -ENODEV after the first message. The interface
 * stays, with the error, until the link listing no longer has it; before any message it
 * is simply gone. */
static void test_enodev_midway(void)
{
	static struct mb err_done;
	control(&ctl, NL_MSG_ERROR, -ENODEV);
	control(&err_done, NL_MSG_DONE, -ENODEV);
	struct dump_script as_error = { .dgrams = { &whole1, &ctl }, .ndgrams = 2 };
	struct dump_script as_done = { .dgrams = { &whole1, &err_done }, .ndgrams = 2 };
	const char *msg = "wg0: the netlink dump of wg0 was cut after 1 messages: deleted "
	                  "during the dump (ENODEV); not read this poll";
	run_fault("NLMSG_ERROR -ENODEV", &as_error, 1, -ENODEV, msg);
	run_fault("NLMSG_DONE -ENODEV", &as_done, 1, -ENODEV, msg);

	struct world w;
	struct dump_script gone = { .dgrams = { &ctl }, .ndgrams = 1 };
	struct source_result res = { 0 };
	world_init(&w);
	arm(&w.c, &gone, 1);
	CHECK_INT(wgnl_add_device(&w.c, &w.snap, "wg0", &res), 0);
	CHECK_INT(w.snap.ndevs, 0);
	world_fini(&w);
}

/* (d) A datagram larger than the receive buffer (MSG_TRUNC) after the first message. */
static void test_truncated(void)
{
	static uint8_t huge[NL_BUF_SIZE + 4096];
	uint32_t h[4] = { sizeof(huge), FAM | NL_F_MULTI << 16, SEQ, PID };
	memcpy(huge, h, sizeof(h));
	struct dump_script trunc = { .dgrams = { &whole1 }, .ndgrams = 1, .raw = huge,
	                             .rawlen = sizeof(huge) };
	run_fault("MSG_TRUNC", &trunc, 1, -EMSGSIZE, "wg0: the netlink dump of wg0 was cut after "
	          "1 messages: a message larger than the receive buffer (MSG_TRUNC); not read "
	          "this poll");
}

/* One poll of every listed interface through wgnl_collect and poll_apply; the snapshot
 * is marked incomplete on an error, as source_poll does. */
static int poll_all(struct world *w)
{
	struct source_result res = { 0 };
	struct clocks now = { T0 + w->poll * 10000LL, 100000 + w->poll * 10000LL };
	w->poll++;
	wg_snapshot_reset(&w->snap);
	res.err = wgnl_collect(&w->c, &w->snap, &res);
	w->snap.incomplete = res.err < 0;
	poll_apply(&w->pb, w->t, &w->snap, &res, 1, &now, on_event, w);
	return res.err;
}

/* (e) The link listing with NLM_F_DUMP_INTR, wg0 missing from it (older kernels may skip
 * a live link next to one deleted mid-dump). On every attempt: a poll_error and nothing
 * swept, wg0 and its peers kept; once, then whole: read normally. */
static void test_listing_intr(void)
{
	static struct mb links, links_intr;
	struct world w;
	memset(&links, 0, sizeof(links));
	mb_link(&links, "wg0", 4, "wireguard", 0);
	mb_done(&links, 0, 0);
	memset(&links_intr, 0, sizeof(links_intr));
	mb_done(&links_intr, 0, NL_F_DUMP_INTR);
	struct dump_script whole = { .dgrams = { &links }, .ndgrams = 1 };
	struct dump_script intr = { .dgrams = { &links_intr }, .ndgrams = 1 };
	struct dump_script dev = { .dgrams = { &whole1, &whole2 }, .ndgrams = 2 };
	struct dump_script intr4[MAX_DUMPS] = { intr, intr, intr, intr };
	struct dump_script once[2] = { intr, whole };
	world_init(&w);
	arm(&w.c, &dev, 1);
	arm_sock(&kr, &w.c.rs, WGNL_RTM_GETLINK, &whole, 1);
	CHECK_INT(poll_all(&w), 0);
	check_whole(&w, 0);

	arm_sock(&kr, &w.c.rs, WGNL_RTM_GETLINK, intr4, 4);
	CHECK_INT(poll_all(&w), -EAGAIN);
	CHECK_INT(kr.requests, 4);
	CHECK(!kr.bad_request);
	CHECK_INT(w.snap.ndevs, 0);
	CHECK_INT(w.errors, 1);
	CHECK_STR(w.errmsg, "-: the interface list kept changing during the rtnetlink dump "
	          "(NLM_F_DUMP_INTR 4 times): interfaces missing from it are kept this poll");
	CHECK_INT(w.bad_events, 0);                 /* no interface_removed, no peer_removed */
	CHECK_INT(peers_count(w.t, "wg0").peers, 3);

	arm(&w.c, &dev, 1);
	arm_sock(&kr, &w.c.rs, WGNL_RTM_GETLINK, once, 2);
	CHECK_INT(poll_all(&w), 0);
	CHECK_INT(kr.requests, 2);
	check_whole(&w, 1);
	world_fini(&w);
}

/* (f) A datagram from another sender ahead of the dump, empty or larger than the buffer:
 * dropped, not an end of the dump; the dump reads whole. */
static void test_foreign(void)
{
	static uint8_t huge[NL_BUF_SIZE + 4096];
	const uint8_t *what[2] = { huge, huge };
	size_t lens[2] = { 0, sizeof(huge) };
	for (size_t i = 0; i < 2; i++) {
		struct world w;
		struct dump_script d = { .dgrams = { &whole1, &whole2 }, .ndgrams = 2,
		                         .foreign = what[i], .foreignlen = lens[i] };
		printf("  foreign datagram of %zu bytes\n", lens[i]);
		world_init(&w);
		arm(&w.c, &d, 1);
		CHECK_INT(poll_wg0(&w), 0);
		CHECK_INT(k.foreign, 0);
		check_whole(&w, 0);
		world_fini(&w);
	}
}

TEST_MAIN(test_cut_midway, test_dump_intr, test_enodev_midway, test_truncated,
          test_listing_intr, test_foreign)
