// SPDX-License-Identifier: MIT
/* The state file: save/load round trip, hostile files refused whole, the path policy and
 * the lock, and restarts through the state machine (no false transition, offline_for
 * across the restart and a reboot, handshake_failing kept, stale peers forgotten). */
#include <sys/stat.h>

#include "epfix.h"
#include "harness.h"
#include "sink_state.h"
#include "peerfix.h"
#include "statefile_fixture.h"
#include "util.h"

#define S 1000LL
#define T0 1795643712000LL   /* 2026-11-25T21:55:12Z */

#define BOOT_A "0a0a0a0a-0000-4000-8000-00000000000a"
#define BOOT_B "0b0b0b0b-0000-4000-8000-00000000000b"

static struct saved_rule rule_of(const struct peers_config *c)
{
	return (struct saved_rule){ (unsigned)(c->threshold_ms / S), c->liveness };
}

/* One snapshot peer: id, handshake (Unix ms, 0 = never), rx bytes. */
static struct wg_peer *put(struct wg_snapshot *s, const char *ifname, uint8_t id,
                           int64_t hs_ms, uint64_t rx)
{
	struct wg_peer *p = fix_peer(s, ifname, id);
	p->last_handshake_sec = hs_ms / S;
	p->last_handshake_nsec = (hs_ms % S) * 1000000;
	p->rx_bytes = rx;
	p->tx_bytes = rx / 2;
	return p;
}

/* Peer id's view (the fields read here do not depend on the clock), or NULL. */
static const struct peer_view *find(const struct peer_table *t, uint8_t id)
{
	static struct peer_view v;
	const struct clocks any = { T0, 1000 * S };
	return view_of_id(t, id, &any, &v) ? &v : NULL;
}

/* The index of the first event of type for peer id, or -1. */
static long find_ev(const struct rec *r, enum event_type type, uint8_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->type[i] == type && r->key0[i] == id)
			return (long)i;
	return -1;
}

/* Saves t (judged under c) at now and loads the file back into st. */
static void save_load(const struct peer_table *t, const struct peers_config *c,
                      const struct clocks *now, struct saved_state *st)
{
	char err[512];
	struct saved_rule rule = rule_of(c);
	CHECK_INT(statefile_save(&sf, t, &rule, now, BOOT_A, err, sizeof(err)), 0);
	CHECK_INT(statefile_load(&sf, st, err, sizeof(err)), 0);
}

/* Saves t (judged under c) at now, loads the file back and restores it at later into a
 * fresh table judging under c2. */
static struct peer_table *restart2(const struct peer_table *t, const struct peers_config *c,
                                   const struct peers_config *c2, const struct clocks *now,
                                   const struct clocks *later)
{
	struct saved_state st;
	struct saved_rule rule2 = rule_of(c2);
	save_load(t, c, now, &st);
	struct peer_table *t2 = peers_new(c2);
	bool same = st.rule.threshold == rule2.threshold && st.rule.liveness == rule2.liveness;
	/* A monotonic clock that went back is another boot. */
	const char *boot = later->mono_ms >= now->mono_ms ? BOOT_A : BOOT_B;
	CHECK(peers_restore(t2, st.peers, st.n, statefile_elapsed_ms(&st, later, boot), same,
	                    later) >= 0);
	saved_state_free(&st);
	return t2;
}

static struct peer_table *restart(const struct peer_table *t, const struct peers_config *c,
                                  const struct clocks *now, const struct clocks *later)
{
	return restart2(t, c, c, now, later);
}

static void test_roundtrip(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	ep_set(&put(&s, "wg0", 1, T0 - 20 * S, 1000)->endpoint, "[2001:db8::1%wg0]:51820");
	put(&s, "wg0", 2, 0, 0);
	ep_set(&put(&s, "wg1", 3, T0 - 400 * S, 77)->endpoint, "bad endpoint\x1b");
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	char err[512];
	struct saved_rule rule = rule_of(&c);
	CHECK_INT(statefile_save(&sf, t, &rule, &now, BOOT_A, err, sizeof(err)), 0);
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(!texists(tmp));
	struct saved_state st;
	CHECK_INT(statefile_load(&sf, &st, err, sizeof(err)), 0);
	CHECK_INT(st.written_ms, T0);
	CHECK_INT(st.rule.threshold, 180);
	CHECK_STR(st.boot_id, BOOT_A);
	CHECK_INT(st.written_mono_ms, 5000000);
	CHECK_INT(st.rule.liveness, LIVENESS_ACTIVITY);
	CHECK_INT(st.n, 3);
	for (size_t i = 0; i < st.n; i++) {
		const struct peer_view *p = &st.peers[i];
		switch (p->key[0]) {
		case 1:
			CHECK_STR(p->ifname, "wg0");
			CHECK_INT(p->state, PEER_ONLINE);
			CHECK_INT(p->handshake_ms, T0 - 20 * S);
			CHECK_INT(p->handshake_age_ms, 20 * S);
			CHECK_INT(p->heard_age_ms, 20 * S);
			CHECK_INT(p->failing_age_ms, -1);
			CHECK_INT(p->rx_bytes, 1000);
			CHECK_INT(p->tx_bytes, 500);
			CHECK_STR(p->endpoint, "[2001:db8::1%wg0]:51820");
			CHECK_INT(p->since_age_ms, -1); /* online since before we looked: unknown */
			break;
		case 2:
			CHECK_INT(p->state, PEER_NEVER);
			CHECK_INT(p->handshake_ms, 0);
			CHECK_INT(p->handshake_age_ms, -1);
			CHECK_INT(p->heard_age_ms, -1);
			break;
		case 3:
			CHECK_STR(p->ifname, "wg1");
			CHECK_INT(p->state, PEER_OFFLINE);
			CHECK_INT(p->since_age_ms, 220 * S); /* handshake + threshold */
			CHECK_STR(p->endpoint, "");           /* unsafe: not written */
			break;
		default:
			CHECK(!"unexpected peer");
		}
	}
	saved_state_free(&st);
	/* An empty table is a valid file too. */
	struct peer_table *e = peers_new(&c);
	struct saved_rule hs = { 60, LIVENESS_HANDSHAKE };
	CHECK_INT(statefile_save(&sf, e, &hs, &now, "", err, sizeof(err)), 0);
	char buf[256];
	tread(path, buf, sizeof(buf));
	CHECK_STR(buf, "wg-monitor-state 2\nwritten 1795643712000 boot - 5000000 threshold 60 "
	          "liveness handshake\nend 0\n");
	peers_free(e);
	wg_snapshot_clear(&s);
	peers_free(t);
}

