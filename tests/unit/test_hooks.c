// SPDX-License-Identifier: MIT
/* Hooks (SPEC §11) without a loop: the queue's order, bound and grace; the environment
 * and stdin a hook is given; the event list; the program check; the /metrics counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hook_exec.h"
#include "hook_queue.h"
#include "sink_hooks.h"
#include "sink_metrics.h"
#include "tmpdir.h"

static struct hook_job job(enum event_type t, const char *ifname, uint8_t key, uint64_t seq,
                           int64_t due)
{
	struct hook_job j = { .ev = event_new(t, 1700000000000, ifname), .seq = seq, .due = due };
	memset(j.ev.peer.v.key, key, WG_KEY_LEN);
	snprintf(j.ev.peer.v.ifname, sizeof(j.ev.peer.v.ifname), "%s", ifname);
	return j;
}

static struct hook_queue q;

/* One peer's jobs one at a time and in order; others pass them. */
static void test_queue_order(void)
{
	memset(&q, 0, sizeof(q));
	struct hook_job a1 = job(EV_PEER_OFFLINE, "wg0", 1, 1, 0), a2 = job(EV_PEER_ONLINE, "wg0",
	                     1, 2, 0), b1 = job(EV_PEER_OFFLINE, "wg0", 2, 3, 0),
	                c1 = job(EV_PEER_OFFLINE, "wg1", 1, 4, 0), out;
	CHECK_INT(hook_queue_push(&q, &a1, 0), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &a2, 0), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &b1, 0), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &c1, 0), HQ_QUEUED); /* same key, other interface */
	const struct event *run[4];
	struct hook_job r1, r2;
	CHECK_INT(hook_queue_pick(&q, 0, run, 0), 0);
	hook_queue_take(&q, 0, &r1);
	CHECK_INT(r1.seq, 1);
	run[0] = &r1.ev;
	/* a2 waits for a1 to end; b1 and c1 may start */
	CHECK_INT(hook_queue_pick(&q, 0, run, 1), 1);
	hook_queue_take(&q, 1, &r2);
	CHECK_INT(r2.seq, 3);
	run[1] = &r2.ev;
	CHECK_INT(hook_queue_pick(&q, 0, run, 2), 1);   /* c1 */
	CHECK_INT(hook_queue_pick(&q, 0, run + 1, 1), 0); /* a1 ended: a2 */
	hook_queue_take(&q, 0, &out);
	CHECK_INT(out.seq, 2);
	CHECK_INT(q.n, 1);
}

static void test_queue_bound(void)
{
	memset(&q, 0, sizeof(q));
	for (uint64_t i = 0; i < HOOK_QUEUE_MAX; i++) {
		struct hook_job j = job(EV_PEER_ADDED, "wg0", (uint8_t)i, i + 1, 0);
		CHECK_INT(hook_queue_push(&q, &j, 0), HQ_QUEUED);
	}
	struct hook_job more = job(EV_PEER_ADDED, "wg0", 200, 99, 0);
	CHECK_INT(hook_queue_push(&q, &more, 0), HQ_FULL);
	CHECK_INT(q.n, HOOK_QUEUE_MAX);
	CHECK_INT(q.jobs[HOOK_QUEUE_MAX - 1].seq, HOOK_QUEUE_MAX);
}

