// SPDX-License-Identifier: MIT
/* When the state file is read and written, and what is said about it. */
#include <errno.h>
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

static void save(struct sink_state *ss, bool force)
{
	uint64_t changes = peers_changes(ss->peers);
	int64_t mono = mono_ms();
	if (!force && changes == ss->saved_changes && !ss->failing &&
	    mono - ss->saved_ms < STATE_REFRESH_MS)
		return;
	char err[600];
	struct clocks now = { real_ms(), mono };
	int rc = statefile_save(ss->file, ss->peers, &ss->rule, &now, ss->boot_id, err,
	                        sizeof(err));
	/* A directory removed and made again: found again, with its checks and the lock. */
	if (rc < 0 && statefile_follow(ss->file, ss->path, err, sizeof(err)) > 0)
		rc = statefile_save(ss->file, ss->peers, &ss->rule, &now, ss->boot_id, err,
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
	ss->saved_ms = mono;
	ss->saved_changes = changes;
}

void sink_state_event(void *ctx, const struct event *ev)
{
	if (ev->type == EV_POLL)
		save(ctx, false);
	else if (ev->type == EV_STATS && ev->stats.stopping && !ev->ifname[0])
		save(ctx, true);
}
