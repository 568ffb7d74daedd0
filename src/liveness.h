/* SPDX-License-Identifier: MIT */
/* The liveness rule (SPEC §4, §13): from a peer's record, the threshold and the rule,
 * whether it is online, and when it crossed into offline. Pure functions. */
#ifndef LIVENESS_H
#define LIVENESS_H

#include "peer_record.h"
#include "peers.h"

/* never, online or offline at the steady-clock instant now. */
enum peer_state liveness_decide(const struct peers_config *cfg, const struct peer *p,
                                int64_t now);
/* The steady-clock instant it crossed into offline: the later of the threshold after it
 * was last heard and the end of the renewal grace. */
int64_t liveness_offline_since(const struct peers_config *cfg, const struct peer *p);
/* How long after its last handshake p stays online at least (the renewal grace, SPEC
 * §13); 0 when it does not apply. */
int64_t liveness_grace_ms(const struct peers_config *cfg, const struct peer *p);

#endif
