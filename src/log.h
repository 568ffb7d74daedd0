/* SPDX-License-Identifier: MIT */
/* Structured log lines (text or JSON) to stderr and the optional log file.
 * Every value passes through sanitize(): no control bytes, bounded length. */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kinds.h"

enum log_level { LVL_DEBUG = 0, LVL_INFO, LVL_WARNING, LVL_ERROR };

#define LOGLINE_MAX 4096

struct logfile;

struct logline {
	enum log_level level;
	bool json;
	size_t len;
	bool truncated;
	char buf[LOGLINE_MAX];
};

/* Sinks: format, whether DEBUG lines are written, optional file (owned by caller). */
void log_setup(enum log_format fmt, bool debug, struct logfile *file);
bool log_debug_enabled(void);

/* Starts a line stamped with the current wall-clock time. */
void logline_begin(struct logline *l, enum log_level lvl, const char *event);
/* Same, with an explicit Unix time in milliseconds (tests). */
void logline_begin_at(struct logline *l, enum log_level lvl, const char *event,
                      int64_t unix_ms, enum log_format fmt);
void logline_str(struct logline *l, const char *key, const char *val);
void logline_strn(struct logline *l, const char *key, const char *val, size_t len);
void logline_int(struct logline *l, const char *key, int64_t v);
void logline_uint(struct logline *l, const char *key, uint64_t v);
/* Terminates the line (no newline) and returns it. */
const char *logline_finish(struct logline *l);
/* Finishes and writes it to stderr (and the file); DEBUG lines only when enabled. */
void log_emit(struct logline *l);

/* Finishes l and writes it to stderr only (what is said about the log file itself). */
void log_emit_stderr(struct logline *l);

/* Where the log file's health changes go (the daemon makes them log_file_error /
 * log_file_recovered events); unset, they are written straight to stderr. */
typedef void (*log_notice_fn)(void *ctx, bool failed, const char *msg);
void log_set_notice(log_notice_fn fn, void *ctx);

#endif
