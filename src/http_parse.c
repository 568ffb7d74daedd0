// SPDX-License-Identifier: MIT
/* The HTTP request head parser (RFC 9112, the part a scrape target needs), the bearer
 * token's constant-time compare, and METRICS_LISTEN's addresses. No I/O but the token file. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "safepath.h"
#include "text.h"
#include "util.h"

/* A line of the head, without its LF or CRLF. */
struct hline {
	const char *s;
	size_t len;
};

/* The line starting at *pos; false when no LF ends it within len. */
static bool next_line(const char *buf, size_t len, size_t *pos, struct hline *l)
{
	const char *nl = memchr(buf + *pos, '\n', len - *pos);
	if (!nl)
		return false;
	l->s = buf + *pos;
	l->len = (size_t)(nl - l->s);
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

/* RFC 9110 tchar: the characters of a method and a header name. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t token_len(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && is_tchar(s[i]))
		i++;
	return i;
}

static bool eq_nocase(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/* METHOD SP target SP HTTP/1.x: 0 or the status that refuses it. */
static int request_line(const struct hline *l, struct http_request *req, bool *v11)
{
	size_t m = token_len(l->s, l->len);
	if (m == 0 || m >= l->len || l->s[m] != ' ')
		return 400;
	req->method = m == 3 && memcmp(l->s, "GET", 3) == 0 ? HTTP_GET
	            : m == 4 && memcmp(l->s, "HEAD", 4) == 0 ? HTTP_HEAD : HTTP_OTHER;
	const char *t = l->s + m + 1, *end = l->s + l->len;
	const char *sp = memchr(t, ' ', (size_t)(end - t));
	if (!sp || sp == t || *t != '/')
		return 400;
	for (const char *p = t; p < sp; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 400;
	req->path = t;
	while (t + req->path_len < sp && t[req->path_len] != '?' && t[req->path_len] != '#')
		req->path_len++;
	const char *v = sp + 1;
	size_t vlen = (size_t)(end - v);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
	    v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return 505;
	*v11 = v[7] == '1';
	return 0;
}

/* What the headers said, beyond the request's own fields. */
struct head_seen {
	unsigned hosts, auths;
	bool conn_close, conn_keep;
};

/* Connection: a comma-separated list of options. */
static void connection_options(const char *v, size_t len, struct head_seen *hs)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t n = token_len(v + i, len - i);
		hs->conn_close |= eq_nocase(v + i, n, "close");
		hs->conn_keep |= eq_nocase(v + i, n, "keep-alive");
		i += n ? n : 1;
	}
}

/* Authorization: Bearer <token>; any other scheme is as good as none. */
static void authorization(const char *v, size_t len, struct http_request *req)
{
	if (len <= 7 || strncasecmp(v, "Bearer ", 7) != 0)
		return;
	size_t i = 7;
	while (i < len && v[i] == ' ')
		i++;
	req->token = v + i;
	req->token_len = len - i;
}

/* One header field: 0 or the status that refuses the request. */
static int header(const struct hline *l, struct http_request *req, struct head_seen *hs)
{
	size_t n = token_len(l->s, l->len);
	if (n == 0 || n >= l->len || l->s[n] != ':')
		return 400;   /* also obsolete line folding, and a space before the colon */
	const char *v = l->s + n + 1;
	size_t vlen = l->len - n - 1;
	for (size_t i = 0; i < vlen; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return 400;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	uint64_t cl;
	if (eq_nocase(l->s, n, "Host"))
		hs->hosts++;
	else if (eq_nocase(l->s, n, "Connection"))
		connection_options(v, vlen, hs);
	else if (eq_nocase(l->s, n, "Authorization") && hs->auths++ == 0)
		authorization(v, vlen, req);
	else if (eq_nocase(l->s, n, "Transfer-Encoding"))
		return 501;
	else if (eq_nocase(l->s, n, "Content-Length"))
		return !parse_u64(v, vlen, UINT64_MAX, &cl) ? 400 : cl ? 413 : 0;
	return hs->auths > 1 ? 400 : 0;
}

/* A head that filled the buffer: a request line still going is 414, headers 431; bytes
 * that are no request line at all, 400. */
static int too_large(const char *buf, size_t len)
{
	if (memchr(buf, '\n', len))
		return 431;
	size_t m = token_len(buf, len);
	return m > 0 && m + 1 < len && buf[m] == ' ' && buf[m + 1] == '/' ? 414 : 400;
}

static int parse_head(const char *buf, size_t len, struct http_request *req)
{
	struct hline l;
	size_t pos = 0;
	bool v11 = false;
	struct head_seen hs = { 0 };
	int st = next_line(buf, len, &pos, &l) ? request_line(&l, req, &v11) : 400;
	while (next_line(buf, len, &pos, &l) && l.len > 0)
		if (!st)
			st = header(&l, req, &hs);
	if (!st && v11 && hs.hosts != 1)
		st = 400;
	req->keep_alive = !st && (v11 ? !hs.conn_close : hs.conn_keep && !hs.conn_close);
	req->v11 = v11;
	return st;
}

/* Where the empty line that ends the head ends; 0 when it has not come yet. */
static size_t head_end(const char *buf, size_t len)
{
	size_t pos = 0;
	struct hline l;
	while (next_line(buf, len, &pos, &l))
		if (l.len == 0)
			return pos;
	return 0;
}

int http_parse(const char *buf, size_t len, size_t cap, struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->method = HTTP_OTHER;
	size_t end = head_end(buf, len);
	if (!end) {
		if (len < cap)
			return 0;
		req->status = too_large(buf, len);
		req->head_len = len;
		return 1;
	}
	req->head_len = end;
	req->status = parse_head(buf, end, req);
	if (req->status)
		req->token = NULL, req->token_len = 0;
	return 1;
}

bool http_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	/* Every byte of a is looked at whatever b is; only the lengths show in the time. */
	unsigned char diff = alen != blen;
	for (size_t i = 0; i < alen; i++)
		diff |= (unsigned char)(a[i] ^ (blen ? b[i % blen] : 0));
	return diff == 0 && alen > 0;
}

