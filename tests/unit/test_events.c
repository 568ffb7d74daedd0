// SPDX-License-Identifier: MIT
/* The event vocabulary and the fan-out: every sink sees every event, in order; an event a
 * sink raises comes after the one it handles, for every sink; nothing is lost when the
 * queue is full; an event is a value that outlives the table it came from. */
#include <errno.h>

#include "epfix.h"
#include "harness.h"
#include "peerfix.h"
#include "util.h"

#define SEEN_MAX (EVENTS_QUEUE_MAX + 64)

struct seen {
	size_t n;
	enum event_type type[SEEN_MAX];
	int tag[SEEN_MAX];        /* a raised event's number (its err), 0 for the others */
	struct event_bus *bus;    /* set: raise `raise` events on the first EV_POLL */
	int raise;
};

static void see(void *ctx, const struct event *ev)
{
	struct seen *s = ctx;
	if (s->n < SEEN_MAX) {
		s->tag[s->n] = ev->type == EV_STATE_WRITE_FAILED ? ev->error.err : 0;
		s->type[s->n++] = ev->type;
	}
	if (s->bus && ev->type == EV_POLL && s->raise > 0) {
		int k = s->raise;
		s->raise = 0;
		for (int i = 1; i <= k; i++) {
			struct event e = event_message(EV_STATE_WRITE_FAILED, 0, NULL, i, "x");
			events_emit(s->bus, &e);
		}
	}
}

static struct seen a_seen, b_seen; /* big: not on the stack */

static void test_words(void)
{
	for (int t = 0; t < EV__COUNT; t++) {
		CHECK(event_name(t)[0] != '?');
		for (int u = 0; u < t; u++)
			CHECK(strcmp(event_name(t), event_name(u)) != 0);
	}
	CHECK_STR(event_name(EV_PEER_REMOVED), "peer_removed");
	CHECK_INT(event_level(EV_PEER_OFFLINE), EVL_WARNING);
	CHECK_INT(event_level(EV_POLL_ERROR), EVL_ERROR);
	CHECK_STR(removal_name(RM_INTERFACE_REMOVED), "interface_removed");
	CHECK_STR(removal_name(RM_FORGOTTEN), "forgotten");
	CHECK_STR(event_name(EV__COUNT), "?");
}

static void test_fanout_order(void)
{
	struct event_bus bus = { 0 };
	struct seen a = { 0 }, b = { 0 };
	CHECK_INT(events_add_sink(&bus, see, &a), 0);
	CHECK_INT(events_add_sink(&bus, see, &b), 0);
	/* a raises two events while it handles the poll: both sinks see them after it */
	a.bus = &bus;
	a.raise = 2;
	enum event_type sent[] = { EV_MONITOR_START, EV_POLL, EV_STATS, EV_MONITOR_STOP };
	for (size_t i = 0; i < ARRAY_SIZE(sent); i++) {
		struct event ev = event_new(sent[i], 0, NULL);
		events_emit(&bus, &ev);
	}
	enum event_type want[] = { EV_MONITOR_START, EV_POLL, EV_STATE_WRITE_FAILED,
	                           EV_STATE_WRITE_FAILED, EV_STATS, EV_MONITOR_STOP };
	CHECK_INT(a.n, ARRAY_SIZE(want));
	CHECK_INT(b.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want) && i < a.n && i < b.n; i++) {
		CHECK_INT(a.type[i], want[i]);
		CHECK_INT(b.type[i], want[i]);
	}
	for (int i = 2; i < EVENTS_MAX_SINKS; i++)
		CHECK_INT(events_add_sink(&bus, see, &b), 0);
	CHECK_INT(events_add_sink(&bus, see, &b), -ENOSPC);
	events_fini(&bus);
}

/* Many raised events: every sink sees every one, in the same order, after the event that
 * raised them; past the queue's bound they are still delivered (counted), never lost. */
static void test_queue_grows(void)
{
	const int many = 100, over = 3;
	struct event_bus bus = { 0 };
	struct seen *a = &a_seen, *b = &b_seen;
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	events_add_sink(&bus, see, a);
	events_add_sink(&bus, see, b);
	a->bus = &bus;
	a->raise = many;
	struct event ev = event_new(EV_POLL, 0, NULL);
	events_emit(&bus, &ev);
	CHECK_INT(a->n, 1 + many);
	CHECK_INT(b->n, 1 + many);
	CHECK_INT(b->type[0], EV_POLL);
	int same = 0;
	for (int i = 1; i <= many && i < (int)b->n; i++)
		same += a->tag[i] == i && b->tag[i] == i;
	CHECK_INT(same, many);
	CHECK(!bus.busy && bus.qlen == 0);
	CHECK_INT(bus.unqueued, 0);
	/* past the bound */
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->bus = &bus;
	a->raise = EVENTS_QUEUE_MAX + over;
	events_emit(&bus, &ev);
	CHECK_INT(a->n, 1 + EVENTS_QUEUE_MAX + over);
	CHECK_INT(b->n, 1 + EVENTS_QUEUE_MAX + over);
	CHECK_INT(bus.unqueued, over);
	events_fini(&bus);
}

struct keep {
	struct event ev[8];
	size_t n;
};

static void keep(void *ctx, const struct event *ev)
{
	struct keep *k = ctx;
	if (k->n < 8)
		k->ev[k->n++] = *ev;
}

/* A sink may queue an event: its copy stays whole after the peer left the table and the
 * table itself is gone. */
static void test_value_outlives_table(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 5000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 }, empty = { 0 };
	struct keep k = { 0 };
	struct wg_peer *p = fix_peer(&s, "wg0", 9);
	ep_set(&p->endpoint, "192.0.2.1:51820");
	p->last_handshake_sec = 1795643700;
	struct clocks now = { 1795643712000LL, 10000 };
	CHECK_INT(peers_update(t, &s, &now, keep, &k), 0);
	now.mono_ms += 1000;
	CHECK_INT(peers_update(t, &empty, &now, keep, &k), 0);
	peers_free(t);
	wg_snapshot_clear(&s);
	memset(&s, 0xA5, sizeof(s)); /* nothing may point into what is gone */
	CHECK_INT(k.n, 3); /* peer_initial, peer_removed, interface_removed */
	CHECK_INT(k.ev[0].type, EV_PEER_INITIAL);
	CHECK_INT(k.ev[0].peer.v.state, PEER_ONLINE);
	CHECK_INT(k.ev[1].type, EV_PEER_REMOVED);
	CHECK_INT(k.ev[1].peer.removal, RM_INTERFACE_REMOVED);
	CHECK_STR(k.ev[1].ifname, "wg0");
	CHECK_STR(k.ev[1].peer.v.ifname, "wg0");
	CHECK_STR(k.ev[1].peer.v.endpoint, "192.0.2.1:51820");
	CHECK_INT(k.ev[1].peer.v.key[0], 9);
	CHECK_INT(k.ev[1].peer.v.handshake_ms, 1795643700000LL);
	CHECK_INT(k.ev[1].peer.v.handshake_age_ms, 13000);
	CHECK_INT(k.ev[2].type, EV_INTERFACE_REMOVED);
	CHECK_INT(k.ev[2].iface.npeers, 1);
}

TEST_MAIN(test_words, test_fanout_order, test_queue_grows, test_value_outlives_table)