#define GOODKEY "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define HEAD "wg-monitor-state 1\nwritten 1795643712000 boot " BOOT_A " 5000 threshold 180 " \
	"liveness activity\n"
#define PEER "peer wg0 " GOODKEY " online - 1795643700000 12000 12000 10 20 - 1.2.3.4:5\n"
#define P1 "peer wg0 " GOODKEY " online - 1 1 1 "   /* then rx tx failing endpoint */

/* statefile_parse on a writable copy of text[0..len). */
static int parse(const char *text, size_t len, struct saved_state *st, char *err, size_t n)
{
	char *buf = malloc(len + 1);
	memcpy(buf, text, len);
	int rc = statefile_parse(buf, len, st, err, n);
	free(buf);
	return rc;
}

static void test_parse_hostile(void)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "", "empty file" },
		{ "garbage\n", "line 1: not a wg-monitor state file" },
		{ "wg-monitor-state 9\n", "line 1: unsupported version" },
		{ "wg-monitor-state 1", "line 1: truncated (no newline)" },
		{ "wg-monitor-state 1\nwritten x\nend 0\n", "line 2: expected \"written" },
		{ "wg-monitor-state 1\nwritten 1 boot - 1 threshold 1 liveness x\nend 0\n", "line 2: expected" },
		{ "wg-monitor-state 1\nwritten 1 boot - 1 threshold 0 liveness activity\nend 0\n", "line 2: expected" },
		{ "wg-monitor-state 1\nwritten 1 boot - 1 threshold 604801 liveness activity\nend 0\n", "line 2: expected" },
		{ "wg-monitor-state 1\nwritten 1 boot x 1 threshold 60 liveness activity\nend 0\n", "line 2: expected" },
		{ "wg-monitor-state 1\nwritten 1 boot - -1 threshold 60 liveness activity\nend 0\n", "line 2: expected" },
		{ "wg-monitor-state 1\nwritten 1795643712000\nend 0\n", "line 2: expected" },
		{ HEAD PEER, "line 3: truncated (no end line)" },
		{ HEAD PEER "end 2\n", "line 4: the end line counts 2 peers, the file has 1" },
		{ HEAD PEER "end 1\nmore\n", "line 5: data after the end line" },
		{ HEAD P1 "10 20 -\nend 1\n", "line 3: expected a peer line (12 fields)" },
		{ HEAD P1 "10 20 - - x\nend 1\n", "line 3: expected a peer line" },
		{ HEAD "peer wg0  GOOD 1 1 1 1 1 1 1 -\nend 1\n", "line 3: bad public key" },
		{ HEAD "peer wg\x1b[0m " GOODKEY " online - 1 1 1 1 1 - -\nend 1\n", "line 3: bad interface name" },
		{ HEAD "peer wg0 AAAA online - 1 1 1 1 1 - -\nend 1\n", "line 3: bad public key" },
		{ HEAD "peer wg0 " GOODKEY " up - 1 1 1 1 1 - -\nend 1\n", "line 3: bad state" },
		{ HEAD "peer wg0 " GOODKEY " online -5 1 1 1 1 1 - -\nend 1\n", "line 3: bad duration" },
		{ HEAD "peer wg0 " GOODKEY " online - - 1 1 1 1 - -\nend 1\n", "line 3: bad handshake time" },
		{ HEAD "peer wg0 " GOODKEY " online - 999999999999999999 1 1 1 1 - -\nend 1\n", "line 3: bad handshake time" },
		{ HEAD "peer wg0 " GOODKEY " online - 1 1 x 1 1 - -\nend 1\n", "line 3: bad duration" },
		{ HEAD "peer wg0 " GOODKEY " online - 1 1 1 18446744073709551616 1 - -\nend 1\n", "line 3: bad byte counter" },
		{ HEAD P1 "1 1 - a\"b\nend 1\n", "line 3: bad endpoint" },
		{ HEAD "peer wg0 " GOODKEY " online - 0 - - 1 1 - -\nend 1\n", "line 3: state and handshake disagree" },
		{ HEAD "peer wg0 " GOODKEY " never - 5 5 5 1 1 - -\nend 1\n", "line 3: state and handshake disagree" },
		{ HEAD "peer wg0 " GOODKEY " offline 5 5 - 5 1 1 - -\nend 1\n", "line 3: state and handshake disagree" },
		{ HEAD "end 0\r\n", "line 3: bad end line" },
		{ HEAD "end 99999999999999999999999\n", "line 3: bad end line" },
		{ HEAD "end 18446744073709551615\n", "line 3: the end line counts 18446744073709551615 peers, the file has 0" },
		/* one peer twice: whichever line would win, the file is wrong */
		{ HEAD PEER "peer wg1 " GOODKEY " offline 712000 0 - - 0 0 - -\n" PEER "end 3\n",
		  "line 5: a second line for the peer of line 3" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct saved_state st;
		char err[256] = "";
		CHECK_INT(parse(bad[i].text, strlen(bad[i].text), &st, err, sizeof(err)), -EBADMSG);
		CHECK_CONTAINS(err, bad[i].why);
		CHECK(st.n == 0 && st.peers == NULL);
	}
	/* A NUL inside a line. */
	static const char nul[] = HEAD "peer wg0\0 x\nend 0\n";
	struct saved_state st;
	char err[256];
	CHECK_INT(parse(nul, sizeof(nul) - 1, &st, err, sizeof(err)), -EBADMSG);
	CHECK_CONTAINS(err, "line 3: NUL byte");
	/* The good ones: an offline peer without a handshake (offline since before a reboot),
	 * the same key on another interface. */
	static const char good[] = HEAD PEER
		"peer wg1 " GOODKEY " offline 712000 0 - - 0 0 - -\n" "end 2\n";
	CHECK_INT(parse(good, sizeof(good) - 1, &st, err, sizeof(err)), 0);
	CHECK_INT(st.n, 2);
	CHECK_STR(st.peers[0].endpoint, "1.2.3.4:5");
	CHECK_INT(st.peers[1].state, PEER_OFFLINE);
	CHECK_INT(st.peers[1].since_age_ms, 712000);
	CHECK_STR(st.boot_id, BOOT_A);
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct clocks now = { T0, 5000000 };
	CHECK_INT(peers_restore(t, st.peers, st.n, 0, true, &now), 2);
	struct peer_view v;
	CHECK(peers_view(t, 1, &now, &v) && !peers_view(t, 2, &now, &v));
	peers_free(t);
	saved_state_free(&st);
}

