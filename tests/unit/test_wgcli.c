// SPDX-License-Identifier: MIT
/* The `wg show all dump` parser and wg's stderr lines (the child that runs wg is
 * tested in test_child.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allowedips.h"
#include "epfix.h"
#include "harness.h"
#include "source.h"
#include "util.h"
#include "wgcli.h"

#define PRIV "GOQbAbxxkx1Tt+Q1zFXwtpa1UtC6yLYKOEPmhcq7mI0="
#define PUB  "9HGnDqyE4Lkrm11cJkKXh9Hn2BRwzY5r1ImJdRhWpQg="
#define PK1  "H3+oUDvFmPqp1Lax0xj4Yl9cdE0zQxIXHsbEuyyvRgQ="
#define PSK  "/dasZY2ScO6yVwVz8b6DtP6D5T0qwqD8qtTJkM9+RQw="
#define PK2  "RH1iBGsd8K/HH4bRWIrl0ZmcLBd7bKOPM9ATXJj8f2g="

/* The i-th allowed IP of d's peer j as text. */
static const char *ip_of(const struct wg_device *d, size_t j, uint32_t i)
{
	static char t[ALLOWEDIP_TEXT_SIZE];
	if (j >= d->npeers || i >= d->peers[j].nips)
		return "(missing)";
	allowedip_text(t, &d->ips[d->peers[j].ips_at + i]);
	return t;
}

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
	CHECK_STR(ep_str(&a->peers[0].endpoint), "127.0.0.1:51902");
	CHECK_INT(a->peers[0].last_handshake_sec, 1795545671);
	CHECK_INT(a->peers[0].hs_kind, WG_HS_TIME);
	CHECK_INT(a->peers[0].rx_bytes, 92);
	CHECK_INT(a->peers[0].tx_bytes, 360);
	CHECK_INT(a->peers[0].persistent_keepalive, 5);
	CHECK_STR(ep_str(&a->peers[1].endpoint), "");
	CHECK_INT(a->peers[1].last_handshake_sec, 0); /* never */
	CHECK_INT(a->peers[1].persistent_keepalive, 0);
	CHECK(!b->has_public_key);
	CHECK_INT(b->npeers, 1);
	CHECK_STR(ep_str(&b->peers[0].endpoint), "[fe80::1%eth0]:5");
	CHECK_INT(b->peers[0].persistent_keepalive, 65535);
	/* allowed IPs, sorted along with their peers; "(none)" is none */
	CHECK_INT(a->peers[0].nips, 2);
	CHECK_INT(a->peers[0].ips_total, 2);
	CHECK_STR(ip_of(a, 0, 0), "10.99.0.2/32");
	CHECK_STR(ip_of(a, 0, 1), "fd99::2/128");
	CHECK_INT(a->peers[1].nips, 1);
	CHECK_STR(ip_of(a, 1, 0), "10.99.0.3/32");
	CHECK_INT(b->peers[0].nips, 0);
	CHECK_INT(b->peers[0].ips_total, 0);
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
	/* text that is no endpoint is invalid, shown as such (never a part of it) */
	CHECK_INT(parse("wgta\t(none)\t(none)\t0\toff\nwgta\t" PK1 "\t(none)\tevil\x1b[2J:1\t"
	                "(none)\t0\t0\t0\toff\n", &s, err, buf), 0);
	CHECK_STR(s.ndevs ? ep_str(&s.devs[0].peers[0].endpoint) : "", ENDPOINT_INVALID_TEXT);
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
	CHECK_CONTAINS(d ? d->errmsg : "", "Strange \x1b[31m error"); /* raw until printed */
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
	/* Not run: no child of this process ran and was reaped meanwhile (its page faults
	 * would count). A time under 100 ms said so too, but also failed when the scheduler
	 * held the test for 100 ms. */
	struct rusage before, after;
	getrusage(RUSAGE_CHILDREN, &before);
	CHECK_INT(source_wgcli.collect(&cfg, &s, &res), -ETIMEDOUT);
	getrusage(RUSAGE_CHILDREN, &after);
	CHECK_INT(after.ru_minflt, before.ru_minflt);
	CHECK_CONTAINS(res.msg, "not run: the poll budget of 1500 ms ran out");
	CHECK_INT(s.ndevs, 0);
	CHECK_INT(waitpid(-1, NULL, WNOHANG), -1); /* no child was started */
	wg_snapshot_clear(&s);
}

static const char dump_text[] =
	"wgta\t" PRIV "\t" PUB "\t51901\toff\n"
	"wgta\t" PK1 "\t" PSK "\t127.0.0.1:51902\t10.99.0.2/32,fd99::2/128\t1795545671\t92\t360\t5\n"
	"wgta\t" PK2 "\t(none)\t(none)\t10.99.0.3/32\t0\t0\t0\toff\n"
	"wgtb\t(none)\t(none)\t0\t0x1f\n"
	"wgtb\t" PK1 "\t" PSK "\t[fe80::1%eth0]:5\t(none)\t1795545671\t1\t2\t65535\n";

