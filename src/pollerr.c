// SPDX-License-Identifier: MIT
/* Remembers the errors of recent polls so a persistent failure does not flood the log. */
#include <stdlib.h>
#include <string.h>

#include "pollerr.h"
#include "util.h"

/* One per interface at most, plus the whole poll; beyond that, errors are not deduplicated. */
#define POLLERR_MAX (WG_MAX_DEVICES + 1)

/* Keyed on (interface, errno), not the text: a message may carry details (a line
 * number, wg's stderr) that vary while the failure is the same. */
static struct pollerr_entry *find(struct pollerr *pe, const char *ifname, int err)
{
	for (size_t i = 0; i < pe->n; i++) {
		struct pollerr_entry *e = &pe->e[i];
		if (e->err == err && strcmp(e->ifname, ifname) == 0)
			return e;
	}
	return NULL;
}

static struct pollerr_entry *add(struct pollerr *pe, const char *ifname, int err,
                                 const char *msg)
{
	void *arr = pe->e;
	if (!array_grow(&arr, &pe->cap, pe->n, sizeof(*pe->e), POLLERR_MAX))
		return NULL;
	pe->e = arr;
	struct pollerr_entry *e = &pe->e[pe->n++];
	memset(e, 0, sizeof(*e));
	strncpy(e->ifname, ifname, sizeof(e->ifname) - 1);
	strncpy(e->msg, msg, sizeof(e->msg) - 1);
	e->err = err;
	return e;
}

static void say(const struct pollerr *pe, enum event_type type, const char *ifname, int err,
                const char *msg, uint64_t repeats)
{
	struct event ev = event_message(type, real_ms(), ifname, err, msg);
	ev.error.repeats = repeats;
	pe->fn(pe->ctx, &ev);
}

void pollerr_begin(struct pollerr *pe)
{
	for (size_t i = 0; i < pe->n; i++)
		pe->e[i].seen = false;
}

void pollerr_report(struct pollerr *pe, const char *ifname, int err, const char *msg,
                    int64_t now)
{
	const char *ifn = ifname ? ifname : "";
	struct pollerr_entry *e = find(pe, ifn, err);
	if (!e) {
		e = add(pe, ifn, err, msg);
		say(pe, EV_POLL_ERROR, ifn, err, msg, 0);
		if (e) {
			e->seen = true;
			e->last_logged_ms = now;
		}
		return;
	}
	e->seen = true;
	e->quiet = 0;
	e->repeats++;
	if (now - e->last_logged_ms < POLLERR_REPEAT_MS)
		return;
	say(pe, EV_POLL_ERROR, ifn, err, msg, e->repeats);
	e->repeats = 0;
	e->last_logged_ms = now;
}

/* Whether the snapshot says anything about the entry's interface: read (true), or still
 * unknown (false: it may exist unseen). *log: whether its end deserves poll_recovered. */
static bool settled(const struct pollerr_entry *e, const struct wg_snapshot *snap, bool *log)
{
	if (!e->ifname[0]) {
		*log = true;
		return true;
	}
	const struct wg_device *d = wg_snapshot_find(snap, e->ifname);
	*log = d && !d->error;
	return d ? !d->error : !snap->incomplete;
}

void pollerr_end(struct pollerr *pe, const struct wg_snapshot *snap)
{
	for (size_t i = pe->n; i-- > 0;) {
		struct pollerr_entry *e = &pe->e[i];
		bool log;
		if (e->seen || !settled(e, snap, &log) || ++e->quiet < POLLERR_QUIET_POLLS)
			continue;
		if (!log) {
			pe->e[i] = pe->e[--pe->n];
			continue;
		}
		say(pe, EV_POLL_RECOVERED, e->ifname, 0, e->msg, e->repeats);
		pe->e[i] = pe->e[--pe->n];
	}
}

void pollerr_fini(struct pollerr *pe)
{
	free(pe->e);
	pe->e = NULL;
	pe->n = pe->cap = 0;
}
