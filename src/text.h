/* SPDX-License-Identifier: MIT */
/* One set of escapers for everything the daemon prints: the sanitizer (the one place
 * control bytes and non-ASCII are neutralised), then per format only that format's
 * specials: a JSON string, a log key=value value, a Prometheus label value. */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/* A value is shown to at most this many sanitized characters (whole escapes). */
#define TEXT_VALUE_MAX 1023
/* Room for any escaped value: every character escaped, two quotes, NUL. */
#define TEXT_ESCAPED_MAX (2 * TEXT_VALUE_MAX + 3)

/* Copies src[0..len) to dst (size dstsize > 0), NUL-terminated, keeping printable ASCII
 * except backslash and writing every other byte as \xNN; truncates whole escapes. Returns
 * strlen(dst). The result is safe in any log line. */
size_t sanitize(char *dst, size_t dstsize, const char *src, size_t len);

/* Copies src[0..len) to dst (dstsize > 0) as it is, up to a NUL byte and at most
 * dstsize - 1 bytes, NUL-terminated: a part of a message (a path, a program's stderr) is
 * kept raw and escaped once, where the message is printed. Returns strlen(dst). */
size_t text_raw(char *dst, size_t dstsize, const char *src, size_t len);

/* Prints "wg-monitor: ", the formatted message sanitized, and a newline to stderr: the
 * one escape of a message that reaches no sink (start-up errors, status). */
__attribute__((format(printf, 1, 2)))
void text_complain(const char *fmt, ...);

/* The escapers: src[0..srclen) sanitized (at most TEXT_VALUE_MAX characters), then the
 * format's specials escaped, written NUL-terminated to dst (dstsize >= 3); whole escapes
 * only, never past dstsize. Each returns strlen(dst). */
/* A JSON string, quotes included: '"' and '\' escaped. */
size_t text_json(char *dst, size_t dstsize, const char *src, size_t srclen);
/* A log key=value value: as is, or quoted with '"' and '\' escaped when it holds a
 * space or a quote. */
size_t text_kv(char *dst, size_t dstsize, const char *src, size_t srclen);
/* A Prometheus label value, quotes included: '\', '"' and newline escaped (a sanitized
 * value holds no newline, so JSON's escaping is the label's too). */
size_t text_label(char *dst, size_t dstsize, const char *src, size_t srclen);

#endif
