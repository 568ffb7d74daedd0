// SPDX-License-Identifier: MIT
/* How /metrics and the page are written in parts without a copy of the table or of the
 * text. Design: every per-peer family lists the peers in one stable order, (interface,
 * public key) (the page: state rank, interface, name, key); a response's cursor is the
 * last peer written, by identity. The order is an array of table positions built once
 * per table generation (a poll, a peer added, removed or renamed changes it) and shared
 * by every response in flight; a response that finds the generation changed finds its
 * place again by binary search, after its last peer. So a peer is never listed twice in a
 * family (no duplicate series, which Prometheus rejects), one removed meanwhile is simply
 * not reached, one added behind the cursor waits for the next scrape, and values are
 * always the current table's, never freed data. Memory: 4 bytes a peer per order, shared,
 * and for its build a transient sort array (56 bytes a peer, and the names of the named
 * ones for the page's order); none of it grows with the connections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sink_metrics_impl.h"
#include "util.h"

static struct metrics_key key_of(const struct peer_view *v, int o)
{
	struct metrics_key k;
	memset(&k, 0, sizeof(k));
	if (o == MO_PAGE) {
		k.rank = v->state == PEER_OFFLINE ? 0 : v->state == PEER_NEVER ? 1 : 2;
		memcpy(k.name, v->name, strnlen(v->name, sizeof(k.name) - 1));
	}
	memcpy(k.ifname, v->ifname, strnlen(v->ifname, sizeof(k.ifname) - 1));
	memcpy(k.key, v->key, WG_KEY_LEN);
	return k;
}

static int cmp_key(const struct metrics_key *x, const struct metrics_key *y)
{
	int c = (int)x->rank - (int)y->rank;
	if (!c)
		c = strncmp(x->ifname, y->ifname, sizeof(x->ifname));
	if (!c)
		c = strncmp(x->name, y->name, sizeof(x->name));
	return c ? c : memcmp(x->key, y->key, sizeof(x->key));
}

/* What the sort moves: the peer's sort key without the name's fixed 65 bytes (56 bytes
 * a peer, not the 120 of a metrics_key and a position); a name, in the page's order only,
 * is a NUL-terminated string in a side arena, so only peers that have one pay for it. */
struct sort_rec {
	uint8_t key[WG_KEY_LEN];
	char ifname[WG_IFNAME_SIZE];
	uint32_t i;                       /* the table position */
	unsigned rank : 2;                /* as in metrics_key */
	unsigned name : 30;               /* offset in the arena; 0 = "" (its first byte) */
};

/* The same order as cmp_key. */
static int cmp_rec(const void *a, const void *b, void *names)
{
	const struct sort_rec *x = a, *y = b;
	int c = (int)x->rank - (int)y->rank;
	if (!c)
		c = strncmp(x->ifname, y->ifname, sizeof(x->ifname));
	if (!c && x->name != y->name)
		c = strcmp((const char *)names + x->name, (const char *)names + y->name);
	return c ? c : memcmp(x->key, y->key, sizeof(x->key));
}

/* The names' arena: "" at offset 0, then one string per named peer. */
struct name_arena {
	char *p;
	size_t len, cap;
};

/* r's sort key from k, its name appended to a (the page's order only). */
static int rec_of(struct sort_rec *r, const struct metrics_key *k, uint32_t i,
                  struct name_arena *a)
{
	size_t len = strnlen(k->name, sizeof(k->name));
	memcpy(r->key, k->key, sizeof(r->key));
	memcpy(r->ifname, k->ifname, sizeof(r->ifname));
	r->i = i;
	r->rank = k->rank;
	r->name = 0;
	if (!len)
		return 0;
	while (a->cap <= a->len + len) {   /* array_grow doubles once a call */
		void *arr = a->p;
		if (!array_grow(&arr, &a->cap, a->len + len, 1, (size_t)1 << 30))
			return -ENOMEM;
		a->p = arr;
	}
	r->name = (unsigned)a->len;
	memcpy(a->p + a->len, k->name, len + 1);
	a->len += len + 1;
	return 0;
}

/* The sorted records' table positions, as the order o. */
static int order_keep(struct metrics_order *ord, const struct sort_rec *r, size_t n)
{
	uint32_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t j = 0; j < n; j++)
		idx[j] = r[j].i;
	*ord = (struct metrics_order){ idx, n, true };
	return 0;
}

