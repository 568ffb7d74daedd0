// SPDX-License-Identifier: MIT
/* The kernel backend: lists WireGuard links over rtnetlink, then dumps each one with
 * WG_CMD_GET_DEVICE over generic netlink. Per-interface failures stay per interface. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "source_netlink.h"
#include "util.h"

#define WGNL_INTR_RETRIES 3   /* NLM_F_DUMP_INTR: re-read a device at most this often */

static int family_msg(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	(void)flags;
	if (type != WGNL_GENL_ID_CTRL)
		return -EPROTO;
	return wgnl_parse_family(p, len, arg);
}

int wgnl_resolve_family(struct nl_sock *s, const struct nl_io *io, const char *name,
                        uint16_t *id)
{
	static const uint8_t genl[4] = { WGNL_CTRL_CMD_GETFAMILY, 1, 0, 0 };
	struct nl_req r;
	struct nl_dump_state st;
	nl_req_init(&r, WGNL_GENL_ID_CTRL, NL_F_REQUEST | NL_F_ACK);
	nl_req_put(&r, genl, sizeof(genl));
	nl_req_attr(&r, WGNL_CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	*id = 0;
	int err = nl_transact(s, &r, io, family_msg, id, &st);
	if (err == 0 && *id < WGNL_GENL_ID_CTRL)
		err = -EPROTO;   /* no FAMILY_ID, or one in the control range */
	if (!st.done)
		nl_close(s);
	return err;
}

/* Opens the generic socket and resolves the family if an abandoned dump closed it. */
static int genl_ready(struct wgnl_ctx *c)
{
	if (c->gs.fd >= 0)
		return 0;
	int err = nl_open(&c->gs, NL_PROTO_GENERIC);
	if (err == 0)
		err = wgnl_resolve_family(&c->gs, &c->io, WGNL_GENL_NAME, &c->family);
	if (err < 0)
		nl_close(&c->gs);
	return err;
}

static int names_add(struct wgnl_names *l, const char *name)
{
	void *arr = l->names;
	if (!array_grow(&arr, &l->cap, l->n, sizeof(*l->names), WG_MAX_DEVICES))
		return -errno;
	l->names = arr;
	memcpy(l->names[l->n++], name, WG_IFNAME_SIZE);
	return 0;
}

static int link_msg(uint16_t type, uint16_t flags, const uint8_t *p, size_t len, void *arg)
{
	struct wgnl_link l;
	(void)flags;
	if (type != WGNL_RTM_NEWLINK)
		return 0;
	int err = wgnl_parse_link(p, len, &l);
	if (err < 0 || !l.is_wireguard || !l.name_ok)
		return err;
	return names_add(arg, l.name);
}

/* One RTM_GETLINK dump into out (emptied first). The kind filter only shrinks the reply
 * on kernels that support it, so link_msg checks the kind itself. */
static int list_links_once(struct nl_sock *rs, const struct nl_io *io, struct wgnl_names *out,
                           bool *intr)
{
	static const uint8_t ifinfo[WGNL_IFINFOMSG_LEN];
	uint32_t mask = WGNL_RTEXT_FILTER_SKIP_STATS;
	struct nl_req r;
	struct nl_dump_state st;
	nl_req_init(&r, WGNL_RTM_GETLINK, NL_F_REQUEST | NL_F_DUMP);
	nl_req_put(&r, ifinfo, sizeof(ifinfo));
	nl_req_attr(&r, WGNL_IFLA_EXT_MASK, &mask, sizeof(mask));
	size_t nest = nl_req_nest_begin(&r, WGNL_IFLA_LINKINFO);
	nl_req_attr(&r, WGNL_IFLA_INFO_KIND, WGNL_GENL_NAME, sizeof(WGNL_GENL_NAME));
	nl_req_nest_end(&r, nest);
	out->n = 0;
	int err = nl_transact(rs, &r, io, link_msg, out, &st);
	if (!st.done)
		nl_close(rs);   /* the dump may still be running: never reuse the socket */
	*intr = st.intr;
	return err;
}

/* A DUMP_INTR listing may lack a live link (a link deleted mid-dump can make older
 * kernels skip the next one), so it is re-read like a device dump. */
int wgnl_list_links(struct wgnl_ctx *c, struct wgnl_names *out)
{
	for (int tries = 0; tries <= WGNL_INTR_RETRIES; tries++) {
		bool intr = false;
		int err = c->rs.fd >= 0 ? 0 : nl_open(&c->rs, NL_PROTO_ROUTE);
		if (err == 0)
			err = list_links_once(&c->rs, &c->io, out, &intr);
		if (err < 0 || !intr)
			return err;
	}
	return -EAGAIN;
}

/* Empties dev for another attempt, keeping its name and arrays. */
static void device_reset(struct wg_device *dev)
{
	wg_device_reset(dev);
	dev->source = WG_SRC_KERNEL;
}

struct dgram_ctx {
	struct wgnl_dump *d;
	struct wg_device *dev;
};

static int device_dgram(const uint8_t *buf, size_t len, void *arg)
{
	struct dgram_ctx *x = arg;
	return wgnl_parse_device_msgs(buf, len, x->d, x->dev);
}

static int get_device_once(struct wgnl_ctx *c, struct wg_device *dev, struct wgnl_dump *d)
{
	static const uint8_t genl[4] = { WGNL_CMD_GET_DEVICE, WGNL_GENL_VERSION, 0, 0 };
	struct dgram_ctx x = { .d = d, .dev = dev };
	struct nl_req r;
	*d = (struct wgnl_dump){ .portid = c->gs.portid, .family = c->family };
	nl_req_init(&r, c->family, NL_F_REQUEST | NL_F_DUMP);
	nl_req_put(&r, genl, sizeof(genl));
	nl_req_attr(&r, WGDEVICE_A_IFNAME, dev->name, strlen(dev->name) + 1);
	int err = nl_send(&c->gs, &r, &d->seq);
	if (err == 0)
		err = nl_recv_all(&c->gs, &c->io, device_dgram, &x, &d->st);
	if (!d->st.done)
		nl_close(&c->gs);   /* the dump may still be running: never reuse the socket */
	return err;
}

/* One device with bounded DUMP_INTR retries; -ENOENT (module reloaded, family id
 * changed) re-resolves once. -EAGAIN: still inconsistent after the retries. *msgs: the
 * device messages of the last attempt (0: its dump never started). */
static int read_device(struct wgnl_ctx *c, struct wg_device *dev, uint32_t *msgs)
{
	bool reresolved = false;
	int tries = 0;
	while (tries <= WGNL_INTR_RETRIES) {
		struct wgnl_dump d;
		*msgs = 0;
		int err = genl_ready(c);
		if (err < 0)
			return reresolved && err == -ENOENT ? -ENODEV : err;
		device_reset(dev);
		err = get_device_once(c, dev, &d);
		*msgs = d.msgs;
		if (err == -ENOENT && !reresolved) {
			reresolved = true;
			nl_close(&c->gs);
			continue;
		}
		if (err < 0 || !d.st.intr)
			return err;
		tries++;
	}
	return -EAGAIN;
}

/* The text of a dump that had started and then failed; NULL for the generic one. */
static const char *cut_text(int err)
{
	switch (err) {
	case -ENODEV:
		return "deleted during the dump (ENODEV)";
	case -ETIMEDOUT:
		return "no NLMSG_DONE within the poll budget";
	case -ENODATA:
		return "an empty read before NLMSG_DONE";
	case -EMSGSIZE:
		return "a message larger than the receive buffer (MSG_TRUNC)";
	case -ENOBUFS:
		return "the socket's receive queue overflowed (ENOBUFS)";
	default:
		return NULL;
	}
}

static void device_error(struct wg_device *dev, int err, int budget_ms, uint32_t msgs)
{
	const char *n = dev->name, *cut = msgs ? cut_text(err) : NULL;
	device_reset(dev);
	dev->error = err;
	if (cut)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "the netlink dump of %s was cut after "
		         "%u messages: %s; not read this poll", n, msgs, cut);
	else if (err == -EPERM || err == -EACCES)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "permission denied reading %s over "
		         "netlink: wg-monitor needs CAP_NET_ADMIN", n);
	else if (err == -EAGAIN)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "%s kept changing during the netlink "
		         "dump (NLM_F_DUMP_INTR %d times)", n, WGNL_INTR_RETRIES + 1);
	else if (err == -ETIMEDOUT)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "reading %s over netlink: no answer "
		         "within %d ms (poll budget)", n, budget_ms);
	else if (err == -E2BIG)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "%s has more than %u peers: not read", n,
		         WG_MAX_PEERS);
	else if (err == -EPROTO)
		snprintf(dev->errmsg, sizeof(dev->errmsg), "reading %s over netlink: malformed "
		         "reply from the kernel", n);
	else
		snprintf(dev->errmsg, sizeof(dev->errmsg), "reading %s over netlink: %s", n,
		         strerror(-err));
}

