// SPDX-License-Identifier: MIT
/* libFuzzer harness for the state file: parse hostile bytes, and when they parse, restore
 * them into a table and run one poll that sees every restored peer again (resume_peer)
 * plus the save path's rendering through peers_view. Built by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const struct event *ev)
{
	(void)ctx;
	(void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saved_state st;
	char err[256];
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int rc = statefile_parse(buf, size, &st, err, sizeof err);
	free(buf);
	if (rc < 0)
		return 0;
	struct peers_config c = { .threshold_ms = 60000, .interval_ms = 5000 };
	struct peer_table *t = peers_new(&c);
	struct clocks now = { 1800000000000LL, 1000 };
	struct wg_snapshot snap = { 0 };
	int64_t elapsed = (int64_t)(size % 200000);
	if (t && peers_restore(t, st.peers, st.n, elapsed, st.n % 2 == 0, &now) >= 0) {
		for (size_t i = 0; i < st.n && i < 64; i++) {
			const struct peer_view *r = &st.peers[i];
			struct wg_device *d = wg_snapshot_find(&snap, r->ifname);
			if (!d)
				d = wg_snapshot_add_device(&snap, r->ifname);
			struct wg_peer *p = d ? wg_device_add_peer(d) : NULL;
			if (!p)
				break;
			memcpy(p->public_key, r->key, sizeof(p->public_key));
			p->last_handshake_sec = i % 2 ? r->handshake_ms / 1000 : 0;
			p->rx_bytes = r->rx_bytes + i;
		}
		peers_update(t, &snap, &now, ignore, NULL);
	}
	wg_snapshot_clear(&snap);
	peers_free(t);
	saved_state_free(&st);
	return 0;
}
