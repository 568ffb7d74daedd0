// SPDX-License-Identifier: MIT
/* The state file. Format, version 2, one record a line, fields separated by one space:
 *
 *   wg-monitor-state 2
 *   written <unix ms> boot <boot_id or -> <boottime ms> threshold <s> liveness <rule>
 *   peer <interface> <base64 key> <never|online|offline> <in state for> <handshake
 *        stamp> <handshake age> <heard age> <rx bytes> <tx bytes> <failing for>
 *        <endpoint or -> <session began> <session length> <session rx> <session tx>
 *   end <number of peer lines>
 *
 * (a peer record is one line). The handshake stamp is WireGuard's, Unix ms, 0 = never;
 * the other times are durations in ms (the session's length, the rest before the save),
 * "-" = unknown or none, so no wall-clock value is trusted across a restart. Version 1,
 * still read, is the same without the four session fields. The end line proves the file
 * whole. All file operations are relative to the directory opened at start, so renaming
 * or replacing the path later cannot redirect them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"
#include "statefile.h"
#include "util.h"

#define MAGIC      "wg-monitor-state"
#define VERSION    2
#define MS         1000
#define MAX_MS     (WG_MAX_HANDSHAKE_SEC * MS)
#define PEER_WORDS 16 /* the fields of a peer line, "peer" included */
#define PEER_WORDS_V1 12 /* ... in version 1, before sessions */
#define HEAD_WORDS 9  /* the fields of the "written" line */


/* ---- path policy, directory, lock ------------------------------------------------ */

