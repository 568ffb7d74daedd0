// SPDX-License-Identifier: MIT
/* One parse and one format function per kind of setting value. Each works on the field
 * its table row points to; none knows a particular setting. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "hook_exec.h"
#include "http.h"
#include "settings_spec.h"
#include "text.h"
#include "util.h"

#define QUOTE_MAX (SETTING_QUOTE_SIZE - 4)

static const char *const true_words[] = { "1", "true", "yes", "on", NULL };
static const char *const false_words[] = { "0", "false", "no", "off", NULL };

static void *field(struct settings *s, size_t offset)
{
	return (char *)s + offset;
}

static const void *field_of(const struct settings *s, size_t offset)
{
	return (const char *)s + offset;
}

uint64_t setting_uint(const struct settings *s, const struct setting_spec *sp)
{
	const void *f = field_of(s, sp->offset);
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	switch (sp->size) {
	case sizeof u8: memcpy(&u8, f, sizeof u8); return u8;
	case sizeof u32: memcpy(&u32, f, sizeof u32); return u32;
	default: memcpy(&u64, f, sizeof u64); return u64;
	}
}

void setting_set_uint(struct settings *s, const struct setting_spec *sp, uint64_t v)
{
	void *f = field(s, sp->offset);
	uint8_t u8 = (uint8_t)v;
	uint32_t u32 = (uint32_t)v;
	switch (sp->size) {
	case sizeof u8: memcpy(f, &u8, sizeof u8); break;
	case sizeof u32: memcpy(f, &u32, sizeof u32); break;
	default: memcpy(f, &v, sizeof v); break;
	}
}

void setting_quote(char out[SETTING_QUOTE_SIZE], const char *v, size_t len)
{
	/* Raw: the message is escaped once, where it is printed (text_complain). */
	size_t n = text_raw(out, QUOTE_MAX + 1, v, len);
	if (n < len)
		/* NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.strcpy): n <= QUOTE_MAX: 4 bytes left */
		strcpy(out + n, "...");
}

int setting_invalid(const struct setting_input *in, const char *allowed)
{
	char q[SETTING_QUOTE_SIZE];
	setting_quote(q, in->v, in->len);
	return fail_at(in->err, in->errlen, 0, -EINVAL, "invalid %s \"%s\": %s", in->name, q,
	               allowed);
}

/* Index of v in a NULL-terminated word list, any case; -1 if absent. */
static int word_index(const char *const *words, const char *v, size_t len)
{
	for (int i = 0; words[i]; i++)
		if (strlen(words[i]) == len && strncasecmp(words[i], v, len) == 0)
			return i;
	return -1;
}

/* SK_PATH: at most the field's size - 1 bytes, no control characters. */
static int parse_path(struct settings *s, const struct setting_spec *sp,
                      const struct setting_input *in)
{
	bool ok = in->len < sp->size;
	for (size_t i = 0; ok && i < in->len; i++)
		ok = (unsigned char)in->v[i] >= 0x20 && in->v[i] != 0x7f;
	if (!ok)
		return setting_invalid(in, sp->allowed);
	memcpy(field(s, sp->offset), in->v, in->len);
	((char *)field(s, sp->offset))[in->len] = '\0';
	return 0;
}

static void format_path(const struct settings *s, const struct setting_spec *sp, char *buf,
                        size_t size)
{
	const char *p = field_of(s, sp->offset);
	sanitize(buf, size, p, strnlen(p, sp->size));
}

/* SK_EVENTS: peer event words, comma-separated, kept as written; refused here like any
 * other bad value, not only once the hooks are set up. */
static int parse_events(struct settings *s, const struct setting_spec *sp,
                        const struct setting_input *in)
{
	char why[300];
	uint64_t mask;
	int rc = parse_path(s, sp, in);
	if (rc == 0 && hook_events_parse(field(s, sp->offset), &mask, why, sizeof why) < 0)
		rc = setting_invalid(in, why);
	return rc;
}

/* SK_LISTEN: numeric ADDR:PORT or [ADDR6]:PORT, comma-separated, kept as written; empty:
 * off. Whether each can be bound is only known at start. */
static int parse_listen(struct settings *s, const struct setting_spec *sp,
                        const struct setting_input *in)
{
	struct http_addr addrs[HTTP_MAX_LISTEN];
	char why[300];
	size_t n;
	int rc = parse_path(s, sp, in);
	if (rc == 0 && in->len > 0 && http_parse_listen(field(s, sp->offset), addrs,
	                                                HTTP_MAX_LISTEN, &n, why, sizeof why) < 0)
		rc = setting_invalid(in, why);
	return rc;
}

static bool in_range(const struct setting_spec *sp, uint64_t n)
{
	return n <= sp->max && (n >= sp->min || (sp->zero_ok && n == 0));
}

/* SK_NUMBER: plain decimal. */
static int parse_number(struct settings *s, const struct setting_spec *sp,
                        const struct setting_input *in)
{
	uint64_t n;
	if (!parse_u64(in->v, in->len, sp->max, &n) || !in_range(sp, n))
		return setting_invalid(in, sp->allowed);
	setting_set_uint(s, sp, n);
	return 0;
}