/* Opens name in the test directory as a state file; the result of statefile_open. */
static int open_in(struct statefile *f, const char *name, char *err, size_t n)
{
	char p[PATH_MAX];
	return statefile_open(f, tpath(p, dir, name), err, n);
}

static void test_load_limits(void)
{
	char err[512], other[PATH_MAX];
	struct saved_state st;
	struct statefile f;
	CHECK_INT(open_in(&f, "absent", err, sizeof(err)), 0);
	CHECK_INT(statefile_load(&f, &st, err, sizeof(err)), -ENOENT);
	statefile_close(&f);
	/* Over the size limit: refused from its size, unread. */
	int fd = open(tpath(other, dir, "big"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "wg-monitor-state 1\n", 19) == 19 &&
	      ftruncate(fd, (off_t)STATEFILE_MAX_BYTES + 1) == 0);
	close(fd);
	CHECK_INT(open_in(&f, "big", err, sizeof(err)), 0);
	CHECK_INT(statefile_load(&f, &st, err, sizeof(err)), -EFBIG);
	CHECK_CONTAINS(err, "limit");
	statefile_close(&f);
	unlink(other);
	/* A symlink is refused by the policy, and never followed by a load. */
	CHECK(symlink("/etc/passwd", tpath(other, dir, "link")) == 0);
	CHECK_INT(open_in(&f, "link", err, sizeof(err)), -ELOOP);
	CHECK_CONTAINS(err, "symbolic link");
	CHECK_INT(open_in(&f, "absent", err, sizeof(err)), 0);
	snprintf(f.base, sizeof(f.base), "link");
	CHECK_INT(statefile_load(&f, &st, err, sizeof(err)), -ELOOP);
	statefile_close(&f);
	unlink(other);
}