/* Only a stop request or a full snapshot fails the poll. A device that vanished before
 * its dump started (ENODEV, or EOPNOTSUPP: the name now belongs to another kind) is left
 * out; one deleted mid-dump stays, with the error, until the listing drops it. */
int wgnl_add_device(struct wgnl_ctx *c, struct wg_snapshot *snap, const char *name,
                    struct source_result *res)
{
	struct wg_device *dev = wg_snapshot_add_device(snap, name);
	uint32_t msgs;
	if (!dev) {
		int err = errno == E2BIG ? -E2BIG : -ENOMEM;
		snprintf(res->msg, sizeof(res->msg), "netlink: cannot add %s: %s", name,
		         err == -E2BIG ? "too many interfaces" : strerror(-err));
		return err;
	}
	int err = read_device(c, dev, &msgs);
	if (((err == -ENODEV || err == -EOPNOTSUPP) && msgs == 0) || err == -EINTR) {
		wg_snapshot_remove(snap, snap->ndevs - 1);
		if (err == -EINTR)
			snprintf(res->msg, sizeof(res->msg), "netlink poll interrupted");
		return err == -EINTR ? err : 0;
	}
	if (err < 0)
		device_error(dev, err, source_budget_ms(c->cfg), msgs);
	return 0;
}

static int read_devices(struct wgnl_ctx *c, const struct wgnl_names *l,
                        struct wg_snapshot *snap, struct source_result *res)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *name = l->names[i];
		if (!source_watched(c->cfg, name) || wg_snapshot_find(snap, name))
			continue;   /* a UAPI socket of the same name wins */
		int err = wgnl_add_device(c, snap, name, res);
		if (err < 0)
			return err;
	}
	return 0;
}

