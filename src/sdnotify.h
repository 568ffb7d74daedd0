/* SPDX-License-Identifier: MIT */
/* The service manager's notification protocol (sd_notify), spoken natively: datagrams of
 * "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET, and the watchdog
 * period from $WATCHDOG_USEC. No socket: every call does nothing. */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct sdnotify {
	int fd;                      /* -1: not under a service manager, nothing is sent */
	struct sockaddr_un addr;
	socklen_t addrlen;
	int64_t watchdog_ms;         /* ping period (half of WATCHDOG_USEC), 0 = none */
	uint64_t watchdog_usec;      /* WATCHDOG_USEC as given, when watchdog_ms is set */
	uint64_t sent, failed;       /* datagrams; a failure is never fatal */
};

/* Reads NOTIFY_SOCKET (an absolute path or an abstract "@name"), WATCHDOG_USEC and
 * WATCHDOG_PID (the watchdog is ours when unset or our pid), then removes all three
 * from the environment so that no child inherits them. 0; -errno only when the socket
 * cannot be created (n is then inert, as without NOTIFY_SOCKET). */
int sdnotify_init(struct sdnotify *n);
void sdnotify_fini(struct sdnotify *n);

/* Sends msg (newline-separated assignments) without blocking. 0, or -errno (counted
 * in n->failed; the daemon carries on). 0 without a socket. */
int sdnotify_send(struct sdnotify *n, const char *msg);
/* "RELOADING=1" with "MONOTONIC_USEC=" now on CLOCK_MONOTONIC, as a reload begins. */
int sdnotify_reloading(struct sdnotify *n);

/* Whether a poll that takes its whole budget_ms could hold a ping back past the watchdog
 * (budget + SDNOTIFY_WATCHDOG_MARGIN_MS reaches the ping period); then one line naming
 * both values (setting = its name, e.g. POLL_TIMEOUT) is written to msg. */
#define SDNOTIFY_WATCHDOG_MARGIN_MS 1000
bool sdnotify_watchdog_too_short(const struct sdnotify *n, const char *setting,
                                 int64_t budget_ms, char *msg, size_t size);

#endif
