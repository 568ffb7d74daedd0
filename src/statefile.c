// SPDX-License-Identifier: MIT
/* The state file. Format, version 1, one record a line, fields separated by one space:
 *
 *   wg-monitor-state 1
 *   written <unix ms>
 *   peer <interface> <base64 key> <never|online|offline> <since> <handshake> <heard>
 *        <rx bytes> <tx bytes> <failing since> <endpoint or ->        (one line)
 *   end <number of peer lines>
 *
 * Times are Unix ms, 0 = unknown or never. The end line proves the file whole. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile_path.h"
#include "statefile.h"
#include "util.h"

#define MAGIC   "wg-monitor-state"
#define VERSION 1
#define MS      1000
#define MAX_MS  (WG_MAX_HANDSHAKE_SEC * MS)
#define SHOWN   256
#define NFIELDS 12 /* on a peer line, "peer" included */

static const char *const state_words[] = { "never", "online", "offline" };

/* ---- path and lock --------------------------------------------------------------- */

int statefile_check_path(const char *path, char *resolved, size_t rsize, char *err,
                         size_t errlen)
{
	struct path_verdict v;
	struct stat st;
	char s[SHOWN], d[SHOWN];
	int rc = path_resolve(path, &v, err, errlen);
	if (rc < 0)
		return rc;
	sanitize(s, sizeof(s), path, strlen(path));
	sanitize(d, sizeof(d), v.dir, strlen(v.dir));
	if (v.world_writable)
		return fail_at(err, errlen, 0, -EPERM, "\"%s\": directory \"%s\" is world-writable "
		               "(anyone could plant a state file); use a private directory such "
		               "as /var/lib/wg-monitor", s, d);
	if (lstat(v.path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return fail_at(err, errlen, 0, -ELOOP, "\"%s\" is a symbolic link (not "
			               "allowed for the state file)", s);
		if (!S_ISREG(st.st_mode))
			return fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not a regular file", s);
	} else if (errno != ENOENT) {
		return fail_at(err, errlen, 0, -errno, "\"%s\": %s", s, strerror(errno));
	}
	if (strlen(v.path) >= rsize)
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s\": resolved path too long", s);
	strcpy(resolved, v.path);
	return 0;
}

/* path + suffix into buf; false when it does not fit. */
static bool with_suffix(char *buf, size_t size, const char *path, const char *suffix)
{
	int n = snprintf(buf, size, "%s%s", path, suffix);
	return n >= 0 && (size_t)n < size;
}

int statefile_lock(const char *path, char *err, size_t errlen)
{
	char lock[PATH_MAX], s[SHOWN];
	sanitize(s, sizeof(s), path, strlen(path));
	if (!with_suffix(lock, sizeof(lock), path, ".lock"))
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s.lock\": path too long", s);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail_at(err, errlen, 0, -errno, "cannot open \"%s.lock\": %s", s,
		               strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return fail_at(err, errlen, 0, -EWOULDBLOCK, "\"%s\" is in use by another "
			               "wg-monitor (it holds \"%s.lock\")", s, s);
		return fail_at(err, errlen, 0, -e, "cannot lock \"%s.lock\": %s", s, strerror(e));
	}
	return fd;
}

/* ---- writing --------------------------------------------------------------------- */

/* The wall-clock instant of a monotonic one; 0 stays 0 (unknown). */
static int64_t real_of(const struct clocks *now, int64_t mono)
{
	return mono ? now->real_ms - (now->mono_ms - mono) : 0;
}

static bool endpoint_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr(".:%[]_=+-", c) != NULL;
}

static bool endpoint_ok(const char *s, size_t len)
{
	if (len == 0 || len >= WG_ENDPOINT_SIZE)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!endpoint_char(s[i]))
			return false;
	return true;
}

static void write_peer(FILE *f, const struct peer *p, const struct clocks *now)
{
	char key[WG_KEY_B64_LEN];
	key_to_base64(key, p->key);
	int64_t since = real_of(now, p->since_mono_ms);
	int64_t failing = p->failing_reported ? real_of(now, p->failing_start_mono_ms) : 0;
	fprintf(f, "peer %s %s %s %" PRId64 " %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64
	        " %" PRId64 " %s\n", p->ifname, key, state_words[p->state],
	        since > 0 ? since : 0, p->hs_real_ms, p->heard_real_ms, p->rx_bytes,
	        p->tx_bytes, failing > 0 ? failing : 0,
	        endpoint_ok(p->endpoint, strlen(p->endpoint)) ? p->endpoint : "-");
}

