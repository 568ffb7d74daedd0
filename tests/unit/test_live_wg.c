// SPDX-License-Identifier: MIT
/* Root only: two wireguard-go interfaces handshaking over loopback inside a private
 * network namespace; source_uapi and source_wgcli must report the same state. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "epfix.h"
#include "harness.h"
#include "source.h"
#include "util.h"

static char ns[16], ifa[WG_IFNAME_SIZE], ifb[WG_IFNAME_SIZE], tmp[64];
static pid_t daemons[2];
static char pub[3][WG_KEY_B64_LEN];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *path)
{
	return access(path, X_OK) == 0;
}

static void read_pub(int i)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "wg pubkey < %s/k%d", tmp, i);
	FILE *f = popen(cmd, "r");
	CHECK(f && fgets(pub[i], sizeof pub[i], f));
	if (f)
		pclose(f);
}

static pid_t start_daemon(const char *name)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/usr/bin/ip", "ip", "netns", "exec", ns, "/usr/bin/wireguard-go", "-f",
		      name, (char *)NULL);
		_exit(127);
	}
	char sock[64];
	snprintf(sock, sizeof sock, "/var/run/wireguard/%s.sock", name);
	for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		poll(NULL, 0, 50);
	CHECK_INT(access(sock, F_OK), 0);
	return pid;
}

static bool setup(void)
{
	int n = (int)(getpid() % 100000);
	snprintf(ns, sizeof ns, "wgtu%d", n);
	snprintf(ifa, sizeof ifa, "wgtu%da", n);
	snprintf(ifb, sizeof ifb, "wgtu%db", n);
	snprintf(tmp, sizeof tmp, "/tmp/wgtu-live.XXXXXX");
	if (!mkdtemp(tmp) || sh("ip netns add %s && ip -n %s link set lo up", ns, ns) != 0)
		return false;
	for (int i = 0; i < 3; i++) {
		CHECK_INT(sh("umask 077; wg genkey > %s/k%d", tmp, i), 0);
		read_pub(i);
	}
	CHECK_INT(sh("umask 077; wg genpsk > %s/psk", tmp), 0);
	daemons[0] = start_daemon(ifa);
	daemons[1] = start_daemon(ifb);
	CHECK_INT(sh("ip -n %s link set %s up && ip -n %s link set %s up", ns, ifa, ns, ifb), 0);
	/* b listens; a knows b's endpoint and sends a keepalive at once, which handshakes.
	 * The huge interval keeps the counters still afterwards. Peer 2 never connects. */
	CHECK_INT(sh("wg set %s private-key %s/k1 listen-port 51711 peer %s preshared-key %s/psk "
	             "allowed-ips 10.201.0.1/32", ifb, tmp, pub[0], tmp), 0);
	CHECK_INT(sh("wg set %s private-key %s/k0 listen-port 51710 peer %s preshared-key %s/psk "
	             "endpoint 127.0.0.1:51711 allowed-ips 10.201.0.2/32 persistent-keepalive 65535 "
	             "peer %s endpoint [::1]:9 allowed-ips 10.201.0.3/32", ifa, tmp, pub[1], tmp,
	             pub[2]), 0);
	return true;
}

static void teardown(void)
{
	sh("ip -n %s link del %s 2>/dev/null; ip -n %s link del %s 2>/dev/null", ns, ifa, ns, ifb);
	for (int i = 0; i < 2; i++)
		if (daemons[i] > 0) {
			kill(daemons[i], SIGTERM);
			waitpid(daemons[i], NULL, 0);
		}
	sh("ip netns del %s", ns);
	sh("rm -rf '%s'", tmp);
}

static int collect(const struct source_backend *b, struct wg_snapshot *s)
{
	static char names[2][WG_IFNAME_SIZE];
	memcpy(names[0], ifa, sizeof ifa);
	memcpy(names[1], ifb, sizeof ifb);
	struct source_config cfg = { .ifnames = (const char (*)[WG_IFNAME_SIZE])names,
	                             .n_ifnames = 2, .timeout_ms = 3000 };
	struct source_result res = { 0 };
	wg_snapshot_clear(s);
	int rc = b->collect(&cfg, s, &res);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", b->name, res.msg);
	for (size_t i = s->ndevs; i-- > 0;) /* wg lists everything: keep ours */
		if (strcmp(s->devs[i].name, ifa) != 0 && strcmp(s->devs[i].name, ifb) != 0)
			wg_snapshot_remove(s, i);
	return rc;
}

static bool handshaked(const struct wg_snapshot *s)
{
	if (s->ndevs != 2)
		return false;
	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; j < s->devs[i].npeers; j++) {
			const struct wg_peer *p = &s->devs[i].peers[j];
			if (p->last_handshake_sec == 0 && p->endpoint.family != WG_EP_V6)
				return false; /* every peer but the silent [::1]:9 one */
			if (p->rx_bytes == 0 && p->endpoint.family != WG_EP_V6)
				return false;
		}
	return true;
}