/* The shown peers (restored ones not yet polled are not) sorted into order o. */
static int order_build(struct sink_metrics *m, int o, const struct clocks *now)
{
	size_t n = 0, cap = peers_count(m->peers, NULL).peers;   /* sized once: no doubling */
	struct sort_rec *r = cap ? malloc(cap * sizeof(*r)) : NULL;
	struct name_arena names = { calloc(1, 1), 1, 1 };
	struct peer_view v;
	int rc = names.p ? 0 : -ENOMEM;
	if (!r)
		cap = 0;   /* array_grow tries again */
	for (size_t i = 0; !rc && peers_view(m->peers, i, now, &v); i++) {
		void *arr = r;
		if (v.restored)
			continue;
		if (!array_grow(&arr, &cap, n, sizeof(*r), WG_MAX_PEERS)) {
			rc = -ENOMEM;
			break;
		}
		r = arr;
		struct metrics_key k = key_of(&v, o);
		rc = rec_of(&r[n++], &k, (uint32_t)i, &names);
	}
	if (!rc && n)
		qsort_r(r, n, sizeof(*r), cmp_rec, names.p);
	if (!rc)
		rc = order_keep(&m->order[o], r, n);
	free(names.p);
	free(r);
	return rc;
}

/* The first position in order o past key k. */
static size_t order_after(const struct sink_metrics *m, int o, const struct metrics_key *k,
                          const struct clocks *now)
{
	const struct metrics_order *ord = &m->order[o];
	size_t lo = 0, hi = ord->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct peer_view v;
		if (!peers_view(m->peers, ord->idx[mid], now, &v))
			return ord->n;   /* an order of another table: none of it is trusted */
		struct metrics_key mk = key_of(&v, o);
		if (cmp_key(&mk, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int order_next(struct sink_metrics *m, struct metrics_cursor *cur, int o,
               const struct clocks *now, struct peer_view *v, size_t *i)
{
	const struct metrics_order *ord = &m->order[o];
	if (!ord->built && order_build(m, o, now) < 0)
		return -ENOMEM;
	if (cur->gen != m->gen) {
		cur->pos = cur->any ? order_after(m, o, &cur->last, now) : 0;
		cur->gen = m->gen;
	}
	for (; cur->pos < ord->n; cur->pos++) {
		*i = ord->idx[cur->pos];
		if (peers_view(m->peers, *i, now, v) && !v->restored)
			return 1;
	}
	return 0;
}

void order_passed(struct metrics_cursor *cur, int o, const struct peer_view *v)
{
	cur->last = key_of(v, o);
	cur->any = true;
	cur->pos++;
}

/* A new section starts: nothing of it written yet. */
static void cursor_section(struct metrics_cursor *cur, unsigned section)
{
	cur->section = section;
	cur->stage = 0;
	cur->any = false;
	cur->gen = UINT64_MAX;   /* no generation: the place is found again, from the start */
	cur->pos = 0;
	memset(&cur->last, 0, sizeof(cur->last));
}

void orders_drop(struct sink_metrics *m)
{
	for (int o = 0; o < MO__COUNT; o++) {
		free(m->order[o].idx);
		m->order[o] = (struct metrics_order){ NULL, 0, false };
	}
}

bool unit_end(struct http_buf *b, size_t mark)
{
	if (!b->failed)
		return true;
	if (b->fixed) {
		b->len = mark;
		b->failed = false;
		if (b->cap)
			b->p[mark] = '\0';
	}
	return false;
}

/* The part's answer once a section said SEC_FULL or failed (rc): 1 more to come, or an
 * error (-E2BIG when not even one unit fit b). */
static int part_end(const struct http_buf *b, int rc)
{
	if (rc < 0)
		return rc;
	if (b->failed)
		return -ENOMEM;
	return b->len ? 1 : -E2BIG;
}

int sections_write(struct sink_metrics *m, struct metrics_cursor *cur,
                   const struct clocks *now, struct http_buf *b, unsigned end,
                   section_fn *fn)
{
	for (; cur->section < end; cursor_section(cur, cur->section + 1)) {
		int rc = fn(m, cur, now, b);
		if (rc != SEC_DONE)
			return part_end(b, rc);
	}
	return 0;
}

void render_whole(struct sink_metrics *m, bool page, const struct clocks *now,
                  struct http_buf *b)
{
	static char part[HTTP_PART_MIN];
	struct metrics_cursor cur = { .page = page };
	for (int rc = 1; rc > 0 && !b->failed;) {
		struct http_buf f = { .p = part, .cap = sizeof(part), .fixed = true };
		rc = page ? metrics_page_part(m, &cur, now, &f) : metrics_render_part(m, &cur, now, &f);
		if (rc < 0)
			b->failed = true;
		else
			http_append(b, f.p, f.len);
	}
}