/* Writes the records to fd; 0 or -errno. */
static int write_all(int fd, const struct peer_table *t, const struct clocks *now)
{
	FILE *f = fdopen(fd, "w");
	if (!f)
		return -errno;
	size_t n = 0;
	fprintf(f, MAGIC " %d\nwritten %" PRId64 "\n", VERSION, now->real_ms);
	for (const struct peer *p; (p = peers_at(t, n)); n++)
		write_peer(f, p, now);
	fprintf(f, "end %zu\n", n);
	int rc = fflush(f) == 0 && !ferror(f) && fsync(fd) == 0 ? 0 : -(errno ? errno : EIO);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	if (!with_suffix(dir, sizeof(dir), path, ""))
		return -ENAMETOOLONG;
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int statefile_save(const char *path, const struct peer_table *t, const struct clocks *now,
                   char *err, size_t errlen)
{
	char tmp[PATH_MAX], s[SHOWN];
	sanitize(s, sizeof(s), path, strlen(path));
	if (!with_suffix(tmp, sizeof(tmp), path, ".tmp"))
		return fail_at(err, errlen, 0, -ENAMETOOLONG, "\"%s.tmp\": path too long", s);
	/* A leftover from a crash is ours (the lock says so): replace it. */
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail_at(err, errlen, 0, -errno, "cannot create \"%s.tmp\": %s", s,
		               strerror(errno));
	int rc = write_all(fd, t, now); /* closes fd */
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return fail_at(err, errlen, 0, rc, "cannot write \"%s\": %s", s, strerror(-rc));
	}
	rc = sync_dir(path);
	if (rc < 0)
		return fail_at(err, errlen, 0, rc, "\"%s\" written, but its directory could not "
		               "be synced: %s", s, strerror(-rc));
	return 0;
}

/* ---- reading --------------------------------------------------------------------- */