/* A change that flips back inside its grace cancels both; one past its grace does not. */
static void test_queue_grace(void)
{
	memset(&q, 0, sizeof(q));
	struct hook_job off = job(EV_PEER_OFFLINE, "wg0", 1, 1, 5000),
	                fail = job(EV_HANDSHAKE_FAILING, "wg0", 1, 2, 1000),
	                on = job(EV_PEER_ONLINE, "wg0", 1, 3, 6000),
	                other = job(EV_PEER_ONLINE, "wg0", 2, 4, 6000);
	const struct event *none[1];
	CHECK_INT(hook_queue_push(&q, &off, 1000), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &fail, 1000), HQ_QUEUED);
	CHECK_INT(hook_queue_next_due(&q, 1000), 5000);
	CHECK_INT(hook_queue_pick(&q, 1000, none, 0), SIZE_MAX); /* failing waits behind off */
	CHECK_INT(hook_queue_push(&q, &other, 2000), HQ_QUEUED); /* another peer: no cancel */
	CHECK_INT(hook_queue_push(&q, &on, 2000), HQ_CANCELLED);
	CHECK_INT(q.n, 2);
	CHECK_INT(q.jobs[0].seq, 2);
	CHECK_INT(q.jobs[1].seq, 4);
	/* past its grace a change stays, and the next one queues behind it */
	memset(&q, 0, sizeof(q));
	CHECK_INT(hook_queue_push(&q, &off, 1000), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &on, 5000), HQ_QUEUED);
	CHECK_INT(hook_queue_pick(&q, 5000, none, 0), 0);
	CHECK_INT(hook_queue_next_due(&q, 5000), 6000);
	/* the same change twice is no flap */
	memset(&q, 0, sizeof(q));
	struct hook_job off2 = job(EV_PEER_OFFLINE, "wg0", 1, 5, 7000);
	CHECK_INT(hook_queue_push(&q, &off, 1000), HQ_QUEUED);
	CHECK_INT(hook_queue_push(&q, &off2, 2000), HQ_QUEUED);
	CHECK(hook_graced(EV_PEER_ONLINE) && !hook_graced(EV_PEER_ADDED));
}

static const char *env_get(const struct hook_env *e, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; e->envp[i]; i++)
		if (strncmp(e->envp[i], name, len) == 0 && e->envp[i][len] == '=')
			return e->envp[i] + len + 1;
	return NULL;
}

static struct hook_env env;

static void test_env(void)
{
	struct hook_job j = job(EV_PEER_OFFLINE, "wg0", 0xab, 7, 0);
	struct peer_view *v = &j.ev.peer.v;
	snprintf(v->name, sizeof(v->name), "Ali\x1b[31mce \xe2\x80\xae");
	snprintf(v->endpoint, sizeof(v->endpoint), "192.0.2.1:51820");
	v->state = PEER_OFFLINE;
	v->handshake_ms = 1700000000000;
	v->handshake_age_ms = 200500;
	v->heard_ms = 1700000100000;
	v->session_ms = -1;
	hook_env_build(&env, &j.ev, 7);
	size_t n = 0;
	while (env.envp[n])
		n++;
	CHECK_INT(n, HOOK_ENV_VARS);
	CHECK_STR(env.envp[0], "PATH=/usr/bin:/usr/sbin:/bin:/sbin");
	CHECK_STR(env_get(&env, "WG_MONITOR_EVENT"), "peer_offline");
	CHECK_STR(env_get(&env, "WG_MONITOR_INTERFACE"), "wg0");
	CHECK_STR(env_get(&env, "WG_MONITOR_PEER"), "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=");
	CHECK_STR(env_get(&env, "WG_MONITOR_NAME"), "Ali[31mce"); /* ESC and bidi gone */
	CHECK_STR(env_get(&env, "WG_MONITOR_ENDPOINT"), "192.0.2.1:51820");
	CHECK_STR(env_get(&env, "WG_MONITOR_STATE"), "offline");
	CHECK_STR(env_get(&env, "WG_MONITOR_LAST_HANDSHAKE"), "2023-11-14T22:13:20Z");
	CHECK_STR(env_get(&env, "WG_MONITOR_LAST_HEARD"), "1700000100");
	CHECK_STR(env_get(&env, "WG_MONITOR_HANDSHAKE_AGE"), "200");
	CHECK_STR(env_get(&env, "WG_MONITOR_OFFLINE_FOR"), "");
	CHECK_STR(env_get(&env, "WG_MONITOR_SESSION_SECONDS"), "");
	CHECK_STR(env_get(&env, "WG_MONITOR_SESSION_RX_BYTES"), "");
	CHECK_STR(env_get(&env, "WG_MONITOR_SEQ"), "7");
	/* online, with a session and an offline time; never heard: empty */
	j.ev.type = EV_PEER_ONLINE;
	j.ev.peer.offline_for = 42;
	v->session_ms = 61999;
	v->session_rx_bytes = 1000;
	v->session_tx_bytes = UINT64_MAX; /* saturated: unsigned, as in the JSON line */
	v->handshake_ms = v->heard_ms = 0;
	hook_env_build(&env, &j.ev, 8);
	CHECK_STR(env_get(&env, "WG_MONITOR_OFFLINE_FOR"), "42");
	CHECK_STR(env_get(&env, "WG_MONITOR_SESSION_SECONDS"), "61");
	CHECK_STR(env_get(&env, "WG_MONITOR_SESSION_RX_BYTES"), "1000");
	CHECK_STR(env_get(&env, "WG_MONITOR_SESSION_TX_BYTES"), "18446744073709551615");
	CHECK_STR(env_get(&env, "WG_MONITOR_LAST_HANDSHAKE"), "");
	CHECK_STR(env_get(&env, "WG_MONITOR_LAST_HEARD"), "");
	CHECK_STR(env_get(&env, "WG_MONITOR_HANDSHAKE_AGE"), "");
	char in[CHILD_INPUT_MAX];
	size_t len = hook_json(in, sizeof(in), &j.ev);
	CHECK(len > 2 && in[0] == '{' && in[len - 1] == '\n' && in[len - 2] == '}');
	CHECK(memchr(in, '\n', len - 1) == NULL);
	CHECK_CONTAINS(in, "\"event\":\"peer_online\"");
	CHECK_CONTAINS(in, "\"offline_for\":42");
	char exact[CHILD_INPUT_MAX]; /* a line that fills the buffer keeps its newline */
	CHECK_INT(hook_json(exact, len, &j.ev), len);
	CHECK(memcmp(exact, in, len) == 0);
}

