/* SPDX-License-Identifier: MIT */
/* The `wg show all dump` backend's pure parts (output parser, stderr reader), exposed so
 * they can be unit-tested and fuzzed. The subprocess runs under child.h. */
#ifndef WGCLI_H
#define WGCLI_H

#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define WGCLI_OUT_MAX (64u << 20)  /* stdout cap; more is an error */

/* Parses `wg show all dump` output buf[0..len) and appends its interfaces to snap,
 * skipping names snap already holds. Overwrites the private-key and preshared-key fields
 * in buf with zero bytes as it passes them (the caller still zeroes all of buf). Returns
 * 0; -EPROTO for malformed output (err says where; no device from buf is kept); -ENOMEM. */
int wgcli_parse(char *buf, size_t len, struct wg_snapshot *snap, char *err, size_t errlen);

/* Adds each interface named in a wg "Unable to access interface <if>: <why>" stderr line
 * to snap with dev->error set (skips names snap holds, and vanished ones). Returns how
 * many such lines there were. */
size_t wgcli_parse_stderr(const char *buf, size_t len, struct wg_snapshot *snap);

/* boringtun reports handshake ages, which wg prints as times: rewrites any handshake
 * below 2001 in devs[first..] as now - age (hs_approx). */
void wgcli_fix_ages(struct wg_snapshot *snap, size_t first, int64_t now_real_ms);

#endif
