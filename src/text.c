// SPDX-License-Identifier: MIT
/* The escapers. Each byte first takes its sanitized form (itself, or \xNN), then each
 * character of that form its format's escape; a unit is written whole or not at all. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/* Writes the sanitized form of c to out; returns its length (1 or 4). */
static size_t sanitized(unsigned char c, char out[4])
{
	static const char hex[] = "0123456789abcdef";
	if (plain(c)) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

/* src[0..len) sanitized, with each character in specials preceded by a backslash, into
 * dst (size dstsize > 0) up to the first unit that does not fit. Returns strlen(dst). */
static size_t emit(char *dst, size_t dstsize, const char *src, size_t len, const char *specials)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char unit[4], esc[8];
		size_t n = sanitized((unsigned char)src[i], unit), w = 0;
		for (size_t k = 0; k < n; k++) {
			if (strchr(specials, unit[k]))
				esc[w++] = '\\';
			esc[w++] = unit[k];
		}
		if (o + w >= dstsize)
			break;
		memcpy(dst + o, esc, w);
		o += w;
	}
	dst[o] = '\0';
	return o;
}

size_t sanitize(char *dst, size_t dstsize, const char *src, size_t len)
{
	return emit(dst, dstsize, src, len, "");
}

/* How many bytes of src fit in TEXT_VALUE_MAX sanitized characters. */
static size_t bounded(const char *src, size_t len)
{
	size_t shown = 0, i = 0;
	for (; i < len; i++) {
		size_t n = plain((unsigned char)src[i]) ? 1 : 4;
		if (shown + n > TEXT_VALUE_MAX)
			break;
		shown += n;
	}
	return i;
}

/* '"' + the value with '"' and '\' escaped + '"'. */
static size_t quoted(char *dst, size_t dstsize, const char *src, size_t len)
{
	dst[0] = '"';
	size_t o = 1 + emit(dst + 1, dstsize - 2, src, len, "\"\\");
	dst[o++] = '"';
	dst[o] = '\0';
	return o;
}

size_t text_json(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	return quoted(dst, dstsize, src, bounded(src, srclen));
}

size_t text_label(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	return text_json(dst, dstsize, src, srclen);
}

size_t text_kv(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	size_t n = bounded(src, srclen);
	if (n > 0 && (memchr(src, ' ', n) || memchr(src, '"', n)))
		return quoted(dst, dstsize, src, n);
	return sanitize(dst, dstsize, src, n);
}

size_t text_raw(char *dst, size_t dstsize, const char *src, size_t len)
{
	const char *nul = memchr(src, '\0', len);
	size_t n = nul ? (size_t)(nul - src) : len;
	if (n >= dstsize)
		n = dstsize - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

void text_complain(const char *fmt, ...)
{
	char raw[TEXT_VALUE_MAX + 1], shown[4 * TEXT_VALUE_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above (clang 14 false positive) */
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1;
	sanitize(shown, sizeof(shown), raw, len);
	fprintf(stderr, "wg-monitor: %s\n", shown);
}
