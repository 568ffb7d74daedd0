// SPDX-License-Identifier: MIT
/* Key encodings, strict number parsing and clock helpers. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <endian.h>
#include <string.h>

#include "util.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
	size_t o = 0;
	for (size_t i = 0; i < WG_KEY_LEN; i += 3) {
		uint32_t v = (uint32_t)key[i] << 16;
		if (i + 1 < WG_KEY_LEN)
			v |= (uint32_t)key[i + 1] << 8;
		if (i + 2 < WG_KEY_LEN)
			v |= key[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		/* NOLINTNEXTLINE(bugprone-narrowing-conversions): both arms are ASCII characters */
		out[o++] = i + 1 < WG_KEY_LEN ? b64[(v >> 6) & 63] : '=';
		/* NOLINTNEXTLINE(bugprone-narrowing-conversions): both arms are ASCII characters */
		out[o++] = i + 2 < WG_KEY_LEN ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Ranges, not a search of b64[]: every key of every peer passes here every poll. */
static int b64_value(char ch)
{
	unsigned c = (unsigned char)ch;
	if (c - 'A' < 26)
		return (int)(c - 'A');
	if (c - 'a' < 26)
		return (int)(c - 'a') + 26;
	if (c - '0' < 10)
		return (int)(c - '0') + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *s, size_t len)
{
	if (len != WG_KEY_B64_LEN - 1 || s[len - 1] != '=')
		return false;
	uint32_t acc = 0;
	size_t o = 0;
	for (size_t i = 0; i < len - 1; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			key[o++] = (uint8_t)(acc >> 16);
			key[o++] = (uint8_t)(acc >> 8);
			key[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	/* 43 characters: 10 full groups, then 3 characters = 18 bits = 2 bytes + 2 zero bits. */
	if (acc & 3)
		return false;
	key[o++] = (uint8_t)(acc >> 10);
	key[o++] = (uint8_t)(acc >> 2);
	return o == WG_KEY_LEN;
}

#define ONES (~0ull / 255) /* 0x0101...01: a byte's value in every byte of a word */

/* Whether each of the 8 bytes of x is a hex digit ('0'-'9', 'a'-'f', 'A'-'F'). Bytewise
 * compares without a carry between bytes: for c < 0x80, c + (0x80 - lo) has its top bit
 * set iff c >= lo, and c + (0x7f - hi) has it clear iff c <= hi. */
static bool hex8_valid(uint64_t x)
{
	const uint64_t top = ONES * 0x80, y = x | ONES * 0x20; /* y: letters in lower case */
	uint64_t digit = (x + ONES * (0x80 - '0')) & ~(x + ONES * (0x7f - '9'));
	uint64_t letter = (y + ONES * (0x80 - 'a')) & ~(y + ONES * (0x7f - 'f'));
	return (x & top) == 0 && ((digit | letter) & top) == top;
}

/* 8 hex digits (valid, in memory order) to 4 bytes: the nibble of each, paired, packed. */
static uint32_t hex8_value(uint64_t x)
{
	uint64_t v = (x & ONES * 0x0f) + 9 * ((x >> 6) & ONES); /* letters have bit 6 set */
	v = ((v & ONES * 0x0f) << 4 | (v >> 8)) & 0x00ff00ff00ff00ffull; /* byte pairs */
	v = (v | v >> 8) & 0x0000ffff0000ffffull;                        /* 16-bit lanes */
	return (uint32_t)(v | v >> 16);
}

/* 8 characters at a time (a word): every key of every peer passes here every poll. */
bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *s, size_t len)
{
	if (len != 2 * WG_KEY_LEN)
		return false;
	bool valid = true; /* one test per key, after the loop */
	for (size_t i = 0; i < WG_KEY_LEN; i += 4) {
		uint64_t x;
		memcpy(&x, s + 2 * i, 8);
		x = le64toh(x);
		valid &= hex8_valid(x);
		uint32_t v = htole32(hex8_value(x));
		memcpy(key + i, &v, 4);
	}
	return valid;
}

uint64_t add_sat_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static unsigned digit_at(const char *s, size_t i, size_t len)
{
	return i < len ? (unsigned)(unsigned char)s[i] - '0' : 10;
}

size_t parse_ipv4_prefix(const char *s, size_t len, uint8_t out[4])
{
	uint8_t a[4];
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0 && (i >= len || s[i++] != '.'))
			return 0;
		unsigned v = digit_at(s, i, len), d;
		if (v > 9)
			return 0;
		i++;
		/* a 0 ends its part ("01" is refused below); else up to two more digits */
		if (v && (d = digit_at(s, i, len)) <= 9) {
			v = v * 10 + d;
			if ((d = digit_at(s, ++i, len)) <= 9) {
				v = v * 10 + d;
				i++;
			}
		}
		if (v > 255 || digit_at(s, i, len) <= 9)
			return 0;
		a[part] = (uint8_t)v;
	}
	memcpy(out, a, 4);
	return i;
}

