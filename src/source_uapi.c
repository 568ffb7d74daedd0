// SPDX-License-Identifier: MIT
/* Userspace WireGuard (wireguard-go, boringtun): finds <dir>/<ifname>.sock, asks every
 * socket `get=1` at once (non-blocking, one poll() over all of them) within the poll's
 * deadline, and parses each reply as it arrives through one fixed read buffer. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "source.h"
#include "uapi.h"
#include "util.h"

#define UAPI_DEFAULT_DIR        "/var/run/wireguard"
/* Sockets asked at once. A slot frees when its socket answers or fails, and the next
 * socket takes it, all within the same deadline. */
#define UAPI_MAX_OPEN           64

typedef char ifname_t[WG_IFNAME_SIZE];

enum uapi_phase { UQ_WAITING, UQ_CONNECTING, UQ_SENDING, UQ_READING, UQ_DONE };

/* One socket's request, advanced by readiness; its result stays until the batch ends. */
struct uapi_req {
	ifname_t name;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];
	enum uapi_phase phase;
	int fd;
	size_t sent;
	int rc;                            /* once UQ_DONE: 0 or -errno */
	struct wg_device *dev;             /* its device in the snapshot, filled in place */
	struct uapi_stream parse;          /* the reply parsed so far */
	char msg[WG_ERRMSG_SIZE];          /* why it failed */
};

/* Every request of one poll and the deadline they share. */
struct uapi_batch {
	struct uapi_req *req;
	size_t n, next, open;              /* next: the first not yet started */
	int64_t deadline;                  /* mono_ms */
	int budget_ms;
	const volatile sig_atomic_t *stop;
};

static const char uapi_request[] = "get=1\n\n";

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void req_say(struct uapi_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above (clang 14 false positive) */
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
}

static int req_error(struct uapi_req *r, int rc, const char *what)
{
	if (rc == -EACCES || rc == -EPERM)
		req_say(r, "permission denied connecting to %s: run as root "
		         "or grant CAP_DAC_OVERRIDE", r->path);
	else
		req_say(r, "%s %s: %s", what, r->path, strerror(-rc));
	return rc;
}

/* One read of a reply at a time, parsed at once: the secrets in it are zeroed by the
 * parser, so it never holds one between reads. One poll reads one socket at a time. */
static char read_buf[UAPI_READ_MAX];

/* Reads and parses what is there: 1 once the reply is complete, 0 to wait for more,
 * -errno (the parser's error is already in r->msg). */
