// SPDX-License-Identifier: MIT
/* The `wg show all dump` parser and wg's stderr lines (the child that runs wg is
 * tested in test_child.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "source.h"
#include "util.h"
#include "wgcli.h"

#define PRIV "GOQbAbxxkx1Tt+Q1zFXwtpa1UtC6yLYKOEPmhcq7mI0="
#define PUB  "9HGnDqyE4Lkrm11cJkKXh9Hn2BRwzY5r1ImJdRhWpQg="
#define PK1  "H3+oUDvFmPqp1Lax0xj4Yl9cdE0zQxIXHsbEuyyvRgQ="
#define PSK  "/dasZY2ScO6yVwVz8b6DtP6D5T0qwqD8qtTJkM9+RQw="
#define PK2  "RH1iBGsd8K/HH4bRWIrl0ZmcLBd7bKOPM9ATXJj8f2g="

static int parse(const char *text, struct wg_snapshot *s, char *err, char *copy)
{
	size_t n = strlen(text);
	memcpy(copy, text, n + 1);
	return wgcli_parse(copy, n, s, err, 200);
}

static void test_dump(void)
{
	static const char text[] =
		"wgta\t" PRIV "\t" PUB "\t51901\toff\n"
		"wgta\t" PK1 "\t" PSK "\t127.0.0.1:51902\t10.99.0.2/32,fd99::2/128\t1795545671\t92\t360\t5\n"
		"wgta\t" PK2 "\t(none)\t(none)\t10.99.0.3/32\t0\t0\t0\toff\n"
		"wgtb\t(none)\t(none)\t0\t0x1f\n"
		"wgtb\t" PK1 "\t(none)\t[fe80::1%eth0]:5\t(none)\t1795545671\t1\t2\t65535\n";
	char buf[sizeof text], err[200];
	struct wg_snapshot s = { 0 };
	CHECK_INT(parse(text, &s, err, buf), 0);
	CHECK_STR(err, "");
	CHECK_INT(s.ndevs, 2);
	struct wg_device *a = wg_snapshot_find(&s, "wgta"), *b = wg_snapshot_find(&s, "wgtb");
	CHECK(a && b);
	if (!a || !b)
		return;
	char k[WG_KEY_B64_LEN];
	CHECK_INT(a->source, WG_SRC_WGCLI);
	CHECK(a->has_public_key);
	key_to_base64(k, a->public_key);
	CHECK_STR(k, PUB);
	CHECK_INT(a->listen_port, 51901);
	CHECK_INT(a->npeers, 2);
	key_to_base64(k, a->peers[0].public_key); /* sorted: 'H' < 'R' */
	CHECK_STR(k, PK1);
	CHECK_STR(a->peers[0].endpoint, "127.0.0.1:51902");
	CHECK_INT(a->peers[0].last_handshake_sec, 1795545671);
	CHECK_INT(a->peers[0].hs_kind, WG_HS_TIME);
	CHECK_INT(a->peers[0].rx_bytes, 92);
	CHECK_INT(a->peers[0].tx_bytes, 360);
	CHECK_INT(a->peers[0].persistent_keepalive, 5);
	CHECK_STR(a->peers[1].endpoint, "");
	CHECK_INT(a->peers[1].last_handshake_sec, 0); /* never */
	CHECK_INT(a->peers[1].persistent_keepalive, 0);
	CHECK(!b->has_public_key);
	CHECK_INT(b->npeers, 1);
	CHECK_STR(b->peers[0].endpoint, "[fe80::1%eth0]:5");
	CHECK_INT(b->peers[0].persistent_keepalive, 65535);
	/* the secrets are gone from the buffer, the public parts are still there */
	CHECK(memmem(buf, sizeof buf, PRIV, 44) == NULL);
	CHECK(memmem(buf, sizeof buf, PSK, 44) == NULL);
	CHECK(memmem(buf, sizeof buf, "GOQb", 4) == NULL);
	CHECK(memmem(buf, sizeof buf, PUB, 44) != NULL);
	/* boringtun ages printed as times become now - age */
	s.devs[1].peers[0].last_handshake_sec = 30;
	wgcli_fix_ages(&s, 1, 1800000000000LL);
	CHECK_INT(s.devs[1].peers[0].last_handshake_sec, 1800000000 - 30);
	CHECK(s.devs[1].peers[0].hs_approx);
	CHECK_INT(s.devs[0].peers[1].last_handshake_sec, 0); /* never stays never */
	wg_snapshot_clear(&s);
}

