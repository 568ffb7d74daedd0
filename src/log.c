// SPDX-License-Identifier: MIT
/* Log lines: `TS LEVEL event=NAME key=value ...` or one JSON object, built field by field
 * with every value escaped by text.c, then written whole to stderr and the log file. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logfile.h"
#include "text.h"
#include "util.h"

static struct {
	enum log_format format;
	bool debug;
	bool journal;          /* stderr is journald's stream: prefix <N> priorities */
	struct logfile *file;
	log_notice_fn notice;  /* where the file's health changes go; NULL: stderr */
	void *notice_ctx;
} sink;

static const char *const level_names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
static const char syslog_prio[] = { '7', '6', '4', '3' };

/* systemd sets JOURNAL_STREAM=dev:ino when stderr is connected to the journal. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM"), *colon = js ? strchr(js, ':') : NULL;
	uint64_t dev, ino;
	struct stat st;
	if (!colon || !parse_u64(js, (size_t)(colon - js), UINT64_MAX, &dev) ||
	    !parse_u64(colon + 1, strlen(colon + 1), UINT64_MAX, &ino) || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino;
}

void log_setup(enum log_format fmt, bool debug, struct logfile *file)
{
	sink.format = fmt;
	sink.debug = debug;
	sink.file = file;
	sink.journal = stderr_is_journal();
}

void log_set_notice(log_notice_fn fn, void *ctx)
{
	sink.notice = fn;
	sink.notice_ctx = ctx;
}

bool log_debug_enabled(void)
{
	return sink.debug;
}

/* Room kept back so a truncated line can still be closed and marked. */
#define LOGLINE_RESERVE 32

static void put(struct logline *l, const char *s, size_t n)
{
	if (l->truncated || l->len + n >= sizeof(l->buf) - LOGLINE_RESERVE) {
		l->truncated = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct logline *l, const char *s)
{
	put(l, s, strlen(s));
}

void logline_begin_at(struct logline *l, enum log_level lvl, const char *event,
                      int64_t unix_ms, enum log_format fmt)
{
	char ts[40];
	format_utc(ts, sizeof(ts), unix_ms, true);
	l->level = lvl;
	l->json = fmt == LOG_FORMAT_JSON;
	l->len = 0;
	l->truncated = false;
	if (l->json) {
		puts_(l, "{\"ts\":\"");
		puts_(l, ts);
		puts_(l, "\",\"level\":\"");
		puts_(l, level_names[lvl]);
		puts_(l, "\"");
	} else {
		puts_(l, ts);
		puts_(l, " ");
		puts_(l, level_names[lvl]);
	}
	logline_str(l, "event", event);
}

void logline_begin(struct logline *l, enum log_level lvl, const char *event)
{
	logline_begin_at(l, lvl, event, real_ms(), sink.format);
}

static void put_key(struct logline *l, const char *key)
{
	puts_(l, l->json ? ",\"" : " ");
	puts_(l, key);
	puts_(l, l->json ? "\":" : "=");
}

void logline_strn(struct logline *l, const char *key, const char *val, size_t len)
{
	char esc[TEXT_ESCAPED_MAX];
	size_t start = l->len;
	if (len == 0)
		return; /* a key without a value is left out */
	size_t n = l->json ? text_json(esc, sizeof(esc), val, len)
	                   : text_kv(esc, sizeof(esc), val, len);
	put_key(l, key);
	put(l, esc, n);
	if (l->truncated)
		l->len = start; /* never half a field */
}

void logline_str(struct logline *l, const char *key, const char *val)
{
	logline_strn(l, key, val, val ? strlen(val) : 0);
}

static void put_number(struct logline *l, const char *key, const char *num)
{
	size_t start = l->len;
	put_key(l, key);
	puts_(l, num);
	if (l->truncated)
		l->len = start;
}

void logline_int(struct logline *l, const char *key, int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	put_number(l, key, num);
}

void logline_uint(struct logline *l, const char *key, uint64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRIu64, v);
	put_number(l, key, num);
}

const char *logline_finish(struct logline *l)
{
	const char *tail = l->json ? (l->truncated ? ",\"truncated\":true}" : "}")
	                           : (l->truncated ? " truncated=yes" : "");
	size_t n = strlen(tail); /* fits: LOGLINE_RESERVE was kept back */
	memcpy(l->buf + l->len, tail, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return l->buf;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* stderr gone: nothing better to do */
		s += w;
		n -= (size_t)w;
	}
}

static void to_stderr(enum log_level lvl, const char *line, size_t len)
{
	char out[LOGLINE_MAX + 8];
	size_t o = 0;
	if (sink.journal) {
		out[o++] = '<';
		out[o++] = syslog_prio[lvl];
		out[o++] = '>';
	}
	memcpy(out + o, line, len);
	o += len;
	out[o++] = '\n';
	write_all(STDERR_FILENO, out, o);
}

void log_emit_stderr(struct logline *l)
{
	logline_finish(l);
	to_stderr(l->level, l->buf, l->len);
}

static void file_notice(enum logfile_notice n, const char *msg)
{
	if (sink.notice) {
		sink.notice(sink.notice_ctx, n == LOGFILE_FAILED, msg);
		return;
	}
	struct logline l;
	logline_begin(&l, n == LOGFILE_FAILED ? LVL_ERROR : LVL_INFO,
	              n == LOGFILE_FAILED ? "log_file_error" : "log_file_recovered");
	logline_str(&l, "message", msg);
	log_emit_stderr(&l);
}

void log_emit(struct logline *l)
{
	if (l->level == LVL_DEBUG && !sink.debug)
		return;
	logline_finish(l);
	to_stderr(l->level, l->buf, l->len);
	if (!sink.file)
		return;
	char msg[512];
	enum logfile_notice n = logfile_write(sink.file, l->buf, l->len, msg, sizeof(msg));
	if (n != LOGFILE_NONE)
		file_notice(n, msg);
}