static int read_some(struct uapi_req *r)
{
	/* A few reads, then back to the poll: a socket that never stops sending cannot hold
	 * the poll past its deadline, which is checked between rounds. */
	for (int reads = 0; reads < 16; reads++) {
		ssize_t n = recv(r->fd, read_buf, sizeof read_buf, 0);
		if (n == 0)
			return uapi_stream_eof(&r->parse);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 :
			       req_error(r, -errno, "cannot read from");
		size_t used;
		int rc = uapi_stream_feed(&r->parse, read_buf, (size_t)n, &used, real_ms());
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Sends what fits: 0 to go on (phase moves to UQ_READING once all is sent), -errno. */
static int send_some(struct uapi_req *r)
{
	while (r->sent < sizeof uapi_request - 1) {
		ssize_t n = send(r->fd, uapi_request + r->sent, sizeof uapi_request - 1 - r->sent,
		                 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 :
			       req_error(r, -errno, "cannot send to");
		r->sent += (size_t)n;
	}
	r->phase = UQ_READING;
	return 0;
}

/* Ends a request: closes its socket; a reply cut short is dropped whole, the device's own
 * fields read before the failure too (as netlink drops them). */
static void req_finish(struct uapi_batch *b, struct uapi_req *r, int rc)
{
	close(r->fd);
	r->fd = -1;
	r->phase = UQ_DONE;
	b->open--;
	if (rc < 0) {
		wg_device_reset(r->dev);
		r->dev->source = WG_SRC_UAPI;
	}
	r->rc = rc;
}

/* Advances one request after poll() reported revents on its socket. */
static void req_step(struct uapi_batch *b, struct uapi_req *r)
{
	int rc = 0, soerr = 0;
	socklen_t sl = sizeof soerr;
	if (r->phase == UQ_CONNECTING) {
		if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			req_finish(b, r, req_error(r, -soerr, "cannot connect to"));
			return;
		}
		r->phase = UQ_SENDING;
	}
	if (r->phase == UQ_SENDING)
		rc = send_some(r);
	if (rc == 0 && r->phase == UQ_READING)
		rc = read_some(r);
	if (rc != 0)
		req_finish(b, r, rc < 0 ? rc : 0);
}

/* Where the parser's errors go: after "reply from <path>: ", which a socket error
 * overwrites. */
static void parse_start(struct uapi_req *r)
{
	req_say(r, "reply from %s: ", r->path);
	size_t off = strlen(r->msg);
	uapi_stream_init(&r->parse, r->dev, r->msg + off, sizeof r->msg - off);
}

static int do_connect(struct uapi_req *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(r->path);
	if (n >= sizeof sa.sun_path)
		return req_error(r, -ENAMETOOLONG, "cannot connect to");
	memcpy(sa.sun_path, r->path, n + 1);
	while (connect(r->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno == EINPROGRESS) {
			r->phase = UQ_CONNECTING;
			return 0;
		}
		if (errno != EINTR)
			return req_error(r, -errno, "cannot connect to");
	}
	r->phase = UQ_SENDING;
	return 0;
}

/* Opens, connects and sends the request of the next waiting socket. */
static void req_start(struct uapi_batch *b, struct uapi_req *r)
{
	b->open++;
	parse_start(r);
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0) {
		r->phase = UQ_DONE;
		b->open--;
		r->rc = req_error(r, -errno, "cannot create a socket for");
		return;
	}
	int rc = do_connect(r);
	if (rc == 0 && r->phase == UQ_SENDING)
		rc = send_some(r);
	if (rc < 0)
		req_finish(b, r, rc);
}

/* At the deadline: what is still open, or never got a slot, is that interface's error. */
static void expire(struct uapi_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct uapi_req *r = &b->req[i];
		if (r->phase == UQ_DONE)
			continue;
		if (r->phase == UQ_WAITING) {
			b->open++; /* req_finish counts it out; there is no socket to close */
			r->fd = -1;
			req_say(r, "%s not asked: the poll budget of %d ms ran "
			         "out", r->path, b->budget_ms);
		} else {
			req_say(r, "no reply from %s within %d ms (poll budget)",
			         r->path, b->budget_ms);
		}
		req_finish(b, r, -ETIMEDOUT);
	}
	b->next = b->n;
}

/* One poll() over the open sockets; 0 to go on, -EINTR (stop), -ETIMEDOUT, -errno. */
static int wait_round(struct uapi_batch *b)
{
	struct pollfd p[UAPI_MAX_OPEN];
	size_t idx[UAPI_MAX_OPEN], np = 0;
	for (size_t i = 0; i < b->next && np < UAPI_MAX_OPEN; i++) {
		struct uapi_req *r = &b->req[i];
		if (r->phase == UQ_DONE || r->phase == UQ_WAITING)
			continue;
		p[np] = (struct pollfd){ .fd = r->fd,
		                         .events = r->phase == UQ_READING ? POLLIN : POLLOUT };
		idx[np++] = i;
	}
	int64_t left = b->deadline - mono_ms();
	if (left <= 0)
		return -ETIMEDOUT;
	int n = wait_poll(p, (nfds_t)np, left > INT32_MAX ? INT32_MAX : (int)left);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (size_t k = 0; k < np; k++)
		if (p[k].revents)
			req_step(b, &b->req[idx[k]]);
	return 0;
}

/* Asks every socket of the batch at once, at most UAPI_MAX_OPEN open at a time, until
 * each answered or the deadline passed. 0, -EINTR (stop) or -errno from poll(). */
static int run_batch(struct uapi_batch *b)
{
	for (;;) {
		if (b->stop && *b->stop)
			return -EINTR;
		while (b->open < UAPI_MAX_OPEN && b->next < b->n)
			req_start(b, &b->req[b->next++]);
		if (b->open == 0 && b->next == b->n)
			return 0;
		int rc = wait_round(b);
		if (rc == -ETIMEDOUT) {
			expire(b);
			return 0;
		}
		if (rc < 0)
			return rc;
	}
}

/* Settles the request's device in the snapshot: its error, or gone if its socket is
 * stale (the daemon is gone: never unlink it, the interface is just gone). A device after
 * it in the snapshot moves: the requests are settled last to first. */
