// SPDX-License-Identifier: MIT
/* Log line rendering: text and JSON, quoting, sanitizing hostile values, truncation,
 * event rendering, journald priority prefixes and poll_error rate limiting. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint.h"
#include "events.h"
#include "sink_log.h"
#include "harness.h"
#include "log.h"
#include "pollerr.h"
#include "statefile.h"
#include "util.h"

#define TS 1795643712123LL

static void test_text_line(void)
{
	struct logline l;
	logline_begin_at(&l, LVL_WARNING, "peer_offline", TS, LOG_FORMAT_TEXT);
	logline_str(&l, "interface", "wg0");
	logline_str(&l, "name", "alice smith");
	logline_str(&l, "q", "say \"hi\"");
	logline_str(&l, "empty", "");
	logline_int(&l, "age", -5);
	logline_uint(&l, "rx", UINT64_MAX);
	CHECK_STR(logline_finish(&l),
	          "2026-11-25T21:55:12.123Z WARNING event=peer_offline interface=wg0 "
	          "name=\"alice smith\" q=\"say \\\"hi\\\"\" age=-5 rx=18446744073709551615");
}

static void test_json_line(void)
{
	struct logline l;
	logline_begin_at(&l, LVL_INFO, "stats", TS, LOG_FORMAT_JSON);
	logline_str(&l, "name", "a\"b\\c");
	logline_uint(&l, "peers", 3);
	CHECK_STR(logline_finish(&l),
	          "{\"ts\":\"2026-11-25T21:55:12.123Z\",\"level\":\"INFO\",\"event\":\"stats\","
	          "\"name\":\"a\\\"b\\\\x5cc\",\"peers\":3}");
}

/* Log injection: a newline, an escape sequence and a fake field stay inside one value. */
static void test_hostile_values(void)
{
	struct logline l;
	logline_begin_at(&l, LVL_INFO, "peer_initial", TS, LOG_FORMAT_TEXT);
	logline_str(&l, "name", "x\n2026-01-01T00:00:00.000Z ERROR event=fake\x1b[2J");
	const char *s = logline_finish(&l);
	CHECK(strchr(s, '\n') == NULL);
	CHECK(strchr(s, '\x1b') == NULL);
	/* Inside quotes a backslash is doubled (SPEC §5), so the escapes read \\xNN. */
	CHECK_CONTAINS(s, "name=\"x\\\\x0a2026-01-01T00:00:00.000Z ERROR event=fake\\\\x1b[2J\"");
	for (const char *c = s; *c; c++)
		CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
}

/* Issue 19 item 5: hostile endpoint text in a view is escaped once, by the log, not twice
 * (which showed an ESC as \x5cx1b). Sources now give addresses or "(invalid)"; the
 * escaping stays the sinks' job. */
static void test_endpoint_escaped_once(void)
{
	char ep[WG_ENDPOINT_SIZE];
	struct logline l;
	snprintf(ep, sizeof ep, "%s", "evil\x1b[2J\\:1");
	logline_begin_at(&l, LVL_INFO, "x", TS, LOG_FORMAT_TEXT);
	logline_str(&l, "endpoint", ep);
	CHECK_CONTAINS(logline_finish(&l), " endpoint=evil\\x1b[2J\\x5c:1");
	logline_begin_at(&l, LVL_INFO, "x", TS, LOG_FORMAT_JSON);
	logline_str(&l, "endpoint", ep);
	CHECK_CONTAINS(logline_finish(&l), ",\"endpoint\":\"evil\\\\x1b[2J\\\\x5c:1\"");
}

/* Issue 19 item 5: a path in a message (here a state file's, non-ASCII and with a
 * backslash) is kept raw where the message is built and escaped once, by the log; it
 * was sanitized at both, \xc3 showing as \x5cxc3. */