static void test_skip_known(void)
{
	static const char text[] =
		"wgta\t" PRIV "\t" PUB "\t1\toff\n"
		"wgta\t" PK1 "\t" PSK "\t(none)\t(none)\t0\t0\t0\toff\n"
		"wgtb\t" PRIV "\t" PUB "\t2\toff\n";
	char buf[sizeof text], err[200];
	struct wg_snapshot s = { 0 };
	wg_snapshot_add_device(&s, "wgta"); /* an earlier backend reported it */
	CHECK_INT(parse(text, &s, err, buf), 0);
	CHECK_INT(s.ndevs, 2);
	CHECK_INT(s.devs[0].npeers, 0);
	CHECK_STR(s.devs[1].name, "wgtb");
	CHECK(memmem(buf, sizeof buf, PSK, 44) == NULL); /* zeroed even when skipped */
	wg_snapshot_clear(&s);
}

struct bad_case {
	const char *text;
	const char *why;
};

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
		{ "wgta\t(none)\t(none)\t0\toff", "no newline" },
		{ "wgta\t(none)\t(none)\t0\n", "4 fields" },
		{ "wgta\t(none)\t(none)\t0\toff\t\n", "6 fields" },
		{ "wgta\ta\tb\tc\td\te\tf\tg\th\ti\n", "more than 9 fields" },
		{ "\n", "1 fields" },
		{ "wg/x\t(none)\t(none)\t0\toff\n", "bad interface name" },
		{ "wgta\t(none)\tAAAA\t0\toff\n", "bad public key" },
		{ "wgta\t(none)\t(none)\t65536\toff\n", "bad listen port" },
		{ "wgta\t(none)\t(none)\t-1\toff\n", "bad listen port" },
		{ "wgta\t(none)\t(none)\t0\t0x\n", "bad fwmark" },
		{ "wgta\t(none)\t(none)\t0\t0x123456789\n", "bad fwmark" },
		{ "wgta\t(none)\t(none)\t0\t12\n", "bad fwmark" },
		{ "wgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n", "before any interface" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgtb\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n",
		  "does not follow" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t(none)\t(none)\t0\toff\n", "listed twice" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\tbad\t(none)\t(none)\t(none)\t0\t0\t0\toff\n",
		  "bad peer public key" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\t(none)\t(none)\t-1\t0\t0\toff\n",
		  "latest-handshake" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t18446744073709551616\t0\toff\n",
		  "rx-bytes" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\tx\toff\n",
		  "tx-bytes" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\t0\t65536\n",
		  "persistent-keepalive" },
		{ "wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n"
		  "wgta\t" PK1 "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n", "lists a peer twice" },
	};
	char buf[1024], err[200];
	struct wg_snapshot s = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_INT(parse(cases[i].text, &s, err, buf), -EPROTO);
		CHECK_CONTAINS(err, cases[i].why);
		CHECK_INT(s.ndevs, 0); /* nothing half-parsed is kept */
	}
	CHECK_INT(parse("", &s, err, buf), 0); /* no interfaces at all */
	CHECK_INT(s.ndevs, 0);
	/* a hostile endpoint is kept raw: the sinks escape it, once */
	CHECK_INT(parse("wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\tevil\x1b[2J:1\t"
	                "(none)\t0\t0\t0\toff\n", &s, err, buf), 0);
	CHECK_STR(s.ndevs ? s.devs[0].peers[0].endpoint : "", "evil\x1b[2J:1");
	wg_snapshot_clear(&s);
}

