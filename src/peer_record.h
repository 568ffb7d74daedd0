/* SPDX-License-Identifier: MIT */
/* The state machine's own record of a peer. Private to peers*.c and peertab.c: everyone
 * else reads a struct peer_view (peerview.h). */
#ifndef PEER_RECORD_H
#define PEER_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "allowedips.h"
#include "peerview.h"
#include "wg.h"

struct peer {
	char ifname[WG_IFNAME_SIZE];
	uint8_t key[WG_KEY_LEN];
	char *name;                       /* owned; NULL = none (SPEC §9): names are rare, so
	                                   * 65 bytes inline in every record would be waste */
	struct wg_endpoint endpoint;      /* text only in a view (endpoint_format) */
	struct allowed_ips ips;           /* owned; as of the last poll that read the peer */
	enum peer_state state;
	int64_t hs_real_ms;               /* latest handshake, Unix ms; 0 = never */
	int64_t hs_mono_ms;               /* the same instant on the daemon's clock (mono_ms) */
	int64_t heard_mono_ms;            /* last heard (handshake or authenticated rx); 0 = never */
	int64_t heard_real_ms;            /* the same, Unix ms, for display */
	int64_t since_mono_ms;            /* when the current state began; 0 = unknown */
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;
	bool session_possible;            /* at the last poll: handshake younger than 180 s */
	bool heard_between_handshakes;    /* rx-heard since the latest handshake */
	bool hinted;                      /* threshold_hint already logged */
	bool pending_initial;             /* peer_initial deferred to the second poll */
	bool restored;                    /* from the state file, not yet seen in a poll */
	bool failing, failing_reported;   /* handshake_failing episode */
	int failing_polls;
	int64_t failing_start_mono_ms, failing_last_mono_ms;
	/* The session (SPEC §12): from the poll that saw it online to the moment it went
	 * offline; its traffic is the counters' rise over it. */
	bool session;                     /* one is known: running, or the last that ended */
	bool session_ended;
	int64_t session_start_mono_ms, session_end_mono_ms;
	uint64_t session_rx_bytes, session_tx_bytes;
	uint32_t seen_gen;
};

/* p's name, "" when it has none. */
static inline const char *peer_name(const struct peer *p)
{
	return p->name ? p->name : "";
}

#endif