static void test_message_escaped_once(void)
{
	struct statefile sf;
	struct sink_log sl;
	struct logline l;
	char err[600];
	CHECK_INT(statefile_open(&sf, "/nonexistent-\xc3\xa9\\d/state", err, sizeof(err)),
	          -ENOENT);
	CHECK_CONTAINS(err, "\"/nonexistent-\xc3\xa9\\d/state\"");
	struct event ev = event_message(EV_STATE_WRITE_FAILED, TS, NULL, -ENOENT, err);
	for (int json = 0; json < 2; json++) {
		sink_log_init(&sl, json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
		sink_log_format(&sl, &l, &ev);
		const char *s = logline_finish(&l);
		/* inside quotes the escape's backslash is doubled, in both formats */
		CHECK_CONTAINS(s, "/nonexistent-\\\\xc3\\\\xa9\\\\x5cd/state");
		CHECK(!strstr(s, "x5cxc3") && !strstr(s, "x5cx5c"));
	}
}

static void test_truncation(void)
{
	char big[600];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int json = 0; json < 2; json++) {
		struct logline l;
		logline_begin_at(&l, LVL_INFO, "x", TS, json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
		for (int i = 0; i < 20; i++)
			logline_str(&l, "field", big);
		const char *s = logline_finish(&l);
		CHECK(strlen(s) < LOGLINE_MAX);
		const char *tail = json ? ",\"truncated\":true}" : "v truncated=yes";
		CHECK(strlen(s) > strlen(tail) &&
		      strcmp(s + strlen(s) - strlen(tail), tail) == 0);
	}
}

static void test_event_render(void)
{
	struct sink_log sl;
	sink_log_init(&sl, LOG_FORMAT_TEXT);
	struct event ev = event_new(EV_PEER_OFFLINE, TS, "wg0");
	struct peer_view *v = &ev.peer.v;
	strcpy(v->ifname, "wg0");
	strcpy(v->endpoint, "203.0.113.7:51820");
	v->state = PEER_OFFLINE;
	v->handshake_ms = 1795643712000LL - 182000;
	v->handshake_age_ms = 182999;
	v->heard_ms = v->handshake_ms;
	struct logline l;
	sink_log_format(&sl, &l, &ev);
	CHECK_STR(logline_finish(&l),
	          "2026-11-25T21:55:12.123Z WARNING event=peer_offline interface=wg0 "
	          "peer=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= state=offline "
	          "endpoint=203.0.113.7:51820 last_handshake=2026-11-25T21:52:10Z "
	          "handshake_age=182 last_heard=1795643530");
	/* The session that ended (SPEC §12), after the peer's fields. */
	v->session_ms = 3599999;
	v->session_rx_bytes = 18446744073709551615ULL;
	v->session_tx_bytes = 7;
	sink_log_format(&sl, &l, &ev);
	CHECK_STR(logline_finish(&l),
	          "2026-11-25T21:55:12.123Z WARNING event=peer_offline interface=wg0 "
	          "peer=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= state=offline "
	          "endpoint=203.0.113.7:51820 last_handshake=2026-11-25T21:52:10Z "
	          "handshake_age=182 last_heard=1795643530 session_seconds=3599 "
	          "session_rx_bytes=18446744073709551615 session_tx_bytes=7");
	/* A peer_initial carries it only when its re-judgement ended it (after a restart). */
	ev.type = EV_PEER_INITIAL;
	sink_log_format(&sl, &l, &ev);
	CHECK(!strstr(logline_finish(&l), "session_seconds"));
	ev.peer.session_ended = true;
	sink_log_format(&sl, &l, &ev);
	const char *line = logline_finish(&l);
	CHECK_CONTAINS(line, "event=peer_initial ");
	CHECK_CONTAINS(line, " session_seconds=3599 session_rx_bytes=");
	ev.type = EV_PEER_OFFLINE;
	ev.peer.session_ended = false;
	sl.fmt = LOG_FORMAT_JSON;
	sink_log_format(&sl, &l, &ev);
	CHECK_CONTAINS(logline_finish(&l), ",\"last_heard\":1795643530,\"session_seconds\":3599,"
	               "\"session_rx_bytes\":18446744073709551615,\"session_tx_bytes\":7}");
	ev.type = EV_PEER_ONLINE; /* only the session that ended is logged */
	sink_log_format(&sl, &l, &ev);
	CHECK(strstr(logline_finish(&l), "session") == NULL);
	ev.type = EV_PEER_OFFLINE;
	sl.fmt = LOG_FORMAT_TEXT;
	v->session_ms = -1;
	v->handshake_ms = v->heard_ms = 0;
	v->handshake_age_ms = -1;
	v->state = PEER_NEVER;
	v->endpoint[0] = '\0';
	ev.type = EV_PEER_INITIAL;
	sl.fmt = LOG_FORMAT_JSON;
	sink_log_format(&sl, &l, &ev);
	CHECK_STR(logline_finish(&l),
	          "{\"ts\":\"2026-11-25T21:55:12.123Z\",\"level\":\"INFO\",\"event\":"
	          "\"peer_initial\",\"interface\":\"wg0\",\"peer\":"
	          "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"state\":\"never\","
	          "\"endpoint\":\"(none)\",\"last_handshake\":\"never\",\"last_heard\":0}");
	/* A peer leaving the table says why. */
	ev = event_new(EV_PEER_REMOVED, TS, "wg0");
	ev.peer.removal = RM_INTERFACE_REMOVED;
	sl.fmt = LOG_FORMAT_TEXT;
	sink_log_format(&sl, &l, &ev);
	CHECK_CONTAINS(logline_finish(&l), "event=peer_removed interface=wg0 ");
	CHECK_CONTAINS(l.buf, " last_heard=0 reason=interface_removed");
}

/* Redirects stderr to a temporary file; returns its fd for reading back. */
static int capture_stderr(int *saved)
{
	char path[] = "/tmp/wgm-test-log-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	*saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	return fd;
}

static size_t read_back(int fd, char *buf, size_t n)
{
	ssize_t r = pread(fd, buf, n - 1, 0);
	buf[r > 0 ? r : 0] = '\0';
	return r > 0 ? (size_t)r : 0;
}

static void restore_stderr(int fd, int saved)
{
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
}

static void say(enum log_level lvl, const char *event, const char *message)
{
	struct logline l;
	logline_begin(&l, lvl, event);
	logline_str(&l, "message", message);
	log_emit(&l);
}

/* Under journald (JOURNAL_STREAM names stderr) each line starts with its priority. */
static void test_journal_prefix(void)
{
	int saved, fd = capture_stderr(&saved);
	struct stat st;
	char js[64], out[4096];
	fstat(fd, &st);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	log_setup(LOG_FORMAT_TEXT, false, NULL);
	say(LVL_WARNING, "w", "one");
	say(LVL_DEBUG, "d", "hidden");
	say(LVL_ERROR, "e", "two");
	unsetenv("JOURNAL_STREAM");
	log_setup(LOG_FORMAT_TEXT, false, NULL);
	say(LVL_INFO, "i", "three");
	read_back(fd, out, sizeof(out));
	restore_stderr(fd, saved);
	CHECK(strncmp(out, "<4>", 3) == 0);
	CHECK_CONTAINS(out, "\n<3>");
	CHECK(strstr(out, "hidden") == NULL);
	CHECK_CONTAINS(out, "Z INFO event=i message=three\n");
	CHECK(strstr(out, "<6>") == NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The same error on every poll: logged once, then once per 10 minutes with repeats=. */
static void test_pollerr_rate_limit(void)
{
	int saved, fd = capture_stderr(&saved);
	char out[8192];
	struct sink_log sl;
	sink_log_init(&sl, LOG_FORMAT_TEXT);
	struct pollerr pe = { .fn = sink_log_event, .ctx = &sl };
	struct wg_snapshot snap = { 0 };
	wg_snapshot_add_device(&snap, "wg0")->error = -EACCES;
	log_setup(LOG_FORMAT_TEXT, false, NULL);
	for (int64_t t = 0; t <= 20 * 60 * 1000; t += 30000) {
		pollerr_begin(&pe);
		/* the text varies (a line number, say); the failure is the same */
		pollerr_report(&pe, "wg0", -EACCES, t % 60000 ? "permission denied" : "denied", t);
		/* a whole-poll failure every other poll must not end wg0's episode */
		if (t % 60000)
			pollerr_report(&pe, NULL, -ETIMEDOUT, "listing timed out", t);
		snap.incomplete = t % 60000 != 0;
		pollerr_end(&pe, &snap);
	}
	snap.incomplete = false;
	snap.devs[0].error = 0;
	for (int i = 0; i < POLLERR_QUIET_POLLS; i++) {
		pollerr_begin(&pe);
		pollerr_end(&pe, &snap);
	}
	/* An interface gone from a complete snapshot is forgotten without a recovery line. */
	pollerr_begin(&pe);
	pollerr_report(&pe, "wg9", -EIO, "gone soon", 0);
	pollerr_end(&pe, &snap);
	for (int i = 0; i < POLLERR_QUIET_POLLS; i++) {
		pollerr_begin(&pe);
		pollerr_end(&pe, &snap);
	}
	pollerr_fini(&pe);
	wg_snapshot_clear(&snap);
	read_back(fd, out, sizeof(out));
	restore_stderr(fd, saved);
	/* wg0: first, +10 min, +20 min; the timeout episodes come and go every other poll. */
	CHECK_INT(count(out, "event=poll_error interface=wg0"), 3);
	CHECK_INT(count(out, "repeats=20"), 2);
	CHECK_INT(count(out, "event=poll_recovered interface=wg0"), 1);
	CHECK_INT(count(out, "event=poll_error interface=wg9"), 1);
	/* The timeout came and went every other poll: one episode, logged on the same
	 * 10-minute schedule, and one recovery at the end. */
	CHECK_INT(count(out, "event=poll_error error=\"Connection timed out\" message=\"listing "
	                     "timed out\""), 2);
	CHECK_INT(count(out, "event=poll_recovered message=\"listing timed out\""), 1);
	CHECK_INT(count(out, "interface=wg9 message=\"gone soon\""), 0);
	CHECK_CONTAINS(out, "error=\"Permission denied\"");
}

TEST_MAIN(test_text_line, test_json_line, test_hostile_values, test_endpoint_escaped_once,
          test_message_escaped_once,
          test_truncation,
          test_event_render, test_journal_prefix, test_pollerr_rate_limit)