static bool same_snapshot(const struct wg_snapshot *a, const struct wg_snapshot *b)
{
	if (a->ndevs != b->ndevs)
		return false;
	for (size_t i = 0; i < a->ndevs; i++) {
		const struct wg_device *x = &a->devs[i], *y = &b->devs[i];
		if (strcmp(x->name, y->name) != 0 || x->npeers != y->npeers ||
		    x->listen_port != y->listen_port ||
		    memcmp(x->peers, y->peers, x->npeers * sizeof *x->peers) != 0 ||
		    x->nips != y->nips || (x->nips && memcmp(x->ips, y->ips, x->nips * sizeof *x->ips)))
			return false;
	}
	return true;
}

/* Feeds text[0..len) in pieces ending at cuts[]; counts secrets left in a piece after its
 * parse, and in the carry at the end. */
static int feed_cut(const char *text, size_t len, const size_t *cuts, size_t ncuts,
                    struct wg_snapshot *s, unsigned *leaks)
{
	static char piece[1 << 18];
	struct wgcli_stream ps;
	char err[200];
	size_t from = 0;
	memset(s, 0, sizeof *s);
	wgcli_stream_init(&ps, s, err, sizeof err);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		memcpy(piece, text + from, to - from);
		wgcli_stream_feed(&ps, piece, to - from);
		for (size_t k = 0; k + 4 <= to - from; k++) /* any 4 characters of a secret */
			*leaks += memmem(PRIV PSK, 88, piece + k, 4) != NULL;
		from = to;
	}
	int rc = wgcli_stream_end(&ps);
	for (size_t i = 0; i < sizeof ps.carry; i++)
		*leaks += ps.carry[i] != '\0';
	return rc;
}

/* Cut anywhere, or fed one byte at a time, the output parses as in one piece. */
static void test_stream_cuts(void)
{
	size_t len = sizeof dump_text - 1, cuts[sizeof dump_text];
	char buf[sizeof dump_text], err[200];
	struct wg_snapshot whole = { 0 }, s;
	unsigned leaks = 0, differ = 0, failed = 0;
	memcpy(buf, dump_text, sizeof buf);
	CHECK_INT(wgcli_parse(buf, len, &whole, err, sizeof err), 0);
	CHECK_INT(whole.ndevs, 2);
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	/* cut once at 0..len, then (cut len + 1) at every byte */
	for (size_t cut = 0; cut <= len + 1; cut++) {
		bool bytewise = cut > len;
		failed += feed_cut(dump_text, len, bytewise ? cuts : &cut, bytewise ? len - 1 : 1,
		                   &s, &leaks) != 0;
		differ += !same_snapshot(&whole, &s);
		wg_snapshot_clear(&s);
	}
	CHECK_INT(failed, 0);
	CHECK_INT(differ, 0);
	CHECK_INT(leaks, 0);
	wg_snapshot_clear(&whole);
}

/* A peer's allowed IPs have no bound (wg prints them all on its line); every other part
 * of a line has, wherever the reads cut it. */
static void test_stream_line_limit(void)
{
	static char text[300000];
	struct wg_snapshot s;
	unsigned leaks = 0, wrong = 0;
	int n = snprintf(text, sizeof text, "wgta\t%s\t%s\t0\toff\nwgta\t%s\t(none)\t(none)\t",
	                 PRIV, PUB, PK1);
	for (int i = 0; i < 12000; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "10.%d.%d.0/24,", i / 250, i % 250);
	n += snprintf(text + n, sizeof text - (size_t)n, "::/0\t0\t7\t8\toff\n");
	size_t cuts[] = { 100, 150, 1000, 65536, 131072, (size_t)n - 10 };
	CHECK_INT(feed_cut(text, (size_t)n, cuts, ARRAY_SIZE(cuts), &s, &leaks), 0);
	CHECK_INT(s.ndevs == 1 ? s.devs[0].npeers : 0, 1);
	CHECK_INT(s.ndevs == 1 ? s.devs[0].peers[0].tx_bytes : 0, 8);
	/* parsed as they streamed past: the first 64 kept, all 12,001 counted */
	CHECK_INT(s.ndevs == 1 ? s.devs[0].peers[0].nips : 0, WG_ALLOWEDIPS_KEEP);
	CHECK_INT(s.ndevs == 1 ? s.devs[0].peers[0].ips_total : 0, 12001);
	CHECK_STR(s.ndevs == 1 ? ip_of(&s.devs[0], 0, 63) : "", "10.0.63.0/24");
	CHECK_INT(leaks, 0);
	wg_snapshot_clear(&s);
	/* a fwmark as long as an allowed-IPs list is still refused, cut or whole */
	n = snprintf(text, sizeof text, "wgta\t%s\t%s\t0\t0x", PRIV, PUB);
	memset(text + n, '1', 5000);
	memcpy(text + n + 5000, "\n", 2);
	for (size_t cut = 0; cut < (size_t)n + 5001; cut += 97) {
		wrong += feed_cut(text, (size_t)n + 5001, &cut, 1, &s, &leaks) != -EPROTO;
		wg_snapshot_clear(&s);
	}
	CHECK_INT(wrong, 0);
	/* 1,024 bytes besides the allowed IPs ("(none)" here) is the bound, cut or not */
	char err[200], line[2048];
	struct wgcli_stream ps;
	for (size_t k = 1030; k <= 1031; k++) {
		int m = snprintf(line, sizeof line, "wgta\t(none)\t(none)\t0\toff\nwgta\t%s\t(none)\t", PK1);
		size_t used = strlen("wgta\t" PK1 "\t(none)\t") + strlen("\t(none)\t0\t0\t0\toff");
		memset(line + m, 'e', k - used);
		snprintf(line + m + (k - used), sizeof line - (size_t)m - (k - used),
		         "\t(none)\t0\t0\t0\toff\n");
		size_t len = strlen(line);
		size_t cut = len - 20;
		memset(&s, 0, sizeof s);
		wgcli_stream_init(&ps, &s, err, sizeof err);
		wgcli_stream_feed(&ps, line, cut);
		wgcli_stream_feed(&ps, line + cut, len - cut);
		int rc = wgcli_stream_end(&ps);
		CHECK_INT(rc, k - 6 > WGCLI_LINE_MAX ? -EPROTO : 0);
		if (rc < 0)
			CHECK_CONTAINS(err, "line 2: line longer than 1024 bytes");
		wg_snapshot_clear(&s);
	}
}

