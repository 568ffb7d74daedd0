// SPDX-License-Identifier: MIT
/* The status command: the state machine's view after one poll, sorted by interface and
 * public key, as an aligned table or a JSON array. With a state file (the running
 * daemon's, normally) the machine first takes up where the daemon left off, so states,
 * last_heard and handshake_failing are the daemon's, advanced by this poll. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "names_book.h"
#include "poll_apply.h"
#include "settings_apply.h"
#include "source.h"
#include "statefile.h"
#include "status.h"
#include "text.h"
#include "util.h"

struct row {
	struct peer_view v;
	char key[WG_KEY_B64_LEN];
	const struct allowed_ips *ips;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->v.ifname, y->v.ifname);
	return c ? c : strcmp(x->key, y->key);
}

/* Seconds of an age in ms; -1 stays -1 (never). */
static int64_t secs(int64_t age_ms)
{
	return age_ms < 0 ? -1 : age_ms / 1000;
}

static const char *reason_of(const struct peer_view *v)
{
	return v->failing_age_ms >= 0 ? "handshake_failing" : "";
}

static void json_str(FILE *out, const char *s)
{
	char esc[TEXT_ESCAPED_MAX];
	text_json(esc, sizeof(esc), s, strlen(s));
	fputs(esc, out);
}

/* "allowed_ips":["10.0.0.2/32",...], and "allowed_ips_total" when more were listed. */
static void print_json_ips(FILE *out, const struct allowed_ips *ips)
{
	fputs(",\"allowed_ips\":[", out);
	for (uint32_t i = 0; i < ips->n; i++) {
		char t[ALLOWEDIP_TEXT_SIZE];
		allowedip_text(t, &ips->v[i]);
		fprintf(out, "%s\"%s\"", i ? "," : "", t);
	}
	fputc(']', out);
	if (ips->total > ips->n)
		fprintf(out, ",\"allowed_ips_total\":%" PRIu32, ips->total);
}

static void print_json_row(FILE *out, const struct row *r)
{
	const struct peer_view *p = &r->v;
	fputs("{\"interface\":", out);
	json_str(out, p->ifname);
	fputs(",\"public_key\":", out);
	json_str(out, r->key);
	fputs(",\"name\":", out);
	json_str(out, p->name);
	fprintf(out, ",\"state\":\"%s\"", peer_state_name(p->state));
	fprintf(out, ",\"last_handshake\":%" PRId64 ",\"handshake_age\":%" PRId64,
	        p->handshake_ms / 1000, secs(p->handshake_age_ms));
	fprintf(out, ",\"last_heard\":%" PRId64 ",\"endpoint\":", p->heard_ms / 1000);
	json_str(out, p->endpoint);
	print_json_ips(out, r->ips);
	fprintf(out, ",\"rx_bytes\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
	        ",\"persistent_keepalive\":%u,\"reason\":\"%s\"", p->rx_bytes, p->tx_bytes,
	        p->keepalive, reason_of(p));
	fprintf(out, ",\"session_seconds\":%" PRId64 ",\"session_rx_bytes\":%" PRIu64
	        ",\"session_tx_bytes\":%" PRIu64 "}", secs(p->session_ms), p->session_rx_bytes,
	        p->session_tx_bytes);
}

/* Seconds in the largest unit that keeps them readable, then suffix; none when < 0. */
static void format_span(char *buf, size_t n, int64_t secs, const char *none,
                        const char *suffix)
{
	if (secs < 0)
		snprintf(buf, n, "%s", none);
	else if (secs < 120)
		snprintf(buf, n, "%" PRId64 "s%s", secs, suffix);
	else if (secs < 7200)
		snprintf(buf, n, "%" PRId64 "m%s", secs / 60, suffix);
	else if (secs < 172800)
		snprintf(buf, n, "%" PRId64 "h%s", secs / 3600, suffix);
	else
		snprintf(buf, n, "%" PRId64 "d%s", secs / 86400, suffix);
}

static void format_age(char *buf, size_t n, int64_t age)
{
	format_span(buf, n, age, "never", " ago");
}

static void print_table_row(FILE *out, const struct row *r, bool colour)
{
	static const char *const col[] = { "\033[2m", "\033[32m", "\033[31m" };
	const struct peer_view *p = &r->v;
	char age[32], heard[32], session[32], name[PEER_NAME_SIZE * 4], ep[WG_ENDPOINT_SIZE * 4];
	format_age(age, sizeof(age), secs(p->handshake_age_ms));
	format_age(heard, sizeof(heard), secs(p->heard_age_ms));
	format_span(session, sizeof(session), secs(p->session_ms), "-", "");
	sanitize(name, sizeof(name), p->name[0] ? p->name : "-", strlen(p->name[0] ? p->name : "-"));
	sanitize(ep, sizeof(ep), p->endpoint[0] ? p->endpoint : "(none)",
	         strlen(p->endpoint[0] ? p->endpoint : "(none)"));
	fprintf(out, "%-15s %-44s %-16s %s%-7s%s %-10s %-10s %-40s %14" PRIu64 " %14" PRIu64
	        " %7s %s\n", p->ifname, r->key, name, colour ? col[p->state] : "",
	        peer_state_name(p->state), colour ? "\033[0m" : "", age, heard, ep, p->rx_bytes,
	        p->tx_bytes, session, reason_of(p)[0] ? reason_of(p) : "-");
}

