// SPDX-License-Identifier: MIT
/* The HTTP request parser (statuses, keep-alive, the bearer token), the token compare,
 * METRICS_LISTEN addresses and the token file, then the server on loopback inside a real
 * loop: pipelining, 401, oversized heads, HEAD, and the cap on connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "http.h"
#include "tmpdir.h"
#include "util.h"

static int parse(const char *s, struct http_request *req)
{
	return http_parse(s, strlen(s), HTTP_REQ_MAX, req);
}

static int status_of(const char *s)
{
	struct http_request req;
	return parse(s, &req) == 1 ? req.status : -1;
}

static void test_parse_ok(void)
{
	struct http_request r;
	const char *get = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: bearer  t0k\r\n\r\nGET";
	CHECK_INT(parse(get, &r), 1);
	CHECK_INT(r.status, 0);
	CHECK_INT(r.method, HTTP_GET);
	CHECK_INT(r.path_len, 8);
	CHECK(memcmp(r.path, "/metrics", 8) == 0);
	CHECK(r.keep_alive);
	CHECK(r.token && r.token_len == 3 && memcmp(r.token, "t0k", 3) == 0);
	CHECK_INT(r.head_len, strlen(get) - 3);   /* the next, pipelined request is left */
	CHECK_INT(parse("HEAD / HTTP/1.0\n\n", &r), 1);   /* bare LF is accepted */
	CHECK_INT(r.method, HTTP_HEAD);
	CHECK(!r.keep_alive);
	CHECK_INT(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r), 1);
	CHECK(r.keep_alive);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", &r), 1);
	CHECK(!r.keep_alive);
	CHECK_INT(parse("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 1);
	CHECK_INT(r.method, HTTP_OTHER);
	CHECK_INT(r.status, 0);   /* the server answers 405 */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic eDp5\r\n\r\n", &r), 1);
	CHECK(r.token == NULL);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), 0);
}

static void test_parse_incomplete(void)
{
	struct http_request r;
	CHECK_INT(parse("", &r), 0);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n", &r), 0);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n\r", &r), 0);
	CHECK_INT(parse("G", &r), 0);
}

