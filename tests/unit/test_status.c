// SPDX-License-Identifier: MIT
/* status output: sorted rows, the JSON keys and values, the table, hostile endpoints. */
#include <stdlib.h>

#include "epfix.h"
#include "harness.h"
#include "peerfix.h"
#include "status.h"
#include "tmpdir.h"

static char *render(const struct peer_table *t, const struct clocks *now, bool json)
{
	/* Through a temporary file: gcc 12 misreads open_memstream's buffer as dangling. */
	FILE *f = tmpfile();
	status_print(t, now, json, false, f);
	long n = ftell(f);
	char *buf = calloc(1, (size_t)n + 1);
	rewind(f);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void test_status_output(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg1", 0xff);
	p->last_handshake_sec = 1795643700;
	p->rx_bytes = 92;
	p->tx_bytes = 18446744073709551615ULL;
	p->persistent_keepalive = 25;
	ep_set(&p->endpoint, "[2001:db8::1]:51820");
	fix_allowed(&s, "wg1", p, "10.0.0.2/32");
	fix_allowed(&s, "wg1", p, "fd00::2/128");
	p = fix_peer(&s, "wg0", 0x00);
	ep_set(&p->endpoint, "x\"\\\x1b"); /* no endpoint: invalid */
	struct clocks now = { 1795643712000LL, 5000000 };
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	char *js = render(t, &now, true);
	CHECK_STR(js,
	          "[\n"
	          "{\"interface\":\"wg0\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
	          "\"name\":\"\",\"state\":\"never\",\"last_handshake\":0,\"handshake_age\":-1,"
	          "\"last_heard\":0,\"endpoint\":\"(invalid)\",\"allowed_ips\":[],"
	          "\"rx_bytes\":0,\"tx_bytes\":0,"
	          "\"persistent_keepalive\":0,\"reason\":\"\",\"session_seconds\":-1,"
	          "\"session_rx_bytes\":0,\"session_tx_bytes\":0},\n"
	          "{\"interface\":\"wg1\",\"public_key\":\"//////////////////////////////////////////8=\","
	          "\"name\":\"\",\"state\":\"online\",\"last_handshake\":1795643700,\"handshake_age\":12,"
	          "\"last_heard\":1795643700,\"endpoint\":\"[2001:db8::1]:51820\","
	          "\"allowed_ips\":[\"10.0.0.2/32\",\"fd00::2/128\"],\"rx_bytes\":92,"
	          "\"tx_bytes\":18446744073709551615,\"persistent_keepalive\":25,\"reason\":\"\","
	          "\"session_seconds\":0,\"session_rx_bytes\":0,\"session_tx_bytes\":0}\n"
	          "]\n");
	free(js);
	char *tab = render(t, &now, false);
	CHECK(strncmp(tab, "INTERFACE ", 10) == 0);
	CHECK_CONTAINS(tab, "\nwg0 ");
	const char *row0 = strstr(tab, "\nwg0 "), *row1 = strstr(tab, "\nwg1 ");
	CHECK(row0 && row1 && row0 < row1);
	CHECK_CONTAINS(tab, " online  12s ago ");
	CHECK_CONTAINS(tab, " never   never ");
	CHECK(strchr(tab, '\x1b') == NULL);
	free(tab);
	/* An online peer's session so far: 65 s and the traffic since it began. */
	struct clocks later = { now.real_ms + 65000, now.mono_ms + 65000 };
	p = &s.devs[wg_snapshot_find(&s, "wg1") - s.devs].peers[0];
	p->last_handshake_sec += 60;
	p->rx_bytes += 1000;
	p->tx_bytes = 499; /* went back: counted from zero again */
	CHECK_INT(peers_update(t, &s, &later, rec_event, &r), 0);
	js = render(t, &later, true);
	CHECK_CONTAINS(js, "\"session_seconds\":65,\"session_rx_bytes\":1000,"
	               "\"session_tx_bytes\":499}");
	free(js);
	tab = render(t, &later, false); /* the table's SESSION column: its length so far */
	CHECK_CONTAINS(tab, "             TX SESSION REASON\n");
	CHECK_CONTAINS(tab, " 499     65s -\n");
	CHECK_CONTAINS(tab, " 0       - -\n"); /* never online: none */
	free(tab);
	wg_snapshot_clear(&s);
	peers_free(t);
	/* past the bound: the 64 kept, and how many there were */
	struct peer_table *big = peers_new(&c);
	p = fix_peer(&s, "wg2", 0x22);
	for (int i = 0; i < 65; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.0.0.%d/32", i);
		fix_allowed(&s, "wg2", p, ip);
	}
	CHECK_INT(peers_update(big, &s, &now, rec_event, &r), 0);
	js = render(big, &now, true);
	CHECK_CONTAINS(js, ",\"10.0.0.63/32\"],\"allowed_ips_total\":65,\"rx_bytes\"");
	CHECK(!strstr(js, "10.0.0.64/32"));
	free(js);
	wg_snapshot_clear(&s);
	peers_free(big);
	struct peer_table *empty = peers_new(&c);
	js = render(empty, &now, true);
	CHECK_STR(js, "[]\n");
	free(js);
	peers_free(empty);
}

/* The daemon's view, as status restores it from the state file: a handshake_failing
 * episode shows as the reason in JSON and in the table's REASON column, last heard in
 * HEARD. */
static void test_status_reason(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 5000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct rec r = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 0x07);
	struct clocks now = { 1795643712000LL, 5000000 };
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	for (int i = 0; i < 4; i++) {
		now.real_ms += 5000;
		now.mono_ms += 5000;
		p->rx_bytes += 148;
		CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	}
	p = fix_peer(&s, "wg1", 0x08);
	p->last_handshake_sec = now.real_ms / 1000 - 150;
	CHECK_INT(peers_update(t, &s, &now, rec_event, &r), 0);
	CHECK_INT(rec_count(&r, EV_HANDSHAKE_FAILING), 1);
	char *js = render(t, &now, true);
	CHECK_CONTAINS(js, "\"state\":\"never\",\"last_handshake\":0");
	CHECK_CONTAINS(js, "\"reason\":\"handshake_failing\",");
	CHECK_CONTAINS(js, "\"reason\":\"\",");
	free(js);
	char *tab = render(t, &now, false);
	CHECK_CONTAINS(tab, " HANDSHAKE  HEARD ");
	CHECK_CONTAINS(tab, " REASON\n");
	const char *row0 = strstr(tab, "\nwg0 "), *row1 = strstr(tab, "\nwg1 ");
	CHECK(row0 && row1);
	if (row0 && row1) {
		CHECK(strstr(row0, " handshake_failing\n") == strchr(row0 + 1, '\n') -
		      strlen(" handshake_failing"));
		CHECK_CONTAINS(row1, " online  2m ago     2m ago ");
		CHECK(strchr(row1 + 1, '\n')[-1] == '-');
	}
	free(tab);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* The services' state files status finds by itself: the plain service's first. */
static void test_service_files(void)
{
	char d[PATH_MAX], p[PATH_MAX], files[8][PATH_MAX];
	CHECK(tdir_make(d, "/tmp"));
	const char *names[] = { "wg0.state", "state", "a.state", "wg0.state.lock", "state.tmp",
	                        "other", ".state" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(twrite(tpath(p, d, names[i]), ""));
	CHECK_INT(status_service_files(d, files, 8), 3);
	CHECK_STR(files[0], tpath(p, d, "state"));
	CHECK_STR(files[1], tpath(p, d, "a.state"));
	CHECK_STR(files[2], tpath(p, d, "wg0.state"));
	CHECK_INT(status_service_files(d, files, 2), 2);
	CHECK_INT(status_service_files("/nonexistent/wgm", files, 8), 0);
	tdir_remove(d);
}

TEST_MAIN(test_status_output, test_status_reason, test_service_files)
