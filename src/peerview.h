/* SPDX-License-Identifier: MIT */
/* What anyone but the state machine may know of a peer (SPEC §14): a copy with times as
 * ages, read through peers_view() by status, the state file and the sinks, and given
 * back to peers_restore() from a saved file. Nothing here points into the table. */
#ifndef PEERVIEW_H
#define PEERVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "wg.h"

enum peer_state { PEER_NEVER = 0, PEER_ONLINE, PEER_OFFLINE };
#define PEER_STATES 3

/* The words of the states, in the log, status and the state file: "never" ... */
extern const char *const peer_state_words[PEER_STATES];
const char *peer_state_name(enum peer_state s);

#define PEER_NAME_SIZE 65  /* 64 bytes of UTF-8 (SPEC §9) + NUL */

/* Ages are milliseconds before the moment the view was taken, -1 = unknown or never. */
struct peer_view {
	char ifname[WG_IFNAME_SIZE];
	uint8_t key[WG_KEY_LEN];
	char name[PEER_NAME_SIZE];        /* "" until names exist (SPEC §9) */
	char endpoint[WG_ENDPOINT_SIZE];  /* "" = unknown */
	enum peer_state state;
	int64_t handshake_ms;             /* WireGuard's stamp, Unix ms; 0 = never */
	int64_t since_age_ms;             /* in this state for */
	int64_t handshake_age_ms;         /* on the daemon's clock-step-proof timeline */
	int64_t heard_age_ms;             /* last heard: handshake or authenticated rx */
	int64_t heard_ms;                 /* the same as a Unix time, for display; 0 = never */
	int64_t failing_age_ms;           /* a reported handshake_failing episode began */
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;               /* persistent keepalive, seconds; 0 = off */
	/* The session (SPEC §12): while online, the one so far; on peer_offline and after, the
	 * one that ended (it ends when the peer went offline; its bytes are up to the poll
	 * that saw it). session_ms = -1: none known. Filled by the state machine. */
	int64_t session_ms;
	uint64_t session_rx_bytes, session_tx_bytes;
	int64_t session_age_ms;           /* the session began, -1 = none (for the state file) */
	bool restored;                    /* from the state file, not yet seen in a poll */
	bool read;                        /* in the last poll's reading of its interface */
	bool deferred;                    /* its first verdict waits for the next poll */
};

#endif
