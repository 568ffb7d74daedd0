/* SPDX-License-Identifier: MIT */
/* One vocabulary of events (SPEC §5, §14) and the fan-out that delivers each, in order,
 * to every registered sink. An event is a value that owns its data: a sink may keep or
 * queue a copy after the peer table has changed. */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peerview.h"
#include "wg.h"

enum event_type {
	/* about one peer: ev->peer */
	EV_PEER_INITIAL = 0, EV_PEER_ONLINE, EV_PEER_OFFLINE, EV_PEER_ADDED, EV_PEER_REMOVED,
	EV_ENDPOINT_CHANGED, EV_HANDSHAKE_FAILING, EV_THRESHOLD_HINT, EV_PEER_STATUS,
	/* about one interface: ev->iface */
	EV_INTERFACE_ADDED, EV_INTERFACE_REMOVED,
	/* about the daemon */
	EV_MONITOR_START, EV_MONITOR_STOP, EV_POLL, EV_POLL_ERROR, EV_POLL_RECOVERED, EV_STATS,
	EV_STATE_RESTORED, EV_STATE_IGNORED, EV_STATE_WRITE_FAILED, EV_STATE_WRITE_RECOVERED,
	EV_LOG_REOPENED, EV_LOG_FILE_ERROR, EV_LOG_FILE_RECOVERED, EV_LOOP_ERROR,
	/* names (SPEC §9): a peer's name changed on SIGHUP (ev->peer); a bad line or an
	 * unreadable names file or config (the error member) */
	EV_PEER_RENAMED, EV_NAMES_WARNING,
	EV_METRICS_TOKEN_ERROR,
	EV_WATCHDOG_WARNING,
	/* hooks (SPEC §11), about the peer of the event the hook was for (ev->peer, with
	 * ev->peer.hook) */
	EV_HOOK_FAILED, EV_HOOK_TIMEOUT, EV_HOOK_DROPPED,
	EV__COUNT
};

/* How bad an event is; the log renders it as DEBUG INFO WARNING ERROR. */
enum event_level { EVL_DEBUG = 0, EVL_INFO, EVL_WARNING, EVL_ERROR };

/* Why a peer left the table (peer_removed reason=). */
enum removal {
	RM_REMOVED = 0,        /* gone from its interface's configuration */
	RM_RECREATED,          /* removed and added again between two polls */
	RM_INTERFACE_REMOVED,  /* its interface vanished */
	RM_FORGOTTEN,          /* restored from the state file, never seen again */
};

const char *event_name(enum event_type t);
enum event_level event_level(enum event_type t);
const char *removal_name(enum removal r);
/* Whether events of type t are about one peer (carry ev->peer). */
bool event_about_peer(enum event_type t);

#define EV_HOOK_DETAIL_SIZE 256

/* What became of one run of the hook. */
struct ev_hook {
	enum event_type of;             /* the event it was for */
	uint64_t seq;                   /* its WG_MONITOR_SEQ */
	int status;                     /* hook_failed: waitpid() status, -1 = never ran */
	char detail[EV_HOOK_DETAIL_SIZE]; /* why, or the first line of its stderr */
};

struct ev_peer {
	struct peer_view v;             /* the peer after the change */
	char old_endpoint[WG_ENDPOINT_SIZE]; /* endpoint_changed */
	enum removal removal;           /* peer_removed */
	int64_t offline_for;            /* peer_online: seconds, -1 = unknown */
	int64_t state_for;              /* peer_initial: seconds in this state, -1 = unknown */
	int64_t failing_for;            /* handshake_failing: seconds */
	int64_t gap;                    /* threshold_hint: observed handshake gap, seconds */
	int64_t suggested_threshold;    /* threshold_hint */
	char old_name[PEER_NAME_SIZE];  /* peer_renamed: the name before */
	struct ev_hook hook;            /* hook_* */
	bool session_ended;             /* peer_initial: v's session ended at this verdict */
};

struct peer_counts {
	size_t peers, online, offline, never;
};

/* Counters only go up; a sink that shows deltas keeps its own last copy. */
struct ev_totals {
	uint64_t polls, poll_errors, transitions;
	int64_t poll_ms;                /* the time all polls took */
};

/* monitor_start: what the daemon runs with. The strings live as long as the daemon. */
struct monitor_info {
	const char *version, *backend, *interfaces, *liveness, *log_path, *log_format,
	           *state_file;
	int64_t pid;
	unsigned interval, threshold, stats_interval, poll_timeout;
};

#define EVENT_MESSAGE_SIZE 640

struct event {
	enum event_type type;
	int64_t real_ms;                /* when, Unix ms */
	char ifname[WG_IFNAME_SIZE];    /* "" = not about one interface */
	union {
		struct ev_peer peer;
		struct { size_t npeers; } iface;
		/* poll_error, poll_recovered, state_ignored, state_write_*, log_*, loop_error,
		 * metrics_token_error */
		struct {
			int err;                /* -errno, 0 = none */
			uint64_t repeats;       /* poll_*: occurrences not logged */
			char message[EVENT_MESSAGE_SIZE];
		} error;
		/* poll: the table after it, at mono_ms on the daemon's steady clock */
		struct {
			struct peer_counts counts;
			int64_t poll_ms, mono_ms;
			size_t interfaces;
		} poll;
		/* stats: counts of the interface, or of all (ifname "": then with the totals;
		 * an interface's line has none); stopping: the last, at stop (sinks flush
		 * then, before monitor_stop) */
		struct { struct peer_counts counts; struct ev_totals totals; bool stopping; } stats;
		const struct monitor_info *start;
		struct { int signal; } stop;
		struct { const char *path; int64_t peers, saved_ms; bool rule_changed; } restored;
	};
};

/* An event with every optional peer field "does not apply", stamped real_ms. */
struct event event_new(enum event_type type, int64_t real_ms, const char *ifname);
/* A message event (the error member) with a formatted, bounded message. */
struct event event_message(enum event_type type, int64_t real_ms, const char *ifname, int err,
                           const char *message);

typedef void (*event_fn)(void *ctx, const struct event *ev);

#define EVENTS_MAX_SINKS 8
/* Events raised by sinks while one is being delivered, queued at most: a sink raises a
 * few (a failed save, a log file that went bad), never one per peer. */
#define EVENTS_QUEUE_MAX 4096

struct sink {
	event_fn fn;
	void *ctx;
};

/* Fan-out: sinks in the order added. An event a sink raises while handling another is
 * queued and delivered after it, so every sink sees every event in the same order. */
struct event_bus {
	struct sink sinks[EVENTS_MAX_SINKS];
	size_t nsinks;
	struct event *queue;            /* a ring, grown on demand */
	size_t qhead, qlen, qcap;
	bool busy;
	uint64_t unqueued;              /* raised past the queue: delivered at once, out of
	                                 * order rather than lost (ENOMEM or the bound) */
};

/* 0, or -ENOSPC past EVENTS_MAX_SINKS. */
int events_add_sink(struct event_bus *b, event_fn fn, void *ctx);
/* An event_fn (ctx = the bus): delivers ev to every sink. */
void events_emit(void *bus, const struct event *ev);
/* Frees the queue; the sinks stay registered. */
void events_fini(struct event_bus *b);

#endif
