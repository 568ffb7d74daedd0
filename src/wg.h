/* SPDX-License-Identifier: MIT */
/* Snapshot types: what a state source reports about WireGuard, with no secrets.
 * Sources fill these; the peer table copies what it needs and never points in. */
#ifndef WG_H
#define WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_KEY_LEN      32
#define WG_KEY_B64_LEN  45   /* 44 base64 characters + NUL */
#define WG_IFNAME_SIZE  16   /* IFNAMSIZ: 15 characters + NUL */
#define WG_ENDPOINT_SIZE 64  /* its text: "[v6%zone]:port", NUL-terminated */
#define WG_ERRMSG_SIZE  160

/* Timer constants (wireguard-state-sources.md §6), in seconds. */
#define WG_REKEY_AFTER_TIME   120
#define WG_REJECT_AFTER_TIME  180
#define WG_REKEY_TIMEOUT      5
#define WG_KEEPALIVE_TIMEOUT  10

/* How the source knew the latest handshake. */
enum wg_handshake_kind {
	WG_HS_TIME = 0,  /* last_handshake_* is wall-clock; 0/0 = never */
	WG_HS_UNKNOWN,   /* source omitted it (boringtun without a session): keep what was known */
};

enum wg_source_kind {
	WG_SRC_KERNEL = 0, /* generic netlink */
	WG_SRC_UAPI,       /* userspace socket (wireguard-go, boringtun) */
	WG_SRC_WGCLI,      /* `wg show all dump` */
};

/* Allowed IPs kept per peer, and per device: past either, an allowed IP is only counted
 * (wg_peer.ips_total), so a peer with thousands costs 1.1 KiB and a device at most
 * 18 MiB (65,536 peers with 16 each) however large its routing table. */
#define WG_ALLOWEDIPS_KEEP     64u
#define WG_DEV_ALLOWEDIPS_KEEP (1u << 20)

struct wg_allowedip {
	uint8_t addr[16];                 /* network order; IPv4 in the first 4 bytes */
	uint8_t family;                   /* 4 or 6 */
	uint8_t cidr;                     /* <= 32 or <= 128 */
};

/* An endpoint as an address, parsed where a source reads it (endpoint.h) and rendered as
 * text only at the sinks (endpoint_format), so a record holds 36 bytes, not 64. */
enum wg_endpoint_family {
	WG_EP_NONE = 0,                   /* unknown */
	WG_EP_V4,
	WG_EP_V6,
	WG_EP_INVALID,                    /* the source gave text that is no numeric endpoint */
};

struct wg_endpoint {
	uint8_t addr[16];                 /* network order; IPv4 in the first 4 bytes */
	char zone[WG_IFNAME_SIZE];        /* IPv6 scope as the source named it ("eth0", or the
	                                   * kernel's scope id in decimal); "" = none */
	uint16_t port;                    /* 1-65535 */
	uint8_t family;                   /* enum wg_endpoint_family */
};

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	struct wg_endpoint endpoint;
	int64_t last_handshake_sec;       /* CLOCK_REALTIME seconds; 0 with nsec 0 = never */
	int64_t last_handshake_nsec;
	enum wg_handshake_kind hs_kind;
	bool hs_approx;                   /* derived from an age (boringtun): +-1 s jitter */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint16_t persistent_keepalive;    /* seconds, 0 = off */
	/* Its allowed IPs, in the source's order: dev->ips[ips_at .. ips_at + nips); ips_total
	 * counts every one the source listed (saturating), nips < ips_total past a bound. */
	uint32_t ips_at, nips, ips_total;
	uint32_t line;                    /* where a text source began it, for its errors */
};

struct wg_device {
	char name[WG_IFNAME_SIZE];
	enum wg_source_kind source;
	bool has_public_key;
	uint8_t public_key[WG_KEY_LEN];
	uint16_t listen_port;
	/* 0 when read; else -errno and a message: the interface exists but could not be
	 * read this poll, so its peers are unknown (not removed). */
	int error;
	char errmsg[WG_ERRMSG_SIZE];
	struct wg_peer *peers;
	size_t npeers, cap;
	struct wg_allowedip *ips;         /* every peer's, each peer's contiguous */
	size_t nips, ipcap;
	uint32_t *keyslots;               /* wg_device_find_duplicate's index, kept for reuse */
	size_t nkeyslots;
};

/* Owned by whoever polls (the daemon keeps one across polls): devs[0..ndevs) are this
 * poll's devices; devs[ndevs..ndevs + nspare) are emptied devices of the last poll, kept
 * with their arrays so that a steady poll refills them instead of allocating. */
struct wg_snapshot {
	struct wg_device *devs;
	size_t ndevs, nspare, cap;
	/* Some backend could not list its interfaces: the devices present are true, but an
	 * absent one may still exist, so nothing may be called removed from this snapshot. */
	bool incomplete;
};

/* Handshake times past the year 9999 are hostile; sources reject them. */
#define WG_MAX_HANDSHAKE_SEC 253402300799LL

/* Appends an empty device named `name` (validated by the caller), with the arrays of the
 * last poll's namesake (else of another spare) when there is one; NULL + errno on ENOMEM. */
struct wg_device *wg_snapshot_add_device(struct wg_snapshot *s, const char *name);
/* Appends a zeroed peer; NULL + errno on ENOMEM or when the device holds WG_MAX_PEERS. */
struct wg_peer *wg_device_add_peer(struct wg_device *d);
/* Counts a, an allowed IP of p, and keeps it unless a bound is reached. p must be the
 * last peer given allowed IPs, so that its own stay contiguous. 0 or -ENOMEM. */
int wg_peer_add_allowedip(struct wg_device *d, struct wg_peer *p, const struct wg_allowedip *a);
/* Whether two of d's peers have the same public key: 0; -EEXIST with *dup the index of
 * the later one; -ENOMEM. O(n): a seeded hash index over the keys, its array reused. */
int wg_device_find_duplicate(struct wg_device *d, size_t *dup);
/* A hash of key and the NUL-terminated salt (may be NULL), seeded at random per process:
 * keys come from outside and may be chosen to collide. */
uint64_t wg_key_hash(const uint8_t key[WG_KEY_LEN], const char *salt);
struct wg_device *wg_snapshot_find(const struct wg_snapshot *s, const char *name);
/* Removes devs[i], keeping the order of the rest; it becomes a spare. */
void wg_snapshot_remove(struct wg_snapshot *s, size_t i);
/* Starts a new poll into s: its devices become spares, the spares no device took last
 * poll are freed. */
void wg_snapshot_reset(struct wg_snapshot *s);
/* Frees everything s holds and zeroes it. */
void wg_snapshot_clear(struct wg_snapshot *s);
/* Empties d for another reading: only its name and its arrays (emptied) are kept. */
void wg_device_reset(struct wg_device *d);
/* d has no peers and no allowed IPs (an unreadable device); its arrays are kept. */
void wg_device_empty(struct wg_device *d);
/* Frees d's arrays: no peers, no allowed IPs, no arrays. */
void wg_device_clear(struct wg_device *d);

#define WG_MAX_PEERS   1000000u  /* per device; anything above is hostile */
#define WG_MAX_DEVICES 4096u

/* Interface names as SPEC §3 allows: 1-15 of [A-Za-z0-9_=+.-]. */
bool wg_ifname_valid(const char *s, size_t len);

#endif
