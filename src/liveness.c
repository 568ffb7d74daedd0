// SPDX-License-Identifier: MIT
/* The liveness rule: handshake or activity, threshold, renewal grace. */
#include "liveness.h"

#define MS 1000

/* The longest gap WireGuard's timers allow on a healthy link where only this side sends
 * keepalives (SPEC §13): the peer's last-minute window can fall between two of ours. */
int64_t liveness_grace_ms(const struct peers_config *cfg, const struct peer *p)
{
	if (cfg->liveness != LIVENESS_ACTIVITY || p->keepalive == 0 ||
	    cfg->threshold_ms < WG_REKEY_AFTER_TIME * MS)
		return 0;
	return (int64_t)(WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT +
	                 p->keepalive + WG_REKEY_TIMEOUT + 1) * MS;
}

enum peer_state liveness_decide(const struct peers_config *cfg, const struct peer *p,
                                int64_t now)
{
	if (p->hs_real_ms == 0)
		return PEER_NEVER;
	int64_t heard = cfg->liveness == LIVENESS_ACTIVITY ? p->heard_mono_ms : p->hs_mono_ms;
	if (now - heard <= cfg->threshold_ms)
		return PEER_ONLINE;
	if (now - p->hs_mono_ms <= liveness_grace_ms(cfg, p))
		return PEER_ONLINE;
	return PEER_OFFLINE;
}

/* When the peer crossed into offline: the later of the two deadlines above. */
int64_t liveness_offline_since(const struct peers_config *cfg, const struct peer *p)
{
	int64_t heard = cfg->liveness == LIVENESS_ACTIVITY ? p->heard_mono_ms : p->hs_mono_ms;
	int64_t a = heard + cfg->threshold_ms, b = p->hs_mono_ms + liveness_grace_ms(cfg, p);
	return a > b ? a : b;
}
