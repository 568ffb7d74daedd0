// SPDX-License-Identifier: MIT
/* source_uapi against real AF_UNIX sockets in a temp dir: a canned server, a silent one,
 * a stale one, a symlink, junk names; timeouts, the stop flag and (as root) EACCES. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "epfix.h"
#include "harness.h"
#include "source.h"
#include "util.h"

static char dir[64];

struct server {
	int lfd;
	int delay_ms;          /* before each reply */
	char reply[1024];
};

static int listen_at(const char *name, bool keep)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0)
		return -1;
	if (!keep) { /* stale: the file stays, nobody listens: ECONNREFUSED */
		close(fd);
		return -2;
	}
	return fd;
}

/* Serves each connection: reads the request up to the empty line, sends the reply. */
static void *serve(void *arg)
{
	struct server *s = arg;
	for (;;) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		if (poll(&p, 1, 5000) <= 0)
			return NULL; /* never hang the test */
		int c = accept(s->lfd, NULL, NULL);
		if (c < 0)
			return NULL;
		char req[64];
		size_t n = 0;
		while (n < sizeof req && (n < 2 || memcmp(req + n - 2, "\n\n", 2) != 0)) {
			ssize_t r = read(c, req + n, sizeof req - n);
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		poll(NULL, 0, s->delay_ms);
		if (n == 7 && memcmp(req, "get=1\n\n", 7) == 0)
			(void)!write(c, s->reply, strlen(s->reply));
		close(c);
	}
}

static struct server good, failing;
static int silent_fd;

static void setup(void)
{
	char key[65];
	for (int i = 0; i < 32; i++)
		snprintf(key + 2 * i, 3, "%02x", 0x42);
	snprintf(dir, sizeof dir, "/tmp/wgtu-uapi.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(good.reply, sizeof good.reply, "private_key=%s\nlisten_port=51820\npublic_key=%s\n"
	         "protocol_version=1\nendpoint=[fe80::1%%lo]:51821\nlast_handshake_time_sec=1795545671\n"
	         "last_handshake_time_nsec=5\ntx_bytes=7\nrx_bytes=9\n"
	         "persistent_keepalive_interval=0\nerrno=0\n\n", key, key);
	snprintf(failing.reply, sizeof failing.reply, "listen_port=4242\npublic_key=%s\nerrno=-22\n\n",
	         key);
	good.lfd = listen_at("wgtu0.sock", true);
	silent_fd = listen_at("wgtu1.sock", true); /* connects (backlog), never answers */
	CHECK_INT(listen_at("wgtu2.sock", false), -2);
	failing.lfd = listen_at("wgtu4.sock", true);
	CHECK(good.lfd >= 0 && silent_fd >= 0 && failing.lfd >= 0);
	char p[128], t[128];
	snprintf(p, sizeof p, "%s/wgtu0.sock", dir);
	snprintf(t, sizeof t, "%s/wgtu5.sock", dir);
	CHECK_INT(symlink(p, t), 0);             /* symlinks are not followed */
	snprintf(t, sizeof t, "%s/bad name!.sock", dir);
	CHECK_INT(symlink(p, t), 0);
	CHECK(listen_at("wgtu6.sock.old", true) >= 0); /* wrong suffix */
	snprintf(t, sizeof t, "%s/wgtu7.sock", dir);
	FILE *f = fopen(t, "w");                 /* a regular file, not a socket */
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

static void test_collect(void)
{
	pthread_t th[2];
	pthread_create(&th[0], NULL, serve, &good);
	pthread_create(&th[1], NULL, serve, &failing);
	struct source_config cfg = { .uapi_dir = dir, .timeout_ms = 300 };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	int64_t t0 = mono_ms();
	CHECK_INT(source_uapi.collect(&cfg, &snap, &res), 0);
	int64_t took = mono_ms() - t0;
	CHECK(took >= 290 && took < 1500); /* one silent socket costs the timeout, once */
	CHECK_INT(snap.ndevs, 3);           /* wgtu0, wgtu1 (error), wgtu4 (error) */
	struct wg_device *d = wg_snapshot_find(&snap, "wgtu0");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->error, 0);
		CHECK_INT(d->source, WG_SRC_UAPI);
		CHECK_INT(d->listen_port, 51820);
		CHECK_INT(d->npeers, 1);
		CHECK_STR(ep_str(&d->peers[0].endpoint), "[fe80::1%lo]:51821");
		CHECK_INT(d->peers[0].rx_bytes, 9);
		CHECK_INT(d->peers[0].last_handshake_nsec, 5);
	}
	d = wg_snapshot_find(&snap, "wgtu1");
	CHECK(d && d->error == -ETIMEDOUT);
	CHECK_CONTAINS(d ? d->errmsg : NULL, "no reply from");
	CHECK_CONTAINS(d ? d->errmsg : NULL, "wgtu1.sock within 300 ms");
	d = wg_snapshot_find(&snap, "wgtu4");
	CHECK(d && d->error == -EINVAL);
	CHECK_CONTAINS(d ? d->errmsg : NULL, "errno=-22");
	CHECK(d && !d->has_public_key && d->listen_port == 0 && d->source == WG_SRC_UAPI);
	CHECK(wg_snapshot_find(&snap, "wgtu2") == NULL); /* stale: gone, and not unlinked */
	char p[128];
	snprintf(p, sizeof p, "%s/wgtu2.sock", dir);
	CHECK_INT(access(p, F_OK), 0);

	/* watched names filter before connecting; names already present are skipped */
	static const char names[][WG_IFNAME_SIZE] = { "wgtu0", "wgtu1" };
	cfg.ifnames = names;
	cfg.n_ifnames = 2;
	wg_snapshot_clear(&snap);
	CHECK(wg_snapshot_add_device(&snap, "wgtu1") != NULL);
	/* The silent wgtu1 is never asked: no connection waits on it afterwards (the one the
	 * collect above made is taken away first). Not a time, which a descheduled test
	 * could pass without asking; a connection shows whatever the scheduler does. */
	struct pollfd sp = { .fd = silent_fd, .events = POLLIN };
	while (poll(&sp, 1, 0) == 1) /* the listener blocks: accept only what is there */
		close(accept(silent_fd, NULL, NULL));
	CHECK_INT(source_uapi.collect(&cfg, &snap, &res), 0);
	CHECK_INT(poll(&sp, 1, 0), 0);
	CHECK_INT(snap.ndevs, 2);
	CHECK(snap.ndevs == 2 && snap.devs[1].npeers == 1 && snap.devs[0].npeers == 0);
	wg_snapshot_clear(&snap);
	shutdown(good.lfd, SHUT_RDWR);
	shutdown(failing.lfd, SHUT_RDWR);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
}