/* SK_BYTES: decimal bytes, or a K, M or G suffix (either case) for KiB, MiB, GiB. */
static int parse_bytes(struct settings *s, const struct setting_spec *sp,
                       const struct setting_input *in)
{
	static const char suffixes[] = "KkMmGg";
	uint64_t mult = 1, n;
	size_t len = in->len;
	const char *p = len > 0 && in->v[len - 1] ? strchr(suffixes, in->v[len - 1]) : NULL;
	if (p) {
		mult = (uint64_t)1 << (10 * (1 + (p - suffixes) / 2));
		len--;
	}
	if (!parse_u64(in->v, len, UINT64_MAX / mult, &n) || !in_range(sp, n * mult))
		return setting_invalid(in, sp->allowed);
	setting_set_uint(s, sp, n * mult);
	return 0;
}

static void format_number(const struct settings *s, const struct setting_spec *sp,
                          char *buf, size_t size)
{
	snprintf(buf, size, "%llu", (unsigned long long)setting_uint(s, sp));
}

/* SK_BOOL: one of the words. An empty DEBUG= never gets here (an empty variable is
 * unset, SPEC §3); an empty --debug= is an error like every other empty flag. */
static int parse_bool(struct settings *s, const struct setting_spec *sp,
                      const struct setting_input *in)
{
	bool off = word_index(false_words, in->v, in->len) >= 0;
	if (!off && word_index(true_words, in->v, in->len) < 0)
		return setting_invalid(in, sp->allowed);
	setting_set_uint(s, sp, !off);
	return 0;
}

static void format_bool(const struct settings *s, const struct setting_spec *sp, char *buf,
                        size_t size)
{
	snprintf(buf, size, "%s", setting_uint(s, sp) ? "on" : "off");
}

/* SK_WORD: one of the row's words, any case; the field holds its index. */
static int parse_word(struct settings *s, const struct setting_spec *sp,
                      const struct setting_input *in)
{
	int i = word_index(sp->words, in->v, in->len);
	if (i < 0)
		return setting_invalid(in, sp->allowed);
	setting_set_uint(s, sp, (uint64_t)i);
	return 0;
}

static void format_word(const struct settings *s, const struct setting_spec *sp, char *buf,
                        size_t size)
{
	snprintf(buf, size, "%s", enum_word(sp->words, (unsigned)setting_uint(s, sp)));
}

/* SK_IFLIST: the names, count_offset their number; max = the field's room. */
struct iflist {
	char (*names)[WG_IFNAME_SIZE];
	size_t *n, max;
};

static struct iflist iflist_of(struct settings *s, const struct setting_spec *sp)
{
	return (struct iflist){ field(s, sp->offset), field(s, sp->count_offset),
	                        sp->size / WG_IFNAME_SIZE };
}

/* Adds one name unless already listed; the list keeps the first order. */
static int add_interface(struct iflist *l, const struct setting_spec *sp,
                         const struct setting_input *in, const char *v, size_t len)
{
	struct setting_input one = { in->name, v, len, in->err, in->errlen };
	if (!wg_ifname_valid(v, len))
		return setting_invalid(&one, sp->allowed);
	for (size_t i = 0; i < *l->n; i++)
		if (strlen(l->names[i]) == len && memcmp(l->names[i], v, len) == 0)
			return 0;
	if (*l->n == l->max) {
		char q[SETTING_QUOTE_SIZE];
		setting_quote(q, v, len);
		return fail_at(in->err, in->errlen, 0, -EINVAL, "too many interfaces in %s (\"%s\" "
		               "would be number %zu): at most %zu", in->name, q, l->max + 1, l->max);
	}
	memcpy(l->names[*l->n], v, len);
	l->names[(*l->n)++][len] = '\0';
	return 0;
}

/* Names separated by spaces, tabs and/or commas, appended; only separators: no change. */
static int parse_iflist(struct settings *s, const struct setting_spec *sp,
                        const struct setting_input *in)
{
	static const char sep[] = " \t,";
	struct iflist l = iflist_of(s, sp);
	if (in->len == 0)
		return setting_invalid(in, sp->allowed);
	size_t i = 0;
	while (i < in->len) {
		size_t j = i;
		while (j < in->len && !memchr(sep, in->v[j], sizeof sep - 1))
			j++;
		int rc = j > i ? add_interface(&l, sp, in, in->v + i, j - i) : 0;
		if (rc < 0)
			return rc;
		i = j + (j < in->len);   /* past the separator */
	}
	return 0;
}

/* Comma-joined; "" for none. */
static void format_iflist(const struct settings *s, const struct setting_spec *sp,
                          char *buf, size_t size)
{
	const char (*names)[WG_IFNAME_SIZE] = field_of(s, sp->offset);
	size_t n, o = 0;
	memcpy(&n, field_of(s, sp->count_offset), sizeof n);
	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (i > 0)
			buf[o++] = ',';
		o += sanitize(buf + o, size - o, names[i], strnlen(names[i], WG_IFNAME_SIZE));
	}
}

static void clear_iflist(struct settings *s, const struct setting_spec *sp)
{
	*iflist_of(s, sp).n = 0;
}

const struct setting_kind_ops setting_kinds[SK__COUNT] = {
	[SK_PATH] = { parse_path, format_path, NULL, true },
	[SK_NUMBER] = { parse_number, format_number, NULL, false },
	[SK_BYTES] = { parse_bytes, format_number, NULL, false },
	[SK_BOOL] = { parse_bool, format_bool, NULL, false },
	[SK_WORD] = { parse_word, format_word, NULL, false },
	[SK_IFLIST] = { parse_iflist, format_iflist, clear_iflist, false },
	[SK_EVENTS] = { parse_events, format_path, NULL, false },
	[SK_LISTEN] = { parse_listen, format_path, NULL, true },
};
