// SPDX-License-Identifier: MIT
/* The names file and the wg-quick config comments -> (public key, name) pairs. Both read
 * the buffer in place and copy only a validated public key and a cleaned name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "util.h"

/* ---- a name ---------------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (its code point in *cp), or 0. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
	           : (s[0] & 0xf0) == 0xe0 ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (n == 0 || n > len)
		return 0;
	uint32_t c = n == 1 ? s[0] : s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0; /* overlong, past Unicode, or a surrogate */
	*cp = c;
	return n;
}

/* Characters that could hide or reorder what a reader sees: controls (C0, DEL, C1),
 * bidirectional marks, embeddings, overrides and isolates, line and paragraph
 * separators, and the byte-order mark. */
static bool dropped(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e ||
	       c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfeff;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t names_clean(char out[PEER_NAME_SIZE], const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0;
	while (i < len && blank(src[i]))
		i++;
	while (i < len) {
		uint32_t c;
		size_t n = utf8_next(s + i, len - i, &c);
		if (n == 0) { /* not UTF-8: the byte goes */
			i++;
			continue;
		}
		if (!dropped(c)) {
			if (o + n > NAMES_NAME_MAX)
				break;
			memcpy(out + o, src + i, n);
			o += n;
		}
		i += n;
	}
	while (o > 0 && blank(out[o - 1]))
		o--;
	out[o] = '\0';
	return o;
}

/* ---- lines and words -------------------------------------------------------------- */

struct line {
	const char *s;
	size_t len, no;
};

/* The next line of buf from *pos, without its newline, a CR before it and the blanks
 * around it. false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, struct line *l)
{
	if (*pos >= len)
		return false;
	const char *s = buf + *pos, *nl = memchr(s, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - s) : len - *pos;
	*pos += n + 1;
	l->no++;
	while (n > 0 && (blank(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	while (n > 0 && blank(*s)) {
		s++;
		n--;
	}
	l->s = s;
	l->len = n;
	return true;
}

/* Skips blanks at the front of l. */
static void skip_blanks(struct line *l)
{
	while (l->len > 0 && blank(*l->s)) {
		l->s++;
		l->len--;
	}
}

/* Takes the word lit (any case; a word is letters, digits and '_') at the front of l,
 * then its blanks; false, l unchanged, when another word is there. */
static bool take_word(struct line *l, const char *lit)
{
	size_t n = 0;
	while (n < l->len && (l->s[n] == '_' || (unsigned)((l->s[n] | 0x20) - 'a') < 26u ||
	                      (unsigned)(l->s[n] - '0') < 10u))
		n++;
	if (n != strlen(lit) || strncasecmp(l->s, lit, n) != 0)
		return false;
	l->s += n;
	l->len -= n;
	skip_blanks(l);
	return true;
}

/* Takes c at the front of l (then its blanks); false when it is not there. */
static bool take_char(struct line *l, char c)
{
	if (l->len == 0 || *l->s != c)
		return false;
	l->s++;
	l->len--;
	skip_blanks(l);
	return true;
}

#define EMPTY_NAME "the name is empty once control characters are removed"

/* ---- the pairs -------------------------------------------------------------------- */

struct parse {
	struct names *nm;
	names_warn_fn warn;
	void *ctx;
	int err;
};

static void warn(struct parse *p, size_t lineno, const char *why)
{
	if (p->warn)
		p->warn(p->ctx, lineno, why);
}

static void add(struct parse *p, const uint8_t key[WG_KEY_LEN], const char *name, size_t no)
{
	struct names *nm = p->nm;
	if (p->err || !array_grow((void **)&nm->e, &nm->cap, nm->n, sizeof(*nm->e), SIZE_MAX / 2)) {
		p->err = -ENOMEM;
		return;
	}
	struct names_entry *e = &nm->e[nm->n++];
	memcpy(e->key, key, WG_KEY_LEN);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->lineno = no;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct names_entry *x = a, *y = b;
	int c = memcmp(x->key, y->key, WG_KEY_LEN);
	return c ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* Sorts by key; of one key only the first line stays, the others are warned about. */
static int finish(struct parse *p)
{
	struct names *nm = p->nm;
	if (p->err) {
		names_free(nm);
		return p->err;
	}
	if (nm->n)
		qsort(nm->e, nm->n, sizeof(*nm->e), entry_cmp);
	size_t o = 0;
	for (size_t i = 0; i < nm->n; i++) {
		if (o && memcmp(nm->e[o - 1].key, nm->e[i].key, WG_KEY_LEN) == 0) {
			warn(p, nm->e[i].lineno, "this public key was named before; skipped");
			continue;
		}
		nm->e[o++] = nm->e[i];
	}
	nm->n = o;
	return 0;
}

static void start(struct parse *p, struct names *nm, names_warn_fn fn, void *ctx)
{
	*p = (struct parse){ nm, fn, ctx, 0 };
	names_free(nm);
}

/* ---- the names file ---------------------------------------------------------------- */

/* Why a names file line is bad, or NULL when it named key. */
static const char *file_line(const struct line *l, uint8_t key[WG_KEY_LEN],
                             char name[PEER_NAME_SIZE])
{
	size_t k = 0;
	while (k < l->len && !blank(l->s[k]))
		k++;
	if (!key_from_base64(key, l->s, k))
		return "not a public key (44 characters of base64, 32 bytes)";
	if (k == l->len)
		return "a public key without a name";
	if (!names_clean(name, l->s + k, l->len - k))
		return EMPTY_NAME;
	return NULL;
}

int names_parse_file(struct names *nm, const char *buf, size_t len, names_warn_fn warn_fn,
                     void *ctx)
{
	struct parse p;
	struct line l = { 0 };
	size_t pos = 0;
	start(&p, nm, warn_fn, ctx);
	while (next_line(buf, len, &pos, &l)) {
		uint8_t key[WG_KEY_LEN];
		char name[PEER_NAME_SIZE];
		if (l.len == 0 || l.s[0] == '#')
			continue;
		const char *why = file_line(&l, key, name);
		if (why)
			warn(&p, l.no, why);
		else
			add(&p, key, name, l.no);
		/* a private key file given as the names file decodes as keys: leave none */
		explicit_bzero(key, sizeof(key));
	}
	return finish(&p);
}

/* ---- the config's comments --------------------------------------------------------- */

enum comment { C_OTHER, C_INSIDE, C_ABOVE, C_ABOVE_ID };

/* What a comment line says: a name inside a [Peer] block (# Name = x, # friendly_name =
 * x, #+Name = x) or above one (# Name: x, ### Client x, # BEGIN_PEER x, and wg-easy's
 * # Client: x (id), C_ABOVE_ID). l is left at the name. */
static enum comment classify(struct line *l)
{
	size_t hashes = 0;
	while (l->len && *l->s == '#') {
		l->s++;
		l->len--;
		hashes++;
	}
	if (hashes == 1 && take_char(l, '+'))
		return take_word(l, "Name") && take_char(l, '=') ? C_INSIDE : C_OTHER;
	skip_blanks(l);
	if (take_word(l, "Name"))
		return take_char(l, '=') ? C_INSIDE : take_char(l, ':') ? C_ABOVE : C_OTHER;
	if (take_word(l, "friendly_name"))
		return take_char(l, '=') ? C_INSIDE : C_OTHER;
	if (take_word(l, "Client"))
		return take_char(l, ':') ? C_ABOVE_ID : hashes == 3 ? C_ABOVE : C_OTHER;
	return take_word(l, "BEGIN_PEER") ? C_ABOVE : C_OTHER;
}

/* wg-easy's "x (id)" -> "x": the last parenthesised group goes, when a name is left. */
static void drop_id(struct line *l)
{
	if (l->len < 2 || l->s[l->len - 1] != ')')
		return;
	size_t i = l->len - 1;
	while (i > 0 && l->s[i] != '(')
		i--;
	if (i > 0 && l->s[i] == '(' && blank(l->s[i - 1]))
		l->len = i - 1;
}

/* A [Peer] block being read, and the name the comments above it gave. */
struct conf {
	struct parse p;
	char above[PEER_NAME_SIZE];   /* from the comment lines just above a header */
	bool in_peer, have_key;
	size_t peer_no;               /* its [Peer] line */
	uint8_t key[WG_KEY_LEN];
	char name[PEER_NAME_SIZE];
};

static void end_peer(struct conf *c)
{
	if (c->in_peer && c->name[0]) {
		if (c->have_key)
			add(&c->p, c->key, c->name, c->peer_no);
		else
			warn(&c->p, c->peer_no, "a named [Peer] without a valid PublicKey");
	}
	c->in_peer = c->have_key = false;
	c->name[0] = '\0';
}

static void comment_line(struct conf *c, struct line l)
{
	enum comment k = classify(&l);
	if (k == C_OTHER || (k == C_INSIDE && !c->in_peer))
		return;
	if (k == C_ABOVE_ID)
		drop_id(&l);
	char name[PEER_NAME_SIZE];
	if (!names_clean(name, l.s, l.len)) {
		warn(&c->p, l.no, EMPTY_NAME);
		return;
	}
	/* inside the block wins: it comes after the header, which took the name above */
	memcpy(k == C_INSIDE ? c->name : c->above, name, sizeof(name));
}

/* "PublicKey = <key>" in a [Peer] block; every other setting is left unread. */
static void setting_line(struct conf *c, struct line l)
{
	if (!c->in_peer || !take_word(&l, "PublicKey") || !take_char(&l, '='))
		return;
	const char *hash = memchr(l.s, '#', l.len); /* wg ignores a comment after a value */
	size_t n = hash ? (size_t)(hash - l.s) : l.len;
	while (n > 0 && blank(l.s[n - 1]))
		n--;
	c->have_key = key_from_base64(c->key, l.s, n);
	if (!c->have_key)
		warn(&c->p, l.no, "PublicKey is not a public key (44 characters of base64, 32 bytes)");
}

static void section_line(struct conf *c, const struct line *l)
{
	end_peer(c);
	struct line w = { l->s + 1, l->len - 1, l->no };
	skip_blanks(&w);
	if (take_word(&w, "Peer") && w.len == 1 && w.s[0] == ']') {
		c->in_peer = true;
		c->peer_no = l->no;
		memcpy(c->name, c->above, sizeof(c->name));
	}
}

int names_parse_config(struct names *nm, const char *buf, size_t len, names_warn_fn warn_fn,
                       void *ctx)
{
	struct conf c;
	memset(&c, 0, sizeof(c));
	struct line l = { 0 };
	size_t pos = 0;
	start(&c.p, nm, warn_fn, ctx);
	while (next_line(buf, len, &pos, &l)) {
		if (l.len == 0)
			continue;
		if (l.s[0] == '#') {
			comment_line(&c, l);
			continue;
		}
		if (l.s[0] == '[')
			section_line(&c, &l);
		else
			setting_line(&c, l);
		c.above[0] = '\0'; /* only the comments just above a header name it */
	}
	end_peer(&c);
	return finish(&c.p);
}

const char *names_find(const struct names *nm, const uint8_t key[WG_KEY_LEN])
{
	size_t lo = 0, hi = nm->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(nm->e[mid].key, key, WG_KEY_LEN);
		if (c == 0)
			return nm->e[mid].name;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void names_free(struct names *nm)
{
	free(nm->e);
	memset(nm, 0, sizeof(*nm));
}
