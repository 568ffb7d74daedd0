// SPDX-License-Identifier: MIT
/* The listener and its connections as fds of the daemon's loop. A connection reads one
 * request head into its fixed buffer, then writes the whole response before it reads
 * again, a body part by part through one fixed output buffer (HTTP/1.1 chunked; 1.0: up
 * to the close), so a client that pipelines or never reads costs at most that buffer. One
 * loop timer, at the earliest deadline, closes whoever is late. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "util.h"

#define ACCEPT_BURST 64   /* accepts per wake, so a flood cannot hold the loop */

/* Room for len more bytes and a NUL; false (and failed) when memory runs out, or when a
 * fixed buffer is full. */
static bool reserve(struct http_buf *b, size_t len)
{
	if (b->failed)
		return false;
	if (b->len + len + 1 <= b->cap)
		return true;
	if (b->fixed) {
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + len + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void http_append(struct http_buf *b, const char *s, size_t len)
{
	if (!reserve(b, len))
		return;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void http_printf(struct http_buf *b, const char *fmt, ...)
{
	for (size_t want = 0; reserve(b, want);) {
		va_list ap;
		va_start(ap, fmt);
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above (clang 14 false positive) */
		int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		want = (size_t)n;
	}
}

void http_buf_free(struct http_buf *b)
{
	free(b->p);
	*b = (struct http_buf){ 0 };
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* ------------------------------------------------------------------ deadlines */

static void on_deadline(struct loop *l, void *ctx);

/* Keeps the one timer at the earliest deadline of any connection. */
static void arm(struct http_server *h)
{
	int64_t due = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		const struct http_conn *c = &h->conns[i];
		if (c->st != HC_FREE && (!due || c->deadline < due))
			due = c->deadline;
	}
	if (due == h->timer_due && h->timer)
		return;
	if (h->timer)
		loop_del_timer(h->loop, h->timer);
	h->timer = 0;
	h->timer_due = due;
	if (due) {
		int id = loop_add_timer(h->loop, due, on_deadline, h);
		h->timer = id > 0 ? id : 0;
	}
}

/* An answer cut short (a deadline, a failed part) ends with a reset, not a FIN: a body
 * that ends at the close (HTTP/1.0) would otherwise look whole to its reader. */
static void conn_close(struct http_server *h, struct http_conn *c)
{
	if (c->out && (c->more || c->outpos < c->outlen)) {
		struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
	}
	loop_del_fd(h->loop, c->fd);
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->more = NULL;
	c->fd = -1;
	c->st = HC_FREE;
	c->inlen = 0;
}

static void on_deadline(struct loop *l, void *ctx)
{
	struct http_server *h = ctx;
	int64_t now = mono_ms();
	(void)l;
	h->timer = 0;
	h->timer_due = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		if (h->conns[i].st != HC_FREE && h->conns[i].deadline <= now)
			conn_close(h, &h->conns[i]);
	arm(h);
}

/* ------------------------------------------------------------------ responses */

/* The out buffer: room for a head before the first part and a chunk-size line before any
 * part, "\r\n" after it. A part is framed in place, its head and size line written just
 * before it, so nothing is copied. */
#define HEAD_ROOM  512
#define SIZE_ROOM  10    /* "%zx\r\n" of a part below 2^32 */
#define PART_AT    (HEAD_ROOM + SIZE_ROOM)
#define PART_MAX   (HTTP_OUT_SIZE - PART_AT - 2)
static_assert(PART_MAX >= HTTP_PART_MIN, "a handler is promised that much room a part");

static const char text_plain[] = "text/plain; charset=utf-8";

/* The head of an answer: a streamed body (len unknown) is chunked for HTTP/1.1 and ends at
 * close for 1.0. Its length (less than HEAD_ROOM). */
static size_t head(const struct http_conn *c, char out[HEAD_ROOM], int status,
                   const char *ctype, bool streamed, size_t len)
{
	struct http_buf o = { .p = out, .cap = HEAD_ROOM, .fixed = true };
	http_printf(&o, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", status, reason(status), ctype);
	if (!streamed)
		http_printf(&o, "Content-Length: %zu\r\n", len);
	else if (c->chunked)
		http_printf(&o, "Transfer-Encoding: chunked\r\n");
	http_printf(&o, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n");
	if (status == 401)
		http_printf(&o, "WWW-Authenticate: Bearer realm=\"wg-monitor\"\r\n");
	if (status == 405)
		http_printf(&o, "Allow: GET, HEAD\r\n");
	http_printf(&o, "Connection: %s\r\n\r\n", c->close_after ? "close" : "keep-alive");
	return o.len;
}

/* Frames the n body bytes at out + at for sending (chunked: its size line before, CRLF
 * after; n 0 there is the last chunk); n 0 ends the body. */
static void put_part(struct http_conn *c, size_t at, size_t n)
{
	c->outpos = at;
	c->outlen = at + n;
	if (!n)
		c->more = NULL;
	if (!c->chunked)
		return;
	char line[SIZE_ROOM + 1];
	int k = snprintf(line, sizeof(line), "%zx\r\n", n);
	c->outpos -= (size_t)k;
	memcpy(c->out + c->outpos, line, (size_t)k);
	memcpy(c->out + c->outlen, "\r\n", 2);
	c->outlen += 2;
}

/* The status of a well-formed request before the handler: auth, then method. */
static int check(const struct http_server *h, const struct http_request *req)
{
	if (h->token_len && (!req->token ||
	    !http_token_equal(req->token, req->token_len, h->token, h->token_len)))
		return 401;
	return req->method == HTTP_OTHER ? 405 : 0;
}

/* A GET's first part, asked before the head so that a failure is still a 500; the
 * status. */
static int first_part(struct http_server *h, struct http_conn *c, int st)
{
	ssize_t n = c->more(h->ctx, &c->cursor, c->out + PART_AT, PART_MAX);
	if (n < 0 || n > PART_MAX) {
		c->more = NULL;
		return 500;
	}
	put_part(c, PART_AT, (size_t)n);
	return st;
}

/* Builds the answer to req, its head and the first part of its body, into c->out. 0, or
 * -ENOMEM (no out buffer). */
static int answer(struct http_server *h, struct http_conn *c, const struct http_request *req)
{
	int st = req->status ? req->status : check(h, req);
	const char *ctype = text_plain;
	if (!c->out) {
		char *out = malloc(HTTP_OUT_SIZE);
		if (!out)
			return -ENOMEM;
		c->out = out;
	}
	c->served++;
	c->close_after = st != 0 || !req->keep_alive || c->eof || c->served >= HTTP_KEEPALIVE_MAX;
	c->chunked = req->v11;
	c->more = NULL;
	memset(&c->cursor, 0, sizeof(c->cursor));
	if (!st)
		st = h->handler(h->ctx, req->path, req->path_len, &c->cursor, &ctype, &c->more);
	bool streamed = st == 200 && c->more;
	if (streamed && req->method == HTTP_GET && (st = first_part(h, c, st)) != 200)
		streamed = false;
	if (!streamed)
		ctype = text_plain;
	c->close_after |= st >= 400 || (streamed && !c->chunked && req->method == HTTP_GET);
	char text[64], hd[HEAD_ROOM];
	int tn = streamed ? 0 : snprintf(text, sizeof(text), "%d %s\n", st, reason(st));
	size_t hn = head(c, hd, st, ctype, streamed, (size_t)tn);
	if (!streamed || req->method == HTTP_HEAD) {   /* a HEAD answer has no body */
		c->more = NULL;
		c->outpos = c->outlen = PART_AT;
		if (req->method != HTTP_HEAD) {
			memcpy(c->out + PART_AT, text, (size_t)tn);
			c->outlen += (size_t)tn;
		}
	}
	c->outpos -= hn;
	memcpy(c->out + c->outpos, hd, hn);
	return 0;
}

/* ------------------------------------------------------------------ a connection's I/O */

static void to_read(struct http_server *h, struct http_conn *c, int64_t now);
static void serve(struct http_server *h, struct http_conn *c);

/* After a refused request: no more writing, what the client still sends is read and
 * dropped for a moment, so closing does not reset the connection before it reads the
 * answer. */
static void linger(struct http_server *h, struct http_conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->st = HC_LINGER;
	c->since = 0;   /* done: the first to go when a newcomer needs the slot */
	c->deadline = mono_ms() + HTTP_LINGER_MS;
	loop_mod_fd(h->loop, c->fd, POLLIN);
}

/* Sends what is left of out without blocking: 1 all sent, 0 the socket is full, -errno. */
static int send_rest(struct http_conn *c)
{
	while (c->outpos < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outpos, c->outlen - c->outpos,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		c->outpos += (size_t)n;
	}
	return 1;
}

/* Sends what out holds, then renders the next part of a streamed body into it: one part
 * per wake, so a fast reader of a big page takes turns with polling and other clients.
 * The response ends by a deadline, a closed socket or its last part, never a full
 * buffer: its memory is out's, however slow the reader. flush -> to_read -> serve ->
 * flush recurses once per pipelined request already buffered; each level consumes a
 * whole request head, so the depth is bounded by sizeof(c->in). */
static void flush(struct http_server *h, struct http_conn *c) /* NOLINT(misc-no-recursion) */
{
	for (bool rendered = false;;) {
		int rc = send_rest(c);
		if (rc < 0) {
			conn_close(h, c);
			return;
		}
		if (rc == 0 || (c->more && rendered)) {
			loop_mod_fd(h->loop, c->fd, POLLOUT);
			return;
		}
		if (!c->more)
			break;
		ssize_t n = c->more(h->ctx, &c->cursor, c->out + SIZE_ROOM, HTTP_OUT_SIZE - SIZE_ROOM - 2);
		if (n < 0 || n > HTTP_OUT_SIZE - SIZE_ROOM - 2) {
			conn_close(h, c);   /* no last chunk: the client sees the body cut short */
			return;
		}
		put_part(c, SIZE_ROOM, (size_t)n);
		rendered = true;
	}
	free(c->out);
	c->out = NULL;
	if (c->close_after)
		linger(h, c);
	else
		to_read(h, c, mono_ms());
}

/* Waits for the next request, or parses one already buffered (pipelined). */
static void to_read(struct http_server *h, struct http_conn *c, int64_t now) /* NOLINT(misc-no-recursion): see flush */
{
	c->st = HC_READ;
	c->since = now;
	c->deadline = now + (c->inlen ? HTTP_READ_MS : HTTP_IDLE_MS);
	loop_mod_fd(h->loop, c->fd, POLLIN);
	if (c->inlen)
		serve(h, c);
}

/* Answers the buffered request once its head is complete. */
static void serve(struct http_server *h, struct http_conn *c) /* NOLINT(misc-no-recursion): see flush */
{
	struct http_request req;
	if (http_parse(c->in, c->inlen, sizeof(c->in), &req) == 0) {
		if (c->eof)
			conn_close(h, c);
		return;
	}
	if (answer(h, c, &req) < 0) {
		conn_close(h, c);
		return;
	}
	c->inlen -= req.head_len;
	memmove(c->in, c->in + req.head_len, c->inlen);
	c->st = HC_WRITE;
	c->deadline = mono_ms() + HTTP_WRITE_MS;
	flush(h, c);
}

static void on_readable(struct http_server *h, struct http_conn *c)
{
	char sink[512];
	bool dropping = c->st == HC_LINGER;
	char *dst = dropping ? sink : c->in + c->inlen;
	size_t room = dropping ? sizeof(sink) : sizeof(c->in) - c->inlen;
	ssize_t n = recv(c->fd, dst, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0 && (dropping || n < 0 || c->inlen == 0)) {
		conn_close(h, c);
		return;
	}
	if (dropping)
		return;
	if (c->inlen == 0 && n > 0)   /* the first byte of a request starts its clock */
		c->deadline = mono_ms() + HTTP_READ_MS;
	c->eof = n == 0;
	c->inlen += (size_t)n;
	serve(h, c);
}

static void on_conn(struct loop *l, int fd, short revents, void *ctx)
{
	struct http_server *h = ctx;
	(void)l;
	struct http_conn *c = NULL;
	for (size_t i = 0; i < HTTP_MAX_CONNS && !c; i++)
		if (h->conns[i].st != HC_FREE && h->conns[i].fd == fd)
			c = &h->conns[i];
	if (!c)
		return;
	if (c->st == HC_WRITE && (revents & (POLLOUT | POLLERR | POLLHUP)))
		flush(h, c);
	else if (c->st != HC_WRITE && (revents & (POLLIN | POLLERR | POLLHUP)))
		on_readable(h, c);
	arm(h);
}

/* ------------------------------------------------------------------ accepting */

/* Room for one more: a free slot, else the connection that has waited longest for a
 * request (idle, or one sending its head slowly); NULL when all are writing answers. */
static struct http_conn *slot(struct http_server *h)
{
	struct http_conn *old = NULL;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &h->conns[i];
		if (c->st == HC_FREE)
			return c;
		if (c->st != HC_WRITE && (!old || c->since < old->since))
			old = c;
	}
	if (old) {
		conn_close(h, old);
		h->evicted++;
	}
	return old;
}

/* Over the cap: one short answer, written only if it fits at once, then closed. */
static void refuse(struct http_server *h, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
		"charset=utf-8\r\nContent-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n"
		"\r\n503 Service Unavailable\n";
	h->refused++;
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void adopt(struct http_server *h, int fd)
{
	struct http_conn *c = slot(h);
	if (!c || loop_add_fd(h->loop, fd, POLLIN, on_conn, h) < 0) {
		refuse(h, fd);
		return;
	}
	memset(c, 0, offsetof(struct http_conn, in));
	c->fd = fd;
	to_read(h, c, mono_ms());
	c->deadline = c->since + HTTP_READ_MS;
	on_readable(h, c);   /* a scrape's request is usually there already */
}

static void on_listen(struct loop *l, int fd, short revents, void *ctx)
{
	struct http_server *h = ctx;
	(void)l;
	(void)revents;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			break;   /* EAGAIN, or a connection that died in the queue: next wake */
		adopt(h, c);
	}
	arm(h);
}

static int listen_one(const struct http_addr *a, char *err, size_t errlen)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, e = 0;
	if (fd < 0)
		e = errno; /* NOLINT(bugprone-branch-clone): a failed socket() and a failed setup both keep errno */
	else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	         (a->ss.ss_family == AF_INET6 &&
	          setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	         bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, 128) < 0)
		e = errno;
	if (!e)
		return fd;
	char host[INET6_ADDRSTRLEN] = "?";
	const void *ip = a->ss.ss_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	inet_ntop(a->ss.ss_family, ip, host, sizeof(host));
	unsigned port = ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (fd >= 0)
		close(fd);
	return fail_at(err, errlen, 0, -e, a->ss.ss_family == AF_INET6 ? "cannot listen on "
	               "[%s]:%u: %s" : "cannot listen on %s:%u: %s", host, port, strerror(e));
}

int http_open(struct http_server *h, const struct http_addr *addrs, size_t n,
              http_handler *handler, void *ctx, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		h->conns[i].fd = -1;
	h->handler = handler;
	h->ctx = ctx;
	for (size_t i = 0; i < n && i < HTTP_MAX_LISTEN; i++) {
		int fd = listen_one(&addrs[i], err, errlen);
		if (fd < 0) {
			http_close(h);
			return fd;
		}
		h->lfd[h->nlisten++] = fd;
	}
	return 0;
}

int http_attach(struct http_server *h, struct loop *l)
{
	h->loop = l;
	for (size_t i = 0; i < h->nlisten; i++) {
		int rc = loop_add_fd(l, h->lfd[i], POLLIN, on_listen, h);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void http_detach(struct http_server *h)
{
	if (!h->loop)
		return;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		if (h->conns[i].st != HC_FREE)
			conn_close(h, &h->conns[i]);
	for (size_t i = 0; i < h->nlisten; i++)
		loop_del_fd(h->loop, h->lfd[i]);
	if (h->timer)
		loop_del_timer(h->loop, h->timer);
	h->timer = 0;
	h->loop = NULL;
}

void http_set_token(struct http_server *h, const char *tok, size_t len)
{
	explicit_bzero(h->token, sizeof(h->token));
	h->token_len = len < sizeof(h->token) ? len : 0;
	memcpy(h->token, tok, h->token_len);
}

void http_close(struct http_server *h)
{
	http_detach(h);
	for (size_t i = 0; i < h->nlisten; i++)
		close(h->lfd[i]);
	h->nlisten = 0;
	explicit_bzero(h->token, sizeof(h->token));
	h->token_len = 0;
}
