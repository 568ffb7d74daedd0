// SPDX-License-Identifier: MIT
/* The read side of the table: views, counts, interfaces and the counters. */
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "peers_impl.h"

const char *const peer_state_words[PEER_STATES] = {
	[PEER_NEVER] = "never", [PEER_ONLINE] = "online", [PEER_OFFLINE] = "offline",
};

const char *peer_state_name(enum peer_state s)
{
	return (unsigned)s < PEER_STATES ? peer_state_words[s] : "?";
}

/* How long before now a steady-clock instant was, never negative. */
static int64_t age_ms(const struct clocks *now, int64_t mono)
{
	return now->mono_ms > mono ? now->mono_ms - mono : 0;
}

/* The running session so far, or the last one that ended (SPEC §12). */
static void session_of(const struct peer *p, const struct clocks *now, struct peer_view *v)
{
	v->session_ms = v->session_age_ms = -1;
	v->session_rx_bytes = v->session_tx_bytes = 0;
	if (!p->session)
		return;
	v->session_age_ms = age_ms(now, p->session_start_mono_ms);
	int64_t end = p->session_ended ? p->session_end_mono_ms : now->mono_ms;
	v->session_ms = end > p->session_start_mono_ms ? end - p->session_start_mono_ms : 0;
	v->session_rx_bytes = p->session_rx_bytes;
	v->session_tx_bytes = p->session_tx_bytes;
}

void peers_view_of(const struct peer_table *t, const struct peer *p, const struct clocks *now,
                   struct peer_view *v)
{
	memcpy(v->ifname, p->ifname, sizeof(v->ifname));
	memcpy(v->key, p->key, sizeof(v->key));
	snprintf(v->name, sizeof(v->name), "%s", peer_name(p));
	endpoint_format(v->endpoint, &p->endpoint);
	v->state = p->state;
	v->handshake_ms = p->hs_real_ms;
	v->since_age_ms = p->since_mono_ms ? age_ms(now, p->since_mono_ms) : -1; /* 0: unknown */
	v->handshake_age_ms = p->hs_real_ms ? age_ms(now, p->hs_mono_ms) : -1;
	v->heard_age_ms = p->heard_real_ms ? age_ms(now, p->heard_mono_ms) : -1;
	v->heard_ms = p->heard_real_ms;
	v->failing_age_ms = p->failing_reported ? age_ms(now, p->failing_start_mono_ms) : -1;
	v->rx_bytes = p->rx_bytes;
	v->tx_bytes = p->tx_bytes;
	v->keepalive = p->keepalive;
	session_of(p, now, v);
	v->restored = p->restored;
	v->read = p->seen_gen == t->gen && !p->restored;
	v->deferred = p->pending_initial;
}

bool peers_view(const struct peer_table *t, size_t i, const struct clocks *now,
                struct peer_view *v)
{
	if (i >= t->tab.n)
		return false;
	peers_view_of(t, &t->tab.recs[i], now, v);
	return true;
}

const struct allowed_ips *peers_allowed_ips(const struct peer_table *t, size_t i)
{
	return i < t->tab.n ? &t->tab.recs[i].ips : NULL;
}

uint64_t peers_changes(const struct peer_table *t)
{
	return t->changes;
}

struct peer_counts peers_count(const struct peer_table *t, const char *ifname)
{
	struct peer_counts c = { 0 };
	for (size_t i = 0; i < t->tab.n; i++) {
		const struct peer *p = &t->tab.recs[i];
		if (p->restored || (ifname && strcmp(p->ifname, ifname) != 0))
			continue; /* a restored peer counts once a poll has seen it */
		c.peers++;
		if (p->state == PEER_ONLINE)
			c.online++;
		else if (p->state == PEER_OFFLINE)
			c.offline++;
		else
			c.never++;
	}
	return c;
}

uint64_t peers_transitions(const struct peer_table *t)
{
	return t->transitions;
}

const char *peers_interface(const struct peer_table *t, size_t i)
{
	return i < t->nifs ? t->ifs[i].name : NULL;
}