void status_print(const struct peer_table *t, const struct clocks *now, bool json,
                  bool colour, FILE *out)
{
	struct peer_counts all = peers_count(t, NULL);
	struct row *rows = calloc(all.peers ? all.peers : 1, sizeof(*rows));
	if (!rows) {
		fputs("wg-monitor: out of memory\n", stderr);
		return;
	}
	size_t n = 0;
	struct peer_view v;
	for (size_t i = 0; n < all.peers && peers_view(t, i, now, &v); i++) {
		if (v.restored)
			continue; /* saved, but not in this poll: nothing live to show */
		rows[n].v = v;
		rows[n].ips = peers_allowed_ips(t, i);
		key_to_base64(rows[n++].key, v.key);
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	if (!json)
		fprintf(out, "%-15s %-44s %-16s %-7s %-10s %-10s %-40s %14s %14s %7s %s\n",
		        "INTERFACE", "PEER", "NAME", "STATE", "HANDSHAKE", "HEARD", "ENDPOINT", "RX",
		        "TX", "SESSION", "REASON");
	else
		fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			fputs(i ? ",\n" : "\n", out);
			print_json_row(out, &rows[i]);
		} else {
			print_table_row(out, &rows[i], colour);
		}
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", out);
	free(rows);
}

static void ignore_event(void *ctx, const struct event *ev)
{
	(void)ctx;
	(void)ev;
}

static void names_notice(void *ctx, const char *ifname, const char *msg)
{
	(void)ctx;
	(void)ifname; /* the message names the file */
	text_complain("%s", msg);
}

/* The services' state files (systemd/): wg-monitor.service's and each instance's. */
#define SERVICE_STATE_DIR "/var/lib/wg-monitor"

/* By name, with the plain service's "state" first (load_all then puts the live and the
 * newest first). */
static int name_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int plain = (strcmp(y, "state") == 0) - (strcmp(x, "state") == 0);
	return plain ? plain : strcmp(x, y);
}

