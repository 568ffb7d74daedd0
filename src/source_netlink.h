/* SPDX-License-Identifier: MIT */
/* Kernel WireGuard over generic netlink: the pure parsers behind source_netlink, exposed
 * so tests and fuzzers can feed them raw datagrams without a kernel. */
#ifndef SOURCE_NETLINK_H
#define SOURCE_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink.h"
#include "wg.h"

/* Generic netlink controller (linux/genetlink.h). */
#define WGNL_GENL_ID_CTRL          0x10
#define WGNL_CTRL_CMD_NEWFAMILY    1
#define WGNL_CTRL_CMD_GETFAMILY    3
#define WGNL_CTRL_ATTR_FAMILY_ID   1
#define WGNL_CTRL_ATTR_FAMILY_NAME 2

/* The WireGuard family (linux/wireguard.h, defined here on purpose). */
#define WGNL_GENL_NAME             "wireguard"
#define WGNL_GENL_VERSION          1
#define WGNL_CMD_GET_DEVICE        0

enum {
	WGDEVICE_A_UNSPEC, WGDEVICE_A_IFINDEX, WGDEVICE_A_IFNAME, WGDEVICE_A_PRIVATE_KEY,
	WGDEVICE_A_PUBLIC_KEY, WGDEVICE_A_FLAGS, WGDEVICE_A_LISTEN_PORT, WGDEVICE_A_FWMARK,
	WGDEVICE_A_PEERS,
};
enum {
	WGPEER_A_UNSPEC, WGPEER_A_PUBLIC_KEY, WGPEER_A_PRESHARED_KEY, WGPEER_A_FLAGS,
	WGPEER_A_ENDPOINT, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
	WGPEER_A_LAST_HANDSHAKE_TIME, WGPEER_A_RX_BYTES, WGPEER_A_TX_BYTES,
	WGPEER_A_ALLOWEDIPS, WGPEER_A_PROTOCOL_VERSION,
};
enum {
	WGALLOWEDIP_A_UNSPEC, WGALLOWEDIP_A_FAMILY, WGALLOWEDIP_A_IPADDR,
	WGALLOWEDIP_A_CIDR_MASK, WGALLOWEDIP_A_FLAGS,
};

/* rtnetlink link listing (linux/rtnetlink.h, linux/if_link.h). */
#define WGNL_RTM_NEWLINK           16
#define WGNL_RTM_GETLINK           18
#define WGNL_IFINFOMSG_LEN         16
#define WGNL_IFLA_IFNAME           3
#define WGNL_IFLA_LINKINFO         18
#define WGNL_IFLA_EXT_MASK         29
#define WGNL_IFLA_INFO_KIND        1
#define WGNL_RTEXT_FILTER_SKIP_STATS 8u

/* Accumulates one WG_CMD_GET_DEVICE dump across datagrams. */
struct wgnl_dump {
	uint32_t seq, portid;    /* of the request; other messages are dropped */
	uint16_t family;         /* expected nlmsg_type */
	struct nl_dump_state st; /* done / intr (NLM_F_DUMP_INTR) / err */
	bool have_port;          /* device attributes: the first value wins */
	uint32_t msgs;           /* device messages parsed: the dump had started */
};

/* Parses one received datagram of a GET_DEVICE dump into dev (name preset by the caller).
 * Payload lengths must be exact (u16 2, u32 4, u64 8, key 32, timespec 16 or 8, endpoint
 * 16/AF_INET or 28/AF_INET6); a known attribute of another length is -EPROTO, an unknown
 * attribute is ignored. A peer's allowed IPs (family, address of 4 or 16 bytes, cidr in
 * range: else -EPROTO) are kept up to the bounds of wg.h, and counted. A peer element
 * whose key equals the previous peer's is a continuation and only adds allowed IPs; a
 * non-adjacent duplicate is -EPROTO (checked at DONE). Private and preshared keys are
 * never read. Returns 0 or -errno; d->st.err holds the kernel's error. Peers beyond
 * WG_MAX_PEERS: -E2BIG. */
int wgnl_parse_device_msgs(const uint8_t *buf, size_t len, struct wgnl_dump *d,
                           struct wg_device *dev);

/* Endpoint attribute (a sockaddr_in or sockaddr_in6) -> e, a nonzero scope id as its zone
 * in decimal ("[fe80::1%3]:51820"). 0 or -EPROTO (length and family must agree). */
int wgnl_parse_endpoint(struct wg_endpoint *e, const uint8_t *p, size_t len);

/* One interface from an RTM_NEWLINK payload (after the nlmsghdr). */
struct wgnl_link {
	int32_t index;
	bool name_ok;               /* IFLA_IFNAME present and valid (SPEC §3 characters) */
	char name[WG_IFNAME_SIZE];
	bool is_wireguard;          /* IFLA_LINKINFO / IFLA_INFO_KIND == "wireguard" */
};
int wgnl_parse_link(const uint8_t *payload, size_t len, struct wgnl_link *out);

/* The family id from a CTRL_CMD_NEWFAMILY payload (after the nlmsghdr) into *family, which
 * stays untouched when the attribute is absent; 0 or -EPROTO. */
int wgnl_parse_family(const uint8_t *payload, size_t len, uint16_t *family);


/* I/O pieces of source_netlink, exposed for host tests. */

/* CTRL_CMD_GETFAMILY `name` on an open NETLINK_GENERIC socket. 0, -ENOENT (no such family)
 * or another -errno. On an error the socket may be closed (s->fd -1). */
int wgnl_resolve_family(struct nl_sock *s, const struct nl_io *io, const char *name,
                        uint16_t *id);

struct source_config;
struct source_result;

/* One poll's state of the kernel backend. */
struct wgnl_ctx {
	const struct source_config *cfg;
	struct nl_io io;
	struct nl_sock gs;     /* generic netlink; fd -1 = closed, reopened on demand */
	struct nl_sock rs;     /* rtnetlink, for the listing; fd -1 = closed, opened on demand */
	uint16_t family;
};
/* Appends `name` to snap and dumps it over c->gs. A device that failed keeps no peer and
 * carries the error and its text (a dump cut mid-way included: never read as whole); one
 * gone before its dump started is left out. 0, or -EINTR / -E2BIG / -ENOMEM with
 * res->msg (the poll fails). */
int wgnl_add_device(struct wgnl_ctx *c, struct wg_snapshot *snap, const char *name,
                    struct source_result *res);

/* Names of the kernel WireGuard links (RTM_GETLINK dump, kind checked here). */
struct wgnl_names {
	char (*names)[WG_IFNAME_SIZE];
	size_t n, cap;
};
/* Fills out over c->rs (caller frees out->names); 0 or -errno (-E2BIG past WG_MAX_DEVICES;
 * -EAGAIN: NLM_F_DUMP_INTR on every attempt, out holds the last, possibly partial, list). */
int wgnl_list_links(struct wgnl_ctx *c, struct wgnl_names *out);
/* The listing, then each listed device; 0, or -errno with res->msg (-EAGAIN: the listing
 * stayed interrupted, its devices read, the snapshot to be marked incomplete). */
int wgnl_collect(struct wgnl_ctx *c, struct wg_snapshot *snap, struct source_result *res);

#endif