/* d's peer with key k, or NULL. */
static const struct wg_peer *peer_by_key(const struct wg_device *d, const uint8_t *k)
{
	for (size_t j = 0; j < d->npeers; j++)
		if (memcmp(d->peers[j].public_key, k, WG_KEY_LEN) == 0)
			return &d->peers[j];
	return NULL;
}

static bool same_counters(const struct wg_snapshot *x, const struct wg_snapshot *y)
{
	if (x->ndevs != y->ndevs)
		return false;
	for (size_t i = 0; i < x->ndevs; i++) {
		const struct wg_device *a = wg_snapshot_find(x, y->devs[i].name), *b = &y->devs[i];
		if (!a || a->npeers != b->npeers)
			return false;
		for (size_t j = 0; j < a->npeers; j++) {
			const struct wg_peer *p = &a->peers[j], *q = peer_by_key(b, p->public_key);
			if (!q || p->rx_bytes != q->rx_bytes || p->tx_bytes != q->tx_bytes ||
			    p->last_handshake_sec != q->last_handshake_sec)
				return false;
		}
	}
	return true;
}

static void compare(const struct wg_snapshot *u, const struct wg_snapshot *w)
{
	char k[WG_KEY_B64_LEN];
	CHECK_INT(w->ndevs, 2);
	for (size_t i = 0; i < u->ndevs; i++) {
		const struct wg_device *a = &u->devs[i], *b = wg_snapshot_find(w, a->name);
		CHECK(b != NULL);
		if (!b)
			continue;
		CHECK_INT(a->source, WG_SRC_UAPI);
		CHECK_INT(b->source, WG_SRC_WGCLI);
		CHECK_INT(a->error, 0);
		CHECK_INT(b->error, 0);
		CHECK_INT(a->listen_port, b->listen_port);
		CHECK(b->has_public_key);
		key_to_base64(k, b->public_key);
		CHECK_STR(k, strcmp(a->name, ifa) == 0 ? pub[0] : pub[1]);
		CHECK_INT(a->npeers, b->npeers);
		for (size_t j = 0; j < a->npeers; j++) {
			/* wireguard-go lists its peers in its map's order, which differs
			 * from one reply to the next: the same peer is found by its key */
			const struct wg_peer *p = &a->peers[j], *q = peer_by_key(b, p->public_key);
			CHECK(q != NULL);
			if (!q)
				continue;
			CHECK_STR(ep_str(&p->endpoint), ep_str(&q->endpoint));
			CHECK_INT(p->last_handshake_sec, q->last_handshake_sec);
			CHECK_INT(p->rx_bytes, q->rx_bytes);
			CHECK_INT(p->tx_bytes, q->tx_bytes);
			CHECK_INT(p->persistent_keepalive, q->persistent_keepalive);
			CHECK(!p->hs_approx && !q->hs_approx);
		}
	}
	const struct wg_device *a = wg_snapshot_find(u, ifa);
	CHECK(a && a->npeers == 2 && a->listen_port == 51710);
	for (size_t j = 0; a && j < a->npeers; j++) {
		key_to_base64(k, a->peers[j].public_key);
		if (strcmp(k, pub[2]) == 0) {
			CHECK_STR(ep_str(&a->peers[j].endpoint), "[::1]:9");
			CHECK_INT(a->peers[j].last_handshake_sec, 0);
		} else {
			CHECK_STR(ep_str(&a->peers[j].endpoint), "127.0.0.1:51711");
			CHECK_INT(a->peers[j].persistent_keepalive, 65535);
			CHECK(a->peers[j].last_handshake_sec > 1600000000);
		}
	}
}

static void test_live(void)
{
	if (geteuid() != 0 || !have("/usr/bin/wireguard-go") || !have("/usr/bin/wg") ||
	    !have("/usr/bin/ip") || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIPPED *** test_live_wg: needs root, wireguard-go, wg, ip and /dev/net/tun "
		       "*** (uapi vs wg comparison NOT run)\n");
		return;
	}
	if (!setup()) {
		printf("SKIPPED *** test_live_wg: cannot create a network namespace ***\n");
		teardown();
		return;
	}
	struct wg_snapshot u = { 0 }, u2 = { 0 }, w = { 0 };
	bool stable = false;
	for (int i = 0; i < 100 && !stable; i++) {
		poll(NULL, 0, 100);
		if (collect(&source_uapi, &u) < 0 || !handshaked(&u))
			continue;
		CHECK_INT(collect(&source_wgcli, &w), 0);
		CHECK_INT(collect(&source_uapi, &u2), 0);
		stable = same_counters(&u, &u2);
	}
	CHECK(stable);
	if (stable)
		compare(&u, &w);
	wg_snapshot_clear(&u);
	wg_snapshot_clear(&u2);
	wg_snapshot_clear(&w);
	teardown();
	char sock[64];
	snprintf(sock, sizeof sock, "/var/run/wireguard/%s.sock", ifa);
	CHECK(access(sock, F_OK) != 0); /* the daemon is gone with its interface */
}

TEST_MAIN(test_live)