/* Malformed allowed IPs fail the output, whole or cut anywhere; a fwmark that is no
 * allowed IP still passes on an interface line. */
static void test_bad_allowed_ips(void)
{
	static const char *const bad[] = { "10.0.0.1/33", "10.0.0.1", "(none),10.0.0.1/32",
		"10.0.0.1/32,(none)", "10.0.0.1/32,", ",10.0.0.1/32", "", "fd00::/129",
		"10.0.0.1/32,,10.0.0.2/32", "x/1",
		"1111111111111111111111111111111111111111111111111111111111111111111/1" };
	char text[512], copy[512], err[200];
	struct wg_snapshot s = { 0 };
	unsigned wrong = 0, leaks = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int n = snprintf(text, sizeof text, "wgta\t(none)\t(none)\t0\toff\n"
		                 "wgta\t%s\t(none)\t(none)\t%s\t0\t0\t0\toff\n", PK1, bad[i]);
		CHECK_INT(parse(text, &s, err, copy), -EPROTO);
		CHECK_CONTAINS(err, "line 2: bad allowed IPs");
		wg_snapshot_clear(&s);
		for (size_t cut = 0; cut <= (size_t)n; cut++) {
			wrong += feed_cut(text, (size_t)n, &cut, 1, &s, &leaks) != -EPROTO;
			wg_snapshot_clear(&s);
		}
	}
	CHECK_INT(wrong, 0);
	CHECK_INT(parse("wgta\t(none)\t(none)\t0\t0x1f\n", &s, err, copy), 0);
	wg_snapshot_clear(&s);
}

/* WG_MAX_PEERS peers on one interface are read; one more fails naming the limit. */
static void test_stream_peer_limit(void)
{
	struct wg_snapshot s = { 0 };
	struct wgcli_stream ps;
	char err[200], *buf = malloc(WGCLI_READ_MAX), key[WG_KEY_B64_LEN];
	uint8_t raw[WG_KEY_LEN] = { 0 };
	size_t len = (size_t)sprintf(buf, "wgta\t(none)\t(none)\t0\toff\n");
	int rc = 0;
	wgcli_stream_init(&ps, &s, err, sizeof err);
	for (uint32_t i = 0; i <= WG_MAX_PEERS && rc == 0; i++) {
		memcpy(raw, &i, sizeof i);
		key_to_base64(key, raw);
		len += (size_t)sprintf(buf + len, "wgta\t%s\t(none)\t(none)\t(none)\t0\t0\t0\toff\n", key);
		if (len + 120 > WGCLI_READ_MAX || i == WG_MAX_PEERS) {
			rc = wgcli_stream_feed(&ps, buf, len);
			len = 0;
		}
		if (i + 1 == WG_MAX_PEERS)
			CHECK_INT(rc, 0);
	}
	CHECK_INT(rc, -E2BIG);
	CHECK_INT(wgcli_stream_end(&ps), -E2BIG);
	CHECK_CONTAINS(err, "line 1000002: wgta has more than 1000000 peers");
	CHECK_INT(s.ndevs, 0);
	wg_snapshot_clear(&s);
	free(buf);
}

TEST_MAIN(test_dump, test_bad_allowed_ips, test_mutations, test_skip_known, test_malformed, test_stderr,
          test_budget_spent, test_stream_cuts,
          test_stream_line_limit, test_stream_peer_limit)
