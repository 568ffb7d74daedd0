// SPDX-License-Identifier: MIT
/* sd_notify without libsystemd: one non-blocking datagram socket, one sendto per
 * message; the service manager reads the sender's pid from the kernel's credentials. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdnotify.h"
#include "util.h"

/* The socket address from NOTIFY_SOCKET: "/path" or "@abstract". false: unusable. */
static bool notify_addr(struct sdnotify *n, const char *v)
{
	size_t len = v ? strlen(v) : 0;
	if (len < 2 || len > sizeof(n->addr.sun_path) - 1 || (v[0] != '/' && v[0] != '@'))
		return false;
	memset(&n->addr, 0, sizeof(n->addr));
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, v, len);
	if (v[0] == '@')
		n->addr.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL */
	n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	                         (v[0] == '/')); /* a path's trailing NUL counts */
	return true;
}

/* Half of WATCHDOG_USEC (stored in *us) in ms, when the watchdog is meant for this
 * process; else 0. */
static int64_t watchdog_period(const char *usec, const char *pid, uint64_t *us)
{
	uint64_t p;
	if (!usec || !parse_u64(usec, strlen(usec), UINT64_MAX / 2, us) || *us == 0)
		return 0;
	if (pid && (!parse_u64(pid, strlen(pid), INT32_MAX, &p) || p != (uint64_t)getpid()))
		return 0;
	int64_t ms = (int64_t)(*us / 2000);
	return ms > 0 ? ms : 1;
}

int sdnotify_init(struct sdnotify *n)
{
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	bool usable = notify_addr(n, getenv("NOTIFY_SOCKET"));
	n->watchdog_ms = usable ? watchdog_period(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
	                                          &n->watchdog_usec) : 0;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (!usable)
		return 0;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		n->watchdog_ms = 0;
		return -errno;
	}
	return 0;
}

void sdnotify_fini(struct sdnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

int sdnotify_send(struct sdnotify *n, const char *msg)
{
	if (n->fd < 0)
		return 0;
	/* A full or vanished socket must never stall or end the daemon: no retry. */
	if (sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	           (const struct sockaddr *)&n->addr, n->addrlen) < 0) {
		n->failed++;
		return -errno;
	}
	n->sent++;
	return 0;
}

int sdnotify_reloading(struct sdnotify *n)
{
	struct timespec ts;
	char msg[64];
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the service manager's clock, not BOOTTIME */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
	         (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
	return sdnotify_send(n, msg);
}

/* The ping that falls due while a poll runs is sent when the poll ends: a ping period
 * after the last one plus up to the poll's budget, and the service manager waits two
 * periods. The margin covers what follows the poll's deadline (its events, the state
 * file's fsync) before the loop runs the ping's timer. */
bool sdnotify_watchdog_too_short(const struct sdnotify *n, const char *setting,
                                 int64_t budget_ms, char *msg, size_t size)
{
	if (!n->watchdog_ms || budget_ms + SDNOTIFY_WATCHDOG_MARGIN_MS < n->watchdog_ms)
		return false;
	/* milliseconds at most, trailing zeros dropped: %g turned 1230 into 1.23e+03 */
	char sec[32];
	int end = snprintf(sec, sizeof(sec), "%.3f", (double)n->watchdog_usec / 1e6);
	while (end > 0 && sec[end - 1] == '0')
		sec[--end] = '\0';
	if (end > 0 && sec[end - 1] == '.')
		sec[--end] = '\0';
	snprintf(msg, size, "%s=%" PRId64 " s is too long for the watchdog: WATCHDOG_USEC=%"
	         PRIu64 " (WatchdogSec=%s s) wants a ping every %" PRId64 " ms, and a poll "
	         "that takes its whole budget holds a ping back; keep %s + %d s below half of "
	         "WatchdogSec, or raise WatchdogSec", setting, budget_ms / 1000,
	         n->watchdog_usec, sec, n->watchdog_ms, setting,
	         SDNOTIFY_WATCHDOG_MARGIN_MS / 1000);
	return true;
}