static void test_stderr(void)
{
	static const char text[] =
		"Unable to access interface wgta: Permission denied\n"
		"Unable to access interface wgtb: Operation not permitted\n"
		"Unable to access interface wgtc: No such device\n"
		"Unable to access interface bad/name: Permission denied\n"
		"Unable to access interface wgtd: Strange \x1b[31m error\n"
		"some other line\n"
		"Unable to access interface wgte: Permission denied";
	struct wg_snapshot s = { 0 };
	wg_snapshot_add_device(&s, "wgte");
	CHECK_INT(wgcli_parse_stderr(text, sizeof text - 1, &s), 6);
	CHECK_INT(s.ndevs, 4);
	struct wg_device *d = wg_snapshot_find(&s, "wgta");
	CHECK(d && d->error == -EACCES);
	CHECK_STR(d ? d->errmsg : "", "wg: Unable to access interface wgta: Permission denied");
	d = wg_snapshot_find(&s, "wgtb");
	CHECK(d && d->error == -EPERM && d->source == WG_SRC_WGCLI);
	CHECK(wg_snapshot_find(&s, "wgtc") == NULL); /* vanished */
	d = wg_snapshot_find(&s, "wgtd");
	CHECK(d && d->error == -EIO);
	CHECK_CONTAINS(d ? d->errmsg : "", "Strange \\x1b[31m error");
	CHECK_INT(wg_snapshot_find(&s, "wgte")->error, 0); /* already known: untouched */
	wg_snapshot_clear(&s);
}

/* Random damage to valid dump text: no crash, and either a result or a clean error. */
static void test_mutations(void)
{
	static const char base[] =
		"wgta\t" PRIV "\t" PUB "\t51901\toff\n"
		"wgta\t" PK1 "\t" PSK "\t127.0.0.1:51902\t10.99.0.2/32\t1795545671\t92\t360\t5\n"
		"wgtb\t(none)\t(none)\t0\t0x1f\n";
	char buf[sizeof base], err[200];
	unsigned seed = 777, bad = 0, broken = 0;
	for (int it = 0; it < 20000; it++) {
		memcpy(buf, base, sizeof base);
		size_t len = sizeof base - 1;
		for (int m = 0; m < 1 + it % 4; m++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			if (seed & 1)
				buf[at] = "\t\n(0x:[]\x00\xff/="[(seed >> 4) % 12];
			else
				len = at + 1;
		}
		struct wg_snapshot s = { 0 };
		int rc = wgcli_parse(buf, len, &s, err, sizeof err);
		if (rc < 0) {
			bad++;
			broken += !(s.ndevs == 0 && err[0] != '\0');
		} else {
			broken += !(rc == 0 && s.ndevs <= 2);
		}
		wg_snapshot_clear(&s);
	}
	CHECK_INT(broken, 0);
	CHECK(bad > 1000 && bad < 20000);
}

/* The wg child gets what is left of the poll's budget: nothing left, nothing started. */
static void test_budget_spent(void)
{
	if (access("/usr/bin/wg", X_OK) != 0 && access("/usr/sbin/wg", X_OK) != 0 &&
	    access("/bin/wg", X_OK) != 0 && access("/sbin/wg", X_OK) != 0) {
		printf("SKIPPED test_budget_spent: wg is not installed\n");
		return;
	}
	struct source_config cfg = { .backend = BACKEND_WG, .timeout_ms = 1500,
	                             .deadline_ms = mono_ms() - 1 };
	struct wg_snapshot s = { 0 };
	struct source_result res = { 0 };
	int64_t t0 = mono_ms();
	CHECK_INT(source_wgcli.collect(&cfg, &s, &res), -ETIMEDOUT);
	CHECK(mono_ms() - t0 < 100);
	CHECK_CONTAINS(res.msg, "not run: the poll budget of 1500 ms ran out");
	CHECK_INT(s.ndevs, 0);
	CHECK_INT(waitpid(-1, NULL, WNOHANG), -1); /* no child was started */
	wg_snapshot_clear(&s);
}

TEST_MAIN(test_dump, test_mutations, test_skip_known, test_malformed, test_stderr,
          test_budget_spent)