size_t parse_u64_prefix(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0, fast = len < 19 ? len : 19;
	unsigned d;
	/* Below 19 digits nothing can overflow: the check (a division) is for the 20th only. */
	for (; i < fast && (d = (unsigned)(unsigned char)s[i] - '0') <= 9; i++)
		v = v * 10 + d;
	if (i == 19 && (d = digit_at(s, i, len)) <= 9) {
		if (v > (UINT64_MAX - d) / 10 || digit_at(s, ++i, len) <= 9)
			return 0; /* past UINT64_MAX, or a 21st digit */
		v = v * 10 + d;
	}
	if (i == 0 || v > max)
		return 0;
	*out = v;
	return i;
}

bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v;
	if (len == 0 || parse_u64_prefix(s, len, max, &v) != len)
		return false;
	*out = v;
	return true;
}

bool parse_i64(const char *s, size_t len, int64_t *out)
{
	bool neg = len > 0 && s[0] == '-';
	uint64_t v;
	if (!parse_u64(s + neg, len - neg, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static const sigset_t *wait_sigmask; /* see wait_mask_set */

void wait_mask_set(const sigset_t *unblocked)
{
	wait_sigmask = unblocked;
}

int wait_poll(struct pollfd *p, nfds_t n, int timeout_ms)
{
	if (!wait_sigmask)
		return poll(p, n, timeout_ms);
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
	return ppoll(p, n, timeout_ms < 0 ? NULL : &ts, wait_sigmask);
}

/* poll()'s timeout runs on CLOCK_MONOTONIC, which stops during suspend, while the deadline
 * is on CLOCK_BOOTTIME: a suspend during the wait can make it end up to `left` late, never
 * early. Fine for these short waits; the loop's long sleeps use a timerfd (loop.c). */
int fd_wait(int fd, short events, int64_t deadline_ms, const volatile sig_atomic_t *stop)
{
	for (;;) {
		if (stop && *stop)
			return -EINTR;
		int64_t left = deadline_ms - mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = events };
		int n = wait_poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

size_t split_fields(char *line, size_t len, char sep, struct field *f, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != sep)
			continue;
		if (n == max)
			return max + 1;
		f[n++] = (struct field){ line + start, i - start };
		start = i + 1;
	}
	return n;
}

bool field_is(const struct field *f, const char *lit)
{
	return f->len == strlen(lit) && memcmp(f->s, lit, f->len) == 0;
}

int fail_at(char *err, size_t errlen, size_t lineno, int rc, const char *fmt, ...)
{
	int n = lineno ? snprintf(err, errlen, "line %zu: ", lineno) : 0;
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above (clang 14 false positive) */
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

bool array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t limit)
{
	if (n < *cap)
		return true;
	if (n >= limit) {
		errno = E2BIG;
		return false;
	}
	size_t ncap = *cap ? *cap * 2 : 8;
	if (ncap > limit)
		ncap = limit;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_BOOTTIME, not CLOCK_MONOTONIC despite the name: it never steps either, but it keeps
 * counting during suspend, so a handshake's age includes the time the host slept. */
int64_t mono_ms(void)
{
	return clock_ms(CLOCK_BOOTTIME);
}

int64_t real_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

void format_utc(char *buf, size_t size, int64_t unix_ms, bool with_ms)
{
	time_t sec = (time_t)(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
	int ms = (int)(unix_ms - (int64_t)sec * 1000);
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, size, "invalid-time");
		return;
	}
	if (with_ms)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