static void test_parse_refused(void)
{
	CHECK_INT(status_of("\r\n"), 400);
	CHECK_INT(status_of("GET\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\n\r\n"), 400);               /* no Host */
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.0\r\n\r\n"), 0);                 /* 1.0: no Host needed */
	CHECK_INT(status_of("GET metrics HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
	CHECK_INT(status_of("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 505);
	CHECK_INT(status_of("GET / FTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"), 413);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
	CHECK_INT(status_of("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer a\r\n"
	                    "Authorization: Bearer b\r\n\r\n"), 400);
	struct http_request r;
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nX : y\r\n\r\n", &r), 1);
	CHECK_INT(r.status, 400);
	CHECK(r.token == NULL && !r.keep_alive);   /* a refused request carries nothing on */
}

static void test_parse_too_large(void)
{
	static char buf[HTTP_REQ_MAX];
	struct http_request r;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	CHECK_INT(http_parse(buf, sizeof(buf), sizeof(buf), &r), 1);
	CHECK_INT(r.status, 414);
	CHECK_INT(r.head_len, sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nX-A: ", 21);
	CHECK_INT(http_parse(buf, sizeof(buf), sizeof(buf), &r), 1);
	CHECK_INT(r.status, 431);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(http_parse(buf, sizeof(buf), sizeof(buf), &r), 1);
	CHECK_INT(r.status, 400);
	CHECK_INT(http_parse(buf, sizeof(buf) - 1, sizeof(buf), &r), 0);
}

static void test_token_equal(void)
{
	CHECK(http_token_equal("abc", 3, "abc", 3));
	CHECK(!http_token_equal("abc", 3, "abd", 3));
	CHECK(!http_token_equal("abc", 3, "abcd", 4));
	CHECK(!http_token_equal("abcd", 4, "abc", 3));
	CHECK(!http_token_equal("", 0, "", 0));
	CHECK(!http_token_equal("a", 1, "", 0));
}

static void test_listen(void)
{
	struct http_addr a[HTTP_MAX_LISTEN];
	size_t n;
	char err[200];
	CHECK_INT(http_parse_listen("127.0.0.1:9586", a, HTTP_MAX_LISTEN, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(a[0].ss.ss_family, AF_INET);
	CHECK_INT(ntohs(((struct sockaddr_in *)&a[0].ss)->sin_port), 9586);
	CHECK_INT(http_parse_listen("127.0.0.1:1, [::1]:65535 ,", a, HTTP_MAX_LISTEN, &n, err,
	                            sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_INT(a[1].ss.ss_family, AF_INET6);
	CHECK_INT(ntohs(((struct sockaddr_in6 *)&a[1].ss)->sin6_port), 65535);
	const char *bad[] = { "", ",", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"localhost:80", "::1:80", "[::1]80", "[127.0.0.1]:80", "[::1]:", "1.2.3.4:+80",
		"1.1.1.1:1,1.1.1.1:2,1.1.1.1:3,1.1.1.1:4,1.1.1.1:5", "[::1:80" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK_INT(http_parse_listen(bad[i], a, HTTP_MAX_LISTEN, &n, err, sizeof(err)),
		          -EINVAL);
		CHECK(err[0] != '\0');
	}
}

static void write_file(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, s, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void test_token_file(void)
{
	char dir[PATH_MAX], path[PATH_MAX], tok[HTTP_TOKEN_MAX + 1], err[200];
	size_t len;
	CHECK(tdir_make(dir, "/tmp"));
	tpath(path, dir, "token");
	write_file(path, "s3cret-Token_1 \r\nsecond line\n", 29);
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), 0);
	CHECK_STR(tok, "s3cret-Token_1");
	CHECK_INT(len, 14);
	write_file(path, "two words\n", 10);
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), -EINVAL);
	CHECK(!strstr(err, "two"));   /* the token is never in a message */
	write_file(path, "\n", 1);
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), -EINVAL);
	static char big[HTTP_TOKEN_MAX + 2];
	memset(big, 'x', sizeof(big));
	write_file(path, big, sizeof(big));
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), -EINVAL);
	write_file(path, big, HTTP_TOKEN_MAX);
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), 0);
	CHECK_INT(len, HTTP_TOKEN_MAX);
	unlink(path);
	CHECK_INT(http_read_token(path, tok, &len, err, sizeof(err)), -ENOENT);
	tdir_remove(dir);
}

/* ------------------------------------------------------------------ the server */

static int handled;

/* The i-th byte of /pattern's body: not periodic within a part, so a part lost, repeated
 * or out of order shows. */
static char pattern_at(size_t i)
{
	return (char)('a' + (i * 7 + i / 1000) % 26);
}

#define PATTERN_LEN (300 * 1000 + 17)
#define BIG_LEN     (1 << 20)

/* The place of the bodies below: their size, and the bytes written so far. */
struct place {
	size_t total, done;
};

static ssize_t body_fn(void *ctx, void *cursor, char *buf, size_t size)
{
	struct place *p = cursor;
	(void)ctx;
	size_t n = p->total - p->done < size ? p->total - p->done : size;
	for (size_t i = 0; i < n; i++)
		buf[i] = p->total == PATTERN_LEN ? pattern_at(p->done + i)
		       : p->total == 5 ? "up 1\n"[p->done + i] : 'x';
	p->done += n;
	return (ssize_t)n;
}

static ssize_t fail_fn(void *ctx, void *cursor, char *buf, size_t size)
{
	(void)ctx, (void)cursor, (void)buf, (void)size;
	return -ENOMEM;   /* as when memory runs out while rendering */
}

/* One part, then out of memory: a body cut short. */
static ssize_t cut_fn(void *ctx, void *cursor, char *buf, size_t size)
{
	struct place *p = cursor;
	(void)ctx;
	if (p->done)
		return -ENOMEM;
	memset(buf, 'x', size);
	p->done = size;
	return (ssize_t)size;
}