/* Directory and file ownership: only as root can the test make them someone else's. */
static void test_ownership(void)
{
	char err[512], p[PATH_MAX], sub[PATH_MAX];
	struct statefile f;
	if (geteuid() != 0) {
		fprintf(stderr, "SKIPPED: test_statefile ownership checks (need root to chown)\n");
		return;
	}
	CHECK(mkdir(tpath(sub, dir, "nobodys"), 0700) == 0 && chown(sub, 65534, 65534) == 0);
	CHECK_INT(statefile_open(&f, tpath(p, sub, "state"), err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "is owned by uid 65534, not by root or the running user");
	/* Below a directory someone else owns, even a root-owned one is refused. */
	CHECK(mkdir(tpath(p, sub, "inner"), 0700) == 0);
	char q[PATH_MAX];
	CHECK_INT(statefile_open(&f, tpath(q, p, "state"), err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "is owned by uid 65534");
	/* A file planted by someone else. */
	CHECK(twrite(tpath(p, dir, "planted"), "x") && chown(p, 65534, 65534) == 0);
	CHECK_INT(open_in(&f, "planted", err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "planted\" is owned by uid 65534");
	unlink(p);
	/* A symlink someone else owns, in /tmp say, leads nowhere: not even to a private
	 * directory of ours. */
	CHECK(mkdir(tpath(sub, dir, "mine"), 0700) == 0 && symlink(sub, tpath(p, dir, "evil")) == 0 &&
	      lchown(p, 65534, 65534) == 0);
	CHECK_INT(open_in(&f, "evil/state", err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "evil\" is owned by uid 65534, not by root or the running user");
}

/* DynamicUser's layout (systemd/): StateDirectory= is a root-owned symlink into a root
 * 0700 private/, to a directory of the dynamic uid. Root's status reads it (read
 * policy); nothing else about the walk is relaxed, and root never writes there. */
static void test_dynamic_user_read(void)
{
	char err[512], p[PATH_MAX], q[PATH_MAX], priv[PATH_MAX], svc[PATH_MAX];
	struct statefile f;
	struct saved_state st = { 0 };
	if (geteuid() != 0) {
		fprintf(stderr, "SKIPPED: test_statefile DynamicUser layout (need root to chown)\n");
		return;
	}
	CHECK(mkdir(tpath(priv, dir, "private"), 0700) == 0);
	CHECK(mkdir(tpath(svc, priv, "wg-monitor"), 0700) == 0 && chown(svc, 61234, 61234) == 0);
	CHECK(symlink("private/wg-monitor", tpath(p, dir, "wg-monitor")) == 0);
	CHECK(twrite(tpath(q, svc, "wg0.state"), "wg-monitor-state 1\nwritten 1795643712000 boot "
	             "- 5000000 threshold 60 liveness handshake\nend 0\n") && chown(q, 61234, 61234) == 0);
	tpath(q, p, "wg0.state");
	CHECK_INT(statefile_open(&f, q, err, sizeof(err)), -EPERM); /* never to write */
	CHECK_CONTAINS(err, "is owned by uid 61234");
	CHECK_INT(statefile_open_read(&f, q, err, sizeof(err)), 0);
	CHECK_INT(statefile_load(&f, &st, err, sizeof(err)), 0);
	CHECK_INT(st.rule.threshold, 60);
	CHECK_INT(statefile_in_use(&f), 0);
	statefile_close(&f);
	saved_state_free(&st);
	/* Only the file's own directory may be someone else's, and only without group or
	 * other write; the file must still be a regular file. */
	CHECK(mkdir(tpath(p, svc, "inner"), 0700) == 0);
	CHECK_INT(statefile_open_read(&f, tpath(q, p, "state"), err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "is owned by uid 61234");
	CHECK(chmod(svc, 0770) == 0);
	CHECK_INT(statefile_open_read(&f, tpath(q, svc, "wg0.state"), err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "writable by others");
	CHECK(chmod(svc, 0700) == 0 && symlink("wg0.state", tpath(q, svc, "link.state")) == 0);
	CHECK_INT(statefile_open_read(&f, q, err, sizeof(err)), -ELOOP);
}

static void test_path_and_lock(void)
{
	char err[512], p[PATH_MAX], sub[PATH_MAX];
	struct statefile f, g;
	CHECK_INT(statefile_open(&f, "/tmp/state", err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "directory \"/tmp\" is writable by others");
	CHECK_INT(open_in(&f, "nodir/state", err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "nodir\": No such file or directory (the directory must exist)");
	/* Whatever a typo names is never replaced: only an empty file or a state file. */
	CHECK(twrite(tpath(p, dir, "wg0.conf"), "[Interface]\nPrivateKey = x\n"));
	CHECK_INT(open_in(&f, "wg0.conf", err, sizeof(err)), -EEXIST);
	CHECK_CONTAINS(err, "is not a wg-monitor state file; not replacing it");
	CHECK(twrite(p, ""));
	CHECK_INT(open_in(&f, "wg0.conf", err, sizeof(err)), 0);
	statefile_close(&f);
	unlink(p);
	/* A symlink of ours on the way is followed, and its target checked like the rest. */
	CHECK(mkdir(tpath(sub, dir, "real"), 0700) == 0 && symlink("real", tpath(p, dir, "alias")) == 0);
	CHECK_INT(open_in(&f, "alias/state", err, sizeof(err)), 0);
	statefile_close(&f);
	CHECK(symlink("/tmp", tpath(p, dir, "totmp")) == 0);
	CHECK_INT(open_in(&f, "totmp/state", err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "writable by others");
	CHECK(mkdir(tpath(sub, dir, "adir"), 0700) == 0);
	CHECK_INT(open_in(&f, "adir", err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "not a regular file");
	CHECK(mkdir(tpath(sub, dir, "group"), 0770) == 0 && chmod(sub, 0770) == 0);
	CHECK_INT(open_in(&f, "group/state", err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "writable by others");
	/* A sticky world-writable directory above a private one is fine (/tmp itself). */
	CHECK(mkdir(tpath(sub, dir, "sticky"), 0700) == 0 && chmod(sub, 01777) == 0);
	CHECK(mkdir(tpath(p, sub, "private"), 0700) == 0);
	CHECK_INT(open_in(&f, "sticky/private/state", err, sizeof(err)), 0);
	statefile_close(&f);
	CHECK_INT(open_in(&f, "sticky/state", err, sizeof(err)), -EPERM);
	CHECK_INT(statefile_open(&f, "bad\nname", err, sizeof(err)), -EINVAL);
	char longname[300];
	memset(longname, 'a', 252);
	longname[252] = '\0';
	CHECK_INT(open_in(&f, longname, err, sizeof(err)), -ENAMETOOLONG);
	/* The lock: a second holder is refused; status can see it held without taking it. */
	CHECK_INT(statefile_in_use(&sf), 0);
	CHECK_INT(statefile_lock(&sf, err, sizeof(err)), 0);
	CHECK_INT(open_in(&g, "state", err, sizeof(err)), 0);
	CHECK_INT(statefile_in_use(&g), 1);
	CHECK_INT(statefile_lock(&g, err, sizeof(err)), -EWOULDBLOCK);
	CHECK_CONTAINS(err, "in use by another wg-monitor");
	close(sf.lockfd);
	sf.lockfd = -1;
	CHECK_INT(statefile_in_use(&g), 0);
	CHECK_INT(statefile_lock(&g, err, sizeof(err)), 0);
	statefile_close(&g);
	/* The directory is held open: renaming its path away and putting another directory
	 * in its place does not redirect the save. */
	CHECK(mkdir(tpath(sub, dir, "held"), 0700) == 0);
	CHECK_INT(open_in(&f, "held/state", err, sizeof(err)), 0);
	char moved[PATH_MAX];
	CHECK(rename(sub, tpath(moved, dir, "moved")) == 0 && mkdir(sub, 0700) == 0);
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct clocks now = { T0, 5000000 };
	struct saved_rule rule = rule_of(&c);
	CHECK_INT(statefile_save(&f, t, &rule, &now, BOOT_A, err, sizeof(err)), 0);
	CHECK(texists(tpath(p, moved, "state")) && !texists(tpath(p, sub, "state")));
	/* A save into a directory that went away fails with a reason. */
	CHECK(unlink(tpath(p, moved, "state")) == 0 && rmdir(moved) == 0);
	CHECK(statefile_save(&f, t, &rule, &now, BOOT_A, err, sizeof(err)) == -ENOENT);
	CHECK_CONTAINS(err, "cannot create");
	statefile_close(&f);
	peers_free(t);
}

struct state_said {
	size_t failed, recovered;
	char msg[700];
};

static void said_state(void *ctx, const struct event *ev)
{
	struct state_said *s = ctx;
	s->failed += ev->type == EV_STATE_WRITE_FAILED;
	s->recovered += ev->type == EV_STATE_WRITE_RECOVERED;
	if (ev->type == EV_STATE_WRITE_FAILED)
		snprintf(s->msg, sizeof(s->msg), "%s", ev->error.message);
}

/* The save at stop, as the daemon's last stats line asks for it. */
static void stop_save(struct sink_state *ss)
{
	struct event ev = event_new(EV_STATS, T0, NULL);
	ev.stats.stopping = true;
	sink_state_event(ss, &ev);
}

static void remove_held(const char *sub)
{
	char p[PATH_MAX];
	unlink(tpath(p, sub, "state"));
	unlink(tpath(p, sub, "state.lock"));
	CHECK_INT(rmdir(sub), 0);
}

/* The state directory removed and made again while the daemon runs: the save walks the
 * path again (with the lock), at once when it is back, else once it is; a directory at
 * state.tmp is named as what blocks every save. */
static void test_directory_recreated(void)
{
	char err[512], sub[PATH_MAX], p[PATH_MAX];
	struct statefile f, g;
	struct state_said said = { 0 };
	struct sink_state ss;
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct saved_rule rule = rule_of(&c);
	CHECK(mkdir(tpath(sub, dir, "again"), 0700) == 0);
	tpath(p, sub, "state");
	CHECK_INT(statefile_open(&f, p, err, sizeof(err)), 0);
	CHECK_INT(statefile_lock(&f, err, sizeof(err)), 0);
	sink_state_init(&ss, &f, t, &rule, p, said_state, &said);
	remove_held(sub);
	CHECK(mkdir(sub, 0700) == 0);
	stop_save(&ss);
	CHECK_INT(said.failed, 0);
	CHECK(texists(p));
	CHECK_INT(statefile_open(&g, p, err, sizeof(err)), 0);
	CHECK_INT(statefile_in_use(&g), 1); /* the lock was taken in the new directory */
	statefile_close(&g);
	remove_held(sub);
	stop_save(&ss);
	CHECK_INT(said.failed, 1);
	CHECK_CONTAINS(said.msg, "No such file or directory");
	CHECK(mkdir(sub, 0700) == 0);
	stop_save(&ss);
	CHECK_INT(said.recovered, 1);
	CHECK(texists(p));
	/* what unlink cannot clear away */
	char tmp[PATH_MAX];
	CHECK(mkdir(tpath(tmp, sub, "state.tmp"), 0700) == 0);
	struct clocks now = { T0, 5000000 };
	CHECK_INT(statefile_save(&f, t, &rule, &now, BOOT_A, err, sizeof(err)), -EISDIR);
	CHECK_CONTAINS(err, "state.tmp\" is a directory, which blocks every save of the state "
	               "file: remove it");
	CHECK_INT(rmdir(tmp), 0);
	statefile_close(&f);
	peers_free(t);
}

/* A restart on a healthy peer: nothing but peer_initial. */
static void test_restart_quiet(void)
{
	struct peers_config c = { .threshold_ms = 60 * S, .interval_ms = 5 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 10 * S, 100);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	for (int i = 1; i <= 12; i++) { /* 60 s of traffic, no new handshake */
		now.real_ms += 5 * S;
		now.mono_ms += 5 * S;
		s.devs[0].peers[0].rx_bytes += 100;
		CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	}
	CHECK_INT(find(t, 1)->state, PEER_ONLINE);
	CHECK(peers_changes(t) > 0);
	/* Down for 20 s (monotonic clock reset: a reboot of the monitor's host clock). */
	struct clocks later = { now.real_ms + 20 * S, 1000 };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	s.devs[0].peers[0].rx_bytes += 300;
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	CHECK_INT(r2.state[0], PEER_ONLINE);
	CHECK_INT(r2.state_for[0], -1); /* online since before the first start: unknown */
	/* Without the state file the handshake (90 s old) alone would say offline. */
	CHECK_INT(find(t2, 1)->state, PEER_ONLINE);
	CHECK_INT(peers_changes(t2), 0); /* nothing worth an immediate save */
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* offline_for counts from before the restart; a restart while offline says for how long. */
static void test_restart_offline_for(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 100 * S, 100);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	now.real_ms += 100 * S;
	now.mono_ms += 100 * S;
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK(find_ev(&r, EV_PEER_OFFLINE, 1) >= 0); /* went offline at T0 + 80 s */
	/* Restart 1000 s later, still offline. */
	struct clocks later = { now.real_ms + 1000 * S, 42 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	CHECK_INT(r2.state[0], PEER_OFFLINE);
	CHECK_INT(r2.state_for[0], 1020); /* T0+1100 - (T0+80) */
	/* Another restart, and the peer is back with a new handshake. */
	struct clocks later2 = { later.real_ms + 500 * S, 7 * S };
	struct peer_table *t3 = restart(t2, &c, &later, &later2);
	s.devs[0].peers[0].last_handshake_sec = (later2.real_ms - 5 * S) / S;
	struct rec r3 = { 0 };
	CHECK_INT(peers_update(t3, &s, &later2, rec_event, &r3), 0);
	/* First the saved state (what a log reader needs to follow), then the change. */
	long on = find_ev(&r3, EV_PEER_ONLINE, 1), in = find_ev(&r3, EV_PEER_INITIAL, 1);
	CHECK(in >= 0 && on > in);
	if (on >= 0)
		CHECK_INT(r3.offline_for[on], 1520);
	if (in >= 0) {
		CHECK_INT(r3.state[in], PEER_OFFLINE);
		CHECK_INT(r3.state_for[in], 1520);
	}
	CHECK(peers_changes(t3) > 0);
	peers_free(t3);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* The interface was re-created meanwhile (a reboot): handshakes and counters are 0. */
static void test_restart_reboot(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 500 * S, 1000); /* offline since T0 - 320 s */
	put(&s, "wg0", 2, T0 - 5 * S, 1000);   /* online */
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks boot = { T0 + 600 * S, 30 * S };
	struct peer_table *t2 = restart(t, &c, &now, &boot);
	struct wg_snapshot z = { 0 };
	put(&z, "wg0", 1, 0, 0);
	put(&z, "wg0", 2, 0, 0);
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &z, &boot, rec_event, &r2), 0);
	CHECK_INT(r2.n, 2); /* two peer_initial, no removed/added, no transition */
	CHECK_INT(rec_count(&r2, EV_PEER_INITIAL), 2);
	CHECK_INT(find(t2, 1)->state, PEER_OFFLINE);
	CHECK_INT(find(t2, 2)->state, PEER_NEVER);
	long i1 = find_ev(&r2, EV_PEER_INITIAL, 1);
	if (i1 >= 0)
		CHECK_INT(r2.state_for[i1], 920);
	/* Peer 1 handshakes after the boot: online, offline since before it. */
	struct clocks on = { boot.real_ms + 60 * S, boot.mono_ms + 60 * S };
	z.devs[0].peers[0].last_handshake_sec = (on.real_ms - 2 * S) / S;
	struct rec r3 = { 0 };
	CHECK_INT(peers_update(t2, &z, &on, rec_event, &r3), 0);
	long o = find_ev(&r3, EV_PEER_ONLINE, 1);
	CHECK(o >= 0);
	if (o >= 0)
		CHECK_INT(r3.offline_for[o], 980);
	CHECK_INT(rec_count(&r3, EV_PEER_REMOVED), 0);
	wg_snapshot_clear(&z);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* A reported handshake_failing episode survives the restart: no second warning, and the
 * reason is still there (what status shows). */
static void test_restart_failing(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 5 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, 0, 0);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	for (int i = 0; i < 5; i++) {
		now.real_ms += 5 * S;
		now.mono_ms += 5 * S;
		s.devs[0].peers[0].rx_bytes += 148; /* initiations, no session */
		CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	}
	CHECK_INT(rec_count(&r, EV_HANDSHAKE_FAILING), 1);
	CHECK(find(t, 1)->failing_age_ms >= 0);
	struct clocks later = { now.real_ms + 10 * S, 99 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	struct rec r2 = { 0 };
	for (int i = 0; i < 5; i++) {
		s.devs[0].peers[0].rx_bytes += 148;
		CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
		later.real_ms += 5 * S;
		later.mono_ms += 5 * S;
	}
	CHECK_INT(rec_count(&r2, EV_HANDSHAKE_FAILING), 0);
	CHECK(find(t2, 1)->failing_age_ms >= 0);
	CHECK_INT(find(t2, 1)->state, PEER_NEVER);
	/* A completed handshake ends the episode, and is a change worth saving. */
	uint64_t before = peers_changes(t2);
	s.devs[0].peers[0].last_handshake_sec = later.real_ms / S;
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK(find(t2, 1)->failing_age_ms < 0);
	CHECK(peers_changes(t2) > before);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Saved peers that are gone are forgotten without an event: at once when their interface
 * is read without them, after 5 minutes when the interface is absent or unreadable. */
static void test_restart_forget(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 5 * S, 1);
	put(&s, "wg0", 2, T0 - 5 * S, 1);
	put(&s, "wg1", 3, T0 - 5 * S, 1);
	put(&s, "wg2", 4, T0 - 5 * S, 1);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks later = { now.real_ms + 10 * S, 10 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	struct wg_snapshot s2 = { 0 };
	put(&s2, "wg0", 1, T0 - 5 * S, 1);           /* peer 2 was removed meanwhile */
	struct wg_device *d = wg_snapshot_add_device(&s2, "wg2");
	d->error = -EACCES;                          /* wg2 unreadable; wg1 absent */
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s2, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 2);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	/* peer 2, removed while wg-monitor was away, leaves the table announced */
	CHECK_INT(r2.type[1], EV_PEER_REMOVED);
	CHECK_INT(r2.key0[1], 2);
	CHECK_INT(r2.removal[1], RM_FORGOTTEN);
	CHECK(find(t2, 1) && !find(t2, 2) && find(t2, 3) && find(t2, 4));
	CHECK(find(t2, 3)->restored && find(t2, 4)->restored);
	later.mono_ms += 301 * S;
	later.real_ms += 301 * S;
	CHECK_INT(peers_update(t2, &s2, &later, rec_event, &r2), 0);
	CHECK(!find(t2, 3) && !find(t2, 4)); /* not seen for 5 minutes: forgotten */
	int forgotten = 0;
	for (size_t i = 2; i < r2.n; i++)
		forgotten += r2.type[i] == EV_PEER_REMOVED && r2.removal[i] == RM_FORGOTTEN &&
		             (r2.key0[i] == 3 || r2.key0[i] == 4);
	CHECK_INT(forgotten, 2);
	d->error = 0;
	put(&s2, "wg2", 4, T0 - 5 * S, 1);
	CHECK_INT(peers_update(t2, &s2, &later, rec_event, &r2), 0);
	CHECK(find(t2, 4) && !find(t2, 4)->restored); /* a new peer again */
	CHECK_INT(rec_count(&r2, EV_PEER_INITIAL), 2);
	CHECK_INT(rec_count(&r2, EV_PEER_REMOVED), 3); /* all reason=forgotten */
	CHECK_INT(rec_count(&r2, EV_PEER_ADDED), 0);
	CHECK_INT(rec_count(&r2, EV_INTERFACE_REMOVED), 0);
	wg_snapshot_clear(&s2);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* The rx rule carries over the restart: bytes received since the save, while the saved
 * session could carry them, count; none, and the real outage is still reported. */
static void test_restart_activity(void)
{
	struct peers_config c = { .threshold_ms = 60 * S, .interval_ms = 5 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 50 * S, 500);
	put(&s, "wg0", 2, T0 - 50 * S, 500);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	now.real_ms += 5 * S;
	now.mono_ms += 5 * S;
	s.devs[0].peers[0].rx_bytes += 64;
	s.devs[0].peers[1].rx_bytes += 64;
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks later = { now.real_ms + 30 * S, 3 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	s.devs[0].peers[0].rx_bytes += 64; /* peer 1 talked meanwhile, peer 2 did not */
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_OFFLINE), 0);
	CHECK_INT(find(t2, 1)->state, PEER_ONLINE);
	CHECK_INT(find(t2, 1)->heard_ms, later.real_ms);
	CHECK_INT(find(t2, 2)->state, PEER_ONLINE); /* heard 35 s ago */
	later.real_ms += 31 * S;
	later.mono_ms += 31 * S;
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_OFFLINE), 1); /* peer 2: not heard for 61 s */
	CHECK_INT(find(t2, 2)->state, PEER_OFFLINE);
	later.real_ms += 35 * S;
	later.mono_ms += 35 * S;
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_OFFLINE), 2); /* peer 1: not heard for 66 s */
	wg_snapshot_clear(&s);
	peers_free(t2);
	peers_free(t);
}

/* The wall clock stepped back between save and restart (a router without an RTC before
 * NTP): no time passed, as far as the restore is concerned; no transition either way. */
static void test_restart_clock_back(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 1000 * S, 1);  /* offline */
	put(&s, "wg0", 2, T0 - 10 * S, 1);    /* online */
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks back = { T0 - 3600 * S, 20 * S };
	struct peer_table *t2 = restart(t, &c, &now, &back);
	struct rec r2 = { 0 };
	for (int i = 0; i < 6; i++) { /* 150 s */
		CHECK_INT(peers_update(t2, &s, &back, rec_event, &r2), 0);
		back.real_ms += 30 * S;
		back.mono_ms += 30 * S;
	}
	CHECK_INT(r2.n, 2);
	CHECK_INT(rec_count(&r2, EV_PEER_INITIAL), 2);
	long i1 = find_ev(&r2, EV_PEER_INITIAL, 1);
	if (i1 >= 0)
		CHECK_INT(r2.state_for[i1], 820); /* at least what it was at the save */
	CHECK_INT(find(t2, 2)->state, PEER_ONLINE);
	back.real_ms += 30 * S; /* 10 s before the save, plus 180 s since: offline now */
	back.mono_ms += 30 * S;
	CHECK_INT(peers_update(t2, &s, &back, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_OFFLINE), 1);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* The wall clock stepped forward between save and restart in the same boot (NTP on a
 * router that saved while its clock said 1970): the boot's own clock says how long the
 * daemon was away, so no false offline. */
static void test_restart_clock_forward(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { 100 * S, 60 * S }; /* 1970 */
	put(&s, "wg0", 1, 90 * S, 1);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks later = { T0, 70 * S };   /* NTP, 10 s later */
	struct peer_table *t2 = restart(t, &c, &now, &later);
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	CHECK_INT(find(t2, 1)->state, PEER_ONLINE);
	if (r2.n)
		CHECK_INT(r2.handshake_age[0], 20);
	/* And a save made then is whole and restorable (no instant before 1970 lost). */
	struct saved_state st;
	save_load(t, &c, &now, &st);
	CHECK_INT(st.n, 1);
	saved_state_free(&st);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* The file keeps the daemon's view of a handshake's age, not WireGuard's stamp: a stamp
 * made while the clock was an hour slow is not an hour old after a restart. */
static void test_restart_stamp_skew(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 5 * S,
	                          .liveness = LIVENESS_HANDSHAKE };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 10 * S, 1);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	now.real_ms += 3600 * S + 5 * S; /* NTP steps the clock an hour forward */
	now.mono_ms += 5 * S;
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK_INT(rec_count(&r, EV_PEER_OFFLINE), 0);
	struct clocks later = { now.real_ms + 5 * S, 9 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_OFFLINE), 0);
	CHECK_INT(find(t2, 1)->state, PEER_ONLINE);
	if (r2.n)
		CHECK_INT(r2.handshake_age[0], 20);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* A peer whose peer_initial was still deferred is not saved (its state was never
 * logged), so a restart judges it afresh; peers_count ignores restored peers until a
 * poll sees them; an endpoint unknown at the save is no roaming when learnt. */
static void test_restart_details(void)
{
	struct peers_config c = { .threshold_ms = 60 * S, .interval_ms = 5 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 100 * S, 1);  /* offline by handshake, session possible */
	put(&s, "wg0", 2, T0 - 10 * S, 1);   /* online, no endpoint yet */
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK_INT(rec_count(&r, EV_PEER_INITIAL), 1); /* peer 1 deferred */
	struct clocks later = { now.real_ms + 5 * S, 8 * S };
	struct saved_state st;
	save_load(t, &c, &now, &st);
	CHECK_INT(st.n, 1);
	struct peer_table *t2 = peers_new(&c);
	CHECK_INT(peers_restore(t2, st.peers, st.n, statefile_elapsed_ms(&st, &later, BOOT_B), true,
	                        &later), 1);
	saved_state_free(&st);
	CHECK_INT(peers_count(t2, NULL).peers, 0);
	ep_set(&s.devs[0].peers[1].endpoint, "192.0.2.1:51820");
	s.devs[0].peers[0].rx_bytes += 500; /* peer 1 is busy */
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(rec_count(&r2, EV_ENDPOINT_CHANGED), 0);
	CHECK_INT(rec_count(&r2, EV_PEER_ONLINE), 0);
	CHECK_INT(peers_count(t2, NULL).peers, 2);
	CHECK_STR(find(t2, 2)->endpoint, "192.0.2.1:51820");
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Another threshold or liveness than at the save: each peer is re-judged quietly under
 * the new rule and peer_initial says the result, instead of a transition nothing caused. */
static void test_restart_rule_changed(void)
{
	struct peers_config c = { .threshold_ms = 600 * S, .interval_ms = 30 * S };
	struct peers_config c2 = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 400 * S, 1);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK_INT(find(t, 1)->state, PEER_ONLINE);
	struct clocks later = { now.real_ms + 10 * S, 8 * S };
	struct peer_table *t2 = restart2(t, &c, &c2, &now, &later);
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	CHECK_INT(r2.state[0], PEER_OFFLINE);
	CHECK(peers_changes(t2) > 0);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* boringtun omits the handshake without a session: after a reboot only its counters,
 * back near zero, tell that the interface was re-created. */
static void test_restart_reset_unknown(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 10 * S, 100000);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks boot = { now.real_ms + 600 * S, 20 * S };
	struct peer_table *t2 = restart(t, &c, &now, &boot);
	struct wg_peer *w = &s.devs[0].peers[0];
	w->hs_kind = WG_HS_UNKNOWN;
	w->last_handshake_sec = 0;
	w->rx_bytes = 0;
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &boot, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.type[0], EV_PEER_INITIAL);
	CHECK_INT(r2.state[0], PEER_NEVER);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Offline at the save, a handshake while wg-monitor was away, offline again at the
 * restart: offline since that handshake's threshold, not since the saved crossing. */
static void test_restart_online_meanwhile(void)
{
	struct peers_config c = { .threshold_ms = 60 * S, .interval_ms = 5 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	put(&s, "wg0", 1, T0 - 500 * S, 1);
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	struct clocks later = { now.real_ms + 1000 * S, 7 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	s.devs[0].peers[0].last_handshake_sec = (later.real_ms - 100 * S) / S;
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	CHECK_INT(r2.n, 1);
	CHECK_INT(r2.state[0], PEER_OFFLINE);
	CHECK_INT(r2.state_for[0], 40);
	s.devs[0].peers[0].last_handshake_sec = later.real_ms / S;
	later.real_ms += 5 * S;
	later.mono_ms += 5 * S;
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	long on = find_ev(&r2, EV_PEER_ONLINE, 1);
	CHECK(on > 0);
	if (on > 0)
		CHECK_INT(r2.offline_for[on], 45);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* Second-review cases: the peek judges with the peer's keepalive (renewal grace); a reboot
 * with a rule change keeps an offline peer offline since it went; an interface read
 * with no peers yet (wg-quick between creating it and configuring it) forgets nobody. */
static void test_restart_review2(void)
{
	struct peers_config c = { .threshold_ms = 180 * S, .interval_ms = 30 * S };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct clocks now = { T0, 5000000 };
	struct wg_peer *w = put(&s, "wg0", 1, T0 - 4000 * S, 1);
	w->persistent_keepalive = 25; /* grace: 165 + 25 + 6 = 196 s */
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK_INT(find(t, 1)->state, PEER_OFFLINE);
	/* Stopped; meanwhile a handshake 190 s before the restart: within the grace. */
	struct clocks later = { now.real_ms + 400 * S, now.mono_ms + 400 * S };
	struct peer_table *t2 = restart(t, &c, &now, &later);
	s.devs[0].peers[0].last_handshake_sec = (later.real_ms - 190 * S) / S;
	struct rec r2 = { 0 };
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r2), 0);
	long on = find_ev(&r2, EV_PEER_ONLINE, 1);
	CHECK(on > 0);
	if (on > 0)
		CHECK(r2.offline_for[on] > 4000); /* since the saved crossing, not 10 s */
	peers_free(t2);
	/* Reboot and another threshold: an offline peer without a handshake stays offline. */
	struct peers_config c2 = { .threshold_ms = 240 * S, .interval_ms = 30 * S };
	struct clocks boot = { now.real_ms + 600 * S, 20 * S };
	t2 = restart2(t, &c, &c2, &now, &boot);
	struct wg_snapshot z = { 0 };
	put(&z, "wg0", 1, 0, 0);
	struct rec r3 = { 0 };
	CHECK_INT(peers_update(t2, &z, &boot, rec_event, &r3), 0);
	CHECK_INT(r3.n, 1);
	CHECK_INT(r3.state[0], PEER_OFFLINE);
	CHECK(r3.state_for[0] > 4000);
	peers_free(t2);
	/* The interface first read empty: the saved peer is kept, and resumed when listed. */
	t2 = restart(t, &c, &now, &later);
	struct wg_snapshot e = { 0 };
	wg_snapshot_add_device(&e, "wg0");
	struct rec r4 = { 0 };
	CHECK_INT(peers_update(t2, &e, &later, rec_event, &r4), 0);
	CHECK(find(t2, 1) && find(t2, 1)->restored);
	CHECK_INT(peers_update(t2, &s, &later, rec_event, &r4), 0);
	CHECK_INT(rec_count(&r4, EV_PEER_ADDED), 0);
	long in = find_ev(&r4, EV_PEER_INITIAL, 1);
	CHECK(in >= 0);
	if (in >= 0)
		CHECK_INT(r4.state[in], PEER_OFFLINE);
	wg_snapshot_clear(&e);
	wg_snapshot_clear(&z);
	peers_free(t2);
	wg_snapshot_clear(&s);
	peers_free(t);
}

TEST_MAIN(setup, test_roundtrip, test_parse_hostile, test_load_limits, test_ownership,
          test_dynamic_user_read, test_path_and_lock, test_directory_recreated,
          test_restart_quiet, test_restart_offline_for, test_restart_reboot,
          test_restart_failing, test_restart_forget, test_restart_activity,
          test_restart_clock_back, test_restart_stamp_skew, test_restart_details,
          test_restart_rule_changed, test_restart_reset_unknown,
          test_restart_online_meanwhile, test_restart_clock_forward, test_restart_review2,
          teardown)
