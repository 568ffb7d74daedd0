/* SPDX-License-Identifier: MIT */
/* The `wg show all dump` backend's pure parts (output parser, stderr reader) and its
 * subprocess runner, exposed so they can be unit-tested and fuzzed. */
#ifndef WGCLI_H
#define WGCLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "wg.h"

#define WGCLI_OUT_MAX (64u << 20)  /* stdout cap; more is an error */
#define WGCLI_ERR_MAX 16384        /* stderr kept; the rest is read and dropped */

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

struct wgcli_output {
	char *out;                     /* stdout; wgcli_output_free zeroes it */
	size_t outlen, outcap;
	char err[WGCLI_ERR_MAX];       /* the first WGCLI_ERR_MAX bytes of stderr */
	size_t errlen;
	int status;                    /* waitpid() status */
};

/* Runs path with argv (no shell), env exactly PATH=/usr/bin:/usr/sbin:/bin:/sbin and
 * LC_ALL=C, stdin /dev/null, no other fds; collects stdout (at most outmax bytes) and
 * stderr. Returns 0 once the child exited (any status); -ETIMEDOUT after timeout_ms,
 * -E2BIG over outmax, -EINTR when *stop was set by a signal (the child is then killed
 * and reaped); other -errno. msg (WG_ERRMSG_SIZE) says why. */
int wgcli_exec(const char *path, char *const argv[], int timeout_ms, size_t outmax,
               const volatile sig_atomic_t *stop, struct wgcli_output *o, char *msg);
void wgcli_output_free(struct wgcli_output *o);

#endif