size_t status_service_files(const char *dir, char files[][PATH_MAX], size_t max)
{
	size_t n = 0;
	char *names[STATUS_MAX_FILES];
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && n < max && n < STATUS_MAX_FILES) {
		size_t len = strlen(e->d_name);
		bool instance = len > 6 && strcmp(e->d_name + len - 6, ".state") == 0;
		if ((instance || strcmp(e->d_name, "state") == 0) && (names[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	/* qsort reads names[0..n), all set above. */
	// cppcheck-suppress uninitvar
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(files[i], PATH_MAX, "%s/%s", dir, names[i]);
		free(names[i]);
	}
	return n;
}

/* The state files to read: STATE_FILE or --state-file; unset, every service's. */
static size_t state_files_of(const struct settings *s, char files[][PATH_MAX])
{
	if (s->state_file[0]) {
		snprintf(files[0], PATH_MAX, "%s", s->state_file);
		return 1;
	}
	if (s->origin[SET_STATE_FILE] != ORIGIN_DEFAULT)
		return 0;
	return status_service_files(SERVICE_STATE_DIR, files, STATUS_MAX_FILES);
}

/* Reads the state file into st and says on stderr what status continues: a running
 * daemon's view, or the last view of one that has stopped. A problem is said too, and
 * status goes on with its own poll alone. 0 when st holds the saved view. */
static int load_saved(const char *path, struct saved_state *st, bool *held_now)
{
	char err[600], age[64];
	struct statefile sf;
	int rc = statefile_open_read(&sf, path, err, sizeof(err));
	if (rc == 0)
		rc = statefile_load(&sf, st, err, sizeof(err));
	if (rc < 0) {
		text_complain("state file not used, states are from this poll alone: %s", err);
		statefile_close(&sf);
		return rc;
	}
	int64_t ago = (real_ms() - st->written_ms) / 1000;
	if (ago >= 0)
		snprintf(age, sizeof(age), "saved %" PRId64 " s ago", ago);
	else
		snprintf(age, sizeof(age), "saved %" PRId64 " s in the future by this clock", -ago);
	int held = statefile_in_use(&sf);
	*held_now = held == 1;
	text_complain("%s %s (%s; threshold %u s, liveness %s)",
	        held == 1 ? "continuing the running daemon's view in"
	        : held == 0 ? "no wg-monitor holds it now; continuing the last view in"
	                    : "continuing the view in",
	        sf.shown, age, st->rule.threshold, liveness_name(st->rule.liveness));
	statefile_close(&sf);
	return 0;
}

/* Every state file that loads, into saved; the number loaded. Those a running daemon
 * holds come first, then the newest: a peer in two files (a plain service stopped for
 * per-interface instances, say) takes the live view, and the first file's rule is the
 * table's. */
static size_t load_all(const struct settings *s, struct saved_state saved[])
{
	static char files[STATUS_MAX_FILES][PATH_MAX];
	bool held[STATUS_MAX_FILES];
	size_t n = state_files_of(s, files), loaded = 0;
	for (size_t i = 0; i < n; i++) {
		memset(&saved[loaded], 0, sizeof(saved[loaded]));
		if (load_saved(files[i], &saved[loaded], &held[loaded]) != 0)
			continue;
		for (size_t j = loaded; j > 0 && (held[j] > held[j - 1] || (held[j] == held[j - 1] &&
		     saved[j].written_ms > saved[j - 1].written_ms)); j--) {
			struct saved_state st = saved[j];
			bool h = held[j];
			saved[j] = saved[j - 1];
			held[j] = held[j - 1];
			saved[j - 1] = st;
			held[j - 1] = h;
		}
		loaded++;
	}
	return loaded;
}

/* Each saved view into t; the first file's rule is t's, others re-judge if theirs
 * differs. 0 or -ENOMEM. */
static int restore_all(struct peer_table *t, const struct saved_state saved[], size_t n,
                       const struct clocks *now)
{
	char boot_id[BOOT_ID_SIZE];
	statefile_boot_id(boot_id);
	for (size_t i = 0; i < n; i++) {
		bool same = saved[i].rule.threshold == saved[0].rule.threshold &&
		            saved[i].rule.liveness == saved[0].rule.liveness;
		if (peers_restore(t, saved[i].peers, saved[i].n,
		                  statefile_elapsed_ms(&saved[i], now, boot_id), same, now) < 0)
			return -ENOMEM;
	}
	return 0;
}

int status_run(const struct settings *s)
{
	struct peers_config pc;
	struct source_config src;
	settings_peers_config(s, &pc);
	settings_source_config(s, &src);
	struct wg_snapshot snap = { 0 };
	struct source_result res;
	static struct saved_state saved[STATUS_MAX_FILES];
	size_t nsaved = load_all(s, saved);
	if (nsaved) { /* judge as the daemon did */
		pc.threshold_ms = (int64_t)saved[0].rule.threshold * 1000;
		pc.liveness = saved[0].rule.liveness;
		if (s->origin[SET_THRESHOLD] != ORIGIN_DEFAULT ||
		    s->origin[SET_LIVENESS] != ORIGIN_DEFAULT)
			fputs("wg-monitor: the threshold and liveness given here are not used: "
			      "states continue the daemon's rule\n", stderr);
	}
	struct peer_table *t = peers_new(&pc);
	struct names_book names;
	names_book_open(&names, s, t, names_notice, NULL);
	struct clocks now = { real_ms(), mono_ms() };
	int rc = 1;
	if (!t || restore_all(t, saved, nsaved, &now) < 0) {
		fputs("wg-monitor: out of memory\n", stderr);
		goto out;
	}
	if (source_poll(&src, &snap, &res) < 0 || res.note < 0)
		text_complain("%s", res.msg);
	if (res.err < 0 && snap.ndevs == 0)
		goto out;
	size_t unread = 0;
	for (size_t i = 0; i < snap.ndevs; i++) {
		char msg[WG_ERRMSG_SIZE];
		if (!snap.devs[i].error) {
			if (poll_future_handshakes(&snap.devs[i], real_ms(), msg, sizeof(msg)))
				text_complain("%s: %s", snap.devs[i].name, msg);
			continue;
		}
		text_complain("%s: %s", snap.devs[i].name, snap.devs[i].errmsg);
		unread++;
	}
	names_book_prepare(&names, &snap);
	now = (struct clocks){ real_ms(), mono_ms() };
	if (peers_update(t, &snap, &now, ignore_event, NULL) < 0) {
		fputs("wg-monitor: out of memory\n", stderr);
		goto out;
	}
	status_print(t, &now, s->status_json, !s->status_json && isatty(STDOUT_FILENO), stdout);
	rc = snap.ndevs && unread == snap.ndevs ? 1 : 0; /* nothing could be read */
out:
	wg_snapshot_clear(&snap);
	for (size_t i = 0; i < nsaved; i++)
		saved_state_free(&saved[i]);
	peers_free(t);
	names_book_fini(&names);
	return rc;
}