static bool time_field(const struct field *f, int64_t *out)
{
	uint64_t v;
	if (!parse_u64(f->s, f->len, (uint64_t)MAX_MS, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

static int parse_peer(const struct field *f, struct saved_peer *r, size_t lineno, char *err,
                      size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (!wg_ifname_valid(f[1].s, f[1].len))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad interface name");
	memcpy(r->ifname, f[1].s, f[1].len);
	if (!key_from_base64(r->key, f[2].s, f[2].len))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad public key");
	size_t st = 0;
	while (st < ARRAY_SIZE(state_words) && !field_is(&f[3], state_words[st]))
		st++;
	if (st == ARRAY_SIZE(state_words))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad state (never, online, offline)");
	r->state = (enum peer_state)st;
	if (!time_field(&f[4], &r->since_ms) || !time_field(&f[5], &r->handshake_ms) ||
	    !time_field(&f[6], &r->heard_ms) || !time_field(&f[9], &r->failing_since_ms))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad time (Unix ms expected)");
	if (!parse_u64(f[7].s, f[7].len, UINT64_MAX, &r->rx_bytes) ||
	    !parse_u64(f[8].s, f[8].len, UINT64_MAX, &r->tx_bytes))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad byte counter");
	if (!field_is(&f[10], "-")) {
		if (!endpoint_ok(f[10].s, f[10].len))
			return fail_at(err, errlen, lineno, -EBADMSG, "bad endpoint");
		memcpy(r->endpoint, f[10].s, f[10].len);
	}
	/* offline without a handshake is a peer offline since before a reboot */
	if ((r->state == PEER_NEVER && r->handshake_ms) ||
	    (r->state == PEER_ONLINE && !r->handshake_ms))
		return fail_at(err, errlen, lineno, -EBADMSG, "state and handshake disagree");
	return 0;
}

/* One line: 0, 1 at the end line, or -errno. */
static int parse_line(char *line, size_t len, size_t lineno, struct saved_state *st,
                      char *err, size_t errlen)
{
	struct field f[NFIELDS];
	size_t nf = split_fields(line, len, ' ', f, NFIELDS);
	uint64_t v;
	if (lineno == 1) {
		if (nf != 2 || !field_is(&f[0], MAGIC))
			return fail_at(err, errlen, lineno, -EBADMSG, "not a wg-monitor state file");
		if (!field_is(&f[1], "1"))
			return fail_at(err, errlen, lineno, -EBADMSG, "unsupported version (this "
			               "wg-monitor reads version %d)", VERSION);
		return 0;
	}
	if (lineno == 2) {
		if (nf != 2 || !field_is(&f[0], "written") || !time_field(&f[1], &st->written_ms))
			return fail_at(err, errlen, lineno, -EBADMSG, "expected \"written <unix ms>\"");
		return 0;
	}
	if (nf == 2 && field_is(&f[0], "end")) {
		if (!parse_u64(f[1].s, f[1].len, SIZE_MAX, &v))
			return fail_at(err, errlen, lineno, -EBADMSG, "bad end line");
		if (v != st->n)
			return fail_at(err, errlen, lineno, -EBADMSG, "the end line counts %" PRIu64
			               " peers, the file has %zu", v, st->n);
		return 1;
	}
	if (nf != NFIELDS - 1 || !field_is(&f[0], "peer"))
		return fail_at(err, errlen, lineno, -EBADMSG, "expected a peer line (%d fields) "
		               "or the end line", NFIELDS - 1);
	void *arr = st->peers;
	if (!array_grow(&arr, &st->cap, st->n, sizeof(*st->peers), WG_MAX_PEERS))
		return fail_at(err, errlen, lineno, -errno, "too many peers");
	st->peers = arr;
	int rc = parse_peer(f, &st->peers[st->n], lineno, err, errlen);
	if (rc == 0)
		st->n++;
	return rc;
}

int statefile_parse(char *buf, size_t len, struct saved_state *st, char *err,
                    size_t errlen)
{
	memset(st, 0, sizeof(*st));
	size_t lineno = 0, pos = 0;
	int rc = 0;
	if (len == 0)
		return fail_at(err, errlen, 0, -EBADMSG, "empty file");
	while (rc == 0 && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl) {
			rc = fail_at(err, errlen, lineno + 1, -EBADMSG, "truncated (no newline)");
			break;
		}
		size_t n = (size_t)(nl - (buf + pos));
		if (memchr(buf + pos, '\0', n))
			rc = fail_at(err, errlen, lineno + 1, -EBADMSG, "NUL byte");
		else
			rc = parse_line(buf + pos, n, ++lineno, st, err, errlen);
		pos += n + 1;
	}
	if (rc == 1 && pos < len)
		rc = fail_at(err, errlen, lineno + 1, -EBADMSG, "data after the end line");
	else if (rc == 0)
		rc = fail_at(err, errlen, lineno, -EBADMSG, "truncated (no end line)");
	if (rc == 1)
		return 0;
	saved_state_free(st);
	return rc;
}

int statefile_load(const char *path, struct saved_state *st, char *err, size_t errlen)
{
	char s[SHOWN];
	memset(st, 0, sizeof(*st));
	sanitize(s, sizeof(s), path, strlen(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return fail_at(err, errlen, 0, -errno, "cannot open \"%s\": %s", s, strerror(errno));
	struct stat sb;
	int rc = 0;
	char *buf = NULL;
	if (fstat(fd, &sb) < 0)
		rc = fail_at(err, errlen, 0, -errno, "\"%s\": %s", s, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		rc = fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not a regular file", s);
	else if ((uint64_t)sb.st_size > STATEFILE_MAX_BYTES)
		rc = fail_at(err, errlen, 0, -EFBIG, "\"%s\" is %jd bytes (limit %u)", s,
		             (intmax_t)sb.st_size, STATEFILE_MAX_BYTES);
	else if (!(buf = malloc((size_t)sb.st_size + 1)))
		rc = fail_at(err, errlen, 0, -ENOMEM, "\"%s\": out of memory", s);
	size_t len = 0;
	while (rc == 0 && len <= (size_t)sb.st_size) {
		/* Read one byte past the size: a file that grew meanwhile is refused. */
		ssize_t r = read(fd, buf + len, (size_t)sb.st_size + 1 - len);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = fail_at(err, errlen, 0, -errno, "cannot read \"%s\": %s", s, strerror(errno));
		else if ((len += (size_t)r) > (size_t)sb.st_size)
			rc = fail_at(err, errlen, 0, -EBADMSG, "\"%s\" changed while being read", s);
	}
	close(fd);
	if (rc == 0) {
		char why[200];
		rc = statefile_parse(buf, len, st, why, sizeof(why));
		if (rc < 0)
			fail_at(err, errlen, 0, rc, "\"%s\": %s", s, why);
	}
	free(buf);
	return rc;
}

void saved_state_free(struct saved_state *st)
{
	free(st->peers);
	memset(st, 0, sizeof(*st));
}