static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void *poke(void *arg)
{
	poll(NULL, 0, 100);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static void test_stop_flag(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART: poll gets EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	static const char names[][WG_IFNAME_SIZE] = { "wgtu1" };
	struct source_config cfg = { .uapi_dir = dir, .timeout_ms = 5000, .stop = &stop_flag,
	                             .ifnames = names, .n_ifnames = 1 };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	pthread_t self = pthread_self(), th;
	pthread_create(&th, NULL, poke, &self);
	int64_t t0 = mono_ms();
	CHECK_INT(source_uapi.collect(&cfg, &snap, &res), -EINTR);
	CHECK(mono_ms() - t0 < 4000);
	CHECK_INT(res.err, -EINTR);
	CHECK_CONTAINS(res.msg, "interrupted");
	CHECK_INT(snap.ndevs, 0);
	pthread_join(th, NULL);
	wg_snapshot_clear(&snap);
}

static void test_missing_dir(void)
{
	struct source_config cfg = { .uapi_dir = "/nonexistent/wgtu-dir" };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	CHECK_INT(source_uapi.collect(&cfg, &snap, &res), 0);
	CHECK_INT(snap.ndevs, 0);
	CHECK_INT(res.err, 0);
}

/* As root, a child that drops to nobody must see EACCES on a 0700 root socket. */
static void test_permission(void)
{
	if (geteuid() != 0) {
		printf("SKIPPED test_permission: needs root to switch to an unprivileged uid\n");
		return;
	}
	char p[128];
	snprintf(p, sizeof p, "%s/wgtu0.sock", dir);
	chmod(dir, 0755);
	chmod(p, 0700);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		static const char names[][WG_IFNAME_SIZE] = { "wgtu0" };
		struct source_config cfg = { .uapi_dir = dir, .timeout_ms = 300, .ifnames = names,
		                             .n_ifnames = 1 };
		struct wg_snapshot snap = { 0 };
		struct source_result res = { 0 };
		source_uapi.collect(&cfg, &snap, &res);
		bool ok = snap.ndevs == 1 && snap.devs[0].error == -EACCES &&
		          strstr(snap.devs[0].errmsg, "permission denied connecting to") &&
		          strstr(snap.devs[0].errmsg, "CAP_DAC_OVERRIDE");
		_exit(ok ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

/* The facade's one check over every backend: a handshake time no clock can hold makes
 * the device unreadable (it would overflow the state machine's millisecond arithmetic). */
static void test_facade_rejects_hostile_time(void)
{
	static struct server hostile;
	char key[65];
	for (int i = 0; i < 32; i++)
		snprintf(key + 2 * i, 3, "%02x", 0x43);
	snprintf(hostile.reply, sizeof hostile.reply, "listen_port=1\npublic_key=%s\n"
	         "protocol_version=1\nlast_handshake_time_sec=9223372036854775807\n"
	         "last_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\nerrno=0\n\n", key);
	hostile.lfd = listen_at("wgtu8.sock", true);
	CHECK(hostile.lfd >= 0);
	pthread_t th;
	pthread_create(&th, NULL, serve, &hostile);
	static const char names[][WG_IFNAME_SIZE] = { "wgtu8" };
	struct source_config cfg = { .backend = BACKEND_UAPI, .uapi_dir = dir, .timeout_ms = 300,
	                             .ifnames = names, .n_ifnames = 1 };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	CHECK_INT(source_poll(&cfg, &snap, &res), 0);
	CHECK_INT(snap.ndevs, 1);
	CHECK(snap.ndevs == 1 && snap.devs[0].error == -EPROTO && snap.devs[0].npeers == 0);
	CHECK_CONTAINS(snap.ndevs ? snap.devs[0].errmsg : NULL, "handshake time out of range");
	wg_snapshot_clear(&snap);
	shutdown(hostile.lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(hostile.lfd);
}

/* Four sockets that never answer and one slow server: all are asked at once, so the
 * poll costs one budget, not five timeouts, and the slow one is read within it. */
static void test_one_budget(void)
{
	static struct server slow;
	slow = good;
	slow.delay_ms = 150;
	slow.lfd = listen_at("wgtb9.sock", true);
	int silent[4];
	char name[32];
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "wgtb%d.sock", i);
		silent[i] = listen_at(name, true); /* sorted first: asked before wgtb9 */
		CHECK(silent[i] >= 0);
	}
	CHECK(slow.lfd >= 0);
	pthread_t th;
	pthread_create(&th, NULL, serve, &slow);
	static const char names[][WG_IFNAME_SIZE] = { "wgtb0", "wgtb1", "wgtb2", "wgtb3", "wgtb9" };
	struct source_config cfg = { .backend = BACKEND_UAPI, .uapi_dir = dir, .timeout_ms = 400,
	                             .ifnames = names, .n_ifnames = 5 };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	int64_t t0 = mono_ms();
	CHECK_INT(source_poll(&cfg, &snap, &res), 0);
	int64_t took = mono_ms() - t0;
	CHECK(took >= 390 && took < 1000);
	CHECK_INT(snap.ndevs, 5);
	for (size_t i = 0; i < 4 && i < snap.ndevs; i++) {
		snprintf(name, sizeof name, "wgtb%zu", i);
		CHECK_STR(snap.devs[i].name, name);
		CHECK_INT(snap.devs[i].error, -ETIMEDOUT);
		CHECK_CONTAINS(snap.devs[i].errmsg, "within 400 ms (poll budget)");
		CHECK_INT(snap.devs[i].npeers, 0);
	}
	struct wg_device *d = wg_snapshot_find(&snap, "wgtb9");
	CHECK(d && d->error == 0 && d->npeers == 1 && d->listen_port == 51820);
	wg_snapshot_clear(&snap);
	shutdown(slow.lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(slow.lfd);
	for (int i = 0; i < 4; i++)
		close(silent[i]);
}

/* More silent sockets than may be open at once: the budget still ends the poll, and the
 * ones that never got a slot say so. */
static void test_many_silent(void)
{
	enum { N = 70 };
	static char names[N][WG_IFNAME_SIZE];
	int fds[N];
	char name[32], path[128];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "wgtm%02d", i);
		snprintf(name, sizeof name, "wgtm%02d.sock", i);
		fds[i] = listen_at(name, true);
		CHECK(fds[i] >= 0);
	}
	struct source_config cfg = { .backend = BACKEND_UAPI, .uapi_dir = dir, .timeout_ms = 200,
	                             .ifnames = (const char (*)[WG_IFNAME_SIZE])names,
	                             .n_ifnames = N };
	struct wg_snapshot snap = { 0 };
	struct source_result res = { 0 };
	int64_t t0 = mono_ms();
	CHECK_INT(source_poll(&cfg, &snap, &res), 0);
	CHECK(mono_ms() - t0 < 1000);
	size_t waited = 0, unasked = 0;
	CHECK_INT(snap.ndevs, N);
	for (size_t i = 0; i < snap.ndevs; i++) {
		waited += snap.devs[i].error == -ETIMEDOUT &&
		          strstr(snap.devs[i].errmsg, "no reply from") != NULL;
		unasked += snap.devs[i].error == -ETIMEDOUT &&
		           strstr(snap.devs[i].errmsg, "not asked") != NULL;
	}
	CHECK_INT(waited, 64);
	CHECK_INT(unasked, N - 64);
	wg_snapshot_clear(&snap);
	for (int i = 0; i < N; i++) {
		close(fds[i]);
		snprintf(path, sizeof path, "%s/wgtm%02d.sock", dir, i);
		unlink(path);
	}
}

TEST_MAIN(setup, test_collect, test_one_budget, test_many_silent,
          test_facade_rejects_hostile_time, test_stop_flag, test_missing_dir, test_permission,
          teardown)