/* The file, if it exists: a regular file owned by root or us (by anyone, any_owner). */
static int check_file(const struct statefile *sf, char *err, size_t errlen)
{
	struct stat st;
	if (fstatat(sf->dirfd, sf->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_at(err, errlen, 0, -errno, "\"%s\": %s",
		                                     sf->shown, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return fail_at(err, errlen, 0, -ELOOP, "\"%s\" is a symbolic link (not allowed "
		               "for the state file)", sf->shown);
	if (!S_ISREG(st.st_mode))
		return fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not a regular file", sf->shown);
	if (!sf->any_owner && !safepath_trusted_owner(st.st_uid))
		return fail_at(err, errlen, 0, -EPERM, "\"%s\" is owned by uid %u, not by root or "
		               "the running user", sf->shown, (unsigned)st.st_uid);
	return 0;
}

/* An existing file must be a state file (or empty): anything else that a typo names
 * (a WireGuard config, say) is never replaced by the first save. */
static int check_content(const struct statefile *sf, char *err, size_t errlen)
{
	char head[sizeof(MAGIC)];
	int fd = openat(sf->dirfd, sf->base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : fail_at(err, errlen, 0, -errno, "\"%s\": %s",
		                                     sf->shown, strerror(errno));
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	if (n == 0 || (n == (ssize_t)sizeof(head) && memcmp(head, MAGIC " ", sizeof(head)) == 0))
		return 0;
	return fail_at(err, errlen, 0, -EEXIST, "\"%s\" exists and is not a wg-monitor state "
	               "file; not replacing it", sf->shown);
}

static const struct safepath_policy state_policy = {
	.shared_dir = false,
	.what = "state file",
	.hint = "; use a private directory such as /var/lib/wg-monitor",
};

/* Read by root, a service's file may belong to the service's own (dynamic) user. */
static const struct safepath_policy read_policy = {
	.shared_dir = false,
	.what = "state file",
	.hint = "; use a private directory such as /var/lib/wg-monitor",
	.any_owner = true,
};

static int open_with(struct statefile *sf, const char *path,
                     const struct safepath_policy *pol, char *err, size_t errlen)
{
	memset(sf, 0, sizeof(*sf));
	sf->lockfd = -1;
	sf->any_owner = pol->any_owner;
	safepath_shown(sf->shown, path);
	/* Room for the ".lock" and ".tmp" siblings. */
	int rc = safepath_open_dir(path, pol, &sf->dirfd, sf->base,
	                           sizeof(sf->base) - strlen(".lock"), NULL, err, errlen);
	if (rc == 0)
		rc = check_file(sf, err, errlen);
	if (rc == 0)
		rc = check_content(sf, err, errlen);
	if (rc < 0)
		statefile_close(sf);
	return rc;
}

int statefile_open(struct statefile *sf, const char *path, char *err, size_t errlen)
{
	return open_with(sf, path, &state_policy, err, errlen);
}

int statefile_open_read(struct statefile *sf, const char *path, char *err, size_t errlen)
{
	return open_with(sf, path, &read_policy, err, errlen);
}

void statefile_close(struct statefile *sf)
{
	if (sf->lockfd >= 0)
		close(sf->lockfd);
	if (sf->dirfd >= 0)
		close(sf->dirfd);
	sf->lockfd = sf->dirfd = -1;
}

int statefile_follow(struct statefile *sf, const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct statefile next;
	if (fstat(sf->dirfd, &st) < 0 || st.st_nlink > 0)
		return 0;
	int rc = statefile_open(&next, path, err, errlen);
	if (rc < 0)
		return rc;
	if (sf->lockfd >= 0 && (rc = statefile_lock(&next, err, errlen)) < 0) {
		statefile_close(&next);
		return rc;
	}
	statefile_close(sf);
	*sf = next;
	return 1;
}

/* base + suffix (".lock", ".tmp"): within NAME_MAX, statefile_open made sure. */
#define SIBLING_SIZE (NAME_MAX + 8)
static void sibling(char out[SIBLING_SIZE], const struct statefile *sf, const char *suffix)
{
	snprintf(out, SIBLING_SIZE, "%s%s", sf->base, suffix);
}

/* An open file description lock (F_OFD_*): released when the daemon's descriptor
 * closes, and queryable by `status` without taking it. */
static struct flock whole_file(short type)
{
	return (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
}

int statefile_lock(struct statefile *sf, char *err, size_t errlen)
{
	char name[SIBLING_SIZE];
	struct stat st;
	sibling(name, sf, ".lock");
	int fd = openat(sf->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail_at(err, errlen, 0, -errno, "cannot open \"%s.lock\": %s", sf->shown,
		               strerror(errno));
	struct flock fl = whole_file(F_WRLCK);
	int rc = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = fail_at(err, errlen, 0, -EINVAL, "\"%s.lock\" is not a regular file",
		             sf->shown);
	else if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		rc = errno == EAGAIN || errno == EACCES
		     ? fail_at(err, errlen, 0, -EWOULDBLOCK, "\"%s\" is in use by another "
		               "wg-monitor (it holds \"%s.lock\")", sf->shown, sf->shown)
		     : fail_at(err, errlen, 0, -errno, "cannot lock \"%s.lock\": %s", sf->shown,
		               strerror(errno));
	if (rc < 0) {
		close(fd);
		return rc;
	}
	sf->lockfd = fd;
	return 0;
}

int statefile_in_use(const struct statefile *sf)
{
	char name[SIBLING_SIZE];
	sibling(name, sf, ".lock");
	int fd = openat(sf->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct flock fl = whole_file(F_WRLCK);
	int rc = fcntl(fd, F_OFD_GETLK, &fl) < 0 ? -errno : fl.l_type != F_UNLCK;
	close(fd);
	return rc;
}

/* ---- writing --------------------------------------------------------------------- */

#define BOOT_ID_LEN 36 /* a UUID as the kernel writes it */

/* Copies the boot id at s (BOOT_ID_LEN of 0-9 a-f -) to out; false, out "", if it is not. */
static bool copy_boot_id(char out[BOOT_ID_SIZE], const char *s)
{
	out[0] = '\0';
	for (int i = 0; i < BOOT_ID_LEN; i++)
		if (!s[i] || !strchr("0123456789abcdef-", s[i]))
			return false;
	memcpy(out, s, BOOT_ID_LEN);
	out[BOOT_ID_LEN] = '\0';
	return true;
}

void statefile_boot_id(char out[BOOT_ID_SIZE])
{
	char buf[BOOT_ID_SIZE];
	out[0] = '\0';
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n >= BOOT_ID_LEN)
		copy_boot_id(out, buf);
}

int64_t statefile_elapsed_ms(const struct saved_state *st, const struct clocks *now,
                             const char *boot_id)
{
	bool same_boot = boot_id[0] && strcmp(st->boot_id, boot_id) == 0;
	int64_t d = same_boot ? now->mono_ms - st->written_mono_ms : now->real_ms - st->written_ms;
	return d > 0 ? d : 0;
}

/* "-" for unknown (mono 0), else how long before now, in ms. */
static void put_age(FILE *f, int64_t age_ms)
{
	if (age_ms < 0)
		fputs(" -", f);
	else
		fprintf(f, " %" PRId64, age_ms);
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

static void write_peer(FILE *f, const struct peer_view *v)
{
	char key[WG_KEY_B64_LEN];
	key_to_base64(key, v->key);
	fprintf(f, "peer %s %s %s", v->ifname, key, peer_state_name(v->state));
	put_age(f, v->since_age_ms);
	fprintf(f, " %" PRId64, v->handshake_ms);
	put_age(f, v->handshake_age_ms);
	put_age(f, v->heard_age_ms);
	fprintf(f, " %" PRIu64 " %" PRIu64, v->rx_bytes, v->tx_bytes);
	put_age(f, v->failing_age_ms);
	fprintf(f, " %s", endpoint_ok(v->endpoint, strlen(v->endpoint)) ? v->endpoint : "-");
	bool session = v->session_age_ms >= 0 && v->session_ms >= 0;
	put_age(f, session ? v->session_age_ms : -1);
	put_age(f, session ? v->session_ms : -1);
	fprintf(f, " %" PRIu64 " %" PRIu64 "\n", session ? v->session_rx_bytes : 0,
	        session ? v->session_tx_bytes : 0);
}

/* Writes the records to fd and closes it; 0 or -errno. */
static int write_all(int fd, const struct peer_table *t, const struct saved_rule *rule,
                     const struct clocks *now, const char *boot_id)
{
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		return -e;
	}
	size_t n = 0;
	fprintf(f, MAGIC " %d\nwritten %" PRId64 " boot %s %" PRId64 " threshold %u liveness %s\n",
	        VERSION, now->real_ms, boot_id[0] ? boot_id : "-", now->mono_ms, rule->threshold,
	        liveness_name(rule->liveness));
	struct peer_view v;
	for (size_t i = 0; peers_view(t, i, now, &v); i++) {
		if (v.deferred)
			continue; /* its state was never logged: at restart it is new again */
		write_peer(f, &v);
		n++;
	}
	fprintf(f, "end %zu\n", n);
	int rc = fflush(f) == 0 && !ferror(f) && fsync(fd) == 0 ? 0 : -(errno ? errno : EIO);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Why <file>.tmp could not be created. A directory there survives the unlink before it
 * and would block every save for good, so that is said in so many words. */
static int tmp_refused(const struct statefile *sf, const char *tmp, int e, char *err,
                       size_t errlen)
{
	struct stat st;
	if (e == EEXIST && fstatat(sf->dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode))
		return fail_at(err, errlen, 0, -EISDIR, "\"%s.tmp\" is a directory, which blocks "
		               "every save of the state file: remove it", sf->shown);
	return fail_at(err, errlen, 0, -e, "cannot create \"%s.tmp\": %s", sf->shown,
	               strerror(e));
}

int statefile_save(const struct statefile *sf, const struct peer_table *t,
                   const struct saved_rule *rule, const struct clocks *now,
                   const char *boot_id, char *err, size_t errlen)
{
	char tmp[SIBLING_SIZE];
	sibling(tmp, sf, ".tmp");
	/* A leftover from a crash is ours (the lock says so): replace it. */
	unlinkat(sf->dirfd, tmp, 0);
	int fd = openat(sf->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	                0600);
	if (fd < 0)
		return tmp_refused(sf, tmp, errno, err, errlen);
	errno = 0;
	int rc = write_all(fd, t, rule, now, boot_id);
	if (rc == 0 && renameat(sf->dirfd, tmp, sf->dirfd, sf->base) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(sf->dirfd, tmp, 0);
		return fail_at(err, errlen, 0, rc, "cannot write \"%s\": %s", sf->shown,
		               strerror(-rc));
	}
	if (fsync(sf->dirfd) < 0)
		return fail_at(err, errlen, 0, -errno, "\"%s\" written, but its directory could "
		               "not be synced: %s", sf->shown, strerror(errno));
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

/* A duration in ms, or "-" for unknown (-1). */
static bool age_field(const struct field *f, int64_t *out)
{
	if (field_is(f, "-")) {
		*out = -1;
		return true;
	}
	return time_field(f, out);
}

/* The index of the field among words (at most n of them, fewer where a NULL ends the
 * list), or n. */
static size_t word_index(const struct field *f, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n && words[i]; i++)
		if (field_is(f, words[i]))
			return i;
	return n;
}

/* Version 2's session fields (f[12..15]): none ("- - 0 0"), or one that began no later
 * than it lasted. 0 or -EBADMSG. */
static int parse_session(const struct field *f, struct peer_view *r)
{
	if (!age_field(&f[12], &r->session_age_ms) || !age_field(&f[13], &r->session_ms) ||
	    !parse_u64(f[14].s, f[14].len, UINT64_MAX, &r->session_rx_bytes) ||
	    !parse_u64(f[15].s, f[15].len, UINT64_MAX, &r->session_tx_bytes))
		return -EBADMSG;
	if ((r->session_age_ms < 0) != (r->session_ms < 0) || r->session_ms > r->session_age_ms)
		return -EBADMSG;
	if (r->session_ms < 0 && (r->session_rx_bytes || r->session_tx_bytes))
		return -EBADMSG;
	return 0;
}

/* nf: PEER_WORDS, or PEER_WORDS_V1 for a version 1 line (no session). */
static int parse_peer(const struct field *f, size_t nf, struct peer_view *r, size_t lineno,
                      char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->session_ms = r->session_age_ms = -1;
	if (!wg_ifname_valid(f[1].s, f[1].len))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad interface name");
	memcpy(r->ifname, f[1].s, f[1].len);
	if (!key_from_base64(r->key, f[2].s, f[2].len))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad public key");
	size_t st = word_index(&f[3], peer_state_words, PEER_STATES);
	if (st == PEER_STATES)
		return fail_at(err, errlen, lineno, -EBADMSG, "bad state (never, online, offline)");
	r->state = (enum peer_state)st;
	if (!time_field(&f[5], &r->handshake_ms))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad handshake time (Unix ms)");
	if (!age_field(&f[4], &r->since_age_ms) || !age_field(&f[6], &r->handshake_age_ms) ||
	    !age_field(&f[7], &r->heard_age_ms) || !age_field(&f[10], &r->failing_age_ms))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad duration (ms or -)");
	if (!parse_u64(f[8].s, f[8].len, UINT64_MAX, &r->rx_bytes) ||
	    !parse_u64(f[9].s, f[9].len, UINT64_MAX, &r->tx_bytes))
		return fail_at(err, errlen, lineno, -EBADMSG, "bad byte counter");
	if (!field_is(&f[11], "-")) {
		if (!endpoint_ok(f[11].s, f[11].len))
			return fail_at(err, errlen, lineno, -EBADMSG, "bad endpoint");
		memcpy(r->endpoint, f[11].s, f[11].len);
	}
	if (nf == PEER_WORDS && parse_session(f, r) < 0)
		return fail_at(err, errlen, lineno, -EBADMSG, "bad session (began, length, rx, tx)");
	/* offline without a handshake is a peer offline since before a reboot */
	if ((r->state == PEER_NEVER && r->handshake_ms) ||
	    (r->state == PEER_ONLINE && !r->handshake_ms) ||
	    (!r->handshake_ms != (r->handshake_age_ms < 0)))
		return fail_at(err, errlen, lineno, -EBADMSG, "state and handshake disagree");
	return 0;
}

/* A boot_id (36 of 0-9 a-f -) or "-" for unknown. */
static bool boot_field(const struct field *f, char out[BOOT_ID_SIZE])
{
	out[0] = '\0';
	if (field_is(f, "-"))
		return true;
	return f->len == BOOT_ID_LEN && copy_boot_id(out, f->s);
}

static int parse_header(const struct field *f, size_t nf, size_t lineno,
                        struct saved_state *st, char *err, size_t errlen)
{
	uint64_t thr;
	if (lineno == 1) {
		if (nf != 2 || !field_is(&f[0], MAGIC))
			return fail_at(err, errlen, lineno, -EBADMSG, "not a wg-monitor state file");
		if (!field_is(&f[1], "1") && !field_is(&f[1], "2"))
			return fail_at(err, errlen, lineno, -EBADMSG, "unsupported version (this "
			               "wg-monitor reads versions 1 to %d)", VERSION);
		st->version = field_is(&f[1], "1") ? 1 : 2;
		return 0;
	}
	size_t lv = nf == HEAD_WORDS
	            ? word_index(&f[8], liveness_names, SIZE_MAX) : 0;
	uint64_t mono;
	if (nf != HEAD_WORDS || !field_is(&f[0], "written") || !time_field(&f[1], &st->written_ms) ||
	    !field_is(&f[2], "boot") || !boot_field(&f[3], st->boot_id) ||
	    !parse_u64(f[4].s, f[4].len, (uint64_t)MAX_MS, &mono) ||
	    !field_is(&f[5], "threshold") || !parse_u64(f[6].s, f[6].len, 604800, &thr) ||
	    thr == 0 || !field_is(&f[7], "liveness") || lv == SIZE_MAX)
		return fail_at(err, errlen, lineno, -EBADMSG, "expected \"written <unix ms> boot "
		               "<id> <ms> threshold <1-604800> liveness <activity|handshake>\"");
	st->written_mono_ms = (int64_t)mono;
	st->rule.threshold = (unsigned)thr;
	st->rule.liveness = (enum liveness)lv;
	return 0;
}

/* One line: 0, 1 at the end line, or -errno. */
static int parse_line(char *line, size_t len, size_t lineno, struct saved_state *st,
                      char *err, size_t errlen)
{
	struct field f[PEER_WORDS > HEAD_WORDS ? PEER_WORDS : HEAD_WORDS];
	size_t nf = split_fields(line, len, ' ', f, ARRAY_SIZE(f));
	uint64_t v;
	if (lineno <= 2)
		return parse_header(f, nf, lineno, st, err, errlen);
	if (nf == 2 && field_is(&f[0], "end")) {
		if (!parse_u64(f[1].s, f[1].len, SIZE_MAX, &v))
			return fail_at(err, errlen, lineno, -EBADMSG, "bad end line");
		if (v != st->n)
			return fail_at(err, errlen, lineno, -EBADMSG, "the end line counts %" PRIu64
			               " peers, the file has %zu", v, st->n);
		return 1;
	}
	size_t want = st->version == 1 ? PEER_WORDS_V1 : PEER_WORDS;
	if (nf != want || !field_is(&f[0], "peer"))
		return fail_at(err, errlen, lineno, -EBADMSG, "expected a peer line (%zu fields) "
		               "or the end line", want);
	void *arr = st->peers;
	if (!array_grow(&arr, &st->cap, st->n, sizeof(*st->peers), STATEFILE_MAX_PEERS))
		return fail_at(err, errlen, lineno, -errno, errno == E2BIG ? "more than %u peers"
		               : "out of memory", STATEFILE_MAX_PEERS);
	st->peers = arr;
	int rc = parse_peer(f, nf, &st->peers[st->n], lineno, err, errlen);
	if (rc == 0)
		st->n++;
	return rc;
}

static int cmp_peer_at(const void *a, const void *b, void *ctx)
{
	const struct peer_view *p = ctx, *x = &p[*(const size_t *)a], *y = &p[*(const size_t *)b];
	int c = strcmp(x->ifname, y->ifname);
	return c ? c : memcmp(x->key, y->key, WG_KEY_LEN);
}

/* Two lines for one peer (interface and key) make the file wrong, whichever would win:
 * the later line is named. Peer lines follow the two header lines. */
static int check_unique(const struct saved_state *st, char *err, size_t errlen)
{
	if (st->n < 2)
		return 1;
	size_t *order = malloc(st->n * sizeof(*order));
	if (!order)
		return fail_at(err, errlen, 0, -ENOMEM, "out of memory");
	for (size_t i = 0; i < st->n; i++)
		order[i] = i;
	qsort_r(order, st->n, sizeof(*order), cmp_peer_at, st->peers);
	int rc = 1;
	for (size_t i = 1; i < st->n && rc == 1; i++) {
		size_t a = order[i - 1], b = order[i];
		if (cmp_peer_at(&a, &b, st->peers) == 0)
			rc = fail_at(err, errlen, 3 + (a > b ? a : b), -EBADMSG,
			             "a second line for the peer of line %zu", 3 + (a < b ? a : b));
	}
	free(order);
	return rc;
}

int statefile_parse(char *buf, size_t len, struct saved_state *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	size_t lineno = 0, pos = 0;
	int rc = 0;
	if (len == 0)
		return fail_at(err, errlen, 0, -EBADMSG, "empty file");
	while (rc == 0 && pos < len) {
		char *nl = memchr(buf + pos, '\n', len - pos);
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
		rc = check_unique(st, err, errlen);
	if (rc == 1)
		return 0;
	saved_state_free(st);
	return rc;
}

/* The whole file into a new buffer (*buf, *len). 0 or -errno with the reason in err. */
static int read_file(const struct statefile *sf, char **buf, size_t *len, char *err,
                     size_t errlen)
{
	struct stat sb;
	int fd = openat(sf->dirfd, sf->base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return fail_at(err, errlen, 0, -errno, "cannot open \"%s\": %s", sf->shown,
		               strerror(errno));
	int rc = 0;
	*buf = NULL;
	*len = 0;
	if (fstat(fd, &sb) < 0)
		rc = fail_at(err, errlen, 0, -errno, "\"%s\": %s", sf->shown, strerror(errno));
	else if (!S_ISREG(sb.st_mode) || (!sf->any_owner && !safepath_trusted_owner(sb.st_uid)))
		rc = fail_at(err, errlen, 0, -EPERM, "\"%s\" is not a regular file owned by root "
		             "or the running user", sf->shown);
	else if ((uint64_t)sb.st_size > STATEFILE_MAX_BYTES)
		rc = fail_at(err, errlen, 0, -EFBIG, "\"%s\" is %jd bytes (limit %u)", sf->shown,
		             (intmax_t)sb.st_size, STATEFILE_MAX_BYTES);
	else if (!(*buf = malloc((size_t)sb.st_size + 1)))
		rc = fail_at(err, errlen, 0, -ENOMEM, "\"%s\": out of memory", sf->shown);
	/* *buf: gcc -fanalyzer cannot see that fail_at() returns its non-zero rc. */
	while (rc == 0 && *buf) {
		/* Read one byte past the size: a file that grew meanwhile is refused. */
		ssize_t r = read(fd, *buf + *len, (size_t)sb.st_size + 1 - *len);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = fail_at(err, errlen, 0, -errno, "cannot read \"%s\": %s", sf->shown,
			             strerror(errno));
		else if ((*len += (size_t)r) > (size_t)sb.st_size)
			rc = fail_at(err, errlen, 0, -EBADMSG, "\"%s\" changed while being read",
			             sf->shown);
	}
	close(fd);
	return rc;
}

int statefile_load(const struct statefile *sf, struct saved_state *st, char *err,
                   size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	memset(st, 0, sizeof(*st));
	int rc = read_file(sf, &buf, &len, err, errlen);
	if (rc == 0) {
		char why[200];
		rc = statefile_parse(buf, len, st, why, sizeof(why));
		if (rc < 0)
			fail_at(err, errlen, 0, rc, "\"%s\": %s", sf->shown, why);
	}
	free(buf);
	return rc;
}

void saved_state_free(struct saved_state *st)
{
	free(st->peers);
	memset(st, 0, sizeof(*st));
}
