// SPDX-License-Identifier: MIT
/* Key encodings, number parsing, time formatting, interface names. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "util.h"

static void test_base64_roundtrip(void)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char b[WG_KEY_B64_LEN];
	for (int i = 0; i < WG_KEY_LEN; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	key_to_base64(b, key);
	CHECK_INT(strlen(b), 44);
	CHECK(b[43] == '=' && b[42] != '=');
	CHECK(key_from_base64(back, b, strlen(b)));
	CHECK(memcmp(key, back, WG_KEY_LEN) == 0);
	memset(key, 0, sizeof key);
	key_to_base64(b, key);
	CHECK_STR(b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	memset(key, 0xff, sizeof key);
	key_to_base64(b, key);
	CHECK_STR(b, "//////////////////////////////////////////8=");
}

static void test_base64_rejects(void)
{
	uint8_t k[WG_KEY_LEN];
	CHECK(!key_from_base64(k, "AAAA", 4));
	CHECK(!key_from_base64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 44)); /* no '=' */
	CHECK(!key_from_base64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=", 44));
	CHECK(!key_from_base64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", 44)); /* stray bits */
}

static void test_hex(void)
{
	uint8_t k[WG_KEY_LEN];
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", i);
	CHECK(key_from_hex(k, hex, 64));
	CHECK_INT(k[0], 0);
	CHECK_INT(k[31], 31);
	CHECK(!key_from_hex(k, hex, 63));
	hex[10] = 'g';
	CHECK(!key_from_hex(k, hex, 64));
}

/* Every byte value, decoded alone, against the alphabets spelled out. */
static void test_key_alphabets(void)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char hexl[] = "0123456789abcdef", hexu[] = "0123456789ABCDEF";
	char b[45] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", h[65];
	uint8_t k[WG_KEY_LEN];
	memset(h, '0', 64);
	for (int c = 0; c < 256; c++) {
		const char *p = c ? strchr(b64, c) : NULL;
		b[0] = (char)c;
		bool ok = key_from_base64(k, b, 44);
		CHECK(ok == (p != NULL));
		if (ok)
			CHECK_INT(k[0] >> 2, p - b64);
		const char *l = c ? strchr(hexl, c) : NULL, *u = c ? strchr(hexu, c) : NULL;
		h[63] = (char)c;
		ok = key_from_hex(k, h, 64);
		CHECK(ok == (l || u));
		if (ok)
			CHECK_INT(k[31], l ? l - hexl : u - hexu);
	}
}

static void test_numbers(void)
{
	uint64_t u;
	int64_t i;
	CHECK(parse_u64("18446744073709551615", 20, UINT64_MAX, &u) && u == UINT64_MAX);
	CHECK(!parse_u64("18446744073709551616", 20, UINT64_MAX, &u));
	CHECK(!parse_u64("", 0, 10, &u));
	CHECK(!parse_u64("+1", 2, 10, &u));
	CHECK(!parse_u64(" 1", 2, 10, &u));
	CHECK(!parse_u64("11", 2, 10, &u));
	CHECK(parse_u64("10", 2, 10, &u) && u == 10);
	CHECK(parse_i64("-22", 3, &i) && i == -22);
	CHECK(parse_i64("-9223372036854775808", 20, &i) && i == INT64_MIN);
	CHECK(!parse_i64("9223372036854775808", 19, &i));
	CHECK(!parse_i64("-", 1, &i));
}

/* The oracle for key_from_hex: strchr in the digits of either case, one at a time. */
static bool ref_hex(uint8_t key[WG_KEY_LEN], const char *s)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	for (int i = 0; i < 2 * WG_KEY_LEN; i++) {
		const char *l = s[i] ? strchr(lower, s[i]) : NULL, *u = s[i] ? strchr(upper, s[i]) : NULL;
		if (!l && !u)
			return false;
		unsigned v = (unsigned)(l ? l - lower : u - upper);
		key[i / 2] = (uint8_t)(i % 2 ? (key[i / 2] & 0xf0) | v : v << 4);
	}
	return true;
}

/* Random keys, mostly hex of both cases, some with any byte at all (top bit, NUL, the
 * neighbours of each range: '/', ':', '@', 'G', '`', 'g'), against the oracle. */
