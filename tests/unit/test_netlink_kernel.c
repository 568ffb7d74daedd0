// SPDX-License-Identifier: MIT
/* source_netlink against the real WireGuard module (runs in the VM harness; SKIPPED on a
 * host without the module or without root): a private network namespace holds a
 * wireguard link whose peer has thousands of allowed IPs (split across messages), plus a
 * TUN link that must be ignored; a child without CAP_NET_ADMIN must get the EPERM text. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "epfix.h"
#include "harness.h"
#include "source.h"
#include "util.h"

#define CONF "/tmp/wgm-netlink-test.conf"

static void key_fill(uint8_t k[WG_KEY_LEN], uint8_t v)
{
	memset(k, v, WG_KEY_LEN);
	k[0] = (uint8_t)(v & 0xf8);   /* a valid clamped private key when used as one */
}

static bool write_conf(void)
{
	uint8_t k[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	FILE *f = fopen(CONF, "w");
	if (!f)
		return false;
	key_fill(k, 0x41);
	key_to_base64(b64, k);
	fprintf(f, "[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n", b64);
	key_fill(k, 0x11);
	key_to_base64(b64, k);
	fprintf(f, "[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.1:51820\n"
	        "PersistentKeepalive = 25\nAllowedIPs = ", b64);
	for (int i = 0; i < 4000; i++)   /* ~ 4000 x 24 bytes: several dump messages */
		fprintf(f, "%s10.%d.%d.0/24", i ? "," : "", i / 256, i % 256);
	key_fill(k, 0x22);
	key_to_base64(b64, k);
	fprintf(f, "\n\n[Peer]\nPublicKey = %s\nPresharedKey = %s\n"
	        "Endpoint = [2001:db8::1]:51821\nAllowedIPs = fd00::2/128\n", b64, b64);
	key_fill(k, 0x33);
	key_to_base64(b64, k);
	fprintf(f, "\n[Peer]\nPublicKey = %s\nAllowedIPs = 192.168.9.0/24\n", b64);
	return fclose(f) == 0;
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool setup(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return false;
	if (sh("ip link add wgmk0 type wireguard") != 0 || !write_conf() ||
	    sh("wg setconf wgmk0 " CONF) != 0) {
		fprintf(stderr, "setting up wgmk0 failed\n");
		return false;
	}
	/* A TUN link (wireguard-go's kind) must be ignored; the guest may lack tun. */
	if (sh("ip tuntap add dev wgmtun0 mode tun 2>/dev/null") != 0)
		printf("note: no TUN device here; the tun-is-ignored case is covered on the host\n");
	return true;
}

static const struct wg_peer *find_peer(const struct wg_device *d, uint8_t first)
{
	uint8_t k[WG_KEY_LEN];
	key_fill(k, first);
	for (size_t i = 0; i < d->npeers; i++)
		if (memcmp(d->peers[i].public_key, k, WG_KEY_LEN) == 0)
			return &d->peers[i];
	return NULL;
}

static void check_device(const struct wg_snapshot *s)
{
	CHECK_INT(s->ndevs, 1);
	if (s->ndevs != 1)
		return;
	const struct wg_device *d = &s->devs[0];
	CHECK_STR(d->name, "wgmk0");
	CHECK_INT(d->source, WG_SRC_KERNEL);
	CHECK_INT(d->error, 0);
	CHECK_INT(d->listen_port, 51820);
	CHECK(d->has_public_key);
	CHECK_INT(d->npeers, 3);   /* the split peer is one peer */
	const struct wg_peer *a = find_peer(d, 0x11), *b = find_peer(d, 0x22);
	CHECK(a && b && find_peer(d, 0x33));
	if (a) {
		CHECK_STR(ep_str(&a->endpoint), "192.0.2.1:51820");
		CHECK_INT(a->persistent_keepalive, 25);
		CHECK_INT(a->hs_kind, WG_HS_TIME);
		CHECK(a->last_handshake_sec == 0 && a->last_handshake_nsec == 0);
	}
	if (b)
		CHECK_STR(ep_str(&b->endpoint), "[2001:db8::1]:51821");
}

/* Without CAP_NET_ADMIN (uid 65534, no capabilities) the device stays, with the text. */
static void check_eperm(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		struct source_config cfg = { .backend = BACKEND_NETLINK };
		struct wg_snapshot s = { 0 };
		struct source_result r = { 0 };
		int err = source_netlink.collect(&cfg, &s, &r);
		bool ok = err == 0 && s.ndevs == 1 && s.devs[0].error == -EPERM &&
		          strcmp(s.devs[0].errmsg, "permission denied reading wgmk0 over "
		                 "netlink: wg-monitor needs CAP_NET_ADMIN") == 0;
		if (!ok)
			fprintf(stderr, "eperm child: err %d ndevs %zu dev.err %d msg %s\n", err,
			        s.ndevs, s.ndevs ? s.devs[0].error : 0, s.ndevs ? s.devs[0].errmsg : "");
		_exit(ok ? 0 : 1);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_kernel_device(void)
{
	if (access("/sys/module/wireguard", F_OK) != 0 || !setup()) {
		printf("SKIPPED %s: needs root and the wireguard kernel module\n", __func__);
		return;
	}
	struct source_config cfg = { .backend = BACKEND_NETLINK, .timeout_ms = 5000 };
	struct wg_snapshot s = { 0 };
	struct source_result r = { 0 };
	CHECK_INT(source_netlink.collect(&cfg, &s, &r), 0);
	CHECK_STR(r.msg, "");
	check_device(&s);
	/* a name already in the snapshot (a UAPI socket) wins */
	wg_snapshot_clear(&s);
	CHECK(wg_snapshot_add_device(&s, "wgmk0") != NULL);
	CHECK_INT(source_netlink.collect(&cfg, &s, &r), 0);
	CHECK_INT(s.ndevs, 1);
	CHECK_INT(s.devs[0].npeers, 0);
	/* only watched names are dumped */
	wg_snapshot_clear(&s);
	static const char other[1][WG_IFNAME_SIZE] = { "wgmk1" };
	cfg.ifnames = other;
	cfg.n_ifnames = 1;
	CHECK_INT(source_netlink.collect(&cfg, &s, &r), 0);
	CHECK_INT(s.ndevs, 0);
	wg_snapshot_clear(&s);
	check_eperm();
	unlink(CONF);
}

TEST_MAIN(test_kernel_device)