/* host and port as a socket address; v6: the host was in brackets. */
static int make_addr(const char *host, uint64_t port, bool v6, struct http_addr *a)
{
	memset(a, 0, sizeof(*a));
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
	if (!v6 && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		a->len = sizeof(*in4);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* One "ADDR:PORT" or "[ADDR6]:PORT" of len bytes. */
static int one_addr(const char *s, size_t len, struct http_addr *a)
{
	bool v6 = len > 0 && s[0] == '[';
	const char *host = s + v6, *end = s + len;
	const char *colon = v6 ? memchr(s, ']', len) : memchr(s, ':', len);
	size_t hlen = colon ? (size_t)(colon - host) : 0;
	if (v6 && colon)
		colon = colon + 1 < end && colon[1] == ':' ? colon + 1 : NULL;
	char h[INET6_ADDRSTRLEN];
	uint64_t port;
	if (!colon || hlen == 0 || hlen >= sizeof(h) ||
	    !parse_u64(colon + 1, (size_t)(end - colon - 1), 65535, &port) || port == 0)
		return -EINVAL;
	memcpy(h, host, hlen);
	h[hlen] = '\0';
	return make_addr(h, port, v6, a);
}

int http_parse_listen(const char *spec, struct http_addr *out, size_t max, size_t *n,
                      char *err, size_t errlen)
{
	size_t len = strlen(spec), i = 0;
	*n = 0;
	while (i < len) {
		while (i < len && (spec[i] == ' ' || spec[i] == ','))
			i++;
		size_t j = i;
		while (j < len && spec[j] != ' ' && spec[j] != ',')
			j++;
		if (j == i)
			break;
		char q[80];
		text_raw(q, sizeof(q), spec + i, j - i); /* escaped where printed */
		if (*n == max)
			return fail_at(err, errlen, 0, -EINVAL, "more than %zu addresses", max);
		if (one_addr(spec + i, j - i, &out[*n]) < 0)
			return fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not ADDR:PORT or "
			               "[ADDR6]:PORT with a numeric address and a port 1-65535", q);
		++*n;
		i = j;
	}
	return *n ? 0 : fail_at(err, errlen, 0, -EINVAL, "no address");
}

/* The first line of what was read, trailing whitespace off: 1..HTTP_TOKEN_MAX visible
 * characters, or 0. */
static size_t token_line(const char *buf, size_t n)
{
	size_t len = 0;
	while (len < n && buf[len] != '\n')
		len++;
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] >= 0x7f)
			return 0;
	return len <= HTTP_TOKEN_MAX ? len : 0;
}

/* Walked like every other configured file: no directory on the way, and no link, that
 * another user could swap for one naming a file of their choosing. */
static const struct safepath_policy token_policy = {
	.shared_dir = false, .what = "token file",
	.hint = "; keep it in a directory only root or this user may write",
};

/* The token is a secret: a file others may read (or write, refused by the walk already)
 * is refused, naming its mode. Its group may read it (0640 root:wg-monitor is a normal
 * setup; systemd's credential copy is 0400). */
static int token_private(int fd, const char *path, char *err, size_t errlen)
{
	char shown[SAFEPATH_SHOWN_MAX];
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail_at(err, errlen, 0, -errno, "cannot stat the token file: %s",
		               strerror(errno));
	if (!(st.st_mode & (S_IROTH | S_IWOTH)))
		return 0;
	safepath_shown(shown, path);
	return fail_at(err, errlen, 0, -EPERM, "the token file \"%s\" has mode %04o: others "
	               "may read the secret (chmod o-rw; its group may read it)", shown,
	               (unsigned)(st.st_mode & 07777));
}

int http_read_token(const char *path, char *tok, size_t *len, char *err, size_t errlen)
{
	char buf[HTTP_TOKEN_MAX + 3], why[SAFEPATH_WHY_SIZE];
	int fd = safepath_open_read(path, &token_policy, why, sizeof(why));
	if (fd < 0)
		return fail_at(err, errlen, 0, fd, "cannot open the token file: %s", why);
	int rc = token_private(fd, path, err, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	ssize_t n = read(fd, buf, sizeof(buf));
	int e = errno;
	close(fd);
	if (n < 0)
		return fail_at(err, errlen, 0, -e, "cannot read the token file: %s", strerror(e));
	*len = token_line(buf, (size_t)n);
	memcpy(tok, buf, *len);
	tok[*len] = '\0';
	explicit_bzero(buf, sizeof(buf));
	if (*len == 0)
		return fail_at(err, errlen, 0, -EINVAL, "the token file must hold one line of "
		               "1-%d visible ASCII characters (no spaces)", HTTP_TOKEN_MAX);
	return 0;
}
