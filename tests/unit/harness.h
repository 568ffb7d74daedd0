/* SPDX-License-Identifier: MIT */
/* A tiny unit-test harness: CHECK macros count failures; TEST_MAIN runs the listed
 * tests and prints one summary line "<file>: N checks, M failed". */
#ifndef HARNESS_H
#define HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_checks, t_failed;

#define CHECK(cond) do { t_checks++; if (!(cond)) { t_failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); t_checks++; \
	if (t_a != t_b) { t_failed++; fprintf(stderr, "FAIL %s:%d: %s == %lld, expected %s == %lld\n", \
	__FILE__, __LINE__, #a, t_a, #b, t_b); } } while (0)
#define CHECK_STR(a, b) do { const char *t_a = (a), *t_b = (b); t_checks++; \
	if (!t_a || !t_b || strcmp(t_a, t_b) != 0) { t_failed++; \
	fprintf(stderr, "FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
	#a, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } } while (0)
#define CHECK_CONTAINS(hay, needle) do { const char *t_h = (hay), *t_n = (needle); t_checks++; \
	if (!t_h || !strstr(t_h, t_n)) { t_failed++; \
	fprintf(stderr, "FAIL %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
	t_h ? t_h : "(null)", t_n); } } while (0)

#define TEST_MAIN(...) int main(void) { \
	void (*t_tests[])(void) = { __VA_ARGS__ }; \
	for (size_t t_i = 0; t_i < sizeof(t_tests) / sizeof(t_tests[0]); t_i++) t_tests[t_i](); \
	printf("%s: %d checks, %d failed\n", __FILE__, t_checks, t_failed); \
	return t_failed ? 1 : 0; }

#endif
