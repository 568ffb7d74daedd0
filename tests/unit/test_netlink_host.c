// SPDX-License-Identifier: MIT
/* The netlink I/O path against this host's real kernel: family lookup, a multi-message
 * genl dump, kernel errors, stop flag and deadline, and the kind check on a live TUN
 * link. Without the wireguard module, collect must say so with -EPROTONOSUPPORT. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"
#include "source.h"
#include "source_netlink.h"
#include "util.h"

#define TUNSETIFF_   0x400454ca   /* _IOW('T', 202, int) */
#define IFF_TUN_     0x0001
#define IFF_NO_PI_   0x1000

static bool wg_module_loaded(void)
{
	return access("/sys/module/wireguard", F_OK) == 0;
}

static void test_family_lookup(void)
{
	struct nl_sock s;
	struct nl_io io = { .deadline_ms = mono_ms() + 2000 };
	uint16_t id = 0;
	CHECK_INT(nl_open(&s, NL_PROTO_GENERIC), 0);
	CHECK(s.portid != 0);
	CHECK_INT(wgnl_resolve_family(&s, &io, "nlctrl", &id), 0);
	CHECK_INT(id, WGNL_GENL_ID_CTRL);
	CHECK_INT(wgnl_resolve_family(&s, &io, "wgmnosuch", &id), -ENOENT);
	CHECK(s.fd >= 0);   /* a clean error reply leaves the socket usable */
	CHECK_INT(wgnl_resolve_family(&s, &io, "nlctrl", &id), 0);
	/* the poll's budget is spent, but the kernel's reply is already queued: taken */
	struct nl_io spent = { .deadline_ms = mono_ms() - 1 };
	id = 0;
	CHECK_INT(wgnl_resolve_family(&s, &spent, "nlctrl", &id), 0);
	CHECK_INT(id, WGNL_GENL_ID_CTRL);
	nl_close(&s);
	nl_close(&s);       /* twice is harmless */
}

struct fam_count {
	int n;
	bool saw_nlctrl;
};

static int fam_attr(uint16_t type, const uint8_t *v, size_t len, void *arg)
{
	struct fam_count *c = arg;
	if (type == WGNL_CTRL_ATTR_FAMILY_NAME && nl_get_str(v, len, 64) &&
	    strcmp((const char *)v, "nlctrl") == 0)
		c->saw_nlctrl = true;
	return 0;
}

static int fam_msg(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	struct fam_count *c = arg;
	(void)flags;
	if (type != WGNL_GENL_ID_CTRL || len < 4)
		return -EPROTO;
	c->n++;
	return nl_attr_walk(p + 4, len - 4, fam_attr, c);
}

/* CTRL_CMD_GETFAMILY as a dump: several messages and a DONE, like a device dump. */
static void test_genl_dump(void)
{
	struct nl_sock s;
	struct nl_io io = { .deadline_ms = mono_ms() + 2000 };
	struct nl_req r;
	struct nl_dump_state st;
	struct fam_count c = { 0 };
	CHECK_INT(nl_open(&s, NL_PROTO_GENERIC), 0);
	nl_req_init(&r, WGNL_GENL_ID_CTRL, NL_F_REQUEST | NL_F_DUMP);
	nl_req_put(&r, "\x03\x01\x00\x00", 4);
	CHECK_INT(nl_transact(&s, &r, &io, fam_msg, &c, &st), 0);
	CHECK(st.done);
	CHECK(c.n >= 2);
	CHECK(c.saw_nlctrl);
	/* a request to a family id nobody owns: NLMSG_ERROR -ENOENT (the re-resolve case) */
	nl_req_init(&r, 0x7ff0, NL_F_REQUEST | NL_F_DUMP);
	nl_req_put(&r, "\x00\x01\x00\x00", 4);
	nl_req_attr(&r, WGDEVICE_A_IFNAME, "wg0", 4);
	CHECK_INT(nl_transact(&s, &r, &io, fam_msg, &c, &st), -ENOENT);
	CHECK(st.done);
	nl_close(&s);
}

static int never_called(const uint8_t *buf, size_t len, void *arg)
{
	(void)buf; (void)len; (void)arg;
	return -EPROTO;
}