static void commit(struct uapi_req *r, struct wg_snapshot *snap, size_t at)
{
	if (r->rc == -ECONNREFUSED || r->rc == -ENOENT) {
		wg_snapshot_remove(snap, at);
	} else if (r->rc < 0) {
		r->dev->error = r->rc;
		snprintf(r->dev->errmsg, sizeof r->dev->errmsg, "%s", r->msg);
	}
}

/* Adds names[0..n) to the snapshot, each refilling the last poll's arrays of its name. */
static int add_devices(struct wg_snapshot *snap, const ifname_t *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct wg_device *dev = wg_snapshot_add_device(snap, names[i]);
		if (!dev)
			return -errno;
		dev->source = WG_SRC_UAPI;
	}
	return 0;
}

static void batch_free(struct uapi_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct uapi_req *r = &b->req[i];
		if (r->phase != UQ_WAITING && r->phase != UQ_DONE)
			close(r->fd);
		explicit_bzero(&r->parse, sizeof r->parse);
	}
	free(b->req);
}

/* Asks the sockets of names[0..n) in dir; their devices are added in that order. */
static int query_all(const struct source_config *cfg, const char *dir, const ifname_t *names,
                     size_t n, struct wg_snapshot *snap)
{
	struct uapi_batch b = { .n = n, .deadline = source_deadline(cfg),
	                        .budget_ms = source_budget_ms(cfg), .stop = cfg->stop };
	size_t first = snap->ndevs;
	b.req = calloc(n ? n : 1, sizeof *b.req);
	int rc = b.req ? add_devices(snap, names, n) : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		memcpy(b.req[i].name, names[i], sizeof(ifname_t));
		snprintf(b.req[i].path, sizeof b.req[i].path, "%s/%s.sock", dir, names[i]);
		b.req[i].dev = &snap->devs[first + i];
	}
	if (rc == 0)
		rc = run_batch(&b);
	for (size_t i = n; rc == 0 && i-- > 0;)
		commit(&b.req[i], snap, first + i);
	while (rc < 0 && snap->ndevs > first) /* nothing half read stays */
		wg_snapshot_remove(snap, snap->ndevs - 1);
	if (b.req)
		batch_free(&b);
	return rc;
}

/* A directory entry names a candidate when it is "<valid ifname>.sock", a socket (not a
 * symlink), watched, and not already reported by an earlier backend. */
static bool candidate(const struct source_config *cfg, const struct wg_snapshot *snap,
                      DIR *d, const char *ent, ifname_t stem)
{
	size_t n = strlen(ent);
	struct stat st;
	if (n <= 5 || strcmp(ent + n - 5, ".sock") != 0 || !wg_ifname_valid(ent, n - 5))
		return false;
	memcpy(stem, ent, n - 5);
	stem[n - 5] = '\0';
	if (!source_watched(cfg, stem) || wg_snapshot_find(snap, stem))
		return false;
	return fstatat(dirfd(d), ent, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(st.st_mode);
}

static int list_sockets(const struct source_config *cfg, const struct wg_snapshot *snap,
                        DIR *d, ifname_t **names, size_t *n)
{
	size_t cap = 0;
	void *arr = *names;
	struct dirent *e;
	ifname_t stem;
	while ((e = readdir(d)) != NULL) {
		if (!candidate(cfg, snap, d, e->d_name, stem))
			continue;
		if (!array_grow(&arr, &cap, *n, sizeof(**names), WG_MAX_DEVICES))
			return -errno;
		*names = arr;
		memcpy((*names)[(*n)++], stem, sizeof stem);
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int uapi_collect(const struct source_config *cfg, struct wg_snapshot *snap,
                        struct source_result *res)
{
	const char *dir = cfg->uapi_dir ? cfg->uapi_dir : UAPI_DEFAULT_DIR;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* no userspace daemon has ever run: zero interfaces */
		res->err = -errno;
		snprintf(res->msg, sizeof res->msg, "cannot read %s: %s", dir, strerror(errno));
		return res->err;
	}
	ifname_t *names = NULL;
	size_t n = 0;
	int rc = list_sockets(cfg, snap, d, &names, &n);
	closedir(d);
	if (rc == 0 && n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	if (rc == 0)
		rc = query_all(cfg, dir, names, n, snap);
	free(names);
	if (rc < 0) {
		res->err = rc;
		snprintf(res->msg, sizeof res->msg, "%s %s: %s", rc == -EINTR ? "interrupted while "
		         "reading" : "cannot list sockets in", dir, strerror(-rc));
	}
	return rc;
}

const struct source_backend source_uapi = { "uapi", uapi_collect };
