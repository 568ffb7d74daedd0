/* SPDX-License-Identifier: MIT */
/* Small shared helpers: key encoding, clocks, bounded numbers. sanitize() and the
 * escapers live in text.h, included here for the modules that print what they parse. */
#ifndef UTIL_H
#define UTIL_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "text.h"
#include "wg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 32 raw bytes -> 44 base64 characters + NUL. */
void key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN]);
/* 44 base64 characters (one '=' pad) -> 32 bytes; false if malformed. */
bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *s, size_t len);
/* 64 hex characters (either case) -> 32 bytes; false if malformed. */
bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *s, size_t len);

/* Unsigned decimal without sign, spaces or leading '+'; false on overflow above max. */
bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
/* The digits that begin s[0..len) as parse_u64 reads them (at most 20): their count, or 0
 * (*out untouched) when there are none, more than 20, or the value is above max. */
size_t parse_u64_prefix(const char *s, size_t len, uint64_t max, uint64_t *out);
/* The dotted quad that begins s[0..len), read as inet_pton(AF_INET) reads one (four decimal
 * parts 0-255, no leading zeros), without a copy: its length, or 0 (out untouched). */
size_t parse_ipv4_prefix(const char *s, size_t len, uint8_t out[4]);
/* a + b, or UINT64_MAX where that would wrap. */
uint64_t add_sat_u64(uint64_t a, uint64_t b);
/* Optional '-' then decimal; false on overflow. */
bool parse_i64(const char *s, size_t len, int64_t *out);

/* Waits until fd is ready for `events` or the mono_ms() deadline passes. A signal resumes
 * the wait unless *stop is set. Returns 0, -ETIMEDOUT, -EINTR (stop) or -errno. */
int fd_wait(int fd, short events, int64_t deadline_ms, const volatile sig_atomic_t *stop);

/* Waits inside a loop callback, where the stop signals are held (loop.c), must let them in
 * atomically, or one that lands between a check of the stop flag and the wait would sleep
 * out the whole wait: unblocked is the mask to wait with (NULL: none held, plain poll). */
void wait_mask_set(const sigset_t *unblocked);
/* poll(), or ppoll() with that mask; timeout_ms < 0 waits without a limit. */
int wait_poll(struct pollfd *p, nfds_t n, int timeout_ms);

/* Makes room for element n of *arr (elem bytes each, *cap allocated) by doubling, up to
 * limit elements. false with errno E2BIG at the limit, ENOMEM when realloc fails. */
bool array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t limit);

/* A field of a line split in place: s points into the line, len bytes, no NUL. */
struct field {
	char *s;
	size_t len;
};
/* Splits line[0..len) at every sep into at most max fields (an empty one counts);
 * returns the count, or max + 1 when there are more. */
size_t split_fields(char *line, size_t len, char sep, struct field *f, size_t max);
/* Whether the field is exactly the string lit. */
bool field_is(const struct field *f, const char *lit);

/* Parser errors: writes "line N: " (when lineno > 0) and the message into err; returns rc. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
int fail_at(char *err, size_t errlen, size_t lineno, int rc, const char *fmt, ...);

/* Milliseconds on CLOCK_BOOTTIME (never steps, and unlike CLOCK_MONOTONIC counts the time
 * suspended; every "mono" time in wg-monitor is this clock) and on CLOCK_REALTIME. */
int64_t mono_ms(void);
int64_t real_ms(void);

/* Formats Unix milliseconds as 2026-11-24T17:30:43.123Z (with_ms) or ...43Z. */
void format_utc(char *buf, size_t size, int64_t unix_ms, bool with_ms);

#endif