static void test_stop_and_deadline(void)
{
	struct nl_sock s;
	struct nl_dump_state st = { 0 };
	volatile sig_atomic_t stop = 0;
	CHECK_INT(nl_open(&s, NL_PROTO_GENERIC), 0);
	/* the deadline after the open, which can take longer than 50 ms under emulation */
	int64_t t0 = mono_ms();
	struct nl_io io = { .deadline_ms = t0 + 50, .stop = &stop };
	CHECK_INT(nl_recv_all(&s, &io, never_called, NULL, &st), -ETIMEDOUT);   /* nothing sent */
	int64_t took = mono_ms() - t0;
	CHECK(took >= 45 && took < 1000);
	stop = 1;
	CHECK_INT(nl_recv_all(&s, &io, never_called, NULL, &st), -EINTR);
	nl_close(&s);
}

static void test_collect_without_module(void)
{
	struct source_config cfg = { .backend = BACKEND_NETLINK, .timeout_ms = 2000 };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	int err = source_netlink.collect(&cfg, &snap, &res);
	if (wg_module_loaded()) {   /* checked afterwards: the lookup may auto-load it */
		printf("SKIPPED %s: the wireguard module is loaded here (collect gave %d: %s)\n",
		       __func__, err, res.msg);
		CHECK(err == 0 || res.msg[0] != '\0');
	} else {
		CHECK_INT(err, -EPROTONOSUPPORT);
		CHECK_INT(res.err, -EPROTONOSUPPORT);
		CHECK_STR(res.msg, "kernel WireGuard not available (module not loaded)");
		CHECK_INT(snap.ndevs, 0);
	}
	CHECK_STR(source_netlink.name, "netlink");
	wg_snapshot_clear(&snap);
}

static int open_tun(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN_ | IFF_NO_PI_;
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, TUNSETIFF_, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct link_seen {
	bool tun_seen, tun_is_wg;
};

static int link_all(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	struct link_seen *s = arg;
	struct wgnl_link l;
	(void)flags;
	if (type != WGNL_RTM_NEWLINK)
		return 0;
	int err = wgnl_parse_link(p, len, &l);
	if (err == 0 && l.name_ok && strcmp(l.name, "wgmtun0") == 0) {
		s->tun_seen = true;
		s->tun_is_wg = l.is_wireguard;
	}
	return err;
}

/* Unfiltered RTM_GETLINK dump through our own reader and parser. */
static void dump_all_links(struct link_seen *seen)
{
	struct nl_sock s;
	struct nl_io io = { .deadline_ms = mono_ms() + 2000 };
	struct nl_req r;
	struct nl_dump_state st;
	static const uint8_t ifi[WGNL_IFINFOMSG_LEN];
	uint32_t mask = WGNL_RTEXT_FILTER_SKIP_STATS;
	CHECK_INT(nl_open(&s, NL_PROTO_ROUTE), 0);
	nl_req_init(&r, WGNL_RTM_GETLINK, NL_F_REQUEST | NL_F_DUMP);
	nl_req_put(&r, ifi, sizeof(ifi));
	nl_req_attr(&r, WGNL_IFLA_EXT_MASK, &mask, sizeof(mask));
	CHECK_INT(nl_transact(&s, &r, &io, link_all, seen, &st), 0);
	nl_close(&s);
}

/* Last test: it moves this process into a private network namespace (root only), so a
 * TUN link (what wireguard-go creates) exists only for us and vanishes with us. */
static void test_tun_is_not_wireguard(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("SKIPPED %s: needs root (unshare CLONE_NEWNET)\n", __func__);
		return;
	}
	int fd = open_tun("wgmtun0");
	if (fd < 0) {
		printf("SKIPPED %s: cannot create a TUN device\n", __func__);
		return;
	}
	struct link_seen seen = { 0 };
	dump_all_links(&seen);
	CHECK(seen.tun_seen);
	CHECK(!seen.tun_is_wg);
	struct wgnl_names names = { 0 };
	struct wgnl_ctx c = { .io = { .deadline_ms = mono_ms() + 2000 } };
	c.gs.fd = c.rs.fd = -1;
	CHECK_INT(wgnl_list_links(&c, &names), 0);
	nl_close(&c.rs);
	CHECK_INT(names.n, 0);
	free(names.names);
	close(fd);
}

TEST_MAIN(test_family_lookup, test_genl_dump, test_stop_and_deadline,
          test_collect_without_module, test_tun_is_not_wireguard)