static void test_events_parse(void)
{
	uint64_t mask;
	char err[300];
	CHECK_INT(hook_events_parse("peer_online,peer_offline", &mask, err, sizeof(err)), 0);
	CHECK(mask == ((UINT64_C(1) << EV_PEER_ONLINE) | (UINT64_C(1) << EV_PEER_OFFLINE)));
	CHECK_INT(hook_events_parse("handshake_failing, peer_added", &mask, err, sizeof(err)), 0);
	CHECK(mask == ((UINT64_C(1) << EV_HANDSHAKE_FAILING) | (UINT64_C(1) << EV_PEER_ADDED)));
	CHECK_INT(hook_events_parse("peer_online,stats", &mask, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "\"stats\"");
	CHECK_INT(hook_events_parse("hook_failed", &mask, err, sizeof(err)), -EINVAL);
	CHECK_INT(hook_events_parse("peer_status", &mask, err, sizeof(err)), -EINVAL);
	CHECK_INT(hook_events_parse("peer_onlinex", &mask, err, sizeof(err)), -EINVAL);
	CHECK_INT(hook_events_parse("peer_\x1b", &mask, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "\"peer_\x1b\""); /* raw: text_complain escapes it once */
	CHECK_INT(hook_events_parse(",", &mask, err, sizeof(err)), -EINVAL);
	/* every peer event but peer_status and hook_*, wherever the enum puts it */
	for (int t = 0; t < EV__COUNT; t++) {
		bool want = event_about_peer(t) && t != EV_PEER_STATUS &&
		            strncmp(event_name(t), "hook_", 5) != 0;
		CHECK_INT(hook_events_parse(event_name(t), &mask, err, sizeof(err)), want ? 0 : -EINVAL);
	}
}

static void test_check(void)
{
	char dir[PATH_MAX], p[PATH_MAX], err[600];
	CHECK(tdir_make(dir, "/tmp"));
	tpath(p, dir, "hook");
	CHECK(twrite(p, "#!/bin/sh\n"));
	CHECK_INT(chmod(p, 0644), 0);
	CHECK_INT(hook_check(p, err, sizeof(err)), -EACCES); /* not executable (even for root) */
	CHECK_INT(chmod(p, 0755), 0);
	CHECK_INT(hook_check(p, err, sizeof(err)), 0);
	CHECK_INT(chmod(p, 0775), 0);
	CHECK_INT(hook_check(p, err, sizeof(err)), -EPERM);
	CHECK_CONTAINS(err, "writable by group");
	CHECK_INT(chmod(p, 0755), 0);
	CHECK_INT(chmod(dir, 0777), 0);
	CHECK(hook_check(p, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "the hook); keep the hook in");
	CHECK_INT(chmod(dir, 0700), 0);
	/* a link is refused even to a good program: the walk never checked its target */
	char link[PATH_MAX];
	tpath(link, dir, "link");
	CHECK_INT(symlink(p, link), 0);
	CHECK_INT(hook_check(link, err, sizeof(err)), -ELOOP);
	CHECK_CONTAINS(err, "give the program's real path");
	CHECK_INT(unlink(link), 0);
	/* the path is kept raw in the message: the sink escapes it, once */
	tpath(link, dir, "h\xc3");
	CHECK_INT(hook_check(link, err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "h\xc3\"");
	CHECK_INT(hook_check("hook", err, sizeof(err)), -EINVAL);
	CHECK_INT(hook_check(dir, err, sizeof(err)) < 0, 1); /* a directory */
	tdir_remove(dir);
}

static void test_metrics(void)
{
	struct peers_config pc = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&pc);
	struct wg_snapshot snap = { 0 };
	struct sink_metrics m;
	struct hook_totals tot = { .runs = { 5, 2, 1 }, .dropped = 3 };
	sink_metrics_init(&m, t, &snap, NULL, MC_NONE, 30);
	struct clocks now = { 1700000000000, 1000 };
	struct http_buf b = { 0 };
	metrics_render(&m, &now, &b);
	CHECK(b.p && !strstr(b.p, "wg_monitor_hook"));
	http_buf_free(&b);
	m.hooks = &tot;
	metrics_render(&m, &now, &b);
	CHECK_CONTAINS(b.p, "\nwg_monitor_hook_runs_total{result=\"ok\"} 5\n");
	CHECK_CONTAINS(b.p, "\nwg_monitor_hook_runs_total{result=\"failed\"} 2\n");
	CHECK_CONTAINS(b.p, "\nwg_monitor_hook_runs_total{result=\"timeout\"} 1\n");
	CHECK_CONTAINS(b.p, "\nwg_monitor_hooks_dropped_total 3\n");
	http_buf_free(&b);
	sink_metrics_fini(&m);
	peers_free(t);
}

static struct { enum event_type type; uint64_t seq; char detail[EV_HOOK_DETAIL_SIZE]; } seen[200];
static size_t nseen;

static void collect(void *ctx, const struct event *ev)
{
	(void)ctx;
	if (nseen < 200) {
		seen[nseen].type = ev->type;
		seen[nseen].seq = ev->peer.hook.seq;
		snprintf(seen[nseen].detail, sizeof(seen[0].detail), "%s", ev->peer.hook.detail);
		nseen++;
	}
}

static struct sink_hooks sh;

/* The sink without a loop: only chosen events queue, a full queue drops with an event,
 * and what still waits at stop is dropped with one each, never silently. */
static void test_sink_drops(void)
{
	struct hooks_config cfg = { .path = "/bin/true", .timeout_ms = 1000, .max = 2,
	                            .events = UINT64_C(1) << EV_PEER_ADDED };
	sink_hooks_init(&sh, &cfg, collect, NULL);
	nseen = 0;
	for (int i = 0; i < HOOK_QUEUE_MAX + 3; i++) {
		struct hook_job j = job(EV_PEER_ADDED, "wg0", (uint8_t)i, 0, 0);
		sink_hooks_event(&sh, &j.ev);
		j = job(EV_PEER_REMOVED, "wg0", (uint8_t)i, 0, 0); /* not chosen */
		sink_hooks_event(&sh, &j.ev);
	}
	CHECK_INT(nseen, 3);
	CHECK_INT(seen[0].type, EV_HOOK_DROPPED);
	CHECK_INT(seen[0].seq, HOOK_QUEUE_MAX + 1);
	CHECK_CONTAINS(seen[0].detail, "queue full");
	sink_hooks_stop(&sh);
	CHECK_INT(nseen, HOOK_QUEUE_MAX + 3);
	CHECK_INT(seen[3].seq, 1);
	CHECK_CONTAINS(seen[3].detail, "daemon stopped");
	CHECK_INT(sh.totals.dropped, HOOK_QUEUE_MAX + 3);
	struct hook_job late = job(EV_PEER_ADDED, "wg0", 1, 0, 0);
	sink_hooks_event(&sh, &late.ev); /* after stop: nothing */
	CHECK_INT(nseen, HOOK_QUEUE_MAX + 3);
}

TEST_MAIN(test_queue_order, test_queue_bound, test_queue_grace, test_env, test_events_parse,
          test_check, test_metrics, test_sink_drops)
