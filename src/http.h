/* SPDX-License-Identifier: MIT */
/* A tiny HTTP/1.1 server for /metrics and the status page (SPEC §10), inside the daemon's
 * loop: non-blocking, no threads, a fixed request buffer per connection, bodies streamed
 * through a fixed output buffer, one deadline per connection, a cap on connections. The
 * request parser takes (buf, len) so it is fuzzed. */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "loop.h"

#define HTTP_REQ_MAX      4096   /* a request head, the whole of it */
#define HTTP_MAX_LISTEN   4      /* addresses in METRICS_LISTEN */
#define HTTP_MAX_CONNS    16     /* open connections; see LOOP_MAX_FDS */
#define HTTP_READ_MS      5000   /* to send a whole request head, from its first byte */
#define HTTP_WRITE_MS     10000  /* to take a whole response */
#define HTTP_IDLE_MS      15000  /* a kept-alive connection between requests */
#define HTTP_LINGER_MS    1000   /* reading what follows a refused request, before close */
#define HTTP_KEEPALIVE_MAX 100   /* requests on one connection */
#define HTTP_TOKEN_MAX    512    /* bytes of a bearer token */
#define HTTP_OUT_SIZE     32768  /* a connection's output buffer, only while it answers */
#define HTTP_CURSOR_SIZE  256    /* where a handler keeps its place in a streamed body */
#define HTTP_PART_MIN     (HTTP_OUT_SIZE - 1024)   /* room a body part always has */

/* ------------------------------------------------------------------ the request parser */

enum http_method { HTTP_GET = 0, HTTP_HEAD, HTTP_OTHER };

struct http_request {
	int status;                  /* 0: well-formed; else the 4xx/5xx to answer, then close */
	enum http_method method;
	const char *path;            /* into the buffer, without the query; not NUL-terminated */
	size_t path_len;
	const char *token;           /* the Authorization: Bearer token, NULL if none */
	size_t token_len;
	bool keep_alive;
	bool v11;                    /* HTTP/1.1: a streamed body is chunked; 1.0: ends at close */
	size_t head_len;             /* bytes of the head, CRLF CRLF included */
};

/* Parses the request head at buf[0..len), cap the buffer's size. 1: complete, *req filled
 * (req->status says whether it is acceptable); 0: incomplete, read more (never when
 * len >= cap: a head that fills the buffer is 414 or 431). */
int http_parse(const char *buf, size_t len, size_t cap, struct http_request *req);

/* Whether the tokens are equal, in time that depends only on their lengths. */
bool http_token_equal(const char *a, size_t alen, const char *b, size_t blen);

/* ------------------------------------------------------------------ response bodies */

/* An output buffer, growing, or `fixed` over caller memory (p, cap set by the caller);
 * `failed` sticks after an allocation failure or, when fixed, when text did not fit. */
struct http_buf {
	char *p;
	size_t len, cap;
	bool failed;
	bool fixed;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void http_printf(struct http_buf *b, const char *fmt, ...);
void http_append(struct http_buf *b, const char *s, size_t len);
void http_buf_free(struct http_buf *b);

/* ------------------------------------------------------------------ addresses */

struct http_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* "127.0.0.1:9586", "[::1]:9586", comma-separated (spaces allowed around commas), at most
 * max: numeric addresses and a port 1-65535. 0 with *n set, or -EINVAL with err written. */
int http_parse_listen(const char *spec, struct http_addr *out, size_t max, size_t *n,
                      char *err, size_t errlen);

/* Reads a bearer token from path (through the safepath walk; a file others may read or
 * write is refused): the file's first line, trailing whitespace removed,
 * 1..HTTP_TOKEN_MAX visible ASCII characters. 0, or -errno with err written (the token is
 * never in err; SAFEPATH_WHY_SIZE + 32 bytes hold it whole). tok has room for
 * HTTP_TOKEN_MAX + 1. */
int http_read_token(const char *path, char *tok, size_t *len, char *err, size_t errlen);

/* ------------------------------------------------------------------ the server */

/* The next part of a body into buf[0..size): its length, 0 at the end, -errno to cut
 * the response short (the client then sees it incomplete). cursor is the handler's own. */
typedef ssize_t http_body_fn(void *ctx, void *cursor, char *buf, size_t size);

/* Answers a well-formed, authorised GET or HEAD: returns the status (200, 404); for 200
 * sets *ctype (a static string) and *body, with its place kept in cursor
 * (HTTP_CURSOR_SIZE bytes, zeroed). The first part is asked before the head is sent: an
 * error there is a 500. */
typedef int http_handler(void *ctx, const char *path, size_t path_len, void *cursor,
                         const char **ctype, http_body_fn **body);

enum http_conn_state { HC_FREE = 0, HC_READ, HC_WRITE, HC_LINGER };

struct http_conn {
	int fd;
	enum http_conn_state st;
	size_t inlen;
	char *out;                   /* HTTP_OUT_SIZE bytes while answering, else NULL */
	size_t outpos, outlen;       /* out[outpos..outlen) is still to be sent */
	http_body_fn *more;          /* the rest of the body; NULL: none */
	bool chunked;
	int64_t deadline;            /* mono_ms */
	int64_t since;               /* when its current request (or idle wait) began */
	unsigned served;
	bool close_after, eof;
	union { max_align_t align; unsigned char b[HTTP_CURSOR_SIZE]; } cursor;
	char in[HTTP_REQ_MAX];       /* last: adopting a connection zeroes what precedes it */
};

struct http_server {
	struct loop *loop;
	int lfd[HTTP_MAX_LISTEN];
	size_t nlisten;
	struct http_conn conns[HTTP_MAX_CONNS];
	int timer;                   /* loop timer at the earliest deadline, 0 = none */
	int64_t timer_due;
	char token[HTTP_TOKEN_MAX + 1];
	size_t token_len;            /* 0: no token required */
	http_handler *handler;
	void *ctx;
	uint64_t evicted, refused;   /* connections dropped for room, answered 503 */
};

/* Binds and listens on every address (before the loop exists, so a port in use stops the
 * start). 0, or -errno with err naming the address (nothing left open). */
int http_open(struct http_server *h, const struct http_addr *addrs, size_t n,
              http_handler *handler, void *ctx, char *err, size_t errlen);
/* Registers the listeners with the loop: connections are served from then on. 0 or
 * -ENOSPC. */
int http_attach(struct http_server *h, struct loop *l);
/* Closes every connection and forgets the listeners in the loop (which may then go). */
void http_detach(struct http_server *h);
/* Sets the token requests must carry (len 0: none); copies it. */
void http_set_token(struct http_server *h, const char *tok, size_t len);
/* Closes every connection and listener; safe on a zeroed or closed server. */
void http_close(struct http_server *h);

#endif
