// SPDX-License-Identifier: MIT
/* The hook's program check, its environment and its stdin: everything it is handed,
 * built from the event's copy of the peer and never from a secret. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "hook_exec.h"
#include "log.h"
#include "names.h"
#include "safepath.h"
#include "sink_log.h"
#include "text.h"
#include "util.h"

static const struct safepath_policy hook_policy = {
	.shared_dir = false, .what = "hook", .hint = "; keep the hook in a directory only root "
	"(or the daemon's user) may write, such as /usr/local/lib/wg-monitor",
};

int hook_check(const char *path, char *err, size_t errlen)
{
	char base[NAME_MAX + 1], shown[SAFEPATH_SHOWN_MAX];
	struct stat st;
	int dirfd;
	safepath_shown(shown, path);
	if (path[0] != '/')
		return fail_at(err, errlen, 0, -EINVAL, "\"%s\": not an absolute path", shown);
	int rc = safepath_open_dir(path, &hook_policy, &dirfd, base, sizeof(base), NULL, err,
	                           errlen);
	if (rc < 0)
		return rc;
	/* The walk checked the directories leading here, not where a link points: the
	 * program is run by this path, so a link is refused rather than followed. */
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = fail_at(err, errlen, 0, -errno, "\"%s\": %s", shown, strerror(errno));
	else if (S_ISLNK(st.st_mode))
		rc = fail_at(err, errlen, 0, -ELOOP, "\"%s\": a symlink; give the program's "
		             "real path", shown);
	else if ((rc = safepath_check_file(&st, shown, err, errlen)) == 0 &&
	         faccessat(dirfd, base, X_OK, AT_EACCESS) < 0)
		rc = fail_at(err, errlen, 0, -errno, "\"%s\": not executable: %s", shown,
		             strerror(errno));
	close(dirfd);
	return rc;
}

struct env_out {
	struct hook_env *e;
	size_t n, used;
};

/* Appends NAME=value (value already safe) if it fits; a variable that does not fit is
 * left out rather than cut (the buffer holds every bounded value). */
static void put(struct env_out *o, const char *name, const char *value)
{
	size_t room = sizeof(o->e->buf) - o->used;
	int len = snprintf(o->e->buf + o->used, room, "%s=%s", name, value);
	if (len < 0 || (size_t)len >= room || o->n == HOOK_ENV_VARS)
		return;
	o->e->envp[o->n++] = o->e->buf + o->used;
	o->used += (size_t)len + 1;
}

static void put_num(struct env_out *o, const char *name, int64_t v, bool known)
{
	char num[24] = "";
	if (known)
		snprintf(num, sizeof(num), "%" PRId64, v);
	put(o, name, num);
}

/* Byte counts go up to UINT64_MAX (they saturate): printed unsigned, as the JSON line does. */
static void put_bytes(struct env_out *o, const char *name, uint64_t v, bool known)
{
	char num[24] = "";
	if (known)
		snprintf(num, sizeof(num), "%" PRIu64, v);
	put(o, name, num);
}

static void put_times(struct env_out *o, const struct event *ev)
{
	const struct peer_view *v = &ev->peer.v;
	char ts[32] = "";
	if (v->handshake_ms)
		format_utc(ts, sizeof(ts), v->handshake_ms, false);
	put(o, "WG_MONITOR_LAST_HANDSHAKE", ts);
	put_num(o, "WG_MONITOR_LAST_HEARD", v->heard_ms / 1000, v->heard_ms > 0);
	put_num(o, "WG_MONITOR_HANDSHAKE_AGE", v->handshake_age_ms / 1000,
	        v->handshake_ms && v->handshake_age_ms >= 0);
	put_num(o, "WG_MONITOR_OFFLINE_FOR", ev->peer.offline_for, ev->peer.offline_for >= 0);
	bool session = v->session_ms >= 0;
	put_num(o, "WG_MONITOR_SESSION_SECONDS", v->session_ms / 1000, session);
	put_bytes(o, "WG_MONITOR_SESSION_RX_BYTES", v->session_rx_bytes, session);
	put_bytes(o, "WG_MONITOR_SESSION_TX_BYTES", v->session_tx_bytes, session);
}

void hook_env_build(struct hook_env *e, const struct event *ev, uint64_t seq)
{
	const struct peer_view *v = &ev->peer.v;
	struct env_out o = { .e = e };
	char key[WG_KEY_B64_LEN], name[PEER_NAME_SIZE], endpoint[WG_ENDPOINT_SIZE * 4];
	memset(e->envp, 0, sizeof(e->envp));
	put(&o, "PATH", CHILD_ENV_PATH);
	put(&o, "WG_MONITOR_EVENT", event_name(ev->type));
	put(&o, "WG_MONITOR_INTERFACE", ev->ifname);
	key_to_base64(key, v->key);
	put(&o, "WG_MONITOR_PEER", key);
	names_clean(name, v->name, strnlen(v->name, sizeof(v->name)));
	put(&o, "WG_MONITOR_NAME", name);
	sanitize(endpoint, sizeof(endpoint), v->endpoint, strnlen(v->endpoint,
	         sizeof(v->endpoint)));
	put(&o, "WG_MONITOR_ENDPOINT", endpoint);
	put(&o, "WG_MONITOR_STATE", peer_state_name(v->state));
	put_times(&o, ev);
	put_num(&o, "WG_MONITOR_SEQ", (int64_t)seq, true);
}

size_t hook_json(char *buf, size_t size, const struct event *ev)
{
	struct sink_log s;
	struct logline l;
	sink_log_init(&s, LOG_FORMAT_JSON);
	sink_log_format(&s, &l, ev);
	const char *line = logline_finish(&l);
	/* the newline ends the object for the hook: it takes the NUL's place when the line
	 * fills the buffer */
	size_t n = strnlen(line, size - 1);
	memcpy(buf, line, n);
	buf[n++] = '\n';
	if (n < size)
		buf[n] = '\0';
	return n;
}

int hook_events_parse(const char *list, uint64_t *mask, char *err, size_t errlen)
{
	_Static_assert(EV__COUNT <= 64, "event types fit the mask");
	*mask = 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ", ");
		int t = 0;
		while (t < EV__COUNT && (strlen(event_name(t)) != len ||
		                         strncmp(event_name(t), p, len) != 0))
			t++;
		/* peer_status is a debug line per peer and poll; hook_* would feed themselves */
		if (len && (t == EV__COUNT || !event_about_peer(t) || t == EV_PEER_STATUS ||
		            (t >= EV_HOOK_FAILED && t <= EV_HOOK_DROPPED))) {
			char shown[64];
			text_raw(shown, sizeof(shown), p, len); /* escaped where printed */
			return fail_at(err, errlen, 0, -EINVAL, "\"%s\" is not a peer event (peer_online, "
			               "peer_offline, peer_added, peer_removed, endpoint_changed, "
			               "handshake_failing, ...)", shown);
		}
		if (len)
			*mask |= UINT64_C(1) << t;
		p += len + (p[len] != '\0');
	}
	return *mask ? 0 : fail_at(err, errlen, 0, -EINVAL, "no event given");
}