static int handler(void *ctx, const char *path, size_t len, void *cursor, const char **ctype,
                   http_body_fn **body)
{
	struct place *p = cursor;
	(void)ctx;
	handled++;
	*ctype = "text/plain";
	*body = body_fn;
	if (len == 5 && memcmp(path, "/fail", 5) == 0)
		*body = fail_fn;
	else if (len == 4 && memcmp(path, "/cut", 4) == 0)
		*body = cut_fn;
	else if (len == 4 && memcmp(path, "/big", 4) == 0)
		p->total = BIG_LEN;
	else if (len == 8 && memcmp(path, "/pattern", 8) == 0)
		p->total = PATTERN_LEN;
	else if (len == 8 && memcmp(path, "/metrics", 8) == 0)
		p->total = 5;   /* "up 1\n" */
	else
		return 404;
	return 200;
}

struct srv {
	struct loop l;
	struct http_server h;
	struct sockaddr_in addr;
	sigset_t none;
};

static void srv_start(struct srv *s, const char *token)
{
	struct http_addr a;
	size_t n;
	char err[200];
	sigemptyset(&s->none);
	if (loop_init(&s->l) < 0 ||
	    http_parse_listen("127.0.0.1:1", &a, 1, &n, err, sizeof(err)) < 0)
		abort();
	((struct sockaddr_in *)&a.ss)->sin_port = 0;   /* any free port */
	if (http_open(&s->h, &a, 1, handler, NULL, err, sizeof(err)) < 0 ||
	    http_attach(&s->h, &s->l) < 0)
		abort();
	socklen_t len = sizeof(s->addr);
	getsockname(s->h.lfd[0], (struct sockaddr *)&s->addr, &len);
	if (token)
		http_set_token(&s->h, token, strlen(token));
}

static void srv_stop(struct srv *s)
{
	http_close(&s->h);
	loop_fini(&s->l);
}

static int client(struct srv *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) < 0 && errno != EINPROGRESS)
		abort();
	return fd;
}

static void noop(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
}

/* Runs the loop for ms. */
static void pump(struct srv *s, int64_t ms)
{
	int64_t end = mono_ms() + ms;
	int id = loop_add_timer(&s->l, end, noop, NULL);
	while (mono_ms() < end)
		loop_run_once(&s->l, &s->none);
	loop_del_timer(&s->l, id);
}