static void test_hex_oracle(void)
{
	static const char near[] = "/:@G`g\x80\xff\x10\xb0\xe1";
	unsigned seed = 3, bad = 0, valid = 0;
	for (int n = 0; n < 100000; n++) {
		char s[2 * WG_KEY_LEN];
		uint8_t got[WG_KEY_LEN], want[WG_KEY_LEN];
		for (size_t i = 0; i < sizeof s; i++) {
			int r = rand_r(&seed) % 2000;
			s[i] = "0123456789abcdefABCDEF"[r % 22];
			if (r < 6)
				s[i] = near[(size_t)rand_r(&seed) % (sizeof near - 1)];
			else if (r < 8)
				s[i] = (char)(rand_r(&seed) & 255);
		}
		bool w = ref_hex(want, s), g = key_from_hex(got, s, sizeof s);
		bad += g != w || (g && memcmp(got, want, sizeof got) != 0);
		valid += g;
	}
	CHECK_INT(bad, 0);
	CHECK(valid > 10000 && valid < 100000);
}

/* The oracle: strtoull on a copy, after the strict checks strtoull does not make. */
static bool ref_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	char b[32];
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memcpy(b, s, len);
	b[len] = '\0';
	errno = 0;
	unsigned long long v = strtoull(b, NULL, 10);
	if (errno == ERANGE || v > max)
		return false;
	*out = v;
	return true;
}

/* Mostly digits (leading zeros, 19-21 of them near UINT64_MAX), some hostile bytes. */
static size_t random_number(char *b, unsigned *seed)
{
	static const char odd[] = "-+ a\n\0x.";
	size_t len = (size_t)rand_r(seed) % 24;
	bool near_max = rand_r(seed) % 4 == 0;
	for (size_t i = 0; i < len; i++) {
		int r = rand_r(seed) % 40;
		b[i] = near_max && i < 20 ? "18446744073709551615"[i] : (char)('0' + r % 10);
		if (near_max && r < 3)
			b[i] = (char)('0' + r % 10);
		else if (r == 39)
			b[i] = odd[rand_r(seed) % (int)(sizeof odd - 1)];
	}
	return len;
}

/* parse_u64 and its prefix form against strtoull over many random inputs. */
static void test_numbers_oracle(void)
{
	static const uint64_t maxes[] = { UINT64_MAX, INT64_MAX, 999999999, UINT32_MAX, 65535, 32 };
	unsigned seed = 16, bad = 0, bad_prefix = 0;
	for (int n = 0; n < 200000; n++) {
		char b[32];
		size_t len = random_number(b, &seed), digits = 0;
		uint64_t max = maxes[n % 6], got = 7, want = 7, pre = 7;
		bool ok = parse_u64(b, len, max, &got), ref = ref_u64(b, len, max, &want);
		bad += ok != ref || (ok && got != want);
		while (digits < len && b[digits] >= '0' && b[digits] <= '9')
			digits++;
		size_t np = parse_u64_prefix(b, len, max, &pre);
		ref = ref_u64(b, digits, max, &want);
		bad_prefix += (np != 0) != ref || (ref && (np != digits || pre != want)) ||
		              (!ref && pre != 7);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(bad_prefix, 0);
	uint64_t u = 0;
	CHECK_INT(parse_u64_prefix("18446744073709551615\n", 21, UINT64_MAX, &u), 20);
	CHECK(u == UINT64_MAX);
	CHECK_INT(parse_u64_prefix("184467440737095516150", 21, UINT64_MAX, &u), 0);
	CHECK_INT(parse_u64_prefix("00000000000000000007x", 21, 7, &u), 20);
	CHECK_INT(parse_u64_prefix("12", 1, 99, &u), 1); /* never past len */
}

static void test_time(void)
{
	char b[40];
	format_utc(b, sizeof b, 1795643712123LL, true);
	CHECK_STR(b, "2026-11-25T21:55:12.123Z");
	format_utc(b, sizeof b, 0, false);
	CHECK_STR(b, "1970-01-01T00:00:00Z");
}

static void test_ifname(void)
{
	CHECK(wg_ifname_valid("wg0", 3));
	CHECK(wg_ifname_valid("a=b+c.d-e_f", 11));
	CHECK(!wg_ifname_valid("", 0));
	CHECK(!wg_ifname_valid("0123456789abcdef", 16));
	CHECK(wg_ifname_valid("0123456789abcde", 15));
	CHECK(!wg_ifname_valid("wg/0", 4));
	CHECK(!wg_ifname_valid("..", 2));
	CHECK(!wg_ifname_valid("wg 0", 4));
}

TEST_MAIN(test_base64_roundtrip, test_base64_rejects, test_hex, test_key_alphabets, test_numbers,
          test_numbers_oracle, test_hex_oracle, test_time, test_ifname)