int wgnl_collect(struct wgnl_ctx *c, struct wg_snapshot *snap, struct source_result *res)
{
	struct wgnl_names names = { 0 };
	int err = wgnl_list_links(c, &names);
	int rd = err == 0 || err == -EAGAIN ? read_devices(c, &names, snap, res) : 0;
	free(names.names);
	if (rd < 0)
		return rd;
	if (err == -EAGAIN)
		snprintf(res->msg, sizeof(res->msg), "the interface list kept changing during the "
		         "rtnetlink dump (NLM_F_DUMP_INTR %d times): interfaces missing from it are "
		         "kept this poll", WGNL_INTR_RETRIES + 1);
	else if (err < 0)
		snprintf(res->msg, sizeof(res->msg), "listing interfaces over rtnetlink: %s",
		         strerror(-err));
	return err;
}

static int netlink_collect(const struct source_config *cfg, struct wg_snapshot *snap,
                           struct source_result *res)
{
	struct wgnl_ctx c = { .cfg = cfg, .io = { source_deadline(cfg), cfg->stop } };
	res->msg[0] = '\0';
	c.gs.fd = c.rs.fd = -1;
	int err = genl_ready(&c);
	if (err == -ENOENT) {
		err = -EPROTONOSUPPORT;
		snprintf(res->msg, sizeof(res->msg),
		         "kernel WireGuard not available (module not loaded)");
	} else if (err < 0) {
		snprintf(res->msg, sizeof(res->msg), "resolving the wireguard netlink family: %s",
		         strerror(-err));
	}
	if (err == 0)
		err = wgnl_collect(&c, snap, res);
	nl_close(&c.gs);
	nl_close(&c.rs);
	res->err = err < 0 ? err : 0;
	return res->err;
}

const struct source_backend source_netlink = { "netlink", netlink_collect };
