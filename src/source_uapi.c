// SPDX-License-Identifier: MIT
/* Userspace WireGuard (wireguard-go, boringtun): finds <dir>/<ifname>.sock, asks each
 * socket `get=1` with a deadline, parses the reply and zeroes it (it holds secrets). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#define UAPI_DEFAULT_TIMEOUT_MS 2000
#define UAPI_FIRST_BUF          16384

typedef char ifname_t[WG_IFNAME_SIZE];

struct uapi_req {
	const char *path;
	int64_t deadline;                  /* CLOCK_MONOTONIC ms */
	int timeout_ms;
	const volatile sig_atomic_t *stop;
	char *buf;                         /* the reply; zeroed before it is freed */
	size_t len, cap;
	char *msg;                         /* why it failed, WG_ERRMSG_SIZE */
};

static bool stopping(const struct uapi_req *r)
{
	return r->stop && *r->stop;
}

/* After a failed send/recv: wait for readiness, retry after a signal, or give up. */
static int io_again(struct uapi_req *r, int fd, short events)
{
	if (errno == EAGAIN)
		return fd_wait(fd, events, r->deadline, r->stop);
	if (errno == EINTR)
		return stopping(r) ? -EINTR : 0;
	return -errno;
}

static int io_error(struct uapi_req *r, int rc, const char *what)
{
	if (rc == -ETIMEDOUT)
		snprintf(r->msg, WG_ERRMSG_SIZE, "no reply from %s within %d ms", r->path,
		         r->timeout_ms);
	else if (rc == -EACCES || rc == -EPERM)
		snprintf(r->msg, WG_ERRMSG_SIZE, "permission denied connecting to %s: run as root "
		         "or grant CAP_DAC_OVERRIDE", r->path);
	else if (rc != -EINTR)
		snprintf(r->msg, WG_ERRMSG_SIZE, "%s %s: %s", what, r->path, strerror(-rc));
	return rc;
}

static int do_connect(struct uapi_req *r, int fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(r->path);
	if (n >= sizeof sa.sun_path)
		return io_error(r, -ENAMETOOLONG, "cannot connect to");
	memcpy(sa.sun_path, r->path, n + 1);
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno == EINTR && !stopping(r))
			continue;
		if (errno != EINPROGRESS)
			return io_error(r, -errno, "cannot connect to");
		int rc = fd_wait(fd, POLLOUT, r->deadline, r->stop), soerr = 0;
		socklen_t sl = sizeof soerr;
		if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		return io_error(r, rc ? rc : -soerr, "cannot connect to");
	}
	return 0;
}

static int send_request(struct uapi_req *r, int fd)
{
	static const char req[] = "get=1\n\n";
	size_t off = 0;
	while (off < sizeof req - 1) {
		ssize_t n = send(fd, req + off, sizeof req - 1 - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		int rc = io_again(r, fd, POLLOUT);
		if (rc < 0)
			return io_error(r, rc, "cannot send to");
	}
	return 0;
}

/* Moves the reply to a bigger buffer; never realloc, which would leave a copy of the
 * secrets behind in freed memory. */
static int grow(struct uapi_req *r)
{
	size_t ncap = r->cap ? r->cap * 2 : UAPI_FIRST_BUF;
	if (r->cap >= UAPI_REPLY_MAX) {
		snprintf(r->msg, WG_ERRMSG_SIZE, "reply from %s larger than %u bytes", r->path,
		         UAPI_REPLY_MAX);
		return -E2BIG;
	}
	char *nb = malloc(ncap > UAPI_REPLY_MAX ? UAPI_REPLY_MAX : ncap);
	if (!nb)
		return io_error(r, -ENOMEM, "reading");
	if (r->buf) {
		memcpy(nb, r->buf, r->len);
		explicit_bzero(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = nb;
	r->cap = ncap > UAPI_REPLY_MAX ? UAPI_REPLY_MAX : ncap;
	return 0;
}

/* The first empty line ends a reply; returns its length through that line, or 0. */
static size_t reply_end(const struct uapi_req *r, size_t from)
{
	if (r->len > 0 && r->buf[0] == '\n')
		return 1;
	for (size_t i = from ? from : 1; i < r->len; i++)
		if (r->buf[i] == '\n' && r->buf[i - 1] == '\n')
			return i + 1;
	return 0;
}

static int read_reply(struct uapi_req *r, int fd)
{
	for (;;) {
		int rc = r->len == r->cap ? grow(r) : 0;
		if (rc < 0)
			return rc;
		ssize_t n = recv(fd, r->buf + r->len, r->cap - r->len, 0);
		if (n == 0)
			return 0; /* EOF: the parser reports a truncated reply */
		if (n > 0) {
			size_t from = r->len, end;
			r->len += (size_t)n;
			if ((end = reply_end(r, from)) != 0) {
				r->len = end;
				return 0;
			}
			continue;
		}
		rc = io_again(r, fd, POLLIN);
		if (rc < 0)
			return io_error(r, rc, "cannot read from");
	}
}

static int fetch(struct uapi_req *r)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return io_error(r, -errno, "cannot create a socket for");
	int rc = do_connect(r, fd);
	if (rc == 0)
		rc = send_request(r, fd);
	if (rc == 0)
		rc = read_reply(r, fd);
	close(fd);
	return rc;
}

static void req_free(struct uapi_req *r)
{
	if (r->buf)
		explicit_bzero(r->buf, r->cap);
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

/* Asks one socket; adds the device unless the socket is stale (daemon gone). */
static int query(const struct source_config *cfg, const char *dir, const char *name,
                 struct wg_snapshot *snap)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 32], msg[WG_ERRMSG_SIZE] = "";
	struct uapi_req r = { .path = path, .stop = cfg->stop, .msg = msg };
	r.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : UAPI_DEFAULT_TIMEOUT_MS;
	r.deadline = mono_ms() + r.timeout_ms;
	snprintf(path, sizeof path, "%s/%s.sock", dir, name);
	int rc = fetch(&r);
	if (rc == -ECONNREFUSED || rc == -ENOENT || rc == -EINTR) {
		req_free(&r); /* stale socket: never unlink it, the interface is just gone */
		return rc == -EINTR ? rc : 0;
	}
	struct wg_device *dev = wg_snapshot_add_device(snap, name);
	if (!dev) {
		rc = -errno;
		req_free(&r);
		return rc;
	}
	dev->source = WG_SRC_UAPI;
	if (rc == 0) {
		int n = snprintf(msg, sizeof msg, "bad reply from %s: ", path);
		size_t off = n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0;
		rc = uapi_parse(r.buf, r.len, dev, real_ms(), msg + off, sizeof msg - off);
	}
	req_free(&r);
	if (rc < 0) {
		dev->error = rc;
		snprintf(dev->errmsg, sizeof dev->errmsg, "%s", msg);
	}
	return 0;
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
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = cfg->stop && *cfg->stop ? -EINTR : query(cfg, dir, names[i], snap);
	free(names);
	if (rc < 0) {
		res->err = rc;
		snprintf(res->msg, sizeof res->msg, "%s %s: %s", rc == -EINTR ? "interrupted while "
		         "reading" : "cannot list sockets in", dir, strerror(-rc));
	}
	return rc;
}

const struct source_backend source_uapi = { "uapi", uapi_collect };
