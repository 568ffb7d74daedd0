// SPDX-License-Identifier: MIT
/* When the state file is read and written, and what is said about it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sink_state.h"
#include "util.h"

void sink_state_init(struct sink_state *ss, struct statefile *file,
                     const struct peer_table *peers, const struct saved_rule *rule,
                     const char *path, event_fn fn, void *ctx)
{
	memset(ss, 0, sizeof(*ss));
	ss->file = file;
	ss->peers = peers;
	ss->rule = *rule;
	ss->path = path;
	ss->fn = fn;
	ss->ctx = ctx;
	statefile_boot_id(ss->boot_id);
	ss->saved_ms = mono_ms();
	ss->next_ms = INT64_MIN;   /* the first change is saved at once */
}

static void say(const struct sink_state *ss, enum event_type type, int err, const char *msg)
{
	struct event ev = event_message(type, real_ms(), NULL, err, msg);
	ss->fn(ss->ctx, &ev);
}

void sink_state_restore(struct sink_state *ss, struct peer_table *peers)
{
	struct saved_state st;
	char err[600];
	int rc = statefile_load(ss->file, &st, err, sizeof(err));
	if (rc == -ENOENT)
		return; /* the first start with this file */
	if (rc < 0) {
		say(ss, EV_STATE_IGNORED, rc, err);
		return;
	}
	struct clocks now = { real_ms(), mono_ms() };
	bool same = st.rule.threshold == ss->rule.threshold && st.rule.liveness == ss->rule.liveness;
	int n = peers_restore(peers, st.peers, st.n, statefile_elapsed_ms(&st, &now, ss->boot_id),
	                      same, &now);
	if (n < 0) {
		say(ss, EV_STATE_IGNORED, n, "out of memory restoring the state file");
		saved_state_free(&st);
		return;
	}
	struct event ev = event_new(EV_STATE_RESTORED, now.real_ms, NULL);
	ev.restored.path = ss->path;
	ev.restored.peers = n;
	ev.restored.saved_ms = st.written_ms;
	ev.restored.rule_changed = !same;
	ss->fn(ss->ctx, &ev);
	saved_state_free(&st);
	ss->saved_changes = peers_changes(peers);
}

/* The least time from one save to the next unforced one (see STATE_SAVE_GAP_PER_PEER_MS). */
static int64_t save_gap_ms(size_t npeers)
{
	if (npeers >= STATE_REFRESH_MS / STATE_SAVE_GAP_PER_PEER_MS)
		return STATE_REFRESH_MS;
	return (int64_t)npeers * STATE_SAVE_GAP_PER_PEER_MS;
}

/* A change not yet saved, a failure to retry, or the refresh due. */
static bool worth_saving(const struct sink_state *ss, int64_t mono)
{
	return peers_changes(ss->peers) != ss->saved_changes || ss->failing ||
	       mono - ss->saved_ms >= STATE_REFRESH_MS;
}

static void save(struct sink_state *ss, const struct clocks *now, bool force)
{
	if (!force && (now->mono_ms < ss->next_ms || !worth_saving(ss, now->mono_ms)))
		return;
	uint64_t changes = peers_changes(ss->peers);
	char err[600];
	ss->next_ms = now->mono_ms + save_gap_ms(ss->npeers);
	int rc = statefile_save(ss->file, ss->peers, &ss->rule, now, ss->boot_id, err,
	                        sizeof(err));
	/* A directory removed and made again: found again, with its checks and the lock. */
	if (rc < 0 && statefile_follow(ss->file, ss->path, err, sizeof(err)) > 0)
		rc = statefile_save(ss->file, ss->peers, &ss->rule, now, ss->boot_id, err,
		                    sizeof(err));
	if (rc < 0) {
		if (!ss->failing)
			say(ss, EV_STATE_WRITE_FAILED, rc, err);
		ss->failing = true;
		return;
	}
	if (ss->failing)
		say(ss, EV_STATE_WRITE_RECOVERED, 0, "the state file is written again");
	ss->failing = false;
	ss->saved_ms = now->mono_ms;
	ss->saved_changes = changes;
}

void sink_state_event(void *ctx, const struct event *ev)
{
	struct sink_state *ss = ctx;
	if (ev->type == EV_POLL) {
		struct clocks now = { ev->real_ms, ev->poll.mono_ms };
		ss->npeers = ev->poll.counts.peers;
		save(ss, &now, false);
	} else if (ev->type == EV_STATS && ev->stats.stopping && !ev->ifname[0]) {
		struct clocks now = { real_ms(), mono_ms() };
		save(ss, &now, true);
	}
}
