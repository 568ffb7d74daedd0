/* SPDX-License-Identifier: MIT */
/* The `wg show all dump` backend's pure parts (streaming output parser, stderr reader),
 * exposed so they can be unit-tested and fuzzed. The subprocess runs under child.h. */
#ifndef WGCLI_H
#define WGCLI_H

#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define WGCLI_READ_MAX  (64u << 10) /* one read of wg's output; the output has no size limit */
#define WGCLI_LINE_MAX  1024        /* bytes per line, not counting a peer's allowed IPs */
#define WGCLI_FIELD4_KEEP 64        /* of a line's 5th field (allowed IPs, or the fwmark)
                                     * cut by the end of a read, the bytes kept */

#define WGCLI_IP_TEXT_MAX 64        /* one entry of the allowed-IPs field */

/* A peer line's allowed IPs, parsed as they pass (a cut line's are not carried whole):
 * the first WG_ALLOWEDIPS_KEEP kept, all counted. */
struct wgcli_ips {
	struct wg_allowedip v[WG_ALLOWEDIPS_KEEP];
	uint32_t n, total;
	size_t entries, len;
	bool none, bad;              /* "(none)" seen; an entry was malformed */
	char ent[WGCLI_IP_TEXT_MAX]; /* the entry being read */
};

/* The parse of one `wg show all dump` output, fed piece by piece: only the line cut by
 * the end of a piece is kept (a peer's allowed IPs parsed on the way, not kept as text). */
struct wgcli_stream {
	struct wg_snapshot *snap;
	size_t first;                /* devices from index first on come from this output */
	size_t cur;                  /* index of the current interface, or SIZE_MAX */
	bool skip;                   /* current interface is owned by an earlier backend */
	char cur_name[WG_IFNAME_SIZE];
	size_t lineno;
	int rc;                      /* 0 while parsing, else the -errno it failed with */
	char *err;
	size_t errlen;
	size_t carry_len, carry_tabs, carry_f4;
	char carry[WGCLI_LINE_MAX + WGCLI_FIELD4_KEEP + 1];
	struct wgcli_ips ips;        /* the current line's */
};

/* Starts parsing output into snap, after the devices it holds; err (size errlen) will
 * say why it failed, never quoting a key. */
void wgcli_stream_init(struct wgcli_stream *s, struct wg_snapshot *snap, char *err,
                       size_t errlen);

/* Parses buf[0..len), the next bytes of the output, and appends its interfaces to snap,
 * skipping names snap already held. Overwrites the private-key and preshared-key fields
 * in buf with zero bytes as it passes them; a line cut by the end of buf is moved out of
 * buf, and after an error all of buf is zeroed, so buf then holds no secret. Returns 0, or
 * the -errno of the first error (-EPROTO malformed, -E2BIG past WG_MAX_PEERS, -ENOMEM);
 * once failed, what follows is only zeroed. */
int wgcli_stream_feed(struct wgcli_stream *s, char *buf, size_t len);

/* wg closed its output: 0, or -errno as above (err says where); on error no device from
 * this output is kept. Zeroes the carried line. */
int wgcli_stream_end(struct wgcli_stream *s);

/* Parses a whole output buf[0..len) in place (its secrets zeroed as above): 0 or -errno
 * as wgcli_stream_end. */
int wgcli_parse(char *buf, size_t len, struct wg_snapshot *snap, char *err, size_t errlen);

/* Adds each interface named in a wg "Unable to access interface <if>: <why>" stderr line
 * to snap with dev->error set (skips names snap holds, and vanished ones). Returns how
 * many such lines there were. */
size_t wgcli_parse_stderr(const char *buf, size_t len, struct wg_snapshot *snap);

/* boringtun reports handshake ages, which wg prints as times: rewrites any handshake
 * below 2001 in devs[first..] as now - age (hs_approx). */
void wgcli_fix_ages(struct wg_snapshot *snap, size_t first, int64_t now_real_ms);

#endif