/* Runs the loop until fd has `want` bytes containing `until`, or closed, or 2 s pass. */
static size_t exchange(struct srv *s, int fd, const char *req, char *out, size_t size,
                       const char *until)
{
	size_t got = 0;
	if (req && send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		abort();
	int64_t end = mono_ms() + 2000;
	out[0] = '\0';
	while (mono_ms() < end) {
		int id = loop_add_timer(&s->l, mono_ms() + 20, noop, NULL);
		loop_run_once(&s->l, &s->none);
		loop_del_timer(&s->l, id);
		ssize_t n = recv(fd, out + got, size - 1 - got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0) {
			got += (size_t)n;
			out[got] = '\0';
			if (until && strstr(out, until))
				break;
		}
	}
	return got;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_server_basics(void)
{
	struct srv s;
	static char out[16384];
	srv_start(&s, NULL);
	int fd = client(&s);
	exchange(&s, fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nHEAD /metrics HTTP/1.1\r\n"
	         "Host: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out), "404");
	CHECK_INT(count(out, "HTTP/1.1 200 OK\r\n"), 2);
	CHECK_INT(count(out, "\r\n\r\n5\r\nup 1\n\r\n0\r\n\r\n"), 1);   /* HEAD: no body */
	CHECK_INT(count(out, "Transfer-Encoding: chunked\r\n"), 2);
	CHECK(!strstr(out, "Content-Length: 5\r\n"));
	CHECK_CONTAINS(out, "HTTP/1.1 404 Not Found\r\n");
	CHECK_CONTAINS(out, "Connection: keep-alive\r\n");
	close(fd);
	fd = client(&s);
	exchange(&s, fd, "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 405 Method Not Allowed\r\n");
	CHECK_CONTAINS(out, "Allow: GET, HEAD\r\n");
	CHECK_CONTAINS(out, "Connection: close\r\n");
	close(fd);
	fd = client(&s);
	exchange(&s, fd, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 500 Internal Server Error\r\n");
	CHECK_CONTAINS(out, "\r\n\r\n500 Internal Server Error\n");
	CHECK(!strstr(out, "half a body"));
	close(fd);
	fd = client(&s);
	exchange(&s, fd, "HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 404 Not Found\r\n");
	CHECK_CONTAINS(out, "Content-Length: 14\r\n");
	CHECK(strstr(out, "\r\n\r\n") && strstr(out, "\r\n\r\n")[4] == '\0');   /* no body */
	close(fd);
	srv_stop(&s);
}

static void test_server_token(void)
{
	struct srv s;
	static char out[16384];
	srv_start(&s, "sesame");
	const char *reqs[] = { "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sesam\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sesame2\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic sesame\r\n\r\n" };
	handled = 0;
	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		int fd = client(&s);
		exchange(&s, fd, reqs[i], out, sizeof(out), NULL);
		CHECK_CONTAINS(out, "HTTP/1.1 401 Unauthorized\r\n");
		CHECK_CONTAINS(out, "WWW-Authenticate: Bearer realm=\"wg-monitor\"\r\n");
		close(fd);
	}
	CHECK_INT(handled, 0);
	int fd = client(&s);
	exchange(&s, fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sesame\r\n\r\n",
	         out, sizeof(out), "up 1");
	CHECK_CONTAINS(out, "HTTP/1.1 200 OK\r\n");
	close(fd);
	srv_stop(&s);
}

static void test_server_too_large(void)
{
	struct srv s;
	static char out[16384], big[3 * HTTP_REQ_MAX];
	srv_start(&s, NULL);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	int fd = client(&s);
	exchange(&s, fd, big, out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 431 ");   /* read although the rest was never read */
	close(fd);
	memcpy(big, "GET /aaaaaaaaaaaaaaaaaaa", 24);
	fd = client(&s);
	exchange(&s, fd, big, out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 414 ");
	close(fd);
	srv_stop(&s);
}

/* Every slot taken by a client that sends half a request: a newcomer still gets its
 * answer, and the client that waited longest is the one dropped. */
static void test_server_cap(void)
{
	struct srv s;
	static char out[16384];
	int slow[HTTP_MAX_CONNS];
	srv_start(&s, NULL);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		slow[i] = client(&s);
		if (send(slow[i], "GET /met", 8, 0) != 8)
			abort();
		pump(&s, 10);
	}
	int open_conns = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		open_conns += s.h.conns[i].st != HC_FREE;
	CHECK_INT(open_conns, HTTP_MAX_CONNS);
	int fd = client(&s);
	exchange(&s, fd, "GET /metrics HTTP/1.0\r\n\r\n", out, sizeof(out), "up 1");
	CHECK_CONTAINS(out, "HTTP/1.1 200 OK\r\n");
	CHECK_INT(s.h.evicted, 1);
	char c;
	CHECK_INT(recv(slow[0], &c, 1, MSG_DONTWAIT), 0);        /* the oldest: closed */
	CHECK_INT(recv(slow[1], &c, 1, MSG_DONTWAIT), -1);       /* the next: still open */
	close(fd);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		close(slow[i]);
	srv_stop(&s);
}

/* Fills every slot with a client that asks for 1 MiB and does not read; the number of
 * connections left writing. */
static int stuck_writers(struct srv *s, int stuck[HTTP_MAX_CONNS])
{
	int small = 4096;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		stuck[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(stuck[i], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		connect(stuck[i], (struct sockaddr *)&s->addr, sizeof(s->addr));
		pump(s, 5);
		for (size_t j = 0; j < HTTP_MAX_CONNS; j++)   /* so 1 MiB cannot all be sent */
			if (s->h.conns[j].st != HC_FREE)
				setsockopt(s->h.conns[j].fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		if (send(stuck[i], "GET /big HTTP/1.0\r\n\r\n", 22, MSG_NOSIGNAL) != 22)
			abort();
		pump(s, 5);
	}
	pump(s, 20);
	int writing = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		writing += s->h.conns[i].st == HC_WRITE;
	return writing;
}

/* Every slot busy writing a big answer to a client that does not read: a newcomer gets a
 * 503 at once, and nobody is dropped for it. */
static void test_server_busy(void)
{
	struct srv s;
	static char out[16384];
	int stuck[HTTP_MAX_CONNS];
	srv_start(&s, NULL);
	CHECK_INT(stuck_writers(&s, stuck), HTTP_MAX_CONNS);
	int fd = client(&s);
	exchange(&s, fd, "GET /metrics HTTP/1.0\r\n\r\n", out, sizeof(out), NULL);
	CHECK_CONTAINS(out, "HTTP/1.1 503 Service Unavailable\r\n");
	CHECK_INT(s.h.refused, 1);
	CHECK_INT(s.h.evicted, 0);
	close(fd);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		close(stuck[i]);
	srv_stop(&s);
}

/* Reads fd to its close, a few bytes at a time, while the loop runs (10 s at most). */
static size_t read_slowly(struct srv *s, int fd, char *out, size_t size, size_t step)
{
	size_t got = 0;
	int64_t end = mono_ms() + 10000;
	while (mono_ms() < end && got < size) {
		int id = loop_add_timer(&s->l, mono_ms() + 1, noop, NULL);
		loop_run_once(&s->l, &s->none);
		loop_del_timer(&s->l, id);
		for (int k = 0; k < 64 && got < size; k++) {
			ssize_t n = recv(fd, out + got, step < size - got ? step : size - got,
			                 MSG_DONTWAIT);
			if (n == 0)
				return got;
			if (n < 0)
				break;
			got += (size_t)n;
		}
	}
	return got;
}

/* The body of a chunked message at msg[0..len) into body; its length, or -1 when the
 * framing is wrong or the last chunk is missing. */
static long dechunk(const char *msg, size_t len, char *body)
{
	const char *p = strstr(msg, "\r\n\r\n"), *end = msg + len;
	size_t n = 0;
	if (!p)
		return -1;
	for (p += 4; p < end;) {
		char *e;
		unsigned long sz = strtoul(p, &e, 16);
		if (e == p || e + 2 > end || memcmp(e, "\r\n", 2) || e + 2 + sz + 2 > end ||
		    memcmp(e + 2 + sz, "\r\n", 2))
			return -1;
		if (sz == 0)
			return e + 4 == end ? (long)n : -1;
		memcpy(body + n, e + 2, sz);
		n += sz;
		p = e + 2 + sz + 2;
	}
	return -1;
}

static bool is_pattern(const char *b, long n)
{
	if (n != PATTERN_LEN)
		return false;
	for (long i = 0; i < n; i++)
		if (b[i] != pattern_at((size_t)i))
			return false;
	return true;
}

/* A body of many parts read 7 bytes at a time (the server meets a full socket often) is
 * the body read whole; HTTP/1.1 chunked and kept alive, 1.0 up to the close. */
static void test_server_stream(void)
{
	struct srv s;
	static char out[2 * PATTERN_LEN], body[PATTERN_LEN + 1];
	int small = 4096;
	srv_start(&s, NULL);
	for (int v11 = 1; v11 >= 0; v11--) {
		for (size_t step = 7; step <= 65536; step *= 9362) {
			int fd = client(&s);
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
			const char *req = v11 ? "GET /pattern HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			                      : "GET /pattern HTTP/1.0\r\n\r\n";
			if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
				abort();
			size_t got = read_slowly(&s, fd, out, sizeof(out) - 1, step);
			out[got] = '\0';
			const char *hend = strstr(out, "\r\n\r\n");
			CHECK(hend != NULL);
			long n = v11 ? dechunk(out, got, body) : hend ? (long)(got - (size_t)(hend + 4 - out)) : -1;
			if (!v11 && hend)
				memcpy(body, hend + 4, (size_t)(n > 0 ? n : 0));
			CHECK(is_pattern(body, n));
			CHECK(strstr(out, v11 ? "Transfer-Encoding: chunked\r\n" : "Connection: close\r\n"));
			CHECK(!strstr(out, "Content-Length"));
			close(fd);
		}
	}
	srv_stop(&s);
}

/* Connections whose client stops reading hold their output buffer and no more: the heap
 * grows by a bounded amount per connection, not by the size of the body (1 MiB each). */
static void test_server_memory(void)
{
	struct srv s;
	int stuck[HTTP_MAX_CONNS];
	srv_start(&s, NULL);
	size_t before = mallinfo2().uordblks;
	CHECK_INT(stuck_writers(&s, stuck), HTTP_MAX_CONNS);
	size_t grown = mallinfo2().uordblks - before;
	CHECK(grown <= HTTP_MAX_CONNS * (HTTP_OUT_SIZE + 1024));
	printf("# heap for %d stuck 1 MiB answers: %zu bytes\n", HTTP_MAX_CONNS, grown);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		close(stuck[i]);
	pump(&s, 50);
	int left = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		left += s.h.conns[i].st != HC_FREE;
	CHECK_INT(left, 0);
	/* released with the connections; what stays (4 KiB here) is the loop's own tables,
	 * grown once, not a connection's */
	CHECK(mallinfo2().uordblks <= before + 16384);
	srv_stop(&s);
}

/* A client that reads part of a big body and closes: the connection and its buffer go at
 * the next write, not at the deadline, and the server serves the next one. */
static void test_server_disconnect(void)
{
	struct srv s;
	static char out[65536];
	srv_start(&s, NULL);
	int fd = client(&s);
	static const char req[] = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != sizeof(req) - 1)
		abort();
	CHECK(read_slowly(&s, fd, out, 5000, 1000) == 5000);
	close(fd);
	int open_conns = 1;
	for (int i = 0; i < 100 && open_conns; i++) {
		pump(&s, 10);
		open_conns = 0;
		for (size_t j = 0; j < HTTP_MAX_CONNS; j++)
			open_conns += s.h.conns[j].st != HC_FREE;
	}
	CHECK_INT(open_conns, 0);
	fd = client(&s);
	exchange(&s, fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out), "0\r\n\r\n");
	CHECK_CONTAINS(out, "up 1\n");
	close(fd);
	srv_stop(&s);
}

/* A body cut short after its head went out ends in a reset: over HTTP/1.0, where the
 * body ends at the close, a FIN would make the part look like the whole. */
static void test_server_cut_resets(void)
{
	struct srv s;
	static char out[65536];
	srv_start(&s, NULL);
	int fd = client(&s);
	static const char req[] = "GET /cut HTTP/1.0\r\n\r\n";
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != sizeof(req) - 1)
		abort();
	size_t got = 0;
	int end = 1;   /* recv's last result: 0 = FIN, -1 = an error (errno) */
	for (int64_t until = mono_ms() + 2000; mono_ms() < until;) {
		pump(&s, 5);
		ssize_t n = recv(fd, out, sizeof(out), MSG_DONTWAIT);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0 || errno != EAGAIN) {
			end = n == 0 ? 0 : -errno;
			break;
		}
	}
	CHECK(got > 0);
	CHECK_INT(end, -ECONNRESET);
	close(fd);
	srv_stop(&s);
}

TEST_MAIN(test_parse_ok, test_parse_incomplete, test_parse_refused, test_parse_too_large,
          test_token_equal, test_listen, test_token_file, test_server_basics,
          test_server_token, test_server_too_large, test_server_cap, test_server_busy, test_server_stream,
          test_server_memory, test_server_disconnect, test_server_cut_resets)
